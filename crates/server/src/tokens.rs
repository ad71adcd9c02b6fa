//! Random tokens (session ids, challenges, cookies, tickets) and how the secret ones are stored.

use rand::RngCore as _;
use sha2::{Digest as _, Sha256};

/// `n` random bytes from the OS, base64url.
pub fn random_token(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    sesame_protocol::message::b64(&bytes)
}

/// How secrets (cookies, tickets) are stored: their SHA-256, so a copy of the database lets
/// no one act as the browser.
pub fn digest(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}
