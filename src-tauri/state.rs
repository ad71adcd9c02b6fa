//! The one managed state: the vault, the secrets unlocked for display, and the clipboard.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use sesame_core::Vault;
use sesame_core::clipboard::SecretClipboard;
use sesame_core::login::PendingApproval;
use sesame_core::policy::Policy;
use sesame_core::scan::Payload;
use sesame_core::settings::Settings;
use sesame_core::unlocked::Unlocked;

/// Everything the commands share.
pub struct AppState {
    /// The vault, or why there is none (no home directory to keep the index in).
    pub vault: Result<Vault, String>,
    /// Secrets of the accounts on screen, read once from the keyring.
    pub unlocked: Mutex<Unlocked>,
    /// Kept for the app's lifetime: on X11 the copying process serves the clipboard.
    pub clipboard: Arc<SecretClipboard>,
    /// The codes of the last scan, until the user adds some or scans again (wiped on drop).
    pub scanned: Mutex<Vec<Payload>>,
    /// The sign-in being reviewed in the approval sheet.
    pub pending_login: Mutex<Option<PendingApproval>>,
    /// A sesame:// link Sesame was opened with, until the window takes it.
    pub deep_link: Mutex<Option<String>>,
    data_dir: Option<PathBuf>,
}

impl AppState {
    /// The vault in the data dir named by `SESAME_DATA_DIR` (as for the CLI), or else the
    /// platform's default, so the window and the CLI see the same accounts.
    pub fn from_environment() -> Self {
        let data_dir = std::env::var_os("SESAME_DATA_DIR")
            .map(PathBuf::from)
            .or_else(sesame_core::vault::default_data_dir);
        Self {
            vault: data_dir
                .clone()
                .map(Vault::open)
                .ok_or_else(|| "this system reports no home directory for Sesame's data".into()),
            unlocked: Mutex::default(),
            clipboard: Arc::new(SecretClipboard::new()),
            scanned: Mutex::default(),
            pending_login: Mutex::default(),
            deep_link: Mutex::default(),
            data_dir,
        }
    }

    /// The data dir, or why there is none.
    pub fn data_dir(&self) -> Result<&std::path::Path, String> {
        self.data_dir
            .as_deref()
            .ok_or_else(|| "this system reports no home directory for Sesame's data".into())
    }

    /// The settings in force: the user's, with the policy's in place of any it fixes; the
    /// defaults where the file cannot be read (the settings dialog shows why, and saving
    /// replaces the unreadable file).
    pub fn settings(&self) -> Settings {
        let mine = self
            .data_dir()
            .ok()
            .and_then(|dir| Settings::load(dir).ok())
            .unwrap_or_default();
        Policy::load().apply(mine)
    }

    /// A D-Bus-safe name for this vault's single instance: two Sesames on different data dirs
    /// (two users' test sandboxes, say) are separate instances; two on the same one are not.
    pub fn instance_id(&self) -> String {
        // FNV-1a: stable across Rust releases, unlike std's hasher.
        let path = self
            .data_dir
            .as_deref()
            .map(|p| p.to_string_lossy().into_owned());
        let hash = path
            .unwrap_or_default()
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            });
        format!("dev.sesame.desktop.v{hash:016x}")
    }

    /// Drops (and wipes) the secrets read for display, and any scan not added.
    pub fn forget_secrets(&self) {
        *self.unlocked() = Unlocked::default();
        self.scanned().clear();
    }

    /// The sesame:// link waiting for the window.
    pub fn deep_link(&self) -> MutexGuard<'_, Option<String>> {
        self.deep_link.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The sign-in under review.
    pub fn pending_login(&self) -> MutexGuard<'_, Option<PendingApproval>> {
        self.pending_login.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The last scan's codes.
    pub fn scanned(&self) -> MutexGuard<'_, Vec<Payload>> {
        self.scanned.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The unlocked secrets; a poisoned lock only means another command panicked mid-way, and
    /// the cache is still consistent (it is only ever added to or pruned).
    pub fn unlocked(&self) -> MutexGuard<'_, Unlocked> {
        self.unlocked.lock().unwrap_or_else(|p| p.into_inner())
    }
}
