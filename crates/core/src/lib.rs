//! Sesame's core: one-time codes, account URIs, the keyring vault, QR reading, the QR-login
//! client, the organization's policy, and the use cases over them ([`Sesame`]).
//!
//! Pure Rust with no knowledge of Tauri or terminals: the desktop app and the `sesame` CLI are
//! two faces of this crate.

pub mod account;
pub mod account_form;
pub mod clipboard;
pub mod import;
pub mod login;
pub mod otp;
pub mod otpauth;
pub mod policy;
pub mod private_files;
pub mod programs;
pub mod scan;
pub mod search;
pub mod secret;
pub mod sesame;
pub mod settings;
pub mod shortcut;
#[cfg(any(test, feature = "test-support"))]
pub mod testing;
pub mod transfer;
pub mod unlocked;
pub mod vault;

pub use account::{Account, AccountId, NewAccount};
pub use secret::Secret;
pub use sesame::Sesame;
pub use vault::Vault;
