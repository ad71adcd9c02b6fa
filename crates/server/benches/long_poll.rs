//! Long polls at scale: the `sesame-server` binary, each instance pinned to a core of its own
//! (`taskset`), N browsers each waiting on its own session, then a sample of sessions scanned
//! and confirmed by a bound device. On SQLite (one instance) and on PostgreSQL (one instance,
//! then two sharing the database, the browsers spread over both and every confirm sent to the
//! instance its browser is not waiting on). Prints a table: sessions opened per second, the time
//! from a confirm to the waiting browser's answer (p50, p99), and the servers' memory per
//! waiting session.
//!
//! Run by `scripts/dev bench` (after `cargo build --release -p sesame-server`), which starts the
//! throw-away PostgreSQL the PostgreSQL rows need.

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ed25519_dalek::SigningKey;
use serde_json::Value;
use sesame_protocol::message::{self, Context, b64};
use sesame_protocol::qr::LoginQr;
use sesame_protocol::wire::{ConfirmRequest, Decision, ScanRequest};

const SAMPLE: usize = 200;
const SESSIONS_PER_ADDRESS: usize = 10;

/// The i-th loopback address used as a browser's (127.1.0.1 and up; Linux routes all of
/// 127.0.0.0/8 to lo): the server allows 10 new sessions a minute per address.
fn address(i: usize) -> IpAddr {
    let n = i / SESSIONS_PER_ADDRESS + 1;
    IpAddr::V4(Ipv4Addr::new(
        127,
        1 + (n / 65536) as u8,
        (n / 256 % 256) as u8,
        (n % 256) as u8,
    ))
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0)
}

struct Server {
    child: Child,
    /// Where this instance listens (all instances answer for one public origin).
    address: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The key of the i-th bound device (one per sampled session: the server allows a device 20
/// requests a minute).
fn device_key(i: usize) -> SigningKey {
    let mut seed = [9u8; 32];
    seed[..8].copy_from_slice(&(i as u64).to_le_bytes());
    SigningKey::from_bytes(&seed)
}

/// Where the sessions are stored.
#[derive(Clone, Copy)]
enum Store {
    Sqlite,
    /// The throw-away cluster `scripts/dev bench` starts (`SESAME_TEST_POSTGRES`).
    Postgres,
}

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/release/sesame-server")
}

/// A database of this run's own, migrated by the server's `migrate` command, with the bench
/// user and its bound devices: its `--db` value.
async fn new_database(store: Store, dir: &std::path::Path) -> String {
    let url = match store {
        Store::Sqlite => format!("sqlite:{}", dir.join("bench.db").display()),
        Store::Postgres => {
            let server = std::env::var("SESAME_TEST_POSTGRES").expect("checked by the caller");
            let name = format!("sesame_bench_{}", std::process::id());
            let _ = Command::new("psql")
                .arg(format!("{server}/postgres"))
                .args(["-c", &format!("DROP DATABASE IF EXISTS {name}")])
                .output();
            let created = Command::new("psql")
                .arg(format!("{server}/postgres"))
                .args(["-c", &format!("CREATE DATABASE {name}")])
                .output()
                .expect("psql (postgresql-client)");
            assert!(created.status.success(), "{created:?}");
            format!("{server}/{name}")
        }
    };
    let migrated = Command::new(binary())
        .args(["migrate", "--db", &url])
        .output()
        .expect("target/release/sesame-server (cargo build --release -p sesame-server)");
    assert!(migrated.status.success(), "{migrated:?}");
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await.expect("db");
    sqlx::query("INSERT INTO users (id, username) VALUES (1, 'bench')")
        .execute(&pool)
        .await
        .expect("user");
    for i in 0..SAMPLE {
        sqlx::query("INSERT INTO devices (id, user_id, public_key, name, created_at) VALUES ($1, 1, $2, 'bench', 0)")
            .bind(format!("bench-device-{i}"))
            .bind(device_key(i).verifying_key().as_bytes().to_vec())
            .execute(&pool)
            .await
            .expect("device");
    }
    pool.close().await;
    url
}

/// `instances` release servers on `db`, the i-th pinned to core i, all for one public origin.
async fn start_servers(db: &str, key: &std::path::Path, instances: usize) -> (String, Vec<Server>) {
    let ports: Vec<u16> = (0..instances)
        .map(|_| {
            std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("port")
                .port()
        })
        .collect();
    let origin = format!("http://127.0.0.1:{}", ports[0]);
    let mut servers = Vec::new();
    // One after the other: the first creates the shared key, the others read it.
    for (core, port) in ports.into_iter().enumerate() {
        let child = Command::new("taskset")
            .args(["-c", &core.to_string()])
            .arg(binary())
            .args([
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--origin",
                &origin,
            ])
            .args(["--db", db, "--key"])
            .arg(key)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("target/release/sesame-server (cargo build --release -p sesame-server)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the server did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        servers.push(Server {
            child,
            address: format!("http://127.0.0.1:{port}"),
        });
    }
    (origin, servers)
}

