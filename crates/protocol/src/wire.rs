//! Request and response bodies, and the error table: every error the server returns, with its
//! HTTP status and code, in one place the companion reads too.

use serde::{Deserialize, Serialize};

use crate::address::{AddressFamily, AddressMatch};

/// Every error code of the protocol's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    InvalidRequest,
    UnsupportedVersion,
    SessionNotFound,
    InvalidDevice,
    /// The device's owner revoked it on the server's account page (told only to the device
    /// itself, once its signature verified).
    DeviceRevoked,
    InvalidSignature,
    StaleRequest,
    ChallengeMismatch,
    AddressMismatch,
    /// The browser reached the server over the other address family: scan again over
    /// `browser_family`.
    OtherAddressFamily,
    AlreadyScanned,
    InvalidState,
    Expired,
    AlreadyUsed,
    NumberMismatch,
    InvalidEnrollmentSecret,
    PairingCodeMismatch,
    AlreadyClaimed,
    SlowDown,
    RateLimited,
    InvalidCredentials,
    ReauthRequired,
    /// The server failed; nothing the client sent was wrong.
    Internal,
    /// The server cannot reach its database (or is shutting down): try again shortly, perhaps
    /// on another instance.
    Unavailable,
}

impl ErrorCode {
    /// The HTTP status the protocol gives this error.
    pub fn status(self) -> u16 {
        use ErrorCode::*;
        match self {
            InvalidRequest | UnsupportedVersion => 400,
            InvalidDevice
            | DeviceRevoked
            | InvalidSignature
            | StaleRequest
            | InvalidEnrollmentSecret
            | InvalidCredentials
            | ReauthRequired => 401,
            ChallengeMismatch | AddressMismatch => 403,
            SessionNotFound => 404,
            AlreadyScanned | InvalidState | AlreadyClaimed | OtherAddressFamily => 409,
            Expired | AlreadyUsed => 410,
            NumberMismatch | PairingCodeMismatch => 422,
            SlowDown | RateLimited => 429,
            Internal => 500,
            Unavailable => 503,
        }
    }

    /// What the companion tells its user when the server answers with this code.
    pub fn explanation(self) -> &'static str {
        use ErrorCode::*;
        match self {
            InvalidRequest | UnsupportedVersion => {
                "the server did not understand Sesame's request; update Sesame or the server"
            }
            SessionNotFound => {
                "this sign-in no longer exists on the server; reload the sign-in page"
            }
            InvalidDevice => {
                "the server no longer knows this device; bind Sesame again from your account page"
            }
            DeviceRevoked => {
                "this server revoked this device on its account page: unbind it (Settings → Unbind, or `sesame unbind`), and bind again if that was a mistake"
            }
            InvalidSignature => {
                "the server could not verify this device's signature; bind Sesame again"
            }
            StaleRequest => {
                "this computer's clock is more than a minute off the server's; correct the clock and try again"
            }
            ChallengeMismatch => {
                "the code does not belong to this sign-in; scan the code the page shows now"
            }
            AddressMismatch => {
                "the sign-in was started from another network address than this computer: someone may be relaying a real sign-in code to you. It has been refused"
            }
            OtherAddressFamily => {
                "the sign-in page reached the server over another kind of network address (IPv4 or IPv6) than this computer, and Sesame could not compare them"
            }
            AlreadyScanned => "another device has already scanned this code",
            InvalidState => "this sign-in is no longer waiting for approval",
            Expired => "this code has expired; reload the sign-in page for a new one",
            AlreadyUsed => "this sign-in has already been completed",
            NumberMismatch => "the number does not match the one the sign-in page shows",
            InvalidEnrollmentSecret => {
                "the binding code is not valid; start the binding again from your account page"
            }
            PairingCodeMismatch => "the pairing code was typed wrong on the page",
            AlreadyClaimed => "this binding code has already been used",
            SlowDown | RateLimited => "too many attempts; wait a little and try again",
            InvalidCredentials => "the user name, password or code is wrong",
            ReauthRequired => "sign in again with your password and code first",
            Internal => "the server failed; try again",
            Unavailable => "the server is unavailable for a moment; try again",
        }
    }
}

/// An error body: `{"error": code, "message": text, ...}` with the extras that apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempts_left: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<SessionState>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_time: Option<u64>,
    /// With `other_address_family`: the family the browser used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser_family: Option<AddressFamily>,
}

impl ErrorBody {
    /// The body of `code`, with the table's explanation as its message and no extras.
    pub fn new(code: ErrorCode) -> Self {
        Self {
            error: code,
            message: code.explanation().to_owned(),
            retry_after: None,
            attempts_left: None,
            state: None,
            server_time: None,
            browser_family: None,
        }
    }
}

/// A login session's states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionState {
    New,
    Scanned,
    Confirmed,
    Consumed,
    Rejected,
    Expired,
}

/// The device's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    Deny,
}

impl Decision {
    /// The text signed for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approve => "approve",
            Decision::Deny => "deny",
        }
    }
}

/// `POST /api/bindings/{b}/preview`: what a binding code offers, asked before the user consents.
/// Nothing changes on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreviewRequest {
    pub v: u32,
    pub enroll_secret: String,
}

/// The preview's answer: the account the binding is for, and until when it can be claimed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewResponse {
    pub account_display: String,
    pub expires_at: u64,
}

/// `POST /api/bindings/{b}/state`: how a binding stands, asked by the device that claimed it while
/// the user types the pairing code into the page, so that Sesame can say when the page took it.
/// Authenticated by the enrolment secret, as the preview is; nothing changes on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BindingStateRequest {
    pub v: u32,
    pub enroll_secret: String,
}

