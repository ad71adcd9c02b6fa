//! Reading QR codes: off the screen (every monitor), from an image file, or from an image on
//! the clipboard. Frames stay in memory, are never written anywhere, and are wiped and dropped
//! as soon as they are decoded (a code's pixels are its secret); capture happens only when the
//! user asks for it.

pub mod decoder;
mod finder;
pub mod luma;
pub mod payload;
#[cfg(feature = "screen")]
pub mod screen;

use std::path::{Path, PathBuf};

use serde::Serialize;
use zeroize::Zeroizing;

pub use decoder::Bounds;
use decoder::decode_frame;
use luma::Luma;
pub use payload::{Payload, SignInCode};

/// Largest image Sesame decodes, in pixels: three 4K screens side by side fit; a crafted
/// 20000×20000 file (1.6 GB as RGBA) is refused before it is decoded.
pub const MAX_PIXELS: u64 = 50_000_000;

/// A code found, where it was found, and what it holds (not `Serialize`: its payload may be a
/// secret, which each face shows only as a description).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The monitor or file it was read from.
    pub source: String,
    /// Its place in that frame, in pixels.
    pub bounds: Bounds,
    /// Its content, classified.
    pub payload: Payload,
}

/// A code seen but not readable (cut by the screen's edge, damaged, too blurred or too small).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unreadable {
    pub source: String,
    pub bounds: Bounds,
}

/// Everything one scan found.
#[derive(Debug, Default, Clone)]
pub struct ScanReport {
    pub found: Vec<Found>,
    pub unreadable: Vec<Unreadable>,
    /// Frames (monitors or images) looked at.
    pub frames: usize,
}

impl ScanReport {
    /// What to tell the user when nothing was read.
    pub fn nothing_found_hint(&self) -> &'static str {
        if self.unreadable.is_empty() {
            "No QR code was found. Make sure the whole code is visible; if it is small, zoom the \
             page in (Ctrl and +), or save the image and open it as a file."
        } else {
            "A QR code was seen but could not be read: it may be cut off by the edge of the \
             screen, covered, or too small. Scroll it fully into view or zoom the page in."
        }
    }

    fn add_frame(&mut self, source: &str, frame: &Luma) {
        let result = decode_frame(frame);
        self.frames += 1;
        self.found
            .extend(result.decoded.into_iter().map(|code| Found {
                source: source.to_owned(),
                bounds: code.bounds,
                payload: Payload::classify(&code.bytes),
            }));
        self.unreadable
            .extend(result.unreadable.into_iter().map(|seen| Unreadable {
                source: source.to_owned(),
                bounds: seen.bounds,
            }));
    }
}

/// Why a scan could not look at its image.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// The file could not be read at all.
    #[error("could not read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file is not an image Sesame reads, or is damaged.
    #[error("{path} is not a readable image ({reason}); Sesame reads PNG, JPEG, WebP, BMP and GIF")]
    NotAnImage { path: PathBuf, reason: String },
    /// The image is larger than [`MAX_PIXELS`].
    #[error(
        "the image is {width}×{height} pixels, larger than Sesame reads ({} megapixels); crop it to the QR code",
        MAX_PIXELS / 1_000_000
    )]
    TooLarge { width: u64, height: u64 },
    /// The clipboard holds no image.
    #[error("the clipboard holds no image; copy the QR code's image first")]
    NoClipboardImage,
    /// The clipboard could not be read.
    #[error("the clipboard could not be read: {0}")]
    Clipboard(String),
    /// The screen could not be captured; the message says how to allow it.
    #[error("the screen could not be captured ({reason}). {hint}")]
    CaptureRefused { reason: String, hint: &'static str },
}

/// Decodes every code in RGBA pixels (what a capture or an image decoder gives).
pub fn scan_rgba(
    source: &str,
    width: u32,
    height: u32,
    rgba: &[u8],
) -> Result<ScanReport, ScanError> {
    check_size(u64::from(width), u64::from(height))?;
    let mut report = ScanReport::default();
    let frame = Luma::from_rgba(width as usize, height as usize, rgba);
    report.add_frame(source, &frame);
    Ok(report)
}

