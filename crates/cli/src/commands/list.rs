//! `sesame list`: the accounts, from the index alone.

use std::process::ExitCode;

use serde::Serialize;
use sesame_core::Sesame;
use sesame_core::otp::{Algorithm, OtpKind};

use crate::failure::Failure;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print JSON for scripts.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Listed<'a> {
    id: &'a str,
    issuer: &'a str,
    name: &'a str,
    kind: OtpKind,
    algorithm: Algorithm,
    digits: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    period: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    counter: Option<u64>,
}

pub fn run(sesame: &Sesame, args: Args) -> Result<ExitCode, Failure> {
    let accounts = sesame.accounts()?;
    if args.json {
        let listed: Vec<_> = accounts
            .iter()
            .map(|a| Listed {
                id: a.id.as_str(),
                issuer: &a.issuer,
                name: &a.name,
                kind: a.params.kind,
                algorithm: a.params.algorithm,
                digits: a.params.digits,
                period: a.params.is_time_based().then_some(a.params.period),
                counter: (a.params.kind == OtpKind::Hotp).then_some(a.params.counter),
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&listed).map_err(|e| Failure::new(e.to_string()))?
        );
        return Ok(ExitCode::SUCCESS);
    }
    if accounts.is_empty() {
        eprintln!(
            "No accounts yet. Add one with `sesame add` (it reads the otpauth:// URI from standard input)."
        );
        return Ok(ExitCode::SUCCESS);
    }
    let width = accounts
        .iter()
        .map(|a| a.issuer.chars().count())
        .max()
        .unwrap_or(0)
        .max(6);
    println!("{:<8}  {:<width$}  {:<5}  NAME", "ID", "ISSUER", "TYPE");
    for account in &accounts {
        println!(
            "{:<8}  {:<width$}  {:<5}  {}",
            account.id.short(),
            account.issuer,
            account.params.kind.to_string(),
            account.name
        );
    }
    Ok(ExitCode::SUCCESS)
}
