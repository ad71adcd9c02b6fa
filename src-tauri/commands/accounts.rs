//! Listing accounts and their codes.

use serde::Serialize;
use sesame_core::Account;
use sesame_core::otp::OtpKind;

use crate::error::UiError;
use crate::state::AppState;

/// An account as the list shows it.
#[derive(Debug, Serialize)]
pub struct AccountView {
    id: String,
    issuer: String,
    name: String,
    kind: OtpKind,
}

/// A current code; `code` is absent for HOTP (shown on request only: it advances the counter).
#[derive(Debug, Serialize)]
pub struct CodeView {
    id: String,
    code: Option<String>,
    valid_until: Option<u64>,
    period: u32,
}

fn vault(state: &AppState) -> Result<&sesame_core::Vault, UiError> {
    state.vault.as_ref().map_err(|e| UiError::Other(e.clone()))
}

fn view(account: &Account) -> AccountView {
    AccountView {
        id: account.id.to_string(),
        issuer: account.issuer.clone(),
        name: account.name.clone(),
        kind: account.params.kind,
    }
}

/// The accounts in display order (index only, no keyring access).
#[tauri::command]
pub fn list_accounts(state: tauri::State<'_, AppState>) -> Result<Vec<AccountView>, UiError> {
    Ok(vault(&state)?.accounts()?.iter().map(view).collect())
}

/// Current codes of the time-based accounts: one keyring read per account, called once per
/// period by the UI rather than once per second.
#[tauri::command]
pub fn current_codes(state: tauri::State<'_, AppState>) -> Result<Vec<CodeView>, UiError> {
    let vault = vault(&state)?;
    vault
        .accounts()?
        .iter()
        .map(|account| {
            let timed = (account.params.kind != OtpKind::Hotp)
                .then(|| vault.timed_code(account))
                .transpose()?;
            Ok(CodeView {
                id: account.id.to_string(),
                valid_until: timed.as_ref().map(|t| t.valid_until),
                code: timed.map(|t| t.code),
                period: account.params.period,
            })
        })
        .collect()
}
