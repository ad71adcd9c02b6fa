//! The OS keyring through `keyring`: Secret Service on Linux, Keychain on macOS, Credential
//! Manager on Windows (each enabled by name in Cargo.toml: keyring with no platform feature
//! silently keeps secrets in memory).

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
