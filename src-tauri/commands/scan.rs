//! "Scan screen" and "From image" in the add dialog: codes are read here, shown to the user as
//! descriptions (never their secrets), and added only when the user picks them.

use std::time::Duration;

use serde::Serialize;
use sesame_core::scan::{Payload, ScanReport, SignInCode};
use tauri::ipc::{InvokeBody, Request};
use tauri::{AppHandle, Manager, Runtime, State};

use super::accounts::AccountView;
use crate::error::{UiError, sentence};
use crate::state::AppState;
use crate::window::MAIN;

/// Time for the window system to take Sesame's window off the screen before the capture.
const UNMAP_DELAY: Duration = Duration::from_millis(250);

/// A code as the dialog lists it.
#[derive(Debug, Serialize)]
pub struct ScannedCode {
    index: usize,
    source: String,
    description: String,
    /// Why it cannot be added, when it cannot.
    refusal: Option<String>,
    /// For Sesame's own codes, what the window can do with it instead.
    action: Option<SignInCode>,
    /// For Sesame's own codes, the site they name (as claimed; the sheets check it).
    site: Option<String>,
}

/// What a scan found.
#[derive(Debug, Serialize)]
pub struct ScanView {
    codes: Vec<ScannedCode>,
    /// Shown when nothing could be read.
    hint: Option<String>,
}

/// Keeps the payloads for `add_scanned` and describes them for the dialog.
fn present(state: &AppState, report: ScanReport) -> ScanView {
    let hint = report
        .found
        .is_empty()
        .then(|| report.nothing_found_hint().to_owned());
    let codes = report
        .found
        .iter()
        .enumerate()
        .map(|(index, found)| {
            let action = found.payload.sign_in().map(|(kind, _)| kind);
            ScannedCode {
                index,
                source: found.source.clone(),
                description: found.payload.describe(),
                refusal: action
                    .is_none()
                    .then(|| found.payload.not_an_account())
                    .flatten()
                    .map(|r| format!("Not added: {r}.")),
                action,
                site: found.payload.site(),
            }
        })
        .collect();
    *state.scanned() = report.found.into_iter().map(|f| f.payload).collect();
    ScanView { codes, hint }
}

/// Takes Sesame's window off the screen (so it hides nothing), reads every monitor until a code
/// is found or a few seconds pass, and brings the window back.
#[tauri::command(async)]
pub fn scan_screen<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<ScanView, UiError> {
    let sesame = state.sesame()?;
    let window = app.get_webview_window(MAIN);
    if let Some(window) = &window {
        window.hide().map_err(|e| UiError::Other(e.to_string()))?;
    }
    std::thread::sleep(UNMAP_DELAY);
    let outcome = sesame.scan_screen();
    if let Some(window) = &window {
        let _ = window.show();
        let _ = window.set_focus();
    }
    Ok(present(&state, outcome?))
}

/// Reads the codes in an image file's contents, sent as the request's raw body.
#[tauri::command(async)]
pub fn scan_image(state: State<'_, AppState>, request: Request<'_>) -> Result<ScanView, UiError> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(UiError::InvalidInput("No image was received.".into()));
    };
    let name = request
        .headers()
        .get("x-file-name")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("the image");
    let report = state.sesame()?.scan_image_bytes(name, bytes)?;
    Ok(present(&state, report))
}

/// What adding the chosen codes did.
#[derive(Debug, Serialize)]
pub struct AddedScanned {
    added: Vec<AccountView>,
    /// One line per code not added, and why.
    problems: Vec<String>,
}

/// Adds the accounts of the chosen codes of the last scan, then forgets the scan.
#[tauri::command(async)]
pub fn add_scanned(
    state: State<'_, AppState>,
    indices: Vec<usize>,
) -> Result<AddedScanned, UiError> {
    let sesame = state.sesame()?;
    let payloads = std::mem::take(&mut *state.scanned());
    let chosen: Vec<&Payload> = indices.iter().filter_map(|&i| payloads.get(i)).collect();
    let read = sesame.read_scanned(chosen);
    let mut problems: Vec<String> = read
        .refused
        .iter()
        .map(|(_, error)| format!("{}.", sentence(&error.to_string())))
        .collect();
    problems.extend(
        read.incoming
            .skipped
            .iter()
            .map(|s| format!("Skipped {s}.")),
    );
    let done = sesame
        .add_all(read.incoming)
        .map_err(|partial| UiError::from(partial.error))?;
    problems.extend(
        done.already_there
            .iter()
            .map(|label| format!("{label} is already in Sesame.")),
    );
    Ok(AddedScanned {
        added: done.added.iter().map(AccountView::from).collect(),
        problems,
    })
}
