//! The server as operators run it: health checks for a load balancer, a database that goes
//! away, and a graceful shutdown that sends waiting browsers elsewhere.

mod support;

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use support::{BROWSER, Server, error_of};

async fn get(server: &Server, path: &str) -> (StatusCode, serde_json::Value) {
    let request = Request::get(path).body(Body::empty()).expect("request");
    let (status, body, _) = server.call(BROWSER, request).await;
    (status, body)
}

#[tokio::test]
async fn health_checks_say_whether_the_database_answers() {
    let server = Server::start().await;
    assert_eq!(get(&server, "/healthz").await.0, StatusCode::OK);
    assert_eq!(get(&server, "/readyz").await.0, StatusCode::OK);

    server.state.db().close().await;
    let (status, body) = get(&server, "/healthz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["ok"], false);
    assert_eq!(
        get(&server, "/readyz").await.0,
        StatusCode::SERVICE_UNAVAILABLE
    );
}

/// Issue 13: without its database an instance answered 500 `internal`, which tells a client its
/// request was at fault. It is `503 unavailable` with a retry, as the proxy and the page expect.
#[tokio::test]
async fn without_its_database_the_server_answers_503_and_a_retry() {
    let server = Server::start().await;
    server.state.db().close().await;
    let request = Request::post("/api/qr/sessions")
        .header("origin", support::ORIGIN)
        .body(Body::empty())
        .expect("request");
    let (status, body, _) = server.call(BROWSER, request).await;
    assert_eq!(
        (status, error_of(&body)),
        (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
    );
    assert_eq!(body["retry_after"], 1);
}

/// A shutdown answers the browsers waiting on this instance at once (they poll again, on an
/// instance that stays) and tells the load balancer to stop sending requests.
#[tokio::test]
async fn a_shutdown_answers_waiting_polls_and_turns_not_ready() {
    let server = Server::start().await;
    let (sid, _, cookie) = server.open().await;
    let started = Instant::now();
    let (polled, ()) = tokio::join!(server.status(&sid, &cookie, 1), async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        server.state.begin_shutdown();
    });
    assert_eq!(polled.0, StatusCode::OK, "{}", polled.1);
    assert_eq!(polled.1["state"], "new");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "answered after {:?}, not at the shutdown",
        started.elapsed()
    );
    let (status, body) = get(&server, "/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["reason"], "shutting down");
    assert_eq!(get(&server, "/healthz").await.0, StatusCode::OK);
}
