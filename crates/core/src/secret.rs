//! The shared OTP secret: raw key bytes held in memory that is wiped on drop.
//!
//! A [`Secret`] never prints itself: its `Debug` is `[redacted]`, it has no `Display`, and the
//! only way out is [`Secret::expose`] or [`Secret::to_base32`] (itself zeroizing).

use std::fmt;
use std::sync::LazyLock;

use data_encoding::{Encoding, Specification};
use secrecy::{ExposeSecret, SecretSlice};
use zeroize::Zeroizing;

/// The shortest secret Sesame accepts without a warning: 80 bits, the size many services issue
/// (16 base32 characters). RFC 4226 §4 asks issuers for 128 bits, but refusing what real services
/// hand out would only push users to a weaker app.
pub const RECOMMENDED_MIN_BYTES: usize = 10;

/// The longest secret accepted: far beyond any real service (SHA-512 blocks are 128 bytes), so a
/// longer value is a mistake or junk, not a key.
pub const MAX_BYTES: usize = 256;

/// Why a base32 secret could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// Nothing was left after removing spaces, dashes and padding.
    #[error("the secret is empty")]
    Empty,
    /// A character outside the base32 alphabet (A–Z, 2–7).
    #[error("the secret has {character:?} at position {position}, which is not base32 (A-Z, 2-7)")]
    InvalidCharacter {
        /// The offending character.
        character: char,
        /// 1-based position in the secret as the user wrote it.
        position: usize,
    },
    /// A base32 string whose length cannot encode whole bytes (1, 3 or 6 characters left over).
    #[error("the secret has {length} base32 characters, a length no whole number of bytes encodes")]
    InvalidLength {
        /// Characters after normalisation.
        length: usize,
    },
    /// Longer than [`MAX_BYTES`].
    #[error("the secret is {bytes} bytes long; at most {MAX_BYTES} are accepted")]
    TooLong {
        /// Decoded length.
        bytes: usize,
    },
}

/// Raw OTP key bytes, zeroized on drop and never printed.
#[derive(Clone)]
pub struct Secret(SecretSlice<u8>);

// RFC 4648 base32, but decoding ignores non-zero trailing bits: secrets cut at a character
// boundary (26 characters = 130 bits, say) are common in the wild and every major authenticator
// accepts them.
static LENIENT_BASE32: LazyLock<Encoding> = LazyLock::new(|| {
    let mut spec = Specification::new();
    spec.symbols.push_str("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
    spec.check_trailing_bits = false;
    spec.encoding()
        .expect("a 32-symbol alphabet with no padding is a valid base32 specification")
});

impl Secret {
    /// Wraps raw key bytes.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, SecretError> {
        if bytes.is_empty() {
            return Err(SecretError::Empty);
        }
        if bytes.len() > MAX_BYTES {
            let length = bytes.len();
            drop(Zeroizing::new(bytes));
            return Err(SecretError::TooLong { bytes: length });
        }
        Ok(Self(bytes.into()))
    }

    /// Reads a base32 secret as people and QR generators write it: any case, with spaces or
    /// dashes between groups, with or without `=` padding.
    pub fn from_base32(text: &str) -> Result<Self, SecretError> {
        let mut normalized = Zeroizing::new(String::with_capacity(text.len()));
        let mut padding_started = false;
        for (index, character) in text.chars().enumerate() {
            let position = index + 1;
            match character {
                ' ' | '-' | '\t' => continue,
                '=' => padding_started = true,
                'a'..='z' | 'A'..='Z' | '2'..='7' if !padding_started => {
                    normalized.push(character.to_ascii_uppercase());
                }
                _ => {
                    return Err(SecretError::InvalidCharacter {
                        character,
                        position,
                    });
                }
            }
        }
        if normalized.is_empty() {
            return Err(SecretError::Empty);
        }
        let bytes = LENIENT_BASE32.decode(normalized.as_bytes()).map_err(|_| {
            SecretError::InvalidLength {
                length: normalized.len(),
            }
        })?;
        Self::from_bytes(bytes)
    }

    /// The key bytes. Callers must not copy them into memory that outlives the call unzeroized.
    pub fn expose(&self) -> &[u8] {
        self.0.expose_secret()
    }

    /// Canonical base32: upper case, no padding.
    pub fn to_base32(&self) -> Zeroizing<String> {
        Zeroizing::new(data_encoding::BASE32_NOPAD.encode(self.expose()))
    }

    /// Length of the key in bits.
    pub fn bits(&self) -> usize {
        self.expose().len() * 8
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl PartialEq for Secret {
    /// Constant-time: comparing secrets must not leak how many leading bytes matched.
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (self.expose(), other.expose());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

impl Eq for Secret {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerates_case_spaces_dashes_and_padding() {
        let canonical = Secret::from_base32("JBSWY3DPEHPK3PXP").expect("valid");
        for written in [
            "jbswy3dpehpk3pxp",
            "JBSW Y3DP EHPK 3PXP",
            "jbsw-y3dp-ehpk-3pxp",
            "JBSWY3DPEHPK3PXP======",
        ] {
            assert_eq!(Secret::from_base32(written).expect(written), canonical);
        }
        assert_eq!(canonical.expose(), b"Hello!\xde\xad\xbe\xef");
    }

    #[test]
    fn accepts_80_bit_and_odd_length_secrets() {
        assert_eq!(
            Secret::from_base32("JBSWY3DPEHPK3PXP")
                .expect("80-bit")
                .bits(),
            80
        );
        // 26 characters: 130 bits, the last 2 bits dropped as every authenticator does.
        let odd = Secret::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY").expect("26 chars");
        assert_eq!(odd.expose().len(), 16);
    }

    #[test]
    fn names_the_bad_character_and_its_position() {
        assert_eq!(
            Secret::from_base32("JBSW1Y3DP"),
            Err(SecretError::InvalidCharacter {
                character: '1',
                position: 5
            })
        );
        assert_eq!(
            Secret::from_base32("JBSW==Y3"),
            Err(SecretError::InvalidCharacter {
                character: 'Y',
                position: 7
            })
        );
    }

    #[test]
    fn rejects_empty_impossible_lengths_and_huge_secrets() {
        assert_eq!(Secret::from_base32(" = "), Err(SecretError::Empty));
        assert_eq!(
            Secret::from_base32("ABC"),
            Err(SecretError::InvalidLength { length: 3 })
        );
        let huge = "A".repeat(8 * 52); // 260 bytes
        assert_eq!(
            Secret::from_base32(&huge),
            Err(SecretError::TooLong { bytes: 260 })
        );
    }

    #[test]
    fn debug_never_shows_the_key() {
        let secret = Secret::from_base32("JBSWY3DPEHPK3PXP").expect("valid");
        let shown = format!("{secret:?}");
        assert!(!shown.contains("JBSW") && !shown.contains("72"), "{shown}");
    }

    #[test]
    fn base32_round_trips() {
        let secret = Secret::from_base32("jbsw y3dp ehpk 3pxp").expect("valid");
        assert_eq!(secret.to_base32().as_str(), "JBSWY3DPEHPK3PXP");
    }
}
