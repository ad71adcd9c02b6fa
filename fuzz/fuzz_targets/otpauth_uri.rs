//! `otpauth://` URIs: any text is read without panicking, and a URI that reads prints back to a
//! URI that reads to the same account (issuer, name, parameters, secret).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sesame_core::otpauth::uri;

fuzz_target!(|text: &str| {
    let Ok(parsed) = uri::parse(text) else {
        return;
    };
    let account = parsed.account;
    let printed = uri::format(&account);
    let again = uri::parse(&printed)
        .unwrap_or_else(|e| panic!("{printed:?} (from a URI that read) does not read: {e}"))
        .account;
    assert_eq!(again.issuer, account.issuer);
    assert_eq!(again.name, account.name);
    assert_eq!(again.params, account.params);
    assert_eq!(again.secret.expose(), account.secret.expose());
});
