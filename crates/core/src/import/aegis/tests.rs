//! Against files Sesame did not write: `tests/fixtures/import/make_aegis.py` writes them with
//! Python's `cryptography` from Aegis's documentation, and the codes are checked by `oathtool`.

use std::process::Command;

use secrecy::SecretString;
use serde_json::Value;

use super::*;
use crate::import::recognise;
use crate::otp::{self, OtpKind};

fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/import")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn expected() -> Value {
    serde_json::from_str(&fixture("aegis-expected.json")).expect("expected.json")
}

fn password() -> SecretString {
    SecretString::from(
        expected()["password"]
            .as_str()
            .expect("password")
            .to_owned(),
    )
}

/// The imported accounts and the labels left out, checked against what the writer put in.
fn check(incoming: &Incoming) {
    let expected = expected();
    let accounts = expected["accounts"].as_array().expect("accounts");
    assert_eq!(incoming.accounts.len(), accounts.len());
    for (account, want) in incoming.accounts.iter().zip(accounts) {
        assert_eq!(account.issuer, want["issuer"].as_str().expect("issuer"));
        assert_eq!(account.name, want["name"].as_str().expect("name"));
        assert_eq!(
            account.secret.to_base32().trim_end_matches('='),
            want["secret"].as_str().expect("secret")
        );
        let kind = match account.params.kind {
            OtpKind::Totp => "totp",
            OtpKind::Hotp => "hotp",
            OtpKind::Steam => "steam",
        };
        assert_eq!(kind, want["type"]);
        assert_eq!(account.params.algorithm.as_str(), want["algo"]);
        assert_eq!(u64::from(account.params.digits), want["digits"]);
        if kind == "hotp" {
            assert_eq!(account.params.counter, want["counter"]);
        } else {
            assert_eq!(u64::from(account.params.period), want["period"]);
        }
    }
    let left_out: Vec<&str> = incoming.skipped.iter().map(|s| s.label.as_str()).collect();
    let want: Vec<&str> = expected["left_out"]
        .as_array()
        .expect("left_out")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(left_out, want);
}

#[test]
fn a_plain_vault_imports_every_usable_entry_and_lists_the_others() {
    let text = fixture("aegis-plain.json");
    assert_eq!(recognise(&text).map(|f| f.app()), Some("Aegis"));
    assert!(!Aegis.is_encrypted(&text));
    let incoming = Aegis.read(&text, None).expect("read");
    check(&incoming);
    let reasons: Vec<String> = incoming
        .skipped
        .iter()
        .map(|s| s.reason.to_string())
        .collect();
    assert!(reasons[0].contains("motp"), "{reasons:?}");
    assert!(
        reasons[1].contains('9') || reasons[1].contains("digits"),
        "{reasons:?}"
    );
    assert!(reasons[2].contains("MD5"), "{reasons:?}");
}

#[test]
fn an_encrypted_vault_opens_with_its_password_only() {
    let text = fixture("aegis-encrypted.json");
    assert_eq!(recognise(&text).map(|f| f.app()), Some("Aegis"));
    assert!(Aegis.is_encrypted(&text));
    assert!(matches!(
        Aegis.read(&text, None),
        Err(FormatError::PasswordNeeded { app: "Aegis" })
    ));
    let wrong = SecretString::from("correct horse battery stapler".to_owned());
    let refused = Aegis.read(&text, Some(&wrong));
    assert!(
        matches!(refused, Err(FormatError::WrongPassword { app: "Aegis" })),
        "{refused:?}"
    );
    check(&Aegis.read(&text, Some(&password())).expect("read"));
}

