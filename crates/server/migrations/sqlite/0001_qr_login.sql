-- Devices bound to an account, one Ed25519 key per origin (the server is one origin).
CREATE TABLE devices (
    id           TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL,
    public_key   BLOB NOT NULL,
    name         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    revoked      INTEGER NOT NULL DEFAULT 0
);

-- Login QR sessions. Every transition is an UPDATE … WHERE state = <expected>: compare-and-set.
CREATE TABLE qr_sessions (
    sid              TEXT PRIMARY KEY,
    challenge        TEXT NOT NULL,
    state            TEXT NOT NULL,
    version          INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL,
    browser_address  TEXT NOT NULL,
    user_agent       TEXT NOT NULL,
    bind_cookie_hash BLOB NOT NULL,
    device_id        TEXT,
    number           TEXT,
    number_attempts  INTEGER NOT NULL DEFAULT 0,
    ticket_hash      BLOB,
    ticket_expires   INTEGER,
    user_id          INTEGER
);

-- Signed-in browser sessions created by redeeming a ticket (stored hashed).
CREATE TABLE login_sessions (
    token_hash  BLOB PRIMARY KEY,
    user_id     INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);

-- Accounts. Passwords and TOTP enrolment come with the sign-in pages.
CREATE TABLE users (
    id        INTEGER PRIMARY KEY,
    username  TEXT NOT NULL UNIQUE
);
