//! Tauri commands, one file per domain, each a few lines over a use case of
//! `sesame_core::Sesame`.
//!
//! Commands that reach the keyring, the index or a server are `async`: Tauri then runs them off
//! the main thread, which must stay free to present the page (a Secret Service read takes
//! 10–100 ms, and a cold window reads one per account).

pub mod accounts;
pub mod clipboard;
pub mod login;
pub mod scan;
pub mod settings;
pub mod transfer;
pub mod window;

use sesame_core::AccountId;

use crate::error::UiError;

/// An id sent by the UI.
pub fn account_id(id: &str) -> Result<AccountId, UiError> {
    AccountId::parse(id).ok_or_else(|| UiError::NotFound(format!("no account has the id {id:?}")))
}
