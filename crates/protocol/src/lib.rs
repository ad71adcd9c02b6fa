//! Sesame's QR-login protocol, version 1 (`../shared/design/qr-login.md`): the parts both the
//! reference server and the companion app must compute the same way.
//!
//! - [`message`]: the signed-message encoding, the contexts, and key ids;
//! - [`origin`]: origins and how they compare;
//! - [`qr`]: the `sesame://login` and `sesame://bind` payloads, signed and verified;
//! - [`address`]: whether the browser and the device share an address;
//! - [`wire`]: request and response bodies, and the error codes with their HTTP statuses;
//! - [`user_agent`]: a browser's user agent in words, as both sides show it.

pub mod address;
pub mod message;
pub mod origin;
pub mod qr;
pub mod user_agent;
pub mod wire;
#[cfg(test)]
mod wire_snapshots;

/// The protocol version these types speak.
pub const VERSION: u32 = 1;
