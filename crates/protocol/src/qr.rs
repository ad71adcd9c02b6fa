//! The QR payloads: `sesame://login` (signed by the server) and `sesame://bind`.
//!
//! Signed fields are the parameters' values as text (after percent-decoding), in the order the
//! protocol lists them: the login QR's signature is over (`sesame/qr/v1`, o, s, c, e).

use std::collections::HashMap;

use ed25519_dalek::{Signature, SigningKey, VerifyingKey};

use crate::message::{self, Context, b64, key_id, unb64};
use crate::origin::{Origin, OriginError};

/// Why a QR payload is not a usable Sesame code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QrError {
    /// Not a `sesame://login` or `sesame://bind` URI.
    #[error("this is not a Sesame {0} code")]
    NotSesame(&'static str),
    /// A protocol version this build does not speak.
    #[error("this code uses protocol version {0}, which this Sesame does not know; update Sesame")]
    UnsupportedVersion(String),
    /// A required parameter is absent, repeated or malformed.
    #[error("the code's {0} is missing or malformed")]
    Field(&'static str),
    /// The origin is not acceptable.
    #[error(transparent)]
    Origin(#[from] OriginError),
}

/// Why Sesame refuses a login code before any network call, in the protocol's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// `origin_not_bound`.
    #[error(
        "this QR code is for {0}, a site Sesame is not bound to: it was not issued by a server you trust"
    )]
    OriginNotBound(String),
    /// `bad_qr_signature`.
    #[error(
        "this QR code's signature does not match the key {0} gave Sesame when you bound it: it was not issued by a server you trust"
    )]
    BadQrSignature(String),
    /// `expired`.
    #[error("this QR code has expired: reload the sign-in page for a new one")]
    Expired,
}

impl Refusal {
    /// The protocol's code for the refusal.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::OriginNotBound(_) => "origin_not_bound",
            Refusal::BadQrSignature(_) => "bad_qr_signature",
            Refusal::Expired => "expired",
        }
    }
}

/// A login session's QR code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginQr {
    pub origin: Origin,
    /// Session id, base64url text.
    pub session: String,
    /// Challenge, base64url text.
    pub challenge: String,
    /// Unix seconds after which the code is void.
    pub expires: u64,
    /// The signing key's id.
    pub kid: String,
    signature: Signature,
}

fn signed_fields<'a>(
    origin: &'a str,
    session: &'a str,
    challenge: &'a str,
    expires: &'a str,
) -> [&'a [u8]; 4] {
    [
        origin.as_bytes(),
        session.as_bytes(),
        challenge.as_bytes(),
        expires.as_bytes(),
    ]
}

fn query(uri: &str, host: &'static str) -> Result<HashMap<String, String>, QrError> {
    let url = url::Url::parse(uri).map_err(|_| QrError::NotSesame(host))?;
    if url.scheme() != "sesame" || url.host_str() != Some(host) {
        return Err(QrError::NotSesame(host));
    }
    let mut fields = HashMap::new();
    for (key, value) in url.query_pairs() {
        if fields
            .insert(key.into_owned(), value.into_owned())
            .is_some()
        {
            return Err(QrError::Field("parameters (one is repeated)"));
        }
    }
    match fields.get("v").map(String::as_str) {
        Some("1") => Ok(fields),
        Some(other) => Err(QrError::UnsupportedVersion(other.to_owned())),
        None => Err(QrError::Field("version")),
    }
}

fn base64_field(
    fields: &HashMap<String, String>,
    key: &str,
    name: &'static str,
    min_bytes: usize,
) -> Result<String, QrError> {
    let value = fields.get(key).ok_or(QrError::Field(name))?;
    match unb64(value) {
        Some(bytes) if bytes.len() >= min_bytes => Ok(value.clone()),
        _ => Err(QrError::Field(name)),
    }
}

fn time_field(fields: &HashMap<String, String>) -> Result<u64, QrError> {
    fields
        .get("e")
        .and_then(|e| e.parse().ok())
        .ok_or(QrError::Field("expiry time"))
}

