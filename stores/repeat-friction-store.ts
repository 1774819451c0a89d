import { sql, type CommonQueryMethods, type FragmentSqlToken } from 'slonik';

/**
 * Marks closed incidences as repeat friction issues: the same user had another incidence of the same category
 * (case-insensitive) that started in the 30 days before this one started. Decided when an incidence is resolved
 * (and re-decided at every later resolution) and stored, so reports count a flag instead of probing history.
 * `scope` selects the incidences (alias i); one short range of idx_incidences_repeat per incidence; only rows whose
 * flag changes are written.
 */
export async function markRepeatFriction(db: CommonQueryMethods, scope: FragmentSqlToken): Promise<void> {
  await db.query(sql.unsafe`
    UPDATE incidences SET repeat_friction = decided.flag
    FROM (
      SELECT i.id, (i.user_id IS NOT NULL AND i.issue_category IS NOT NULL AND EXISTS (
        SELECT 1 FROM incidences p
        WHERE p.user_id = i.user_id AND p.issue_category IS NOT NULL AND lower(p.issue_category) = lower(i.issue_category)
          AND p.created_at >= i.created_at - interval '30 days' AND p.created_at < i.created_at)) AS flag
      FROM incidences i WHERE i.outcome <> 'IN_PROGRESS' AND (${scope})
    ) decided
    WHERE incidences.id = decided.id AND incidences.repeat_friction IS DISTINCT FROM decided.flag`);
}

/**
 * Re-decides the flag of an incidence just closed, and of its user's closed incidences that started in the 30 days
 * after it: categories are only known at resolution, so a later incidence resolved first was decided without it.
 */
export function markRepeatFrictionAround(db: CommonQueryMethods, incidenceId: string): Promise<void> {
  return markRepeatFriction(
    db,
    sql.fragment`i.id = ${incidenceId} OR EXISTS (
      SELECT 1 FROM incidences x WHERE x.id = ${incidenceId} AND x.user_id = i.user_id
        AND i.created_at > x.created_at AND i.created_at <= x.created_at + interval '30 days')`,
  );
}
