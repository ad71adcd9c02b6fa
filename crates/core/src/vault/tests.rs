use std::sync::Arc;

use super::*;
use crate::otp::{Algorithm, FixedClock, OtpParams};
use crate::testing::CrashingIndex;

struct Fixture {
    dir: tempfile::TempDir,
    store: Arc<MemoryStore>,
}

impl Fixture {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("tempdir"),
            store: Arc::new(MemoryStore::new()),
        }
    }

    fn vault(&self) -> Vault {
        Vault::new(
            Box::new(self.store.clone()),
            Box::new(FileIndex::new(self.dir.path())),
            Box::new(FixedClock(59)),
        )
    }

    fn crashing_vault(&self, fail_at: usize) -> Vault {
        Vault::new(
            Box::new(self.store.clone()),
            Box::new(CrashingIndex::new(FileIndex::new(self.dir.path()), fail_at)),
            Box::new(FixedClock(59)),
        )
    }
}

fn rfc_account(issuer: &str, name: &str, params: OtpParams) -> NewAccount {
    NewAccount {
        issuer: issuer.into(),
        name: name.into(),
        params,
        secret: Secret::from_bytes(b"12345678901234567890".to_vec()).expect("seed"),
    }
}

fn totp8() -> OtpParams {
    OtpParams::totp(Algorithm::Sha1, 8, 30).expect("valid")
}

#[test]
fn an_added_account_lists_and_yields_the_rfc_code() {
    let fixture = Fixture::new();
    let vault = fixture.vault();
    let account = vault.add(rfc_account("RFC", "6238", totp8())).expect("add");
    assert_eq!(vault.accounts().expect("list"), vec![account.clone()]);
    assert_eq!(vault.timed_code(&account).expect("code").code, "94287082");
    assert!(
        fixture
            .store
            .get(account.id.as_str())
            .expect("get")
            .is_some()
    );
    let on_disk = std::fs::read_to_string(vault.index_location()).expect("index");
    assert!(
        !on_disk.contains("GEZDGNBV") && !on_disk.contains("1234567890"),
        "{on_disk}"
    );
}

#[test]
fn duplicates_are_refused_case_insensitively() {
    let fixture = Fixture::new();
    let vault = fixture.vault();
    vault
        .add(rfc_account("GitHub", "alice", totp8()))
        .expect("add");
    let again = vault.add(rfc_account("github", "ALICE", totp8()));
    assert!(
        matches!(again, Err(VaultError::Duplicate { .. })),
        "{again:?}"
    );
    assert_eq!(vault.accounts().expect("list").len(), 1);
}

#[test]
fn a_crash_after_the_keyring_write_is_restored_by_doctor() {
    let fixture = Fixture::new();
    // Save 1 records the pending add, save 2 would mark it active: it "crashes".
    let result = fixture
        .crashing_vault(2)
        .add(rfc_account("RFC", "crash", totp8()));
    assert!(result.is_err());
    let vault = fixture.vault();
    assert!(
        vault.accounts().expect("list").is_empty(),
        "a pending add is not shown"
    );
    let report = vault.doctor().expect("doctor");
    assert_eq!(report.restored, ["RFC:crash"]);
    let accounts = vault.accounts().expect("list");
    assert_eq!(accounts.len(), 1);
    assert_eq!(
        vault.timed_code(&accounts[0]).expect("code").code,
        "94287082"
    );
}

#[test]
fn a_crash_before_the_keyring_write_leaves_nothing_behind() {
    let fixture = Fixture::new();
    fixture.store.set_failure(Some(StoreError::Locked {
        detail: "test".into(),
    }));
    let result = fixture.vault().add(rfc_account("RFC", "locked", totp8()));
    assert!(matches!(
        result,
        Err(VaultError::Store(StoreError::Locked { .. }))
    ));
    fixture.store.set_failure(None);
    let vault = fixture.vault();
    let report = vault.doctor().expect("doctor");
    assert!(report.restored.is_empty() && report.dropped_incomplete.is_empty());
    assert!(vault.accounts().expect("list").is_empty());
}

