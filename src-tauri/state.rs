//! The one managed state: Sesame's use cases, and what the window keeps between two commands
//! (the last scan, the sign-in under review, sesame:// links not yet taken).

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};

use sesame_core::Sesame;
use sesame_core::login::PendingApproval;
use sesame_core::scan::Payload;
use sesame_core::sesame::NoDataDir;
use sesame_core::settings::Settings;
use sesame_core::transfer::ImportPreview;
use zeroize::Zeroizing;

use crate::error::UiError;

/// Everything the commands share.
pub struct AppState {
    /// Sesame over the environment's data dir, or why there is none.
    sesame: Result<Sesame, NoDataDir>,
    /// The codes of the last scan, until the user adds some or scans again (wiped on drop).
    scanned: Mutex<Vec<Payload>>,
    /// The sign-in being reviewed in the approval sheet.
    pending_login: Mutex<Option<PendingApproval>>,
    /// sesame:// links Sesame was opened with, oldest first, until the window takes them: a
    /// second link never replaces a sheet the user is reading.
    deep_links: Mutex<VecDeque<String>>,
    /// The import the window is walking through: the file until its password is given, then
    /// the preview until the user imports or cancels (both wiped on drop).
    import: Mutex<ImportInProgress>,
    /// The binding claimed last, until the page takes its pairing code or the sheet closes.
    claimed_binding: Mutex<Option<ClaimedBinding>>,
}

/// A binding this device claimed, while the page waits for its pairing code (wiped on drop).
pub struct ClaimedBinding {
    /// The binding code read: its enrolment secret is what asks the server how it stands.
    pub uri: Zeroizing<String>,
    pub device_id: String,
    /// For the sheet's Copy button.
    pub pairing_code: Zeroizing<String>,
}

/// Where an import in the window stands.
#[derive(Default)]
pub enum ImportInProgress {
    #[default]
    None,
    /// An encrypted export waiting for its password.
    Locked(Zeroizing<Vec<u8>>),
    /// Read, shown to the user, not stored yet.
    Previewed(ImportPreview),
}

impl AppState {
    /// Sesame over the data dir named by `SESAME_DATA_DIR` (as for the CLI), or else the
    /// platform's default, so the window and the CLI see the same accounts.
    pub fn from_environment() -> Self {
        Self::new(Sesame::from_environment(None))
    }

    /// The state over a given Sesame (tests), or over none.
    pub fn new(sesame: Result<Sesame, NoDataDir>) -> Self {
        Self {
            sesame,
            scanned: Mutex::default(),
            pending_login: Mutex::default(),
            deep_links: Mutex::default(),
            import: Mutex::default(),
            claimed_binding: Mutex::default(),
        }
    }

    /// The use cases, or why there are none.
    pub fn sesame(&self) -> Result<&Sesame, UiError> {
        self.sesame
            .as_ref()
            .map_err(|error| UiError::Other(error.to_string()))
    }

    /// The settings in force (the defaults when there is no data dir to read them from).
    pub fn settings(&self) -> Settings {
        self.sesame
            .as_ref()
            .map(Sesame::settings)
            .unwrap_or_default()
    }

    /// A D-Bus-safe name for this vault's single instance: two Sesames on different data dirs
    /// (two users' test sandboxes, say) are separate instances; two on the same one are not.
    pub fn instance_id(&self) -> String {
        // FNV-1a: stable across Rust releases, unlike std's hasher.
        let path = self
            .sesame
            .as_ref()
            .map(|s| s.data_dir().to_string_lossy().into_owned());
        let hash = path
            .unwrap_or_default()
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            });
        format!("dev.sesame.desktop.v{hash:016x}")
    }

    /// Carries out the removals whose undo time has passed (all of them with `everything`: the
    /// window is closing). What failed, in sentences; those accounts stay in Sesame.
    pub fn finish_removals(&self, everything: bool) -> Vec<String> {
        let Ok(sesame) = &self.sesame else {
            return Vec::new();
        };
        sesame
            .finish_removals(everything)
            .into_iter()
            .filter_map(|done| {
                let error = done.result.err()?;
                let who = [done.account.issuer, done.account.name]
                    .into_iter()
                    .filter(|part| !part.is_empty())
                    .collect::<Vec<_>>()
                    .join(" — ");
                Some(format!(
                    "{who} was not removed, and is still in Sesame: {}",
                    UiError::from(error).message()
                ))
            })
            .collect()
    }

    /// Drops (and wipes) the secrets read for display, and any scan not added.
    pub fn forget_secrets(&self) {
        if let Ok(sesame) = &self.sesame {
            sesame.forget_secrets();
        }
        self.scanned().clear();
        *self.import() = ImportInProgress::None;
        *self.claimed_binding() = None;
    }

    /// True while a copied code's clear has not run: the process must stay until it has.
    pub fn clipboard_busy(&self) -> bool {
        self.sesame
            .as_ref()
            .is_ok_and(|s| s.clipboard().has_pending_clears())
    }

    /// Blocks until every scheduled clipboard clear has run.
    pub fn wait_for_clipboard(&self) {
        if let Ok(sesame) = &self.sesame {
            sesame.clipboard().wait_for_pending_clears();
        }
    }

    /// The sesame:// links waiting for the window.
    pub fn deep_links(&self) -> MutexGuard<'_, VecDeque<String>> {
        self.deep_links.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The sign-in under review.
    pub fn pending_login(&self) -> MutexGuard<'_, Option<PendingApproval>> {
        self.pending_login.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The binding claimed last, waiting for the page.
    pub fn claimed_binding(&self) -> MutexGuard<'_, Option<ClaimedBinding>> {
        self.claimed_binding
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// The import in progress.
    pub fn import(&self) -> MutexGuard<'_, ImportInProgress> {
        self.import.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The last scan's codes.
    pub fn scanned(&self) -> MutexGuard<'_, Vec<Payload>> {
        self.scanned.lock().unwrap_or_else(|p| p.into_inner())
    }
}
