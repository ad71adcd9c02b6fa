//! QR login: a browser opens a session and long-polls it; a bound device scans and confirms;
//! the browser redeems the ticket. Every transition is a compare-and-set on the session's state.

use std::net::IpAddr;
use std::time::Duration;

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Response};
use ed25519_dalek::{Signature, VerifyingKey};
use rand::Rng as _;
use serde::Deserialize;
use sesame_protocol::address::{self, AddressFamily, AddressMatch};
use sesame_protocol::message::{self, Context, unb64};
use sesame_protocol::qr::LoginQr;
use sesame_protocol::wire::{
    ConfirmRequest, ConfirmResponse, Decision, ErrorCode, RedeemRequest, RedeemResponse,
    ScanRequest, ScanResponse, SessionCreated, SessionState, StatusResponse,
};
use subtle::ConstantTimeEq as _;
use zeroize::Zeroizing;

use crate::client_address::ClientAddress;
use crate::error::ApiError;
use crate::state::{AddressPolicy, AppState, Shared};
use crate::store::login_sessions::NewLoginSession;
use crate::store::sessions::{self, Change, NewSession, Session, State as Stored, TERMINAL_KEPT};
use crate::store::{devices, users};
use crate::tokens::{digest, random_token};
use crate::web::{BIND_COOKIE, SESSION_COOKIE, cookie, json, qr_svg, set_cookie, user_agent};

const NEW_LIFETIME: u64 = 60;
const SCANNED_LIFETIME: u64 = 60;
const MAX_LIFETIME: u64 = 180;
const TICKET_LIFETIME: u64 = 30;
const MAX_CLOCK_SKEW: u64 = 60;
const NUMBER_ATTEMPTS: i64 = 3;
const LONG_POLL: Duration = Duration::from_secs(25);
const SESSIONS_PER_MINUTE: i64 = 10;
const DEVICE_REQUESTS_PER_MINUTE: i64 = 20;

async fn load(inner: &Shared, sid: &str) -> Result<Session, ApiError> {
    let session = sessions::find(&inner.db, sid)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::SessionNotFound))?;
    if session
        .ended_at
        .is_some_and(|ended| inner.now() as i64 > ended + TERMINAL_KEPT)
    {
        sessions::delete(&inner.db, sid).await?;
        inner.forget(sid);
        return Err(ApiError::new(ErrorCode::SessionNotFound));
    }
    expire_if_due(inner, session).await
}

/// A session past its time moves to `expired` (compare-and-set, so a racing transition wins
/// or loses cleanly).
async fn expire_if_due(inner: &Shared, session: Session) -> Result<Session, ApiError> {
    let now = inner.now() as i64;
    let due = match session.state {
        Stored::New | Stored::Scanned => now > session.expires_at,
        Stored::Confirmed => session.ticket_expires.is_some_and(|t| now > t),
        _ => false,
    };
    if !due {
        return Ok(session);
    }
    let expire = Change::End(Stored::Expired);
    sessions::transition(
        &inner.db,
        inner.backend,
        &inner.live,
        &session.sid,
        session.state,
        expire,
        now,
    )
    .await?;
    Box::pin(load(inner, &session.sid)).await
}

/// The session, if the request carries its bind cookie: otherwise the same 404 as an unknown
/// session, so a stranger learns nothing.
async fn load_for_browser(
    inner: &Shared,
    sid: &str,
    headers: &HeaderMap,
) -> Result<Session, ApiError> {
    let session = load(inner, sid).await?;
    let presented = cookie(headers, BIND_COOKIE)
        .map(|c| digest(&c))
        .unwrap_or_default();
    if presented.len() != session.bind_cookie_hash.len()
        || !bool::from(presented.ct_eq(&session.bind_cookie_hash))
    {
        return Err(ApiError::new(ErrorCode::SessionNotFound));
    }
    Ok(session)
}

