//! The QR-login protocol as Sesame and the server read it: every request and response body, the
//! sign-in and binding codes, origins and user agents. Any bytes read or are refused; a signed
//! message verifies only unchanged.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use sesame_protocol::qr::{BindQr, LoginQr};
use sesame_protocol::wire::*;
use sesame_protocol::{origin::Origin, user_agent};

#[derive(Arbitrary, Debug)]
enum Input<'a> {
    Body(u8, &'a [u8]),
    Code(&'a str),
    Origin(&'a str),
    UserAgent(&'a str),
}

fn body(which: u8, bytes: &[u8]) {
    macro_rules! try_read {
        ($($ty:ty),*) => {{
            let readers: &[fn(&[u8])] = &[$(|b| { let _ = serde_json::from_slice::<$ty>(b); }),*];
            readers[usize::from(which) % readers.len()](bytes);
        }};
    }
    try_read!(
        ErrorBody,
        PreviewRequest,
        PreviewResponse,
        BindingStateRequest,
        BindingStateResponse,
        ClaimRequest,
        ClaimResponse,
        ScanRequest,
        ScanResponse,
        ConfirmRequest,
        SessionCreated,
        ConfirmResponse,
        RedeemRequest,
        RedeemResponse,
        StatusResponse
    );
}

fuzz_target!(|input: Input<'_>| {
    match input {
        Input::Body(which, bytes) => body(which, bytes),
        Input::Code(text) => {
            let _ = LoginQr::parse(text);
            let _ = BindQr::parse(text);
        }
        Input::Origin(text) => {
            if let Ok(origin) = Origin::parse(text) {
                let again = Origin::parse(&origin.to_string()).expect("a printed origin reads");
                assert_eq!(again, origin);
            }
        }
        Input::UserAgent(text) => {
            let _ = user_agent::describe(text);
        }
    }
});
