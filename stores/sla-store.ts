import { sql, type DatabaseTransactionConnection } from 'slonik';
import { z } from 'zod';
import { businessSeconds, type BusinessHours } from '../domain/sla/business-hours';
import { clockEventOf } from '../domain/sla/response-clock';
import { responseTimesOf } from '../domain/sla/response-times';
import type { SlaTarget } from '../domain/sla/sla';
import { SLA_TARGETS } from '../domain/sla/sla-policy';
import type { SlaProgress } from '../domain/sla/sla-step';

const isoTime = z.union([z.string(), z.number()]).transform((v) => new Date(v).toISOString());

const targetRow = z.object({
  target: z.enum(SLA_TARGETS),
  started_at: isoTime,
  policy: z.string(),
  due_at: isoTime,
  status: z.enum(['ACTIVE', 'MET', 'MISSED', 'CANCELLED']),
  settled_at: isoTime.nullable(),
});

/** Every SLA target the incidence was given. */
export async function targetsOf(tx: DatabaseTransactionConnection, incidenceId: string): Promise<SlaTarget[]> {
  const rows = await tx.any(sql.type(targetRow)`
    SELECT target, started_at, policy, due_at, status, settled_at FROM sla_targets WHERE incidence_id = ${incidenceId}`);
  return rows.map((r) => ({
    target: r.target,
    startedAt: r.started_at,
    policy: r.policy,
    dueAt: r.due_at,
    status: r.status,
    settledAt: r.settled_at,
  }));
}

/**
 * Stores one SLA step inside the caller's transaction: targets (a settled one is never changed again, so MISSED is
 * never lowered), breach rows, the incidence's SLA fields and clock, and the response times when they moved.
 */
export async function storeSlaProgress(
  tx: DatabaseTransactionConnection,
  incidenceId: string,
  progress: SlaProgress,
  hours: BusinessHours,
): Promise<void> {
  for (const t of progress.changed) {
    await tx.query(sql.unsafe`
      INSERT INTO sla_targets (incidence_id, target, started_at, policy, due_at, status, settled_at)
      VALUES (${incidenceId}, ${t.target}, ${t.startedAt}::timestamptz, ${t.policy}, ${t.dueAt}::timestamptz,
              ${t.status}, ${t.settledAt}::timestamptz)
      ON CONFLICT (incidence_id, target, started_at) DO UPDATE SET
        policy = EXCLUDED.policy, due_at = EXCLUDED.due_at, status = EXCLUDED.status, settled_at = EXCLUDED.settled_at
      WHERE sla_targets.status = 'ACTIVE'`);
  }
  for (const entry of progress.breaches) {
    await tx.query(sql.unsafe`
      INSERT INTO incidence_timeline (incidence_id, event_key, event_type, actor, content, metadata, occurred_at)
      VALUES (${incidenceId}, ${entry.eventKey}, ${entry.eventType}, ${entry.actor}, ${entry.content},
              ${sql.jsonb(entry.metadata as never)}, ${entry.occurredAt}::timestamptz)
      ON CONFLICT (incidence_id, event_key) DO NOTHING`);
  }
  const s = progress.summary;
  await tx.query(sql.unsafe`
    UPDATE incidences SET sla_policy = ${s.policy}, sla_status = ${s.status},
      sla_next_due_at = ${s.nextDueAt}::timestamptz, sla_clock = ${progress.clock ? sql.jsonb(progress.clock as never) : null}
    WHERE id = ${incidenceId}`);
  if (progress.recompute) await recordResponseTimes(tx, incidenceId, hours);
}

const timelineRow = z.object({
  event_type: z.string(),
  actor: z.string(),
  message_type: z.string().nullable(),
  occurred_at: isoTime,
});

/** Recomputes the incidence's response times and care cycles from its stored timeline (the timeline is the truth; order-proof). */
export async function recordResponseTimes(
  tx: DatabaseTransactionConnection,
  incidenceId: string,
  hours: BusinessHours,
): Promise<void> {
  const rows = await tx.any(sql.type(timelineRow)`
    SELECT event_type, actor, metadata->>'message_type' AS message_type, occurred_at
    FROM incidence_timeline WHERE incidence_id = ${incidenceId} AND event_type <> 'SLA_BREACHED'`);
  const times = responseTimesOf(
    rows.map((r) =>
      clockEventOf({ eventType: r.event_type, actor: r.actor, messageType: r.message_type, occurredAt: r.occurred_at }),
    ),
    hours,
  );
  await tx.query(sql.unsafe`DELETE FROM response_times WHERE incidence_id = ${incidenceId}`);
  for (const r of times.responses) {
    await tx.query(sql.unsafe`
      INSERT INTO response_times (incidence_id, kind, care_cycle, waiting_since, answered_at, seconds, business_seconds)
      VALUES (${incidenceId}, ${r.kind}, ${r.cycle}, ${r.waitingSince}::timestamptz, ${r.answeredAt}::timestamptz,
              ${r.seconds}, ${r.businessSeconds})
      ON CONFLICT DO NOTHING`);
  }
  await tx.query(sql.unsafe`DELETE FROM care_cycles WHERE incidence_id = ${incidenceId}`);
  for (const c of times.cycles) {
    await tx.query(sql.unsafe`
      INSERT INTO care_cycles (incidence_id, care_cycle, started_at, resolved_at, seconds, business_seconds)
      VALUES (${incidenceId}, ${c.cycle}, ${c.startedAt}::timestamptz, ${c.resolvedAt}::timestamptz,
              ${c.timeToResolve?.seconds ?? null}, ${c.timeToResolve?.businessSeconds ?? null})`);
  }
  const first = times.firstResponse;
  const resolved = await tx.maybeOne(sql.type(z.object({ created_at: isoTime, resolved_at: isoTime }))`
    SELECT created_at, resolved_at FROM incidences
    WHERE id = ${incidenceId} AND resolved_at IS NOT NULL AND time_to_resolve_seconds IS NOT NULL`);
  await tx.query(sql.unsafe`
    UPDATE incidences SET
      first_response_seconds = ${first?.seconds ?? null},
      first_response_business_seconds = ${first?.businessSeconds ?? null},
      first_response_at = ${first?.answeredAt ?? null}::timestamptz,
      time_to_resolve_business_seconds = ${resolved ? businessSeconds(resolved.created_at, resolved.resolved_at, hours) : null}
    WHERE id = ${incidenceId}`);
}