/// `oathtool` (an independent implementation of RFC 4226/6238) computes the same codes from
/// the secrets the writer put in as Sesame does from the accounts it imported.
#[test]
fn imported_codes_match_oathtool() {
    let incoming = Aegis
        .read(&fixture("aegis-encrypted.json"), Some(&password()))
        .expect("read");
    let now = 1_700_000_000;
    for (account, want) in incoming
        .accounts
        .iter()
        .zip(expected()["accounts"].as_array().expect("accounts"))
    {
        let secret = want["secret"].as_str().expect("secret");
        let digits = format!("--digits={}", want["digits"]);
        let (args, ours) = match want["type"].as_str() {
            Some("totp") => (
                vec![
                    format!("--totp={}", want["algo"].as_str().expect("algo")),
                    format!("--time-step-size={}s", want["period"]),
                    format!("--now=@{now}"),
                ],
                otp::timed_code(&account.secret, &account.params, now).code,
            ),
            Some("hotp") => (
                vec![
                    "--hotp".to_owned(),
                    format!("--counter={}", want["counter"]),
                ],
                otp::hotp_code(&account.secret, &account.params, account.params.counter),
            ),
            // Steam's alphabet is not oathtool's; its secret is checked above.
            _ => continue,
        };
        let output = Command::new("oathtool")
            .args(&args)
            .arg(&digits)
            .args(["--base32", secret])
            .output()
            .expect("oathtool (apt-get install oathtool; scripts/dev test installs it)");
        assert!(output.status.success(), "oathtool {args:?}: {output:?}");
        assert_eq!(
            ours.to_string(),
            String::from_utf8_lossy(&output.stdout).trim(),
            "{}",
            account.label()
        );
    }
}

#[test]
fn damaged_and_hostile_files_are_refused_naming_aegis() {
    let encrypted = fixture("aegis-encrypted.json");
    // Cut short.
    let cut = &encrypted[..encrypted.len() / 2];
    assert!(matches!(
        Aegis.read(cut, Some(&password())),
        Err(FormatError::Malformed { app: "Aegis", .. })
    ));
    // Its sealed entries altered: the password opens the key, the entries do not verify.
    let mut json: Value = serde_json::from_str(&encrypted).expect("json");
    let db = json["db"].as_str().expect("db").to_owned();
    let flipped = if db.starts_with('A') { "B" } else { "A" };
    json["db"] = Value::String(format!("{flipped}{}", &db[1..]));
    let altered = Aegis.read(&json.to_string(), Some(&password()));
    match altered {
        Err(FormatError::Malformed {
            app: "Aegis",
            detail,
        }) => {
            assert!(detail.contains("damaged"), "{detail}")
        }
        other => panic!("{other:?}"),
    }
    // A slot asking for scrypt at 2^30 (128 GiB) is refused before any work.
    let mut json: Value = serde_json::from_str(&encrypted).expect("json");
    json["header"]["slots"][0]["n"] = Value::from(1u64 << 30);
    assert!(matches!(
        Aegis.read(&json.to_string(), Some(&password())),
        Err(FormatError::Unsupported { app: "Aegis", .. })
    ));
    // Only a biometric slot.
    let mut json: Value = serde_json::from_str(&encrypted).expect("json");
    json["header"]["slots"][0]["type"] = Value::from(2);
    let biometric = Aegis.read(&json.to_string(), Some(&password()));
    assert!(
        matches!(&biometric, Err(FormatError::Unsupported { detail, .. }) if detail.contains("biometric")),
        "{biometric:?}"
    );
    // Another version of the format.
    let mut json: Value = serde_json::from_str(&fixture("aegis-plain.json")).expect("json");
    json["version"] = Value::from(2);
    assert!(matches!(
        Aegis.read(&json.to_string(), None),
        Err(FormatError::Unsupported { app: "Aegis", .. })
    ));
    // No entries.
    json["version"] = Value::from(1);
    json["db"]["entries"] = Value::Array(Vec::new());
    assert!(matches!(
        Aegis.read(&json.to_string(), None),
        Err(FormatError::Empty { app: "Aegis" })
    ));
    // Not an Aegis file at all.
    assert!(recognise("otpauth://totp/X?secret=JBSWY3DPEHPK3PXP").is_none());
    assert!(recognise("{\"entries\": []}").is_none());
}
