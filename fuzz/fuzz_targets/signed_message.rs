//! The signed messages of the QR-login protocol: a signature over some fields verifies for
//! exactly those fields under that context — not after a byte changes, not with a byte moved
//! from one field to the next (the length prefixes make the encoding unambiguous), not with a
//! field added or dropped, not under another context.
#![no_main]

use arbitrary::Arbitrary;
use ed25519_dalek::SigningKey;
use libfuzzer_sys::fuzz_target;
use sesame_protocol::message::{Context, sign, verify};

#[derive(Arbitrary, Debug)]
enum Edit {
    Nothing,
    FlipBit { field: u8, at: u16, bit: u8 },
    MoveByteToNext { field: u8 },
    AddEmptyField,
    DropLastField,
    OtherContext(u8),
}

#[derive(Arbitrary, Debug)]
struct Case {
    fields: Vec<Vec<u8>>,
    context: u8,
    edit: Edit,
}

const CONTEXTS: [Context; 4] = [Context::Qr, Context::Bind, Context::Scan, Context::Confirm];

fuzz_target!(|case: Case| {
    let key = SigningKey::from_bytes(&[7; 32]);
    let public = key.verifying_key();
    let context = CONTEXTS[usize::from(case.context) % 4];
    let slices: Vec<&[u8]> = case.fields.iter().map(Vec::as_slice).collect();
    let Ok(signature) = sign(&key, context, &slices) else {
        return; // a field over 65 535 bytes is refused, never truncated
    };
    assert!(verify(&public, context, &slices, &signature));

    let mut fields = case.fields.clone();
    let mut other_context = context;
    let changed = match case.edit {
        Edit::Nothing => false,
        Edit::FlipBit { field, at, bit } => {
            let n = fields.len();
            match fields.get_mut(usize::from(field) % n.max(1)) {
                Some(f) if !f.is_empty() => {
                    let i = usize::from(at) % f.len();
                    f[i] ^= 1 << (bit % 8);
                    true
                }
                _ => false,
            }
        }
        Edit::MoveByteToNext { field } => {
            let n = fields.len();
            let i = usize::from(field) % n.max(1);
            if i + 1 < n && !fields[i].is_empty() {
                let byte = fields[i].pop().expect("not empty");
                fields[i + 1].insert(0, byte);
                true
            } else {
                false
            }
        }
        Edit::AddEmptyField => {
            fields.push(Vec::new());
            true
        }
        Edit::DropLastField => fields.pop().is_some(),
        Edit::OtherContext(c) => {
            other_context = CONTEXTS[usize::from(c) % 4];
            other_context.as_str() != context.as_str()
        }
    };
    let slices: Vec<&[u8]> = fields.iter().map(Vec::as_slice).collect();
    assert_eq!(
        verify(&public, other_context, &slices, &signature),
        !changed,
        "{:?}",
        case.edit
    );
});
