//! Screen-like test images with QR codes in the variants real screens produce: small modules,
//! fractional display scaling, dark mode, blur, JPEG artefacts, two codes, a code cut by the
//! edge; and screenshots of a page by headless Chromium at a desktop's scale factors
//! ([`chromium`]). Generated on demand (tests and the decoder benchmark); never stored.

use image::{GrayImage, Luma as Pixel, RgbaImage};
use qrcode::{Color, QrCode};

pub mod chromium;

/// The kinds of image in the corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// Dark on light, 4 px modules.
    Plain,
    /// 2 px modules: the smallest a page shows legibly.
    Tiny,
    /// The page drawn at 125 %, 150 % or 200 % (anti-aliased module edges).
    Scaled125,
    Scaled150,
    Scaled200,
    /// Light on dark (dark mode pages).
    Inverted,
    /// A slight blur (a scaled video call, a soft screenshot).
    Blurred,
    /// Saved as JPEG at quality 60.
    Jpeg,
    /// Two different codes on one screen.
    TwoCodes,
    /// A code half off the right edge: must be reported unreadable or not at all, never wrong.
    CutByEdge,
    /// Two codes far apart, one with 3 px modules and one with 2 px modules, at the screen's own
    /// resolution (on 4K: the smaller one vanishes at half size, the larger one does not).
    TwoSizes,
    /// 2 px modules on a desktop scaled to 125 % or 150 % (2.5 and 3 px, edges between pixels).
    Tiny125,
    Tiny150,
    /// 2 px modules under a light blur.
    TinyBlurred,
}

impl Variant {
    /// Every variant.
    pub const ALL: [Variant; 14] = [
        Variant::Plain,
        Variant::Tiny,
        Variant::Scaled125,
        Variant::Scaled150,
        Variant::Scaled200,
        Variant::Inverted,
        Variant::Blurred,
        Variant::Jpeg,
        Variant::TwoCodes,
        Variant::CutByEdge,
        Variant::TwoSizes,
        Variant::Tiny125,
        Variant::Tiny150,
        Variant::TinyBlurred,
    ];

    /// A short name for tables.
    pub fn name(self) -> &'static str {
        match self {
            Variant::Plain => "plain",
            Variant::Tiny => "2 px modules",
            Variant::Scaled125 => "125 %",
            Variant::Scaled150 => "150 %",
            Variant::Scaled200 => "200 %",
            Variant::Inverted => "light on dark",
            Variant::Blurred => "blurred",
            Variant::Jpeg => "JPEG q60",
            Variant::TwoCodes => "two codes",
            Variant::CutByEdge => "cut by edge",
            Variant::TwoSizes => "3 px and 2 px apart",
            Variant::Tiny125 => "2 px at 125 %",
            Variant::Tiny150 => "2 px at 150 %",
            Variant::TinyBlurred => "2 px blurred",
        }
    }

    /// Variants whose module sizes are the screen's own pixels even on 4K (not doubled like
    /// a HiDPI desktop draws a page): the small codes a half-resolution search cannot see.
    fn native_pixels(self) -> bool {
        matches!(
            self,
            Variant::TwoSizes | Variant::Tiny125 | Variant::Tiny150 | Variant::TinyBlurred
        )
    }
}

/// One image and what it must decode to.
pub struct Sample {
    pub image: RgbaImage,
    /// The payloads a correct decoder reads (none for [`Variant::CutByEdge`]).
    pub expected: Vec<String>,
}

/// A deterministic pseudo-random sequence (xorshift), so a corpus is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u32) -> u32 {
        (self.next() % u64::from(n.max(1))) as u32
    }
}

/// An otpauth URI like a real service's (20-byte secret, issuer and e-mail label).
pub fn payload(seed: u64) -> String {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let secret: Vec<u8> = (0..20).map(|_| rng.next() as u8).collect();
    let secret = data_encoding::BASE32_NOPAD.encode(&secret);
    format!(
        "otpauth://totp/Example%20Corp:user{seed}@example.com?secret={secret}&issuer=Example%20Corp&algorithm=SHA1&digits=6&period=30"
    )
}

