//! The vault: accounts whose secrets live in a [`SecretStore`] (the OS keyring) and whose other
//! fields live in an [`IndexStorage`] (a file), kept consistent through crashes.

mod index;
mod keyring_store;
mod patient_store;
mod secret_store;

use std::collections::HashSet;
use std::path::PathBuf;

pub use index::{
    EntryState, FileIndex, INDEX_VERSION, Index, IndexEntry, IndexError, IndexLock, IndexStorage,
};
pub use keyring_store::{ACCOUNT_SERVICE, KeyringStore};
pub use patient_store::{GIVE_UP_AFTER, NOTICE_AFTER, PatientStore, on_keyring_wait};
pub use secret_store::{MemoryStore, SecretStore, StoreError};

use crate::account::{Account, AccountId, NewAccount};
use crate::otp::{self, Clock, OtpKind, SystemClock, TimedCode};
use crate::secret::Secret;

/// Why a vault operation failed.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// The keyring failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The index file failed.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// No account has this id (it was removed meanwhile).
    #[error("no account has the id {0}")]
    UnknownAccount(AccountId),
    /// An account with the same issuer and name exists.
    #[error("{label} is already in Sesame (id {id})")]
    Duplicate {
        /// `issuer:name`.
        label: String,
        /// The existing account's short id.
        id: String,
    },
    /// The index lists an account whose secret is not in the keyring.
    #[error("the secret of {0} is missing from the keyring; remove the account and add it again")]
    SecretMissing(String),
    /// A counter operation on an account that is not HOTP.
    #[error("{0} is not a counter-based (HOTP) account")]
    NotHotp(String),
    /// A rename to an empty label.
    #[error("an account needs an issuer or a name")]
    EmptyLabel,
    /// A rename to an issuer or name longer than [`crate::account::MAX_LABEL_BYTES`].
    #[error("the {0} is longer than {max} bytes", max = crate::account::MAX_LABEL_BYTES)]
    LabelTooLong(&'static str),
    /// The HOTP counter is at its maximum.
    #[error("the counter of {0} cannot advance any further")]
    CounterExhausted(String),
}

/// The platform's data directory for Sesame (`~/.local/share/sesame` on Linux,
/// `~/Library/Application Support/dev.Sesame.Sesame` on macOS, `%APPDATA%\Sesame\Sesame\data`
/// on Windows); `None` when the platform reports no home directory.
pub fn default_data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("dev", "Sesame", "Sesame").map(|d| d.data_dir().to_owned())
}

/// A counter-based code, produced by advancing the counter first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HotpCode {
    /// The code.
    pub code: String,
    /// The counter value it was computed for (already consumed).
    pub counter: u64,
}

/// What [`Vault::doctor`] found and did.
#[derive(Debug, Default)]
pub struct DoctorReport {
    /// Where the index is.
    pub index_path: PathBuf,
    /// What keeps the secrets.
    pub store: String,
    /// Accounts whose add was interrupted after the secret was stored: now restored.
    pub restored: Vec<String>,
    /// Adds interrupted before the secret was stored: their records were dropped (nothing had
    /// been saved, and the add had reported failure).
    pub dropped_incomplete: Vec<String>,
    /// Removals that were interrupted and are now finished.
    pub finished_removals: Vec<String>,
    /// Accounts listed in the index whose secret is not in the keyring.
    pub missing_secrets: Vec<Account>,
    /// Accounts checked and in order.
    pub healthy: usize,
    /// Temporary files killed writes left beside the index, now removed.
    pub removed_leftovers: Vec<PathBuf>,
    /// Probe entries killed doctor runs left in the keyring, now removed.
    pub removed_probes: usize,
}

impl DoctorReport {
    /// True when nothing needs the user's attention.
    pub fn is_healthy(&self) -> bool {
        self.missing_secrets.is_empty()
    }
}

/// Accounts, their secrets and their codes.
pub struct Vault {
    secrets: Box<dyn SecretStore>,
    index: Box<dyn IndexStorage>,
    clock: Box<dyn Clock>,
}

