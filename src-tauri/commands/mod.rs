//! Tauri commands, one file per domain.
//!
//! Commands that reach the keyring or the index are `async`: Tauri then runs them off the main
//! thread, which must stay free to present the page (a Secret Service read takes 10–100 ms, and
//! a cold window reads one per account).

pub mod accounts;
pub mod clipboard;
pub mod login;
pub mod scan;
pub mod settings;

use sesame_core::{AccountId, Vault};

use crate::error::UiError;
use crate::state::AppState;

/// The vault, or the reason there is none.
pub fn vault(state: &AppState) -> Result<&Vault, UiError> {
    state.vault.as_ref().map_err(|e| UiError::Other(e.clone()))
}

/// An id sent by the UI.
pub fn account_id(id: &str) -> Result<AccountId, UiError> {
    AccountId::parse(id).ok_or_else(|| UiError::NotFound(format!("no account has the id {id:?}")))
}
pub mod window;
