-- Analytics (issue 4): the orders feed, the stored "assisted" link, weekly reports, and indexes for the report SQL.

-- One row per order event; (order_id, event) makes the feed idempotent.
CREATE TABLE orders (
    order_id VARCHAR(255) NOT NULL,
    event VARCHAR(20) NOT NULL CHECK (event IN ('PLACED', 'MODIFIED', 'CANCELLED')),
    user_id VARCHAR(255) NOT NULL,
    value NUMERIC(12,2) NOT NULL CHECK (value >= 0),
    event_type VARCHAR(50),
    event_date DATE,
    placed_at TIMESTAMPTZ NOT NULL,
    received_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    PRIMARY KEY (order_id, event)
);
-- Covering: the report's range scans of a week's orders are index-only.
CREATE INDEX idx_orders_placed_at ON orders (placed_at) INCLUDE (order_id, event);
CREATE INDEX idx_orders_user_placed ON orders (user_id, placed_at);

-- Why an order counts as assisted, decided once (at order ingest, or when an incidence starts, names the order or
-- is resolved) and stored, so every report reads the same answer.
CREATE TABLE order_assists (
    order_id VARCHAR(255) NOT NULL,
    incidence_id UUID NOT NULL REFERENCES incidences (id) ON DELETE CASCADE,
    reason VARCHAR(30) NOT NULL CHECK (reason IN ('OPEN_INCIDENCE', 'RESOLVED_WITHIN_WINDOW', 'NAMED_ORDER')),
    linked_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    PRIMARY KEY (order_id, incidence_id)
);
CREATE INDEX idx_order_assists_incidence ON order_assists (incidence_id);

CREATE TABLE weekly_reports (
    iso_week TEXT PRIMARY KEY CHECK (iso_week ~ '^\d{4}-W\d{2}$'),
    report JSONB NOT NULL,
    html TEXT,
    computed_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    -- How many times this week was computed: proves that resolutions coalesce.
    computations INTEGER NOT NULL DEFAULT 1,
    emailed_at TIMESTAMPTZ
);

ALTER TABLE analytics_daily ADD COLUMN computed_at TIMESTAMPTZ NOT NULL DEFAULT NOW();

-- The report reads a week of incidences twice: by start (created_at) and by resolution (resolved_at). The plain
-- indexes from 001 and 002 become covering ones under the same names, so both are index-only range scans.
DROP INDEX idx_incidences_created_at;
CREATE INDEX idx_incidences_created_at ON incidences (created_at) INCLUDE (outcome, app_screen, issue_category);
DROP INDEX idx_incidences_resolved_at;
CREATE INDEX idx_incidences_resolved_at ON incidences (resolved_at)
    INCLUDE (outcome, order_impact, issue_category, time_to_resolve_seconds, user_id, created_at);
-- Repeat friction issues: earlier incidences of the same user and category, one short range per resolved incidence.
-- (issue_category is included so the probe is index-only: PostgreSQL cannot return a column from an expression.)
CREATE INDEX idx_incidences_repeat ON incidences (user_id, lower(issue_category), created_at) INCLUDE (issue_category)
    WHERE issue_category IS NOT NULL;
-- Assist links for an incidence's user (order ingest and incidence-side linking).
CREATE INDEX idx_incidences_user_created ON incidences (user_id, created_at);
CREATE INDEX idx_incidences_order_id ON incidences (order_id) WHERE order_id IS NOT NULL;
-- friction_signals (created_at) is indexed by 003_app_context.sql.
