//! Google Authenticator's export: `otpauth-migration://offline?data=<base64 protobuf>`.
//!
//! The message layout is Google's `MigrationPayload` (as documented by the community decoders,
//! e.g. dim13/otpauth and Aegis's importer); `prost` decodes it from the derived types below.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use prost::Message as _;
use zeroize::{Zeroize, Zeroizing};

use crate::account::NewAccount;
use crate::otp::{Algorithm, DEFAULT_PERIOD, OtpParams, ParamsError};
use crate::secret::{Secret, SecretError};

/// The longest export read. One QR code holds under 3 KB; a text export of a large batch is
/// still far below this.
pub const MAX_MIGRATION_LENGTH: usize = 64 * 1024;

mod wire {
    //! Google's MigrationPayload message, field for field.
    use std::fmt;

    #[derive(Clone, PartialEq, prost::Message)]
    pub struct MigrationPayload {
        #[prost(message, repeated, tag = "1")]
        pub otp_parameters: Vec<OtpParameters>,
        #[prost(int32, tag = "2")]
        pub version: i32,
        #[prost(int32, tag = "3")]
        pub batch_size: i32,
        #[prost(int32, tag = "4")]
        pub batch_index: i32,
        #[prost(int32, tag = "5")]
        pub batch_id: i32,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    #[prost(skip_debug)]
    pub struct OtpParameters {
        #[prost(bytes = "vec", tag = "1")]
        pub secret: Vec<u8>,
        #[prost(string, tag = "2")]
        pub name: String,
        #[prost(string, tag = "3")]
        pub issuer: String,
        #[prost(enumeration = "Algorithm", tag = "4")]
        pub algorithm: i32,
        #[prost(enumeration = "DigitCount", tag = "5")]
        pub digits: i32,
        #[prost(enumeration = "OtpType", tag = "6")]
        pub otp_type: i32,
        #[prost(int64, tag = "7")]
        pub counter: i64,
    }

    // prost's derived Debug would print the secret bytes.
    impl fmt::Debug for OtpParameters {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("OtpParameters")
                .field("name", &self.name)
                .field("issuer", &self.issuer)
                .field("secret", &"[redacted]")
                .finish_non_exhaustive()
        }
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq, prost::Enumeration)]
    #[repr(i32)]
    pub enum Algorithm {
        Unspecified = 0,
        Sha1 = 1,
        Sha256 = 2,
        Sha512 = 3,
        Md5 = 4,
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq, prost::Enumeration)]
    #[repr(i32)]
    pub enum DigitCount {
        Unspecified = 0,
        Six = 1,
        Eight = 2,
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq, prost::Enumeration)]
    #[repr(i32)]
    pub enum OtpType {
        Unspecified = 0,
        Hotp = 1,
        Totp = 2,
    }
}

/// Why an export could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MigrationError {
    /// Longer than [`MAX_MIGRATION_LENGTH`].
    #[error("the export is {0} bytes long; at most {MAX_MIGRATION_LENGTH} are read")]
    TooLong(usize),
    /// Not an `otpauth-migration://offline` URI.
    #[error(
        "this is not a Google Authenticator export; it must start with otpauth-migration://offline?data="
    )]
    NotMigration,
    /// No `data` parameter.
    #[error("the export has no data parameter")]
    MissingData,
    /// `data` is not base64.
    #[error("the export's data is not valid base64")]
    Base64,
    /// `data` is not the expected protobuf message.
    #[error("the export's data is damaged or not an authenticator export ({0})")]
    Protobuf(String),
    /// A well-formed export with no accounts in it.
    #[error("the export holds no accounts")]
    Empty,
}

/// Why one entry of an export was not imported; the others still are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    /// MD5 or an unknown hash.
    #[error("its algorithm ({0}) is not supported")]
    UnsupportedAlgorithm(String),
    /// Neither HOTP nor TOTP.
    #[error("its type is not HOTP or TOTP")]
    UnknownType,
    /// A kind of code another app computes that Sesame does not (mOTP, Yandex).
    #[error("its type ({0}) is not one Sesame computes: TOTP, HOTP or Steam")]
    UnsupportedType(String),
    /// A counter below zero.
    #[error("its counter is negative")]
    NegativeCounter,
    /// The secret is unusable.
    #[error("{0}")]
    Secret(#[from] SecretError),
    /// Digits unknown.
    #[error("{0}")]
    Params(#[from] ParamsError),
    /// No issuer and no name.
    #[error("it has neither an issuer nor a name")]
    MissingLabel,
    /// An `otpauth://` URI inside an export that does not read.
    #[error("its otpauth:// URI: {0}")]
    Uri(String),
    /// An issuer or name longer than [`crate::account::MAX_LABEL_BYTES`].
    #[error("its {0} is longer than {max} bytes", max = crate::account::MAX_LABEL_BYTES)]
    LabelTooLong(&'static str),
    /// A key written as a list of bytes with a value that is not one.
    #[error("its secret holds a value that is not a byte")]
    SecretNotBytes,
    /// A line of a text file that is not an account (what is wrong with it, never its secret).
    #[error("{0}")]
    UnreadableLine(String),
}

/// Where an entry was: its position in an export, or its line in a text file (both from 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Entry(usize),
    Line(usize),
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Entry(position) => write!(f, "entry {position}"),
            Self::Line(number) => write!(f, "line {number}"),
        }
    }
}

