//! Moving accounts in and out through the real window (Settings → Import…, Back up…, Show as
//! QR for a phone; a Google export pasted into Add), driven through tauri-driver on Xvfb with
//! the real Secret Service. A suite of its own: it reads the phone's QR code off the shared
//! screen, so no other window of this binary's tests may cover it. `ignore`d unless run by
//! `scripts/dev test`.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use sesame_core::account::NewAccount;
use sesame_core::otp::{Algorithm, OtpParams};
use sesame_core::otpauth::migration;
use sesame_core::secret::Secret;
use support::{AppSession, Sandbox};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import")
}

/// Puts a file into the page's `<input type=file>` as a user choosing it would, and fires
/// `change`: the page then reads it through the File API like any chosen file.
async fn choose_file(app: &AppSession, input: &str, name: &str, bytes: &[u8]) {
    let encoded = data_encoding::BASE64.encode(bytes);
    app.client
        .execute(
            "const [selector, name, encoded] = arguments;
             const bytes = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
             const transfer = new DataTransfer();
             transfer.items.add(new File([bytes], name));
             const input = document.querySelector(selector);
             input.files = transfer.files;
             input.dispatchEvent(new Event('change'));",
            vec![input.into(), name.into(), encoded.into()],
        )
        .await
        .expect("choose file");
}

