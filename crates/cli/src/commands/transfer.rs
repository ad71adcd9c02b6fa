//! `sesame import FILE` and `sesame export FILE`: accounts in and out as a file of otpauth://
//! URIs, one per line (imports also take Google Authenticator exports), for provisioning and
//! for moving a user to another machine.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use sesame_core::Sesame;
use sesame_core::private_files::create_new_private_file;
use sesame_core::sesame::Error;
use zeroize::Zeroizing;

use super::add::add_incoming;
use crate::failure::Failure;

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// A text file: one otpauth:// or otpauth-migration:// URI per line; blank lines and lines
    /// starting with # are ignored. "-" reads standard input.
    file: PathBuf,
}

pub fn import(sesame: &Sesame, args: ImportArgs) -> Result<ExitCode, Failure> {
    sesame.check_typed_add()?;
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
    let incoming = sesame.read_import(&text).map_err(|e| match e {
        Error::Import(e) => Failure::new(format!("{shown}: {e}"))
            .hint("Fix the lines named and import the file again; nothing was stored."),
        other => other.into(),
    })?;
    add_incoming(sesame, incoming)
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
