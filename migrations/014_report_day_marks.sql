-- A change marks its report day stale with a mark of its own, committed with the change. Before, a day already
-- stale kept its one mark (ON CONFLICT DO NOTHING): the refresher could delete that mark and count the day without a
-- change still uncommitted, and the change's commit then left the day "fresh" without it. Now a mark the refresher
-- cannot see (uncommitted when it deletes) survives it, and its change is counted at the next refresh; writers never
-- wait for each other or for the refresher on a day's mark.
ALTER TABLE report_days_stale DROP CONSTRAINT report_days_stale_pkey;
ALTER TABLE report_days_stale ADD COLUMN id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
CREATE INDEX idx_report_days_stale_date ON report_days_stale (date);

CREATE OR REPLACE FUNCTION mark_report_days_stale(instants TIMESTAMPTZ[]) RETURNS void
    LANGUAGE sql
    AS $$
        INSERT INTO report_days_stale (date)
        SELECT DISTINCT report_day(t) FROM unnest(instants) AS t WHERE t IS NOT NULL
    $$;
