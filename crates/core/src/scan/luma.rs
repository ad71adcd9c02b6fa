//! Grayscale frames and the global threshold the decoder binarises them with.

/// An 8-bit grayscale frame, row-major, one byte per pixel; wiped when dropped.
#[derive(zeroize::ZeroizeOnDrop)]
pub struct Luma {
    #[zeroize(skip)]
    pub width: usize,
    #[zeroize(skip)]
    pub height: usize,
    pub pixels: Vec<u8>,
}

impl Luma {
    /// Converts RGBA pixels (as captured or decoded) to luma with the Rec. 601 weights, in
    /// integers: the result is what `image`'s grayscale gives, several times faster.
    pub fn from_rgba(width: usize, height: usize, rgba: &[u8]) -> Self {
        let pixels = rgba
            .chunks_exact(4)
            .map(|p| {
                let (r, g, b) = (u32::from(p[0]), u32::from(p[1]), u32::from(p[2]));
                // 0.299, 0.587, 0.114 in 16.16 fixed point; the sum of the weights is 65536.
                ((r * 19595 + g * 38470 + b * 7471 + 32768) >> 16) as u8
            })
            .collect();
        Self {
            width,
            height,
            pixels,
        }
    }

    /// The frame at half the width and height, each pixel the mean of a 2×2 block.
    pub fn half(&self) -> Self {
        let (width, height) = (self.width / 2, self.height / 2);
        let mut pixels = Vec::with_capacity(width * height);
        for y in 0..height {
            let top = &self.pixels[2 * y * self.width..][..2 * width];
            let bottom = &self.pixels[(2 * y + 1) * self.width..][..2 * width];
            pixels.extend(
                top.chunks_exact(2)
                    .zip(bottom.chunks_exact(2))
                    .map(|(t, b)| {
                        ((u16::from(t[0])
                            + u16::from(t[1])
                            + u16::from(b[0])
                            + u16::from(b[1])
                            + 2)
                            / 4) as u8
                    }),
            );
        }
        Self {
            width,
            height,
            pixels,
        }
    }

    /// The frame at twice the width and height, interpolated bilinearly: modules 2 to 3 pixels
    /// wide with edges between pixels become 4 to 6 pixels with soft edges, which rqrr's grid
    /// sampling reads. For crops around a code: a whole frame would be four times its size.
    pub fn enlarged(&self) -> Self {
        let (width, height) = (self.width, self.height);
        if width == 0 || height == 0 {
            return Self {
                width: 0,
                height: 0,
                pixels: Vec::new(),
            };
        }
        // Each row widened, times 4: output pixel 2i is 3/4 of pixel i and 1/4 of i - 1, pixel
        // 2i + 1 is 3/4 of i and 1/4 of i + 1 (edges repeat). Wiped like the frame.
        let mut wide = zeroize::Zeroizing::new(Vec::with_capacity(2 * width * height));
        for row in self.pixels.chunks_exact(width) {
            for i in 0..width {
                let here = 3 * u16::from(row[i]);
                wide.push(here + u16::from(row[i.saturating_sub(1)]));
                wide.push(here + u16::from(row[(i + 1).min(width - 1)]));
            }
        }
        // Then each column the same way, times 4 again.
        let row = |y: usize| &wide[y * 2 * width..][..2 * width];
        let mut pixels = Vec::with_capacity(4 * width * height);
        for y in 0..height {
            for other in [row(y.saturating_sub(1)), row((y + 1).min(height - 1))] {
                pixels.extend(
                    row(y)
                        .iter()
                        .zip(other)
                        .map(|(&here, &there)| ((3 * here + there + 8) / 16) as u8),
                );
            }
        }
        Self {
            width: 2 * width,
            height: 2 * height,
            pixels,
        }
    }

    /// The part of the frame from (`left`, `top`), `width`×`height`, clamped to the frame.
    pub fn crop(&self, left: usize, top: usize, width: usize, height: usize) -> Self {
        let (left, top) = (left.min(self.width), top.min(self.height));
        let width = width.min(self.width - left);
        let height = height.min(self.height - top);
        let mut pixels = Vec::with_capacity(width * height);
        for y in top..top + height {
            pixels.extend_from_slice(&self.pixels[y * self.width + left..][..width]);
        }
        Self {
            width,
            height,
            pixels,
        }
    }

    /// The threshold between dark and light that best separates the frame's two classes of
    /// pixels (Otsu's method). Screens hold QR codes as near-black on near-white (or the
    /// reverse) with anti-aliased edges, which one global threshold splits cleanly, where a
    /// moving-average threshold smears thin modules.
    pub fn otsu_threshold(&self) -> u8 {
        let mut histogram = [0u64; 256];
        for &p in &self.pixels {
            histogram[usize::from(p)] += 1;
        }
        let total: u64 = histogram.iter().sum();
        if total == 0 {
            return 128;
        }
        let weighted_total: f64 = histogram
            .iter()
            .enumerate()
            .map(|(value, &count)| value as f64 * count as f64)
            .sum();
        let (mut background, mut weighted_background) = (0u64, 0f64);
        let (mut best, mut best_variance) = (128u8, -1f64);
        for (value, &count) in histogram.iter().enumerate() {
            background += count;
            if background == 0 {
                continue;
            }
            let foreground = total - background;
            if foreground == 0 {
                break;
            }
            weighted_background += value as f64 * count as f64;
            let mean_background = weighted_background / background as f64;
            let mean_foreground = (weighted_total - weighted_background) / foreground as f64;
            let between =
                background as f64 * foreground as f64 * (mean_background - mean_foreground).powi(2);
            if between > best_variance {
                best_variance = between;
                best = value as u8;
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luma_matches_the_rec_601_weights() {
        let frame = Luma::from_rgba(3, 1, &[255, 255, 255, 255, 0, 0, 0, 255, 255, 0, 0, 255]);
        assert_eq!(frame.pixels, vec![255, 0, 76]);
    }

    #[test]
    fn half_averages_blocks_and_crop_clamps() {
        let frame = Luma {
            width: 4,
            height: 2,
            pixels: vec![0, 4, 100, 100, 8, 4, 200, 200],
        };
        assert_eq!(frame.half().pixels, vec![4, 150]);
        let crop = frame.crop(3, 1, 5, 5);
        assert_eq!(
            (crop.width, crop.height, crop.pixels.clone()),
            (1, 1, vec![200])
        );
    }

    #[test]
    fn enlarged_doubles_each_side_and_blends_only_at_edges() {
        let frame = Luma {
            width: 3,
            height: 2,
            pixels: vec![0, 0, 200, 0, 0, 200],
        };
        let big = frame.enlarged();
        assert_eq!((big.width, big.height), (6, 4));
        // Flat parts stay flat; the edge between 0 and 200 falls in between, at 1/4 and 3/4.
        for row in big.pixels.chunks_exact(6) {
            assert_eq!(row, [0, 0, 0, 50, 150, 200]);
        }
        assert!(
            Luma {
                width: 0,
                height: 5,
                pixels: Vec::new()
            }
            .enlarged()
            .pixels
            .is_empty()
        );
    }

    #[test]
    fn otsu_splits_two_populations_between_them() {
        let mut pixels = vec![30u8; 500];
        pixels.extend(vec![220u8; 500]);
        let frame = Luma {
            width: 1000,
            height: 1,
            pixels,
        };
        let threshold = frame.otsu_threshold();
        assert!((30..220).contains(&threshold), "{threshold}");
    }
}
