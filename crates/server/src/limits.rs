//! Rate limits (qr-login.md, "Replay and limits"): counts per key in a sliding window, and the
//! long-poll rules (one outstanding poll per session, immediate answers at least 1 s apart).
//! In memory: a restart forgets them, which only ever lets a client through sooner.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Mutex;

/// Sliding-window counters.
#[derive(Default)]
pub struct RateLimits {
    events: Mutex<HashMap<String, VecDeque<u64>>>,
    polling: Mutex<HashSet<String>>,
    last_short_poll: Mutex<HashMap<String, u64>>,
}

impl RateLimits {
    /// Records an event for `key` at `now` if fewer than `limit` happened in the last
    /// `window` seconds; otherwise the seconds until one more is allowed.
    pub fn allow(&self, key: &str, limit: usize, window: u64, now: u64) -> Result<(), u64> {
        let mut events = self.events.lock().unwrap_or_else(|p| p.into_inner());
        let times = events.entry(key.to_owned()).or_default();
        while times.front().is_some_and(|&t| t + window <= now) {
            times.pop_front();
        }
        if times.len() >= limit {
            let oldest = times.front().copied().unwrap_or(now);
            return Err((oldest + window).saturating_sub(now).max(1));
        }
        times.push_back(now);
        Ok(())
    }

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
    /// Forgets counters with no event in the last `longest_window` seconds, and short-poll
    /// times older than that: what a limit no longer needs to remember.
    pub fn prune(&self, now: u64, longest_window: u64) {
        self.events
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|_, times| times.back().is_some_and(|&t| t + longest_window > now));
        self.last_short_poll
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|_, &mut t| t + longest_window > now);
    }

    /// How many keys are remembered (for tests of pruning).
    pub fn remembered(&self) -> usize {
        self.events.lock().unwrap_or_else(|p| p.into_inner()).len()
            + self
                .last_short_poll
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
    fn a_window_allows_its_limit_then_says_when_to_retry() {
        let limits = RateLimits::default();
        for second in 0..10 {
            assert!(
                limits
                    .allow("create:127.0.0.1", 10, 60, 100 + second)
                    .is_ok()
            );
        }
        assert_eq!(limits.allow("create:127.0.0.1", 10, 60, 115), Err(45));
        assert!(
            limits.allow("create:127.0.0.2", 10, 60, 115).is_ok(),
            "per address"
        );
        assert!(
            limits.allow("create:127.0.0.1", 10, 60, 160).is_ok(),
            "the oldest left the window"
        );
    }

    #[test]
    fn pruning_forgets_what_no_window_still_holds() {
        let limits = RateLimits::default();
        assert!(limits.allow("create:127.0.0.1", 10, 60, 100).is_ok());
        assert!(limits.allow("login:127.0.0.1", 20, 60, 3000).is_ok());
        assert!(limits.short_poll("s", 100));
        limits.prune(3750, 3600);
        assert_eq!(
            limits.remembered(),
            1,
            "only the recent sign-in counter is left"
        );
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
