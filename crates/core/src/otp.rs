//! One-time codes: TOTP (RFC 6238), HOTP (RFC 4226) and Steam Guard, computed by `totp-rs`.
//!
//! Everything here is pure: time comes in as a [`Clock`] reading, counters as numbers, so the
//! code shown for an instant can be checked against any other implementation.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::secret::Secret;

/// The HMAC hash of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "UPPERCASE")]
pub enum Algorithm {
    /// HMAC-SHA1, the default of RFC 4226/6238 and of nearly every service.
    #[default]
    Sha1,
    /// HMAC-SHA256.
    Sha256,
    /// HMAC-SHA512.
    Sha512,
}

impl Algorithm {
    /// The name used in otpauth URIs (`SHA1`, `SHA256`, `SHA512`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA1",
            Self::Sha256 => "SHA256",
            Self::Sha512 => "SHA512",
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How codes advance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OtpKind {
    /// Time-based (RFC 6238): a new code every `period` seconds.
    Totp,
    /// Counter-based (RFC 4226): a new code each time the counter advances.
    Hotp,
    /// Steam Guard: TOTP over SHA-1 and 30 s, shown as 5 characters of Steam's alphabet.
    Steam,
}

impl fmt::Display for OtpKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Totp => "totp",
            Self::Hotp => "hotp",
            Self::Steam => "steam",
        })
    }
}

/// Default TOTP step (RFC 6238 §5.2) and digit count (RFC 4226 §5.3).
pub const DEFAULT_PERIOD: u32 = 30;
/// Default number of digits.
pub const DEFAULT_DIGITS: u8 = 6;
/// Digits accepted for TOTP and HOTP: RFC 4226 §5.3 allows 6 to 8; fewer is guessable, more
/// does not fit the 31-bit truncation.
pub const DIGITS_RANGE: std::ops::RangeInclusive<u8> = 6..=8;
/// Periods accepted, in seconds: an hour is already far beyond any service seen.
pub const PERIOD_RANGE: std::ops::RangeInclusive<u32> = 1..=3600;
/// Steam Guard codes are always 5 characters over a 30 s step.
pub const STEAM_DIGITS: u8 = 5;

/// Why a set of OTP parameters is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamsError {
    /// Digits outside [`DIGITS_RANGE`].
    #[error("{0} digits is not supported; codes have 6, 7 or 8 digits")]
    Digits(u8),
    /// Period outside [`PERIOD_RANGE`].
    #[error("a period of {0} seconds is not supported; it must be between 1 and 3600")]
    Period(u32),
    /// Steam Guard with parameters other than its fixed ones.
    #[error("Steam Guard codes are always SHA1, 5 characters and 30 seconds")]
    Steam,
}

/// Everything needed, besides the secret, to compute an account's codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OtpParams {
    /// TOTP, HOTP or Steam.
    pub kind: OtpKind,
    /// HMAC hash.
    pub algorithm: Algorithm,
    /// Code length.
    pub digits: u8,
    /// Step in seconds (TOTP and Steam; kept but unused for HOTP).
    pub period: u32,
    /// The next counter value to use (HOTP only; 0 otherwise).
    pub counter: u64,
}

impl OtpParams {
    /// "TOTP, SHA1, 6 digits, every 30 s" and the like, for people.
    pub fn summary(&self) -> String {
        match self.kind {
            OtpKind::Totp => format!(
                "TOTP, {}, {} digits, every {} s",
                self.algorithm, self.digits, self.period
            ),
            OtpKind::Hotp => format!(
                "HOTP, {}, {} digits, next counter {}",
                self.algorithm, self.digits, self.counter
            ),
            OtpKind::Steam => "Steam Guard".to_owned(),
        }
    }

    /// What a person needs to know of the parameters, and only that: "6 digits, every 30 s";
    /// the algorithm only when it is not the usual SHA1 ("8 digits, every 30 s, SHA256").
    pub fn short_summary(&self) -> String {
        let unusual = if self.algorithm == Algorithm::Sha1 {
            String::new()
        } else {
            format!(", {}", self.algorithm)
        };
        match self.kind {
            OtpKind::Totp => format!("{} digits, every {} s{unusual}", self.digits, self.period),
            OtpKind::Hotp => format!("{} digits, counter-based{unusual}", self.digits),
            OtpKind::Steam => "Steam Guard".to_owned(),
        }
    }

    /// TOTP with the given parameters, checked.
    pub fn totp(algorithm: Algorithm, digits: u8, period: u32) -> Result<Self, ParamsError> {
        Self {
            kind: OtpKind::Totp,
            algorithm,
            digits,
            period,
            counter: 0,
        }
        .validated()
    }

