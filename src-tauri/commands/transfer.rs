//! Settings → Import…, Back up… and Show as QR for a phone, and a pasted Google export: each a
//! few lines over the core's moving use cases. An import is read, previewed, and stored only
//! when the user says so; the file and the preview wait in the state in between.

use std::path::PathBuf;

use secrecy::{ExposeSecret as _, SecretString};
use serde::Serialize;
use sesame_core::import::FormatError;
use sesame_core::sesame::Error;
use sesame_core::transfer::{ImportError, ImportPreview, PreviewEntry};
use tauri::State;
use tauri::ipc::{InvokeBody, Request};
use zeroize::Zeroizing;

use super::account_id;
use super::accounts::AccountView;
use crate::error::{UiError, sentence};
use crate::state::{AppState, ImportInProgress};

/// The next step of an import: a password to ask for, or the entries to show.
#[derive(Debug, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum ImportStep {
    /// The file is an encrypted export of `app`.
    Password {
        app: String,
    },
    Preview(PreviewView),
}

/// What the import would do, entry by entry.
#[derive(Debug, Serialize)]
pub struct PreviewView {
    /// "Aegis export", or "otpauth:// URIs".
    source: String,
    entries: Vec<PreviewEntry>,
    new_count: usize,
    unusable_count: usize,
    warnings: Vec<String>,
    /// "This is QR code 1 of 3 of an export: import the others too."
    notes: Vec<String>,
}

impl From<&ImportPreview> for PreviewView {
    fn from(preview: &ImportPreview) -> Self {
        Self {
            source: preview
                .app()
                .map_or_else(|| "otpauth:// URIs".to_owned(), |app| format!("{app} export")),
            entries: preview.entries.clone(),
            new_count: preview.new_count(),
            unusable_count: preview.unusable_count(),
            warnings: preview.warnings().iter().map(ToString::to_string).collect(),
            notes: preview
                .partial_exports()
                .iter()
                .map(|part| {
                    format!(
                        "This is QR code {} of {} of a Google Authenticator export: import the others too.",
                        part.index, part.count
                    )
                })
                .collect(),
        }
    }
}

/// Errors of reading an import, worded for the sheet (the file is named by the user's choice).
fn import_error(error: Error) -> UiError {
    match error {
        Error::Import(ImportError::Format(FormatError::WrongPassword { app })) => {
            UiError::InvalidInput(format!(
                "The password does not open this {app} export. Check it (the one set when \
                 exporting) and try again."
            ))
        }
        Error::Import(import) => UiError::InvalidInput(format!(
            "{}. Nothing was stored.",
            sentence(&import.to_string())
        )),
        other => other.into(),
    }
}

/// Reads `file` with `password`, keeps the preview, and says what to show.
fn preview(
    state: &AppState,
    file: &[u8],
    password: Option<&SecretString>,
) -> Result<ImportStep, UiError> {
    let sesame = state.sesame()?;
    let incoming = sesame.read_import(file, password).map_err(import_error)?;
    let preview = sesame.preview_import(incoming)?;
    let view = PreviewView::from(&preview);
    *state.import() = ImportInProgress::Previewed(preview);
    Ok(ImportStep::Preview(view))
}

/// Reads an import file's contents, sent as the request's raw body: asks for its password if it
/// is encrypted, else previews it.
#[tauri::command(async)]
pub fn read_import_file(
    state: State<'_, AppState>,
    request: Request<'_>,
) -> Result<ImportStep, UiError> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(UiError::InvalidInput("No file was received.".into()));
    };
    let sesame = state.sesame()?;
    sesame.check_typed_add()?;
    if let Some(app) = sesame.import_password_needed(bytes) {
        *state.import() = ImportInProgress::Locked(Zeroizing::new(bytes.clone()));
        return Ok(ImportStep::Password {
            app: app.to_owned(),
        });
    }
    preview(&state, bytes, None)
}

/// Opens the encrypted export waiting for its password and previews it.
#[tauri::command(async)]
pub fn unlock_import(state: State<'_, AppState>, password: String) -> Result<ImportStep, UiError> {
    let password = SecretString::from(password);
    let file = match &*state.import() {
        ImportInProgress::Locked(file) => file.clone(),
        _ => {
            return Err(UiError::NotFound(
                "There is no encrypted file waiting: choose the file again.".into(),
            ));
        }
    };
    preview(&state, &file, Some(&password))
}

