//! andOTP's backups (Backups → Backup (plain) or Backup (encrypted)): a JSON list of entries, or,
//! encrypted since andOTP 0.6.3, a binary file — a 4-byte big-endian PBKDF2 iteration count, a
//! 12-byte salt, a 12-byte IV, then the list sealed with AES-256-GCM (tag last) under a key
//! PBKDF2-HMAC-SHA1 derives from the password.

use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;
use zeroize::Zeroizing;

use super::{Entries, Format, FormatError, RawEntry, aes256_gcm_open};
use crate::transfer::Incoming;

const APP: &str = "andOTP";
const HEADER: usize = 4 + 12 + 12;
/// The iteration counts accepted: andOTP picks one between 140 000 and 160 000. A count outside
/// this range is taken for another kind of file (an image's first bytes read as a count fall far
/// outside it), and a hostile file cannot make Sesame spin for minutes.
const ITERATIONS: std::ops::RangeInclusive<u32> = 1_000..=5_000_000;

pub struct AndOtp;

#[derive(Deserialize)]
struct Entry {
    secret: Zeroizing<String>,
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    label: String,
    #[serde(rename = "type", default = "super::defaults::totp")]
    kind: String,
    #[serde(default = "super::defaults::sha1")]
    algorithm: String,
    #[serde(default = "super::defaults::six")]
    digits: u8,
    #[serde(default = "super::defaults::thirty")]
    period: u32,
    #[serde(default)]
    counter: u64,
}

fn malformed(detail: impl Into<String>) -> FormatError {
    FormatError::Malformed {
        app: APP,
        detail: detail.into(),
    }
}

/// Whether `file` is a plain backup: a JSON list whose entries have andOTP's fields.
fn is_plain(file: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(file).is_ok_and(|json| {
        json.as_array().is_some_and(|entries| {
            entries.first().is_some_and(|first| {
                first.get("secret").is_some()
                    && first.get("type").is_some()
                    && first.get("label").is_some()
            })
        })
    })
}

/// The iteration count of an encrypted backup, if `file` has the shape of one: binary, long
/// enough for its header and a tag, and a plausible count first.
fn encrypted_iterations(file: &[u8]) -> Option<u32> {
    if file.len() < HEADER + 16 || std::str::from_utf8(file).is_ok() {
        return None;
    }
    let count = u32::from_be_bytes(file.get(..4)?.try_into().ok()?);
    ITERATIONS.contains(&count).then_some(count)
}

impl Format for AndOtp {
    fn app(&self) -> &'static str {
        APP
    }

    fn recognises(&self, file: &[u8]) -> bool {
        is_plain(file) || encrypted_iterations(file).is_some()
    }

    fn is_encrypted(&self, file: &[u8]) -> bool {
        !is_plain(file) && encrypted_iterations(file).is_some()
    }

    fn read(&self, file: &[u8], password: Option<&SecretString>) -> Result<Incoming, FormatError> {
        let plain;
        let list: &[u8] = if is_plain(file) {
            file
        } else {
            let iterations = encrypted_iterations(file)
                .ok_or_else(|| malformed("it is neither a JSON list nor an encrypted backup"))?;
            let password = password.ok_or(FormatError::PasswordNeeded { app: APP })?;
            let (salt, rest) = file[4..].split_at(12);
            let (iv, sealed) = rest.split_at(12);
            let mut key = Zeroizing::new([0u8; 32]);
            pbkdf2::pbkdf2_hmac::<sha1::Sha1>(
                password.expose_secret().as_bytes(),
                salt,
                iterations,
                key.as_mut(),
            );
            // GCM cannot tell a wrong key from altered data; a wrong password is the likelier.
            plain = aes256_gcm_open(key.as_slice(), iv, sealed)
                .ok_or(FormatError::WrongPassword { app: APP })?;
            &plain
        };
        let entries: Vec<Entry> = serde_json::from_slice(list)
            .map_err(|e| malformed(format!("its entries are not andOTP's: {e}")))?;
        let mut read = Entries::default();
        for entry in &entries {
            let raw = RawEntry {
                kind: &entry.kind,
                issuer: &entry.issuer,
                name: &entry.label,
                algorithm: &entry.algorithm,
                digits: entry.digits,
                period: entry.period,
                counter: entry.counter,
                secret: &entry.secret,
            };
            read.push(raw.label(), raw.account());
        }
        read.finish(APP)
    }
}

#[cfg(test)]
mod tests;