    /// HOTP starting at `counter`, checked.
    pub fn hotp(algorithm: Algorithm, digits: u8, counter: u64) -> Result<Self, ParamsError> {
        Self {
            kind: OtpKind::Hotp,
            algorithm,
            digits,
            period: DEFAULT_PERIOD,
            counter,
        }
        .validated()
    }

    /// Steam Guard's fixed parameters.
    pub fn steam() -> Self {
        Self {
            kind: OtpKind::Steam,
            algorithm: Algorithm::Sha1,
            digits: STEAM_DIGITS,
            period: DEFAULT_PERIOD,
            counter: 0,
        }
    }

    /// Checks the invariants the code generator relies on (it panics on 10+ digits or a zero step,
    /// so parameters read from a file are validated here before use).
    pub fn validated(self) -> Result<Self, ParamsError> {
        match self.kind {
            OtpKind::Steam => {
                if self.algorithm != Algorithm::Sha1
                    || self.digits != STEAM_DIGITS
                    || self.period != DEFAULT_PERIOD
                {
                    return Err(ParamsError::Steam);
                }
            }
            OtpKind::Totp | OtpKind::Hotp => {
                if !DIGITS_RANGE.contains(&self.digits) {
                    return Err(ParamsError::Digits(self.digits));
                }
                if !PERIOD_RANGE.contains(&self.period) {
                    return Err(ParamsError::Period(self.period));
                }
            }
        }
        Ok(self)
    }

    /// True when codes depend on time rather than on a counter.
    pub fn is_time_based(&self) -> bool {
        self.kind != OtpKind::Hotp
    }
}

/// A source of the current Unix time, injected wherever a code or an expiry depends on it.
pub trait Clock: Send + Sync {
    /// Seconds since the Unix epoch.
    fn now(&self) -> u64;
}

/// The system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the one place wall time enters the core
    fn now(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|elapsed| elapsed.as_secs())
            .unwrap_or(0)
    }
}

/// A clock fixed at one instant, for tests and for computing codes "as of" a time.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub u64);

impl Clock for FixedClock {
    fn now(&self) -> u64 {
        self.0
    }
}

/// A time-based code and the window it is valid in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimedCode {
    /// The code as the service expects it (`"094287"`, `"2TB4N"`).
    pub code: String,
    /// Unix time at which this code stops being current.
    pub valid_until: u64,
    /// Seconds from the reading's instant until `valid_until` (1..=period).
    pub seconds_left: u64,
    /// The step's length in seconds.
    pub period: u32,
}

fn generator(secret: &Secret, params: &OtpParams, step: u64) -> totp_rs::Totp {
    let algorithm = match params.kind {
        OtpKind::Steam => totp_rs::Algorithm::Steam,
        OtpKind::Totp | OtpKind::Hotp => match params.algorithm {
            Algorithm::Sha1 => totp_rs::Algorithm::SHA1,
            Algorithm::Sha256 => totp_rs::Algorithm::SHA256,
            Algorithm::Sha512 => totp_rs::Algorithm::SHA512,
        },
    };
    // build_noncompliant: Sesame validates parameters itself (OtpParams::validated) and must
    // accept the 80-bit secrets that totp-rs's checked build refuses.
    totp_rs::Builder::new()
        .with_algorithm(algorithm)
        .with_digits(params.digits)
        .with_step_duration(step.max(1))
        .with_skew(0)
        .with_secret(secret.expose().to_vec())
        .build_noncompliant()
}

/// The time-based code current at `unix_time` (TOTP and Steam).
///
/// For HOTP parameters this returns the code of `params.counter` with no time window; callers
/// should use [`hotp_code`] for HOTP so the counter is advanced on purpose.
pub fn timed_code(secret: &Secret, params: &OtpParams, unix_time: u64) -> TimedCode {
    let period = u64::from(params.period.max(1));
    let code = generator(secret, params, period)
        .generate(unix_time)
        .to_string();
    let valid_until = (unix_time / period + 1) * period;
    TimedCode {
        code,
        valid_until,
        seconds_left: valid_until - unix_time,
        period: params.period,
    }
}

/// The code of the step after the one current at `unix_time`, so a user can see what comes next.
pub fn next_timed_code(secret: &Secret, params: &OtpParams, unix_time: u64) -> TimedCode {
    let period = u64::from(params.period.max(1));
    let next_start = (unix_time / period + 1) * period;
    timed_code(secret, params, next_start)
}

