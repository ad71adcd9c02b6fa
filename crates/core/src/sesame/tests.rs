//! The use cases against an in-memory keyring, a fixed clock and a given policy: no display,
//! keyring or server needed.

use std::path::Path;
use std::sync::Arc;

use super::*;
use crate::account::AccountId;
use crate::account_form::AccountForm;
use crate::otp::{Algorithm, FixedClock, OtpKind};
use crate::scan::Payload;
use crate::settings::Settings;
use crate::vault::{FileIndex, MemoryStore, StoreError};

const GITHUB: &str =
    "otpauth://totp/GitHub:ada?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=GitHub&digits=8";
const BANK: &str =
    "otpauth://hotp/Bank:ada?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=0&issuer=Bank";
/// RFC 6238's test time with 1 s left in its step: 1111111109.
const ONE_SECOND_LEFT: u64 = 1_111_111_109;

struct Fixture {
    dir: tempfile::TempDir,
    store: Arc<MemoryStore>,
}

impl Fixture {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
            store: Arc::new(MemoryStore::new()),
        }
    }

    /// Sesame at `now` under the policy `policy` (TOML; "" for a policy that allows all).
    fn sesame(&self, now: u64, policy: &str) -> Sesame {
        let vault = Vault::new(
            Box::new(self.store.clone()),
            Box::new(FileIndex::new(self.dir.path())),
            Box::new(FixedClock(now)),
        );
        let policy = crate::policy::Policy::parse(policy, Path::new("/etc/sesame/policy.toml"))
            .expect("a valid policy");
        Sesame::with_parts(
            self.dir.path().to_owned(),
            vault,
            Arc::new(MemoryStore::new()),
            policy,
        )
    }
}

#[test]
fn the_policy_is_checked_inside_every_typed_add_export_and_lookup() {
    let fixture = Fixture::new();
    let closed = fixture.sesame(
        59,
        "[accounts]\nallow_manual_add = false\nallow_export = false\nallow_cli_code = false\n",
    );
    let refused = |result: Result<(), Error>| {
        assert!(
            matches!(result, Err(Error::Policy(PolicyRefusal::Forbidden { .. }))),
            "{result:?}"
        );
    };
    refused(closed.add_uri(GITHUB).map(drop));
    refused(closed.read_typed(GITHUB).map(drop));
    refused(closed.read_import(GITHUB.as_bytes(), None).map(drop));
    let form = AccountForm {
        issuer: "Typed".into(),
        name: "ada".into(),
        secret: "GEZDGNBVGY3TQOJQ".to_owned().into(),
        kind: OtpKind::Totp,
        algorithm: Algorithm::Sha1,
        digits: 6,
        period: 30,
        counter: 0,
    };
    refused(closed.add_form(&form).map(drop));
    refused(closed.export().map(drop));
    refused(closed.look_up_codes("", false).map(drop));
    assert!(
        closed.accounts().expect("list").is_empty(),
        "nothing stored"
    );

    // Scanning is how such an organization has accounts added: allowed.
    let scanned = closed.read_scanned(&[Payload::classify(GITHUB.as_bytes())]);
    assert!(scanned.refused.is_empty());
    let added = closed.add_all(scanned.incoming).expect("add");
    assert_eq!(added.added.len(), 1);

    let open = fixture.sesame(59, "");
    assert!(open.add_form(&form).is_ok());
    assert_eq!(open.export().expect("export").lines().count(), 2);
}

#[test]
fn codes_roll_from_the_clock_and_a_late_copy_takes_the_next_one() {
    let fixture = Fixture::new();
    let sesame = fixture.sesame(ONE_SECOND_LEFT, "");
    let github = sesame.add_uri(GITHUB).expect("add").account;
    let codes = sesame.rolling_codes(None).expect("codes");
    assert_eq!(codes.len(), 1);
    // RFC 6238, appendix B (SHA-1, 8 digits).
    assert_eq!(codes[0].current.code, "07081804");
    assert_eq!(codes[0].next.code, "14050471");
    // With the keyring gone, codes still come from memory.
    fixture
        .store
        .set_failure(Some(StoreError::Locked { detail: "t".into() }));
    assert_eq!(sesame.rolling_codes(None).expect("held").len(), 1);
    fixture.store.set_failure(None);

    let looked_up = sesame.look_up_codes("git", true).expect("lookup");
    assert_eq!(looked_up[0].account.id, github.id);
    assert_eq!(
        looked_up[0].next.as_ref().map(|c| c.code.as_str()),
        Some("14050471")
    );
}

