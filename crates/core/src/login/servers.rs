//! The servers this device is bound to: `servers.json` in the data dir, holding only public
//! facts (origin, device id, the server's pinned key). Each device's private key is in the OS
//! keyring under the service [`DEVICE_KEY_SERVICE`], one per origin.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::private_files::replace_private_file;

/// The keyring service of device keys.
pub const DEVICE_KEY_SERVICE: &str = "sesame-device";
const FILE: &str = "servers.json";

/// One bound server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoundServer {
    /// The server's origin, as the protocol writes it.
    pub origin: String,
    /// This device's id on that server.
    pub device_id: String,
    /// The server's Ed25519 public key (base64url), pinned at binding.
    pub server_pk: String,
    /// Its key id.
    pub server_kid: String,
    /// The account this device approves logins for.
    pub account: String,
    /// Unix seconds.
    pub bound_at: u64,
    /// A new binding claimed for this origin while this one worked, waiting for the user to
    /// type its pairing code into the page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<PendingDevice>,
}

/// A binding claimed while its origin was already bound. It stays beside the working one until
/// the server accepts it (the first scan it signs succeeds), so a binding link that is
/// abandoned, or an attacker's, never destroys a working binding. Its key is in the keyring
/// under [`pending_key_name`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingDevice {
    pub device_id: String,
    pub server_pk: String,
    pub server_kid: String,
    /// The account the new binding is for.
    pub account: String,
    /// Unix seconds.
    pub claimed_at: u64,
    /// When the binding code expired: a binding not accepted by then never will be.
    pub expires_at: u64,
}

/// The keyring name of the pending device key of `origin`.
pub fn pending_key_name(origin: &str) -> String {
    format!("{origin}#pending")
}

/// Why the list could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ServersError {
    #[error("could not {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is damaged ({reason}); bind Sesame to your servers again")]
    Corrupt { path: PathBuf, reason: String },
}

/// The list of bound servers in a data dir.
pub struct ServerList {
    dir: PathBuf,
}

impl ServerList {
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_owned(),
        }
    }

    /// Every bound server.
    pub fn all(&self) -> Result<Vec<BoundServer>, ServersError> {
        let path = self.dir.join(FILE);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| ServersError::Corrupt {
                path,
                reason: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(source) => Err(ServersError::Io {
                action: "read",
                path,
                source,
            }),
        }
    }

    /// The server bound for `origin`.
    pub fn find(&self, origin: &str) -> Result<Option<BoundServer>, ServersError> {
        Ok(self.all()?.into_iter().find(|s| s.origin == origin))
    }

    /// Adds or replaces the entry for its origin.
    pub fn put(&self, server: BoundServer) -> Result<(), ServersError> {
        let mut all = self.all()?;
        all.retain(|s| s.origin != server.origin);
        all.push(server);
        self.save(&all)
    }

    /// Removes the entry for `origin`; false if there was none.
    pub fn remove(&self, origin: &str) -> Result<bool, ServersError> {
        let mut all = self.all()?;
        let before = all.len();
        all.retain(|s| s.origin != origin);
        if all.len() == before {
            return Ok(false);
        }
        self.save(&all)?;
        Ok(true)
    }

    fn save(&self, all: &[BoundServer]) -> Result<(), ServersError> {
        let path = self.dir.join(FILE);
        let json = serde_json::to_vec_pretty(all).map_err(|e| ServersError::Corrupt {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        replace_private_file(&self.dir, FILE, &json).map_err(|source| ServersError::Io {
            action: "write",
            path,
            source,
        })
    }
}
