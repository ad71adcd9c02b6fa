//! Copying codes: marked secret, cleared later if unchanged.

use serde::Serialize;
use sesame_core::sesame;
use tauri::State;

use super::account_id;
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

impl From<sesame::Copied> for Copied {
    fn from(copied: sesame::Copied) -> Self {
        Self {
            is_next: copied.is_next,
            code: copied.hotp.map(|hotp| hotp.code),
            clear_after: copied.clear_after,
        }
    }
}

/// Copies the code of a time-based account (the next one if the current has < 5 s left).
#[tauri::command(async)]
pub fn copy_code(state: State<'_, AppState>, id: String) -> Result<Copied, UiError> {
    Ok(state.sesame()?.copy_code(&account_id(&id)?)?.into())
}

/// Generates the next HOTP code (advancing the counter on disk first) and copies it.
#[tauri::command(async)]
pub fn next_hotp(state: State<'_, AppState>, id: String) -> Result<Copied, UiError> {
    Ok(state.sesame()?.copy_next_hotp(&account_id(&id)?)?.into())
}
