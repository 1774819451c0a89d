import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import type { SlaTargetKind } from '../domain/sla/sla-policy';

/** The SLA breach an escalation answers: one target of one incidence, by when it started. */
export interface EscalatedBreach {
  incidenceId: string;
  target: SlaTargetKind;
  startedAt: string;
}

/**
 * Whether a breach still stands, read when its escalation is delivered (possibly days after the breach):
 * `CLOSED` once the incidence is no longer open, `SUPERSEDED` once a later target of the same kind started (the
 * agent answered and the customer wrote again, or a reopen started a new resolution target).
 */
export type BreachStanding = 'STANDS' | 'CLOSED' | 'SUPERSEDED' | 'UNKNOWN';

export async function breachStanding(db: CommonQueryMethods, breach: EscalatedBreach): Promise<BreachStanding> {
  const row = await db.maybeOne(sql.type(z.object({ outcome: z.string(), superseded: z.boolean() }))`
    SELECT i.outcome,
           EXISTS (SELECT 1 FROM sla_targets t
                   WHERE t.incidence_id = i.id AND t.target = ${breach.target}
                     AND t.started_at > ${breach.startedAt}::timestamptz) AS superseded
    FROM incidences i WHERE i.id = ${breach.incidenceId}`);
  if (!row) return 'UNKNOWN';
  if (row.outcome !== 'IN_PROGRESS') return 'CLOSED';
  return row.superseded ? 'SUPERSEDED' : 'STANDS';
}
