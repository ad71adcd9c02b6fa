//! Errors as the UI receives them: `{kind, message}`, so the UI switches on `kind`, never on text.

use serde::Serialize;
use sesame_core::account_form::FormError;
use sesame_core::clipboard::ClipboardError;
use sesame_core::import::aegis::WriteError;
use sesame_core::login::LoginError;
use sesame_core::otpauth::{MigrationError, UriError};
use sesame_core::policy::PolicyRefusal;
use sesame_core::scan::ScanError;
use sesame_core::sesame::Error;
use sesame_core::settings::SettingsError;
use sesame_core::transfer::{BackupError, ImportError};
use sesame_core::vault::{IndexError, StoreError, VaultError};

/// An error crossing IPC.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", content = "message", rename_all = "snake_case")]
pub enum UiError {
    /// The keyring cannot be used; the message says why and what to do.
    Keyring(String),
    /// The index file is damaged or unreadable.
    Index(String),
    /// What the user typed or pasted is not acceptable; nothing was stored.
    InvalidInput(String),
    /// The account exists already.
    Duplicate(String),
    /// The account is gone (removed from the CLI meanwhile, say).
    NotFound(String),
    /// The clipboard could not be used.
    Clipboard(String),
    /// The organization's policy does not allow it.
    Policy(String),
    /// Anything else.
    Other(String),
}

impl UiError {
    /// The sentence the user reads.
    pub fn message(&self) -> &str {
        match self {
            Self::Keyring(message)
            | Self::Index(message)
            | Self::InvalidInput(message)
            | Self::Duplicate(message)
            | Self::NotFound(message)
            | Self::Clipboard(message)
            | Self::Policy(message)
            | Self::Other(message) => message,
        }
    }
}

impl From<VaultError> for UiError {
    fn from(error: VaultError) -> Self {
        match error {
            VaultError::Store(store) => store.into(),
            VaultError::Index(index @ IndexError::Corrupt { .. }) => Self::Index(format!(
                "{}. Sesame changes nothing until it can read the file; your secrets are \
                 still in the keyring.",
                sentence(&index.to_string())
            )),
            VaultError::Index(index) => Self::Index(sentence(&index.to_string())),
            VaultError::Duplicate { .. } => Self::Duplicate(error.to_string()),
            VaultError::UnknownAccount(_) => Self::NotFound(
                "that account is no longer in Sesame (removed elsewhere?)".to_owned(),
            ),
            other => Self::Other(other.to_string()),
        }
    }
}

impl From<StoreError> for UiError {
    fn from(error: StoreError) -> Self {
        Self::Keyring(format!(
            "{}. {}",
            sentence(&error.to_string()),
            error.hint()
        ))
    }
}

/// Library messages are clauses ("the keyring is locked"); the banner shows sentences.
pub fn sentence(clause: &str) -> String {
    let mut chars = clause.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl From<UriError> for UiError {
    fn from(error: UriError) -> Self {
        Self::InvalidInput(format!("This URI cannot be added: {error}."))
    }
}

impl From<MigrationError> for UiError {
    fn from(error: MigrationError) -> Self {
        Self::InvalidInput(format!("This export cannot be imported: {error}."))
    }
}

impl From<FormError> for UiError {
    fn from(error: FormError) -> Self {
        Self::InvalidInput(format!("{}: {error}", error.field()))
    }
}

impl From<PolicyRefusal> for UiError {
    fn from(refusal: PolicyRefusal) -> Self {
        Self::Policy(format!("{}.", sentence(&refusal.to_string())))
    }
}

impl From<ClipboardError> for UiError {
    fn from(error: ClipboardError) -> Self {
        Self::Clipboard(error.to_string())
    }
}

impl From<ScanError> for UiError {
    fn from(error: ScanError) -> Self {
        match error {
            ScanError::CaptureRefused { .. } => Self::Other(sentence(&error.to_string())),
            other => Self::InvalidInput(format!(
                "{}. Nothing was stored.",
                sentence(&other.to_string())
            )),
        }
    }
}

impl From<SettingsError> for UiError {
    fn from(error: SettingsError) -> Self {
        match error {
            SettingsError::OutOfRange(_) => {
                Self::InvalidInput(format!("{}.", sentence(&error.to_string())))
            }
            other => Self::Other(format!("The settings could not be saved: {other}.")),
        }
    }
}

impl From<LoginError> for UiError {
    fn from(error: LoginError) -> Self {
        let message = format!("{}.", sentence(&error.to_string()));
        match error {
            LoginError::Store(store) => store.into(),
            LoginError::Policy(refusal) => refusal.into(),
            LoginError::Qr(_) | LoginError::Refused(_) | LoginError::Server { .. } => {
                Self::InvalidInput(message)
            }
            _ => Self::Other(message),
        }
    }
}

impl From<ImportError> for UiError {
    fn from(error: ImportError) -> Self {
        match error {
            ImportError::Uri(uri) => uri.into(),
            ImportError::Migration(migration) => migration.into(),
            other => Self::InvalidInput(format!("{}.", sentence(&other.to_string()))),
        }
    }
}

impl From<Error> for UiError {
    fn from(error: Error) -> Self {
        match error {
            Error::Policy(refusal) => refusal.into(),
            Error::Vault(vault) => vault.into(),
            Error::Uri(uri) => uri.into(),
            Error::Form(form) => form.into(),
            Error::Import(import) => import.into(),
            Error::Backup(BackupError::Vault(vault)) => vault.into(),
            Error::Backup(BackupError::Write(short @ WriteError::ShortPassword { .. })) => {
                Self::InvalidInput(format!("{}.", sentence(&short.to_string())))
            }
            Error::Backup(exists @ BackupError::Exists(_)) => {
                Self::InvalidInput(format!("{}.", sentence(&exists.to_string())))
            }
            Error::Backup(other) => Self::Other(format!("{}.", sentence(&other.to_string()))),
            Error::Scan(scan) => scan.into(),
            Error::Login(login) => login.into(),
            Error::Settings(settings) => settings.into(),
            Error::Clipboard(clipboard) => clipboard.into(),
            Error::Select(_) | Error::AccountGone | Error::NoAccounts => {
                Self::NotFound(error.to_string())
            }
            Error::NotTimeBased => Self::Other(error.to_string()),
            Error::TooLateToUndo => Self::NotFound(format!(
                "{}: the account was removed.",
                sentence(&error.to_string())
            )),
        }
    }
}
