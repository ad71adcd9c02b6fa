//! The settings dialog's reads and writes, and what the organization's policy fixes.

use serde::{Deserialize, Serialize};
use sesame_core::policy::{LockedSettings, Policy, PolicySource};
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
    start_at_login: bool,
}

/// What the window shows of the organization's policy.
#[derive(Debug, Serialize)]
pub struct PolicyView {
    /// "Managed by your organization" is shown when set.
    managed: bool,
    /// The policy file, for the user to quote to IT.
    path: Option<String>,
    /// Why the policy file is not in force (everything it governs is then refused).
    problem: Option<String>,
    allow_manual_add: bool,
    locked: LockedSettings,
}

impl PolicyView {
    fn of(policy: &Policy) -> Self {
        let path = match policy.source() {
            PolicySource::File(path) => Some(path.display().to_string()),
            _ => None,
        };
        Self {
            managed: policy.is_managed(),
            path,
            problem: policy.problem().map(ToString::to_string),
            allow_manual_add: policy.check_manual_add().is_ok(),
            locked: policy.locked().clone(),
        }
    }
}

/// What the dialog needs: the values, their bounds, the policy, and why the file could not be
/// read if so.
#[derive(Debug, Serialize)]
pub struct SettingsPage {
    settings: SettingsView,
    min_clear_seconds: u64,
    max_clear_seconds: u64,
    policy: PolicyView,
    /// Set when `settings.toml` is unreadable: the dialog shows the defaults and this message.
    problem: Option<String>,
}

/// The organization's policy, for the window's chrome (the add dialog's tabs, say).
#[tauri::command]
pub fn get_policy() -> PolicyView {
    PolicyView::of(&Policy::load())
}

/// The settings in force.
#[tauri::command]
pub fn get_settings(state: State<'_, AppState>) -> Result<SettingsPage, UiError> {
    let dir = state.data_dir().map_err(UiError::Other)?;
    let (mine, problem) = match Settings::load(dir) {
        Ok(settings) => (settings, None),
        Err(error) => (
            Settings::default(),
            Some(format!(
                "Your settings file could not be read ({error}); the defaults are in use until you save."
            )),
        ),
    };
    let policy = Policy::load();
    let settings = policy.apply(mine);
    Ok(SettingsPage {
        settings: SettingsView {
            clipboard_clear_seconds: settings.clipboard_clear_seconds,
            content_protection: settings.content_protection,
            start_at_login: settings.start_at_login,
        },
        min_clear_seconds: *CLIPBOARD_CLEAR_SECONDS.start(),
        max_clear_seconds: *CLIPBOARD_CLEAR_SECONDS.end(),
        policy: PolicyView::of(&policy),
        problem,
    })
}

/// Saves the settings; they apply from the next copy, and to the open window. A value the
/// policy fixes cannot be changed, whatever the page sends.
#[tauri::command]
pub fn save_settings<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    settings: SettingsView,
) -> Result<(), UiError> {
    let dir = state.data_dir().map_err(UiError::Other)?;
    let wanted = Settings {
        clipboard_clear_seconds: settings.clipboard_clear_seconds,
        content_protection: settings.content_protection,
        start_at_login: settings.start_at_login,
    };
    let policy = Policy::load();
    policy.check_settings(&wanted)?;
    // Keep the user's own choice under a locked value, for the day the policy lets go of it.
    let mine = Settings::load(dir).unwrap_or_default();
    let locked = policy.locked();
    Settings {
        clipboard_clear_seconds: if locked.clipboard_clear_seconds.is_some() {
            mine.clipboard_clear_seconds
        } else {
            wanted.clipboard_clear_seconds
        },
        content_protection: if locked.content_protection.is_some() {
            mine.content_protection
        } else {
            wanted.content_protection
        },
        start_at_login: if locked.start_at_login.is_some() {
            mine.start_at_login
        } else {
            wanted.start_at_login
        },
    }
    .save(dir)?;
    if let Some(window) = app.get_webview_window(MAIN) {
        // Best effort: WebKitGTK has no such flag; the saved value applies where the OS has one.
        let _ = window.set_content_protected(settings.content_protection);
    }
    Ok(())
}
