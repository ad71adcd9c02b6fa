//! The machine-wide policy an organization sets: which servers Sesame may bind to and approve
//! sign-ins for, how strict the address check is, settings the user may not change, and what
//! the user may do with secrets. Read from a file only administrators can write; the user's
//! own settings never override it.
//!
//! A missing file means no policy. A file that cannot be read or understood fails closed: no
//! binding, no sign-in approval, no export, no typed accounts, no `sesame code`, until it is
//! fixed; codes stay visible in the window so nobody is locked out of their accounts.
//!
//! Three parts: where the file is and who may write it (`location`), the file's TOML schema
//! and its validation (`schema`), and here the policy in force and its decisions.

mod location;
mod schema;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use sesame_protocol::address::AddressMatch;

pub use location::{POLICY_ENV, system_policy_path};

use crate::settings::Settings;

/// Why a policy file is not in force.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// Not TOML, or an unknown or ill-typed key.
    #[error("{path}, line {line}: {reason}")]
    Malformed {
        path: PathBuf,
        line: usize,
        reason: String,
    },
    /// Well-formed, but a value Sesame cannot apply.
    #[error("{path}: {reason}")]
    Invalid { path: PathBuf, reason: String },
    /// Exists but cannot be read, or can be changed by users and so is no control.
    #[error("{path}: {reason}")]
    Unusable { path: PathBuf, reason: String },
}

/// Something the policy does not allow; each names the policy so the user knows whom to ask.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyRefusal {
    #[error(
        "{origin} is not one of the servers your organization's policy ({path}) allows for sign-in"
    )]
    ServerNotAllowed { origin: String, path: PathBuf },
    #[error(
        "{origin} presented a signing key other than the one your organization's policy ({path}) pins for it; nothing was bound or approved"
    )]
    KeyMismatch { origin: String, path: PathBuf },
    #[error(
        "the server reports the browser is {place}, and your organization's policy ({path}) refuses such sign-ins; it was denied"
    )]
    AddressRefused { place: &'static str, path: PathBuf },
    #[error("{what} is not allowed by your organization's policy ({path})")]
    Forbidden { what: &'static str, path: PathBuf },
    #[error("{setting} is set by your organization's policy ({path}) and cannot be changed")]
    SettingLocked {
        setting: &'static str,
        path: PathBuf,
    },
    #[error(
        "your organization's policy could not be applied, so Sesame refuses {what} until it is fixed: {problem}"
    )]
    PolicyBroken { what: &'static str, problem: String },
}

/// How the address comparison the server reports is treated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AddressMode {
    /// The protocol's default: only a browser the server places on this computer's address may
    /// be approved. `strict`, from before servers compared across address families, means the
    /// same now that there is no "cannot tell" left to treat differently.
    #[default]
    #[serde(alias = "strict")]
    Require,
    /// For VPNs that make addresses differ: a browser elsewhere needs the user's confirmation.
    Warn,
}

/// What to do with a scanned sign-in given where the server says the browser is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AddressVerdict {
    Allow,
    /// Approve only after the user confirms the place explicitly.
    Confirm,
    Refuse,
}

/// Settings the policy fixes; `None` leaves the choice to the user.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct LockedSettings {
    pub clipboard_clear_seconds: Option<u64>,
    pub content_protection: Option<bool>,
    pub start_at_login: Option<bool>,
    /// The global shortcut, canonical ("" fixes it off).
    pub global_shortcut: Option<String>,
}

/// A server whose signing key the organization gives in advance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinnedServer {
    pub origin: String,
    /// Ed25519 public key, base64url as the protocol writes it.
    pub key: String,
}

/// Where the policy in force comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicySource {
    /// No policy file: the user decides everything.
    None,
    /// The file at this path.
    File(PathBuf),
    /// A file that is there but not in force: everything it could govern is refused.
    Broken(PolicyError),
}