struct Session {
    /// The instance that opened it, where its browser polls.
    instance: String,
    sid: String,
    challenge: String,
    cookie: String,
    client: reqwest::Client,
}

async fn open(origin: &str, instance: &str, client: reqwest::Client) -> Session {
    let response = client
        .post(format!("{instance}/api/qr/sessions"))
        .header("origin", origin)
        .send()
        .await
        .expect("open");
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|c| c.to_str().ok())
        .and_then(|c| c.split(';').next())
        .expect("bind cookie")
        .to_owned();
    let body: Value = response.json().await.expect("json");
    let qr = LoginQr::parse(body["qr_uri"].as_str().expect("qr")).expect("qr");
    Session {
        instance: instance.to_owned(),
        sid: body["sid"].as_str().expect("sid").to_owned(),
        challenge: qr.challenge,
        cookie,
        client,
    }
}

async fn poll(session: &Session, version: u64) -> Value {
    session
        .client
        .get(format!(
            "{}/api/qr/sessions/{}/status?v={version}",
            session.instance, session.sid
        ))
        .header("cookie", &session.cookie)
        .send()
        .await
        .expect("poll")
        .json()
        .await
        .expect("json")
}

#[allow(clippy::disallowed_methods)] // the real server's clock, from outside it
fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A device request to `instance`.
async fn device_post(instance: &str, session: &Session, path: &str, body: Value) -> Value {
    session
        .client
        .post(format!("{instance}/api/qr/sessions/{}/{path}", session.sid))
        .json(&body)
        .send()
        .await
        .expect("device request")
        .json()
        .await
        .expect("json")
}

/// Scans and confirms `session` as the device, through `device_instance` (with several
/// instances, not the one its browser waits on); returns the time from sending the confirm to
/// the waiting poll's answer.
async fn confirm_and_time(
    origin: &str,
    device_instance: &str,
    index: usize,
    session: Session,
) -> Duration {
    let device = device_key(index);
    let device_id = format!("bench-device-{index}");
    let mut scan = ScanRequest {
        v: 1,
        device_id: device_id.clone(),
        chal: session.challenge.clone(),
        ts: now(),
        sig: String::new(),
    };
    let fields = scan.signed_fields(origin, &session.sid);
    scan.sig = b64(
        &message::sign(&device, Context::Scan, &message::text_fields(&fields))
            .expect("sign")
            .to_bytes(),
    );
    device_post(
        device_instance,
        &session,
        "scan",
        serde_json::to_value(&scan).expect("json"),
    )
    .await;
    let scanned = poll(&session, 1).await;
    let number = scanned["number"].as_str().unwrap_or_default().to_owned();
    let version = scanned["version"].as_u64().unwrap_or(2);
    let session = Arc::new(session);
    let waiter = {
        let session = session.clone();
        tokio::spawn(async move {
            let answer = poll(&session, version).await;
            (Instant::now(), answer)
        })
    };
    tokio::time::sleep(Duration::from_millis(20)).await;
    let mut confirm = ConfirmRequest {
        v: 1,
        device_id: device_id.clone(),
        chal: session.challenge.clone(),
        decision: Decision::Approve,
        number,
        ts: now(),
        sig: String::new(),
    };
    let fields = confirm.signed_fields(origin, &session.sid);
    confirm.sig = b64(
        &message::sign(&device, Context::Confirm, &message::text_fields(&fields))
            .expect("sign")
            .to_bytes(),
    );
    let sent = Instant::now();
    device_post(
        device_instance,
        &session,
        "confirm",
        serde_json::to_value(&confirm).expect("json"),
    )
    .await;
    let (answered, answer) = waiter.await.expect("waiter");
    assert_eq!(answer["state"], "confirmed", "{answer}");
    answered.saturating_duration_since(sent)
}

