//! Every failure a handler returns: one of the protocol's error codes (with its status and the
//! extras that apply), or an internal fault that is logged and answered without detail.

use axum::Json;
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sesame_protocol::address::AddressFamily;
use sesame_protocol::wire::{ErrorBody, ErrorCode, SessionState};

/// A handler's failure.
#[derive(Debug)]
pub enum ApiError {
    /// A protocol error, answered as the error table says.
    Protocol(Box<ErrorBody>),
    /// A fault of the server's own (the database, say): logged, answered 500.
    Internal(String),
}

impl ApiError {
    /// The protocol error `code` with the table's explanation as message.
    pub fn new(code: ErrorCode) -> Self {
        Self::Protocol(Box::new(ErrorBody::new(code)))
    }

    fn with(mut self, change: impl FnOnce(&mut ErrorBody)) -> Self {
        if let Self::Protocol(body) = &mut self {
            change(body);
        }
        self
    }

    pub fn server_time(self, now: u64) -> Self {
        self.with(|b| b.server_time = Some(now))
    }

    pub fn attempts_left(self, left: u32) -> Self {
        self.with(|b| b.attempts_left = Some(left))
    }

    pub fn retry_after(self, seconds: u64) -> Self {
        self.with(|b| b.retry_after = Some(seconds))
    }

    pub fn browser_family(self, family: AddressFamily) -> Self {
        self.with(|b| b.browser_family = Some(family))
    }

    pub fn state(self, state: SessionState) -> Self {
        self.with(|b| b.state = Some(state))
    }

    /// The protocol code, for tests and logs.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Protocol(body) => Some(body.error),
            Self::Internal(_) => None,
        }
    }
}

/// Whether a PostgreSQL error code (SQLSTATE) says the server went away rather than refused the
/// statement: class 08 (connection exception), a shutdown or restart cutting the session off
/// (57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now) or no connection slot
/// left (53300). Each is over when the database is back; none is the request's fault.
fn connection_lost(sqlstate: &str) -> bool {
    sqlstate.starts_with("08") || matches!(sqlstate, "57P01" | "57P02" | "57P03" | "53300")
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        match error {
            // The database cannot be reached (the pool reconnects by itself): the client should
            // try again, here or on another instance — not read it as a fault of its request.
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed => {
                tracing::warn!(%error, "the database is unreachable");
                Self::new(ErrorCode::Unavailable).retry_after(1)
            }
            sqlx::Error::Database(ref database)
                if database.code().is_some_and(|code| connection_lost(&code)) =>
            {
                tracing::warn!(%error, "the database went away");
                Self::new(ErrorCode::Unavailable).retry_after(1)
            }
            error => Self::Internal(format!("database: {error}")),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            Self::Protocol(body) => {
                let status =
                    StatusCode::from_u16(body.error.status()).unwrap_or(StatusCode::BAD_REQUEST);
                // RFC 9110 §10.2.3: clients and proxies read the wait from the header, not the
                // body; every 429 carries it.
                let retry_after = body.retry_after;
                let mut response = (status, Json(*body)).into_response();
                if let Some(seconds) = retry_after {
                    response
                        .headers_mut()
                        .insert(RETRY_AFTER, HeaderValue::from(seconds));
                }
                response
            }
            Self::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                let body = ErrorBody::new(ErrorCode::Internal);
                (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response()
            }
        }
    }
}
