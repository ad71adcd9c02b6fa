//! `sesame bind`, `sesame approve`, `sesame servers`, `sesame unbind`: the companion side of
//! QR login from the terminal.

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;

use sesame_core::Sesame;
use sesame_core::scan::SignInCode;
use sesame_core::sesame::{DEVICE_NAME, Review};
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
    fn text(&self, sesame: &Sesame, wanted: SignInCode, what: &str) -> Result<String, Failure> {
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
        let report = source.scan(sesame)?;
        report
            .found
            .iter()
            .find_map(|found| match found.payload.sign_in() {
                Some((kind, text)) if kind == wanted => Some(text.to_owned()),
                _ => None,
            })
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

#[derive(Debug, clap::Args)]
pub struct BindArgs {
    #[command(flatten)]
    code: CodeSource,
    /// The name the server shows for this device.
    #[arg(long, default_value = DEVICE_NAME)]
    name: String,
    /// Bind without asking first (for scripts that checked the code's site and account).
    #[arg(long)]
    yes: bool,
}

pub fn bind(sesame: &Sesame, args: BindArgs) -> Result<ExitCode, Failure> {
    let uri = args
        .code
        .text(sesame, SignInCode::Bind, "Sesame binding code")?;
    let offer = sesame.preview_binding(&uri)?;
    println!(
        "Bind Sesame to {} as {}?",
        printable(&offer.origin),
        printable(&offer.account)
    );
    if let Some(old) = &offer.replaces {
        println!(
            "This replaces your binding to {} as {} once you type the pairing code on the page; \
             until then {} keeps working.",
            printable(&offer.origin),
            printable(old),
            printable(old)
        );
    }
    println!("Bind only if you asked for it on this site's account page yourself.");
    if !args.yes && !confirm("Bind?")? {
        println!("Nothing was bound.");
        return Ok(ExitCode::FAILURE);
    }
    let bound = sesame.bind(&uri, &args.name)?;
    println!(
        "Bound to {} as {}.",
        printable(&bound.origin),
        printable(&bound.account)
    );
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
    /// Approve a browser on another network address than this computer, where the policy's
    /// "warn" rule lets one through (for VPNs); under the default rule it is always refused.
    #[arg(long, alias = "accept-unknown-address")]
    accept_other_address: bool,
}

fn show(review: &Review) {
    let details = &review.pending.details;
    let age = review.age_seconds;
    println!(
        "Sign-in to {} as {}",
        printable(&review.pending.origin),
        printable(&details.account_display)
    );
    println!(
        "  browser: {} at {} ({})",
        printable(&review.browser),
        printable(&details.browser_address),
        printable(&details.user_agent)
    );
    println!("  started {age} s ago");
    println!(
        "  {}",
        match details.address_match {
            AddressMatch::Match => "the browser is on this computer's network address",
            AddressMatch::Mismatch =>
                "WARNING: the browser is NOT on this computer's network address",
        }
    );
    println!("Approve only if you opened this page yourself on this computer.");
}

pub fn approve(sesame: &Sesame, args: ApproveArgs) -> Result<ExitCode, Failure> {
    let uri = args
        .code
        .text(sesame, SignInCode::Login, "Sesame sign-in code")?;
    let review = sesame.review(&uri)?;
    show(&review);
    let pending = &review.pending;
    if args.deny {
        sesame.decide(pending, Decision::Deny, "")?;
        println!("Denied. The browser is not signed in.");
        return Ok(ExitCode::SUCCESS);
    }
    if review.confirm_place
        && !args.accept_other_address
        && !confirm("The browser is not on this computer's network address. Approve anyway?")?
    {
        sesame.decide(pending, Decision::Deny, "")?;
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
        sesame.decide(pending, Decision::Deny, "")?;
        println!("Denied. The browser is not signed in.");
        return Ok(ExitCode::SUCCESS);
    }
    match sesame.decide(pending, Decision::Approve, &number)? {
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

pub fn servers(sesame: &Sesame, args: ServersArgs) -> Result<ExitCode, Failure> {
    let servers = sesame.servers()?;
    if args.json {
        let list: Vec<_> = servers
            .iter()
            .map(|s| {
                if s.bound {
                    serde_json::json!({"origin": s.origin, "account": s.account, "server_kid": s.server_kid, "bound_at": s.bound_at})
                } else {
                    serde_json::json!({"origin": s.origin, "bound": false, "provided_by_policy": true})
                }
            })
            .collect();
        println!("{}", serde_json::Value::Array(list));
        return Ok(ExitCode::SUCCESS);
    }
    if servers.is_empty() {
        println!("Not bound to any server. Bind from your account page's \"Add Sesame\".");
    }
    for server in servers {
        if server.bound {
            println!(
                "{}  {}  key {}",
                server.origin, server.account, server.server_kid
            );
        } else {
            println!(
                "{}  provided by your organization, not bound yet: bind from its account page",
                server.origin
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, clap::Args)]
pub struct UnbindArgs {
    /// The server's origin, as `sesame servers` shows it.
    origin: String,
}

pub fn unbind(sesame: &Sesame, args: UnbindArgs) -> Result<ExitCode, Failure> {
    if sesame.unbind(&args.origin)? {
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

/// Text a server chose, safe to print: control characters (terminal escapes among them) are
/// shown as the replacement character, so a server cannot rewrite what the terminal shows.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}
