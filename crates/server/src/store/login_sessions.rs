//! Signed-in browsers: one row per session cookie, stored as the cookie's hash.

use sqlx::{Any, AnyPool};

/// A browser session ends this many seconds after its last request...
pub(crate) const SESSION_IDLE: i64 = 30 * 60;
/// ...and this many after it began, whatever it does.
pub(crate) const SESSION_LIFETIME: i64 = 12 * 60 * 60;

/// A session as a sign-in creates it.
pub(crate) struct NewLoginSession<'a> {
    pub token_hash: &'a [u8],
    pub user_id: i64,
    pub now: i64,
    /// When it passed password + TOTP; 0 for a QR sign-in, which never counts as one.
    pub reauth_at: i64,
    /// False while the account still has to enrol a TOTP secret.
    pub second_factor: bool,
}

/// A stored session.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct LoginSession {
    pub user_id: i64,
    pub reauth_at: i64,
    /// 1 once it passed both factors (an integer column: the same type in every backend).
    pub second_factor: i64,
    pub created_at: i64,
    pub last_seen: i64,
}

impl LoginSession {
    /// Whether it is past its idle or absolute lifetime at `now`.
    pub fn ended(&self, now: i64) -> bool {
        now - self.created_at > SESSION_LIFETIME
            || now - self.last_seen.max(self.created_at) > SESSION_IDLE
    }
}

/// Inserts a session, inside the caller's transaction where it goes with other rows.
pub(crate) async fn insert<'e>(
    executor: impl sqlx::Executor<'e, Database = Any>,
    new: &NewLoginSession<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO login_sessions (token_hash, user_id, created_at, reauth_at, second_factor, last_seen) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(new.token_hash)
    .bind(new.user_id)
    .bind(new.now)
    .bind(new.reauth_at)
    .bind(i64::from(new.second_factor))
    .bind(new.now)
    .execute(executor)
    .await?;
    Ok(())
}

pub(crate) async fn find(
    db: &AnyPool,
    token_hash: &[u8],
) -> Result<Option<LoginSession>, sqlx::Error> {
    sqlx::query_as(
        "SELECT user_id, reauth_at, second_factor, created_at, last_seen FROM login_sessions WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(db)
    .await
}

pub(crate) async fn touch(db: &AnyPool, token_hash: &[u8], now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE login_sessions SET last_seen = $1 WHERE token_hash = $2")
        .bind(now)
        .bind(token_hash)
        .execute(db)
        .await?;
    Ok(())
}

pub(crate) async fn delete(db: &AnyPool, token_hash: &[u8]) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(db)
        .await?;
    Ok(())
}

/// Marks the session as having passed both factors at `now`, in the caller's transaction.
pub(crate) async fn passed_both_factors<'e>(
    executor: impl sqlx::Executor<'e, Database = Any>,
    token_hash: &[u8],
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE login_sessions SET second_factor = 1, reauth_at = $1 WHERE token_hash = $2",
    )
    .bind(now)
    .bind(token_hash)
    .execute(executor)
    .await?;
    Ok(())
}
