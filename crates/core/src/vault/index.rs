//! The account index: every account's non-secret fields, in one JSON file in the data dir.
//!
//! The file doubles as an intent log. An add first records the account as `pending`, then writes
//! the secret to the keyring, then marks it `active`; a removal marks it `removing` before
//! touching the keyring. A crash between any two steps therefore leaves a record that says what
//! was under way, and [`super::Vault::doctor`] can finish or undo it: nothing is ever lost.

use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::account::{Account, AccountId};
use crate::private_files::{create_private_dir, replace_private_file};

/// The index format this build writes and reads.
pub const INDEX_VERSION: u32 = 1;
const INDEX_FILE: &str = "accounts.json";
const LOCK_FILE: &str = "accounts.lock";

/// Where an account stands in the add/remove protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum EntryState {
    /// Usable.
    #[default]
    Active,
    /// Being added: the secret may or may not be in the keyring yet.
    Pending,
    /// Being removed: the secret may or may not still be in the keyring.
    Removing,
}

impl EntryState {
    fn is_active(&self) -> bool {
        *self == Self::Active
    }
}

/// One account in the index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexEntry {
    /// The account's fields.
    #[serde(flatten)]
    pub account: Account,
    /// Its place in the add/remove protocol.
    #[serde(default, skip_serializing_if = "EntryState::is_active")]
    pub state: EntryState,
}

/// The whole index, in display order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    /// Format version; see [`INDEX_VERSION`].
    pub version: u32,
    /// Accounts in the order the user sees them.
    pub accounts: Vec<IndexEntry>,
}

impl Default for Index {
    fn default() -> Self {
        Self {
            version: INDEX_VERSION,
            accounts: Vec::new(),
        }
    }
}

impl Index {
    /// Usable accounts, in order.
    pub fn active(&self) -> impl Iterator<Item = &Account> {
        self.accounts
            .iter()
            .filter(|e| e.state == EntryState::Active)
            .map(|e| &e.account)
    }

    /// The entry with this id, in any state.
    pub fn entry_mut(&mut self, id: &AccountId) -> Option<&mut IndexEntry> {
        self.accounts.iter_mut().find(|e| &e.account.id == id)
    }

    /// Position of the entry with this id.
    pub fn position(&self, id: &AccountId) -> Option<usize> {
        self.accounts.iter().position(|e| &e.account.id == id)
    }
}

/// Why the index could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// A file-system operation failed.
    #[error("could not {action} {path}: {source}")]
    Io {
        /// What was being done ("read", "write", "lock").
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file is not a valid index; it is left untouched.
    #[error("the account index {path} is damaged at line {line}, column {column}: {reason}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// 1-based line of the problem (0 when not tied to a place).
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        reason: String,
    },
    /// The index, or the data folder, is a symbolic link: never followed (it could point at
    /// any file, and a write would replace the link with a file).
    #[error(
        "{} is a symbolic link; Sesame does not follow links for its account index (it could point anywhere). Replace it with the real file or folder",
        path.display()
    )]
    Symlink {
        /// The link.
        path: PathBuf,
    },
    /// Written by a newer Sesame.
    #[error(
        "the account index {path} was written by a newer Sesame (format {found}); update Sesame to read it"
    )]
    TooNew {
        /// The file.
        path: PathBuf,
        /// Its format version.
        found: u32,
    },
}

/// A held lock on the index; released when dropped.
pub struct IndexLock {
    _file: Option<File>,
}

impl IndexLock {
    /// A lock that excludes nothing, for storages that live in one process.
    pub fn none() -> Self {
        Self { _file: None }
    }
}

/// Where the index is kept. The trait exists so tests can inject a failed write between the
/// keyring write and the index write.
pub trait IndexStorage: Send + Sync {
    /// Reads the index; a missing file is an empty index.
    fn load(&self) -> Result<Index, IndexError>;
    /// Replaces the index, atomically: after a crash the old or the new one is there, whole.
    fn save(&self, index: &Index) -> Result<(), IndexError>;
    /// Excludes other processes (the CLI and the window) from read-modify-write cycles.
    fn lock(&self) -> Result<IndexLock, IndexError>;
    /// The file, for messages.
    fn location(&self) -> PathBuf;
    /// Removes what killed writes left behind (temporary files), under the lock; returns what
    /// was removed.
    fn remove_leftovers(&self) -> Result<Vec<PathBuf>, IndexError> {
        Ok(Vec::new())
    }
}

/// The index as `accounts.json` in a data directory.
#[derive(Debug, Clone)]
pub struct FileIndex {
    dir: PathBuf,
}

impl FileIndex {
    /// The index in `dir` (created on first write, readable by the user only).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    fn path(&self) -> PathBuf {
        self.dir.join(INDEX_FILE)
    }

    fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> IndexError {
        let path = path.to_owned();
        move |source| IndexError::Io {
            action,
            path,
            source,
        }
    }

    fn ensure_dir(&self) -> Result<(), IndexError> {
        self.refuse_links()?;
        create_private_dir(&self.dir).map_err(Self::io("create", &self.dir))
    }

    /// Refuses a data folder or index that is a symbolic link (the folder's own parents may be
    /// links: only what Sesame names is checked).
    fn refuse_links(&self) -> Result<(), IndexError> {
        for path in [self.dir.clone(), self.path()] {
            if fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
                return Err(IndexError::Symlink { path });
            }
        }
        Ok(())
    }
}

