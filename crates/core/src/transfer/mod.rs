//! Moving accounts in and out: text that holds accounts (one `otpauth://` URI, a Google
//! Authenticator export, a file of them one per line, a scanned QR code) turned into accounts
//! and added, and the accounts written back out as such a file. The CLI and the window only
//! show what this returns.

mod phone;
mod preview;

use zeroize::Zeroizing;

use secrecy::SecretString;

pub use phone::{PhoneCode, PhoneError, PhoneTransfer};
pub use preview::{ImportPreview, PreviewEntry, Verdict};

use crate::account::{Account, AccountId, NewAccount};
use crate::import::{self, FormatError};
use crate::otpauth::{
    BatchPart, EntryError, MigrationError, Place, SkippedEntry, UriError, UriWarning, migration,
    uri,
};
use crate::scan::Payload;
use crate::vault::{Vault, VaultError};

/// Accounts read from some text, with what could not be read.
#[derive(Debug, Default)]
pub struct Incoming {
    pub accounts: Vec<NewAccount>,
    /// Entries of an export left out, and why (an unsupported algorithm, say).
    pub skipped: Vec<SkippedEntry>,
    /// Things the user should know about accounts that were read (an issuer mismatch, say).
    pub warnings: Vec<ReadWarning>,
    /// Each export read that is one of several QR codes.
    pub partial_exports: Vec<BatchPart>,
    /// The app whose export file this came from; `None` for `otpauth://` text.
    pub app: Option<&'static str>,
}

/// A warning about a URI that was read, and the line of the file it was on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadWarning {
    /// 1-based, for URIs read from a file.
    pub line: Option<usize>,
    pub warning: UriWarning,
}

impl std::fmt::Display for ReadWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.warning),
            None => self.warning.fmt(f),
        }
    }
}

/// Why the text holds no accounts that can be added.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Uri(#[from] UriError),
    #[error(transparent)]
    Migration(#[from] MigrationError),
    /// A scanned code that is not an account.
    #[error("{0}")]
    NotAnAccount(String),
    /// A file none of whose lines or entries is an account Sesame can use: what is wrong with
    /// each (the first few).
    #[error("{}", nothing_usable(.0))]
    NothingUsable(Vec<String>),
    /// JSON that is no export Sesame knows.
    #[error(
        "it is a JSON file, but not an export of an app Sesame imports from ({})",
        import::app_names()
    )]
    UnknownJson,
    /// A file with no account in it.
    #[error("there is no otpauth:// or otpauth-migration:// line in it")]
    Empty,
    /// A file that is neither text nor an export Sesame knows.
    #[error(
        "it is not a text file of URIs, nor an export of an app Sesame imports from ({})",
        import::app_names()
    )]
    NotRecognised,
    /// Another authenticator's export that could not be read (each names its app).
    #[error(transparent)]
    Format(#[from] FormatError),
}

/// "nothing in it can be imported", naming the first few reasons (a big file of the wrong kind
/// would otherwise fill the terminal).
fn nothing_usable(reasons: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut text = format!(
        "nothing in it can be imported: {}",
        reasons
            .iter()
            .take(SHOWN)
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join("; ")
    );
    if reasons.len() > SHOWN {
        text.push_str(&format!(" (and {} more)", reasons.len() - SHOWN));
    }
    text
}

impl Incoming {
    /// One URI: an account, or every account of a Google Authenticator export.
    pub fn from_uri(text: &str) -> Result<Self, ImportError> {
        let text = text.trim();
        let mut incoming = Self::default();
        if Self::is_migration(text) {
            let batch = migration::parse(text)?;
            incoming.skipped = batch.skipped;
            if batch.part.has_others() {
                incoming.partial_exports.push(batch.part);
            }
            incoming.accounts = batch.accounts;
        } else {
            let parsed = uri::parse(text)?;
            incoming.warnings = parsed
                .warnings
                .into_iter()
                .map(|warning| ReadWarning {
                    line: None,
                    warning,
                })
                .collect();
            incoming.accounts.push(parsed.account);
        }
        Ok(incoming)
    }

