//! The HTTP routes, one file per domain.

pub mod qr;
