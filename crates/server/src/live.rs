//! What this process keeps in memory about login sessions that are still live: the version each
//! long poll waits on. The state itself is in the database; with PostgreSQL, every instance
//! learns of a change through `LISTEN/NOTIFY` and publishes it here too.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use tokio::sync::watch;

/// The waiters of live sessions.
pub struct LiveSessions {
    versions: Mutex<HashMap<String, watch::Sender<i64>>>,
    /// Counts the times this instance may have missed changes (its PostgreSQL listener was cut
    /// off and is back): every waiter then asks the database once.
    missed: watch::Sender<u64>,
}

impl Default for LiveSessions {
    fn default() -> Self {
        Self {
            versions: Mutex::default(),
            missed: watch::channel(0).0,
        }
    }
}

impl LiveSessions {
    fn versions(&self) -> MutexGuard<'_, HashMap<String, watch::Sender<i64>>> {
        self.versions.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Wakes every poll waiting on the session, unless it knows a newer version already (an
    /// instance hears of its own changes twice: directly and from PostgreSQL).
    pub fn publish(&self, sid: &str, version: i64) {
        let mut versions = self.versions();
        match versions.get(sid) {
            Some(sender) => {
                sender.send_if_modified(|known| {
                    let newer = version > *known;
                    if newer {
                        *known = version;
                    }
                    newer
                });
            }
            None => {
                versions.insert(sid.to_owned(), watch::channel(version).0);
            }
        }
    }

    /// A receiver that changes when the session's version does.
    pub fn subscribe(&self, sid: &str, current: i64) -> watch::Receiver<i64> {
        self.versions()
            .entry(sid.to_owned())
            .or_insert_with(|| watch::channel(current).0)
            .subscribe()
    }

    /// Says that changes may have been missed: every waiter looks its session up again.
    pub fn recheck_all(&self) {
        self.missed
            .send_modify(|count| *count = count.wrapping_add(1));
    }

    /// A receiver that changes whenever [`Self::recheck_all`] is called.
    pub fn rechecks(&self) -> watch::Receiver<u64> {
        self.missed.subscribe()
    }

    /// Forgets a session's waiters (it is gone).
    pub fn forget(&self, sid: &str) {
        self.versions().remove(sid);
    }

    /// Keeps waiters only while someone waits.
    pub fn prune(&self) {
        self.versions()
            .retain(|_, sender| sender.receiver_count() > 0);
    }
}
