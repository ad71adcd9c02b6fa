//! Sesame's reference QR-login server (`../shared/design/qr-login.md`): axum handlers over a
//! SQLite database, sharing only `sesame-protocol` with the companion.

mod auth;
pub mod client_address;
pub mod clock;
pub mod database;
pub mod error;
pub mod guards;
mod instances;
pub mod keys;
pub mod limits;
mod live;
pub mod routes;
pub mod state;
mod store;
pub mod tokens;
mod web;

use axum::routing::{get, post};
use axum::{Router, middleware};

pub use state::{AddressPolicy, AppState};

/// The server's routes.
pub fn app(state: AppState) -> Router {
    // What the server's own pages send: each must carry the server's Origin.
    let browser = Router::new()
        .route("/api/login", post(routes::accounts::login))
        .route("/api/logout", post(routes::accounts::logout))
        .route("/api/totp/begin", post(routes::accounts::begin_totp))
        .route("/api/totp/confirm", post(routes::accounts::confirm_totp))
        .route("/api/bindings", post(routes::bindings::offer))
        .route(
            "/api/bindings/{id}/approve",
            post(routes::bindings::approve),
        )
        .route("/api/devices/{id}/revoke", post(routes::devices::revoke))
        .route("/api/qr/sessions", post(routes::qr::create))
        .route("/api/qr/sessions/{sid}/redeem", post(routes::qr::redeem))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            guards::same_origin,
        ));
    Router::new()
        .route("/", get(routes::pages::home))
        .route("/login", get(routes::pages::login_page))
        .route("/login/sesame", get(routes::pages::sesame_page))
        .route("/static/app.js", get(routes::pages::script))
        .route("/static/style.css", get(routes::pages::style))
        .route("/healthz", get(routes::health::healthz))
        .route("/readyz", get(routes::health::readyz))
        .route("/api/bindings/{id}", get(routes::bindings::view))
        // Sesame's own requests, authenticated by the device's signature or the enrolment
        // secret, not by cookies: no Origin.
        .route(
            "/api/bindings/{id}/preview",
            post(routes::bindings::preview),
        )
        .route("/api/bindings/{id}/claim", post(routes::bindings::claim))
        .route("/api/bindings/{id}/state", post(routes::bindings::progress))
        .route("/api/qr/sessions/{sid}/status", get(routes::qr::status))
        .route("/api/qr/sessions/{sid}/scan", post(routes::qr::scan))
        .route("/api/qr/sessions/{sid}/confirm", post(routes::qr::confirm))
        .merge(browser)
        .layer(middleware::map_response(guards::security_headers))
        .with_state(state)
}
