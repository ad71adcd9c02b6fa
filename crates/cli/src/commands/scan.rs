//! `sesame scan`: read QR codes off the screen, from an image file, or from the clipboard, and
//! say what each holds. Nothing is stored.

use std::path::PathBuf;
use std::process::ExitCode;

use sesame_core::Sesame;
use sesame_core::otpauth::uri;
use sesame_core::scan::{Found, Payload, ScanReport};

use crate::failure::Failure;

/// Where to look for codes (the screen when neither option is given).
#[derive(Debug, clap::Args)]
pub struct Source {
    /// Read codes from this image file (PNG, JPEG, WebP, BMP, GIF) instead of the screen.
    #[arg(long = "image", value_name = "FILE", conflicts_with = "clipboard")]
    pub image: Option<PathBuf>,
    /// Read codes from the image on the clipboard instead of the screen.
    #[arg(long)]
    pub clipboard: bool,
}

impl Source {
    /// Runs the scan (a screen scan looks again for a moment while it finds nothing).
    pub fn scan(&self, sesame: &Sesame) -> Result<ScanReport, Failure> {
        Ok(match (&self.image, self.clipboard) {
            (Some(path), _) => sesame.scan_image_file(path)?,
            (None, true) => sesame.scan_clipboard()?,
            (None, false) => sesame.scan_screen()?,
        })
    }
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    source: Source,
    /// Print JSON: every code with its source, position and content. Account codes show their
    /// label and settings, never their secret.
    #[arg(long)]
    json: bool,
}

pub fn run(sesame: &Sesame, args: Args) -> Result<ExitCode, Failure> {
    let report = args.source.scan(sesame)?;
    if args.json {
        let codes: Vec<_> = report.found.iter().map(json_of).collect();
        let json = serde_json::json!({
            "frames": report.frames,
            "codes": codes,
            "unreadable": report.unreadable,
        });
        println!("{json:#}");
    } else {
        for found in &report.found {
            println!("{}: {}", found.source, found.payload.describe());
        }
        for seen in &report.unreadable {
            println!(
                "{}: a QR code at {},{} that could not be read",
                seen.source, seen.bounds.left, seen.bounds.top
            );
        }
    }
    if report.found.is_empty() {
        eprintln!("{}", report.nothing_found_hint());
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn json_of(found: &Found) -> serde_json::Value {
    let mut value = serde_json::json!({
        "source": found.source,
        "bounds": found.bounds,
        "description": found.payload.describe(),
    });
    let kind = match &found.payload {
        Payload::Account(_) => "account",
        Payload::Migration(_) => "migration",
        Payload::Login(_) => "login",
        Payload::Bind(_) => "bind",
        Payload::Text(_) => "text",
        Payload::Unusable { .. } => "unusable",
    };
    value["kind"] = kind.into();
    match &found.payload {
        // Login and binding requests carry no secret of the user's; text is anyone's.
        Payload::Login(text) | Payload::Bind(text) | Payload::Text(text) => {
            value["text"] = text.as_str().into();
        }
        Payload::Account(text) => {
            if let Ok(parsed) = uri::parse(text) {
                value["issuer"] = parsed.account.issuer.as_str().into();
                value["name"] = parsed.account.name.as_str().into();
            }
        }
        Payload::Unusable { bytes, .. } => value["bytes"] = (*bytes).into(),
        Payload::Migration(_) => {}
    }
    value
}
