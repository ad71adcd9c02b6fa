//! The tray's icon, the app's own, decoded from the PNG built into the binary.

use tray_icon::Icon;

const PNG: &[u8] = include_bytes!("../../../icons/32x32.png");

/// The icon as RGBA pixels.
pub fn load() -> Result<Icon, String> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(PNG));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::ALPHA);
    let mut reader = decoder.read_info().map_err(|e| e.to_string())?;
    let size = reader.output_buffer_size().ok_or("the icon is too large")?;
    let mut rgba = vec![0; size];
    let frame = reader.next_frame(&mut rgba).map_err(|e| e.to_string())?;
    if frame.color_type != png::ColorType::Rgba || frame.bit_depth != png::BitDepth::Eight {
        return Err(format!(
            "expected 8-bit RGBA, found {:?} {:?}",
            frame.color_type, frame.bit_depth
        ));
    }
    rgba.truncate(frame.buffer_size());
    Icon::from_rgba(rgba, frame.width, frame.height).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_built_in_icon_decodes() {
        assert!(super::load().is_ok());
    }
}
