//! `sesame code`: current codes of the accounts a search matches.

use std::process::ExitCode;

use serde::Serialize;
use sesame_core::Vault;
use sesame_core::account::{SelectError, search};
use sesame_core::otp::{self, OtpKind};
use sesame_core::policy::Policy;

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

pub fn run(vault: &Vault, args: Args) -> Result<ExitCode, Failure> {
    Policy::load().check_cli_code()?;
    let accounts = vault.accounts()?;
    let term = args.search.unwrap_or_default();
    let matches = search(&accounts, &term);
    if matches.is_empty() {
        return Err(if accounts.is_empty() {
            Failure::new("there are no accounts yet").hint("Add one with `sesame add`.")
        } else {
            SelectError::NoMatch(term).into()
        });
    }
    let alone = matches.len() == 1;
    let now = vault.now();
    let mut shown = Vec::with_capacity(matches.len());
    for account in matches {
        let mut row = Shown {
            id: account.id.to_string(),
            issuer: account.issuer.clone(),
            name: account.name.clone(),
            kind: account.params.kind,
            code: None,
            seconds_left: None,
            valid_until: None,
            next_code: None,
            counter: None,
        };
        if account.params.is_time_based() {
            // One keyring read per account, then every code of it from memory.
            let secret = vault.secret(account)?;
            let current = otp::timed_code(&secret, &account.params, now);
            if args.next {
                row.next_code = Some(otp::next_timed_code(&secret, &account.params, now).code);
            }
            row.seconds_left = Some(current.seconds_left);
            row.valid_until = Some(current.valid_until);
            row.code = Some(current.code);
        } else if alone {
            let hotp = vault.next_hotp(&account.id)?;
            row.counter = Some(hotp.counter);
            row.code = Some(hotp.code);
        }
        shown.push(row);
    }
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