#[test]
fn copies_of_unknown_and_counter_based_accounts_are_refused_before_the_clipboard() {
    let fixture = Fixture::new();
    let sesame = fixture.sesame(59, "");
    let bank = sesame.add_uri(BANK).expect("add").account;
    assert!(matches!(
        sesame.copy_code(&bank.id),
        Err(Error::NotTimeBased)
    ));
    sesame.remove(&bank.id).expect("remove");
    assert!(matches!(
        sesame.copy_code(&bank.id),
        Err(Error::AccountGone)
    ));
}

#[test]
fn hotp_codes_are_made_only_for_a_term_that_finds_one_account() {
    let fixture = Fixture::new();
    let sesame = fixture.sesame(59, "");
    sesame.add_uri(BANK).expect("add");
    sesame.add_uri(GITHUB).expect("add");
    let both = sesame.look_up_codes("", false).expect("all");
    assert!(both.iter().all(|c| c.hotp.is_none()));
    let bank = sesame.look_up_codes("bank", false).expect("one");
    // RFC 4226, appendix D: counter 0.
    assert_eq!(
        bank[0].hotp.as_ref().map(|c| c.code.as_str()),
        Some("755224")
    );
    let again = sesame.look_up_codes("bank", false).expect("one");
    assert_eq!(again[0].hotp.as_ref().map(|c| c.counter), Some(1));
    assert!(matches!(
        sesame.look_up_codes("nobody", false),
        Err(Error::Select(_))
    ));
}

#[test]
fn an_empty_vault_says_there_are_no_accounts() {
    let fixture = Fixture::new();
    assert!(matches!(
        fixture.sesame(59, "").find("x"),
        Err(Error::NoAccounts)
    ));
}

#[test]
fn settings_in_force_put_the_policys_values_over_the_users() {
    let fixture = Fixture::new();
    let sesame = fixture.sesame(59, "[settings]\nclipboard_clear_seconds = 12\n");
    assert_eq!(sesame.settings().clipboard_clear_seconds, 12);
    let refused = sesame.save_settings(Settings {
        clipboard_clear_seconds: 60,
        ..Settings::default()
    });
    assert!(matches!(
        refused,
        Err(Error::Policy(PolicyRefusal::SettingLocked { .. }))
    ));
    let saved = sesame
        .save_settings(Settings {
            clipboard_clear_seconds: 12,
            start_at_login: true,
            ..Settings::default()
        })
        .expect("an unlocked change");
    assert!(saved.start_at_login);
    assert_eq!(saved.clipboard_clear_seconds, 12);

    std::fs::write(fixture.dir.path().join("settings.toml"), "nonsense =").expect("write");
    let in_force = sesame.settings_in_force();
    assert!(in_force.problem.is_some());
    assert_eq!(in_force.settings.clipboard_clear_seconds, 12);
}

#[test]
fn the_settings_stamp_changes_when_the_settings_file_does_and_only_then() {
    let fixture = Fixture::new();
    let sesame = fixture.sesame(59, "");
    let missing = sesame.settings_stamp();
    assert_eq!(sesame.settings_stamp(), missing);
    sesame
        .save_settings(Settings {
            start_at_login: true,
            ..Settings::default()
        })
        .expect("saved");
    let saved = sesame.settings_stamp();
    assert_ne!(saved, missing);
    assert_eq!(sesame.settings_stamp(), saved);
    let _ = sesame.settings();
    assert_eq!(sesame.settings_stamp(), saved, "reading changes nothing");
    // Same length, same second: an edit by hand is still seen.
    let path = fixture.dir.path().join("settings.toml");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, text.replace("true", "fals")).expect("write");
    assert_ne!(sesame.settings_stamp(), saved);
}

