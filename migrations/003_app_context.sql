-- The app API (issue 3): friction signals are read by time (analytics) and per user over time.
CREATE INDEX idx_friction_signals_created_at ON friction_signals (created_at);
CREATE INDEX idx_friction_signals_user_created ON friction_signals (user_id, created_at);
