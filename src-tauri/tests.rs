//! The commands through Tauri's mock runtime: what the page receives, errors included, as
//! `{kind, message}`. No display, keyring or WebView: the use cases run over an in-memory
//! keyring, a fixed clock and a given policy.

use std::path::Path;
use std::sync::Arc;

use serde_json::{Value, json};
use sesame_core::otp::FixedClock;
use sesame_core::policy::Policy;
use sesame_core::vault::{FileIndex, MemoryStore};
use sesame_core::{Sesame, Vault};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
use tauri::webview::{InvokeRequest, WebviewWindow};

use crate::AppState;

const GITHUB: &str =
    "otpauth://totp/GitHub:ada?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=GitHub";
const BANK: &str =
    "otpauth://hotp/Bank:ada?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=0&issuer=Bank";

/// The window's commands over Sesame in `dir` under the policy `policy` (TOML).
fn window(dir: &Path, policy: &str) -> (tauri::App<MockRuntime>, WebviewWindow<MockRuntime>) {
    let vault = Vault::new(
        Box::new(MemoryStore::new()),
        Box::new(FileIndex::new(dir)),
        Box::new(FixedClock(59)),
    );
    let policy = Policy::parse(policy, Path::new("/etc/sesame/policy.toml")).expect("policy");
    let sesame = Sesame::with_parts(dir.to_owned(), vault, Arc::new(MemoryStore::new()), policy);
    let app = super::with_commands(mock_builder())
        .manage(AppState::new(Ok(sesame)))
        // The app's own context, for its ACL: a command the capabilities refuse in the shipped
        // app is refused here too.
        .build(crate::context())
        .expect("the mock app builds");
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("a mock window");
    (app, webview)
}

/// What the page's `invoke(command, args)` resolves to (`Ok`) or rejects with (`Err`).
fn invoke(
    webview: &WebviewWindow<MockRuntime>,
    command: &str,
    args: Value,
) -> Result<Value, Value> {
    get_ipc_response(
        webview,
        InvokeRequest {
            cmd: command.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            // The page's own origin, as the WebView serves it on this platform.
            url: if cfg!(windows) {
                "http://tauri.localhost"
            } else {
                "tauri://localhost"
            }
            .parse()
            .expect("url"),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|body| body.deserialize::<Value>().expect("a JSON answer"))
}

fn kind(error: &Value) -> &str {
    error["kind"].as_str().unwrap_or_default()
}

#[test]
fn commands_answer_with_views_and_errors_with_their_kind() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_app, webview) = window(dir.path(), "");

    let added = invoke(&webview, "add_account_uri", json!({ "uri": GITHUB })).expect("added");
    assert_eq!(added["account"]["issuer"], "GitHub");
    let listed = invoke(&webview, "list_accounts", json!({})).expect("listed");
    assert_eq!(listed.as_array().map(Vec::len), Some(1));

    let bad = invoke(
        &webview,
        "add_account_uri",
        json!({ "uri": "otpauth://totp/x?secret=***" }),
    )
    .expect_err("a malformed URI");
    assert_eq!(kind(&bad), "invalid_input", "{bad}");
    assert!(
        bad["message"]
            .as_str()
            .unwrap_or_default()
            .starts_with("This URI cannot be added"),
        "{bad}"
    );

    let duplicate =
        invoke(&webview, "add_account_uri", json!({ "uri": GITHUB })).expect_err("twice");
    assert_eq!(kind(&duplicate), "duplicate", "{duplicate}");

    let unknown = invoke(
        &webview,
        "rename_account",
        json!({ "id": "nope", "issuer": "x", "name": "y" }),
    )
    .expect_err("no such id");
    assert_eq!(kind(&unknown), "not_found", "{unknown}");

    let bank = invoke(&webview, "add_account_uri", json!({ "uri": BANK })).expect("added");
    let id = bank["account"]["id"].clone();
    let not_timed = invoke(&webview, "copy_code", json!({ "id": id })).expect_err("HOTP");
    assert_eq!(
        not_timed,
        json!({"kind": "other", "message": "this account has no time-based code"})
    );

    let nothing = invoke(
        &webview,
        "decide_login",
        json!({ "approve": true, "number": "12" }),
    )
    .expect_err("no sign-in under review");
    assert_eq!(kind(&nothing), "not_found", "{nothing}");

    let settings = invoke(&webview, "get_settings", json!({})).expect("settings");
    assert_eq!(settings["settings"]["clipboard_clear_seconds"], 30);
    assert_eq!(settings["policy"]["managed"], true);
}

#[test]
fn the_policy_refuses_through_every_face_with_its_own_kind() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_app, webview) = window(
        dir.path(),
        "[accounts]\nallow_manual_add = false\n[settings]\nclipboard_clear_seconds = 12\n",
    );
    let refused =
        invoke(&webview, "add_account_uri", json!({ "uri": GITHUB })).expect_err("refused");
    assert_eq!(kind(&refused), "policy", "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap_or_default()
            .contains("/etc/sesame/policy.toml"),
        "{refused}"
    );
    let locked = invoke(
        &webview,
        "save_settings",
        json!({ "settings": { "clipboard_clear_seconds": 60, "content_protection": true, "start_at_login": false } }),
    )
    .expect_err("a locked setting");
    assert_eq!(kind(&locked), "policy", "{locked}");
    let policy = invoke(&webview, "get_policy", json!({})).expect("policy");
    assert_eq!(policy["allow_manual_add"], false);
    assert_eq!(policy["locked"]["clipboard_clear_seconds"], 12);
}
