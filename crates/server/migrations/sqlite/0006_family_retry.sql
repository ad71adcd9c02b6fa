-- The device that was asked to scan again over the browser's address family (IPv4 or IPv6). A
-- second scan from it over the other family means it cannot reach the server the browser's way:
-- a mismatch.
ALTER TABLE qr_sessions ADD COLUMN family_asked_of TEXT;
