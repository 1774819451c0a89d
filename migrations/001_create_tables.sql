-- The PRD's four tables (section 3.3) in PostgreSQL: inline INDEX clauses became CREATE INDEX,
-- timestamps carry a time zone (reports are cut in India time), and enums are CHECK constraints.
CREATE EXTENSION IF NOT EXISTS pgcrypto;

CREATE TABLE incidences (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    -- Nullable, unlike the PRD: a state change can reach us before we know the user (Freshchat decision 8).
    user_id VARCHAR(255),
    order_id VARCHAR(255),
    conversation_id VARCHAR(255) NOT NULL UNIQUE,

    stage VARCHAR(20) NOT NULL CHECK (stage IN ('PRE_ORDER', 'POST_ORDER')),
    channel VARCHAR(20) NOT NULL CHECK (channel IN ('IN_APP_CHAT', 'CALL', 'WHATSAPP')),
    trigger VARCHAR(20) NOT NULL CHECK (trigger IN ('USER_INITIATED', 'SYSTEM_INITIATED')),

    app_screen VARCHAR(100),
    cart_value DECIMAL(12,2),
    guest_count INTEGER,
    event_type VARCHAR(50),
    friction_score DECIMAL(5,2),

    outcome VARCHAR(20) NOT NULL DEFAULT 'IN_PROGRESS'
        CHECK (outcome IN ('RESOLVED', 'DROPPED', 'CONVERTED', 'IN_PROGRESS')),
    issue_category VARCHAR(100),
    root_cause TEXT,
    resolution_type VARCHAR(100),
    order_impact VARCHAR(20) CHECK (order_impact IN ('PLACED', 'MODIFIED', 'LOST', 'NONE')),

    agent_id VARCHAR(255),
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    resolved_at TIMESTAMPTZ,
    time_to_resolve_seconds INTEGER CHECK (time_to_resolve_seconds >= 0)
);
CREATE INDEX idx_incidences_user_id ON incidences (user_id);
CREATE INDEX idx_incidences_created_at ON incidences (created_at);
CREATE INDEX idx_incidences_outcome ON incidences (outcome);

CREATE TABLE incidence_timeline (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    incidence_id UUID NOT NULL REFERENCES incidences (id) ON DELETE CASCADE,

    event_type VARCHAR(50) NOT NULL,
    actor VARCHAR(20) NOT NULL CHECK (actor IN ('USER', 'AGENT', 'SYSTEM')),
    content TEXT,
    metadata JSONB,

    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX idx_incidence_timeline_incidence_id ON incidence_timeline (incidence_id);

CREATE TABLE friction_signals (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id VARCHAR(255) NOT NULL,
    session_id VARCHAR(255) NOT NULL,

    signal_type VARCHAR(50) NOT NULL,
    value DECIMAL(10,2),
    screen VARCHAR(100),

    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX idx_friction_signals_user_session ON friction_signals (user_id, session_id);

CREATE TABLE analytics_daily (
    date DATE PRIMARY KEY,

    total_orders INTEGER,
    orders_without_help INTEGER,
    orders_with_help INTEGER,

    total_incidences INTEGER,
    avg_time_to_resolve_seconds INTEGER,

    top_issue_categories JSONB,
    top_friction_screens JSONB,

    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
