//! Where small QR codes may be: their finder patterns (the nested squares in three corners,
//! dark, light, dark, light, dark in the proportions 1:1:3:1:1 across the centre) found by one
//! pass over a thresholded frame's rows, confirmed down their column and along the diagonal, and
//! kept when another is in line with them as a code's corners are.
//!
//! Far cheaper than a decoder's region search over a 4K frame, it tells the decoder which parts
//! of the frame to read at full resolution after the half-resolution search: codes too small to
//! survive halving are found wherever they are, not only when nothing else is on the screen.

use std::ops::RangeInclusive;

use super::luma::Luma;

/// A finder pattern's centre and its module size, in frame pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FinderPattern {
    pub x: usize,
    pub y: usize,
    pub module: f32,
}

/// Past this many patterns a frame is not a screen with a few codes (a page of QR-like texture):
/// the caller had better read the whole frame than crop around each.
pub const MAX_PATTERNS: usize = 512;

/// Every finder pattern of either polarity whose modules are `modules` pixels wide, with pixels
/// at or below `threshold` dark. Rows are sampled every `row_step` pixels, which must be less
/// than the centre's 3 modules of the smallest pattern looked for. `None` when more than
/// [`MAX_PATTERNS`] are found.
pub fn find_finder_patterns(
    frame: &Luma,
    threshold: u8,
    row_step: usize,
    modules: &RangeInclusive<f32>,
) -> Option<Vec<FinderPattern>> {
    let mut found: Vec<FinderPattern> = Vec::new();
    for y in (0..frame.height).step_by(row_step.max(1)) {
        let row = &frame.pixels[y * frame.width..][..frame.width];
        // The last five runs of one colour each, oldest first.
        let mut runs = [0usize; 5];
        let mut count = 0usize;
        let mut x = 0;
        while x < row.len() {
            // One run: most of a screen is long runs of background, a tight loop each.
            let dark = row[x] <= threshold;
            let start = x;
            while x < row.len() && (row[x] <= threshold) == dark {
                x += 1;
            }
            runs.rotate_left(1);
            runs[4] = x - start;
            count += 1;
            // The run just ended is the pattern's last ring; its centre run is two runs back.
            if count >= 5
                && let Some(module) = module_of(&runs, modules)
            {
                let centre_start = x - runs[4] - runs[3] - runs[2];
                let centre_x = centre_start + runs[2] / 2;
                if let Some((vertical, centre_y)) =
                    column_pattern(frame, threshold, centre_x, y, modules)
                    && similar(vertical, module)
                {
                    let module = (module + vertical) / 2.0;
                    // Every row through a pattern's centre finds it again.
                    let seen = found.iter().any(|f| {
                        f.x.abs_diff(centre_x) as f32 <= 3.5 * f.module
                            && f.y.abs_diff(centre_y) as f32 <= 3.5 * f.module
                    });
                    if !seen {
                        if found.len() == MAX_PATTERNS {
                            return None;
                        }
                        found.push(FinderPattern {
                            x: centre_x,
                            y: centre_y,
                            module,
                        });
                    }
                }
            }
        }
    }
    Some(found)
}

/// The patterns that could be a corner of a code on a screen: those with another pattern of a
/// similar module in line with them across or down, as far apart as two of a code's corners
/// are (14 to 170 modules, versions 1 to 40). Screen codes are upright; what mimics a pattern
/// (text, icons) seldom has such a partner.
pub fn paired(patterns: &[FinderPattern]) -> Vec<FinderPattern> {
    patterns
        .iter()
        .filter(|a| {
            patterns.iter().any(|b| {
                let module = (a.module + b.module) / 2.0;
                let (across, down) = (
                    a.x.abs_diff(b.x) as f32 / module,
                    a.y.abs_diff(b.y) as f32 / module,
                );
                let apart = (14.0..=170.0).contains(&across.max(down));
                let in_line = across.min(down) <= 2.0;
                apart && in_line && similar(a.module, b.module)
            })
        })
        .copied()
        .collect()
}

/// Two module sizes of one pattern (measured along two lines), or of one code's patterns.
pub fn similar(a: f32, b: f32) -> bool {
    (0.7..=1.43).contains(&(a / b))
}

/// The module size of five runs in the proportions 1:1:3:1:1, if they are and it is in
/// `modules`. Each ring may be off by half a module and half a pixel (anti-aliased and scaled
/// edges fall either side of the threshold), the centre by half its width.
fn module_of(runs: &[usize; 5], modules: &RangeInclusive<f32>) -> Option<f32> {
    let total: usize = runs.iter().sum();
    let module = total as f32 / 7.0;
    if !modules.contains(&module) {
        return None;
    }
    let ring = |run: usize| (run as f32 - module).abs() <= module / 2.0 + 0.5;
    let centre = (runs[2] as f32 - 3.0 * module).abs() <= 1.5 * module;
    (centre && ring(runs[0]) && ring(runs[1]) && ring(runs[3]) && ring(runs[4])).then_some(module)
}

/// The module size and the centre row of the 1:1:3:1:1 pattern down the column through
/// (`x`, `y`), a point in its centre square, if there is one and it also crosses the diagonal
/// there (which rules out most of what mimics a pattern along two lines: text, data modules).
fn column_pattern(
    frame: &Luma,
    threshold: u8,
    x: usize,
    y: usize,
    modules: &RangeInclusive<f32>,
) -> Option<(f32, usize)> {
    let (module, offset) = line_pattern(frame, threshold, (x, y), (0, 1), modules)?;
    let centre_y = y.checked_add_signed(offset)?;
    // The diagonal runs are the same number of pixel steps as the sides' (a step is one pixel
    // across and one down).
    let (diagonal, _) = line_pattern(frame, threshold, (x, centre_y), (1, 1), modules)?;
    similar(diagonal, module).then_some((module, centre_y))
}

