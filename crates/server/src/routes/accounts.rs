//! Accounts and signing in with password + TOTP: Argon2id passwords, TOTP steps accepted once
//! (RFC 6238 §5.2), lockouts that double, and one answer for every failure.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sesame_protocol::wire::ErrorCode;
use subtle::ConstantTimeEq as _;

use crate::auth::signed_in_any;
use crate::client_address::ClientAddress;
use crate::error::ApiError;
use crate::state::{AppState, Shared};
use crate::store::login_sessions::{self, NewLoginSession};
use crate::store::sign_ins::{self, Method};
use crate::store::users;
use crate::tokens::{digest, random_token};
use crate::web::{SESSION_COOKIE, cookie, json, qr_svg, set_cookie, user_agent};

const STEP: u64 = 30;
const FAILURES_BEFORE_LOCK: i64 = 5;
const FAILURE_WINDOW: i64 = 15 * 60;
const FIRST_LOCK: i64 = 60;
const LONGEST_LOCK: i64 = 15 * 60;
/// Sign-in attempts one address may make a minute.
const LOGINS_PER_MINUTE: i64 = 20;

/// Creates an account, or gives an existing one this password (the `--demo` user,
/// provisioning, tests). Unlocks it, and returns its id.
pub async fn create_user(app: &AppState, username: &str, password: &str) -> Result<i64, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    let hash = Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| ApiError::Internal(format!("argon2: {e}")))?
        .to_string();
    Ok(users::upsert(&app.db, username, &hash).await?)
}

/// Sets the account's TOTP secret (after the enrolment page saw one valid code).
pub async fn set_totp_secret(app: &AppState, user_id: i64, secret: &[u8]) -> Result<(), ApiError> {
    Ok(users::set_totp_secret(&app.db, user_id, secret).await?)
}

/// `POST /api/login`'s body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    username: String,
    password: String,
    code: String,
}

/// Why a sign-in failed: logged, never told (the answer is always `invalid_credentials`).
#[derive(Debug)]
enum Cause {
    UnknownUser,
    Locked,
    Password,
    Code,
}

/// The `otpauth://` URI of an account's TOTP secret, for an authenticator to add: the issuer both
/// in the label and as the parameter, as the Key URI format recommends.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    let encode = |text: &str| {
        percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}",
        encode(issuer),
        encode(account),
        data_encoding::BASE32_NOPAD.encode(secret),
        encode(issuer)
    )
}

fn generator(secret: &[u8]) -> totp_rs::Totp {
    totp_rs::Builder::new()
        .with_algorithm(totp_rs::Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(STEP)
        .with_skew(0)
        .with_secret(secret.to_vec())
        .build_noncompliant()
}

/// The TOTP step of the code, if it is valid for a step after `last_step` within ±1 step.
fn accepted_step(secret: &[u8], code: &str, now: u64, last_step: i64) -> Option<i64> {
    let totp = generator(secret);
    let current = (now / STEP) as i64;
    (current - 1..=current + 1)
        .filter(|&step| step > last_step)
        .find(|&step| {
            let expected = totp.generate(step as u64 * STEP).to_string();
            bool::from(expected.as_bytes().ct_eq(code.as_bytes()))
        })
}

/// A password check, off the async workers and at most [`crate::state`]'s few at once.
/// `hash` is `None` for a name with no account, or an attempt refused before checking (a
/// locked account): the same work is done on a throw-away hash, so the answer's timing does
/// not tell those apart from a wrong password.
async fn password_matches(
    inner: &Shared,
    password: &str,
    hash: Option<String>,
) -> Result<bool, ApiError> {
    let _slot = inner
        .password_checks
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| ApiError::Internal(format!("password checks: {e}")))?;
    let password = zeroize::Zeroizing::new(password.to_owned());
    tokio::task::spawn_blocking(move || {
        let stored = hash.as_deref().and_then(|h| PasswordHash::new(h).ok());
        match stored {
            Some(stored) => Argon2::default()
                .verify_password(password.as_bytes(), &stored)
                .is_ok(),
            None => {
                let _ = Argon2::default()
                    .hash_password(password.as_bytes(), &SaltString::generate(&mut OsRng));
                false
            }
        }
    })
    .await
    .map_err(|e| ApiError::Internal(format!("password check: {e}")))
}

/// What a sign-in attempt came to.
enum Attempt {
    /// The user, and whether the second factor was passed.
    SignedIn(i64, bool),
    Refused(Cause),
}

