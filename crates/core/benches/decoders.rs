//! Sesame's QR pipeline against zbar (`zbarimg`), rxing and quircs on a generated corpus of
//! screen-like images, then capture + decode of the real screen. Prints Markdown tables.
//!
//! Run by `scripts/dev bench`, which provides a 3840×2160 Xvfb screen and zbar-tools.
//! Timings: "decode" is in-process from a grayscale buffer (what each library does with a
//! frame already captured); zbar can only be run as `zbarimg` here, so its column is the
//! process's wall time from a PNG file, and Sesame's own file-to-payloads time sits beside it.

use std::collections::HashSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sesame_core::scan::corpus::{Sample, Variant, chromium, render, sample};
use sesame_core::scan::{Payload, ScanReport, scan_image_file, scan_rgba};

const SEEDS: u64 = 3;
const SCREENS: [(u32, u32); 2] = [(1920, 1080), (3840, 2160)];

fn luma(sample: &Sample) -> Vec<u8> {
    image::DynamicImage::ImageRgba8(sample.image.clone())
        .into_luma8()
        .into_raw()
}

fn texts_of_report(report: &ScanReport) -> Vec<String> {
    report
        .found
        .iter()
        .map(|f| match &f.payload {
            Payload::Account(t)
            | Payload::Migration(t)
            | Payload::Login(t)
            | Payload::Bind(t)
            | Payload::Text(t) => t.clone(),
            Payload::Unusable { .. } => String::from("<unusable>"),
        })
        .collect()
}

/// A decoder is right on a sample when it reads exactly the expected payloads (for a code cut
/// by the edge: reads nothing).
fn correct(expected: &[String], read: Vec<String>) -> bool {
    let expected: HashSet<&String> = expected.iter().collect();
    let read_set: HashSet<&String> = read.iter().collect();
    expected == read_set
}

struct Timed {
    ok: bool,
    time: Duration,
}

fn sesame(sample: &Sample) -> Timed {
    let image = &sample.image;
    let start = Instant::now();
    let report = scan_rgba("bench", image.width(), image.height(), image.as_raw()).expect("scan");
    let time = start.elapsed();
    Timed {
        ok: correct(&sample.expected, texts_of_report(&report)),
        time,
    }
}

fn sesame_file(sample: &Sample, file: &Path) -> Timed {
    let start = Instant::now();
    let report = scan_image_file(file).expect("scan file");
    let time = start.elapsed();
    Timed {
        ok: correct(&sample.expected, texts_of_report(&report)),
        time,
    }
}

fn rxing(sample: &Sample, luma: Vec<u8>) -> Timed {
    let mut hints = rxing::DecodeHints {
        PossibleFormats: Some(HashSet::from([rxing::BarcodeFormat::QR_CODE])),
        AlsoInverted: Some(true),
        ..Default::default()
    };
    let start = Instant::now();
    let results = rxing::helpers::detect_multiple_in_luma_with_hints(
        luma,
        sample.image.width(),
        sample.image.height(),
        &mut hints,
    );
    let time = start.elapsed();
    let read = results
        .map(|r| r.iter().map(|r| r.getText().to_owned()).collect())
        .unwrap_or_default();
    Timed {
        ok: correct(&sample.expected, read),
        time,
    }
}

/// rqrr as its README uses it, for what Sesame's pipeline adds.
fn rqrr_alone(sample: &Sample, luma: &[u8]) -> Timed {
    let (width, height) = (
        sample.image.width() as usize,
        sample.image.height() as usize,
    );
    let start = Instant::now();
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| luma[y * width + x]);
    let read = image
        .detect_grids()
        .iter()
        .filter_map(|grid| grid.decode().ok())
        .map(|(_, text)| text)
        .collect();
    let time = start.elapsed();
    Timed {
        ok: correct(&sample.expected, read),
        time,
    }
}

fn quircs(sample: &Sample, luma: &[u8]) -> Timed {
    let start = Instant::now();
    let mut decoder = quircs::Quirc::default();
    let read: Vec<String> = decoder
        .identify(
            sample.image.width() as usize,
            sample.image.height() as usize,
            luma,
        )
        .filter_map(|code| code.ok()?.decode().ok())
        .map(|data| String::from_utf8_lossy(&data.payload).into_owned())
        .collect();
    let time = start.elapsed();
    Timed {
        ok: correct(&sample.expected, read),
        time,
    }
}

fn zbar(sample: &Sample, file: &Path) -> Timed {
    let start = Instant::now();
    let output = Command::new("zbarimg")
        .args([
            "-q",
            "--raw",
            "-Sdisable",
            "-Sqrcode.enable",
            "-Stest-inverted",
        ])
        .arg(file)
        .stderr(Stdio::null())
        .output()
        .expect("zbarimg (zbar-tools) is installed by scripts/dev bench");
    let time = start.elapsed();
    let text = String::from_utf8_lossy(&output.stdout);
    let read = text
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    Timed {
        ok: correct(&sample.expected, read),
        time,
    }
}

