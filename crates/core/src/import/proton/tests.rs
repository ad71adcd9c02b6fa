//! Against files Sesame did not write: `tests/fixtures/import/make_proton.py` writes them with
//! Python's `cryptography` as Proton Authenticator exports them.

use super::*;
use crate::import::fixtures::{check, check_codes_with_oathtool, fixture_bytes, password};
use crate::import::recognise;

#[test]
fn a_plain_export_imports_every_usable_entry_and_lists_the_others() {
    let file = fixture_bytes("proton-plain.json");
    assert_eq!(recognise(&file).map(|f| f.app()), Some(APP));
    assert!(!Proton.is_encrypted(&file));
    let incoming = Proton.read(&file, None).expect("read");
    check("proton", &incoming);
    assert!(incoming.skipped[0].reason.to_string().contains("MD5"));
    check_codes_with_oathtool("proton", &incoming);
}

#[test]
fn a_protected_export_opens_with_its_password_only() {
    let file = fixture_bytes("proton-encrypted.json");
    assert_eq!(recognise(&file).map(|f| f.app()), Some(APP));
    assert!(Proton.is_encrypted(&file));
    assert!(matches!(
        Proton.read(&file, None),
        Err(FormatError::PasswordNeeded { app: APP })
    ));
    let wrong = SecretString::from("proton export passwort".to_owned());
    assert!(matches!(
        Proton.read(&file, Some(&wrong)),
        Err(FormatError::WrongPassword { app: APP })
    ));
    check(
        "proton",
        &Proton.read(&file, Some(&password("proton"))).expect("read"),
    );
}

#[test]
fn other_versions_and_damage_say_so() {
    let future = br#"{"version": 2, "entries": [{"content": {"uri": "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP", "entry_type": "Totp"}}]}"#;
    assert!(matches!(
        Proton.read(future, None),
        Err(FormatError::Unsupported { app: APP, .. })
    ));
    let cut = br#"{"version": 1, "salt": "AAAA", "content": "AAAA"}"#;
    assert!(matches!(
        Proton.read(cut, Some(&password("proton"))),
        Err(FormatError::Malformed { app: APP, .. })
    ));
}
