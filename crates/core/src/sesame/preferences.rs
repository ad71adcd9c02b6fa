//! Settings: the user's choices with the organization's fixed values in their place.

use super::{Error, Sesame};
use crate::policy::Policy;
use crate::settings::{Settings, SettingsError};

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
