-- What keeps the incidence record true under faults (docs/record-guarantee.md).

-- An event PostgreSQL refused for its data (SQLSTATE classes 22 and 23) is kept here, and its conversation moves on.
-- `npm run dead-letters -- replay` hands it back to its conversation after a fix.
CREATE TABLE dead_letters (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    conversation_id VARCHAR(255) NOT NULL,
    event_key TEXT NOT NULL,
    -- The event as JSON text: JSONB would refuse the very values (\u0000) that bring some events here.
    event TEXT NOT NULL,
    step VARCHAR(50) NOT NULL,
    error TEXT NOT NULL,
    sqlstate VARCHAR(5),
    failures INTEGER NOT NULL DEFAULT 1,
    failed_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    replayed_at TIMESTAMPTZ,
    UNIQUE (conversation_id, event_key)
);
CREATE INDEX idx_dead_letters_pending ON dead_letters (failed_at) WHERE replayed_at IS NULL;

-- Event keys hold the conversation id (up to 255 characters) and an action time or hash: no fixed size fits.
ALTER TABLE incidence_timeline ALTER COLUMN event_key TYPE TEXT;

-- Agent and group follow the latest assignment (by its time); an assignment to a group queue clears the agent.
ALTER TABLE incidences
    ADD COLUMN group_id VARCHAR(255),
    ADD COLUMN assigned_at TIMESTAMPTZ;
