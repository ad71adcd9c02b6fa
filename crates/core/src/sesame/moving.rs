//! Moving accounts in and out: importing other apps' exports with a preview, the encrypted
//! backup, the plain export, and the QR codes for a phone. Everything that lets a secret leave
//! Sesame asks the policy first.

use std::path::{Path, PathBuf};

use secrecy::SecretString;
use zeroize::Zeroizing;

use super::{Error, Sesame};
use crate::account::AccountId;
use crate::private_files::create_new_private_file;
use crate::transfer::{
    Added, BackupError, ImportPreview, Incoming, PartialAdd, PhoneTransfer, backup_vault,
    export_uris, phone_codes,
};

impl Sesame {
    /// Reads an import file: another authenticator's export (an encrypted one with its
    /// `password`), or one URI per line, every line checked before anything is added. Nothing is
    /// stored until [`Sesame::add_all`].
    pub fn read_import(
        &self,
        file: &[u8],
        password: Option<&SecretString>,
    ) -> Result<Incoming, Error> {
        self.check_typed_add()?;
        Ok(Incoming::from_import_file(file, password)?)
    }

    /// The app whose encrypted export `file` is, if it is one: its password must be asked for.
    pub fn import_password_needed(&self, file: &[u8]) -> Option<&'static str> {
        crate::import::recognise(file)
            .filter(|format| format.is_encrypted(file))
            .map(|format| format.app())
    }

    /// What importing `incoming` would do, entry by entry, checked against the accounts stored:
    /// shown to the user before [`Sesame::import`].
    pub fn preview_import(&self, incoming: Incoming) -> Result<ImportPreview, Error> {
        Ok(ImportPreview::new(incoming, &self.vault.accounts()?))
    }

    /// Adds the usable entries of a preview; those already there are kept as they are, those
    /// Sesame cannot use were listed in the preview. Crash-safe like every add.
    pub fn import(&self, preview: ImportPreview) -> Result<Added, PartialAdd> {
        preview.incoming.add_to(&self.vault)
    }

    /// Every account with its secret, as a file of `otpauth://` URIs, if the policy allows
    /// exporting secrets.
    pub fn export(&self) -> Result<Zeroizing<String>, Error> {
        self.policy().check_export()?;
        Ok(export_uris(&self.vault)?)
    }

    /// Whether the policy lets secrets leave Sesame (exports, backups, QR codes for a phone):
    /// checked before asking the user for anything.
    pub fn check_export(&self) -> Result<(), Error> {
        Ok(self.policy().check_export()?)
    }

    /// Every account as an encrypted backup that Aegis opens too (see
    /// [`crate::transfer::backup_vault`]), if the policy allows exporting secrets.
    pub fn backup(&self, password: &SecretString) -> Result<Zeroizing<Vec<u8>>, Error> {
        self.policy().check_export()?;
        Ok(backup_vault(&self.vault, password)?)
    }

    /// The accounts with `ids` (every account when empty) as Google Authenticator QR codes for
    /// a phone, if the policy allows exporting secrets.
    pub fn phone_codes(&self, ids: &[AccountId]) -> Result<PhoneTransfer, Error> {
        self.policy().check_export()?;
        Ok(phone_codes(&self.vault, ids)?)
    }

    /// Writes [`Sesame::backup`] to `path`: a new file (never overwriting one), readable by the
    /// user alone. Returns how many accounts it holds.
    pub fn backup_to(&self, path: &Path, password: &SecretString) -> Result<usize, Error> {
        self.check_export()?;
        if path.exists() {
            return Err(BackupError::Exists(path.to_owned()).into());
        }
        let count = self.accounts()?.len();
        let file = self.backup(password)?;
        create_new_private_file(path, &file).map_err(|source| match source.kind() {
            std::io::ErrorKind::AlreadyExists => BackupError::Exists(path.to_owned()),
            _ => BackupError::File {
                path: path.to_owned(),
                source,
            },
        })?;
        Ok(count)
    }

    /// Where the window offers to save a backup: the user's documents folder (else home), under
    /// a dated name no file has yet.
    pub fn suggested_backup_path(&self, today: &str) -> PathBuf {
        let folder = directories::UserDirs::new()
            .and_then(|dirs| {
                dirs.document_dir()
                    .map(Path::to_owned)
                    .or_else(|| Some(dirs.home_dir().to_owned()))
            })
            .unwrap_or_else(|| self.data_dir().to_owned());
        (1..)
            .map(|n| {
                let suffix = if n == 1 {
                    String::new()
                } else {
                    format!(" ({n})")
                };
                folder.join(format!("Sesame backup {today}{suffix}.json"))
            })
            .find(|path| !path.exists())
            .unwrap_or_else(|| folder.join(format!("Sesame backup {today}.json")))
    }
}