impl IndexStorage for FileIndex {
    fn load(&self) -> Result<Index, IndexError> {
        self.refuse_links()?;
        let path = self.path();
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Index::default()),
            Err(e) => return Err(Self::io("read", &path)(e)),
        };
        // Read the version first, so a newer format is reported as such rather than as damage.
        #[derive(Deserialize)]
        struct Version {
            version: u32,
        }
        let corrupt = |e: serde_json::Error| IndexError::Corrupt {
            path: path.clone(),
            line: e.line(),
            column: e.column(),
            reason: e.to_string(),
        };
        let found = serde_json::from_slice::<Version>(&bytes)
            .map_err(corrupt)?
            .version;
        if found > INDEX_VERSION {
            return Err(IndexError::TooNew { path, found });
        }
        let index: Index = serde_json::from_slice(&bytes).map_err(corrupt)?;
        for entry in &index.accounts {
            let account = &entry.account;
            let problem = if AccountId::parse(account.id.as_str()).is_none() {
                Some("an account id is malformed".to_owned())
            } else {
                account
                    .params
                    .validated()
                    .err()
                    .map(|e| format!("account {}: {e}", account.label()))
            };
            if let Some(reason) = problem {
                return Err(IndexError::Corrupt {
                    path,
                    line: 0,
                    column: 0,
                    reason,
                });
            }
        }
        Ok(index)
    }

    fn save(&self, index: &Index) -> Result<(), IndexError> {
        self.ensure_dir()?;
        let path = self.path();
        let mut json = serde_json::to_vec_pretty(index).map_err(|e| IndexError::Corrupt {
            path: path.clone(),
            line: 0,
            column: 0,
            reason: e.to_string(),
        })?;
        json.push(b'\n');
        replace_private_file(&self.dir, INDEX_FILE, &json).map_err(Self::io("write", &path))
    }

    fn lock(&self) -> Result<IndexLock, IndexError> {
        self.ensure_dir()?;
        let path = self.dir.join(LOCK_FILE);
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&path).map_err(Self::io("open", &path))?;
        // A lock file made by an older Sesame is 0644: everything in the folder is private.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = file
                .metadata()
                .map_err(Self::io("open", &path))?
                .permissions()
                .mode();
            if mode & 0o077 != 0 {
                file.set_permissions(fs::Permissions::from_mode(0o600))
                    .map_err(Self::io("protect", &path))?;
            }
        }
        file.lock().map_err(Self::io("lock", &path))?;
        Ok(IndexLock { _file: Some(file) })
    }

    fn location(&self) -> PathBuf {
        self.path()
    }

    fn remove_leftovers(&self) -> Result<Vec<PathBuf>, IndexError> {
        // `.accounts.json.<pid>.tmp`: every write goes through one under the lock, which the
        // caller holds, so any such file is what a killed write left.
        let prefix = format!(".{INDEX_FILE}.");
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Self::io("read", &self.dir)(e)),
        };
        let mut removed = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(&prefix) && name.ends_with(".tmp") {
                let path = entry.path();
                fs::remove_file(&path).map_err(Self::io("remove", &path))?;
                removed.push(path);
            }
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::otp::{Algorithm, OtpParams};

    fn entry(name: &str, state: EntryState) -> IndexEntry {
        IndexEntry {
            account: Account {
                id: AccountId::random(),
                issuer: "Example".into(),
                name: name.into(),
                params: OtpParams::totp(Algorithm::Sha1, 6, 30).expect("valid"),
                created: 1,
            },
            state,
        }
    }

    #[test]
    fn saves_and_loads_in_order_with_states() {
        let dir = tempfile::tempdir().expect("tempdir");
        let storage = FileIndex::new(dir.path().join("nested"));
        assert_eq!(storage.load().expect("missing is empty"), Index::default());
        let index = Index {
            version: INDEX_VERSION,
            accounts: vec![
                entry("a", EntryState::Active),
                entry("b", EntryState::Pending),
            ],
        };
        storage.save(&index).expect("save");
        assert_eq!(storage.load().expect("load"), index);
        let names: Vec<_> = storage
            .load()
            .expect("load")
            .active()
            .map(|a| a.name.clone())
            .collect();
        assert_eq!(names, ["a"]);
        let leftovers: Vec<_> = fs::read_dir(dir.path().join("nested"))
            .expect("dir")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn the_file_and_folder_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let storage = FileIndex::new(dir.path().join("sesame"));
        storage.save(&Index::default()).expect("save");
        let mode = |p: PathBuf| fs::metadata(p).expect("stat").permissions().mode() & 0o777;
        assert_eq!(mode(storage.location()), 0o600);
        assert_eq!(mode(dir.path().join("sesame")), 0o700);
    }

    #[test]
    fn damage_is_reported_with_its_place_and_never_overwritten() {
        let dir = tempfile::tempdir().expect("tempdir");
        let storage = FileIndex::new(dir.path());
        fs::write(
            storage.location(),
            "{\n  \"version\": 1,\n  \"accounts\": [ oops ]\n}",
        )
        .expect("write");
        match storage.load() {
            Err(IndexError::Corrupt { line, .. }) => assert_eq!(line, 3),
            other => panic!("expected damage, got {other:?}"),
        }
        fs::write(
            storage.location(),
            r#"{"version": 7, "accounts": [], "new": true}"#,
        )
        .expect("write");
        assert!(matches!(
            storage.load(),
            Err(IndexError::TooNew { found: 7, .. })
        ));
        let bad_digits = r#"{"version":1,"accounts":[{"id":"0123456789abcdef0123456789abcdef","issuer":"A","name":"b","kind":"totp","algorithm":"SHA1","digits":12,"period":30,"counter":0,"created":0}]}"#;
        fs::write(storage.location(), bad_digits).expect("write");
        let message = storage.load().expect_err("12 digits").to_string();
        assert!(
            message.contains("A:b") && message.contains("12 digits"),
            "{message}"
        );
    }
}
