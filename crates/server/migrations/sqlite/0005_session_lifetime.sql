-- A browser session ends 30 minutes after its last request, and 12 hours after it began.
ALTER TABLE login_sessions ADD COLUMN last_seen INTEGER NOT NULL DEFAULT 0;
