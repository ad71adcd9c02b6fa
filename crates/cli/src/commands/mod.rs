//! One module per command, each a thin layer over `sesame_core`.

pub mod add;
pub mod code;
pub mod doctor;
pub mod list;
pub mod login;
pub mod remove;
pub mod rename;
pub mod scan;
pub mod transfer;

use sesame_core::Account;
use sesame_core::account::select;

use crate::failure::Failure;

/// The one account a command-line term designates.
pub fn selected(vault: &sesame_core::Vault, term: &str) -> Result<Account, Failure> {
    let accounts = vault.accounts()?;
    Ok(select(&accounts, term)?.clone())
}