#[test]
fn an_interrupted_removal_is_finished_by_doctor() {
    let fixture = Fixture::new();
    let account = fixture
        .vault()
        .add(rfc_account("RFC", "gone", totp8()))
        .expect("add");
    // Save 1 marks the account as being removed, the keyring delete runs, and the process
    // "dies" at save 2, which would drop the record.
    assert!(fixture.crashing_vault(2).remove(&account.id).is_err());
    let vault = fixture.vault();
    assert!(vault.accounts().expect("list").is_empty());
    let report = vault.doctor().expect("doctor");
    assert_eq!(report.finished_removals, ["RFC:gone"]);
    assert!(
        fixture
            .store
            .get(account.id.as_str())
            .expect("get")
            .is_none()
    );
}

#[test]
fn doctor_reports_a_secret_missing_from_the_keyring() {
    let fixture = Fixture::new();
    let vault = fixture.vault();
    let account = vault.add(rfc_account("RFC", "lost", totp8())).expect("add");
    fixture
        .store
        .delete(account.id.as_str())
        .expect("delete behind Sesame's back");
    let report = vault.doctor().expect("doctor");
    assert!(!report.is_healthy());
    assert_eq!(report.missing_secrets, vec![account.clone()]);
    assert!(matches!(
        vault.timed_code(&account),
        Err(VaultError::SecretMissing(_))
    ));
}

/// A store that counts lookups, and can refuse to list (as Keychain and Credential Manager do).
struct CountingStore {
    inner: MemoryStore,
    can_list: bool,
    gets: std::sync::atomic::AtomicUsize,
    listings: std::sync::atomic::AtomicUsize,
}

impl CountingStore {
    fn new(can_list: bool) -> Self {
        Self {
            inner: MemoryStore::new(),
            can_list,
            gets: 0.into(),
            listings: 0.into(),
        }
    }

    fn counts(&self) -> (usize, usize) {
        use std::sync::atomic::Ordering::SeqCst;
        (self.gets.load(SeqCst), self.listings.load(SeqCst))
    }
}

impl SecretStore for CountingStore {
    fn put(&self, key: &str, secret: &Secret) -> Result<(), StoreError> {
        self.inner.put(key, secret)
    }
    fn get(&self, key: &str) -> Result<Option<Secret>, StoreError> {
        self.gets.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.inner.get(key)
    }
    fn delete(&self, key: &str) -> Result<bool, StoreError> {
        self.inner.delete(key)
    }
    fn describe(&self) -> String {
        "counting".into()
    }
    fn list_keys(&self) -> Result<Option<std::collections::HashSet<String>>, StoreError> {
        self.listings
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if self.can_list {
            self.inner.list_keys()
        } else {
            Ok(None)
        }
    }
}

/// 40 healthy accounts, 5 whose secret vanished, 5 whose add was interrupted after the
/// keyring write and 5 killed before it: doctor's report, and the store's call counts.
fn doctor_on_a_mixed_vault(can_list: bool) -> (DoctorReport, (usize, usize)) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(CountingStore::new(can_list));
    let vault = |fail_at: Option<usize>| {
        let index = FileIndex::new(dir.path());
        let index: Box<dyn IndexStorage> = match fail_at {
            Some(at) => Box::new(CrashingIndex::new(index, at)),
            None => Box::new(index),
        };
        Vault::new(Box::new(store.clone()), index, Box::new(FixedClock(59)))
    };
    for n in 0..45 {
        let account = vault(None)
            .add(rfc_account("Bulk", &format!("user{n}"), totp8()))
            .expect("add");
        if n >= 40 {
            store.inner.delete(account.id.as_str()).expect("lose it");
        }
    }
    for n in 0..5 {
        // Crashes before marking the record active: restored by doctor.
        assert!(
            vault(Some(2))
                .add(rfc_account("Crashed", &format!("late{n}"), totp8()))
                .is_err()
        );
    }
    // Killed after recording the add, before the keyring write: the record is dropped.
    let mut pending = Vec::new();
    for n in 0..5 {
        let account = vault(None)
            .add(rfc_account("Killed", &format!("early{n}"), totp8()))
            .expect("add");
        store
            .inner
            .delete(account.id.as_str())
            .expect("undo the write");
        pending.push(account.id);
    }
    let index = FileIndex::new(dir.path());
    let mut entries = index.load().expect("load");
    for entry in &mut entries.accounts {
        if pending.contains(&entry.account.id) {
            entry.state = EntryState::Pending;
        }
    }
    index.save(&entries).expect("save");
    let before = store.counts();
    let report = vault(None).doctor().expect("doctor");
    let after = store.counts();
    (report, (after.0 - before.0, after.1 - before.1))
}

