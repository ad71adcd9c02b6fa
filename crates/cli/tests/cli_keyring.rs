//! The `sesame` binary against the real Secret Service (gnome-keyring in a D-Bus session).
//!
//! Tests marked `ignore` need that session: `scripts/dev test` starts it and runs them with
//! `--include-ignored`. Each test uses its own data dir and random account ids, so they share
//! the keyring safely.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use sesame_core::otp::{Algorithm, OtpParams, SystemClock};
use sesame_core::otpauth::migration;
use sesame_core::testing::{CrashingIndex, independent_totp, secret_tool_lookup};
use sesame_core::vault::{FileIndex, KeyringStore, VaultError};
use sesame_core::{NewAccount, Secret, Vault};

const NEEDS_KEYRING: &str = "needs a real Secret Service: run `scripts/dev test`";

/// `sesame backup` writes an encrypted Aegis vault: an independent reader of Aegis's format
/// (Python's `cryptography`, `tests/fixtures/import/read_aegis.py`) opens it with the password
/// and finds every secret and the HOTP counter; a second machine restores it with `sesame
/// import` to the same codes; the file is 0600, never overwritten, and needs a real password.
#[test]
#[ignore = "needs a real Secret Service: run `scripts/dev test`"]
fn a_backup_opens_in_an_independent_aegis_reader_and_restores_the_same_codes() {
    const TOTP_SECRET: &str = "JBSWY3DPEHPK3PXP";
    const HOTP_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    let (old, new) = (Sandbox::new(), Sandbox::new());
    old.ok(&[
        "add",
        &format!(
            "otpauth://totp/Keep:ada?secret={TOTP_SECRET}&issuer=Keep&algorithm=SHA256&digits=8"
        ),
    ]);
    old.ok(&[
        "add",
        &format!("otpauth://hotp/KeepVPN:ada?secret={HOTP_SECRET}&issuer=KeepVPN&counter=3"),
    ]);
    old.ok(&["code", "keepvpn"]); // counter 3 used: 4 is next
    let dir = old.data.path();
    let backup = dir.join("backup.json");
    let backup_path = backup.to_str().expect("utf-8");
    let (password, short) = (dir.join("password.txt"), dir.join("short.txt"));
    std::fs::write(&password, "correct horse battery staple\n").expect("write");
    std::fs::write(&short, "hunter2\n").expect("write");
    let password_path = password.to_str().expect("utf-8");

    let refused = old.run(&[
        "backup",
        backup_path,
        "--password-file",
        short.to_str().expect("utf-8"),
    ]);
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("at least 8"),
        "{}",
        text(&refused.stderr)
    );
    assert!(!backup.exists(), "nothing written");
    let no_terminal = old.run(&["backup", backup_path]);
    assert!(!no_terminal.status.success());
    assert!(text(&no_terminal.stderr).contains("--password-file"));

    old.ok(&["backup", backup_path, "--password-file", password_path]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&backup)
            .expect("written")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "readable by its owner alone");
    }
    let written = std::fs::read(&backup).expect("read");
    for secret in [TOTP_SECRET, HOTP_SECRET] {
        assert!(
            !contains(&written, secret.as_bytes()),
            "{secret} in the clear"
        );
    }
    let again = old.run(&["backup", backup_path, "--password-file", password_path]);
    assert!(!again.status.success(), "never overwritten");
    assert_eq!(std::fs::read(&backup).expect("read"), written);

    // The independent reader.
    let reader = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/import/read_aegis.py");
    let opened = Command::new("python3")
        .arg(&reader)
        .args([backup_path, password_path])
        .output()
        .expect("python3 with cryptography (scripts/dev test installs it)");
    assert!(opened.status.success(), "{}", text(&opened.stderr));
    let database: Value = serde_json::from_slice(&opened.stdout).expect("json");
    let entries = database["entries"].as_array().expect("entries");
    let entry = |issuer: &str| {
        entries
            .iter()
            .find(|e| e["issuer"] == issuer)
            .unwrap_or_else(|| panic!("{issuer} in {database}"))
    };
    let (totp, hotp) = (entry("Keep"), entry("KeepVPN"));
    assert_eq!(
        (totp["type"].as_str(), totp["name"].as_str()),
        (Some("totp"), Some("ada"))
    );
    assert_eq!(totp["info"]["secret"], TOTP_SECRET);
    assert_eq!(totp["info"]["algo"], "SHA256");
    assert_eq!(
        (
            totp["info"]["digits"].as_u64(),
            totp["info"]["period"].as_u64()
        ),
        (Some(8), Some(30))
    );
    assert_eq!(hotp["type"], "hotp");
    assert_eq!(hotp["info"]["secret"], HOTP_SECRET);
    assert_eq!(hotp["info"]["counter"].as_u64(), Some(4));
    let wrong = dir.join("wrong.txt");
    std::fs::write(&wrong, "correct horse battery stapler\n").expect("write");
    let refused = Command::new("python3")
        .arg(&reader)
        .args([backup_path, wrong.to_str().expect("utf-8")])
        .output()
        .expect("python3");
    assert!(!refused.status.success(), "a wrong password opens nothing");

    // Restored on another machine: the same codes, the HOTP counter where it was.
    let restored = new.run(&[
        "import",
        backup_path,
        "--password-file",
        password_path,
        "--yes",
    ]);
    assert!(restored.status.success(), "{}", text(&restored.stderr));
    assert!(
        text(&restored.stdout).contains("Imported 2 of 2"),
        "{}",
        text(&restored.stdout)
    );
    let hotp_code = |sandbox: &Sandbox| {
        sandbox
            .ok(&["code", "keepvpn"])
            .split_whitespace()
            .next()
            .map(str::to_owned)
    };
    let oathtool = Command::new("oathtool")
        .args(["--hotp", "--base32", "--counter", "4", HOTP_SECRET])
        .output()
        .expect("oathtool (scripts/dev test installs it)");
    let restored_code = hotp_code(&new);
    assert_eq!(
        restored_code.as_deref(),
        Some(text(&oathtool.stdout).trim())
    );
    assert_eq!(
        restored_code,
        hotp_code(&old),
        "the old machine's next is counter 4 too"
    );
    let totp_codes = |sandbox: &Sandbox| {
        let json: Value =
            serde_json::from_str(&sandbox.ok(&["code", "keep:", "--json"])).expect("json");
        json[0]["code"].to_string()
    };
    let (before, after) = (totp_codes(&old), totp_codes(&new));
    // A 30 s step may turn between the two commands: then both move on together.
    if before != after {
        assert_eq!(totp_codes(&old), totp_codes(&new));
    }
}

