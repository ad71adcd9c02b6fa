//! The global shortcut (Settings → "Shortcut to show Sesame", or the policy's
//! `settings.global_shortcut`): registered here because the tray is the process that lives all
//! session; the window's process exits when it closes, and would take the shortcut with it.
//!
//! `global-hotkey` is the library Tauri's global-shortcut plugin is built on; the tray is not a
//! Tauri app, so it uses the library directly.

use std::str::FromStr as _;

use global_hotkey::hotkey::HotKey;
use global_hotkey::{GlobalHotKeyEvent, GlobalHotKeyManager, HotKeyState};
use sesame_core::shortcut;

/// The shortcut registered with the desktop, kept in step with the settings.
pub struct GlobalShortcut {
    /// `None` where the desktop gives no shortcuts (Wayland, no display).
    manager: Option<GlobalHotKeyManager>,
    /// The settings' text last applied, registered or not.
    applied: Option<String>,
    registered: Option<HotKey>,
}

impl GlobalShortcut {
    pub fn new() -> Self {
        let manager = match shortcut::desktop_refusal() {
            Some(reason) => {
                eprintln!("sesame-tray: no global shortcut: {reason}");
                None
            }
            None => GlobalHotKeyManager::new()
                .map_err(|error| eprintln!("sesame-tray: no global shortcut: {error}"))
                .ok(),
        };
        Self {
            manager,
            applied: None,
            registered: None,
        }
    }

    /// Registers `text` (canonical, as the settings keep it; empty for none) in place of the
    /// last one, if it changed. A combination another program holds is reported and skipped.
    pub fn apply(&mut self, text: &str) {
        if self.applied.as_deref() == Some(text) {
            return;
        }
        self.applied = Some(text.to_owned());
        let Some(manager) = &self.manager else {
            return;
        };
        if let Some(old) = self.registered.take() {
            let _ = manager.unregister(old);
        }
        if text.is_empty() {
            return;
        }
        let hotkey = match HotKey::from_str(text) {
            Ok(hotkey) => hotkey,
            Err(error) => {
                eprintln!("sesame-tray: the shortcut {text} cannot be registered: {error}");
                return;
            }
        };
        match manager.register(hotkey) {
            Ok(()) => self.registered = Some(hotkey),
            Err(error) => eprintln!(
                "sesame-tray: the shortcut {text} is not available (another program may hold it): {error}"
            ),
        }
    }

    /// Whether `event` is this shortcut being pressed (not released, not another's).
    pub fn pressed(&self, event: &GlobalHotKeyEvent) -> bool {
        event.state == HotKeyState::Pressed
            && self
                .registered
                .is_some_and(|hotkey| hotkey.id() == event.id)
    }
}