#[test]
fn doctor_checks_every_account_against_one_listing_of_the_keyring() {
    let (report, (gets, listings)) = doctor_on_a_mixed_vault(true);
    // The probe reads its own entry back; the accounts cost nothing more than the listing.
    assert_eq!((gets, listings), (1, 1));
    assert_eq!(report.healthy, 40);
    assert_eq!(report.missing_secrets.len(), 5);
    assert_eq!(report.restored.len(), 5);
    assert_eq!(report.dropped_incomplete.len(), 5);

    // A store that cannot list is asked key by key, with the same verdicts.
    let (by_key, (gets, _)) = doctor_on_a_mixed_vault(false);
    assert_eq!(gets, 1 + 55);
    assert_eq!(
        (by_key.healthy, by_key.missing_secrets.len()),
        (report.healthy, report.missing_secrets.len())
    );
    assert_eq!(by_key.restored, report.restored);
    assert_eq!(by_key.dropped_incomplete, report.dropped_incomplete);
}

#[test]
fn hotp_counters_advance_durably_and_never_repeat() {
    let fixture = Fixture::new();
    let params = OtpParams::hotp(Algorithm::Sha1, 6, 0).expect("valid");
    let account = fixture
        .vault()
        .add(rfc_account("RFC", "4226", params))
        .expect("add");
    let mut codes = Vec::new();
    for _ in 0..3 {
        // A fresh vault each time: the counter must come back from disk.
        codes.push(fixture.vault().next_hotp(&account.id).expect("code").code);
    }
    assert_eq!(codes, ["755224", "287082", "359152"]);
    assert_eq!(
        fixture.vault().accounts().expect("list")[0].params.counter,
        3
    );
}

#[test]
fn hotp_counter_is_not_consumed_when_the_keyring_fails() {
    let fixture = Fixture::new();
    let params = OtpParams::hotp(Algorithm::Sha1, 6, 5).expect("valid");
    let account = fixture
        .vault()
        .add(rfc_account("RFC", "4226", params))
        .expect("add");
    fixture
        .store
        .set_failure(Some(StoreError::Locked { detail: "t".into() }));
    assert!(fixture.vault().next_hotp(&account.id).is_err());
    fixture.store.set_failure(None);
    assert_eq!(
        fixture
            .vault()
            .next_hotp(&account.id)
            .expect("code")
            .counter,
        5
    );
    let totp = fixture
        .vault()
        .add(rfc_account("RFC", "t", totp8()))
        .expect("add");
    assert!(matches!(
        fixture.vault().next_hotp(&totp.id),
        Err(VaultError::NotHotp(_))
    ));
}

#[test]
fn rename_and_reorder_keep_secrets_untouched() {
    let fixture = Fixture::new();
    let vault = fixture.vault();
    let a = vault.add(rfc_account("A", "one", totp8())).expect("add");
    let b = vault.add(rfc_account("B", "two", totp8())).expect("add");
    let renamed = vault.rename(&a.id, " Acme ", "uno").expect("rename");
    assert_eq!(renamed.label(), "Acme:uno");
    assert!(matches!(
        vault.rename(&a.id, " ", ""),
        Err(VaultError::EmptyLabel)
    ));
    vault.move_to(&b.id, 0).expect("move");
    let order: Vec<_> = vault
        .accounts()
        .expect("list")
        .into_iter()
        .map(|a| a.label())
        .collect();
    assert_eq!(order, ["B:two", "Acme:uno"]);
    assert_eq!(vault.timed_code(&renamed).expect("code").code, "94287082");
}

