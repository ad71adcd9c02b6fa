//! Every JSON body of the protocol, pinned: a change to the wire shows up in review as a change
//! to a file under `src/snapshots/`.

use insta::assert_json_snapshot;

use crate::address::{AddressFamily, AddressMatch};
use crate::wire::*;

#[test]
fn preview() {
    assert_json_snapshot!(PreviewRequest {
        v: 1,
        enroll_secret: "ZW5yb2xs".into(),
    });
    assert_json_snapshot!(PreviewResponse {
        account_display: "demo".into(),
        expires_at: 1_700_000_120,
    });
}

#[test]
fn claim() {
    assert_json_snapshot!(ClaimRequest {
        v: 1,
        enroll_secret: "ZW5yb2xs".into(),
        device_pk: "ZGV2aWNlLXBr".into(),
        device_name: "Sesame on this computer".into(),
        platform: "linux".into(),
        pop_sig: "cG9w".into(),
    });
    assert_json_snapshot!(ClaimResponse {
        device_id: "dev_1".into(),
        account_display: "demo".into(),
        server_kid: "kid".into(),
        server_pk: "c2VydmVyLXBr".into(),
        pairing_code: "123456".into(),
    });
}

#[test]
fn scan() {
    assert_json_snapshot!(ScanRequest {
        v: 1,
        device_id: "dev_1".into(),
        chal: "Y2hhbA".into(),
        ts: 1_700_000_000,
        sig: "c2ln".into(),
    });
    assert_json_snapshot!(ScanResponse {
        browser_address: "127.0.0.1".into(),
        address_match: AddressMatch::Match,
        user_agent: "Chromium".into(),
        created_at: 1_700_000_000,
        account_display: "demo".into(),
    });
}

#[test]
fn confirm() {
    assert_json_snapshot!(ConfirmRequest {
        v: 1,
        device_id: "dev_1".into(),
        chal: "Y2hhbA".into(),
        decision: Decision::Approve,
        number: "42".into(),
        ts: 1_700_000_000,
        sig: "c2ln".into(),
    });
    assert_json_snapshot!(ConfirmResponse {
        state: SessionState::Confirmed,
    });
}

#[test]
fn browser_side() {
    assert_json_snapshot!(SessionCreated {
        sid: "c2lk".into(),
        qr_uri: "sesame://login?o=x".into(),
        qr_svg: "<svg/>".into(),
        expires_at: 1_700_000_060,
    });
    assert_json_snapshot!(StatusResponse {
        state: SessionState::Confirmed,
        version: 3,
        expires_at: 1_700_000_060,
        number: Some("42".into()),
        ticket: Some("dGlja2V0".into()),
    });
    assert_json_snapshot!(RedeemRequest {
        ticket: "dGlja2V0".into()
    });
    assert_json_snapshot!(RedeemResponse {
        state: SessionState::Consumed,
    });
}

#[test]
fn errors() {
    assert_json_snapshot!(ErrorBody {
        error: ErrorCode::NumberMismatch,
        message: "the number does not match".into(),
        retry_after: None,
        attempts_left: Some(2),
        state: None,
        server_time: None,
        browser_family: None,
    });
    assert_json_snapshot!(ErrorBody {
        error: ErrorCode::StaleRequest,
        message: "stale".into(),
        retry_after: Some(3),
        attempts_left: None,
        state: Some(SessionState::Scanned),
        server_time: Some(1_700_000_000),
        browser_family: None,
    });
    assert_json_snapshot!(ErrorBody {
        browser_family: Some(AddressFamily::Ipv6),
        ..ErrorBody::new(ErrorCode::OtherAddressFamily)
    });
}
