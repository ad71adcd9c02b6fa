-- What the account page shows: when and from where each device last signed a request, and the
-- recent sign-ins, so a user notices a device or a sign-in that is not theirs.
ALTER TABLE devices ADD COLUMN last_used_at INTEGER;
ALTER TABLE devices ADD COLUMN last_address TEXT;
CREATE TABLE sign_ins (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    method      TEXT NOT NULL,          -- password, password_and_code, sesame
    address     TEXT NOT NULL,
    user_agent  TEXT NOT NULL
);
CREATE INDEX sign_ins_user ON sign_ins (user_id, at);
