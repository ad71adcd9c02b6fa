//! Sesame's own files in the data dir: private to the user, replaced atomically, so a crash or
//! a full disk leaves the old contents rather than half of the new.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::path::Path;

/// Creates `dir` (and its parents) readable by the user only.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Writes `bytes` to `path`, a new file readable by the user only; an existing file is never
/// overwritten (`AlreadyExists`). For files the user asked for that hold secrets (an export).
pub fn create_new_private_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Replaces `dir/name` with `bytes`: written to a private temporary file, synced, renamed over
/// the old one, and the directory synced so the rename itself is durable.
pub fn replace_private_file(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    create_private_dir(dir)?;
    let temporary = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let write = || -> io::Result<()> {
        let mut options = OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temporary, dir.join(name))?;
        #[cfg(unix)]
        File::open(dir)?.sync_all()?;
        Ok(())
    };
    write().inspect_err(|_| {
        let _ = fs::remove_file(&temporary);
    })
}

/// A file or folder of the data dir that others may read or write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LooseMode {
    pub path: std::path::PathBuf,
    /// Its permission bits now (`0o644`, say).
    pub mode: u32,
    /// What Sesame makes it: 0o600 for files, 0o700 for the folder.
    pub wanted: u32,
}

/// The data dir's own files and the folder itself, where their modes let others in (another
/// user could read the account list, or swap the index). Unix only: elsewhere the OS's ACLs of
/// the user's profile folder apply.
pub fn loose_modes(dir: &Path, files: &[&str]) -> Vec<LooseMode> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        // Files: nobody else may read them. The folder: nobody else may write in it (and so
        // replace the index); a folder others can list (0755, as `mkdir` makes one given in
        // SESAME_DATA_DIR) shows names only, its files being 0600.
        let check = |path: std::path::PathBuf, wanted: u32| {
            let meta = fs::symlink_metadata(&path).ok()?;
            let mode = meta.permissions().mode() & 0o777;
            let forbidden = if meta.is_dir() { 0o022 } else { 0o077 };
            (!meta.file_type().is_symlink() && mode & forbidden != 0).then_some(LooseMode {
                path,
                mode,
                wanted,
            })
        };
        std::iter::once(check(dir.to_owned(), 0o700))
            .chain(files.iter().map(|name| check(dir.join(name), 0o600)))
            .flatten()
            .collect()
    }
    #[cfg(not(unix))]
    {
        let _ = (dir, files);
        Vec::new()
    }
}

/// Sets each to the mode Sesame wants.
pub fn tighten(loose: &[LooseMode]) -> io::Result<()> {
    #[cfg(unix)]
    for entry in loose {
        use std::os::unix::fs::PermissionsExt as _;
        fs::set_permissions(&entry.path, fs::Permissions::from_mode(entry.wanted))?;
    }
    #[cfg(not(unix))]
    let _ = loose;
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    #[test]
    fn loose_files_and_folder_are_found_and_tightened() {
        let dir = tempfile::tempdir().expect("dir");
        let data = dir.path().join("data");
        create_private_dir(&data).expect("create");
        fs::write(data.join("accounts.json"), "{}").expect("write");
        fs::write(data.join("settings.toml"), "").expect("write");
        fs::set_permissions(&data, fs::Permissions::from_mode(0o777)).expect("chmod");
        fs::set_permissions(
            data.join("accounts.json"),
            fs::Permissions::from_mode(0o644),
        )
        .expect("chmod");
        fs::set_permissions(
            data.join("settings.toml"),
            fs::Permissions::from_mode(0o600),
        )
        .expect("chmod");
        let files = ["accounts.json", "settings.toml", "absent.json"];
        let loose = loose_modes(&data, &files);
        let found: Vec<(String, u32)> = loose
            .iter()
            .map(|l| {
                (
                    l.path
                        .file_name()
                        .unwrap_or_default()
                        .to_string_lossy()
                        .into_owned(),
                    l.mode,
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                ("data".to_owned(), 0o777),
                ("accounts.json".to_owned(), 0o644)
            ]
        );
        tighten(&loose).expect("tighten");
        assert!(loose_modes(&data, &files).is_empty());
    }
}
