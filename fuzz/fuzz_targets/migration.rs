//! Google Authenticator exports, as link text and as raw protobuf: read without panicking, and
//! the accounts of one that reads, written again by Sesame's encoder, read back the same.
#![no_main]

use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use sesame_core::otpauth::migration;

fn check(link: &str) {
    let Ok(batch) = migration::parse(link) else {
        return;
    };
    let carried: Vec<_> = batch
        .accounts
        .into_iter()
        .filter(migration::representable)
        .collect();
    if carried.is_empty() {
        return;
    }
    let written = migration::export(&carried).expect("representable accounts export");
    let again = migration::parse(&written).expect("an export Sesame wrote reads");
    assert_eq!(again.accounts.len(), carried.len());
    for (a, b) in again.accounts.iter().zip(&carried) {
        assert_eq!(
            (&a.issuer, &a.name, a.params),
            (&b.issuer, &b.name, b.params)
        );
        assert_eq!(a.secret.expose(), b.secret.expose());
    }
}

fuzz_target!(|input: (bool, &[u8])| {
    let (as_protobuf, bytes) = input;
    if as_protobuf {
        let data = base64::engine::general_purpose::STANDARD.encode(bytes);
        check(&format!("otpauth-migration://offline?data={data}"));
    } else if let Ok(text) = std::str::from_utf8(bytes) {
        check(text);
    }
});
