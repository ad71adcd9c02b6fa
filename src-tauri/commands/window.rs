//! The window itself.

use tauri::{AppHandle, Runtime};

use crate::error::UiError;

/// Closes the window (Ctrl+W); the process exits and the tray icon stays.
#[tauri::command]
pub fn close_window<R: Runtime>(app: AppHandle<R>) -> Result<(), UiError> {
    crate::window::close(&app).map_err(|e| UiError::Other(e.to_string()))
}