/// The sample of `variant` on a `width`×`height` screen, from `seed`.
pub fn sample(variant: Variant, width: u32, height: u32, seed: u64) -> Sample {
    let mut rng = Rng(seed
        .wrapping_add(u64::from(width))
        .wrapping_mul(0x2545_f491_4f6c_dd1d)
        | 1);
    let dark_mode = variant == Variant::Inverted;
    let (background, ink) = if dark_mode {
        (30u8, 225u8)
    } else {
        (246u8, 20u8)
    };
    let mut screen = GrayImage::from_pixel(width, height, Pixel([background]));
    clutter(&mut screen, &mut rng, ink);

    // Module size on screen: 4 px, 2 px for the tiny variant, and a 3 CSS px module scaled
    // like the page (3.75, 4.5 and 6 px: fractional sizes blur module edges). 4K screens are
    // drawn at twice the scale, as a HiDPI desktop does.
    let hidpi = if width >= 3000 && !variant.native_pixels() {
        2.0
    } else {
        1.0
    };
    let module = hidpi
        * match variant {
            Variant::Tiny | Variant::TinyBlurred => 2.0,
            Variant::Scaled125 => 3.75,
            Variant::Scaled150 => 4.5,
            Variant::Scaled200 => 6.0,
            Variant::Tiny125 => 2.5,
            Variant::Tiny150 | Variant::TwoSizes => 3.0,
            _ => 4.0,
        };
    // Fractional offsets put module edges between pixels, as scaled pages do.
    let fraction = match variant {
        Variant::Scaled125
        | Variant::Scaled150
        | Variant::Scaled200
        | Variant::Tiny125
        | Variant::Tiny150 => 0.4,
        _ => 0.0,
    };

    let first = payload(seed);
    let mut expected = vec![first.clone()];
    let code = QrCode::new(first.as_bytes()).unwrap_or_else(|_| unreachable_code());
    let size = code_extent(&code, module);
    let (x, y) = if variant == Variant::CutByEdge {
        (width as f64 - size / 2.0, f64::from(height) / 3.0)
    } else {
        (
            f64::from(rng.below((width as f64 - size - 40.0).max(1.0) as u32)) + 20.0 + fraction,
            f64::from(rng.below((height as f64 - size - 40.0).max(1.0) as u32)) + 20.0 + fraction,
        )
    };
    draw_code(&mut screen, &code, x, y, module, background, ink);
    if matches!(variant, Variant::TwoCodes | Variant::TwoSizes) {
        let second = payload(seed + 1000);
        let other = QrCode::new(second.as_bytes()).unwrap_or_else(|_| unreachable_code());
        let other_module = if variant == Variant::TwoSizes {
            2.0
        } else {
            module
        };
        let other_size = code_extent(&other, other_module);
        // The other half of the screen from the first code.
        let ox = if x > f64::from(width) / 2.0 {
            40.0
        } else {
            f64::from(width) - other_size - 40.0
        };
        draw_code(&mut screen, &other, ox, 40.0, other_module, background, ink);
        expected.push(second);
    }
    if variant == Variant::CutByEdge {
        expected.clear();
    }
    if variant == Variant::Blurred {
        screen = image::imageops::blur(&screen, 0.8);
    }
    if variant == Variant::TinyBlurred {
        // Light: at 2 px a module, a blur of 0.8 leaves zbar nothing to read either.
        screen = image::imageops::blur(&screen, 0.6);
    }
    let mut image = image::DynamicImage::ImageLuma8(screen).into_rgba8();
    if variant == Variant::Jpeg {
        let mut bytes = Vec::new();
        let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 60);
        let rgb = image::DynamicImage::ImageRgba8(image.clone()).into_rgb8();
        if rgb.write_with_encoder(encoder).is_ok()
            && let Ok(decoded) = image::load_from_memory(&bytes)
        {
            image = decoded.into_rgba8();
        }
    }
    Sample { image, expected }
}

/// `bytes` alone as a QR code (lowest error correction, so ~3 KB fit), `module` px per module,
/// on a white margin.
pub fn render(bytes: &[u8], module: u32) -> RgbaImage {
    let code = QrCode::with_error_correction_level(bytes, qrcode::EcLevel::L)
        .unwrap_or_else(|_| unreachable_code());
    let module = f64::from(module);
    let side = code_extent(&code, module).ceil() as u32;
    let mut image = GrayImage::from_pixel(side, side, Pixel([255]));
    draw_code(&mut image, &code, 0.0, 0.0, module, 255, 0);
    image::DynamicImage::ImageLuma8(image).into_rgba8()
}

