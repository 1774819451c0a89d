import { sql, type DatabasePool, type DatabaseTransactionConnection, type FragmentSqlToken } from 'slonik';
import { z } from 'zod';
import type { BusinessHours } from '../domain/sla/business-hours';
import type { ConversationEvent } from '../domain/conversation/conversation-event';
import { eventChangeOf, timelineEntryOf } from '../domain/conversation/conversation-changes';
import {
  initialConversationState,
  withSnapshot,
  type ConversationState,
} from '../domain/conversation/conversation-state';
import type {
  IncidenceChange,
  IncidenceSnapshot,
  SilenceClose,
  TimelineEntry,
} from '../domain/conversation/incidence-snapshot';
import type { ResponseClock } from '../domain/sla/response-clock';
import type { SlaPlan } from '../domain/sla/sla';
import { policyFor, type SlaPolicies } from '../domain/sla/sla-policy';
import { slaBreachesAt, slaStepOf, type SlaProgress, type SlaSummary } from '../domain/sla/sla-step';
import { setList } from './assignments';
import { changeSets, insertTimeline, SNAPSHOT_COLUMNS, snapshotRow, toSnapshot } from './incidence-store';
import { assistLinks, incidenceScope, linkAssistsOfIncidence } from './order-store';
import { markRepeatFrictionAround } from './repeat-friction-store';
import { RESPONSE_TIMELINE_JSON, responseTimelineOf, storeSlaProgress, TARGETS_JSON } from './sla-store';
import { targetsFromJson, targetsOf, type ResponseInputs } from './sla-store';

/** The SLA rules a step applies (null: SLA timers off). */
export interface SlaRules {
  policies: SlaPolicies;
  hours: BusinessHours;
  /** Whether signed outbound events are configured. */
  outbound: boolean;
}

/** What storing one event (or a close, or the breaches due) left: the record as stored, and what it hands off. */
export interface RecordStep {
  /** The timeline row was new (false: it was stored before, e.g. by an attempt whose result was lost). */
  stored: boolean;
  snapshot: IncidenceSnapshot;
  /** The close the event carries, when the incidence is closed by it (even one stored before): a report hand-off. */
  closedAt: string | null;
  /** A real-format resolution stored without its tags: they are read back from Freshchat. */
  tagsPending: boolean;
  /** The SLA step taken (null: none, e.g. the row was stored before). */
  sla: SlaProgress | null;
  /** The incidence's SLA as stored after the step. */
  summary: SlaSummary;
}

/** The incidence row with what a step needs of its SLA. */
export const lockedRow = snapshotRow.extend({
  channel: z.string(),
  sla_clock: z.unknown(),
  sla_policy: z.string().nullable(),
  sla_status: z.enum(['ACTIVE', 'MET', 'MISSED']).nullable(),
  sla_next_due_at: z.union([z.string(), z.number()]).nullable(),
});

/** The incidence row, locked for the step: every step of one conversation is taken against the one stored record. */
async function locked(tx: DatabaseTransactionConnection, incidenceId: string) {
  const row = await tx.one(sql.type(lockedRow)`
    SELECT ${SNAPSHOT_COLUMNS}, channel, sla_clock, sla_policy, sla_status, sla_next_due_at
    FROM incidences WHERE id = ${incidenceId} FOR UPDATE`);
  return {
    snapshot: toSnapshot(row),
    channel: row.channel,
    clock: (row.sla_clock ?? null) as ResponseClock | null,
    summary: summaryOfRow(row),
  };
}

/** The incidence's SLA as its row stores it. */
export const summaryOfRow = (row: {
  sla_policy: string | null;
  sla_status: SlaSummary['status'];
  sla_next_due_at: string | number | null;
}): SlaSummary => ({
  policy: row.sla_policy,
  status: row.sla_status,
  nextDueAt: row.sla_next_due_at === null ? null : new Date(row.sla_next_due_at).toISOString(),
});

export const stateOf = (conversationId: string, snapshot: IncidenceSnapshot): ConversationState =>
  withSnapshot(initialConversationState(conversationId), snapshot);

export const planOf = (rules: SlaRules, snapshot: IncidenceSnapshot, channel: string): SlaPlan => ({
  policy: policyFor(rules.policies, { cartValue: snapshot.cartValue, eventType: snapshot.eventType, channel }),
  hours: rules.hours,
  outbound: rules.outbound,
});

const sameInstant = (a: string | null, b: string): boolean => a !== null && Date.parse(a) === Date.parse(b);

