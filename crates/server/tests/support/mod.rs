//! The server in-process for HTTP tests: a real database — in-memory SQLite, or, with
//! `SESAME_TEST_BACKEND=postgres`, a fresh database of its own on the PostgreSQL server
//! `SESAME_TEST_POSTGRES` names (the test command starts a throw-away cluster) — a clock the
//! tests move, a user and a bound device.

#![allow(dead_code)] // each suite uses a different part

pub mod cluster;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{Request, StatusCode, header};
use ed25519_dalek::SigningKey;
use http_body_util::BodyExt as _;
use serde_json::Value;
use sesame_protocol::message::{self, Context, b64};
use sesame_protocol::origin::Origin;
use sesame_protocol::qr::LoginQr;
use sesame_protocol::wire::{ConfirmRequest, Decision, ScanRequest};
use sesame_server::clock::{Clock, ManualClock};
use sesame_server::database::{Backend, Database};
use sesame_server::tokens::random_token;
use sesame_server::{AddressPolicy, AppState, app};
use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;
use tower::ServiceExt as _;

pub const ORIGIN: &str = "http://127.0.0.1:8080";
pub const BROWSER: &str = "127.0.0.1:50000";
pub const DEVICE_ID: &str = "device-1";

pub struct Server {
    pub state: AppState,
    pub clock: Arc<ManualClock>,
    pub server_key: SigningKey,
    pub device_key: SigningKey,
    pub backend: Backend,
}

/// A database of the test's own: in-memory SQLite, or with `SESAME_TEST_BACKEND=postgres` a new
/// database on the PostgreSQL server `SESAME_TEST_POSTGRES` names.
async fn database() -> (AnyPool, Backend) {
    sqlx::any::install_default_drivers();
    if std::env::var("SESAME_TEST_BACKEND").as_deref() != Ok("postgres") {
        let db = AnyPoolOptions::new()
            .max_connections(1)
            .connect("sqlite::memory:")
            .await
            .expect("in-memory SQLite");
        return (db, Backend::Sqlite);
    }
    (postgres_database().await, Backend::Postgres)
}

/// A new, empty database on the PostgreSQL server `SESAME_TEST_POSTGRES` names.
pub async fn postgres_database() -> AnyPool {
    sqlx::any::install_default_drivers();
    let server = std::env::var("SESAME_TEST_POSTGRES")
        .expect("SESAME_TEST_POSTGRES names no PostgreSQL server: run `scripts/dev test`");
    let name = format!(
        "sesame_test_{}",
        random_token(9).to_lowercase().replace(['-', '_'], "x")
    );
    let admin = AnyPoolOptions::new()
        .max_connections(1)
        .connect(&format!("{server}/postgres"))
        .await
        .expect("the test PostgreSQL server");
    sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
        .execute(&admin)
        .await
        .expect("create the test database");
    admin.close().await;
    AnyPoolOptions::new()
        .max_connections(4)
        .connect(&format!("{server}/{name}"))
        .await
        .expect("the test database")
}

impl Server {
    pub async fn start() -> Self {
        Self::start_with(|state| state).await
    }

    /// The server with its state configured first (trusted proxies, say).
    pub async fn start_with(configure: impl FnOnce(AppState) -> AppState) -> Self {
        let (db, backend) = database().await;
        Self::start_on(db, backend, configure).await
    }

    /// The server on a new database of the PostgreSQL server `SESAME_TEST_POSTGRES` names,
    /// whatever `SESAME_TEST_BACKEND` says.
    pub async fn start_on_postgres() -> Self {
        Self::start_on(postgres_database().await, Backend::Postgres, |state| state).await
    }

    /// The server on the database at `url`, through the pool `sesame-server` itself opens
    /// (its timeouts and reconnection are what a test of a failing database is about).
    pub async fn start_on_url(url: &str) -> Self {
        let database = Database::parse(url).expect("a database URL");
        let db = database.connect().await.expect("the database");
        let backend = Backend::of_pool(&db);
        Self::start_on(db, backend, |state| state).await
    }

