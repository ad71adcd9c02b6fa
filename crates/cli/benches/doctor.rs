//! `sesame doctor` on large vaults, against the real Secret Service: a whole process (start,
//! keyring probe, one listing of the keyring, the index read and checked, the report printed)
//! on indexes of 1 000 to 200 000 entries. Prints a Markdown table.
//!
//! Run by `scripts/dev bench` inside a private gnome-keyring. Only the first entries get a
//! secret in the keyring: gnome-keyring rewrites its whole file on every write, so filling it
//! with 200 000 items would take hours; the others are reported as missing, which costs doctor
//! the same check as a healthy one.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sesame_core::account::{Account, AccountId};
use sesame_core::otp::{Algorithm, OtpParams};
use sesame_core::secret::Secret;
use sesame_core::vault::{
    FileIndex, INDEX_VERSION, Index, IndexEntry, IndexStorage, KeyringStore, SecretStore,
};

const SIZES: [usize; 3] = [1_000, 20_000, 200_000];
const WITH_SECRETS: usize = 500;
const RUNS: usize = 3;

/// An index of `entries` accounts whose first `WITH_SECRETS` have their secret in the keyring.
fn fill(dir: &Path, entries: usize) {
    let params = OtpParams::totp(Algorithm::Sha1, 6, 30).expect("valid parameters");
    let accounts: Vec<IndexEntry> = (0..entries)
        .map(|n| IndexEntry {
            account: Account {
                id: AccountId::random(),
                issuer: "Bulk".into(),
                name: format!("user{n}@example.com"),
                params,
                created: 1_700_000_000,
            },
            state: Default::default(),
        })
        .collect();
    let store = KeyringStore::accounts();
    for entry in accounts.iter().take(WITH_SECRETS) {
        let secret = Secret::from_bytes(entry.account.id.as_str().as_bytes().to_vec())
            .expect("a 32-byte secret");
        store
            .put(entry.account.id.as_str(), &secret)
            .expect("the private keyring takes the secret");
    }
    FileIndex::new(dir)
        .save(&Index {
            version: INDEX_VERSION,
            accounts,
        })
        .expect("write the index");
}

/// Removes what `fill` put into the keyring, so the next size starts from the same keyring.
fn empty_keyring(dir: &Path) {
    let store = KeyringStore::accounts();
    let index = FileIndex::new(dir).load().expect("read the index");
    for entry in index.accounts.iter().take(WITH_SECRETS) {
        store.delete(entry.account.id.as_str()).expect("delete");
    }
}

fn doctor(dir: &Path, entries: usize) -> Duration {
    let start = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_sesame"))
        .args(["doctor", "--json"])
        .env("SESAME_DATA_DIR", dir)
        .stdin(Stdio::null())
        .output()
        .expect("run sesame doctor");
    let time = start.elapsed();
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("doctor prints JSON");
    let checks = report["checks"].as_array().expect("checks");
    let healthy = checks
        .iter()
        .find(|c| c["name"] == "accounts")
        .and_then(|c| c["detail"].as_str())
        .unwrap_or_default();
    assert_eq!(
        healthy,
        format!("{WITH_SECRETS} with their secrets"),
        "doctor on {entries} entries: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let missing = checks.iter().filter(|c| c["status"] == "fail").count();
    assert!(
        missing >= entries - WITH_SECRETS,
        "every entry without a secret is reported ({missing})"
    );
    time
}

fn main() {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        panic!("no D-Bus session: run this benchmark through `scripts/dev bench`");
    }
    println!(
        "| index entries | with a secret in the keyring | `sesame doctor --json`, median of {RUNS} | per entry |"
    );
    println!("|---|---|---|---|");
    for entries in SIZES {
        let dir = tempfile::tempdir().expect("data dir");
        fill(dir.path(), entries);
        let mut times: Vec<Duration> = (0..RUNS).map(|_| doctor(dir.path(), entries)).collect();
        times.sort();
        let median = times[RUNS / 2];
        println!(
            "| {entries} | {WITH_SECRETS} | {:.2} s | {:.1} µs |",
            median.as_secs_f64(),
            median.as_secs_f64() * 1e6 / entries as f64
        );
        empty_keyring(dir.path());
    }
}