impl LoginQr {
    /// Signs a new login code (the server's side).
    pub fn sign(
        origin: &Origin,
        session: &[u8],
        challenge: &[u8],
        expires: u64,
        key: &SigningKey,
    ) -> Result<Self, message::MessageError> {
        let (origin_text, session, challenge) = (origin.to_string(), b64(session), b64(challenge));
        let expires_text = expires.to_string();
        let signature = message::sign(
            key,
            Context::Qr,
            &signed_fields(&origin_text, &session, &challenge, &expires_text),
        )?;
        Ok(Self {
            origin: origin.clone(),
            session,
            challenge,
            expires,
            kid: key_id(&key.verifying_key()),
            signature,
        })
    }

    /// The `sesame://login?...` text to put in the QR code.
    pub fn to_uri(&self) -> String {
        let mut url = url::Url::parse("sesame://login").unwrap_or_else(|_| unreachable!());
        url.query_pairs_mut()
            .append_pair("v", "1")
            .append_pair("o", &self.origin.to_string())
            .append_pair("s", &self.session)
            .append_pair("c", &self.challenge)
            .append_pair("e", &self.expires.to_string())
            .append_pair("k", &self.kid)
            .append_pair("g", &b64(&self.signature.to_bytes()));
        url.to_string()
    }

    /// Reads a login code's fields (nothing is trusted yet: see [`LoginQr::verify`]).
    pub fn parse(uri: &str) -> Result<Self, QrError> {
        let fields = query(uri, "login")?;
        let origin = Origin::parse(fields.get("o").ok_or(QrError::Field("origin"))?)?;
        let signature = fields
            .get("g")
            .and_then(|g| unb64(g))
            .and_then(|bytes| <[u8; 64]>::try_from(bytes.as_slice()).ok())
            .map(|bytes| Signature::from_bytes(&bytes))
            .ok_or(QrError::Field("signature"))?;
        Ok(Self {
            origin,
            session: base64_field(&fields, "s", "session id", 16)?,
            challenge: base64_field(&fields, "c", "challenge", 16)?,
            expires: time_field(&fields)?,
            kid: fields.get("k").cloned().ok_or(QrError::Field("key id"))?,
            signature,
        })
    }

    /// Checks the code against the key pinned for its origin at binding, and its expiry. The
    /// caller has already found the origin bound (else [`Refusal::OriginNotBound`]).
    pub fn verify(&self, pinned: &VerifyingKey, now: u64) -> Result<(), Refusal> {
        let origin = self.origin.to_string();
        let expires = self.expires.to_string();
        let signed = signed_fields(&origin, &self.session, &self.challenge, &expires);
        if self.kid != key_id(pinned)
            || !message::verify(pinned, Context::Qr, &signed, &self.signature)
        {
            return Err(Refusal::BadQrSignature(origin));
        }
        if now > self.expires {
            return Err(Refusal::Expired);
        }
        Ok(())
    }
}

/// A binding offer's QR code. Holds the enrollment secret: `Debug` leaves it out.
#[derive(Clone, PartialEq, Eq)]
pub struct BindQr {
    pub origin: Origin,
    pub binding_id: String,
    pub enroll_secret: String,
    pub expires: u64,
}

impl std::fmt::Debug for BindQr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BindQr")
            .field("origin", &self.origin)
            .field("binding_id", &self.binding_id)
            .field("expires", &self.expires)
            .finish_non_exhaustive()
    }
}

impl BindQr {
    /// Reads a binding code.
    pub fn parse(uri: &str) -> Result<Self, QrError> {
        let fields = query(uri, "bind")?;
        Ok(Self {
            origin: Origin::parse(fields.get("o").ok_or(QrError::Field("origin"))?)?,
            binding_id: base64_field(&fields, "b", "binding id", 16)?,
            enroll_secret: base64_field(&fields, "k", "enrollment secret", 16)?,
            expires: time_field(&fields)?,
        })
    }

