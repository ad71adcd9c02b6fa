//! Accounts: what a user sees (issuer, name) and what Sesame needs besides the secret.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::otp::OtpParams;
use crate::secret::Secret;

/// A stable identifier for an account: 32 lowercase hex digits, also the keyring entry's user.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AccountId(String);

impl AccountId {
    /// A fresh random id.
    pub fn random() -> Self {
        Self(uuid::Uuid::new_v4().simple().to_string())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first 8 digits: enough to tell accounts apart when shown to people.
    pub fn short(&self) -> &str {
        self.0.get(..8).unwrap_or(&self.0)
    }

    /// Accepts an id read back from the index; `None` if it is not one Sesame would have made.
    pub fn parse(text: &str) -> Option<Self> {
        let well_formed = text.len() == 32
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        well_formed.then(|| Self(text.to_owned()))
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An account about to be added: everything a URI or a form gives, secret included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    /// The service (`GitHub`); may be empty when the source gave none.
    pub issuer: String,
    /// The account at that service (`alice@example.com`); may be empty when the issuer is not.
    pub name: String,
    /// How codes are computed.
    pub params: OtpParams,
    /// The shared key.
    pub secret: Secret,
}

impl NewAccount {
    /// `issuer:name` as people read it.
    pub fn label(&self) -> String {
        label(&self.issuer, &self.name)
    }
}

/// A stored account, without its secret (that lives in the keyring under [`Account::id`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// Identifier, also the keyring entry's user name.
    pub id: AccountId,
    /// The service.
    pub issuer: String,
    /// The account at that service.
    pub name: String,
    /// How codes are computed; for HOTP, `counter` is the next value to use.
    #[serde(flatten)]
    pub params: OtpParams,
    /// When the account was added (Unix seconds).
    pub created: u64,
}

impl Account {
    /// `issuer:name` as people read it.
    pub fn label(&self) -> String {
        label(&self.issuer, &self.name)
    }
}

/// The longest issuer or account name accepted, in bytes of UTF-8. Labels are a few words; the
/// bound keeps every account's URI (each byte escaped to at most three, the issuer written
/// twice) under the URI reader's own limit, so an account Sesame stores always exports to a URI it reads back (found by fuzzing:
/// a 4 KB URI with long labels printed back longer than 4 KB).
pub const MAX_LABEL_BYTES: usize = 256;

/// "issuer" or "name" when that part is longer than [`MAX_LABEL_BYTES`].
pub fn overlong_label_part(issuer: &str, name: &str) -> Option<&'static str> {
    if issuer.len() > MAX_LABEL_BYTES {
        Some("issuer")
    } else if name.len() > MAX_LABEL_BYTES {
        Some("name")
    } else {
        None
    }
}

/// `issuer:name`, or whichever of the two is not empty.
pub fn label(issuer: &str, name: &str) -> String {
    match (issuer.is_empty(), name.is_empty()) {
        (false, false) => format!("{issuer}:{name}"),
        (false, true) => issuer.to_owned(),
        _ => name.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_random_hex_and_parse_back() {
        let id = AccountId::random();
        assert_ne!(id, AccountId::random());
        assert_eq!(AccountId::parse(id.as_str()), Some(id.clone()));
        assert_eq!(id.short().len(), 8);
        assert_eq!(AccountId::parse("../../etc/passwd"), None);
        assert_eq!(AccountId::parse(&"A".repeat(32)), None);
    }
}
