//! The one managed state: the vault, the secrets unlocked for display, and the clipboard.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use sesame_core::Vault;
use sesame_core::clipboard::SecretClipboard;
use sesame_core::unlocked::Unlocked;

/// Seconds after a copy until the clipboard is cleared (if it still holds the code).
pub const DEFAULT_CLIPBOARD_CLEAR_SECONDS: u64 = 30;

/// Everything the commands share.
pub struct AppState {
    /// The vault, or why there is none (no home directory to keep the index in).
    pub vault: Result<Vault, String>,
    /// Secrets of the accounts on screen, read once from the keyring.
    pub unlocked: Mutex<Unlocked>,
    /// Kept for the app's lifetime: on X11 the copying process serves the clipboard.
    pub clipboard: Arc<SecretClipboard>,
    /// Seconds until a copied code is cleared.
    pub clipboard_clear_seconds: u64,
}

impl AppState {
    /// The vault in the data dir named by `SESAME_DATA_DIR` (as for the CLI), or else the
    /// platform's default, so the window and the CLI see the same accounts.
    /// `SESAME_CLIPBOARD_CLEAR_SECONDS` changes the clipboard delay.
    pub fn from_environment() -> Self {
        let data_dir = std::env::var_os("SESAME_DATA_DIR")
            .map(PathBuf::from)
            .or_else(sesame_core::vault::default_data_dir);
        let clear = std::env::var("SESAME_CLIPBOARD_CLEAR_SECONDS")
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|&seconds| seconds > 0)
            .unwrap_or(DEFAULT_CLIPBOARD_CLEAR_SECONDS);
        Self {
            vault: data_dir
                .map(Vault::open)
                .ok_or_else(|| "this system reports no home directory for Sesame's data".into()),
            unlocked: Mutex::default(),
            clipboard: Arc::new(SecretClipboard::new()),
            clipboard_clear_seconds: clear,
        }
    }

    /// The unlocked secrets; a poisoned lock only means another command panicked mid-way, and
    /// the cache is still consistent (it is only ever added to or pruned).
    pub fn unlocked(&self) -> MutexGuard<'_, Unlocked> {
        self.unlocked.lock().unwrap_or_else(|p| p.into_inner())
    }
}
