//! Two instances of the server on one PostgreSQL database (in-process, each with its own pool,
//! waiters and limits, as two processes would have): any instance answers any request, and a
//! browser long-polling one is answered when the device's requests go to the other, and the
//! rate limits are one allowance for both.
//!
//! Marked `ignore`: they need PostgreSQL; `scripts/dev test` starts a throw-away cluster.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::json;
use sesame_protocol::wire::Decision;
use support::{BROWSER, Server, error_of};

#[tokio::test]
#[ignore = "needs PostgreSQL: run `scripts/dev test`"]
async fn a_browser_waiting_on_one_instance_is_answered_when_the_device_uses_another() {
    let a = Server::start_on_postgres().await;
    let b = a.another_instance().await;
    a.state.follow_other_instances().await.expect("A listens");
    b.state.follow_other_instances().await.expect("B listens");

    let (sid, chal, cookie) = a.open().await;
    // The browser waits on A; the device scans on B a moment later.
    let started = Instant::now();
    let (polled, scanned) = tokio::join!(a.status(&sid, &cookie, 1), async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        b.scan(&sid, &chal).await
    });
    let waited = started.elapsed();
    assert_eq!(scanned.0, StatusCode::OK, "{}", scanned.1);
    assert_eq!(polled.1["state"], "scanned", "{}", polled.1);
    // Woken by B's commit, not by the 25 s end of the long poll.
    assert!(
        waited < Duration::from_secs(10),
        "answered after {waited:?}"
    );
    let number = polled.1["number"].as_str().expect("number").to_owned();

    // Confirmed on B: A's poll gets the ticket B minted, once, and A redeems it.
    let confirm = b.confirm_body(&sid, &chal, Decision::Approve, &number);
    let (status, body) = b
        .post(BROWSER, format!("/api/qr/sessions/{sid}/confirm"), &confirm)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, confirmed) = a.status(&sid, &cookie, 2).await;
    assert_eq!(confirmed["state"], "confirmed");
    let ticket = confirmed["ticket"]
        .as_str()
        .expect("the ticket, on A")
        .to_owned();
    let (_, again) = b.status(&sid, &cookie, 2).await;
    assert!(again.get("ticket").is_none(), "handed over once: {again}");
    let redeem = Request::post(format!("/api/qr/sessions/{sid}/redeem"))
        .header("origin", support::ORIGIN)
        .header(header::COOKIE, &cookie)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json!({"ticket": ticket}).to_string()))
        .expect("request");
    let (status, body, session_cookie) = a.call(BROWSER, redeem).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(session_cookie.is_some_and(|c| c.starts_with("__Host-sesame-session=")));
}

/// Issue 13: rate limits lived in each process, so two instances doubled every allowance. Now
/// they are counted in the database: 30 session requests from one address, sent at once and
/// spread over both instances, open exactly the 10 a minute the protocol allows.
#[tokio::test]
#[ignore = "needs PostgreSQL: run `scripts/dev test`"]
async fn two_instances_share_one_allowance() {
    let a = Arc::new(Server::start_on_postgres().await);
    let b = Arc::new(a.another_instance().await);
    let requests = (0..30).map(|i| {
        let instance = if i % 2 == 0 { a.clone() } else { b.clone() };
        tokio::spawn(async move {
            let request = Request::post("/api/qr/sessions")
                .header("origin", support::ORIGIN)
                .body(Body::empty())
                .expect("request");
            let (status, body, _) = instance.call(BROWSER, request).await;
            (status, body)
        })
    });
    let mut opened = 0;
    for request in requests.collect::<Vec<_>>() {
        let (status, body) = request.await.expect("request task");
        match status {
            StatusCode::OK => opened += 1,
            StatusCode::TOO_MANY_REQUESTS => assert_eq!(error_of(&body), "rate_limited"),
            other => panic!("{other}: {body}"),
        }
    }
    assert_eq!(opened, 10);
}