/// Issue 16: an add SIGKILLed at its write (strace kills it at the `rename` that would put the
/// new index in place) left `.accounts.json.<pid>.tmp` files that nothing cleaned, and the lock
/// file was 0644. `doctor` now removes them and says so; the lock is private, even one an older
/// Sesame made.
#[test]
#[ignore = "needs a real Secret Service and strace: run `scripts/dev test`"]
fn doctor_removes_what_killed_writes_left_and_the_lock_is_private() {
    use std::os::unix::fs::PermissionsExt as _;
    let sandbox = Sandbox::new();
    let lock = sandbox.data.path().join("accounts.lock");
    std::fs::write(&lock, "").expect("an old lock");
    std::fs::set_permissions(&lock, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let temporaries = |sandbox: &Sandbox| {
        std::fs::read_dir(sandbox.data.path())
            .expect("data dir")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .count()
    };
    for n in 0..2 {
        let killed = Command::new("strace")
            .args(["-f", "-qq", "-o", "/dev/null"])
            .args(["-e", "trace=rename,renameat,renameat2"])
            .args(["-e", "inject=rename,renameat,renameat2:signal=SIGKILL"])
            .arg(env!("CARGO_BIN_EXE_sesame"))
            .args([
                "add",
                &format!("otpauth://totp/Killed:ada{n}?secret=JBSWY3DPEHPK3PXP&issuer=Killed"),
            ])
            .env("SESAME_DATA_DIR", sandbox.data.path())
            .env("SESAME_POLICY", sandbox.policy())
            .output()
            .expect("strace (scripts/dev test installs it)");
        assert!(!killed.status.success(), "the add was killed at its write");
    }
    assert_eq!(temporaries(&sandbox), 2, "each killed write left its file");

    let doctor = sandbox.run(&["doctor"]);
    let said = text(&doctor.stdout);
    assert!(
        said.contains("removed 2 temporary file(s) left by interrupted writes"),
        "{said}"
    );
    assert_eq!(temporaries(&sandbox), 0);
    let mode = std::fs::metadata(&lock).expect("lock").permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "the lock file is private");
    assert!(
        sandbox.account_ids().is_empty(),
        "killed adds stored nothing"
    );
}