/// Checks a sign-in. The attempt is counted *before* the password is checked, in one atomic
/// update: parallel wrong passwords cannot all read the same count and each stay under the
/// limit, and those past it are refused unchecked.
async fn check(inner: &Shared, login: &Login, now: i64) -> Result<Attempt, ApiError> {
    let user = users::find_by_name(&inner.db, &login.username).await?;
    let Some(user) = user else {
        password_matches(inner, &login.password, None).await?;
        return Ok(Attempt::Refused(Cause::UnknownUser));
    };
    let Some(attempt) = count_attempt(inner, user.id, now).await? else {
        password_matches(inner, &login.password, None).await?;
        return Ok(Attempt::Refused(Cause::Locked));
    };
    if !password_matches(inner, &login.password, Some(user.password_hash)).await? {
        return failed(inner, user.id, attempt, Cause::Password, now).await;
    }
    let Some(secret) = &user.totp_secret else {
        // No second factor yet: the password opens a session that can only enrol one.
        users::clear_failures(&inner.db, user.id).await?;
        return Ok(Attempt::SignedIn(user.id, false));
    };
    let Some(step) = accepted_step(secret, login.code.trim(), now as u64, user.totp_last_step)
    else {
        return failed(inner, user.id, attempt, Cause::Code, now).await;
    };
    if !users::use_step(&inner.db, user.id, step).await? {
        return failed(inner, user.id, attempt, Cause::Code, now).await;
    }
    Ok(Attempt::SignedIn(user.id, true))
}

/// Counts an attempt at the account's password or code, in one atomic update *before* it is
/// checked: attempts sent at once cannot all read the same count and each stay under the limit.
/// `None` when the account is locked or the attempt is past the limit: it is not checked.
async fn count_attempt(inner: &Shared, user_id: i64, now: i64) -> Result<Option<i64>, ApiError> {
    let counted = users::count_attempt(&inner.db, user_id, now, FAILURE_WINDOW).await?;
    Ok(counted.filter(|&attempt| attempt <= FAILURES_BEFORE_LOCK))
}

/// A failed attempt, already counted: the last one allowed locks the account for 60 s, then
/// twice as long each time, up to 15 minutes (one atomic update).
async fn failed(
    inner: &Shared,
    user_id: i64,
    attempt: i64,
    cause: Cause,
    now: i64,
) -> Result<Attempt, ApiError> {
    if attempt >= FAILURES_BEFORE_LOCK {
        let seconds = users::lock(&inner.db, user_id, now, FIRST_LOCK, LONGEST_LOCK).await?;
        tracing::warn!(
            user = user_id,
            seconds,
            "account locked after repeated failures"
        );
    }
    Ok(Attempt::Refused(cause))
}

/// Signs in with username, password and a TOTP code; on success sets the session cookie.
pub async fn login(
    State(app): State<AppState>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    body: Result<Json<Login>, JsonRejection>,
) -> Result<Response, ApiError> {
    let inner: &Shared = &app;
    let login = json(body)?;
    let now = inner.now() as i64;
    // Each attempt costs an Argon2 check, whatever the name: a per-address budget keeps one
    // client from spending the server's CPU (an account's own lock covers guessing).
    inner
        .rate_limit(&format!("login:{client}"), LOGINS_PER_MINUTE, 60)
        .await?;
    match check(inner, &login, now).await? {
        Attempt::SignedIn(user_id, second_factor) => {
            let token = random_token(32);
            let session = NewLoginSession {
                token_hash: &digest(&token),
                user_id,
                now,
                reauth_at: now,
                second_factor,
            };
            let method = if second_factor {
                Method::PasswordAndCode
            } else {
                Method::Password
            };
            let mut tx = inner.db.begin().await?;
            login_sessions::insert(&mut *tx, &session).await?;
            let (address, agent) = (client.to_string(), user_agent(&headers));
            sign_ins::record(&mut tx, user_id, now, method, &address, &agent).await?;
            tx.commit().await?;
            tracing::info!(user = user_id, second_factor, "signed in");
            let mut response = Json(SignedInAnswer {
                signed_in: true,
                enrol_second_factor: !second_factor,
            })
            .into_response();
            if let Some(value) = set_cookie(SESSION_COOKIE, &token) {
                response.headers_mut().insert(SET_COOKIE, value);
            }
            Ok(response)
        }
        Attempt::Refused(cause) => {
            tracing::info!(?cause, "sign-in refused");
            Err(ApiError::new(ErrorCode::InvalidCredentials))
        }
    }
}

