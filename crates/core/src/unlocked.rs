//! Secrets held in memory while the window shows codes, so a code refresh never costs a keyring
//! call (a Secret Service round trip takes 70–220 ms). Dropping this wipes them.

use std::collections::HashMap;

use crate::account::{Account, AccountId};
use crate::otp::{self, TimedCode};
use crate::secret::Secret;
use crate::vault::{Vault, VaultError};

/// When fewer seconds than this remain, copying gives the next code instead: the current one
/// would likely expire before it is pasted and submitted.
pub const COPY_NEXT_BELOW_SECONDS: u64 = 5;

/// A code chosen for the clipboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyChoice {
    /// The code to copy.
    pub code: TimedCode,
    /// True when the current code was about to expire and the next one was chosen.
    pub is_next: bool,
}

/// The code to put on the clipboard for a time-based account: the current one, or the next when
/// the current one has under [`COPY_NEXT_BELOW_SECONDS`] left. `None` for HOTP accounts, whose
/// codes come from [`Vault::next_hotp`].
pub fn choose_code_to_copy(secret: &Secret, account: &Account, now: u64) -> Option<CopyChoice> {
    if !account.params.is_time_based() {
        return None;
    }
    let current = otp::timed_code(secret, &account.params, now);
    if current.seconds_left < COPY_NEXT_BELOW_SECONDS {
        return Some(CopyChoice {
            code: otp::next_timed_code(secret, &account.params, now),
            is_next: true,
        });
    }
    Some(CopyChoice {
        code: current,
        is_next: false,
    })
}

/// The secrets of the time-based accounts shown, read once.
#[derive(Debug, Default)]
pub struct Unlocked {
    secrets: HashMap<AccountId, Secret>,
}

impl Unlocked {
    /// Reads the secret of every time-based account not held yet, and forgets accounts no
    /// longer listed. HOTP secrets are not held: their codes are made on request through
    /// [`Vault::next_hotp`], which must advance the counter on disk first.
    pub fn sync(&mut self, vault: &Vault, accounts: &[Account]) -> Result<(), VaultError> {
        self.secrets.retain(|id, _| {
            accounts
                .iter()
                .any(|a| &a.id == id && a.params.is_time_based())
        });
        self.read_missing(vault, accounts)
    }

    /// Reads the secrets of those of `accounts` not held yet, forgetting none: for showing the
    /// first rows' codes before reading the rest.
    pub fn read_missing(&mut self, vault: &Vault, accounts: &[Account]) -> Result<(), VaultError> {
        for account in accounts.iter().filter(|a| a.params.is_time_based()) {
            if self.secrets.contains_key(&account.id) {
                continue;
            }
            match vault.secret(account) {
                Ok(secret) => {
                    self.secrets.insert(account.id.clone(), secret);
                }
                // One account whose secret vanished must not blank every other code: it shows
                // no code, and `sesame doctor` reports it.
                Err(VaultError::SecretMissing(_)) => {}
                Err(other) => return Err(other),
            }
        }
        Ok(())
    }

    /// The current code of a time-based account, from memory.
    pub fn timed_code(&self, account: &Account, now: u64) -> Option<TimedCode> {
        self.compute(account, now, otp::timed_code)
    }

    /// The code after the current one.
    pub fn next_code(&self, account: &Account, now: u64) -> Option<TimedCode> {
        self.compute(account, now, otp::next_timed_code)
    }

    fn compute(
        &self,
        account: &Account,
        now: u64,
        code: fn(&Secret, &crate::otp::OtpParams, u64) -> TimedCode,
    ) -> Option<TimedCode> {
        let secret = self.secrets.get(&account.id)?;
        account
            .params
            .is_time_based()
            .then(|| code(secret, &account.params, now))
    }

    /// The code to put on the clipboard (see [`choose_code_to_copy`]).
    pub fn code_to_copy(&self, account: &Account, now: u64) -> Option<CopyChoice> {
        let secret = self.secrets.get(&account.id)?;
        choose_code_to_copy(secret, account, now)
    }

    /// How many secrets are held.
    pub fn len(&self) -> usize {
        self.secrets.len()
    }

    /// True when none are held.
    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::NewAccount;
    use crate::otp::{Algorithm, FixedClock, OtpParams};
    use crate::vault::{FileIndex, MemoryStore, SecretStore, StoreError};
    use std::sync::Arc;

