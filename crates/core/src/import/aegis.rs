//! Aegis Authenticator's vault export (Settings → Import & export → Export), plain or
//! encrypted, as Aegis documents it (`docs/vault.md` in its repository): a JSON header whose
//! password slots each hold the vault's master key sealed with AES-256-GCM under a key scrypt
//! derives from the password, and the entries sealed with that master key.

use aes_gcm::aead::{Aead as _, KeyInit as _};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use data_encoding::{HEXLOWER, HEXLOWER_PERMISSIVE};
use rand::RngCore as _;
use rand::rngs::OsRng;
use secrecy::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::{Entries, Format, FormatError, RawEntry, aes256_gcm_open};
use crate::account::NewAccount;
use crate::otp::OtpKind;
use crate::transfer::Incoming;

const APP: &str = "Aegis";
/// Slot type of a password (type 2 is a device's biometric key, useless off the phone).
const PASSWORD_SLOT: u8 = 1;
/// The largest scrypt cost accepted from a file (Aegis writes 2^15): a hostile file must not
/// make Sesame allocate gigabytes.
const MAX_SCRYPT_LOG_N: u8 = 20;

pub struct Aegis;

#[derive(Deserialize)]
struct File {
    version: u32,
    header: Header,
    db: serde_json::Value,
}

#[derive(Deserialize)]
struct Header {
    slots: Option<Vec<Slot>>,
    params: Option<Sealing>,
}

#[derive(Deserialize)]
struct Slot {
    #[serde(rename = "type")]
    kind: u8,
    key: Option<String>,
    key_params: Option<Sealing>,
    n: Option<u64>,
    r: Option<u32>,
    p: Option<u32>,
    salt: Option<String>,
}

#[derive(Deserialize)]
struct Sealing {
    nonce: String,
    tag: String,
}

#[derive(Deserialize)]
struct Database {
    entries: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    issuer: String,
    info: Info,
}

#[derive(Deserialize)]
struct Info {
    secret: Zeroizing<String>,
    #[serde(default = "super::defaults::sha1")]
    algo: String,
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

fn parse(file: &[u8]) -> Result<File, FormatError> {
    let file: File = serde_json::from_slice(file)
        .map_err(|e| malformed(format!("its JSON is not a vault's: {e}")))?;
    if file.version != 1 {
        return Err(FormatError::Unsupported {
            app: APP,
            detail: format!("is vault format version {}", file.version),
        });
    }
    Ok(file)
}

impl Format for Aegis {
    fn app(&self) -> &'static str {
        APP
    }

    fn recognises(&self, file: &[u8]) -> bool {
        // The header with its two keys is Aegis's own: no other app's export has one.
        serde_json::from_slice::<serde_json::Value>(file).is_ok_and(|json| {
            json.get("db").is_some()
                && json
                    .get("header")
                    .is_some_and(|h| h.get("slots").is_some() && h.get("params").is_some())
        })
    }

    fn is_encrypted(&self, file: &[u8]) -> bool {
        parse(file).is_ok_and(|file| file.db.is_string())
    }

    fn read(&self, file: &[u8], password: Option<&SecretString>) -> Result<Incoming, FormatError> {
        let file = parse(file)?;
        let database: Database = match &file.db {
            serde_json::Value::String(sealed) => {
                let password = password.ok_or(FormatError::PasswordNeeded { app: APP })?;
                let plain = open(&file.header, sealed, password)?;
                serde_json::from_slice(&plain).map_err(|e| {
                    malformed(format!("its decrypted entries are not a vault's: {e}"))
                })?
            }
            plain => Database::deserialize(plain)
                .map_err(|e| malformed(format!("its entries are not a vault's: {e}")))?,
        };
        let mut entries = Entries::default();
        for entry in &database.entries {
            let raw = RawEntry {
                kind: &entry.kind,
                issuer: &entry.issuer,
                name: &entry.name,
                algorithm: &entry.info.algo,
                digits: entry.info.digits,
                period: entry.info.period,
                counter: entry.info.counter,
                secret: &entry.info.secret,
            };
            entries.push(raw.label(), raw.account());
        }
        entries.finish(APP)
    }
}

fn hex(field: &str, text: &str) -> Result<Zeroizing<Vec<u8>>, FormatError> {
    HEXLOWER_PERMISSIVE
        .decode(text.as_bytes())
        .map(Zeroizing::new)
        .map_err(|_| malformed(format!("its {field} is not hexadecimal")))
}

