//! QR login end to end with a real browser and a real screen: `sesame-server --demo` on
//! 127.0.0.1, Debian's Chromium in a window on Xvfb (driven by chromedriver), and the `sesame`
//! CLI reading the QR codes off the screen: sign in with password and code, bind Sesame from the
//! account page, then sign in with Sesame (the number read from the page, as the user would
//! type it), and a denial.
//!
//! Marked `ignore`: needs Xvfb, Chromium + chromedriver and a Secret Service, which
//! `scripts/dev test` provides.

#[path = "support/demo_server.rs"]
mod demo_server;
#[path = "support/netns.rs"]
mod netns;
#[path = "support/proxy.rs"]
mod proxy;
mod support;

use std::io::Write as _;
use std::os::unix::process::CommandExt as _;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use demo_server::DemoServer;
use fantoccini::{Client, Locator};

/// The tests share one screen, and each reads codes off it: one at a time.
static SCREEN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

struct Chrome {
    driver: Child,
    client: Client,
    _profile: tempfile::TempDir,
}

impl Chrome {
    /// Chromium in a window at the top left of the screen.
    async fn start() -> Self {
        Self::launch(&["--window-position=0,0", "--window-size=1100,900"], None).await
    }

    /// Chromium with no window at all, for tests that do not read the screen (and so need not
    /// wait their turn for it).
    async fn headless() -> Self {
        Self::launch(&["--headless=new", "--window-size=1100,900"], None).await
    }

    /// A headless Chromium on a test network's `host`, which trusts the CA in the PEM file `ca`
    /// the way a managed desktop would: in its user's NSS database (`certutil`), not by turning
    /// certificate checks off.
    async fn headless_on(host: &netns::Host, ca: &std::path::Path) -> Self {
        Self::launch(
            &["--headless=new", "--window-size=1100,900"],
            Some((host, ca)),
        )
        .await
    }

