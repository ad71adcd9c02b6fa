//! The policy file's TOML schema, and its reading into a [`Policy`]: unknown keys are refused,
//! origins normalised, pinned keys and settings checked, so a file is applied whole or not at
//! all.

use std::path::Path;

use serde::Deserialize;
use sesame_protocol::origin::Origin;

use super::{AddressMode, LockedSettings, PinnedServer, Policy, PolicyError, PolicySource};
use crate::settings::CLIPBOARD_CLEAR_SECONDS;

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
    global_shortcut: Option<String>,
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
        let global_shortcut = file
            .settings
            .global_shortcut
            .as_deref()
            .map(|text| {
                crate::shortcut::normalize(text)
                    .map_err(|e| invalid(format!("settings.global_shortcut: {e}")))
            })
            .transpose()?;
        Ok(Self {
            source: PolicySource::File(path.to_owned()),
            allowed_servers,
            pinned,
            address_mode: file.servers.address_match,
            locked: LockedSettings {
                clipboard_clear_seconds: file.settings.clipboard_clear_seconds,
                content_protection: file.settings.content_protection,
                start_at_login: file.settings.start_at_login,
                global_shortcut,
            },
            allow_manual_add: file.accounts.allow_manual_add,
            allow_export: file.accounts.allow_export,
            allow_cli_code: file.accounts.allow_cli_code,
            ignored_override: None,
        })
    }
}
