//! Moving accounts to a phone: Google Authenticator migration QR codes, the one format every
//! phone authenticator imports (Google Authenticator, Aegis, 2FAS, Ente Auth, …), split as
//! Google splits its own and drawn as SVG for the window to show.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};
use rand::RngCore as _;
use zeroize::Zeroizing;

use crate::account::NewAccount;
use crate::otpauth::migration::{self, ExportError};

/// One QR code of the transfer.
pub struct PhoneCode {
    /// 1-based, of `count`.
    pub index: usize,
    pub count: usize,
    /// `issuer:name` of the accounts it carries.
    pub labels: Vec<String>,
    /// The code as an SVG image. It is every secret it carries: zeroized when dropped.
    pub svg: Zeroizing<String>,
}

/// The codes, and the accounts Google's format cannot carry (the Aegis backup can).
pub struct PhoneTransfer {
    pub codes: Vec<PhoneCode>,
    pub left_out: Vec<String>,
}

/// Why the codes could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum PhoneError {
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error("the QR code could not be drawn: {0}")]
    Draw(String),
}

/// The QR codes for `accounts`.
pub fn phone_transfer(accounts: Vec<NewAccount>) -> Result<PhoneTransfer, PhoneError> {
    let (carried, left_out): (Vec<NewAccount>, Vec<NewAccount>) =
        accounts.into_iter().partition(migration::representable);
    // One id for the whole set, as Google's own exports have, so apps know the codes go together.
    let batch_id = i32::try_from(rand::rngs::OsRng.next_u32() >> 1).unwrap_or(0);
    let links = migration::export_batches(&carried, batch_id)?;
    let count = links.len();
    let mut codes = Vec::with_capacity(count);
    for ((index, link), chunk) in links
        .iter()
        .enumerate()
        .zip(carried.chunks(migration::ACCOUNTS_PER_CODE))
    {
        codes.push(PhoneCode {
            index: index + 1,
            count,
            labels: chunk.iter().map(NewAccount::label).collect(),
            svg: draw(link)?,
        });
    }
    Ok(PhoneTransfer {
        codes,
        left_out: left_out.iter().map(NewAccount::label).collect(),
    })
}

/// An SVG of `text` as a QR code: medium error correction (a phone's camera aimed at a monitor
/// sees glare and moiré) and the 4-module quiet zone readers need.
fn draw(text: &str) -> Result<Zeroizing<String>, PhoneError> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| PhoneError::Draw(e.to_string()))?;
    Ok(Zeroizing::new(
        code.render::<svg::Color<'_>>()
            .min_dimensions(320, 320)
            .quiet_zone(true)
            .build(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::otp::{Algorithm, OtpParams};
    use crate::secret::Secret;

    fn account(issuer: &str, params: OtpParams) -> NewAccount {
        NewAccount {
            issuer: issuer.into(),
            name: "ada".into(),
            params,
            secret: Secret::from_base32("JBSWY3DPEHPK3PXP").expect("secret"),
        }
    }

    #[test]
    fn accounts_google_cannot_carry_are_listed_and_the_rest_drawn_in_tens() {
        let mut accounts: Vec<NewAccount> = (0..12)
            .map(|i| {
                account(
                    &format!("Site{i}"),
                    OtpParams::totp(Algorithm::Sha1, 6, 30).expect("valid"),
                )
            })
            .collect();
        accounts.push(account("Steam", OtpParams::steam()));
        accounts.push(account(
            "Slow",
            OtpParams::totp(Algorithm::Sha1, 6, 60).expect("valid"),
        ));
        let transfer = phone_transfer(accounts).expect("drawn");
        assert_eq!(transfer.left_out, ["Steam:ada", "Slow:ada"]);
        let shape: Vec<(usize, usize, usize)> = transfer
            .codes
            .iter()
            .map(|c| (c.index, c.count, c.labels.len()))
            .collect();
        assert_eq!(shape, [(1, 2, 10), (2, 2, 2)]);
        assert!(transfer.codes[0].svg.starts_with("<?xml"));
    }
}
