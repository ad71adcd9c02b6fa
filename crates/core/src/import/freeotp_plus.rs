//! FreeOTP+'s backup (Settings → Export → JSON, `freeotp-backup.json`): a `tokens` list whose
//! secrets are byte arrays as Java writes them (signed, −128 to 127), and a `tokenOrder`.
//! FreeOTP+ has no encrypted export.

use secrecy::SecretString;
use serde::Deserialize;
use zeroize::Zeroizing;

use super::{Entries, Format, FormatError, RawEntry};
use crate::otpauth::EntryError;
use crate::transfer::Incoming;

const APP: &str = "FreeOTP+";

pub struct FreeOtpPlus;

#[derive(Deserialize)]
struct Backup {
    tokens: Vec<Token>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Token {
    #[serde(rename = "type", default = "super::defaults::totp")]
    kind: String,
    #[serde(default)]
    issuer_ext: Option<String>,
    #[serde(default)]
    issuer_int: Option<String>,
    #[serde(default)]
    label: String,
    #[serde(default = "super::defaults::sha1")]
    algo: String,
    #[serde(default = "super::defaults::six")]
    digits: u8,
    #[serde(default = "super::defaults::thirty")]
    period: u32,
    #[serde(default)]
    counter: u64,
    secret: Zeroizing<Vec<i16>>,
}

impl Format for FreeOtpPlus {
    fn app(&self) -> &'static str {
        APP
    }

    fn recognises(&self, file: &[u8]) -> bool {
        serde_json::from_slice::<serde_json::Value>(file).is_ok_and(|json| {
            json.get("tokens").is_some_and(|t| t.is_array())
                && (json.get("tokenOrder").is_some()
                    || json["tokens"]
                        .get(0)
                        .is_some_and(|t| t.get("secret").is_some_and(|s| s.is_array())))
        })
    }

    fn is_encrypted(&self, _file: &[u8]) -> bool {
        false
    }

    fn read(&self, file: &[u8], _password: Option<&SecretString>) -> Result<Incoming, FormatError> {
        let backup: Backup = serde_json::from_slice(file).map_err(|e| FormatError::Malformed {
            app: APP,
            detail: format!("its JSON is not a backup's: {e}"),
        })?;
        let mut entries = Entries::default();
        for token in &backup.tokens {
            // The issuer the URI gave (issuerExt), else the one its label began with.
            let issuer = [&token.issuer_ext, &token.issuer_int]
                .into_iter()
                .flatten()
                .find(|issuer| !issuer.trim().is_empty())
                .map_or("", String::as_str);
            let Some(secret) = base32_of_java_bytes(&token.secret) else {
                let label = crate::account::label(issuer.trim(), token.label.trim());
                entries.push(label, Err(EntryError::SecretNotBytes));
                continue;
            };
            let raw = RawEntry {
                kind: &token.kind,
                issuer,
                name: &token.label,
                algorithm: &token.algo,
                digits: token.digits,
                period: token.period,
                counter: token.counter,
                secret: &secret,
            };
            entries.push(raw.label(), raw.account());
        }
        entries.finish(APP)
    }
}

/// The key as base32 (what [`RawEntry`] reads); `None` when a value is not a byte. Java writes
/// bytes signed (−128 to 127); unsigned values (to 255) are taken too.
fn base32_of_java_bytes(values: &[i16]) -> Option<Zeroizing<String>> {
    let bytes: Zeroizing<Vec<u8>> = Zeroizing::new(
        values
            .iter()
            .map(|&v| {
                (-128..=255)
                    .contains(&v)
                    .then(|| u8::try_from(v.rem_euclid(256)).ok())
                    .flatten()
            })
            .collect::<Option<_>>()?,
    );
    Some(Zeroizing::new(data_encoding::BASE32_NOPAD.encode(&bytes)))
}

#[cfg(test)]
mod tests;