fn check_size(width: u64, height: u64) -> Result<(), ScanError> {
    if width.saturating_mul(height) > MAX_PIXELS {
        return Err(ScanError::TooLarge { width, height });
    }
    Ok(())
}

/// Decodes every code in an image file (PNG, JPEG, WebP, BMP, GIF). The size is checked from
/// the header before any pixel is decoded.
pub fn scan_image_file(path: &Path) -> Result<ScanReport, ScanError> {
    let bytes = std::fs::read(path).map_err(|source| ScanError::Io {
        path: path.to_owned(),
        source,
    })?;
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    scan_image_bytes(&name, &bytes)
}

/// Decodes every code in an encoded image (a file's contents, as the window receives them).
pub fn scan_image_bytes(name: &str, bytes: &[u8]) -> Result<ScanReport, ScanError> {
    let not_an_image = |reason: String| ScanError::NotAnImage {
        path: PathBuf::from(name),
        reason,
    };
    let reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| not_an_image(e.to_string()))?;
    if reader.format().is_none() {
        return Err(not_an_image("its format is not recognised".into()));
    }
    let (width, height) = reader
        .into_dimensions()
        .map_err(|e| not_an_image(e.to_string()))?;
    check_size(u64::from(width), u64::from(height))?;
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| not_an_image(e.to_string()))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    limits.max_alloc = Some(MAX_PIXELS * 8);
    reader.limits(limits);
    let image = reader.decode().map_err(|e| not_an_image(e.to_string()))?;
    let rgba = Zeroizing::new(image.into_rgba8().into_raw());
    scan_rgba(name, width, height, &rgba)
}

/// Decodes every code in the image on the clipboard.
pub fn scan_clipboard_image() -> Result<ScanReport, ScanError> {
    let mut clipboard =
        arboard::Clipboard::new().map_err(|e| ScanError::Clipboard(e.to_string()))?;
    let image = match clipboard.get_image() {
        Ok(image) => image,
        Err(arboard::Error::ContentNotAvailable) => return Err(ScanError::NoClipboardImage),
        Err(error) => return Err(ScanError::Clipboard(error.to_string())),
    };
    let (width, height) = (image.width as u64, image.height as u64);
    check_size(width, height)?;
    if image.bytes.len() as u64 != width * height * 4 {
        return Err(ScanError::Clipboard("the image on it is malformed".into()));
    }
    let rgba = Zeroizing::new(image.bytes.into_owned());
    scan_rgba("clipboard", width as u32, height as u32, &rgba)
}

#[cfg(any(test, feature = "test-support"))]
pub mod corpus;

#[cfg(test)]
mod tests {
    use super::corpus::{Variant, sample};
    use super::*;

    fn texts(report: &ScanReport) -> Vec<String> {
        let mut texts: Vec<String> = report
            .found
            .iter()
            .map(|f| match &f.payload {
                Payload::Account(text) => text.clone(),
                other => panic!("expected an account, read {other:?}"),
            })
            .collect();
        texts.sort();
        texts
    }

    fn scan_sample(sample: &super::corpus::Sample) -> ScanReport {
        let image = &sample.image;
        scan_rgba("test", image.width(), image.height(), image.as_raw()).expect("scan")
    }

    #[test]
    fn every_variant_decodes_to_exactly_its_payloads() {
        for (variant, seed) in Variant::ALL
            .into_iter()
            .flat_map(|v| (0..3).map(move |s| (v, s)))
        {
            let sample = sample(variant, 1280, 720, seed);
            let report = scan_sample(&sample);
            let mut expected = sample.expected.clone();
            expected.sort();
            assert_eq!(texts(&report), expected, "{} (seed {seed})", variant.name());
        }
    }

    #[test]
    fn four_k_frames_read_the_same_through_the_half_resolution_search() {
        for variant in Variant::ALL {
            let sample = sample(variant, 3840, 2160, 11);
            let report = scan_sample(&sample);
            let mut expected = sample.expected.clone();
            expected.sort();
            assert_eq!(texts(&report), expected, "{} at 4K", variant.name());
        }
    }

