//! Who a browser request is: the signed-in session its cookie names, within its lifetimes.

use axum::http::HeaderMap;
use sesame_protocol::wire::ErrorCode;

use crate::error::ApiError;
use crate::state::Shared;
use crate::store::login_sessions;
use crate::tokens::digest;
use crate::web::{SESSION_COOKIE, cookie};

/// A browser's signed-in session.
pub(crate) struct SignedIn {
    pub user_id: i64,
    /// When it last passed password + TOTP (0 if it never passed TOTP).
    pub reauth_at: i64,
    /// Whether it passed a second factor (TOTP, or Sesame); false while it may only enrol one.
    pub second_factor: bool,
    pub token_hash: Vec<u8>,
}

/// The signed-in user of the request (any session, even one still to enrol TOTP). A session
/// past its idle or absolute lifetime is deleted and answered like none.
pub(crate) async fn signed_in_any(
    inner: &Shared,
    headers: &HeaderMap,
) -> Result<SignedIn, ApiError> {
    let Some(token) = cookie(headers, SESSION_COOKIE) else {
        return Err(ApiError::new(ErrorCode::ReauthRequired));
    };
    let token_hash = digest(&token);
    let session = login_sessions::find(&inner.db, &token_hash)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::ReauthRequired))?;
    let now = inner.now() as i64;
    if session.ended(now) {
        login_sessions::delete(&inner.db, &token_hash).await?;
        return Err(ApiError::new(ErrorCode::ReauthRequired));
    }
    login_sessions::touch(&inner.db, &token_hash, now).await?;
    Ok(SignedIn {
        user_id: session.user_id,
        reauth_at: if session.second_factor == 1 {
            session.reauth_at
        } else {
            0
        },
        second_factor: session.second_factor == 1,
        token_hash,
    })
}

/// The signed-in user of a session that passed a second factor, however long ago: enough to
/// look after the account's devices (revoking one only ever protects the account).
pub(crate) async fn signed_in_fully(
    inner: &Shared,
    headers: &HeaderMap,
) -> Result<SignedIn, ApiError> {
    let session = signed_in_any(inner, headers).await?;
    if !session.second_factor {
        return Err(ApiError::new(ErrorCode::ReauthRequired));
    }
    Ok(session)
}

/// The signed-in user of a session that passed password + TOTP, and when it last did.
pub(crate) async fn signed_in(inner: &Shared, headers: &HeaderMap) -> Result<SignedIn, ApiError> {
    let session = signed_in_any(inner, headers).await?;
    if session.reauth_at == 0 {
        return Err(ApiError::new(ErrorCode::ReauthRequired));
    }
    Ok(session)
}
