//! One module per command, each a thin layer over `sesame_core`.

pub mod add;
pub mod code;
pub mod doctor;
pub mod list;
pub mod remove;
pub mod rename;
pub mod scan;

use sesame_core::Account;
use sesame_core::account::select;

use crate::failure::Failure;

/// The one account a command-line term designates.
pub fn selected(vault: &sesame_core::Vault, term: &str) -> Result<Account, Failure> {
    let accounts = vault.accounts()?;
    Ok(select(&accounts, term)?.clone())
}

/// "TOTP, SHA1, 6 digits, every 30 s" and the like.
pub fn describe_params(params: &sesame_core::otp::OtpParams) -> String {
    use sesame_core::otp::OtpKind;
    match params.kind {
        OtpKind::Totp => format!(
            "TOTP, {}, {} digits, every {} s",
            params.algorithm, params.digits, params.period
        ),
        OtpKind::Hotp => format!(
            "HOTP, {}, {} digits, next counter {}",
            params.algorithm, params.digits, params.counter
        ),
        OtpKind::Steam => "Steam Guard".to_owned(),
    }
}
