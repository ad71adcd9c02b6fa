//! The server's database: one module per kind of row, holding its SQL. Routes call these and
//! never write SQL of their own for them. States are enums rows are read through (an unknown
//! value is an error, answered 500); every write that touches more than one row is one transaction; a
//! database error is returned, never taken for a refusal of the user.

pub(crate) mod bindings;
pub(crate) mod devices;
pub(crate) mod limits;
pub(crate) mod login_sessions;
pub(crate) mod sessions;
pub(crate) mod sign_ins;
pub(crate) mod users;

use sqlx::AnyPool;

use self::login_sessions::{SESSION_IDLE, SESSION_LIFETIME};
use self::sessions::TERMINAL_KEPT;

/// A state column held a value the server does not know (a newer server's, or a damaged row).
#[derive(Debug, thiserror::Error)]
#[error("a stored state the server does not know: {0:?}")]
pub(crate) struct UnknownState(String);

/// Binding offers and unpaired devices are kept this long: the hourly limit counts offers.
const BINDINGS_KEPT: i64 = 3600;

/// Deletes what no request will read again — sessions ended or expired more than 10 minutes
/// ago (answered until then), binding offers and unpaired devices over an hour old, browser
/// sessions past their lifetime.
pub(crate) async fn purge(db: &AnyPool, now: i64) -> Result<(), sqlx::Error> {
    let kept_after_end = now - TERMINAL_KEPT;
    sqlx::query(
        "DELETE FROM qr_sessions WHERE (ended_at IS NOT NULL AND ended_at < $1) OR expires_at < $1",
    )
    .bind(kept_after_end)
    .execute(db)
    .await?;
    sqlx::query("DELETE FROM bindings WHERE state != 'active' AND expires_at < $1")
        .bind(now - BINDINGS_KEPT)
        .execute(db)
        .await?;
    sqlx::query("DELETE FROM devices WHERE active = 0 AND created_at < $1")
        .bind(now - BINDINGS_KEPT)
        .execute(db)
        .await?;
    sqlx::query(
        "DELETE FROM login_sessions WHERE created_at < $1 OR (last_seen < $2 AND created_at < $2)",
    )
    .bind(now - SESSION_LIFETIME)
    .bind(now - SESSION_IDLE)
    .execute(db)
    .await?;
    Ok(())
}
