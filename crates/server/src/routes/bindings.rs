//! Binding a device: the signed-in browser asks for a binding QR code, Sesame claims it with a
//! new per-origin key, and the user types the pairing code Sesame shows into the browser.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use ed25519_dalek::{Signature, VerifyingKey};
use rand::Rng as _;
use serde::{Deserialize, Serialize};
use sesame_protocol::message::{self, Context, b64, key_id, unb64};
use sesame_protocol::qr::BindQr;
use sesame_protocol::wire::{
    BindingProgress, BindingStateRequest, BindingStateResponse, ClaimRequest, ClaimResponse,
    ErrorCode, PreviewRequest, PreviewResponse,
};
use subtle::ConstantTimeEq as _;

use crate::auth::{SignedIn, signed_in};
use crate::client_address::ClientAddress;
use crate::error::ApiError;
use crate::state::{AppState, Shared};
use crate::store::bindings::{self, Binding, BindingState, NewDevice};
use crate::store::{devices, users};
use crate::tokens::{digest, random_token};
use crate::web::{json, qr_svg};

const LIFETIME: i64 = 120;
const REAUTH_WINDOW: i64 = 5 * 60;
const PER_HOUR: i64 = 3;
const PAIRING_ATTEMPTS: i64 = 3;

/// `POST /api/bindings`'s answer.
#[derive(Debug, Serialize, Deserialize)]
pub struct Offered {
    pub binding_id: String,
    pub qr_uri: String,
    /// The same code as an SVG image, for the page.
    pub qr_svg: String,
    pub expires_at: u64,
}

/// Offers a binding to the signed-in user, who passed password + TOTP in the last 5 minutes.
pub async fn offer(
    State(app): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Offered>, ApiError> {
    let inner: &Shared = &app;
    let SignedIn {
        user_id, reauth_at, ..
    } = signed_in(inner, &headers).await?;
    let now = inner.now() as i64;
    if now - reauth_at > REAUTH_WINDOW {
        return Err(ApiError::new(ErrorCode::ReauthRequired));
    }
    if bindings::offered_since(&inner.db, user_id, now - 3600).await? >= PER_HOUR {
        return Err(ApiError::new(ErrorCode::RateLimited));
    }
    let (id, secret) = (random_token(16), random_token(32));
    let expires = now + LIFETIME;
    bindings::offer(&inner.db, &id, user_id, &digest(&secret), now, expires).await?;
    let qr = BindQr {
        origin: inner.origin.clone(),
        binding_id: id.clone(),
        enroll_secret: secret,
        expires: expires as u64,
    };
    let qr_uri = qr.to_uri();
    Ok(Json(Offered {
        binding_id: id,
        qr_svg: qr_svg(&qr_uri),
        qr_uri,
        expires_at: expires as u64,
    }))
}

async fn binding(inner: &Shared, id: &str) -> Result<Binding, ApiError> {
    bindings::find(&inner.db, id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::SessionNotFound))
}

/// The binding `id` if `enroll_secret` is its secret and it can still be claimed.
async fn claimable(
    inner: &Shared,
    id: &str,
    enroll_secret: &str,
    now: i64,
) -> Result<Binding, ApiError> {
    let found = binding(inner, id).await?;
    match found.state {
        BindingState::Pending if now > found.expires_at => {
            return Err(ApiError::new(ErrorCode::Expired));
        }
        BindingState::Pending => {}
        BindingState::Cancelled => return Err(ApiError::new(ErrorCode::SessionNotFound)),
        BindingState::Claimed | BindingState::Active => {
            return Err(ApiError::new(ErrorCode::AlreadyClaimed));
        }
    }
    check_secret(&found, enroll_secret)?;
    Ok(found)
}

/// The enrolment secret proves the caller read the binding's code; compared in constant time.
fn check_secret(found: &Binding, enroll_secret: &str) -> Result<(), ApiError> {
    let presented = digest(enroll_secret);
    if bool::from(presented.ct_eq(&found.secret_hash)) {
        Ok(())
    } else {
        Err(ApiError::new(ErrorCode::InvalidEnrollmentSecret))
    }
}