    /// A second instance of the same server: its own state, pool and waiters, on the same
    /// database, with the same key and clock.
    pub async fn another_instance(&self) -> Self {
        let url = self.state.db().connect_options().database_url.to_string();
        let db = Database::parse(&url)
            .expect("a database URL")
            .connect()
            .await
            .expect("the same database");
        let state = AppState::new(
            db,
            self.server_key.clone(),
            Origin::parse(ORIGIN).expect("origin"),
            self.clock.clone(),
            AddressPolicy::Require,
        );
        Self {
            state,
            clock: self.clock.clone(),
            server_key: self.server_key.clone(),
            device_key: self.device_key.clone(),
            backend: self.backend,
        }
    }

    async fn start_on(
        db: AnyPool,
        backend: Backend,
        configure: impl FnOnce(AppState) -> AppState,
    ) -> Self {
        let clock = Arc::new(ManualClock::new(1_900_000_000));
        let server_key = SigningKey::from_bytes(&[5; 32]);
        let state = AppState::new(
            db,
            server_key.clone(),
            Origin::parse(ORIGIN).expect("origin"),
            clock.clone(),
            AddressPolicy::Require,
        );
        let state = configure(state);
        state.migrate().await.expect("migrations");
        let device_key = SigningKey::from_bytes(&[6; 32]);
        // The first account: id 1 in both backends.
        sqlx::query("INSERT INTO users (username) VALUES ('alice')")
            .execute(state.db())
            .await
            .expect("user");
        Self::add_device(&state, DEVICE_ID, &device_key).await;
        Self {
            state,
            clock,
            server_key,
            device_key,
            backend,
        }
    }

    /// Makes every `statement` (`INSERT`, `UPDATE`) on `table` fail, as a full disk or a lost
    /// connection would halfway through a request.
    pub async fn break_writes(&self, statement: &str, table: &str) {
        let sql = match self.backend {
            Backend::Sqlite => vec![format!(
                "CREATE TRIGGER broken_{table} BEFORE {statement} ON {table} BEGIN SELECT RAISE(ABORT, 'disk full'); END"
            )],
            Backend::Postgres => vec![
                "CREATE OR REPLACE FUNCTION disk_full() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$ LANGUAGE plpgsql".to_owned(),
                format!("CREATE TRIGGER broken_{table} BEFORE {statement} ON {table} FOR EACH ROW EXECUTE FUNCTION disk_full()"),
            ],
        };
        for statement in sql {
            sqlx::raw_sql(&statement)
                .execute(self.state.db())
                .await
                .expect("trigger");
        }
    }

    pub async fn mend_writes(&self, table: &str) {
        let sql = match self.backend {
            Backend::Sqlite => format!("DROP TRIGGER broken_{table}"),
            Backend::Postgres => format!("DROP TRIGGER broken_{table} ON {table}"),
        };
        sqlx::raw_sql(&sql)
            .execute(self.state.db())
            .await
            .expect("drop trigger");
    }

    pub async fn add_device(state: &AppState, id: &str, key: &SigningKey) {
        sqlx::query("INSERT INTO devices (id, user_id, public_key, name, created_at) VALUES ($1, 1, $2, 'laptop', 0)")
            .bind(id)
            .bind(key.verifying_key().as_bytes().to_vec())
            .execute(state.db())
            .await
            .expect("device");
    }

    pub fn router(&self, peer: &str) -> Router {
        app(self.state.clone()).layer(MockConnectInfo(peer.parse::<SocketAddr>().expect("addr")))
    }

