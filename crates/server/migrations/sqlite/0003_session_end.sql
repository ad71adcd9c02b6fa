-- When a login session reached a terminal state (rejected, expired, consumed): it is answered
-- for 10 minutes more, then forgotten (404), as the protocol says.
ALTER TABLE qr_sessions ADD COLUMN ended_at INTEGER;
CREATE INDEX qr_sessions_ended ON qr_sessions (ended_at) WHERE ended_at IS NOT NULL;