async fn username(inner: &Shared, user_id: i64) -> Result<String, ApiError> {
    users::name(&inner.db, user_id)
        .await?
        .ok_or_else(|| ApiError::Internal("a binding of a deleted account".into()))
}

/// Sesame asks what a binding code offers before the user consents: the account it is for.
/// Nothing changes, so a code previewed and refused can still be claimed by the right device.
pub async fn preview(
    State(app): State<AppState>,
    Path(id): Path<String>,
    body: Result<Json<PreviewRequest>, JsonRejection>,
) -> Result<Json<PreviewResponse>, ApiError> {
    let inner: &Shared = &app;
    let request = json(body)?;
    if request.v != sesame_protocol::VERSION {
        return Err(ApiError::new(ErrorCode::UnsupportedVersion));
    }
    let found = claimable(inner, &id, &request.enroll_secret, inner.now() as i64).await?;
    Ok(Json(PreviewResponse {
        account_display: username(inner, found.user_id).await?,
        expires_at: found.expires_at as u64,
    }))
}

/// How a binding stands, for the device that claimed it: Sesame asks while the user types the
/// pairing code, and closes its sheet when the page has taken it. The enrolment secret, which
/// only the code's reader has, authenticates the question, in constant time; nothing changes.
pub async fn progress(
    State(app): State<AppState>,
    Path(id): Path<String>,
    body: Result<Json<BindingStateRequest>, JsonRejection>,
) -> Result<Json<BindingStateResponse>, ApiError> {
    let inner: &Shared = &app;
    let request = json(body)?;
    if request.v != sesame_protocol::VERSION {
        return Err(ApiError::new(ErrorCode::UnsupportedVersion));
    }
    let found = binding(inner, &id).await?;
    check_secret(&found, &request.enroll_secret)?;
    let expired = inner.now() as i64 > found.expires_at;
    let state = match found.state {
        BindingState::Pending | BindingState::Claimed if expired => BindingProgress::Expired,
        BindingState::Pending => BindingProgress::Pending,
        BindingState::Claimed => BindingProgress::Claimed,
        BindingState::Active => BindingProgress::Active,
        BindingState::Cancelled => BindingProgress::Cancelled,
    };
    Ok(Json(BindingStateResponse {
        state,
        expires_at: found.expires_at as u64,
    }))
}

/// Sesame claims the binding with its new key and proves it holds the private half.
pub async fn claim(
    State(app): State<AppState>,
    ClientAddress(client): ClientAddress,
    Path(id): Path<String>,
    body: Result<Json<ClaimRequest>, JsonRejection>,
) -> Result<Json<ClaimResponse>, ApiError> {
    let inner: &Shared = &app;
    let request = json(body)?;
    if request.v != sesame_protocol::VERSION {
        return Err(ApiError::new(ErrorCode::UnsupportedVersion));
    }
    let now = inner.now() as i64;
    let found = claimable(inner, &id, &request.enroll_secret, now).await?;
    let key_bytes = unb64(&request.device_pk)
        .and_then(|bytes| <[u8; 32]>::try_from(bytes.as_slice()).ok())
        .ok_or_else(|| ApiError::new(ErrorCode::InvalidRequest))?;
    let device_key = VerifyingKey::from_bytes(&key_bytes)
        .map_err(|_| ApiError::new(ErrorCode::InvalidRequest))?;
    let signature = unb64(&request.pop_sig)
        .and_then(|bytes| <[u8; 64]>::try_from(bytes.as_slice()).ok())
        .map(|bytes| Signature::from_bytes(&bytes))
        .ok_or_else(|| ApiError::new(ErrorCode::InvalidRequest))?;
    let fields = request.signed_fields(&inner.origin.to_string(), &id);
    if !message::verify(
        &device_key,
        Context::Bind,
        &message::text_fields(&fields),
        &signature,
    ) {
        return Err(ApiError::new(ErrorCode::InvalidSignature));
    }
    let device_id = random_token(16);
    let pairing_code = format!("{:06}", rand::thread_rng().gen_range(0..1_000_000));
    let name: String = request.device_name.chars().take(80).collect();
    let device = NewDevice {
        id: &device_id,
        public_key: &key_bytes,
        name: &name,
        claim_address: &client.to_string(),
        pairing_code: &pairing_code,
    };
    if !bindings::claim(&inner.db, &id, found.user_id, &device, now).await? {
        return Err(ApiError::new(ErrorCode::AlreadyClaimed));
    }
    let username = username(inner, found.user_id).await?;
    let server_pk = inner.key.verifying_key();
    tracing::info!(
        user = found.user_id,
        "binding claimed; waiting for the pairing code"
    );
    Ok(Json(ClaimResponse {
        device_id,
        account_display: username,
        server_kid: key_id(&server_pk),
        server_pk: b64(server_pk.as_bytes()),
        pairing_code,
    }))
}

