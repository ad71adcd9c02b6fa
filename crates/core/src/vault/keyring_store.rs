//! The OS keyring through `keyring`: Secret Service on Linux, Keychain on macOS, Credential
//! Manager on Windows (each enabled by name in Cargo.toml: keyring with no platform feature
//! silently keeps secrets in memory).

#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
use std::collections::HashSet;

use zeroize::Zeroizing;

use super::secret_store::{SecretStore, StoreError};
use crate::secret::Secret;

/// Keyring service under which account secrets are stored; the entry's user is the account id.
pub const ACCOUNT_SERVICE: &str = "sesame-otp";

/// Secrets in the operating system's keyring, under one service name.
#[derive(Debug, Clone)]
pub struct KeyringStore {
    service: String,
}

impl KeyringStore {
    /// A store for entries of `service`.
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    /// The store for OTP account secrets.
    pub fn accounts() -> Self {
        Self::new(ACCOUNT_SERVICE)
    }

    fn entry(&self, key: &str) -> Result<keyring::Entry, StoreError> {
        keyring::Entry::new(&self.service, key).map_err(classify)
    }
}

/// Sorts the platform's error into the causes a user can act on.
fn classify(error: keyring::Error) -> StoreError {
    match error {
        keyring::Error::NoStorageAccess(inner) => StoreError::Locked {
            detail: inner.to_string(),
        },
        keyring::Error::PlatformFailure(inner) => {
            let detail = inner.to_string();
            let lower = detail.to_ascii_lowercase();
            // gnome-keyring refuses a write to a locked collection with a plain D-Bus error
            // ("Cannot create an item in a locked collection"): that is a locked keyring, and
            // must say so, not "the system keyring failed".
            if lower.contains("locked") {
                StoreError::Locked { detail }
            } else if lower.contains("org.freedesktop.secrets")
                || lower.contains("serviceunknown")
                || lower.contains("service unknown")
                || lower.contains("not provided by any .service files")
            {
                StoreError::NoKeyringService { detail }
            } else if lower.contains("dbus_session_bus_address")
                || lower.contains("autolaunch")
                || lower.contains("session bus")
                || lower.contains("connection refused")
                || lower.contains("no such file or directory")
                || lower.contains("address")
            {
                StoreError::NoSessionBus { detail }
            } else {
                StoreError::Platform { detail }
            }
        }
        other => StoreError::Platform {
            detail: other.to_string(),
        },
    }
}

impl SecretStore for KeyringStore {
    fn put(&self, key: &str, secret: &Secret) -> Result<(), StoreError> {
        // Stored as base32 text so the entry reads the same in any keyring browser.
        self.entry(key)?
            .set_password(&secret.to_base32())
            .map_err(classify)
    }

    fn get(&self, key: &str) -> Result<Option<Secret>, StoreError> {
        match self.entry(key)?.get_password() {
            Ok(text) => {
                let text = Zeroizing::new(text);
                Secret::from_base32(&text)
                    .map(Some)
                    .map_err(|_| StoreError::Unreadable {
                        key: key.to_owned(),
                    })
            }
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(keyring::Error::BadEncoding(mut bytes)) => {
                zeroize::Zeroize::zeroize(&mut bytes);
                Err(StoreError::Unreadable {
                    key: key.to_owned(),
                })
            }
            Err(other) => Err(classify(other)),
        }
    }

    fn delete(&self, key: &str) -> Result<bool, StoreError> {
        match self.entry(key)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(other) => Err(classify(other)),
        }
    }

    fn describe(&self) -> String {
        let platform = if cfg!(target_os = "macos") {
            "macOS Keychain"
        } else if cfg!(target_os = "windows") {
            "Windows Credential Manager"
        } else {
            "Secret Service"
        };
        format!("{platform} (service {:?})", self.service)
    }

    #[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
    fn list_keys(&self) -> Result<Option<HashSet<String>>, StoreError> {
        secret_service_keys(&self.service)
    }
}

/// One search for every item of `service` (what `keyring` finds an entry by: service and
/// target "default", the user being the key), then each item's attributes over the same
/// connection: no secret is read, and no session is negotiated per item as `keyring` does.
#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
fn secret_service_keys(service: &str) -> Result<Option<HashSet<String>>, StoreError> {
    use dbus_secret_service::{EncryptionType, SecretService};
    use std::collections::HashMap;

    let failed = |error| classify(keyring::secret_service::decode_error(error));
    // A plain session: nothing secret crosses it.
    let connection = SecretService::connect(EncryptionType::Plain).map_err(failed)?;
    let found = connection
        .search_items(HashMap::from([("service", service), ("target", "default")]))
        .map_err(failed)?;
    if !found.locked.is_empty() {
        // Unlocking may prompt: the key-by-key path does that, one item at a time.
        return Ok(None);
    }
    let mut keys = HashSet::with_capacity(found.unlocked.len());
    for item in &found.unlocked {
        let mut attributes = match item.get_attributes() {
            Ok(attributes) => attributes,
            // Deleted since the search (another Sesame removed an account): not there.
            // gnome-keyring (GDBus) answers UnknownMethod, "Object does not exist at path".
            Err(dbus_secret_service::Error::Dbus(error))
                if matches!(
                    error.name(),
                    Some(
                        "org.freedesktop.Secret.Error.NoSuchObject"
                            | "org.freedesktop.DBus.Error.UnknownObject"
                            | "org.freedesktop.DBus.Error.UnknownMethod"
                    )
                ) =>
            {
                continue;
            }
            Err(error) => return Err(failed(error)),
        };
        if let Some(user) = attributes.remove("username") {
            keys.insert(user);
        }
    }
    Ok(Some(keys))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn platform(text: &str) -> keyring::Error {
        keyring::Error::PlatformFailure(Box::new(std::io::Error::other(text.to_owned())))
    }

    /// Issue 16: an add into a locked keyring said "the system keyring failed: … Cannot create
    /// an item in a locked collection — Check that the keyring service is healthy".
    #[test]
    fn a_locked_collection_is_reported_as_locked() {
        let error = classify(platform(
            "org.freedesktop.Secret.Error.IsLocked: Cannot create an item in a locked collection",
        ));
        assert!(matches!(error, StoreError::Locked { .. }), "{error:?}");
        assert!(matches!(
            classify(platform(
                "The name org.freedesktop.secrets was not provided by any .service files"
            )),
            StoreError::NoKeyringService { .. }
        ));
    }
}