/// Issue 16: an `accounts.json` that is a symbolic link was followed (to /etc/passwd in the
/// attack) and, pointing at a valid index, silently replaced by a file on the next write. It is
/// now refused, saying so, by reads and writes alike, and `doctor` names the index.
#[test]
#[ignore = "needs a real Secret Service: run `scripts/dev test`"]
fn a_symlinked_index_is_refused_never_followed_or_replaced() {
    let sandbox = Sandbox::new();
    sandbox.ok(&[
        "add",
        "otpauth://totp/Linked:ada?secret=JBSWY3DPEHPK3PXP&issuer=Linked",
    ]);
    let index = sandbox.data.path().join("accounts.json");
    let elsewhere = tempfile::tempdir().expect("dir");
    let real = elsewhere.path().join("real.json");
    std::fs::rename(&index, &real).expect("move");
    let before = std::fs::read(&real).expect("read");
    for target in [real.as_path(), Path::new("/etc/passwd")] {
        let _ = std::fs::remove_file(&index);
        std::os::unix::fs::symlink(target, &index).expect("symlink");
        let listed = sandbox.run(&["list"]);
        assert!(!listed.status.success());
        assert!(
            text(&listed.stderr).contains("is a symbolic link"),
            "{}",
            text(&listed.stderr)
        );
        assert!(!text(&listed.stdout).contains("root:"));
        let added = sandbox.run(&[
            "add",
            "otpauth://totp/Other:ada?secret=JBSWY3DPEHPK3PXP&issuer=Other",
        ]);
        assert!(!added.status.success());
        assert!(
            std::fs::symlink_metadata(&index)
                .expect("still there")
                .file_type()
                .is_symlink(),
            "the link is not replaced"
        );
        let doctor = sandbox.run(&["doctor", "--json"]);
        let report: Value = serde_json::from_slice(&doctor.stdout).expect("json");
        let index_check = report["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .find(|c| c["name"] == "index")
            .expect("an index check");
        assert_eq!(index_check["status"], "fail", "{report}");
    }
    assert_eq!(std::fs::read(&real).expect("read"), before, "untouched");
}

struct Sandbox {
    data: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Self {
        Self {
            data: tempfile::tempdir().expect("tempdir"),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_sesame"));
        // A policy file of its own, absent unless a test writes it.
        command
            .args(args)
            .env("SESAME_DATA_DIR", self.data.path())
            .env("SESAME_POLICY", self.policy());
        command
    }

    fn policy(&self) -> std::path::PathBuf {
        self.data.path().join("policy.toml")
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_with_stdin(args, "")
    }

    fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn sesame");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_bytes())
            .expect("write stdin");
        child.wait_with_output().expect("wait")
    }

    fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(
            output.status.success(),
            "sesame {args:?} failed: {}",
            text(&output.stderr)
        );
        text(&output.stdout)
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).expect("JSON output")
    }

    fn account_ids(&self) -> Vec<String> {
        self.json(&["list", "--json"])
            .as_array()
            .expect("array")
            .iter()
            .map(|a| a["id"].as_str().expect("id").to_owned())
            .collect()
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every byte of every file under `dir`, to prove a secret is not among them.
fn all_file_contents(dir: &Path) -> Vec<u8> {
    let mut contents = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            contents.extend(all_file_contents(&path));
        } else {
            contents.extend(std::fs::read(&path).expect("read file"));
        }
    }
    contents
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
#[ignore = "needs a real Secret Service: run `scripts/dev test`"]
fn added_secret_is_in_the_keyring_only_and_remove_takes_it_out() {
    let sandbox = Sandbox::new();
    let base32 = "KRSXG5CTMVZWC3LFKRSXG5CTMVZWC3LF"; // "TestSesameTestSesame"
    // Through standard input, lower case and spaced, as a user might paste it.
    let uri = "otpauth://totp/ACME%20Corp:alice%40example.com?secret=krsx g5ct mvzw c3lf krsx g5ct mvzw c3lf&issuer=ACME%20Corp\n";
    let added = sandbox.run_with_stdin(&["add"], uri);
    assert!(added.status.success(), "{}", text(&added.stderr));
    assert!(text(&added.stdout).contains("Added ACME Corp:alice@example.com"));

    let ids = sandbox.account_ids();
    assert_eq!(ids.len(), 1);
    assert_eq!(
        secret_tool_lookup(&ids[0]).as_deref(),
        Some(base32),
        "{NEEDS_KEYRING}"
    );

    let on_disk = all_file_contents(sandbox.data.path());
    assert!(!on_disk.is_empty(), "the index is written");
    for needle in [base32.as_bytes(), b"krsxg5ct", b"TestSesame"] {
        assert!(
            !contains(&on_disk, needle),
            "the secret leaked into the data dir"
        );
    }

    let shown = sandbox.json(&["code", "acme", "--json"]);
    let row = &shown[0];
    let now = row["valid_until"].as_u64().expect("valid_until")
        - row["seconds_left"].as_u64().expect("left");
    assert_eq!(
        row["code"],
        independent_totp(b"TestSesameTestSesame", 6, now)
    );
    assert!(!sandbox.ok(&["list"]).contains(base32));

    let removed = sandbox.run(&["remove", "alice", "--yes"]);
    assert!(removed.status.success(), "{}", text(&removed.stderr));
    assert_eq!(
        secret_tool_lookup(&ids[0]),
        None,
        "the keyring entry is gone"
    );
    assert!(sandbox.account_ids().is_empty());
}

