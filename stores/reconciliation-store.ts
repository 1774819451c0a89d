import { sql, type CommonQueryMethods, type DatabasePool } from 'slonik';
import { z } from 'zod';
import type { Bounds } from '../domain/reports/iso-week';
import type { ConversationRecord, RepairCounts } from '../domain/reconciliation/reconciliation';
import {
  cursorText,
  SWEEP_START,
  type ReconciliationCursor,
  type ReconciliationSummary,
  type ReconciliationTrigger,
} from '../domain/reconciliation/reconciliation-pass';

const iso = z.union([z.string(), z.number()]).transform((v) => new Date(v).toISOString());

const passRow = z.object({
  id: z.string(),
  trigger: z.enum(['SCHEDULE', 'MANUAL']),
  started_at: iso,
  finished_at: iso.nullable(),
  resumed_from: z.string().nullable(),
  stopped_at: z.string().nullable(),
  conversations_checked: z.number(),
  conversations_discovered: z.number(),
  messages_repaired: z.number(),
  assignments_repaired: z.number(),
  resolutions_repaired: z.number(),
  reopens_repaired: z.number(),
  rate_limited: z.number(),
  unreadable_messages: z.number(),
  error: z.string().nullable(),
});

const PASS_COLUMNS = sql.fragment`
  id::text AS id, trigger, started_at, finished_at, resumed_from, stopped_at, conversations_checked,
  conversations_discovered, messages_repaired, assignments_repaired, resolutions_repaired, reopens_repaired,
  rate_limited, unreadable_messages, error`;

function toSummary(row: z.infer<typeof passRow>): ReconciliationSummary {
  const repaired = {
    message: row.messages_repaired,
    assignment: row.assignments_repaired,
    resolution: row.resolutions_repaired,
    reopen: row.reopens_repaired,
  };
  return {
    passId: row.id,
    trigger: row.trigger,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    resumedFrom: row.resumed_from,
    stoppedAt: row.stopped_at,
    conversationsChecked: row.conversations_checked,
    conversationsDiscovered: row.conversations_discovered,
    repaired,
    eventsRepaired: repaired.message + repaired.assignment + repaired.resolution + repaired.reopen,
    rateLimited: row.rate_limited,
    unreadableMessages: row.unreadable_messages,
    error: row.error,
  };
}

const cursorRow = z.object({ phase: z.enum(['conversations', 'users']), after_key: z.string().nullable() });

/** The scheduled sweep's stored cursor, or the start of a sweep. */
export async function loadCursor(db: CommonQueryMethods): Promise<ReconciliationCursor> {
  const row = await db.maybeOne(sql.type(cursorRow)`SELECT phase, after_key FROM reconciliation_cursor`);
  return row ? { phase: row.phase, after: row.after_key } : SWEEP_START;
}

/**
 * Opens the pass's row (idempotent by Temporal run id: a retried activity finds it again). `stopped_at` is where the
 * pass is: its start until a batch is recorded.
 */
export async function startPass(
  pool: DatabasePool,
  input: { runId: string; trigger: ReconciliationTrigger; resumedFrom: ReconciliationCursor },
): Promise<string> {
  const from = cursorText(input.resumedFrom);
  return pool.oneFirst(sql.type(z.object({ id: z.string() }))`
    INSERT INTO reconciliation_passes (run_id, trigger, resumed_from, stopped_at)
    VALUES (${input.runId}, ${input.trigger}, ${from}, ${from})
    ON CONFLICT (run_id) DO UPDATE SET run_id = EXCLUDED.run_id
    RETURNING id::text AS id`);
}

export interface BatchTotals {
  checked: number;
  discovered: number;
  repaired: RepairCounts;
  rateLimited: number;
  unreadable: number;
}

/**
 * Adds a batch's counts to its pass and moves the cursor, in one transaction, only while the pass is still where the
 * batch started (`from`): of two attempts of one batch (one timed out but still running beside its retry), the first
 * to finish counts and advances, the other changes nothing. Manual passes keep the scheduled sweep's cursor where it is.
 * False when another attempt had recorded the batch.
 */
