//! Copying codes: marked secret, cleared later if unchanged.

use std::time::Duration;

use serde::Serialize;
use tauri::State;
use zeroize::Zeroizing;

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
    state.clipboard.copy_secret(code)?;
    let clipboard = state.clipboard.clone();
    let code = Zeroizing::new(code.to_owned());
    let seconds = state.clipboard_clear_seconds;
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(seconds));
        // Best effort: if the clipboard is gone, there is nothing left to clear.
        let _ = clipboard.clear_if_holds(&code);
    });
    Ok(seconds)
}

/// Copies the code of a time-based account (the next one if the current has < 5 s left).
#[tauri::command]
pub fn copy_code(state: State<'_, AppState>, id: String) -> Result<Copied, UiError> {
    copy_account_code(&state, &id)
}

/// [`copy_code`] for callers outside IPC (the tray).
pub fn copy_account_code(state: &AppState, id: &str) -> Result<Copied, UiError> {
    let vault = vault(state)?;
    let id = account_id(id)?;
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
    let clear_after = copy_and_schedule_clear(state, &choice.code.code)?;
    Ok(Copied {
        is_next: choice.is_next,
        code: None,
        clear_after,
    })
}

/// Generates the next HOTP code (advancing the counter on disk first) and copies it.
#[tauri::command]
pub fn next_hotp(state: State<'_, AppState>, id: String) -> Result<Copied, UiError> {
    let hotp = vault(&state)?.next_hotp(&account_id(&id)?)?;
    let clear_after = copy_and_schedule_clear(&state, &hotp.code)?;
    Ok(Copied {
        is_next: false,
        code: Some(hotp.code),
        clear_after,
    })
}