/**
 * Stores one event in one transaction: its timeline row and, only if the row is new, the incidence change computed
 * from the incidence as stored (locked), its assist links and repeat-friction flag, and its SLA progress computed
 * from the stored clock and targets. `linkAssists`: the incidence was just created or given its user, so the orders
 * already reported are linked to it (in the timeline row's statement).
 */
export async function storeEvent(
  pool: DatabasePool,
  input: { conversationId: string; incidenceId: string; event: ConversationEvent; linkAssists?: boolean },
  rules: SlaRules | null,
  assistedOrderWindowMs: number,
  now: () => string,
): Promise<RecordStep> {
  const { conversationId, incidenceId, event } = input;
  return pool.transaction(async (tx) => {
    const record = await locked(tx, incidenceId);
    const entry = timelineEntryOf(event);
    const links = input.linkAssists ? assistLinks(incidenceScope(incidenceId), assistedOrderWindowMs) : null;
    const { inserted, targets } = await insertEntry(tx, incidenceId, entry, links);
    if (!inserted) {
      // Stored before (a retry after a lost result): a close it carries is handed off again, and tags still pending
      // are read again (applying them is guarded by the resolution's time, so a spare read changes nothing).
      const closedAt =
        event.kind === 'resolution' && sameInstant(record.snapshot.resolvedAt, event.occurredAt)
          ? event.occurredAt
          : null;
      return {
        stored: false,
        snapshot: record.snapshot,
        closedAt,
        tagsPending: closedAt !== null && event.kind === 'resolution' && event.tags === null,
        sla: null,
        summary: record.summary,
      };
    }
    const before = stateOf(conversationId, record.snapshot);
    const { change, tagsPending } = eventChangeOf(before, event);
    const { snapshot, responseInputs } = await applyChange(tx, incidenceId, change);
    // Analytics: a resolution (or a closed incidence starting earlier than known) decides its repeat-friction flag.
    if (change.close || change.timeToResolveSeconds !== undefined) await markRepeatFrictionAround(tx, incidenceId);
    // With its resolution time known, orders of the user already reported within the window get linked.
    if (change.close) await linkAssistsOfIncidence(tx, incidenceId, assistedOrderWindowMs);
    let sla: SlaProgress | null = null;
    if (rules) {
      const plan = planOf(rules, snapshot, record.channel);
      const after = stateOf(conversationId, snapshot);
      const at = now();
      // Breaches that fell due are the loop's to record, once no event is queued: a queued one may be the answer.
      sla = slaStepOf({ clock: record.clock, targets }, before, after, entry, plan, at);
      await storeSlaProgress(tx, incidenceId, sla, rules.hours, responseInputs);
    }
    const closedAt = change.close?.resolvedAt ?? null;
    return {
      stored: true,
      snapshot,
      closedAt,
      tagsPending: tagsPending && closedAt !== null,
      sla,
      summary: sla?.summary ?? record.summary,
    };
  });
}

const enteredRow = z.object({ inserted: z.boolean(), targets: z.unknown() });

/**
 * Inserts the event's timeline row (false: stored before) and reads the incidence's SLA targets, in one statement
 * taken after the row lock, so the targets read are the latest committed; `links`: assist links stored with them.
 */
async function insertEntry(
  tx: DatabaseTransactionConnection,
  incidenceId: string,
  entry: TimelineEntry,
  links: FragmentSqlToken | null,
) {
  const row = await tx.one(sql.type(enteredRow)`
    WITH inserted AS (
      INSERT INTO incidence_timeline (incidence_id, event_key, event_type, actor, content, metadata, occurred_at)
      VALUES (${incidenceId}, ${entry.eventKey}, ${entry.eventType}, ${entry.actor}, ${entry.content},
              ${sql.jsonb(entry.metadata as never)}, ${entry.occurredAt}::timestamptz)
      ON CONFLICT (incidence_id, event_key) DO NOTHING
      RETURNING id)${links ? sql.fragment`, ${links}` : sql.fragment``}
    SELECT EXISTS (SELECT 1 FROM inserted) AS inserted, ${TARGETS_JSON(incidenceId)} AS targets`);
  return { inserted: row.inserted, targets: targetsFromJson(row.targets) };
}

const changedRow = snapshotRow.extend({ resolve_known: z.boolean(), timeline: z.unknown() });

/**
 * Applies an event's change to its incidence, returning the incidence as stored and, read in the same statement,
 * what its response times are recomputed from (the timeline, with the new row).
 */
