import { Client } from 'pg';
import { expectedSlaStatus, expectedSlaTargets, wrongSlaTargets, type StoredSlaTarget } from './expected-sla';
import type { ReceivedDelivery } from './outbound-sink';
import type { ExpectedConversation, ChaosPlan } from './plan-shape';

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
  /**
   * Lifecycle plans: SLA targets stored with another status than the events sent give under the run's policy (or
   * expected and not stored, or stored and never expected), and incidences whose `sla_status` is not the one expected.
   */
  wrongSlaStatuses: number;
  /** Zero loss and zero duplicates. */
  ok: boolean;
  /** The first few conversations that fail, and why (for a failing run's report). */
  failing: string[];
}

/** A timeline row as the verdict reads it: its key, and what tells one event from another under a different key. */
export interface TimelineRow {
  conversation_id: string;
  event_key: string;
  copies: number;
  event_type?: string;
  message_id?: string | null;
  occurred_at?: string;
}

/** What the verdict reads besides incidences and the timeline. */
export interface Observed {
  slaTargets?: Array<StoredSlaTarget & { conversation_id: string }>;
  /** When PostgreSQL was read: a target due by then and never settled is missed. */
  judgedAt?: string;
  /** Lifecycle plans: the outbound events the worker delivered (a resolution announced under two ids is a duplicate). */
  deliveries?: ReceivedDelivery[];
}

/** Checks, from PostgreSQL alone, that every event of the plan landed exactly once and every outcome is right. */
export async function verifyChaos(
  databaseUrl: string,
  plan: ChaosPlan,
  conversationPrefix: string,
  delivered: Pick<Observed, 'deliveries'> = {},
): Promise<ChaosVerdict> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const incidences = await db.query<IncidenceRow>(
      `SELECT conversation_id, outcome, to_json(resolved_at)#>>'{}' AS resolved_at, reopen_count, resolution_type,
              user_id, sla_status
       FROM incidences WHERE conversation_id LIKE $1`,
      [`${conversationPrefix}%`],
    );
    const judgedAt = new Date().toISOString();
    // SLA breach rows are written by the conversations' SLA timers, not by events: the plan does not predict them.
    const timeline = await db.query<TimelineRow>(
      `SELECT i.conversation_id, t.event_key, count(*)::int AS copies, min(t.event_type) AS event_type,
              min(t.metadata->>'message_id') AS message_id, to_json(min(t.occurred_at))#>>'{}' AS occurred_at
       FROM incidence_timeline t JOIN incidences i ON i.id = t.incidence_id
       WHERE i.conversation_id LIKE $1 AND t.event_type <> 'SLA_BREACHED' GROUP BY 1, 2`,
      [`${conversationPrefix}%`],
    );
    const slaTargets = await db.query<StoredSlaTarget & { conversation_id: string }>(
      `SELECT i.conversation_id, s.target, to_json(s.started_at)#>>'{}' AS started_at, s.status
       FROM sla_targets s JOIN incidences i ON i.id = s.incidence_id WHERE i.conversation_id LIKE $1`,
      [`${conversationPrefix}%`],
    );
    return judge(plan, incidences.rows, timeline.rows, { ...delivered, slaTargets: slaTargets.rows, judgedAt });
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
  sla_status?: string | null;
};

const TAGS_UNREAD = new Set(['TAGS_PENDING', 'TAGS_UNAVAILABLE']);

/** Whether a row holds the planned final state (a close for silence: resolved_at after the last event). */
function finalStateHolds(final: NonNullable<ExpectedConversation['final']>, row: IncidenceRow): boolean {
  const resolvedAt = row.resolved_at ?? null;
  const resolvedAtHolds =
    final.silentAfter !== undefined
      ? resolvedAt !== null && Date.parse(resolvedAt) > Date.parse(final.silentAfter)
      : final.resolvedAt === null
        ? resolvedAt === null
        : resolvedAt !== null && Date.parse(resolvedAt) === Date.parse(final.resolvedAt);
  return (
    resolvedAtHolds && row.reopen_count === final.reopenCount && (row.resolution_type ?? null) === final.resolutionType
  );
}

/** State changes: one change seen twice under two keys lands at (about) the same time with the same type. */
const STATE_CHANGES = new Set(['AGENT_ASSIGNED', 'RESOLVED', 'REOPENED', 'WENT_SILENT']);
const SAME_CHANGE_WITHIN_MS = 1000;

/**
 * Whether two timeline rows of a conversation are one event under two keys: the same Freshchat message, the same
 * state change at about the same time, or a webhook's key and its repair's key. The unique key hides none of these.
 */
function sameEvent(a: TimelineRow, b: TimelineRow, repairKeys: Map<string, string> | undefined): boolean {
  if (a.event_key === b.event_key) return true;
  if (a.message_id && a.message_id === b.message_id) return true;
  if (repairKeys?.get(a.event_key) === b.event_key || repairKeys?.get(b.event_key) === a.event_key) return true;
  return (
    a.event_type !== undefined &&
    a.event_type === b.event_type &&
    STATE_CHANGES.has(a.event_type) &&
    a.occurred_at !== undefined &&
    b.occurred_at !== undefined &&
    Math.abs(Date.parse(a.occurred_at) - Date.parse(b.occurred_at)) < SAME_CHANGE_WITHIN_MS
  );
}

