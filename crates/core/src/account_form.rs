//! An account typed into a form (issuer, name, secret, parameters), checked by the same rules
//! and with the same messages as an otpauth URI.

use serde::Deserialize;
use zeroize::Zeroizing;

use crate::account::NewAccount;
use crate::otp::{Algorithm, OtpKind, OtpParams, ParamsError};
use crate::secret::{Secret, SecretError};

/// The form's fields as the user filled them in.
#[derive(Debug, Clone, Deserialize)]
pub struct AccountForm {
    /// The service.
    #[serde(default)]
    pub issuer: String,
    /// The account at that service.
    #[serde(default)]
    pub name: String,
    /// Base32 secret, as printed by the service (spaces and lower case are fine).
    pub secret: Zeroizing<String>,
    /// totp, hotp or steam.
    pub kind: OtpKind,
    /// SHA1, SHA256 or SHA512.
    #[serde(default)]
    pub algorithm: Algorithm,
    /// 6 to 8.
    pub digits: u8,
    /// Seconds per code (TOTP).
    pub period: u32,
    /// First counter value (HOTP).
    #[serde(default)]
    pub counter: u64,
}

/// What is wrong with a form; each variant names the field to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    /// Neither issuer nor name.
    #[error("give an issuer or an account name")]
    MissingLabel,
    /// An issuer or name longer than [`crate::account::MAX_LABEL_BYTES`].
    #[error("the {0} is longer than {max} bytes", max = crate::account::MAX_LABEL_BYTES)]
    LabelTooLong(&'static str),
    /// The secret is unusable.
    #[error("secret: {0}")]
    Secret(#[from] SecretError),
    /// Digits or period out of range.
    #[error("{0}")]
    Params(#[from] ParamsError),
}

impl FormError {
    /// The form field the message belongs to.
    pub fn field(&self) -> &'static str {
        match self {
            Self::MissingLabel => "name",
            Self::LabelTooLong(part) => part,
            Self::Secret(_) => "secret",
            Self::Params(ParamsError::Digits(_)) => "digits",
            Self::Params(ParamsError::Period(_)) => "period",
            Self::Params(ParamsError::Steam) => "kind",
        }
    }
}

impl AccountForm {
    /// Checks the fields and builds the account.
    pub fn to_new_account(&self) -> Result<NewAccount, FormError> {
        let (issuer, name) = (self.issuer.trim().to_owned(), self.name.trim().to_owned());
        if issuer.is_empty() && name.is_empty() {
            return Err(FormError::MissingLabel);
        }
        if let Some(part) = crate::account::overlong_label_part(&issuer, &name) {
            return Err(FormError::LabelTooLong(part));
        }
        let params = match self.kind {
            OtpKind::Totp => OtpParams::totp(self.algorithm, self.digits, self.period)?,
            OtpKind::Hotp => OtpParams::hotp(self.algorithm, self.digits, self.counter)?,
            OtpKind::Steam => OtpParams::steam(),
        };
        Ok(NewAccount {
            issuer,
            name,
            params,
            secret: Secret::from_base32(&self.secret)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> AccountForm {
        AccountForm {
            issuer: " ACME ".into(),
            name: "ann".into(),
            secret: Zeroizing::new("jbsw y3dp ehpk 3pxp".into()),
            kind: OtpKind::Totp,
            algorithm: Algorithm::Sha256,
            digits: 8,
            period: 60,
            counter: 0,
        }
    }

    #[test]
    fn a_valid_form_builds_the_account() {
        let account = form().to_new_account().expect("valid");
        assert_eq!(account.label(), "ACME:ann");
        assert_eq!(
            account.params,
            OtpParams::totp(Algorithm::Sha256, 8, 60).expect("ok")
        );
    }

    #[test]
    fn each_problem_names_its_field() {
        let cases = [
            (
                AccountForm {
                    issuer: " ".into(),
                    name: "".into(),
                    ..form()
                },
                "name",
            ),
            (
                AccountForm {
                    secret: Zeroizing::new("JBSW1".into()),
                    ..form()
                },
                "secret",
            ),
            (
                AccountForm {
                    digits: 4,
                    ..form()
                },
                "digits",
            ),
            (
                AccountForm {
                    period: 0,
                    ..form()
                },
                "period",
            ),
        ];
        for (form, field) in cases {
            let error = form.to_new_account().expect_err(field);
            assert_eq!(error.field(), field, "{error}");
        }
    }
}
