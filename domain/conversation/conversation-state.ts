import type { IncidenceSnapshot } from './incidence-snapshot';
import type { Outcome, Stage } from './incidence';
import type { WeeklyReportSettings } from '../reports/weekly-report-run';

/** Tunables passed to every conversation run (workflows cannot read the environment). */
export interface ConversationSettings {
  /** SLA timers and response times (SLA_TIMERS_ENABLED; absent means on). */
  slaTimers?: boolean;
  /** How long a resolved conversation waits for a reopen before its run completes. */
  reopenWindowMs: number;
  /** How long an open conversation may stay silent before it is closed as WENT_SILENT. */
  silenceTimeoutMs: number;
  /** History length at which the run continues as new. */
  historyLimit: number;
  /** The weekly report run a resolution hands off to (absent: defaults apply). */
  weeklyReport?: WeeklyReportSettings;
}

/** What the conversation workflow knows; returned by its `state` query. */
export interface ConversationState {
  conversationId: string;
  incidenceId: string | null;
  userId: string | null;
  stage: Stage | null;
  outcome: Outcome;
  agentId: string | null;
  cartValue: number | null;
  eventType: string | null;
  firstEventAt: string | null;
  resolvedAt: string | null;
  /** Time of the latest applied resolution or reopen; older state changes only go to the timeline. */
  lastStateChangeAt: string | null;
  reopenCount: number;
  eventsApplied: number;
  duplicatesSkipped: number;
  pendingEvents: number;
}

export const initialConversationState = (conversationId: string): ConversationState => ({
  conversationId,
  incidenceId: null,
  userId: null,
  stage: null,
  outcome: 'IN_PROGRESS',
  agentId: null,
  cartValue: null,
  eventType: null,
  firstEventAt: null,
  resolvedAt: null,
  lastStateChangeAt: null,
  reopenCount: 0,
  eventsApplied: 0,
  duplicatesSkipped: 0,
  pendingEvents: 0,
});

export function withSnapshot(state: ConversationState, snapshot: IncidenceSnapshot): ConversationState {
  return {
    ...state,
    incidenceId: snapshot.incidenceId,
    userId: snapshot.userId,
    stage: snapshot.stage,
    outcome: snapshot.outcome,
    agentId: snapshot.agentId,
    cartValue: snapshot.cartValue,
    eventType: snapshot.eventType,
    firstEventAt: snapshot.createdAt,
    resolvedAt: snapshot.resolvedAt,
    lastStateChangeAt: snapshot.lastStateChangeAt,
    reopenCount: snapshot.reopenCount,
  };
}

/**
 * What a user lookup beside the loop adds to the state: the user and the context that came with it, fields the store
 * only ever fills in (first known value wins; an order, once known, makes the stage POST_ORDER). Its snapshot was read
 * when the lookup ran, so steps the loop took since then may have stored newer state changes: outcome, resolution,
 * reopens and agent stay as the loop's own steps left them.
 */
export function withNamedUser(state: ConversationState, snapshot: IncidenceSnapshot): ConversationState {
  return {
    ...state,
    userId: state.userId ?? snapshot.userId,
    stage: state.stage === 'POST_ORDER' ? state.stage : snapshot.stage,
    cartValue: state.cartValue ?? snapshot.cartValue,
    eventType: state.eventType ?? snapshot.eventType,
  };
}

/** True when a state change at `at` is not older than the last one applied. */
export const isCurrentStateChange = (state: Pick<ConversationState, 'lastStateChangeAt'>, at: string): boolean =>
  state.lastStateChangeAt === null || Date.parse(at) >= Date.parse(state.lastStateChangeAt);
