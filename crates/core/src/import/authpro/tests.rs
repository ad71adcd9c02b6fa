//! Against files Sesame did not write: `tests/fixtures/import/make_authpro.py` writes them with
//! Python's `cryptography` from Authenticator Pro's backup documentation.

use super::*;
use crate::import::fixtures::{check, check_codes_with_oathtool, fixture_bytes, password};
use crate::import::recognise;

#[test]
fn a_plain_backup_imports_every_usable_entry_and_lists_the_others() {
    let file = fixture_bytes("authpro-plain.json");
    assert_eq!(recognise(&file).map(|f| f.app()), Some(APP));
    assert!(!AuthenticatorPro.is_encrypted(&file));
    let incoming = AuthenticatorPro.read(&file, None).expect("read");
    check("authpro", &incoming);
    let reasons: Vec<String> = incoming
        .skipped
        .iter()
        .map(|s| s.reason.to_string())
        .collect();
    assert!(reasons[0].contains("mOTP"), "{reasons:?}");
    assert!(reasons[1].contains("Yandex"), "{reasons:?}");
    assert!(reasons[2].contains("10"), "{reasons:?}");
    check_codes_with_oathtool("authpro", &incoming);
}

#[test]
fn both_encryptions_open_with_the_password_only() {
    for name in ["authpro-encrypted.authpro", "authpro-legacy.authpro"] {
        let file = fixture_bytes(name);
        assert_eq!(recognise(&file).map(|f| f.app()), Some(APP), "{name}");
        assert!(AuthenticatorPro.is_encrypted(&file));
        assert!(matches!(
            AuthenticatorPro.read(&file, None),
            Err(FormatError::PasswordNeeded { app: APP })
        ));
        let wrong = SecretString::from("stratum backup passwort".to_owned());
        let refused = AuthenticatorPro.read(&file, Some(&wrong));
        assert!(
            matches!(refused, Err(FormatError::WrongPassword { app: APP })),
            "{name}: {refused:?}"
        );
        let incoming = AuthenticatorPro
            .read(&file, Some(&password("authpro")))
            .expect(name);
        check("authpro", &incoming);
    }
}

#[test]
fn cut_files_say_so() {
    for name in ["authpro-encrypted.authpro", "authpro-legacy.authpro"] {
        let file = fixture_bytes(name);
        let header_only = &file[..20];
        assert!(matches!(
            AuthenticatorPro.read(header_only, Some(&password("authpro"))),
            Err(FormatError::Malformed { app: APP, .. })
        ));
        let cut = &file[..file.len() - 7];
        assert!(
            AuthenticatorPro
                .read(cut, Some(&password("authpro")))
                .is_err(),
            "{name}"
        );
    }
}
