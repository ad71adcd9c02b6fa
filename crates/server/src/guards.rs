//! What every answer and every browser request gets, whatever the route: security headers on
//! every response, and the same-origin rule on the browser's state-changing requests.

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, ORIGIN, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sesame_protocol::wire::ErrorCode;

use crate::error::ApiError;
use crate::state::AppState;

/// The pages load only their own script and style, show QR codes as inline SVG, and may not be
/// framed (a framed sign-in page invites clickjacking the "Sign in with Sesame" flow).
const CONTENT_SECURITY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; \
     frame-ancestors 'none'";

/// Adds the security headers to any response.
pub async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY),
    );
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

/// Lets a browser's state-changing request through only with an `Origin` that is the server's
/// own. Browsers send `Origin` on every cross-site and same-site POST; a request without one is
/// not from the server's pages, so it is refused too (Sesame's own requests, signed by the
/// device, go to other routes).
pub async fn same_origin(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let own = app.origin.to_string();
    let allowed = request
        .headers()
        .get(ORIGIN)
        .and_then(|origin| origin.to_str().ok())
        .is_some_and(|origin| origin == own);
    if !allowed {
        tracing::info!(path = %request.uri().path(), "cross-origin or origin-less browser request refused");
        return ApiError::new(ErrorCode::InvalidRequest).into_response();
    }
    next.run(request).await
}