    async fn launch(window: &[&str], on: Option<(&netns::Host, &std::path::Path)>) -> Self {
        let port = support::free_port();
        let profile = tempfile::tempdir().expect("profile dir");
        let mut driver = match on {
            None => Command::new("chromedriver"),
            Some((host, ca)) => {
                let home = profile.path().join("home");
                let nss = home.join(".pki/nssdb");
                std::fs::create_dir_all(&nss).expect("nss dir");
                let database = format!("sql:{}", nss.display());
                let certutil = |args: &[&str]| {
                    let output = Command::new("certutil")
                        .args(["-d", &database])
                        .args(args)
                        .output()
                        .expect("certutil (libnss3-tools)");
                    assert!(
                        output.status.success(),
                        "certutil {args:?}: {}",
                        String::from_utf8_lossy(&output.stderr)
                    );
                };
                certutil(&["-N", "--empty-password"]);
                let ca = ca.display().to_string();
                certutil(&["-A", "-t", "C,,", "-n", "Sesame test CA", "-i", &ca]);
                let mut driver = host.command("chromedriver");
                // Listening on the host's address, for the test's side of the bridge only.
                driver
                    .arg(format!("--allowed-ips={}", netns::GATEWAY))
                    .env("HOME", &home);
                driver
            }
        };
        driver
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0);
        let driver = driver
            .spawn()
            .expect("chromedriver is installed by scripts/dev");
        let mut args: Vec<String> = [
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ]
        .iter()
        .chain(window)
        .map(|a| (*a).to_owned())
        .collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({ "binary": "/usr/bin/chromium", "args": args }),
        );
        let driver_address = on.map_or(proxy::LOOPBACK, |(host, _)| host.address);
        let client = support::connect_webdriver_at(
            &format!(
                "http://{}",
                std::net::SocketAddr::from((driver_address, port))
            ),
            capabilities,
        )
        .await;
        Self {
            driver,
            client,
            _profile: profile,
        }
    }

    async fn text(&self, css: &str) -> String {
        let element = self
            .client
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"));
        element.text().await.unwrap_or_default()
    }

    async fn wait_for_text(&self, css: &str, wanted: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = self.text(css).await;
            if text.contains(wanted) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{css}: wanted {wanted:?}, saw {text:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Opens `url` and waits for `css` on it; on a busy machine the first load can end on an
    /// error page (the proxy's upstream still starting), so it is opened again until the
    /// deadline, and the failure shows what the browser had instead.
    async fn open_page_with(&self, url: &str, css: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let opened = self.client.goto(url).await;
            let found = self
                .client
                .wait()
                .at_most(Duration::from_secs(5))
                .for_element(Locator::Css(css))
                .await;
            if found.is_ok() {
                return;
            }
            if Instant::now() > deadline {
                let page = self.client.source().await.unwrap_or_default();
                panic!(
                    "{url} never showed {css} (last load: {opened:?}); the page: {}",
                    page.chars().take(600).collect::<String>()
                );
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    async fn fill(&self, css: &str, text: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
            .send_keys(text)
            .await
            .expect("type");
    }

    async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
            .click()
            .await
            .expect("click");
    }

    /// "Sign in with Sesame" in a signed-out browser, once its code is on the screen.
    async fn open_sesame_login(&self, origin: &str) {
        self.client.delete_all_cookies().await.expect("sign out");
        self.open_page_with(&format!("{origin}/login/sesame"), "#status")
            .await;
        self.wait_for_text("#status", "Scan this code").await;
    }

    /// The sign-in code's `sesame://` link, as the page's "Open in Sesame" holds it: the same
    /// payload as the QR code beside it.
    async fn sign_in_link(&self) -> String {
        self.client
            .find(Locator::Css("#open-in-sesame"))
            .await
            .expect("the Open in Sesame link")
            .attr("href")
            .await
            .expect("href")
            .expect("a sesame:// link")
    }

    async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write");
    }
}

impl Drop for Chrome {
    fn drop(&mut self) {
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn sesame(data: &std::path::Path) -> Command {
    let mut command = Command::new(support::cli_binary());
    command.env("SESAME_DATA_DIR", data);
    command
}

/// The `sesame` CLI on a test network's `host`, trusting the test CA through `SSL_CERT_FILE`.
fn sesame_on(host: &netns::Host, data: &std::path::Path, ca: &std::path::Path) -> Command {
    let mut command = host.command(support::cli_binary());
    command
        .env("SESAME_DATA_DIR", data)
        .env("SSL_CERT_FILE", ca);
    command
}

/// Signs the browser in as the demo user with password and code.
async fn sign_in(chrome: &Chrome, server: &DemoServer) {
    chrome
        .open_page_with(&format!("{}/login", server.origin), "#username")
        .await;
    chrome.fill("#username", "demo").await;
    chrome.fill("#password", &server.password).await;
    chrome.fill("#code", &server.code()).await;
    chrome.click("#sign-in button[type=submit]").await;
    chrome
        .wait_for_text("#signed-in", "Signed in as demo")
        .await;
}

/// Signs the browser in with password and code, and binds the Sesame of `data` from the
/// account page, reading the binding QR off the screen.
async fn sign_in_and_bind(chrome: &Chrome, server: &DemoServer, data: &std::path::Path) {
    sign_in(chrome, server).await;
    chrome.click("#bind").await;
    chrome.wait_for_text("#bind-status", "Scan this code").await;
    let bound = sesame(data)
        .args(["bind", "--from-screen", "--name", "CI laptop", "--yes"])
        .output()
        .expect("sesame bind");
    let stdout = String::from_utf8_lossy(&bound.stdout).into_owned();
    assert!(
        bound.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&bound.stderr)
    );
    let pairing = stdout
        .split("finish: ")
        .nth(1)
        .map(str::trim)
        .expect("pairing code")
        .to_owned();
    chrome
        .wait_for_text("#bind-status", "“CI laptop” from 127.0.0.1")
        .await;
    chrome.fill("#pairing-code", &pairing).await;
    chrome.click("#pairing button[type=submit]").await;
    chrome
        .wait_for_text("#bind-status", "Sesame is bound")
        .await;
}

/// With the approval sheet open: the number appears on the page once Sesame has scanned; the
/// user types it into Sesame and approves, and the page signs in.
async fn approve_in_window(app: &support::AppSession, chrome: &Chrome) {
    chrome
        .wait_for_text("#status", "Type this number into Sesame")
        .await;
    let number = chrome.text("#number").await;
    app.fill("#a-number", &number).await;
    app.click("#a-approve").await;
    chrome
        .wait_for_text("#signed-in", "Signed in as demo")
        .await;
    app.assert_no_script_errors().await;
}

#[tokio::test]
#[ignore = "needs Xvfb, Chromium + chromedriver, tauri-driver and a Secret Service: run `scripts/dev test`"]
async fn the_window_reviews_and_approves_a_sign_in_read_off_the_screen() {
    let _screen = SCREEN.lock().await;
    let server = DemoServer::start(&support::app_binary().with_file_name("sesame-server"));
    let chrome = Chrome::start().await;
    let sandbox = support::Sandbox::new();
    sign_in_and_bind(&chrome, &server, sandbox.data.path()).await;
    chrome.open_sesame_login(&server.origin).await;

    let app = support::AppSession::start(&sandbox).await;
    app.find("#empty").await;
    // "Approve sign-in" in the header goes straight to the sheet for the one code on the
    // screen; as a user would, look again if the page was not drawn yet.
    let deadline = Instant::now() + Duration::from_secs(30);
    app.click("#approve-button").await;
    loop {
        let shown = app
            .js("return [document.getElementById('approve-dialog').open,
                         document.getElementById('a-origin').textContent,
                         document.getElementById('signin-dialog').open,
                         document.getElementById('signin-again').disabled,
                         document.getElementById('signin-status').textContent];")
            .await;
        if shown[0] == true && shown[1] == server.origin.as_str() {
            break;
        }
        assert!(Instant::now() < deadline, "no approval sheet: {shown}");
        if shown[2] == true && shown[3] == false {
            app.click("#signin-again").await;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let facts = app
        .js("return document.querySelector('.facts').innerText;")
        .await;
    let facts = facts.as_str().unwrap_or_default().to_owned();
    assert!(facts.contains("demo"), "{facts}");
    // The browser in words first; its raw user agent only behind a disclosure.
    assert!(facts.contains("Chrome on Linux at 127.0.0.1"), "{facts}");
    assert!(
        facts.contains("On this computer's network address"),
        "{facts}"
    );
    app.screenshot_screen("window-approve-sign-in").await;

    approve_in_window(&app, &chrome).await;

    // Settings list the server this device approves for; "Unbind" asks (Keep keeps it), then
    // forgets it and its key.
    app.click("#settings-button").await;
    app.wait_for_texts("#servers li span", &[&format!("{} · demo", server.origin)])
        .await;
    app.click("#servers li button").await;
    app.wait_for_texts(
        "#servers li .confirm-unbind",
        &[&format!(
            "Unbind from {}? Sesame will no longer approve its sign-ins.",
            server.origin
        )],
    )
    .await;
    app.click("#servers li button:not(.danger)").await;
    app.wait_for_texts("#servers li span", &[&format!("{} · demo", server.origin)])
        .await;
    assert!(
        sesame_core::testing::secret_tool_lookup_in("sesame-device", &server.origin).is_some(),
        "Keep keeps the device key"
    );
    app.click("#servers li button").await;
    app.click("#servers li button.danger").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while app
        .js("return document.querySelectorAll('#servers li').length;")
        .await
        != 0
    {
        assert!(Instant::now() < deadline, "the server was not unbound");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        sesame_core::testing::secret_tool_lookup_in("sesame-device", &server.origin),
        None,
        "the device key is deleted from the keyring"
    );
    app.assert_no_script_errors().await;
    app.close().await;
}

#[tokio::test]
#[ignore = "needs Xvfb, Chromium + chromedriver and a Secret Service: run `scripts/dev test`"]
async fn sign_in_with_sesame_from_the_screen_in_a_real_browser() {
    let _screen = SCREEN.lock().await;
    let server = DemoServer::start(&support::app_binary().with_file_name("sesame-server"));
    let chrome = Chrome::start().await;
    let data = tempfile::tempdir().expect("data dir");

    // Password and code, as a user would type them; then "Add Sesame" with the binding QR read
    // off the screen and the pairing code typed into the page.
    sign_in_and_bind(&chrome, &server, data.path()).await;

    // Sign in with Sesame, in a fresh browser state.
    chrome.open_sesame_login(&server.origin).await;
    chrome.screenshot("browser-sesame-qr").await;
    let mut approve = sesame(data.path())
        .args(["approve", "--from-screen"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sesame approve");
    chrome
        .wait_for_text("#status", "Type this number into Sesame")
        .await;
    let number = chrome.text("#number").await;
    assert_eq!(number.len(), 2, "{number:?}");
    chrome.screenshot("browser-sesame-number").await;
    writeln!(approve.stdin.take().expect("stdin"), "{number}").expect("type the number");
    let output = approve.wait_with_output().expect("approve");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("the browser is on this computer's network address"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Chrome/"),
        "the browser's agent is shown: {stdout}"
    );
    chrome
        .wait_for_text("#signed-in", "Signed in as demo")
        .await;

    // Denied: the page says so and stays signed out.
    chrome.open_sesame_login(&server.origin).await;
    let denied = sesame(data.path())
        .args(["approve", "--from-screen", "--deny"])
        .output()
        .expect("deny");
    assert!(
        denied.status.success(),
        "{}",
        String::from_utf8_lossy(&denied.stderr)
    );
    chrome
        .wait_for_text("#status", "This sign-in was denied")
        .await;
    chrome.client.goto(&server.origin).await.expect("open");
    chrome.wait_for_text("h1", "Sign in").await;
    let _ = chrome.client.clone().close().await;
}

#[tokio::test]
#[ignore = "needs Xvfb, Chromium + chromedriver, tauri-driver and a Secret Service: run `scripts/dev test`"]
async fn the_open_in_sesame_link_brings_the_sign_in_to_the_running_window() {
    let _screen = SCREEN.lock().await;
    let server = DemoServer::start(&support::app_binary().with_file_name("sesame-server"));
    let chrome = Chrome::start().await;
    let sandbox = support::Sandbox::new();
    sign_in_and_bind(&chrome, &server, sandbox.data.path()).await;
    chrome.open_sesame_login(&server.origin).await;
    let link = chrome.sign_in_link().await;
    assert!(link.starts_with("sesame://login?"), "{link}");

    let app = support::AppSession::start(&sandbox).await;
    app.find("#empty").await;
    // What the desktop runs for the link (the desktop entry's `sesame-app %u`): a second launch,
    // which hands the link to the running window.
    let opened = Command::new(support::app_binary())
        .arg(&link)
        .env("SESAME_DATA_DIR", sandbox.data.path())
        .status()
        .expect("second launch");
    assert!(opened.success());
    let deadline = Instant::now() + Duration::from_secs(15);
    while app
        .js("return document.getElementById('a-origin').textContent;")
        .await
        != server.origin.as_str()
    {
        assert!(
            Instant::now() < deadline,
            "the link did not open the approval sheet"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    approve_in_window(&app, &chrome).await;
    app.close().await;
}

/// Runs `script` (async, its last argument the callback) in the signed-in page.
async fn in_page(chrome: &Chrome, script: &str, argument: serde_json::Value) -> serde_json::Value {
    chrome
        .client
        .clone()
        .execute_async(script, vec![argument])
        .await
        .expect("script")
}

const OFFER_BINDING: &str = "const done = arguments[arguments.length - 1];
    fetch('/api/bindings', {method: 'POST'}).then(r => r.json()).then(done);";
const TYPE_PAIRING_CODE: &str = "const [id, code] = arguments[0]; const done = arguments[arguments.length - 1];
    fetch(`/api/bindings/${id}/approve`, {method: 'POST', headers: {'content-type': 'application/json'},
        body: JSON.stringify({pairing_code: code})}).then(r => r.json()).then(done);";

/// Binds the Sesame that `sesame` runs (the CLI with its data folder set) to the signed-in
/// account without reading any screen: the page's API offers a binding, `sesame bind --yes`
/// claims it, and the page takes the pairing code.
async fn bind_through_the_page_api(chrome: &Chrome, mut sesame: Command) {
    let offer = in_page(chrome, OFFER_BINDING, serde_json::Value::Null).await;
    let bound = sesame
        .args(["bind", offer["qr_uri"].as_str().expect("qr_uri"), "--yes"])
        .output()
        .expect("bind");
    let stdout = String::from_utf8_lossy(&bound.stdout).into_owned();
    let pairing = stdout
        .split("finish: ")
        .nth(1)
        .map(str::trim)
        .expect("pairing code");
    let approved = in_page(
        chrome,
        TYPE_PAIRING_CODE,
        serde_json::json!([offer["binding_id"], pairing]),
    )
    .await;
    assert_eq!(approved["state"], "active", "{approved}");
}

/// The attack of issue 12 through the window: a binding link opened on a bound Sesame used to
/// bind at once. Now it opens a sheet naming the site, the account and the binding it replaces,
/// and nothing is written until the user presses Bind.
#[tokio::test]
#[ignore = "needs Xvfb, Chromium + chromedriver, tauri-driver and a Secret Service: run `scripts/dev test`"]
async fn a_binding_link_opens_a_consent_sheet_and_binds_only_when_asked() {
    let _screen = SCREEN.lock().await;
    let server = DemoServer::start(&support::app_binary().with_file_name("sesame-server"));
    let chrome = Chrome::headless().await;
    let sandbox = support::Sandbox::new();
    sign_in(&chrome, &server).await;
    bind_through_the_page_api(&chrome, sesame(sandbox.data.path())).await;
    let servers =
        || std::fs::read_to_string(sandbox.data.path().join("servers.json")).expect("servers");
    let before = servers();

    let second = in_page(&chrome, OFFER_BINDING, serde_json::Value::Null).await;
    let link = second["qr_uri"].as_str().expect("qr_uri").to_owned();
    let app = support::AppSession::start(&sandbox).await;
    app.find("#accounts").await;
    let open_link = || {
        let opened = Command::new(support::app_binary())
            .arg(&link)
            .env("SESAME_DATA_DIR", sandbox.data.path())
            .status()
            .expect("second launch");
        assert!(opened.success());
    };
    let sheet_open = || async {
        app.wait_for_js(
            "return document.getElementById('bind-dialog').open;",
            15,
            "the link did not open the binding sheet",
            |open| *open == true,
        )
        .await;
    };
    // The pairing code the sheet shows once Bind is pressed.
    let pairing_code = || async {
        app.wait_for_js(
            "return document.getElementById('b-code').textContent;",
            15,
            "no pairing code shown",
            |code| code.as_str().is_some_and(|c| c.len() == 6),
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
    };
    open_link();
    sheet_open().await;
    assert_eq!(
        app.js("return document.getElementById('b-origin').textContent;")
            .await,
        server.origin.as_str()
    );
    assert_eq!(
        app.js("return document.getElementById('b-account').textContent;")
            .await,
        "demo"
    );
    let replaces = app
        .js("return document.getElementById('b-replaces').textContent;")
        .await;
    assert!(
        replaces.as_str().unwrap_or_default().contains(&format!(
            "This replaces your binding to {} as demo",
            server.origin
        )),
        "{replaces}"
    );
    assert_eq!(servers(), before, "nothing is bound while the sheet asks");
    app.click("#b-cancel").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(servers(), before, "nothing is bound when the user cancels");

    open_link();
    sheet_open().await;
    app.click("#b-bind").await;
    let code = pairing_code().await;
    app.screenshot_screen("binding-sheet-pairing-code").await;
    // The sheet names the site the code is for, and Copy puts the code on the clipboard.
    assert_eq!(
        app.js("return document.getElementById('b-pairing-site').textContent;")
            .await,
        server.origin.as_str()
    );
    app.click("#b-copy").await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while support::clipboard().0 != code {
        assert!(
            Instant::now() < deadline,
            "Copy did not copy the pairing code"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let after: serde_json::Value = serde_json::from_str(&servers()).expect("json");
    assert_eq!(after[0]["account"], "demo");
    assert!(
        after[0]["pending"].is_object(),
        "kept beside the working one: {after}"
    );
    let approved = in_page(
        &chrome,
        TYPE_PAIRING_CODE,
        serde_json::json!([second["binding_id"], code]),
    )
    .await;
    assert_eq!(approved["state"], "active", "{approved}");
    // The page took the code: the sheet closes by itself and says so, and the new binding is the
    // working one at once (not at the next scan).
    app.wait_for_js(
        "return document.getElementById('bind-dialog').open;",
        10,
        "the binding sheet stayed open after the page took the code",
        |open| *open == false,
    )
    .await;
    let toast = app
        .js("return document.getElementById('toast').textContent;")
        .await;
    assert_eq!(
        toast.as_str().unwrap_or_default(),
        format!(
            "Bound to {} as demo: Sesame approves its sign-ins now",
            server.origin
        )
    );
    let promoted: serde_json::Value = serde_json::from_str(&servers()).expect("json");
    assert!(promoted[0]["pending"].is_null(), "{promoted}");
    assert_ne!(
        promoted[0]["device_id"], after[0]["device_id"],
        "{promoted}"
    );
    assert_eq!(promoted[0]["device_id"], after[0]["pending"]["device_id"]);

    // A third binding whose pairing code is typed wrong three times: the sheet says the page
    // gave up, and the working binding stays.
    let third = in_page(&chrome, OFFER_BINDING, serde_json::Value::Null).await;
    let link = third["qr_uri"].as_str().expect("qr_uri").to_owned();
    let opened = Command::new(support::app_binary())
        .arg(&link)
        .env("SESAME_DATA_DIR", sandbox.data.path())
        .status()
        .expect("third launch");
    assert!(opened.success());
    sheet_open().await;
    app.click("#b-bind").await;
    let code = pairing_code().await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..3 {
        in_page(
            &chrome,
            TYPE_PAIRING_CODE,
            serde_json::json!([third["binding_id"], wrong]),
        )
        .await;
    }
    app.wait_for_js(
        "return document.getElementById('bind-error').textContent;",
        10,
        "the sheet did not say the page cancelled the binding",
        |error| {
            error
                .as_str()
                .is_some_and(|e| e.starts_with("The page cancelled this binding"))
        },
    )
    .await;
    assert_eq!(
        app.js("return document.getElementById('b-pairing').hidden;")
            .await,
        true,
        "a cancelled pairing code is no longer shown"
    );
    let kept: serde_json::Value = serde_json::from_str(&servers()).expect("json");
    assert_eq!(kept[0]["device_id"], promoted[0]["device_id"], "{kept}");
    assert!(
        kept[0]["pending"].is_null(),
        "the cancelled claim is dropped: {kept}"
    );
    app.assert_no_script_errors().await;
    app.close().await;
    let _ = chrome.client.clone().close().await;
}

#[tokio::test]
#[ignore = "needs Chromium + chromedriver and a Secret Service: run `scripts/dev test`"]
async fn an_expired_code_is_refused_and_the_page_shows_a_new_one() {
    // Reads no screen: headless, and alongside the others.
    let server = DemoServer::start(&support::app_binary().with_file_name("sesame-server"));
    let chrome = Chrome::headless().await;
    let data = tempfile::tempdir().expect("data dir");
    sign_in(&chrome, &server).await;
    // Bound with the binding code's URI, which the signed-in page gets from the API (nothing is
    // read off a screen here).
    bind_through_the_page_api(&chrome, sesame(data.path())).await;
    chrome.client.delete_all_cookies().await.expect("sign out");

    chrome
        .client
        .goto(&format!("{}/login/sesame", server.origin))
        .await
        .expect("open");
    chrome.wait_for_text("#status", "Scan this code").await;
    let first = chrome.sign_in_link().await;
    // A login code lives 60 s; the page then shows a new one by itself.
    tokio::time::sleep(Duration::from_secs(62)).await;
    let renewed = chrome.sign_in_link().await;
    assert_ne!(first, renewed, "the page renews an expired code");
    chrome.wait_for_text("#status", "Scan this code").await;

    // Sesame refuses the old code before any network call, and says what to do.
    let output = sesame(data.path())
        .args(["approve", &first, "--number", "42"])
        .output()
        .expect("approve");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("this QR code has expired: reload the sign-in page for a new one"),
        "{stderr}"
    );
    let _ = chrome.client.clone().close().await;
}

/// Issue 13, the devices and sign-ins page in a real browser: the account lists the bound
/// device and the sign-in; Revoke, pressed from the keyboard and confirmed, marks it revoked;
/// and the revoked Sesame, asked to approve a sign-in, says the server revoked it.
#[tokio::test]
#[ignore = "needs Chromium + chromedriver and a Secret Service: run `scripts/dev test`"]
async fn the_account_page_lists_devices_and_sign_ins_and_revokes_from_the_keyboard() {
    // Reads no screen: headless, and alongside the others.
    let server = DemoServer::start(&support::app_binary().with_file_name("sesame-server"));
    let chrome = Chrome::headless().await;
    let data = tempfile::tempdir().expect("data dir");
    sign_in(&chrome, &server).await;
    bind_through_the_page_api(&chrome, sesame(data.path())).await;
    chrome.client.refresh().await.expect("reload");
    chrome.wait_for_text("#devices tbody", "never").await;
    chrome
        .wait_for_text("#sign-ins tbody", "password and code")
        .await;
    chrome.wait_for_text("#sign-ins tbody", "127.0.0.1").await;

    let revoke = chrome
        .client
        .find(Locator::Css("#devices button.revoke"))
        .await
        .expect("a Revoke button");
    revoke.send_keys("\u{e007}").await.expect("Enter on Revoke");
    let question = chrome.client.get_alert_text().await.expect("it asks first");
    assert!(question.starts_with("Revoke "), "{question}");
    chrome.client.accept_alert().await.expect("confirm");
    chrome.wait_for_text("#devices tbody", "Revoked").await;
    chrome.screenshot("server-devices").await;

    chrome.client.delete_all_cookies().await.expect("sign out");
    chrome
        .client
        .goto(&format!("{}/login/sesame", server.origin))
        .await
        .expect("open");
    chrome.wait_for_text("#status", "Scan this code").await;
    let code = chrome.sign_in_link().await;
    let output = sesame(data.path())
        .args(["approve", &code, "--number", "42"])
        .output()
        .expect("approve");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("revoked this device"), "{stderr}");
    let _ = chrome.client.clone().close().await;
}

/// Issue 13, several instances: a browser waits on "Sign in with Sesame" behind nginx and two
/// instances on one PostgreSQL database; one instance is killed while it waits; Sesame scans
/// and approves through the proxy, and the browser still signs in (its poll asked again, and
/// answered by the instance that stayed).
#[tokio::test]
#[ignore = "needs Chromium + chromedriver, a Secret Service, PostgreSQL and nginx: run `scripts/dev test`"]
async fn a_browser_waiting_on_an_instance_that_dies_still_signs_in() {
    let pg = std::env::var("SESAME_TEST_POSTGRES")
        .expect("SESAME_TEST_POSTGRES names no PostgreSQL server: run `scripts/dev test`");
    let db = proxy::new_postgres_database(&pg, "failover");
    let dir = tempfile::tempdir().expect("dir");
    let key = dir.path().join("signing.key").display().to_string();
    let (port, first, second) = (proxy::free_port(), proxy::free_port(), proxy::free_port());
    let origin = format!("http://127.0.0.1:{port}");
    let shared = ["--db", &db, "--key", &key, "--trusted-proxy", "127.0.0.1"];
    let binary = support::app_binary().with_file_name("sesame-server");
    let doomed = DemoServer::start_instance(&binary, first, &origin, &shared);
    // Started second with --demo too: its demo password and code are the ones in force.
    let server = DemoServer::start_instance(&binary, second, &origin, &shared);
    let nginx_dir = tempfile::tempdir().expect("nginx dir");
    let _nginx = proxy::Nginx::start(
        nginx_dir.path(),
        (proxy::LOOPBACK, port),
        &[first, second],
        None,
    );

    let chrome = Chrome::headless().await;
    let data = tempfile::tempdir().expect("data dir");
    sign_in(&chrome, &server).await;
    bind_through_the_page_api(&chrome, sesame(data.path())).await;
    chrome.open_sesame_login(&origin).await;
    let code = chrome.sign_in_link().await;
    // The page is waiting on one of the two; one of them dies.
    drop(doomed);

    let mut approve = sesame(data.path())
        .args(["approve", &code])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sesame approve");
    chrome
        .wait_for_text("#status", "Type this number into Sesame")
        .await;
    let number = chrome.text("#number").await;
    writeln!(approve.stdin.take().expect("stdin"), "{number}").expect("type the number");
    let output = approve.wait_with_output().expect("approve");
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    chrome
        .wait_for_text("#signed-in", "Signed in as demo")
        .await;
    let _ = chrome.client.clone().close().await;
}

/// The relay attack on a real network: an "office" host (the victim's Chromium and Sesame) and
/// an "attacker" host (a second Chromium), each in a network namespace of its own, both reaching
/// nginx (TLS, the test's CA) in front of two instances on one PostgreSQL. The attacker's code,
/// relayed to the victim's Sesame, is refused by the address rule through the proxy; the
/// victim's own sign-in goes through, and still does when the instance its page waits on dies.
#[tokio::test]
#[ignore = "needs root (network namespaces), Chromium + chromedriver, a Secret Service, PostgreSQL and nginx: run `scripts/dev test`"]
async fn through_a_proxy_on_a_real_network_a_relayed_code_is_refused_and_the_office_signs_in() {
    let pg = std::env::var("SESAME_TEST_POSTGRES")
        .expect("SESAME_TEST_POSTGRES names no PostgreSQL server: run `scripts/dev test`");
    let mut network = netns::TestNetwork::new();
    let office = network.host("office", 10);
    let attacker = network.host("attacker", 20);

    let dir = tempfile::tempdir().expect("dir");
    let gateway = netns::GATEWAY.to_string();
    let (ca, cert, key) = proxy::test_certificates(dir.path(), &[&gateway]);
    let db = proxy::new_postgres_database(&pg, "netns");
    let (port, first, second) = (proxy::free_port(), proxy::free_port(), proxy::free_port());
    let origin = format!("https://{gateway}:{port}");
    let signing_key = dir.path().join("signing.key").display().to_string();
    let shared = [
        "--db",
        &db,
        "--key",
        &signing_key,
        "--trusted-proxy",
        "127.0.0.1",
    ];
    let binary = support::app_binary().with_file_name("sesame-server");
    let doomed = DemoServer::start_instance(&binary, first, &origin, &shared);
    // Started second with --demo too: its demo password and code are the ones in force.
    let server = DemoServer::start_instance(&binary, second, &origin, &shared);
    let nginx_dir = tempfile::tempdir().expect("nginx dir");
    let tls = Some((cert.as_path(), key.as_path()));
    let _nginx = proxy::Nginx::start(
        nginx_dir.path(),
        (netns::GATEWAY, port),
        &[first, second],
        tls,
    );

    // The victim signs in with password and code at the office and binds Sesame there.
    let victim = Chrome::headless_on(&office, &ca).await;
    let data = tempfile::tempdir().expect("data dir");
    sign_in(&victim, &server).await;
    bind_through_the_page_api(&victim, sesame_on(&office, data.path(), &ca)).await;

    // The attacker opens "Sign in with Sesame" on their own host and relays its code to the
    // victim, whose Sesame approves it (the number given, as a fooled user would).
    let relay = Chrome::headless_on(&attacker, &ca).await;
    relay.open_sesame_login(&origin).await;
    let relayed = relay.sign_in_link().await;
    let output = sesame_on(&office, data.path(), &ca)
        .args(["approve", &relayed, "--number", "42"])
        .stdin(Stdio::null())
        .output()
        .expect("sesame approve");
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success(),
        "a relayed code was approved: {said}"
    );
    assert!(
        said.contains("started from another network address"),
        "{said}"
    );
    relay
        .wait_for_text("#status", "This sign-in was denied")
        .await;
    relay
        .client
        .get_named_cookie("__Host-sesame-session")
        .await
        .expect_err("the attacker's browser holds no session");

    // The victim's own sign-in, from the office, while one of the two instances dies.
    victim.open_sesame_login(&origin).await;
    let code = victim.sign_in_link().await;
    drop(doomed);
    let mut approve = sesame_on(&office, data.path(), &ca)
        .args(["approve", &code])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sesame approve");
    victim
        .wait_for_text("#status", "Type this number into Sesame")
        .await;
    let number = victim.text("#number").await;
    writeln!(approve.stdin.take().expect("stdin"), "{number}").expect("type the number");
    let output = approve.wait_with_output().expect("approve");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{said}");
    assert!(
        said.contains("the browser is on this computer's network address"),
        "{said}"
    );
    victim
        .wait_for_text("#signed-in", "Signed in as demo")
        .await;
    for chrome in [victim, relay] {
        let _ = chrome.client.clone().close().await;
    }
}