#[test]
fn scanned_codes_that_are_not_accounts_are_refused_by_position() {
    let fixture = Fixture::new();
    let sesame = fixture.sesame(59, "");
    let payloads = [
        Payload::classify(b"https://example.com"),
        Payload::classify(GITHUB.as_bytes()),
        Payload::classify(b"sesame://login?x=1"),
    ];
    let read = sesame.read_scanned(&payloads);
    assert_eq!(read.incoming.accounts.len(), 1);
    let positions: Vec<usize> = read.refused.iter().map(|(i, _)| *i).collect();
    assert_eq!(positions, [0, 2]);
}

#[test]
fn the_servers_list_shows_the_policys_servers_not_bound_yet() {
    let fixture = Fixture::new();
    let key = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
    let sesame = fixture.sesame(
        59,
        &format!("[[servers.pinned]]\norigin = \"https://login.example.com\"\nkey = \"{key}\"\n"),
    );
    let servers = sesame.servers().expect("servers");
    assert_eq!(servers.len(), 1);
    assert_eq!(servers[0].origin, "https://login.example.com");
    assert!(!servers[0].bound);
    assert!(!sesame.unbind("https://login.example.com").expect("unbind"));
}

#[test]
fn only_a_wrong_number_with_attempts_left_may_be_retried() {
    use sesame_protocol::wire::ErrorCode;
    let wrong = |left| {
        Error::Login(LoginError::Server {
            code: ErrorCode::NumberMismatch,
            attempts_left: left,
        })
    };
    assert_eq!(wrong(Some(2)).attempts_left(), Some(2));
    assert_eq!(wrong(Some(0)).attempts_left(), None);
    assert_eq!(wrong(None).attempts_left(), None);
    assert_eq!(Error::NotTimeBased.attempts_left(), None);
}

#[test]
fn the_data_dir_given_wins_over_the_environment() {
    let given = Path::new("/tmp/sesame-given").to_owned();
    assert_eq!(
        Sesame::data_dir_from_environment(Some(given.clone())),
        Ok(given)
    );
}

#[test]
fn a_removal_leaves_the_list_at_once_keeps_the_secret_until_finished_and_can_be_undone() {
    let fixture = Fixture::new();
    let sesame = fixture.sesame(ONE_SECOND_LEFT, "");
    let add = |issuer: &str| {
        let uri = format!("otpauth://totp/{issuer}:ada?secret=GEZDGNBVGY3TQOJQ&issuer={issuer}");
        sesame.add_uri(&uri).expect("added").account.id
    };
    let (first, second, third) = (add("First"), add("Second"), add("Third"));
    let listed = |sesame: &Sesame| -> Vec<AccountId> {
        sesame
            .accounts()
            .expect("list")
            .into_iter()
            .map(|a| a.id)
            .collect()
    };

    let removed = sesame.remove_with_undo(&second).expect("asked");
    assert_eq!(removed.issuer, "Second");
    assert_eq!(listed(&sesame), [first.clone(), third.clone()]);
    assert_eq!(
        fixture.store.len(),
        3,
        "the secret stays while Undo is possible"
    );
    // Positions count what is listed: "Third" to the top of [First, Third].
    sesame.move_to(&third, 0).expect("moved");
    assert_eq!(listed(&sesame), [third.clone(), first.clone()]);
    sesame.move_to(&third, 1).expect("moved back");
    assert_eq!(listed(&sesame), [first.clone(), third.clone()]);
    // Not due yet on this (fixed) clock: nothing is carried out.
    assert!(sesame.finish_removals(false).is_empty());

    let back = sesame.undo_remove(&second).expect("undone");
    assert_eq!(back.issuer, "Second");
    // Back in the list; it kept its place in the index, which the moves went round.
    assert_eq!(
        listed(&sesame),
        [first.clone(), third.clone(), second.clone()]
    );
    assert!(matches!(
        sesame.undo_remove(&second),
        Err(Error::TooLateToUndo)
    ));

    sesame.remove_with_undo(&first).expect("asked");
    let done = sesame.finish_removals(true);
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].account.id, first);
    assert!(done[0].result.is_ok());
    assert_eq!(
        fixture.store.len(),
        2,
        "the secret went with the finished removal"
    );
    assert!(matches!(
        sesame.undo_remove(&first),
        Err(Error::TooLateToUndo)
    ));
    assert!(matches!(
        sesame.remove_with_undo(&first),
        Err(Error::AccountGone)
    ));
    assert_eq!(listed(&sesame), [third, second]);
}
