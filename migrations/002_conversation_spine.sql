-- What the conversation workflow needs beyond the PRD's schema.

-- Redelivered webhooks must not duplicate the timeline: every event carries a stable key
-- (Freshchat's message id, action+action_time, or a hash of the raw body).
ALTER TABLE incidence_timeline ADD COLUMN event_key VARCHAR(300);
ALTER TABLE incidence_timeline ADD COLUMN occurred_at TIMESTAMPTZ;
UPDATE incidence_timeline SET event_key = id::text, occurred_at = created_at WHERE event_key IS NULL;
ALTER TABLE incidence_timeline ALTER COLUMN event_key SET NOT NULL;
ALTER TABLE incidence_timeline ALTER COLUMN occurred_at SET NOT NULL;
ALTER TABLE incidence_timeline ADD CONSTRAINT uq_incidence_timeline_event UNIQUE (incidence_id, event_key);
CREATE INDEX idx_incidence_timeline_occurred_at ON incidence_timeline (incidence_id, occurred_at);

ALTER TABLE incidences ADD COLUMN freshchat_user_id VARCHAR(255);
ALTER TABLE incidences ADD COLUMN reopen_count INTEGER NOT NULL DEFAULT 0;
-- Resolutions and reopens are applied in action_time order; older ones only reach the timeline.
ALTER TABLE incidences ADD COLUMN last_state_change_at TIMESTAMPTZ;
ALTER TABLE incidences ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW();
CREATE INDEX idx_incidences_resolved_at ON incidences (resolved_at);