/// The policy in force.
#[derive(Debug, Clone)]
pub struct Policy {
    source: PolicySource,
    /// Normalised origins; `None` allows any server.
    allowed_servers: Option<Vec<String>>,
    pinned: Vec<PinnedServer>,
    address_mode: AddressMode,
    locked: LockedSettings,
    allow_manual_add: bool,
    allow_export: bool,
    allow_cli_code: bool,
    /// Set when the environment asked for another file while the system one was present.
    ignored_override: Option<PathBuf>,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            source: PolicySource::None,
            allowed_servers: None,
            pinned: Vec::new(),
            address_mode: AddressMode::default(),
            locked: LockedSettings::default(),
            allow_manual_add: true,
            allow_export: true,
            allow_cli_code: true,
            ignored_override: None,
        }
    }
}

impl Policy {
    /// A policy that could not be applied: it refuses everything it could have governed.
    fn broken(error: PolicyError) -> Self {
        Self {
            source: PolicySource::Broken(error),
            allowed_servers: Some(Vec::new()),
            address_mode: AddressMode::Require,
            allow_manual_add: false,
            allow_export: false,
            allow_cli_code: false,
            ..Self::default()
        }
    }

    pub fn source(&self) -> &PolicySource {
        &self.source
    }

    /// The problem that keeps the policy file from being applied, if any.
    pub fn problem(&self) -> Option<&PolicyError> {
        match &self.source {
            PolicySource::Broken(error) => Some(error),
            _ => None,
        }
    }

    /// Whether an organization manages this machine (a policy file exists, applied or not).
    pub fn is_managed(&self) -> bool {
        !matches!(self.source, PolicySource::None)
    }

    /// The path [`POLICY_ENV`] gave, ignored because the machine has a system policy.
    pub fn ignored_override(&self) -> Option<&Path> {
        self.ignored_override.as_deref()
    }

    pub fn locked(&self) -> &LockedSettings {
        &self.locked
    }

    pub fn pinned(&self) -> &[PinnedServer] {
        &self.pinned
    }

    /// The servers allowed, or `None` for any.
    pub fn allowed_servers(&self) -> Option<&[String]> {
        self.allowed_servers.as_deref()
    }

    pub fn address_mode(&self) -> AddressMode {
        self.address_mode
    }

    /// Whether Sesame may bind to, or approve sign-ins for, `origin` (as the protocol writes it).
    pub fn check_server(&self, origin: &str) -> Result<(), PolicyRefusal> {
        self.check_in_force("server bindings or sign-in approvals")?;
        match &self.allowed_servers {
            Some(allowed) if !allowed.iter().any(|o| o == origin) => {
                Err(PolicyRefusal::ServerNotAllowed {
                    origin: origin.to_owned(),
                    path: self.path(),
                })
            }
            _ => Ok(()),
        }
    }

    /// Whether `key` (base64url) may be the signing key of `origin`.
    pub fn check_server_key(&self, origin: &str, key: &str) -> Result<(), PolicyRefusal> {
        match self.pinned.iter().find(|p| p.origin == origin) {
            Some(pinned) if pinned.key != key => Err(PolicyRefusal::KeyMismatch {
                origin: origin.to_owned(),
                path: self.path(),
            }),
            _ => Ok(()),
        }
    }

    /// What to do with a sign-in whose browser the server places as `address`.
    pub fn address_verdict(&self, address: AddressMatch) -> AddressVerdict {
        match (self.address_mode, address) {
            (_, AddressMatch::Match) => AddressVerdict::Allow,
            (AddressMode::Require, AddressMatch::Mismatch) => AddressVerdict::Refuse,
            (AddressMode::Warn, AddressMatch::Mismatch) => AddressVerdict::Confirm,
        }
    }

    /// The refusal for a sign-in whose address the policy refuses.
    pub fn address_refusal(&self) -> PolicyRefusal {
        PolicyRefusal::AddressRefused {
            place: "not on this computer's network address",
            path: self.path(),
        }
    }

    /// Whether the user may type or paste an account's secret (rather than scan its QR code).
    pub fn check_manual_add(&self) -> Result<(), PolicyRefusal> {
        self.check_allowed(self.allow_manual_add, "adding accounts by hand")
    }

    /// Whether the user may export secrets out of the keyring.
    pub fn check_export(&self) -> Result<(), PolicyRefusal> {
        self.check_allowed(self.allow_export, "exporting secrets")
    }

