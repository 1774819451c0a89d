/** The product's vocabulary for an incidence. Shared by API, workflows and activities. */
export const STAGES = ['PRE_ORDER', 'POST_ORDER'] as const;
export const CHANNELS = ['IN_APP_CHAT', 'CALL', 'WHATSAPP'] as const;
export const TRIGGERS = ['USER_INITIATED', 'SYSTEM_INITIATED'] as const;
export const OUTCOMES = ['RESOLVED', 'DROPPED', 'CONVERTED', 'IN_PROGRESS'] as const;
export const ORDER_IMPACTS = ['PLACED', 'MODIFIED', 'LOST', 'NONE'] as const;
export const ACTORS = ['USER', 'AGENT', 'SYSTEM'] as const;

export type Stage = (typeof STAGES)[number];
export type Channel = (typeof CHANNELS)[number];
export type Trigger = (typeof TRIGGERS)[number];
export type Outcome = (typeof OUTCOMES)[number];
export type OrderImpact = (typeof ORDER_IMPACTS)[number];
export type Actor = (typeof ACTORS)[number];

export type TimelineEventType = 'MESSAGE' | 'AGENT_ASSIGNED' | 'RESOLVED' | 'REOPENED' | 'WENT_SILENT' | 'SLA_BREACHED';

/** What we know about the customer when an incidence starts (from the webhook, Redis or Freshchat). */
export interface IncidenceContext {
  userId: string | null;
  freshchatUserId: string | null;
  orderId: string | null;
  appScreen: string | null;
  cartValue: number | null;
  guestCount: number | null;
  eventType: string | null;
  frictionScore: number | null;
  trigger: Trigger;
}

export const stageOf = (context: Pick<IncidenceContext, 'orderId'>): Stage =>
  context.orderId ? 'POST_ORDER' : 'PRE_ORDER';

export interface Resolution {
  outcome: Exclude<Outcome, 'IN_PROGRESS'>;
  orderImpact: OrderImpact;
  issueCategory: string | null;
}