/// The sample through each decoder, in the tables' order (saved as `file` for zbarimg).
fn every_decoder(sample: &Sample, file: &Path) -> [Timed; 5] {
    sample.image.save(file).expect("save");
    let luma = luma(sample);
    [
        sesame(sample),
        zbar(sample, file),
        rxing(sample, luma.clone()),
        quircs(sample, &luma),
        rqrr_alone(sample, &luma),
    ]
}

/// The median, formatted; a row with nothing measured fails the bench, saying which.
fn median(row: &str, mut times: Vec<Duration>) -> String {
    assert!(!times.is_empty(), "{row}: nothing was measured");
    times.sort();
    format!("{:.1} ms", times[times.len() / 2].as_secs_f64() * 1000.0)
}

#[derive(Default)]
struct Tally {
    ok: [usize; 5],
    total: usize,
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let names = [
        "Sesame (rqrr pipeline)",
        "zbar 0.23 (zbarimg)",
        "rxing 0.8",
        "quircs 0.10",
        "rqrr 0.11 alone",
    ];
    let mut by_variant: Vec<(Variant, Tally)> = Variant::ALL
        .iter()
        .map(|v| (*v, Tally::default()))
        .collect();
    // Per screen size: decode times of Sesame, rxing, quircs, rqrr alone; file times of Sesame
    // and zbarimg.
    let mut times: Vec<[Vec<Duration>; 6]> = SCREENS.iter().map(|_| Default::default()).collect();
    let mut images = 0;
    for (screen, &(width, height)) in SCREENS.iter().enumerate() {
        for variant in Variant::ALL {
            for seed in 0..SEEDS {
                let sample = sample(variant, width, height, seed);
                let file = dir.path().join(format!(
                    "{width}-{}-{seed}.png",
                    variant.name().replace([' ', '%'], "_")
                ));
                let results = every_decoder(&sample, &file);
                let file_time = sesame_file(&sample, &file).time;
                let tally = &mut by_variant
                    .iter_mut()
                    .find(|(v, _)| *v == variant)
                    .expect("variant")
                    .1;
                tally.total += 1;
                for (i, result) in results.iter().enumerate() {
                    tally.ok[i] += usize::from(result.ok);
                }
                times[screen][0].push(results[0].time);
                times[screen][1].push(results[2].time);
                times[screen][2].push(results[3].time);
                times[screen][3].push(file_time);
                times[screen][4].push(results[1].time);
                times[screen][5].push(results[4].time);
                images += 1;
            }
        }
    }

    println!(
        "Corpus: {images} images ({SEEDS} per variant and screen size, 1920×1080 and 3840×2160).\n"
    );
    println!("| variant | {} |", names.join(" | "));
    println!("|---|---|---|---|---|---|");
    let mut totals = [0usize; 5];
    let mut all = 0;
    for (variant, tally) in &by_variant {
        let cells: Vec<String> = tally
            .ok
            .iter()
            .map(|ok| format!("{ok}/{}", tally.total))
            .collect();
        println!("| {} | {} |", variant.name(), cells.join(" | "));
        for (total, ok) in totals.iter_mut().zip(tally.ok) {
            *total += ok;
        }
        all += tally.total;
    }
    let cells: Vec<String> = totals.iter().map(|ok| format!("**{ok}/{all}**")).collect();
    println!("| all | {} |", cells.join(" | "));

    println!(
        "\n| screen | Sesame decode | rqrr alone | rxing decode | quircs decode | Sesame, PNG file → payloads | zbarimg, PNG file → payloads |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (screen, &(width, height)) in SCREENS.iter().enumerate() {
        let [a, b, c, d, e, f] = std::mem::take(&mut times[screen]);
        let row = format!("{width}×{height}");
        println!(
            "| {row} | {} | {} | {} | {} | {} | {} |",
            median(&row, a),
            median(&row, f),
            median(&row, b),
            median(&row, c),
            median(&row, d),
            median(&row, e)
        );
    }

    chromium_screenshots(&dir, &names);
    capture_and_decode(&dir);
}

