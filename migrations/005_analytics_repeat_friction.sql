-- Analytics (issue 4), after 004 reached main: repeat friction is decided when an incidence is resolved and stored
-- (activities/repeat-friction.ts), so the weekly report counts a flag instead of probing each incidence's history.
-- A repeat friction issue: the same user had another incidence of the same category (case-insensitive) that started
-- in the 30 days before this one started.
ALTER TABLE incidences ADD COLUMN repeat_friction BOOLEAN NOT NULL DEFAULT FALSE;

-- The report's scan of a week's resolutions reads the flag from the covering index (it no longer needs the user and
-- start time there: the history probe moved to write time).
DROP INDEX idx_incidences_resolved_at;
CREATE INDEX idx_incidences_resolved_at ON incidences (resolved_at)
    INCLUDE (outcome, order_impact, issue_category, time_to_resolve_seconds, repeat_friction);

-- Incidences closed before this migration get their flag once (only the repeats are written).
UPDATE incidences i SET repeat_friction = TRUE
WHERE i.outcome <> 'IN_PROGRESS' AND i.user_id IS NOT NULL AND i.issue_category IS NOT NULL
  AND EXISTS (
    SELECT 1 FROM incidences p
    WHERE p.user_id = i.user_id AND p.issue_category IS NOT NULL AND lower(p.issue_category) = lower(i.issue_category)
      AND p.created_at >= i.created_at - interval '30 days' AND p.created_at < i.created_at);
