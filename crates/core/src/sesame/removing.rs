//! Removing with Undo. An account the user removes leaves the list at once, but its secret and
//! index entry stay untouched for [`UNDO_SECONDS`]: Undo only forgets the request, and a crash
//! in that time loses nothing (the account is simply still there). When the time has passed, or
//! the face is closing, the removal is carried out as [`Sesame::remove`] does it (marked first,
//! so `sesame doctor` finishes one a crash interrupts).

use std::collections::HashSet;
use std::sync::MutexGuard;

use super::{Error, Sesame};
use crate::account::{Account, AccountId};

/// How long a removal can be undone.
pub const UNDO_SECONDS: u64 = 10;

/// Removals asked for and not carried out yet: each account and when its undo time ends.
#[derive(Debug, Default)]
pub(super) struct PendingRemovals(Vec<(Account, u64)>);

impl PendingRemovals {
    fn ask(&mut self, account: Account, now: u64) {
        self.0.retain(|(pending, _)| pending.id != account.id);
        self.0.push((account, now.saturating_add(UNDO_SECONDS)));
    }

    /// Forgets the removal of `id`; false when none was pending.
    fn cancel(&mut self, id: &AccountId) -> bool {
        let before = self.0.len();
        self.0.retain(|(pending, _)| &pending.id != id);
        self.0.len() != before
    }

    /// Takes out the removals due at `now` (all of them with `everything`).
    fn take_due(&mut self, now: u64, everything: bool) -> Vec<Account> {
        let (due, kept) = std::mem::take(&mut self.0)
            .into_iter()
            .partition(|(_, at)| everything || *at <= now);
        self.0 = kept;
        due.into_iter().map(|(account, _)| account).collect()
    }

    fn ids(&self) -> HashSet<AccountId> {
        self.0
            .iter()
            .map(|(account, _)| account.id.clone())
            .collect()
    }
}

/// A removal that was asked for and carried out, or why it could not be.
#[derive(Debug)]
pub struct CarriedOut {
    /// The account as it was when its removal was asked for.
    pub account: Account,
    pub result: Result<(), Error>,
}

impl Sesame {
    /// Takes `id` out of the list now and removes it for good once the undo time has passed
    /// ([`Sesame::finish_removals`]). The account as it was, for the face's "Undo" line.
    pub fn remove_with_undo(&self, id: &AccountId) -> Result<Account, Error> {
        let account = self
            .accounts()?
            .into_iter()
            .find(|a| &a.id == id)
            .ok_or(Error::AccountGone)?;
        let now = self.now();
        self.pending_removals().ask(account.clone(), now);
        Ok(account)
    }

    /// Puts back an account whose removal is still pending.
    pub fn undo_remove(&self, id: &AccountId) -> Result<Account, Error> {
        if !self.pending_removals().cancel(id) {
            return Err(Error::TooLateToUndo);
        }
        self.vault
            .accounts()?
            .into_iter()
            .find(|a| &a.id == id)
            .ok_or(Error::AccountGone)
    }

    /// Carries out the removals whose undo time has passed, or every pending one when
    /// `everything` (the face is closing). Each result says whether it went through; one that
    /// failed is not retried (the account stays, as if never removed, and says so).
    pub fn finish_removals(&self, everything: bool) -> Vec<CarriedOut> {
        let now = self.now();
        let due = self.pending_removals().take_due(now, everything);
        due.into_iter()
            .map(|account| CarriedOut {
                result: self.remove(&account.id).map(drop),
                account,
            })
            .collect()
    }

    /// True while some removal can still be undone.
    pub fn has_pending_removals(&self) -> bool {
        !self.pending_removals().0.is_empty()
    }

    pub(super) fn pending_removal_ids(&self) -> HashSet<AccountId> {
        self.pending_removals().ids()
    }

    fn pending_removals(&self) -> MutexGuard<'_, PendingRemovals> {
        // Poisoned only by a panic mid-call; the list itself is always whole.
        self.pending_removals
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::otp::{Algorithm, OtpParams};

    fn account(id: &str) -> Account {
        Account {
            id: AccountId::parse(id).expect("an id"),
            issuer: "Issuer".into(),
            name: id.into(),
            params: OtpParams::totp(Algorithm::Sha1, 6, 30).expect("valid"),
            created: 0,
        }
    }

    const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    fn ids(accounts: &[Account]) -> Vec<&str> {
        accounts.iter().map(|a| a.name.as_str()).collect()
    }

    #[test]
    fn a_removal_is_due_when_its_undo_time_has_passed_and_everything_takes_all() {
        let mut pending = PendingRemovals::default();
        pending.ask(account(A), 100);
        pending.ask(account(B), 105);
        assert!(pending.take_due(109, false).is_empty());
        assert_eq!(ids(&pending.take_due(110, false)), [A]);
        assert_eq!(pending.ids(), HashSet::from([account(B).id]));
        assert_eq!(ids(&pending.take_due(0, true)), [B]);
        assert!(pending.ids().is_empty());
    }

    #[test]
    fn asking_twice_restarts_the_time_and_cancel_says_whether_there_was_one() {
        let mut pending = PendingRemovals::default();
        pending.ask(account(A), 100);
        pending.ask(account(A), 108);
        assert!(pending.take_due(110, false).is_empty());
        assert!(pending.cancel(&account(A).id));
        assert!(!pending.cancel(&account(A).id));
    }
}