/// Opens a login session for this browser.
pub async fn create(
    State(app): State<AppState>,
    ClientAddress(browser): ClientAddress,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let inner: &Shared = &app;
    // Only the server's own pages may open sessions (a cross-site form would otherwise mint
    // codes in the victim's browser): the router's same-origin guard sees to it.
    let now = inner.now();
    inner
        .rate_limit(&format!("create:{browser}"), SESSIONS_PER_MINUTE, 60)
        .await?;
    let (sid, challenge, bind) = (random_token(16), random_token(32), random_token(32));
    let expires = now + NEW_LIFETIME;
    let user_agent = user_agent(&headers);
    let new = NewSession {
        sid: &sid,
        challenge: &challenge,
        created_at: now as i64,
        expires_at: expires as i64,
        browser_address: &browser.to_string(),
        user_agent: &user_agent,
        bind_cookie_hash: &digest(&bind),
    };
    sessions::insert(&inner.db, &new).await?;
    let sid_bytes = unb64(&sid).unwrap_or_default();
    let challenge_bytes = unb64(&challenge).unwrap_or_default();
    let qr = LoginQr::sign(
        &inner.origin,
        &sid_bytes,
        &challenge_bytes,
        expires,
        &inner.key,
    )
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    tracing::info!(session = %&sid[..6], "login session opened");
    let qr_uri = qr.to_uri();
    let mut response = Json(SessionCreated {
        sid,
        qr_svg: qr_svg(&qr_uri),
        qr_uri,
        expires_at: expires,
    })
    .into_response();
    if let Some(value) = set_cookie(BIND_COOKIE, &bind) {
        response.headers_mut().insert(SET_COOKIE, value);
    }
    Ok(response)
}

/// `?v=` of the status poll.
#[derive(Debug, Deserialize)]
pub struct Known {
    #[serde(default)]
    v: i64,
}

async fn status_of(inner: &Shared, session: &Session) -> Result<StatusResponse, ApiError> {
    let state = SessionState::from(session.state);
    Ok(StatusResponse {
        state,
        version: session.version as u64,
        expires_at: match state {
            SessionState::Confirmed => session.ticket_expires.unwrap_or(session.expires_at) as u64,
            _ => session.expires_at as u64,
        },
        number: (state == SessionState::Scanned)
            .then(|| session.number.clone())
            .flatten(),
        // Handed over once: the first poll that sees the session confirmed takes it.
        ticket: match state {
            SessionState::Confirmed => sessions::take_ticket(&inner.db, &session.sid)
                .await?
                .map(|ticket| (*ticket).clone()),
            _ => None,
        },
    })
}

/// Long-polls a session: answers at once when its version differs from `v`, else when it
/// changes or expires, or after 25 s.
pub async fn status(
    State(app): State<AppState>,
    Path(sid): Path<String>,
    known: Result<Query<Known>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Json<StatusResponse>, ApiError> {
    let inner: &Shared = &app;
    let Query(known) = known.map_err(|_| ApiError::new(ErrorCode::InvalidRequest))?;
    let session = load_for_browser(inner, &sid, &headers).await?;
    if session.version != known.v {
        if !inner.limits.short_poll(&sid, inner.now()) {
            return Err(ApiError::new(ErrorCode::SlowDown).retry_after(1));
        }
        return Ok(Json(status_of(inner, &session).await?));
    }
    let Some(_outstanding) = inner.limits.start_poll(&sid) else {
        return Err(ApiError::new(ErrorCode::SlowDown).retry_after(1));
    };
    let mut changes = inner.live.subscribe(&sid, session.version);
    let mut rechecks = inner.live.rechecks();
    let until_expiry = (session.expires_at as u64)
        .saturating_sub(inner.now())
        .saturating_add(1);
    let wait = LONG_POLL.min(Duration::from_secs(until_expiry));
    let changed = async {
        loop {
            let recheck = tokio::select! {
                _ = changes.wait_for(|&v| v != session.version) => false,
                // A shutdown answers now: the browser polls again, on an instance that stays.
                () = inner.shutdown_begun() => false,
                // This instance may have missed a change from another one: ask the database.
                Ok(()) = rechecks.changed() => true,
            };
            if !recheck {
                return;
            }
            match sessions::find(&inner.db, &sid).await {
                Ok(Some(now)) if now.version == session.version => {}
                _ => return,
            }
        }
    };
    let _ = tokio::time::timeout(wait, changed).await;
    let session = load_for_browser(inner, &sid, &headers).await?;
    Ok(Json(status_of(inner, &session).await?))
}

struct Device {
    user_id: i64,
    key: VerifyingKey,
    revoked: bool,
}

async fn device(inner: &Shared, id: &str) -> Result<Device, ApiError> {
    let found = devices::find_active(&inner.db, id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::InvalidDevice))?;
    let key = <[u8; 32]>::try_from(found.public_key.as_slice())
        .ok()
        .and_then(|bytes| VerifyingKey::from_bytes(&bytes).ok())
        .ok_or_else(|| ApiError::new(ErrorCode::InvalidDevice))?;
    Ok(Device {
        user_id: found.user_id,
        key,
        revoked: found.revoked != 0,
    })
}