fn unreachable_code() -> QrCode {
    // The payloads are short ASCII, always encodable; an empty code keeps this total.
    QrCode::new(b"").unwrap_or_else(|_| std::process::abort())
}

/// The code's side in pixels, quiet zone of 4 modules included.
fn code_extent(code: &QrCode, module: f64) -> f64 {
    (code.width() as f64 + 8.0) * module
}

/// Draws the code at (x, y) with `module` pixels per module (fractional sizes are anti-aliased
/// by coverage, as a browser's scaler does), quiet zone included.
fn draw_code(
    screen: &mut GrayImage,
    code: &QrCode,
    x: f64,
    y: f64,
    module: f64,
    light: u8,
    dark: u8,
) {
    let colors = code.to_colors();
    let modules = code.width();
    let extent = code_extent(code, module);
    let dark_at = |mx: f64, my: f64| -> bool {
        let (cx, cy) = (
            (mx / module).floor() as i64 - 4,
            (my / module).floor() as i64 - 4,
        );
        cx >= 0
            && cy >= 0
            && (cx as usize) < modules
            && (cy as usize) < modules
            && colors[cy as usize * modules + cx as usize] == Color::Dark
    };
    let (x0, y0) = (x.floor().max(0.0) as u32, y.floor().max(0.0) as u32);
    let x1 = ((x + extent).ceil() as u32).min(screen.width());
    let y1 = ((y + extent).ceil() as u32).min(screen.height());
    const SUB: u32 = 4;
    for py in y0..y1 {
        for px in x0..x1 {
            let mut covered = 0u32;
            for sy in 0..SUB {
                for sx in 0..SUB {
                    let mx = f64::from(px) + (f64::from(sx) + 0.5) / f64::from(SUB) - x;
                    let my = f64::from(py) + (f64::from(sy) + 0.5) / f64::from(SUB) - y;
                    if (0.0..extent).contains(&mx) && (0.0..extent).contains(&my) && dark_at(mx, my)
                    {
                        covered += 1;
                    }
                }
            }
            let inside = f64::from(px) + 0.5 >= x && f64::from(py) + 0.5 >= y;
            if inside {
                let share = f64::from(covered) / f64::from(SUB * SUB);
                let value = f64::from(light) + (f64::from(dark) - f64::from(light)) * share;
                screen.put_pixel(px, py, Pixel([value.round() as u8]));
            }
        }
    }
}

/// Text-like strokes, buttons and panels, so the decoder meets what a screen holds.
fn clutter(screen: &mut GrayImage, rng: &mut Rng, ink: u8) {
    let (width, height) = screen.dimensions();
    let scale = if width >= 3000 { 2 } else { 1 };
    // Panels.
    for _ in 0..6 {
        let (w, h) = (120 + rng.below(400), 60 + rng.below(300));
        let (x, y) = (
            rng.below(width.saturating_sub(w)),
            rng.below(height.saturating_sub(h)),
        );
        let shade = 128u8.saturating_add((rng.below(60) as u8).saturating_sub(30));
        for py in y..(y + h).min(height) {
            for px in x..(x + w).min(width) {
                let Pixel([old]) = *screen.get_pixel(px, py);
                screen.put_pixel(
                    px,
                    py,
                    Pixel([((u16::from(old) * 3 + u16::from(shade)) / 4) as u8]),
                );
            }
        }
    }
    // Lines of "text": runs of small dark glyph blocks.
    for _ in 0..(60 * scale) {
        let (x, y) = (
            rng.below(width.saturating_sub(400)),
            rng.below(height.saturating_sub(20)),
        );
        let mut cx = x;
        for _ in 0..(10 + rng.below(40)) {
            let glyph = (3 + rng.below(5)) * scale;
            let tall = (7 + rng.below(4)) * scale;
            for py in y..(y + tall).min(height) {
                for px in cx..(cx + glyph).min(width) {
                    if rng.below(3) > 0 {
                        screen.put_pixel(px, py, Pixel([ink]));
                    }
                }
            }
            cx += glyph + (2 + rng.below(6)) * scale;
        }
    }
}
