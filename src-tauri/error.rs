//! Errors as the UI receives them: `{kind, message}`, so the UI switches on `kind`, never on text.

use serde::Serialize;
use sesame_core::vault::{IndexError, StoreError, VaultError};

/// An error crossing IPC.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", content = "message", rename_all = "snake_case")]
pub enum UiError {
    /// The keyring cannot be used; the message says why and what to do.
    Keyring(String),
    /// The index file is damaged or unreadable.
    Index(String),
    /// Anything else.
    Other(String),
}

impl From<VaultError> for UiError {
    fn from(error: VaultError) -> Self {
        match error {
            VaultError::Store(store) => store.into(),
            VaultError::Index(index @ IndexError::Corrupt { .. }) => Self::Index(format!(
                "{index}. Sesame changes nothing until it can read the file; your secrets are \
                 still in the keyring."
            )),
            VaultError::Index(index) => Self::Index(index.to_string()),
            other => Self::Other(other.to_string()),
        }
    }
}

impl From<StoreError> for UiError {
    fn from(error: StoreError) -> Self {
        Self::Keyring(format!("{error}. {}", error.hint()))
    }
}
