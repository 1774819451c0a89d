import type { ApiClient, CartBody, ContextAnswer } from './api-client';

export interface ContextTrackerOptions {
  api: ApiClient;
  userId: string;
  /** Milliseconds; injectable for tests. */
  clock?: () => number;
  /** Called when the API says to offer help, with its contextual message. */
  onHelp?: (message: string, answer: ContextAnswer) => void;
}

/**
 * The app's context tracker (docs/decisions.md #18), without React Native: counts back navigations, measures time
 * per screen and reports it on every navigation, reports cart changes and behaviour signals, and surfaces the API's
 * help offers.
 */
export class ContextTracker {
  private readonly clock: () => number;
  private currentScreen: string | null = null;
  private screenStartedAt = 0;
  private readonly timeOnScreenMs = new Map<string, number>();
  private backNavigations = 0;
  private lastAnswer: ContextAnswer | null = null;

  constructor(private readonly options: ContextTrackerOptions) {
    this.clock = options.clock ?? Date.now;
  }

  get screen(): string | null {
    return this.currentScreen;
  }

  get backNavigationCount(): number {
    return this.backNavigations;
  }

  get latest(): ContextAnswer | null {
    return this.lastAnswer;
  }

  /** Seconds spent on `screen` so far in this session, the running visit included. */
  getTimeOnScreen(screen: string): number {
    const running = screen === this.currentScreen ? this.clock() - this.screenStartedAt : 0;
    return ((this.timeOnScreenMs.get(screen) ?? 0) + running) / 1000;
  }

  async trackScreen(screenName: string, isBackNavigation = false): Promise<ContextAnswer> {
    const now = this.clock();
    const previous = this.currentScreen;
    const timeOnPreviousMs = previous === null ? 0 : now - this.screenStartedAt;
    if (previous !== null)
      this.timeOnScreenMs.set(previous, (this.timeOnScreenMs.get(previous) ?? 0) + timeOnPreviousMs);
    this.currentScreen = screenName;
    this.screenStartedAt = now;
    if (isBackNavigation) this.backNavigations++;
    return this.handle(
      this.options.api.updateScreen(this.options.userId, {
        screen_name: screenName,
        is_back_navigation: isBackNavigation,
        ...(previous === null ? {} : { previous_screen: previous, time_on_previous_seconds: timeOnPreviousMs / 1000 }),
      }),
    );
  }

  trackCart(cart: CartBody): Promise<ContextAnswer> {
    return this.handle(this.options.api.updateCart(this.options.userId, cart));
  }

  /** A behaviour signal on the current screen (BACK_NAV, PRICE_CHECK, PAYMENT_FAILURE, …). */
  reportSignal(type: string, value?: number): Promise<ContextAnswer> {
    return this.handle(
      this.options.api.sendFrictionSignal(this.options.userId, {
        type,
        ...(value === undefined ? {} : { value }),
        ...(this.currentScreen ? { screen: this.currentScreen } : {}),
      }),
    );
  }

  /** The app calls this on an idle timer: reports how long the user has been on the current screen. */
  checkFriction(): Promise<ContextAnswer> {
    const idleSeconds = this.currentScreen === null ? 0 : (this.clock() - this.screenStartedAt) / 1000;
    return this.reportSignal('INACTIVITY', Math.round(idleSeconds * 100) / 100);
  }

  private async handle(pending: Promise<ContextAnswer>): Promise<ContextAnswer> {
    const answer = await pending;
    this.lastAnswer = answer;
    if (answer.should_show_help && answer.help_message) this.options.onHelp?.(answer.help_message, answer);
    return answer;
  }
}
