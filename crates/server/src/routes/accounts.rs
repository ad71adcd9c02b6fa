//! Accounts and signing in with password + TOTP: Argon2id passwords, TOTP steps accepted once
//! (RFC 6238 §5.2), lockouts that double, and one answer for every failure.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::HeaderMap;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sesame_protocol::wire::ErrorCode;
use subtle::ConstantTimeEq as _;

use super::qr::{SESSION_COOKIE, cookie, json, set_cookie};
use crate::error::ApiError;
use crate::state::{AppState, Inner, digest, random_token};

const STEP: u64 = 30;
const FAILURES_BEFORE_LOCK: i64 = 5;
const FAILURE_WINDOW: i64 = 15 * 60;
const FIRST_LOCK: i64 = 60;
const LONGEST_LOCK: i64 = 15 * 60;

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
    .fetch_one(&app.0.db)
    .await?;
    Ok(id)
}

/// Sets the account's TOTP secret (after the enrolment page saw one valid code).
pub async fn set_totp_secret(app: &AppState, user_id: i64, secret: &[u8]) -> Result<(), ApiError> {
    sqlx::query("UPDATE users SET totp_secret = ?, totp_last_step = 0 WHERE id = ?")
        .bind(secret)
        .bind(user_id)
        .execute(&app.0.db)
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
    failures: i64,
    failures_since: i64,
    locked_until: i64,
    lock_seconds: i64,
}

/// Why a sign-in failed: logged, never told (the answer is always `invalid_credentials`).
#[derive(Debug)]
enum Cause {
    UnknownUser,
    Locked,
    Password,
    NoTotp,
    Code,
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

async fn check(inner: &Inner, login: &Login, now: i64) -> Result<i64, Cause> {
    let user: Option<User> = sqlx::query_as(
        "SELECT id, password_hash, totp_secret, totp_last_step, failures, failures_since, locked_until, lock_seconds FROM users WHERE username = ?",
    )
    .bind(&login.username)
    .fetch_optional(&inner.db)
    .await
    .ok()
    .flatten();
    let Some(user) = user else {
        // As slow as a real check, so timing does not tell which names exist.
        let _ = Argon2::default()
            .hash_password(login.password.as_bytes(), &SaltString::generate(&mut OsRng));
        return Err(Cause::UnknownUser);
    };
    if user.locked_until > now {
        return Err(Cause::Locked);
    }
    let snapshot = user_snapshot(&user);
    let fail = |cause: Cause| {
        let snapshot = &snapshot;
        async move {
            record_failure(inner, snapshot, now).await;
            Err(cause)
        }
    };
    let password_ok = PasswordHash::new(&user.password_hash).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(login.password.as_bytes(), &hash)
            .is_ok()
    });
    if !password_ok {
        return fail(Cause::Password).await;
    }
    let Some(secret) = &user.totp_secret else {
        return fail(Cause::NoTotp).await;
    };
    let Some(step) = accepted_step(secret, login.code.trim(), now as u64, user.totp_last_step)
    else {
        return fail(Cause::Code).await;
    };
    // Compare-and-set: of two requests with the same code, one wins.
    let won = sqlx::query(
        "UPDATE users SET totp_last_step = ?, failures = 0, lock_seconds = 0 WHERE id = ? AND totp_last_step < ?",
    )
    .bind(step)
    .bind(user.id)
    .bind(step)
    .execute(&inner.db)
    .await
    .is_ok_and(|r| r.rows_affected() == 1);
    if !won {
        return fail(Cause::Code).await;
    }
    Ok(user.id)
}

struct Snapshot {
    id: i64,
    failures: i64,
    failures_since: i64,
    lock_seconds: i64,
}

fn user_snapshot(user: &User) -> Snapshot {
    Snapshot {
        id: user.id,
        failures: user.failures,
        failures_since: user.failures_since,
        lock_seconds: user.lock_seconds,
    }
}

/// Counts a failure; the fifth within 15 minutes locks the account for 60 s, then twice as long
/// each time, up to 15 minutes.
async fn record_failure(inner: &Inner, user: &Snapshot, now: i64) {
    let (mut failures, mut since) = (user.failures + 1, user.failures_since);
    if now - since > FAILURE_WINDOW {
        (failures, since) = (1, now);
    }
    let (mut locked_until, mut lock_seconds) = (0, user.lock_seconds);
    if failures >= FAILURES_BEFORE_LOCK {
        lock_seconds = if lock_seconds == 0 {
            FIRST_LOCK
        } else {
            (lock_seconds * 2).min(LONGEST_LOCK)
        };
        locked_until = now + lock_seconds;
        failures = 0;
        tracing::warn!(
            user = user.id,
            seconds = lock_seconds,
            "account locked after repeated failures"
        );
    }
    let _ = sqlx::query(
        "UPDATE users SET failures = ?, failures_since = ?, locked_until = MAX(locked_until, ?), lock_seconds = ? WHERE id = ?",
    )
    .bind(failures)
    .bind(since)
    .bind(locked_until)
    .bind(lock_seconds)
    .bind(user.id)
    .execute(&inner.db)
    .await;
}

/// Signs in with username, password and a TOTP code; on success sets the session cookie.
pub async fn login(
    State(app): State<AppState>,
    body: Result<Json<Login>, JsonRejection>,
) -> Result<Response, ApiError> {
    let inner = &app.0;
    let login = json(body)?;
    let now = inner.now() as i64;
    match check(inner, &login, now).await {
        Ok(user_id) => {
            let token = random_token(32);
            sqlx::query(
                "INSERT INTO login_sessions (token_hash, user_id, created_at, reauth_at) VALUES (?, ?, ?, ?)",
            )
            .bind(digest(&token))
            .bind(user_id)
            .bind(now)
            .bind(now)
            .execute(&inner.db)
            .await?;
            tracing::info!(user = user_id, "signed in with password and code");
            let mut response = Json(serde_json::json!({"signed_in": true})).into_response();
            if let Some(value) = set_cookie(SESSION_COOKIE, &token) {
                response.headers_mut().insert(SET_COOKIE, value);
            }
            Ok(response)
        }
        Err(cause) => {
            tracing::info!(?cause, "sign-in refused");
            Err(ApiError::new(ErrorCode::InvalidCredentials))
        }
    }
}

/// The signed-in user of the request, and when it last passed password + TOTP.
pub(crate) async fn signed_in(inner: &Inner, headers: &HeaderMap) -> Result<(i64, i64), ApiError> {
    let Some(token) = cookie(headers, SESSION_COOKIE) else {
        return Err(ApiError::new(ErrorCode::ReauthRequired));
    };
    let row: Option<(i64, i64)> =
        sqlx::query_as("SELECT user_id, reauth_at FROM login_sessions WHERE token_hash = ?")
            .bind(digest(&token))
            .fetch_optional(&inner.db)
            .await?;
    row.ok_or_else(|| ApiError::new(ErrorCode::ReauthRequired))
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
