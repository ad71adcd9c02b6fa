//! Device bindings and the devices they make: every change that touches both tables is one
//! transaction, so a binding is never claimed without its device, nor a device active without
//! its binding.

use sqlx::SqlitePool;

/// A binding's state as stored; a value that is not one of these is an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub(crate) enum BindingState {
    /// Offered to the signed-in user, waiting for a device to claim it.
    Pending,
    /// Claimed by a device, waiting for the pairing code.
    Claimed,
    Active,
    Cancelled,
}

impl BindingState {
    /// How the binding's page names it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Claimed => "claimed",
            Self::Active => "active",
            Self::Cancelled => "cancelled",
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct Binding {
    pub user_id: i64,
    pub secret_hash: Vec<u8>,
    pub state: BindingState,
    pub expires_at: i64,
    pub device_id: Option<String>,
    pub claim_address: Option<String>,
    pub pairing_code: Option<String>,
}

/// A device as a claim creates it: inactive until the pairing code is typed.
pub(crate) struct NewDevice<'a> {
    pub id: &'a str,
    pub public_key: &'a [u8],
    pub name: &'a str,
    pub claim_address: &'a str,
    pub pairing_code: &'a str,
}

pub(crate) async fn find(db: &SqlitePool, id: &str) -> Result<Option<Binding>, sqlx::Error> {
    sqlx::query_as(
        "SELECT user_id, secret_hash, state, expires_at, device_id, claim_address, pairing_code FROM bindings WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Bindings offered to `user_id` since `since`.
pub(crate) async fn offered_since(
    db: &SqlitePool,
    user_id: i64,
    since: i64,
) -> Result<i64, sqlx::Error> {
    let (count,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM bindings WHERE user_id = ? AND created_at > ?")
            .bind(user_id)
            .bind(since)
            .fetch_one(db)
            .await?;
    Ok(count)
}

/// Offers a binding to `user_id`. One live binding per account: the new offer voids the last
/// and the device it had claimed, in the same transaction.
pub(crate) async fn offer(
    db: &SqlitePool,
    id: &str,
    user_id: i64,
    secret_hash: &[u8],
    now: i64,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE bindings SET state = ? WHERE user_id = ? AND state IN (?, ?)")
        .bind(BindingState::Cancelled)
        .bind(user_id)
        .bind(BindingState::Pending)
        .bind(BindingState::Claimed)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM devices WHERE user_id = ? AND active = 0")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO bindings (id, user_id, secret_hash, state, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(id)
    .bind(user_id)
    .bind(secret_hash)
    .bind(BindingState::Pending)
    .bind(now)
    .bind(expires_at)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// Claims a pending binding for a new, inactive device: both rows or neither. `false` when
/// another claim won.
pub(crate) async fn claim(
    db: &SqlitePool,
    id: &str,
    user_id: i64,
    device: &NewDevice<'_>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    let won = sqlx::query(
        "UPDATE bindings SET state = ?, device_id = ?, claim_address = ?, pairing_code = ? WHERE id = ? AND state = ?",
    )
    .bind(BindingState::Claimed)
    .bind(device.id)
    .bind(device.claim_address)
    .bind(device.pairing_code)
    .bind(id)
    .bind(BindingState::Pending)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !won {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO devices (id, user_id, public_key, name, created_at, active) VALUES (?, ?, ?, ?, ?, 0)",
    )
    .bind(device.id)
    .bind(user_id)
    .bind(device.public_key)
    .bind(device.name)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Counts an attempt at the pairing code, atomically, before it is compared; `None` when the
/// binding is no longer claimed.
pub(crate) async fn count_pairing_attempt(
    db: &SqlitePool,
    id: &str,
) -> Result<Option<i64>, sqlx::Error> {
    let counted: Option<(i64,)> = sqlx::query_as(
        "UPDATE bindings SET pairing_attempts = pairing_attempts + 1 WHERE id = ? AND state = ? RETURNING pairing_attempts",
    )
    .bind(id)
    .bind(BindingState::Claimed)
    .fetch_optional(db)
    .await?;
    Ok(counted.map(|(attempt,)| attempt))
}

/// Cancels a claimed binding and deletes the device it would have made active, together.
pub(crate) async fn cancel(
    db: &SqlitePool,
    id: &str,
    device_id: Option<&str>,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE bindings SET state = ? WHERE id = ? AND state = ?")
        .bind(BindingState::Cancelled)
        .bind(id)
        .bind(BindingState::Claimed)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM devices WHERE id = ? AND active = 0")
        .bind(device_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// The pairing code was typed: the binding and its device become active together. `false` when
/// the binding was no longer claimed.
pub(crate) async fn activate(
    db: &SqlitePool,
    id: &str,
    device_id: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    let won = sqlx::query("UPDATE bindings SET state = ? WHERE id = ? AND state = ?")
        .bind(BindingState::Active)
        .bind(id)
        .bind(BindingState::Claimed)
        .execute(&mut *tx)
        .await?
        .rows_affected()
        == 1;
    let device_activated = won
        && sqlx::query("UPDATE devices SET active = 1 WHERE id = ?")
            .bind(device_id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
    if !device_activated {
        // Dropped uncommitted: rolled back, the binding still claimed.
        return Ok(false);
    }
    tx.commit().await?;
    Ok(true)
}
