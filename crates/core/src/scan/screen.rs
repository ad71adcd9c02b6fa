//! Capturing every monitor with `xcap` (X11; Wayland through the desktop portal; macOS; Windows).

use super::{ScanError, ScanReport, check_size};
use crate::scan::luma::Luma;

/// How to allow capture, for the platform this was built for.
const CAPTURE_HINT: &str = if cfg!(target_os = "macos") {
    "Allow Sesame in System Settings → Privacy & Security → Screen Recording, then try again."
} else if cfg!(target_os = "windows") {
    "Check that no policy blocks screen capture on this computer."
} else {
    "On Wayland, accept the desktop's screenshot prompt (or allow Sesame in its privacy \
     settings); with no display at all, run Sesame inside your desktop session."
};

fn refused(reason: impl ToString) -> ScanError {
    ScanError::CaptureRefused {
        reason: reason.to_string(),
        hint: CAPTURE_HINT,
    }
}

/// Captures every monitor and decodes every code on it. Each frame is decoded and dropped
/// before the next is captured.
pub fn scan_screens() -> Result<ScanReport, ScanError> {
    let monitors = xcap::Monitor::all().map_err(refused)?;
    if monitors.is_empty() {
        return Err(refused("no monitor was found"));
    }
    let mut report = ScanReport::default();
    for (index, monitor) in monitors.iter().enumerate() {
        let name = monitor.name().ok().filter(|n| !n.is_empty()).map_or_else(
            || format!("screen {}", index + 1),
            |n| format!("screen {} ({n})", index + 1),
        );
        let image = monitor.capture_image().map_err(refused)?;
        check_size(u64::from(image.width()), u64::from(image.height()))?;
        let frame = Luma::from_rgba(
            image.width() as usize,
            image.height() as usize,
            image.as_raw(),
        );
        drop(image);
        report.add_frame(&name, &frame);
    }
    Ok(report)
}