/// An entry that was left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedEntry {
    /// Where it was in the export or file.
    pub place: Place,
    /// `issuer:name` as the export gives it.
    pub label: String,
    /// The reason.
    pub reason: EntryError,
}

/// What an export held.
#[derive(Debug, Clone)]
pub struct MigrationBatch {
    /// Entries ready to store.
    pub accounts: Vec<NewAccount>,
    /// Entries that could not be used.
    pub skipped: Vec<SkippedEntry>,
    /// Which of the export's QR codes this is.
    pub part: BatchPart,
}

/// Google splits large exports over several QR codes: which one an export is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchPart {
    /// 1-based.
    pub index: usize,
    /// How many QR codes the export has.
    pub count: usize,
}

impl BatchPart {
    /// True when the export has other QR codes, to be added too.
    pub fn has_others(&self) -> bool {
        self.count > 1
    }
}

impl std::fmt::Display for SkippedEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.place, self.label.is_empty()) {
            (Place::Line(_), true) => write!(f, "{}: {}", self.place, self.reason),
            (_, true) => write!(f, "{} (no name): {}", self.place, self.reason),
            (_, false) => write!(f, "{} ({}): {}", self.place, self.label, self.reason),
        }
    }
}

const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Reads an `otpauth-migration://offline?data=…` export.
pub fn parse(uri: &str) -> Result<MigrationBatch, MigrationError> {
    let uri = uri.trim();
    if uri.len() > MAX_MIGRATION_LENGTH {
        return Err(MigrationError::TooLong(uri.len()));
    }
    let parsed = url::Url::parse(uri).map_err(|_| MigrationError::NotMigration)?;
    if !parsed.scheme().eq_ignore_ascii_case("otpauth-migration")
        || !parsed
            .host_str()
            .is_some_and(|h| h.eq_ignore_ascii_case("offline"))
    {
        return Err(MigrationError::NotMigration);
    }
    let data = parsed
        .query_pairs()
        .find(|(name, _)| name == "data")
        .map(|(_, value)| Zeroizing::new(value.into_owned()))
        .ok_or(MigrationError::MissingData)?;
    // Copied exports often carry '+' unescaped, which query decoding turns into a space, and
    // some tools write the URL-safe alphabet: base64 has no spaces, so both map back safely.
    let normalized: Zeroizing<String> = Zeroizing::new(
        data.chars()
            .map(|c| match c {
                ' ' => '+',
                '-' => '+',
                '_' => '/',
                other => other,
            })
            .collect(),
    );
    let bytes = Zeroizing::new(
        LENIENT_BASE64
            .decode(normalized.as_bytes())
            .map_err(|_| MigrationError::Base64)?,
    );
    let mut payload = wire::MigrationPayload::decode(bytes.as_slice())
        .map_err(|e| MigrationError::Protobuf(e.to_string()))?;
    if payload.otp_parameters.is_empty() {
        return Err(MigrationError::Empty);
    }

    let mut accounts = Vec::new();
    let mut skipped = Vec::new();
    for (index, entry) in payload.otp_parameters.iter_mut().enumerate() {
        let secret = Zeroizing::new(std::mem::take(&mut entry.secret));
        let (issuer, name) = split_label(&entry.issuer, &entry.name);
        let read = match crate::account::overlong_label_part(&issuer, &name) {
            Some(part) => Err(EntryError::LabelTooLong(part)),
            None => read_entry(entry, &secret),
        };
        match read {
            Ok((params, secret)) if !(issuer.is_empty() && name.is_empty()) => {
                accounts.push(NewAccount {
                    issuer,
                    name,
                    params,
                    secret,
                });
            }
            result => {
                let reason = result.err().unwrap_or(EntryError::MissingLabel);
                // An overlong label is not repeated back in full.
                let label = match reason {
                    EntryError::LabelTooLong(_) => String::new(),
                    _ => crate::account::label(&issuer, &name),
                };
                skipped.push(SkippedEntry {
                    place: Place::Entry(index + 1),
                    label,
                    reason,
                });
            }
        }
    }
    let batch_size = usize::try_from(payload.batch_size).unwrap_or(0).max(1);
    let batch_index = usize::try_from(payload.batch_index).unwrap_or(0) + 1;
    Ok(MigrationBatch {
        accounts,
        skipped,
        part: BatchPart {
            index: batch_index.min(batch_size),
            count: batch_size,
        },
    })
}

