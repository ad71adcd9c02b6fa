//! Tauri commands, one file per domain.

pub mod accounts;
