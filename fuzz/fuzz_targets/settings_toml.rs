//! The user's settings file: any text reads, is refused, or is refused by the bounds check;
//! settings that pass the check save as TOML that reads back the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sesame_core::settings::Settings;

fuzz_target!(|text: &str| {
    let Ok(settings) = toml::from_str::<Settings>(text) else {
        return;
    };
    let Ok(settings) = settings.validated() else {
        return;
    };
    let written = toml::to_string(&settings).expect("settings serialize");
    let again: Settings = toml::from_str(&written).expect("written settings read");
    assert_eq!(again, settings);
});
