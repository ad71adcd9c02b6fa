//! Finding accounts by a term: one rule for the window's search box and the CLI's `sesame code`,
//! `rename` and `remove`, so that the same term finds the same accounts everywhere.
//!
//! The window filters as the user types, in JavaScript (`ui/views/search.js`), because a round
//! trip per keystroke buys nothing; both implementations must pass the same table of cases
//! (`tests/search_cases.json`), read by this module's tests and by `tests/ui_search.test.mjs`.
//!
//! The rule, on `issuer:name` (as [`Account::label`] writes it) and the id, case-insensitively:
//! 1. an exact label or id wins alone;
//! 2. otherwise the accounts where the term appears as one piece, ranked: the label starts
//!    with it (or, for 4+ hex digits, the id does), then a word of the label starts with it,
//!    then it appears anywhere;
//! 3. only when nothing matches as one piece, the accounts whose label holds the term's
//!    characters in order (`ghub` for GitHub), so a term with a gap or a space still finds
//!    something, without "git" also finding Google through "alice.smith".

use crate::account::Account;

/// How well an account matches, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    Prefix,
    WordStart,
    Anywhere,
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

/// The accounts `term` finds, best match first (display order among equals). An empty term
/// finds every account.
pub fn search<'a>(accounts: &'a [Account], term: &str) -> Vec<&'a Account> {
    let needle: Vec<char> = term.trim().to_lowercase().chars().collect();
    if needle.is_empty() {
        return accounts.iter().collect();
    }
    let needle_text: String = needle.iter().collect();
    let labels: Vec<Vec<char>> = accounts
        .iter()
        .map(|a| a.label().to_lowercase().chars().collect())
        .collect();
    let exact: Vec<_> = accounts
        .iter()
        .zip(&labels)
        .filter(|(a, label)| a.id.as_str() == needle_text || **label == needle)
        .map(|(a, _)| a)
        .collect();
    if !exact.is_empty() {
        return exact;
    }
    let looks_like_id = needle.len() >= 4 && needle.iter().all(char::is_ascii_hexdigit);
    let mut ranked: Vec<(Rank, usize)> = labels
        .iter()
        .enumerate()
        .filter_map(|(i, label)| {
            let by_id = looks_like_id && accounts[i].id.as_str().starts_with(&needle_text);
            rank(label, &needle, by_id).map(|r| (r, i))
        })
        .collect();
    if ranked.is_empty() {
        let letters: Vec<char> = needle.into_iter().filter(|c| !c.is_whitespace()).collect();
        return accounts
            .iter()
            .zip(&labels)
            .filter(|(_, label)| holds_in_order(label, &letters))
            .map(|(a, _)| a)
            .collect();
    }
    ranked.sort();
    ranked.into_iter().map(|(_, i)| &accounts[i]).collect()
}

/// The one account `term` finds, for commands that act on a single account: a term that finds
/// several is refused (with their names) rather than resolved by rank, because the command may
/// change or delete what it picks.
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

fn rank(label: &[char], needle: &[char], by_id: bool) -> Option<Rank> {
    if by_id || label.starts_with(needle) {
        return Some(Rank::Prefix);
    }
    let starts = (1..label.len()).filter(|&i| label[i..].starts_with(needle));
    let mut best = None;
    for i in starts {
        if !label[i - 1].is_alphanumeric() {
            return Some(Rank::WordStart);
        }
        best = Some(Rank::Anywhere);
    }
    best
}

fn holds_in_order(label: &[char], letters: &[char]) -> bool {
    let mut rest = label.iter();
    letters.iter().all(|wanted| rest.any(|c| c == wanted))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::AccountId;
    use crate::otp::{Algorithm, OtpParams};

    fn account(label: &str) -> Account {
        let (issuer, name) = label.split_once(':').unwrap_or((label, ""));
        Account {
            id: AccountId::random(),
            issuer: issuer.into(),
            name: name.into(),
            params: OtpParams::totp(Algorithm::Sha1, 6, 30).expect("valid"),
            created: 0,
        }
    }

    fn accounts() -> Vec<Account> {
        [
            "GitHub:alice",
            "GitHub:alice.work",
            "GitLab:bob",
            "Bank:alice",
        ]
        .map(account)
        .to_vec()
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

    /// One case of the table the window's JavaScript search must pass too.
    #[derive(serde::Deserialize)]
    struct Case {
        accounts: Vec<String>,
        term: String,
        finds: Vec<String>,
    }

    #[test]
    fn the_shared_cases_pass() {
        let cases: Vec<Case> =
            serde_json::from_str(include_str!("../../../tests/search_cases.json"))
                .expect("the case table is JSON");
        assert!(cases.len() >= 10, "the table is the contract: keep it full");
        for case in cases {
            let all: Vec<Account> = case.accounts.iter().map(|l| account(l)).collect();
            let found: Vec<String> = search(&all, &case.term).iter().map(|a| a.label()).collect();
            assert_eq!(
                found, case.finds,
                "term {:?} in {:?}",
                case.term, case.accounts
            );
        }
    }
}