export async function recordBatch(
  pool: DatabasePool,
  input: {
    passId: string;
    from: ReconciliationCursor;
    totals: BatchTotals;
    /** The batch's conversations and the events repaired in each. */
    repairs: ReadonlyArray<{ conversationId: string; events: number }>;
    cursor: ReconciliationCursor | null;
    moveSweepCursor: boolean;
  },
): Promise<boolean> {
  const { totals: t, cursor } = input;
  return pool.transaction(async (tx) => {
    const recorded = await tx.query(sql.unsafe`
      UPDATE reconciliation_passes SET
        conversations_checked = conversations_checked + ${t.checked},
        conversations_discovered = conversations_discovered + ${t.discovered},
        messages_repaired = messages_repaired + ${t.repaired.message},
        assignments_repaired = assignments_repaired + ${t.repaired.assignment},
        resolutions_repaired = resolutions_repaired + ${t.repaired.resolution},
        reopens_repaired = reopens_repaired + ${t.repaired.reopen},
        rate_limited = rate_limited + ${t.rateLimited},
        unreadable_messages = unreadable_messages + ${t.unreadable},
        stopped_at = ${cursorText(cursor)}
      WHERE id = ${input.passId} AND stopped_at = ${cursorText(input.from)}`);
    if (recorded.rowCount === 0) return false;
    const repaired = input.repairs.filter((r) => r.events > 0);
    if (repaired.length > 0)
      await tx.query(sql.unsafe`
        INSERT INTO reconciliation_repairs (pass_id, conversation_id, events)
        SELECT ${input.passId}::bigint, conversation_id, events
        FROM unnest(${sql.array(
          repaired.map((r) => r.conversationId),
          'text',
        )}::text[], ${sql.array(
          repaired.map((r) => r.events),
          'int4',
        )}::int[]) AS r(conversation_id, events)
        ON CONFLICT (pass_id, conversation_id) DO UPDATE SET events = reconciliation_repairs.events + EXCLUDED.events`);
    if (!input.moveSweepCursor) return true;
    const next = cursor ?? SWEEP_START;
    await tx.query(sql.unsafe`
      INSERT INTO reconciliation_cursor (id, phase, after_key) VALUES (TRUE, ${next.phase}, ${next.after})
      ON CONFLICT (id) DO UPDATE SET phase = EXCLUDED.phase, after_key = EXCLUDED.after_key, updated_at = NOW()`);
    return true;
  });
}

export async function finishPass(
  pool: DatabasePool,
  passId: string,
  error: string | null,
): Promise<ReconciliationSummary> {
  const row = await pool.one(sql.type(passRow)`
    UPDATE reconciliation_passes SET finished_at = COALESCE(finished_at, NOW()), error = ${error}
    WHERE id = ${passId} RETURNING ${PASS_COLUMNS}`);
  return toSummary(row);
}

export async function passById(db: CommonQueryMethods, passId: string): Promise<ReconciliationSummary | null> {
  const row = await db.maybeOne(
    sql.type(passRow)`SELECT ${PASS_COLUMNS} FROM reconciliation_passes WHERE id = ${passId}`,
  );
  return row ? toSummary(row) : null;
}

const inWindow = (lookbackMs: number) => sql.fragment`
  (outcome = 'IN_PROGRESS'
   OR updated_at >= NOW() - make_interval(secs => ${lookbackMs / 1000})
   OR resolved_at >= NOW() - make_interval(secs => ${lookbackMs / 1000}))`;

/** Conversations to check: open in our records, or resolved or active within the look-back window; by id. */
export async function conversationsToCheck(
  db: CommonQueryMethods,
  input: { after: string | null; lookbackMs: number; limit: number },
): Promise<string[]> {
  const rows = await db.anyFirst(sql.type(z.object({ conversation_id: z.string() }))`
    SELECT conversation_id FROM incidences
    WHERE ${inWindow(input.lookbackMs)} AND conversation_id > ${input.after ?? ''}
    ORDER BY conversation_id LIMIT ${input.limit}`);
  return [...rows];
}

/** Freshchat users of conversations active within the window: their other conversations may never have reached us. */
export async function activeFreshchatUsers(
  db: CommonQueryMethods,
  input: { after: string | null; lookbackMs: number; limit: number },
): Promise<string[]> {
  const rows = await db.anyFirst(sql.type(z.object({ freshchat_user_id: z.string() }))`
    SELECT DISTINCT freshchat_user_id FROM incidences
    WHERE freshchat_user_id IS NOT NULL AND ${inWindow(input.lookbackMs)} AND freshchat_user_id > ${input.after ?? ''}
    ORDER BY freshchat_user_id LIMIT ${input.limit}`);
  return [...rows];
}

