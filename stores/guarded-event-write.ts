import { randomUUID } from 'node:crypto';
import { sql, type DatabasePool, type FragmentSqlToken } from 'slonik';
import { z } from 'zod';
import type { ConversationEvent } from '../domain/conversation/conversation-event';
import { eventChangeOf, openChangeApplied, timelineEntryOf } from '../domain/conversation/conversation-changes';
import type { IncidenceContext } from '../domain/conversation/incidence';
import type { IncidenceSnapshot, TimelineEntry } from '../domain/conversation/incidence-snapshot';
import type { ResponseClock } from '../domain/sla/response-clock';
import type { SlaTarget } from '../domain/sla/sla';
import { prepared } from '../infra/db';
import { slaStepOf, type SlaProgress, type SlaSummary } from '../domain/sla/sla-step';
import { lockedRow, planOf, stateOf, summaryOfRow, type RecordStep, type SlaRules } from './conversation-record';
import { insertWith, setList } from './assignments';
import { changeSets, newIncidence, SNAPSHOT_COLUMNS, snapshotRow, toSnapshot } from './incidence-store';
import { assistLinks, incidenceScope, type AssistScope } from './order-store';
import { RESPONSE_TIMELINE_JSON, responseTimelineOf, slaWrites, TARGETS_JSON, targetsFromJson } from './sla-store';
import type { ResponseInputs } from './sla-store';

/**
 * The record as one statement read it, without a lock, with the incidence row's version (`xmin`): every write to a
 * conversation's record (timeline, targets, state) updates its incidence row, so an unchanged version means an
 * unchanged record.
 */
export interface RecordRead {
  snapshot: IncidenceSnapshot;
  version: string;
  channel: string;
  clock: ResponseClock | null;
  summary: SlaSummary;
  assignedAt: string | null;
  /** The incidence is resolved with a time to resolve (its business time is recomputed with the response times). */
  resolveKnown: boolean;
  targets: SlaTarget[];
  timeline: ResponseInputs['timeline'];
  /** The event's timeline row is stored already. */
  stored: boolean;
  /** The incidence was created by this step: nothing is stored beside it. */
  fresh: boolean;
}

/** A record just created with the incidence: nothing stored beside it yet. */
export const freshRecord = (created: { snapshot: IncidenceSnapshot; version: string }): RecordRead => ({
  ...created,
  channel: 'IN_APP_CHAT',
  clock: null,
  summary: { policy: null, status: null, nextDueAt: null },
  assignedAt: null,
  resolveKnown: false,
  targets: [],
  timeline: [],
  stored: false,
  fresh: true,
});

const readRow = lockedRow.extend({
  version: z.string(),
  assigned_at: z.union([z.string(), z.number()]).nullable(),
  resolve_known: z.boolean(),
  targets: z.unknown(),
  timeline: z.unknown(),
  stored: z.boolean(),
});

/** Reads the record an event is stored against, in one statement (one snapshot of it). */
export async function readRecord(pool: DatabasePool, incidenceId: string, eventKey: string): Promise<RecordRead> {
  const row = await pool.one(
    prepared(sql.type(readRow)`
    SELECT ${SNAPSHOT_COLUMNS}, xmin::text AS version, channel, sla_clock, sla_policy, sla_status, sla_next_due_at,
      assigned_at, time_to_resolve_seconds IS NOT NULL AS resolve_known,
      ${TARGETS_JSON(incidenceId)} AS targets, ${RESPONSE_TIMELINE_JSON(incidenceId)} AS timeline,
      EXISTS (SELECT 1 FROM incidence_timeline WHERE incidence_id = ${incidenceId} AND event_key = ${eventKey}) AS stored
    FROM incidences WHERE id = ${incidenceId}`),
  );
  return {
    snapshot: toSnapshot(row),
    version: row.version,
    channel: row.channel,
    clock: (row.sla_clock ?? null) as ResponseClock | null,
    summary: summaryOfRow(row),
    assignedAt: row.assigned_at === null ? null : new Date(row.assigned_at).toISOString(),
    resolveKnown: row.resolve_known,
    targets: targetsFromJson(row.targets),
    timeline: responseTimelineOf(row.timeline),
    stored: row.stored,
    fresh: false,
  };
}