/// The first checks of every device request: the version it speaks, the session, the device.
async fn session_and_device(
    inner: &Shared,
    sid: &str,
    version: u32,
    device_id: &str,
) -> Result<(Session, Device), ApiError> {
    if version != sesame_protocol::VERSION {
        return Err(ApiError::new(ErrorCode::UnsupportedVersion));
    }
    let session = load(inner, sid).await?;
    let device = device(inner, device_id).await?;
    Ok((session, device))
}

/// Spends one of a device's requests a minute. Only after its signature verified: requests
/// anyone can forge by naming a device id must not use up the real device's budget.
async fn spend_device_budget(inner: &Shared, device_id: &str) -> Result<(), ApiError> {
    inner
        .rate_limit(
            &format!("device:{device_id}"),
            DEVICE_REQUESTS_PER_MINUTE,
            60,
        )
        .await
}

/// What a device signed, and the claims it made.
struct Signed<'a> {
    device_id: &'a str,
    /// Where the request came from, recorded as the device's last address.
    address: IpAddr,
    context: Context,
    fields: &'a [&'a [u8]],
    sig: &'a str,
    ts: u64,
    challenge: &'a str,
}

/// Checks a device request's signature, then its time, then its challenge.
async fn check_signed(
    inner: &Shared,
    device: &Device,
    signed: &Signed<'_>,
    session: &Session,
) -> Result<(), ApiError> {
    let signature = unb64(signed.sig)
        .and_then(|bytes| <[u8; 64]>::try_from(bytes.as_slice()).ok())
        .map(|bytes| Signature::from_bytes(&bytes))
        .ok_or_else(|| ApiError::new(ErrorCode::InvalidRequest))?;
    if !message::verify(&device.key, signed.context, signed.fields, &signature) {
        return Err(ApiError::new(ErrorCode::InvalidSignature));
    }
    // Only now that the device proved itself does it learn that it was revoked: a stranger
    // naming its id learns nothing.
    if device.revoked {
        return Err(ApiError::new(ErrorCode::DeviceRevoked));
    }
    spend_device_budget(inner, signed.device_id).await?;
    devices::used(
        &inner.db,
        signed.device_id,
        inner.now() as i64,
        &signed.address.to_string(),
    )
    .await?;
    let now = inner.now();
    if now.abs_diff(signed.ts) > MAX_CLOCK_SKEW {
        return Err(ApiError::new(ErrorCode::StaleRequest).server_time(now));
    }
    if signed.challenge != session.challenge {
        return Err(ApiError::new(ErrorCode::ChallengeMismatch));
    }
    Ok(())
}

fn check_live(session: &Session) -> Result<(), ApiError> {
    match session.state {
        Stored::Expired => Err(ApiError::new(ErrorCode::Expired)),
        Stored::Consumed => Err(ApiError::new(ErrorCode::AlreadyUsed)),
        Stored::Rejected | Stored::Confirmed => {
            Err(ApiError::new(ErrorCode::InvalidState).state(session.state.into()))
        }
        Stored::New | Stored::Scanned => Ok(()),
    }
}

async fn account_display(inner: &Shared, user_id: i64) -> Result<String, ApiError> {
    Ok(users::name(&inner.db, user_id).await?.unwrap_or_default())
}