/// The HOTP code for `counter` (RFC 4226 §5.3).
pub fn hotp_code(secret: &Secret, params: &OtpParams, counter: u64) -> String {
    // TOTP is HOTP over floor(t / step): with a step of one second the "time" is the counter.
    generator(secret, params, 1).generate(counter).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ascii_seed(len: usize) -> Secret {
        let seed: Vec<u8> = b"1234567890".iter().copied().cycle().take(len).collect();
        Secret::from_bytes(seed).expect("non-empty")
    }

    #[test]
    fn rfc4226_appendix_d_vectors() {
        let secret = Secret::from_bytes(b"12345678901234567890".to_vec()).expect("seed");
        let params = OtpParams::hotp(Algorithm::Sha1, 6, 0).expect("valid");
        let expected = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583",
            "399871", "520489",
        ];
        for (counter, want) in expected.iter().enumerate() {
            assert_eq!(
                hotp_code(&secret, &params, counter as u64),
                *want,
                "counter {counter}"
            );
        }
    }

    #[test]
    fn rfc6238_appendix_b_vectors_with_per_algorithm_seeds() {
        // The seed is 20 bytes for SHA1, 32 for SHA256 and 64 for SHA512: the RFC's reference
        // code uses a different key per hash, and the 20-byte seed for all is a known trap.
        let rows: [(u64, &str, &str, &str); 6] = [
            (59, "94287082", "46119246", "90693936"),
            (1111111109, "07081804", "68084774", "25091201"),
            (1111111111, "14050471", "67062674", "99943326"),
            (1234567890, "89005924", "91819424", "93441116"),
            (2000000000, "69279037", "90698825", "38618901"),
            (20000000000, "65353130", "77737706", "47863826"),
        ];
        let cases = [
            (Algorithm::Sha1, ascii_seed(20)),
            (Algorithm::Sha256, ascii_seed(32)),
            (Algorithm::Sha512, ascii_seed(64)),
        ];
        for (time, sha1, sha256, sha512) in rows {
            for ((algorithm, seed), want) in cases.iter().zip([sha1, sha256, sha512]) {
                let params = OtpParams::totp(*algorithm, 8, 30).expect("valid");
                assert_eq!(
                    timed_code(seed, &params, time).code,
                    want,
                    "{algorithm} at {time}"
                );
            }
        }
    }

    #[test]
    fn seconds_left_and_next_code_follow_the_step() {
        let seed = ascii_seed(20);
        let params = OtpParams::totp(Algorithm::Sha1, 8, 30).expect("valid");
        let now = timed_code(&seed, &params, 59);
        assert_eq!((now.seconds_left, now.valid_until), (1, 60));
        let fresh = timed_code(&seed, &params, 60);
        assert_eq!(fresh.seconds_left, 30);
        let next = next_timed_code(&seed, &params, 1111111109);
        assert_eq!(next.code, timed_code(&seed, &params, 1111111110).code);
        assert_eq!(next.code, "14050471");
    }

    #[test]
    fn any_period_and_digit_count_in_range() {
        let seed = ascii_seed(20);
        let params = OtpParams::totp(Algorithm::Sha1, 6, 60).expect("valid");
        // With a 60 s step, t=59 and t=0 share counter 0, whose 6-digit HOTP is 755224.
        assert_eq!(timed_code(&seed, &params, 59).code, "755224");
        assert_eq!(timed_code(&seed, &params, 60).code, "287082");
        let seven = OtpParams::totp(Algorithm::Sha1, 7, 30).expect("valid");
        assert_eq!(timed_code(&seed, &seven, 59).code, "4287082");
    }

    #[test]
    fn steam_guard_codes_use_steams_alphabet() {
        let seed = ascii_seed(20);
        let code = timed_code(&seed, &OtpParams::steam(), 59).code;
        assert_eq!(code.len(), 5);
        assert!(
            code.chars()
                .all(|c| "23456789BCDFGHJKMNPQRTVWXY".contains(c)),
            "{code}"
        );
    }

    #[test]
    fn rejects_parameters_the_generator_cannot_honour() {
        assert_eq!(
            OtpParams::totp(Algorithm::Sha1, 9, 30),
            Err(ParamsError::Digits(9))
        );
        assert_eq!(
            OtpParams::totp(Algorithm::Sha1, 5, 30),
            Err(ParamsError::Digits(5))
        );
        assert_eq!(
            OtpParams::totp(Algorithm::Sha1, 6, 0),
            Err(ParamsError::Period(0))
        );
        let mut steam = OtpParams::steam();
        steam.digits = 6;
        assert_eq!(steam.validated(), Err(ParamsError::Steam));
    }
}
