//! What a QR code holds: any bytes are classified, described and (for Sesame's own codes) read
//! as a sign-in or binding code without panicking; a description never holds the secret of an
//! account URI (unless the issuer or name the URI gives spells it out too).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sesame_core::scan::Payload;
use sesame_core::transfer::Incoming;

fuzz_target!(|bytes: &[u8]| {
    let payload = Payload::classify(bytes);
    let description = payload.describe();
    let _ = payload.not_an_account();
    let _ = payload.sign_in();
    if let Ok(incoming) = Incoming::from_payload(&payload) {
        for account in &incoming.accounts {
            let secret = account.secret.to_base32();
            if secret.len() >= 16 && !account.label().contains(secret.as_str()) {
                assert!(
                    !description.contains(secret.as_str()),
                    "a description shows the secret"
                );
            }
        }
    }
});
