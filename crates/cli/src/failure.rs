//! The edge where typed errors from the core become what the user reads: a sentence saying what
//! happened and, where there is one, a sentence saying what to do.

use std::fmt;

use sesame_core::login::LoginError;
use sesame_core::otpauth::{MigrationError, UriError};
use sesame_core::policy::PolicyRefusal;
use sesame_core::scan::ScanError;
use sesame_core::search::SelectError;
use sesame_core::sesame::{Error, NoDataDir};
use sesame_core::transfer::{BackupError, ImportError};
use sesame_core::vault::{IndexError, StoreError, VaultError};

/// A failed command, ready to print.
#[derive(Debug)]
pub struct Failure {
    message: String,
    hint: Option<String>,
}

impl Failure {
    /// A failure with no further advice.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: None,
        }
    }

    /// Adds what the user can do about it.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  {hint}")?;
        }
        Ok(())
    }
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        Failure::new(error.to_string()).hint(error.hint())
    }
}

impl From<VaultError> for Failure {
    fn from(error: VaultError) -> Self {
        match error {
            VaultError::Store(store) => store.into(),
            VaultError::Index(IndexError::Corrupt { .. }) => Failure::new(error.to_string()).hint(
                "Sesame has left the file as it is and changes nothing until it reads again. \
                 Your secrets are still in the keyring: restore the file from a backup, or \
                 repair the JSON at the place named.",
            ),
            VaultError::Duplicate { .. } => Failure::new(error.to_string())
                .hint("Rename or remove the existing account first if this is a different one."),
            other => Failure::new(other.to_string()),
        }
    }
}

impl From<UriError> for Failure {
    fn from(error: UriError) -> Self {
        Failure::new(format!("this otpauth URI cannot be added: {error}"))
            .hint("Nothing was stored. Check the URI, or scan the QR code again.")
    }
}

impl From<MigrationError> for Failure {
    fn from(error: MigrationError) -> Self {
        Failure::new(error.to_string()).hint(
            "Nothing was stored. Export again from Google Authenticator (Transfer accounts → \
             Export) and copy the whole otpauth-migration:// text.",
        )
    }
}

impl From<SelectError> for Failure {
    fn from(error: SelectError) -> Self {
        let hint = match &error {
            SelectError::NoMatch(_) => "`sesame list` shows every account.",
            SelectError::Ambiguous { .. } => {
                "Use more of the name, the whole issuer:name, or the id shown."
            }
        };
        Failure::new(error.to_string()).hint(hint)
    }
}

impl From<std::io::Error> for Failure {
    fn from(error: std::io::Error) -> Self {
        Failure::new(format!("could not read input: {error}"))
    }
}

impl From<ScanError> for Failure {
    fn from(error: ScanError) -> Self {
        match error {
            ScanError::CaptureRefused { reason, hint } => {
                Failure::new(format!("the screen could not be captured: {reason}")).hint(hint)
            }
            ScanError::NoClipboardImage => Failure::new(error.to_string())
                .hint("Copy the QR code's image (right-click → Copy image), then run this again."),
            other => Failure::new(other.to_string()).hint("Nothing was stored."),
        }
    }
}

impl From<PolicyRefusal> for Failure {
    fn from(refusal: PolicyRefusal) -> Self {
        let hint = match refusal {
            PolicyRefusal::PolicyBroken { .. } => {
                "Ask your IT department to fix the policy; `sesame doctor` shows the problem."
            }
            _ => "Ask your IT department if you need this.",
        };
        Failure::new(refusal.to_string()).hint(hint)
    }
}

impl From<ImportError> for Failure {
    fn from(error: ImportError) -> Self {
        match error {
            ImportError::Uri(uri) => uri.into(),
            ImportError::Migration(migration) => migration.into(),
            other => Failure::new(other.to_string()).hint("Nothing was stored."),
        }
    }
}

impl From<LoginError> for Failure {
    fn from(error: LoginError) -> Self {
        let hint = match &error {
            LoginError::Server {
                attempts_left: Some(left),
                ..
            } => Some(format!("{left} attempt(s) left.")),
            LoginError::Store(store) => Some(store.hint().to_owned()),
            LoginError::Refused(_) => Some("Nothing was approved.".to_owned()),
            LoginError::Policy(_) => Some("Ask your IT department if you need this.".to_owned()),
            _ => None,
        };
        let failure = Failure::new(error.to_string());
        match hint {
            Some(hint) => failure.hint(hint),
            None => failure,
        }
    }
}

impl From<NoDataDir> for Failure {
    fn from(error: NoDataDir) -> Self {
        Failure::new(error.to_string()).hint(error.hint())
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        match error {
            Error::Policy(refusal) => refusal.into(),
            Error::Vault(vault) => vault.into(),
            Error::Uri(uri) => uri.into(),
            Error::Import(import) => import.into(),
            Error::Backup(BackupError::Vault(vault)) => vault.into(),
            Error::Select(select) => select.into(),
            Error::Scan(scan) => scan.into(),
            Error::Login(login) => login.into(),
            Error::NoAccounts => Failure::new(error.to_string()).hint("Add one with `sesame add`."),
            other => Failure::new(other.to_string()),
        }
    }
}