    #[test]
    fn a_code_cut_by_the_edge_is_never_read_wrong() {
        for seed in 0..3 {
            let sample = sample(Variant::CutByEdge, 1280, 720, seed);
            let report = scan_sample(&sample);
            assert!(report.found.is_empty(), "read {:?}", report.found);
        }
    }

    #[test]
    fn image_files_of_each_format_decode() {
        let dir = tempfile::tempdir().expect("temp dir");
        let sample = sample(Variant::Plain, 640, 480, 3);
        for extension in ["png", "jpg", "webp", "bmp", "gif"] {
            let path = dir.path().join(format!("code.{extension}"));
            let image = image::DynamicImage::ImageRgba8(sample.image.clone());
            let saved = if extension == "jpg" {
                image.into_rgb8().save(&path)
            } else {
                image.save(&path)
            };
            saved.expect("save");
            let report = scan_image_file(&path).expect("scan");
            assert_eq!(texts(&report), sample.expected, "{extension}");
        }
    }

    #[test]
    fn bad_files_are_refused_with_a_reason() {
        let dir = tempfile::tempdir().expect("temp dir");
        let text = dir.path().join("notes.png");
        std::fs::write(&text, "not an image at all").expect("write");
        assert!(matches!(
            scan_image_file(&text),
            Err(ScanError::NotAnImage { .. })
        ));

        let sample = sample(Variant::Plain, 640, 480, 3);
        let mut png = Vec::new();
        image::DynamicImage::ImageRgba8(sample.image)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .expect("encode");
        let truncated = dir.path().join("truncated.png");
        std::fs::write(&truncated, &png[..png.len() / 2]).expect("write");
        let error = scan_image_file(&truncated).expect_err("truncated");
        assert!(matches!(error, ScanError::NotAnImage { .. }), "{error}");

        // A 20000×20000 PNG: refused from its header, before anything is allocated for it.
        let huge = dir.path().join("huge.png");
        {
            let file = std::fs::File::create(&huge).expect("create");
            let mut encoder = png::Encoder::new(file, 20_000, 20_000);
            encoder.set_color(png::ColorType::Grayscale);
            let mut writer = encoder.write_header().expect("header");
            // A token data chunk (an empty zlib stream): the header is what matters, and the
            // file stays a few bytes where a real one would hold 400 MB of pixels.
            writer
                .write_chunk(
                    png::chunk::IDAT,
                    &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
                )
                .expect("chunk");
        }
        let error = scan_image_file(&huge).expect_err("huge");
        assert!(
            matches!(
                error,
                ScanError::TooLarge {
                    width: 20_000,
                    height: 20_000
                }
            ),
            "{error}"
        );

        let missing = dir.path().join("missing.png");
        assert!(matches!(
            scan_image_file(&missing),
            Err(ScanError::Io { .. })
        ));
    }

    #[test]
    fn an_image_without_a_code_finds_nothing_and_says_what_to_try() {
        let blank = image::RgbaImage::from_pixel(800, 600, image::Rgba([250, 250, 250, 255]));
        let report = scan_rgba("blank", 800, 600, blank.as_raw()).expect("scan");
        assert!(report.found.is_empty() && report.unreadable.is_empty());
        assert!(report.nothing_found_hint().contains("zoom"));
    }

    #[test]
    fn junk_and_oversized_payloads_are_classified_not_added() {
        let junk: Vec<u8> = (0..200u8).map(|b| b.wrapping_mul(37) | 0x80).collect();
        // ~3 KB: as much as a QR code holds (2953 bytes at the lowest error correction).
        let long = "x".repeat(2900);
        for (bytes, check) in [
            (junk.clone(), "binary"),
            (long.clone().into_bytes(), "text"),
        ] {
            let rgba = super::corpus::render(&bytes, 3);
            let report =
                scan_rgba("junk", rgba.width(), rgba.height(), rgba.as_raw()).expect("scan");
            assert_eq!(report.found.len(), 1, "{check}");
            let payload = &report.found[0].payload;
            assert!(payload.not_an_account().is_some(), "{check}: {payload:?}");
            match check {
                "binary" => assert!(matches!(payload, Payload::Unusable { .. })),
                _ => assert_eq!(payload, &Payload::Text(long.clone())),
            }
        }
    }
}