#[test]
#[ignore = "needs a real Secret Service: run `scripts/dev test`"]
fn a_google_export_imports_every_account_with_working_codes() {
    let sandbox = Sandbox::new();
    let accounts = vec![
        NewAccount {
            issuer: "Mail".into(),
            name: "carol".into(),
            params: OtpParams::totp(Algorithm::Sha1, 6, 30).expect("valid"),
            secret: Secret::from_bytes(b"12345678901234567890".to_vec()).expect("secret"),
        },
        NewAccount {
            issuer: "VPN".into(),
            name: "carol".into(),
            params: OtpParams::hotp(Algorithm::Sha1, 6, 0).expect("valid"),
            secret: Secret::from_bytes(b"12345678901234567890".to_vec()).expect("secret"),
        },
    ];
    let export = migration::export(&accounts).expect("exportable");
    let output = sandbox.run_with_stdin(&["add", "--migration"], &export);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("Added 2 of 2"));

    let listed = sandbox.json(&["list", "--json"]);
    let labels: Vec<_> = listed
        .as_array()
        .expect("array")
        .iter()
        .map(|a| format!("{}:{}:{}", a["issuer"], a["name"], a["kind"]))
        .collect();
    assert_eq!(
        labels,
        [r#""Mail":"carol":"totp""#, r#""VPN":"carol":"hotp""#]
    );
    // RFC 4226 appendix D, counters 0 then 1: the counter is consumed once per code.
    assert_eq!(
        sandbox.ok(&["code", "vpn"]).split_whitespace().next(),
        Some("755224")
    );
    assert_eq!(
        sandbox.ok(&["code", "vpn"]).split_whitespace().next(),
        Some("287082")
    );

    // Importing the same export again adds nothing.
    let again = sandbox.run_with_stdin(&["add"], &export);
    assert!(
        text(&again.stdout).contains("Added 0 of 2"),
        "{}",
        text(&again.stdout)
    );
    assert_eq!(sandbox.account_ids().len(), 2);
}