const INSERTED = sql.fragment`EXISTS (SELECT 1 FROM inserted)`;

/**
 * What storing a new event with an open change (no close or reopen) writes, computed from the record as read: its
 * timeline entry, the incidence's assignments, and the statement's other parts (SLA progress and, with `linkAssists`,
 * the assist links in `scope`), each taken only if the timeline row is new. Null when the change is not open.
 */
function openEventWrites(
  input: { conversationId: string; event: ConversationEvent; linkAssists: boolean },
  read: RecordRead,
  rules: SlaRules | null,
  assists: { scope: AssistScope; windowMs: number },
  now: () => string,
) {
  const { conversationId, event } = input;
  const incidenceId = read.snapshot.incidenceId;
  const before = stateOf(conversationId, read.snapshot);
  const { change } = eventChangeOf(before, event);
  const after = openChangeApplied(read.snapshot, change, read.assignedAt);
  if (!after) return null;
  const entry = timelineEntryOf(event);
  const parts = input.linkAssists ? [assistLinks(assists.scope, assists.windowMs, INSERTED)] : [];
  const sets = changeSets(change);
  let sla: SlaProgress | null = null;
  if (rules) {
    sla = slaStepOf(
      { clock: read.clock, targets: read.targets },
      before,
      stateOf(conversationId, after),
      entry,
      planOf(rules, after, read.channel),
      now(),
    );
    const inputs: ResponseInputs = {
      timeline: [
        ...read.timeline,
        {
          eventType: entry.eventType,
          actor: entry.actor,
          messageType: (entry.metadata.message_type as string | undefined) ?? null,
          occurredAt: new Date(entry.occurredAt).toISOString(),
        },
      ],
      resolved:
        after.resolvedAt && read.resolveKnown ? { createdAt: after.createdAt, resolvedAt: after.resolvedAt } : null,
      fresh: read.fresh,
    };
    const writes = slaWrites(incidenceId, sla, rules.hours, inputs, INSERTED);
    parts.push(...writes.parts);
    sets.push(...writes.sets);
  }
  const withParts = parts.length > 0 ? sql.fragment`, ${sql.join(parts, sql.fragment`, `)}` : sql.fragment``;
  const step = (row: z.infer<typeof snapshotRow>): RecordStep => ({
    stored: true,
    snapshot: toSnapshot(row),
    closedAt: null,
    tagsPending: false,
    sla,
    summary: sla?.summary ?? read.summary,
  });
  return { entry, sets, withParts, step };
}

/** The event's timeline row, inserted for the incidence `source` yields (none: nothing is stored). */
const timelineInsert = (entry: TimelineEntry, source: FragmentSqlToken) => sql.fragment`inserted AS (
      INSERT INTO incidence_timeline (incidence_id, event_key, event_type, actor, content, metadata, occurred_at)
      SELECT ${source}.id, ${entry.eventKey}, ${entry.eventType}, ${entry.actor}, ${entry.content},
        ${sql.jsonb(entry.metadata as never)}, ${entry.occurredAt}::timestamptz
      FROM ${source}
      ON CONFLICT (incidence_id, event_key) DO NOTHING
      RETURNING id
    )`;

/**
 * Stores a new event with an open change in one statement, guarded by the version read: its timeline row, the
 * incidence change, its SLA progress computed from the record as read and, with `linkAssists`, the assist links of an
 * incidence just created. Null, with nothing written, when the event is stored already, its change is not open, or
 * the record changed since it was read: the step then takes the event under the row lock.
 */
