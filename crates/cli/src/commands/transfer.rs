//! `sesame import FILE` and `sesame export FILE`: accounts in and out as a file of otpauth://
//! URIs, one per line (imports also take Google Authenticator exports), for provisioning and
//! for moving a user to another machine.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use sesame_core::Vault;
use sesame_core::policy::Policy;
use sesame_core::private_files::create_new_private_file;
use sesame_core::transfer::{Incoming, export_uris};
use zeroize::Zeroizing;

use super::add::add_incoming;
use crate::failure::Failure;

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// A text file: one otpauth:// or otpauth-migration:// URI per line; blank lines and lines
    /// starting with # are ignored. "-" reads standard input.
    file: PathBuf,
}

pub fn import(vault: &Vault, args: ImportArgs) -> Result<ExitCode, Failure> {
    Policy::load().check_manual_add()?;
    let shown = args.file.display().to_string();
    let text = if shown == "-" {
        let mut text = Zeroizing::new(String::new());
        std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut text)?;
        text
    } else {
        let bytes = Zeroizing::new(std::fs::read(&args.file).map_err(|e| {
            Failure::new(format!("could not read {shown}: {e}")).hint("Nothing was imported.")
        })?);
        Zeroizing::new(
            std::str::from_utf8(&bytes)
                .map_err(|_| {
                    Failure::new(format!("{shown} is not a text file of otpauth:// URIs"))
                        .hint("Nothing was imported.")
                })?
                .to_owned(),
        )
    };
    let incoming = Incoming::from_file_text(&text).map_err(|e| {
        Failure::new(format!("{shown}: {e}"))
            .hint("Fix the lines named and import the file again; nothing was stored.")
    })?;
    add_incoming(vault, incoming)
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Where to write the URIs: a new file (never overwritten; readable by you alone), or "-"
    /// for standard output. The file holds every secret: keep it safe and delete it after use.
    file: PathBuf,
}

pub fn export(vault: &Vault, args: ExportArgs) -> Result<ExitCode, Failure> {
    Policy::load().check_export()?;
    let count = vault.accounts()?.len();
    let text = export_uris(vault)?;
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
