-- Sign-in with password + TOTP (the server's own second factor).
ALTER TABLE users ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_secret BLOB;
-- The last TOTP step accepted: a code is never accepted twice (RFC 6238 §5.2).
ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN failures_since INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN lock_seconds INTEGER NOT NULL DEFAULT 0;

-- When the browser session last passed password + TOTP (binding needs it within 5 minutes).
ALTER TABLE login_sessions ADD COLUMN reauth_at INTEGER NOT NULL DEFAULT 0;

-- A device is usable once the user typed its pairing code in the browser.
ALTER TABLE devices ADD COLUMN active INTEGER NOT NULL DEFAULT 1;

CREATE TABLE bindings (
    id                  TEXT PRIMARY KEY,
    user_id             INTEGER NOT NULL,
    secret_hash         BLOB NOT NULL,
    state               TEXT NOT NULL,          -- pending, claimed, active, cancelled
    created_at          INTEGER NOT NULL,
    expires_at          INTEGER NOT NULL,
    device_id           TEXT,
    claim_address       TEXT,
    pairing_code        TEXT,
    pairing_attempts    INTEGER NOT NULL DEFAULT 0
);