/// What the browser page shows while a binding waits for its pairing code.
#[derive(Debug, Serialize, Deserialize)]
pub struct BindingView {
    pub state: String,
    pub device_name: Option<String>,
    pub claim_address: Option<String>,
    pub expires_at: u64,
}

async fn owned(inner: &Shared, id: &str, headers: &HeaderMap) -> Result<Binding, ApiError> {
    let user_id = signed_in(inner, headers).await?.user_id;
    let found = binding(inner, id).await?;
    if found.user_id != user_id {
        return Err(ApiError::new(ErrorCode::SessionNotFound));
    }
    Ok(found)
}

/// The binding's state for its page.
pub async fn view(
    State(app): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<BindingView>, ApiError> {
    let inner: &Shared = &app;
    let found = owned(inner, &id, &headers).await?;
    let device_name = match &found.device_id {
        Some(device) => devices::name(&inner.db, device).await?,
        None => None,
    };
    Ok(Json(BindingView {
        state: found.state.name().to_owned(),
        device_name,
        claim_address: found.claim_address,
        expires_at: found.expires_at as u64,
    }))
}

/// `POST …/approve`'s body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approve {
    pairing_code: String,
}

/// The user types the pairing code Sesame shows: the device becomes active. Three wrong codes
/// cancel the binding.
pub async fn approve(
    State(app): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Json<Approve>, JsonRejection>,
) -> Result<Json<BindingView>, ApiError> {
    let inner: &Shared = &app;
    let request = json(body)?;
    let found = owned(inner, &id, &headers).await?;
    match found.state {
        BindingState::Claimed => {}
        BindingState::Active => return Err(ApiError::new(ErrorCode::AlreadyUsed)),
        BindingState::Cancelled => return Err(ApiError::new(ErrorCode::SessionNotFound)),
        BindingState::Pending => return Err(ApiError::new(ErrorCode::InvalidState)),
    }
    // A binding lives 120 s, pairing code included: a device claimed and left waiting must not
    // become active later (the device itself stops trying it then).
    if inner.now() as i64 > found.expires_at {
        bindings::cancel(&inner.db, &id, found.device_id.as_deref()).await?;
        return Err(ApiError::new(ErrorCode::Expired));
    }
    // Counted before the code is compared, atomically: codes typed at once cannot all read the
    // same count, and those past the third are not compared.
    let attempt = match bindings::count_pairing_attempt(&inner.db, &id).await? {
        Some(attempt) if attempt <= PAIRING_ATTEMPTS => attempt,
        _ => return Err(ApiError::new(ErrorCode::SessionNotFound)),
    };
    let expected = found.pairing_code.clone().unwrap_or_default();
    if !bool::from(
        request
            .pairing_code
            .trim()
            .as_bytes()
            .ct_eq(expected.as_bytes()),
    ) {
        if attempt >= PAIRING_ATTEMPTS {
            bindings::cancel(&inner.db, &id, found.device_id.as_deref()).await?;
        }
        return Err(ApiError::new(ErrorCode::PairingCodeMismatch)
            .attempts_left((PAIRING_ATTEMPTS - attempt).max(0) as u32));
    }
    if !bindings::activate(&inner.db, &id, found.device_id.as_deref()).await? {
        return Err(ApiError::new(ErrorCode::InvalidState));
    }
    tracing::info!(user = found.user_id, "device bound");
    view(State(app.clone()), Path(id), headers).await
}