    /// Whether `text` is a Google Authenticator export rather than one account.
    pub fn is_migration(text: &str) -> bool {
        text.trim_start()
            .get(..18)
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case("otpauth-migration:"))
    }

    /// An import file: another authenticator's export Sesame recognises (decrypted with
    /// `password` where it is encrypted), else a text file of URIs as [`Self::from_file_text`]
    /// reads.
    pub fn from_import_file(
        file: &[u8],
        password: Option<&SecretString>,
    ) -> Result<Self, ImportError> {
        match import::recognise(file) {
            Some(format) => Ok(Self {
                app: Some(format.app()),
                ..format.read(file, password)?
            }),
            None => match std::str::from_utf8(file) {
                Ok(text) => Self::from_file_text(text),
                Err(_) => Err(ImportError::NotRecognised),
            },
        }
    }

    /// The lines of an import file that hold something, numbered from 1: blank lines and `#`
    /// comments left out, and the `QR-Code:` that `zbarimg` prints before each code it reads
    /// taken off, so a file of its output imports as it is.
    pub fn content_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
        text.lines()
            .enumerate()
            .map(|(i, line)| (i + 1, line.trim()))
            .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
            .map(|(number, line)| {
                let line = line
                    .get(..8)
                    .filter(|prefix| prefix.eq_ignore_ascii_case("QR-Code:"))
                    .map_or(line, |_| line[8..].trim());
                (number, line)
            })
    }

    /// An import file: one URI per line; blank lines and lines starting with `#` are ignored.
    /// A line that is not an account is listed among the skipped entries with what is wrong
    /// with it and does not stop the others; a file with no usable line at all is refused.
    pub fn from_file_text(text: &str) -> Result<Self, ImportError> {
        let mut incoming = Self::default();
        let mut lines = 0;
        for (number, line) in Self::content_lines(text) {
            lines += 1;
            match Self::from_uri(line) {
                Ok(read) => incoming.merge(read, number),
                Err(error) => incoming.skipped.push(SkippedEntry {
                    place: Place::Line(number),
                    label: String::new(),
                    reason: EntryError::UnreadableLine(error.to_string()),
                }),
            }
        }
        if lines == 0 {
            return Err(ImportError::Empty);
        }
        if Self::content_lines(text).all(|(_, line)| Self::is_migration(line)) {
            incoming.app = Some("Google Authenticator");
        }
        if incoming.accounts.is_empty() {
            let looks_like_json = matches!(text.trim_start().chars().next(), Some('{' | '['));
            if looks_like_json && incoming.partial_exports.is_empty() {
                return Err(ImportError::UnknownJson);
            }
            return Err(ImportError::NothingUsable(
                incoming.skipped.iter().map(ToString::to_string).collect(),
            ));
        }
        Ok(incoming)
    }

    /// The accounts a scanned QR code holds.
    pub fn from_payload(payload: &Payload) -> Result<Self, ImportError> {
        match payload {
            Payload::Account(text) | Payload::Migration(text) => Self::from_uri(text),
            other => Err(ImportError::NotAnAccount(
                other.not_an_account().unwrap_or_default(),
            )),
        }
    }

    /// Adds another's accounts to these.
    pub fn extend(&mut self, other: Self) {
        self.accounts.extend(other.accounts);
        self.skipped.extend(other.skipped);
        self.warnings.extend(other.warnings);
        self.partial_exports.extend(other.partial_exports);
    }

    fn merge(&mut self, mut other: Self, line: usize) {
        for warning in &mut other.warnings {
            warning.line = Some(line);
        }
        self.extend(other);
    }

    /// Adds every account to the vault. Accounts already there are reported, not added again.
    /// A keyring or disk failure stops at once (it would fail the rest the same way), keeping
    /// what was added before it.
    pub fn add_to(self, vault: &Vault) -> Result<Added, PartialAdd> {
        let mut done = Added::default();
        for account in self.accounts {
            let label = account.label();
            match vault.add(account) {
                Ok(stored) => done.added.push(stored),
                Err(VaultError::Duplicate { .. }) => done.already_there.push(label),
                Err(error) => return Err(PartialAdd { done, error }),
            }
        }
        Ok(done)
    }
}

/// What adding did.
#[derive(Debug, Default)]
pub struct Added {
    pub added: Vec<Account>,
    /// Labels of accounts Sesame had already.
    pub already_there: Vec<String>,
}

/// Adding stopped on an error after `done`.
#[derive(Debug, thiserror::Error)]
#[error("{error} (after adding {} account(s))", .done.added.len())]
pub struct PartialAdd {
    pub done: Added,
    #[source]
    pub error: VaultError,
}

