//! `sesame scan` and `sesame add --from-screen/--from-image` on real X screens (Xvfb, 1080p and
//! 4K, started by each test) with the codes shown in real windows (ImageMagick's `display`).
//!
//! Marked `ignore`: they need Xvfb and ImageMagick, and the adding ones the real Secret
//! Service; `scripts/dev test` provides all three and runs them with `--include-ignored`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use sesame_core::scan::corpus::{chromium, render};
use sesame_core::testing::independent_totp;

/// The next X display number a test of this file may try.
static NEXT_DISPLAY: AtomicU32 = AtomicU32::new(150);

/// An Xvfb screen of its own, stopped on drop.
struct Screen {
    display: String,
    server: Child,
    windows: Vec<Child>,
    /// Each window's image and place, to open it again.
    shown: Vec<(std::path::PathBuf, u32, u32)>,
    dir: tempfile::TempDir,
}

impl Screen {
    fn start(width: u32, height: u32) -> Self {
        loop {
            // Each test of this file takes its own display number: searching for a free one
            // alone let two tests started together take the same, and the loser talked to the
            // winner's server until it went away.
            let number = NEXT_DISPLAY.fetch_add(1, Ordering::SeqCst);
            assert!(number < 400, "no X display could be started");
            if Path::new(&format!("/tmp/.X{number}-lock")).exists()
                || Path::new(&format!("/tmp/.X11-unix/X{number}")).exists()
            {
                continue;
            }
            let display = format!(":{number}");
            let server = Command::new("Xvfb")
                .args([
                    &display,
                    "-screen",
                    "0",
                    &format!("{width}x{height}x24"),
                    "-nolisten",
                    "tcp",
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("Xvfb is installed by scripts/dev");
            let mut screen = Self {
                display,
                server,
                windows: Vec::new(),
                shown: Vec::new(),
                dir: tempfile::tempdir().expect("temp dir"),
            };
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                // Ours, and up: another program's server on this number would answer too.
                if screen.server.try_wait().ok().flatten().is_some() {
                    break;
                }
                let up = Command::new("xdpyinfo")
                    .env("DISPLAY", &screen.display)
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success());
                if up && screen.server.try_wait().ok().flatten().is_none() {
                    return screen;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = screen.server.kill();
        }
    }

    /// Shows `payload` as a QR code (`module` px per module) in a window at (x, y).
    fn show(&mut self, payload: &str, module: u32, x: u32, y: u32) {
        let image = render(payload.as_bytes(), module);
        let path = self
            .dir
            .path()
            .join(format!("code{}.png", self.windows.len()));
        image.save(&path).expect("save the code");
        let window = self.open_window(&path, x, y);
        self.windows.push(window);
        self.shown.push((path, x, y));
    }

    /// ImageMagick's `display` showing `path` at (x, y); its complaints go to a file beside it.
    fn open_window(&self, path: &Path, x: u32, y: u32) -> Child {
        let log = std::fs::File::create(path.with_extension("log")).expect("window log");
        Command::new("display")
            .args(["-geometry", &format!("+{x}+{y}")])
            .arg(path)
            .env("DISPLAY", &self.display)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("ImageMagick is installed by scripts/dev")
    }

    /// Opens again any code window that went away by itself (`display` now and then exits
    /// before mapping on a fresh Xvfb), and says what it printed.
    fn reopen_closed_windows(&mut self) -> String {
        let mut said = String::new();
        for index in 0..self.windows.len() {
            if matches!(self.windows[index].try_wait(), Ok(Some(_))) {
                let (path, x, y) = self.shown[index].clone();
                said.push_str(
                    &std::fs::read_to_string(path.with_extension("log")).unwrap_or_default(),
                );
                self.windows[index] = self.open_window(&path, x, y);
            }
        }
        said
    }

    fn sesame(&self, data: &Path, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_sesame"))
            .args(args)
            .env("DISPLAY", &self.display)
            .env("SESAME_DATA_DIR", data)
            .stdin(Stdio::null())
            .output()
            .expect("run sesame")
    }

    /// `sesame scan --json`, retried until `count` codes are read (the windows take a moment
    /// to map).
    fn scan_until(&mut self, data: &Path, count: usize) -> Value {
        let deadline = Instant::now() + Duration::from_secs(15);
        let mut windows_said = String::new();
        loop {
            windows_said.push_str(&self.reopen_closed_windows());
            let output = self.sesame(data, &["scan", "--json"]);
            let json: Value = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
            if json["codes"].as_array().is_some_and(|c| c.len() >= count) {
                return json;
            }
            assert!(
                Instant::now() < deadline,
                "expected {count} codes, last scan: {json} {}; the code windows said: {windows_said:?}",
                String::from_utf8_lossy(&output.stderr)
            );
            std::thread::sleep(Duration::from_millis(300));
        }
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        for window in &mut self.windows {
            let _ = window.kill();
            let _ = window.wait();
        }
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

fn texts(json: &Value) -> Vec<String> {
    let mut texts: Vec<String> = json["codes"]
        .as_array()
        .expect("codes")
        .iter()
        .map(|c| c["text"].as_str().unwrap_or_default().to_owned())
        .collect();
    texts.sort();
    texts
}

#[test]
#[ignore = "needs Xvfb, ImageMagick and a Secret Service: run `scripts/dev test`"]
fn scan_reads_a_code_shown_in_a_window_on_a_1080p_screen() {
    let mut screen = Screen::start(1920, 1080);
    let data = tempfile::tempdir().expect("data dir");
    let login = "sesame://login?v=1&o=http%3A%2F%2F127.0.0.1%3A8080&s=AAAA&c=BBBB&e=1999999999&k=CCCC&g=DDDD";
    screen.show(login, 4, 700, 300);
    let json = screen.scan_until(data.path(), 1);
    assert_eq!(texts(&json), vec![login.to_owned()]);
    let code = &json["codes"][0];
    assert_eq!(code["kind"], "login");
    // Xvfb names its monitor "screen", which says nothing more than "screen 1".
    assert_eq!(code["source"], "screen 1", "{code}");
    // Found where the window is (the image's margin is 4 modules).
    let left = code["bounds"]["left"].as_i64().expect("left");
    assert!((700..760).contains(&left), "{code}");
}

#[test]
#[ignore = "needs Xvfb, ImageMagick and a Secret Service: run `scripts/dev test`"]
fn scan_reads_two_small_codes_on_a_4k_screen() {
    let mut screen = Screen::start(3840, 2160);
    let data = tempfile::tempdir().expect("data dir");
    let first = "https://example.com/one?ref=sesame-scan-test";
    let second = "https://example.org/two?ref=sesame-scan-test";
    // 3 px modules on a 4K screen: small, as a page at 100 % on a HiDPI monitor shows them.
    screen.show(first, 3, 200, 1500);
    screen.show(second, 3, 3300, 150);
    let json = screen.scan_until(data.path(), 2);
    assert_eq!(texts(&json), vec![first.to_owned(), second.to_owned()]);
}

#[test]
#[ignore = "needs Xvfb, ImageMagick and a Secret Service: run `scripts/dev test`"]
fn scan_reads_a_3_px_code_and_a_2_px_code_far_apart_on_a_4k_screen() {
    // The half-resolution search sees the 3 px code; the 2 px one vanishes at half size and
    // must still be found at full resolution, though a code was already seen elsewhere.
    let mut screen = Screen::start(3840, 2160);
    let data = tempfile::tempdir().expect("data dir");
    // Text, which `scan --json` prints (an account's URI it does not), as long as an account's.
    let larger = "https://example.com/large/ann@example.com?code=JBSWY3DPEHPK3PXP&ref=sesame";
    let smaller = "https://example.org/small/bob@example.org?code=KRSXG5CTMVZWC3LF&ref=sesame";
    screen.show(larger, 3, 2400, 1500);
    screen.show(smaller, 2, 300, 200);
    let json = screen.scan_until(data.path(), 2);
    assert_eq!(texts(&json), vec![larger.to_owned(), smaller.to_owned()]);
    let left_of = |text: &str| {
        json["codes"]
            .as_array()
            .and_then(|codes| codes.iter().find(|c| c["text"] == text))
            .and_then(|c| c["bounds"]["left"].as_i64())
    };
    // Each found where its window is (plus the image's 4-module margin).
    assert!(
        left_of(larger).is_some_and(|l| (2400..2440).contains(&l)),
        "{json}"
    );
    assert!(
        left_of(smaller).is_some_and(|l| (300..330).contains(&l)),
        "{json}"
    );
}

#[test]
#[ignore = "needs Xvfb, ImageMagick and a Secret Service: run `scripts/dev test`"]
fn add_from_screen_stores_the_account_and_its_codes_are_right() {
    let mut screen = Screen::start(1920, 1080);
    let data = tempfile::tempdir().expect("data dir");
    let uri = "otpauth://totp/Screen%20Co:zoe@example.com?secret=KRSXG5CTMVZWC3LFKRSXG5CTMVZWC3LF&issuer=Screen%20Co";
    screen.show(uri, 4, 400, 200);
    screen.scan_until(data.path(), 1);
    let added = screen.sesame(data.path(), &["add", "--from-screen", "--yes"]);
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let stderr = String::from_utf8_lossy(&added.stderr);
    assert!(
        stderr.contains("Screen Co — zoe@example.com (6 digits, every 30 s)"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("KRSXG5CT")
            && !String::from_utf8_lossy(&added.stdout).contains("KRSXG5CT")
    );
    #[allow(clippy::disallowed_methods)] // the code the real binary prints is for real time
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let code = screen.sesame(data.path(), &["code", "zoe", "--json"]);
    let json: Value = serde_json::from_slice(&code.stdout).expect("code JSON");
    let shown = json[0]["code"].as_str().expect("code").to_owned();
    let candidates = [
        independent_totp(b"TestSesameTestSesame", 6, before),
        independent_totp(b"TestSesameTestSesame", 6, before + 30),
    ];
    assert!(candidates.contains(&shown), "{json}");
}

#[test]
#[ignore = "needs Xvfb, ImageMagick and a Secret Service: run `scripts/dev test`"]
fn add_from_image_refuses_bad_files_and_non_accounts_and_stores_nothing() {
    let screen = Screen::start(640, 480);
    let data = tempfile::tempdir().expect("data dir");
    let dir = tempfile::tempdir().expect("temp dir");
    let text_file = dir.path().join("notes.png");
    std::fs::write(&text_file, "hello").expect("write");
    let web = dir.path().join("web.png");
    render(b"https://example.com/not-an-account", 4)
        .save(&web)
        .expect("save");
    let blank = dir.path().join("blank.png");
    image::RgbaImage::from_pixel(300, 300, image::Rgba([255, 255, 255, 255]))
        .save(&blank)
        .expect("save");
    let cases: [(PathBuf, &str); 3] = [
        (text_file, "is not a readable image"),
        (
            web,
            "holds text, not an otpauth:// account: https://example.com/not-an-account",
        ),
        (blank, "No QR code was found"),
    ];
    for (file, message) in cases {
        let output = screen.sesame(
            data.path(),
            &[
                "add",
                "--from-image",
                file.to_str().expect("utf-8 path"),
                "--yes",
            ],
        );
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(message), "{}: {stderr}", file.display());
    }
    let list = screen.sesame(data.path(), &["list", "--json"]);
    assert_eq!(String::from_utf8_lossy(&list.stdout).trim(), "[]");
}

#[test]
#[ignore = "needs Chromium: run `scripts/dev test`"]
fn scan_reads_both_codes_of_chromium_screenshots_at_every_desktop_scale() {
    // An inline SVG code of 2 CSS px modules and a PNG one the browser resamples, screenshot by
    // headless Chromium at 100, 125, 150 and 200 %: anti-aliasing and resampling that are a
    // real browser's, not the generated corpus's.
    let dir = tempfile::tempdir().expect("temp dir");
    let data = tempfile::tempdir().expect("data dir");
    for scale in chromium::SCALES {
        let sample = chromium::screenshot(Path::new("chromium"), scale, 7, dir.path())
            .unwrap_or_else(|e| panic!("at {scale}: {e}"));
        let file = dir.path().join(format!("shot-{scale}.png"));
        sample.image.save(&file).expect("save");
        let output = Command::new(env!("CARGO_BIN_EXE_sesame"))
            .args(["scan", "--json", "--image"])
            .arg(&file)
            .env("SESAME_DATA_DIR", data.path())
            .stdin(Stdio::null())
            .output()
            .expect("run sesame");
        let json: Value = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
        // Accounts are printed by label, never by secret: the two pages' labels.
        let mut names: Vec<&str> = json["codes"]
            .as_array()
            .map(|codes| codes.iter().filter_map(|c| c["name"].as_str()).collect())
            .unwrap_or_default();
        names.sort_unstable();
        assert_eq!(
            names,
            ["user2007@example.com", "user3007@example.com"],
            "at {scale}: {json} {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
