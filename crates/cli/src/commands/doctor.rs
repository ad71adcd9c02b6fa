//! `sesame doctor`: is the keyring usable, and do index and keyring agree?

use std::process::ExitCode;

use serde::Serialize;
use sesame_core::Vault;

use crate::failure::Failure;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print JSON for monitoring scripts.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Report<'a> {
    healthy: bool,
    index: String,
    keyring: &'a str,
    accounts_ok: usize,
    restored: &'a [String],
    dropped_incomplete: &'a [String],
    finished_removals: &'a [String],
    missing_secrets: Vec<String>,
}

pub fn run(vault: &Vault, args: Args) -> Result<ExitCode, Failure> {
    let report = vault.doctor()?;
    let missing: Vec<String> = report
        .missing_secrets
        .iter()
        .map(|a| format!("{} ({})", a.label(), a.id.short()))
        .collect();
    if args.json {
        let json = Report {
            healthy: report.is_healthy(),
            index: report.index_path.display().to_string(),
            keyring: &report.store,
            accounts_ok: report.healthy,
            restored: &report.restored,
            dropped_incomplete: &report.dropped_incomplete,
            finished_removals: &report.finished_removals,
            missing_secrets: missing,
        };
        println!(
            "{}",
            serde_json::to_string_pretty(&json).map_err(|e| Failure::new(e.to_string()))?
        );
    } else {
        println!("ok  keyring: {} answers, and accepts writes", report.store);
        println!("ok  index: {}", report.index_path.display());
        println!("ok  {} accounts with their secrets", report.healthy);
        for label in &report.restored {
            println!(
                "fixed  restored {label}: its add was interrupted after the secret was stored"
            );
        }
        for label in &report.dropped_incomplete {
            println!(
                "fixed  dropped the record of {label}: its add was interrupted before anything was stored"
            );
        }
        for label in &report.finished_removals {
            println!("fixed  finished removing {label}");
        }
        for label in &missing {
            println!(
                "FAIL  {label}: its secret is not in the keyring; remove it and add it again from the service"
            );
        }
    }
    Ok(if report.is_healthy() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