/// Key under which an account's secret is stored.
fn secret_key(id: &AccountId) -> &str {
    id.as_str()
}

impl Vault {
    /// A vault over any stores and clock.
    pub fn new(
        secrets: Box<dyn SecretStore>,
        index: Box<dyn IndexStorage>,
        clock: Box<dyn Clock>,
    ) -> Self {
        Self {
            secrets,
            index,
            clock,
        }
    }

    /// The real vault: secrets in the OS keyring (each call announced when slow and bounded),
    /// index in `data_dir`, the system clock.
    pub fn open(data_dir: impl Into<PathBuf>) -> Self {
        Self::new(
            Box::new(PatientStore::new(KeyringStore::accounts())),
            Box::new(FileIndex::new(data_dir)),
            Box::new(SystemClock),
        )
    }

    /// Usable accounts, in display order. Reads only the index: no keyring access.
    pub fn accounts(&self) -> Result<Vec<Account>, VaultError> {
        Ok(self.index.load()?.active().cloned().collect())
    }

    /// Where the index file is.
    pub fn index_location(&self) -> PathBuf {
        self.index.location()
    }

    /// The current time by the vault's clock.
    pub fn now(&self) -> u64 {
        self.clock.now()
    }

    /// Adds an account: its secret to the keyring, its fields to the index.
    pub fn add(&self, new: NewAccount) -> Result<Account, VaultError> {
        let _lock = self.index.lock()?;
        let mut index = self.index.load()?;
        if let Some(existing) = index.active().find(|a| {
            a.issuer.eq_ignore_ascii_case(&new.issuer) && a.name.eq_ignore_ascii_case(&new.name)
        }) {
            return Err(VaultError::Duplicate {
                label: existing.label(),
                id: existing.id.short().to_owned(),
            });
        }
        // An add of the same account that was interrupted (its record still pending): this
        // one takes its place, so retrying after a crash never lists the account twice.
        let same_label = |e: &IndexEntry| {
            e.state == EntryState::Pending
                && e.account.issuer.eq_ignore_ascii_case(&new.issuer)
                && e.account.name.eq_ignore_ascii_case(&new.name)
        };
        let interrupted: Vec<AccountId> = index
            .accounts
            .iter()
            .filter(|e| same_label(e))
            .map(|e| e.account.id.clone())
            .collect();
        for id in &interrupted {
            self.secrets.delete(secret_key(id))?;
        }
        index
            .accounts
            .retain(|e| !interrupted.contains(&e.account.id));
        let account = Account {
            id: AccountId::random(),
            issuer: new.issuer,
            name: new.name,
            params: new.params,
            created: self.clock.now(),
        };
        // 1. Record the intent, 2. store the secret, 3. mark usable. A crash after 1 leaves a
        // pending record without a secret (dropped by doctor); after 2, a pending record with
        // its secret (restored by doctor).
        index.accounts.push(IndexEntry {
            account: account.clone(),
            state: EntryState::Pending,
        });
        self.index.save(&index)?;
        if let Err(error) = self.secrets.put(secret_key(&account.id), &new.secret) {
            index.accounts.retain(|e| e.account.id != account.id);
            // If this cleanup fails too, doctor drops the pending record later.
            let _ = self.index.save(&index);
            return Err(error.into());
        }
        if let Some(entry) = index.entry_mut(&account.id) {
            entry.state = EntryState::Active;
        }
        self.index.save(&index)?;
        Ok(account)
    }

    /// Changes an account's issuer and name.
    pub fn rename(&self, id: &AccountId, issuer: &str, name: &str) -> Result<Account, VaultError> {
        let (issuer, name) = (issuer.trim(), name.trim());
        if issuer.is_empty() && name.is_empty() {
            return Err(VaultError::EmptyLabel);
        }
        if let Some(part) = crate::account::overlong_label_part(issuer, name) {
            return Err(VaultError::LabelTooLong(part));
        }
        self.update(id, |account| {
            account.issuer = issuer.to_owned();
            account.name = name.to_owned();
            Ok(())
        })
    }

