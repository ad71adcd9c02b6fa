//! Against a file Sesame did not write: `tests/fixtures/import/make_ente.py` writes it with
//! libsodium itself (PyNaCl), making the calls Ente's app makes.

use super::*;
use crate::import::fixtures::{check, check_codes_with_oathtool, fixture_bytes, password};
use crate::import::recognise;

#[test]
fn an_encrypted_export_opens_with_its_password_only() {
    let file = fixture_bytes("ente-encrypted.txt");
    assert_eq!(recognise(&file).map(|f| f.app()), Some(APP));
    assert!(Ente.is_encrypted(&file));
    assert!(matches!(
        Ente.read(&file, None),
        Err(FormatError::PasswordNeeded { app: APP })
    ));
    let wrong = SecretString::from("ente export passwort".to_owned());
    assert!(matches!(
        Ente.read(&file, Some(&wrong)),
        Err(FormatError::WrongPassword { app: APP })
    ));
    let incoming = Ente.read(&file, Some(&password("ente"))).expect("read");
    check("ente", &incoming);
    assert_eq!(incoming.skipped[0].place.to_string(), "line 3");
    check_codes_with_oathtool("ente", &incoming);
}

#[test]
fn an_altered_byte_anywhere_is_refused() {
    let file = fixture_bytes("ente-encrypted.txt");
    let json: serde_json::Value = serde_json::from_slice(&file).expect("json");
    let base64 = base64::engine::general_purpose::STANDARD;
    let sealed = base64
        .decode(json["encryptedData"].as_str().expect("data"))
        .expect("base64");
    for position in [0, 1, sealed.len() / 2, sealed.len() - 1] {
        let mut altered = sealed.clone();
        altered[position] ^= 0x01;
        let mut json = json.clone();
        json["encryptedData"] = base64.encode(&altered).into();
        let result = Ente.read(json.to_string().as_bytes(), Some(&password("ente")));
        assert!(
            matches!(result, Err(FormatError::WrongPassword { app: APP })),
            "byte {position}: {result:?}"
        );
    }
}

#[test]
fn costs_beyond_entes_own_are_refused_before_deriving() {
    let file = br#"{"version": 1, "kdfParams": {"memLimit": 17179869184, "opsLimit": 3,
        "salt": "AAAAAAAAAAAAAAAAAAAAAA=="}, "encryptedData": "AA==", "encryptionNonce": "AA=="}"#;
    assert!(matches!(
        Ente.read(file, Some(&password("ente"))),
        Err(FormatError::Unsupported { app: APP, .. })
    ));
}
