//! What an import would do, shown before anything is stored: every entry found, whether it is
//! new, already in Sesame, or cannot be used and why. The CLI prints it and asks; the window
//! lists it with an Import button.

use serde::Serialize;

use crate::account::Account;
use crate::otpauth::BatchPart;
use crate::transfer::{Incoming, ReadWarning};

/// What happens to one entry of an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "reason", rename_all = "snake_case")]
pub enum Verdict {
    /// It will be added.
    New,
    /// An account with the same issuer and name is in Sesame already: it is kept as it is.
    AlreadyThere,
    /// An earlier entry of the same file has the same issuer and name: that one is added.
    TwiceInFile,
    /// Sesame cannot use it, for this reason.
    Unusable(String),
}

/// One entry of the file, with its verdict. Never holds the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreviewEntry {
    /// `issuer:name`, or where it was ("line 4") when it could not be read far enough.
    pub label: String,
    /// "TOTP, SHA1, 6 digits, every 30 s" for the usable ones.
    pub summary: Option<String>,
    pub verdict: Verdict,
}

/// An import, read and checked against the accounts already stored; nothing stored yet.
#[derive(Debug)]
pub struct ImportPreview {
    /// Every entry: usable ones first in the file's order, then those Sesame cannot use.
    pub entries: Vec<PreviewEntry>,
    pub(crate) incoming: Incoming,
}

impl ImportPreview {
    /// Checks what was read against the accounts already stored.
    pub fn new(incoming: Incoming, stored: &[Account]) -> Self {
        let same = |a: (&str, &str), b: (&str, &str)| {
            a.0.eq_ignore_ascii_case(b.0) && a.1.eq_ignore_ascii_case(b.1)
        };
        let mut entries = Vec::new();
        for (position, account) in incoming.accounts.iter().enumerate() {
            let key = (account.issuer.as_str(), account.name.as_str());
            let verdict = if stored.iter().any(|s| same((&s.issuer, &s.name), key)) {
                Verdict::AlreadyThere
            } else if incoming.accounts[..position]
                .iter()
                .any(|earlier| same((&earlier.issuer, &earlier.name), key))
            {
                Verdict::TwiceInFile
            } else {
                Verdict::New
            };
            entries.push(PreviewEntry {
                label: account.label(),
                summary: Some(account.params.summary()),
                verdict,
            });
        }
        for skipped in &incoming.skipped {
            entries.push(PreviewEntry {
                label: if skipped.label.is_empty() {
                    skipped.place.to_string()
                } else {
                    skipped.label.clone()
                },
                summary: None,
                verdict: Verdict::Unusable(skipped.reason.to_string()),
            });
        }
        Self { entries, incoming }
    }

    /// The app whose export it is; `None` for text of `otpauth://` URIs.
    pub fn app(&self) -> Option<&'static str> {
        self.incoming.app
    }

    /// Things to know about entries that will be added (an issuer mismatch, say).
    pub fn warnings(&self) -> &[ReadWarning] {
        &self.incoming.warnings
    }

    /// Each Google Authenticator export read that is one of several QR codes.
    pub fn partial_exports(&self) -> &[BatchPart] {
        &self.incoming.partial_exports
    }

    /// How many entries importing would add.
    pub fn new_count(&self) -> usize {
        self.count(|verdict| *verdict == Verdict::New)
    }

    /// How many entries Sesame cannot use.
    pub fn unusable_count(&self) -> usize {
        self.count(|verdict| matches!(verdict, Verdict::Unusable(_)))
    }

    fn count(&self, which: impl Fn(&Verdict) -> bool) -> usize {
        self.entries.iter().filter(|e| which(&e.verdict)).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::AccountId;
    use crate::otp::{Algorithm, OtpParams};

    fn stored(issuer: &str, name: &str) -> Account {
        Account {
            id: AccountId::random(),
            issuer: issuer.into(),
            name: name.into(),
            params: OtpParams::totp(Algorithm::Sha1, 6, 30).expect("valid"),
            created: 0,
        }
    }

    #[test]
    fn each_entry_is_new_already_there_twice_or_unusable() {
        let text = "otpauth://totp/GitHub:ada?secret=JBSWY3DPEHPK3PXP&issuer=GitHub\n\
                    otpauth://totp/Mail:ada?secret=JBSWY3DPEHPK3PXP&issuer=Mail\n\
                    otpauth://totp/mail:ADA?secret=GEZDGNBVGY3TQOJQ&issuer=mail\n\
                    otpauth://totp/Bank:ada?secret=JBSWY3DPEHPK3PXP&issuer=Bank&digits=9\n";
        let incoming = Incoming::from_file_text(text).expect("read");
        let preview = ImportPreview::new(incoming, &[stored("github", "Ada")]);
        let verdicts: Vec<_> = preview
            .entries
            .iter()
            .map(|e| (e.label.as_str(), e.verdict.clone()))
            .collect();
        assert_eq!(verdicts[0], ("GitHub:ada", Verdict::AlreadyThere));
        assert_eq!(verdicts[1], ("Mail:ada", Verdict::New));
        assert_eq!(verdicts[2], ("mail:ADA", Verdict::TwiceInFile));
        assert_eq!(verdicts[3].0, "line 4");
        assert!(
            matches!(&verdicts[3].1, Verdict::Unusable(reason) if reason.contains("digits")),
            "{verdicts:?}"
        );
        assert_eq!((preview.new_count(), preview.unusable_count()), (1, 1));
    }
}
