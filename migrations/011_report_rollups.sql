-- Report rollups: each India-time day's report figures are stored in report_days (stores/report-days.ts), so a
-- week's report merges seven small rows. A day whose rows change is marked stale in report_days_stale, by triggers
-- on every table the report counts, and is counted again from raw rows before it is used.

CREATE TABLE report_days (
    date DATE PRIMARY KEY,
    figures JSONB NOT NULL,
    computed_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

-- The daily aggregation's response times, SLAs met and commerce figures of the day (domain/support-metrics.ts).
ALTER TABLE analytics_daily ADD COLUMN support JSONB;

CREATE TABLE report_days_stale (
    date DATE PRIMARY KEY,
    marked_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

-- The report's calendar day of an instant (reports are cut in India time, domain/iso-week.ts).
CREATE FUNCTION report_day(at TIMESTAMPTZ) RETURNS DATE
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT (at AT TIME ZONE 'Asia/Kolkata')::date $$;

CREATE FUNCTION mark_report_days_stale(instants TIMESTAMPTZ[]) RETURNS void
    LANGUAGE sql
    AS $$
        INSERT INTO report_days_stale (date)
        SELECT DISTINCT report_day(t) FROM unnest(instants) AS t WHERE t IS NOT NULL ORDER BY 1
        ON CONFLICT (date) DO NOTHING
    $$;

-- Incidences count on the day they started (created_at) and the day they were resolved (resolved_at); their SLA
-- targets on the day each was settled, under the incidence's cart value, event type, category and agent.
CREATE FUNCTION incidences_mark_report_days() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM mark_report_days_stale(ARRAY(SELECT DISTINCT t FROM new_rows, unnest(ARRAY[created_at, resolved_at]) AS t));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM mark_report_days_stale(ARRAY(SELECT DISTINCT t FROM old_rows, unnest(ARRAY[created_at, resolved_at]) AS t));
    ELSE
        PERFORM mark_report_days_stale(ARRAY(
            SELECT DISTINCT t
            FROM old_rows o JOIN new_rows n USING (id),
                 unnest(ARRAY[o.created_at, o.resolved_at, n.created_at, n.resolved_at]) AS t
            WHERE (o.created_at, o.resolved_at, o.outcome, o.order_impact, o.issue_category, o.app_screen,
                   o.time_to_resolve_seconds, o.time_to_resolve_business_seconds, o.repeat_friction, o.reopen_count,
                   o.cart_value, o.first_response_seconds)
                  IS DISTINCT FROM
                  (n.created_at, n.resolved_at, n.outcome, n.order_impact, n.issue_category, n.app_screen,
                   n.time_to_resolve_seconds, n.time_to_resolve_business_seconds, n.repeat_friction, n.reopen_count,
                   n.cart_value, n.first_response_seconds)
            UNION
            SELECT s.settled_at
            FROM old_rows o JOIN new_rows n USING (id) JOIN sla_targets s ON s.incidence_id = n.id
            WHERE s.settled_at IS NOT NULL
              AND (o.cart_value, o.event_type, lower(o.issue_category), o.agent_id)
                  IS DISTINCT FROM (n.cart_value, n.event_type, lower(n.issue_category), n.agent_id)));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER incidences_report_days_insert AFTER INSERT ON incidences
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION incidences_mark_report_days();
CREATE TRIGGER incidences_report_days_update AFTER UPDATE ON incidences
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION incidences_mark_report_days();
CREATE TRIGGER incidences_report_days_delete AFTER DELETE ON incidences
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION incidences_mark_report_days();

-- Every other counted table: TG_ARGV[0] is the column whose instant its rows count at. Assist links count on their
-- order's day.
CREATE FUNCTION rows_mark_report_days() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    instants TEXT := CASE
        WHEN TG_TABLE_NAME = 'order_assists' THEN 'SELECT o.placed_at FROM %1$s a JOIN orders o USING (order_id)'
        ELSE format('SELECT %I FROM %%1$s', TG_ARGV[0]) END;
    changed TEXT := CASE TG_OP
        WHEN 'INSERT' THEN format(instants, 'new_rows')
        WHEN 'DELETE' THEN format(instants, 'old_rows')
        ELSE format(instants, 'old_rows') || ' UNION ' || format(instants, 'new_rows') END;
BEGIN
    EXECUTE format('SELECT mark_report_days_stale(ARRAY(SELECT DISTINCT t FROM (%s) AS c (t)))', changed);
    RETURN NULL;
END $$;

DO $$
DECLARE
    t TEXT[];
BEGIN
    FOREACH t SLICE 1 IN ARRAY ARRAY[['orders', 'placed_at'], ['friction_signals', 'created_at'],
                                    ['response_times', 'answered_at'], ['sla_targets', 'settled_at'],
                                    ['order_assists', 'order_id']] LOOP
        EXECUTE format('CREATE TRIGGER %1$s_report_days_insert AFTER INSERT ON %1$I REFERENCING NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION rows_mark_report_days(%2$L)', t[1], t[2]);
        EXECUTE format('CREATE TRIGGER %1$s_report_days_delete AFTER DELETE ON %1$I REFERENCING OLD TABLE AS old_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION rows_mark_report_days(%2$L)', t[1], t[2]);
        EXECUTE format('CREATE TRIGGER %1$s_report_days_update AFTER UPDATE ON %1$I
                        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION rows_mark_report_days(%2$L)', t[1], t[2]);
    END LOOP;
END $$;

-- Counting a day from raw rows: the resolutions' covering index gains the new figures' columns.
DROP INDEX idx_incidences_resolved_at;
CREATE INDEX idx_incidences_resolved_at ON incidences (resolved_at)
    INCLUDE (outcome, order_impact, issue_category, time_to_resolve_seconds, repeat_friction,
             time_to_resolve_business_seconds, reopen_count, cart_value, first_response_seconds);
CREATE INDEX idx_sla_targets_settled_at ON sla_targets (settled_at) WHERE status IN ('MET', 'MISSED');

-- Open conversations now: the live overview and cart value at risk.
CREATE INDEX idx_incidences_open ON incidences (created_at) INCLUDE (cart_value, first_response_at)
    WHERE outcome = 'IN_PROGRESS';
