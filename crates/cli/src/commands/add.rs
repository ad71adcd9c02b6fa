//! `sesame add`: one account from an otpauth URI, or a whole Google Authenticator export.

use std::path::PathBuf;
use std::process::ExitCode;

use sesame_core::Sesame;
use sesame_core::transfer::{Added, Incoming};

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

pub fn run(sesame: &Sesame, args: Args) -> Result<ExitCode, Failure> {
    if args.from_screen || args.from_image.is_some() || args.from_clipboard {
        let source = Source {
            image: args.from_image,
            clipboard: args.from_clipboard,
        };
        return add_scanned(sesame, &source, args.yes);
    }
    // Before the prompt: a user the policy forbids to type a secret is not asked for one.
    sesame.check_typed_add()?;
    let what = if args.migration {
        "otpauth-migration:// export"
    } else {
        "otpauth:// URI"
    };
    let text = uri_argument_or_stdin(args.uri, what)?;
    if args.migration {
        // One export or several (a batch of QR codes), one per line, with comments or zbarimg's
        // `QR-Code:` prefix: every line must be an export.
        let lines: Vec<_> = Incoming::content_lines(&text).collect();
        let not_export =
            lines.is_empty() || lines.iter().any(|(_, line)| !Incoming::is_migration(line));
        if not_export {
            return Err(Failure::new(
                "this is not a Google Authenticator export (otpauth-migration://)",
            )
            .hint("Nothing was stored. Drop --migration to add a single otpauth:// URI."));
        }
        return add_incoming(sesame, sesame.read_import(text.as_bytes(), None)?);
    }
    add_incoming(sesame, sesame.read_typed(&text)?)
}

/// Adds the accounts that the QR codes found hold, after showing them (and asking, at a
/// terminal, unless `yes`). Codes that are not accounts are listed with the reason.
fn add_scanned(sesame: &Sesame, source: &Source, yes: bool) -> Result<ExitCode, Failure> {
    let report = source.scan(sesame)?;
    let read = sesame.read_scanned(report.found.iter().map(|found| &found.payload));
    for (index, found) in report.found.iter().enumerate() {
        match read.refused.iter().find(|(refused, _)| *refused == index) {
            None => eprintln!("Found on {}: {}", found.source, found.payload.describe()),
            Some((_, error)) => eprintln!("Not added ({}): {error}", found.source),
        }
    }
    let unreadable = !read.refused.is_empty();
    let incoming = read.incoming;
    if incoming.accounts.is_empty() && incoming.skipped.is_empty() {
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
            if incoming.accounts.len() == 1 {
                "it"
            } else {
                "them"
            }
        ))?
    {
        println!("Nothing was added.");
        return Ok(ExitCode::FAILURE);
    }
    let outcome = add_incoming(sesame, incoming)?;
    Ok(if unreadable {
        ExitCode::FAILURE
    } else {
        outcome
    })
}

/// Adds what was read and says what happened to each account; fails when anything was left
/// out, so that scripts notice.
pub fn add_incoming(sesame: &Sesame, incoming: Incoming) -> Result<ExitCode, Failure> {
    for warning in &incoming.warnings {
        eprintln!("warning: {warning}");
    }
    for skipped in &incoming.skipped {
        eprintln!("skipped {skipped}");
    }
    let total = incoming.accounts.len() + incoming.skipped.len();
    let skipped = incoming.skipped.len();
    let partial = incoming.partial_exports.clone();
    let done = match sesame.add_all(incoming) {
        Ok(done) => done,
        Err(partial) => {
            report(&partial.done);
            eprintln!(
                "Added {} of {total} accounts before this error.",
                partial.done.added.len()
            );
            return Err(partial.error.into());
        }
    };
    report(&done);
    if total > 1 {
        println!("Added {} of {total} accounts.", done.added.len());
    }
    for part in partial {
        println!(
            "That was QR code {} of {} of an export: add the others too.",
            part.index, part.count
        );
    }
    Ok(if skipped > 0 {
        eprintln!("{skipped} entries could not be added; the others were.");
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

pub fn report(done: &Added) {
    for account in &done.added {
        println!(
            "Added {} ({}), id {}",
            account.label(),
            account.params.summary(),
            account.id.short()
        );
    }
    for label in &done.already_there {
        println!("Already in Sesame: {label}");
    }
}
