//! Other authenticators' export files. Each format lives in a module of its own behind
//! [`Format`], is recognised from the file's content (never its name), and names its app in
//! every message, so a user who picked the wrong file or password learns which file Sesame saw.
//! An entry Sesame cannot use is listed with its reason and does not stop the others.

pub mod aegis;

use secrecy::SecretString;

use crate::otpauth::{EntryError, SkippedEntry};
use crate::transfer::Incoming;

/// One authenticator's export format.
pub trait Format: Sync {
    /// The app, as its users know it ("Aegis").
    fn app(&self) -> &'static str;
    /// Whether `text` is this format's file, plain or encrypted.
    fn recognises(&self, text: &str) -> bool;
    /// Whether reading `text` needs a password.
    fn is_encrypted(&self, text: &str) -> bool;
    /// The accounts in `text`, decrypted with `password` where it is encrypted.
    fn read(&self, text: &str, password: Option<&SecretString>) -> Result<Incoming, FormatError>;
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
static FORMATS: &[&dyn Format] = &[&aegis::Aegis];

/// The format of `text`, if it is one Sesame knows.
pub fn recognise(text: &str) -> Option<&'static dyn Format> {
    FORMATS
        .iter()
        .copied()
        .find(|format| format.recognises(text))
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
                position: self.position,
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
