//! The machine-wide policy an organization sets: which servers Sesame may bind to and approve
//! sign-ins for, how strict the address check is, settings the user may not change, and what
//! the user may do with secrets. Read from a file only administrators can write; the user's
//! own settings never override it.
//!
//! A missing file means no policy. A file that cannot be read or understood fails closed: no
//! binding, no sign-in approval, no export, no typed accounts, no `sesame code`, until it is
//! fixed; codes stay visible in the window so nobody is locked out of their accounts.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use sesame_protocol::address::AddressMatch;
use sesame_protocol::origin::Origin;

use crate::settings::{CLIPBOARD_CLEAR_SECONDS, Settings};

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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AddressMode {
    /// The protocol's default: a browser elsewhere is refused; one the server cannot place
    /// needs the user's explicit confirmation.
    #[default]
    Require,
    /// Only a browser the server places on this computer's address may be approved.
    Strict,
    /// For VPNs that make addresses differ: elsewhere or unknown both need confirmation.
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

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields, expecting = "a policy file")]
struct PolicyFile {
    servers: ServersSection,
    settings: SettingsSection,
    accounts: AccountsSection,
}

// `expecting` keeps serde's messages in the file's terms ("a [servers] table"), not ours.
#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields, expecting = "a [servers] table")]
struct ServersSection {
    allowed: Option<Vec<String>>,
    address_match: AddressMode,
    pinned: Vec<PinnedEntry>,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a [[servers.pinned]] table with origin and key"
)]
struct PinnedEntry {
    origin: String,
    key: String,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields, expecting = "a [settings] table")]
struct SettingsSection {
    clipboard_clear_seconds: Option<u64>,
    content_protection: Option<bool>,
    start_at_login: Option<bool>,
}

#[derive(Deserialize)]
#[serde(default, deny_unknown_fields, expecting = "an [accounts] table")]
struct AccountsSection {
    allow_manual_add: bool,
    allow_export: bool,
    allow_cli_code: bool,
}