/// The module size of the 1:1:3:1:1 pattern along the line through `at` in direction `step`
/// (and back), and how far along it from `at` its centre is, if there is one.
fn line_pattern(
    frame: &Luma,
    threshold: u8,
    at: (usize, usize),
    step: (isize, isize),
    modules: &RangeInclusive<f32>,
) -> Option<(f32, isize)> {
    let dark_at = |(x, y): (isize, isize)| -> Option<bool> {
        let inside = x >= 0 && y >= 0 && (x as usize) < frame.width && (y as usize) < frame.height;
        inside.then(|| frame.pixels[y as usize * frame.width + x as usize] <= threshold)
    };
    let start = (at.0 as isize, at.1 as isize);
    let centre = dark_at(start)?;
    // No run of a pattern looked for is longer than its centre's 3 modules.
    let longest = (3.0 * modules.end() + 2.0) as usize;
    // The lengths of the centre's part and the two rings on one side.
    let walk = |(dx, dy): (isize, isize)| -> Option<[usize; 3]> {
        let mut lengths = [0usize; 3];
        let mut point = start;
        for (ring, length) in lengths.iter_mut().enumerate() {
            let colour = centre ^ (ring % 2 == 1);
            while dark_at(point) == Some(colour) {
                *length += 1;
                if *length > longest {
                    return None;
                }
                point = (point.0 + dx, point.1 + dy);
            }
            if *length == 0 {
                return None;
            }
        }
        Some(lengths)
    };
    let back = walk((-step.0, -step.1))?;
    let forth = walk(step)?;
    // The starting pixel was counted both ways.
    let runs = [back[2], back[1], back[0] + forth[0] - 1, forth[1], forth[2]];
    let module = module_of(&runs, modules)?;
    // From `at`, back to the centre square's first pixel, then half of it.
    Some((module, (runs[2] / 2) as isize + 1 - back[0] as isize))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::corpus::render;

    fn luma_of(image: &image::RgbaImage) -> Luma {
        Luma::from_rgba(
            image.width() as usize,
            image.height() as usize,
            image.as_raw(),
        )
    }

    #[test]
    fn a_codes_three_finder_patterns_are_found_at_their_centres() {
        // 2 px modules, a 4-module quiet zone: the patterns' centres are 3.5 modules in from
        // the code's corners.
        let image = render(b"otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP", 2);
        let frame = luma_of(&image);
        let found = find_finder_patterns(&frame, 128, 1, &(1.0..=5.0)).expect("a few patterns");
        let side = frame.width as f32;
        let corner = (4.0 + 3.5) * 2.0;
        let far = side - corner;
        for (x, y) in [(corner, corner), (far, corner), (corner, far)] {
            assert!(
                found.iter().any(|f| (f.x as f32 - x).abs() <= 2.0
                    && (f.y as f32 - y).abs() <= 2.0
                    && (f.module - 2.0).abs() < 0.5),
                "no pattern at ({x}, {y}) in {found:?}"
            );
        }
        // Data modules may mimic a pattern (harmless: the region around it is the code's own),
        // but nothing is found in the quiet zone or beyond.
        let inside = 4.0 * 2.0..side - 4.0 * 2.0;
        assert!(
            found
                .iter()
                .all(|f| inside.contains(&(f.x as f32)) && inside.contains(&(f.y as f32))),
            "{found:?}"
        );
    }

    #[test]
    fn only_patterns_in_line_with_another_at_a_codes_distance_are_paired() {
        let at = |x, y| FinderPattern { x, y, module: 2.0 };
        // A code's three corners (28 modules apart), a lone pattern, one too close to another.
        let corners = [at(100, 100), at(156, 100), at(100, 156)];
        let stray = [at(700, 400), at(900, 900), at(910, 900)];
        let all: Vec<_> = corners.iter().chain(&stray).copied().collect();
        assert_eq!(paired(&all), corners);
        // Different module sizes are not one code's.
        let mismatched = [
            at(100, 100),
            FinderPattern {
                x: 156,
                y: 100,
                module: 4.0,
            },
        ];
        assert!(paired(&mismatched).is_empty());
    }

    #[test]
    fn light_on_dark_patterns_are_found_and_larger_modules_left_out() {
        let image = render(b"https://example.com", 3);
        let mut frame = luma_of(&image);
        for pixel in &mut frame.pixels {
            *pixel = 255 - *pixel;
        }
        assert_eq!(
            find_finder_patterns(&frame, 128, 2, &(1.0..=4.0)).map(|f| f.len()),
            Some(3)
        );
        assert_eq!(
            find_finder_patterns(&frame, 128, 2, &(1.0..=2.0)).map(|f| f.len()),
            Some(0)
        );
    }

    #[test]
    fn stripes_and_flat_frames_have_no_patterns() {
        let (width, height) = (200, 100);
        // Columns in the proportions 1:1:3:1:1 pass the row test everywhere, never the column's.
        let period = [
            true, true, false, false, true, true, true, true, true, true, false, false,
        ]
        .into_iter()
        .chain([true, true, false, false, false, false]);
        let dark: Vec<bool> = period.collect();
        let stripes: Vec<u8> = (0..width * height)
            .map(|i| if dark[i % width % dark.len()] { 0 } else { 255 })
            .collect();
        for pixels in [stripes, vec![0; width * height], vec![255; width * height]] {
            let frame = Luma {
                width,
                height,
                pixels,
            };
            assert_eq!(
                find_finder_patterns(&frame, 128, 1, &(1.0..=5.0)),
                Some(Vec::new())
            );
        }
    }
}
