//! `sesame backup FILE`: every account, encrypted with a password, as an Aegis vault — a format
//! another app opens, so a backup is never locked into Sesame — restored with `sesame import`.

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;

use secrecy::{ExposeSecret as _, SecretString};
use sesame_core::Sesame;

use crate::failure::Failure;
use crate::input::password_from_file;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The backup to write: a new file (never overwritten; readable by you alone).
    file: PathBuf,
    /// A file whose first line is the backup's password (else it is asked for twice at the
    /// terminal, not shown). The password is never stored: without it the backup cannot be
    /// opened.
    #[arg(long, value_name = "FILE")]
    password_file: Option<PathBuf>,
}

pub fn run(sesame: &Sesame, args: Args) -> Result<ExitCode, Failure> {
    sesame.check_export()?;
    let shown = args.file.display().to_string();
    // Checked before the password is asked: an existing file would be refused after it.
    if args.file.exists() {
        return Err(Failure::new(format!("{shown} already exists"))
            .hint("Sesame never overwrites a file: choose a new name."));
    }
    if sesame.accounts()?.is_empty() {
        return Err(Failure::new("there are no accounts to back up")
            .hint("Add one with `sesame add` first."));
    }
    let password = backup_password(&args)?;
    let count = sesame.backup_to(&args.file, &password)?;
    eprintln!(
        "Backed up {count} account(s) to {shown}, encrypted with your password (an Aegis vault). \
         Restore it with `sesame import {shown}`, or in Aegis: Settings → Import & export → \
         Import → Aegis. Without the password it cannot be opened."
    );
    Ok(ExitCode::SUCCESS)
}

/// The password: the first line of `--password-file`, or typed twice at the terminal.
fn backup_password(args: &Args) -> Result<SecretString, Failure> {
    if let Some(path) = &args.password_file {
        return password_from_file(path, "No backup was written.");
    }
    if !std::io::stdin().is_terminal() {
        return Err(
            Failure::new("there is no terminal to ask for the backup's password on")
                .hint("Pass --password-file FILE."),
        );
    }
    let first = SecretString::from(rpassword::prompt_password(
        "Password for the backup (not shown; at least 8 characters): ",
    )?);
    let again = SecretString::from(rpassword::prompt_password("The same password again: ")?);
    if first.expose_secret() != again.expose_secret() {
        return Err(Failure::new("the two passwords differ").hint("No backup was written."));
    }
    Ok(first)
}