#[test]
fn a_damaged_index_is_reported_and_left_alone() {
    let fixture = Fixture::new();
    let vault = fixture.vault();
    std::fs::write(vault.index_location(), "not json").expect("write");
    assert!(matches!(
        vault.accounts(),
        Err(VaultError::Index(IndexError::Corrupt { .. }))
    ));
    assert!(vault.add(rfc_account("A", "b", totp8())).is_err());
    assert_eq!(
        std::fs::read_to_string(vault.index_location()).expect("read"),
        "not json"
    );
}

/// Issue 16: an add killed after its secret reached the keyring left a pending record, and
/// running the same add again — what anyone does after a crash — added a second record, so
/// after `doctor` the account was listed twice. The retry takes the interrupted add's place.
#[test]
fn retrying_an_interrupted_add_leaves_one_account() {
    let fixture = Fixture::new();
    let interrupted = fixture
        .crashing_vault(2)
        .add(rfc_account("RFC", "retried", totp8()));
    assert!(interrupted.is_err());
    let vault = fixture.vault();
    let account = vault
        .add(rfc_account("RFC", "retried", totp8()))
        .expect("the retry");
    let report = vault.doctor().expect("doctor");
    assert!(report.restored.is_empty(), "{report:?}");
    assert_eq!(vault.accounts().expect("list"), vec![account.clone()]);
    assert_eq!(vault.timed_code(&account).expect("code").code, "94287082");
    assert_eq!(
        fixture.store.len(),
        1,
        "the interrupted add's secret is deleted, not orphaned"
    );
}

/// Issue 16: with the keyring refusing (locked, its prompt cancelled, no service), `remove`
/// failed — yet the account was gone from the list, and the next `doctor` deleted its secret.
/// A failed removal leaves the account as it was.
#[test]
fn a_removal_the_keyring_refuses_leaves_the_account_as_it_was() {
    let fixture = Fixture::new();
    let vault = fixture.vault();
    let account = vault.add(rfc_account("RFC", "kept", totp8())).expect("add");
    fixture.store.set_failure(Some(StoreError::Locked {
        detail: "test".into(),
    }));
    let removed = vault.remove(&account.id);
    assert!(
        matches!(removed, Err(VaultError::Store(StoreError::Locked { .. }))),
        "{removed:?}"
    );
    fixture.store.set_failure(None);
    assert_eq!(vault.accounts().expect("list"), vec![account.clone()]);
    let report = vault.doctor().expect("doctor");
    assert!(report.finished_removals.is_empty(), "{report:?}");
    assert_eq!(vault.timed_code(&account).expect("code").code, "94287082");
}

#[test]
fn doctor_removes_the_probes_of_killed_doctors_and_keeps_a_running_ones() {
    let fixture = Fixture::new();
    let probe = Secret::from_bytes(b"sesame-probe".to_vec()).expect("secret");
    // The shared entry older versions wrote; a process that no longer runs (above any pid
    // Linux hands out); and pid 1, which always runs.
    for key in ["doctor-probe", "doctor-probe-4294967295", "doctor-probe-1"] {
        fixture.store.put(key, &probe).expect("put");
    }
    fixture.store.put("doctor-probed", &probe).expect("put");
    let report = fixture.vault().doctor().expect("doctor");
    assert_eq!(report.removed_probes, 2);
    let left = |key: &str| fixture.store.get(key).expect("get").is_some();
    assert!(!left("doctor-probe") && !left("doctor-probe-4294967295"));
    assert!(
        left("doctor-probe-1"),
        "a running doctor's probe is its own"
    );
    assert!(left("doctor-probed"), "only probe keys are touched");
    assert!(
        !left(&format!("doctor-probe-{}", std::process::id())),
        "doctor deletes its own probe"
    );
}
