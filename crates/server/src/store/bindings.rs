//! Device bindings and the devices they make: every change that touches both tables is one
//! transaction, so a binding is never claimed without its device, nor a device active without
//! its binding.

use sqlx::AnyPool;

/// A binding's state as stored; a value that is not one of these is an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BindingState {
    /// Offered to the signed-in user, waiting for a device to claim it.
    Pending,
    /// Claimed by a device, waiting for the pairing code.
    Claimed,
    Active,
    Cancelled,
}

impl BindingState {
    const ALL: [Self; 4] = [Self::Pending, Self::Claimed, Self::Active, Self::Cancelled];

    /// Its name in the database and on the binding's page.
    pub fn name(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Claimed => "claimed",
            Self::Active => "active",
            Self::Cancelled => "cancelled",
        }
    }
}

impl TryFrom<String> for BindingState {
    type Error = super::UnknownState;

    fn try_from(stored: String) -> Result<Self, Self::Error> {
        Self::ALL
            .into_iter()
            .find(|state| state.name() == stored)
            .ok_or(super::UnknownState(stored))
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct Binding {
    pub user_id: i64,
    pub secret_hash: Vec<u8>,
    #[sqlx(try_from = "String")]
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

pub(crate) async fn find(db: &AnyPool, id: &str) -> Result<Option<Binding>, sqlx::Error> {
    sqlx::query_as(
        "SELECT user_id, secret_hash, state, expires_at, device_id, claim_address, pairing_code FROM bindings WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Bindings offered to `user_id` since `since`.
pub(crate) async fn offered_since(
    db: &AnyPool,
    user_id: i64,
    since: i64,
) -> Result<i64, sqlx::Error> {
    let (count,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM bindings WHERE user_id = $1 AND created_at > $2")
            .bind(user_id)
            .bind(since)
            .fetch_one(db)
            .await?;
    Ok(count)
}

/// Offers a binding to `user_id`. One live binding per account: the new offer voids the last
/// and the device it had claimed, in the same transaction.
pub(crate) async fn offer(
    db: &AnyPool,
    id: &str,
    user_id: i64,
    secret_hash: &[u8],
    now: i64,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE bindings SET state = $1 WHERE user_id = $2 AND state IN ($3, $4)")
        .bind(BindingState::Cancelled.name())
        .bind(user_id)
        .bind(BindingState::Pending.name())
        .bind(BindingState::Claimed.name())
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM devices WHERE user_id = $1 AND active = 0")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO bindings (id, user_id, secret_hash, state, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(user_id)
    .bind(secret_hash)
    .bind(BindingState::Pending.name())
    .bind(now)
    .bind(expires_at)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// Claims a pending binding for a new, inactive device: both rows or neither. `false` when
/// another claim won.
pub(crate) async fn claim(
    db: &AnyPool,
    id: &str,
    user_id: i64,
    device: &NewDevice<'_>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    let won = sqlx::query(
        "UPDATE bindings SET state = $1, device_id = $2, claim_address = $3, pairing_code = $4 WHERE id = $5 AND state = $6",
    )
    .bind(BindingState::Claimed.name())
    .bind(device.id)
    .bind(device.claim_address)
    .bind(device.pairing_code)
    .bind(id)
    .bind(BindingState::Pending.name())
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !won {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO devices (id, user_id, public_key, name, created_at, active) VALUES ($1, $2, $3, $4, $5, 0)",
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
    db: &AnyPool,
    id: &str,
) -> Result<Option<i64>, sqlx::Error> {
    let counted: Option<(i64,)> = sqlx::query_as(
        "UPDATE bindings SET pairing_attempts = pairing_attempts + 1 WHERE id = $1 AND state = $2 RETURNING pairing_attempts",
    )
    .bind(id)
    .bind(BindingState::Claimed.name())
    .fetch_optional(db)
    .await?;
    Ok(counted.map(|(attempt,)| attempt))
}

/// Cancels a claimed binding and deletes the device it would have made active, together.
pub(crate) async fn cancel(
    db: &AnyPool,
    id: &str,
    device_id: Option<&str>,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE bindings SET state = $1 WHERE id = $2 AND state = $3")
        .bind(BindingState::Cancelled.name())
        .bind(id)
        .bind(BindingState::Claimed.name())
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM devices WHERE id = $1 AND active = 0")
        .bind(device_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// The pairing code was typed: the binding and its device become active together. `false` when
/// the binding was no longer claimed.
pub(crate) async fn activate(
    db: &AnyPool,
    id: &str,
    device_id: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    let won = sqlx::query("UPDATE bindings SET state = $1 WHERE id = $2 AND state = $3")
        .bind(BindingState::Active.name())
        .bind(id)
        .bind(BindingState::Claimed.name())
        .execute(&mut *tx)
        .await?
        .rows_affected()
        == 1;
    let device_activated = won
        && sqlx::query("UPDATE devices SET active = 1 WHERE id = $1")
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
