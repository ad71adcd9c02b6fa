//! Signing in with password + TOTP (the replay rule, the ±1 step window, lockouts that double,
//! one answer for every failure) and binding a device (reauthentication, the claim's proof of
//! possession, the pairing code), over HTTP against the in-process server.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use ed25519_dalek::SigningKey;
use serde_json::{Value, json};
use sesame_protocol::message::{self, Context, b64};
use sesame_protocol::qr::BindQr;
use sesame_protocol::wire::ClaimRequest;
use sesame_server::clock::Clock as _;
use sesame_server::routes::accounts::{create_user, set_totp_secret};
use support::{BROWSER, Server, error_of};

const SECRET: &[u8; 20] = b"server-totp-secret!!";

fn code_at(time: u64) -> String {
    totp_rs::Builder::new()
        .with_algorithm(totp_rs::Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_skew(0)
        .with_secret(SECRET.to_vec())
        .build_noncompliant()
        .generate(time)
        .to_string()
}

async fn with_bob() -> Server {
    let server = Server::start().await;
    let id = create_user(&server.state, "bob", "correct horse battery")
        .await
        .expect("user");
    set_totp_secret(&server.state, id, SECRET)
        .await
        .expect("totp");
    server
}

async fn login(server: &Server, password: &str, code: &str) -> (StatusCode, Value, Option<String>) {
    login_as(server, "bob", password, code).await
}

fn login_request(username: &str, password: &str, code: &str) -> Request<Body> {
    Request::post("/api/login")
        .header("origin", support::ORIGIN)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"username": username, "password": password, "code": code}).to_string(),
        ))
        .expect("request")
}

async fn login_as(
    server: &Server,
    username: &str,
    password: &str,
    code: &str,
) -> (StatusCode, Value, Option<String>) {
    let request = login_request(username, password, code);
    let (status, body, cookie) = server.call(BROWSER, request).await;
    (
        status,
        body,
        cookie.map(|c| c.split(';').next().unwrap_or_default().to_owned()),
    )
}

#[tokio::test]
async fn a_code_signs_in_once_and_every_failure_looks_the_same() {
    let server = with_bob().await;
    let now = server.clock.now();
    let (status, _, cookie) = login(&server, "correct horse battery", &code_at(now)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        cookie
            .expect("cookie")
            .starts_with("__Host-sesame-session=")
    );

    // The same code again (RFC 6238 §5.2), a wrong password, an unknown user: one answer.
    let replay = login(&server, "correct horse battery", &code_at(now)).await;
    let wrong_password = login(&server, "wrong", &code_at(now + 30)).await;
    let request = Request::post("/api/login")
        .header("origin", support::ORIGIN)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"username": "nobody", "password": "x", "code": "000000"}).to_string(),
        ))
        .expect("request");
    let (status, unknown, _) = server.call(BROWSER, request).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    for (status, body, _) in [&replay, &wrong_password] {
        assert_eq!(*status, StatusCode::UNAUTHORIZED);
        assert_eq!(body, &unknown, "every failure must read the same");
    }
    assert_eq!(error_of(&unknown), "invalid_credentials");

    // The next step's code is within the ±1 window and later than the last accepted one.
    let (status, _, _) = login(&server, "correct horse battery", &code_at(now + 30)).await;
    assert_eq!(status, StatusCode::OK);
    // Two steps back is outside the window.
    server.clock.advance(90);
    let (status, _, _) = login(&server, "correct horse battery", &code_at(now + 30)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn five_failures_lock_the_account_for_a_minute_then_twice_as_long() {
    let server = with_bob().await;
    let right = |server: &Server| code_at(server.clock.now());
    fail_five_times(&server).await;
    // Locked: even the right password and code are refused, the same way.
    let (status, body, _) = login(&server, "correct horse battery", &right(&server)).await;
    assert_eq!(
        (status, error_of(&body)),
        (StatusCode::UNAUTHORIZED, "invalid_credentials")
    );

    // The lock ends after 60 s; five more failures with no success in between lock for 120 s.
    server.clock.advance(61);
    fail_five_times(&server).await;
    server.clock.advance(61);
    let (status, _, _) = login(&server, "correct horse battery", &right(&server)).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the second lock lasts 120 s"
    );
    server.clock.advance(60);
    let (status, _, _) = login(&server, "correct horse battery", &right(&server)).await;
    assert_eq!(status, StatusCode::OK);

    // A success resets the doubling: the next lock is a minute again.
    fail_five_times(&server).await;
    server.clock.advance(61);
    let (status, _, _) = login(&server, "correct horse battery", &right(&server)).await;
    assert_eq!(status, StatusCode::OK);
}

