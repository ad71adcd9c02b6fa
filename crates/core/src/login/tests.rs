//! The login client against a server that misbehaves: a tiny HTTP responder on loopback that
//! answers every request with one canned response.

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;

use sesame_protocol::origin::Origin;
use sesame_protocol::qr::BindQr;

use super::*;
use crate::vault::MemoryStore;

/// A server on 127.0.0.1 that answers each connection with `response`; its origin.
fn answering(response: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let origin = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        for stream in listener.incoming().take(4) {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let _ = stream.write_all(&response);
        }
    });
    origin
}

fn binding_link(origin: &str) -> String {
    BindQr {
        origin: Origin::parse(origin).expect("origin"),
        binding_id: "AAAAAAAAAAAAAAAAAAAAAA".into(),
        enroll_secret: "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I".into(),
        expires: u64::MAX / 2,
    }
    .to_uri()
}

fn client(dir: &Path) -> Companion {
    Companion::new(dir, Arc::new(MemoryStore::new()), Policy::default())
}

/// Finding 16 of issue 12: the client followed redirects, so a bound origin could send Sesame's
/// signed requests elsewhere.
#[test]
fn a_redirect_is_not_followed() {
    let elsewhere = answering(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 46\r\n\r\n{\"account_display\":\"mallory\",\"expires_at\":9}".to_vec(),
    );
    let origin = answering(
        format!("HTTP/1.1 307 Temporary Redirect\r\nlocation: {elsewhere}/x\r\ncontent-length: 0\r\n\r\n")
            .into_bytes(),
    );
    let dir = tempfile::tempdir().expect("dir");
    match client(dir.path()).preview_bind(&binding_link(&origin), 0) {
        Err(LoginError::Unexpected { detail, .. }) => assert!(detail.contains("307"), "{detail}"),
        other => panic!("expected the redirect refused, got {other:?}"),
    }
}

/// Finding 16 of issue 12: answers were read whole, however large.
#[test]
fn an_answer_larger_than_64_kib_is_refused() {
    let body = format!(
        "{{\"account_display\":\"{}\",\"expires_at\":9}}",
        "a".repeat(100 * 1024)
    );
    let origin = answering(
        format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    );
    let dir = tempfile::tempdir().expect("dir");
    match client(dir.path()).preview_bind(&binding_link(&origin), 0) {
        Err(LoginError::Unexpected { detail, .. }) => {
            assert!(detail.contains("64 KiB"), "{detail}")
        }
        other => panic!("expected the answer refused, got {other:?}"),
    }
}