    /// Moves an account to `position` in the display order (clamped to the end).
    pub fn move_to(&self, id: &AccountId, position: usize) -> Result<(), VaultError> {
        let _lock = self.index.lock()?;
        let mut index = self.index.load()?;
        let from = index
            .position(id)
            .ok_or_else(|| VaultError::UnknownAccount(id.clone()))?;
        let entry = index.accounts.remove(from);
        let to = position.min(index.accounts.len());
        index.accounts.insert(to, entry);
        self.index.save(&index)?;
        Ok(())
    }

    /// Removes an account: its secret from the keyring and its record from the index.
    pub fn remove(&self, id: &AccountId) -> Result<Account, VaultError> {
        let _lock = self.index.lock()?;
        let mut index = self.index.load()?;
        let entry = index
            .entry_mut(id)
            .filter(|e| e.state == EntryState::Active)
            .ok_or_else(|| VaultError::UnknownAccount(id.clone()))?;
        let account = entry.account.clone();
        // Mark first: a crash after this leaves a record doctor knows to finish removing, never
        // a secret nobody can find.
        entry.state = EntryState::Removing;
        self.index.save(&index)?;
        if let Err(error) = self.secrets.delete(secret_key(id)) {
            // The keyring refused (locked, its prompt cancelled, gone): the secret is still
            // there, so the account stays as it was rather than half removed.
            if let Some(entry) = index.entry_mut(id) {
                entry.state = EntryState::Active;
            }
            self.index.save(&index)?;
            return Err(error.into());
        }
        index.accounts.retain(|e| &e.account.id != id);
        self.index.save(&index)?;
        Ok(account)
    }

    /// The secret of an account: one keyring read.
    pub fn secret(&self, account: &Account) -> Result<Secret, VaultError> {
        self.secrets
            .get(secret_key(&account.id))?
            .ok_or_else(|| VaultError::SecretMissing(account.label()))
    }

    /// The current code of a time-based account (reads the secret once).
    pub fn timed_code(&self, account: &Account) -> Result<TimedCode, VaultError> {
        let secret = self.secret(account)?;
        Ok(otp::timed_code(&secret, &account.params, self.clock.now()))
    }

    /// The next HOTP code. The counter is advanced and saved *before* the code is returned, so
    /// a counter value is never shown twice, even if Sesame crashes right after.
    pub fn next_hotp(&self, id: &AccountId) -> Result<HotpCode, VaultError> {
        let _lock = self.index.lock()?;
        let mut index = self.index.load()?;
        let entry = index
            .entry_mut(id)
            .filter(|e| e.state == EntryState::Active)
            .ok_or_else(|| VaultError::UnknownAccount(id.clone()))?;
        let label = entry.account.label();
        if entry.account.params.kind != OtpKind::Hotp {
            return Err(VaultError::NotHotp(label));
        }
        let counter = entry.account.params.counter;
        entry.account.params.counter = counter
            .checked_add(1)
            .ok_or(VaultError::CounterExhausted(label))?;
        let account = entry.account.clone();
        let secret = self.secret(&account)?;
        self.index.save(&index)?;
        Ok(HotpCode {
            code: otp::hotp_code(&secret, &account.params, counter),
            counter,
        })
    }