fn read_entry(
    entry: &wire::OtpParameters,
    secret: &[u8],
) -> Result<(OtpParams, Secret), EntryError> {
    let algorithm = match wire::Algorithm::try_from(entry.algorithm) {
        Ok(wire::Algorithm::Unspecified | wire::Algorithm::Sha1) => Algorithm::Sha1,
        Ok(wire::Algorithm::Sha256) => Algorithm::Sha256,
        Ok(wire::Algorithm::Sha512) => Algorithm::Sha512,
        Ok(wire::Algorithm::Md5) => return Err(EntryError::UnsupportedAlgorithm("MD5".into())),
        Err(_) => {
            return Err(EntryError::UnsupportedAlgorithm(format!(
                "code {}",
                entry.algorithm
            )));
        }
    };
    let digits = match wire::DigitCount::try_from(entry.digits) {
        Ok(wire::DigitCount::Eight) => 8,
        _ => 6,
    };
    let params = match wire::OtpType::try_from(entry.otp_type) {
        // Google's export carries no period: every account it holds uses 30 s.
        Ok(wire::OtpType::Totp | wire::OtpType::Unspecified) => {
            OtpParams::totp(algorithm, digits, DEFAULT_PERIOD)?
        }
        Ok(wire::OtpType::Hotp) => {
            let counter = u64::try_from(entry.counter).map_err(|_| EntryError::NegativeCounter)?;
            OtpParams::hotp(algorithm, digits, counter)?
        }
        Err(_) => return Err(EntryError::UnknownType),
    };
    Ok((params, Secret::from_bytes(secret.to_vec())?))
}

/// Google writes the name as "Issuer:name" when it has both, and sometimes only the name.
fn split_label(issuer: &str, name: &str) -> (String, String) {
    let issuer = issuer.trim();
    if !issuer.is_empty() {
        let name = name
            .strip_prefix(issuer)
            .and_then(|rest| rest.strip_prefix(':'))
            .unwrap_or(name);
        return (issuer.to_owned(), name.trim().to_owned());
    }
    match name.split_once(':') {
        Some((issuer, name)) => (issuer.trim().to_owned(), name.trim().to_owned()),
        None => (String::new(), name.trim().to_owned()),
    }
}

/// Writes accounts as one Google Authenticator export, which that app (and Sesame) can import.
/// Accounts Google's format cannot carry (a period other than 30 s, 7 digits, Steam) are refused.
pub fn export(accounts: &[NewAccount]) -> Result<Zeroizing<String>, ExportError> {
    export_part(accounts, BatchPart { index: 1, count: 1 }, 0)
}

/// Whether Google's format can carry the account: it has no period (30 s is assumed), digits
/// 6 or 8 only, and no Steam.
pub fn representable(account: &NewAccount) -> bool {
    let params = &account.params;
    params.kind != crate::otp::OtpKind::Steam
        && matches!(params.digits, 6 | 8)
        && (params.kind == crate::otp::OtpKind::Hotp || params.period == DEFAULT_PERIOD)
}

/// The most accounts one QR code carries, as Google Authenticator itself splits its exports: a
/// code stays easy to read off a screen.
pub const ACCOUNTS_PER_CODE: usize = 10;

/// Writes accounts as a Google Authenticator export of as many QR codes as it takes
/// ([`ACCOUNTS_PER_CODE`] each), numbered and sharing one batch id, as Google's own are: the
/// apps that read them (Google Authenticator, Aegis, 2FAS, Ente) know they belong together.
pub fn export_batches(
    accounts: &[NewAccount],
    batch_id: i32,
) -> Result<Vec<Zeroizing<String>>, ExportError> {
    let count = accounts.len().div_ceil(ACCOUNTS_PER_CODE);
    accounts
        .chunks(ACCOUNTS_PER_CODE)
        .enumerate()
        .map(|(i, chunk)| {
            export_part(
                chunk,
                BatchPart {
                    index: i + 1,
                    count,
                },
                batch_id,
            )
        })
        .collect()
}