fn percentile(sorted: &[Duration], p: f64) -> String {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(index).map_or("–".into(), |d| {
        format!("{:.1} ms", d.as_secs_f64() * 1000.0)
    })
}

async fn run(store: Store, instances: usize, n: usize) -> String {
    let label = match store {
        Store::Sqlite => "SQLite".to_owned(),
        Store::Postgres => format!(
            "PostgreSQL, {instances} instance{}",
            if instances == 1 { "" } else { "s" }
        ),
    };
    if matches!(store, Store::Postgres) && std::env::var_os("SESAME_TEST_POSTGRES").is_none() {
        return format!(
            "| {label} | {n} | not measured: no PostgreSQL (`scripts/dev bench` starts one) | | | | |"
        );
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let db = new_database(store, dir.path()).await;
    let (origin, servers) = start_servers(&db, &dir.path().join("server.key"), instances).await;
    let origin = Arc::new(origin);
    let addresses: Vec<Arc<String>> = servers
        .iter()
        .map(|s| Arc::new(s.address.clone()))
        .collect();
    let rss = || servers.iter().map(|s| rss_kib(s.child.id())).sum::<u64>();

    // Open N sessions, ten per browser address, the addresses spread over the instances.
    let started = Instant::now();
    let mut sessions = Vec::with_capacity(n);
    let mut tasks = Vec::new();
    for chunk in 0..n.div_ceil(SESSIONS_PER_ADDRESS) {
        let origin = origin.clone();
        let instance = addresses[chunk % addresses.len()].clone();
        let client = reqwest::Client::builder()
            .local_address(address(chunk * SESSIONS_PER_ADDRESS))
            .pool_max_idle_per_host(usize::MAX)
            .build()
            .expect("client");
        let count = SESSIONS_PER_ADDRESS.min(n - chunk * SESSIONS_PER_ADDRESS);
        tasks.push(tokio::spawn(async move {
            let mut opened = Vec::new();
            for _ in 0..count {
                opened.push(open(&origin, &instance, client.clone()).await);
            }
            opened
        }));
    }
    for task in tasks {
        sessions.extend(task.await.expect("open"));
    }
    let per_second = n as f64 / started.elapsed().as_secs_f64();

    // Everyone but the sample waits on its session.
    let idle_rss = rss();
    // The sample is the newest sessions: the oldest may near their 60 s by the time it runs.
    let sample = sessions.split_off(n - SAMPLE.min(n));
    let mut waiters = Vec::new();
    for session in sessions {
        waiters.push(tokio::spawn(async move { poll(&session, 1).await }));
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let waiting_rss = rss();
    let per_waiter =
        (waiting_rss.saturating_sub(idle_rss)) as f64 * 1024.0 / waiters.len().max(1) as f64;

    // Confirms while they wait, each through another instance than its browser's when there
    // are several: the answer then travels through PostgreSQL's NOTIFY.
    let mut times = Vec::new();
    for (index, session) in sample.into_iter().enumerate() {
        let waited_on = addresses
            .iter()
            .position(|a| **a == session.instance)
            .unwrap_or(0);
        let device_instance = addresses[(waited_on + 1) % addresses.len()].clone();
        times.push(confirm_and_time(&origin, &device_instance, index, session).await);
    }
    times.sort();
    for waiter in waiters {
        waiter.abort();
    }
    drop(servers);
    format!(
        "| {label} | {n} | {per_second:.0} | {} | {} | {:.1} KiB | {:.0} MiB |",
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        per_waiter / 1024.0,
        waiting_rss as f64 / 1024.0
    )
}

#[tokio::main]
async fn main() {
    println!(
        "| store, instances | browsers waiting | sessions opened / s | confirm → browser answered, p50 | p99 | server memory per waiting session | servers' RSS while they wait |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (store, instances, n) in [
        (Store::Sqlite, 1, 1_000),
        (Store::Sqlite, 1, 10_000),
        (Store::Postgres, 1, 10_000),
        (Store::Postgres, 2, 10_000),
    ] {
        println!("{}", run(store, instances, n).await);
    }
}
