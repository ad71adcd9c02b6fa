//! Capturing every monitor: on X11 straight into grayscale over XCB; elsewhere (Wayland through
//! GNOME Shell or the desktop portal, macOS, Windows) with `xcap`.

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

/// A monitor's place on the virtual screen.
struct Area {
    x: i32,
    y: i32,
    width: u32,
    height: u32,
}

/// Captures every monitor and decodes every code on it. Each frame is decoded and wiped before
/// the next is captured.
pub fn scan_screens() -> Result<ScanReport, ScanError> {
    let monitors = xcap::Monitor::all().map_err(refused)?;
    if monitors.is_empty() {
        return Err(refused("no monitor was found"));
    }
    let mut report = ScanReport::default();
    for (index, monitor) in monitors.iter().enumerate() {
        // A monitor's own name, unless it says nothing more (Xvfb's are all called "screen").
        let name = monitor
            .name()
            .ok()
            .filter(|n| !n.is_empty() && !n.eq_ignore_ascii_case("screen"))
            .map_or_else(
                || format!("screen {}", index + 1),
                |n| format!("screen {} ({n})", index + 1),
            );
        let area = Area {
            x: monitor.x().map_err(refused)?,
            y: monitor.y().map_err(refused)?,
            width: monitor.width().map_err(refused)?,
            height: monitor.height().map_err(refused)?,
        };
        check_size(u64::from(area.width), u64::from(area.height))?;
        let frame = match x11::capture(&area) {
            Some(frame) => frame,
            None => {
                let image = monitor.capture_image().map_err(refused)?;
                let (width, height) = (image.width() as usize, image.height() as usize);
                let rgba = zeroize::Zeroizing::new(image.into_raw());
                Luma::from_rgba(width, height, &rgba)
            }
        };
        report.add_frame(&name, &frame);
    }
    Ok(report)
}

#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
mod x11 {
    use xcb::x::{Drawable, GetImage, ImageFormat, ImageOrder};

    use super::Area;
    use crate::scan::luma::Luma;

    /// True in a Wayland session, where X11 capture would see only XWayland's windows.
    fn is_wayland() -> bool {
        std::env::var_os("XDG_SESSION_TYPE").is_some_and(|t| t == "wayland")
            || std::env::var_os("WAYLAND_DISPLAY").is_some_and(|d| !d.is_empty())
    }

    /// The monitor's pixels as luma, read with one GetImage on the root window; `None` where
    /// this fast path does not apply (Wayland, an X server with an unusual pixel format, an
    /// error), in which case xcap captures instead.
    pub fn capture(area: &Area) -> Option<Luma> {
        if is_wayland() {
            return None;
        }
        let (conn, screen_number) = xcb::Connection::connect(None).ok()?;
        let setup = conn.get_setup();
        let screen = setup.roots().nth(usize::try_from(screen_number).ok()?)?;
        let cookie = conn.send_request(&GetImage {
            format: ImageFormat::ZPixmap,
            drawable: Drawable::Window(screen.root()),
            x: i16::try_from(area.x).ok()?,
            y: i16::try_from(area.y).ok()?,
            width: u16::try_from(area.width).ok()?,
            height: u16::try_from(area.height).ok()?,
            plane_mask: u32::MAX,
        });
        let reply = conn.wait_for_reply(cookie).ok()?;
        let depth = reply.depth();
        let bits = setup
            .pixmap_formats()
            .iter()
            .find(|format| format.depth() == depth)?
            .bits_per_pixel();
        // Every desktop X server today: 24-bit colour in 32-bit pixels, blue in the lowest byte.
        if !(depth == 24 || depth == 32)
            || bits != 32
            || setup.image_byte_order() != ImageOrder::LsbFirst
        {
            return None;
        }
        // Converted in place: xcb owns the reply's buffer (freed, not wiped, when it drops), and
        // copying 33 MB only to wipe the copy would add to what lingers.
        let data = reply.data();
        let (width, height) = (area.width as usize, area.height as usize);
        if data.len() < width * height * 4 {
            return None;
        }
        let pixels = data
            .chunks_exact(4)
            .take(width * height)
            .map(|p| {
                let (b, g, r) = (u32::from(p[0]), u32::from(p[1]), u32::from(p[2]));
                ((r * 19595 + g * 38470 + b * 7471 + 32768) >> 16) as u8
            })
            .collect();
        drop(reply);
        Some(Luma {
            width,
            height,
            pixels,
        })
    }
}

#[cfg(not(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd")))]
mod x11 {
    use super::Area;
    use crate::scan::luma::Luma;

    /// No X11 here: xcap captures.
    pub fn capture(_: &Area) -> Option<Luma> {
        None
    }
}
