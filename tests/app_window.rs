//! The real app binary in a real WebView, driven through tauri-driver and WebKitWebDriver on
//! Xvfb, with the real Secret Service. `ignore`d unless run by `scripts/dev test`.

mod support;

use std::os::unix::process::CommandExt as _;
use std::time::{Duration, Instant};

use fantoccini::Locator;
use support::{
    AppSession, Sandbox, clipboard, independent_totp, process_tree, secret_tool_lookup,
    tray_binary, unix_now,
};

/// Held by the tests that put codes on the screen and read it, so none reads another's codes.
static SCREEN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Held by the tests that copy codes: the tests of this file run in parallel on one display,
/// which has one clipboard, and a row clicked in one test would replace the code another test
/// is checking (or waiting to see cleared).
static CLIPBOARD: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const NEEDS: &str = "needs Xvfb, a Secret Service and tauri-driver: run `scripts/dev test`";

#[tokio::test]
#[ignore = "needs Xvfb, a Secret Service and tauri-driver: run `scripts/dev test`"]
async fn the_window_lists_the_accounts_the_cli_added() {
    let sandbox = Sandbox::new();
    sandbox.cli_ok(&["add", "otpauth://totp/GitHub:alice@example.com?secret=KRSXG5CTMVZWC3LFKRSXG5CTMVZWC3LF&issuer=GitHub"]);
    sandbox.cli_ok(&[
        "add",
        "otpauth://hotp/Bank:bob?secret=GEZDGNBVGY3TQOJQ&counter=0",
    ]);

    let app = AppSession::start(&sandbox).await;
    app.wait_for_texts(".account .issuer", &["GitHub", "Bank"])
        .await;

    // The code shown is the one totp-rs computes for the same instant (read inside one step).
    let rows = app.wait_for_count(".account", 2).await;
    let code_cell = rows[0].find(Locator::Css(".code")).await.expect("code");
    let mut matched = false;
    for _ in 0..3 {
        let before = unix_now();
        let shown = app.visible_text(&code_cell).await.replace(' ', "");
        let after = unix_now();
        if before / 30 != after / 30 || !shown.chars().all(|c| c.is_ascii_digit()) {
            tokio::time::sleep(Duration::from_millis(500)).await;
            continue;
        }
        assert_eq!(shown, independent_totp(b"TestSesameTestSesame", 6, before));
        matched = true;
        break;
    }
    assert!(matched, "no stable code was shown");

    // GitHub shows its brand mark (simple-icons); an issuer no brand matches, its initials. Both
    // as painted: the mark's fill and the initials' colour against their tile, at 4.5:1 or more.
    let avatars = app
        .js(r#"
        const rgb = (text) => text.match(/[\d.]+/g).slice(0, 3).map(Number);
        const lum = ([r, g, b]) => [r, g, b].map((v) => v / 255)
          .map((c) => c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)
          .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
        const ratio = (a, b) => { const [x, y] = [lum(rgb(a)), lum(rgb(b))].sort((p, q) => q - p);
          return (x + 0.05) / (y + 0.05); };
        return [...document.querySelectorAll('.account .avatar')].map((avatar) => {
          const path = avatar.querySelector('svg path');
          const ink = path ? getComputedStyle(path).fill : getComputedStyle(avatar).color;
          const box = (path || avatar).getBoundingClientRect();
          return { brand: avatar.dataset.brand || null, mark: !!path, text: avatar.textContent,
                   contrast: ratio(ink, getComputedStyle(avatar).backgroundColor),
                   drawn: box.width > 10 && box.height > 10 };
        });"#)
        .await;
    let avatars = avatars.as_array().expect("avatars");
    assert_eq!(avatars[0]["brand"], "GitHub", "{avatars:?}");
    assert_eq!(avatars[0]["mark"], true, "{avatars:?}");
    assert_eq!(avatars[1]["brand"], serde_json::Value::Null, "{avatars:?}");
    assert_eq!(avatars[1]["mark"], false, "{avatars:?}");
    assert_eq!(avatars[1]["text"], "B", "{avatars:?}");
    for avatar in avatars {
        assert_eq!(avatar["drawn"], true, "{avatar}");
        assert!(
            avatar["contrast"].as_f64().unwrap_or(0.0) >= 4.5,
            "{avatar}"
        );
    }
    app.screenshot("window-list").await;
    app.assert_no_script_errors().await;
    app.close().await;
}

#[tokio::test]
#[ignore = "needs Xvfb, a Secret Service and tauri-driver: run `scripts/dev test`"]
async fn add_search_edit_reorder_and_remove_through_the_window() {
    let _clipboard = CLIPBOARD.lock().await;
    let sandbox = Sandbox::new();
    let app = AppSession::start(&sandbox).await;
    app.find("#empty").await;
    // The empty window offers the three ways in, not a sentence.
    app.wait_for_texts("#empty button", &["Scan screen", "Import…", "Paste URI"])
        .await;
    app.screenshot("window-empty").await;

    // Add opens on Scan; add by URI.
    app.click("#add-button").await;
    let opened_on = app
        .js("return document.getElementById('tab-scan').getAttribute('aria-selected');")
        .await;
    assert_eq!(opened_on, "true", "Add opens on Scan");
    app.click("#tab-uri").await;
    app.fill(
        "#add-uri",
        "otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP&issuer=GitHub",
    )
    .await;
    app.screenshot("window-add-uri").await;
    app.click("#add-submit").await;
    app.wait_for_texts(".account .issuer", &["GitHub"]).await;

    // A bad URI is refused in the dialog, with the field named, and nothing is stored.
    app.click("#add-button").await;
    app.click("#tab-uri").await;
    app.fill("#add-uri", "otpauth://totp/Bad:x?secret=JBSW1Y3DP")
        .await;
    app.click("#add-submit").await;
    let error = app.find("#add-error").await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while app.visible_text(&error).await.is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let message = app.visible_text(&error).await;
    assert!(
        message.contains("secret") && message.contains("'1' at position 5"),
        "{message}"
    );
    app.screenshot("window-add-error").await;

    // Add by form.
    app.click("#tab-form").await;
    app.fill("#f-issuer", "Mail").await;
    app.fill("#f-name", "alice@mail.example").await;
    app.fill("#f-secret", "gezd gnbv gy3t qojq").await;
    app.fill("#f-digits", "8").await;
    app.click("#add-submit").await;
    app.wait_for_texts(".account .issuer", &["GitHub", "Mail"])
        .await;
    let listed = sandbox.listed();
    assert_eq!(listed.len(), 2);
    assert_eq!(
        secret_tool_lookup(&listed[1].2).as_deref(),
        Some("GEZDGNBVGY3TQOJQ"),
        "{NEEDS}"
    );

    // Search hides what does not match; Escape clears it.
    app.fill("#search", "ml").await;
    app.wait_for_texts(".account .issuer", &["Mail"]).await;
    app.fill("#search", "zzz").await;
    app.find("#no-match").await;
    app.wait_for_texts(".account .issuer", &[]).await;
    app.find("#search")
        .await
        .send_keys("\u{e00c}")
        .await
        .expect("escape");
    app.wait_for_texts(".account .issuer", &["GitHub", "Mail"])
        .await;

    // Edit.
    app.hover(".account:nth-child(2) .label").await;
    app.screenshot("window-row-hover-actions").await;
    app.click(".account:nth-child(2) .action-edit").await;
    app.fill("#e-issuer", "Post").await;
    app.click("#edit-form button[type=submit]").await;
    app.wait_for_texts(".account .issuer", &["GitHub", "Post"])
        .await;
    assert_eq!(
        sandbox.listed()[1].0,
        "Post",
        "the CLI sees the window's edit"
    );

    // Reorder.
    app.hover(".account:nth-child(2) .label").await;
    app.click(".account:nth-child(2) .action-up").await;
    app.wait_for_texts(".account .issuer", &["Post", "GitHub"])
        .await;
    assert_eq!(sandbox.listed()[0].0, "Post");

    // Remove, after confirming: gone from the list at once, the secret kept while Undo is
    // offered; Undo puts it back.
    let github_id = sandbox.listed()[1].2.clone();
    app.hover(".account:nth-child(2) .label").await;
    app.click(".account:nth-child(2) .action-remove").await;
    app.screenshot("window-remove-confirm").await;
    app.click("#remove-confirm").await;
    app.wait_for_texts(".account .issuer", &["Post"]).await;
    app.wait_for_texts("#toast span", &["Removed GitHub — alice"])
        .await;
    assert!(
        secret_tool_lookup(&github_id).is_some(),
        "the secret stays while the removal can be undone"
    );
    app.screenshot("window-remove-undo").await;
    app.click("#toast .toast-action").await;
    app.wait_for_texts(".account .issuer", &["Post", "GitHub"])
        .await;
    assert_eq!(sandbox.listed().len(), 2);

    // By keyboard: Delete, confirm, Ctrl+Z.
    let remove_by_keyboard = async || {
        app.click(".account:nth-child(2) .issuer").await;
        app.client
            .active_element()
            .await
            .expect("focus")
            .send_keys("\u{E017}")
            .await
            .expect("delete");
        app.click("#remove-confirm").await;
        app.wait_for_texts(".account .issuer", &["Post"]).await;
    };
    remove_by_keyboard().await;
    app.client
        .active_element()
        .await
        .expect("focus")
        .send_keys("\u{E009}z")
        .await
        .expect("ctrl+z");
    app.wait_for_texts(".account .issuer", &["Post", "GitHub"])
        .await;

    // Removed again and left: once the undo time has passed it is gone for good.
    remove_by_keyboard().await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while secret_tool_lookup(&github_id).is_some() {
        assert!(Instant::now() < deadline, "the secret was not removed");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(sandbox.listed().len(), 1);

    // A change made with the CLI shows when the window is focused again.
    sandbox.cli_ok(&["add", "otpauth://totp/Cli:carol?secret=MFRGGZDFMZTWQ2LK"]);
    app.js("window.dispatchEvent(new Event('focus'));").await;
    app.wait_for_texts(".account .issuer", &["Post", "Cli"])
        .await;
    app.assert_no_script_errors().await;
    app.close().await;
}

#[tokio::test]
#[ignore = "needs Xvfb, a Secret Service and tauri-driver: run `scripts/dev test`"]
async fn copying_puts_the_code_on_the_clipboard_marked_secret_then_clears_it() {
    let _clipboard = CLIPBOARD.lock().await;
    let sandbox = Sandbox::new();
    sandbox.cli_ok(&[
        "add",
        "otpauth://totp/Copy:dan?secret=KRSXG5CTMVZWC3LFKRSXG5CTMVZWC3LF",
    ]);
    sandbox.cli_ok(&[
        "add",
        "otpauth://hotp/Counter:dan?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=0",
    ]);
    let app = AppSession::start(&sandbox).await;
    app.wait_for_texts(".account .issuer", &["Copy", "Counter"])
        .await;

    // The settings dialog refuses a delay out of range and saves a valid one.
    app.click("#settings-button").await;
    app.fill("#s-clear", "1").await;
    app.click("#settings-form button[type=submit]").await;
    app.wait_for_texts(
        "#settings-error",
        &["The clipboard delay must be between 5 and 300 seconds, not 1."],
    )
    .await;
    app.screenshot_screen("window-settings").await;
    app.fill("#s-clear", "5").await;
    app.click("#settings-form button[type=submit]").await;
    let deadline = Instant::now() + Duration::from_secs(5);
    let settings = sandbox.data.path().join("settings.toml");
    while !std::fs::read_to_string(&settings)
        .is_ok_and(|s| s.contains("clipboard_clear_seconds = 5"))
    {
        assert!(Instant::now() < deadline, "the settings were not saved");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The file is written before the command returns and the window shows its toast.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let toast = app
            .js("return document.getElementById('toast').textContent;")
            .await;
        if toast == "Settings saved" {
            break;
        }
        assert!(Instant::now() < deadline, "the toast read {toast:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Keyboard: type to search, Enter copies the selected account's code.
    app.fill("#search", "copy").await;
    let before = unix_now();
    app.find("#search")
        .await
        .send_keys("\u{e007}")
        .await
        .expect("enter");
    let deadline = Instant::now() + Duration::from_secs(5);
    let (mut text, mut targets) = clipboard();
    while text.is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        (text, targets) = clipboard();
    }
    // The current code, or the next one when fewer than 5 s were left.
    let candidates = [
        independent_totp(b"TestSesameTestSesame", 6, before),
        independent_totp(b"TestSesameTestSesame", 6, before + 30),
    ];
    assert!(candidates.contains(&text), "clipboard held {text:?}");
    assert!(
        targets.contains("x-kde-passwordManagerHint"),
        "targets: {targets}"
    );
    let toast = app
        .js("return document.getElementById('toast').textContent;")
        .await;
    assert!(
        toast.as_str().is_some_and(|t| t.starts_with("Copied Copy")),
        "the toast names the account: {toast}"
    );
    app.screenshot("window-copied").await;

    // Cleared after the delay, since it still holds the code.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !clipboard().0.is_empty() {
        assert!(Instant::now() < deadline, "the clipboard was not cleared");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // In a period's last seconds the next code is copied, and the row shows that one plainly.
    while !(26..=27).contains(&(unix_now() % 30)) {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let at = unix_now();
    app.find("#search")
        .await
        .send_keys("\u{e007}")
        .await
        .expect("enter");
    let next = independent_totp(b"TestSesameTestSesame", 6, at + 30);
    let deadline = Instant::now() + Duration::from_secs(5);
    while clipboard().0 != next {
        assert!(Instant::now() < deadline, "the next code was not copied");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let shown = app
        .js("const next = document.querySelector('.account .next');
             return [next.classList.contains('copied'), getComputedStyle(next).opacity,
                     next.textContent];")
        .await;
    assert_eq!(
        shown,
        serde_json::json!([true, "1", format!("next {} {}", &next[..3], &next[3..])]),
        "the copied next code is shown"
    );

    // HOTP: clicking generates the RFC 4226 code for counter 0, copies it, advances durably.
    app.find("#search")
        .await
        .send_keys("\u{e00c}")
        .await
        .expect("escape");
    app.wait_for_texts(".account .issuer", &["Copy", "Counter"])
        .await;
    app.click(".account:nth-child(2) .code-box").await;
    app.wait_for_texts(".account:nth-child(2) .code", &["755 224"])
        .await;
    assert_eq!(clipboard().0, "755224");
    assert!(
        sandbox.cli_ok(&["code", "counter"]).starts_with("287082"),
        "counter 1 is next"
    );
    app.assert_no_script_errors().await;
    app.close().await;
}

#[tokio::test]
#[ignore = "needs Xvfb, a Secret Service and tauri-driver: run `scripts/dev test`"]
async fn an_unreachable_keyring_shows_a_banner_that_says_what_to_do() {
    let sandbox = Sandbox::new();
    sandbox.cli_ok(&["add", "otpauth://totp/Locked:erin?secret=JBSWY3DPEHPK3PXP"]);
    let app = AppSession::start_with_env(
        &sandbox,
        &[("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")],
    )
    .await;
    // The list comes from the index; the codes need the keyring, which is out of reach.
    app.wait_for_texts(".account .issuer", &["Locked"]).await;
    app.wait_for_texts("#banner-text", &[
        "The system keyring cannot be reached: there is no D-Bus session bus (DBus error: Failed to connect to socket /nonexistent/bus: No such file or directory). Run Sesame inside your desktop session (or start one with `dbus-run-session`); Sesame keeps secrets only in the system keyring and never falls back to a file.",
    ]).await;
    let kind = app
        .js("return document.getElementById('banner').dataset.kind;")
        .await;
    assert_eq!(kind, "keyring");
    app.screenshot("window-keyring-error").await;
    app.assert_no_script_errors().await;
    app.close().await;
}

#[tokio::test]
#[ignore = "needs Xvfb, a Secret Service and tauri-driver: run `scripts/dev test`"]
async fn a_managed_window_shows_the_policy_and_its_locked_settings_cannot_be_changed() {
    let sandbox = Sandbox::new();
    sandbox.cli_ok(&["add", "otpauth://totp/Managed:fay?secret=JBSWY3DPEHPK3PXP"]);
    let policy = sandbox.data.path().join("policy.toml");
    std::fs::write(
        &policy,
        "[settings]\nclipboard_clear_seconds = 15\n[accounts]\nallow_manual_add = false\n\
         [servers]\nallowed = [\"https://login.example.com\", \"https://sso.example.org\"]\n\
         [[servers.pinned]]\norigin = \"https://login.example.com\"\n\
         key = \"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"\n",
    )
    .expect("write policy");
    let app = AppSession::start_with_env(
        &sandbox,
        &[("SESAME_POLICY", policy.to_str().expect("utf-8"))],
    )
    .await;
    app.wait_for_texts(".account .issuer", &["Managed"]).await;

    // Settings: the badge, the policy's value, locked; the unlocked ones still editable.
    app.click("#settings-button").await;
    app.wait_for_texts("#settings-managed", &["Managed by your organization"])
        .await;
    let state = app
        .js("const c = document.getElementById('s-clear'); \
             return [c.value, c.disabled, document.getElementById('s-protect').disabled, \
                     document.getElementById('s-clear-locked').hidden];")
        .await;
    assert_eq!(state, serde_json::json!(["15", true, false, false]));
    app.wait_for_texts(
        "#servers li span",
        &["https://login.example.com · provided by your organization; bind from its account page"],
    )
    .await;
    app.wait_for_texts(
        "#servers-allowed",
        &["Your organization allows sign-in only with https://login.example.com, https://sso.example.org."],
    )
    .await;
    app.screenshot_screen("window-settings-managed").await;

    // Even a page that re-enables the field cannot save another value: the core refuses it.
    app.js(
        "const c = document.getElementById('s-clear'); c.disabled = false; c.value = '60'; \
            document.getElementById('settings-form').requestSubmit(); return null;",
    )
    .await;
    app.wait_for_texts(
        "#settings-error",
        &[&format!(
            "The clipboard delay is set by your organization's policy ({}) and cannot be changed.",
            policy.display()
        )],
    )
    .await;
    assert!(
        !sandbox.data.path().join("settings.toml").exists(),
        "nothing was saved"
    );
    app.click("#settings-form [data-close]").await;

    // Adding: only the Scan tab, with a note; a URI sent anyway is refused by the core.
    app.js("document.getElementById('add-button').click(); return null;")
        .await;
    app.wait_for_texts(
        "#add-managed",
        &["Your organization allows adding accounts only from their QR codes."],
    )
    .await;
    let tabs = app
        .js(
            "return ['tab-uri', 'tab-form', 'tab-scan', 'pane-scan', 'add-tabs'] \
               .map(id => document.getElementById(id).hidden);",
        )
        .await;
    assert_eq!(tabs, serde_json::json!([true, true, false, false, true]));
    let refused = app
        .js("return window.__TAURI__.core.invoke('add_account_uri', \
               { uri: 'otpauth://totp/Sneaky:fay?secret=JBSWY3DPEHPK3PXP' }) \
             .then(() => 'added', e => e.kind);")
        .await;
    assert_eq!(refused, "policy");
    assert_eq!(sandbox.listed().len(), 1, "nothing was added");
    app.click("#add-form [data-close]").await;

    // The policy is read again when Settings opens: with no server allowed, the dialog says so
    // and stops suggesting a site's code to bind.
    std::fs::write(&policy, "[servers]\nallowed = []\n").expect("rewrite policy");
    app.click("#settings-button").await;
    app.wait_for_texts(
        "#servers-allowed",
        &["Your organization allows no sign-in servers."],
    )
    .await;
    let hints = app
        .js("return ['servers-empty', 's-clear-locked'].map(id => document.getElementById(id).hidden);")
        .await;
    assert_eq!(hints, serde_json::json!([true, true]));
    app.assert_no_script_errors().await;
    app.close().await;
}

#[tokio::test]
#[ignore = "needs Xvfb: run `scripts/dev test`"]
async fn the_autostart_entry_starts_the_tray_only_when_start_at_login_is_on() {
    let sandbox = Sandbox::new();
    let policy = sandbox.data.path().join("policy.toml");
    let at_login = || {
        std::process::Command::new(tray_binary())
            .arg("--at-login")
            .env("SESAME_DATA_DIR", sandbox.data.path())
            .env("SESAME_POLICY", &policy)
            .spawn()
            .expect("start sesame-tray")
    };
    // Off by default: the tray exits at once and takes no lock.
    let status = at_login().wait().expect("wait");
    assert!(status.success());
    assert_eq!(sandbox.tray_pid(), None);

    // The user turned it on, but the policy forces it off.
    std::fs::write(
        sandbox.data.path().join("settings.toml"),
        "start_at_login = true\n",
    )
    .expect("settings");
    std::fs::write(&policy, "[settings]\nstart_at_login = false\n").expect("policy");
    assert!(at_login().wait().expect("wait").success());
    assert_eq!(sandbox.tray_pid(), None);

    // Forced on by the policy, whatever the user chose: the tray starts and stays.
    std::fs::write(
        sandbox.data.path().join("settings.toml"),
        "start_at_login = false\n",
    )
    .expect("settings");
    std::fs::write(&policy, "[settings]\nstart_at_login = true\n").expect("policy");
    let mut tray = at_login();
    let deadline = Instant::now() + Duration::from_secs(10);
    while sandbox.tray_pid().is_none() {
        assert!(Instant::now() < deadline, "the tray did not start");
        assert!(tray.try_wait().expect("poll").is_none(), "the tray exited");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if let Some(pid) = sandbox.tray_pid() {
        let _ = std::process::Command::new("kill")
            .arg(pid.to_string())
            .status();
    }
    let _ = tray.kill();
    let _ = tray.wait();
}

/// Waits until a process named `name` is (or is not) below `root`.
async fn wait_for_process(root: u32, name: &str, present: bool) -> Vec<(u32, String)> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let tree = process_tree(root);
        if tree.iter().any(|(_, n)| n.starts_with(name)) == present {
            return tree;
        }
        assert!(
            Instant::now() < deadline,
            "{name} present={}, wanted {present}: {tree:?}",
            !present
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn is_running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        !stat
            .rsplit_once(')')
            .is_some_and(|(_, s)| s.trim_start().starts_with('Z'))
    })
}

#[tokio::test]
#[ignore = "needs Xvfb, a Secret Service and tauri-driver: run `scripts/dev test`"]
async fn closing_the_window_ends_its_process_and_the_tray_opens_and_quits_it() {
    let sandbox = Sandbox::new();
    sandbox.cli_ok(&["add", "otpauth://totp/Tray:fay?secret=JBSWY3DPEHPK3PXP"]);
    support::tray_binary();
    let app = AppSession::start(&sandbox).await;
    app.wait_for_texts(".account .issuer", &["Tray"]).await;
    wait_for_process(app.driver_pid(), "WebKitWebProces", true).await;
    app.assert_no_script_errors().await;

    // The window started the tray for this vault, as a process of its own.
    let deadline = Instant::now() + Duration::from_secs(10);
    let tray = loop {
        if let Some(pid) = sandbox.tray_pid() {
            break pid;
        }
        assert!(Instant::now() < deadline, "no sesame-tray started");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };

    // Ctrl+W closes the window and its process exits, WebView and all; the tray stays.
    // WebDriver may answer "no such window": the window is gone before the reply.
    let _ = app
        .find("#search")
        .await
        .send_keys("\u{e009}w\u{e000}")
        .await;
    wait_for_process(app.driver_pid(), "sesame-app", false).await;
    wait_for_process(app.driver_pid(), "WebKitWebProces", false).await;
    assert!(is_running(tray), "the tray must outlive the window");
    assert_eq!(sandbox.tray_pid(), Some(tray));

    // "Open Sesame" in the tray starts the window program; a window comes up with the codes'
    // web process. (Xvfb has no tray host to click, so the test launches what the menu does.)
    let open = std::process::Command::new(support::app_binary())
        .env("SESAME_DATA_DIR", sandbox.data.path())
        .process_group(0)
        .spawn()
        .expect("open the window");
    let window = open.id();
    wait_for_process(window, "WebKitWebProces", true).await;
    // Only one tray per vault: the new window's tray stepped aside.
    assert_eq!(sandbox.tray_pid(), Some(tray));

    // "Quit Sesame" asks the running window to exit.
    let quit = std::process::Command::new(support::app_binary())
        .arg("--quit")
        .env("SESAME_DATA_DIR", sandbox.data.path())
        .status()
        .expect("quit");
    assert!(quit.success());
    let mut open = open;
    let deadline = Instant::now() + Duration::from_secs(10);
    while open.try_wait().expect("wait").is_none() {
        assert!(Instant::now() < deadline, "the window did not quit");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.close().await;
}

#[tokio::test]
#[ignore = "needs Xvfb, a Secret Service and tauri-driver: run `scripts/dev test`"]
async fn scanning_the_screen_shows_what_was_found_and_adds_only_what_the_user_picks() {
    let _screen = SCREEN.lock().await;
    let sandbox = Sandbox::new();
    let app = AppSession::start(&sandbox).await;
    app.find("#empty").await;

    // A page elsewhere on the screen shows an account's QR code and a web address's.
    let dir = tempfile::tempdir().expect("temp dir");
    let account = "otpauth://totp/Scan%20Co:amy@example.com?secret=KRSXG5CTMVZWC3LFKRSXG5CTMVZWC3LF&issuer=Scan%20Co";
    let mut windows = Vec::new();
    // Away from the top-left corner, where the other tests' windows open.
    for (n, (payload, x)) in [(account, 1300), ("https://example.com/just-a-link", 700)]
        .into_iter()
        .enumerate()
    {
        let file = dir.path().join(format!("code{n}.png"));
        sesame_core::scan::corpus::render(payload.as_bytes(), 4)
            .save(&file)
            .expect("save");
        windows.push(
            std::process::Command::new("display")
                .args(["-geometry", &format!("+{x}+500")])
                .arg(&file)
                .spawn()
                .expect("ImageMagick's display"),
        );
    }
    tokio::time::sleep(Duration::from_secs(2)).await;

    app.click("#add-button").await;
    app.click("#tab-scan").await;
    app.click("#scan-now").await;
    app.wait_for_count("#scan-results li", 2).await;
    let listed = app
        .js("return [...document.querySelectorAll('#scan-results li')].map(li => li.innerText);")
        .await;
    let listed: Vec<String> = serde_json::from_value(listed).expect("texts");
    // Read as people say it, without naming the only screen there is.
    assert!(
        listed
            .iter()
            .any(|t| t.trim() == "Scan Co — amy@example.com (6 digits, every 30 s)"),
        "{listed:?}"
    );
    assert!(
        listed.iter().any(|t| t.contains("Not added: this code holds text, not an otpauth:// account: https://example.com/just-a-link.")),
        "{listed:?}"
    );
    // The page never sees the secret.
    let html = app.js("return document.documentElement.outerHTML;").await;
    assert!(!html.to_string().contains("KRSXG5CT"));
    app.screenshot_screen("window-scan-found").await;

    app.click("#add-submit").await;
    app.wait_for_texts(".account .issuer", &["Scan Co"]).await;
    // The code fills in once the new secret has been read.
    let deadline = Instant::now() + Duration::from_secs(10);
    let shown = loop {
        let shown = app.visible_texts(".account .code").await;
        if shown
            .first()
            .is_some_and(|c| c.chars().any(|ch| ch.is_ascii_digit()))
        {
            break shown;
        }
        assert!(Instant::now() < deadline, "no code shown: {shown:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let now = unix_now();
    let candidates = [
        independent_totp(b"TestSesameTestSesame", 6, now),
        independent_totp(b"TestSesameTestSesame", 6, now.saturating_sub(1)),
    ];
    let shown = shown
        .first()
        .map(|c| c.replace(' ', ""))
        .unwrap_or_default();
    assert!(candidates.contains(&shown), "{shown} vs {candidates:?}");

    // An image file's bytes, as the "From image…" button sends them: a file that is not an
    // image is refused with the reason.
    let refused = app
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             window.__TAURI__.core.invoke('scan_image', new TextEncoder().encode('not an image'),
                 { headers: { 'x-file-name': 'notes.png' } })
               .then(() => done('accepted'), (e) => done(e.message));",
            vec![],
        )
        .await
        .expect("script");
    assert!(
        refused
            .as_str()
            .unwrap_or_default()
            .starts_with("Notes.png is not a readable image"),
        "{refused}"
    );
    for mut window in windows {
        let _ = window.kill();
        let _ = window.wait();
    }
    app.assert_no_script_errors().await;
    app.close().await;
}

/// Issue 15: the selected row scrolled under the sticky search bar (arrow keys in a long list).
/// Now every row the arrows select is wholly visible below the header, going down and back up.
/// And Settings on Linux does not offer the screenshot protection it cannot give.
#[tokio::test]
#[ignore = "needs Xvfb, a Secret Service and tauri-driver: run `scripts/dev test`"]
async fn the_row_the_arrows_select_is_always_wholly_below_the_header() {
    let sandbox = Sandbox::new();
    for n in 0..16 {
        sandbox.cli_ok(&[
            "add",
            &format!("otpauth://totp/Site{n:02}:user{n}@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Site{n:02}"),
        ]);
    }
    let app = AppSession::start(&sandbox).await;
    app.wait_for_count(".account", 16).await;
    let geometry = "const row = document.querySelector('.account[aria-selected=\"true\"]');
        const bar = document.querySelector('.bar').getBoundingClientRect();
        const box = row.getBoundingClientRect();
        return [row.querySelector('.issuer').textContent, box.top - bar.bottom,
                window.innerHeight - box.bottom];";
    let keys = std::iter::repeat_n("\u{E015}", 15).chain(std::iter::repeat_n("\u{E013}", 15));
    let mut seen = Vec::new();
    for key in keys {
        app.client
            .active_element()
            .await
            .expect("focus")
            .send_keys(key)
            .await
            .expect("arrow");
        tokio::time::sleep(Duration::from_millis(150)).await;
        let [issuer, below_bar, above_bottom]: [serde_json::Value; 3] =
            serde_json::from_value(app.js(geometry).await).expect("geometry");
        assert!(
            below_bar.as_f64().unwrap_or(-1.0) >= -0.5
                && above_bottom.as_f64().unwrap_or(-1.0) >= -0.5,
            "{issuer} is not wholly visible: {below_bar} px below the header, {above_bottom} px above the bottom"
        );
        seen.push(issuer.as_str().unwrap_or_default().to_owned());
    }
    assert_eq!(seen.get(14).map(String::as_str), Some("Site15"));
    assert_eq!(seen.last().map(String::as_str), Some("Site00"));

    app.click("#settings-button").await;
    // The dialog fills in before it opens: wait for it to be shown.
    let deadline = Instant::now() + Duration::from_secs(10);
    while app
        .js("return document.getElementById('settings-dialog').open;")
        .await
        != true
    {
        assert!(Instant::now() < deadline, "Settings did not open");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let offered = app
        .js("return document.getElementById('s-protect-option').hidden;")
        .await;
    assert_eq!(offered, true, "no screenshot protection offered on Linux");
    app.assert_no_script_errors().await;
    app.close().await;
}

/// What a screen reader says for the focused object of the process `pid`: (role, name), read
/// over AT-SPI with Debian's pyatspi. `None` while nothing in it has the focus.
fn focused_accessible(pid: u32) -> Option<(String, String)> {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/support/focused_accessible.py"
    );
    // Debian's interpreter: python3-pyatspi is installed for it, not for a pyenv one.
    let output = std::process::Command::new("/usr/bin/python3")
        .arg(script)
        .arg(pid.to_string())
        .output()
        .expect("python3-pyatspi is installed by scripts/dev");
    match output.status.code() {
        Some(0) => {
            let read: serde_json::Value =
                serde_json::from_slice(&output.stdout).expect("JSON from the reader");
            let field = |k: &str| read[k].as_str().unwrap_or_default().to_owned();
            Some((field("role"), field("name")))
        }
        Some(3) => None,
        _ => panic!(
            "reading the accessibility tree failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ),
    }
}

/// The code `oathtool` computes for a base32 secret at a Unix time.
fn oathtool_totp(secret_base32: &str, time: u64) -> String {
    let output = std::process::Command::new("oathtool")
        .args(["--totp", "-b", secret_base32, &format!("--now=@{time}")])
        .output()
        .expect("oathtool is installed by scripts/dev");
    assert!(output.status.success(), "oathtool failed");
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

#[tokio::test]
#[ignore = "needs Xvfb, a Secret Service and tauri-driver: run `scripts/dev test`"]
async fn the_list_is_a_listbox_whose_focus_is_the_selection_and_a_screen_reader_hears_the_code() {
    let sandbox = Sandbox::new();
    let secrets = ["JBSWY3DPEHPK3PXP", "GEZDGNBVGY3TQOJQ", "MFRGGZDFMZTWQ2LK"];
    for (n, (issuer, secret)) in ["GitHub", "GitLab", "Notion"]
        .iter()
        .zip(secrets)
        .enumerate()
    {
        sandbox.cli_ok(&[
            "add",
            &format!("otpauth://totp/{issuer}:user{n}@example.com?secret={secret}&issuer={issuer}"),
        ]);
    }
    let app = AppSession::start(&sandbox).await;
    app.wait_for_count(".account", 3).await;
    let listbox = app
        .js("const l = document.getElementById('accounts');
             return [l.getAttribute('role'), [...l.children].map(r => r.getAttribute('role'))];")
        .await;
    assert_eq!(
        listbox,
        serde_json::json!(["listbox", ["option", "option", "option"]])
    );

    // The focus starts in the search; ↓ takes it into the list, onto the row it selects.
    app.click("#search").await;
    app.client
        .active_element()
        .await
        .expect("focus")
        .send_keys("\u{E015}")
        .await
        .expect("arrow");
    // One Tab stop in the list, the selected row, which has the focus.
    let roving = "const rows = [...document.querySelectorAll('.account')];
        return [rows.filter(r => r.tabIndex === 0).map(r => r.querySelector('.issuer').textContent),
                rows.filter(r => r.getAttribute('aria-selected') === 'true')
                    .map(r => r.querySelector('.issuer').textContent),
                document.activeElement.classList.contains('account')
                    ? document.activeElement.querySelector('.issuer').textContent : null,
                [...document.querySelectorAll('.account button')].every(b => b.tabIndex === -1)];";
    assert_eq!(
        app.js(roving).await,
        serde_json::json!([["GitLab"], ["GitLab"], "GitLab", true])
    );

    // A screen reader, reading the real accessibility tree, hears GitLab's code on focus.
    let pid = wait_for_process(app.driver_pid(), "sesame-app", true)
        .await
        .into_iter()
        .find(|(_, name)| name == "sesame-app")
        .map(|(pid, _)| pid)
        .expect("the app's process");
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let now = unix_now();
        // The row's name changes when the code does: the code of now, or of the period just
        // ended if the window has not rolled over yet.
        let codes = [
            oathtool_totp(secrets[1], now),
            oathtool_totp(secrets[1], now - 30),
        ];
        let heard = focused_accessible(pid);
        if let Some((role, name)) = &heard {
            let spoken = name.split_once(", code ").map_or("", |(_, code)| code);
            let digits: String = spoken.chars().filter(char::is_ascii_digit).collect();
            if role == "list item"
                && name.starts_with("GitLab, user1@example.com, code ")
                && name.ends_with("seconds left")
                && codes.iter().any(|code| digits.starts_with(code.as_str()))
            {
                break;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the focused accessible is {heard:?}, not GitLab's row with code {codes:?}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    // End and Home move selection and focus to the last and first rows.
    for (key, expected) in [("\u{E010}", "Notion"), ("\u{E011}", "GitHub")] {
        app.client
            .active_element()
            .await
            .expect("focus")
            .send_keys(key)
            .await
            .expect("key");
        let state: serde_json::Value = app.js(roving).await;
        assert_eq!(
            state,
            serde_json::json!([[expected], [expected], expected, true]),
            "after {key:?}"
        );
    }
    // Off-screen or not, every row has a name with its code (none is empty).
    let names: Vec<String> = serde_json::from_value(
        app.js("return [...document.querySelectorAll('.account')].map(r => r.getAttribute('aria-label'));")
            .await,
    )
    .expect("names");
    assert!(
        names.iter().all(|n| n.contains(", code ")),
        "rows without their code in the name: {names:?}"
    );
    app.assert_no_script_errors().await;
    app.close().await;
}

#[tokio::test]
#[ignore = "needs Xvfb, a Secret Service and tauri-driver: run `scripts/dev test`"]
async fn a_removal_still_undoable_survives_a_crash_and_is_carried_out_when_the_window_closes() {
    let sandbox = Sandbox::new();
    sandbox.cli_ok(&["add", "otpauth://totp/Keep:kim?secret=JBSWY3DPEHPK3PXP"]);
    sandbox.cli_ok(&["add", "otpauth://totp/Drop:dee?secret=GEZDGNBVGY3TQOJQ"]);
    let drop_id = sandbox.listed()[1].2.clone();
    let remove_drop = async |app: &AppSession| {
        app.wait_for_texts(".account .issuer", &["Keep", "Drop"])
            .await;
        app.hover(".account:nth-child(2) .label").await;
        app.click(".account:nth-child(2) .action-remove").await;
        app.click("#remove-confirm").await;
        app.wait_for_texts(".account .issuer", &["Keep"]).await;
    };

    // The window's process dies while Undo is offered: the account is all there still.
    let app = AppSession::start(&sandbox).await;
    remove_drop(&app).await;
    let pid = wait_for_process(app.driver_pid(), "sesame-app", true)
        .await
        .into_iter()
        .find(|(_, name)| name == "sesame-app")
        .map(|(pid, _)| pid)
        .expect("the app's process");
    let status = std::process::Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    drop(app);
    assert_eq!(sandbox.listed().len(), 2, "the index keeps the account");
    assert!(
        secret_tool_lookup(&drop_id).is_some(),
        "the keyring keeps its secret"
    );
    let doctor = std::process::Command::new(support::cli_binary())
        .arg("doctor")
        .env("SESAME_DATA_DIR", sandbox.data.path())
        .output()
        .expect("sesame doctor");
    let report = String::from_utf8_lossy(&doctor.stdout);
    assert!(
        report.contains("accounts: 2 with their secrets"),
        "doctor finds both accounts whole: {report}"
    );

    // Closed (Ctrl+W) while Undo is offered: the removal is carried out before the process ends.
    let app = AppSession::start(&sandbox).await;
    remove_drop(&app).await;
    // WebDriver may answer "no such window": the window is gone before the reply.
    let _ = app
        .find("#search")
        .await
        .send_keys("\u{e009}w\u{e000}")
        .await;
    let deadline = Instant::now() + Duration::from_secs(15);
    while secret_tool_lookup(&drop_id).is_some() {
        assert!(
            Instant::now() < deadline,
            "closing did not carry out the removal"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(sandbox.listed().len(), 1);
    drop(app);
}

#[tokio::test]
#[ignore = "needs Xvfb, a Secret Service and tauri-driver: run `scripts/dev test`"]
async fn tooltips_stay_inside_the_window_and_a_cut_name_shows_whole_on_hover() {
    let sandbox = Sandbox::new();
    let long = "accounts-payable.department@very-long-subsidiary-name.example.com";
    sandbox.cli_ok(&[
        "add",
        &format!("otpauth://totp/Example:{long}?secret=JBSWY3DPEHPK3PXP&issuer=Example"),
    ]);
    let app = AppSession::start(&sandbox).await;
    app.wait_for_count(".account", 1).await;
    // No toolkit tooltips are left: every title became the window's own.
    assert_eq!(
        app.js("return document.querySelectorAll('[title]').length;")
            .await,
        0
    );

    let tooltip = "const tip = document.querySelector('.tooltip');
        const box = tip.getBoundingClientRect();
        return [tip.hidden, tip.textContent, box.left >= 0 && box.right <= window.innerWidth
                && box.top >= 0 && box.bottom <= window.innerHeight];";
    let wait_for_tooltip = async |expected: &str| {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let shown = app.js(tooltip).await;
            if shown[0] == false && shown[1] == expected {
                assert_eq!(
                    shown[2], true,
                    "the tooltip {expected:?} is cut by the window's edge"
                );
                return;
            }
            assert!(
                Instant::now() < deadline,
                "tooltip {shown:?}, wanted {expected:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    // The Add button sits at the window's right edge; its tooltip is wider than the button.
    app.hover("#add-button").await;
    wait_for_tooltip("Add account (Ctrl+N)").await;
    app.hover(".account .label").await;
    wait_for_tooltip(&format!("Example — {long}")).await;
    app.screenshot_screen("window-tooltip").await;
    app.assert_no_script_errors().await;
    app.close().await;
}

#[tokio::test]
#[ignore = "needs Xvfb, a Secret Service and tauri-driver: run `scripts/dev test`"]
async fn approve_sign_in_lists_several_codes_by_site_and_says_when_there_is_none() {
    let _screen = SCREEN.lock().await;
    let sandbox = Sandbox::new();
    let app = AppSession::start(&sandbox).await;
    app.find("#empty").await;

    // Nothing on the screen: the sheet says what to do, and offers to look again.
    // Ctrl+L, pressed again until the sheet opens: a key sent before the page's script has
    // bound its keys (the empty list is in the page from the start) is lost.
    let deadline = Instant::now() + Duration::from_secs(15);
    while app
        .js("return document.getElementById('signin-dialog').open;")
        .await
        != true
    {
        assert!(Instant::now() < deadline, "Ctrl+L opened no sheet");
        app.client
            .active_element()
            .await
            .expect("focus")
            .send_keys("\u{E009}l")
            .await
            .expect("ctrl+l");
        tokio::time::sleep(Duration::from_millis(1500)).await;
    }
    let wait_for_status = async |wanted: &str| {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let status = app
                .js("return [document.getElementById('signin-dialog').open,
                             document.getElementById('signin-status').textContent];")
                .await;
            if status[0] == true && status[1].as_str().is_some_and(|s| s.starts_with(wanted)) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "status {status}, wanted {wanted:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    wait_for_status("No sign-in code is on the screen.").await;

    // Two sites' binding codes on the screen (loopback ports where nothing listens).
    let closed = [support::free_port(), support::free_port()];
    let dir = tempfile::tempdir().expect("temp dir");
    let mut windows = Vec::new();
    for (n, (port, x)) in closed.iter().zip([700, 1300]).enumerate() {
        let offer = sesame_protocol::qr::BindQr {
            origin: sesame_protocol::origin::Origin::parse(&format!("http://127.0.0.1:{port}"))
                .expect("origin"),
            binding_id: "AAAAAAAAAAAAAAAAAAAAAA".into(),
            enroll_secret: "AQEBAQEBAQEBAQEBAQEBAQ".into(),
            expires: unix_now() + 600,
        };
        let file = dir.path().join(format!("offer{n}.png"));
        sesame_core::scan::corpus::render(offer.to_uri().as_bytes(), 4)
            .save(&file)
            .expect("save");
        windows.push(
            std::process::Command::new("display")
                .args(["-geometry", &format!("+{x}+500")])
                .arg(&file)
                .spawn()
                .expect("ImageMagick's display"),
        );
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    app.click("#signin-again").await;
    wait_for_status("2 Sesame codes are on the screen").await;
    let mut listed: Vec<String> = serde_json::from_value(
        app.js("return [...document.querySelectorAll('#signin-found li span')].map(s => s.textContent);")
            .await,
    )
    .expect("texts");
    listed.sort();
    let mut wanted: Vec<String> = closed
        .iter()
        .map(|port| format!("Bind Sesame to http://127.0.0.1:{port}"))
        .collect();
    wanted.sort();
    assert_eq!(listed, wanted);
    app.screenshot_screen("window-approve-several").await;

    // Choosing one whose site does not answer says so in the sheet; nothing is bound.
    app.click("#signin-found li button").await;
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        let status = app
            .js("return document.getElementById('signin-status').textContent;")
            .await;
        let status = status.as_str().unwrap_or_default().to_owned();
        // Choosing clears the status first, then the site's answer fills it.
        if !status.is_empty() && !status.contains("Sesame codes are on the screen") {
            break status;
        }
        assert!(Instant::now() < deadline, "no answer from choosing a code");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        status.contains("127.0.0.1"),
        "the failure names the site: {status}"
    );
    assert_eq!(
        app.js("return document.getElementById('bind-dialog').open;")
            .await,
        false
    );
    assert!(!sandbox.cli_ok(&["servers"]).contains("127.0.0.1"));
    for mut window in windows {
        let _ = window.kill();
        let _ = window.wait();
    }
    app.assert_no_script_errors().await;
    app.close().await;
}

/// For each issuer and name shown, (text, characters visible): all of them when the text fits
/// or wraps, else those before the cut.
const VISIBLE_CHARACTERS: &str = "
    const visible = (el) => {
        const text = el.firstChild;
        if (!text || el.scrollWidth <= el.clientWidth + 1) return el.textContent.length;
        const range = document.createRange();
        range.setStart(text, 0);
        const limit = el.getBoundingClientRect().left + el.clientWidth;
        let fits = 0;
        for (let k = 1; k <= text.length; k++) {
            range.setEnd(text, k);
            if (range.getBoundingClientRect().right > limit) break;
            fits = k;
        }
        return fits;
    };
    return [...document.querySelectorAll('.account .issuer, .account .name')]
        .filter(el => el.textContent)
        .map(el => [el.textContent, visible(el)]);";

#[tokio::test]
#[ignore = "needs Xvfb, a Secret Service and tauri-driver: run `scripts/dev test`"]
async fn text_size_and_window_size_are_remembered_and_the_list_reflows_at_every_size() {
    let sandbox = Sandbox::new();
    for label in [
        "Microsoft:alice.johnson@contoso.example",
        "Amazon%20Web%20Services:bob@example.com",
        "GitHub:carol-developer@example.org",
        "Bank%20of%20Example:dave",
    ] {
        sandbox.cli_ok(&[
            "add",
            &format!("otpauth://totp/{label}?secret=JBSWY3DPEHPK3PXP"),
        ]);
    }
    let app = AppSession::start(&sandbox).await;
    app.wait_for_count(".account", 4).await;
    let scale = "return getComputedStyle(document.documentElement).getPropertyValue('--text-scale').trim();";

    // 1×, 1.5× and 2× (Ctrl+plus steps through 110, 125, 150, 175, 200): at the default width no name
    // is cut to fewer than 8 characters, and the header keeps every button in the window.
    let mut steps_taken = 0;
    for (percent, steps) in [(100, 0), (150, 3), (200, 5)] {
        while steps_taken < steps {
            app.client
                .active_element()
                .await
                .expect("focus")
                .send_keys("\u{E009}=")
                .await
                .expect("ctrl+plus");
            steps_taken += 1;
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
        let expected = format!("{}", f64::from(percent) / 100.0);
        let deadline = Instant::now() + Duration::from_secs(5);
        while app.js(scale).await != expected.as_str() {
            assert!(
                Instant::now() < deadline,
                "the text did not reach {percent} %: {}",
                app.js(scale).await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        app.screenshot(&format!("window-text-{percent}")).await;
        let shown: Vec<(String, u64)> =
            serde_json::from_value(app.js(VISIBLE_CHARACTERS).await).expect("pairs");
        assert_eq!(shown.len(), 8, "{shown:?}");
        for (text, visible) in &shown {
            let wanted = text.chars().count().min(8) as u64;
            assert!(
                *visible >= wanted,
                "at {percent} % {text:?} shows only {visible} characters"
            );
        }
        let header_fits = app
            .js(
                "return [...document.querySelectorAll('.bar button')].every(b =>
                    b.getBoundingClientRect().right <= window.innerWidth + 0.5);",
            )
            .await;
        assert_eq!(header_fits, true, "a header button is cut at {percent} %");
    }
    let saved =
        std::fs::read_to_string(sandbox.data.path().join("settings.toml")).expect("settings");
    assert!(saved.contains("text_size_percent = 200"), "{saved}");

    // A wide window shows two columns; closed and opened again, it keeps its size and the text
    // its size.
    app.client.set_window_size(1100, 700).await.expect("resize");
    tokio::time::sleep(Duration::from_millis(500)).await;
    app.send_ctrl_zero_then_wait_for(scale, "1").await;
    let columns = app
        .js("return getComputedStyle(document.getElementById('accounts')).gridTemplateColumns.split(' ').length;")
        .await;
    assert_eq!(columns, 2, "two columns when wide");
    app.screenshot("window-wide-two-columns").await;
    // Back to 150 % (Ctrl+plus three times) before closing, to be remembered.
    for _ in 0..3 {
        app.client
            .active_element()
            .await
            .expect("focus")
            .send_keys("\u{E009}=")
            .await
            .expect("ctrl+plus");
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    while !std::fs::read_to_string(sandbox.data.path().join("settings.toml"))
        .is_ok_and(|s| s.contains("text_size_percent = 150"))
    {
        assert!(Instant::now() < deadline, "150 % was not saved");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = app
        .find("#search")
        .await
        .send_keys("\u{e009}w\u{e000}")
        .await;
    wait_for_process(app.driver_pid(), "sesame-app", false).await;
    drop(app);
    assert!(
        sandbox.data.path().join("window-state.json").exists(),
        "the window's size was saved in the data dir"
    );

    let app = AppSession::start(&sandbox).await;
    app.wait_for_count(".account", 4).await;
    let size = app
        .js("return [window.innerWidth, window.innerHeight];")
        .await;
    assert_eq!(
        size,
        serde_json::json!([1100, 700]),
        "the window keeps its size"
    );
    assert_eq!(app.js(scale).await, "1.5", "the text keeps its size");
    app.assert_no_script_errors().await;
    app.close().await;
}

/// Presses a key combination on the X display, as a person at the keyboard would: the X server
/// hands it to whoever grabbed it (the tray), whatever window has the focus.
fn press_on_display(keys: &str) {
    let status = std::process::Command::new("xdotool")
        .args(["key", keys])
        .status()
        .expect("xdotool is installed by scripts/dev");
    assert!(status.success(), "xdotool key {keys}");
}

/// The window process started for `data` with `--search`, if one runs.
fn window_opened_to_search(data: &std::path::Path) -> Option<u32> {
    let wanted = format!("SESAME_DATA_DIR={}", data.display());
    std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .find_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
            let environ = std::fs::read(format!("/proc/{pid}/environ")).ok()?;
            let has =
                |bytes: &[u8], item: &str| bytes.split(|b| *b == 0).any(|s| s == item.as_bytes());
            (comm.trim() == "sesame-app" && has(&cmdline, "--search") && has(&environ, &wanted))
                .then_some(pid)
        })
}

#[tokio::test]
#[ignore = "needs Xvfb, a Secret Service and tauri-driver: run `scripts/dev test`"]
async fn the_global_shortcut_brings_the_window_up_with_the_search_focused() {
    let _clipboard = CLIPBOARD.lock().await;
    let sandbox = Sandbox::new();
    // A combination of this test's own: every other test's tray holds the default, Ctrl+Alt+S,
    // on this display.
    std::fs::write(
        sandbox.data.path().join("settings.toml"),
        "global_shortcut = \"alt+shift+ctrl+k\"\n",
    )
    .expect("settings");
    sandbox.cli_ok(&[
        "add",
        "otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP&issuer=GitHub",
    ]);
    sandbox.cli_ok(&[
        "add",
        "otpauth://totp/GitLab:bob?secret=KRSXG5CTMVZWC3LF&issuer=GitLab",
    ]);
    support::tray_binary();
    let app = AppSession::start(&sandbox).await;
    app.wait_for_texts(".account .issuer", &["GitHub", "GitLab"])
        .await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while sandbox.tray_pid().is_none() {
        assert!(Instant::now() < deadline, "no sesame-tray started");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let search_focused = || async {
        app.js("return document.activeElement && document.activeElement.id === 'search';")
            .await
            == true
    };
    let focus_the_list = || async {
        app.hover(".account:nth-child(2) .label").await;
        app.click(".account:nth-child(2) .label").await;
        assert!(
            !search_focused().await,
            "the click left the focus in the search"
        );
    };
    // The shortcut, pressed while the list has the focus, puts it in the search. (The tray
    // registers it as it starts: pressed until it answers.)
    let shortcut_focuses_search = |keys: &'static str| async move {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            press_on_display(keys);
            let pressed = Instant::now();
            while pressed.elapsed() < Duration::from_secs(2) {
                if search_focused().await {
                    return true;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            if Instant::now() > deadline {
                return false;
            }
        }
    };
    focus_the_list().await;
    assert!(
        shortcut_focuses_search("ctrl+alt+shift+k").await,
        "Ctrl+Alt+Shift+K did not bring the search up"
    );
    // Two letters and Enter: GitLab's code is on the clipboard.
    app.find("#search")
        .await
        .send_keys("gitl\u{e007}")
        .await
        .expect("type");
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let now = unix_now();
        let codes = [
            oathtool_totp("KRSXG5CTMVZWC3LF", now),
            oathtool_totp("KRSXG5CTMVZWC3LF", now - 30),
        ];
        if codes.contains(&support::clipboard().0) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "Enter did not copy GitLab's code"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.find("#search")
        .await
        .send_keys("\u{e00c}")
        .await
        .expect("Escape");

    // Settings: the keys pressed in the field are the new shortcut; the old one lets go.
    app.click("#settings-button").await;
    assert_eq!(
        app.js("return document.getElementById('s-shortcut').value;")
            .await,
        "Ctrl+Alt+Shift+K"
    );
    app.find("#s-shortcut")
        .await
        .send_keys("\u{e009}\u{e00a}j\u{e000}")
        .await
        .expect("press Ctrl+Alt+J");
    assert_eq!(
        app.js("return document.getElementById('s-shortcut').value;")
            .await,
        "Ctrl+Alt+J"
    );
    app.click("#settings-form button.primary").await;
    let settings = sandbox.data.path().join("settings.toml");
    let deadline = Instant::now() + Duration::from_secs(5);
    while !std::fs::read_to_string(&settings)
        .is_ok_and(|s| s.contains("global_shortcut = \"Ctrl+Alt+J\""))
    {
        assert!(Instant::now() < deadline, "the shortcut was not saved");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    focus_the_list().await;
    assert!(
        shortcut_focuses_search("ctrl+alt+j").await,
        "the new shortcut did not bring the search up"
    );
    focus_the_list().await;
    press_on_display("ctrl+alt+shift+k");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(!search_focused().await, "the old shortcut still works");
    app.screenshot("window-global-shortcut").await;
    app.assert_no_script_errors().await;

    // Closed right after a copy, the window's process stays until the clipboard is cleared:
    // the shortcut brings a new window up in it, its search focused as a screen reader hears it.
    let lingering = process_tree(app.driver_pid())
        .into_iter()
        .find_map(|(pid, name)| (name == "sesame-app").then_some(pid))
        .expect("the window's process");
    let _ = app
        .find("#search")
        .await
        .send_keys("\u{e009}w\u{e000}")
        .await;
    wait_for_process(app.driver_pid(), "WebKitWebProces", false).await;
    assert!(
        is_running(lingering),
        "the clipboard clear keeps the process"
    );
    let search_heard_in = |pid: u32| {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let heard = focused_accessible(pid);
            if heard.as_ref().is_some_and(|(role, _)| role == "entry") {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "process {pid}'s focus is {heard:?}, not the search field"
            );
            std::thread::sleep(Duration::from_millis(300));
        }
    };
    press_on_display("ctrl+alt+j");
    wait_for_process(app.driver_pid(), "WebKitWebProces", true).await;
    search_heard_in(lingering);
    let quit = || {
        let status = std::process::Command::new(support::app_binary())
            .arg("--quit")
            .env("SESAME_DATA_DIR", sandbox.data.path())
            .status()
            .expect("quit");
        assert!(status.success());
    };
    quit();
    wait_for_process(app.driver_pid(), "sesame-app", false).await;

    // With no window process at all, the shortcut starts one, its search focused.
    let deadline = Instant::now() + Duration::from_secs(20);
    let window = loop {
        press_on_display("ctrl+alt+j");
        tokio::time::sleep(Duration::from_secs(2)).await;
        if let Some(pid) = window_opened_to_search(sandbox.data.path()) {
            break pid;
        }
        assert!(Instant::now() < deadline, "the shortcut opened no window");
    };
    search_heard_in(window);
    quit();
    let deadline = Instant::now() + Duration::from_secs(10);
    while window_opened_to_search(sandbox.data.path()).is_some() {
        assert!(Instant::now() < deadline, "the window did not quit");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Turned off (an empty shortcut, as "Turn off" saves it): the keys start nothing.
    std::fs::write(&settings, "global_shortcut = \"\"\n").expect("settings");
    tokio::time::sleep(Duration::from_secs(3)).await;
    press_on_display("ctrl+alt+j");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(window_opened_to_search(sandbox.data.path()), None);
    app.close().await;
}
