//! Accounts, as far as more than the sign-in routes need them.

use sqlx::AnyPool;

/// The account's user name: what Sesame shows as the account a binding or sign-in is for.
pub(crate) async fn name(db: &AnyPool, user_id: i64) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> = sqlx::query_as("SELECT username FROM users WHERE id = $1")
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
    db: &AnyPool,
    username: &str,
) -> Result<Option<User>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, password_hash, totp_secret, totp_last_step FROM users WHERE username = $1",
    )
    .bind(username)
    .fetch_optional(db)
    .await
}

/// Creates an account, or gives an existing one this password hash, and unlocks it.
pub(crate) async fn upsert(
    db: &AnyPool,
    username: &str,
    password_hash: &str,
) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO users (username, password_hash) VALUES ($1, $2)
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
    db: &AnyPool,
    user_id: i64,
    secret: &[u8],
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET totp_secret = $1, totp_last_step = 0 WHERE id = $2")
        .bind(secret)
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(())
}

/// The account's name, and whether it has a second factor.
pub(crate) async fn name_and_second_factor(
    db: &AnyPool,
    user_id: i64,
) -> Result<(String, bool), sqlx::Error> {
    let (name, has_totp): (String, i64) = sqlx::query_as(
        "SELECT username, CAST(CASE WHEN totp_secret IS NULL THEN 0 ELSE 1 END AS BIGINT) FROM users WHERE id = $1",
    )
    .bind(user_id)
    .fetch_one(db)
    .await?;
    Ok((name, has_totp == 1))
}

/// Counts an attempt at the password or a code in one atomic update, before it is checked: a
/// new window starts when the last began more than `window` seconds ago. `None` while the
/// account is locked.
pub(crate) async fn count_attempt(
    db: &AnyPool,
    user_id: i64,
    now: i64,
    window: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let counted: Option<(i64,)> = sqlx::query_as(
        "UPDATE users SET
             failures = CASE WHEN $1 - failures_since > $2 THEN 1 ELSE failures + 1 END,
             failures_since = CASE WHEN $1 - failures_since > $2 THEN $1 ELSE failures_since END
         WHERE id = $3 AND locked_until <= $1
         RETURNING failures",
    )
    .bind(now)
    .bind(window)
    .bind(user_id)
    .fetch_optional(db)
    .await?;
    Ok(counted.map(|(attempt,)| attempt))
}

/// Locks the account for `first` seconds, or twice its last lock, at most `longest`; returns
/// the lock's length (one atomic update).
pub(crate) async fn lock(
    db: &AnyPool,
    user_id: i64,
    now: i64,
    first: i64,
    longest: i64,
) -> Result<i64, sqlx::Error> {
    let (seconds,): (i64,) = sqlx::query_as(
        "UPDATE users SET
             lock_seconds = CASE WHEN lock_seconds = 0 THEN $1
                                 WHEN lock_seconds * 2 > $2 THEN $2 ELSE lock_seconds * 2 END,
             locked_until = $3 + CASE WHEN lock_seconds = 0 THEN $1
                                      WHEN lock_seconds * 2 > $2 THEN $2 ELSE lock_seconds * 2 END,
             failures = 0
         WHERE id = $4
         RETURNING lock_seconds",
    )
    .bind(first)
    .bind(longest)
    .bind(now)
    .bind(user_id)
    .fetch_one(db)
    .await?;
    Ok(seconds)
}

/// A successful sign-in clears the failures.
pub(crate) async fn clear_failures(db: &AnyPool, user_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET failures = 0, lock_seconds = 0 WHERE id = $1")
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Uses TOTP step `step` (compare-and-set: of two requests with the same code, one wins) and
/// clears the failures. `false` when the step was used already.
pub(crate) async fn use_step(db: &AnyPool, user_id: i64, step: i64) -> Result<bool, sqlx::Error> {
    let won = sqlx::query(
        "UPDATE users SET totp_last_step = $1, failures = 0, lock_seconds = 0 WHERE id = $2 AND totp_last_step < $1",
    )
    .bind(step)
    .bind(user_id)
    .execute(db)
    .await?
    .rows_affected()
        == 1;
    Ok(won)
}

/// Keeps a TOTP secret to enrol, until a code from it is typed.
pub(crate) async fn set_pending_totp(
    db: &AnyPool,
    user_id: i64,
    secret: &[u8],
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET totp_pending = $1 WHERE id = $2")
        .bind(secret)
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(())
}

pub(crate) async fn pending_totp(
    db: &AnyPool,
    user_id: i64,
) -> Result<Option<Vec<u8>>, sqlx::Error> {
    let (pending,): (Option<Vec<u8>>,) =
        sqlx::query_as("SELECT totp_pending FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(db)
            .await?;
    Ok(pending)
}

/// A code from the pending secret was typed at step `step`: the secret becomes the account's
/// and the browser session that typed it has passed both factors, together.
pub(crate) async fn keep_pending_totp(
    db: &AnyPool,
    user_id: i64,
    step: i64,
    token_hash: &[u8],
    now: i64,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = $1, failures = 0, lock_seconds = 0 WHERE id = $2",
    )
    .bind(step)
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    super::login_sessions::passed_both_factors(&mut *tx, token_hash, now).await?;
    tx.commit().await
}
