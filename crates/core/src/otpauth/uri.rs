//! The Key URI format (`otpauth://TYPE/LABEL?PARAMETERS`), read as authenticators read it in
//! practice and written as the format's documentation asks.
//!
//! Reference: Google Authenticator's "Key Uri Format" wiki page, and Yubico's URI string format
//! (for SHA256/SHA512 and `counter`). Steam Guard arrives as `otpauth://steam/…` (Aegis) or
//! `otpauth://totp/…&encoder=steam` (KeePassXC); both are read, the latter is written.

use std::collections::HashMap;

use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};
use zeroize::Zeroizing;

use crate::account::NewAccount;
use crate::otp::{Algorithm, DEFAULT_DIGITS, DEFAULT_PERIOD, OtpKind, OtpParams, ParamsError};
use crate::secret::{RECOMMENDED_MIN_BYTES, Secret, SecretError};

/// The longest URI read: a key URI is a few hundred bytes; anything much longer is not one.
pub const MAX_URI_LENGTH: usize = 4096;

/// What was wrong with an otpauth URI. Each variant names the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UriError {
    /// An issuer or name longer than [`crate::account::MAX_LABEL_BYTES`].
    #[error("the account's {0} is longer than {max} bytes", max = crate::account::MAX_LABEL_BYTES)]
    LabelTooLong(&'static str),
    /// Longer than [`MAX_URI_LENGTH`].
    #[error("the URI is {0} bytes long; an otpauth URI is at most {MAX_URI_LENGTH}")]
    TooLong(usize),
    /// Not parseable as a URI at all.
    #[error("this is not a URI ({0}); expected otpauth://totp/Issuer:name?secret=…")]
    Malformed(String),
    /// A scheme other than `otpauth`.
    #[error("the URI starts with {0:?}; Sesame adds accounts only from otpauth:// URIs")]
    WrongScheme(String),
    /// A type other than totp, hotp or steam.
    #[error("the type {0:?} is not known; it must be totp or hotp")]
    UnknownType(String),
    /// A field that is not valid UTF-8 once percent-decoded.
    #[error("the {0} is not valid UTF-8 text once percent-decoded")]
    BadEncoding(&'static str),
    /// Neither an issuer nor an account name.
    #[error("the label is empty: the URI names neither an issuer nor an account")]
    MissingLabel,
    /// No `secret` parameter.
    #[error("the secret parameter is missing")]
    MissingSecret,
    /// The `secret` parameter is not a usable base32 key.
    #[error("secret: {0}")]
    Secret(#[from] SecretError),
    /// A parameter given twice, so which one counts is ambiguous.
    #[error("the {0} parameter is given more than once")]
    DuplicateParameter(String),
    /// An algorithm other than SHA1, SHA256, SHA512.
    #[error("the algorithm {0:?} is not supported; use SHA1, SHA256 or SHA512")]
    UnsupportedAlgorithm(String),
    /// A numeric parameter that is not a number.
    #[error("the {name} parameter {value:?} is not a whole number")]
    NotANumber {
        /// Parameter name.
        name: &'static str,
        /// Its value as written.
        value: String,
    },
    /// HOTP without the `counter` parameter, which the format requires.
    #[error("an HOTP URI needs a counter parameter")]
    MissingCounter,
    /// Digits or period out of range.
    #[error("{0}")]
    Params(#[from] ParamsError),
}

/// Something acceptable but worth telling the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UriWarning {
    /// The label's issuer prefix and the `issuer` parameter differ; the parameter was used, as the
    /// format recommends and as Google Authenticator does.
    IssuerMismatch {
        /// The prefix in the label.
        label: String,
        /// The `issuer` parameter, which wins.
        parameter: String,
    },
    /// A secret shorter than 80 bits: accepted, but weak.
    ShortSecret {
        /// Its length in bits.
        bits: usize,
    },
}

impl std::fmt::Display for UriWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::IssuerMismatch { label, parameter } => write!(
                f,
                "the label says the issuer is {label:?} but the issuer parameter says \
                 {parameter:?}; using {parameter:?}"
            ),
            Self::ShortSecret { bits } => write!(
                f,
                "the secret is only {bits} bits long; the service should issue at least 128"
            ),
        }
    }
}

/// A parsed URI: the account and anything the user should be told about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedUri {
    /// The account, ready to store.
    pub account: NewAccount,
    /// Accepted oddities.
    pub warnings: Vec<UriWarning>,
}

