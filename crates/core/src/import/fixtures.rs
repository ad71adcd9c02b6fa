//! The import tests' common half: files from `tests/fixtures/import/`, written by independent
//! Python writers beside them, each with `<format>-expected.json` saying what the writer put in;
//! codes checked with `oathtool`.

use std::process::Command;

use secrecy::SecretString;
use serde_json::Value;

use crate::otp::{self, OtpKind};
use crate::transfer::Incoming;

pub fn fixture(name: &str) -> String {
    String::from_utf8(fixture_bytes(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

pub fn fixture_bytes(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/import")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn expected(format: &str) -> Value {
    serde_json::from_str(&fixture(&format!("{format}-expected.json"))).expect("expected json")
}

pub fn password(format: &str) -> SecretString {
    SecretString::from(
        expected(format)["password"]
            .as_str()
            .expect("password")
            .to_owned(),
    )
}

/// The imported accounts and the labels left out, against what the writer put in.
pub fn check(format: &str, incoming: &Incoming) {
    let expected = expected(format);
    let accounts = expected["accounts"].as_array().expect("accounts");
    assert_eq!(incoming.accounts.len(), accounts.len());
    for (account, want) in incoming.accounts.iter().zip(accounts) {
        assert_eq!(account.issuer, want["issuer"].as_str().expect("issuer"));
        assert_eq!(account.name, want["name"].as_str().expect("name"));
        assert_eq!(
            account.secret.to_base32().trim_end_matches('='),
            want["secret"].as_str().expect("secret")
        );
        let kind = match account.params.kind {
            OtpKind::Totp => "totp",
            OtpKind::Hotp => "hotp",
            OtpKind::Steam => "steam",
        };
        assert_eq!(kind, want["type"]);
        assert_eq!(account.params.algorithm.as_str(), want["algo"]);
        assert_eq!(u64::from(account.params.digits), want["digits"]);
        if kind == "hotp" {
            assert_eq!(account.params.counter, want["counter"]);
        } else {
            assert_eq!(u64::from(account.params.period), want["period"]);
        }
    }
    let left_out: Vec<&str> = incoming.skipped.iter().map(|s| s.label.as_str()).collect();
    let want: Vec<&str> = expected["left_out"]
        .as_array()
        .expect("left_out")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(left_out, want);
}

/// `oathtool` (an independent implementation of RFC 4226/6238) computes, from the secrets the
/// writer put in, the codes Sesame computes from the accounts it imported.
pub fn check_codes_with_oathtool(format: &str, incoming: &Incoming) {
    let now = 1_700_000_000;
    let expected = expected(format);
    for (account, want) in incoming
        .accounts
        .iter()
        .zip(expected["accounts"].as_array().expect("accounts"))
    {
        let (args, ours) = match want["type"].as_str() {
            Some("totp") => (
                vec![
                    format!("--totp={}", want["algo"].as_str().expect("algo")),
                    format!("--time-step-size={}s", want["period"]),
                    format!("--now=@{now}"),
                ],
                otp::timed_code(&account.secret, &account.params, now).code,
            ),
            Some("hotp") => (
                vec![
                    "--hotp".to_owned(),
                    format!("--counter={}", want["counter"]),
                ],
                otp::hotp_code(&account.secret, &account.params, account.params.counter),
            ),
            // Steam's alphabet is not oathtool's; its secret is checked by `check`.
            _ => continue,
        };
        let output = Command::new("oathtool")
            .args(&args)
            .arg(format!("--digits={}", want["digits"]))
            .args(["--base32", want["secret"].as_str().expect("secret")])
            .output()
            .expect("oathtool (apt-get install oathtool; scripts/dev test installs it)");
        assert!(output.status.success(), "oathtool {args:?}: {output:?}");
        assert_eq!(
            ours.to_string(),
            String::from_utf8_lossy(&output.stdout).trim(),
            "{}",
            account.label()
        );
    }
}