fn export_part(
    accounts: &[NewAccount],
    part: BatchPart,
    batch_id: i32,
) -> Result<Zeroizing<String>, ExportError> {
    let mut payload = wire::MigrationPayload {
        otp_parameters: Vec::with_capacity(accounts.len()),
        version: 1,
        batch_size: i32::try_from(part.count).unwrap_or(i32::MAX),
        batch_index: i32::try_from(part.index - 1).unwrap_or(i32::MAX),
        batch_id,
    };
    for account in accounts {
        let params = &account.params;
        if !representable(account) {
            return Err(ExportError::Unrepresentable(account.label()));
        }
        payload.otp_parameters.push(wire::OtpParameters {
            secret: account.secret.expose().to_vec(),
            name: account.name.clone(),
            issuer: account.issuer.clone(),
            algorithm: match params.algorithm {
                Algorithm::Sha1 => wire::Algorithm::Sha1,
                Algorithm::Sha256 => wire::Algorithm::Sha256,
                Algorithm::Sha512 => wire::Algorithm::Sha512,
            } as i32,
            digits: if params.digits == 8 {
                wire::DigitCount::Eight
            } else {
                wire::DigitCount::Six
            } as i32,
            otp_type: if params.kind == crate::otp::OtpKind::Hotp {
                wire::OtpType::Hotp
            } else {
                wire::OtpType::Totp
            } as i32,
            counter: i64::try_from(params.counter).unwrap_or(i64::MAX),
        });
    }
    let bytes = Zeroizing::new(payload.encode_to_vec());
    for entry in &mut payload.otp_parameters {
        entry.secret.zeroize();
    }
    let data = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(bytes.as_slice()));
    let escaped = Zeroizing::new(
        percent_encoding::utf8_percent_encode(&data, percent_encoding::NON_ALPHANUMERIC)
            .to_string(),
    );
    Ok(Zeroizing::new(format!(
        "otpauth-migration://offline?data={}",
        escaped.as_str()
    )))
}