#[test]
#[ignore = "needs a real Secret Service: run `scripts/dev test`"]
fn doctor_restores_an_account_whose_add_crashed_after_the_keyring_write() {
    let sandbox = Sandbox::new();
    let crashing = Vault::new(
        Box::new(KeyringStore::accounts()),
        // Save 1 records the pending add; the keyring write follows; save 2 "crashes".
        Box::new(CrashingIndex::new(FileIndex::new(sandbox.data.path()), 2)),
        Box::new(SystemClock),
    );
    let result = crashing.add(NewAccount {
        issuer: "Crash".into(),
        name: "dave".into(),
        params: OtpParams::totp(Algorithm::Sha1, 8, 30).expect("valid"),
        secret: Secret::from_bytes(b"12345678901234567890".to_vec()).expect("secret"),
    });
    assert!(matches!(result, Err(VaultError::Index(_))), "{result:?}");
    assert!(
        sandbox.account_ids().is_empty(),
        "an unfinished add is not shown"
    );

    let doctor = sandbox.run(&["doctor"]);
    assert!(
        doctor.status.success(),
        "{}{}",
        text(&doctor.stdout),
        text(&doctor.stderr)
    );
    assert!(
        text(&doctor.stdout).contains("Crash:dave: restored"),
        "{}",
        text(&doctor.stdout)
    );

    let ids = sandbox.account_ids();
    assert_eq!(ids.len(), 1);
    assert_eq!(
        secret_tool_lookup(&ids[0]).as_deref(),
        Some("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
    );
    let row = &sandbox.json(&["code", "crash", "--json"])[0];
    let now =
        row["valid_until"].as_u64().expect("until") - row["seconds_left"].as_u64().expect("left");
    assert_eq!(
        row["code"],
        independent_totp(b"12345678901234567890", 8, now)
    );
    sandbox.ok(&["remove", "crash", "--yes"]);
}

#[test]
#[ignore = "needs a real Secret Service: run `scripts/dev test`"]
fn ambiguous_terms_list_the_matches_and_fail() {
    let sandbox = Sandbox::new();
    for name in ["erin", "erin.work"] {
        let uri = format!("otpauth://totp/Shop:{name}?secret=JBSWY3DPEHPK3PXP");
        sandbox.ok(&["add", &uri]);
    }
    let output = sandbox.run(&["remove", "erin.w", "--yes"]);
    assert!(
        output.status.success(),
        "a unique part selects: {}",
        text(&output.stderr)
    );
    sandbox.ok(&[
        "add",
        "otpauth://totp/Shop:erin.home?secret=JBSWY3DPEHPK3PXP",
    ]);
    let output = sandbox.run(&["rename", "shop", "--name", "x"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("matches 2 accounts") && stderr.contains("Shop:erin.home"),
        "{stderr}"
    );
    // The exact label picks one even though it is part of another.
    sandbox.ok(&["rename", "shop:erin", "--issuer", "Store"]);
    assert!(sandbox.ok(&["list"]).contains("Store"));
    for id in sandbox.account_ids() {
        sandbox.ok(&["remove", &id, "--yes"]);
    }
}

#[test]
fn an_unreachable_keyring_is_a_clear_error_and_stores_nothing() {
    let sandbox = Sandbox::new();
    let output = sandbox
        .command(&["add", "otpauth://totp/NoBus:frank?secret=JBSWY3DPEHPK3PXP"])
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .env_remove("DISPLAY")
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("there is no D-Bus session bus"), "{stderr}");
    assert!(stderr.contains("never falls back to a file"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let on_disk = all_file_contents(sandbox.data.path());
    assert!(!contains(&on_disk, b"JBSWY3DPEHPK3PXP"));
    assert!(
        !contains(&on_disk, b"frank"),
        "the failed add left no record"
    );
}

#[test]
fn malformed_uris_say_what_is_wrong_and_store_nothing() {
    let sandbox = Sandbox::new();
    let cases = [
        (
            "otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP",
            "an HOTP URI needs a counter parameter",
        ),
        (
            "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&digits=12",
            "12 digits is not supported",
        ),
        ("https://example.com", "only from otpauth:// URIs"),
        ("otpauth-migration://offline?data=!!", "not valid base64"),
    ];
    for (uri, message) in cases {
        let output = sandbox.run(&["add", uri]);
        assert_eq!(output.status.code(), Some(1), "{uri}");
        assert!(
            text(&output.stderr).contains(message),
            "{uri}: {}",
            text(&output.stderr)
        );
    }
    let empty = sandbox.run_with_stdin(&["add"], "  \n");
    assert!(text(&empty.stderr).contains("no otpauth:// URI was given"));
    assert!(
        !sandbox.data.path().join("accounts.json").exists(),
        "nothing was written"
    );
    let usage = sandbox.run(&["code", "--bogus"]);
    assert_eq!(usage.status.code(), Some(2), "clap's usage error");
}

#[test]
#[ignore = "needs a real Secret Service: run `scripts/dev test`"]
fn export_then_import_moves_every_account_to_another_machine() {
    let (old, new) = (Sandbox::new(), Sandbox::new());
    let uris = "# two accounts\n\
        otpauth://totp/Move:ada?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Move&digits=8\n\n\
        otpauth://hotp/MoveVPN:ada?secret=JBSWY3DPEHPK3PXP&issuer=MoveVPN&counter=3\n";
    let file = old.data.path().join("accounts.txt");
    std::fs::write(&file, uris).expect("write");
    let imported = old.ok(&["import", file.to_str().expect("utf-8"), "--yes"]);
    assert!(imported.contains("Imported 2 of 2"), "{imported}");

    let export = old.data.path().join("export.txt");
    old.ok(&["export", export.to_str().expect("utf-8")]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&export)
            .expect("exported")
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "the export is readable by its owner alone"
        );
    }
    let again = old.run(&["export", export.to_str().expect("utf-8")]);
    assert!(
        !again.status.success(),
        "an existing file is never overwritten"
    );

    new.ok(&["import", export.to_str().expect("utf-8"), "--yes"]);
    let codes = |sandbox: &Sandbox| sandbox.ok(&["code", "move", "--json"]);
    let (before, after) = (codes(&old), codes(&new));
    let strip = |json: &str| -> Vec<(String, String)> {
        serde_json::from_str::<Value>(json)
            .expect("json")
            .as_array()
            .expect("array")
            .iter()
            .map(|row| (row["name"].to_string(), row["code"].to_string()))
            .collect()
    };
    assert_eq!(strip(&before), strip(&after));
    // The HOTP counter moved with it: both generate the code for counter 3 next.
    assert_eq!(
        old.ok(&["code", "movevpn"]).split_whitespace().next(),
        new.ok(&["code", "movevpn"]).split_whitespace().next()
    );
    for sandbox in [&old, &new] {
        for id in sandbox.account_ids() {
            sandbox.ok(&["remove", &id, "--yes"]);
        }
    }
}

#[test]
#[ignore = "needs a real Secret Service: run `scripts/dev test`"]
fn an_import_lists_every_entry_first_and_imports_the_usable_ones() {
    let sandbox = Sandbox::new();
    sandbox.ok(&[
        "add",
        "otpauth://totp/Had:ada?secret=GEZDGNBVGY3TQOJQ&issuer=Had",
    ]);
    let file = sandbox.data.path().join("accounts.txt");
    std::fs::write(
        &file,
        "otpauth://totp/Good:ada?secret=JBSWY3DPEHPK3PXP&issuer=Good\n\
         otpauth://totp/Bad:bob?secret=1234\n\
         otpauth://totp/Had:ada?secret=JBSWY3DPEHPK3PXP&issuer=Had\n\
         otpauth://totp/Long:ada?secret=JBSWY3DPEHPK3PXP&issuer=Long&digits=9\n",
    )
    .expect("write");
    let path = file.to_str().expect("utf-8");

    // Not a terminal and no --yes: the list is shown, nothing is stored.
    let unconfirmed = sandbox.run(&["import", path]);
    assert!(!unconfirmed.status.success());
    let shown = text(&unconfirmed.stdout);
    for expected in [
        "file of otpauth:// URIs, 4 entries",
        "new            Good:ada (TOTP, SHA1, 6 digits, every 30 s)",
        "already there  Had:ada",
        "cannot use     line 2: ",
        "cannot use     line 4: ",
    ] {
        assert!(shown.contains(expected), "{expected:?} in {shown}");
    }
    assert!(
        text(&unconfirmed.stderr).contains("--yes"),
        "{}",
        text(&unconfirmed.stderr)
    );
    assert_eq!(sandbox.account_ids().len(), 1, "nothing was added");

    // Confirmed: the good one is added, the bad ones do not stop it, and the exit status
    // tells a script that some were left out.
    let imported = sandbox.run(&["import", path, "--yes"]);
    let (out, err) = (text(&imported.stdout), text(&imported.stderr));
    assert_eq!(imported.status.code(), Some(1), "{out}{err}");
    assert!(out.contains("Imported 1 of 1 new account(s)"), "{out}{err}");
    assert!(err.contains("2 entries could not be imported"), "{err}");
    assert_eq!(sandbox.account_ids().len(), 2);
    assert!(!out.contains("JBSWY3DPEHPK3PXP") && !err.contains("1234"));

    // Again: nothing new, nothing asked.
    let again = sandbox.run(&["import", path]);
    assert!(
        text(&again.stdout).contains("Nothing to import"),
        "{}",
        text(&again.stdout)
    );
    assert_eq!(sandbox.account_ids().len(), 2);
}

#[test]
#[ignore = "needs a real Secret Service: run `scripts/dev test`"]
fn the_policy_can_forbid_typed_accounts_exports_and_cli_codes() {
    let sandbox = Sandbox::new();
    let uri = "otpauth://totp/Policy:ada?secret=JBSWY3DPEHPK3PXP&issuer=Policy";
    sandbox.ok(&["add", uri]);
    std::fs::write(
        sandbox.policy(),
        "[accounts]\nallow_manual_add = false\nallow_export = false\nallow_cli_code = false\n",
    )
    .expect("write policy");
    let policy = sandbox.policy().display().to_string();
    for args in [
        vec![
            "add",
            "otpauth://totp/Policy:bob?secret=JBSWY3DPEHPK3PXP&issuer=Policy",
        ],
        vec!["export", "-"],
        vec!["backup", "policy-backup.json"],
        vec!["code", "policy"],
    ] {
        let output = sandbox.run(&args);
        assert!(!output.status.success(), "{args:?} was allowed");
        let stderr = text(&output.stderr);
        assert!(stderr.contains(&policy), "{args:?}: {stderr}");
        assert!(
            output.stdout.is_empty(),
            "{args:?} printed {}",
            text(&output.stdout)
        );
    }
    assert_eq!(sandbox.account_ids().len(), 1, "nothing was added");

    // Broken: everything the policy governs is refused, and doctor says why, with the line.
    std::fs::write(sandbox.policy(), "[accounts]\nallow_export = maybe\n").expect("write");
    let output = sandbox.run(&["code", "policy"]);
    assert!(!output.status.success());
    assert!(
        text(&output.stderr).contains("line 2"),
        "{}",
        text(&output.stderr)
    );
    let doctor = sandbox.run(&["doctor", "--json"]);
    assert!(!doctor.status.success(), "doctor fails on a broken policy");
    let report: Value = serde_json::from_slice(&doctor.stdout).expect("json");
    assert_eq!(report["healthy"], false);
    let policy_check = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["name"] == "policy")
        .expect("a policy check");
    assert_eq!(policy_check["status"], "fail");
    assert!(
        policy_check["detail"]
            .as_str()
            .expect("detail")
            .contains("line 2")
    );

    // Missing: the user decides again.
    std::fs::remove_file(sandbox.policy()).expect("remove");
    assert!(sandbox.ok(&["code", "policy"]).contains("Policy:ada"));
    sandbox.ok(&["remove", "policy", "--yes"]);
}

