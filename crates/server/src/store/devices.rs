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
