//! The settings dialog's reads and writes, and what the organization's policy fixes.

use serde::Serialize;
use sesame_core::policy::{LockedSettings, Policy, PolicySource};
use sesame_core::settings::{CLIPBOARD_CLEAR_SECONDS, Settings, TEXT_SIZE_PERCENT};
use tauri::{AppHandle, Manager, Runtime, State};

use crate::error::UiError;
use crate::state::AppState;
use crate::window::MAIN;

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
    /// Whether secrets may leave Sesame (backup, export, QR codes for a phone).
    allow_export: bool,
    /// The only servers Sesame may bind to; `None` when any is allowed.
    allowed_servers: Option<Vec<String>>,
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
            allow_export: policy.check_export().is_ok(),
            allowed_servers: policy.allowed_servers().map(<[String]>::to_vec),
            locked: policy.locked().clone(),
        }
    }
}

/// What the dialog needs: the values, their bounds, the policy, and why the file could not be
/// read if so.
#[derive(Debug, Serialize)]
pub struct SettingsPage {
    settings: Settings,
    min_clear_seconds: u64,
    max_clear_seconds: u64,
    policy: PolicyView,
    /// Whether the OS can keep the window out of screenshots (Windows and macOS); elsewhere the
    /// setting is not offered, since it would promise what it cannot do.
    content_protection_available: bool,
    /// Why this desktop gives no global shortcut to apps (Wayland), and what to do instead.
    shortcut_refusal: Option<String>,
    /// Set when `settings.toml` is unreadable: the dialog shows the defaults and this message.
    problem: Option<String>,
}

/// The organization's policy, for the window's chrome (the add dialog's tabs, say).
#[tauri::command]
pub fn get_policy(state: State<'_, AppState>) -> Result<PolicyView, UiError> {
    Ok(PolicyView::of(&state.sesame()?.policy()))
}

/// The settings in force.
#[tauri::command]
pub fn get_settings(state: State<'_, AppState>) -> Result<SettingsPage, UiError> {
    let in_force = state.sesame()?.settings_in_force();
    Ok(SettingsPage {
        settings: in_force.settings,
        min_clear_seconds: *CLIPBOARD_CLEAR_SECONDS.start(),
        max_clear_seconds: *CLIPBOARD_CLEAR_SECONDS.end(),
        policy: PolicyView::of(&in_force.policy),
        content_protection_available: cfg!(any(target_os = "windows", target_os = "macos")),
        shortcut_refusal: sesame_core::shortcut::desktop_refusal(),
        problem: in_force.problem.map(|error| {
            format!(
                "Your settings file could not be read ({error}); the defaults are in use until you save."
            )
        }),
    })
}

/// Remembers the window's text size (Ctrl+plus, minus, 0); the page has applied it already.
#[tauri::command]
pub fn set_text_size(state: State<'_, AppState>, percent: u16) -> Result<u16, UiError> {
    let percent = percent.clamp(*TEXT_SIZE_PERCENT.start(), *TEXT_SIZE_PERCENT.end());
    Ok(state.sesame()?.set_text_size(percent)?.text_size_percent)
}

/// Saves the settings; they apply from the next copy, and to the open window. A value the
/// policy fixes cannot be changed, whatever the page sends.
#[tauri::command]
pub fn save_settings<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    settings: Settings,
) -> Result<(), UiError> {
    let in_force = state.sesame()?.save_settings(settings)?;
    if let Some(window) = app.get_webview_window(MAIN) {
        // Best effort: WebKitGTK has no such flag; the saved value applies where the OS has one.
        let _ = window.set_content_protected(in_force.content_protection);
    }
    Ok(())
}