/// Previews pasted text: a Google Authenticator export link (or several, one per line).
#[tauri::command(async)]
pub fn read_import_text(state: State<'_, AppState>, text: String) -> Result<ImportStep, UiError> {
    let text = Zeroizing::new(text);
    preview(&state, text.as_bytes(), None)
}

/// What importing did.
#[derive(Debug, Serialize)]
pub struct Imported {
    added: Vec<AccountView>,
    /// Entries not imported (already there, twice in the file, or unusable).
    left_out: usize,
}

/// Imports the usable entries of the preview shown, then forgets it.
#[tauri::command(async)]
pub fn import_previewed(state: State<'_, AppState>) -> Result<Imported, UiError> {
    let sesame = state.sesame()?;
    let ImportInProgress::Previewed(preview) = std::mem::take(&mut *state.import()) else {
        return Err(UiError::NotFound(
            "There is nothing to import: choose the file again.".into(),
        ));
    };
    let total = preview.entries.len();
    let done = sesame
        .import(preview)
        .map_err(|partial| UiError::from(partial.error))?;
    Ok(Imported {
        left_out: total - done.added.len(),
        added: done.added.iter().map(AccountView::from).collect(),
    })
}

/// Forgets the import in progress (the sheet was closed).
#[tauri::command]
pub fn cancel_import(state: State<'_, AppState>) {
    *state.import() = ImportInProgress::None;
}

/// Where the backup sheet offers to save, and whether the policy allows it at all.
#[derive(Debug, Serialize)]
pub struct BackupPlace {
    path: String,
    accounts: usize,
}

/// The suggested backup file; refused up front where the policy forbids exports.
#[tauri::command(async)]
pub fn suggest_backup(state: State<'_, AppState>, today: String) -> Result<BackupPlace, UiError> {
    let sesame = state.sesame()?;
    sesame.check_export()?;
    Ok(BackupPlace {
        path: sesame.suggested_backup_path(&today).display().to_string(),
        accounts: sesame.accounts()?.len(),
    })
}

/// Writes the encrypted backup to `path` (typed twice, never stored).
#[tauri::command(async)]
pub fn write_backup(
    state: State<'_, AppState>,
    path: String,
    password: String,
    repeated: String,
) -> Result<usize, UiError> {
    let (password, repeated) = (SecretString::from(password), SecretString::from(repeated));
    if password.expose_secret() != repeated.expose_secret() {
        return Err(UiError::InvalidInput(
            "The two passwords differ: type the same one twice.".into(),
        ));
    }
    if path.trim().is_empty() {
        return Err(UiError::InvalidInput(
            "Say where to save the backup.".into(),
        ));
    }
    Ok(state
        .sesame()?
        .backup_to(&PathBuf::from(path.trim()), &password)?)
}

/// One QR code for the phone.
#[derive(Debug, Serialize)]
pub struct PhoneCodeView {
    index: usize,
    count: usize,
    labels: Vec<String>,
    /// The SVG, for an `img` (a data: URL); it holds the accounts' secrets.
    svg: String,
}

/// The codes, and the accounts they cannot carry.
#[derive(Debug, Serialize)]
pub struct PhoneView {
    codes: Vec<PhoneCodeView>,
    left_out: Vec<String>,
}

/// The chosen accounts (all when none) as Google Authenticator QR codes for a phone.
#[tauri::command(async)]
pub fn phone_codes(state: State<'_, AppState>, ids: Vec<String>) -> Result<PhoneView, UiError> {
    let ids = ids
        .iter()
        .map(|id| account_id(id))
        .collect::<Result<Vec<_>, _>>()?;
    let transfer = state.sesame()?.phone_codes(&ids)?;
    Ok(PhoneView {
        codes: transfer
            .codes
            .into_iter()
            .map(|code| PhoneCodeView {
                index: code.index,
                count: code.count,
                labels: code.labels,
                svg: code.svg.to_string(),
            })
            .collect(),
        left_out: transfer.left_out,
    })
}
