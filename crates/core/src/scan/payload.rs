//! What a QR code holds, as far as Sesame is concerned.

use sesame_protocol::qr::{BindQr, LoginQr};

use crate::otpauth::{migration, uri};

/// Longest text Sesame takes from a QR code. An otpauth URI with a 512-bit secret and long
/// labels stays under 1 KiB; a Google migration export of ten accounts is ~1.5 KiB.
pub const MAX_TEXT_BYTES: usize = 4096;

/// A code's content, classified. Account and export URIs hold secrets: wiped when dropped, and
/// `Debug` shows only the kind.
#[derive(Clone, PartialEq, Eq, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub enum Payload {
    /// `otpauth://`: one account to add.
    Account(String),
    /// `otpauth-migration://`: Google Authenticator's export of several accounts.
    Migration(String),
    /// `sesame://login`: a QR login to approve.
    Login(String),
    /// `sesame://bind`: a server offering to bind this device.
    Bind(String),
    /// Any other text (a web address, say): shown, never added.
    Text(String),
    /// Bytes that are not text, or text too long to be anything Sesame reads; only its size
    /// is kept.
    Unusable { bytes: usize, reason: String },
}

impl std::fmt::Debug for Payload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Account(_) => f.write_str("Account(<secret>)"),
            Self::Migration(_) => f.write_str("Migration(<secret>)"),
            Self::Login(text) => f.debug_tuple("Login").field(text).finish(),
            Self::Bind(_) => f.write_str("Bind(<enrollment secret>)"),
            Self::Text(text) => f.debug_tuple("Text").field(text).finish(),
            Self::Unusable { bytes, reason } => f
                .debug_struct("Unusable")
                .field("bytes", bytes)
                .field("reason", reason)
                .finish(),
        }
    }
}

/// Sesame's own codes, which a face acts on (review a sign-in, bind) rather than adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignInCode {
    /// `sesame://login`: a sign-in to review.
    Login,
    /// `sesame://bind`: a server offering to bind this device.
    Bind,
}

impl Payload {
    /// The kind and text of a Sesame sign-in or binding code; `None` for anything else.
    pub fn sign_in(&self) -> Option<(SignInCode, &str)> {
        match self {
            Self::Login(text) => Some((SignInCode::Login, text)),
            Self::Bind(text) => Some((SignInCode::Bind, text)),
            _ => None,
        }
    }

    /// The site a Sesame sign-in or binding code names (as the code claims it: the approval
    /// checks the claim against the key pinned for that site); `None` for anything else, or a
    /// code whose site cannot be read.
    pub fn site(&self) -> Option<String> {
        match self {
            Self::Login(text) => LoginQr::parse(text).ok().map(|qr| qr.origin.to_string()),
            Self::Bind(text) => BindQr::parse(text).ok().map(|qr| qr.origin.to_string()),
            _ => None,
        }
    }

    /// Classifies a code's bytes.
    pub fn classify(bytes: &[u8]) -> Self {
        if bytes.len() > MAX_TEXT_BYTES {
            return Self::Unusable {
                bytes: bytes.len(),
                reason: format!(
                    "it holds {} bytes, more than any account or login code ({MAX_TEXT_BYTES})",
                    bytes.len()
                ),
            };
        }
        let Ok(text) = std::str::from_utf8(bytes) else {
            return Self::Unusable {
                bytes: bytes.len(),
                reason: "it holds binary data, not text".into(),
            };
        };
        let scheme = text
            .split_once(':')
            .map(|(scheme, _)| scheme.to_ascii_lowercase());
        let lower = text.get(..16).unwrap_or(text).to_ascii_lowercase();
        match scheme.as_deref() {
            Some("otpauth") => Self::Account(text.to_owned()),
            Some("otpauth-migration") => Self::Migration(text.to_owned()),
            Some("sesame") if lower.starts_with("sesame://login") => Self::Login(text.to_owned()),
            Some("sesame") if lower.starts_with("sesame://bind") => Self::Bind(text.to_owned()),
            _ => Self::Text(text.to_owned()),
        }
    }

    /// One line saying what the code holds, with no secret in it.
    pub fn describe(&self) -> String {
        match self {
            // "Notion — alice@example.com (6 digits, every 30 s)": who, then how, as people say it.
            Self::Account(text) => match uri::parse(text) {
                Ok(parsed) => {
                    let account = &parsed.account;
                    let who = [account.issuer.as_str(), account.name.as_str()]
                        .into_iter()
                        .filter(|part| !part.is_empty())
                        .collect::<Vec<_>>()
                        .join(" — ");
                    format!("{who} ({})", account.params.short_summary())
                }
                Err(error) => format!("an otpauth:// URI that cannot be added: {error}"),
            },
            Self::Migration(text) => match migration::parse(text) {
                Ok(batch) => format!(
                    "a Google Authenticator export of {} accounts",
                    batch.accounts.len() + batch.skipped.len()
                ),
                Err(error) => format!("a Google Authenticator export that cannot be read: {error}"),
            },
            Self::Login(_) => match self.site() {
                Some(site) => format!("a Sesame sign-in to {site}"),
                None => "a Sesame sign-in code whose site cannot be read".into(),
            },
            Self::Bind(_) => match self.site() {
                Some(site) => format!("an offer to bind Sesame to {site}"),
                None => "a Sesame binding code whose site cannot be read".into(),
            },
            Self::Text(text) => format!("text: {}", preview(text)),
            Self::Unusable { reason, .. } => format!("unusable: {reason}"),
        }
    }

