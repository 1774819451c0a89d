import { sql, type DatabasePool, type DatabaseTransactionConnection } from 'slonik';
import { z } from 'zod';
import { OUTCOMES, type IncidenceContext, type Outcome, type Resolution } from '../domain/conversation/incidence';
import { TAGS_PENDING, TAGS_UNAVAILABLE } from '../domain/conversation/record-values';
import { stageOf } from '../domain/conversation/incidence';
import type { IncidenceChange, IncidenceSnapshot, TimelineEntry } from '../domain/conversation/incidence-snapshot';
import { prepared } from '../infra/db';
import type { Assignment } from './assignments';
import { linkAssistsOfIncidence } from './order-store';
import { markRepeatFrictionAround } from './repeat-friction-store';

const isoTime = z.union([z.string(), z.number()]).transform((v) => new Date(v).toISOString());
const nullableIso = isoTime.nullable();

export const snapshotRow = z.object({
  id: z.string(),
  user_id: z.string().nullable(),
  stage: z.enum(['PRE_ORDER', 'POST_ORDER']),
  outcome: z.enum(['RESOLVED', 'DROPPED', 'CONVERTED', 'IN_PROGRESS']),
  agent_id: z.string().nullable(),
  cart_value: z.number().nullable(),
  event_type: z.string().nullable(),
  created_at: isoTime,
  resolved_at: nullableIso,
  last_state_change_at: nullableIso,
  reopen_count: z.number(),
  freshchat_user_id: z.string().nullable(),
});

export const SNAPSHOT_COLUMNS = sql.fragment`
  id, user_id, stage, outcome, agent_id, cart_value::float8 AS cart_value, event_type,
  created_at, resolved_at, last_state_change_at, reopen_count, freshchat_user_id`;

export const toSnapshot = (row: z.infer<typeof snapshotRow>): IncidenceSnapshot => ({
  incidenceId: row.id,
  userId: row.user_id,
  stage: row.stage,
  outcome: row.outcome,
  agentId: row.agent_id,
  cartValue: row.cart_value,
  eventType: row.event_type,
  createdAt: row.created_at,
  resolvedAt: row.resolved_at,
  lastStateChangeAt: row.last_state_change_at,
  reopenCount: row.reopen_count,
  freshchatUserId: row.freshchat_user_id,
});

export async function loadIncidence(pool: DatabasePool, conversationId: string): Promise<IncidenceSnapshot | null> {
  const row = await pool.maybeOne(sql.type(snapshotRow)`
    SELECT ${SNAPSHOT_COLUMNS} FROM incidences WHERE conversation_id = ${conversationId}`);
  return row ? toSnapshot(row) : null;
}

/** A new incidence's columns, from its context. */
export const newIncidence = (conversationId: string, context: IncidenceContext, firstEventAt: string) => ({
  conversation_id: conversationId,
  user_id: context.userId,
  freshchat_user_id: context.freshchatUserId,
  order_id: context.orderId,
  stage: stageOf(context),
  channel: 'IN_APP_CHAT',
  trigger: context.trigger,
  app_screen: context.appScreen,
  cart_value: context.cartValue,
  guest_count: context.guestCount,
  event_type: context.eventType,
  friction_score: context.frictionScore,
  created_at: firstEventAt,
});

/** A new incidence's columns and VALUES, from its context. */
const incidenceValues = (conversationId: string, context: IncidenceContext, firstEventAt: string) => {
  const row = Object.entries(newIncidence(conversationId, context, firstEventAt));
  return sql.fragment`(${sql.join(
    row.map(([column]) => sql.identifier([column])),
    sql.fragment`, `,
  )}) VALUES (${sql.join(
    row.map(([, value]) => sql.fragment`${value as string | number | null}`),
    sql.fragment`, `,
  )})`;
};

const createdRow = snapshotRow.extend({ version: z.string() });

/**
 * Creates the conversation's incidence when it has none (null: it has one), with its row version (`xmin`), so a
 * step can store its first event against it in one guarded statement.
 */
export async function createIncidence(
  pool: DatabasePool,
  conversationId: string,
  context: IncidenceContext,
  firstEventAt: string,
): Promise<{ snapshot: IncidenceSnapshot; version: string } | null> {
  const row = await pool.maybeOne(
    prepared(sql.type(createdRow)`
      INSERT INTO incidences ${incidenceValues(conversationId, context, firstEventAt)}
      ON CONFLICT (conversation_id) DO NOTHING
      RETURNING ${SNAPSHOT_COLUMNS}, xmin::text AS version`),
  );
  return row ? { snapshot: toSnapshot(row), version: row.version } : null;
}

/**
 * Creates the conversation's incidence, or fills in context fields it still lacks (first known value wins).
 * Idempotent by conversation id.
 */
