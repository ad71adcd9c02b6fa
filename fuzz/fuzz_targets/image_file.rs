//! An image file's bytes, as "Image…" and `--from-image` read them: any bytes give codes or a
//! clear refusal, never a panic (the image crate's decoders, then Sesame's own).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sesame_core::scan::scan_image_bytes;

fuzz_target!(|bytes: &[u8]| {
    let _ = scan_image_bytes("fuzzed.png", bytes);
});