/// Issue 14: an Aegis export (written by `tests/fixtures/import/make_aegis.py`, an independent
/// writer) was refused line by line as "not a URI". Now it is recognised by its content: the
/// encrypted one refuses a wrong password naming Aegis with nothing stored, and with the right
/// one (from `--password-file`) imports the usable entries into the real keyring, lists the
/// ones Sesame cannot use with their reasons, and exits 1 so that scripts notice them.
#[test]
#[ignore = "needs a real Secret Service: run `scripts/dev test`"]
fn an_encrypted_aegis_export_imports_with_its_password() {
    let sandbox = Sandbox::new();
    let fixtures =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/import");
    let export = fixtures.join("aegis-encrypted.json");
    let export = export.to_str().expect("utf-8");
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures.join("aegis-expected.json")).expect("expected"),
    )
    .expect("json");

    let wrong = sandbox.data.path().join("wrong.txt");
    std::fs::write(&wrong, "hunter2\n").expect("write");
    let refused = sandbox.run(&[
        "import",
        export,
        "--password-file",
        wrong.to_str().expect("utf-8"),
    ]);
    assert!(!refused.status.success());
    let said = text(&refused.stderr);
    assert!(
        said.contains("the password does not open this Aegis export"),
        "{said}"
    );
    assert!(sandbox.account_ids().is_empty(), "nothing was stored");

    let without = sandbox.run(&["import", export]);
    assert!(!without.status.success());
    assert!(
        text(&without.stderr).contains("--password-file"),
        "{}",
        text(&without.stderr)
    );

    let right = sandbox.data.path().join("password.txt");
    let password = expected["password"].as_str().expect("password");
    std::fs::write(&right, format!("{password}\n")).expect("write");
    let imported = sandbox.run(&[
        "import",
        export,
        "--password-file",
        right.to_str().expect("utf-8"),
        "--yes",
    ]);
    let (out, err) = (text(&imported.stdout), text(&imported.stderr));
    assert_eq!(imported.status.code(), Some(1), "{out}{err}");
    assert!(out.contains("Aegis export, 8 entries"), "{out}{err}");
    assert!(out.contains("Imported 5 of 5 new"), "{out}{err}");
    for label in expected["left_out"].as_array().expect("left out") {
        assert!(out.contains(label.as_str().expect("label")), "{out}");
    }
    assert_eq!(sandbox.account_ids().len(), 5);
    // The code the keyring's secret gives is oathtool's for the secret the writer put in.
    let github = &expected["accounts"][0];
    let code = sandbox.ok(&["code", "GitHub"]);
    let oathtool = std::process::Command::new("oathtool")
        .args([
            "--totp",
            "--base32",
            github["secret"].as_str().expect("secret"),
        ])
        .output()
        .expect("oathtool (scripts/dev test installs it)");
    let want = text(&oathtool.stdout);
    let ours = code.split_whitespace().next().unwrap_or_default();
    // A 30 s step may turn between the two commands: then both sides moved on together.
    if ours != want.trim() {
        let again = sandbox.ok(&["code", "GitHub"]);
        assert_eq!(
            again.split_whitespace().next(),
            Some(want.trim()),
            "{code} / {again}"
        );
    }
    for id in sandbox.account_ids() {
        sandbox.ok(&["remove", &id, "--yes"]);
    }
}

