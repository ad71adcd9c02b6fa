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

use super::qr::{SESSION_COOKIE, cookie, json, set_cookie};
use crate::client_address::ClientAddress;
use crate::error::ApiError;
use crate::state::{AppState, Shared, digest, random_token};

const STEP: u64 = 30;
const FAILURES_BEFORE_LOCK: i64 = 5;
const FAILURE_WINDOW: i64 = 15 * 60;
const FIRST_LOCK: i64 = 60;
const LONGEST_LOCK: i64 = 15 * 60;
/// A browser session ends this long after its last request…
pub(crate) const SESSION_IDLE: i64 = 30 * 60;
/// …and this long after it began, however busy.
pub(crate) const SESSION_LIFETIME: i64 = 12 * 60 * 60;
/// Sign-in attempts one address may make a minute.
const LOGINS_PER_MINUTE: usize = 20;

/// Creates an account, or gives an existing one this password (the `--demo` user,
/// provisioning, tests). Unlocks it, and returns its id.
pub async fn create_user(app: &AppState, username: &str, password: &str) -> Result<i64, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    let hash = Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| ApiError::Internal(format!("argon2: {e}")))?
        .to_string();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO users (username, password_hash) VALUES (?, ?)
         ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash,
             failures = 0, locked_until = 0, lock_seconds = 0
         RETURNING id",
    )
    .bind(username)
    .bind(hash)
    .fetch_one(&app.db)
    .await?;
    Ok(id)
}

/// Sets the account's TOTP secret (after the enrolment page saw one valid code).
pub async fn set_totp_secret(app: &AppState, user_id: i64, secret: &[u8]) -> Result<(), ApiError> {
    sqlx::query("UPDATE users SET totp_secret = ?, totp_last_step = 0 WHERE id = ?")
        .bind(secret)
        .bind(user_id)
        .execute(&app.db)
        .await?;
    Ok(())
}

/// `POST /api/login`'s body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    username: String,
    password: String,
    code: String,
}

#[derive(sqlx::FromRow)]
struct User {
    id: i64,
    password_hash: String,
    totp_secret: Option<Vec<u8>>,
    totp_last_step: i64,
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
    let user: Option<User> = sqlx::query_as(
        "SELECT id, password_hash, totp_secret, totp_last_step FROM users WHERE username = ?",
    )
    .bind(&login.username)
    .fetch_optional(&inner.db)
    .await?;
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
        sqlx::query("UPDATE users SET failures = 0, lock_seconds = 0 WHERE id = ?")
            .bind(user.id)
            .execute(&inner.db)
            .await?;
        return Ok(Attempt::SignedIn(user.id, false));
    };
    let Some(step) = accepted_step(secret, login.code.trim(), now as u64, user.totp_last_step)
    else {
        return failed(inner, user.id, attempt, Cause::Code, now).await;
    };
    // Compare-and-set: of two requests with the same code, one wins.
    let won = sqlx::query(
        "UPDATE users SET totp_last_step = ?, failures = 0, lock_seconds = 0 WHERE id = ? AND totp_last_step < ?",
    )
    .bind(step)
    .bind(user.id)
    .bind(step)
    .execute(&inner.db)
    .await?
    .rows_affected()
        == 1;
    if !won {
        return failed(inner, user.id, attempt, Cause::Code, now).await;
    }
    Ok(Attempt::SignedIn(user.id, true))
}