    /// Why this is not an account, in words for the user; `None` when it is one (or several).
    pub fn not_an_account(&self) -> Option<String> {
        match self {
            Self::Account(_) | Self::Migration(_) => None,
            Self::Login(_) => Some(
                "this is a Sesame sign-in code, not an account: approve it with `sesame approve`"
                    .into(),
            ),
            Self::Bind(_) => Some(
                "this is a Sesame device-binding code, not an account: use `sesame bind`".into(),
            ),
            Self::Text(text) => Some(format!(
                "this code holds text, not an otpauth:// account: {}",
                preview(text)
            )),
            Self::Unusable { reason, .. } => {
                Some(format!("this code cannot be an account: {reason}"))
            }
        }
    }
}

/// The text as it may be shown: one line, at most 80 characters, control characters escaped
/// (a code's text is anyone's, and must not drive the terminal).
pub fn preview(text: &str) -> String {
    let mut shown: String = text.chars().take(80).flat_map(char::escape_debug).collect();
    if text.chars().count() > 80 {
        shown.push('…');
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_scheme_is_recognised() {
        let kind = |text: &str| Payload::classify(text.as_bytes());
        assert!(matches!(
            kind("otpauth://totp/A:b?secret=JBSWY3DP"),
            Payload::Account(_)
        ));
        assert!(matches!(
            kind("OTPAUTH://totp/A:b?secret=JBSWY3DP"),
            Payload::Account(_)
        ));
        assert!(matches!(
            kind("otpauth-migration://offline?data=AA"),
            Payload::Migration(_)
        ));
        assert!(matches!(kind("sesame://login?v=1&o=x"), Payload::Login(_)));
        assert!(matches!(kind("sesame://bind?v=1&o=x"), Payload::Bind(_)));
        assert!(matches!(kind("https://example.com"), Payload::Text(_)));
        assert!(matches!(kind("sesame://other"), Payload::Text(_)));
    }

    #[test]
    fn binary_and_oversized_contents_are_unusable_and_say_why() {
        let binary = Payload::classify(&[0xff, 0xfe, 0x00, 0x81]);
        assert!(
            matches!(&binary, Payload::Unusable { bytes: 4, reason } if reason.contains("binary"))
        );
        let long = Payload::classify("a".repeat(MAX_TEXT_BYTES + 1).as_bytes());
        assert!(matches!(&long, Payload::Unusable { reason, .. } if reason.contains("more than")));
        assert!(long.not_an_account().is_some());
    }

    #[test]
    fn an_account_reads_as_people_say_it() {
        let describe = |text: &str| Payload::classify(text.as_bytes()).describe();
        assert_eq!(
            describe("otpauth://totp/Notion:alice@example.com?secret=JBSWY3DP&issuer=Notion"),
            "Notion — alice@example.com (6 digits, every 30 s)"
        );
        assert_eq!(
            describe("otpauth://totp/bob?secret=JBSWY3DP&digits=8&algorithm=SHA256&period=60"),
            "bob (8 digits, every 60 s, SHA256)"
        );
        assert_eq!(
            describe("otpauth://hotp/Bank:ada?secret=JBSWY3DP&counter=3"),
            "Bank — ada (6 digits, counter-based)"
        );
    }

    #[test]
    fn a_sesame_code_names_its_site() {
        let offer = BindQr {
            origin: sesame_protocol::origin::Origin::parse("https://login.example.com")
                .expect("origin"),
            // 16 bytes each, base64url without padding.
            binding_id: "AAAAAAAAAAAAAAAAAAAAAA".into(),
            enroll_secret: "AQEBAQEBAQEBAQEBAQEBAQ".into(),
            expires: 1_999_999_999,
        };
        let uri = offer.to_uri();
        let payload = Payload::classify(uri.as_bytes());
        assert_eq!(payload.site().as_deref(), Some("https://login.example.com"));
        assert_eq!(
            payload.describe(),
            "an offer to bind Sesame to https://login.example.com"
        );
        let unreadable = Payload::classify(b"sesame://login?v=1&o=nonsense");
        assert_eq!(unreadable.site(), None);
        assert_eq!(
            unreadable.describe(),
            "a Sesame sign-in code whose site cannot be read"
        );
    }

    #[test]
    fn previews_escape_control_characters_and_truncate() {
        assert_eq!(preview("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        let long = preview(&"x".repeat(100));
        assert_eq!(long.chars().count(), 81);
    }
}
