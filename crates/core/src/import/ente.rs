//! Ente Auth's encrypted export (Settings → Data → Export codes → Ente Encrypted export), as
//! Ente documents it (`docs/docs/auth/migration/export.md`): `{"version": 1, "kdfParams":
//! {"memLimit", "opsLimit", "salt"}, "encryptedData", "encryptionNonce"}` — the account URIs one
//! per line, sealed with libsodium's XChaCha20-Poly1305 secretstream under a key Argon2id
//! derives with the file's limits. Ente's plain export is already a file of URIs.

mod secretstream;

use base64::Engine as _;
use secrecy::SecretString;
use serde::Deserialize;
use zeroize::Zeroizing;

use super::{Format, FormatError, argon2id_key};
use crate::transfer::{ImportError, Incoming};

const APP: &str = "Ente Auth";
/// The most an export may ask Argon2id for: 1 GiB, with which Ente starts on a phone, and no
/// more than 1 GiB × 4 passes in all (Ente halves the memory and doubles the passes on a
/// phone that lacks it). A hostile file cannot make Sesame allocate or spin beyond that.
const MAX_MEMORY_BYTES: u64 = 1 << 30;
const MAX_MEMORY_TIMES_PASSES: u64 = 4 << 30;

pub struct Ente;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Export {
    version: u32,
    kdf_params: KdfParams,
    encrypted_data: String,
    encryption_nonce: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KdfParams {
    mem_limit: u64,
    ops_limit: u64,
    salt: String,
}

fn malformed(detail: impl Into<String>) -> FormatError {
    FormatError::Malformed {
        app: APP,
        detail: detail.into(),
    }
}

impl Format for Ente {
    fn app(&self) -> &'static str {
        APP
    }

    fn recognises(&self, file: &[u8]) -> bool {
        serde_json::from_slice::<serde_json::Value>(file).is_ok_and(|json| {
            json.get("kdfParams").is_some()
                && json.get("encryptedData").is_some()
                && json.get("encryptionNonce").is_some()
        })
    }

    fn is_encrypted(&self, _file: &[u8]) -> bool {
        true
    }

    fn read(&self, file: &[u8], password: Option<&SecretString>) -> Result<Incoming, FormatError> {
        let export: Export = serde_json::from_slice(file)
            .map_err(|e| malformed(format!("its JSON is not an export's: {e}")))?;
        if export.version != 1 {
            return Err(FormatError::Unsupported {
                app: APP,
                detail: format!("is export format version {}", export.version),
            });
        }
        let password = password.ok_or(FormatError::PasswordNeeded { app: APP })?;
        let key = derive_key(&export.kdf_params, password)?;
        let base64 = base64::engine::general_purpose::STANDARD;
        let header: [u8; secretstream::HEADER_BYTES] = base64
            .decode(export.encryption_nonce.trim())
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or_else(|| malformed("its encryptionNonce is not 24 bytes of base64"))?;
        let sealed = base64
            .decode(export.encrypted_data.trim())
            .map_err(|_| malformed("its encryptedData is not base64"))?;
        let (text, _tag) = secretstream::open_first(&key, &header, &sealed)
            .ok_or(FormatError::WrongPassword { app: APP })?;
        let text =
            std::str::from_utf8(&text).map_err(|_| malformed("its decrypted data is not text"))?;
        Incoming::from_file_text(text).map_err(|error| match error {
            ImportError::Empty => FormatError::Empty { app: APP },
            other => malformed(format!("its decrypted data: {other}")),
        })
    }
}

/// libsodium's `crypto_pwhash` with Argon2id (version 0x13, one lane, memory in bytes).
fn derive_key(
    params: &KdfParams,
    password: &SecretString,
) -> Result<Zeroizing<[u8; 32]>, FormatError> {
    let too_costly = params.mem_limit > MAX_MEMORY_BYTES
        || params.mem_limit.saturating_mul(params.ops_limit) > MAX_MEMORY_TIMES_PASSES;
    if too_costly {
        return Err(FormatError::Unsupported {
            app: APP,
            detail: format!(
                "asks for Argon2id costs (memLimit {}, opsLimit {}) far beyond Ente's own",
                params.mem_limit, params.ops_limit
            ),
        });
    }
    let salt = base64::engine::general_purpose::STANDARD
        .decode(params.salt.trim())
        .map_err(|_| malformed("its salt is not base64"))?;
    let memory_kib = u32::try_from(params.mem_limit / 1024).unwrap_or(u32::MAX);
    let passes = u32::try_from(params.ops_limit).unwrap_or(u32::MAX);
    let key = argon2id_key(APP, password, &salt, memory_kib, passes, 1)?;
    Ok(key)
}

#[cfg(test)]
mod tests;
