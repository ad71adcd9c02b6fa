-- A TOTP secret shown to the user and not yet confirmed with a code.
ALTER TABLE users ADD COLUMN totp_pending BLOB;
-- Whether this browser session passed the second factor (an account that has none yet signs in
-- with its password only, to enrol one, and can do nothing else).
ALTER TABLE login_sessions ADD COLUMN second_factor INTEGER NOT NULL DEFAULT 1;
