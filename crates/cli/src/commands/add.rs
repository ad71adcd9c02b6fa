//! `sesame add`: one account from an otpauth URI, or a whole Google Authenticator export.

use std::path::PathBuf;
use std::process::ExitCode;

use sesame_core::Vault;
use sesame_core::otpauth::{migration, uri};
use sesame_core::scan::Payload;
use sesame_core::vault::VaultError;

use super::scan::Source;
use crate::failure::Failure;
use crate::input::{confirm, uri_argument_or_stdin};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The otpauth:// or otpauth-migration:// URI; "-" or nothing reads standard input.
    #[arg(conflicts_with_all = ["from_screen", "from_image", "from_clipboard"])]
    uri: Option<String>,
    /// Require a Google Authenticator export (otpauth-migration://offline?data=…).
    #[arg(long)]
    migration: bool,
    /// Read the account's QR code off the screen (every monitor).
    #[arg(long, conflicts_with_all = ["from_image", "from_clipboard"])]
    from_screen: bool,
    /// Read the account's QR code from an image file.
    #[arg(long, value_name = "FILE", conflicts_with = "from_clipboard")]
    from_image: Option<PathBuf>,
    /// Read the account's QR code from the image on the clipboard.
    #[arg(long)]
    from_clipboard: bool,
    /// Add what the QR code holds without asking first (for scripts).
    #[arg(long)]
    yes: bool,
}

pub fn run(vault: &Vault, args: Args) -> Result<ExitCode, Failure> {
    if args.from_screen || args.from_image.is_some() || args.from_clipboard {
        let source = Source {
            image: args.from_image,
            clipboard: args.from_clipboard,
        };
        return add_scanned(vault, &source, args.yes);
    }
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
    add_uri(vault, &text)
}

/// Adds the accounts that the QR codes found hold, after showing them (and asking, at a
/// terminal, unless `yes`). Codes that are not accounts are listed with the reason.
fn add_scanned(vault: &Vault, source: &Source, yes: bool) -> Result<ExitCode, Failure> {
    let report = source.scan()?;
    let mut accounts = Vec::new();
    for found in &report.found {
        match found.payload.not_an_account() {
            None => {
                eprintln!("Found on {}: {}", found.source, found.payload.describe());
                accounts.push(&found.payload);
            }
            Some(reason) => eprintln!("Not added ({}): {reason}", found.source),
        }
    }
    if accounts.is_empty() {
        let failure = if report.found.is_empty() {
            Failure::new("no QR code was read").hint(report.nothing_found_hint())
        } else {
            Failure::new("no QR code found holds an account").hint("Nothing was stored.")
        };
        return Err(failure);
    }
    if !yes
        && !confirm(&format!(
            "Add {}?",
            if accounts.len() == 1 { "it" } else { "them" }
        ))?
    {
        println!("Nothing was added.");
        return Ok(ExitCode::FAILURE);
    }
    let mut outcome = ExitCode::SUCCESS;
    for payload in accounts {
        let result = match payload {
            Payload::Migration(text) => import_migration(vault, text),
            Payload::Account(text) => add_uri(vault, text),
            _ => continue,
        };
        match result {
            Ok(code) if code == ExitCode::SUCCESS => {}
            Ok(code) => outcome = code,
            // One bad code among several must not hide what the others did.
            Err(failure) => {
                eprintln!("{failure}");
                outcome = ExitCode::FAILURE;
            }
        }
    }
    Ok(outcome)
}

fn add_uri(vault: &Vault, text: &str) -> Result<ExitCode, Failure> {
    let parsed = uri::parse(text)?;
    for warning in &parsed.warnings {
        eprintln!("warning: {warning}");
    }
    let account = vault.add(parsed.account)?;
    println!(
        "Added {} ({}), id {}",
        account.label(),
        account.params.summary(),
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
