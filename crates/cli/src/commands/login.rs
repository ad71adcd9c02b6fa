//! `sesame bind`, `sesame approve`, `sesame servers`, `sesame unbind`: the companion side of
//! QR login from the terminal.

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;

use sesame_core::login::{Companion, LoginError, PendingApproval};
use sesame_core::policy::AddressVerdict;
use sesame_core::scan::Payload;
use sesame_protocol::address::AddressMatch;
use sesame_protocol::wire::{Decision, SessionState};

use super::scan::Source;
use crate::failure::Failure;
use crate::input::confirm;

/// Where the code comes from: the argument, or a scan.
#[derive(Debug, clap::Args)]
pub struct CodeSource {
    /// The sesame:// URI (from the page's "Open in Sesame" link, say).
    uri: Option<String>,
    /// Read the code off the screen.
    #[arg(long, conflicts_with_all = ["uri", "from_image"])]
    from_screen: bool,
    /// Read the code from an image file.
    #[arg(long, value_name = "FILE", conflicts_with = "uri")]
    from_image: Option<PathBuf>,
}

impl CodeSource {
    /// The code's text, scanned if asked, the first code of `wanted` kind found.
    fn text(&self, wanted: fn(&Payload) -> Option<&str>, what: &str) -> Result<String, Failure> {
        if let Some(uri) = &self.uri {
            return Ok(uri.trim().to_owned());
        }
        if !self.from_screen && self.from_image.is_none() {
            return Err(Failure::new(format!("no {what} was given")).hint(
                "Pass the sesame:// URI, or --from-screen to read the QR code off the screen.",
            ));
        }
        let source = Source {
            image: self.from_image.clone(),
            clipboard: false,
        };
        let report = source.scan()?;
        report
            .found
            .iter()
            .find_map(|found| wanted(&found.payload).map(str::to_owned))
            .ok_or_else(|| {
                let hint = if report.found.is_empty() {
                    report.nothing_found_hint().to_owned()
                } else {
                    format!(
                        "The codes found were: {}.",
                        report
                            .found
                            .iter()
                            .map(|f| f.payload.describe())
                            .collect::<Vec<_>>()
                            .join("; ")
                    )
                };
                Failure::new(format!("no {what} was found")).hint(hint)
            })
    }
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl From<LoginError> for Failure {
    fn from(error: LoginError) -> Self {
        let hint = match &error {
            LoginError::Server {
                attempts_left: Some(left),
                ..
            } => Some(format!("{left} attempt(s) left.")),
            LoginError::Store(store) => Some(store.hint().to_owned()),
            LoginError::Refused(_) => Some("Nothing was approved.".to_owned()),
            LoginError::Policy(_) => Some("Ask your IT department if you need this.".to_owned()),
            _ => None,
        };
        let failure = Failure::new(error.to_string());
        match hint {
            Some(hint) => failure.hint(hint),
            None => failure,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct BindArgs {
    #[command(flatten)]
    code: CodeSource,
    /// The name the server shows for this device.
    #[arg(long, default_value = "Sesame on this computer")]
    name: String,
}

pub fn bind(data_dir: &std::path::Path, args: BindArgs) -> Result<ExitCode, Failure> {
    let uri = args.code.text(
        |p| match p {
            Payload::Bind(text) => Some(text),
            _ => None,
        },
        "Sesame binding code",
    )?;
    let bound = Companion::open(data_dir).bind(&uri, &args.name, now())?;
    println!("Bound to {} as {}.", bound.origin, bound.account);
    println!(
        "Type this pairing code on the page to finish: {}",
        bound.pairing_code
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, clap::Args)]
pub struct ApproveArgs {
    #[command(flatten)]
    code: CodeSource,
    /// The number the sign-in page shows; without it, read from standard input (asked at a
    /// terminal) once the code is scanned. Nothing denies.
    #[arg(long, conflicts_with = "deny")]
    number: Option<String>,
    /// Deny the sign-in: you did not start it.
    #[arg(long)]
    deny: bool,
    /// Approve even when Sesame cannot confirm the browser is on this computer (the server
    /// cannot compare the addresses, or the policy's "warn" rule lets a different one through).
    #[arg(long)]
    accept_unknown_address: bool,
}

fn show(pending: &PendingApproval) {
    let details = &pending.details;
    let age = now().saturating_sub(details.created_at);
    println!(
        "Sign-in to {} as {}",
        pending.origin, details.account_display
    );
    println!(
        "  browser: {} ({})",
        details.browser_address, details.user_agent
    );
    println!("  started {age} s ago");
    println!(
        "  {}",
        match details.address_match {
            AddressMatch::Match => "the browser is on this computer's network address",
            AddressMatch::Mismatch =>
                "WARNING: the browser is NOT on this computer's network address",
            AddressMatch::Unknown =>
                "the server cannot tell whether the browser is on this computer",
        }
    );
    println!("Approve only if you opened this page yourself on this computer.");
}

pub fn approve(data_dir: &std::path::Path, args: ApproveArgs) -> Result<ExitCode, Failure> {
    let uri = args.code.text(
        |p| match p {
            Payload::Login(text) => Some(text),
            _ => None,
        },
        "Sesame sign-in code",
    )?;
    let companion = Companion::open(data_dir);
    let pending = companion.scan(&uri, now())?;
    show(&pending);
    if args.deny {
        companion.decide(&pending, Decision::Deny, "", now())?;
        println!("Denied. The browser is not signed in.");
        return Ok(ExitCode::SUCCESS);
    }
    if pending.verdict == AddressVerdict::Confirm
        && !args.accept_unknown_address
        && !confirm("Sesame cannot confirm the browser is on this computer. Approve anyway?")?
    {
        companion.decide(&pending, Decision::Deny, "", now())?;
        println!("Denied.");
        return Ok(ExitCode::FAILURE);
    }
    // The number appears on the sign-in page only now that the code is scanned: asked at a
    // terminal, read as a line from standard input otherwise (`echo 42 | sesame approve …`).
    let number = match args.number {
        Some(number) => number,
        None => {
            if std::io::stdin().is_terminal() {
                eprint!("Type the number the sign-in page shows (nothing to deny): ");
            }
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            line.trim().to_owned()
        }
    };
    if number.is_empty() {
        companion.decide(&pending, Decision::Deny, "", now())?;
        println!("Denied. The browser is not signed in.");
        return Ok(ExitCode::SUCCESS);
    }
    match companion.decide(&pending, Decision::Approve, &number, now())? {
        SessionState::Confirmed => println!("Approved. The browser signs in now."),
        other => println!("The sign-in is now {other:?}."),
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, clap::Args)]
pub struct ServersArgs {
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

pub fn servers(data_dir: &std::path::Path, args: ServersArgs) -> Result<ExitCode, Failure> {
    let companion = Companion::open(data_dir);
    let servers = companion.bound()?;
    let provided = companion.provided_unbound(&servers);
    if args.json {
        let mut list: Vec<_> = servers
            .iter()
            .map(|s| serde_json::json!({"origin": s.origin, "account": s.account, "server_kid": s.server_kid, "bound_at": s.bound_at}))
            .collect();
        list.extend(
            provided
                .iter()
                .map(|origin| serde_json::json!({"origin": origin, "bound": false, "provided_by_policy": true})),
        );
        println!("{}", serde_json::Value::Array(list));
        return Ok(ExitCode::SUCCESS);
    }
    if servers.is_empty() && provided.is_empty() {
        println!("Not bound to any server. Bind from your account page's \"Add Sesame\".");
    }
    for server in servers {
        println!(
            "{}  {}  key {}",
            server.origin, server.account, server.server_kid
        );
    }
    for origin in provided {
        println!(
            "{origin}  provided by your organization, not bound yet: bind from its account page"
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, clap::Args)]
pub struct UnbindArgs {
    /// The server's origin, as `sesame servers` shows it.
    origin: String,
}

pub fn unbind(data_dir: &std::path::Path, args: UnbindArgs) -> Result<ExitCode, Failure> {
    if Companion::open(data_dir).unbind(&args.origin)? {
        println!(
            "Unbound from {}; its device key is deleted. Remove the device on the server's account page too.",
            args.origin
        );
        Ok(ExitCode::SUCCESS)
    } else {
        Err(Failure::new(format!("not bound to {}", args.origin))
            .hint("`sesame servers` lists the servers."))
    }
}
