//! Against a file Sesame did not write: `tests/fixtures/import/make_freeotpplus.py` writes it
//! as FreeOTP+ exports, secrets as Java's signed bytes.

use super::*;
use crate::import::fixtures::{check, check_codes_with_oathtool, fixture_bytes};
use crate::import::recognise;

#[test]
fn a_backup_imports_every_usable_entry_with_its_key_bytes() {
    let file = fixture_bytes("freeotpplus.json");
    assert_eq!(recognise(&file).map(|f| f.app()), Some(APP));
    let incoming = FreeOtpPlus.read(&file, None).expect("read");
    check("freeotpplus", &incoming);
    assert!(incoming.skipped[0].reason.to_string().contains("MD5"));
    check_codes_with_oathtool("freeotpplus", &incoming);
}

#[test]
fn a_value_that_is_not_a_byte_is_an_unusable_secret_not_a_wrapped_one() {
    let file = br#"{"tokens": [{"type": "TOTP", "label": "ada", "issuerExt": "X",
        "secret": [1, 2, 300, 4, 5, 6, 7, 8, 9, 10]}], "tokenOrder": ["X:ada"]}"#;
    let incoming = FreeOtpPlus.read(file, None).expect("read");
    assert!(incoming.accounts.is_empty());
    assert_eq!(incoming.skipped.len(), 1);
    let broken = br#"{"tokens": [{"secret": "JBSWY3DPEHPK3PXP"}], "tokenOrder": []}"#;
    assert!(matches!(
        FreeOtpPlus.read(broken, None),
        Err(FormatError::Malformed { app: APP, .. })
    ));
}
