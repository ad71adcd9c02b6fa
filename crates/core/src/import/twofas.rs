//! 2FAS Authenticator's backup (Settings → 2FAS Backup → Export to file, a `.2fas` file),
//! plain or encrypted: a JSON object whose `services` list the accounts, or whose
//! `servicesEncrypted` holds them as `base64(ciphertext and tag):base64(salt):base64(iv)`,
//! AES-256-GCM under a key PBKDF2-HMAC-SHA256 derives from the password in 10 000 rounds.

use base64::Engine as _;
use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;
use zeroize::Zeroizing;

use super::{Entries, Format, FormatError, RawEntry, aes256_gcm_open};
use crate::transfer::Incoming;

const APP: &str = "2FAS";
const PBKDF2_ROUNDS: u32 = 10_000;

pub struct TwoFas;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Backup {
    #[serde(default)]
    services: Vec<Service>,
    services_encrypted: Option<String>,
}

#[derive(Deserialize)]
struct Service {
    #[serde(default)]
    name: String,
    secret: Zeroizing<String>,
    #[serde(default)]
    otp: Otp,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Otp {
    issuer: Option<String>,
    account: Option<String>,
    label: Option<String>,
    digits: Option<u8>,
    period: Option<u32>,
    algorithm: Option<String>,
    token_type: Option<String>,
    counter: Option<u64>,
}

fn malformed(detail: impl Into<String>) -> FormatError {
    FormatError::Malformed {
        app: APP,
        detail: detail.into(),
    }
}

fn parse(file: &[u8]) -> Result<Backup, FormatError> {
    serde_json::from_slice(file)
        .map_err(|e| malformed(format!("its JSON is not a 2FAS backup's: {e}")))
}

fn encrypted_part(backup: &Backup) -> Option<&str> {
    backup
        .services_encrypted
        .as_deref()
        .filter(|sealed| !sealed.trim().is_empty())
}

impl Format for TwoFas {
    fn app(&self) -> &'static str {
        APP
    }

    fn recognises(&self, file: &[u8]) -> bool {
        serde_json::from_slice::<serde_json::Value>(file).is_ok_and(|json| {
            json.get("schemaVersion").is_some()
                && (json.get("services").is_some() || json.get("servicesEncrypted").is_some())
        })
    }

    fn is_encrypted(&self, file: &[u8]) -> bool {
        parse(file).is_ok_and(|backup| encrypted_part(&backup).is_some())
    }

    fn read(&self, file: &[u8], password: Option<&SecretString>) -> Result<Incoming, FormatError> {
        let backup = parse(file)?;
        let services = match encrypted_part(&backup) {
            Some(sealed) => {
                let password = password.ok_or(FormatError::PasswordNeeded { app: APP })?;
                let plain = open(sealed, password)?;
                serde_json::from_slice::<Vec<Service>>(&plain).map_err(|e| {
                    malformed(format!("its decrypted services are not a 2FAS list: {e}"))
                })?
            }
            None => backup.services,
        };
        let mut entries = Entries::default();
        for service in &services {
            let otp = &service.otp;
            let raw = RawEntry {
                kind: otp.token_type.as_deref().unwrap_or("TOTP"),
                issuer: otp
                    .issuer
                    .as_deref()
                    .filter(|i| !i.trim().is_empty())
                    .unwrap_or(&service.name),
                name: otp
                    .account
                    .as_deref()
                    .or(otp.label.as_deref())
                    .unwrap_or_default(),
                algorithm: otp.algorithm.as_deref().unwrap_or("SHA1"),
                digits: otp.digits.unwrap_or(6),
                period: otp.period.unwrap_or(30),
                counter: otp.counter.unwrap_or(0),
                secret: &service.secret,
            };
            entries.push(raw.label(), raw.account());
        }
        entries.finish(APP)
    }
}

/// The decrypted services list.
fn open(sealed: &str, password: &SecretString) -> Result<Zeroizing<Vec<u8>>, FormatError> {
    let parts: Vec<&str> = sealed.trim().split(':').collect();
    let [ciphertext, salt, iv] = parts.as_slice() else {
        return Err(malformed(
            "its servicesEncrypted is not three base64 parts (data:salt:iv)",
        ));
    };
    let decode = |part: &str, what: &str| {
        base64::engine::general_purpose::STANDARD
            .decode(part)
            .map(Zeroizing::new)
            .map_err(|_| malformed(format!("the {what} of its servicesEncrypted is not base64")))
    };
    let (ciphertext, salt, iv) = (
        decode(ciphertext, "data")?,
        decode(salt, "salt")?,
        decode(iv, "iv")?,
    );
    if iv.len() != 12 || ciphertext.len() < 16 {
        return Err(malformed("its servicesEncrypted is too short to be sealed"));
    }
    let mut key = Zeroizing::new([0u8; 32]);
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(
        password.expose_secret().as_bytes(),
        &salt,
        PBKDF2_ROUNDS,
        key.as_mut(),
    );
    // GCM cannot tell a wrong key from altered data; a wrong password is by far the likelier.
    aes256_gcm_open(key.as_slice(), &iv, &ciphertext).ok_or(FormatError::WrongPassword { app: APP })
}

#[cfg(test)]
mod tests;
