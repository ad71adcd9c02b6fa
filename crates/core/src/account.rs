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

/// `issuer:name`, or whichever of the two is not empty.
pub fn label(issuer: &str, name: &str) -> String {
    match (issuer.is_empty(), name.is_empty()) {
        (false, false) => format!("{issuer}:{name}"),
        (false, true) => issuer.to_owned(),
        _ => name.to_owned(),
    }
}

/// Why a search term did not pick exactly one account.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectError {
    /// Nothing matched.
    #[error("no account matches {0:?}")]
    NoMatch(String),
    /// Several matched; they are listed so the user can be more precise.
    #[error("{term:?} matches {} accounts: {}", matches.len(), matches.join(", "))]
    Ambiguous {
        /// The term.
        term: String,
        /// `issuer:name (short id)` of each match.
        matches: Vec<String>,
    },
}

/// The accounts a search term matches: an id or id prefix (4+ hex digits), or any part of
/// `issuer:name`, case-insensitively. An exact `issuer:name` or id wins over partial matches.
pub fn search<'a>(accounts: &'a [Account], term: &str) -> Vec<&'a Account> {
    let needle = term.trim().to_lowercase();
    if needle.is_empty() {
        return accounts.iter().collect();
    }
    let exact: Vec<_> = accounts
        .iter()
        .filter(|a| a.id.as_str() == needle || a.label().to_lowercase() == needle)
        .collect();
    if !exact.is_empty() {
        return exact;
    }
    let looks_like_id = needle.len() >= 4 && needle.bytes().all(|b| b.is_ascii_hexdigit());
    accounts
        .iter()
        .filter(|a| {
            (looks_like_id && a.id.as_str().starts_with(&needle))
                || a.label().to_lowercase().contains(&needle)
        })
        .collect()
}

/// The one account a term designates, for commands that act on a single account.
pub fn select<'a>(accounts: &'a [Account], term: &str) -> Result<&'a Account, SelectError> {
    match search(accounts, term).as_slice() {
        [] => Err(SelectError::NoMatch(term.to_owned())),
        [one] => Ok(one),
        many => Err(SelectError::Ambiguous {
            term: term.to_owned(),
            matches: many
                .iter()
                .map(|a| format!("{} ({})", a.label(), a.id.short()))
                .collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::otp::{Algorithm, OtpParams};

    fn accounts() -> Vec<Account> {
        [
            "GitHub:alice",
            "GitHub:alice.work",
            "GitLab:bob",
            "Bank:alice",
        ]
        .iter()
        .map(|label| {
            let (issuer, name) = label.split_once(':').expect("label");
            Account {
                id: AccountId::random(),
                issuer: issuer.into(),
                name: name.into(),
                params: OtpParams::totp(Algorithm::Sha1, 6, 30).expect("valid"),
                created: 0,
            }
        })
        .collect()
    }

    #[test]
    fn selects_by_unique_part_exact_label_or_id() {
        let all = accounts();
        assert_eq!(select(&all, "gitlab").expect("unique").name, "bob");
        assert_eq!(select(&all, "BANK:").expect("unique").issuer, "Bank");
        // "github:alice" is also part of "github:alice.work", but the exact label wins.
        assert_eq!(select(&all, "github:alice").expect("exact").name, "alice");
        assert_eq!(
            select(&all, &all[3].id.as_str()[..6])
                .expect("id prefix")
                .issuer,
            "Bank"
        );
        assert_eq!(select(&all, all[2].id.as_str()).expect("id").name, "bob");
    }

    #[test]
    fn ambiguous_and_missing_terms_say_so() {
        let all = accounts();
        match select(&all, "alice") {
            Err(SelectError::Ambiguous { matches, .. }) => assert_eq!(matches.len(), 3),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            select(&all, "nobody"),
            Err(SelectError::NoMatch("nobody".into()))
        );
        assert_eq!(search(&all, "").len(), 4);
    }

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
