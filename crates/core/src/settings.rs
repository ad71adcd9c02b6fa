//! The user's preferences, in `settings.toml` in the data dir: few, and each one a choice the
//! user can sensibly make. The machine-wide policy ([`crate::policy`]) may fix any of them.

use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::private_files::replace_private_file;
use crate::shortcut::{self, DEFAULT_SHORTCUT};

/// The settings file's name in the data dir.
pub const SETTINGS_FILE: &str = "settings.toml";

/// The clipboard delays a user may choose, in seconds: long enough to paste, short enough that
/// a code does not sit on the clipboard for the rest of the day.
pub const CLIPBOARD_CLEAR_SECONDS: RangeInclusive<u64> = 5..=300;

/// The window's text sizes, in percent of the normal size (Ctrl+minus down to 80 %, Ctrl+plus up
/// to twice the size); the desktop's own text scaling applies on top.
pub const TEXT_SIZE_PERCENT: RangeInclusive<u16> = 80..=200;

/// Why the settings could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The file is not valid TOML or holds an unknown or ill-typed key.
    #[error("{path}, line {line}: {reason}")]
    Malformed {
        path: PathBuf,
        line: usize,
        reason: String,
    },
    /// A value is outside what Sesame accepts.
    #[error("{0}")]
    OutOfRange(String),
    /// The file could not be read or written.
    #[error("could not {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The preferences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Seconds after a copy until the clipboard is cleared (if it still holds the code).
    pub clipboard_clear_seconds: u64,
    /// Keep the window out of screenshots and screen sharing, where the OS allows it.
    pub content_protection: bool,
    /// Start the tray when the user logs in (through the autostart entry the package installs).
    pub start_at_login: bool,
    /// The window's text size, in percent (see [`TEXT_SIZE_PERCENT`]).
    pub text_size_percent: u16,
    /// The key combination that brings the window up with the search focused, as
    /// [`crate::shortcut::Shortcut`] reads it; empty for none. The tray registers it.
    pub global_shortcut: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            clipboard_clear_seconds: 30,
            content_protection: true,
            start_at_login: false,
            text_size_percent: 100,
            global_shortcut: DEFAULT_SHORTCUT.to_owned(),
        }
    }
}

impl Settings {
    /// The settings in `data_dir`; the defaults when there is no file yet.
    pub fn load(data_dir: &Path) -> Result<Self, SettingsError> {
        let path = data_dir.join(SETTINGS_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(source) => {
                return Err(SettingsError::Io {
                    action: "read",
                    path,
                    source,
                });
            }
        };
        let settings: Self = toml::from_str(&text).map_err(|e| SettingsError::Malformed {
            line: e
                .span()
                .map_or(1, |span| 1 + text[..span.start].matches('\n').count()),
            reason: e.message().to_owned(),
            path,
        })?;
        settings.validated()
    }

    /// Checks every value is one Sesame accepts.
    pub fn validated(mut self) -> Result<Self, SettingsError> {
        if !CLIPBOARD_CLEAR_SECONDS.contains(&self.clipboard_clear_seconds) {
            return Err(SettingsError::OutOfRange(format!(
                "the clipboard delay must be between {} and {} seconds, not {}",
                CLIPBOARD_CLEAR_SECONDS.start(),
                CLIPBOARD_CLEAR_SECONDS.end(),
                self.clipboard_clear_seconds
            )));
        }
        if !TEXT_SIZE_PERCENT.contains(&self.text_size_percent) {
            return Err(SettingsError::OutOfRange(format!(
                "the text size must be between {} % and {} %, not {} %",
                TEXT_SIZE_PERCENT.start(),
                TEXT_SIZE_PERCENT.end(),
                self.text_size_percent
            )));
        }
        self.global_shortcut = shortcut::normalize(&self.global_shortcut).map_err(|e| {
            SettingsError::OutOfRange(format!("the global shortcut cannot be used: {e}"))
        })?;
        Ok(self)
    }

    /// Validates and writes the settings to `data_dir`, atomically.
    pub fn save(&self, data_dir: &Path) -> Result<(), SettingsError> {
        let settings = self.clone().validated()?;
        let text =
            toml::to_string(&settings).map_err(|e| SettingsError::OutOfRange(e.to_string()))?;
        replace_private_file(data_dir, SETTINGS_FILE, text.as_bytes()).map_err(|source| {
            SettingsError::Io {
                action: "write",
                path: data_dir.join(SETTINGS_FILE),
                source,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_file_means_the_defaults() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert_eq!(
            Settings::load(dir.path()).expect("load"),
            Settings::default()
        );
    }

    #[test]
    fn settings_survive_a_save_and_load() {
        let dir = tempfile::tempdir().expect("temp dir");
        let chosen = Settings {
            clipboard_clear_seconds: 12,
            content_protection: false,
            start_at_login: true,
            text_size_percent: 150,
            global_shortcut: "Ctrl+Shift+F2".into(),
        };
        chosen.save(dir.path()).expect("save");
        assert_eq!(Settings::load(dir.path()).expect("load"), chosen);
    }

    #[test]
    fn the_global_shortcut_is_kept_in_one_form_or_refused_with_its_reason() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            dir.path().join(SETTINGS_FILE),
            "global_shortcut = \"alt+control+k\"\n",
        )
        .expect("write");
        let loaded = Settings::load(dir.path()).expect("load");
        assert_eq!(loaded.global_shortcut, "Ctrl+Alt+K");
        std::fs::write(dir.path().join(SETTINGS_FILE), "global_shortcut = \"\"\n").expect("write");
        assert_eq!(
            Settings::load(dir.path()).expect("load").global_shortcut,
            ""
        );
        std::fs::write(dir.path().join(SETTINGS_FILE), "global_shortcut = \"k\"\n").expect("write");
        match Settings::load(dir.path()) {
            Err(SettingsError::OutOfRange(reason)) => {
                assert!(reason.contains("needs Ctrl, Alt or Super"), "{reason}");
            }
            other => panic!("expected the shortcut refused, got {other:?}"),
        }
    }

    #[test]
    fn a_typo_is_reported_with_its_line() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            dir.path().join(SETTINGS_FILE),
            "content_protection = true\nclipboard_clear_secs = 10\n",
        )
        .expect("write");
        match Settings::load(dir.path()) {
            Err(SettingsError::Malformed { line, reason, .. }) => {
                assert_eq!(line, 2);
                assert!(reason.contains("clipboard_clear_secs"), "{reason}");
            }
            other => panic!("expected a malformed-file error, got {other:?}"),
        }
    }

    #[test]
    fn out_of_range_delays_are_refused_and_nothing_is_written() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            dir.path().join(SETTINGS_FILE),
            "clipboard_clear_seconds = 1\n",
        )
        .expect("write");
        assert!(matches!(
            Settings::load(dir.path()),
            Err(SettingsError::OutOfRange(_))
        ));
        let too_long = Settings {
            clipboard_clear_seconds: 3600,
            ..Settings::default()
        };
        assert!(too_long.save(dir.path()).is_err());
        let kept = std::fs::read_to_string(dir.path().join(SETTINGS_FILE)).expect("read");
        assert_eq!(kept, "clipboard_clear_seconds = 1\n");
    }
}
