//! Proton Authenticator's export (Settings → Export), as its `proton-authenticator` crate writes
//! it: `{"version": 1, "entries": [{"content": {"uri", "entry_type", "name"}, …}]}` with each
//! account as an `otpauth://` URI (or `steam://` for Steam), or, protected by a password,
//! `{"version": 1, "salt", "content"}`: the same JSON sealed with AES-256-GCM (nonce first,
//! associated data `proton.authenticator.export.v1`) under a key Argon2id derives (19 MiB,
//! 2 passes, 1 lane).

use base64::Engine as _;
use percent_encoding::percent_decode_str;
use secrecy::SecretString;
use serde::Deserialize;
use zeroize::Zeroizing;

use super::{Entries, Format, FormatError, aes256_gcm_open_with, argon2id_key, totp_field_account};
use crate::transfer::Incoming;

const APP: &str = "Proton Authenticator";
const ASSOCIATED_DATA: &[u8] = b"proton.authenticator.export.v1";

pub struct Proton;

#[derive(Deserialize)]
struct Export {
    version: u32,
    entries: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    content: Content,
}

#[derive(Deserialize)]
struct Content {
    uri: Zeroizing<String>,
    #[serde(default)]
    entry_type: String,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
struct Protected {
    version: u32,
    salt: String,
    content: String,
}

fn malformed(detail: impl Into<String>) -> FormatError {
    FormatError::Malformed {
        app: APP,
        detail: detail.into(),
    }
}

fn json(file: &[u8]) -> Option<serde_json::Value> {
    serde_json::from_slice::<serde_json::Value>(file).ok()
}

fn is_protected(json: &serde_json::Value) -> bool {
    json.get("version").is_some()
        && json.get("salt").is_some_and(|s| s.is_string())
        && json.get("content").is_some_and(|c| c.is_string())
        && json.get("entries").is_none()
}

impl Format for Proton {
    fn app(&self) -> &'static str {
        APP
    }

    fn recognises(&self, file: &[u8]) -> bool {
        json(file).is_some_and(|json| {
            is_protected(&json)
                || (json.get("version").is_some()
                    && json.get("entries").is_some_and(|entries| {
                        entries.as_array().is_some_and(|list| {
                            list.iter()
                                .all(|e| e.get("content").is_some_and(|c| c.get("uri").is_some()))
                        })
                    }))
        })
    }

    fn is_encrypted(&self, file: &[u8]) -> bool {
        json(file).is_some_and(|json| is_protected(&json))
    }

    fn read(&self, file: &[u8], password: Option<&SecretString>) -> Result<Incoming, FormatError> {
        let opened;
        let file = if self.is_encrypted(file) {
            let password = password.ok_or(FormatError::PasswordNeeded { app: APP })?;
            opened = open(file, password)?;
            &opened[..]
        } else {
            file
        };
        let export: Export = serde_json::from_slice(file)
            .map_err(|e| malformed(format!("its JSON is not an export's: {e}")))?;
        if export.version != 1 {
            return Err(FormatError::Unsupported {
                app: APP,
                detail: format!("is export format version {}", export.version),
            });
        }
        let mut entries = Entries::default();
        for entry in &export.entries {
            let content = &entry.content;
            let name = content.name.as_deref().unwrap_or_default();
            let account = if content.entry_type.eq_ignore_ascii_case("steam") {
                totp_field_account("Steam", name, &content.uri)
            } else {
                totp_field_account("", name, &content.uri)
            };
            entries.push(label(&content.uri, name), account);
        }
        entries.finish(APP)
    }
}

/// `issuer:name` from an `otpauth://` URI's path, for an entry that cannot be used (never the
/// query, which holds the secret); the entry's name for anything else.
fn label(uri: &str, name: &str) -> String {
    uri.strip_prefix("otpauth://")
        .and_then(|rest| rest.split_once('/'))
        .map(|(_, path)| path.split('?').next().unwrap_or_default())
        .map_or_else(
            || name.to_owned(),
            |path| percent_decode_str(path).decode_utf8_lossy().into_owned(),
        )
}

/// The JSON inside a password-protected export.
fn open(file: &[u8], password: &SecretString) -> Result<Zeroizing<Vec<u8>>, FormatError> {
    let protected: Protected = serde_json::from_slice(file)
        .map_err(|e| malformed(format!("its JSON is not a protected export's: {e}")))?;
    if protected.version != 1 {
        return Err(FormatError::Unsupported {
            app: APP,
            detail: format!("is protected with format version {}", protected.version),
        });
    }
    let base64 = base64::engine::general_purpose::STANDARD;
    let salt = base64
        .decode(protected.salt.trim())
        .map_err(|_| malformed("its salt is not base64"))?;
    let content = base64
        .decode(protected.content.trim())
        .map_err(|_| malformed("its content is not base64"))?;
    let (nonce, sealed) = content
        .split_at_checked(12)
        .ok_or_else(|| malformed("its content is too short"))?;
    // Fixed by the format, never read from the file.
    let key = argon2id_key(APP, password, &salt, 19 * 1024, 2, 1)?;
    aes256_gcm_open_with(key.as_ref(), nonce, sealed, ASSOCIATED_DATA)
        .ok_or(FormatError::WrongPassword { app: APP })
}

#[cfg(test)]
mod tests;