/// A bound device scans the session's QR code: `new` → `scanned`.
pub async fn scan(
    State(app): State<AppState>,
    ClientAddress(device_address): ClientAddress,
    Path(sid): Path<String>,
    body: Result<Json<ScanRequest>, JsonRejection>,
) -> Result<Json<ScanResponse>, ApiError> {
    let inner: &Shared = &app;
    let request = json(body)?;
    let (session, device) = session_and_device(inner, &sid, request.v, &request.device_id).await?;
    let fields = request.signed_fields(&inner.origin.to_string(), &sid);
    let fields = message::text_fields(&fields);
    let signed = Signed {
        device_id: &request.device_id,
        address: device_address,
        context: Context::Scan,
        fields: &fields,
        sig: &request.sig,
        ts: request.ts,
        challenge: &request.chal,
    };
    check_signed(inner, &device, &signed, &session).await?;
    let browser: IpAddr = session
        .browser_address
        .parse()
        .map_err(|_| ApiError::Internal("stored address unreadable".into()))?;
    let compared = address::compare(browser, device_address);
    let answer = |session: &Session, matched: AddressMatch, display: String| ScanResponse {
        browser_address: session.browser_address.clone(),
        address_match: matched,
        user_agent: session.user_agent.clone(),
        created_at: session.created_at as u64,
        account_display: display,
    };
    // The same device scanning again gets the same answer.
    if session.state == Stored::Scanned {
        if session.device_id.as_deref() == Some(request.device_id.as_str()) {
            let display = account_display(inner, device.user_id).await?;
            let matched = compared.unwrap_or(AddressMatch::Mismatch);
            return Ok(Json(answer(&session, matched, display)));
        }
        return Err(ApiError::new(ErrorCode::AlreadyScanned));
    }
    check_live(&session)?;
    let matched = match compared {
        Some(matched) => matched,
        // Asked once already and still over the other family: it cannot reach the server the
        // way the browser did, which the protocol counts as a mismatch.
        None if session.family_asked_of.as_deref() == Some(request.device_id.as_str()) => {
            AddressMatch::Mismatch
        }
        None => return ask_for_browser_family(inner, &session, &request.device_id, browser).await,
    };
    let now = inner.now() as i64;
    if matched == AddressMatch::Mismatch && inner.address_policy == AddressPolicy::Require {
        let reject = Change::End(Stored::Rejected);
        sessions::transition(
            &inner.db,
            inner.backend,
            &inner.live,
            &sid,
            Stored::New,
            reject,
            now,
        )
        .await?;
        tracing::warn!(session = %&sid[..6], "scan from another address refused");
        return Err(ApiError::new(ErrorCode::AddressMismatch));
    }
    let number = format!("{:02}", rand::thread_rng().gen_range(10..100));
    let scan = Change::Scan {
        device_id: &request.device_id,
        user_id: device.user_id,
        number: &number,
        expires_at: (now + SCANNED_LIFETIME as i64).min(session.created_at + MAX_LIFETIME as i64),
    };
    if sessions::transition(
        &inner.db,
        inner.backend,
        &inner.live,
        &sid,
        Stored::New,
        scan,
        now,
    )
    .await?
    .is_none()
    {
        // Another request moved it first.
        return Err(ApiError::new(ErrorCode::AlreadyScanned));
    }
    let session = load(inner, &sid).await?;
    let display = account_display(inner, device.user_id).await?;
    Ok(Json(answer(&session, matched, display)))
}

/// Answers a scan that came over the other address family than the browser's: scan again over
/// the browser's. Under `require` an "unknown" that a click passes would let a relay choose its
/// family to get past the address rule.
async fn ask_for_browser_family(
    inner: &Shared,
    session: &Session,
    device_id: &str,
    browser: IpAddr,
) -> Result<Json<ScanResponse>, ApiError> {
    sessions::ask_family_of(&inner.db, &session.sid, device_id).await?;
    Err(ApiError::new(ErrorCode::OtherAddressFamily).browser_family(AddressFamily::of(browser)))
}

