//! Authenticator Pro's backups (Backup → Backup to file; the app is also published as Stratum),
//! as its repository's `doc/BACKUP_FORMAT.md` documents them: a JSON object whose
//! `Authenticators` list the accounts, or that JSON encrypted — since 2023 behind the header
//! `AUTHENTICATORPRO`, a 16-byte salt and a 12-byte IV with AES-256-GCM under Argon2id
//! (4 lanes, 3 passes, 64 MiB); before, behind `AuthenticatorPro`, a 20-byte salt and a 16-byte
//! IV with AES-256-CBC under PBKDF2-HMAC-SHA1 (64 000 rounds).

use aes::cipher::{BlockDecryptMut as _, KeyIvInit as _, block_padding::Pkcs7};
use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;
use zeroize::Zeroizing;

use super::{Entries, Format, FormatError, RawEntry, aes256_gcm_open, argon2id_key};
use crate::transfer::Incoming;

const APP: &str = "Authenticator Pro";
const STRONG_HEADER: &[u8] = b"AUTHENTICATORPRO";
const LEGACY_HEADER: &[u8] = b"AuthenticatorPro";
const LEGACY_ROUNDS: u32 = 64_000;

pub struct AuthenticatorPro;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Backup {
    authenticators: Vec<Authenticator>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Authenticator {
    #[serde(rename = "Type")]
    kind: u8,
    #[serde(default)]
    issuer: Option<String>,
    #[serde(default)]
    username: Option<String>,
    secret: Zeroizing<String>,
    #[serde(default)]
    algorithm: u8,
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

fn is_plain(file: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(file)
        .is_ok_and(|json| json.get("Authenticators").is_some_and(|a| a.is_array()))
}

impl Format for AuthenticatorPro {
    fn app(&self) -> &'static str {
        APP
    }

    fn recognises(&self, file: &[u8]) -> bool {
        file.starts_with(STRONG_HEADER) || file.starts_with(LEGACY_HEADER) || is_plain(file)
    }

    fn is_encrypted(&self, file: &[u8]) -> bool {
        file.starts_with(STRONG_HEADER) || file.starts_with(LEGACY_HEADER)
    }

    fn read(&self, file: &[u8], password: Option<&SecretString>) -> Result<Incoming, FormatError> {
        let plain;
        let json: &[u8] = if self.is_encrypted(file) {
            let password = password.ok_or(FormatError::PasswordNeeded { app: APP })?;
            plain = if file.starts_with(STRONG_HEADER) {
                open_strong(&file[STRONG_HEADER.len()..], password)?
            } else {
                open_legacy(&file[LEGACY_HEADER.len()..], password)?
            };
            &plain
        } else {
            file
        };
        let backup: Backup = serde_json::from_slice(json)
            .map_err(|e| malformed(format!("its JSON is not a backup's: {e}")))?;
        let mut entries = Entries::default();
        for authenticator in &backup.authenticators {
            let issuer = authenticator.issuer.as_deref().unwrap_or_default();
            let name = authenticator.username.as_deref().unwrap_or_default();
            let kind = match authenticator.kind {
                1 => "hotp",
                2 => "totp",
                3 => "mOTP",
                4 => "steam",
                5 => "Yandex",
                _ => "unknown",
            };
            let algorithm = match authenticator.algorithm {
                0 => "SHA1",
                1 => "SHA256",
                2 => "SHA512",
                _ => "unknown",
            };
            let raw = RawEntry {
                kind,
                issuer,
                name,
                algorithm,
                digits: authenticator.digits,
                period: authenticator.period,
                counter: authenticator.counter,
                secret: &authenticator.secret,
            };
            entries.push(raw.label(), raw.account());
        }
        entries.finish(APP)
    }
}

/// The current encryption: salt, IV, then AES-256-GCM (tag last) under Argon2id.
fn open_strong(body: &[u8], password: &SecretString) -> Result<Zeroizing<Vec<u8>>, FormatError> {
    let (salt, rest) = body
        .split_at_checked(16)
        .ok_or_else(|| malformed("it is shorter than its header"))?;
    let (iv, sealed) = rest
        .split_at_checked(12)
        .ok_or_else(|| malformed("it is shorter than its header"))?;
    // Fixed by the format, not read from the file: a file cannot make Sesame spend more.
    let key = argon2id_key(APP, password, salt, 64 * 1024, 3, 4)?;
    aes256_gcm_open(key.as_ref(), iv, sealed).ok_or(FormatError::WrongPassword { app: APP })
}

/// The legacy encryption: salt, IV, then AES-256-CBC with PKCS#7 padding under PBKDF2-SHA1.
/// CBC has no tag: a wrong password shows as bad padding or as bytes that are not JSON.
fn open_legacy(body: &[u8], password: &SecretString) -> Result<Zeroizing<Vec<u8>>, FormatError> {
    let (salt, rest) = body
        .split_at_checked(20)
        .ok_or_else(|| malformed("it is shorter than its header"))?;
    let (iv, ciphertext) = rest
        .split_at_checked(16)
        .ok_or_else(|| malformed("it is shorter than its header"))?;
    if ciphertext.is_empty() || ciphertext.len() % 16 != 0 {
        return Err(malformed("its encrypted part is not whole AES blocks"));
    }
    let mut key = Zeroizing::new([0u8; 32]);
    pbkdf2::pbkdf2_hmac::<sha1::Sha1>(
        password.expose_secret().as_bytes(),
        salt,
        LEGACY_ROUNDS,
        key.as_mut(),
    );
    let decryptor = cbc::Decryptor::<aes::Aes256>::new_from_slices(key.as_ref(), iv)
        .map_err(|_| malformed("its IV has the wrong length"))?;
    let plain = decryptor
        .decrypt_padded_vec_mut::<Pkcs7>(ciphertext)
        .map(Zeroizing::new)
        .map_err(|_| FormatError::WrongPassword { app: APP })?;
    if serde_json::from_slice::<serde::de::IgnoredAny>(&plain).is_err() {
        return Err(FormatError::WrongPassword { app: APP });
    }
    Ok(plain)
}

#[cfg(test)]
mod tests;
