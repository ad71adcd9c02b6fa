//! The settings dialog's reads and writes.

use serde::{Deserialize, Serialize};
use sesame_core::settings::{CLIPBOARD_CLEAR_SECONDS, Settings};
use tauri::{AppHandle, Manager, Runtime, State};

use crate::error::UiError;
use crate::state::AppState;
use crate::window::MAIN;

/// The settings as the dialog shows them.
#[derive(Debug, Serialize, Deserialize)]
pub struct SettingsView {
    clipboard_clear_seconds: u64,
    content_protection: bool,
}

/// What the dialog needs: the values, their bounds, and why the file could not be read if so.
#[derive(Debug, Serialize)]
pub struct SettingsPage {
    settings: SettingsView,
    min_clear_seconds: u64,
    max_clear_seconds: u64,
    /// Set when `settings.toml` is unreadable: the dialog shows the defaults and this message.
    problem: Option<String>,
}

/// The current settings.
#[tauri::command]
pub fn get_settings(state: State<'_, AppState>) -> Result<SettingsPage, UiError> {
    let dir = state.data_dir().map_err(UiError::Other)?;
    let (settings, problem) = match Settings::load(dir) {
        Ok(settings) => (settings, None),
        Err(error) => (
            Settings::default(),
            Some(format!(
                "Your settings file could not be read ({error}); the defaults are in use until you save."
            )),
        ),
    };
    Ok(SettingsPage {
        settings: SettingsView {
            clipboard_clear_seconds: settings.clipboard_clear_seconds,
            content_protection: settings.content_protection,
        },
        min_clear_seconds: *CLIPBOARD_CLEAR_SECONDS.start(),
        max_clear_seconds: *CLIPBOARD_CLEAR_SECONDS.end(),
        problem,
    })
}

/// Saves the settings; they apply from the next copy, and to the open window.
#[tauri::command]
pub fn save_settings<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    settings: SettingsView,
) -> Result<(), UiError> {
    let dir = state.data_dir().map_err(UiError::Other)?;
    Settings {
        clipboard_clear_seconds: settings.clipboard_clear_seconds,
        content_protection: settings.content_protection,
    }
    .save(dir)?;
    if let Some(window) = app.get_webview_window(MAIN) {
        // Best effort: WebKitGTK has no such flag; the saved value applies where the OS has one.
        let _ = window.set_content_protected(settings.content_protection);
    }
    Ok(())
}