    /// Whether `sesame code` may print codes.
    pub fn check_cli_code(&self) -> Result<(), PolicyRefusal> {
        self.check_allowed(self.allow_cli_code, "showing codes on the command line")
    }

    /// The user's settings with the policy's values in place of theirs.
    pub fn apply(&self, mut settings: Settings) -> Settings {
        if let Some(seconds) = self.locked.clipboard_clear_seconds {
            settings.clipboard_clear_seconds = seconds;
        }
        if let Some(protect) = self.locked.content_protection {
            settings.content_protection = protect;
        }
        if let Some(start) = self.locked.start_at_login {
            settings.start_at_login = start;
        }
        if let Some(shortcut) = &self.locked.global_shortcut {
            settings.global_shortcut.clone_from(shortcut);
        }
        settings
    }

    /// Refuses `wanted` if it changes a setting the policy fixes.
    pub fn check_settings(&self, wanted: &Settings) -> Result<(), PolicyRefusal> {
        let locked = &self.locked;
        let changed = [
            (
                "The clipboard delay",
                locked
                    .clipboard_clear_seconds
                    .is_some_and(|v| v != wanted.clipboard_clear_seconds),
            ),
            (
                "Content protection",
                locked
                    .content_protection
                    .is_some_and(|v| v != wanted.content_protection),
            ),
            (
                "Start at login",
                locked
                    .start_at_login
                    .is_some_and(|v| v != wanted.start_at_login),
            ),
            (
                "The global shortcut",
                locked
                    .global_shortcut
                    .as_ref()
                    .is_some_and(|v| *v != wanted.global_shortcut),
            ),
        ];
        match changed.into_iter().find(|(_, changed)| *changed) {
            Some((setting, _)) => Err(PolicyRefusal::SettingLocked {
                setting,
                path: self.path(),
            }),
            None => Ok(()),
        }
    }

    /// What to write to the user's settings file when they ask for `wanted`: refused if it
    /// changes a value the policy fixes; under a fixed value the user's own earlier choice
    /// (`mine`) is kept, for the day the policy lets go of it.
    pub fn settings_to_save(
        &self,
        mine: &Settings,
        wanted: Settings,
    ) -> Result<Settings, PolicyRefusal> {
        self.check_settings(&wanted)?;
        let locked = &self.locked;
        Ok(Settings {
            clipboard_clear_seconds: if locked.clipboard_clear_seconds.is_some() {
                mine.clipboard_clear_seconds
            } else {
                wanted.clipboard_clear_seconds
            },
            content_protection: if locked.content_protection.is_some() {
                mine.content_protection
            } else {
                wanted.content_protection
            },
            start_at_login: if locked.start_at_login.is_some() {
                mine.start_at_login
            } else {
                wanted.start_at_login
            },
            // How large the user needs the text is theirs alone.
            text_size_percent: wanted.text_size_percent,
            global_shortcut: if locked.global_shortcut.is_some() {
                mine.global_shortcut.clone()
            } else {
                wanted.global_shortcut
            },
        })
    }

    fn check_allowed(&self, allowed: bool, what: &'static str) -> Result<(), PolicyRefusal> {
        self.check_in_force(what)?;
        if allowed {
            Ok(())
        } else {
            Err(PolicyRefusal::Forbidden {
                what,
                path: self.path(),
            })
        }
    }

    fn check_in_force(&self, what: &'static str) -> Result<(), PolicyRefusal> {
        match &self.source {
            PolicySource::Broken(problem) => Err(PolicyRefusal::PolicyBroken {
                what,
                problem: problem.to_string(),
            }),
            _ => Ok(()),
        }
    }

    fn path(&self) -> PathBuf {
        match &self.source {
            PolicySource::File(path) => path.clone(),
            PolicySource::Broken(
                PolicyError::Malformed { path, .. }
                | PolicyError::Invalid { path, .. }
                | PolicyError::Unusable { path, .. },
            ) => path.clone(),
            PolicySource::None => PathBuf::new(),
        }
    }
}
