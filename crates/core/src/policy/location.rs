//! Where the policy file is, and whether it can be trusted: a system policy that ordinary users
//! could change (or replace, through its folder) is no control at all, and is not applied.

use std::path::{Path, PathBuf};

use super::{Policy, PolicyError};

/// Points Sesame at another policy file (tests, staging). Ignored when the machine has a
/// policy in its system location, so that a user cannot set it to escape the real one.
pub const POLICY_ENV: &str = "SESAME_POLICY";

/// Where administrators put the policy on this OS.
pub fn system_policy_path() -> PathBuf {
    if cfg!(windows) {
        let base = std::env::var_os("ProgramData").unwrap_or_else(|| "C:\\ProgramData".into());
        PathBuf::from(base).join("Sesame").join("policy.toml")
    } else if cfg!(target_os = "macos") {
        PathBuf::from("/Library/Application Support/Sesame/policy.toml")
    } else {
        PathBuf::from("/etc/sesame/policy.toml")
    }
}

impl Policy {
    /// The policy of this machine: the system file if there is one, else the file
    /// [`POLICY_ENV`] names, else none.
    pub fn load() -> Self {
        let system = system_policy_path();
        let requested = std::env::var_os(POLICY_ENV).map(PathBuf::from);
        if system.exists() {
            let mut policy = Self::load_file(&system, true);
            policy.ignored_override = requested.filter(|path| *path != system);
            return policy;
        }
        match requested {
            Some(path) => Self::load_file(&path, false),
            None => Self::default(),
        }
    }

    /// The policy in `path`; no policy if it does not exist. `system` files must not be
    /// writable by ordinary users, or they would be no control at all.
    pub fn load_file(path: &Path, system: bool) -> Self {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Self::default(),
            Err(e) => {
                return Self::broken(PolicyError::Unusable {
                    path: path.to_owned(),
                    reason: format!("cannot be read: {e}"),
                });
            }
        };
        if system && let Err(reason) = only_administrators_can_write(path) {
            return Self::broken(PolicyError::Unusable {
                path: path.to_owned(),
                reason,
            });
        }
        Self::parse(&text, path).unwrap_or_else(Self::broken)
    }
}

/// A system policy must be owned by root and writable by nobody else (Unix); elsewhere the
/// installer's ACLs are trusted.
#[cfg(unix)]
fn only_administrators_can_write(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt as _;
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot be read: {e}"))?;
    if meta.uid() != 0 {
        return Err("must be owned by root, or users could change it".into());
    }
    if meta.mode() & 0o022 != 0 {
        return Err("must not be writable by group or others (chmod 644)".into());
    }
    // Whoever can write the folder can replace the file, whatever the file's own mode; a
    // sticky folder lets nobody but root replace a file root owns.
    let folder = path.parent().unwrap_or(Path::new("/"));
    let folder_meta = std::fs::metadata(folder)
        .map_err(|e| format!("its folder {} cannot be read: {e}", folder.display()))?;
    let sticky = folder_meta.mode() & 0o1000 != 0;
    if folder_meta.uid() != 0 || (folder_meta.mode() & 0o022 != 0 && !sticky) {
        return Err(format!(
            "its folder {} must be owned by root and writable by no one else (chmod 755), \
             or users could replace the file",
            folder.display()
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn only_administrators_can_write(_path: &Path) -> Result<(), String> {
    Ok(())
}