    /// The `sesame://bind?...` text.
    pub fn to_uri(&self) -> String {
        let mut url = url::Url::parse("sesame://bind").unwrap_or_else(|_| unreachable!());
        url.query_pairs_mut()
            .append_pair("v", "1")
            .append_pair("o", &self.origin.to_string())
            .append_pair("b", &self.binding_id)
            .append_pair("k", &self.enroll_secret)
            .append_pair("e", &self.expires.to_string());
        url.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server_key() -> SigningKey {
        SigningKey::from_bytes(&[42; 32])
    }

    fn login() -> LoginQr {
        let origin = Origin::parse("http://127.0.0.1:8080").expect("origin");
        LoginQr::sign(&origin, &[1; 16], &[2; 32], 1_000, &server_key()).expect("sign")
    }

    #[test]
    fn a_signed_login_code_survives_the_trip_through_its_uri() {
        let uri = login().to_uri();
        assert!(
            uri.starts_with("sesame://login?v=1&o=http%3A%2F%2F127.0.0.1%3A8080&s="),
            "{uri}"
        );
        let parsed = LoginQr::parse(&uri).expect("parse");
        assert_eq!(parsed, login());
        assert_eq!(parsed.verify(&server_key().verifying_key(), 999), Ok(()));
    }

    #[test]
    fn forged_tampered_and_expired_codes_are_refused_with_the_protocols_reasons() {
        let pinned = server_key().verifying_key();
        let uri = login().to_uri();
        // Another server's key (a forged code pointing at a bound origin).
        let forged = LoginQr::sign(
            &login().origin,
            &[1; 16],
            &[2; 32],
            1_000,
            &SigningKey::from_bytes(&[9; 32]),
        )
        .expect("sign")
        .to_uri();
        let refusal = LoginQr::parse(&forged)
            .expect("parse")
            .verify(&pinned, 0)
            .expect_err("forged");
        assert_eq!(refusal.code(), "bad_qr_signature");
        // A later expiry with the old signature.
        let stretched = uri.replace("e=1000", "e=9999");
        let refusal = LoginQr::parse(&stretched)
            .expect("parse")
            .verify(&pinned, 0)
            .expect_err("tampered");
        assert_eq!(refusal.code(), "bad_qr_signature");
        // Expired.
        let refusal = LoginQr::parse(&uri)
            .expect("parse")
            .verify(&pinned, 1_001)
            .expect_err("expired");
        assert_eq!(refusal, Refusal::Expired);
        assert!(refusal.to_string().contains("reload"));
    }

    #[test]
    fn malformed_codes_say_what_is_wrong() {
        let uri = login().to_uri();
        assert_eq!(
            LoginQr::parse("https://example.com"),
            Err(QrError::NotSesame("login"))
        );
        assert_eq!(
            LoginQr::parse(&uri.replace("v=1", "v=2")),
            Err(QrError::UnsupportedVersion("2".into()))
        );
        assert_eq!(
            LoginQr::parse(&format!("{uri}&v=1")),
            Err(QrError::Field("parameters (one is repeated)"))
        );
        let no_signature = uri.split("&g=").next().expect("prefix").to_owned();
        assert_eq!(
            LoginQr::parse(&no_signature),
            Err(QrError::Field("signature"))
        );
        assert!(matches!(
            LoginQr::parse(&uri.replace("http%3A%2F%2F127.0.0.1", "http%3A%2F%2Fevil.example")),
            Err(QrError::Origin(OriginError::InsecureHttp(_)))
        ));
    }

    #[test]
    fn binding_codes_round_trip_and_hide_their_secret_from_debug() {
        let bind = BindQr {
            origin: Origin::parse("https://login.example.com").expect("origin"),
            binding_id: b64(&[3; 16]),
            enroll_secret: b64(&[4; 32]),
            expires: 5_000,
        };
        let parsed = BindQr::parse(&bind.to_uri()).expect("parse");
        assert_eq!(parsed, bind);
        assert!(!format!("{parsed:?}").contains(&bind.enroll_secret));
        assert_eq!(
            BindQr::parse(&login().to_uri()),
            Err(QrError::NotSesame("bind"))
        );
    }
}