/// AES-256-GCM with the tag stored apart, as Aegis stores it.
fn unseal(
    key: &[u8],
    sealing: &Sealing,
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Unsealing> {
    let nonce = hex("nonce", &sealing.nonce).map_err(Unsealing::Malformed)?;
    let tag = hex("tag", &sealing.tag).map_err(Unsealing::Malformed)?;
    if nonce.len() != 12 || tag.len() != 16 || key.len() != 32 {
        return Err(Unsealing::Malformed(malformed(
            "a key, nonce or tag has the wrong length",
        )));
    }
    let mut sealed = Zeroizing::new(Vec::with_capacity(ciphertext.len() + 16));
    sealed.extend_from_slice(ciphertext);
    sealed.extend_from_slice(&tag);
    aes256_gcm_open(key, &nonce, &sealed).ok_or(Unsealing::Mismatch)
}

enum Unsealing {
    Malformed(FormatError),
    /// The key is not the one it was sealed with, or the data was altered.
    Mismatch,
}

/// The decrypted entries: the master key from the first password slot the password opens.
fn open(
    header: &Header,
    sealed: &str,
    password: &SecretString,
) -> Result<Zeroizing<Vec<u8>>, FormatError> {
    let slots: Vec<&Slot> = header
        .slots
        .iter()
        .flatten()
        .filter(|slot| slot.kind == PASSWORD_SLOT)
        .collect();
    if slots.is_empty() {
        return Err(FormatError::Unsupported {
            app: APP,
            detail: "is encrypted for its phone's biometric unlock only, with no password".into(),
        });
    }
    let mut master = None;
    for slot in slots {
        let derived = derive(slot, password)?;
        let wrapped = hex("slot key", slot.key.as_deref().unwrap_or_default())?;
        let sealing = slot
            .key_params
            .as_ref()
            .ok_or_else(|| malformed("a password slot has no key_params"))?;
        match unseal(derived.as_slice(), sealing, &wrapped) {
            Ok(key) => {
                master = Some(key);
                break;
            }
            Err(Unsealing::Mismatch) => continue,
            Err(Unsealing::Malformed(error)) => return Err(error),
        }
    }
    let master = master.ok_or(FormatError::WrongPassword { app: APP })?;
    let ciphertext = base64::engine::general_purpose::STANDARD
        .decode(sealed.trim())
        .map(Zeroizing::new)
        .map_err(|_| malformed("its db is not base64"))?;
    let params = header
        .params
        .as_ref()
        .ok_or_else(|| malformed("it is encrypted but its header has no params"))?;
    unseal(&master, params, &ciphertext).map_err(|error| match error {
        Unsealing::Malformed(error) => error,
        Unsealing::Mismatch => malformed("its entries do not match its key: the file is damaged"),
    })
}

/// The slot's key, from the password by scrypt with the slot's own parameters.
fn derive(slot: &Slot, password: &SecretString) -> Result<Zeroizing<[u8; 32]>, FormatError> {
    let (Some(n), Some(r), Some(p), Some(salt)) = (slot.n, slot.r, slot.p, slot.salt.as_deref())
    else {
        return Err(malformed("a password slot lacks its scrypt parameters"));
    };
    if !n.is_power_of_two() || n < 2 {
        return Err(malformed(format!(
            "its scrypt cost {n} is not a power of two"
        )));
    }
    let log_n = n.trailing_zeros() as u8;
    if log_n > MAX_SCRYPT_LOG_N || r > 32 || p > 16 {
        return Err(FormatError::Unsupported {
            app: APP,
            detail: format!(
                "asks for scrypt costs (N = {n}, r = {r}, p = {p}) far beyond Aegis's own"
            ),
        });
    }
    let params = scrypt::Params::new(log_n, r, p, 32)
        .map_err(|e| malformed(format!("its scrypt parameters are invalid: {e}")))?;
    let salt = hex("salt", salt)?;
    let mut key = Zeroizing::new([0u8; 32]);
    scrypt::scrypt(
        password.expose_secret().as_bytes(),
        &salt,
        &params,
        key.as_mut(),
    )
    .map_err(|e| malformed(format!("scrypt failed: {e}")))?;
    Ok(key)
}

/// Why an encrypted vault could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("the backup password must be at least {minimum} characters long")]
    ShortPassword { minimum: usize },
    #[error("encrypting the backup failed: {0}")]
    Crypto(String),
}

/// Shortest backup password accepted: the file may be kept for years on disks and clouds, and
/// scrypt only slows guessing down.
const MIN_PASSWORD_CHARS: usize = 8;

/// The scrypt cost Aegis itself writes (N = 2^15, r = 8, p = 1): a backup opens in Aegis on a
/// phone in about a second, and guessing its password costs the same per try.
const WRITE_SCRYPT_LOG_N: u8 = 15;

