//! Where secrets live: the [`SecretStore`] trait, and an in-memory store for unit tests.
//!
//! The real store is [`super::KeyringStore`]; nothing in Sesame ever writes a secret anywhere
//! else, and there is deliberately no file-backed fallback.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use crate::secret::Secret;

/// Why the OS keyring could not do what was asked. Each variant is a different fix for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// No D-Bus session bus (Linux): Sesame runs outside a desktop session.
    #[error("the system keyring cannot be reached: there is no D-Bus session bus ({detail})")]
    NoSessionBus {
        /// The platform's own words.
        detail: String,
    },
    /// A session bus, but nothing provides the Secret Service on it.
    #[error(
        "no keyring service is running: nothing provides the Secret Service on the session bus ({detail})"
    )]
    NoKeyringService {
        /// The platform's own words.
        detail: String,
    },
    /// The keyring is locked, or the user dismissed the unlock prompt, or there is no default
    /// collection to write to.
    #[error("the system keyring is locked or refused access ({detail})")]
    Locked {
        /// The platform's own words.
        detail: String,
    },
    /// An entry whose content Sesame did not write (not base32 text).
    #[error("the keyring entry {key} does not hold a secret Sesame can read")]
    Unreadable {
        /// Which entry.
        key: String,
    },
    /// Any other failure of the platform store.
    #[error("the system keyring failed: {detail}")]
    Platform {
        /// The platform's own words.
        detail: String,
    },
}

impl StoreError {
    /// What the user can do about it, in one sentence.
    pub fn hint(&self) -> &'static str {
        match self {
            Self::NoSessionBus { .. } => {
                "Run Sesame inside your desktop session (or start one with `dbus-run-session`); \
                 Sesame keeps secrets only in the system keyring and never falls back to a file."
            }
            Self::NoKeyringService { .. } => {
                "Start a Secret Service provider such as gnome-keyring-daemon or KeePassXC's \
                 Secret Service integration, then try again."
            }
            Self::Locked { .. } => {
                "Unlock your keyring (log in to the desktop, or unlock the \"Login\" keyring in \
                 Passwords and Keys) and try again."
            }
            Self::Unreadable { .. } => {
                "Another program may have changed this entry; remove the account and add it again."
            }
            Self::Platform { .. } => "Check that the keyring service is healthy and try again.",
        }
    }
}

/// A place that keeps secrets under string keys.
pub trait SecretStore: Send + Sync {
    /// Stores `secret` under `key`, replacing any previous one.
    fn put(&self, key: &str, secret: &Secret) -> Result<(), StoreError>;
    /// The secret under `key`, or `None` if there is none.
    fn get(&self, key: &str) -> Result<Option<Secret>, StoreError>;
    /// Removes the secret under `key`; `false` if there was none.
    fn delete(&self, key: &str) -> Result<bool, StoreError>;
    /// A short name for messages ("Secret Service", "memory").
    fn describe(&self) -> String;
    /// Every key that holds a secret, found in one pass without reading any secret, where the
    /// platform can list its entries; `None` where it cannot (ask key by key with [`get`]).
    /// `doctor` needs it to stay linear: the Secret Service finds an item by scanning every
    /// item's attributes, so one lookup per account is quadratic on a large vault.
    ///
    /// [`get`]: SecretStore::get
    fn list_keys(&self) -> Result<Option<HashSet<String>>, StoreError> {
        Ok(None)
    }
}

/// Secrets kept in this process only: for unit tests of logic above the store.
#[derive(Default)]
pub struct MemoryStore {
    secrets: Mutex<HashMap<String, Secret>>,
    failing: Mutex<Option<StoreError>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes every later call fail with `error` (or succeed again with `None`), as a locked or
    /// vanished keyring would.
    pub fn set_failure(&self, error: Option<StoreError>) {
        *self.failing.lock().unwrap_or_else(|p| p.into_inner()) = error;
    }

    /// How many secrets it holds.
    pub fn len(&self) -> usize {
        self.secrets().len()
    }

    /// Whether it holds no secret.
    pub fn is_empty(&self) -> bool {
        self.secrets().is_empty()
    }

    fn check(&self) -> Result<(), StoreError> {
        match &*self.failing.lock().unwrap_or_else(|p| p.into_inner()) {
            Some(error) => Err(error.clone()),
            None => Ok(()),
        }
    }

    fn secrets(&self) -> std::sync::MutexGuard<'_, HashMap<String, Secret>> {
        self.secrets.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl SecretStore for MemoryStore {
    fn put(&self, key: &str, secret: &Secret) -> Result<(), StoreError> {
        self.check()?;
        self.secrets().insert(key.to_owned(), secret.clone());
        Ok(())
    }

    fn get(&self, key: &str) -> Result<Option<Secret>, StoreError> {
        self.check()?;
        Ok(self.secrets().get(key).cloned())
    }

    fn delete(&self, key: &str) -> Result<bool, StoreError> {
        self.check()?;
        Ok(self.secrets().remove(key).is_some())
    }

    fn describe(&self) -> String {
        "memory".into()
    }

    fn list_keys(&self) -> Result<Option<HashSet<String>>, StoreError> {
        self.check()?;
        Ok(Some(self.secrets().keys().cloned().collect()))
    }
}

// Lets a test keep a handle on the store it gives the vault.
impl<T: SecretStore + ?Sized> SecretStore for std::sync::Arc<T> {
    fn put(&self, key: &str, secret: &Secret) -> Result<(), StoreError> {
        (**self).put(key, secret)
    }
    fn get(&self, key: &str) -> Result<Option<Secret>, StoreError> {
        (**self).get(key)
    }
    fn delete(&self, key: &str) -> Result<bool, StoreError> {
        (**self).delete(key)
    }
    fn describe(&self) -> String {
        (**self).describe()
    }
    fn list_keys(&self) -> Result<Option<HashSet<String>>, StoreError> {
        (**self).list_keys()
    }
}
