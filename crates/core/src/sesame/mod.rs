//! The use cases: what a user does with Sesame, one method each on [`Sesame`]. The window
//! (`src-tauri/`), the CLI and the tray call these and only phrase what they return, so a
//! decision is written once and the organization's policy, checked inside each method, cannot
//! be skipped by a face.
//!
//! Built once per process from the environment ([`Sesame::from_environment`]), or from parts
//! for tests ([`Sesame::with_parts`]: an in-memory keyring, a fixed clock, a given policy).

mod accounts;
mod codes;
mod moving;
mod preferences;
mod removing;
mod scanning;
mod sign_in;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

pub use accounts::{ScannedAccounts, TypedAccount};
pub use codes::{Copied, LookedUpCode, RollingCode};
pub use preferences::{SettingsInForce, SettingsStamp};
pub use removing::{CarriedOut, UNDO_SECONDS};
#[cfg(feature = "screen")]
pub use scanning::KEEP_LOOKING;
pub use sign_in::{DEVICE_NAME, Review, ServerEntry, ServerHealth};

use crate::account_form::FormError;
use crate::clipboard::{ClipboardError, SecretClipboard};
use crate::login::{Companion, DEVICE_KEY_SERVICE, LoginError};
use crate::otpauth::UriError;
use crate::policy::{Policy, PolicyRefusal};
use crate::scan::ScanError;
use crate::search::SelectError;
use crate::settings::SettingsError;
use crate::transfer::ImportError;
use crate::unlocked::Unlocked;
use crate::vault::{KeyringStore, PatientStore, SecretStore, Vault, VaultError};

/// Names the data dir for every face (the CLI's `--data-dir` reads it too).
pub const DATA_DIR_ENV: &str = "SESAME_DATA_DIR";

/// The platform reports no home directory, and no data dir was named.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("this system reports no home directory for Sesame's data")]
pub struct NoDataDir;

impl NoDataDir {
    /// What the user can do about it.
    pub fn hint(&self) -> &'static str {
        "Set SESAME_DATA_DIR or pass --data-dir."
    }
}

/// Why a use case failed: the part's own typed error, or a refusal of this layer. Each face
/// turns these into its sentences.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Policy(#[from] PolicyRefusal),
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Uri(#[from] UriError),
    #[error(transparent)]
    Form(#[from] FormError),
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    Backup(#[from] crate::transfer::BackupError),
    #[error(transparent)]
    Select(#[from] SelectError),
    #[error(transparent)]
    Scan(#[from] ScanError),
    #[error(transparent)]
    Login(#[from] LoginError),
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Clipboard(#[from] ClipboardError),
    /// The account asked for is not in the index (removed from elsewhere meanwhile).
    #[error("that account is no longer in Sesame")]
    AccountGone,
    /// A copy of the current code was asked for an account whose codes are counter-based.
    #[error("this account has no time-based code")]
    NotTimeBased,
    /// `sesame code` found nothing because there is nothing.
    #[error("there are no accounts yet")]
    NoAccounts,
    /// Undo came after the removal was carried out (or none was asked for).
    #[error("that removal can no longer be undone")]
    TooLateToUndo,
}

/// Where the policy comes from: the machine's, read again at each use so that a change IT makes
/// applies to a window already open; or one given (tests).
enum PolicyFrom {
    Machine,
    Given(Policy),
}

/// Sesame for one user: the vault, the organization's policy, the QR-login client's keys, the
/// clipboard, and the secrets held while codes are on screen.
pub struct Sesame {
    data_dir: PathBuf,
    vault: Vault,
    policy: PolicyFrom,
    device_keys: Arc<dyn SecretStore>,
    clipboard: Arc<SecretClipboard>,
    unlocked: Mutex<Unlocked>,
    /// Removals the user can still undo (see `removing`).
    pending_removals: Mutex<removing::PendingRemovals>,
}

impl Sesame {
    /// The data dir: `given` (the CLI's `--data-dir`), else [`DATA_DIR_ENV`], else the
    /// platform's default, so that the window, the tray and the CLI see the same accounts.
    pub fn data_dir_from_environment(given: Option<PathBuf>) -> Result<PathBuf, NoDataDir> {
        given
            .or_else(|| std::env::var_os(DATA_DIR_ENV).map(PathBuf::from))
            .or_else(crate::vault::default_data_dir)
            .ok_or(NoDataDir)
    }

    /// Sesame over the environment's data dir (see [`Sesame::data_dir_from_environment`]).
    pub fn from_environment(given: Option<PathBuf>) -> Result<Self, NoDataDir> {
        Ok(Self::open(Self::data_dir_from_environment(given)?))
    }

    /// Sesame over `data_dir`: secrets and device keys in the OS keyring, the system clock, the
    /// machine's policy.
    pub fn open(data_dir: PathBuf) -> Self {
        Self {
            vault: Vault::open(&data_dir),
            data_dir,
            policy: PolicyFrom::Machine,
            device_keys: Arc::new(PatientStore::new(KeyringStore::new(DEVICE_KEY_SERVICE))),
            clipboard: Arc::new(SecretClipboard::new()),
            unlocked: Mutex::default(),
            pending_removals: Mutex::default(),
        }
    }

    /// Sesame from parts: for tests, a vault over an in-memory store and a fixed clock, device
    /// keys in memory, and a given policy.
    pub fn with_parts(
        data_dir: PathBuf,
        vault: Vault,
        device_keys: Arc<dyn SecretStore>,
        policy: Policy,
    ) -> Self {
        Self {
            data_dir,
            vault,
            policy: PolicyFrom::Given(policy),
            device_keys,
            clipboard: Arc::new(SecretClipboard::new()),
            unlocked: Mutex::default(),
            pending_removals: Mutex::default(),
        }
    }

    /// The policy in force now.
    pub fn policy(&self) -> Policy {
        match &self.policy {
            PolicyFrom::Machine => Policy::load(),
            PolicyFrom::Given(policy) => policy.clone(),
        }
    }

    /// Where the index, settings and bound servers are kept.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Where the account index is (the tray watches it for changes).
    pub fn index_location(&self) -> PathBuf {
        self.vault.index_location()
    }

    /// The current time, in Unix seconds, by the one clock every use case reads.
    pub fn now(&self) -> u64 {
        self.vault.now()
    }

    /// The clipboard codes are copied to; a process that copied must outlive its pending clears
    /// (on X11 the copying process serves the clipboard).
    pub fn clipboard(&self) -> &Arc<SecretClipboard> {
        &self.clipboard
    }

    /// Drops (and wipes) the secrets held for display.
    pub fn forget_secrets(&self) {
        *self.unlocked() = Unlocked::default();
    }

    /// The QR-login client, under the policy in force now.
    fn companion(&self) -> Companion {
        Companion::new(&self.data_dir, Arc::clone(&self.device_keys), self.policy())
    }

    /// A poisoned lock only means another call panicked mid-way; the cache is still consistent
    /// (it is only ever added to or pruned).
    fn unlocked(&self) -> MutexGuard<'_, Unlocked> {
        self.unlocked.lock().unwrap_or_else(|p| p.into_inner())
    }
}
