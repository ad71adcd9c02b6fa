//! A reverse proxy as deployments have one, for end-to-end suites of several crates (included
//! with `#[path]`): Debian's nginx in a temp dir, a CA and certificate made with openssl, and a
//! database of the test's own on the throw-away PostgreSQL.

#![allow(dead_code)] // each suite uses a different part

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where the instances listen, and nginx in the suites that need no other network.
pub const LOOPBACK: std::net::IpAddr = std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

/// A new database on the PostgreSQL server `server` (`SESAME_TEST_POSTGRES`): its URL.
pub fn new_postgres_database(server: &str, purpose: &str) -> String {
    let name = format!("sesame_{purpose}_{}_{}", std::process::id(), free_port());
    let created = Command::new("psql")
        .arg(format!("{server}/postgres"))
        .args(["-c", &format!("CREATE DATABASE {name}")])
        .output()
        .expect("psql (postgresql-client)");
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    format!("{server}/{name}")
}

/// A test CA and a certificate it signed for `hosts` (names or IP addresses), made with the
/// openssl command: (the CA's PEM file, the certificate, its key).
pub fn test_certificates(dir: &Path, hosts: &[&str]) -> (PathBuf, PathBuf, PathBuf) {
    let path = |name: &str| dir.join(name);
    let openssl = |args: &[&str]| {
        let output = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl");
        assert!(
            output.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=Sesame test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign",
    ]);
    openssl(&[
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        &format!("/CN={}", hosts.first().copied().unwrap_or("localhost")),
    ]);
    let names: Vec<String> = hosts
        .iter()
        .map(|host| match host.parse::<std::net::IpAddr>() {
            Ok(_) => format!("IP:{host}"),
            Err(_) => format!("DNS:{host}"),
        })
        .collect();
    std::fs::write(
        path("server.ext"),
        format!(
            "subjectAltName={}\nextendedKeyUsage=serverAuth\n",
            names.join(",")
        ),
    )
    .expect("extensions");
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "server.ext",
    ]);
    (path("ca.pem"), path("server.pem"), path("server.key"))
}

/// nginx (Debian's) in front of instances on 127.0.0.1: on `address`:`port`, TLS or not,
/// round-robin over them, the client's address passed in `X-Forwarded-For`.
pub struct Nginx {
    child: Child,
}

impl Nginx {
    /// With `tls` (certificate, key), TLS on `port`; else plain HTTP.
    pub fn start(
        dir: &Path,
        (address, port): (std::net::IpAddr, u16),
        upstreams: &[u16],
        tls: Option<(&Path, &Path)>,
    ) -> Self {
        let servers: String = upstreams
            .iter()
            .map(|p| format!("server 127.0.0.1:{p};"))
            .collect();
        // As root, workers would drop to `nobody`, who cannot write this temp dir.
        let user = if is_root() { "user root;" } else { "" };
        let conf = format!(
            "{user}
daemon off; worker_processes 1; pid {dir}/nginx.pid; error_log {dir}/error.log warn;
events {{ worker_connections 256; }}
http {{
  access_log off;
  client_body_temp_path {dir}/body; proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi; uwsgi_temp_path {dir}/uwsgi; scgi_temp_path {dir}/scgi;
  upstream sesame {{ {servers} }}
  server {{
    listen {listen}{tls};
    location / {{
      proxy_pass http://sesame;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto https;
      proxy_read_timeout 60s;
      proxy_buffering off;
    }}
  }}
}}
",
            dir = dir.display(),
            listen = std::net::SocketAddr::from((address, port)),
            tls = match tls {
                Some((cert, key)) => format!(
                    " ssl; ssl_certificate {}; ssl_certificate_key {}",
                    cert.display(),
                    key.display()
                ),
                None => String::new(),
            },
        );
        std::fs::write(dir.join("nginx.conf"), conf).expect("nginx.conf");
        let child = Command::new("nginx")
            .args(["-p", &dir.display().to_string(), "-c"])
            .arg(dir.join("nginx.conf"))
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx is installed by scripts/dev");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect((address, port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "nginx did not listen: {}",
                std::fs::read_to_string(dir.join("error.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child }
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // TERM, not KILL: the master stops its workers before it exits.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}
