//! Real browser screenshots for the corpus: a page with a QR code as inline SVG and one as a PNG
//! the browser scales, taken by headless Chromium at a desktop's device scale factors. Unlike
//! the generated variants, the anti-aliasing, resampling and font rendering are Chromium's own.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use qrcode::{Color, QrCode};

use super::{Sample, payload, render};

/// Device scale factors screenshots are taken at: desktop scaling 100, 125, 150 and 200 %.
pub const SCALES: [f64; 4] = [1.0, 1.25, 1.5, 2.0];

/// The page's size in CSS pixels (a laptop browser window).
const PAGE: (u32, u32) = (1280, 800);

/// The SVG code's module, in CSS pixels: as small as sign-in pages draw them.
const SVG_MODULE: u32 = 2;

/// The PNG code is drawn at 4 px a module and shown at 3 CSS px, so the browser resamples it.
const PNG_MODULE: u32 = 4;
const PNG_SHOWN_AS: f64 = 0.75;

/// A screenshot at `scale` of a page showing two codes of seed `seed`, taken with the Chromium
/// at `chromium`; the page and the screenshot are written in `dir`. `Err` says why Chromium
/// gave no screenshot.
pub fn screenshot(chromium: &Path, scale: f64, seed: u64, dir: &Path) -> Result<Sample, String> {
    let (svg_payload, png_payload) = (payload(seed + 2000), payload(seed + 3000));
    let png = render(png_payload.as_bytes(), PNG_MODULE);
    let png_file = dir.join(format!("code-{seed}.png"));
    png.save(&png_file)
        .map_err(|e| format!("saving {}: {e}", png_file.display()))?;
    let page = dir.join(format!("page-{seed}.html"));
    std::fs::write(
        &page,
        page_html(
            &svg_payload,
            &png_file,
            f64::from(png.width()) * PNG_SHOWN_AS,
            seed,
        ),
    )
    .map_err(|e| format!("writing {}: {e}", page.display()))?;

    let shot = dir.join(format!("chromium-{seed}-{scale}.png"));
    let profile = dir.join(format!("profile-{seed}-{scale}"));
    let mut browser = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
        ])
        .arg(format!("--force-device-scale-factor={scale}"))
        .arg(format!("--window-size={},{}", PAGE.0, PAGE.1))
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting {}: {e}", chromium.display()))?;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match browser.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            _ => {
                let _ = browser.kill();
                let _ = browser.wait();
                return Err("Chromium took more than 60 s to take a screenshot".into());
            }
        }
    }
    let image = image::open(&shot)
        .map_err(|e| format!("Chromium wrote no readable screenshot ({e})"))?
        .into_rgba8();
    let expected_width = (f64::from(PAGE.0) * scale).round() as u32;
    if image.width() != expected_width {
        return Err(format!(
            "the screenshot is {} px wide, not {expected_width}: Chromium ignored the scale factor",
            image.width()
        ));
    }
    Ok(Sample {
        image,
        expected: vec![svg_payload, png_payload],
    })
}

/// A sign-in-like page: a heading, paragraphs, the SVG code on the left and the PNG one on the
/// right, far enough apart to be two codes.
fn page_html(svg_payload: &str, png: &Path, png_width: f64, seed: u64) -> String {
    let words = [
        "Scan",
        "the",
        "code",
        "with",
        "your",
        "authenticator",
        "to",
        "finish",
        "signing",
        "in",
        "account",
        "security",
        "device",
        "browser",
        "verify",
        "continue",
    ];
    let paragraph = |n: u64| -> String {
        (0..40)
            .map(|i| words[((n * 7 + i * 13 + seed) % words.len() as u64) as usize])
            .collect::<Vec<_>>()
            .join(" ")
    };
    format!(
        "<!doctype html><html><head><meta charset=utf-8><style>\
         body {{ font: 15px sans-serif; margin: 32px; color: #222; background: #fafafa; }}\
         .codes {{ display: flex; justify-content: space-between; margin-top: 24px; }}\
         .panel {{ background: #eef; padding: 16px; border-radius: 8px; }}\
         </style></head><body><h1>Sign in to Example</h1><p>{}</p>\
         <div class=codes><div class=panel>{}<p>Authenticator</p></div>\
         <div class=panel><img src=\"file://{}\" style=\"width: {png_width}px\"><p>Phone</p></div></div>\
         <p>{}</p></body></html>",
        paragraph(1),
        svg_code(svg_payload),
        png.display(),
        paragraph(2)
    )
}

/// The code as an inline SVG path, one square per dark module, anti-aliased by the browser.
fn svg_code(payload: &str) -> String {
    let code = QrCode::with_error_correction_level(payload.as_bytes(), qrcode::EcLevel::L)
        .unwrap_or_else(|_| super::unreachable_code());
    let modules = code.width();
    let colors = code.to_colors();
    let mut path = String::new();
    for (index, color) in colors.iter().enumerate() {
        if *color == Color::Dark {
            let (x, y) = (index % modules + 4, index / modules + 4);
            path.push_str(&format!("M{x} {y}h1v1h-1z"));
        }
    }
    let side = modules + 8;
    let shown = side as u32 * SVG_MODULE;
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{shown}\" height=\"{shown}\" \
         viewBox=\"0 0 {side} {side}\"><rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/>\
         <path d=\"{path}\" fill=\"#000\"/></svg>"
    )
}
