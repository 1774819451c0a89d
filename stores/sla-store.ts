import { sql, type DatabasePool, type DatabaseTransactionConnection } from 'slonik';
import { z } from 'zod';
import { businessSeconds, type BusinessHours } from '../domain/business-hours';
import type { IncidenceSnapshot, TimelineEntry } from '../domain/incidence-snapshot';
import { clockEventOf } from '../domain/response-clock';
import { responseTimesOf } from '../domain/response-times';
import type { SlaStatus, SlaTarget } from '../domain/sla';
import type { SlaContext } from '../domain/sla-policy';

const isoTime = z.union([z.string(), z.number()]).transform((v) => new Date(v).toISOString());

/** What an SLA step stores: targets started, re-timed or settled, the incidence's SLA fields, breach timeline rows. */
export interface SlaProgress {
  incidenceId: string;
  targets: SlaTarget[];
  summary: { policy: string | null; status: SlaStatus | null; nextDueAt: string | null };
  breaches: TimelineEntry[];
  /** Recompute the response times from the stored timeline (an answer, a resolution or a reopen happened). */
  responseTimes: boolean;
}

export async function slaContextOf(
  pool: DatabasePool,
  incidenceId: IncidenceSnapshot['incidenceId'],
): Promise<SlaContext | null> {
  return pool.maybeOne(sql.type(
    z.object({ cartValue: z.number().nullable(), eventType: z.string().nullable(), channel: z.string() }),
  )`
    SELECT cart_value::float8 AS "cartValue", event_type AS "eventType", channel FROM incidences WHERE id = ${incidenceId}`);
}

/** Stores one SLA step in one transaction. A settled target is never reopened by a late or repeated write. */
export async function recordSlaProgress(
  pool: DatabasePool,
  progress: SlaProgress,
  hours: BusinessHours,
): Promise<void> {
  await pool.transaction(async (tx) => {
    for (const t of progress.targets) {
      await tx.query(sql.unsafe`
        INSERT INTO sla_targets (incidence_id, target, started_at, policy, due_at, status, settled_at)
        VALUES (${progress.incidenceId}, ${t.target}, ${t.startedAt}::timestamptz, ${t.policy}, ${t.dueAt}::timestamptz,
                ${t.status}, ${t.settledAt}::timestamptz)
        ON CONFLICT (incidence_id, target, started_at) DO UPDATE SET
          policy = EXCLUDED.policy, due_at = EXCLUDED.due_at, status = EXCLUDED.status, settled_at = EXCLUDED.settled_at
        WHERE sla_targets.status = 'ACTIVE'`);
    }
    for (const entry of progress.breaches) {
      await tx.query(sql.unsafe`
        INSERT INTO incidence_timeline (incidence_id, event_key, event_type, actor, content, metadata, occurred_at)
        VALUES (${progress.incidenceId}, ${entry.eventKey}, ${entry.eventType}, ${entry.actor}, ${entry.content},
                ${sql.jsonb(entry.metadata as never)}, ${entry.occurredAt}::timestamptz)
        ON CONFLICT (incidence_id, event_key) DO NOTHING`);
    }
    const s = progress.summary;
    await tx.query(sql.unsafe`
      UPDATE incidences SET sla_policy = ${s.policy}, sla_status = ${s.status},
        sla_next_due_at = ${s.nextDueAt}::timestamptz, updated_at = NOW()
      WHERE id = ${progress.incidenceId}`);
    if (progress.responseTimes) await recordResponseTimes(tx, progress.incidenceId, hours);
  });
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
