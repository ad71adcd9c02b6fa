//! Other authenticators' export files. Each format lives in a module of its own behind
//! [`Format`], is recognised from the file's content (never its name), and names its app in
//! every message, so a user who picked the wrong file or password learns which file Sesame saw.
//! An entry Sesame cannot use is listed with its reason and does not stop the others.

pub mod aegis;
pub mod andotp;
pub mod authpro;
pub mod bitwarden;
pub mod ente;
#[cfg(test)]
mod fixtures;
pub mod freeotp_plus;
pub mod proton;
pub mod twofas;

use aes_gcm::aead::{Aead as _, KeyInit as _};
use aes_gcm::{Aes256Gcm, Nonce};
use secrecy::{ExposeSecret as _, SecretString};
use zeroize::Zeroizing;

use crate::account::NewAccount;
use crate::otp::{Algorithm, OtpParams};
use crate::otpauth::{EntryError, Place, SkippedEntry, uri};
use crate::secret::Secret;
use crate::transfer::Incoming;

/// One authenticator's export format.
pub trait Format: Sync {
    /// The app, as its users know it ("Aegis").
    fn app(&self) -> &'static str;
    /// Whether `file` is this format's, plain or encrypted.
    fn recognises(&self, file: &[u8]) -> bool;
    /// Whether reading `file` needs a password.
    fn is_encrypted(&self, file: &[u8]) -> bool;
    /// The accounts in `file`, decrypted with `password` where it is encrypted.
    fn read(&self, file: &[u8], password: Option<&SecretString>) -> Result<Incoming, FormatError>;
}

