/** Which support channels an order value and event type get (docs/decisions.md #15); thresholds come from settings. */
export type SupportChannel = 'CHAT' | 'CALL';
export type RoutePriority = 'NONE' | 'NORMAL' | 'HIGH';

export interface ChannelRoute {
  allowed_channels: SupportChannel[];
  show_help_button: boolean;
  show_faq: boolean;
  priority: RoutePriority;
  help_trigger_text: string;
}

export interface ChannelRules {
  enabled: boolean;
  /** Below this value (INR): self-serve and FAQ only. */
  lowThreshold: number;
  /** Above this value (INR): chat and call. Exactly this value is still chat only. */
  highThreshold: number;
  /** Upper-case event types that always get chat and call. */
  highImportanceEvents: readonly string[];
}

export const HELP_TRIGGER_TEXT = {
  full: 'Planning something big? Chat or call our event specialists.',
  chat: 'Questions about your order? Chat with us.',
  selfServe: 'Find answers in our FAQs.',
} as const;

const FULL: ChannelRoute = {
  allowed_channels: ['CHAT', 'CALL'],
  show_help_button: true,
  show_faq: false,
  priority: 'HIGH',
  help_trigger_text: HELP_TRIGGER_TEXT.full,
};
const CHAT: ChannelRoute = {
  allowed_channels: ['CHAT'],
  show_help_button: true,
  show_faq: false,
  priority: 'NORMAL',
  help_trigger_text: HELP_TRIGGER_TEXT.chat,
};
const SELF_SERVE: ChannelRoute = {
  allowed_channels: [],
  show_help_button: false,
  show_faq: true,
  priority: 'NONE',
  help_trigger_text: HELP_TRIGGER_TEXT.selfServe,
};

export function routeChannels(
  orderValue: number,
  eventType: string | null | undefined,
  rules: ChannelRules,
): ChannelRoute {
  // Routing switched off: chat is open to every cart.
  if (!rules.enabled) return copy(CHAT);
  if (eventType && rules.highImportanceEvents.includes(eventType.toUpperCase())) return copy(FULL);
  if (orderValue < rules.lowThreshold) return copy(SELF_SERVE);
  if (orderValue <= rules.highThreshold) return copy(CHAT);
  return copy(FULL);
}

const copy = (route: ChannelRoute): ChannelRoute => ({ ...route, allowed_channels: [...route.allowed_channels] });

/** "WEDDING, corporate" → ['WEDDING', 'CORPORATE']. */
export const eventList = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);