/** How much a sweep from `cursor` has ahead of it (conversations and users), to spread it over the interval. */
export async function workloadFrom(
  db: CommonQueryMethods,
  cursor: ReconciliationCursor,
  lookbackMs: number,
): Promise<number> {
  const afterConversation = cursor.phase === 'conversations' ? (cursor.after ?? '') : null;
  const afterUser = cursor.phase === 'users' ? (cursor.after ?? '') : '';
  return db.oneFirst(sql.type(z.object({ n: z.number() }))`
    SELECT (
      (SELECT count(*) FROM incidences WHERE ${inWindow(lookbackMs)}
         AND ${afterConversation === null ? sql.fragment`FALSE` : sql.fragment`conversation_id > ${afterConversation}`})
      + (SELECT count(DISTINCT freshchat_user_id) FROM incidences
         WHERE freshchat_user_id IS NOT NULL AND ${inWindow(lookbackMs)} AND freshchat_user_id > ${afterUser})
    )::int AS n`);
}

const recordRow = z.object({
  conversation_id: z.string(),
  outcome: z.string(),
  resolution_type: z.string().nullable(),
  agent_id: z.string().nullable(),
  assigned_at: z.string().nullable(),
  event_keys: z.array(z.string()),
  state_changes: z.array(z.object({ kind: z.enum(['resolution', 'reopen']), at: z.string() })),
});

/** What our record holds for each conversation (absent from the map: never seen). */
export async function recordsOf(
  db: CommonQueryMethods,
  conversationIds: string[],
): Promise<Map<string, ConversationRecord>> {
  if (conversationIds.length === 0) return new Map();
  const rows = await db.any(sql.type(recordRow)`
    SELECT i.conversation_id, i.outcome, i.resolution_type, i.agent_id, to_json(i.assigned_at)#>>'{}' AS assigned_at,
           COALESCE((SELECT array_agg(t.event_key) FROM incidence_timeline t WHERE t.incidence_id = i.id), '{}') AS event_keys,
           COALESCE((SELECT json_agg(json_build_object(
                       'kind', CASE t.event_type WHEN 'RESOLVED' THEN 'resolution' ELSE 'reopen' END,
                       'at', to_json(t.occurred_at)#>>'{}'))
                     FROM incidence_timeline t
                     WHERE t.incidence_id = i.id AND t.event_type IN ('RESOLVED', 'REOPENED')), '[]') AS state_changes
    FROM incidences i WHERE i.conversation_id = ANY(${sql.array(conversationIds, 'text')})`);
  return new Map(
    rows.map((r) => [
      r.conversation_id,
      {
        outcome: r.outcome,
        resolutionType: r.resolution_type,
        agentId: r.agent_id,
        assignedAt: r.assigned_at,
        eventKeys: new Set(r.event_keys),
        stateChanges: r.state_changes,
      },
    ]),
  );
}

/** Which of `eventKeys` the conversations' timelines hold (a delivered repair counts once it is stored). */
export async function storedEventKeys(
  db: CommonQueryMethods,
  conversationIds: string[],
  eventKeys: string[],
): Promise<Set<string>> {
  if (eventKeys.length === 0) return new Set();
  const rows = await db.anyFirst(sql.type(z.object({ event_key: z.string() }))`
    SELECT t.event_key FROM incidence_timeline t JOIN incidences i ON i.id = t.incidence_id
    WHERE i.conversation_id = ANY(${sql.array(conversationIds, 'text')})
      AND t.event_key = ANY(${sql.array(eventKeys, 'text')})`);
  return new Set(rows);
}

/** Events reconciliation repaired in a period (by the passes that started in it): the weekly report's figure. */
export async function repairsIn(db: CommonQueryMethods, b: Bounds): Promise<number> {
  return db.oneFirst(sql.type(z.object({ n: z.number() }))`
    SELECT COALESCE(sum(messages_repaired + assignments_repaired + resolutions_repaired + reopens_repaired), 0)::int AS n
    FROM reconciliation_passes WHERE started_at >= ${b.start}::timestamptz AND started_at < ${b.end}::timestamptz`);
}
