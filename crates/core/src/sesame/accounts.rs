//! Accounts: typed, pasted, filled in, scanned; renamed, moved, removed, found by a term.
//! Imports, backups and exports are in `moving`.

use super::{Error, Sesame};
use crate::account::{Account, AccountId};
use crate::account_form::AccountForm;
use crate::otpauth::uri::{self, UriWarning};
use crate::private_files::{LooseMode, loose_modes, tighten};
use crate::scan::Payload;
use crate::search;
use crate::transfer::{Added, ImportError, Incoming, PartialAdd};
use crate::vault::DoctorReport;

/// An account added from a typed or pasted URI, and what the user should know about the URI.
#[derive(Debug)]
pub struct TypedAccount {
    pub account: Account,
    pub warnings: Vec<UriWarning>,
}

/// What the chosen codes of a scan hold: the accounts, and each code that holds none (its
/// place in the list given, and why).
#[derive(Debug, Default)]
pub struct ScannedAccounts {
    pub incoming: Incoming,
    pub refused: Vec<(usize, ImportError)>,
}

/// The files Sesame keeps in the data dir, each created readable by the user alone.
const DATA_FILES: &[&str] = &[
    "accounts.json",
    "accounts.lock",
    crate::settings::SETTINGS_FILE,
    "servers.json",
    "tray.lock",
];

impl Sesame {
    /// Usable accounts, in display order (the index alone: no keyring access); an account whose
    /// removal can still be undone is not listed.
    pub fn accounts(&self) -> Result<Vec<Account>, Error> {
        let mut accounts = self.vault.accounts()?;
        if self.has_pending_removals() {
            let pending = self.pending_removal_ids();
            accounts.retain(|a| !pending.contains(&a.id));
        }
        Ok(accounts)
    }

    /// The accounts `term` finds, best first (see [`crate::search`]); an empty term finds all.
    /// `NoAccounts` when there are none at all, `Select` when none match.
    pub fn find(&self, term: &str) -> Result<Vec<Account>, Error> {
        let accounts = self.accounts()?;
        let found: Vec<Account> = search::search(&accounts, term)
            .into_iter()
            .cloned()
            .collect();
        if found.is_empty() {
            return Err(if accounts.is_empty() {
                Error::NoAccounts
            } else {
                search::SelectError::NoMatch(term.to_owned()).into()
            });
        }
        Ok(found)
    }

    /// The one account `term` designates, for commands that change or remove it.
    pub fn select(&self, term: &str) -> Result<Account, Error> {
        let accounts = self.accounts()?;
        Ok(search::select(&accounts, term)?.clone())
    }

    /// Refuses early, before the user types a secret, when the policy forbids typed accounts.
    /// Every method that adds typed accounts checks again.
    pub fn check_typed_add(&self) -> Result<(), Error> {
        Ok(self.policy().check_manual_add()?)
    }

    /// Adds the one account of an `otpauth://` URI the user typed or pasted.
    pub fn add_uri(&self, text: &str) -> Result<TypedAccount, Error> {
        self.check_typed_add()?;
        let parsed = uri::parse(text)?;
        let account = self.vault.add(parsed.account)?;
        Ok(TypedAccount {
            account,
            warnings: parsed.warnings,
        })
    }

    /// Adds an account filled in field by field.
    pub fn add_form(&self, form: &AccountForm) -> Result<Account, Error> {
        self.check_typed_add()?;
        let new = form.to_new_account()?;
        Ok(self.vault.add(new)?)
    }

    /// Reads typed text: one `otpauth://` URI, or a Google Authenticator export. Nothing is
    /// stored until [`Sesame::add_all`].
    pub fn read_typed(&self, text: &str) -> Result<Incoming, Error> {
        self.check_typed_add()?;
        Ok(Incoming::from_uri(text)?)
    }

    /// Reads the accounts in scanned codes. Adding what a QR code holds is allowed even where
    /// typing is not: scanning is how an organization that forbids typed secrets has them added.
    pub fn read_scanned<'a>(
        &self,
        payloads: impl IntoIterator<Item = &'a Payload>,
    ) -> ScannedAccounts {
        let mut read = ScannedAccounts::default();
        for (index, payload) in payloads.into_iter().enumerate() {
            match Incoming::from_payload(payload) {
                Ok(accounts) => read.incoming.extend(accounts),
                Err(error) => read.refused.push((index, error)),
            }
        }
        read
    }

    /// Adds what was read; accounts already there are reported, not added again. A keyring or
    /// disk failure stops at once, keeping what was added before it.
    pub fn add_all(&self, incoming: Incoming) -> Result<Added, PartialAdd> {
        incoming.add_to(&self.vault)
    }

    /// Changes an account's issuer and name.
    pub fn rename(&self, id: &AccountId, issuer: &str, name: &str) -> Result<Account, Error> {
        Ok(self.vault.rename(id, issuer, name)?)
    }

    /// Moves an account to `position` in the display order.
    pub fn move_to(&self, id: &AccountId, position: usize) -> Result<(), Error> {
        // `position` counts the listed accounts; the index also holds those being removed.
        let mut to = position;
        if self.has_pending_removals() {
            let everything = self.vault.accounts()?;
            let listed = self.accounts()?;
            to = listed.get(position).map_or(everything.len(), |there| {
                everything
                    .iter()
                    .position(|a| a.id == there.id)
                    .unwrap_or(position)
            });
        }
        Ok(self.vault.move_to(id, to)?)
    }

    /// Checks that the keyring answers and that the index and the keyring agree, finishing any
    /// add or removal a crash interrupted (`sesame doctor`).
    pub fn repair(&self) -> Result<DoctorReport, Error> {
        Ok(self.vault.doctor()?)
    }

    /// Sesame's files in the data dir (and the folder) whose modes let other users in.
    pub fn loose_file_modes(&self) -> Vec<LooseMode> {
        loose_modes(self.data_dir(), DATA_FILES)
    }

    /// Gives each loose file or folder the mode Sesame creates it with (`sesame doctor --fix`).
    pub fn tighten_file_modes(&self) -> std::io::Result<Vec<LooseMode>> {
        let loose = self.loose_file_modes();
        tighten(&loose)?;
        Ok(loose)
    }

    /// Removes an account and deletes its secret.
    pub fn remove(&self, id: &AccountId) -> Result<Account, Error> {
        Ok(self.vault.remove(id)?)
    }
}
