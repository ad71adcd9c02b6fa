//! Finds and decodes every QR code in a grayscale frame with `rqrr`.
//!
//! rqrr alone misses codes with anti-aliased edges (blur, fractional display scaling) and every
//! light-on-dark code. The pipeline around it:
//! 1. a global Otsu threshold, fed to rqrr as a ready bitmap (sharper than its moving average
//!    on screen content, and cheaper);
//! 2. the same bitmap inverted, for light-on-dark codes, on a second core;
//! 3. only when those leave a code unread, rqrr's own adaptive threshold (uneven lighting,
//!    photos of screens);
//! 4. a small code still unread (2 to 3 px modules with edges between pixels) read again from
//!    its pixels enlarged twice.
//!
//! 4K frames are searched at half resolution, then at full resolution around each code seen and
//! around every finder pattern of modules too small to survive the halving ([`super::finder`]).
//! Codes found twice (by two passes) are reported once.

use std::ops::RangeInclusive;

use rqrr::PreparedImage;

use super::finder::{find_finder_patterns, paired};
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

    fn halved(self) -> Self {
        Self {
            left: self.left / 2,
            top: self.top / 2,
            width: (self.width + 1) / 2,
            height: (self.height + 1) / 2,
        }
    }

    fn area(&self) -> i64 {
        i64::from(self.width.max(0)) * i64::from(self.height.max(0))
    }

    fn overlaps(&self, other: &Bounds) -> bool {
        self.left < other.left + other.width
            && other.left < self.left + self.width
            && self.top < other.top + other.height
            && other.top < self.top + self.height
    }

    fn union(&self, other: &Bounds) -> Self {
        let (left, top) = (self.left.min(other.left), self.top.min(other.top));
        let right = (self.left + self.width).max(other.left + other.width);
        let bottom = (self.top + self.height).max(other.top + other.height);
        Self {
            left,
            top,
            width: right - left,
            height: bottom - top,
        }
    }

    /// The part of `self` inside `outer`.
    fn within(&self, outer: &Bounds) -> Self {
        let (left, top) = (self.left.max(outer.left), self.top.max(outer.top));
        let right = (self.left + self.width).min(outer.left + outer.width);
        let bottom = (self.top + self.height).min(outer.top + outer.height);
        Self {
            left,
            top,
            width: (right - left).max(0),
            height: (bottom - top).max(0),
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
        self.map_bounds(|bounds| bounds.shifted(x, y));
    }

    fn map_bounds(&mut self, change: impl Fn(Bounds) -> Bounds) {
        for code in &mut self.decoded {
            code.bounds = change(code.bounds);
        }
        for seen in &mut self.unreadable {
            seen.bounds = change(seen.bounds);
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

/// Modules up to 5 pixels wide may vanish when a frame is halved: the finder scan looks for them
/// at full resolution, down to the 1.6 px of 2 px modules under a blur or a threshold's bias
/// (whose 5 px centre every third row still crosses).
const SMALL_MODULES: RangeInclusive<f32> = 1.6..=5.0;

/// A finder pattern's region reaches this many modules from its centre: with the regions of a
/// code's other two patterns it covers a version 26 code (121 modules), more than any account,
/// sign-in or migration batch needs; regions that overlap are read as one.
const REACH_MODULES: f32 = 64.0;

/// Unreadable codes up to this many pixels wide are read again at twice the size: their
/// modules are small enough for fractional edges to defeat rqrr's grid sampling.
const ENLARGE_UP_TO_PIXELS: i32 = 480;

/// Every code in the frame.
///
/// Large frames are searched at half resolution first (a quarter of the pixels), and each code
/// seen there is read again from the full-resolution pixels around it; codes too small to be
/// seen at half size are found by their finder patterns anywhere else in the frame. A frame
/// where neither finds anything is searched whole at full resolution. Small codes seen but not
/// read, or not even seen where their three finder patterns are, are read once more at twice
/// their size.
pub fn decode_frame(frame: &Luma) -> FrameResult {
    let mut result = if frame.width >= COARSE_FROM_WIDTH {
        decode_large(frame)
    } else {
        let mut result = decode_whole(frame);
        read_unseen_codes_enlarged(frame, &mut result);
        result
    };
    read_unreadable_enlarged(frame, &mut result);
    result
}

/// Reads enlarged the regions of a frame already read whole where a code's three finder
/// patterns are and no code was seen (see [`decode_region`]).
fn read_unseen_codes_enlarged(frame: &Luma, result: &mut FrameResult) {
    let Some(regions) = small_code_regions(frame, frame.otsu_threshold(), result) else {
        return;
    };
    for region in regions.iter().filter(|r| r.patterns >= 3) {
        let (crop, x, y) = region.crop_of(frame);
        let mut found = decode_enlarged(&crop);
        found.shift(x as i32, y as i32);
        result.merge(found);
    }
}

/// A 4K frame: the half-resolution search, then the small codes elsewhere.
fn decode_large(frame: &Luma) -> FrameResult {
    let half = frame.half();
    let coarse = decode_whole(&half);
    let mut result = refine(frame, &coarse);
    let Some(regions) = small_code_regions(frame, half.otsu_threshold(), &result) else {
        // A texture of finder-like squares: the whole frame is cheaper than a crop per square.
        result.merge(decode_whole(frame));
        return result;
    };
    for region in &regions {
        result.merge(decode_region(frame, region));
    }
    if result.decoded.is_empty() && result.unreadable.is_empty() {
        // Nothing at half size nor a finder pattern at full size: a small code blurred past its
        // rings may still be there.
        return decode_whole(frame);
    }
    result
}

/// A part of the frame where finder patterns were found, and how many.
struct Region {
    bounds: Bounds,
    patterns: usize,
}

impl Region {
    /// The region's pixels, and where they start in the frame.
    fn crop_of(&self, frame: &Luma) -> (Luma, usize, usize) {
        let bounds = self.bounds;
        let (x, y) = (bounds.left.max(0) as usize, bounds.top.max(0) as usize);
        let crop = frame.crop(
            x,
            y,
            bounds.width.max(0) as usize,
            bounds.height.max(0) as usize,
        );
        (crop, x, y)
    }
}

/// The regions around finder patterns of small modules outside the codes already seen, merged
/// where they overlap; `None` when they would cover so much of the frame that reading it whole
/// costs less.
fn small_code_regions(frame: &Luma, threshold: u8, seen: &FrameResult) -> Option<Vec<Region>> {
    let patterns = paired(&find_finder_patterns(frame, threshold, 3, &SMALL_MODULES)?);
    let known: Vec<Bounds> = seen
        .decoded
        .iter()
        .map(|d| d.bounds)
        .chain(seen.unreadable.iter().map(|u| u.bounds))
        .collect();
    let whole = Bounds {
        left: 0,
        top: 0,
        width: frame.width as i32,
        height: frame.height as i32,
    };
    let mut regions: Vec<Region> = Vec::new();
    for pattern in patterns {
        let centre = (pattern.x as i32, pattern.y as i32);
        if known.iter().any(|k| k.contains(centre)) {
            continue;
        }
        let reach = (REACH_MODULES * pattern.module).ceil() as i32;
        let mut region = Region {
            bounds: Bounds {
                left: centre.0 - reach,
                top: centre.1 - reach,
                width: 2 * reach,
                height: 2 * reach,
            }
            .within(&whole),
            patterns: 1,
        };
        while let Some(i) = regions
            .iter()
            .position(|r| r.bounds.overlaps(&region.bounds))
        {
            let other = regions.swap_remove(i);
            region = Region {
                bounds: region.bounds.union(&other.bounds),
                patterns: region.patterns + other.patterns,
            };
        }
        regions.push(region);
    }
    let area: i64 = regions.iter().map(|r| r.bounds.area()).sum();
    (area <= whole.area() / 4).then_some(regions)
}

/// The codes in one region of the frame. Where it holds a code's three finder patterns and
/// nothing was seen, it is read again enlarged: rqrr may not even see a code whose 2 to 3 px
/// modules have edges between pixels. (A region of two patterns is more often text that
/// mimics them, not worth four times the pixels.)
fn decode_region(frame: &Luma, region: &Region) -> FrameResult {
    let (crop, x, y) = region.crop_of(frame);
    let mut found = decode_whole(&crop);
    if found.decoded.is_empty() && found.unreadable.is_empty() && region.patterns >= 3 {
        found = decode_enlarged(&crop);
    }
    found.shift(x as i32, y as i32);
    found
}

/// The codes of `frame` read at twice its size, in `frame`'s coordinates.
fn decode_enlarged(frame: &Luma) -> FrameResult {
    let mut found = decode_whole(&frame.enlarged());
    found.map_bounds(Bounds::halved);
    found
}

/// Reads each small code seen but not read again at twice its size.
fn read_unreadable_enlarged(frame: &Luma, result: &mut FrameResult) {
    let small: Vec<Bounds> = result
        .unreadable
        .iter()
        .map(|u| u.bounds)
        .filter(|b| b.width.max(b.height) <= ENLARGE_UP_TO_PIXELS)
        .collect();
    for bounds in small {
        // The quiet zone and some slack around the corners rqrr reported.
        let margin = bounds.width.max(bounds.height) / 4 + 8;
        let (x, y) = (
            (bounds.left - margin).max(0) as usize,
            (bounds.top - margin).max(0) as usize,
        );
        let side = |extent: i32| (extent + 2 * margin).max(0) as usize;
        let crop = frame.crop(x, y, side(bounds.width), side(bounds.height));
        let mut found = decode_enlarged(&crop);
        found.shift(x as i32, y as i32);
        result.merge(found);
    }
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
