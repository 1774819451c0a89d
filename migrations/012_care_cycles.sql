-- Time to resolve per care cycle (definition: docs/metrics.md): one row per cycle, rewritten with the response times.
CREATE TABLE care_cycles (
    incidence_id UUID NOT NULL REFERENCES incidences (id) ON DELETE CASCADE,
    care_cycle INTEGER NOT NULL CHECK (care_cycle >= 0),
    started_at TIMESTAMPTZ NOT NULL,
    -- Null while the cycle is open and for a cycle closed for silence (no time to resolve).
    resolved_at TIMESTAMPTZ,
    seconds INTEGER CHECK (seconds >= 0),
    business_seconds INTEGER CHECK (business_seconds >= 0),
    PRIMARY KEY (incidence_id, care_cycle)
);