    /// Checks that the keyring answers and that index and keyring agree; finishes interrupted
    /// adds and removals.
    pub fn doctor(&self) -> Result<DoctorReport, VaultError> {
        self.probe_store()?;
        let _lock = self.index.lock()?;
        let mut index = self.index.load()?;
        let mut report = DoctorReport {
            index_path: self.index.location(),
            store: self.secrets.describe(),
            removed_leftovers: self.index.remove_leftovers()?,
            ..DoctorReport::default()
        };
        // One listing of the keyring where the platform can list it; otherwise one lookup per
        // account (cheap where the platform finds an entry by its name).
        let listed = self.secrets.list_keys()?;
        if let Some(keys) = &listed {
            report.removed_probes = self.remove_stale_probes(keys)?;
        }
        let holds = |key: &str| -> Result<bool, VaultError> {
            Ok(match &listed {
                Some(keys) => keys.contains(key),
                None => self.secrets.get(key)?.is_some(),
            })
        };
        let mut kept = Vec::with_capacity(index.accounts.len());
        let mut changed = false;
        for mut entry in std::mem::take(&mut index.accounts) {
            let key = secret_key(&entry.account.id).to_owned();
            let label = entry.account.label();
            match entry.state {
                EntryState::Pending => {
                    changed = true;
                    if holds(&key)? {
                        entry.state = EntryState::Active;
                        report.restored.push(label);
                        kept.push(entry);
                    } else {
                        report.dropped_incomplete.push(label);
                    }
                }
                EntryState::Removing => {
                    changed = true;
                    self.secrets.delete(&key)?;
                    report.finished_removals.push(label);
                }
                EntryState::Active => {
                    if holds(&key)? {
                        report.healthy += 1;
                    } else {
                        report.missing_secrets.push(entry.account.clone());
                    }
                    kept.push(entry);
                }
            }
        }
        index.accounts = kept;
        if changed {
            self.index.save(&index)?;
        }
        Ok(report)
    }

    /// Writes, reads back and deletes a throw-away entry: proves the keyring is reachable,
    /// unlocked and writable, which a read alone would not.
    ///
    /// The entry is this process's own, so that two doctors at once (a provisioning script and
    /// a user, a test suite) never read each other's.
    fn probe_store(&self) -> Result<(), VaultError> {
        let key = format!("{PROBE_KEY}-{}", std::process::id());
        let probe = Secret::from_bytes(b"sesame-probe".to_vec())
            .expect("a 12-byte constant is within the secret length limits");
        self.secrets.put(&key, &probe)?;
        let read_back = self.secrets.get(&key)?;
        self.secrets.delete(&key)?;
        if read_back.as_ref() != Some(&probe) {
            return Err(StoreError::Platform {
                detail: "a secret written to the keyring did not read back the same".into(),
            }
            .into());
        }
        Ok(())
    }

    /// Deletes the probe entries of doctors that were killed between writing and deleting
    /// them (their process is gone), and the single shared one older versions wrote.
    fn remove_stale_probes(&self, keys: &HashSet<String>) -> Result<usize, VaultError> {
        let mut removed = 0;
        for key in keys {
            let stale = match key.strip_prefix(PROBE_KEY) {
                Some("") => true,
                Some(suffix) => suffix
                    .strip_prefix('-')
                    .and_then(|pid| pid.parse::<u32>().ok())
                    .is_some_and(|pid| !process_is_running(pid)),
                None => false,
            };
            if stale && self.secrets.delete(key)? {
                removed += 1;
            }
        }
        Ok(removed)
    }

    fn update(
        &self,
        id: &AccountId,
        change: impl FnOnce(&mut Account) -> Result<(), VaultError>,
    ) -> Result<Account, VaultError> {
        let _lock = self.index.lock()?;
        let mut index = self.index.load()?;
        let entry = index
            .entry_mut(id)
            .filter(|e| e.state == EntryState::Active)
            .ok_or_else(|| VaultError::UnknownAccount(id.clone()))?;
        change(&mut entry.account)?;
        let account = entry.account.clone();
        self.index.save(&index)?;
        Ok(account)
    }
}

/// The keyring entry doctor writes to prove the keyring writable, followed by its process id.
const PROBE_KEY: &str = "doctor-probe";

/// Whether a process with this id runs (listing stores are Linux and the BSDs, with `/proc`;
/// where it cannot be told, the probe is kept).
fn process_is_running(pid: u32) -> bool {
    let proc = std::path::Path::new("/proc");
    !proc.is_dir() || proc.join(pid.to_string()).exists()
}

#[cfg(test)]
mod tests;
