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
#[derive(Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The bytes the code holds (QR codes may hold any bytes, not only text): wiped on drop,
    /// since they may be an account's secret.
    pub bytes: zeroize::Zeroizing<Vec<u8>>,
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

    fn doubled(self) -> Self {
        Self {
            left: self.left * 2,
            top: self.top * 2,
            width: self.width * 2,
            height: self.height * 2,
        }
    }

    fn shifted(self, x: i32, y: i32) -> Self {
        Self {
            left: self.left + x,
            top: self.top + y,
            ..self
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
#[derive(Default)]
pub struct FrameResult {
    pub decoded: Vec<Decoded>,
    pub unreadable: Vec<Unreadable>,
}

impl FrameResult {
    /// Moves every bound by (x, y): from a crop's coordinates to the frame's.
    fn shift(&mut self, x: i32, y: i32) {
        for code in &mut self.decoded {
            code.bounds = code.bounds.shifted(x, y);
        }
        for seen in &mut self.unreadable {
            seen.bounds = seen.bounds.shifted(x, y);
        }
    }

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

/// The side of the smallest QR code (version 1, 21 modules) at one pixel a module.
const MIN_CODE_PIXELS: usize = 21;

/// Frames at least this wide (4K screens) are searched at half resolution first.
const COARSE_FROM_WIDTH: usize = 2560;

/// Every code in the frame.
///
/// Large frames are searched at half resolution first (a quarter of the pixels), and each code
/// seen there is read again from the full-resolution pixels around it. When the coarse search
/// sees nothing (codes whose modules shrink below ~2 px at half size), the full frame is
/// searched.
pub fn decode_frame(frame: &Luma) -> FrameResult {
    if frame.width >= COARSE_FROM_WIDTH {
        let coarse = decode_whole(&frame.half());
        if !coarse.decoded.is_empty() || !coarse.unreadable.is_empty() {
            return refine(frame, &coarse);
        }
    }
    decode_whole(frame)
}

/// Reads each code the half-resolution search saw from the full-resolution pixels around it.
fn refine(frame: &Luma, coarse: &FrameResult) -> FrameResult {
    let seen = coarse
        .decoded
        .iter()
        .map(|d| d.bounds)
        .chain(coarse.unreadable.iter().map(|u| u.bounds));
    let mut result = FrameResult::default();
    for bounds in seen {
        let (left, top) = (
            bounds.left.max(0) as usize * 2,
            bounds.top.max(0) as usize * 2,
        );
        let (width, height) = (
            bounds.width.max(1) as usize * 2,
            bounds.height.max(1) as usize * 2,
        );
        // The quiet zone and some slack around the corners rqrr reported.
        let margin = width.max(height) / 4 + 16;
        let (x, y) = (left.saturating_sub(margin), top.saturating_sub(margin));
        let crop = frame.crop(x, y, width + 2 * margin, height + 2 * margin);
        let mut found = decode_whole(&crop);
        found.shift(x as i32, y as i32);
        result.merge(found);
    }
    // A code read at half size but not at full size (rare) still counts, at full-size bounds.
    let mut scaled = FrameResult::default();
    for code in &coarse.decoded {
        scaled.decoded.push(Decoded {
            bytes: code.bytes.clone(),
            bounds: code.bounds.doubled(),
        });
    }
    result.merge(scaled);
    result
}

/// Searches the whole frame: the Otsu bitmap and its inverse on two threads, then rqrr's
/// adaptive threshold if a code is left unread.
fn decode_whole(frame: &Luma) -> FrameResult {
    // No code fits in fewer pixels than a version 1 code has modules; rqrr indexes past the end
    // of an empty frame (found by fuzzing: a 0-pixel-wide frame panicked).
    if frame.width < MIN_CODE_PIXELS || frame.height < MIN_CODE_PIXELS {
        return FrameResult::default();
    }
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
                decoded: vec![Decoded {
                    bytes: zeroize::Zeroizing::new(bytes),
                    bounds,
                }],
                unreadable: Vec::new(),
            }),
            Err(_) => result.merge(FrameResult {
                // Half-decoded output may hold part of a secret.
                decoded: {
                    zeroize::Zeroize::zeroize(&mut bytes);
                    Vec::new()
                },
                unreadable: vec![Unreadable { bounds }],
            }),
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `qr_frame` fuzz target: an empty frame made rqrr index past its end.
    #[test]
    fn frames_too_small_for_any_code_decode_to_nothing() {
        for (width, height) in [(0, 0), (0, 64), (64, 0), (1, 1), (20, 300), (300, 20)] {
            let frame = Luma::from_rgba(width, height, &vec![255; width * height * 4]);
            let result = decode_frame(&frame);
            assert!(result.decoded.is_empty() && result.unreadable.is_empty());
        }
    }
}
