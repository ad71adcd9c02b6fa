//! Accounts: list, codes, add, edit, reorder, remove.

use serde::Serialize;
use sesame_core::account_form::AccountForm;
use sesame_core::otp::{Algorithm, OtpKind};
use sesame_core::otpauth::uri;
use sesame_core::policy::Policy;
use sesame_core::{Account, Vault};
use tauri::State;

use super::{account_id, vault};
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
    Ok(vault(&state)?
        .accounts()?
        .iter()
        .map(AccountView::from)
        .collect())
}

/// Codes of the time-based accounts, from secrets read once (a keyring call only for accounts
/// not seen before). With `only`, just those accounts: the window asks for the rows in view
/// first, so they show codes before the secrets of a long list have all been read.
#[tauri::command(async)]
pub fn current_codes(
    state: State<'_, AppState>,
    only: Option<Vec<String>>,
) -> Result<Vec<CodeView>, UiError> {
    let vault = vault(&state)?;
    let mut accounts = vault.accounts()?;
    let mut unlocked = state.unlocked();
    match only {
        Some(ids) => {
            accounts.retain(|a| ids.iter().any(|id| id == a.id.as_str()));
            unlocked.read_missing(vault, &accounts)?;
        }
        None => unlocked.sync(vault, &accounts)?,
    }
    let now = vault.now();
    Ok(accounts
        .iter()
        .filter_map(|account| {
            let current = unlocked.timed_code(account, now)?;
            let next = unlocked.next_code(account, now)?;
            Some(CodeView {
                id: account.id.to_string(),
                code: current.code,
                next_code: next.code,
                valid_until: current.valid_until,
                period: current.period,
            })
        })
        .collect())
}

fn added(
    vault: &Vault,
    new: sesame_core::NewAccount,
    warnings: Vec<String>,
) -> Result<Added, UiError> {
    let account = vault.add(new)?;
    Ok(Added {
        account: AccountView::from(&account),
        warnings,
    })
}

/// Adds the account of an `otpauth://` URI typed or pasted by the user.
#[tauri::command(async)]
pub fn add_account_uri(state: State<'_, AppState>, uri: String) -> Result<Added, UiError> {
    let uri = zeroize::Zeroizing::new(uri);
    Policy::load().check_manual_add()?;
    let parsed = uri::parse(&uri)?;
    let warnings = parsed.warnings.iter().map(ToString::to_string).collect();
    added(vault(&state)?, parsed.account, warnings)
}

/// Adds an account filled in field by field.
#[tauri::command(async)]
pub fn add_account_form(state: State<'_, AppState>, form: AccountForm) -> Result<Added, UiError> {
    Policy::load().check_manual_add()?;
    let new = form.to_new_account()?;
    added(vault(&state)?, new, Vec::new())
}

/// Changes an account's issuer and name.
#[tauri::command(async)]
pub fn rename_account(
    state: State<'_, AppState>,
    id: String,
    issuer: String,
    name: String,
) -> Result<AccountView, UiError> {
    let account = vault(&state)?.rename(&account_id(&id)?, &issuer, &name)?;
    Ok(AccountView::from(&account))
}

/// Moves an account to a place in the list.
#[tauri::command(async)]
pub fn move_account(
    state: State<'_, AppState>,
    id: String,
    position: usize,
) -> Result<(), UiError> {
    Ok(vault(&state)?.move_to(&account_id(&id)?, position)?)
}

/// Removes an account and its secret.
#[tauri::command(async)]
pub fn remove_account(state: State<'_, AppState>, id: String) -> Result<(), UiError> {
    vault(&state)?.remove(&account_id(&id)?)?;
    Ok(())
}