/// Every account as an `otpauth://` URI, one per line: the file [`Incoming::from_file_text`]
/// reads. HOTP counters are the next unused ones. Held in zeroized memory: it is every secret.
pub fn export_uris(vault: &Vault) -> Result<Zeroizing<String>, VaultError> {
    let mut text = Zeroizing::new(String::new());
    for account in vault.accounts()? {
        let secret = vault.secret(&account)?;
        let uri = uri::format(&NewAccount {
            issuer: account.issuer,
            name: account.name,
            params: account.params,
            secret,
        });
        text.push_str(&uri);
        text.push('\n');
    }
    Ok(text)
}

/// The accounts with `ids` (every account when empty), secrets included, for moving.
fn accounts_with_secrets(vault: &Vault, ids: &[AccountId]) -> Result<Vec<NewAccount>, VaultError> {
    let mut accounts = Vec::new();
    for account in vault.accounts()? {
        if !ids.is_empty() && !ids.contains(&account.id) {
            continue;
        }
        let secret = vault.secret(&account)?;
        accounts.push(NewAccount {
            issuer: account.issuer,
            name: account.name,
            params: account.params,
            secret,
        });
    }
    Ok(accounts)
}

/// The accounts with `ids` (every account when empty) as QR codes a phone imports.
pub fn phone_codes(vault: &Vault, ids: &[AccountId]) -> Result<PhoneTransfer, BackupError> {
    Ok(phone::phone_transfer(accounts_with_secrets(vault, ids)?)?)
}

/// Every account, secrets and HOTP counters included, as an encrypted Aegis vault that Aegis
/// and Sesame both open with `password` (see [`crate::import::aegis::write_encrypted`]).
pub fn backup_vault(
    vault: &Vault,
    password: &SecretString,
) -> Result<Zeroizing<Vec<u8>>, BackupError> {
    let mut accounts = Vec::new();
    for account in vault.accounts()? {
        let secret = vault.secret(&account)?;
        accounts.push(NewAccount {
            issuer: account.issuer,
            name: account.name,
            params: account.params,
            secret,
        });
    }
    Ok(import::aegis::write_encrypted(&accounts, password)?)
}