/// A D-Bus session and gnome-keyring of one test's own, so that freezing the daemon
/// (SIGSTOP, as a keyring waiting on its unlock prompt or hung looks to a client) stalls no
/// other test. Both stop on drop.
struct OwnKeyring {
    home: tempfile::TempDir,
    bus_address: String,
    bus: std::process::Child,
    daemon: std::process::Child,
}

impl OwnKeyring {
    fn start() -> Self {
        let home = tempfile::tempdir().expect("home");
        let run = home.path().join("run");
        std::fs::create_dir(&run).expect("runtime dir");
        std::fs::set_permissions(&run, std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .expect("chmod");
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon");
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(bus.stdout.take().expect("stdout")),
            &mut line,
        )
        .expect("bus address");
        let bus_address = line.trim().to_owned();
        let mut daemon = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .env("DBUS_SESSION_BUS_ADDRESS", &bus_address)
            .env("HOME", home.path())
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_RUNTIME_DIR", &run)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon");
        daemon
            .stdin
            .take()
            .expect("stdin")
            .write_all(b"own-keyring-pass")
            .expect("password");
        let owned = || {
            Command::new("dbus-send")
                .args([
                    "--session",
                    "--print-reply",
                    "--dest=org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.NameHasOwner",
                    "string:org.freedesktop.secrets",
                ])
                .env("DBUS_SESSION_BUS_ADDRESS", &bus_address)
                .output()
                .is_ok_and(|o| text(&o.stdout).contains("boolean true"))
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !owned() {
            assert!(
                std::time::Instant::now() < deadline,
                "the test's own gnome-keyring did not start"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        Self {
            home,
            bus_address,
            bus,
            daemon,
        }
    }

    /// `sesame ARGS` for `sandbox` on this keyring.
    fn sesame(&self, sandbox: &Sandbox, args: &[&str]) -> Output {
        sandbox
            .command(args)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus_address)
            .env("HOME", self.home.path())
            .stdin(Stdio::null())
            .output()
            .expect("run sesame")
    }

    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([signal, &self.daemon.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success(), "kill {signal}");
    }
}

impl Drop for OwnKeyring {
    fn drop(&mut self) {
        self.signal("-CONT");
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

/// Issue 16: a keyring that does not answer (here frozen, as behind an unlock prompt nobody
/// answers) left `sesame add` silent for as long as it hung. It now says within seconds that it
/// is waiting for the keyring, and fails with a clear message, storing nothing.
#[test]
#[ignore = "needs dbus-daemon and gnome-keyring: run `scripts/dev test`"]
fn a_keyring_that_does_not_answer_is_announced_and_nothing_is_stored() {
    let keyring = OwnKeyring::start();
    let sandbox = Sandbox::new();
    let added = keyring.sesame(
        &sandbox,
        &["add", "otpauth://totp/Awake:ann?secret=JBSWY3DPEHPK3PXP"],
    );
    assert!(added.status.success(), "{}", text(&added.stderr));
    assert!(
        !text(&added.stderr).contains("Waiting for the system keyring"),
        "a keyring that answers at once is not announced: {}",
        text(&added.stderr)
    );

    keyring.signal("-STOP");
    let started = std::time::Instant::now();
    let output = keyring.sesame(
        &sandbox,
        &["add", "otpauth://totp/Frozen:bea?secret=KRSXG5CTMVZWC3LF"],
    );
    let took = started.elapsed();
    keyring.signal("-CONT");
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("Waiting for the system keyring to answer"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        took < sesame_core::vault::GIVE_UP_AFTER + std::time::Duration::from_secs(10),
        "gave up only after {took:?}"
    );
    let listed = keyring.sesame(&sandbox, &["list", "--json"]);
    let accounts: Value = serde_json::from_slice(&listed.stdout).expect("JSON");
    let issuers: Vec<&str> = accounts
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|a| a["issuer"].as_str())
        .collect();
    assert_eq!(issuers, ["Awake"], "the failed add is not listed");
    let doctor = keyring.sesame(&sandbox, &["doctor"]);
    assert!(
        doctor.status.success(),
        "{}{}",
        text(&doctor.stdout),
        text(&doctor.stderr)
    );
    let listed = keyring.sesame(&sandbox, &["list", "--json"]);
    let accounts: Value = serde_json::from_slice(&listed.stdout).expect("JSON");
    assert_eq!(accounts.as_array().map(Vec::len), Some(1), "{accounts}");
}
