//! The window's footprint and start-up, printed as a table (run by `scripts/dev bench`, which
//! provides Xvfb, a private gnome-keyring and tauri-driver).
//!
//! Measured per scenario: time from asking tauri-driver for a session (which launches the app)
//! to the first code on screen; RSS and PSS summed over the app, its WebKit processes and the
//! tray; the same once the window is closed (only the tray is left); CPU used while idle; and the
//! time to get the window back with codes (a second launch, as the tray's "Open" does, with the
//! WebDriver session's own start-up included).

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use sesame_core::otp::{Algorithm, OtpParams};
use sesame_core::{NewAccount, Secret, Vault};
use support::{AppSession, Sandbox, process_tree};

const SETTLE: Duration = Duration::from_secs(3);
const IDLE: Duration = Duration::from_secs(20);

/// The app and its WebKit helpers: everything below WebKitWebDriver, which tauri-driver spawns.
fn app_processes(driver: u32) -> Vec<u32> {
    process_tree(driver)
        .into_iter()
        .filter(|(_, name)| !name.starts_with("WebKitWebDriver"))
        .map(|(pid, _)| pid)
        .collect()
}

fn memory_kib(pids: &[u32]) -> (u64, u64) {
    let mut totals = (0, 0);
    for pid in pids {
        let rollup =
            std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
        for line in rollup.lines() {
            let value = || {
                line.split_whitespace()
                    .nth(1)
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(0)
            };
            if line.starts_with("Rss:") {
                totals.0 += value();
            } else if line.starts_with("Pss:") {
                totals.1 += value();
            }
        }
    }
    totals
}

fn cpu_ticks(pids: &[u32]) -> u64 {
    pids.iter()
        .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/stat")).ok())
        .map(|stat| {
            let after = stat
                .rsplit_once(')')
                .map(|(_, rest)| rest.to_owned())
                .unwrap_or_default();
            let fields: Vec<&str> = after.split_whitespace().collect();
            // utime and stime are fields 14 and 15 of stat, 12 and 13 after the name.
            fields
                .get(11)
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0)
                + fields
                    .get(12)
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(0)
        })
        .sum()
}

fn fill(sandbox: &Sandbox, count: usize) {
    let vault = Vault::open(sandbox.data.path());
    for n in 0..count {
        let secret: Vec<u8> = (0..20).map(|i| (n * 31 + i * 7) as u8).collect();
        vault
            .add(NewAccount {
                issuer: format!("Service {n:03}"),
                name: format!("user{n}@example.com"),
                params: OtpParams::totp(Algorithm::Sha1, 6, 30).expect("valid"),
                secret: Secret::from_bytes(secret).expect("secret"),
            })
            .expect("add to the keyring");
    }
}

struct Row {
    what: String,
    launch_ms: Option<u128>,
    open: (u64, u64, usize),
    tray: Option<(u64, u64, usize)>,
    idle_cpu: Option<f64>,
    back_ms: Option<u128>,
}

/// Launches the app and waits for its first code (or, with no accounts, the empty list).
async fn launch_until_code(sandbox: &Sandbox, accounts: usize) -> (AppSession, u128) {
    let started = Instant::now();
    let app = AppSession::start(sandbox).await;
    let ready = if accounts == 0 {
        "#empty:not([hidden])"
    } else {
        ".code"
    };
    loop {
        let shown = app
            .js(&format!(
                "const e = document.querySelector({ready:?}); return !!e && (e.id === 'empty' || /\\d/.test(e.innerText));"
            ))
            .await;
        if shown == serde_json::json!(true) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    (app, started.elapsed().as_millis())
}

/// The app's processes and the vault's tray.
fn sesame_processes(app: &AppSession, sandbox: &Sandbox) -> Vec<u32> {
    let mut pids = app_processes(app.driver_pid());
    pids.extend(sandbox.tray_pid());
    pids
}

async fn measure_sesame(accounts: usize) -> Row {
    let sandbox = Sandbox::new();
    fill(&sandbox, accounts);
    let (app, launch_ms) = launch_until_code(&sandbox, accounts).await;
    tokio::time::sleep(SETTLE).await;
    let pids = sesame_processes(&app, &sandbox);
    let (rss, pss) = memory_kib(&pids);
    let before = cpu_ticks(&pids);
    tokio::time::sleep(IDLE).await;
    let idle =
        (cpu_ticks(&sesame_processes(&app, &sandbox)) - before) as f64 / 100.0 / IDLE.as_secs_f64()
            * 100.0;
    // The window is destroyed while this script runs, so its result cannot come back.
    let _ = app
        .client
        .execute("window.__TAURI__.core.invoke('close_window');", vec![])
        .await;
    tokio::time::sleep(SETTLE).await;
    let tray_pids = sesame_processes(&app, &sandbox);
    let (tray_rss, tray_pss) = memory_kib(&tray_pids);
    app.close().await;
    let (again, back_ms) = launch_until_code(&sandbox, accounts).await;
    again.close().await;
    Row {
        what: format!("Sesame, {accounts} accounts"),
        launch_ms: Some(launch_ms),
        open: (rss, pss, pids.len()),
        tray: Some((tray_rss, tray_pss, tray_pids.len())),
        idle_cpu: Some(idle),
        back_ms: Some(back_ms),
    }
}

async fn measure_empty_window() -> Row {
    let sandbox = Sandbox::new();
    let binary =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/examples/empty_window");
    let app = AppSession::start_application(&sandbox, &binary).await;
    tokio::time::sleep(SETTLE).await;
    let pids = app_processes(app.driver_pid());
    let (rss, pss) = memory_kib(&pids);
    app.close().await;
    Row {
        what: "empty Tauri 2 window".into(),
        launch_ms: None,
        open: (rss, pss, pids.len()),
        tray: None,
        idle_cpu: None,
        back_ms: None,
    }
}

#[tokio::main]
async fn main() {
    let mut rows = vec![measure_empty_window().await];
    for accounts in [0, 200] {
        rows.push(measure_sesame(accounts).await);
    }
    let mib = |kib: u64| format!("{:.0}", kib as f64 / 1024.0);
    println!(
        "| what | launch → first code | window open: RSS / PSS (MiB, processes) | in the tray: RSS / PSS (MiB, processes) | idle CPU, window open | window back → first code |"
    );
    println!("|---|---|---|---|---|---|");
    for row in rows {
        println!(
            "| {} | {} | {} / {} ({}) | {} | {} | {} |",
            row.what,
            row.launch_ms
                .map(|ms| format!("{ms} ms"))
                .unwrap_or_else(|| "–".into()),
            mib(row.open.0),
            mib(row.open.1),
            row.open.2,
            row.tray
                .map(|t| format!("{} / {} ({})", mib(t.0), mib(t.1), t.2))
                .unwrap_or_else(|| "–".into()),
            row.idle_cpu
                .map(|c| format!("{c:.1} %"))
                .unwrap_or_else(|| "–".into()),
            row.back_ms
                .map(|ms| format!("{ms} ms"))
                .unwrap_or_else(|| "–".into()),
        );
    }
}
