//! Signed messages: `context ‖ 0x00 ‖` then, per field in order, a big-endian `u16` length and
//! the field's bytes. Length-prefixing makes every field boundary unambiguous, so no two field
//! lists encode to the same bytes.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest as _, Sha256};

/// What a signature is over; each context's messages can never be mistaken for another's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// The server's login QR code.
    Qr,
    /// A device's proof of possession when claiming a binding.
    Bind,
    /// A device's scan of a login session.
    Scan,
    /// A device's approval or denial.
    Confirm,
}

impl Context {
    /// The context string.
    pub fn as_str(self) -> &'static str {
        match self {
            Context::Qr => "sesame/qr/v1",
            Context::Bind => "sesame/bind/v1",
            Context::Scan => "sesame/scan/v1",
            Context::Confirm => "sesame/confirm/v1",
        }
    }
}

/// Why a message cannot be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    /// A field longer than a `u16` length can say.
    #[error("field {index} is {len} bytes, longer than a signed message allows (65535)")]
    FieldTooLong { index: usize, len: usize },
}

/// The bytes signed for `context` over `fields`.
pub fn encode(context: Context, fields: &[&[u8]]) -> Result<Vec<u8>, MessageError> {
    let mut out = Vec::with_capacity(
        context.as_str().len() + 1 + fields.iter().map(|f| f.len() + 2).sum::<usize>(),
    );
    out.extend_from_slice(context.as_str().as_bytes());
    out.push(0);
    for (index, field) in fields.iter().enumerate() {
        let len = u16::try_from(field.len()).map_err(|_| MessageError::FieldTooLong {
            index,
            len: field.len(),
        })?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(field);
    }
    Ok(out)
}

/// Signs `fields` under `context`.
pub fn sign(
    key: &SigningKey,
    context: Context,
    fields: &[&[u8]],
) -> Result<Signature, MessageError> {
    Ok(key.sign(&encode(context, fields)?))
}

/// Checks a signature over `fields` under `context` (strictly: no malleable encodings).
pub fn verify(
    key: &VerifyingKey,
    context: Context,
    fields: &[&[u8]],
    signature: &Signature,
) -> bool {
    encode(context, fields).is_ok_and(|message| key.verify_strict(&message, signature).is_ok())
}

/// Text fields as the byte slices [`sign`] and [`verify`] take.
pub fn text_fields<const N: usize>(fields: &[String; N]) -> [&[u8]; N] {
    fields.each_ref().map(|field| field.as_bytes())
}

/// A key's id: base64url of the first 8 bytes of SHA-256 of the public key.
pub fn key_id(key: &VerifyingKey) -> String {
    let digest = Sha256::digest(key.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest[..8])
}

/// Base64url without padding, the protocol's encoding of binary values.
pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes base64url without padding; `None` on anything else (padding, the standard
/// alphabet, stray characters).
pub fn unb64(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_encoding_is_context_nul_then_length_prefixed_fields() {
        let bytes = encode(Context::Scan, &[b"ab", b"", b"c"]).expect("encode");
        let mut expected = b"sesame/scan/v1\0".to_vec();
        expected.extend_from_slice(&[0, 2, b'a', b'b', 0, 0, 0, 1, b'c']);
        assert_eq!(bytes, expected);
    }

    #[test]
    fn moving_a_field_boundary_changes_the_message() {
        let one = encode(Context::Qr, &[b"ab", b"c"]).expect("encode");
        let two = encode(Context::Qr, &[b"a", b"bc"]).expect("encode");
        assert_ne!(one, two);
    }

    #[test]
    fn a_signature_holds_only_for_its_context_and_fields() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let public = key.verifying_key();
        let signature = sign(&key, Context::Scan, &[b"sid", b"chal"]).expect("sign");
        assert!(verify(
            &public,
            Context::Scan,
            &[b"sid", b"chal"],
            &signature
        ));
        assert!(!verify(
            &public,
            Context::Confirm,
            &[b"sid", b"chal"],
            &signature
        ));
        assert!(!verify(
            &public,
            Context::Scan,
            &[b"sid", b"chaL"],
            &signature
        ));
        let other = SigningKey::from_bytes(&[8; 32]).verifying_key();
        assert!(!verify(
            &other,
            Context::Scan,
            &[b"sid", b"chal"],
            &signature
        ));
    }

    #[test]
    fn oversized_fields_are_refused() {
        let big = vec![0u8; 70_000];
        assert_eq!(
            encode(Context::Bind, &[b"x", &big]),
            Err(MessageError::FieldTooLong {
                index: 1,
                len: 70_000
            })
        );
    }

    #[test]
    fn key_ids_are_eleven_base64url_characters_of_the_key_hash() {
        let key = SigningKey::from_bytes(&[1; 32]).verifying_key();
        let id = key_id(&key);
        assert_eq!(id.len(), 11);
        assert_eq!(
            unb64(&id).expect("base64url"),
            Sha256::digest(key.as_bytes())[..8].to_vec()
        );
        assert_eq!(unb64("aa=="), None);
        assert_eq!(unb64("a+b/"), None);
    }
}
