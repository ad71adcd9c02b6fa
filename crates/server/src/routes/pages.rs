//! The server's own pages: small, server-rendered, one script. They speak only the API.

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{Html, IntoResponse, Redirect, Response};
use sesame_protocol::wire::ErrorCode;

use crate::auth::signed_in_any;
use crate::error::ApiError;
use crate::state::{AppState, Shared};
use crate::store::users;

use super::devices;

const SCRIPT: &str = include_str!("../../static/app.js");
const STYLE: &str = include_str!("../../static/style.css");

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"/static/style.css\"></head>\
         <body><main>{body}</main><script src=\"/static/app.js\"></script></body></html>"
    ))
}

/// HTML-escapes text shown in a page.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The sign-in page: password + code, or Sesame.
pub async fn login_page() -> Html<String> {
    page(
        "Sign in",
        r#"<h1>Sign in</h1>
<form id="sign-in">
  <label for="username">User name</label><input id="username" autocomplete="username" required>
  <label for="password">Password</label><input id="password" type="password" autocomplete="current-password" required>
  <label for="code">Code from your authenticator</label><input id="code" inputmode="numeric" autocomplete="one-time-code" required>
  <button type="submit">Sign in</button>
</form>
<p class="error" id="error" role="alert"></p>
<a class="button secondary" id="with-sesame" href="/login/sesame">Sign in with Sesame</a>"#,
    )
}

/// "Sign in with Sesame": the QR code, renewed when it expires; the number after the scan.
pub async fn sesame_page() -> Html<String> {
    page(
        "Sign in with Sesame",
        r##"<h1 id="sesame-login">Sign in with Sesame</h1>
<div class="qr" id="qr" aria-label="QR code for Sesame"></div>
<div id="number-box" hidden><p>Your number</p><p class="number" id="number"></p></div>
<p class="status" id="status" aria-live="polite">Preparing a code…</p>
<div class="row"><a class="button" id="open-in-sesame" href="#">Open in Sesame</a>
<a class="button secondary" href="/login">Use password instead</a></div>"##,
    )
}

/// The account page (signed in), or the way to sign in.
pub async fn home(State(app): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let inner: &Shared = &app;
    // Not signed in: the sign-in page. A database that fails is a 500, not "signed out".
    let session = match signed_in_any(inner, &headers).await {
        Ok(session) => session,
        Err(error) if error.code() == Some(ErrorCode::ReauthRequired) => {
            return Ok(Redirect::to("/login").into_response());
        }
        Err(error) => return Err(error),
    };
    let (username, enrolled) = users::name_and_second_factor(&inner.db, session.user_id).await?;
    if !enrolled {
        return Ok(page(
            "Set up your authenticator",
            &format!(
                r#"<h1 id="enrol">Welcome, {}</h1>
<p>This account needs a second factor. Add it to your authenticator app (Sesame: Add → Scan),
then type the code it shows.</p>
<button id="totp-begin" type="button">Show the code</button>
<div class="qr" id="totp-qr"></div>
<form id="totp-confirm" hidden><label for="totp-code">Code from your authenticator</label>
<input id="totp-code" inputmode="numeric" autocomplete="one-time-code" required><button type="submit">Confirm</button></form>
<p class="error" id="error" role="alert"></p>
<button id="sign-out" type="button" class="secondary">Sign out</button>"#,
                escape(&username)
            ),
        )
        .into_response());
    }
    Ok(page(
        "Your account",
        &format!(
            r#"<h1 id="signed-in">Signed in as {}</h1>
<p>Approve sign-ins from this computer with Sesame: add it once, then use “Sign in with Sesame”.</p>
<button id="bind" type="button">Add Sesame</button>
<div class="qr" id="bind-qr"></div>
<p class="status" id="bind-status" aria-live="polite"></p>
<form id="pairing" hidden><label for="pairing-code">Pairing code</label>
<input id="pairing-code" inputmode="numeric" autocomplete="off" required><button type="submit">Confirm</button></form>
<p class="error" id="error" role="alert"></p>
{}
<button id="sign-out" type="button" class="secondary">Sign out</button>"#,
            escape(&username),
            devices::account_lists(inner, session.user_id, escape).await?
        ),
    )
    .into_response())
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut response = body.into_response();
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

pub async fn script() -> Response {
    asset("text/javascript; charset=utf-8", SCRIPT)
}

pub async fn style() -> Response {
    asset("text/css; charset=utf-8", STYLE)
}
