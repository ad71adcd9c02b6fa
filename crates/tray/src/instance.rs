//! One tray per vault: the first takes a lock in the data dir and holds it until it exits (the
//! OS drops the lock even after a crash); later ones find it taken and leave.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Seek, Write};
use std::path::Path;

/// The lock file's name; it holds the running tray's process id, for scripts and tests.
pub const LOCK_FILE: &str = "tray.lock";

/// Held while this process is the vault's tray.
pub struct TrayInstance {
    _lock: File,
}

impl TrayInstance {
    /// Takes the lock; `Ok(None)` if another tray holds it.
    pub fn acquire(data_dir: &Path) -> io::Result<Option<Self>> {
        std::fs::create_dir_all(data_dir)?;
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(data_dir.join(LOCK_FILE))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Ok(None),
            Err(TryLockError::Error(error)) => return Err(error),
        }
        file.set_len(0)?;
        file.rewind()?;
        writeln!(file, "{}", std::process::id())?;
        Ok(Some(Self { _lock: file }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_tray_on_the_same_vault_steps_aside() {
        let dir = tempfile::tempdir().expect("temp dir");
        let first = TrayInstance::acquire(dir.path()).expect("lock");
        assert!(first.is_some());
        assert!(TrayInstance::acquire(dir.path()).expect("lock").is_none());
        let pid = std::fs::read_to_string(dir.path().join(LOCK_FILE)).expect("pid");
        assert_eq!(pid.trim(), std::process::id().to_string());
        drop(first);
        assert!(TrayInstance::acquire(dir.path()).expect("lock").is_some());
    }
}
