//! Against files Sesame did not write: `tests/fixtures/import/make_bitwarden.py` writes them
//! with Python's json and csv modules from Bitwarden's export formats.

use super::*;
use crate::import::fixtures::{check, check_codes_with_oathtool, fixture};
use crate::import::recognise;

#[test]
fn a_json_export_imports_the_logins_with_a_totp() {
    let file = fixture("bitwarden.json");
    assert_eq!(
        recognise(file.as_bytes()).map(|f| f.app()),
        Some("Bitwarden")
    );
    let incoming = Bitwarden.read(file.as_bytes(), None).expect("read");
    check("bitwarden", &incoming);
    check_codes_with_oathtool("bitwarden", &incoming);
}

/// Bitwarden Authenticator's export: the same envelope, URIs in `login.totp`, no username.
#[test]
fn an_authenticator_export_imports_its_uris() {
    let file = fixture("bitwarden-authenticator.json");
    assert_eq!(
        recognise(file.as_bytes()).map(|f| f.app()),
        Some("Bitwarden")
    );
    let incoming = Bitwarden.read(file.as_bytes(), None).expect("read");
    check("bitwarden-authenticator", &incoming);
    assert!(incoming.skipped[0].reason.to_string().contains("MD5"));
    check_codes_with_oathtool("bitwarden-authenticator", &incoming);
}

#[test]
fn a_csv_export_imports_the_same() {
    let file = fixture("bitwarden.csv");
    assert_eq!(
        recognise(file.as_bytes()).map(|f| f.app()),
        Some("Bitwarden")
    );
    let incoming = Bitwarden.read(file.as_bytes(), None).expect("read");
    check("bitwarden", &incoming);
    check_codes_with_oathtool("bitwarden", &incoming);
}

#[test]
fn encrypted_and_damaged_exports_say_what_is_wrong() {
    let encrypted = r#"{"encrypted": true, "passwordProtected": true, "items": []}"#;
    let refused = Bitwarden.read(encrypted.as_bytes(), None);
    assert!(
        matches!(&refused, Err(FormatError::Unsupported { app: "Bitwarden", detail }) if detail.contains("encrypted")),
        "{refused:?}"
    );
    let csv = fixture("bitwarden.csv");
    let unbalanced = csv.replacen("\"a note, with a comma\"", "\"a note, with a comma", 1);
    assert!(matches!(
        Bitwarden.read(unbalanced.as_bytes(), None),
        Err(FormatError::Malformed {
            app: "Bitwarden",
            ..
        }) | Err(FormatError::Empty { .. })
    ));
    let no_totp = r#"{"encrypted": false, "items": [{"name": "Forum", "login": {"username": "ada", "totp": null}}]}"#;
    assert!(matches!(
        Bitwarden.read(no_totp.as_bytes(), None),
        Err(FormatError::Empty { app: "Bitwarden" })
    ));
}