/// Finding 2 of issue 12: the failure count was read before the password check and written
/// back as read + 1, so 30 wrong passwords at once left 3 failures and no lock.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn wrong_passwords_sent_at_once_still_lock_the_account() {
    let server = std::sync::Arc::new(with_bob().await);
    let mut attempts = tokio::task::JoinSet::new();
    for n in 1..=30 {
        let server = server.clone();
        // From 30 addresses, as a botnet would: the per-address limit is not what stops them.
        attempts.spawn(async move {
            let peer = format!("127.0.1.{n}:40000");
            server
                .call(&peer, login_request("bob", "wrong", "000000"))
                .await
                .0
        });
    }
    while let Some(status) = attempts.join_next().await {
        assert_eq!(status.expect("task"), StatusCode::UNAUTHORIZED);
    }
    let now = server.clock.now();
    let (status, _, _) = login(&server, "correct horse battery", &code_at(now)).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "thirty failures at once must lock the account like five in a row"
    );
}

/// Finding 4 of issue 12: a locked account was refused before the password check (1–2 ms),
/// an unknown name after a full Argon2 (30 ms), which told an attacker which names exist.
#[tokio::test]
async fn a_locked_account_is_refused_as_slowly_as_an_unknown_name() {
    let server = with_bob().await;
    fail_five_times(&server).await;
    let median = |mut times: Vec<std::time::Duration>| {
        times.sort();
        times[times.len() / 2]
    };
    let mut locked = Vec::new();
    let mut unknown = Vec::new();
    for _ in 0..5 {
        let started = std::time::Instant::now();
        login_as(&server, "bob", "wrong", "000000").await;
        locked.push(started.elapsed());
        let started = std::time::Instant::now();
        login_as(&server, "nobody", "wrong", "000000").await;
        unknown.push(started.elapsed());
    }
    let (locked, unknown) = (median(locked), median(unknown));
    assert!(
        locked * 2 >= unknown,
        "locked answered in {locked:?}, an unknown name in {unknown:?}"
    );
}