async function applyChange(
  tx: DatabaseTransactionConnection,
  incidenceId: string,
  change: IncidenceChange,
): Promise<{ snapshot: IncidenceSnapshot; responseInputs: ResponseInputs }> {
  const row = await tx.one(sql.type(changedRow)`
    WITH changed AS (
      UPDATE incidences SET ${setList(changeSets(change))} WHERE id = ${incidenceId}
      RETURNING ${SNAPSHOT_COLUMNS}, time_to_resolve_seconds IS NOT NULL AS resolve_known)
    SELECT changed.*, ${RESPONSE_TIMELINE_JSON(incidenceId)} AS timeline FROM changed`);
  const snapshot = toSnapshot(row);
  const resolved =
    snapshot.resolvedAt !== null && row.resolve_known
      ? { createdAt: snapshot.createdAt, resolvedAt: snapshot.resolvedAt }
      : null;
  return { snapshot, responseInputs: { timeline: responseTimelineOf(row.timeline), resolved } };
}

/**
 * Records the targets due at `now` that are still running in the store: a target settled meanwhile (an answer stored
 * first) is left alone.
 */
export async function recordDueBreaches(
  pool: DatabasePool,
  input: { conversationId: string; incidenceId: string },
  rules: SlaRules,
  now: () => string,
): Promise<RecordStep> {
  return pool.transaction(async (tx) => {
    const record = await locked(tx, input.incidenceId);
    const plan = planOf(rules, record.snapshot, record.channel);
    const stored = { clock: record.clock, targets: await targetsOf(tx, input.incidenceId) };
    const sla = slaBreachesAt(stored, stateOf(input.conversationId, record.snapshot), plan, now());
    if (sla.changed.length > 0) await storeSlaProgress(tx, input.incidenceId, sla, rules.hours);
    return {
      stored: sla.changed.length > 0,
      snapshot: record.snapshot,
      closedAt: null,
      tagsPending: false,
      sla,
      summary: sla.changed.length > 0 ? sla.summary : record.summary,
    };
  });
}

/**
 * Closes an incidence for silence, only if it is still open and its last state change is the one the workflow saw:
 * a resolution or reopen stored meanwhile (even one whose result the workflow never received) wins. The close is
 * provisional: it leaves `last_state_change_at` alone, so a real resolution or reopen that arrives late still applies.
 * A retry of a close whose result was lost finds it stored (DROPPED at this very time) and says so.
 */
export async function closeForSilence(
  pool: DatabasePool,
  input: { conversationId: string; close: SilenceClose },
  rules: SlaRules | null,
  assistedOrderWindowMs: number,
): Promise<RecordStep> {
  const { close } = input;
  return pool.transaction(async (tx) => {
    const record = await locked(tx, close.incidenceId);
    const before = record.snapshot;
    const open =
      before.outcome === 'IN_PROGRESS' &&
      (before.lastStateChangeAt === null
        ? close.lastStateChangeAt === null
        : close.lastStateChangeAt !== null && sameInstant(before.lastStateChangeAt, close.lastStateChangeAt));
    if (!open) {
      const mine = before.outcome === 'DROPPED' && sameInstant(before.resolvedAt, close.at);
      return {
        stored: mine,
        snapshot: before,
        closedAt: mine ? close.at : null,
        tagsPending: false,
        sla: null,
        summary: record.summary,
      };
    }
    const row = await tx.one(sql.type(snapshotRow)`
      UPDATE incidences SET
        outcome = 'DROPPED', order_impact = 'NONE', resolution_type = 'WENT_SILENT',
        resolved_at = ${close.at}::timestamptz, time_to_resolve_seconds = NULL, updated_at = NOW()
      WHERE id = ${close.incidenceId}
      RETURNING ${SNAPSHOT_COLUMNS}`);
    const entry = {
      eventKey: close.timelineKey,
      eventType: 'WENT_SILENT' as const,
      actor: 'SYSTEM' as const,
      content: null,
      metadata: {},
      occurredAt: close.at,
    };
    await insertTimeline(tx, close.incidenceId, entry);
    await markRepeatFrictionAround(tx, close.incidenceId);
    await linkAssistsOfIncidence(tx, close.incidenceId, assistedOrderWindowMs);
    const snapshot = toSnapshot(row);
    let sla: SlaProgress | null = null;
    if (rules) {
      const plan = planOf(rules, snapshot, record.channel);
      const stored = { clock: record.clock, targets: await targetsOf(tx, close.incidenceId) };
      const state = stateOf(input.conversationId, snapshot);
      sla = slaStepOf(stored, stateOf(input.conversationId, before), state, entry, plan, close.at);
      await storeSlaProgress(tx, close.incidenceId, sla, rules.hours);
    }
    return {
      stored: true,
      snapshot,
      closedAt: close.at,
      tagsPending: false,
      sla,
      summary: sla?.summary ?? record.summary,
    };
  });
}
