-- Response times and SLAs. Definitions of every figure: docs/metrics.md.
-- Written by the conversation workflow (through activities) as the timeline grows; read by reports and the export.

ALTER TABLE incidences
    -- Latest care cycle's first response (customer's first message, or the reopen, to the first human agent reply).
    ADD COLUMN first_response_seconds INTEGER CHECK (first_response_seconds >= 0),
    ADD COLUMN first_response_business_seconds INTEGER CHECK (first_response_business_seconds >= 0),
    ADD COLUMN first_response_at TIMESTAMPTZ,
    -- Whole-life time to resolve in business hours (time_to_resolve_seconds is its calendar twin).
    ADD COLUMN time_to_resolve_business_seconds INTEGER CHECK (time_to_resolve_business_seconds >= 0),
    -- The SLA policy applied (name from SLA_POLICY_FILE) and its overall status.
    ADD COLUMN sla_policy VARCHAR(100),
    ADD COLUMN sla_status VARCHAR(10) CHECK (sla_status IN ('ACTIVE', 'MET', 'MISSED')),
    ADD COLUMN sla_next_due_at TIMESTAMPTZ;

-- Every measured response: one row per human agent reply that answered waiting customer messages.
CREATE TABLE response_times (
    incidence_id UUID NOT NULL REFERENCES incidences (id) ON DELETE CASCADE,
    kind VARCHAR(5) NOT NULL CHECK (kind IN ('FIRST', 'NEXT')),
    care_cycle INTEGER NOT NULL CHECK (care_cycle >= 0),
    waiting_since TIMESTAMPTZ NOT NULL,
    answered_at TIMESTAMPTZ NOT NULL,
    seconds INTEGER NOT NULL CHECK (seconds >= 0),
    business_seconds INTEGER NOT NULL CHECK (business_seconds >= 0),
    PRIMARY KEY (incidence_id, answered_at, kind)
);
CREATE INDEX idx_response_times_answered_at ON response_times (answered_at);

-- Every SLA target a conversation was given, and what became of it.
CREATE TABLE sla_targets (
    incidence_id UUID NOT NULL REFERENCES incidences (id) ON DELETE CASCADE,
    target VARCHAR(15) NOT NULL CHECK (target IN ('FIRST_RESPONSE', 'NEXT_RESPONSE', 'RESOLUTION')),
    started_at TIMESTAMPTZ NOT NULL,
    policy VARCHAR(100) NOT NULL,
    due_at TIMESTAMPTZ NOT NULL,
    status VARCHAR(10) NOT NULL CHECK (status IN ('ACTIVE', 'MET', 'MISSED', 'CANCELLED')),
    settled_at TIMESTAMPTZ,
    PRIMARY KEY (incidence_id, target, started_at)
);
CREATE INDEX idx_sla_targets_due_at ON sla_targets (due_at) WHERE status = 'ACTIVE';
