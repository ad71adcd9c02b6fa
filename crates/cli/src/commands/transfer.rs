//! `sesame import FILE` and `sesame export FILE`: accounts in and out as a file of otpauth://
//! URIs, one per line (imports also take Google Authenticator exports and other authenticators'
//! export files, plain or encrypted), for provisioning and for moving a user to another machine.

use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

use secrecy::SecretString;
use sesame_core::Sesame;
use sesame_core::import::FormatError;
use sesame_core::private_files::create_new_private_file;
use sesame_core::sesame::Error;
use sesame_core::transfer::{ImportError, ImportPreview, Verdict};
use zeroize::Zeroizing;

use super::add::report;
use crate::failure::Failure;
use crate::input::{confirm, password_from_file};

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Another authenticator's export (Aegis, 2FAS, andOTP, Bitwarden…; plain or encrypted), or
    /// a text file of otpauth:// or otpauth-migration:// URIs, one per line (blank lines and
    /// lines starting with # are ignored). "-" reads standard input (then pass --yes).
    file: PathBuf,
    /// For an encrypted export: a file whose first line is its password (else it is asked for
    /// at the terminal, not shown).
    #[arg(long, value_name = "FILE")]
    password_file: Option<PathBuf>,
    /// Import without asking, after listing what the file holds (for scripts).
    #[arg(long, short)]
    yes: bool,
}

/// The password of an encrypted export: from `--password-file`, or asked at the terminal.
fn export_password(app: &str, args: &ImportArgs, shown: &str) -> Result<SecretString, Failure> {
    if let Some(path) = &args.password_file {
        return password_from_file(path, "Nothing was imported.");
    }
    if shown == "-" || !std::io::stdin().is_terminal() {
        return Err(
            Failure::new(format!("{shown} is an encrypted {app} export")).hint(
                "There is no terminal to ask for its password on: pass --password-file FILE.",
            ),
        );
    }
    let typed = Zeroizing::new(rpassword::prompt_password(format!(
        "Password of this {app} export (not shown): "
    ))?);
    Ok(SecretString::from(typed.to_string()))
}

pub fn import(sesame: &Sesame, args: ImportArgs) -> Result<ExitCode, Failure> {
    sesame.check_typed_add()?;
    let shown = args.file.display().to_string();
    // Bytes, not text: some apps' encrypted exports are binary.
    let file = if shown == "-" {
        let mut file = Zeroizing::new(Vec::new());
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut file)?;
        file
    } else {
        Zeroizing::new(std::fs::read(&args.file).map_err(|e| {
            Failure::new(format!("could not read {shown}: {e}")).hint("Nothing was imported.")
        })?)
    };
    let password = match sesame.import_password_needed(&file) {
        Some(app) => Some(export_password(app, &args, &shown)?),
        None => None,
    };
    let incoming = sesame
        .read_import(&file, password.as_ref())
        .map_err(|e| match e {
            Error::Import(ImportError::Format(FormatError::WrongPassword { app })) => {
                Failure::new(format!("{shown}: the password does not open this {app} export"))
                    .hint("Check the password (the one set when exporting) and try again; nothing was stored.")
            }
            Error::Import(ImportError::Format(e)) => {
                Failure::new(format!("{shown}: {e}")).hint("Nothing was stored.")
            }
            Error::Import(e) => Failure::new(format!("{shown}: {e}")).hint("Nothing was stored."),
            other => other.into(),
        })?;
    let preview = sesame.preview_import(incoming)?;
    show_preview(&shown, &preview);
    let new = preview.new_count();
    let unusable = preview.unusable_count();
    let outcome = if unusable > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    };
    if new == 0 {
        println!("Nothing to import: every account Sesame can use is in it already.");
        return Ok(outcome);
    }
    if !args.yes && !confirm(&format!("Import {new} new account(s)?"))? {
        println!("Nothing was imported.");
        return Ok(ExitCode::FAILURE);
    }
    let partial = preview.partial_exports().to_vec();
    let done = sesame.import(preview).map_err(|partial| {
        report(&partial.done);
        eprintln!(
            "Imported {} of {new} new accounts before this error.",
            partial.done.added.len()
        );
        Failure::from(partial.error)
    })?;
    report(&done);
    println!("Imported {} of {new} new account(s).", done.added.len());
    for part in partial {
        println!(
            "That was QR code {} of {} of a Google Authenticator export: import the others too.",
            part.index, part.count
        );
    }
    if unusable > 0 {
        eprintln!("{unusable} entries could not be imported (listed above); the others were.");
    }
    Ok(outcome)
}

/// Lists every entry of the file and what importing does with it, before anything is stored.
fn show_preview(shown: &str, preview: &ImportPreview) {
    let what = preview
        .app()
        .map_or("file of otpauth:// URIs".to_owned(), |app| {
            format!("{app} export")
        });
    println!("{shown}: {what}, {} entries.", preview.entries.len());
    for entry in &preview.entries {
        let line = match (&entry.verdict, &entry.summary) {
            (Verdict::New, Some(summary)) => {
                format!("  new            {} ({summary})", entry.label)
            }
            (Verdict::New, None) => format!("  new            {}", entry.label),
            (Verdict::AlreadyThere, _) => {
                format!("  already there  {} (kept as it is)", entry.label)
            }
            (Verdict::TwiceInFile, _) => {
                format!("  twice in file  {} (the first is imported)", entry.label)
            }
            (Verdict::Unusable(reason), _) => {
                format!("  cannot use     {}: {reason}", entry.label)
            }
        };
        println!("{line}");
    }
    for warning in preview.warnings() {
        eprintln!("warning: {warning}");
    }
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Where to write the URIs: a new file (never overwritten; readable by you alone), or "-"
    /// for standard output. The file holds every secret: keep it safe and delete it after use.
    file: PathBuf,
}

pub fn export(sesame: &Sesame, args: ExportArgs) -> Result<ExitCode, Failure> {
    let text = sesame.export()?;
    let count = text.lines().count();
    let shown = args.file.display().to_string();
    if shown == "-" {
        std::io::stdout().write_all(text.as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Err(error) = create_new_private_file(&args.file, text.as_bytes()) {
        let hint = if error.kind() == std::io::ErrorKind::AlreadyExists {
            "Sesame never overwrites a file: choose a new name."
        } else {
            "Nothing was exported."
        };
        return Err(Failure::new(format!("could not write {shown}: {error}")).hint(hint));
    }
    eprintln!(
        "Exported {count} account(s) to {shown}. It holds their secrets: import it with \
         `sesame import {shown}` on the new machine, then delete it."
    );
    Ok(ExitCode::SUCCESS)
}
