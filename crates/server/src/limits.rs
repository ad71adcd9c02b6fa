//! The long-poll rules (qr-login.md, "Replay and limits"): one outstanding poll per session,
//! immediate answers at least 1 s apart. In memory, per instance: they pace one browser's
//! polls, which go to one instance at a time; the rate limits that guard the server's work are
//! counted in the database (`store::limits`).

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

/// The long polls under way and the last immediate answer per session.
#[derive(Default)]
pub struct RateLimits {
    polling: Mutex<HashSet<String>>,
    last_short_poll: Mutex<HashMap<String, u64>>,
}

impl RateLimits {
    /// Marks a long poll of `sid` as outstanding; `None` if one already is. The guard ends it.
    pub fn start_poll(&self, sid: &str) -> Option<PollGuard<'_>> {
        let mut polling = self.polling.lock().unwrap_or_else(|p| p.into_inner());
        polling.insert(sid.to_owned()).then(|| PollGuard {
            limits: self,
            sid: sid.to_owned(),
        })
    }

    /// An immediate answer for `sid` at `now`: allowed if the last was at least 1 s ago.
    pub fn short_poll(&self, sid: &str, now: u64) -> bool {
        let mut last = self
            .last_short_poll
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        match last.get(sid) {
            Some(&previous) if now < previous + 1 => false,
            _ => {
                last.insert(sid.to_owned(), now);
                true
            }
        }
    }

    /// Forgets a finished session's poll records.
    pub fn forget(&self, sid: &str) {
        self.last_short_poll
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(sid);
    }
}

impl RateLimits {
    /// Forgets short-poll times older than `longest_window` seconds.
    pub fn prune(&self, now: u64, longest_window: u64) {
        self.last_short_poll
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|_, &mut t| t + longest_window > now);
    }

    /// How many keys are remembered (for tests of pruning).
    pub fn remembered(&self) -> usize {
        self.last_short_poll
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }
}

/// An outstanding long poll; dropping it ends it.
pub struct PollGuard<'a> {
    limits: &'a RateLimits,
    sid: String,
}

impl Drop for PollGuard<'_> {
    fn drop(&mut self) {
        self.limits
            .polling
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.sid);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pruning_forgets_old_short_polls() {
        let limits = RateLimits::default();
        assert!(limits.short_poll("old", 100));
        assert!(limits.short_poll("recent", 3000));
        limits.prune(3750, 3600);
        assert_eq!(limits.remembered(), 1, "only the recent poll is left");
    }

    #[test]
    fn one_long_poll_at_a_time_and_short_polls_a_second_apart() {
        let limits = RateLimits::default();
        let first = limits.start_poll("s");
        assert!(first.is_some());
        assert!(limits.start_poll("s").is_none());
        drop(first);
        assert!(limits.start_poll("s").is_some());
        assert!(limits.short_poll("s", 10));
        assert!(!limits.short_poll("s", 10));
        assert!(limits.short_poll("s", 11));
    }
}
