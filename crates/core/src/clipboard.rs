//! The clipboard, for codes: each copy is marked as secret where the platform has a way, and a
//! later clear happens only if the clipboard still holds what Sesame put there.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use zeroize::Zeroizing;

/// Why the clipboard could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClipboardError {
    /// No clipboard could be opened (no display server, say).
    #[error("the clipboard is not available: {0}")]
    Unavailable(String),
    /// The clipboard refused the operation.
    #[error("the clipboard refused the change: {0}")]
    Refused(String),
}

/// The system clipboard, opened on first use and kept open: on X11 and Wayland the copying
/// process must stay alive to serve what it copied.
#[derive(Default)]
pub struct SecretClipboard {
    clipboard: Mutex<Option<arboard::Clipboard>>,
    /// Clears scheduled and not yet done: a process about to exit waits for them, or the code
    /// would outlive it in a clipboard manager or be dropped before the user pasted it.
    pending_clears: Mutex<usize>,
    cleared: Condvar,
}

impl SecretClipboard {
    /// A clipboard that opens on first use.
    pub fn new() -> Self {
        Self::default()
    }

    fn with<T>(
        &self,
        action: impl FnOnce(&mut arboard::Clipboard) -> Result<T, arboard::Error>,
    ) -> Result<T, ClipboardError> {
        let mut guard = self.clipboard.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            let opened = arboard::Clipboard::new()
                .map_err(|e| ClipboardError::Unavailable(e.to_string()))?;
            *guard = Some(opened);
        }
        let clipboard = guard
            .as_mut()
            .ok_or_else(|| ClipboardError::Unavailable("not opened".into()))?;
        action(clipboard).map_err(|e| ClipboardError::Refused(e.to_string()))
    }

    /// Puts `text` on the clipboard, kept out of clipboard managers' histories (Linux: the
    /// `x-kde-passwordManagerHint` target; macOS: the concealed type; Windows: excluded from
    /// history and cloud sync).
    pub fn copy_secret(&self, text: &str) -> Result<(), ClipboardError> {
        self.with(|clipboard| {
            let set = clipboard.set();
            #[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
            let set = arboard::SetExtLinux::exclude_from_history(set);
            #[cfg(target_os = "macos")]
            let set = arboard::SetExtApple::exclude_from_history(set);
            #[cfg(target_os = "windows")]
            let set = arboard::SetExtWindows::exclude_from_cloud(
                arboard::SetExtWindows::exclude_from_history(set),
            );
            set.text(text.to_owned())
        })
    }

    /// Clears the clipboard if it still holds `text`; `false` when the user has copied
    /// something else since (which is then left alone).
    pub fn clear_if_holds(&self, text: &str) -> Result<bool, ClipboardError> {
        self.with(|clipboard| {
            let holds = clipboard.get_text().is_ok_and(|current| current == text);
            if holds {
                clipboard.clear()?;
            }
            Ok(holds)
        })
    }

    /// Copies `code` as a secret and clears it after `after`, unless the user has copied
    /// something else by then. The clear runs on its own thread.
    pub fn copy_then_clear(
        self: &Arc<Self>,
        code: &str,
        after: Duration,
    ) -> Result<(), ClipboardError> {
        self.copy_secret(code)?;
        *self.pending() += 1;
        let clipboard = Arc::clone(self);
        let code = Zeroizing::new(code.to_owned());
        std::thread::spawn(move || {
            std::thread::sleep(after);
            // Best effort: if the clipboard is gone, there is nothing left to clear.
            let _ = clipboard.clear_if_holds(&code);
            let mut pending = clipboard.pending();
            *pending = pending.saturating_sub(1);
            clipboard.cleared.notify_all();
        });
        Ok(())
    }

    /// True while a scheduled clear has not run yet.
    pub fn has_pending_clears(&self) -> bool {
        *self.pending() > 0
    }

    /// Blocks until every scheduled clear has run.
    pub fn wait_for_pending_clears(&self) {
        let mut pending = self.pending();
        while *pending > 0 {
            pending = self
                .cleared
                .wait(pending)
                .unwrap_or_else(|p| p.into_inner());
        }
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, usize> {
        self.pending_clears
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }
}
