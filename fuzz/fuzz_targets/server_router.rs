//! The reference server's routes, called in process with arbitrary methods, paths, headers and
//! bodies: every request is answered, and never with a 500 (an input the server did not expect
//! is the client's error, 4xx, not an internal one). One throw-away SQLite database for the run.
#![no_main]

use std::net::SocketAddr;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use arbitrary::Arbitrary;
use axum::Router;
use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use ed25519_dalek::SigningKey;
use libfuzzer_sys::fuzz_target;
use sesame_protocol::origin::Origin;
use sesame_server::clock::ManualClock;
use sesame_server::database::Database;
use sesame_server::{AddressPolicy, AppState, app};
use tower::ServiceExt as _;

const ORIGIN: &str = "http://127.0.0.1:8080";

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
});

static ROUTER: LazyLock<Router> = LazyLock::new(|| {
    RUNTIME.block_on(async {
        let dir = std::env::temp_dir().join(format!("sesame-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let db = Database::parse(&dir.join("server.db").display().to_string())
            .expect("a path")
            .connect()
            .await
            .expect("SQLite");
        let state = AppState::new(
            db,
            SigningKey::from_bytes(&[5; 32]),
            Origin::parse(ORIGIN).expect("origin"),
            Arc::new(ManualClock::new(1_900_000_000)),
            AddressPolicy::Require,
        );
        state.migrate().await.expect("migrations");
        let peer: SocketAddr = "127.0.0.1:40000".parse().expect("address");
        app(state).layer(MockConnectInfo(peer))
    })
});

const ROUTES: &[(&str, bool)] = &[
    ("/", false),
    ("/login", false),
    ("/login/sesame", false),
    ("/healthz", false),
    ("/readyz", false),
    ("/api/login", true),
    ("/api/logout", true),
    ("/api/totp/begin", true),
    ("/api/totp/confirm", true),
    ("/api/bindings", true),
    ("/api/bindings/{}/approve", true),
    ("/api/devices/{}/revoke", true),
    ("/api/qr/sessions", true),
    ("/api/qr/sessions/{}/redeem", true),
    ("/api/bindings/{}", false),
    ("/api/bindings/{}/preview", true),
    ("/api/bindings/{}/claim", true),
    ("/api/bindings/{}/state", true),
    ("/api/qr/sessions/{}/status", false),
    ("/api/qr/sessions/{}/scan", true),
    ("/api/qr/sessions/{}/confirm", true),
];

#[derive(Arbitrary, Debug)]
struct Call<'a> {
    route: u8,
    id: &'a str,
    query: &'a str,
    other_method: bool,
    same_origin: bool,
    json: bool,
    cookie: &'a str,
    body: &'a [u8],
}

fn escape(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fuzz_target!(|call: Call<'_>| {
    let (template, posts) = ROUTES[usize::from(call.route) % ROUTES.len()];
    let mut path = template.replace("{}", &escape(call.id));
    if !call.query.is_empty() {
        path.push('?');
        path.push_str(&escape(call.query).replace("%3D", "=").replace("%26", "&"));
    }
    let method = match (posts, call.other_method) {
        (true, false) | (false, true) => Method::POST,
        _ => Method::GET,
    };
    let mut request = Request::builder().method(method).uri(&path);
    if call.same_origin {
        request = request.header(header::ORIGIN, ORIGIN);
    }
    if call.json {
        request = request.header(header::CONTENT_TYPE, "application/json");
    }
    if !call.cookie.is_empty() && call.cookie.bytes().all(|b| b.is_ascii_graphic()) {
        request = request.header(header::COOKIE, call.cookie);
    }
    let Ok(request) = request.body(Body::from(call.body.to_vec())) else {
        return;
    };
    // The router first: building it blocks on the runtime, which cannot nest.
    let router = ROUTER.clone();
    let answered = RUNTIME.block_on(async {
        tokio::time::timeout(Duration::from_millis(500), router.oneshot(request)).await
    });
    // A long poll that is still waiting is fine; an internal error is not.
    if let Ok(Ok(response)) = answered {
        assert_ne!(
            response.status(),
            StatusCode::INTERNAL_SERVER_ERROR,
            "{path} answered 500"
        );
    }
});
