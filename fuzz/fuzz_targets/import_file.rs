//! An import file, as `sesame import` and Settings → Import… read it: any bytes are recognised
//! as one app's export or as URI text, or refused with a message naming what they are. Read
//! without a password (an encrypted export stops at asking for it; its key derivation is the
//! formats' own fixed cost, not a reader to explore), and the preview of what reads never
//! panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sesame_core::import;
use sesame_core::transfer::{ImportPreview, Incoming};

fuzz_target!(|bytes: &[u8]| {
    if let Some(format) = import::recognise(bytes) {
        let _ = format.is_encrypted(bytes);
    }
    match Incoming::from_import_file(bytes, None) {
        Ok(incoming) => {
            let preview = ImportPreview::new(incoming, &[]);
            assert!(preview.new_count() + preview.unusable_count() <= preview.entries.len());
        }
        Err(error) => {
            assert!(!error.to_string().is_empty());
        }
    }
});
