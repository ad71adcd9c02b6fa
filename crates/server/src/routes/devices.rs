//! The account's devices and recent sign-ins: what the account page lists, and revoking a
//! device (its next request is refused, and Sesame says why).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use serde::Serialize;
use sesame_protocol::user_agent;
use sesame_protocol::wire::ErrorCode;
use time::OffsetDateTime;
use time::macros::format_description;

use crate::auth::signed_in_fully;
use crate::error::ApiError;
use crate::state::{AppState, Shared};
use crate::store::devices::{self, OwnedDevice};
use crate::store::sign_ins::{self, Method, SignIn};

/// `POST /api/devices/{id}/revoke`'s answer.
#[derive(Debug, Serialize)]
pub struct Revoked {
    pub revoked: bool,
}

/// Revokes one of the signed-in account's devices.
pub async fn revoke(
    State(app): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Revoked>, ApiError> {
    let inner: &Shared = &app;
    let session = signed_in_fully(inner, &headers).await?;
    if !devices::revoke(&inner.db, session.user_id, &id).await? {
        return Err(ApiError::new(ErrorCode::InvalidDevice));
    }
    tracing::info!(user = session.user_id, "device revoked by its owner");
    Ok(Json(Revoked { revoked: true }))
}

/// Unix seconds as the page shows them, in UTC: "2026-12-02 11:52 UTC".
fn when(seconds: i64) -> String {
    let format = format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    OffsetDateTime::from_unix_timestamp(seconds)
        .ok()
        .and_then(|moment| moment.format(&format).ok())
        .unwrap_or_else(|| "an unknown time".to_owned())
}

/// The account page's two lists, as HTML (every stored text escaped by `escape`).
pub(crate) async fn account_lists(
    inner: &Shared,
    user_id: i64,
    escape: fn(&str) -> String,
) -> Result<String, ApiError> {
    let owned = devices::of_user(&inner.db, user_id).await?;
    let recent = sign_ins::recent(&inner.db, user_id).await?;
    Ok(format!(
        "{}{}",
        devices_table(&owned, escape),
        sign_ins_table(&recent, escape)
    ))
}

fn devices_table(owned: &[OwnedDevice], escape: fn(&str) -> String) -> String {
    if owned.is_empty() {
        return r#"<h2 id="devices-heading">Your devices</h2>
<p id="devices-none">No device approves sign-ins for this account.</p>"#
            .to_owned();
    }
    let rows: String = owned
        .iter()
        .map(|device| {
            let name = escape(&device.name);
            let last = match (&device.last_used_at, &device.last_address) {
                (Some(at), Some(address)) => format!("{} from {}", when(*at), escape(address)),
                (Some(at), None) => when(*at),
                _ => "never".to_owned(),
            };
            let action = if device.revoked != 0 {
                "Revoked".to_owned()
            } else {
                format!(
                    r#"<button type="button" class="revoke" data-device="{}" aria-label="Revoke {name}">Revoke</button>"#,
                    escape(&device.id)
                )
            };
            format!(
                "<tr><th scope=\"row\">{name}</th><td>{}</td><td>{last}</td><td>{action}</td></tr>\n",
                when(device.created_at)
            )
        })
        .collect();
    format!(
        r#"<h2 id="devices-heading">Your devices</h2>
<table id="devices" aria-labelledby="devices-heading">
<thead><tr><th scope="col">Device</th><th scope="col">Bound</th><th scope="col">Last used</th><th scope="col"></th></tr></thead>
<tbody>
{rows}</tbody></table>"#
    )
}

fn sign_ins_table(recent: &[SignIn], escape: fn(&str) -> String) -> String {
    let rows: String = recent
        .iter()
        .map(|sign_in| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td title=\"{}\">{}</td></tr>\n",
                when(sign_in.at),
                Method::words(&sign_in.method),
                escape(&sign_in.address),
                escape(&sign_in.user_agent),
                escape(&user_agent::describe(&sign_in.user_agent)),
            )
        })
        .collect();
    format!(
        r#"<h2 id="sign-ins-heading">Recent sign-ins</h2>
<p>If one of these was not you, change your password and revoke the devices you do not know.</p>
<table id="sign-ins" aria-labelledby="sign-ins-heading">
<thead><tr><th scope="col">When</th><th scope="col">How</th><th scope="col">From</th><th scope="col">Browser</th></tr></thead>
<tbody>
{rows}</tbody></table>"#
    )
}
