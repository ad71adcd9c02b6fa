//! `sesame-server --demo` on a free loopback port, for end-to-end suites of several crates
//! (included with `#[path]`): its origin, the demo password, and codes of the demo TOTP.

#![allow(dead_code)] // each suite uses a different part

use std::io::{BufRead as _, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The server with its demo account, stopped on drop.
pub struct DemoServer {
    child: Child,
    pub origin: String,
    pub password: String,
    totp_secret: Vec<u8>,
    log: Arc<Mutex<String>>,
    _dir: tempfile::TempDir,
}

impl DemoServer {
    /// Starts the server binary at `binary` on 127.0.0.1.
    pub fn start(binary: &Path) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("server.db").display().to_string();
        Self::start_at(
            binary,
            &format!("127.0.0.1:{port}"),
            &format!("http://127.0.0.1:{port}"),
            port,
            &["--db", &db],
            dir,
        )
    }

    /// Starts the server binary at `binary` on 127.0.0.1:`port` at `origin`, with more
    /// arguments (`--db`, `--key`, `--trusted-proxy`…): one instance of several.
    pub fn start_instance(binary: &Path, port: u16, origin: &str, more: &[&str]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        Self::start_at(
            binary,
            &format!("127.0.0.1:{port}"),
            origin,
            port,
            more,
            dir,
        )
    }

    /// Starts the server binary at `binary` on every address of both families (`[::]`, which
    /// takes IPv4 too), at the origin `http://localhost:PORT`: a browser and Sesame on one
    /// desktop may then reach it over different families.
    pub fn start_dual_stack(binary: &Path) -> Self {
        let port = TcpListener::bind("[::]:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("server.db").display().to_string();
        Self::start_at(
            binary,
            &format!("[::]:{port}"),
            &format!("http://localhost:{port}"),
            port,
            &["--db", &db],
            dir,
        )
    }

    fn start_at(
        binary: &Path,
        listen: &str,
        origin: &str,
        port: u16,
        more: &[&str],
        dir: tempfile::TempDir,
    ) -> Self {
        let mut child = Command::new(binary)
            .args(["--listen", listen, "--origin", origin, "--demo"])
            .args(more)
            // Everything the server logs, for the tests that read the log.
            .env("RUST_LOG", "debug")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start sesame-server");
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().expect("stderr");
        let log_lines = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut log = log_lines.lock().unwrap_or_else(|p| p.into_inner());
                log.push_str(&line);
                log.push('\n');
            }
        });
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let (mut password, mut uri) = (String::new(), String::new());
        for line in stdout.by_ref().map_while(Result::ok) {
            if let Some(p) = line.trim().strip_prefix("password:") {
                password = p.trim().to_owned();
            }
            if let Some(u) = line.trim().strip_prefix("TOTP:") {
                uri = u.trim().to_owned();
                break;
            }
        }
        // Read on, so a full pipe never blocks the server.
        std::thread::spawn(move || stdout.for_each(drop));
        let secret = uri
            .split("secret=")
            .nth(1)
            .and_then(|rest| rest.split('&').next())
            .and_then(|s| data_encoding::BASE32_NOPAD.decode(s.as_bytes()).ok())
            .expect("the demo's TOTP URI");
        let origin = origin.to_owned();
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "sesame-server did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self {
            child,
            origin,
            password,
            totp_secret: secret,
            log,
            _dir: dir,
        }
    }

    /// What the server has logged so far (at `debug`).
    pub fn log(&self) -> String {
        self.log.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The demo account's TOTP secret, as the URI carried it.
    pub fn totp_secret_base32(&self) -> String {
        data_encoding::BASE32_NOPAD.encode(&self.totp_secret)
    }

    /// The demo account's current TOTP code.
    #[allow(clippy::disallowed_methods)] // the real server checks codes against real time
    pub fn code(&self) -> String {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_secs();
        totp_rs::Builder::new()
            .with_algorithm(totp_rs::Algorithm::SHA1)
            .with_digits(6)
            .with_step_duration(30)
            .with_skew(0)
            .with_secret(self.totp_secret.clone())
            .build_noncompliant()
            .generate(now)
            .to_string()
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
