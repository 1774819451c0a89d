-- Reconciliation against Freshchat's REST API: one row per pass, and where the scheduled sweep stopped.

CREATE TABLE reconciliation_passes (
    id BIGSERIAL PRIMARY KEY,
    -- The Temporal run of the pass: a retried start activity finds its row again.
    run_id VARCHAR(100) NOT NULL UNIQUE,
    trigger VARCHAR(10) NOT NULL CHECK (trigger IN ('SCHEDULE', 'MANUAL')),
    started_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    finished_at TIMESTAMPTZ,
    -- Where the sweep started and where it stopped (NULL: it ran to the end). Text like 'conversations:<id>'.
    resumed_from VARCHAR(300),
    stopped_at VARCHAR(300),
    conversations_checked INTEGER NOT NULL DEFAULT 0,
    -- Conversations found through their users that we had never seen.
    conversations_discovered INTEGER NOT NULL DEFAULT 0,
    messages_repaired INTEGER NOT NULL DEFAULT 0,
    assignments_repaired INTEGER NOT NULL DEFAULT 0,
    resolutions_repaired INTEGER NOT NULL DEFAULT 0,
    reopens_repaired INTEGER NOT NULL DEFAULT 0,
    -- 429 answers waited out, and Freshchat messages that could not become events.
    rate_limited INTEGER NOT NULL DEFAULT 0,
    unreadable_messages INTEGER NOT NULL DEFAULT 0,
    error TEXT
);
CREATE INDEX idx_reconciliation_passes_started_at ON reconciliation_passes (started_at);

-- The scheduled sweep's resumable cursor (one row).
CREATE TABLE reconciliation_cursor (
    id BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (id),
    phase VARCHAR(20) NOT NULL CHECK (phase IN ('conversations', 'users')),
    after_key VARCHAR(300),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