/// Finding 5 of issue 12 (and 12): sign-ins had no per-address limit, so one client could keep
/// the server's cores busy with Argon2; and a 429 said when to retry only in its body.
#[tokio::test]
async fn one_address_gets_twenty_sign_in_attempts_a_minute_then_a_retry_after() {
    use tower::ServiceExt as _;
    let server = with_bob().await;
    for _ in 0..20 {
        let (status, _, _) = login_as(&server, "nobody", "wrong", "000000").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let response = server
        .router(BROWSER)
        .oneshot(login_request("nobody", "wrong", "000000"))
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = response
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After header");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    // Another address is not held up.
    let (status, _, _) = login_at(&server, "127.0.0.9:40000", "nobody").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn login_at(
    server: &Server,
    peer: &str,
    username: &str,
) -> (StatusCode, Value, Option<String>) {
    server
        .call(peer, login_request(username, "wrong", "000000"))
        .await
}

async fn fail_five_times(server: &Server) {
    for _ in 0..5 {
        let (status, _, _) = login(server, "wrong", "000000").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
}

async fn offer(server: &Server, cookie: &str) -> (StatusCode, Value) {
    let request = Request::post("/api/bindings")
        .header("origin", support::ORIGIN)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .expect("request");
    let (status, body, _) = server.call(BROWSER, request).await;
    (status, body)
}

/// Sesame claiming the binding of `qr` with `device`'s key, from its own address.
async fn claim(server: &Server, qr: &BindQr, device: &SigningKey) -> Value {
    let (status, claimed) = server
        .post(
            "127.0.0.1:40000",
            format!("/api/bindings/{}/claim", qr.binding_id),
            &claim_body(support::ORIGIN, qr, device, &qr.enroll_secret),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{claimed}");
    claimed
}

/// The page sending the pairing code the user typed.
fn pairing_request(qr: &BindQr, cookie: &str, code: &str) -> Request<Body> {
    Request::post(format!("/api/bindings/{}/approve", qr.binding_id))
        .header("origin", support::ORIGIN)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json!({"pairing_code": code}).to_string()))
        .expect("request")
}

fn claim_body(server_origin: &str, qr: &BindQr, key: &SigningKey, secret: &str) -> Value {
    let mut request = ClaimRequest {
        v: 1,
        enroll_secret: secret.into(),
        device_pk: b64(key.verifying_key().as_bytes()),
        device_name: "Alice's laptop".into(),
        platform: "linux".into(),
        pop_sig: String::new(),
    };
    let fields = request.signed_fields(server_origin, &qr.binding_id);
    let signature =
        message::sign(key, Context::Bind, &message::text_fields(&fields)).expect("sign");
    request.pop_sig = b64(&signature.to_bytes());
    serde_json::to_value(request).expect("json")
}

#[tokio::test]
async fn binding_a_device_needs_a_fresh_sign_in_a_proof_of_possession_and_the_pairing_code() {
    let server = with_bob().await;
    assert_eq!(
        error_of(&offer(&server, "__Host-sesame-session=none").await.1),
        "reauth_required"
    );
    let now = server.clock.now();
    let (_, _, cookie) = login(&server, "correct horse battery", &code_at(now)).await;
    let cookie = cookie.expect("cookie");

    let (status, offered) = offer(&server, &cookie).await;
    assert_eq!(status, StatusCode::OK, "{offered}");
    let qr = BindQr::parse(offered["qr_uri"].as_str().expect("qr_uri")).expect("a binding QR");
    let claim_path = format!("/api/bindings/{}/claim", qr.binding_id);
    let device = SigningKey::from_bytes(&[21; 32]);

    let wrong_secret = claim_body(support::ORIGIN, &qr, &device, &b64(&[0; 32]));
    let (status, body) = server
        .post("127.0.0.1:40000", claim_path.clone(), &wrong_secret)
        .await;
    assert_eq!(
        (status, error_of(&body)),
        (StatusCode::UNAUTHORIZED, "invalid_enrollment_secret")
    );

    let mut forged = claim_body(support::ORIGIN, &qr, &device, &qr.enroll_secret);
    forged["device_pk"] = json!(b64(SigningKey::from_bytes(&[22; 32])
        .verifying_key()
        .as_bytes()));
    let (status, body) = server
        .post("127.0.0.1:40000", claim_path.clone(), &forged)
        .await;
    assert_eq!(
        (status, error_of(&body)),
        (StatusCode::UNAUTHORIZED, "invalid_signature")
    );

    let claim = claim_body(support::ORIGIN, &qr, &device, &qr.enroll_secret);
    let (status, claimed) = server
        .post("127.0.0.1:40000", claim_path.clone(), &claim)
        .await;
    assert_eq!(status, StatusCode::OK, "{claimed}");
    assert_eq!(claimed["account_display"], "bob");
    assert_eq!(
        claimed["server_pk"],
        json!(b64(server.server_key.verifying_key().as_bytes()))
    );
    let pairing = claimed["pairing_code"]
        .as_str()
        .expect("pairing code")
        .to_owned();
    assert_eq!(pairing.len(), 6);
    let (status, body) = server.post("127.0.0.1:40000", claim_path, &claim).await;
    assert_eq!(
        (status, error_of(&body)),
        (StatusCode::CONFLICT, "already_claimed")
    );

    // Not usable before the pairing code is typed in the browser.
    let device_id = claimed["device_id"].as_str().expect("device id").to_owned();
    let (sid, chal, _) = server.open().await;
    let scan = server.scan_body(&device, &device_id, &sid, &chal, server.clock.now());
    let (status, body) = server
        .post(BROWSER, format!("/api/qr/sessions/{sid}/scan"), &scan)
        .await;
    assert_eq!(
        (status, error_of(&body)),
        (StatusCode::UNAUTHORIZED, "invalid_device")
    );

    let approve = |code: &str| {
        Request::post(format!("/api/bindings/{}/approve", qr.binding_id))
            .header("origin", support::ORIGIN)
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json!({"pairing_code": code}).to_string()))
            .expect("request")
    };
    let wrong = wrong_code_for(&pairing);
    let (status, body, _) = server.call(BROWSER, approve(wrong)).await;
    assert_eq!(
        (status, error_of(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "pairing_code_mismatch")
    );
    assert_eq!(body["attempts_left"], json!(2));
    let (status, view, _) = server.call(BROWSER, approve(&pairing)).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["state"], "active");
    assert_eq!(view["device_name"], "Alice's laptop");
    assert_eq!(view["claim_address"], "127.0.0.1");

    // Now it can approve logins.
    let (status, body) = server
        .post(BROWSER, format!("/api/qr/sessions/{sid}/scan"), &scan)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["account_display"], "bob");

    // Binding again after five minutes needs the password and code again.
    server.clock.advance(301);
    assert_eq!(
        error_of(&offer(&server, &cookie).await.1),
        "reauth_required"
    );
}

