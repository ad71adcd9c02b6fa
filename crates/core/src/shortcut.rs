//! The global shortcut that brings Sesame's window up with the search focused: its text as the
//! user and the policy write it ("Ctrl+Alt+S"), checked here so that the window, the tray that
//! registers it and the policy agree on what a valid one is. An empty text means none.

use std::fmt;

/// The shortcut a new installation has.
pub const DEFAULT_SHORTCUT: &str = "Ctrl+Alt+S";

/// Why a shortcut's text is not one Sesame can register.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShortcutError {
    #[error("“{0}” is not a key Sesame knows (use a letter, a digit or F1–F24)")]
    UnknownKey(String),
    #[error("“{0}” is not a modifier (use Ctrl, Alt, Shift or Super)")]
    UnknownModifier(String),
    #[error("a shortcut needs Ctrl, Alt or Super: “{0}” alone would take away a key people type")]
    NeedsModifier(String),
    #[error("a shortcut has one key after its modifiers, not “{0}”")]
    Malformed(String),
}

/// A key combination: at least one of Ctrl, Alt and Super, maybe Shift, and one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shortcut {
    ctrl: bool,
    alt: bool,
    shift: bool,
    super_key: bool,
    key: Key,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Letter(char),
    Digit(char),
    Function(u8),
}

impl Shortcut {
    /// The shortcut `text` names, written with `+` between its parts in any case ("ctrl+alt+s",
    /// "Control+Option+S"); `None` for an empty text, which turns the shortcut off.
    pub fn parse(text: &str) -> Result<Option<Self>, ShortcutError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let parts: Vec<&str> = text.split('+').map(str::trim).collect();
        let Some((key, modifiers)) = parts.split_last() else {
            return Err(ShortcutError::Malformed(text.to_owned()));
        };
        if key.is_empty() || modifiers.iter().any(|m| m.is_empty()) {
            return Err(ShortcutError::Malformed(text.to_owned()));
        }
        let mut shortcut = Shortcut {
            ctrl: false,
            alt: false,
            shift: false,
            super_key: false,
            key: Key::parse(key).ok_or_else(|| ShortcutError::UnknownKey((*key).to_owned()))?,
        };
        for modifier in modifiers {
            let flag = match modifier.to_ascii_lowercase().as_str() {
                "ctrl" | "control" => &mut shortcut.ctrl,
                "alt" | "option" => &mut shortcut.alt,
                "shift" => &mut shortcut.shift,
                "super" | "meta" | "win" | "cmd" | "command" => &mut shortcut.super_key,
                _ => return Err(ShortcutError::UnknownModifier((*modifier).to_owned())),
            };
            if *flag {
                return Err(ShortcutError::Malformed(text.to_owned()));
            }
            *flag = true;
        }
        // F-keys are rarely typed: Shift+F9 or F9 alone are fair; a letter needs a modifier
        // that does not type.
        let typing = matches!(shortcut.key, Key::Letter(_) | Key::Digit(_));
        if typing && !(shortcut.ctrl || shortcut.alt || shortcut.super_key) {
            return Err(ShortcutError::NeedsModifier(text.to_owned()));
        }
        Ok(Some(shortcut))
    }
}

impl Key {
    fn parse(text: &str) -> Option<Self> {
        let upper = text.to_ascii_uppercase();
        let mut chars = upper.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if c.is_ascii_uppercase() => return Some(Key::Letter(c)),
            (Some(c), None) if c.is_ascii_digit() => return Some(Key::Digit(c)),
            _ => {}
        }
        let number: u8 = upper.strip_prefix('F')?.parse().ok()?;
        (1..=24).contains(&number).then_some(Key::Function(number))
    }
}

/// The canonical text: modifiers in the order Ctrl, Alt, Shift, Super, then the key, upper case.
/// The tray hands exactly this to the desktop's shortcut registry.
impl fmt::Display for Shortcut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (on, name) in [
            (self.ctrl, "Ctrl"),
            (self.alt, "Alt"),
            (self.shift, "Shift"),
            (self.super_key, "Super"),
        ] {
            if on {
                write!(f, "{name}+")?;
            }
        }
        match self.key {
            Key::Letter(c) | Key::Digit(c) => write!(f, "{c}"),
            Key::Function(n) => write!(f, "F{n}"),
        }
    }
}

/// The window's command-line flag that brings it up with the search focused: what the tray runs
/// on the shortcut, and what a desktop's own shortcut should run where apps may not take one.
pub const SEARCH_ARG: &str = "--search";

/// Why this desktop will not hand a global shortcut to Sesame, when it will not: a Wayland
/// session keeps global shortcuts to the desktop itself (an app's X11 grab there works only
/// while one of its own X windows has the focus).
pub fn desktop_refusal() -> Option<String> {
    let wayland = std::env::var("XDG_SESSION_TYPE")
        .is_ok_and(|t| t.eq_ignore_ascii_case("wayland"))
        || (std::env::var_os("WAYLAND_DISPLAY").is_some() && std::env::var_os("DISPLAY").is_none());
    (cfg!(target_os = "linux") && wayland).then(|| {
        format!(
            "This desktop (Wayland) does not let apps take a global shortcut: add one in its \
             keyboard settings that runs “sesame-app {SEARCH_ARG}”."
        )
    })
}

/// The canonical form of a shortcut's text ("" for none), or why it is not one.
pub fn normalize(text: &str) -> Result<String, ShortcutError> {
    Ok(Shortcut::parse(text)?.map_or_else(String::new, |s| s.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortcuts_are_read_in_any_case_and_written_one_way() {
        for (text, canonical) in [
            ("Ctrl+Alt+S", "Ctrl+Alt+S"),
            ("alt + ctrl + s", "Ctrl+Alt+S"),
            ("Control+Option+k", "Ctrl+Alt+K"),
            ("super+shift+1", "Shift+Super+1"),
            ("Meta+F12", "Super+F12"),
            ("F9", "F9"),
            ("Shift+f24", "Shift+F24"),
            ("", ""),
            ("   ", ""),
        ] {
            assert_eq!(normalize(text).as_deref(), Ok(canonical), "{text}");
        }
        assert_eq!(normalize(DEFAULT_SHORTCUT).as_deref(), Ok(DEFAULT_SHORTCUT));
    }

    #[test]
    fn what_is_not_a_shortcut_says_why() {
        for (text, error) in [
            ("S", ShortcutError::NeedsModifier("S".into())),
            ("Shift+S", ShortcutError::NeedsModifier("Shift+S".into())),
            ("Ctrl+Alt+Enter", ShortcutError::UnknownKey("Enter".into())),
            ("Ctrl+F25", ShortcutError::UnknownKey("F25".into())),
            ("Ctrl+F0", ShortcutError::UnknownKey("F0".into())),
            ("Hyper+S", ShortcutError::UnknownModifier("Hyper".into())),
            ("Ctrl++S", ShortcutError::Malformed("Ctrl++S".into())),
            (
                "Ctrl+Ctrl+S",
                ShortcutError::Malformed("Ctrl+Ctrl+S".into()),
            ),
            ("Ctrl+", ShortcutError::Malformed("Ctrl+".into())),
            ("Ctrl+é", ShortcutError::UnknownKey("é".into())),
        ] {
            assert_eq!(normalize(text), Err(error), "{text}");
        }
    }
}