/// `accounts` as an encrypted Aegis vault (version 1, database version 3): one password slot,
/// a random master key, the entries sealed with it. Aegis opens the file (Import & export →
/// Import → Aegis), and so does Sesame's own reader. HOTP counters are the next unused ones.
pub fn write_encrypted(
    accounts: &[NewAccount],
    password: &SecretString,
) -> Result<Zeroizing<Vec<u8>>, WriteError> {
    if password.expose_secret().chars().count() < MIN_PASSWORD_CHARS {
        return Err(WriteError::ShortPassword {
            minimum: MIN_PASSWORD_CHARS,
        });
    }
    let database = database_json(accounts)?;

    let mut master = Zeroizing::new([0u8; 32]);
    OsRng.fill_bytes(master.as_mut());
    let mut salt = [0u8; 32];
    OsRng.fill_bytes(&mut salt);
    let params = scrypt::Params::new(WRITE_SCRYPT_LOG_N, 8, 1, 32)
        .map_err(|e| WriteError::Crypto(e.to_string()))?;
    let mut derived = Zeroizing::new([0u8; 32]);
    scrypt::scrypt(
        password.expose_secret().as_bytes(),
        &salt,
        &params,
        derived.as_mut(),
    )
    .map_err(|e| WriteError::Crypto(e.to_string()))?;
    let (wrapped_key, key_sealing) = seal(derived.as_ref(), master.as_ref())?;
    let (sealed_database, database_sealing) = seal(master.as_ref(), &database)?;

    let file = serde_json::json!({
        "version": 1,
        "header": {
            "slots": [{
                "type": PASSWORD_SLOT,
                "uuid": uuid::Uuid::new_v4().to_string(),
                "key": HEXLOWER.encode(&wrapped_key),
                "key_params": key_sealing,
                "n": 1u64 << WRITE_SCRYPT_LOG_N,
                "r": 8,
                "p": 1,
                "salt": HEXLOWER.encode(&salt),
                "repaired": true,
                "is_backup": false,
            }],
            "params": database_sealing,
        },
        "db": base64::engine::general_purpose::STANDARD.encode(&sealed_database),
    });
    // Only ciphertext and public parameters in here: no need to zeroize, but the caller
    // writes it as it writes secrets anyway.
    serde_json::to_vec_pretty(&file)
        .map(Zeroizing::new)
        .map_err(|e| WriteError::Crypto(e.to_string()))
}

/// The vault's entries as Aegis's database JSON, in zeroized memory (it holds every secret).
fn database_json(accounts: &[NewAccount]) -> Result<Zeroizing<Vec<u8>>, WriteError> {
    #[derive(Serialize)]
    struct OutEntry<'a> {
        #[serde(rename = "type")]
        kind: &'static str,
        uuid: String,
        name: &'a str,
        issuer: &'a str,
        note: &'static str,
        favorite: bool,
        icon: Option<()>,
        info: OutInfo<'a>,
        groups: [(); 0],
    }
    #[derive(Serialize)]
    struct OutInfo<'a> {
        secret: &'a str,
        algo: &'static str,
        digits: u8,
        #[serde(skip_serializing_if = "Option::is_none")]
        period: Option<u32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        counter: Option<u64>,
    }
    let secrets: Vec<Zeroizing<String>> = accounts.iter().map(|a| a.secret.to_base32()).collect();
    let entries: Vec<OutEntry<'_>> = accounts
        .iter()
        .zip(&secrets)
        .map(|(account, secret)| {
            let params = &account.params;
            let (kind, period, counter) = match params.kind {
                OtpKind::Totp => ("totp", Some(params.period), None),
                OtpKind::Hotp => ("hotp", None, Some(params.counter)),
                OtpKind::Steam => ("steam", Some(params.period), None),
            };
            OutEntry {
                kind,
                uuid: uuid::Uuid::new_v4().to_string(),
                name: &account.name,
                issuer: &account.issuer,
                note: "",
                favorite: false,
                icon: None,
                info: OutInfo {
                    secret,
                    algo: params.algorithm.as_str(),
                    digits: params.digits,
                    period,
                    counter,
                },
                groups: [],
            }
        })
        .collect();
    // Reserved up front so that the buffer holding the secrets is never reallocated (a
    // reallocation would leave a copy behind that is not zeroized).
    let mut json = Zeroizing::new(Vec::with_capacity(256 + accounts.len() * 1024));
    let mut writer = serde_json::Serializer::new(&mut *json);
    #[derive(Serialize)]
    struct OutDatabase<'a> {
        version: u32,
        entries: &'a [OutEntry<'a>],
        groups: [(); 0],
        icons_optimized: bool,
    }
    OutDatabase {
        version: 3,
        entries: &entries,
        groups: [],
        icons_optimized: true,
    }
    .serialize(&mut writer)
    .map_err(|e| WriteError::Crypto(e.to_string()))?;
    Ok(json)
}

/// AES-256-GCM under `key` with a fresh nonce; the ciphertext and, apart, the nonce and tag as
/// Aegis stores them.
fn seal(key: &[u8], plain: &[u8]) -> Result<(Vec<u8>, serde_json::Value), WriteError> {
    let mut nonce = [0u8; 12];
    OsRng.fill_bytes(&mut nonce);
    let cipher = Aes256Gcm::new_from_slice(key).map_err(|e| WriteError::Crypto(e.to_string()))?;
    let mut sealed = cipher
        .encrypt(Nonce::from_slice(&nonce), plain)
        .map_err(|e| WriteError::Crypto(e.to_string()))?;
    let tag = sealed.split_off(sealed.len() - 16);
    let sealing = serde_json::json!({
        "nonce": HEXLOWER.encode(&nonce),
        "tag": HEXLOWER.encode(&tag),
    });
    Ok((sealed, sealing))
}

#[cfg(test)]
mod tests;
