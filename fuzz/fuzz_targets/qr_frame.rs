//! The decoder on arbitrary small grayscale frames of any shape: no panic, no hang, whatever the
//! pixels.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use sesame_core::scan::decoder::decode_frame;
use sesame_core::scan::luma::Luma;

#[derive(Arbitrary, Debug)]
struct Frame {
    width: u8,
    height: u8,
    pixels: Vec<u8>,
}

fuzz_target!(|frame: Frame| {
    let (width, height) = (usize::from(frame.width), usize::from(frame.height));
    let mut rgba = Vec::with_capacity(width * height * 4);
    for i in 0..width * height {
        let value = frame
            .pixels
            .get(i % frame.pixels.len().max(1))
            .copied()
            .unwrap_or(0);
        rgba.extend_from_slice(&[value, value, value, 255]);
    }
    let _ = decode_frame(&Luma::from_rgba(width, height, &rgba));
});