/// The scanning device approves (with the number the page shows) or denies.
pub async fn confirm(
    State(app): State<AppState>,
    ClientAddress(device_address): ClientAddress,
    Path(sid): Path<String>,
    body: Result<Json<ConfirmRequest>, JsonRejection>,
) -> Result<Json<ConfirmResponse>, ApiError> {
    let inner: &Shared = &app;
    let request = json(body)?;
    let (session, device) = session_and_device(inner, &sid, request.v, &request.device_id).await?;
    let fields = request.signed_fields(&inner.origin.to_string(), &sid);
    let fields = message::text_fields(&fields);
    let signed = Signed {
        device_id: &request.device_id,
        address: device_address,
        context: Context::Confirm,
        fields: &fields,
        sig: &request.sig,
        ts: request.ts,
        challenge: &request.chal,
    };
    check_signed(inner, &device, &signed, &session).await?;
    check_live(&session)?;
    if session.state != Stored::Scanned {
        return Err(ApiError::new(ErrorCode::InvalidState).state(session.state.into()));
    }
    if session.device_id.as_deref() != Some(request.device_id.as_str()) {
        return Err(ApiError::new(ErrorCode::AlreadyScanned));
    }
    let now = inner.now() as i64;
    let reject = || Change::End(Stored::Rejected);
    if request.decision == Decision::Deny {
        sessions::transition(
            &inner.db,
            inner.backend,
            &inner.live,
            &sid,
            Stored::Scanned,
            reject(),
            now,
        )
        .await?;
        tracing::info!(session = %&sid[..6], "login denied on the device");
        return Ok(Json(ConfirmResponse {
            state: SessionState::Rejected,
        }));
    }
    // The attempt is counted before the number is compared, in one atomic update: numbers sent
    // at once cannot all read the same count, and those past the third are not compared.
    let attempt = match sessions::count_number_attempt(&inner.db, &sid).await? {
        Some(attempt) if attempt <= NUMBER_ATTEMPTS => attempt,
        Some(_) => return Err(ApiError::new(ErrorCode::InvalidState).state(SessionState::Rejected)),
        None => {
            let now = load(inner, &sid).await?;
            return Err(ApiError::new(ErrorCode::InvalidState).state(now.state.into()));
        }
    };
    let expected = session.number.clone().unwrap_or_default();
    if !bool::from(request.number.as_bytes().ct_eq(expected.as_bytes())) {
        if attempt >= NUMBER_ATTEMPTS {
            sessions::transition(
                &inner.db,
                inner.backend,
                &inner.live,
                &sid,
                Stored::Scanned,
                reject(),
                now,
            )
            .await?;
        }
        return Err(ApiError::new(ErrorCode::NumberMismatch)
            .attempts_left((NUMBER_ATTEMPTS - attempt).max(0) as u32));
    }
    let confirm = Change::Confirm {
        ticket: Zeroizing::new(random_token(32)),
        expires_at: now + TICKET_LIFETIME as i64,
    };
    if sessions::transition(
        &inner.db,
        inner.backend,
        &inner.live,
        &sid,
        Stored::Scanned,
        confirm,
        now,
    )
    .await?
    .is_none()
    {
        return Err(ApiError::new(ErrorCode::InvalidState));
    }
    tracing::info!(session = %&sid[..6], "login approved on the device");
    Ok(Json(ConfirmResponse {
        state: SessionState::Confirmed,
    }))
}

/// The browser trades the ticket for a signed-in session: `confirmed` → `consumed`.
pub async fn redeem(
    State(app): State<AppState>,
    ClientAddress(browser): ClientAddress,
    Path(sid): Path<String>,
    headers: HeaderMap,
    body: Result<Json<RedeemRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let inner: &Shared = &app;
    let request = json(body)?;
    let session = load_for_browser(inner, &sid, &headers).await?;
    match session.state {
        Stored::Consumed => return Err(ApiError::new(ErrorCode::AlreadyUsed)),
        Stored::Expired => return Err(ApiError::new(ErrorCode::Expired)),
        Stored::Confirmed => {}
        other => return Err(ApiError::new(ErrorCode::InvalidState).state(other.into())),
    }
    let presented = digest(&request.ticket);
    let stored = session.ticket_hash.clone().unwrap_or_default();
    if stored.len() != presented.len() || !bool::from(presented.ct_eq(&stored)) {
        return Err(ApiError::new(ErrorCode::InvalidRequest));
    }
    let user_id = session
        .user_id
        .ok_or_else(|| ApiError::Internal("confirmed session without a user".into()))?;
    let token = random_token(32);
    let now = inner.now() as i64;
    let redeem = Change::Redeem {
        login: NewLoginSession {
            token_hash: &digest(&token),
            user_id,
            now,
            // A QR sign-in never counts as a fresh password + TOTP (binding a device asks one).
            reauth_at: 0,
            second_factor: true,
        },
        browser_address: &browser.to_string(),
        user_agent: &user_agent(&headers),
    };
    if sessions::transition(
        &inner.db,
        inner.backend,
        &inner.live,
        &sid,
        Stored::Confirmed,
        redeem,
        now,
    )
    .await?
    .is_none()
    {
        return Err(ApiError::new(ErrorCode::AlreadyUsed));
    }
    inner.forget(&sid);
    tracing::info!(session = %&sid[..6], "signed in with Sesame");
    let mut response = Json(RedeemResponse {
        state: SessionState::Consumed,
    })
    .into_response();
    if let Some(value) = set_cookie(SESSION_COOKIE, &token) {
        response.headers_mut().insert(SET_COOKIE, value);
    }
    Ok(response)
}
