//! The one managed state: the vault the window reads.

use std::path::PathBuf;

use sesame_core::Vault;

/// Everything the commands share.
pub struct AppState {
    /// The vault, or why there is none (no home directory to keep the index in).
    pub vault: Result<Vault, String>,
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
                .map(Vault::open)
                .ok_or_else(|| "this system reports no home directory for Sesame's data".into()),
        }
    }
}
