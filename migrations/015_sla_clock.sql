-- The conversation's response clock as its last SLA step left it (docs/slas.md): with sla_targets, the stored record
-- every SLA step continues from, whichever workflow run takes it.
ALTER TABLE incidences ADD COLUMN sla_clock JSONB;
