//! A keyring call that does not answer — the keyring raised its unlock prompt and nobody is
//! there, or the daemon hangs — must neither leave the user staring at a silent command nor
//! block forever. [`PatientStore`] runs each call of the store it wraps on a thread of its own,
//! says once that it is waiting (the edge decides how: the CLI prints a line), and gives up
//! with a clear error after a bound. A call given up on may still finish later on its thread;
//! every caller treats the error as "nothing changed", which for put and delete is what the
//! vault's pending and removing records are for.

use std::collections::HashSet;
use std::sync::mpsc;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use super::secret_store::{SecretStore, StoreError};
use crate::secret::Secret;

/// How long a keyring call runs before the user is told Sesame is waiting for it: shorter than
/// the Secret Service client's own reply timeout (2 s), so a hung daemon is announced too.
pub const NOTICE_AFTER: Duration = Duration::from_secs(1);
/// How long Sesame waits for the keyring (an unlock prompt included) before giving up.
pub const GIVE_UP_AFTER: Duration = Duration::from_secs(120);

type Notice = Box<dyn Fn() + Send + Sync>;
static WAITING_NOTICE: OnceLock<Notice> = OnceLock::new();

/// Sets, once per process, what to do when a keyring call keeps Sesame waiting (the CLI prints
/// "waiting for the keyring…"). Later calls are ignored.
pub fn on_keyring_wait(notice: impl Fn() + Send + Sync + 'static) {
    let _ = WAITING_NOTICE.set(Box::new(notice));
}

/// A store whose calls are announced when slow and bounded.
pub struct PatientStore {
    inner: Arc<dyn SecretStore>,
    notice_after: Duration,
    give_up_after: Duration,
    /// Called instead of the process-wide notice (tests).
    notice: Option<Arc<dyn Fn() + Send + Sync>>,
}

impl PatientStore {
    /// `inner` with the process-wide notice and the standard bounds.
    pub fn new(inner: impl SecretStore + 'static) -> Self {
        Self {
            inner: Arc::new(inner),
            notice_after: NOTICE_AFTER,
            give_up_after: GIVE_UP_AFTER,
            notice: None,
        }
    }

    /// `inner` with other bounds and its own notice.
    pub fn with_bounds(
        inner: Arc<dyn SecretStore>,
        notice_after: Duration,
        give_up_after: Duration,
        notice: Arc<dyn Fn() + Send + Sync>,
    ) -> Self {
        Self {
            inner,
            notice_after,
            give_up_after,
            notice: Some(notice),
        }
    }

    fn run<T: Send + 'static>(
        &self,
        call: impl FnOnce(&dyn SecretStore) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (sender, answer) = mpsc::sync_channel(1);
        let inner = Arc::clone(&self.inner);
        let spawned = std::thread::Builder::new()
            .name("keyring call".into())
            .spawn(move || {
                let _ = sender.send(call(inner.as_ref()));
            });
        if let Err(error) = spawned {
            return Err(StoreError::Platform {
                detail: format!("no thread to ask the keyring on: {error}"),
            });
        }
        match answer.recv_timeout(self.notice_after) {
            Ok(result) => return result,
            Err(mpsc::RecvTimeoutError::Disconnected) => return Err(stopped()),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        match &self.notice {
            Some(notice) => notice(),
            None => {
                if let Some(notice) = WAITING_NOTICE.get() {
                    notice();
                }
            }
        }
        match answer.recv_timeout(self.give_up_after.saturating_sub(self.notice_after)) {
            Ok(result) => result,
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(stopped()),
            Err(mpsc::RecvTimeoutError::Timeout) => Err(StoreError::Locked {
                detail: format!(
                    "the keyring did not answer within {} s: an unlock prompt may be waiting, or \
                     the keyring service hangs",
                    self.give_up_after.as_secs()
                ),
            }),
        }
    }
}

fn stopped() -> StoreError {
    StoreError::Platform {
        detail: "the keyring call stopped without an answer".into(),
    }
}

impl SecretStore for PatientStore {
    fn put(&self, key: &str, secret: &Secret) -> Result<(), StoreError> {
        let (key, secret) = (key.to_owned(), secret.clone());
        self.run(move |store| store.put(&key, &secret))
    }

    fn get(&self, key: &str) -> Result<Option<Secret>, StoreError> {
        let key = key.to_owned();
        self.run(move |store| store.get(&key))
    }

    fn delete(&self, key: &str) -> Result<bool, StoreError> {
        let key = key.to_owned();
        self.run(move |store| store.delete(&key))
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }

    fn list_keys(&self) -> Result<Option<HashSet<String>>, StoreError> {
        self.run(|store| store.list_keys())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Instant;

    use super::*;
    use crate::vault::MemoryStore;

    /// A store that answers only when the test lets it, as a keyring behind a prompt does.
    struct Prompting {
        inner: MemoryStore,
        release: Mutex<mpsc::Receiver<()>>,
    }

    impl SecretStore for Prompting {
        fn put(&self, key: &str, secret: &Secret) -> Result<(), StoreError> {
            let _ = self.release.lock().map(|r| r.recv());
            self.inner.put(key, secret)
        }
        fn get(&self, key: &str) -> Result<Option<Secret>, StoreError> {
            let _ = self.release.lock().map(|r| r.recv());
            self.inner.get(key)
        }
        fn delete(&self, key: &str) -> Result<bool, StoreError> {
            let _ = self.release.lock().map(|r| r.recv());
            self.inner.delete(key)
        }
        fn describe(&self) -> String {
            "prompting".into()
        }
    }

    fn prompting() -> (Arc<Prompting>, mpsc::Sender<()>) {
        let (release, wait) = mpsc::channel();
        let store = Arc::new(Prompting {
            inner: MemoryStore::new(),
            release: Mutex::new(wait),
        });
        (store, release)
    }

    fn secret() -> Secret {
        Secret::from_bytes(b"12345678901234567890".to_vec()).expect("secret")
    }

    #[test]
    fn a_prompt_answered_in_time_is_announced_once_and_the_call_succeeds() {
        let (store, release) = prompting();
        let notices = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&notices);
        let patient = PatientStore::with_bounds(
            store,
            Duration::from_millis(100),
            Duration::from_secs(10),
            Arc::new(move || {
                counted.fetch_add(1, Ordering::SeqCst);
            }),
        );
        let unlock = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(400));
            release.send(()).expect("release");
        });
        patient.put("a", &secret()).expect("put after the prompt");
        unlock.join().expect("unlock");
        assert_eq!(notices.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_quick_answer_is_not_announced() {
        let (store, release) = prompting();
        let notices = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&notices);
        let patient = PatientStore::with_bounds(
            store,
            Duration::from_secs(5),
            Duration::from_secs(10),
            Arc::new(move || {
                counted.fetch_add(1, Ordering::SeqCst);
            }),
        );
        release.send(()).expect("release");
        release.send(()).expect("release");
        patient.put("a", &secret()).expect("put");
        assert_eq!(patient.get("a").expect("get"), Some(secret()));
        assert_eq!(notices.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn a_prompt_nobody_answers_is_given_up_on_as_locked_within_the_bound() {
        let (store, _release) = prompting();
        let patient = PatientStore::with_bounds(
            store,
            Duration::from_millis(50),
            Duration::from_millis(300),
            Arc::new(|| {}),
        );
        let started = Instant::now();
        let error = patient.get("a").expect_err("no answer");
        assert!(started.elapsed() < Duration::from_secs(3));
        assert!(
            matches!(&error, StoreError::Locked { detail } if detail.contains("did not answer")),
            "{error:?}"
        );
    }
}
