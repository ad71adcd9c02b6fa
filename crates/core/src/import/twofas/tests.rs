//! Against files Sesame did not write: `tests/fixtures/import/make_2fas.py` writes them with
//! Python's `cryptography` from the 2FAS backup layout.

use serde_json::Value;

use super::*;
use crate::import::fixtures::{check, check_codes_with_oathtool, fixture, password};
use crate::import::recognise;

#[test]
fn a_plain_backup_imports_every_usable_service_and_lists_the_others() {
    let text = fixture("2fas-plain.2fas");
    assert_eq!(recognise(text.as_bytes()).map(|f| f.app()), Some("2FAS"));
    assert!(!TwoFas.is_encrypted(text.as_bytes()));
    let incoming = TwoFas.read(text.as_bytes(), None).expect("read");
    check("2fas", &incoming);
    let reasons: Vec<String> = incoming
        .skipped
        .iter()
        .map(|s| s.reason.to_string())
        .collect();
    assert!(reasons[0].contains("MD5"), "{reasons:?}");
    check_codes_with_oathtool("2fas", &incoming);
}

#[test]
fn an_encrypted_backup_opens_with_its_password_only() {
    let text = fixture("2fas-encrypted.2fas");
    assert_eq!(recognise(text.as_bytes()).map(|f| f.app()), Some("2FAS"));
    assert!(TwoFas.is_encrypted(text.as_bytes()));
    assert!(matches!(
        TwoFas.read(text.as_bytes(), None),
        Err(FormatError::PasswordNeeded { app: "2FAS" })
    ));
    let wrong = SecretString::from("twofas export passwort".to_owned());
    assert!(matches!(
        TwoFas.read(text.as_bytes(), Some(&wrong)),
        Err(FormatError::WrongPassword { app: "2FAS" })
    ));
    let incoming = TwoFas
        .read(text.as_bytes(), Some(&password("2fas")))
        .expect("read");
    check("2fas", &incoming);
    check_codes_with_oathtool("2fas", &incoming);
}

#[test]
fn damaged_backups_are_refused_naming_2fas() {
    let text = fixture("2fas-encrypted.2fas");
    let mut json: Value = serde_json::from_str(&text).expect("json");
    let sealed = json["servicesEncrypted"]
        .as_str()
        .expect("sealed")
        .to_owned();
    for broken in [
        sealed.replacen(':', ";", 2),
        format!("{sealed}:more"),
        sealed.replacen(':', ":***", 1),
        format!("AAAA:{}", sealed.split_once(':').expect("parts").1),
    ] {
        json["servicesEncrypted"] = Value::String(broken.clone());
        let read = TwoFas.read(json.to_string().as_bytes(), Some(&password("2fas")));
        assert!(
            matches!(read, Err(FormatError::Malformed { app: "2FAS", .. })),
            "{broken}: {read:?}"
        );
    }
    assert!(matches!(
        TwoFas.read(&text.as_bytes()[..text.len() / 3], Some(&password("2fas"))),
        Err(FormatError::Malformed { app: "2FAS", .. })
    ));
    let empty = r#"{"services": [], "schemaVersion": 4}"#;
    assert!(matches!(
        TwoFas.read(empty.as_bytes(), None),
        Err(FormatError::Empty { app: "2FAS" })
    ));
    // An Aegis file is Aegis's, not 2FAS's, and a 2FAS file not Aegis's.
    assert_eq!(
        recognise(fixture("aegis-plain.json").as_bytes()).map(|f| f.app()),
        Some("Aegis")
    );
}