    fn setup() -> (tempfile::TempDir, Arc<MemoryStore>, Vault) {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Arc::new(MemoryStore::new());
        let vault = Vault::new(
            Box::new(store.clone()),
            Box::new(FileIndex::new(dir.path())),
            Box::new(FixedClock(0)),
        );
        (dir, store, vault)
    }

    fn add(vault: &Vault, name: &str, params: OtpParams) -> Account {
        vault
            .add(NewAccount {
                issuer: "RFC".into(),
                name: name.into(),
                params,
                secret: Secret::from_bytes(b"12345678901234567890".to_vec()).expect("seed"),
            })
            .expect("add")
    }

    #[test]
    fn codes_come_from_memory_after_one_read() {
        let (_dir, store, vault) = setup();
        let totp = add(
            &vault,
            "t",
            OtpParams::totp(Algorithm::Sha1, 8, 30).expect("ok"),
        );
        let hotp = add(
            &vault,
            "h",
            OtpParams::hotp(Algorithm::Sha1, 6, 0).expect("ok"),
        );
        let accounts = vault.accounts().expect("list");
        let mut unlocked = Unlocked::default();
        unlocked.sync(&vault, &accounts).expect("sync");
        assert_eq!(unlocked.len(), 1, "HOTP secrets are not held");
        // With the keyring gone, codes still roll: nothing is read per refresh.
        store.set_failure(Some(StoreError::Locked { detail: "t".into() }));
        assert_eq!(
            unlocked.timed_code(&totp, 59).expect("code").code,
            "94287082"
        );
        assert_eq!(
            unlocked.timed_code(&totp, 1111111109).expect("code").code,
            "07081804"
        );
        assert!(unlocked.timed_code(&hotp, 59).is_none());
        unlocked
            .sync(&vault, &accounts)
            .expect("nothing new to read");
        store.set_failure(None);
        unlocked.sync(&vault, &accounts[1..]).expect("sync");
        assert!(unlocked.is_empty(), "a removed account's secret is dropped");
    }

    #[test]
    fn an_account_missing_its_secret_does_not_hide_the_others() {
        let (_dir, store, vault) = setup();
        let lost = add(
            &vault,
            "lost",
            OtpParams::totp(Algorithm::Sha1, 8, 30).expect("ok"),
        );
        let kept = add(
            &vault,
            "kept",
            OtpParams::totp(Algorithm::Sha1, 8, 30).expect("ok"),
        );
        store
            .delete(lost.id.as_str())
            .expect("delete behind Sesame's back");
        let mut unlocked = Unlocked::default();
        unlocked
            .sync(&vault, &vault.accounts().expect("list"))
            .expect("sync");
        assert!(unlocked.timed_code(&lost, 59).is_none());
        assert_eq!(
            unlocked.timed_code(&kept, 59).expect("code").code,
            "94287082"
        );
        // A keyring that cannot be reached is still an error: nothing can be shown.
        store.set_failure(Some(StoreError::Locked { detail: "t".into() }));
        let mut fresh = Unlocked::default();
        assert!(
            fresh
                .sync(&vault, &vault.accounts().expect("list"))
                .is_err()
        );
    }

    #[test]
    fn copying_near_the_end_of_a_step_gives_the_next_code() {
        let (_dir, _store, vault) = setup();
        let totp = add(
            &vault,
            "t",
            OtpParams::totp(Algorithm::Sha1, 8, 30).expect("ok"),
        );
        let mut unlocked = Unlocked::default();
        unlocked
            .sync(&vault, std::slice::from_ref(&totp))
            .expect("sync");
        // t = 1111111109 has 1 s left: the next step (1111111110) gives 14050471.
        let late = unlocked.code_to_copy(&totp, 1111111109).expect("choice");
        assert!(late.is_next);
        assert_eq!(late.code.code, "14050471");
        let early = unlocked.code_to_copy(&totp, 1111111111).expect("choice");
        assert!(!early.is_next);
        assert_eq!(early.code.code, "14050471");
        let boundary = unlocked.code_to_copy(&totp, 1111111105).expect("choice"); // 5 s left
        assert!(!boundary.is_next);
    }
}
