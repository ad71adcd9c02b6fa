//! `sesame remove`: delete an account and its secret, after asking.

use std::process::ExitCode;

use sesame_core::Sesame;

use crate::failure::Failure;
use crate::input::confirm;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The account: part of issuer:name, or its id.
    account: String,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    yes: bool,
}

pub fn run(sesame: &Sesame, args: Args) -> Result<ExitCode, Failure> {
    let account = sesame.select(&args.account)?;
    let question = format!(
        "Remove {} ({})? Its secret is deleted from the keyring; you will need the service's \
         QR code to add it again.",
        account.label(),
        account.id.short()
    );
    if !args.yes && !confirm(&question)? {
        println!("Kept {}.", account.label());
        return Ok(ExitCode::FAILURE);
    }
    let removed = sesame.remove(&account.id)?;
    println!("Removed {}", removed.label());
    Ok(ExitCode::SUCCESS)
}
