//! What every route does with HTTP the same way: JSON bodies, cookies, QR images for pages.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::http::header::{COOKIE, USER_AGENT};
use axum::http::{HeaderMap, HeaderValue};
use sesame_protocol::wire::ErrorCode;

use crate::error::ApiError;

/// The cookie that ties a login session to the browser that opened it.
pub const BIND_COOKIE: &str = "__Host-sesame-bind";
/// The signed-in browser's cookie.
pub const SESSION_COOKIE: &str = "__Host-sesame-session";

/// A JSON body, or the protocol's `invalid_request` (never axum's plain-text rejection).
pub(crate) fn json<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    body.map(|Json(value)| value)
        .map_err(|_| ApiError::new(ErrorCode::InvalidRequest))
}

/// The value of the request's cookie `name`.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

/// A `Set-Cookie` value for a `__Host-` cookie only this site's scripts-free requests carry.
pub(crate) fn set_cookie(name: &str, value: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!(
        "{name}={value}; HttpOnly; Secure; SameSite=Strict; Path=/"
    ))
    .ok()
}

/// The browser's `User-Agent`, cut to 300 characters.
pub(crate) fn user_agent(headers: &HeaderMap) -> String {
    headers
        .get(USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .take(300)
        .collect()
}

/// The SVG of a QR code holding `text`, for the pages.
pub(crate) fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(240, 240)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}
