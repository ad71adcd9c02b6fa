//! The machine's policy file: any text reads or is refused with a message; one that reads, its
//! decisions asked, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sesame_core::policy::Policy;

fuzz_target!(|text: &str| {
    if let Ok(policy) = Policy::parse(text, std::path::Path::new("/etc/sesame/policy.toml")) {
        let _ = policy.check_manual_add();
        let _ = policy.check_export();
        let _ = policy.check_cli_code();
        let _ = policy.apply(sesame_core::settings::Settings::default());
    }
});
