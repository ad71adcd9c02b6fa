//! `sesame rename`: change an account's issuer or name.

use std::process::ExitCode;

use sesame_core::Vault;

use super::selected;
use crate::failure::Failure;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The account: part of issuer:name, or its id.
    account: String,
    /// The new issuer (unchanged if omitted; "" clears it).
    #[arg(long)]
    issuer: Option<String>,
    /// The new account name (unchanged if omitted).
    #[arg(long)]
    name: Option<String>,
}

pub fn run(vault: &Vault, args: Args) -> Result<ExitCode, Failure> {
    if args.issuer.is_none() && args.name.is_none() {
        return Err(Failure::new("nothing to change").hint("Pass --issuer, --name, or both."));
    }
    let account = selected(vault, &args.account)?;
    let before = account.label();
    let issuer = args.issuer.unwrap_or(account.issuer);
    let name = args.name.unwrap_or(account.name);
    let renamed = vault.rename(&account.id, &issuer, &name)?;
    println!("Renamed {before} to {}", renamed.label());
    Ok(ExitCode::SUCCESS)
}