/// Reads an `otpauth://` URI.
pub fn parse(uri: &str) -> Result<ParsedUri, UriError> {
    let uri = uri.trim();
    if uri.len() > MAX_URI_LENGTH {
        return Err(UriError::TooLong(uri.len()));
    }
    let parsed = url::Url::parse(uri).map_err(|e| UriError::Malformed(e.to_string()))?;
    if !parsed.scheme().eq_ignore_ascii_case("otpauth") {
        return Err(UriError::WrongScheme(format!("{}:", parsed.scheme())));
    }
    let type_name = parsed.host_str().unwrap_or_default().to_ascii_lowercase();

    let query = Parameters::read(&parsed)?;
    let steam_encoder = query
        .get("encoder")
        .is_some_and(|e| e.eq_ignore_ascii_case("steam"));
    let kind = match type_name.as_str() {
        "totp" if steam_encoder => OtpKind::Steam,
        "totp" => OtpKind::Totp,
        "hotp" => OtpKind::Hotp,
        "steam" => OtpKind::Steam,
        _ => return Err(UriError::UnknownType(type_name)),
    };

    let mut warnings = Vec::new();
    let (issuer, name) = read_label(&parsed, query.get("issuer"), &mut warnings)?;
    if let Some(part) = crate::account::overlong_label_part(&issuer, &name) {
        return Err(UriError::LabelTooLong(part));
    }

    let secret_text = query.get("secret").ok_or(UriError::MissingSecret)?;
    let secret = Secret::from_base32(secret_text)?;
    if secret.expose().len() < RECOMMENDED_MIN_BYTES {
        warnings.push(UriWarning::ShortSecret {
            bits: secret.bits(),
        });
    }

    let params = match kind {
        OtpKind::Steam => OtpParams::steam(),
        OtpKind::Totp | OtpKind::Hotp => {
            let algorithm = match query.get("algorithm") {
                None => Algorithm::default(),
                Some(text) => read_algorithm(text)?,
            };
            let digits = query.number("digits")?.unwrap_or(u64::from(DEFAULT_DIGITS));
            let digits = u8::try_from(digits).unwrap_or(u8::MAX);
            if kind == OtpKind::Totp {
                let period = query.number("period")?.unwrap_or(u64::from(DEFAULT_PERIOD));
                OtpParams::totp(algorithm, digits, u32::try_from(period).unwrap_or(u32::MAX))?
            } else {
                let counter = query.number("counter")?.ok_or(UriError::MissingCounter)?;
                OtpParams::hotp(algorithm, digits, counter)?
            }
        }
    };

    Ok(ParsedUri {
        account: NewAccount {
            issuer,
            name,
            params,
            secret,
        },
        warnings,
    })
}

fn read_algorithm(text: &str) -> Result<Algorithm, UriError> {
    // Some generators write "SHA-256" or "sha256"; the algorithm is not in doubt.
    match text.to_ascii_uppercase().replace('-', "").as_str() {
        "SHA1" => Ok(Algorithm::Sha1),
        "SHA256" => Ok(Algorithm::Sha256),
        "SHA512" => Ok(Algorithm::Sha512),
        _ => Err(UriError::UnsupportedAlgorithm(text.to_owned())),
    }
}

/// Splits the label into issuer and account name, reconciling it with the `issuer` parameter.
fn read_label(
    parsed: &url::Url,
    issuer_parameter: Option<&str>,
    warnings: &mut Vec<UriWarning>,
) -> Result<(String, String), UriError> {
    let raw = parsed.path().trim_start_matches('/');
    let decode = |part: &str| {
        percent_decode_str(part)
            .decode_utf8()
            .map(|text| text.trim().to_owned())
            .map_err(|_| UriError::BadEncoding("label"))
    };
    // A literal ':' separates issuer and name, so a colon escaped inside either part survives;
    // failing that, an encoded separator ("ACME%3Ajohn") is accepted, as the format allows.
    let (label_issuer, name) = match raw.split_once(':') {
        Some((issuer, name)) => (Some(decode(issuer)?), decode(name)?),
        None => match decode(raw)?.split_once(':') {
            Some((issuer, name)) => (Some(issuer.trim().to_owned()), name.trim().to_owned()),
            None => (None, decode(raw)?),
        },
    };
    let parameter = issuer_parameter.map(str::trim).filter(|p| !p.is_empty());
    let issuer = match (label_issuer, parameter) {
        (Some(from_label), Some(from_parameter)) => {
            if !from_label.eq_ignore_ascii_case(from_parameter) {
                warnings.push(UriWarning::IssuerMismatch {
                    label: from_label,
                    parameter: from_parameter.to_owned(),
                });
            }
            from_parameter.to_owned()
        }
        (Some(from_label), None) => from_label,
        (None, Some(from_parameter)) => from_parameter.to_owned(),
        (None, None) => String::new(),
    };
    if issuer.is_empty() && name.is_empty() {
        return Err(UriError::MissingLabel);
    }
    Ok((issuer, name))
}

