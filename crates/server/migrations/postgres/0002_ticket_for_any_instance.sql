-- The minted ticket itself, until the browser's first poll takes it (cleared then, and with the
-- session's end): any instance may answer that poll. It alone signs no one in — redeeming it
-- needs the session's bind cookie, of which only the hash is stored.
ALTER TABLE qr_sessions ADD COLUMN ticket TEXT;
