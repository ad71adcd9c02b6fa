//! What this process keeps in memory about login sessions that are still live: the version each
//! long poll waits on, and tickets minted but not yet handed to the browser's poll (only their
//! hash is in the database, so a restart loses an untaken ticket and the browser scans again).

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};

use tokio::sync::watch;
use zeroize::Zeroizing;

/// The waiters and untaken tickets of live sessions.
#[derive(Default)]
pub struct LiveSessions {
    versions: Mutex<HashMap<String, watch::Sender<i64>>>,
    tickets: Mutex<HashMap<String, Zeroizing<String>>>,
}

impl LiveSessions {
    fn versions(&self) -> MutexGuard<'_, HashMap<String, watch::Sender<i64>>> {
        self.versions.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn tickets(&self) -> MutexGuard<'_, HashMap<String, Zeroizing<String>>> {
        self.tickets.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Wakes every poll waiting on the session.
    pub fn publish(&self, sid: &str, version: i64) {
        let mut versions = self.versions();
        match versions.get(sid) {
            Some(sender) => {
                sender.send_replace(version);
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

    /// Keeps a minted ticket for the session's next poll.
    pub fn hold_ticket(&self, sid: &str, ticket: String) {
        self.tickets()
            .insert(sid.to_owned(), Zeroizing::new(ticket));
    }

    /// The session's ticket, once: the first poll that sees the session confirmed takes it.
    pub fn take_ticket(&self, sid: &str) -> Option<String> {
        self.tickets().remove(sid).map(|ticket| (*ticket).clone())
    }

    /// Drops the session's untaken ticket (it expired).
    pub fn drop_ticket(&self, sid: &str) {
        self.tickets().remove(sid);
    }

    /// Forgets a session's waiters and untaken ticket (it is gone).
    pub fn forget(&self, sid: &str) {
        self.versions().remove(sid);
        self.tickets().remove(sid);
    }

    /// Keeps waiters only while someone waits, and tickets only of sessions still stored.
    pub fn prune(&self, stored: &HashSet<String>) {
        self.versions()
            .retain(|_, sender| sender.receiver_count() > 0);
        self.tickets().retain(|sid, _| stored.contains(sid));
    }
}