/// Polls until the text of `css` (shown, or the toast, which is fixed and so has no offset
/// parent) contains `wanted`, and returns it.
async fn wait_for_text(app: &AppSession, css: &str, wanted: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let text = if css == "#toast" {
            let toast = app
                .js("const t = document.getElementById('toast'); return t.hidden ? '' : t.textContent;")
                .await;
            toast.as_str().unwrap_or_default().to_owned()
        } else {
            app.visible_texts(css).await.join("\n")
        };
        if text.contains(wanted) {
            return text;
        }
        if Instant::now() > deadline {
            let errors = app
                .js("return [...document.querySelectorAll('.form-error, #banner-text')].map(e => e.id + ': ' + e.textContent).filter(t => !t.endsWith(': ')).join(' | ');")
                .await;
            panic!("{css}: wanted {wanted:?}, saw {text:?}; errors shown: {errors}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Opens Settings and waits until its dialog is shown: it reads the settings and the servers
/// before it opens, and its buttons cannot be clicked until then.
async fn open_settings(app: &AppSession) {
    app.click("#settings-button").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while app
        .js("return document.getElementById('settings-dialog').open;")
        .await
        != true
    {
        assert!(Instant::now() < deadline, "Settings did not open");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
#[ignore = "needs Xvfb, a Secret Service and tauri-driver: run `scripts/dev test`"]
async fn accounts_move_in_from_exports_and_out_to_a_backup_and_a_phone() {
    let sandbox = Sandbox::new();
    sandbox.cli_ok(&[
        "add",
        "otpauth://totp/Mail:ada?secret=GEZDGNBVGY3TQOJQ&issuer=Mail",
    ]);
    let app = AppSession::start(&sandbox).await;
    app.wait_for_texts(".account .issuer", &["Mail"]).await;

    // Import… an encrypted Aegis export written by an independent writer.
    open_settings(&app).await;
    app.click("#import-open").await;
    let export = std::fs::read(fixtures().join("aegis-encrypted.json")).expect("fixture");
    choose_file(&app, "#import-file-input", "aegis-encrypted.json", &export).await;
    wait_for_text(
        &app,
        "#import-password-text",
        "This Aegis export is encrypted",
    )
    .await;
    app.fill("#import-password", "not the password").await;
    app.click("#import-submit").await;
    wait_for_text(
        &app,
        "#import-error",
        "The password does not open this Aegis export",
    )
    .await;
    app.fill("#import-password", "correct horse battery staple")
        .await;
    app.click("#import-submit").await;
    wait_for_text(
        &app,
        "#import-summary",
        "Aegis export: 8 entries, 5 new, 3 cannot be imported.",
    )
    .await;
    let entries = app.visible_texts("#import-entries li").await;
    assert_eq!(entries.len(), 8, "{entries:?}");
    assert!(
        entries
            .iter()
            .any(|e| e.contains("MD5 Corp:ada") && e.contains("Cannot be imported")),
        "{entries:?}"
    );
    let html = app.js("return document.documentElement.outerHTML;").await;
    assert!(
        !html.to_string().contains("JBSWY3DPEHPK3PXP"),
        "the page never sees a secret"
    );
    app.screenshot_screen("window-import-preview").await;
    app.click("#import-submit").await;
    wait_for_text(&app, "#toast", "Imported 5 accounts; 3 not imported").await;
    app.wait_for_count(".account", 6).await;

    // A Google Authenticator export pasted into Add: the same preview, then imported.
    let pasted = migration::export(&[
        NewAccount {
            issuer: "Paste".into(),
            name: "one".into(),
            params: OtpParams::totp(Algorithm::Sha1, 6, 30).expect("valid"),
            secret: Secret::from_base32("KRSXG5CTMVZWC3LF").expect("secret"),
        },
        NewAccount {
            issuer: "Paste".into(),
            name: "two".into(),
            params: OtpParams::hotp(Algorithm::Sha1, 6, 4).expect("valid"),
            secret: Secret::from_base32("KRSXG5CTMVZWC3LG").expect("secret"),
        },
    ])
    .expect("export");
    app.click("#add-button").await;
    app.click("#tab-uri").await;
    app.fill("#add-uri", &pasted).await;
    app.click("#add-submit").await;
    wait_for_text(
        &app,
        "#import-summary",
        "Google Authenticator export: 2 entries, 2 new.",
    )
    .await;
    app.click("#import-submit").await;
    wait_for_text(&app, "#toast", "Imported 2 accounts").await;
    app.wait_for_count(".account", 8).await;

    // Back up…: the two passwords must match; the file opens with an independent reader of
    // Aegis's format and holds every account.
    let dir = tempfile::tempdir().expect("temp dir");
    let backup = dir.path().join("sesame-backup.json");
    open_settings(&app).await;
    app.click("#backup-open").await;
    let suggested = app.find("#backup-path").await.prop("value").await;
    let suggested = suggested.ok().flatten().unwrap_or_default();
    assert!(
        suggested.contains("Sesame backup ") && suggested.ends_with(".json"),
        "{suggested}"
    );
    app.fill("#backup-path", backup.to_str().expect("utf-8"))
        .await;
    app.fill("#backup-password", "correct horse battery staple")
        .await;
    app.fill("#backup-repeat", "correct horse battery stapler")
        .await;
    app.click("#backup-submit").await;
    wait_for_text(&app, "#backup-error", "The two passwords differ").await;
    assert!(!backup.exists());
    app.fill("#backup-repeat", "correct horse battery staple")
        .await;
    app.click("#backup-submit").await;
    wait_for_text(&app, "#toast", "Backed up 8 accounts").await;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&backup)
            .expect("written")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let password = dir.path().join("password.txt");
    std::fs::write(&password, "correct horse battery staple\n").expect("write");
    let opened = Command::new("python3")
        .arg(fixtures().join("read_aegis.py"))
        .args([&backup, &password])
        .output()
        .expect("python3 with cryptography");
    assert!(opened.status.success(), "{}", text(&opened.stderr));
    let database: serde_json::Value = serde_json::from_slice(&opened.stdout).expect("json");
    let mut issuers: Vec<&str> = database["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["issuer"].as_str())
        .collect();
    issuers.sort_unstable();
    assert_eq!(
        issuers,
        [
            "Bank",
            "Cloud Console",
            "GitHub",
            "Mail",
            "Paste",
            "Paste",
            "Steam",
            "VPN"
        ]
    );

    // Show as QR for a phone: after the warning, the code on the screen reads with zbarimg,
    // and an independent reader of Google's format finds the accounts and their secrets.
    open_settings(&app).await;
    app.click("#phone-open").await;
    wait_for_text(&app, "#phone-choose", "Do not show them while you share").await;
    app.wait_for_count("#phone-accounts input:checked", 8).await;
    app.click("#phone-submit").await;
    wait_for_text(&app, "#phone-position", "QR code 1 of 1").await;
    let left_out = wait_for_text(&app, "#phone-left-out", "Cloud Console:ada").await;
    assert!(left_out.contains("Steam:ada_games"), "{left_out}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let screen = dir.path().join("screen.png");
    let status = Command::new("import")
        .args(["-window", "root"])
        .arg(&screen)
        .status()
        .expect("ImageMagick's import");
    assert!(status.success());
    app.screenshot_screen("window-phone-code").await;
    let read = Command::new("zbarimg")
        .args(["-q", "--raw"])
        .arg(&screen)
        .output()
        .expect("zbarimg");
    let links: String = text(&read.stdout)
        .lines()
        .filter(|line| line.starts_with("otpauth-migration://"))
        .map(|line| format!("{line}\n"))
        .collect();
    assert!(!links.is_empty(), "zbarimg read: {}", text(&read.stdout));
    let mut reader = Command::new("python3")
        .arg(fixtures().join("read_migration.py"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    std::io::Write::write_all(&mut reader.stdin.take().expect("stdin"), links.as_bytes())
        .expect("write");
    let parsed = reader.wait_with_output().expect("reader");
    assert!(parsed.status.success());
    let codes: serde_json::Value = serde_json::from_slice(&parsed.stdout).expect("json");
    let accounts = codes[0]["accounts"].as_array().expect("accounts");
    let find = |issuer: &str, name: &str| {
        accounts
            .iter()
            .find(|a| a["issuer"] == issuer && a["name"] == name)
            .unwrap_or_else(|| panic!("{issuer}:{name} in {codes}"))
    };
    assert_eq!(accounts.len(), 6, "{codes}");
    assert_eq!(find("Mail", "ada")["secret"], "GEZDGNBVGY3TQOJQ");
    assert_eq!(
        find("GitHub", "ada@example.com")["secret"],
        "JBSWY3DPEHPK3PXP"
    );
    let vpn = find("VPN", "ada");
    assert_eq!(
        (vpn["type"].as_str(), vpn["counter"].as_u64()),
        (Some("hotp"), Some(5))
    );
    assert_eq!(find("Bank", "ada (SHA-512)")["algorithm"], "SHA512");
    assert_eq!(find("Paste", "two")["counter"], 4);
    app.click("#phone-submit").await; // Done
    // The codes leave the page with the sheet.
    let src = app
        .js("return document.getElementById('phone-code').getAttribute('src');")
        .await;
    assert!(src.is_null(), "{src}");

    app.assert_no_script_errors().await;
    app.close().await;
}