/// Why accounts could not be exported in Google's format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// Google's format has no field for this account's parameters.
    #[error(
        "{0} cannot be exported to Google Authenticator: its format has only 30-second TOTP and HOTP with 6 or 8 digits"
    )]
    Unrepresentable(String),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::otp::OtpKind;

    fn account(issuer: &str, name: &str, params: OtpParams, secret: &str) -> NewAccount {
        NewAccount {
            issuer: issuer.into(),
            name: name.into(),
            params,
            secret: Secret::from_base32(secret).expect("valid"),
        }
    }

    #[test]
    fn a_generated_export_imports_every_account() {
        let accounts = vec![
            account(
                "GitHub",
                "alice",
                OtpParams::totp(Algorithm::Sha1, 6, 30).expect("ok"),
                "JBSWY3DPEHPK3PXP",
            ),
            account(
                "",
                "bob@example.com",
                OtpParams::totp(Algorithm::Sha256, 8, 30).expect("ok"),
                "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
            ),
            account(
                "Bank",
                "carol",
                OtpParams::hotp(Algorithm::Sha512, 6, 17).expect("ok"),
                "MFRGGZDFMZTWQ2LK",
            ),
        ];
        let uri = export(&accounts).expect("representable");
        assert!(uri.starts_with("otpauth-migration://offline?data="));
        let batch = parse(&uri).expect("our own export");
        assert_eq!(batch.accounts, accounts);
        assert!(batch.skipped.is_empty());
        assert_eq!(batch.part, BatchPart { index: 1, count: 1 });
    }

    #[test]
    fn reads_googles_issuer_prefixed_names_and_unescaped_plus() {
        let payload = wire::MigrationPayload {
            otp_parameters: vec![wire::OtpParameters {
                secret: vec![0xfb; 20], // base64 of this run is full of '+' and '/'
                name: "Example:dave".into(),
                issuer: "Example".into(),
                algorithm: 1,
                digits: 1,
                otp_type: 2,
                counter: 0,
            }],
            version: 1,
            batch_size: 2,
            batch_index: 1,
            batch_id: 7,
        };
        let data = base64::engine::general_purpose::STANDARD.encode(payload.encode_to_vec());
        assert!(data.contains('+'));
        let batch = parse(&format!("otpauth-migration://offline?data={data}")).expect("valid");
        assert_eq!(batch.accounts[0].label(), "Example:dave");
        assert_eq!(batch.accounts[0].params.kind, OtpKind::Totp);
        assert_eq!(batch.accounts[0].secret.expose(), &[0xfb; 20]);
        assert_eq!(batch.part, BatchPart { index: 2, count: 2 });
    }

    #[test]
    fn unusable_entries_are_skipped_with_their_reason() {
        let good = wire::OtpParameters {
            secret: vec![7; 10],
            name: "ok".into(),
            issuer: String::new(),
            algorithm: 1,
            digits: 1,
            otp_type: 2,
            counter: 0,
        };
        let md5 = wire::OtpParameters {
            algorithm: 4,
            name: "old".into(),
            ..good.clone()
        };
        let empty_secret = wire::OtpParameters {
            secret: vec![],
            name: "blank".into(),
            ..good.clone()
        };
        let nameless = wire::OtpParameters {
            name: String::new(),
            ..good.clone()
        };
        let payload = wire::MigrationPayload {
            otp_parameters: vec![good, md5, empty_secret, nameless],
            ..Default::default()
        };
        let data = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload.encode_to_vec());
        let batch = parse(&format!("otpauth-migration://offline?data={data}")).expect("valid");
        assert_eq!(batch.accounts.len(), 1);
        let reasons: Vec<_> = batch
            .skipped
            .iter()
            .map(|s| (s.place, s.reason.clone()))
            .collect();
        assert_eq!(
            reasons,
            vec![
                (
                    Place::Entry(2),
                    EntryError::UnsupportedAlgorithm("MD5".into())
                ),
                (Place::Entry(3), EntryError::Secret(SecretError::Empty)),
                (Place::Entry(4), EntryError::MissingLabel),
            ]
        );
    }

    #[test]
    fn a_large_export_is_split_into_numbered_codes_of_ten_that_read_back() {
        let accounts: Vec<NewAccount> = (0..23)
            .map(|i| {
                account(
                    "Bulk",
                    &format!("user{i}"),
                    OtpParams::totp(Algorithm::Sha1, 6, 30).expect("valid"),
                    "JBSWY3DPEHPK3PXP",
                )
            })
            .collect();
        let codes = export_batches(&accounts, 77).expect("exportable");
        assert_eq!(codes.len(), 3);
        let mut names = Vec::new();
        for (i, code) in codes.iter().enumerate() {
            let batch = parse(code).expect("reads back");
            assert_eq!(
                batch.part,
                BatchPart {
                    index: i + 1,
                    count: 3
                }
            );
            names.extend(batch.accounts.into_iter().map(|a| a.name));
        }
        let want: Vec<String> = (0..23).map(|i| format!("user{i}")).collect();
        assert_eq!(names, want);
        assert_eq!(parse(&codes[2]).expect("read").accounts.len(), 3);
    }

    #[test]
    fn malformed_exports_say_what_is_wrong() {
        assert_eq!(
            parse("otpauth://totp/x?secret=AA").err(),
            Some(MigrationError::NotMigration)
        );
        assert_eq!(
            parse("otpauth-migration://online?data=AA").err(),
            Some(MigrationError::NotMigration)
        );
        assert_eq!(
            parse("otpauth-migration://offline?foo=1").err(),
            Some(MigrationError::MissingData)
        );
        assert_eq!(
            parse("otpauth-migration://offline?data=%%%").err(),
            Some(MigrationError::Base64)
        );
        assert!(matches!(
            parse("otpauth-migration://offline?data=CgP/").err(),
            Some(MigrationError::Protobuf(_))
        ));
        assert_eq!(
            parse("otpauth-migration://offline?data=").err(),
            Some(MigrationError::Empty)
        );
        let huge = format!(
            "otpauth-migration://offline?data={}",
            "A".repeat(MAX_MIGRATION_LENGTH)
        );
        assert!(matches!(
            parse(&huge).err(),
            Some(MigrationError::TooLong(_))
        ));
    }

    #[test]
    fn refuses_to_export_what_google_cannot_hold() {
        let steam = account("Steam", "gabe", OtpParams::steam(), "JBSWY3DPEHPK3PXP");
        assert_eq!(
            export(&[steam]).err(),
            Some(ExportError::Unrepresentable("Steam:gabe".into()))
        );
    }

    #[test]
    fn debug_of_a_wire_entry_hides_the_secret() {
        let entry = wire::OtpParameters {
            secret: b"topsecret".to_vec(),
            ..Default::default()
        };
        assert!(!format!("{entry:?}").contains("116"));
    }
}
