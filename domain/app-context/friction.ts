import type { UserContext } from './user-context';

/** docs/decisions.md #13: each weight applies once when its signal is present; the sum is capped at 100. */
export const FRICTION_WEIGHTS = {
  inactivity_checkout: 30,
  back_navigation: 25,
  price_checks: 20,
  high_value_event: 15,
  first_time_user: 10,
  payment_failure: 40,
} as const;
export type FrictionSignalName = keyof typeof FRICTION_WEIGHTS;

export const FRICTION_THRESHOLD = 60;
export const FRICTION_CAP = 100;

const HELP_MESSAGES: Record<string, string> = {
  GUEST_COUNT: 'Need help deciding portions?',
  MENU_BROWSE: 'Want a personalized recommendation?',
  CHECKOUT: 'Need help completing your order?',
  PAYMENT: 'Having trouble with payment?',
};
export const DEFAULT_HELP_MESSAGE = 'Need help?';

export type FrictionInputs = Pick<
  UserContext,
  | 'current_screen'
  | 'time_on_checkout_seconds'
  | 'back_navigation_count'
  | 'price_check_count'
  | 'event_type'
  | 'past_order_count'
  | 'payment_retry_count'
>;

export interface FrictionSettings {
  enabled: boolean;
  highImportanceEvents: readonly string[];
}

export interface FrictionResult {
  friction_score: number;
  should_show_help: boolean;
  help_message: string | null;
  signals: FrictionSignalName[];
}

/** What every context change answers: the recomputed friction, whether to offer help now, the context's version. */
export type ContextAnswer = FrictionResult & { version: number };

const sameScreen = (screen: string | null, name: string) => (screen ?? '').toUpperCase() === name;

/** Which friction signals the context shows. Screen names and event types compare case-insensitively. */
export function frictionSignals(c: FrictionInputs, highImportanceEvents: readonly string[]): FrictionSignalName[] {
  const present: Array<[FrictionSignalName, boolean]> = [
    ['inactivity_checkout', sameScreen(c.current_screen, 'CHECKOUT') && c.time_on_checkout_seconds > 60],
    ['back_navigation', c.back_navigation_count > 3],
    ['price_checks', c.price_check_count > 5],
    ['high_value_event', c.event_type !== null && highImportanceEvents.includes(c.event_type.toUpperCase())],
    // Unknown history (null) is not "no past orders".
    ['first_time_user', c.past_order_count === 0],
    ['payment_failure', c.payment_retry_count > 0],
  ];
  return present.filter(([, on]) => on).map(([name]) => name);
}

export function frictionScore(signals: readonly FrictionSignalName[]): number {
  return Math.min(
    FRICTION_CAP,
    signals.reduce((sum, s) => sum + FRICTION_WEIGHTS[s], 0),
  );
}

export const helpMessageFor = (screen: string | null): string =>
  HELP_MESSAGES[(screen ?? '').toUpperCase()] ?? DEFAULT_HELP_MESSAGE;

/** Score, whether to offer help (never when detection is off) and the screen's help message. */
export function assessFriction(context: FrictionInputs, settings: FrictionSettings): FrictionResult {
  const signals = frictionSignals(context, settings.highImportanceEvents);
  const score = frictionScore(signals);
  const show = settings.enabled && score >= FRICTION_THRESHOLD;
  return {
    friction_score: score,
    should_show_help: show,
    help_message: show ? helpMessageFor(context.current_screen) : null,
    signals,
  };
}
