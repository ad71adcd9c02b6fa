//! Accounts, as far as more than the sign-in routes need them.

use sqlx::SqlitePool;

/// The account's user name: what Sesame shows as the account a binding or sign-in is for.
pub(crate) async fn name(db: &SqlitePool, user_id: i64) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> = sqlx::query_as("SELECT username FROM users WHERE id = ?")
        .bind(user_id)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|(name,)| name))
}

/// What a sign-in needs of an account.
#[derive(sqlx::FromRow)]
pub(crate) struct User {
    pub id: i64,
    pub password_hash: String,
    pub totp_secret: Option<Vec<u8>>,
    pub totp_last_step: i64,
}

pub(crate) async fn find_by_name(
    db: &SqlitePool,
    username: &str,
) -> Result<Option<User>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, password_hash, totp_secret, totp_last_step FROM users WHERE username = ?",
    )
    .bind(username)
    .fetch_optional(db)
    .await
}

/// Creates an account, or gives an existing one this password hash, and unlocks it.
pub(crate) async fn upsert(
    db: &SqlitePool,
    username: &str,
    password_hash: &str,
) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO users (username, password_hash) VALUES (?, ?)
         ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash,
             failures = 0, locked_until = 0, lock_seconds = 0
         RETURNING id",
    )
    .bind(username)
    .bind(password_hash)
    .fetch_one(db)
    .await?;
    Ok(id)
}

pub(crate) async fn set_totp_secret(
    db: &SqlitePool,
    user_id: i64,
    secret: &[u8],
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET totp_secret = ?, totp_last_step = 0 WHERE id = ?")
        .bind(secret)
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(())
}

/// The account's name, and whether it has a second factor.
pub(crate) async fn name_and_second_factor(
    db: &SqlitePool,
    user_id: i64,
) -> Result<(String, bool), sqlx::Error> {
    sqlx::query_as("SELECT username, totp_secret IS NOT NULL FROM users WHERE id = ?")
        .bind(user_id)
        .fetch_one(db)
        .await
}

/// Counts an attempt at the password or a code in one atomic update, before it is checked: a
/// new window starts when the last began more than `window` seconds ago. `None` while the
/// account is locked.
pub(crate) async fn count_attempt(
    db: &SqlitePool,
    user_id: i64,
    now: i64,
    window: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let counted: Option<(i64,)> = sqlx::query_as(
        "UPDATE users SET
             failures = CASE WHEN ? - failures_since > ? THEN 1 ELSE failures + 1 END,
             failures_since = CASE WHEN ? - failures_since > ? THEN ? ELSE failures_since END
         WHERE id = ? AND locked_until <= ?
         RETURNING failures",
    )
    .bind(now)
    .bind(window)
    .bind(now)
    .bind(window)
    .bind(now)
    .bind(user_id)
    .bind(now)
    .fetch_optional(db)
    .await?;
    Ok(counted.map(|(attempt,)| attempt))
}

/// Locks the account for `first` seconds, or twice its last lock, at most `longest`; returns
/// the lock's length (one atomic update).
pub(crate) async fn lock(
    db: &SqlitePool,
    user_id: i64,
    now: i64,
    first: i64,
    longest: i64,
) -> Result<i64, sqlx::Error> {
    let (seconds,): (i64,) = sqlx::query_as(
        "UPDATE users SET
             lock_seconds = MIN(CASE WHEN lock_seconds = 0 THEN ? ELSE lock_seconds * 2 END, ?),
             locked_until = ? + MIN(CASE WHEN lock_seconds = 0 THEN ? ELSE lock_seconds * 2 END, ?),
             failures = 0
         WHERE id = ?
         RETURNING lock_seconds",
    )
    .bind(first)
    .bind(longest)
    .bind(now)
    .bind(first)
    .bind(longest)
    .bind(user_id)
    .fetch_one(db)
    .await?;
    Ok(seconds)
}

/// A successful sign-in clears the failures.
pub(crate) async fn clear_failures(db: &SqlitePool, user_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET failures = 0, lock_seconds = 0 WHERE id = ?")
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Uses TOTP step `step` (compare-and-set: of two requests with the same code, one wins) and
/// clears the failures. `false` when the step was used already.
pub(crate) async fn use_step(
    db: &SqlitePool,
    user_id: i64,
    step: i64,
) -> Result<bool, sqlx::Error> {
    let won = sqlx::query(
        "UPDATE users SET totp_last_step = ?, failures = 0, lock_seconds = 0 WHERE id = ? AND totp_last_step < ?",
    )
    .bind(step)
    .bind(user_id)
    .bind(step)
    .execute(db)
    .await?
    .rows_affected()
        == 1;
    Ok(won)
}

/// Keeps a TOTP secret to enrol, until a code from it is typed.
pub(crate) async fn set_pending_totp(
    db: &SqlitePool,
    user_id: i64,
    secret: &[u8],
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET totp_pending = ? WHERE id = ?")
        .bind(secret)
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(())
}

pub(crate) async fn pending_totp(
    db: &SqlitePool,
    user_id: i64,
) -> Result<Option<Vec<u8>>, sqlx::Error> {
    let (pending,): (Option<Vec<u8>>,) =
        sqlx::query_as("SELECT totp_pending FROM users WHERE id = ?")
            .bind(user_id)
            .fetch_one(db)
            .await?;
    Ok(pending)
}

/// A code from the pending secret was typed at step `step`: the secret becomes the account's
/// and the browser session that typed it has passed both factors, together.
pub(crate) async fn keep_pending_totp(
    db: &SqlitePool,
    user_id: i64,
    step: i64,
    token_hash: &[u8],
    now: i64,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = ?, failures = 0, lock_seconds = 0 WHERE id = ?",
    )
    .bind(step)
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    super::login_sessions::passed_both_factors(&mut *tx, token_hash, now).await?;
    tx.commit().await
}
