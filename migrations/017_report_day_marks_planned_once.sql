-- The report-day triggers fire once per statement on a counted table, even for a statement that changed no row, and
-- a conversation's step writes several counted tables in one statement. Their SQL was planned again at every firing
-- (a dynamic EXECUTE, and a SQL function that cannot be inlined): most of the database's work for a new event. Here
-- it is static, so each session plans it once, and a table's instant column is read by name from the row's JSON.
-- What is marked is unchanged.

CREATE OR REPLACE FUNCTION incidences_mark_report_days() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO report_days_stale (date)
        SELECT DISTINCT report_day(t) FROM new_rows, unnest(ARRAY[created_at, resolved_at]) AS t WHERE t IS NOT NULL;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO report_days_stale (date)
        SELECT DISTINCT report_day(t) FROM old_rows, unnest(ARRAY[created_at, resolved_at]) AS t WHERE t IS NOT NULL;
    ELSE
        INSERT INTO report_days_stale (date)
        SELECT DISTINCT report_day(c.t) FROM (
            SELECT t
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
                  IS DISTINCT FROM (n.cart_value, n.event_type, lower(n.issue_category), n.agent_id)
        ) AS c (t)
        WHERE c.t IS NOT NULL;
    END IF;
    RETURN NULL;
END $$;

-- TG_ARGV[0]: the column whose instant a table's rows count at; assist links count on their order's day.
CREATE OR REPLACE FUNCTION rows_mark_report_days() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_TABLE_NAME = 'order_assists' THEN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO report_days_stale (date)
            SELECT DISTINCT report_day(o.placed_at) FROM new_rows a JOIN orders o USING (order_id)
            WHERE o.placed_at IS NOT NULL;
        ELSIF TG_OP = 'DELETE' THEN
            INSERT INTO report_days_stale (date)
            SELECT DISTINCT report_day(o.placed_at) FROM old_rows a JOIN orders o USING (order_id)
            WHERE o.placed_at IS NOT NULL;
        ELSE
            INSERT INTO report_days_stale (date)
            SELECT DISTINCT report_day(c.t) FROM (
                SELECT o.placed_at FROM old_rows a JOIN orders o USING (order_id)
                UNION SELECT o.placed_at FROM new_rows a JOIN orders o USING (order_id)
            ) AS c (t)
            WHERE c.t IS NOT NULL;
        END IF;
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO report_days_stale (date)
        SELECT DISTINCT report_day(c.t)
        FROM (SELECT (to_jsonb(n) ->> TG_ARGV[0])::timestamptz FROM new_rows n) AS c (t)
        WHERE c.t IS NOT NULL;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO report_days_stale (date)
        SELECT DISTINCT report_day(c.t)
        FROM (SELECT (to_jsonb(o) ->> TG_ARGV[0])::timestamptz FROM old_rows o) AS c (t)
        WHERE c.t IS NOT NULL;
    ELSE
        INSERT INTO report_days_stale (date)
        SELECT DISTINCT report_day(c.t) FROM (
            SELECT (to_jsonb(o) ->> TG_ARGV[0])::timestamptz FROM old_rows o
            UNION SELECT (to_jsonb(n) ->> TG_ARGV[0])::timestamptz FROM new_rows n
        ) AS c (t)
        WHERE c.t IS NOT NULL;
    END IF;
    RETURN NULL;
END $$;
