-- Which conversations each reconciliation pass repaired, and how many events: the report's "events repaired" leads
-- to the incidences of these conversations.
CREATE TABLE reconciliation_repairs (
    pass_id BIGINT NOT NULL REFERENCES reconciliation_passes (id) ON DELETE CASCADE,
    conversation_id VARCHAR(255) NOT NULL,
    events INTEGER NOT NULL CHECK (events >= 0),
    PRIMARY KEY (pass_id, conversation_id)
);
CREATE INDEX idx_reconciliation_repairs_conversation ON reconciliation_repairs (conversation_id);
