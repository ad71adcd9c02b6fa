//! Finds and decodes every QR code in a grayscale frame with `rqrr`.
//!
//! rqrr alone misses codes with anti-aliased edges (blur, fractional display scaling) and every
//! light-on-dark code. The pipeline around it:
//! 1. a global Otsu threshold, fed to rqrr as a ready bitmap (sharper than its moving average
//!    on screen content, and cheaper);
//! 2. the same bitmap inverted, for light-on-dark codes, on a second core;
//! 3. only when those leave a code unread, rqrr's own adaptive threshold (uneven lighting,
//!    photos of screens).
//!
//! Codes found twice (by two passes) are reported once.

use rqrr::PreparedImage;

use super::luma::Luma;

/// One QR code found in a frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The bytes the code holds (QR codes may hold any bytes, not only text).
    pub bytes: Vec<u8>,
    /// Where it is in the frame, in pixels: left, top, width, height.
    pub bounds: Bounds,
}

/// A code seen (its three finder patterns are there) but not readable: damaged, cut by the
/// edge of the screen, or too blurred.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub bounds: Bounds,
}

/// A rectangle in frame pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Bounds {
    pub left: i32,
    pub top: i32,
    pub width: i32,
    pub height: i32,
}

impl Bounds {
    fn from_corners(corners: &[rqrr::Point; 4]) -> Self {
        let xs = corners.iter().map(|p| p.x);
        let ys = corners.iter().map(|p| p.y);
        let (left, right) = (xs.clone().min().unwrap_or(0), xs.max().unwrap_or(0));
        let (top, bottom) = (ys.clone().min().unwrap_or(0), ys.max().unwrap_or(0));
        Self {
            left,
            top,
            width: right - left,
            height: bottom - top,
        }
    }

    fn centre(&self) -> (i32, i32) {
        (self.left + self.width / 2, self.top + self.height / 2)
    }

    fn contains(&self, (x, y): (i32, i32)) -> bool {
        x >= self.left
            && x <= self.left + self.width
            && y >= self.top
            && y <= self.top + self.height
    }

    /// Same code found by two passes: each one's centre inside the other.
    fn same_place(&self, other: &Bounds) -> bool {
        self.contains(other.centre()) && other.contains(self.centre())
    }
}

/// What one frame held.
#[derive(Debug, Default)]
pub struct FrameResult {
    pub decoded: Vec<Decoded>,
    pub unreadable: Vec<Unreadable>,
}

impl FrameResult {
    fn merge(&mut self, other: FrameResult) {
        for code in other.decoded {
            if !self
                .decoded
                .iter()
                .any(|d| d.bounds.same_place(&code.bounds))
            {
                self.decoded.push(code);
            }
        }
        for seen in other.unreadable {
            if !self
                .unreadable
                .iter()
                .any(|u| u.bounds.same_place(&seen.bounds))
            {
                self.unreadable.push(seen);
            }
        }
        // A code one pass could not read and another could is read.
        let decoded = &self.decoded;
        self.unreadable
            .retain(|u| !decoded.iter().any(|d| d.bounds.same_place(&u.bounds)));
    }
}

/// Every code in the frame.
pub fn decode_frame(frame: &Luma) -> FrameResult {
    let threshold = frame.otsu_threshold();
    let (mut result, light) = std::thread::scope(|scope| {
        let light = scope.spawn(|| read_bitmap(frame, |p| p > threshold));
        let dark = read_bitmap(frame, |p| p <= threshold);
        (dark, light.join().unwrap_or_default())
    });
    result.merge(light);
    if !result.unreadable.is_empty() || result.decoded.is_empty() {
        let mut adaptive =
            PreparedImage::prepare_from_greyscale(frame.width, frame.height, |x, y| {
                frame.pixels[y * frame.width + x]
            });
        result.merge(collect(adaptive.detect_grids()));
    }
    result
}

/// Reads the codes of the frame binarised by `is_dark`.
fn read_bitmap(frame: &Luma, is_dark: impl Fn(u8) -> bool) -> FrameResult {
    let mut image = PreparedImage::prepare_from_bitmap(frame.width, frame.height, |x, y| {
        is_dark(frame.pixels[y * frame.width + x])
    });
    collect(image.detect_grids())
}

fn collect<G: rqrr::BitGrid>(grids: Vec<rqrr::Grid<G>>) -> FrameResult {
    let mut result = FrameResult::default();
    for grid in grids {
        let bounds = Bounds::from_corners(&grid.bounds);
        let mut bytes = Vec::new();
        match grid.decode_to(&mut bytes) {
            Ok(_) => result.merge(FrameResult {
                decoded: vec![Decoded { bytes, bounds }],
                unreadable: Vec::new(),
            }),
            Err(_) => result.merge(FrameResult {
                decoded: Vec::new(),
                unreadable: vec![Unreadable { bounds }],
            }),
        }
    }
    result
}