impl Default for AccountsSection {
    fn default() -> Self {
        Self {
            allow_manual_add: true,
            allow_export: true,
            allow_cli_code: true,
        }
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

    /// Reads a policy's text; `path` is only for messages.
    pub fn parse(text: &str, path: &Path) -> Result<Self, PolicyError> {
        let file: PolicyFile = toml::from_str(text).map_err(|e| PolicyError::Malformed {
            path: path.to_owned(),
            line: e
                .span()
                .map_or(1, |span| 1 + text[..span.start].matches('\n').count()),
            reason: e.message().to_owned(),
        })?;
        let invalid = |reason: String| PolicyError::Invalid {
            path: path.to_owned(),
            reason,
        };
        let normalise = |text: &str, key: &str| {
            Origin::parse(text)
                .map(|origin| origin.to_string())
                .map_err(|e| invalid(format!("{key}: \"{text}\" is not a server origin: {e}")))
        };
        let allowed_servers = file
            .servers
            .allowed
            .map(|list| {
                list.iter()
                    .map(|origin| normalise(origin, "servers.allowed"))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?;
        let mut pinned = Vec::new();
        for entry in file.servers.pinned {
            let origin = normalise(&entry.origin, "servers.pinned")?;
            let key = entry.key.trim().to_owned();
            let decoded = sesame_protocol::message::unb64(&key);
            if decoded.is_none_or(|bytes| bytes.len() != 32) {
                return Err(invalid(format!(
                    "servers.pinned: the key for {origin} is not a base64url Ed25519 public key \
                     (sesame-server --print-public-key shows it)"
                )));
            }
            if allowed_servers
                .as_ref()
                .is_some_and(|allowed| !allowed.contains(&origin))
            {
                return Err(invalid(format!(
                    "servers.pinned: {origin} is pinned but not in servers.allowed"
                )));
            }
            pinned.push(PinnedServer { origin, key });
        }
        if let Some(seconds) = file.settings.clipboard_clear_seconds
            && !CLIPBOARD_CLEAR_SECONDS.contains(&seconds)
        {
            return Err(invalid(format!(
                "settings.clipboard_clear_seconds must be between {} and {}, not {seconds}",
                CLIPBOARD_CLEAR_SECONDS.start(),
                CLIPBOARD_CLEAR_SECONDS.end()
            )));
        }
        Ok(Self {
            source: PolicySource::File(path.to_owned()),
            allowed_servers,
            pinned,
            address_mode: file.servers.address_match,
            locked: LockedSettings {
                clipboard_clear_seconds: file.settings.clipboard_clear_seconds,
                content_protection: file.settings.content_protection,
                start_at_login: file.settings.start_at_login,
            },
            allow_manual_add: file.accounts.allow_manual_add,
            allow_export: file.accounts.allow_export,
            allow_cli_code: file.accounts.allow_cli_code,
            ignored_override: None,
        })
    }

    /// A policy that could not be applied: it refuses everything it could have governed.
    fn broken(error: PolicyError) -> Self {
        Self {
            source: PolicySource::Broken(error),
            allowed_servers: Some(Vec::new()),
            address_mode: AddressMode::Strict,
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
            (AddressMode::Strict, _) | (AddressMode::Require, AddressMatch::Mismatch) => {
                AddressVerdict::Refuse
            }
            (AddressMode::Require | AddressMode::Warn, _) => AddressVerdict::Confirm,
        }
    }

    /// The refusal for a sign-in whose address the policy refuses.
    pub fn address_refusal(&self, address: AddressMatch) -> PolicyRefusal {
        PolicyRefusal::AddressRefused {
            place: match address {
                AddressMatch::Mismatch => "not on this computer's network address",
                _ => "at an address the server cannot compare with this computer's",
            },
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

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

    fn parse(text: &str) -> Result<Policy, PolicyError> {
        Policy::parse(text, Path::new("/etc/sesame/policy.toml"))
    }

    #[test]
    fn an_empty_policy_allows_what_no_policy_allows() {
        let policy = parse("").expect("parse");
        assert!(policy.is_managed());
        assert!(policy.check_server("https://any.example").is_ok());
        assert!(policy.check_manual_add().is_ok());
        assert!(policy.check_export().is_ok());
        assert!(policy.check_cli_code().is_ok());
        assert_eq!(policy.locked(), &LockedSettings::default());
        assert!(!Policy::default().is_managed());
    }

    #[test]
    fn only_allowed_servers_pass_and_the_refusal_names_the_policy() {
        let policy = parse(
            "[servers]\nallowed = [\"https://Login.Example.com\", \"https://sso.example.org:443\"]\n",
        )
        .expect("parse");
        assert!(policy.check_server("https://login.example.com").is_ok());
        assert!(policy.check_server("https://sso.example.org").is_ok());
        let refusal = policy
            .check_server("https://evil.example")
            .expect_err("refused");
        let text = refusal.to_string();
        assert!(text.contains("https://evil.example"), "{text}");
        assert!(text.contains("/etc/sesame/policy.toml"), "{text}");
    }

    #[test]
    fn an_empty_allow_list_allows_no_server() {
        let policy = parse("[servers]\nallowed = []\n").expect("parse");
        assert!(policy.check_server("https://login.example.com").is_err());
    }

    #[test]
    fn malformed_policies_name_the_line() {
        let error = parse("[accounts]\nallow_export = false\nallow_exprot = true\n")
            .expect_err("unknown key");
        match &error {
            PolicyError::Malformed { line, reason, .. } => {
                assert_eq!(*line, 3);
                assert!(reason.contains("allow_exprot"), "{reason}");
            }
            other => panic!("expected Malformed, got {other:?}"),
        }
        let error = parse("accounts = 3\n").expect_err("a section that is not a table");
        let text = error.to_string();
        assert!(text.contains("an [accounts] table"), "{text}");
        assert!(!text.contains("Section"), "{text}");
        assert!(matches!(
            parse("[settings]\ncontent_protection = \"yes\"\n"),
            Err(PolicyError::Malformed { line: 2, .. })
        ));
        assert!(matches!(
            parse("[servers]\nallowed = [\"ftp://x\"]\n"),
            Err(PolicyError::Invalid { .. })
        ));
        assert!(matches!(
            parse("[settings]\nclipboard_clear_seconds = 1\n"),
            Err(PolicyError::Invalid { .. })
        ));
        assert!(matches!(
            parse("[[servers.pinned]]\norigin = \"https://a.example\"\nkey = \"short\"\n"),
            Err(PolicyError::Invalid { .. })
        ));
    }

    #[test]
    fn a_broken_policy_fails_closed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("policy.toml");
        std::fs::write(&path, "[servers\nallowed = []\n").expect("write");
        let policy = Policy::load_file(&path, false);
        let problem = policy.problem().expect("broken").to_string();
        assert!(problem.contains("line 1"), "{problem}");
        assert!(policy.is_managed());
        let refusal = policy
            .check_server("https://login.example.com")
            .expect_err("closed")
            .to_string();
        assert!(refusal.contains("could not be applied"), "{refusal}");
        assert!(refusal.contains("line 1"), "{refusal}");
        assert!(policy.check_manual_add().is_err());
        assert!(policy.check_export().is_err());
        assert!(policy.check_cli_code().is_err());
        assert_eq!(
            policy.address_verdict(AddressMatch::Unknown),
            AddressVerdict::Refuse
        );
    }

    #[test]
    fn a_missing_file_is_no_policy() {
        let dir = tempfile::tempdir().expect("temp dir");
        let policy = Policy::load_file(&dir.path().join("absent.toml"), true);
        assert_eq!(policy.source(), &PolicySource::None);
        assert!(policy.check_server("https://any.example").is_ok());
    }

    /// A policy file holding `text` with the Unix `mode`, in a folder of its own.
    #[cfg(unix)]
    fn policy_file_with_mode(text: &str, mode: u32) -> (tempfile::TempDir, PathBuf) {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("policy.toml");
        std::fs::write(&path, text).expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("chmod");
        (dir, path)
    }

    #[cfg(unix)]
    #[test]
    fn a_system_policy_users_can_write_is_not_trusted() {
        let (_dir, path) = policy_file_with_mode("", 0o666);
        let policy = Policy::load_file(&path, true);
        let problem = policy.problem().expect("refused").to_string();
        assert!(
            problem.contains("writable") || problem.contains("root"),
            "{problem}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_system_policy_in_a_folder_users_can_write_is_not_trusted() {
        use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
        let (dir, path) = policy_file_with_mode("[accounts]\nallow_export = false\n", 0o644);
        let set_folder_mode = |mode| {
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(mode))
                .expect("chmod folder")
        };
        set_folder_mode(0o777);
        let problem = Policy::load_file(&path, true)
            .problem()
            .expect("refused")
            .to_string();
        if std::fs::metadata(&path).expect("stat").uid() != 0 {
            // Not root: the file's owner is refused first; the folder rule needs root to test.
            assert!(problem.contains("owned by root"), "{problem}");
            return;
        }
        assert!(problem.contains("its folder"), "{problem}");
        set_folder_mode(0o1777);
        let sticky = Policy::load_file(&path, true);
        assert!(sticky.problem().is_none(), "{:?}", sticky.problem());
        assert!(sticky.check_export().is_err());
        set_folder_mode(0o755);
        assert!(Policy::load_file(&path, true).problem().is_none());
    }

    #[test]
    fn locked_settings_override_the_users_and_cannot_be_changed() {
        let policy = parse("[settings]\nclipboard_clear_seconds = 12\ncontent_protection = true\n")
            .expect("parse");
        let mine = Settings {
            clipboard_clear_seconds: 90,
            content_protection: false,
            start_at_login: true,
        };
        let effective = policy.apply(mine.clone());
        assert_eq!(effective.clipboard_clear_seconds, 12);
        assert!(effective.content_protection);
        assert!(
            effective.start_at_login,
            "not locked: the user's choice stays"
        );
        assert!(policy.check_settings(&effective).is_ok());
        let refusal = policy.check_settings(&mine).expect_err("locked");
        assert!(refusal.to_string().contains("clipboard delay"), "{refusal}");
        // Saving the page's values keeps the user's own choice under the locked ones.
        let saved = policy
            .settings_to_save(
                &mine,
                Settings {
                    start_at_login: false,
                    ..effective
                },
            )
            .expect("unlocked change");
        assert_eq!(saved.clipboard_clear_seconds, 90);
        assert!(!saved.content_protection);
        assert!(!saved.start_at_login);
    }

    #[test]
    fn address_modes() {
        use AddressMatch::{Match, Mismatch, Unknown};
        use AddressVerdict::{Allow, Confirm, Refuse};
        let verdicts = |text: &str| {
            let policy = parse(text).expect("parse");
            [Match, Mismatch, Unknown].map(|a| policy.address_verdict(a))
        };
        assert_eq!(verdicts(""), [Allow, Refuse, Confirm]);
        assert_eq!(
            verdicts("[servers]\naddress_match = \"strict\"\n"),
            [Allow, Refuse, Refuse]
        );
        assert_eq!(
            verdicts("[servers]\naddress_match = \"warn\"\n"),
            [Allow, Confirm, Confirm]
        );
        assert!(parse("[servers]\naddress_match = \"lenient\"\n").is_err());
    }

    #[test]
    fn pinned_keys_are_checked_and_must_be_allowed() {
        let policy = parse(&format!(
            "[[servers.pinned]]\norigin = \"https://login.example.com\"\nkey = \"{KEY}\"\n"
        ))
        .expect("parse");
        assert!(
            policy
                .check_server_key("https://login.example.com", KEY)
                .is_ok()
        );
        assert!(
            policy
                .check_server_key("https://login.example.com", "AAAA")
                .is_err()
        );
        assert!(
            policy
                .check_server_key("https://other.example", "AAAA")
                .is_ok()
        );
        assert!(
            parse(&format!(
                "[servers]\nallowed = [\"https://a.example\"]\n[[servers.pinned]]\norigin = \"https://login.example.com\"\nkey = \"{KEY}\"\n"
            ))
            .is_err()
        );
    }

    #[test]
    fn the_documented_example_is_a_valid_policy() {
        let policy = parse(include_str!("../../../docs/policy.example.toml")).expect("parse");
        assert_eq!(policy.allowed_servers().map(<[String]>::len), Some(2));
        assert_eq!(policy.pinned().len(), 1);
        assert_eq!(policy.locked().clipboard_clear_seconds, Some(20));
        assert!(policy.check_export().is_err());
    }

    #[test]
    fn forbidden_actions_name_the_policy() {
        let policy = parse(
            "[accounts]\nallow_manual_add = false\nallow_export = false\nallow_cli_code = false\n",
        )
        .expect("parse");
        for refusal in [
            policy.check_manual_add(),
            policy.check_export(),
            policy.check_cli_code(),
        ] {
            let text = refusal.expect_err("forbidden").to_string();
            assert!(text.contains("/etc/sesame/policy.toml"), "{text}");
        }
    }
}