/// Counts an attempt at the account's password or code, in one atomic update *before* it is
/// checked: attempts sent at once cannot all read the same count and each stay under the limit.
/// `None` when the account is locked or the attempt is past the limit: it is not checked.
async fn count_attempt(inner: &Shared, user_id: i64, now: i64) -> Result<Option<i64>, ApiError> {
    let counted: Option<(i64,)> = sqlx::query_as(
        "UPDATE users SET
             failures = CASE WHEN ? - failures_since > ? THEN 1 ELSE failures + 1 END,
             failures_since = CASE WHEN ? - failures_since > ? THEN ? ELSE failures_since END
         WHERE id = ? AND locked_until <= ?
         RETURNING failures",
    )
    .bind(now)
    .bind(FAILURE_WINDOW)
    .bind(now)
    .bind(FAILURE_WINDOW)
    .bind(now)
    .bind(user_id)
    .bind(now)
    .fetch_optional(&inner.db)
    .await?;
    Ok(counted
        .map(|(attempt,)| attempt)
        .filter(|&attempt| attempt <= FAILURES_BEFORE_LOCK))
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
        let (seconds,): (i64,) = sqlx::query_as(
            "UPDATE users SET
                 lock_seconds = MIN(CASE WHEN lock_seconds = 0 THEN ? ELSE lock_seconds * 2 END, ?),
                 locked_until = ? + MIN(CASE WHEN lock_seconds = 0 THEN ? ELSE lock_seconds * 2 END, ?),
                 failures = 0
             WHERE id = ?
             RETURNING lock_seconds",
        )
        .bind(FIRST_LOCK)
        .bind(LONGEST_LOCK)
        .bind(now)
        .bind(FIRST_LOCK)
        .bind(LONGEST_LOCK)
        .bind(user_id)
        .fetch_one(&inner.db)
        .await?;
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
    body: Result<Json<Login>, JsonRejection>,
) -> Result<Response, ApiError> {
    let inner: &Shared = &app;
    let login = json(body)?;
    let now = inner.now() as i64;
    // Each attempt costs an Argon2 check, whatever the name: a per-address budget keeps one
    // client from spending the server's CPU (an account's own lock covers guessing).
    inner
        .limits
        .allow(
            &format!("login:{client}"),
            LOGINS_PER_MINUTE,
            60,
            now as u64,
        )
        .map_err(|wait| ApiError::new(ErrorCode::RateLimited).retry_after(wait))?;
    match check(inner, &login, now).await? {
        Attempt::SignedIn(user_id, second_factor) => {
            let token = random_token(32);
            sqlx::query(
                "INSERT INTO login_sessions (token_hash, user_id, created_at, reauth_at, second_factor, last_seen) VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(digest(&token))
            .bind(user_id)
            .bind(now)
            .bind(now)
            .bind(i64::from(second_factor))
            .bind(now)
            .execute(&inner.db)
            .await?;
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

/// A browser's signed-in session.
pub(crate) struct SignedIn {
    pub user_id: i64,
    /// When it last passed password + TOTP (0 if it never passed TOTP).
    pub reauth_at: i64,
    token_hash: Vec<u8>,
}

/// The signed-in user of the request (any session, even one still to enrol TOTP).
pub(crate) async fn signed_in_any(
    inner: &Shared,
    headers: &HeaderMap,
) -> Result<SignedIn, ApiError> {
    let Some(token) = cookie(headers, SESSION_COOKIE) else {
        return Err(ApiError::new(ErrorCode::ReauthRequired));
    };
    let token_hash = digest(&token);
    let row: Option<(i64, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT user_id, reauth_at, second_factor, created_at, last_seen FROM login_sessions WHERE token_hash = ?",
    )
    .bind(&token_hash)
    .fetch_optional(&inner.db)
    .await?;
    let (user_id, reauth_at, second_factor, created_at, last_seen) =
        row.ok_or_else(|| ApiError::new(ErrorCode::ReauthRequired))?;
    let now = inner.now() as i64;
    if now - created_at > SESSION_LIFETIME || now - last_seen.max(created_at) > SESSION_IDLE {
        sqlx::query("DELETE FROM login_sessions WHERE token_hash = ?")
            .bind(&token_hash)
            .execute(&inner.db)
            .await?;
        return Err(ApiError::new(ErrorCode::ReauthRequired));
    }
    sqlx::query("UPDATE login_sessions SET last_seen = ? WHERE token_hash = ?")
        .bind(now)
        .bind(&token_hash)
        .execute(&inner.db)
        .await?;
    Ok(SignedIn {
        user_id,
        reauth_at: if second_factor == 1 { reauth_at } else { 0 },
        token_hash,
    })
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
        sqlx::query("DELETE FROM login_sessions WHERE token_hash = ?")
            .bind(digest(&token))
            .execute(&inner.db)
            .await?;
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

/// The signed-in user of a session that passed password + TOTP, and when it last did.
pub(crate) async fn signed_in(inner: &Shared, headers: &HeaderMap) -> Result<SignedIn, ApiError> {
    let session = signed_in_any(inner, headers).await?;
    if session.reauth_at == 0 {
        return Err(ApiError::new(ErrorCode::ReauthRequired));
    }
    Ok(session)
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
    let (username, has_totp): (String, bool) =
        sqlx::query_as("SELECT username, totp_secret IS NOT NULL FROM users WHERE id = ?")
            .bind(session.user_id)
            .fetch_one(&inner.db)
            .await?;
    if has_totp && now - session.reauth_at > 5 * 60 {
        return Err(ApiError::new(ErrorCode::ReauthRequired));
    }
    let mut secret = [0u8; 20];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut secret);
    sqlx::query("UPDATE users SET totp_pending = ? WHERE id = ?")
        .bind(secret.to_vec())
        .bind(session.user_id)
        .execute(&inner.db)
        .await?;
    let issuer = format!("Sesame server ({})", inner.origin);
    let otpauth_uri = otpauth_uri(&issuer, &username, &secret);
    Ok(Json(Enrolment {
        qr_svg: super::pages::qr_svg(&otpauth_uri),
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
    let (pending,): (Option<Vec<u8>>,) =
        sqlx::query_as("SELECT totp_pending FROM users WHERE id = ?")
            .bind(session.user_id)
            .fetch_one(&inner.db)
            .await?;
    let pending = pending.ok_or_else(|| ApiError::new(ErrorCode::InvalidState))?;
    // Codes typed here count against the account like those of a sign-in: five wrong ones lock
    // it, so the six-digit space cannot be walked from a session that has only the password.
    let Some(attempt) = count_attempt(inner, session.user_id, now as i64).await? else {
        return Err(ApiError::new(ErrorCode::InvalidCredentials));
    };
    let Some(step) = accepted_step(&pending, request.code.trim(), now, 0) else {
        failed(inner, session.user_id, attempt, Cause::Code, now as i64).await?;
        return Err(ApiError::new(ErrorCode::InvalidCredentials));
    };
    sqlx::query(
        "UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = ?, failures = 0, lock_seconds = 0 WHERE id = ?",
    )
    .bind(step)
    .bind(session.user_id)
    .execute(&inner.db)
    .await?;
    sqlx::query("UPDATE login_sessions SET second_factor = 1, reauth_at = ? WHERE token_hash = ?")
        .bind(now as i64)
        .bind(&session.token_hash)
        .execute(&inner.db)
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
