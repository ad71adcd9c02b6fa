//! `sesame`: Sesame's command line, for provisioning and scripting over the same vault the
//! window uses.

mod commands;
mod failure;
mod input;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use sesame_core::Sesame;

use failure::Failure;

/// Sesame keeps TOTP/HOTP secrets in the system keyring and shows their codes.
#[derive(Debug, Parser)]
#[command(name = "sesame", version, about, long_about = None)]
struct Cli {
    /// Where the account index lives (the secrets are always in the system keyring).
    #[arg(long, global = true, env = "SESAME_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Add an account from an otpauth:// URI, or every account of a Google Authenticator
    /// export (otpauth-migration://). Without URI, reads it from standard input (hidden when
    /// typed), which keeps the secret out of your shell history; or reads its QR code with
    /// --from-screen, --from-image FILE or --from-clipboard.
    Add(commands::add::Args),
    /// List the accounts (no secrets, no keyring access).
    List(commands::list::Args),
    /// Show current codes, with the seconds they stay valid. HOTP codes are generated only when
    /// the search names that one account, because generating one advances its counter.
    Code(commands::code::Args),
    /// Change an account's issuer or name.
    Rename(commands::rename::Args),
    /// Remove an account and delete its secret from the keyring.
    Remove(commands::remove::Args),
    /// Read QR codes off the screen (or an image file, or the clipboard) and say what each
    /// holds. Stores nothing.
    Scan(commands::scan::Args),
    /// Bind this device to a server for QR sign-in, from its sesame://bind code.
    Bind(commands::login::BindArgs),
    /// Approve (or --deny) a QR sign-in from its sesame://login code, after showing where it
    /// comes from.
    Approve(commands::login::ApproveArgs),
    /// List the servers this device is bound to.
    Servers(commands::login::ServersArgs),
    /// Forget a bound server and delete this device's key for it.
    Unbind(commands::login::UnbindArgs),
    /// Import another authenticator's export (Aegis, 2FAS, andOTP, Bitwarden…) or a file of
    /// otpauth:// URIs: lists every entry, asks, then adds the usable ones.
    Import(commands::transfer::ImportArgs),
    /// Write every account, with its secret, as otpauth:// URIs to a new file (for moving to
    /// another machine).
    Export(commands::transfer::ExportArgs),
    /// Back up every account to a new password-encrypted file that Aegis opens too; restore it
    /// with `sesame import`.
    Backup(commands::backup::Args),
    /// Check this machine: the keyring and the index (finishing any add or removal a crash
    /// interrupted), the organization's policy, screen capture, and the bound servers.
    Doctor(commands::doctor::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // A keyring behind its unlock prompt keeps a command waiting: say so, on stderr, so that
    // scripts reading stdout are not disturbed (the call gives up after a bound).
    sesame_core::vault::on_keyring_wait(|| {
        eprintln!(
            "Waiting for the system keyring to answer: if it asks for your password, unlock it \
             (Sesame gives up after {} s)…",
            sesame_core::vault::GIVE_UP_AFTER.as_secs()
        );
    });
    let sesame = match Sesame::from_environment(cli.data_dir) {
        Ok(sesame) => sesame,
        Err(error) => {
            eprintln!("{}", Failure::from(error));
            return ExitCode::FAILURE;
        }
    };
    let outcome = match cli.command {
        Command::Add(args) => commands::add::run(&sesame, args),
        Command::List(args) => commands::list::run(&sesame, args),
        Command::Code(args) => commands::code::run(&sesame, args),
        Command::Rename(args) => commands::rename::run(&sesame, args),
        Command::Remove(args) => commands::remove::run(&sesame, args),
        Command::Import(args) => commands::transfer::import(&sesame, args),
        Command::Export(args) => commands::transfer::export(&sesame, args),
        Command::Backup(args) => commands::backup::run(&sesame, args),
        Command::Doctor(args) => commands::doctor::run(&sesame, args),
        Command::Scan(args) => commands::scan::run(&sesame, args),
        Command::Bind(args) => commands::login::bind(&sesame, args),
        Command::Approve(args) => commands::login::approve(&sesame, args),
        Command::Servers(args) => commands::login::servers(&sesame, args),
        Command::Unbind(args) => commands::login::unbind(&sesame, args),
    };
    match outcome {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("{failure}");
            ExitCode::FAILURE
        }
    }
}
