import { sql, type DatabasePool, type DatabaseTransactionConnection } from 'slonik';
import { z } from 'zod';
import type { IncidenceContext } from '../domain/incidence';
import { stageOf } from '../domain/incidence';
import type { IncidenceChange, IncidenceSnapshot, TimelineEntry } from '../domain/incidence-snapshot';
import { markRepeatFrictionAround } from './repeat-friction-store';

const isoTime = z.union([z.string(), z.number()]).transform((v) => new Date(v).toISOString());
const nullableIso = isoTime.nullable();

const snapshotRow = z.object({
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
});

const SNAPSHOT_COLUMNS = sql.fragment`
  id, user_id, stage, outcome, agent_id, cart_value::float8 AS cart_value, event_type,
  created_at, resolved_at, last_state_change_at, reopen_count`;

const toSnapshot = (row: z.infer<typeof snapshotRow>): IncidenceSnapshot => ({
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
});

export async function loadIncidence(pool: DatabasePool, conversationId: string): Promise<IncidenceSnapshot | null> {
  const row = await pool.maybeOne(sql.type(snapshotRow)`
    SELECT ${SNAPSHOT_COLUMNS} FROM incidences WHERE conversation_id = ${conversationId}`);
  return row ? toSnapshot(row) : null;
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
    INSERT INTO incidences (
      conversation_id, user_id, freshchat_user_id, order_id, stage, channel, trigger,
      app_screen, cart_value, guest_count, event_type, friction_score, created_at
    ) VALUES (
      ${conversationId}, ${context.userId}, ${context.freshchatUserId}, ${context.orderId}, ${stageOf(context)},
      'IN_APP_CHAT', ${context.trigger}, ${context.appScreen}, ${context.cartValue}, ${context.guestCount},
      ${context.eventType}, ${context.frictionScore}, ${firstEventAt}::timestamptz
    )
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
 * Stores one timeline entry and, only if it is new, the incidence change it implies, in one
 * transaction: a redelivered event changes nothing. Returns whether the entry was new.
 */
export async function applyIncidenceChange(
  pool: DatabasePool,
  input: { incidenceId: string; timeline: TimelineEntry; change: IncidenceChange },
): Promise<boolean> {
  return pool.transaction(async (tx) => {
    const { incidenceId, timeline } = input;
    const inserted = await tx.maybeOne(sql.type(z.object({ id: z.string() }))`
      INSERT INTO incidence_timeline (incidence_id, event_key, event_type, actor, content, metadata, occurred_at)
      VALUES (${incidenceId}, ${timeline.eventKey}, ${timeline.eventType}, ${timeline.actor}, ${timeline.content},
              ${sql.jsonb(timeline.metadata as never)}, ${timeline.occurredAt}::timestamptz)
      ON CONFLICT (incidence_id, event_key) DO NOTHING
      RETURNING id`);
    if (!inserted) return false;
    await updateIncidence(tx, incidenceId, input.change);
    // Analytics: a resolution (or a closed incidence starting earlier than known) decides its repeat-friction flag.
    if (input.change.close || input.change.timeToResolveSeconds !== undefined)
      await markRepeatFrictionAround(tx, incidenceId);
    return true;
  });
}

async function updateIncidence(
  tx: DatabaseTransactionConnection,
  incidenceId: string,
  change: IncidenceChange,
): Promise<void> {
  const sets = [sql.fragment`updated_at = NOW()`];
  if (change.firstEventAt) sets.push(sql.fragment`created_at = LEAST(created_at, ${change.firstEventAt}::timestamptz)`);
  if (change.agentId) sets.push(sql.fragment`agent_id = ${change.agentId}`);
  if (change.timeToResolveSeconds !== undefined)
    sets.push(sql.fragment`time_to_resolve_seconds = ${change.timeToResolveSeconds}`);
  if (change.close) {
    const c = change.close;
    sets.push(
      sql.fragment`outcome = ${c.outcome}`,
      sql.fragment`order_impact = ${c.orderImpact}`,
      sql.fragment`issue_category = COALESCE(${c.issueCategory}, issue_category)`,
      sql.fragment`resolution_type = ${c.resolutionType}`,
      sql.fragment`resolved_at = ${c.resolvedAt}::timestamptz`,
      sql.fragment`time_to_resolve_seconds = ${c.timeToResolveSeconds}`,
      sql.fragment`last_state_change_at = ${c.resolvedAt}::timestamptz`,
    );
  }
  if (change.reopen) {
    sets.push(
      sql.fragment`outcome = 'IN_PROGRESS'`,
      sql.fragment`order_impact = NULL`,
      sql.fragment`resolution_type = NULL`,
      sql.fragment`resolved_at = NULL`,
      sql.fragment`time_to_resolve_seconds = NULL`,
      sql.fragment`reopen_count = reopen_count + 1`,
      sql.fragment`repeat_friction = FALSE`,
      sql.fragment`last_state_change_at = ${change.reopen.at}::timestamptz`,
    );
  }
  await tx.query(sql.unsafe`UPDATE incidences SET ${sql.join(sets, sql.fragment`, `)} WHERE id = ${incidenceId}`);
}
