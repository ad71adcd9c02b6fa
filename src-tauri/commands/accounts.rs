//! Accounts: list, codes, add, edit, reorder, remove.

use serde::Serialize;
use sesame_core::Account;
use sesame_core::account_form::AccountForm;
use sesame_core::otp::{Algorithm, OtpKind};
use sesame_core::sesame::UNDO_SECONDS;
use tauri::State;

use super::account_id;
use crate::error::UiError;
use crate::state::AppState;

/// An account as the list shows it (no secret).
#[derive(Debug, Serialize)]
pub struct AccountView {
    id: String,
    issuer: String,
    name: String,
    kind: OtpKind,
    algorithm: Algorithm,
    digits: u8,
    period: u32,
}

impl From<&Account> for AccountView {
    fn from(account: &Account) -> Self {
        Self {
            id: account.id.to_string(),
            issuer: account.issuer.clone(),
            name: account.name.clone(),
            kind: account.params.kind,
            algorithm: account.params.algorithm,
            digits: account.params.digits,
            period: account.params.period,
        }
    }
}

/// The current and next code of a time-based account.
#[derive(Debug, Serialize)]
pub struct CodeView {
    id: String,
    code: String,
    next_code: String,
    valid_until: u64,
    period: u32,
}

/// An account just added, and anything the user should know about its URI.
#[derive(Debug, Serialize)]
pub struct Added {
    account: AccountView,
    warnings: Vec<String>,
}

/// The accounts in display order (index only, no keyring access).
#[tauri::command(async)]
pub fn list_accounts(state: State<'_, AppState>) -> Result<Vec<AccountView>, UiError> {
    let accounts = state.sesame()?.accounts()?;
    Ok(accounts.iter().map(AccountView::from).collect())
}

/// Codes of the time-based accounts; with `only`, just those (the rows in view come first).
#[tauri::command(async)]
pub fn current_codes(
    state: State<'_, AppState>,
    only: Option<Vec<String>>,
) -> Result<Vec<CodeView>, UiError> {
    let codes = state.sesame()?.rolling_codes(only.as_deref())?;
    Ok(codes
        .into_iter()
        .map(|code| CodeView {
            id: code.id.to_string(),
            code: code.current.code,
            next_code: code.next.code,
            valid_until: code.current.valid_until,
            period: code.current.period,
        })
        .collect())
}

/// Adds the account of an `otpauth://` URI typed or pasted by the user.
#[tauri::command(async)]
pub fn add_account_uri(state: State<'_, AppState>, uri: String) -> Result<Added, UiError> {
    let uri = zeroize::Zeroizing::new(uri);
    let typed = state.sesame()?.add_uri(&uri)?;
    Ok(Added {
        account: AccountView::from(&typed.account),
        warnings: typed.warnings.iter().map(ToString::to_string).collect(),
    })
}

/// Adds an account filled in field by field.
#[tauri::command(async)]
pub fn add_account_form(state: State<'_, AppState>, form: AccountForm) -> Result<Added, UiError> {
    let account = state.sesame()?.add_form(&form)?;
    Ok(Added {
        account: AccountView::from(&account),
        warnings: Vec::new(),
    })
}

/// Changes an account's issuer and name.
#[tauri::command(async)]
pub fn rename_account(
    state: State<'_, AppState>,
    id: String,
    issuer: String,
    name: String,
) -> Result<AccountView, UiError> {
    let account = state.sesame()?.rename(&account_id(&id)?, &issuer, &name)?;
    Ok(AccountView::from(&account))
}

/// Moves an account to a place in the list.
#[tauri::command(async)]
pub fn move_account(
    state: State<'_, AppState>,
    id: String,
    position: usize,
) -> Result<(), UiError> {
    Ok(state.sesame()?.move_to(&account_id(&id)?, position)?)
}

/// A removal the user can still undo, for the toast's "Undo" line.
#[derive(Debug, Serialize)]
pub struct Removal {
    account: AccountView,
    undo_seconds: u64,
}

/// Takes an account out of the list; its secret is removed once the undo time has passed
/// (`finish_removals`, or the window closing).
#[tauri::command(async)]
pub fn remove_account(state: State<'_, AppState>, id: String) -> Result<Removal, UiError> {
    let account = state.sesame()?.remove_with_undo(&account_id(&id)?)?;
    Ok(Removal {
        account: AccountView::from(&account),
        undo_seconds: UNDO_SECONDS,
    })
}

/// Puts back an account whose removal is still pending.
#[tauri::command(async)]
pub fn undo_remove(state: State<'_, AppState>, id: String) -> Result<AccountView, UiError> {
    let account = state.sesame()?.undo_remove(&account_id(&id)?)?;
    Ok(AccountView::from(&account))
}

/// Carries out the removals whose undo time has passed; what could not be removed, in
/// sentences (those accounts stay, and reappear in the list).
#[tauri::command(async)]
pub fn finish_removals(state: State<'_, AppState>) -> Result<Vec<String>, UiError> {
    Ok(state.finish_removals(false))
}
