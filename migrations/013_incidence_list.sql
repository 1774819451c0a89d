-- The managers' incidences list pages through millions of rows by keyset: (sort key, id) in both orders.
CREATE INDEX idx_incidences_created_id ON incidences (created_at, id);
CREATE INDEX idx_incidences_cart_id ON incidences ((COALESCE(cart_value, -1)), id);
-- One agent's incidences, newest first (the agent filter).
CREATE INDEX idx_incidences_agent_created ON incidences (agent_id, created_at, id) WHERE agent_id IS NOT NULL;