export async function upsertIncidence(
  pool: DatabasePool,
  conversationId: string,
  context: IncidenceContext,
  firstEventAt: string,
): Promise<IncidenceSnapshot> {
  const row = await pool.one(sql.type(snapshotRow)`
    INSERT INTO incidences ${incidenceValues(conversationId, context, firstEventAt)}
    ON CONFLICT (conversation_id) DO UPDATE SET
      user_id = COALESCE(incidences.user_id, EXCLUDED.user_id),
      freshchat_user_id = COALESCE(incidences.freshchat_user_id, EXCLUDED.freshchat_user_id),
      order_id = COALESCE(incidences.order_id, EXCLUDED.order_id),
      stage = CASE WHEN COALESCE(incidences.order_id, EXCLUDED.order_id) IS NULL THEN 'PRE_ORDER' ELSE 'POST_ORDER' END,
      app_screen = COALESCE(incidences.app_screen, EXCLUDED.app_screen),
      cart_value = COALESCE(incidences.cart_value, EXCLUDED.cart_value),
      guest_count = COALESCE(incidences.guest_count, EXCLUDED.guest_count),
      event_type = COALESCE(incidences.event_type, EXCLUDED.event_type),
      friction_score = COALESCE(incidences.friction_score, EXCLUDED.friction_score),
      updated_at = NOW()
    RETURNING ${SNAPSHOT_COLUMNS}`);
  return toSnapshot(row);
}

/**
 * Fills in the app user of an incidence created while Freshchat could not say who it was, with the context that
 * came with it, and re-decides what depends on the user (assist links, repeat friction, help-offer trigger).
 * Only while the user is still unknown; returns the incidence as stored.
 */
export async function fillInUser(
  pool: DatabasePool,
  incidenceId: string,
  context: IncidenceContext,
  assistedOrderWindowMs: number,
): Promise<IncidenceSnapshot> {
  return pool.transaction(async (tx) => {
    const filled = await tx.maybeOne(sql.type(z.object({ id: z.string() }))`
      UPDATE incidences SET
        user_id = ${context.userId},
        trigger = CASE WHEN ${context.trigger} = 'SYSTEM_INITIATED' THEN 'SYSTEM_INITIATED' ELSE trigger END,
        order_id = COALESCE(order_id, ${context.orderId}),
        stage = CASE WHEN COALESCE(order_id, ${context.orderId}) IS NULL THEN 'PRE_ORDER' ELSE 'POST_ORDER' END,
        app_screen = COALESCE(app_screen, ${context.appScreen}),
        cart_value = COALESCE(cart_value, ${context.cartValue}),
        guest_count = COALESCE(guest_count, ${context.guestCount}),
        event_type = COALESCE(event_type, ${context.eventType}),
        friction_score = COALESCE(friction_score, ${context.frictionScore}),
        updated_at = NOW()
      WHERE id = ${incidenceId} AND user_id IS NULL AND ${context.userId}::text IS NOT NULL
      RETURNING id`);
    if (filled) {
      await linkAssistsOfIncidence(tx, incidenceId, assistedOrderWindowMs);
      await markRepeatFrictionAround(tx, incidenceId);
    }
    return snapshotOf(tx, incidenceId);
  });
}

/**
 * Applies the tags read after a real-format resolution was stored: outcome, impact and category follow them, while
 * the incidence is still closed by that resolution (a reopen or a later resolution since then wins). `tags` null:
 * Freshchat never gave them; the resolution stands without them and says so. Returns the outcome it stored (a retry
 * after a lost result gets the same), or null when the incidence had moved on.
 */
export async function applyResolutionTags(
  pool: DatabasePool,
  input: {
    incidenceId: string;
    eventKey: string;
    resolvedAt: string;
    resolution: Resolution | null;
    tags: string[] | null;
  },
): Promise<Outcome | null> {
  return pool.transaction(async (tx) => {
    const r = input.resolution;
    const updated = await tx.maybeOne(sql.type(z.object({ outcome: z.enum(OUTCOMES) }))`
      UPDATE incidences SET
        outcome = COALESCE(${r?.outcome ?? null}, outcome),
        order_impact = COALESCE(${r?.orderImpact ?? null}, order_impact),
        issue_category = COALESCE(${r?.issueCategory ?? null}, issue_category),
        resolution_type = ${r ? null : TAGS_UNAVAILABLE},
        updated_at = NOW()
      WHERE id = ${input.incidenceId} AND resolution_type = ${TAGS_PENDING}
        AND date_trunc('milliseconds', resolved_at) = date_trunc('milliseconds', ${input.resolvedAt}::timestamptz)
      RETURNING outcome`);
    if (!updated) return appliedBefore(tx, input);
    if (input.tags)
      await tx.query(sql.unsafe`
        UPDATE incidence_timeline SET metadata = COALESCE(metadata, '{}'::jsonb) || ${sql.jsonb({ tags: input.tags })}
        WHERE incidence_id = ${input.incidenceId} AND event_key = ${input.eventKey}`);
    await markRepeatFrictionAround(tx, input.incidenceId);
    return updated.outcome;
  });
}