/// `POST /api/logout`'s answer (the cookie is cleared with it).
#[derive(Debug, serde::Serialize)]
pub struct SignedOut {
    pub signed_out: bool,
}

/// Ends the browser's session: forgotten by the server, the cookie cleared.
pub async fn logout(State(app): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let inner: &Shared = &app;
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        login_sessions::delete(&inner.db, &digest(&token)).await?;
    }
    let mut response = Json(SignedOut { signed_out: true }).into_response();
    response.headers_mut().insert(
        SET_COOKIE,
        HeaderValue::from_static(
            "__Host-sesame-session=; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=0",
        ),
    );
    Ok(response)
}

/// `POST /api/login`'s answer (the session cookie comes with it).
#[derive(Debug, serde::Serialize)]
pub struct SignedInAnswer {
    pub signed_in: bool,
    /// The account has no second factor yet: the session may only enrol one.
    pub enrol_second_factor: bool,
}

/// `POST /api/totp/confirm`'s answer.
#[derive(Debug, serde::Serialize)]
pub struct Enrolled {
    pub enrolled: bool,
}

/// `POST /api/totp/begin`'s answer: the secret to add to an authenticator.
#[derive(Debug, serde::Serialize)]
pub struct Enrolment {
    pub otpauth_uri: String,
    pub qr_svg: String,
}

/// Starts TOTP enrolment: a new secret, kept pending until a code from it is typed. An account
/// that already has one must have passed password + TOTP in the last 5 minutes.
pub async fn begin_totp(
    State(app): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Enrolment>, ApiError> {
    let inner: &Shared = &app;
    let session = signed_in_any(inner, &headers).await?;
    let now = inner.now() as i64;
    let (username, has_totp) = users::name_and_second_factor(&inner.db, session.user_id).await?;
    if has_totp && now - session.reauth_at > 5 * 60 {
        return Err(ApiError::new(ErrorCode::ReauthRequired));
    }
    let mut secret = [0u8; 20];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut secret);
    users::set_pending_totp(&inner.db, session.user_id, &secret).await?;
    let issuer = format!("Sesame server ({})", inner.origin);
    let otpauth_uri = otpauth_uri(&issuer, &username, &secret);
    Ok(Json(Enrolment {
        qr_svg: qr_svg(&otpauth_uri),
        otpauth_uri,
    }))
}

/// `POST /api/totp/confirm`'s body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmTotp {
    code: String,
}

/// Keeps the pending secret once a code from it is typed; the session has then passed both
/// factors.
pub async fn confirm_totp(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<ConfirmTotp>, JsonRejection>,
) -> Result<Json<Enrolled>, ApiError> {
    let inner: &Shared = &app;
    let request = json(body)?;
    let session = signed_in_any(inner, &headers).await?;
    let now = inner.now();
    let pending = users::pending_totp(&inner.db, session.user_id)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::InvalidState))?;
    // Codes typed here count against the account like those of a sign-in: five wrong ones lock
    // it, so the six-digit space cannot be walked from a session that has only the password.
    let Some(attempt) = count_attempt(inner, session.user_id, now as i64).await? else {
        return Err(ApiError::new(ErrorCode::InvalidCredentials));
    };
    let Some(step) = accepted_step(&pending, request.code.trim(), now, 0) else {
        failed(inner, session.user_id, attempt, Cause::Code, now as i64).await?;
        return Err(ApiError::new(ErrorCode::InvalidCredentials));
    };
    users::keep_pending_totp(
        &inner.db,
        session.user_id,
        step,
        &session.token_hash,
        now as i64,
    )
    .await?;
    tracing::info!(user = session.user_id, "TOTP enrolled");
    Ok(Json(Enrolled { enrolled: true }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_accepted_within_one_step_and_only_after_the_last_one() {
        let secret = b"12345678901234567890";
        let totp = generator(secret);
        let now = 1_111_111_111;
        let step = (now / STEP) as i64;
        let code = |step: i64| totp.generate(step as u64 * STEP).to_string();
        assert_eq!(accepted_step(secret, &code(step), now, 0), Some(step));
        assert_eq!(
            accepted_step(secret, &code(step - 1), now, 0),
            Some(step - 1)
        );
        assert_eq!(
            accepted_step(secret, &code(step + 1), now, 0),
            Some(step + 1)
        );
        assert_eq!(accepted_step(secret, &code(step - 2), now, 0), None);
        // Replay: the step was already used.
        assert_eq!(accepted_step(secret, &code(step), now, step), None);
        assert_eq!(accepted_step(secret, &code(step - 1), now, step), None);
    }
}
