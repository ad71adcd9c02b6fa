//! `sesame rename`: change an account's issuer or name.

use std::process::ExitCode;

use sesame_core::Sesame;

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

pub fn run(sesame: &Sesame, args: Args) -> Result<ExitCode, Failure> {
    if args.issuer.is_none() && args.name.is_none() {
        return Err(Failure::new("nothing to change").hint("Pass --issuer, --name, or both."));
    }
    let account = sesame.select(&args.account)?;
    let before = account.label();
    let issuer = args.issuer.unwrap_or(account.issuer);
    let name = args.name.unwrap_or(account.name);
    let renamed = sesame.rename(&account.id, &issuer, &name)?;
    println!("Renamed {before} to {}", renamed.label());
    Ok(ExitCode::SUCCESS)
}
