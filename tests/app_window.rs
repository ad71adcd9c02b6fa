//! The real app binary in a real WebView, driven through tauri-driver and WebKitWebDriver on
//! Xvfb, with the real Secret Service. `ignore`d unless run by `scripts/dev test`.

mod support;

use std::time::Duration;

use fantoccini::Locator;
use support::{AppSession, Sandbox, independent_totp, unix_now};

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
    let rows = app.wait_for_count(".account", 2).await;
    app.screenshot("foundation-window").await;
    let mut labels = Vec::new();
    for row in &rows {
        let issuer = row.find(Locator::Css(".issuer")).await.expect("issuer");
        labels.push(app.visible_text(&issuer).await);
    }
    assert_eq!(labels, ["GitHub", "Bank"]);

    // The code shown is the one totp-rs computes for the same instant (read inside one step).
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
    app.screenshot("foundation-window").await;
    app.close().await;
}
