//! `sesame add`: one account from an otpauth URI, or a whole Google Authenticator export.

use std::process::ExitCode;

use sesame_core::Vault;
use sesame_core::otpauth::{migration, uri};
use sesame_core::vault::VaultError;

use super::describe_params;
use crate::failure::Failure;
use crate::input::uri_argument_or_stdin;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The otpauth:// or otpauth-migration:// URI; "-" or nothing reads standard input.
    uri: Option<String>,
    /// Require a Google Authenticator export (otpauth-migration://offline?data=…).
    #[arg(long)]
    migration: bool,
}

pub fn run(vault: &Vault, args: Args) -> Result<ExitCode, Failure> {
    let what = if args.migration {
        "otpauth-migration:// export"
    } else {
        "otpauth:// URI"
    };
    let text = uri_argument_or_stdin(args.uri, what)?;
    let is_migration = text
        .get(..18)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("otpauth-migration:"));
    if args.migration || is_migration {
        return import_migration(vault, &text);
    }
    let parsed = uri::parse(&text)?;
    for warning in &parsed.warnings {
        eprintln!("warning: {warning}");
    }
    let account = vault.add(parsed.account)?;
    println!(
        "Added {} ({}), id {}",
        account.label(),
        describe_params(&account.params),
        account.id.short()
    );
    Ok(ExitCode::SUCCESS)
}

fn import_migration(vault: &Vault, text: &str) -> Result<ExitCode, Failure> {
    let batch = migration::parse(text)?;
    let total = batch.accounts.len() + batch.skipped.len();
    let mut added = 0;
    let problems = batch.skipped.len();
    for skipped in &batch.skipped {
        eprintln!(
            "skipped entry {} ({}): {}",
            skipped.position,
            if skipped.label.is_empty() {
                "no name"
            } else {
                &skipped.label
            },
            skipped.reason
        );
    }
    for account in batch.accounts {
        let label = account.label();
        match vault.add(account) {
            Ok(stored) => {
                added += 1;
                println!("Added {label}, id {}", stored.id.short());
            }
            Err(VaultError::Duplicate { .. }) => {
                println!("Already in Sesame: {label}");
            }
            // A keyring or disk failure will fail every other entry the same way: stop here,
            // keeping what was added.
            Err(other) => {
                eprintln!("Imported {added} of {total} accounts before this error.");
                return Err(other.into());
            }
        }
    }
    let (part, parts) = batch.batch;
    let of_batch = if parts > 1 {
        format!(" (QR code {part} of {parts}: import the others too)")
    } else {
        String::new()
    };
    println!(
        "Imported {added} of {total} accounts from the Google Authenticator export{of_batch}."
    );
    if problems > 0 {
        eprintln!("{problems} entries could not be imported; the others were.");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