/// Why an export file could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error("this {app} export is encrypted: its password is needed")]
    PasswordNeeded { app: &'static str },
    #[error("the password does not open this {app} export")]
    WrongPassword { app: &'static str },
    #[error("this {app} export cannot be read: {detail}")]
    Malformed { app: &'static str, detail: String },
    #[error("this {app} export {detail}, which Sesame cannot open")]
    Unsupported { app: &'static str, detail: String },
    #[error("this {app} export holds no accounts")]
    Empty { app: &'static str },
}

/// Every format Sesame reads, in the order they are tried.
// andOTP's encrypted backups are recognised by shape only (binary, a plausible header), so
// andOTP comes after the formats recognised by their own fields.
static FORMATS: &[&dyn Format] = &[
    &aegis::Aegis,
    &twofas::TwoFas,
    &bitwarden::Bitwarden,
    &authpro::AuthenticatorPro,
    &freeotp_plus::FreeOtpPlus,
    &proton::Proton,
    &ente::Ente,
    &andotp::AndOtp,
];

/// The apps whose exports Sesame reads, for messages: "Aegis, 2FAS, …".
pub fn app_names() -> String {
    let mut names: Vec<&str> = FORMATS.iter().map(|format| format.app()).collect();
    names.dedup();
    names.join(", ")
}

/// The format of `file`, if it is one Sesame knows.
pub fn recognise(file: &[u8]) -> Option<&'static dyn Format> {
    FORMATS
        .iter()
        .copied()
        .find(|format| format.recognises(file))
}

/// Collects an export's entries: the usable ones as accounts, the others with their reason.
#[derive(Default)]
pub(crate) struct Entries {
    incoming: Incoming,
    position: usize,
}

impl Entries {
    pub(crate) fn push(
        &mut self,
        label: String,
        entry: Result<crate::account::NewAccount, EntryError>,
    ) {
        self.position += 1;
        match entry {
            Ok(account) => self.incoming.accounts.push(account),
            Err(reason) => self.incoming.skipped.push(SkippedEntry {
                place: Place::Entry(self.position),
                label,
                reason,
            }),
        }
    }

    pub(crate) fn finish(self, app: &'static str) -> Result<Incoming, FormatError> {
        if self.position == 0 {
            return Err(FormatError::Empty { app });
        }
        Ok(self.incoming)
    }
}

/// One entry as the apps describe them, before it is checked: what kind of code, for whom, how.
pub(crate) struct RawEntry<'a> {
    /// `totp`, `hotp` or `steam`, in any case; anything else is listed as unsupported.
    pub kind: &'a str,
    pub issuer: &'a str,
    pub name: &'a str,
    pub algorithm: &'a str,
    pub digits: u8,
    pub period: u32,
    pub counter: u64,
    pub secret: &'a str,
}

impl RawEntry<'_> {
    /// `issuer:name`, for the list of entries left out.
    pub(crate) fn label(&self) -> String {
        crate::account::label(self.issuer.trim(), self.name.trim())
    }

    /// The account, or why Sesame cannot use it.
    pub(crate) fn account(&self) -> Result<NewAccount, EntryError> {
        let (issuer, name) = (self.issuer.trim(), self.name.trim());
        if issuer.is_empty() && name.is_empty() {
            return Err(EntryError::MissingLabel);
        }
        if let Some(part) = crate::account::overlong_label_part(issuer, name) {
            return Err(EntryError::LabelTooLong(part));
        }
        let kind = self.kind.to_ascii_lowercase();
        if !matches!(kind.as_str(), "totp" | "hotp" | "steam") {
            return Err(EntryError::UnsupportedType(self.kind.to_owned()));
        }
        let algorithm = match self.algorithm.to_ascii_uppercase().as_str() {
            "SHA1" => Algorithm::Sha1,
            "SHA256" => Algorithm::Sha256,
            "SHA512" => Algorithm::Sha512,
            other => return Err(EntryError::UnsupportedAlgorithm(other.to_owned())),
        };
        let params = match kind.as_str() {
            "totp" => OtpParams::totp(algorithm, self.digits, self.period)?,
            "hotp" => OtpParams::hotp(algorithm, self.digits, self.counter)?,
            _ => OtpParams::steam(),
        };
        Ok(NewAccount {
            issuer: issuer.to_owned(),
            name: name.to_owned(),
            params,
            secret: Secret::from_base32(self.secret)?,
        })
    }
}

/// The account a password manager's TOTP field holds: an `otpauth://` URI as it says (its
/// issuer, else `item`), a `steam://` secret as Steam, or a bare base32 secret as TOTP, SHA1,
/// 6 digits, 30 s — the defaults every such app computes a bare secret with.
pub(crate) fn totp_field_account(
    item: &str,
    username: &str,
    field: &str,
) -> Result<NewAccount, EntryError> {
    let field = field.trim();
    if field
        .get(..10)
        .is_some_and(|s| s.eq_ignore_ascii_case("otpauth://"))
    {
        let mut account = uri::parse(field)
            .map_err(|e| EntryError::Uri(e.to_string()))?
            .account;
        if account.issuer.is_empty() {
            account.issuer = item.trim().to_owned();
        }
        return Ok(account);
    }
    let (kind, secret) = match field.get(..8) {
        Some(scheme) if scheme.eq_ignore_ascii_case("steam://") => ("steam", &field[8..]),
        _ => ("totp", field),
    };
    RawEntry {
        kind,
        issuer: item,
        name: username,
        algorithm: "SHA1",
        digits: 6,
        period: 30,
        counter: 0,
        secret,
    }
    .account()
}

/// The values the apps' formats leave out when they are the usual ones, for serde's `default`.
pub(crate) mod defaults {
    pub fn totp() -> String {
        "TOTP".into()
    }
    pub fn sha1() -> String {
        "SHA1".into()
    }
    pub fn six() -> u8 {
        6
    }
    pub fn thirty() -> u32 {
        30
    }
}

/// A 32-byte key from `password` by Argon2id (version 0x13) with the costs a format fixes
/// (memory in KiB); never costs read from a file unchecked.
pub(crate) fn argon2id_key(
    app: &'static str,
    password: &SecretString,
    salt: &[u8],
    memory_kib: u32,
    passes: u32,
    lanes: u32,
) -> Result<Zeroizing<[u8; 32]>, FormatError> {
    let malformed = |e: argon2::Error| FormatError::Malformed {
        app,
        detail: format!("Argon2id: {e}"),
    };
    let params = argon2::Params::new(memory_kib, passes, lanes, Some(32)).map_err(malformed)?;
    let argon2 = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut key = Zeroizing::new([0u8; 32]);
    argon2
        .hash_password_into(password.expose_secret().as_bytes(), salt, key.as_mut())
        .map_err(malformed)?;
    Ok(key)
}

/// AES-256-GCM decryption of `sealed` (the ciphertext with its 16-byte tag after it); `None`
/// when the key, nonce or tag do not fit or the data does not verify (a wrong key or a file
/// altered).
pub(crate) fn aes256_gcm_open(
    key: &[u8],
    nonce: &[u8],
    sealed: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    aes256_gcm_open_with(key, nonce, sealed, b"")
}

/// [`aes256_gcm_open`] with associated data that was authenticated alongside.
pub(crate) fn aes256_gcm_open_with(
    key: &[u8],
    nonce: &[u8],
    sealed: &[u8],
    associated: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    if nonce.len() != 12 {
        return None;
    }
    let cipher = Aes256Gcm::new_from_slice(key).ok()?;
    let payload = aes_gcm::aead::Payload {
        msg: sealed,
        aad: associated,
    };
    cipher
        .decrypt(Nonce::from_slice(nonce), payload)
        .ok()
        .map(Zeroizing::new)
}
