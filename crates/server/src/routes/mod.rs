//! The HTTP routes, one file per domain.

pub mod accounts;
pub mod bindings;
pub mod devices;
pub mod health;
pub mod pages;
pub mod qr;
