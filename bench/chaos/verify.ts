import { Client } from 'pg';
import type { ChaosPlan, ExpectedConversation } from './plan';

export interface ChaosVerdict {
  conversations: number;
  incidences: number;
  missingIncidences: number;
  distinctEvents: number;
  timelineRows: number;
  missingEvents: number;
  duplicateEvents: number;
  unexpectedEvents: number;
  wrongOutcomes: number;
  /** Lifecycle plans: conversations whose resolved_at, reopen count or resolution type is not the planned one. */
  wrongStates: number;
  /** Lifecycle plans: incidences without their app user (real format: never found through Freshchat). */
  unresolvedUsers: number;
  /** Of the wrong states: resolutions left without their tags (still pending, or given up as unreadable). */
  tagsUnread: number;
  /** Zero loss and zero duplicates. */
  ok: boolean;
  /** The first few conversations that fail, and why (for a failing run's report). */
  failing: string[];
}

/** Checks, from PostgreSQL alone, that every event of the plan landed exactly once and every outcome is right. */
export async function verifyChaos(
  databaseUrl: string,
  plan: ChaosPlan,
  conversationPrefix: string,
): Promise<ChaosVerdict> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const incidences = await db.query<IncidenceRow>(
      `SELECT conversation_id, outcome, to_json(resolved_at)#>>'{}' AS resolved_at, reopen_count, resolution_type,
              user_id
       FROM incidences WHERE conversation_id LIKE $1`,
      [`${conversationPrefix}%`],
    );
    // SLA breach rows are written by the conversations' SLA timers, not by events: the plan does not predict them.
    const timeline = await db.query<{ conversation_id: string; event_key: string; copies: number }>(
      `SELECT i.conversation_id, t.event_key, count(*)::int AS copies
       FROM incidence_timeline t JOIN incidences i ON i.id = t.incidence_id
       WHERE i.conversation_id LIKE $1 AND t.event_type <> 'SLA_BREACHED' GROUP BY 1, 2`,
      [`${conversationPrefix}%`],
    );
    return judge(plan, incidences.rows, timeline.rows);
  } finally {
    await db.end();
  }
}

type IncidenceRow = {
  conversation_id: string;
  outcome: string;
  resolved_at?: string | null;
  reopen_count?: number;
  resolution_type?: string | null;
  user_id?: string | null;
};

const TAGS_UNREAD = new Set(['TAGS_PENDING', 'TAGS_UNAVAILABLE']);

/** Whether a row holds the planned final state (resolved_at null in the plan: closed for silence, at any time). */
function finalStateHolds(final: NonNullable<ExpectedConversation['final']>, row: IncidenceRow): boolean {
  const resolvedAtHolds =
    final.resolvedAt === null
      ? row.resolved_at !== null && row.resolved_at !== undefined
      : Date.parse(row.resolved_at ?? '') === Date.parse(final.resolvedAt);
  return (
    resolvedAtHolds && row.reopen_count === final.reopenCount && (row.resolution_type ?? null) === final.resolutionType
  );
}

export function judge(
  plan: ChaosPlan,
  incidences: IncidenceRow[],
  timeline: Array<{ conversation_id: string; event_key: string; copies: number }>,
): ChaosVerdict {
  const outcomeOf = new Map(incidences.map((r) => [r.conversation_id, r.outcome]));
  const rowOf = new Map(incidences.map((r) => [r.conversation_id, r]));
  let wrongStates = 0;
  let unresolvedUsers = 0;
  let tagsUnread = 0;
  const seen = new Map<string, number>(timeline.map((r) => [`${r.conversation_id} ${r.event_key}`, r.copies]));
  let missingEvents = 0;
  let wrongOutcomes = 0;
  let missingIncidences = 0;
  let twiceUnderTwoKeys = 0;
  const failing: string[] = [];
  for (const [id, expected] of plan.conversations) {
    if (!outcomeOf.has(id)) missingIncidences++;
    else if (outcomeOf.get(id) !== expected.outcome) {
      wrongOutcomes++;
      if (failing.length < 10) failing.push(`${id}: ${outcomeOf.get(id)}, not ${expected.outcome}`);
    } else if (expected.final && !finalStateHolds(expected.final, rowOf.get(id)!)) wrongStates++;
    const row = rowOf.get(id);
    if (row && expected.userId !== undefined && row.user_id !== expected.userId) unresolvedUsers++;
    if (row && expected.final && TAGS_UNREAD.has(row.resolution_type ?? '')) tagsUnread++;
    for (const key of expected.eventKeys) {
      const repairKey = expected.repairKeys?.get(key);
      const copies = [key, repairKey].filter((k) => k !== undefined && seen.has(`${id} ${k}`)).length;
      if (copies === 0) missingEvents++;
      if (copies === 0 && failing.length < 10) failing.push(`${id}: ${key} missing`);
      // Both the webhook's key and a repair's key for one event: the event is in the timeline twice.
      if (copies === 2) twiceUnderTwoKeys++;
    }
  }
  const duplicateEvents = timeline.reduce((n, r) => n + (r.copies - 1), 0) + twiceUnderTwoKeys;
  const expectedKey = (r: { conversation_id: string; event_key: string }) => {
    const expected = plan.conversations.get(r.conversation_id);
    if (expected?.final && r.event_key.startsWith('went_silent:')) return true;
    return (
      !!expected &&
      (expected.eventKeys.has(r.event_key) || [...(expected.repairKeys?.values() ?? [])].includes(r.event_key))
    );
  };
  const unexpectedEvents = timeline.filter((r) => !expectedKey(r)).length;
  const verdict = {
    conversations: plan.conversations.size,
    incidences: incidences.length,
    missingIncidences,
    distinctEvents: plan.distinctEvents,
    timelineRows: timeline.reduce((n, r) => n + r.copies, 0),
    missingEvents,
    duplicateEvents,
    unexpectedEvents,
    wrongOutcomes,
    wrongStates,
    unresolvedUsers,
    tagsUnread,
  };
  const ok =
    incidences.length === plan.conversations.size &&
    missingIncidences + missingEvents + duplicateEvents + unexpectedEvents + wrongOutcomes + wrongStates === 0 &&
    unresolvedUsers + tagsUnread === 0;
  return { ...verdict, ok, failing };
}
