//! Opening the first message of libsodium's `crypto_secretstream_xchacha20poly1305`, the
//! construction Ente Auth seals its export with, as libsodium defines it
//! (`crypto_secretstream/xchacha20poly1305/secretstream_xchacha20poly1305.c`): a subkey from
//! HChaCha20 of the key and the header's first 16 bytes; a nonce of a 32-bit counter (1) and
//! the header's last 8 bytes; the message's tag byte and text encrypted with ChaCha20 (IETF)
//! from blocks 1 and 2; Poly1305, keyed by block 0, over the encrypted tag block, the
//! ciphertext and the lengths. Checked against libsodium's own output (the fixture's writer).

use chacha20::cipher::{KeyIvInit as _, StreamCipher as _, StreamCipherSeek as _};
use chacha20::{ChaCha20, hchacha};
use poly1305::Poly1305;
use poly1305::universal_hash::KeyInit as _;
use subtle::ConstantTimeEq as _;
use zeroize::Zeroizing;

/// Header (libsodium's `HEADERBYTES`).
pub const HEADER_BYTES: usize = 24;
/// What sealing adds to a message: its tag byte and the 16-byte MAC (`ABYTES`).
const OVERHEAD: usize = 17;

/// The message's text and its tag byte (3 for a stream's last message), or `None` when the key, header or data do not match (a wrong
/// password, or a damaged file).
pub fn open_first(
    key: &[u8; 32],
    header: &[u8; HEADER_BYTES],
    sealed: &[u8],
) -> Option<(Zeroizing<Vec<u8>>, u8)> {
    if sealed.len() < OVERHEAD {
        return None;
    }
    let hchacha_input: [u8; 16] = header[..16].try_into().ok()?;
    let subkey = Zeroizing::new(<[u8; 32]>::from(hchacha::<chacha20::R20>(
        &(*key).into(),
        &hchacha_input.into(),
    )));
    let mut nonce = [0u8; 12];
    nonce[0] = 1;
    nonce[4..].copy_from_slice(&header[16..]);
    let stream = |block: u64, data: &mut [u8]| {
        let mut cipher = ChaCha20::new(&(*subkey).into(), &nonce.into());
        cipher.seek(block * 64);
        cipher.apply_keystream(data);
    };

    let mut poly_key = Zeroizing::new([0u8; 32]);
    stream(0, poly_key.as_mut());

    let (tag_byte, rest) = sealed.split_first()?;
    let (ciphertext, stored_mac) = rest.split_at(rest.len() - 16);
    let mut tag_block = [0u8; 64];
    tag_block[0] = *tag_byte;
    stream(1, &mut tag_block);
    let tag = tag_block[0];
    tag_block[0] = *tag_byte;

    // What the MAC covers, as libsodium feeds it: no associated data; the tag block; the
    // ciphertext, then `(16 - 64 + mlen) & 15` zero bytes (libsodium's own padding rule, which
    // is mlen mod 16, not the complement); the two lengths as 64-bit little-endian numbers.
    let mut authenticated = Vec::with_capacity(64 + ciphertext.len() + 16 + 16);
    authenticated.extend_from_slice(&tag_block);
    authenticated.extend_from_slice(ciphertext);
    authenticated.resize(authenticated.len() + (ciphertext.len() & 0xf), 0);
    authenticated.extend_from_slice(&0u64.to_le_bytes());
    authenticated.extend_from_slice(&(64 + ciphertext.len() as u64).to_le_bytes());
    let mac = Poly1305::new(&(*poly_key).into()).compute_unpadded(&authenticated);
    if !bool::from(mac.as_slice().ct_eq(stored_mac)) {
        return None;
    }

    let mut text = Zeroizing::new(ciphertext.to_vec());
    stream(2, &mut text);
    Some((text, tag))
}
