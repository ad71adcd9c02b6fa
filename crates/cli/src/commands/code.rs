//! `sesame code`: current codes of the accounts a search matches.

use std::process::ExitCode;

use serde::Serialize;
use sesame_core::Sesame;
use sesame_core::otp::OtpKind;

use crate::failure::Failure;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Part of issuer:name, or an id; all accounts when omitted.
    search: Option<String>,
    /// Also show the code that follows the current one.
    #[arg(long)]
    next: bool,
    /// Print JSON for scripts.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Shown {
    id: String,
    issuer: String,
    name: String,
    kind: OtpKind,
    /// `None` for HOTP accounts not generated (the search matched more than one account).
    code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seconds_left: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    valid_until: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    counter: Option<u64>,
}

pub fn run(sesame: &Sesame, args: Args) -> Result<ExitCode, Failure> {
    let term = args.search.unwrap_or_default();
    let shown: Vec<Shown> = sesame
        .look_up_codes(&term, args.next)?
        .into_iter()
        .map(|found| Shown {
            id: found.account.id.to_string(),
            issuer: found.account.issuer,
            name: found.account.name,
            kind: found.account.params.kind,
            code: found
                .timed
                .as_ref()
                .map(|c| c.code.clone())
                .or_else(|| found.hotp.as_ref().map(|h| h.code.clone())),
            seconds_left: found.timed.as_ref().map(|c| c.seconds_left),
            valid_until: found.timed.as_ref().map(|c| c.valid_until),
            next_code: found.next.map(|c| c.code),
            counter: found.hotp.map(|h| h.counter),
        })
        .collect();
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&shown).map_err(|e| Failure::new(e.to_string()))?
        );
        return Ok(ExitCode::SUCCESS);
    }
    for row in &shown {
        let label = sesame_core::account::label(&row.issuer, &row.name);
        match (&row.code, row.seconds_left, row.counter) {
            (Some(code), Some(left), _) => {
                let next = row
                    .next_code
                    .as_deref()
                    .map(|n| format!("  next {n}"))
                    .unwrap_or_default();
                println!("{code}  {left:>3}s  {label}{next}");
            }
            (Some(code), None, Some(counter)) => println!("{code}  #{counter}  {label}"),
            _ => println!(
                "{:<8}  HOTP  {label}  (run `sesame code {}` to generate; that advances its counter)",
                "-",
                &row.id[..8]
            ),
        }
    }
    Ok(ExitCode::SUCCESS)
}
