import type { RepairCounts } from './reconciliation';

export type ReconciliationTrigger = 'SCHEDULE' | 'MANUAL';

/** Settings of one pass (workflows cannot read the environment). */
export interface ReconciliationInput {
  trigger: ReconciliationTrigger;
  /** Conversations resolved or active this recently are checked, besides every open one. */
  lookbackMs: number;
  /** Conversations (or users) per activity. */
  batchSize: number;
  /** Batches are spread evenly over this long (0: one after another). */
  spreadMs: number;
  /** A pass still running after this long stops; the next scheduled one resumes from its cursor (0: no limit). */
  budgetMs: number;
}

/**
 * Where a sweep is: conversations in our records by id, then the users active in the window (whose conversations
 * we may never have seen) by Freshchat user id. `after` is the last one done.
 */
export interface ReconciliationCursor {
  phase: 'conversations' | 'users';
  after: string | null;
}

export const SWEEP_START: ReconciliationCursor = { phase: 'conversations', after: null };

export const cursorText = (cursor: ReconciliationCursor | null): string | null =>
  cursor === null ? null : `${cursor.phase}:${cursor.after ?? ''}`;

/** A conversation a pass repaired (`seen` false: discovered through its user). */
export interface RepairedConversation {
  conversationId: string;
  seen: boolean;
  repaired: RepairCounts;
}

/** The most repaired conversations a pass lists in its result (all are logged). */
export const LISTED_REPAIRS = 100;

/** What one batch did; `cursor` null once the sweep reached its end, `error` set when the pass must stop. */
export interface BatchResult {
  cursor: ReconciliationCursor | null;
  error: string | null;
  repairs: RepairedConversation[];
}

/** A pass's row, as `npm run reconcile` prints it and the log records it. */
export interface ReconciliationSummary {
  passId: string;
  trigger: ReconciliationTrigger;
  startedAt: string;
  finishedAt: string | null;
  resumedFrom: string | null;
  stoppedAt: string | null;
  conversationsChecked: number;
  conversationsDiscovered: number;
  repaired: RepairCounts;
  eventsRepaired: number;
  rateLimited: number;
  unreadableMessages: number;
  error: string | null;
  /** Set on the workflow's result (not stored): the first LISTED_REPAIRS conversations repaired. */
  conversations?: RepairedConversation[];
}

/** One line for people: what the pass checked and repaired. */
export function describePass(s: ReconciliationSummary): string {
  const repaired = Object.entries(s.repaired)
    .map(([kind, n]) => `${n} ${kind}${n === 1 ? '' : 's'}`)
    .join(', ');
  const end = s.error
    ? `stopped by an error: ${s.error}`
    : s.stoppedAt
      ? `stopped at ${s.stoppedAt}, resumes there`
      : 'complete';
  return (
    `checked ${s.conversationsChecked} conversations, discovered ${s.conversationsDiscovered}; ` +
    `repaired ${s.eventsRepaired} events (${repaired}); ${s.rateLimited} rate-limited answers waited out; ${end}`
  );
}
