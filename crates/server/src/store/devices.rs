//! Bound devices: the public key each signs with, and whose they are.

use sqlx::AnyPool;

#[derive(sqlx::FromRow)]
pub(crate) struct Device {
    pub user_id: i64,
    pub public_key: Vec<u8>,
    pub revoked: i64,
}

/// The device `id` if it is active (its pairing code was typed).
pub(crate) async fn find_active(db: &AnyPool, id: &str) -> Result<Option<Device>, sqlx::Error> {
    sqlx::query_as("SELECT user_id, public_key, revoked FROM devices WHERE id = $1 AND active = 1")
        .bind(id)
        .fetch_optional(db)
        .await
}

/// The name the device gave itself when it claimed its binding.
pub(crate) async fn name(db: &AnyPool, id: &str) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> = sqlx::query_as("SELECT name FROM devices WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|(name,)| name))
}

/// Records that the device signed a request from `address` at `now`.
pub(crate) async fn used(
    db: &AnyPool,
    id: &str,
    now: i64,
    address: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE devices SET last_used_at = $1, last_address = $2 WHERE id = $3")
        .bind(now)
        .bind(address)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// A device as its owner's account page lists it.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct OwnedDevice {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub last_address: Option<String>,
    pub revoked: i64,
}

/// The account's bound devices (paired), newest first.
pub(crate) async fn of_user(db: &AnyPool, user_id: i64) -> Result<Vec<OwnedDevice>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name, created_at, last_used_at, last_address, revoked FROM devices
         WHERE user_id = $1 AND active = 1 ORDER BY created_at DESC, id",
    )
    .bind(user_id)
    .fetch_all(db)
    .await
}

/// Revokes the account's device `id`: its next request is refused. `false` when the account has
/// no such device.
pub(crate) async fn revoke(db: &AnyPool, user_id: i64, id: &str) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("UPDATE devices SET revoked = 1 WHERE id = $1 AND user_id = $2 AND active = 1")
            .bind(id)
            .bind(user_id)
            .execute(db)
            .await?
            .rows_affected()
            == 1;
    Ok(done)
}
