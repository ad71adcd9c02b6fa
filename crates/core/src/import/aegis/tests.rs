//! Against files Sesame did not write: `tests/fixtures/import/make_aegis.py` writes them with
//! Python's `cryptography` from Aegis's documentation.

use serde_json::Value;

use super::*;
use crate::import::fixtures::{check, check_codes_with_oathtool, fixture, password};
use crate::import::recognise;

#[test]
fn a_plain_vault_imports_every_usable_entry_and_lists_the_others() {
    let text = fixture("aegis-plain.json");
    assert_eq!(recognise(text.as_bytes()).map(|f| f.app()), Some("Aegis"));
    assert!(!Aegis.is_encrypted(text.as_bytes()));
    let incoming = Aegis.read(text.as_bytes(), None).expect("read");
    check("aegis", &incoming);
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
    assert_eq!(recognise(text.as_bytes()).map(|f| f.app()), Some("Aegis"));
    assert!(Aegis.is_encrypted(text.as_bytes()));
    assert!(matches!(
        Aegis.read(text.as_bytes(), None),
        Err(FormatError::PasswordNeeded { app: "Aegis" })
    ));
    let wrong = SecretString::from("correct horse battery stapler".to_owned());
    let refused = Aegis.read(text.as_bytes(), Some(&wrong));
    assert!(
        matches!(refused, Err(FormatError::WrongPassword { app: "Aegis" })),
        "{refused:?}"
    );
    check(
        "aegis",
        &Aegis
            .read(text.as_bytes(), Some(&password("aegis")))
            .expect("read"),
    );
}

#[test]
fn imported_codes_match_oathtool() {
    let incoming = Aegis
        .read(
            fixture("aegis-encrypted.json").as_bytes(),
            Some(&password("aegis")),
        )
        .expect("read");
    check_codes_with_oathtool("aegis", &incoming);
}

#[test]
fn damaged_and_hostile_files_are_refused_naming_aegis() {
    let encrypted = fixture("aegis-encrypted.json");
    // Cut short.
    let cut = &encrypted[..encrypted.len() / 2];
    assert!(matches!(
        Aegis.read(cut.as_bytes(), Some(&password("aegis"))),
        Err(FormatError::Malformed { app: "Aegis", .. })
    ));
    // Its sealed entries altered: the password opens the key, the entries do not verify.
    let mut json: Value = serde_json::from_str(&encrypted).expect("json");
    let db = json["db"].as_str().expect("db").to_owned();
    let flipped = if db.starts_with('A') { "B" } else { "A" };
    json["db"] = Value::String(format!("{flipped}{}", &db[1..]));
    let altered = Aegis.read(json.to_string().as_bytes(), Some(&password("aegis")));
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
        Aegis.read(json.to_string().as_bytes(), Some(&password("aegis"))),
        Err(FormatError::Unsupported { app: "Aegis", .. })
    ));
    // Only a biometric slot.
    let mut json: Value = serde_json::from_str(&encrypted).expect("json");
    json["header"]["slots"][0]["type"] = Value::from(2);
    let biometric = Aegis.read(json.to_string().as_bytes(), Some(&password("aegis")));
    assert!(
        matches!(&biometric, Err(FormatError::Unsupported { detail, .. }) if detail.contains("biometric")),
        "{biometric:?}"
    );
    // Another version of the format.
    let mut json: Value = serde_json::from_str(&fixture("aegis-plain.json")).expect("json");
    json["version"] = Value::from(2);
    assert!(matches!(
        Aegis.read(json.to_string().as_bytes(), None),
        Err(FormatError::Unsupported { app: "Aegis", .. })
    ));
    // No entries.
    json["version"] = Value::from(1);
    json["db"]["entries"] = Value::Array(Vec::new());
    assert!(matches!(
        Aegis.read(json.to_string().as_bytes(), None),
        Err(FormatError::Empty { app: "Aegis" })
    ));
    // Not an Aegis file at all.
    assert!(recognise(b"otpauth://totp/X?secret=JBSWY3DPEHPK3PXP").is_none());
    assert!(recognise(b"{\"entries\": []}").is_none());
}

#[test]
fn a_written_vault_reads_back_to_the_same_accounts_with_its_password_only() {
    use crate::otp::{Algorithm, OtpParams};
    use crate::secret::Secret;
    let account = |issuer: &str, params: OtpParams, seed: &[u8]| NewAccount {
        issuer: issuer.into(),
        name: "ada".into(),
        params,
        secret: Secret::from_bytes(seed.to_vec()).expect("secret"),
    };
    let accounts = vec![
        account(
            "GitHub",
            OtpParams::totp(Algorithm::Sha1, 6, 30).expect("valid"),
            b"12345678901234567890",
        ),
        account(
            "Cloud",
            OtpParams::totp(Algorithm::Sha512, 8, 60).expect("valid"),
            b"1234567890123456789012345678901234567890123456789012345678901234",
        ),
        account(
            "VPN",
            OtpParams::hotp(Algorithm::Sha256, 6, 41).expect("valid"),
            b"12345678901234567890123456789012",
        ),
        account("Steam", OtpParams::steam(), b"abcdefghij0123456789"),
    ];
    let password = SecretString::from("tr0ub4dor & 3".to_owned());
    assert!(matches!(
        write_encrypted(&accounts, &SecretString::from("seven77".to_owned())),
        Err(WriteError::ShortPassword { minimum: 8 })
    ));
    let file = write_encrypted(&accounts, &password).expect("written");
    assert!(
        !contains(&file, b"GEZDGNBVGY3TQOJQ"),
        "no secret in the clear"
    );
    assert_eq!(recognise(&file).map(|f| f.app()), Some("Aegis"));
    assert!(Aegis.is_encrypted(&file));
    let wrong = SecretString::from("tr0ub4dor & 4".to_owned());
    assert!(matches!(
        Aegis.read(&file, Some(&wrong)),
        Err(FormatError::WrongPassword { .. })
    ));
    let read = Aegis.read(&file, Some(&password)).expect("read back");
    assert!(read.skipped.is_empty(), "{:?}", read.skipped);
    let summary = |list: &[NewAccount]| -> Vec<(String, OtpParams, Vec<u8>)> {
        list.iter()
            .map(|a| (a.label(), a.params, a.secret.expose().to_vec()))
            .collect()
    };
    assert_eq!(summary(&read.accounts), summary(&accounts));
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