export async function storeEventGuarded(
  pool: DatabasePool,
  input: { conversationId: string; event: ConversationEvent; linkAssists: boolean },
  read: RecordRead,
  rules: SlaRules | null,
  assistedOrderWindowMs: number,
  now: () => string,
): Promise<RecordStep | null> {
  if (read.stored) return null;
  const incidenceId = read.snapshot.incidenceId;
  const assists = { scope: incidenceScope(incidenceId), windowMs: assistedOrderWindowMs };
  const writes = openEventWrites(input, read, rules, assists, now);
  if (!writes) return null;
  const row = await pool.maybeOne(
    prepared(sql.type(snapshotRow)`
    WITH guard AS (
      SELECT id FROM incidences WHERE id = ${incidenceId} AND xmin = ${read.version}::xid FOR UPDATE
    ), ${timelineInsert(writes.entry, sql.fragment`guard`)}${writes.withParts}, changed AS (
      UPDATE incidences SET ${setList(writes.sets)} WHERE id = ${incidenceId} AND ${INSERTED}
      RETURNING ${SNAPSHOT_COLUMNS}
    )
    SELECT * FROM changed`),
  );
  return row ? writes.step(row) : null;
}

/**
 * Creates the conversation's incidence with its first event in one statement: the row is inserted with the event's
 * change and SLA progress applied (as the guarded write would update it), beside the event's timeline row, its SLA
 * writes and the incidence's assist links. Null, with nothing written, when the conversation has an incidence already
 * or the event's change is not open: the step then creates it (or finds it) first.
 */
export async function createWithFirstEvent(
  pool: DatabasePool,
  input: { conversationId: string; event: ConversationEvent; context: IncidenceContext },
  rules: SlaRules | null,
  assistedOrderWindowMs: number,
  now: () => string,
): Promise<RecordStep | null> {
  const { conversationId, event, context } = input;
  const values = { id: randomUUID(), ...newIncidence(conversationId, context, event.occurredAt) };
  const read = freshRecord({ snapshot: snapshotOfNew(values), version: '' });
  const assists = { scope: createdScope, windowMs: assistedOrderWindowMs };
  const writes = openEventWrites({ conversationId, event, linkAssists: true }, read, rules, assists, now);
  if (!writes) return null;
  const row = await pool.maybeOne(
    prepared(sql.type(snapshotRow)`
    WITH created AS (
      ${insertWith('incidences', values, writes.sets)}
      ON CONFLICT (conversation_id) DO NOTHING
      RETURNING ${SNAPSHOT_COLUMNS}, order_id
    ), ${timelineInsert(writes.entry, CREATED)}${writes.withParts}
    SELECT * FROM created`),
  );
  return row ? writes.step(row) : null;
}

/** The incidence a new row stores, before any change (its cart value fits its column already: record-values.ts). */
const snapshotOfNew = (row: { id: string } & ReturnType<typeof newIncidence>): IncidenceSnapshot => ({
  incidenceId: row.id,
  userId: row.user_id,
  stage: row.stage,
  outcome: 'IN_PROGRESS',
  agentId: null,
  cartValue: row.cart_value,
  eventType: row.event_type,
  createdAt: new Date(row.created_at).toISOString(),
  resolvedAt: null,
  lastStateChangeAt: null,
  reopenCount: 0,
  freshchatUserId: row.freshchat_user_id,
});

/** The incidence row a creating statement inserted (no other part of the statement can see it in the table). */
const CREATED = sql.fragment`created`;

/** Assist links of the incidence the statement creates, read from its `created` row. */
const createdScope: AssistScope = {
  orders: sql.fragment`order_id IN (SELECT order_id FROM created WHERE order_id IS NOT NULL)
        OR user_id IN (SELECT user_id FROM created WHERE user_id IS NOT NULL)`,
  incidences: sql.fragment`TRUE`,
  source: CREATED,
};
