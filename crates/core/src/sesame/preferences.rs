//! Settings: the user's choices with the organization's fixed values in their place.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::{Error, PolicyFrom, Sesame};
use crate::policy::{POLICY_ENV, Policy, system_policy_path};
use crate::settings::{SETTINGS_FILE, Settings, SettingsError};

/// What the files the settings in force come from look like on disk: when two stamps are
/// equal, [`Sesame::settings`] answers the same, so a process that follows the settings (the
/// tray) re-reads and re-parses them only when the stamp changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsStamp(Vec<Option<FileStamp>>);

/// A file's (or folder's) modification and change times, size, owner and mode: a rewrite, a
/// replacement, a `chmod` or a `chown` all change it (the policy is refused when its file or
/// folder is writable by users).
#[derive(Debug, Clone, PartialEq, Eq)]
struct FileStamp {
    modified: Option<SystemTime>,
    len: u64,
    #[cfg(unix)]
    change: (i64, i64, u32, u32),
}

impl FileStamp {
    fn of(path: &Path) -> Option<Self> {
        let meta = std::fs::metadata(path).ok()?;
        Some(Self {
            modified: meta.modified().ok(),
            len: meta.len(),
            #[cfg(unix)]
            change: {
                use std::os::unix::fs::MetadataExt as _;
                (meta.ctime(), meta.ctime_nsec(), meta.mode(), meta.uid())
            },
        })
    }
}

/// The settings in force and where they come from, for the settings dialog.
#[derive(Debug)]
pub struct SettingsInForce {
    /// The user's, with the policy's in place of any it fixes.
    pub settings: Settings,
    /// Why the user's file could not be read, if it could not: the defaults apply until saved.
    pub problem: Option<SettingsError>,
    /// The policy that applied.
    pub policy: Policy,
}

impl Sesame {
    /// The settings in force: the user's, with the policy's in place of any it fixes; the
    /// defaults where the user's file cannot be read.
    pub fn settings(&self) -> Settings {
        self.settings_in_force().settings
    }

    /// The same, with why the user's file could not be read and the policy that applied.
    pub fn settings_in_force(&self) -> SettingsInForce {
        let (mine, problem) = match Settings::load(&self.data_dir) {
            Ok(settings) => (settings, None),
            Err(error) => (Settings::default(), Some(error)),
        };
        let policy = self.policy();
        SettingsInForce {
            settings: policy.apply(mine),
            problem,
            policy,
        }
    }

    /// The stamp of the settings file and of the policy files (and their folders) the settings
    /// in force are read from.
    pub fn settings_stamp(&self) -> SettingsStamp {
        let mut paths = vec![self.data_dir.join(SETTINGS_FILE)];
        if let PolicyFrom::Machine = self.policy {
            let system = system_policy_path();
            paths.extend(system.parent().map(Path::to_path_buf));
            paths.push(system);
            paths.extend(std::env::var_os(POLICY_ENV).map(PathBuf::from));
        }
        SettingsStamp(paths.iter().map(|path| FileStamp::of(path)).collect())
    }

    /// Saves what the user asked for, refusing a change to a value the policy fixes (whatever
    /// the face sent); returns the settings now in force.
    pub fn save_settings(&self, wanted: Settings) -> Result<Settings, Error> {
        let policy = self.policy();
        let mine = Settings::load(&self.data_dir).unwrap_or_default();
        policy
            .settings_to_save(&mine, wanted)?
            .save(&self.data_dir)?;
        Ok(self.settings())
    }

    /// Changes the window's text size alone (Ctrl+plus, minus, 0), keeping every other setting
    /// as saved; returns the settings now in force.
    pub fn set_text_size(&self, percent: u16) -> Result<Settings, Error> {
        let mut wanted = Settings::load(&self.data_dir).unwrap_or_default();
        wanted.text_size_percent = percent;
        self.save_settings(wanted)
    }
}