/// Why a backup or the codes for a phone could not be made.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Write(#[from] import::aegis::WriteError),
    #[error(transparent)]
    Phone(#[from] PhoneError),
    #[error("{} exists already: Sesame never overwrites a file, so choose a new name", .0.display())]
    Exists(std::path::PathBuf),
    #[error("could not write {}: {source}", path.display())]
    File {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::otp::FixedClock;
    use crate::vault::{FileIndex, MemoryStore};

    const GITHUB: &str = "otpauth://totp/GitHub:ada?secret=JBSWY3DPEHPK3PXP&issuer=GitHub";
    const MAIL: &str = "otpauth://totp/Mail:ada@example.com?secret=GEZDGNBVGY3TQOJQ&issuer=Mail";

    /// A vault with secrets in memory and its index in `dir`.
    fn memory_vault(dir: &tempfile::TempDir) -> Vault {
        Vault::new(
            Box::new(MemoryStore::new()),
            Box::new(FileIndex::new(dir.path())),
            Box::new(FixedClock(59)),
        )
    }

    #[test]
    fn a_file_of_uris_with_comments_and_blank_lines() {
        let text = format!("# provisioning for ada\n\n{GITHUB}\n  {MAIL}  \n");
        let incoming = Incoming::from_file_text(&text).expect("read");
        let labels: Vec<_> = incoming.accounts.iter().map(|a| a.label()).collect();
        assert_eq!(labels, ["GitHub:ada", "Mail:ada@example.com"]);
    }

    #[test]
    fn zbarimg_output_imports_as_it_prints_it() {
        let text = format!("QR-Code:{GITHUB}\nqr-code: {MAIL}\n");
        let incoming = Incoming::from_file_text(&text).expect("read");
        let labels: Vec<_> = incoming.accounts.iter().map(|a| a.label()).collect();
        assert_eq!(labels, ["GitHub:ada", "Mail:ada@example.com"]);
    }

    /// Ente Auth's plain export: URIs with lower-case algorithms and its own `codeDisplay`
    /// field (percent-encoded JSON), which is not Sesame's business.
    #[test]
    fn ente_auths_plain_export_reads_as_uris() {
        let text = "otpauth://totp/GitHub:ada?secret=JBSWY3DPEHPK3PXP&issuer=GitHub&algorithm=sha256&digits=8&period=30&codeDisplay=%7B%22pinned%22%3Afalse%2C%22trashed%22%3Afalse%2C%22tags%22%3A%5B%5D%7D\n";
        let incoming = Incoming::from_file_text(text).expect("read");
        assert!(incoming.skipped.is_empty(), "{:?}", incoming.skipped);
        let account = &incoming.accounts[0];
        assert_eq!(account.label(), "GitHub:ada");
        assert_eq!(
            (account.params.algorithm, account.params.digits),
            (crate::otp::Algorithm::Sha256, 8)
        );
    }

    #[test]
    fn a_bad_line_is_listed_with_its_reason_and_the_others_are_read() {
        let text = format!("{GITHUB}\notpauth://totp/X?secret=not*base32\n{MAIL}\nhello\n");
        let incoming = Incoming::from_file_text(&text).expect("read");
        let labels: Vec<_> = incoming.accounts.iter().map(|a| a.label()).collect();
        assert_eq!(labels, ["GitHub:ada", "Mail:ada@example.com"]);
        let skipped: Vec<_> = incoming.skipped.iter().map(ToString::to_string).collect();
        assert_eq!(skipped.len(), 2, "{skipped:?}");
        assert!(skipped[0].starts_with("line 2: "), "{skipped:?}");
        assert!(skipped[1].starts_with("line 4: "), "{skipped:?}");
        assert!(
            !skipped[0].contains("not*base32"),
            "the secret is not repeated"
        );
    }

    #[test]
    fn a_file_with_nothing_usable_is_refused_saying_why() {
        assert!(matches!(
            Incoming::from_file_text("# nothing\n\n"),
            Err(ImportError::Empty)
        ));
        let many: String = (0..9).map(|i| format!("line {i}\n")).collect();
        let error = Incoming::from_file_text(&many).expect_err("nothing usable");
        let message = error.to_string();
        assert!(
            message.starts_with("nothing in it can be imported: line 1: "),
            "{message}"
        );
        assert!(message.ends_with("(and 4 more)"), "{message}");
        let json = Incoming::from_file_text(r#"{"db": {"entries": []}}"#).expect_err("json");
        assert!(matches!(json, ImportError::UnknownJson), "{json:?}");
        assert!(json.to_string().contains("Aegis"), "{json}");
    }

    #[test]
    fn adding_reports_accounts_already_there() {
        let dir = tempfile::tempdir().expect("temp dir");
        let vault = memory_vault(&dir);
        let first = Incoming::from_uri(GITHUB).expect("read");
        assert_eq!(first.add_to(&vault).expect("add").added.len(), 1);
        let both = Incoming::from_file_text(&format!("{GITHUB}\n{MAIL}\n")).expect("read");
        let done = both.add_to(&vault).expect("add");
        assert_eq!(done.added.len(), 1);
        assert_eq!(done.already_there, ["GitHub:ada"]);
        assert_eq!(vault.accounts().expect("list").len(), 2);
    }

    #[test]
    fn an_export_imports_back_to_the_same_accounts() {
        let (one, two) = (
            tempfile::tempdir().expect("dir"),
            tempfile::tempdir().expect("dir"),
        );
        let (from, to) = (memory_vault(&one), memory_vault(&two));
        let hotp =
            "otpauth://hotp/VPN:ada?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=7&issuer=VPN";
        Incoming::from_file_text(&format!("{GITHUB}\n{hotp}\n"))
            .expect("read")
            .add_to(&from)
            .expect("add");
        let exported = export_uris(&from).expect("export");
        Incoming::from_file_text(&exported)
            .expect("read back")
            .add_to(&to)
            .expect("add");
        let codes = |vault: &Vault| {
            vault
                .accounts()
                .expect("list")
                .iter()
                .map(|a| {
                    (
                        a.label(),
                        vault.secret(a).expect("secret").expose().to_vec(),
                        a.params,
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(codes(&from), codes(&to));
    }

    #[test]
    fn a_scanned_login_code_is_not_an_account() {
        let payload = Payload::classify(b"sesame://login?x=1");
        assert!(matches!(
            Incoming::from_payload(&payload),
            Err(ImportError::NotAnAccount(_))
        ));
    }
}
