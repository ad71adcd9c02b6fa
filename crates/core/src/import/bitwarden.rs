//! Bitwarden's unencrypted exports (Tools → Export vault, `.json` or `.csv`; Bitwarden
//! Authenticator's JSON export has the same items, each login's `totp` an `otpauth://` URI and
//! no username): every login item whose `totp` field is set, be it
//! an `otpauth://` URI, a `steam://` secret or a bare base32 secret (TOTP, SHA1, 6 digits, 30 s,
//! as Bitwarden computes it). Items without a TOTP are passwords, not Sesame's business.

use secrecy::SecretString;
use serde::Deserialize;
use zeroize::Zeroizing;

use super::{Entries, Format, FormatError, totp_field_account};
use crate::transfer::Incoming;

const APP: &str = "Bitwarden";
const CSV_TOTP_COLUMN: &str = "login_totp";

pub struct Bitwarden;

#[derive(Deserialize)]
struct Export {
    #[serde(default)]
    encrypted: bool,
    #[serde(default)]
    items: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    #[serde(default)]
    name: String,
    login: Option<Login>,
}

#[derive(Deserialize)]
struct Login {
    username: Option<String>,
    totp: Option<Zeroizing<String>>,
}

fn malformed(detail: impl Into<String>) -> FormatError {
    FormatError::Malformed {
        app: APP,
        detail: detail.into(),
    }
}

fn is_json_export(file: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(file).is_ok_and(|json| {
        json.get("encrypted").is_some() && json.get("items").is_some_and(|i| i.is_array())
    })
}

/// The header line of a CSV export names its `login_totp` column.
fn is_csv_export(file: &[u8]) -> bool {
    let first_line = file.split(|&b| b == b'\n').next().unwrap_or_default();
    std::str::from_utf8(first_line).is_ok_and(|header| {
        header
            .trim_end()
            .split(',')
            .any(|column| column == CSV_TOTP_COLUMN)
    })
}

impl Format for Bitwarden {
    fn app(&self) -> &'static str {
        APP
    }

    fn recognises(&self, file: &[u8]) -> bool {
        is_json_export(file) || is_csv_export(file)
    }

    fn is_encrypted(&self, _file: &[u8]) -> bool {
        // Encrypted exports are refused with what to do instead: there is no password to ask.
        false
    }

    fn read(&self, file: &[u8], _password: Option<&SecretString>) -> Result<Incoming, FormatError> {
        let logins = if is_json_export(file) {
            json_logins(file)?
        } else {
            csv_logins(file)?
        };
        let mut entries = Entries::default();
        for (item, username, totp) in &logins {
            let label = crate::account::label(item.trim(), username.trim());
            entries.push(label, totp_field_account(item, username, totp));
        }
        entries.finish(APP)
    }
}

/// (item name, username, TOTP field) of each login with a TOTP.
type Logins = Vec<(String, String, Zeroizing<String>)>;

fn json_logins(file: &[u8]) -> Result<Logins, FormatError> {
    let export: Export = serde_json::from_slice(file)
        .map_err(|e| malformed(format!("its JSON is not a vault export's: {e}")))?;
    if export.encrypted {
        return Err(FormatError::Unsupported {
            app: APP,
            detail: "is encrypted (with your account's key or an export password)".into(),
        });
    }
    Ok(export
        .items
        .into_iter()
        .filter_map(|item| {
            let login = item.login?;
            let totp = login.totp.filter(|t| !t.trim().is_empty())?;
            Some((item.name, login.username.unwrap_or_default(), totp))
        })
        .collect())
}

fn csv_logins(file: &[u8]) -> Result<Logins, FormatError> {
    let mut reader = csv::Reader::from_reader(file);
    let headers = reader
        .headers()
        .map_err(|e| malformed(format!("its CSV header does not read: {e}")))?
        .clone();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let totp = column(CSV_TOTP_COLUMN).ok_or_else(|| malformed("it has no login_totp column"))?;
    let (name, username) = (column("name"), column("login_username"));
    let mut logins = Vec::new();
    for (line, record) in reader.records().enumerate() {
        let record = record.map_err(|e| malformed(format!("row {}: {e}", line + 2)))?;
        let field = |index: Option<usize>| {
            index
                .and_then(|i| record.get(i))
                .unwrap_or_default()
                .to_owned()
        };
        let secret = Zeroizing::new(field(Some(totp)));
        if !secret.trim().is_empty() {
            logins.push((field(name), field(username), secret));
        }
    }
    Ok(logins)
}

#[cfg(test)]
mod tests;
