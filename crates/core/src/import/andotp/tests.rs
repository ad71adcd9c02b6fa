//! Against files Sesame did not write: `tests/fixtures/import/make_andotp.py` writes them with
//! Python's hashlib and `cryptography` from andOTP's backup layout.

use super::*;
use crate::import::fixtures::{check, check_codes_with_oathtool, fixture_bytes, password};
use crate::import::recognise;

#[test]
fn a_plain_backup_imports_every_usable_entry_and_lists_the_others() {
    let file = fixture_bytes("andotp-plain.json");
    assert_eq!(recognise(&file).map(|f| f.app()), Some("andOTP"));
    assert!(!AndOtp.is_encrypted(&file));
    let incoming = AndOtp.read(&file, None).expect("read");
    check("andotp", &incoming);
    assert!(incoming.skipped[0].reason.to_string().contains("MOTP"));
    check_codes_with_oathtool("andotp", &incoming);
}

#[test]
fn an_encrypted_backup_opens_with_its_password_only() {
    let file = fixture_bytes("andotp-encrypted.json.aes");
    assert_eq!(recognise(&file).map(|f| f.app()), Some("andOTP"));
    assert!(AndOtp.is_encrypted(&file));
    assert!(matches!(
        AndOtp.read(&file, None),
        Err(FormatError::PasswordNeeded { app: "andOTP" })
    ));
    let wrong = SecretString::from("andotp backup passwort".to_owned());
    assert!(matches!(
        AndOtp.read(&file, Some(&wrong)),
        Err(FormatError::WrongPassword { app: "andOTP" })
    ));
    let incoming = AndOtp.read(&file, Some(&password("andotp"))).expect("read");
    check("andotp", &incoming);
    check_codes_with_oathtool("andotp", &incoming);
}

#[test]
fn other_binary_files_and_damage_are_not_taken_for_a_backup() {
    // An image's first bytes, read as an iteration count, are far outside andOTP's.
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(std::iter::repeat_n(0xAB, 200));
    assert!(recognise(&png).is_none());
    // Cut inside the header.
    let file = fixture_bytes("andotp-encrypted.json.aes");
    assert!(recognise(&file[..30]).is_none());
    // Cut inside the sealed list: the tag no longer verifies.
    let cut = &file[..file.len() - 40];
    assert!(matches!(
        AndOtp.read(cut, Some(&password("andotp"))),
        Err(FormatError::WrongPassword { app: "andOTP" })
    ));
}
