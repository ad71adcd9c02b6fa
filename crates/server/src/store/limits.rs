//! Rate limits (qr-login.md, "Replay and limits") counted in the database, so that instances
//! sharing it share one allowance.

use sqlx::AnyPool;

/// Counts an event for `key` at `now` in a window of `window` seconds that starts with the first
/// event after the last window ended: allowed while it is one of the first `limit` of its
/// window, else `Err(seconds)` until the window ends. One upsert, atomic in both backends
/// (PostgreSQL locks the row, SQLite has one writer), so parallel requests cannot all slip in.
pub(crate) async fn count(
    db: &AnyPool,
    key: &str,
    limit: i64,
    window: i64,
    now: i64,
) -> Result<Result<(), u64>, sqlx::Error> {
    let (events, started): (i64, i64) = sqlx::query_as(
        "INSERT INTO rate_counters (key, window_start, events) VALUES ($1, $2, 1)
         ON CONFLICT (key) DO UPDATE SET
             events = CASE WHEN rate_counters.window_start + $3 <= $2 THEN 1
                           ELSE rate_counters.events + 1 END,
             window_start = CASE WHEN rate_counters.window_start + $3 <= $2 THEN $2
                                 ELSE rate_counters.window_start END
         RETURNING events, window_start",
    )
    .bind(key)
    .bind(now)
    .bind(window)
    .fetch_one(db)
    .await?;
    if events <= limit {
        return Ok(Ok(()));
    }
    Ok(Err((started + window - now).max(1) as u64))
}

/// Forgets counters whose window ended before `before`.
pub(crate) async fn purge(db: &AnyPool, before: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM rate_counters WHERE window_start < $1")
        .bind(before)
        .execute(db)
        .await?;
    Ok(())
}
