//! `sesame doctor`: can Sesame do its job on this machine? The keyring and the index (finishing
//! any add or removal a crash interrupted), the organization's policy, screen capture, and the
//! bound servers. Exits non-zero when anything fails, for monitoring and provisioning scripts.

use std::process::ExitCode;

use serde::Serialize;
use sesame_core::Sesame;
use sesame_core::policy::{Policy, PolicySource};
use sesame_core::sesame::ServerHealth;

use crate::failure::Failure;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print JSON for monitoring scripts.
    #[arg(long)]
    json: bool,
    /// Also repair what can be repaired safely: files and the data folder readable by others
    /// are made private again (0600 and 0700).
    #[arg(long)]
    fix: bool,
}

/// One check's outcome.
#[derive(Serialize)]
struct Check {
    name: String,
    /// "ok", "fixed", "skipped" or "fail".
    status: &'static str,
    detail: String,
}

impl Check {
    fn new(name: impl Into<String>, status: &'static str, detail: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            status,
            detail: detail.into(),
        }
    }
}

#[derive(Serialize)]
struct Report {
    healthy: bool,
    checks: Vec<Check>,
}

pub fn run(sesame: &Sesame, args: Args) -> Result<ExitCode, Failure> {
    let mut checks = Vec::new();
    vault_checks(sesame, &mut checks);
    mode_checks(sesame, args.fix, &mut checks);
    checks.push(policy_check(&sesame.policy()));
    checks.push(screen_check());
    server_checks(sesame, &mut checks);

    let healthy = checks.iter().all(|c| c.status != "fail");
    if args.json {
        let report = Report { healthy, checks };
        println!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| Failure::new(e.to_string()))?
        );
    } else {
        for check in &checks {
            let status = if check.status == "fail" {
                "FAIL"
            } else {
                check.status
            };
            println!("{status:<7} {}: {}", check.name, check.detail);
        }
    }
    Ok(if healthy {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn vault_checks(sesame: &Sesame, checks: &mut Vec<Check>) {
    let report = match sesame.repair() {
        Ok(report) => report,
        Err(error) => {
            // A damaged or refused index is the index's problem, not the keyring's.
            let name = match &error {
                sesame_core::sesame::Error::Vault(sesame_core::vault::VaultError::Index(_)) => {
                    "index"
                }
                _ => "keyring",
            };
            let failure = Failure::from(error);
            checks.push(Check::new(name, "fail", failure.to_string()));
            return;
        }
    };
    checks.push(Check::new(
        "keyring",
        "ok",
        format!("{} answers, and accepts writes", report.store),
    ));
    checks.push(Check::new(
        "index",
        "ok",
        report.index_path.display().to_string(),
    ));
    checks.push(Check::new(
        "accounts",
        "ok",
        format!("{} with their secrets", report.healthy),
    ));
    for label in &report.restored {
        checks.push(Check::new(
            label.clone(),
            "fixed",
            "restored: its add was interrupted after the secret was stored",
        ));
    }
    for label in &report.dropped_incomplete {
        checks.push(Check::new(
            label.clone(),
            "fixed",
            "dropped the record: its add was interrupted before anything was stored",
        ));
    }
    for label in &report.finished_removals {
        checks.push(Check::new(label.clone(), "fixed", "finished removing it"));
    }
    if !report.removed_leftovers.is_empty() {
        checks.push(Check::new(
            "index",
            "fixed",
            format!(
                "removed {} temporary file(s) left by interrupted writes",
                report.removed_leftovers.len()
            ),
        ));
    }
    if report.removed_probes > 0 {
        checks.push(Check::new(
            "keyring",
            "fixed",
            format!(
                "removed {} test entr{} left by interrupted doctor runs",
                report.removed_probes,
                if report.removed_probes == 1 {
                    "y"
                } else {
                    "ies"
                }
            ),
        ));
    }
    for account in &report.missing_secrets {
        checks.push(Check::new(
            format!("{} ({})", account.label(), account.id.short()),
            "fail",
            "its secret is not in the keyring; remove it and add it again from the service",
        ));
    }
}

/// Files of the data dir that other users may read or write: reported, and tightened with
/// `--fix`.
fn mode_checks(sesame: &Sesame, fix: bool, checks: &mut Vec<Check>) {
    let loose = if fix {
        match sesame.tighten_file_modes() {
            Ok(fixed) => {
                for entry in fixed {
                    checks.push(Check::new(
                        "permissions",
                        "fixed",
                        format!(
                            "{} was {:o}, now {:o}",
                            entry.path.display(),
                            entry.mode,
                            entry.wanted
                        ),
                    ));
                }
                return;
            }
            Err(error) => {
                checks.push(Check::new(
                    "permissions",
                    "fail",
                    format!("could not make the data folder private: {error}"),
                ));
                return;
            }
        }
    } else {
        sesame.loose_file_modes()
    };
    for entry in loose {
        checks.push(Check::new(
            "permissions",
            "fail",
            format!(
                "{} is {:o}: other users may read or change it; `sesame doctor --fix` makes it {:o}",
                entry.path.display(),
                entry.mode,
                entry.wanted
            ),
        ));
    }
}

fn policy_check(policy: &Policy) -> Check {
    let ignored = policy
        .ignored_override()
        .map(|path| {
            format!(
                " (SESAME_POLICY={} is ignored: the system policy wins)",
                path.display()
            )
        })
        .unwrap_or_default();
    match policy.source() {
        PolicySource::None => Check::new(
            "policy",
            "ok",
            "none: this machine is not managed by an organization",
        ),
        PolicySource::File(path) => Check::new(
            "policy",
            "ok",
            format!("{} is in force{ignored}", path.display()),
        ),
        PolicySource::Broken(problem) => Check::new(
            "policy",
            "fail",
            format!(
                "{problem}. Until it is fixed Sesame binds no server, approves no sign-in, \
                 and allows no export, typed account or `sesame code`{ignored}"
            ),
        ),
    }
}

fn screen_check() -> Check {
    let has_display = !cfg!(target_os = "linux")
        || std::env::var_os("DISPLAY").is_some()
        || std::env::var_os("WAYLAND_DISPLAY").is_some();
    if !has_display {
        return Check::new(
            "screen capture",
            "skipped",
            "no display in this session (DISPLAY and WAYLAND_DISPLAY are unset)",
        );
    }
    match sesame_core::scan::screen::scan_screens() {
        Ok(report) => Check::new(
            "screen capture",
            "ok",
            format!(
                "the screen can be read ({} QR code(s) on it now)",
                report.found.len()
            ),
        ),
        Err(error) => Check::new("screen capture", "fail", Failure::from(error).to_string()),
    }
}

fn server_checks(sesame: &Sesame, checks: &mut Vec<Check>) {
    let servers = match sesame.server_health() {
        Ok(servers) => servers,
        Err(error) => {
            checks.push(Check::new("servers", "fail", error.to_string()));
            return;
        }
    };
    if !servers
        .iter()
        .any(|s| !matches!(s, ServerHealth::ProvidedUnbound { .. }))
    {
        checks.push(Check::new("servers", "ok", "not bound to any server"));
    }
    for server in servers {
        checks.push(match server {
            ServerHealth::Refused { origin, refusal } => {
                Check::new(format!("server {origin}"), "fail", refusal.to_string())
            }
            ServerHealth::Reachable { origin, account } => Check::new(
                format!("server {origin}"),
                "ok",
                format!("reachable; bound as {account}"),
            ),
            ServerHealth::Unreachable { origin, error } => {
                Check::new(format!("server {origin}"), "fail", error.to_string())
            }
            ServerHealth::ProvidedUnbound { origin } => Check::new(
                format!("server {origin}"),
                "ok",
                "provided by the policy, not bound yet: bind from its account page",
            ),
        });
    }
}