/**
 * A retry of a step whose result was lost: the incidence is still closed by this resolution and no longer waits for
 * tags, so the earlier attempt stored them; its outcome is the answer (null would read as "moved on").
 */
async function appliedBefore(
  tx: DatabaseTransactionConnection,
  input: { incidenceId: string; resolvedAt: string },
): Promise<Outcome | null> {
  const row = await tx.maybeOne(sql.type(z.object({ outcome: z.enum(OUTCOMES) }))`
    SELECT outcome FROM incidences
    WHERE id = ${input.incidenceId} AND resolution_type IS DISTINCT FROM ${TAGS_PENDING}
      AND date_trunc('milliseconds', resolved_at) = date_trunc('milliseconds', ${input.resolvedAt}::timestamptz)`);
  return row?.outcome ?? null;
}

export async function insertTimeline(tx: DatabaseTransactionConnection, incidenceId: string, timeline: TimelineEntry) {
  const inserted = await tx.maybeOne(sql.type(z.object({ id: z.string() }))`
    INSERT INTO incidence_timeline (incidence_id, event_key, event_type, actor, content, metadata, occurred_at)
    VALUES (${incidenceId}, ${timeline.eventKey}, ${timeline.eventType}, ${timeline.actor}, ${timeline.content},
            ${sql.jsonb(timeline.metadata as never)}, ${timeline.occurredAt}::timestamptz)
    ON CONFLICT (incidence_id, event_key) DO NOTHING
    RETURNING id`);
  return inserted !== null;
}

export async function snapshotOf(tx: DatabaseTransactionConnection, incidenceId: string): Promise<IncidenceSnapshot> {
  return toSnapshot(
    await tx.one(sql.type(snapshotRow)`SELECT ${SNAPSHOT_COLUMNS} FROM incidences WHERE id = ${incidenceId}`),
  );
}

/** One event's change to its incidence, as assignments (each may read the row's values before it). */
export function changeSets(change: IncidenceChange): Assignment[] {
  const sets: Assignment[] = [['updated_at', sql.fragment`NOW()`]];
  if (change.firstEventAt)
    sets.push(['created_at', sql.fragment`LEAST(created_at, ${change.firstEventAt}::timestamptz)`]);
  if (change.assignment) {
    const a = change.assignment;
    const latest = sql.fragment`(assigned_at IS NULL OR assigned_at <= ${a.at}::timestamptz)`;
    sets.push(
      ['agent_id', sql.fragment`CASE WHEN ${latest} THEN ${a.agentId} ELSE agent_id END`],
      ['group_id', sql.fragment`CASE WHEN ${latest} THEN ${a.groupId} ELSE group_id END`],
      ['assigned_at', sql.fragment`GREATEST(assigned_at, ${a.at}::timestamptz)`],
    );
  } else if (change.agentId) sets.push(['agent_id', sql.fragment`${change.agentId}`]);
  if (change.timeToResolveSeconds !== undefined)
    sets.push(['time_to_resolve_seconds', sql.fragment`${change.timeToResolveSeconds}`]);
  if (change.close) {
    const c = change.close;
    sets.push(
      ['outcome', sql.fragment`${c.outcome}`],
      ['order_impact', sql.fragment`${c.orderImpact}`],
      ['issue_category', sql.fragment`COALESCE(${c.issueCategory}, issue_category)`],
      ['resolution_type', sql.fragment`${c.resolutionType}`],
      ['resolved_at', sql.fragment`${c.resolvedAt}::timestamptz`],
      ['time_to_resolve_seconds', sql.fragment`${c.timeToResolveSeconds}`],
      ['last_state_change_at', sql.fragment`${c.resolvedAt}::timestamptz`],
    );
  }
  if (change.stateChangeAt)
    sets.push([
      'last_state_change_at',
      sql.fragment`GREATEST(last_state_change_at, ${change.stateChangeAt}::timestamptz)`,
    ]);
  if (change.reopen) {
    sets.push(
      ['outcome', sql.fragment`'IN_PROGRESS'`],
      ['order_impact', sql.fragment`NULL`],
      ['resolution_type', sql.fragment`NULL`],
      ['resolved_at', sql.fragment`NULL`],
      ['time_to_resolve_seconds', sql.fragment`NULL`],
      ['reopen_count', sql.fragment`reopen_count + 1`],
      ['repeat_friction', sql.fragment`FALSE`],
      ['last_state_change_at', sql.fragment`${change.reopen.at}::timestamptz`],
    );
  }
  return sets;
}