#[tokio::test]
async fn three_wrong_pairing_codes_cancel_and_an_unclaimed_binding_expires() {
    let server = with_bob().await;
    let now = server.clock.now();
    let (_, _, cookie) = login(&server, "correct horse battery", &code_at(now)).await;
    let cookie = cookie.expect("cookie");
    let (_, offered) = offer(&server, &cookie).await;
    let qr = BindQr::parse(offered["qr_uri"].as_str().expect("qr")).expect("qr");
    let device = SigningKey::from_bytes(&[23; 32]);
    let claimed = claim(&server, &qr, &device).await;
    let pairing = claimed["pairing_code"]
        .as_str()
        .expect("pairing")
        .to_owned();
    let wrong = wrong_code_for(&pairing);
    for left in [2, 1, 0] {
        let (_, body, _) = server
            .call(BROWSER, pairing_request(&qr, &cookie, wrong))
            .await;
        assert_eq!(body["attempts_left"], json!(left));
    }
    let (status, body, _) = server
        .call(BROWSER, pairing_request(&qr, &cookie, &pairing))
        .await;
    assert_eq!(
        (status, error_of(&body)),
        (StatusCode::NOT_FOUND, "session_not_found")
    );

    // A new offer, never claimed, expires after 120 s.
    let (_, offered) = offer(&server, &cookie).await;
    let qr = BindQr::parse(offered["qr_uri"].as_str().expect("qr")).expect("qr");
    server.clock.advance(121);
    let (status, body) = server
        .post(
            "127.0.0.1:40000",
            format!("/api/bindings/{}/claim", qr.binding_id),
            &claim_body(support::ORIGIN, &qr, &device, &qr.enroll_secret),
        )
        .await;
    assert_eq!((status, error_of(&body)), (StatusCode::GONE, "expired"));
}

/// A pairing code that is not `pairing`.
fn wrong_code_for(pairing: &str) -> &'static str {
    if pairing == "000000" {
        "111111"
    } else {
        "000000"
    }
}

/// Offers a binding to bob, signed in afresh; returns the offer's QR and the browser's cookie.
async fn offered(server: &Server) -> (BindQr, String) {
    let now = server.clock.now();
    let (_, _, cookie) = login(server, "correct horse battery", &code_at(now)).await;
    let cookie = cookie.expect("cookie");
    let (status, offered) = offer(server, &cookie).await;
    assert_eq!(status, StatusCode::OK, "{offered}");
    let qr = BindQr::parse(offered["qr_uri"].as_str().expect("qr")).expect("qr");
    (qr, cookie)
}