/// Query parameters, names lower-cased, each allowed once. Values that hold the secret are
/// wiped when this is dropped.
struct Parameters(HashMap<String, Zeroizing<String>>);

impl Parameters {
    fn read(parsed: &url::Url) -> Result<Self, UriError> {
        let mut map = HashMap::new();
        // query_pairs decodes '+' as a space: generators that form-encode the issuer
        // ("ACME+Co") mean a space, and a base32 secret never contains '+'.
        for (name, value) in parsed.query_pairs() {
            let name = name.to_ascii_lowercase();
            if map.contains_key(&name) {
                return Err(UriError::DuplicateParameter(name));
            }
            map.insert(name, Zeroizing::new(value.into_owned()));
        }
        Ok(Self(map))
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|v| v.as_str())
    }

    fn number(&self, name: &'static str) -> Result<Option<u64>, UriError> {
        self.get(name)
            .map(|text| {
                text.trim()
                    .parse::<u64>()
                    .map_err(|_| UriError::NotANumber {
                        name,
                        value: text.to_owned(),
                    })
            })
            .transpose()
    }
}

// What must be escaped inside a label part or a parameter value: the URI's own delimiters, the
// label's ':' separator, '%', '+' (read back as a space) and anything that is not printable ASCII.
const COMPONENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'&')
    .add(b'+')
    .add(b'/')
    .add(b':')
    .add(b'<')
    .add(b'>')
    .add(b'=')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

fn escape(text: &str) -> String {
    utf8_percent_encode(text, COMPONENT).to_string()
}

