//! Account URIs: the `otpauth://` Key URI format and Google Authenticator's migration export.

pub mod migration;
pub mod uri;

pub use migration::{BatchPart, EntryError, MigrationBatch, MigrationError, Place, SkippedEntry};
pub use uri::{ParsedUri, UriError, UriWarning};
