//! Shared harness for the end-to-end suites: a private data dir, the CLI binary beside the app
//! binary, and an app session through tauri-driver.

#![allow(dead_code)] // each suite uses a different part of the harness

use std::net::TcpListener;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
#[allow(unused_imports)] // as above: the benchmark includes this harness without these
pub use sesame_core::testing::{independent_totp, secret_tool_lookup};

/// The app binary Cargo built for these tests.
pub fn app_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_sesame-app"))
}

/// The tray program, built beside the app by `cargo build --workspace` (scripts/dev test).
pub fn tray_binary() -> PathBuf {
    let path = app_binary().with_file_name("sesame-tray");
    assert!(
        path.exists(),
        "{} is missing: build it with `cargo build -p sesame-tray`",
        path.display()
    );
    path
}

/// The `sesame` CLI, built beside the app by `cargo test --workspace`.
pub fn cli_binary() -> PathBuf {
    let path = app_binary().with_file_name("sesame");
    assert!(
        path.exists(),
        "{} is missing: build it with `cargo build -p sesame-cli`",
        path.display()
    );
    path
}

/// Seconds since the epoch, for comparing codes.
#[allow(clippy::disallowed_methods)] // the real programs under test use real time
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs()
}

/// A private data dir shared by the CLI and the app of one test.
pub struct Sandbox {
    pub data: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        Self {
            data: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn cli_ok(&self, args: &[&str]) -> String {
        let output = Command::new(cli_binary())
            .args(args)
            .env("SESAME_DATA_DIR", self.data.path())
            .stdin(Stdio::null())
            .output()
            .expect("run sesame");
        assert!(
            output.status.success(),
            "sesame {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }
}

impl Sandbox {
    /// The process id of the tray serving this vault, if one is running.
    pub fn tray_pid(&self) -> Option<u32> {
        let text = std::fs::read_to_string(self.data.path().join("tray.lock")).ok()?;
        let pid: u32 = text.trim().parse().ok()?;
        let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
        (name.trim() == "sesame-tray").then_some(pid)
    }

    /// `sesame list --json`, as (issuer, name, id) in display order.
    pub fn listed(&self) -> Vec<(String, String, String)> {
        let json: serde_json::Value =
            serde_json::from_str(&self.cli_ok(&["list", "--json"])).expect("JSON");
        json.as_array()
            .expect("array")
            .iter()
            .map(|a| {
                let field = |k: &str| a[k].as_str().expect("string").to_owned();
                (field("issuer"), field("name"), field("id"))
            })
            .collect()
    }
}

// The app starts a tray for the sandbox's vault, in a process group of its own: stop it with
// the sandbox, or every test would leave one behind.
impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(pid) = self.tray_pid() {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
    }
}

/// The clipboard's text and its targets, read with xclip as another application would.
pub fn clipboard() -> (String, String) {
    let read = |args: &[&str]| {
        let output = Command::new("xclip")
            .args(["-o", "-selection", "clipboard"])
            .args(args)
            .output()
            .expect("xclip is installed by scripts/dev");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    (read(&[]), read(&["-t", "TARGETS"]))
}

/// Every process below `root` (not `root` itself), with its command name.
pub fn process_tree(root: u32) -> Vec<(u32, String)> {
    let mut parent_of = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("proc").flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        // The fields after the ")" closing the command name: state, ppid, ...
        let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
        if let Some(ppid) = after
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse::<u32>().ok())
        {
            let name = std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
            parent_of.push((pid, ppid, name.trim().to_owned()));
        }
    }
    let mut tree = Vec::new();
    let mut frontier = vec![root];
    while let Some(parent) = frontier.pop() {
        for (pid, ppid, name) in &parent_of {
            if *ppid == parent {
                tree.push((*pid, name.clone()));
                frontier.push(*pid);
            }
        }
    }
    tree
}

/// A WebDriver session on the driver listening on `port`, retried while the driver starts.
pub async fn connect_webdriver(
    port: u16,
    capabilities: serde_json::Map<String, serde_json::Value>,
) -> Client {
    connect_webdriver_at(&format!("http://127.0.0.1:{port}"), capabilities).await
}

/// A WebDriver session with the driver at `url`, waiting up to 30 s for it to answer.
pub async fn connect_webdriver_at(
    url: &str,
    capabilities: serde_json::Map<String, serde_json::Value>,
) -> Client {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match ClientBuilder::rustls()
            .expect("TLS roots")
            .capabilities(capabilities.clone())
            .connect(url)
            .await
        {
            Ok(client) => return client,
            Err(error) if Instant::now() > deadline => panic!("no WebDriver session: {error}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn tauri_driver() -> PathBuf {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
        .expect("CARGO_HOME or HOME");
    let installed = cargo_home.join("bin/tauri-driver");
    if installed.exists() {
        installed
    } else {
        PathBuf::from("tauri-driver")
    }
}

/// The app running under tauri-driver, with a WebDriver client attached.
pub struct AppSession {
    driver: std::process::Child,
    pub client: Client,
}

impl AppSession {
    /// Starts the app with the sandbox's data dir.
    pub async fn start(sandbox: &Sandbox) -> Self {
        Self::start_with_env(sandbox, &[]).await
    }

    /// Starts another Tauri binary (the benchmark's empty window) the same way.
    pub async fn start_application(sandbox: &Sandbox, application: &Path) -> Self {
        Self::launch(sandbox, application, &[]).await
    }

    /// The tauri-driver process, parent of everything the session started.
    pub fn driver_pid(&self) -> u32 {
        self.driver.id()
    }

    /// Starts the app with extra environment variables (for the app process).
    pub async fn start_with_env(sandbox: &Sandbox, env: &[(&str, &str)]) -> Self {
        let session = Self::launch(sandbox, &app_binary(), env).await;
        session.wait_until_ready().await;
        session
    }

    /// Waits until the page has wired its controls and drawn its first list (app.js marks the
    /// document): the static HTML is there earlier, and a click on it then would be lost.
    async fn wait_until_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while self
            .js("return document.documentElement.dataset.ready === 'true';")
            .await
            != serde_json::json!(true)
        {
            assert!(
                Instant::now() < deadline,
                "the window did not finish loading in 30 s"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn launch(sandbox: &Sandbox, application: &Path, env: &[(&str, &str)]) -> Self {
        let (port, native_port) = (free_port(), free_port());
        let mut command = Command::new(tauri_driver());
        command
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env("SESAME_DATA_DIR", sandbox.data.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group, so the driver, WebKitWebDriver and the app stop together.
            .process_group(0);
        for (name, value) in env {
            command.env(name, value);
        }
        let driver = command
            .spawn()
            .expect("tauri-driver is installed by scripts/dev test");
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), "wry".into());
        capabilities.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": application }),
        );
        let client = connect_webdriver(port, capabilities).await;
        Self { driver, client }
    }

    /// Polls until `count` elements match `css`, and returns them.
    pub async fn wait_for_count(&self, css: &str, count: usize) -> Vec<Element> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let found = self.client.find_all(Locator::Css(css)).await.expect("find");
            if found.len() == count {
                return found;
            }
            assert!(
                Instant::now() < deadline,
                "expected {count} × {css}, found {}",
                found.len()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The element's rendered text as a user reads it (`innerText`). Asked through a script:
    /// WebKitWebDriver's own text endpoint answers "" for a window that has no window manager.
    pub async fn visible_text(&self, element: &Element) -> String {
        let argument = serde_json::to_value(element).expect("element reference");
        let value = self
            .client
            .execute("return arguments[0].innerText;", vec![argument])
            .await
            .expect("innerText");
        value.as_str().unwrap_or_default().to_owned()
    }

    /// The first element matching `css`, waiting for it to appear.
    pub async fn find(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
    }

    /// Clicks the first element matching `css`.
    pub async fn click(&self, css: &str) {
        self.find(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Moves the real pointer (WebDriver's input actions) over the middle of `css`.
    pub async fn hover(&self, css: &str) {
        use fantoccini::actions::{InputSource as _, MouseActions, PointerAction};
        let element = self.find(css).await;
        let moves = MouseActions::new("mouse".into()).then(PointerAction::MoveToElement {
            element,
            duration: None,
            x: 0.0,
            y: 0.0,
        });
        self.client
            .perform_actions(moves)
            .await
            .unwrap_or_else(|e| panic!("hover {css}: {e}"));
    }

    /// Ctrl+0 (the text back to its normal size), then waits for `script` to return `value`.
    pub async fn send_ctrl_zero_then_wait_for(&self, script: &str, value: &str) {
        self.client
            .active_element()
            .await
            .expect("focus")
            .send_keys("\u{E009}0")
            .await
            .expect("ctrl+0");
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.js(script).await != value {
            assert!(Instant::now() < deadline, "{script} never gave {value}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Types into the field matching `css`, replacing what it held.
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.expect("clear");
        if text.is_empty() {
            return;
        }
        field
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    /// Runs a script in the page and returns its value.
    pub async fn js(&self, script: &str) -> serde_json::Value {
        self.client.execute(script, vec![]).await.expect("script")
    }

    /// The rendered text of every visible element matching `css`.
    pub async fn visible_texts(&self, css: &str) -> Vec<String> {
        let script = format!(
            "return [...document.querySelectorAll({css:?})].filter(e => e.offsetParent !== null).map(e => e.innerText);"
        );
        serde_json::from_value(self.js(&script).await).expect("strings")
    }

    /// Polls until the visible texts of `css` equal `expected`.
    /// Polls `script` until it returns a value `done` accepts (within `seconds`), and returns
    /// that value; `what` names what was awaited if it never comes.
    pub async fn wait_for_js(
        &self,
        script: &str,
        seconds: u64,
        what: &str,
        done: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        loop {
            let value = self.js(script).await;
            if done(&value) {
                return value;
            }
            assert!(Instant::now() < deadline, "{what} (last: {value})");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn wait_for_texts(&self, css: &str, expected: &[&str]) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let texts = self.visible_texts(css).await;
            if texts == expected {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{css}: expected {expected:?}, saw {texts:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Fails on any error the page's scripts raised or logged.
    pub async fn assert_no_script_errors(&self) {
        let errors = self
            .js("return window.__sesameErrors || ['diagnostics.js did not load'];")
            .await;
        assert_eq!(
            errors,
            serde_json::json!([]),
            "JavaScript errors in the window"
        );
    }

    /// Saves a screenshot under target/screenshots/NAME.png.
    pub async fn screenshot(&self, name: &str) {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
    }

    /// Saves the whole X screen under target/screenshots/NAME.png with ImageMagick: WebDriver's
    /// screenshots leave out `<dialog>` content (the top layer).
    pub async fn screenshot_screen(&self, name: &str) {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        let status = Command::new("import")
            .args(["-window", "root"])
            .arg(dir.join(format!("{name}.png")))
            .status()
            .expect("ImageMagick's import");
        assert!(status.success(), "import failed");
    }

    /// Ends the WebDriver session (which closes the app); the driver stops on drop.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

// A failing assertion must not leave tauri-driver (and the app) running.
impl Drop for AppSession {
    fn drop(&mut self) {
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