/// The same decoders on screenshots headless Chromium takes of a page with an SVG and a PNG
/// code, at each device scale factor.
fn chromium_screenshots(dir: &tempfile::TempDir, names: &[&str; 5]) {
    println!("\n| Chromium screenshot | {} |", names.join(" | "));
    println!("|---|---|---|---|---|---|");
    let mut totals = [0usize; 5];
    let mut all = 0;
    for scale in chromium::SCALES {
        let mut ok = [0usize; 5];
        for seed in 0..SEEDS {
            let sample = chromium::screenshot(Path::new("chromium"), scale, seed, dir.path())
                .unwrap_or_else(|e| panic!("Chromium screenshot at scale {scale}: {e}"));
            let file = dir
                .path()
                .join(format!("chromium-bench-{seed}-{scale}.png"));
            let results = every_decoder(&sample, &file);
            for (count, result) in ok.iter_mut().zip(&results) {
                *count += usize::from(result.ok);
            }
        }
        let cells: Vec<String> = ok.iter().map(|n| format!("{n}/{SEEDS}")).collect();
        println!(
            "| {} % ({}×{}) | {} |",
            scale * 100.0,
            1280.0 * scale,
            800.0 * scale,
            cells.join(" | ")
        );
        for (total, n) in totals.iter_mut().zip(ok) {
            *total += n;
        }
        all += SEEDS as usize;
    }
    let cells: Vec<String> = totals.iter().map(|n| format!("**{n}/{all}**")).collect();
    println!("| all | {} |", cells.join(" | "));
}

/// Shows a code on the real screen ($DISPLAY) and times `scan_screens` (capture + decode).
fn capture_and_decode(dir: &tempfile::TempDir) {
    // A row that cannot be measured fails the bench with the reason: it never prints a dash.
    let Some(display) = std::env::var_os("DISPLAY") else {
        panic!(
            "no DISPLAY: capture + decode of a real screen cannot be measured (run `scripts/dev bench`, which starts a 4K Xvfb)"
        );
    };
    let payload = "https://example.com/sesame-capture-bench";
    let file = dir.path().join("on-screen.png");
    render(payload.as_bytes(), 4).save(&file).expect("save");
    let mut window = Command::new("display")
        .args(["-geometry", "+1500+900"])
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("ImageMagick's display");
    let mut times = Vec::new();
    let mut size = (0, 0);
    let mut last_seen = Vec::new();
    // The window takes a moment to map: scans before it shows see nothing and are not timed,
    // but a code that never shows fails the bench below, saying what the scans saw.
    let deadline = Instant::now() + Duration::from_secs(30);
    while times.len() < 15 && Instant::now() < deadline {
        let start = Instant::now();
        let report = sesame_core::scan::screen::scan_screens().expect("capture");
        let time = start.elapsed();
        last_seen = texts_of_report(&report);
        if last_seen == [payload] {
            times.push(time);
        } else {
            std::thread::sleep(Duration::from_millis(200));
        }
        if let Ok(monitors) = xcap::Monitor::all()
            && let Some(first) = monitors.first()
        {
            size = (first.width().unwrap_or(0), first.height().unwrap_or(0));
        }
    }
    let process = if times.is_empty() {
        None
    } else {
        Some(whole_scan_process(payload))
    };
    let _ = window.kill();
    let _ = window.wait();
    assert!(
        !times.is_empty(),
        "capture + decode of the real screen ({}): no scan in 30 s read the code shown (the last saw {last_seen:?})",
        display.to_string_lossy()
    );
    println!(
        "\nCapture + decode of the real screen ({}×{} Xvfb on {}, a code shown in a window): median {} over {} runs.",
        size.0,
        size.1,
        display.to_string_lossy(),
        median("capture + decode", times.clone()),
        times.len()
    );
    if let Some((scans, starts)) = process {
        println!(
            "A whole `sesame scan --json` process on that screen (start, capture, decode, print, exit): median {} over {} runs; `sesame --version` (start and exit alone): median {}.",
            median("sesame scan process", scans.clone()),
            scans.len(),
            median("sesame --version process", starts)
        );
    }
}

/// Times of the release `sesame scan --json` reading the code on the screen, and of
/// `sesame --version`, 15 runs each.
fn whole_scan_process(payload: &str) -> (Vec<Duration>, Vec<Duration>) {
    let cli = std::env::var_os("SESAME_BENCH_CLI").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/release/sesame"),
        std::path::PathBuf::from,
    );
    assert!(
        cli.is_file(),
        "the `sesame scan` process row needs the release CLI at {} (cargo build --release -p sesame-cli, as scripts/dev bench does)",
        cli.display()
    );
    let data = tempfile::tempdir().expect("data dir");
    let run = |args: &[&str]| {
        let start = Instant::now();
        let output = Command::new(&cli)
            .args(args)
            .env("SESAME_DATA_DIR", data.path())
            .stdin(Stdio::null())
            .output()
            .expect("run sesame");
        (start.elapsed(), output)
    };
    let mut scans = Vec::new();
    let mut starts = Vec::new();
    for _ in 0..15 {
        let (time, output) = run(&["scan", "--json"]);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            stdout.contains(payload),
            "`sesame scan --json` did not read the code shown: {stdout} {}",
            String::from_utf8_lossy(&output.stderr)
        );
        scans.push(time);
        let (time, output) = run(&["--version"]);
        assert!(output.status.success(), "sesame --version failed");
        starts.push(time);
    }
    (scans, starts)
}