/** Rows beyond the first of each event (a second copy under the same key, or the same event under another key). */
function secondCopies(rows: TimelineRow[], repairKeys: Map<string, string> | undefined): number {
  const firsts: TimelineRow[] = [];
  let copies = 0;
  for (const row of rows) {
    copies += row.copies - 1;
    if (firsts.some((f) => sameEvent(f, row, repairKeys))) copies++;
    else firsts.push(row);
  }
  return copies;
}

export function judge(
  plan: ChaosPlan,
  incidences: IncidenceRow[],
  timeline: TimelineRow[],
  observed: Observed = {},
): ChaosVerdict {
  const rowOf = new Map(incidences.map((r) => [r.conversation_id, r]));
  const rowsOf = groupBy(timeline, (r) => r.conversation_id);
  const targetsOf = groupBy(observed.slaTargets ?? [], (r) => r.conversation_id);
  const resolvedAnnouncedOf = groupBy(
    (observed.deliveries ?? []).filter((d) => d.type === 'incidence.resolved'),
    (d) => d.conversation_id,
  );
  const judgedAt = observed.judgedAt ?? new Date().toISOString();
  let wrongStates = 0;
  let unresolvedUsers = 0;
  let tagsUnread = 0;
  let wrongSlaStatuses = 0;
  const seen = new Set(timeline.map((r) => `${r.conversation_id} ${r.event_key}`));
  let missingEvents = 0;
  let wrongOutcomes = 0;
  let missingIncidences = 0;
  let duplicateEvents = 0;
  const failing: string[] = [];
  const fail = (line: string) => failing.length < 10 && failing.push(line);
  for (const [id, expected] of plan.conversations) {
    const row = rowOf.get(id);
    if (!row) missingIncidences++;
    else if (row.outcome !== expected.outcome) {
      wrongOutcomes++;
      fail(`${id}: ${row.outcome}, not ${expected.outcome}`);
    } else if (expected.final && !finalStateHolds(expected.final, row)) {
      wrongStates++;
      fail(`${id}: resolved_at ${row.resolved_at}, ${row.reopen_count} reopens, ${row.resolution_type}`);
    }
    if (row && expected.userId !== undefined && row.user_id !== expected.userId) unresolvedUsers++;
    if (row && expected.final && TAGS_UNREAD.has(row.resolution_type ?? '')) tagsUnread++;
    for (const key of expected.eventKeys) {
      const repairKey = expected.repairKeys?.get(key);
      const present = [key, repairKey].some((k) => k !== undefined && seen.has(`${id} ${k}`));
      if (!present) {
        missingEvents++;
        fail(`${id}: ${key} missing`);
      }
    }
    duplicateEvents += secondCopies(rowsOf.get(id) ?? [], expected.repairKeys);
    // A reopen applied twice counts twice even when its timeline entry is stored once.
    if (row && expected.final) duplicateEvents += Math.max(0, (row.reopen_count ?? 0) - expected.final.reopenCount);
    // Each resolution is announced once, under one id (redeliveries of an id are allowed: at least once).
    if (expected.sla && observed.deliveries) {
      const announced = new Set((resolvedAnnouncedOf.get(id) ?? []).map((d) => d.id)).size;
      const resolutions = expected.sla.events.filter((e) => e.kind === 'resolved').length;
      if (announced > resolutions) {
        duplicateEvents += announced - resolutions;
        fail(`${id}: ${announced} resolutions announced, ${resolutions} sent`);
      }
    }
    if (row && plan.sla && expected.sla) {
      const end = { at: judgedAt, silent: expected.sla.silent };
      const targets = expectedSlaTargets(plan.sla.policy, plan.sla.hours, expected.sla.events, end);
      const wrong = wrongSlaTargets(targets, targetsOf.get(id) ?? []);
      const status = expectedSlaStatus(targets);
      if ((row.sla_status ?? null) !== status) wrong.push(`sla_status ${row.sla_status ?? null}, not ${status}`);
      wrongSlaStatuses += wrong.length;
      if (wrong.length > 0) fail(`${id}: ${wrong.join('; ')}`);
    }
  }
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
    wrongSlaStatuses,
  };
  const ok =
    incidences.length === plan.conversations.size &&
    missingIncidences + missingEvents + duplicateEvents + unexpectedEvents + wrongOutcomes + wrongStates === 0 &&
    unresolvedUsers + tagsUnread + wrongSlaStatuses === 0;
  return { ...verdict, ok, failing };
}

function groupBy<T>(rows: T[], keyOf: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) groups.set(keyOf(row), [...(groups.get(keyOf(row)) ?? []), row]);
  return groups;
}