    pub async fn call(
        &self,
        peer: &str,
        request: Request<Body>,
    ) -> (StatusCode, Value, Option<String>) {
        let response = self.router(peer).oneshot(request).await.expect("response");
        let status = response.status();
        let cookie = response
            .headers()
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            cookie,
        )
    }

    /// A page as the browser with `cookie` gets it: its status and HTML.
    pub async fn page(&self, path: &str, cookie: &str) -> (StatusCode, String) {
        let request = Request::get(path)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .expect("request");
        let response = self
            .router(BROWSER)
            .oneshot(request)
            .await
            .expect("response");
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    /// A browser opens a session: (sid, challenge, bind cookie).
    pub async fn open(&self) -> (String, String, String) {
        self.open_from(BROWSER).await
    }

    /// A browser at `peer` opens a session: (sid, challenge, bind cookie).
    #[allow(dead_code)] // not every suite opens sessions from elsewhere
    pub async fn open_from(&self, peer: &str) -> (String, String, String) {
        let request = Request::post("/api/qr/sessions")
            .header(header::USER_AGENT, "Mozilla/5.0 Test")
            .header("origin", ORIGIN)
            .body(Body::empty())
            .expect("request");
        let (status, body, cookie) = self.call(peer, request).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let qr = LoginQr::parse(body["qr_uri"].as_str().expect("qr_uri")).expect("a login QR");
        qr.verify(&self.server_key.verifying_key(), self.clock.now())
            .expect("signed by the server key");
        let cookie = cookie.expect("bind cookie");
        assert!(cookie.starts_with("__Host-sesame-bind="), "{cookie}");
        assert!(
            cookie.contains("HttpOnly")
                && cookie.contains("Secure")
                && cookie.contains("SameSite=Strict")
        );
        let value = cookie.split(';').next().expect("pair").to_owned();
        (
            body["sid"].as_str().expect("sid").to_owned(),
            qr.challenge,
            value,
        )
    }

    /// The browser's poll, a second after the last one (the server answers polls that come
    /// faster with `slow_down`).
    pub async fn status(&self, sid: &str, cookie: &str, version: u64) -> (StatusCode, Value) {
        self.clock.advance(1);
        let request = Request::get(format!("/api/qr/sessions/{sid}/status?v={version}"))
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .expect("request");
        let (status, body, _) = self.call(BROWSER, request).await;
        (status, body)
    }

    pub fn scan_body(
        &self,
        key: &SigningKey,
        device: &str,
        sid: &str,
        chal: &str,
        ts: u64,
    ) -> Value {
        let mut request = ScanRequest {
            v: 1,
            device_id: device.into(),
            chal: chal.into(),
            ts,
            sig: String::new(),
        };
        let fields = request.signed_fields(ORIGIN, sid);
        let sig = message::sign(key, Context::Scan, &message::text_fields(&fields)).expect("sign");
        request.sig = b64(&sig.to_bytes());
        serde_json::to_value(request).expect("json")
    }

    pub fn confirm_body(&self, sid: &str, chal: &str, decision: Decision, number: &str) -> Value {
        let mut request = ConfirmRequest {
            v: 1,
            device_id: DEVICE_ID.into(),
            chal: chal.into(),
            decision,
            number: number.into(),
            ts: self.clock.now(),
            sig: String::new(),
        };
        let fields = request.signed_fields(ORIGIN, sid);
        let sig = message::sign(
            &self.device_key,
            Context::Confirm,
            &message::text_fields(&fields),
        )
        .expect("sign");
        request.sig = b64(&sig.to_bytes());
        serde_json::to_value(request).expect("json")
    }

    pub async fn post(&self, peer: &str, path: String, body: &Value) -> (StatusCode, Value) {
        let request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .expect("request");
        let (status, body, _) = self.call(peer, request).await;
        (status, body)
    }

    pub async fn scan(&self, sid: &str, chal: &str) -> (StatusCode, Value) {
        self.scan_from("127.0.0.1:40000", sid, chal).await
    }

    /// The bound device scans from `peer`.
    pub async fn scan_from(&self, peer: &str, sid: &str, chal: &str) -> (StatusCode, Value) {
        let body = self.scan_body(&self.device_key, DEVICE_ID, sid, chal, self.clock.now());
        self.post(peer, format!("/api/qr/sessions/{sid}/scan"), &body)
            .await
    }
}

pub fn error_of(body: &Value) -> &str {
    body["error"].as_str().unwrap_or("<none>")
}