/// Where a binding is: offered, claimed (waiting for the pairing code), active, or ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BindingProgress {
    /// Offered, not claimed yet.
    Pending,
    /// Claimed by a device, waiting for its pairing code on the page.
    Claimed,
    /// The page took the pairing code: the device approves sign-ins now.
    Active,
    /// Three wrong pairing codes, or a newer binding took its place.
    Cancelled,
    /// Its time ran out before the page took the pairing code.
    Expired,
}

impl BindingProgress {
    /// Whether the binding can still change: it is offered or waiting for its pairing code.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Pending | Self::Claimed)
    }
}

/// The state's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BindingStateResponse {
    pub state: BindingProgress,
    pub expires_at: u64,
}

/// `POST /api/bindings/{b}/claim`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimRequest {
    pub v: u32,
    pub enroll_secret: String,
    pub device_pk: String,
    pub device_name: String,
    pub platform: String,
    pub pop_sig: String,
}

impl ClaimRequest {
    /// What the proof of possession covers, in order: (o, binding id, device_pk) as text.
    pub fn signed_fields(&self, origin: &str, binding_id: &str) -> [String; 3] {
        [
            origin.to_owned(),
            binding_id.to_owned(),
            self.device_pk.clone(),
        ]
    }
}

/// The claim's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimResponse {
    pub device_id: String,
    pub account_display: String,
    pub server_kid: String,
    pub server_pk: String,
    pub pairing_code: String,
}

/// `POST /api/qr/sessions/{sid}/scan`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanRequest {
    pub v: u32,
    pub device_id: String,
    pub chal: String,
    pub ts: u64,
    pub sig: String,
}

impl ScanRequest {
    /// What a scan's signature covers, in order: (o, sid, chal, device_id, ts) as text.
    pub fn signed_fields(&self, origin: &str, sid: &str) -> [String; 5] {
        [
            origin.to_owned(),
            sid.to_owned(),
            self.chal.clone(),
            self.device_id.clone(),
            self.ts.to_string(),
        ]
    }
}

/// The scan's answer: what Sesame shows before approving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanResponse {
    pub browser_address: String,
    pub address_match: AddressMatch,
    pub user_agent: String,
    pub created_at: u64,
    pub account_display: String,
}

/// `POST /api/qr/sessions/{sid}/confirm`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmRequest {
    pub v: u32,
    pub device_id: String,
    pub chal: String,
    pub decision: Decision,
    pub number: String,
    pub ts: u64,
    pub sig: String,
}

impl ConfirmRequest {
    /// What a confirm's signature covers, in order: (o, sid, chal, device_id, decision, number,
    /// ts) as text.
    pub fn signed_fields(&self, origin: &str, sid: &str) -> [String; 7] {
        [
            origin.to_owned(),
            sid.to_owned(),
            self.chal.clone(),
            self.device_id.clone(),
            self.decision.as_str().to_owned(),
            self.number.clone(),
            self.ts.to_string(),
        ]
    }
}

/// `POST /api/qr/sessions`'s answer, to the browser that opened the session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionCreated {
    pub sid: String,
    /// The `sesame://login` URI the QR code holds.
    pub qr_uri: String,
    /// The same code as an SVG image, for the page.
    pub qr_svg: String,
    pub expires_at: u64,
}

/// `POST /api/qr/sessions/{sid}/confirm`'s answer: the session's state after the decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmResponse {
    pub state: SessionState,
}

/// `POST /api/qr/sessions/{sid}/redeem`: the browser trades its ticket for a signed-in session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedeemRequest {
    pub ticket: String,
}

/// The redeem's answer (the session cookie comes with it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedeemResponse {
    pub state: SessionState,
}

/// `GET /api/qr/sessions/{sid}/status`'s answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusResponse {
    pub state: SessionState,
    pub version: u64,
    pub expires_at: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_the_error_table() {
        let table = [
            (ErrorCode::InvalidRequest, 400),
            (ErrorCode::UnsupportedVersion, 400),
            (ErrorCode::SessionNotFound, 404),
            (ErrorCode::InvalidDevice, 401),
            (ErrorCode::InvalidSignature, 401),
            (ErrorCode::StaleRequest, 401),
            (ErrorCode::ChallengeMismatch, 403),
            (ErrorCode::AddressMismatch, 403),
            (ErrorCode::AlreadyScanned, 409),
            (ErrorCode::InvalidState, 409),
            (ErrorCode::Expired, 410),
            (ErrorCode::AlreadyUsed, 410),
            (ErrorCode::NumberMismatch, 422),
            (ErrorCode::InvalidEnrollmentSecret, 401),
            (ErrorCode::PairingCodeMismatch, 422),
            (ErrorCode::AlreadyClaimed, 409),
            (ErrorCode::OtherAddressFamily, 409),
            (ErrorCode::SlowDown, 429),
            (ErrorCode::RateLimited, 429),
            (ErrorCode::DeviceRevoked, 401),
            (ErrorCode::Internal, 500),
            (ErrorCode::Unavailable, 503),
        ];
        for (code, status) in table {
            assert_eq!(code.status(), status, "{code:?}");
        }
    }

    #[test]
    fn bodies_use_the_protocols_names() {
        let body = ErrorBody {
            error: ErrorCode::NumberMismatch,
            message: "wrong number".into(),
            retry_after: None,
            attempts_left: Some(2),
            state: None,
            server_time: None,
            browser_family: None,
        };
        let json = serde_json::to_value(&body).expect("json");
        assert_eq!(
            json,
            serde_json::json!({"error": "number_mismatch", "message": "wrong number", "attempts_left": 2})
        );
        let refused = serde_json::from_str::<ScanRequest>(
            r#"{"v":1,"device_id":"d","chal":"c","ts":1,"sig":"s","extra":1}"#,
        );
        assert!(refused.is_err(), "unknown fields are invalid_request");
    }
}
