//! Reading QR codes for the user: the screen (looking again for a moment while nothing is
//! found), an image file or its bytes, the clipboard's image.

use std::path::Path;
#[cfg(feature = "screen")]
use std::time::{Duration, Instant};

use super::{Error, Sesame};
use crate::scan::{self, ScanReport};

/// How long a screen scan keeps looking while it finds nothing: the page may still be coming
/// forward, or still drawing its code.
#[cfg(feature = "screen")]
pub const KEEP_LOOKING: Duration = Duration::from_secs(3);
#[cfg(feature = "screen")]
const LOOK_AGAIN_AFTER: Duration = Duration::from_millis(200);

impl Sesame {
    /// Captures every monitor and reads every code, again every 200 ms for up to
    /// [`KEEP_LOOKING`] while nothing is found.
    #[cfg(feature = "screen")]
    pub fn scan_screen(&self) -> Result<ScanReport, Error> {
        let deadline = Instant::now() + KEEP_LOOKING;
        loop {
            let report = scan::screen::scan_screens()?;
            if !report.found.is_empty() || Instant::now() >= deadline {
                return Ok(report);
            }
            std::thread::sleep(LOOK_AGAIN_AFTER);
        }
    }

    /// Reads every code in an image file.
    pub fn scan_image_file(&self, path: &Path) -> Result<ScanReport, Error> {
        Ok(scan::scan_image_file(path)?)
    }

    /// Reads every code in an image file's contents; `name` is for messages.
    pub fn scan_image_bytes(&self, name: &str, bytes: &[u8]) -> Result<ScanReport, Error> {
        Ok(scan::scan_image_bytes(name, bytes)?)
    }

    /// Reads every code in the clipboard's image.
    pub fn scan_clipboard(&self) -> Result<ScanReport, Error> {
        Ok(scan::scan_clipboard_image()?)
    }
}
