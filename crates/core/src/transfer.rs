//! Moving accounts in and out: text that holds accounts (one `otpauth://` URI, a Google
//! Authenticator export, a file of them one per line, a scanned QR code) turned into accounts
//! and added, and the accounts written back out as such a file. The CLI and the window only
//! show what this returns.

use zeroize::Zeroizing;

use secrecy::SecretString;

use crate::account::{Account, NewAccount};
use crate::import::{self, FormatError};
use crate::otpauth::{
    BatchPart, MigrationError, SkippedEntry, UriError, UriWarning, migration, uri,
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
    /// Lines of an import file that are not accounts; nothing is added when there is one.
    #[error("{} line(s) cannot be imported, so nothing was: {}", .0.len(), .0.join("; "))]
    BadLines(Vec<String>),
    /// A file with no account in it.
    #[error("there is no otpauth:// or otpauth-migration:// line in it")]
    Empty,
    /// A file that is neither text nor an export Sesame knows.
    #[error("it is not a text file of URIs, nor an export of an app Sesame imports from")]
    NotRecognised,
    /// Another authenticator's export that could not be read (each names its app).
    #[error(transparent)]
    Format(#[from] FormatError),
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
            Some(format) => Ok(format.read(file, password)?),
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
    /// Every line is checked before anything is added, and one bad line refuses the file, so a
    /// typo never leaves half a file imported.
    pub fn from_file_text(text: &str) -> Result<Self, ImportError> {
        let mut incoming = Self::default();
        let mut bad = Vec::new();
        for (number, line) in Self::content_lines(text) {
            match Self::from_uri(line) {
                Ok(read) if !read.skipped.is_empty() => {
                    let skipped: Vec<String> =
                        read.skipped.iter().map(ToString::to_string).collect();
                    bad.push(format!("line {number}: {}", skipped.join(", ")))
                }
                Ok(read) => incoming.merge(read, number),
                Err(error) => bad.push(format!("line {number}: {error}")),
            }
        }
        if !bad.is_empty() {
            return Err(ImportError::BadLines(bad));
        }
        if incoming.accounts.is_empty() {
            return Err(ImportError::Empty);
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

    #[test]
    fn one_bad_line_refuses_the_whole_file_and_names_the_line() {
        let text = format!("{GITHUB}\notpauth://totp/X?secret=not*base32\n{MAIL}\n");
        match Incoming::from_file_text(&text) {
            Err(ImportError::BadLines(lines)) => {
                assert_eq!(lines.len(), 1);
                assert!(lines[0].starts_with("line 2:"), "{lines:?}");
            }
            other => panic!("expected BadLines, got {other:?}"),
        }
        assert!(matches!(
            Incoming::from_file_text("# nothing\n\n"),
            Err(ImportError::Empty)
        ));
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
