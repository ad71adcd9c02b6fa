//! Grayscale frames and the global threshold the decoder binarises them with.

/// An 8-bit grayscale frame, row-major, one byte per pixel.
pub struct Luma {
    pub width: usize,
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