/// Writes the account as a Key URI that other authenticators read back identically. The result
/// holds the secret, so it is returned in a zeroizing string.
pub fn format(account: &NewAccount) -> Zeroizing<String> {
    let params = &account.params;
    let type_name = match params.kind {
        OtpKind::Hotp => "hotp",
        OtpKind::Totp | OtpKind::Steam => "totp",
    };
    let label = if account.issuer.is_empty() && !account.name.contains(':') {
        escape(&account.name)
    } else if account.issuer.is_empty() {
        // A reader that finds no literal separator splits the decoded label at its first ':',
        // which would take part of this name for an issuer: an empty issuer before a literal
        // ':' keeps the name whole (found by fuzzing: "::/d Con" came back as "/d Con").
        format!(":{}", escape(&account.name))
    } else {
        format!("{}:{}", escape(&account.issuer), escape(&account.name))
    };
    let mut uri = Zeroizing::new(format!("otpauth://{type_name}/{label}?secret="));
    uri.push_str(&account.secret.to_base32());
    if !account.issuer.is_empty() {
        uri.push_str("&issuer=");
        uri.push_str(&escape(&account.issuer));
    }
    match params.kind {
        OtpKind::Steam => uri.push_str("&digits=5&encoder=steam"),
        OtpKind::Totp => uri.push_str(&format!(
            "&algorithm={}&digits={}&period={}",
            params.algorithm, params.digits, params.period
        )),
        OtpKind::Hotp => uri.push_str(&format!(
            "&algorithm={}&digits={}&counter={}",
            params.algorithm, params.digits, params.counter
        )),
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "JBSWY3DPEHPK3PXP";

    /// Found by the `otpauth_uri` fuzz target: a 4 KB URI with long labels read, then printed
    /// back longer than the reader's 4096-byte limit, so its export could not be imported.
    #[test]
    fn labels_longer_than_the_bound_are_refused_and_the_longest_accepted_round_trip() {
        let long = "é".repeat(crate::account::MAX_LABEL_BYTES / 2 + 1);
        assert_eq!(
            parse(&format!("otpauth://totp/{long}:ada?secret={SECRET}")).err(),
            Some(UriError::LabelTooLong("issuer"))
        );
        // 256 bytes of the characters that escape longest: four-byte emoji.
        let most = "😀".repeat(crate::account::MAX_LABEL_BYTES / 4);
        let account = ok(&format!(
            "otpauth://totp/{most}:{most}?secret={}&issuer={most}",
            "A".repeat((crate::secret::MAX_BYTES * 8).div_ceil(5))
        ))
        .account;
        let printed = format(&account);
        assert!(printed.len() <= MAX_URI_LENGTH, "{}", printed.len());
        assert_eq!(ok(&printed).account.name, account.name);
    }

    /// Found by the `otpauth_uri` fuzz target: a name with a colon and no issuer was written
    /// so that it read back split in two.
    #[test]
    fn a_name_with_a_colon_and_no_issuer_reads_back_whole() {
        let account = ok(&format!("otpauth://totp/::/d%20Con?secret={SECRET}")).account;
        assert_eq!(
            (account.issuer.as_str(), account.name.as_str()),
            ("", ":/d Con")
        );
        let again = ok(&format(&account)).account;
        assert_eq!(
            (again.issuer.as_str(), again.name.as_str()),
            ("", ":/d Con")
        );
    }

    fn ok(uri: &str) -> ParsedUri {
        parse(uri).unwrap_or_else(|e| panic!("{uri}: {e}"))
    }

    fn err(uri: &str) -> UriError {
        match parse(uri) {
            Ok(parsed) => panic!("{uri} parsed as {:?}", parsed.account.label()),
            Err(e) => e,
        }
    }

    #[test]
    fn applies_the_formats_defaults() {
        let parsed = ok(&format!("otpauth://totp/alice@example.com?secret={SECRET}"));
        let account = &parsed.account;
        assert_eq!(
            (account.issuer.as_str(), account.name.as_str()),
            ("", "alice@example.com")
        );
        assert_eq!(
            account.params,
            OtpParams::totp(Algorithm::Sha1, 6, 30).expect("valid")
        );
        assert!(parsed.warnings.is_empty());
    }

    #[test]
    fn reads_every_parameter() {
        let parsed = ok(&format!(
            "OTPAUTH://TOTP/ACME:bob?SECRET={SECRET}&algorithm=sha512&digits=8&period=60&image=x"
        ));
        assert_eq!(
            parsed.account.params,
            OtpParams::totp(Algorithm::Sha512, 8, 60).expect("valid")
        );
        let hotp = ok(&format!(
            "otpauth://hotp/ACME:bob?secret={SECRET}&counter=42"
        ));
        assert_eq!(hotp.account.params.kind, OtpKind::Hotp);
        assert_eq!(hotp.account.params.counter, 42);
    }

    #[test]
    fn issuer_from_label_parameter_or_both() {
        let both = ok(&format!(
            "otpauth://totp/ACME%20Co:john.doe%40email.com?secret={SECRET}&issuer=ACME%20Co"
        ));
        assert_eq!(both.account.issuer, "ACME Co");
        assert_eq!(both.account.name, "john.doe@email.com");
        assert!(both.warnings.is_empty());

        let param_only = ok(&format!(
            "otpauth://totp/john?secret={SECRET}&issuer=ACME+Co"
        ));
        assert_eq!(param_only.account.issuer, "ACME Co");

        // A space after the colon and an encoded colon are both common.
        let encoded = ok(&format!("otpauth://totp/ACME%3A%20john?secret={SECRET}"));
        assert_eq!(
            (
                encoded.account.issuer.as_str(),
                encoded.account.name.as_str()
            ),
            ("ACME", "john")
        );

        let unicode = ok(&format!(
            "otpauth://totp/B%C3%BCro:j%C3%BCrgen?secret={SECRET}"
        ));
        assert_eq!(unicode.account.label(), "Büro:jürgen");
    }

    #[test]
    fn the_issuer_parameter_wins_a_disagreement_with_a_warning() {
        let parsed = ok(&format!(
            "otpauth://totp/Old:john?secret={SECRET}&issuer=New"
        ));
        assert_eq!(parsed.account.issuer, "New");
        assert_eq!(
            parsed.warnings,
            vec![UriWarning::IssuerMismatch {
                label: "Old".into(),
                parameter: "New".into()
            }]
        );
    }

    #[test]
    fn steam_in_both_spellings() {
        let aegis = ok(&format!(
            "otpauth://steam/Steam:gabe?secret={SECRET}&issuer=Steam"
        ));
        let keepass = ok(&format!(
            "otpauth://totp/Steam:gabe?secret={SECRET}&encoder=steam"
        ));
        assert_eq!(aegis.account.params, OtpParams::steam());
        assert_eq!(keepass.account.params, OtpParams::steam());
    }

    #[test]
    fn short_secrets_are_accepted_with_a_warning() {
        let parsed = ok("otpauth://totp/x?secret=JBSWY3DP");
        assert_eq!(parsed.warnings, vec![UriWarning::ShortSecret { bits: 40 }]);
    }

    #[test]
    fn every_malformed_class_names_its_field() {
        let s = SECRET;
        let cases: Vec<(String, UriError)> = vec![
            (
                "not a uri".into(),
                UriError::Malformed("relative URL without a base".into()),
            ),
            (
                format!("https://example.com/?secret={s}"),
                UriError::WrongScheme("https:".into()),
            ),
            (
                format!("otpauth://motp/x?secret={s}"),
                UriError::UnknownType("motp".into()),
            ),
            (
                format!("otpauth:///x?secret={s}"),
                UriError::UnknownType(String::new()),
            ),
            ("otpauth://totp/x?issuer=A".into(), UriError::MissingSecret),
            (
                "otpauth://totp/x?secret=".into(),
                UriError::Secret(SecretError::Empty),
            ),
            (
                "otpauth://totp/x?secret=JBSW0Y3D".into(),
                UriError::Secret(SecretError::InvalidCharacter {
                    character: '0',
                    position: 5,
                }),
            ),
            (
                "otpauth://totp/x?secret=JBS".into(),
                UriError::Secret(SecretError::InvalidLength { length: 3 }),
            ),
            (
                format!("otpauth://totp/?secret={s}"),
                UriError::MissingLabel,
            ),
            (
                format!("otpauth://totp/%20:%20?secret={s}"),
                UriError::MissingLabel,
            ),
            (
                format!("otpauth://totp/%FF?secret={s}"),
                UriError::BadEncoding("label"),
            ),
            (
                format!("otpauth://totp/x?secret={s}&secret={s}"),
                UriError::DuplicateParameter("secret".into()),
            ),
            (
                format!("otpauth://totp/x?secret={s}&algorithm=MD5"),
                UriError::UnsupportedAlgorithm("MD5".into()),
            ),
            (
                format!("otpauth://totp/x?secret={s}&digits=six"),
                UriError::NotANumber {
                    name: "digits",
                    value: "six".into(),
                },
            ),
            (
                format!("otpauth://totp/x?secret={s}&digits=10"),
                UriError::Params(ParamsError::Digits(10)),
            ),
            (
                format!("otpauth://totp/x?secret={s}&digits=300"),
                UriError::Params(ParamsError::Digits(255)),
            ),
            (
                format!("otpauth://totp/x?secret={s}&period=0"),
                UriError::Params(ParamsError::Period(0)),
            ),
            (
                format!("otpauth://totp/x?secret={s}&period=-30"),
                UriError::NotANumber {
                    name: "period",
                    value: "-30".into(),
                },
            ),
            (
                format!("otpauth://hotp/x?secret={s}"),
                UriError::MissingCounter,
            ),
            (
                format!("otpauth://hotp/x?secret={s}&counter=99999999999999999999"),
                UriError::NotANumber {
                    name: "counter",
                    value: "99999999999999999999".into(),
                },
            ),
            (
                format!("otpauth://totp/x?secret={}", "A".repeat(5000)),
                UriError::TooLong(5000 + "otpauth://totp/x?secret=".len()),
            ),
        ];
        for (uri, expected) in cases {
            assert_eq!(err(&uri), expected, "{uri}");
        }
    }

    #[test]
    fn messages_say_what_was_wrong() {
        let message = err("otpauth://totp/x?secret=JBSW0Y3D").to_string();
        assert_eq!(
            message,
            "secret: the secret has '0' at position 5, which is not base32 (A-Z, 2-7)"
        );
        assert!(
            !err("otpauth://hotp/x?secret=JBSWY3DP")
                .to_string()
                .is_empty()
        );
    }

    #[test]
    fn formatting_round_trips_awkward_labels() {
        let uris = [
            format!("otpauth://totp/A%3Ab%20c:d%2Be%3Af?secret={SECRET}&issuer=A%3Ab%20c"),
            format!(
                "otpauth://hotp/Büro:x%26y?secret={SECRET}&counter=7&digits=8&algorithm=SHA256"
            ),
            format!("otpauth://totp/only-name?secret={SECRET}&period=45"),
            format!("otpauth://totp/Steam:gabe?secret={SECRET}&encoder=steam"),
        ];
        for uri in uris {
            let first = ok(&uri).account;
            let written = format(&first);
            let again = ok(&written).account;
            assert_eq!(first, again, "{uri} -> {}", written.as_str());
        }
    }
}
