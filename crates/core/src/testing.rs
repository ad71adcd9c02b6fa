//! Helpers for Sesame's own tests across crates (feature `test-support`, enabled only by
//! dev-dependencies): a crash injector for the index, and references that do not go through
//! Sesame's code.

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::vault::{FileIndex, Index, IndexError, IndexLock, IndexStorage};

/// An index whose `save` number `fail_at` (1-based) fails, as a crash at that point would.
pub struct CrashingIndex {
    inner: FileIndex,
    saves: AtomicUsize,
    fail_at: usize,
}

impl CrashingIndex {
    /// The index in `inner`, failing its `fail_at`-th save.
    pub fn new(inner: FileIndex, fail_at: usize) -> Self {
        Self {
            inner,
            saves: AtomicUsize::new(0),
            fail_at,
        }
    }
}

impl IndexStorage for CrashingIndex {
    fn load(&self) -> Result<Index, IndexError> {
        self.inner.load()
    }
    fn save(&self, index: &Index) -> Result<(), IndexError> {
        if self.saves.fetch_add(1, Ordering::SeqCst) + 1 == self.fail_at {
            return Err(IndexError::Io {
                action: "write",
                path: self.inner.location(),
                source: std::io::Error::other("simulated crash"),
            });
        }
        self.inner.save(index)
    }
    fn lock(&self) -> Result<IndexLock, IndexError> {
        self.inner.lock()
    }
    fn location(&self) -> PathBuf {
        self.inner.location()
    }
}

/// The SHA1, 30 s TOTP code at `time`, computed by totp-rs directly, not by Sesame's `otp`.
pub fn independent_totp(secret: &[u8], digits: u8, time: u64) -> String {
    totp_rs::Builder::new()
        .with_algorithm(totp_rs::Algorithm::SHA1)
        .with_digits(digits)
        .with_step_duration(30)
        .with_secret(secret.to_vec())
        .build_noncompliant()
        .generate(time)
        .to_string()
}

/// Asks the keyring directly with `secret-tool`, as any other program would, for an account's
/// secret.
pub fn secret_tool_lookup(id: &str) -> Option<String> {
    secret_tool_lookup_in(crate::vault::ACCOUNT_SERVICE, id)
}

/// The same for any service's entry (device keys: `sesame-device`, user = the origin).
pub fn secret_tool_lookup_in(service: &str, user: &str) -> Option<String> {
    let output = Command::new("secret-tool")
        .args(["lookup", "service", service, "username", user])
        .output()
        .expect("secret-tool is installed by scripts/dev");
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}
