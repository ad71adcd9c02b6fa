//! One module per command, each a thin layer over `sesame_core`.

pub mod add;
pub mod backup;
pub mod code;
pub mod doctor;
pub mod list;
pub mod login;
pub mod remove;
pub mod rename;
pub mod scan;
pub mod transfer;