#[tokio::test]
async fn a_preview_names_the_account_and_changes_nothing() {
    let server = with_bob().await;
    let (qr, _) = offered(&server).await;
    let preview_path = format!("/api/bindings/{}/preview", qr.binding_id);
    let (status, preview) = server
        .post(
            "127.0.0.1:40000",
            preview_path.clone(),
            &json!({"v": 1, "enroll_secret": qr.enroll_secret}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["account_display"], "bob");
    assert_eq!(preview["expires_at"], json!(qr.expires));
    let (status, body) = server
        .post(
            "127.0.0.1:40000",
            preview_path.clone(),
            &json!({"v": 1, "enroll_secret": b64(&[0; 32])}),
        )
        .await;
    assert_eq!(
        (status, error_of(&body)),
        (StatusCode::UNAUTHORIZED, "invalid_enrollment_secret"),
        "a preview proves the secret as a claim does: nobody else learns the account"
    );
    // Previewed twice: still claimable.
    let device = SigningKey::from_bytes(&[24; 32]);
    claim(&server, &qr, &device).await;
    let (status, body) = server
        .post(
            "127.0.0.1:40000",
            preview_path,
            &json!({"v": 1, "enroll_secret": qr.enroll_secret}),
        )
        .await;
    assert_eq!(
        (status, error_of(&body)),
        (StatusCode::CONFLICT, "already_claimed")
    );
}

/// The binding's state as the device that read its code asks for it.
async fn binding_state(server: &Server, qr: &BindQr, secret: &str) -> (StatusCode, Value) {
    server
        .post(
            "127.0.0.1:40000",
            format!("/api/bindings/{}/state", qr.binding_id),
            &json!({"v": 1, "enroll_secret": secret}),
        )
        .await
}

#[tokio::test]
async fn the_device_learns_when_the_page_takes_its_pairing_code_or_gives_up() {
    let server = with_bob().await;
    let (qr, cookie) = offered(&server).await;
    let state = |body: &Value| body["state"].as_str().unwrap_or_default().to_owned();
    let (status, body) = binding_state(&server, &qr, &qr.enroll_secret).await;
    assert_eq!((status, state(&body)), (StatusCode::OK, "pending".into()));
    assert_eq!(body["expires_at"], json!(qr.expires));

    // Only the code's reader may ask.
    let (status, body) = binding_state(&server, &qr, &b64(&[0; 32])).await;
    assert_eq!(
        (status, error_of(&body)),
        (StatusCode::UNAUTHORIZED, "invalid_enrollment_secret")
    );
    let (status, body) = server
        .post(
            "127.0.0.1:40000",
            "/api/bindings/unknown/state".to_owned(),
            &json!({"v": 1, "enroll_secret": qr.enroll_secret}),
        )
        .await;
    assert_eq!(
        (status, error_of(&body)),
        (StatusCode::NOT_FOUND, "session_not_found")
    );
    let (status, body) = server
        .post(
            "127.0.0.1:40000",
            format!("/api/bindings/{}/state", qr.binding_id),
            &json!({"v": 1}),
        )
        .await;
    assert_eq!(
        (status, error_of(&body)),
        (StatusCode::BAD_REQUEST, "invalid_request")
    );

    let device = SigningKey::from_bytes(&[26; 32]);
    let claimed = claim(&server, &qr, &device).await;
    let pairing = claimed["pairing_code"]
        .as_str()
        .expect("pairing")
        .to_owned();
    let (_, body) = binding_state(&server, &qr, &qr.enroll_secret).await;
    assert_eq!(state(&body), "claimed");
    let (status, view, _) = server
        .call(BROWSER, pairing_request(&qr, &cookie, &pairing))
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    let (_, body) = binding_state(&server, &qr, &qr.enroll_secret).await;
    assert_eq!(state(&body), "active");
    // Active stays active once its code's time is over.
    server.clock.advance(200);
    let (_, body) = binding_state(&server, &qr, &qr.enroll_secret).await;
    assert_eq!(state(&body), "active");

    // Three wrong codes: cancelled.
    let (qr, cookie) = offered(&server).await;
    let claimed = claim(&server, &qr, &SigningKey::from_bytes(&[27; 32])).await;
    let pairing = claimed["pairing_code"]
        .as_str()
        .expect("pairing")
        .to_owned();
    let wrong = wrong_code_for(&pairing);
    for _ in 0..3 {
        server
            .call(BROWSER, pairing_request(&qr, &cookie, wrong))
            .await;
    }
    let (_, body) = binding_state(&server, &qr, &qr.enroll_secret).await;
    assert_eq!(state(&body), "cancelled");

    // Claimed, never typed: expired once its time is over. (A later step: a TOTP code signs in
    // once.)
    server.clock.advance(31);
    let (qr, _) = offered(&server).await;
    claim(&server, &qr, &SigningKey::from_bytes(&[28; 32])).await;
    server.clock.advance(121);
    let (_, body) = binding_state(&server, &qr, &qr.enroll_secret).await;
    assert_eq!(state(&body), "expired");
}

#[tokio::test]
async fn a_pairing_code_typed_after_the_bindings_lifetime_activates_nothing() {
    let server = with_bob().await;
    let (qr, cookie) = offered(&server).await;
    let device = SigningKey::from_bytes(&[25; 32]);
    let claimed = claim(&server, &qr, &device).await;
    let pairing = claimed["pairing_code"]
        .as_str()
        .expect("pairing")
        .to_owned();
    let device_id = claimed["device_id"].as_str().expect("device id").to_owned();
    server.clock.advance(130);
    let (status, body, _) = server
        .call(BROWSER, pairing_request(&qr, &cookie, &pairing))
        .await;
    assert_eq!((status, error_of(&body)), (StatusCode::GONE, "expired"));
    let (sid, chal, _) = server.open().await;
    let scan = server.scan_body(&device, &device_id, &sid, &chal, server.clock.now());
    let (status, body) = server
        .post(BROWSER, format!("/api/qr/sessions/{sid}/scan"), &scan)
        .await;
    assert_eq!(
        (status, error_of(&body)),
        (StatusCode::UNAUTHORIZED, "invalid_device")
    );
}

#[tokio::test]
async fn an_account_without_a_second_factor_can_only_enrol_one() {
    let server = Server::start().await;
    create_user(&server.state, "carol", "long enough password")
        .await
        .expect("user");
    let (status, body, cookie) = login_as(&server, "carol", "long enough password", "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["enrol_second_factor"], true);
    let cookie = cookie.expect("cookie");
    // Not enough to bind a device.
    assert_eq!(
        error_of(&offer(&server, &cookie).await.1),
        "reauth_required"
    );

    let request = Request::post("/api/totp/begin")
        .header("origin", support::ORIGIN)
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .expect("request");
    let (status, enrolment, _) = server.call(BROWSER, request).await;
    assert_eq!(status, StatusCode::OK, "{enrolment}");
    let uri = enrolment["otpauth_uri"].as_str().expect("uri");
    assert!(uri.starts_with("otpauth://totp/"), "{uri}");
    let secret = uri
        .split("secret=")
        .nth(1)
        .and_then(|rest| rest.split('&').next())
        .and_then(|s| data_encoding::BASE32_NOPAD.decode(s.as_bytes()).ok())
        .expect("secret");
    let code = |time: u64| {
        totp_rs::Builder::new()
            .with_algorithm(totp_rs::Algorithm::SHA1)
            .with_digits(6)
            .with_step_duration(30)
            .with_skew(0)
            .with_secret(secret.clone())
            .build_noncompliant()
            .generate(time)
            .to_string()
    };
    let confirm = |code: String| {
        Request::post("/api/totp/confirm")
            .header("origin", support::ORIGIN)
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json!({"code": code}).to_string()))
            .expect("request")
    };
    let (status, body, _) = server.call(BROWSER, confirm("000000".into())).await;
    assert_eq!(
        (status, error_of(&body)),
        (StatusCode::UNAUTHORIZED, "invalid_credentials")
    );
    let (status, _, _) = server
        .call(BROWSER, confirm(code(server.clock.now())))
        .await;
    assert_eq!(status, StatusCode::OK);

    // The session has now passed both factors; the password alone no longer signs in.
    assert_eq!(offer(&server, &cookie).await.0, StatusCode::OK);
    assert_eq!(
        login_as(&server, "carol", "long enough password", "")
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
}

/// carol, with a password and no second factor yet, signed in: her session cookie.
async fn carol_signed_in(server: &Server) -> String {
    create_user(&server.state, "carol", "long enough password")
        .await
        .expect("user");
    let (status, _, cookie) = login_as(server, "carol", "long enough password", "").await;
    assert_eq!(status, StatusCode::OK);
    cookie.expect("cookie")
}

fn totp_request(path: &str, cookie: &str, body: Option<Value>) -> Request<Body> {
    let request = Request::post(path)
        .header("origin", support::ORIGIN)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/json");
    request
        .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
        .expect("request")
}

/// Finding 3 of issue 12: `/api/totp/confirm` took any number of codes, so a session that had
/// only the password could walk the six-digit space and enrol — then bind a device.
#[tokio::test]
async fn codes_typed_at_enrolment_count_toward_the_lock() {
    let server = Server::start().await;
    let cookie = carol_signed_in(&server).await;
    let (status, enrolment, _) = server
        .call(BROWSER, totp_request("/api/totp/begin", &cookie, None))
        .await;
    assert_eq!(status, StatusCode::OK, "{enrolment}");
    let secret = enrolment["otpauth_uri"]
        .as_str()
        .and_then(|uri| uri.split("secret=").nth(1))
        .and_then(|rest| rest.split('&').next())
        .and_then(|s| data_encoding::BASE32_NOPAD.decode(s.as_bytes()).ok())
        .expect("secret");
    let right = totp_rs::Builder::new()
        .with_algorithm(totp_rs::Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_skew(0)
        .with_secret(secret)
        .build_noncompliant()
        .generate(server.clock.now())
        .to_string();
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    for _ in 0..5 {
        let (status, _, _) = server
            .call(
                BROWSER,
                totp_request("/api/totp/confirm", &cookie, Some(json!({"code": wrong}))),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, body, _) = server
        .call(
            BROWSER,
            totp_request("/api/totp/confirm", &cookie, Some(json!({"code": right}))),
        )
        .await;
    assert_eq!(
        (status, error_of(&body)),
        (StatusCode::UNAUTHORIZED, "invalid_credentials"),
        "five wrong codes lock the account: the right one is refused too"
    );
    let (status, _, _) = login_as(&server, "carol", "long enough password", "").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "and so is the password");
}

/// Finding 3 of issue 12, continued: sign-in sessions never ended and could not be ended.
#[tokio::test]
async fn a_session_ends_after_30_idle_minutes_and_at_sign_out() {
    let server = Server::start().await;
    let cookie = carol_signed_in(&server).await;
    let begin = || totp_request("/api/totp/begin", &cookie, None);
    assert_eq!(server.call(BROWSER, begin()).await.0, StatusCode::OK);
    server.clock.advance(29 * 60);
    assert_eq!(
        server.call(BROWSER, begin()).await.0,
        StatusCode::OK,
        "in use: still on"
    );
    server.clock.advance(31 * 60);
    let (status, body, _) = server.call(BROWSER, begin()).await;
    assert_eq!(
        (status, error_of(&body)),
        (StatusCode::UNAUTHORIZED, "reauth_required")
    );

    let (_, _, cookie) = login_as(&server, "carol", "long enough password", "").await;
    let cookie = cookie.expect("cookie");
    let (status, _, cleared) = server
        .call(BROWSER, totp_request("/api/logout", &cookie, None))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        cleared.is_some_and(|c| c.contains("Max-Age=0")),
        "the cookie is cleared"
    );
    let (status, body, _) = server
        .call(BROWSER, totp_request("/api/totp/begin", &cookie, None))
        .await;
    assert_eq!(
        (status, error_of(&body)),
        (StatusCode::UNAUTHORIZED, "reauth_required"),
        "the server forgot the session"
    );
}

/// Finding 13 of issue 12: a POST with no Origin passed session creation, and the body-less
/// POSTs checked none.
#[tokio::test]
async fn browser_requests_need_the_servers_own_origin() {
    let server = with_bob().await;
    let now = server.clock.now();
    let (_, _, cookie) = login(&server, "correct horse battery", &code_at(now)).await;
    let cookie = cookie.expect("cookie");
    for origin in [None, Some("https://evil.example"), Some("null")] {
        for path in [
            "/api/qr/sessions",
            "/api/bindings",
            "/api/login",
            "/api/logout",
        ] {
            let mut request = Request::post(path).header(header::COOKIE, &cookie);
            if let Some(origin) = origin {
                request = request.header("origin", origin);
            }
            let request = request.body(Body::empty()).expect("request");
            let (status, body, _) = server.call(BROWSER, request).await;
            assert_eq!(
                (status, error_of(&body)),
                (StatusCode::BAD_REQUEST, "invalid_request"),
                "{path} with origin {origin:?}"
            );
        }
    }
}

/// Findings 14 and 15 of issue 12: a bad query string got axum's plain-text 400, and pages
/// could be framed or sniffed.
#[tokio::test]
async fn answers_carry_security_headers_and_rejections_are_json() {
    use tower::ServiceExt as _;
    let server = Server::start().await;
    let response = server
        .router(BROWSER)
        .oneshot(Request::get("/login").body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let header_of = |name: header::HeaderName| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert!(
        header_of(header::CONTENT_SECURITY_POLICY).contains("frame-ancestors 'none'"),
        "{:?}",
        response.headers()
    );
    assert_eq!(header_of(header::X_FRAME_OPTIONS), "DENY");
    assert_eq!(header_of(header::X_CONTENT_TYPE_OPTIONS), "nosniff");

    let (sid, _, cookie) = server.open().await;
    let request = Request::get(format!("/api/qr/sessions/{sid}/status?v=soon"))
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .expect("request");
    let (status, body, _) = server.call(BROWSER, request).await;
    assert_eq!(
        (status, error_of(&body)),
        (StatusCode::BAD_REQUEST, "invalid_request")
    );
}

/// Issue 12 ("no write uses a transaction"): a claim whose device row could not be written left
/// the binding claimed with no device — unusable, and a retry answered `already_claimed`. Now
/// the two are one transaction: the failure is a 500 and the same claim works once mended.
#[tokio::test]
async fn a_claim_that_fails_halfway_leaves_the_binding_claimable() {
    let server = with_bob().await;
    let (qr, _) = offered(&server).await;
    let device = SigningKey::from_bytes(&[26; 32]);
    let path = format!("/api/bindings/{}/claim", qr.binding_id);
    let body = claim_body(support::ORIGIN, &qr, &device, &qr.enroll_secret);
    server.break_writes("INSERT", "devices").await;
    let (status, answer) = server.post("127.0.0.1:40000", path.clone(), &body).await;
    assert_eq!(
        (status, error_of(&answer)),
        (StatusCode::INTERNAL_SERVER_ERROR, "internal")
    );
    server.mend_writes("devices").await;
    let (status, answer) = server.post("127.0.0.1:40000", path, &body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

/// The pairing code typed while the device row cannot be updated: the binding must not turn
/// active with an inactive device (the page would say "bound" and every scan `invalid_device`).
#[tokio::test]
async fn a_pairing_that_fails_halfway_activates_nothing() {
    let server = with_bob().await;
    let (qr, cookie) = offered(&server).await;
    let device = SigningKey::from_bytes(&[27; 32]);
    let claimed = claim(&server, &qr, &device).await;
    let pairing = claimed["pairing_code"]
        .as_str()
        .expect("pairing")
        .to_owned();
    server.break_writes("UPDATE", "devices").await;
    let (status, _, _) = server
        .call(BROWSER, pairing_request(&qr, &cookie, &pairing))
        .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let (state,): (String,) = sqlx::query_as("SELECT state FROM bindings WHERE id = $1")
        .bind(&qr.binding_id)
        .fetch_one(server.state.db())
        .await
        .expect("binding");
    assert_eq!(state, "claimed");
    server.mend_writes("devices").await;
    let (status, view, _) = server
        .call(BROWSER, pairing_request(&qr, &cookie, &pairing))
        .await;
    assert_eq!(
        (status, view["state"].as_str()),
        (StatusCode::OK, Some("active")),
        "{view}"
    );
}

/// Issue 13, the devices and sign-ins page: the account page lists the bound devices (bound
/// when, last used, from where) and the recent sign-ins; Revoke stops a device at its next
/// request, and only that device learns why.
#[tokio::test]
async fn the_account_page_lists_devices_and_sign_ins_and_revokes_a_device() {
    let server = with_bob().await;
    let (qr, cookie) = offered(&server).await;
    let device = SigningKey::from_bytes(&[28; 32]);
    let claimed = claim(&server, &qr, &device).await;
    let pairing = claimed["pairing_code"]
        .as_str()
        .expect("pairing")
        .to_owned();
    let device_id = claimed["device_id"].as_str().expect("device id").to_owned();
    let (status, _, _) = server
        .call(BROWSER, pairing_request(&qr, &cookie, &pairing))
        .await;
    assert_eq!(status, StatusCode::OK);

    let (status, page) = server.page("/", &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Alice&#39;s laptop") || page.contains("Alice's laptop"),
        "{page}"
    );
    assert!(page.contains("<td>never</td>"), "not used yet: {page}");
    assert!(
        page.contains("password and code"),
        "the sign-in is listed: {page}"
    );
    assert!(page.contains("Recent sign-ins"), "{page}");

    // The device scans from 127.0.0.1: used, from there.
    let (sid, chal, _) = server.open().await;
    let scan = server.scan_body(&device, &device_id, &sid, &chal, server.clock.now());
    let path = format!("/api/qr/sessions/{sid}/scan");
    let (status, body) = server.post("127.0.0.1:40000", path, &scan).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, page) = server.page("/", &cookie).await;
    assert!(page.contains(" UTC from 127.0.0.1</td>"), "{page}");

    // Another account cannot revoke it.
    let revoke = |cookie: &str, id: &str| {
        Request::post(format!("/api/devices/{id}/revoke"))
            .header("origin", support::ORIGIN)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .expect("request")
    };
    let (status, _, _) = server
        .call(BROWSER, revoke("__Host-sesame-session=nobody", &device_id))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Its owner can.
    let (status, body, _) = server.call(BROWSER, revoke(&cookie, &device_id)).await;
    assert_eq!(
        (status, body["revoked"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{body}"
    );
    let (_, page) = server.page("/", &cookie).await;
    assert!(page.contains("Revoked"), "{page}");

    // Its next request is refused, and it is told why; a stranger naming it learns nothing.
    let (sid, chal, _) = server.open().await;
    let scan = server.scan_body(&device, &device_id, &sid, &chal, server.clock.now());
    let path = format!("/api/qr/sessions/{sid}/scan");
    let (status, body) = server.post("127.0.0.1:40000", path.clone(), &scan).await;
    assert_eq!(
        (status, error_of(&body)),
        (StatusCode::UNAUTHORIZED, "device_revoked")
    );
    let stranger = SigningKey::from_bytes(&[29; 32]);
    let forged = server.scan_body(&stranger, &device_id, &sid, &chal, server.clock.now());
    let (_, body) = server.post("127.0.0.1:40001", path, &forged).await;
    assert_eq!(error_of(&body), "invalid_signature");
}
