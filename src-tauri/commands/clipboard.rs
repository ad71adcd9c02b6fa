//! Copying codes: marked secret, cleared later if unchanged.

use std::time::Duration;

use serde::Serialize;
use tauri::State;

use super::{account_id, vault};
use crate::error::UiError;
use crate::state::AppState;

/// What was copied, for the toast.
#[derive(Debug, Serialize)]
pub struct Copied {
    /// True when the next code was copied because the current one was about to expire.
    is_next: bool,
    /// For HOTP: the code generated (the counter has advanced).
    code: Option<String>,
    /// Seconds until the clipboard is cleared.
    clear_after: u64,
}

fn copy_and_schedule_clear(state: &AppState, code: &str) -> Result<u64, UiError> {
    let seconds = state.settings().clipboard_clear_seconds;
    state
        .clipboard
        .copy_then_clear(code, Duration::from_secs(seconds))?;
    Ok(seconds)
}

/// Copies the code of a time-based account (the next one if the current has < 5 s left).
#[tauri::command(async)]
pub fn copy_code(state: State<'_, AppState>, id: String) -> Result<Copied, UiError> {
    let vault = vault(&state)?;
    let id = account_id(&id)?;
    let accounts = vault.accounts()?;
    let account = accounts
        .iter()
        .find(|a| a.id == id)
        .ok_or_else(|| UiError::NotFound("that account is no longer in Sesame".into()))?;
    let choice = {
        let mut unlocked = state.unlocked();
        unlocked.sync(vault, &accounts)?;
        unlocked.code_to_copy(account, vault.now())
    }
    .ok_or_else(|| UiError::Other("this account has no time-based code".into()))?;
    let clear_after = copy_and_schedule_clear(&state, &choice.code.code)?;
    Ok(Copied {
        is_next: choice.is_next,
        code: None,
        clear_after,
    })
}

/// Generates the next HOTP code (advancing the counter on disk first) and copies it.
#[tauri::command(async)]
pub fn next_hotp(state: State<'_, AppState>, id: String) -> Result<Copied, UiError> {
    let hotp = vault(&state)?.next_hotp(&account_id(&id)?)?;
    let clear_after = copy_and_schedule_clear(&state, &hotp.code)?;
    Ok(Copied {
        is_next: false,
        code: Some(hotp.code),
        clear_after,
    })
}
