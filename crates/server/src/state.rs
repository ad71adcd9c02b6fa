//! The server's shared state: database, signing key, clock, and the waiters of long polls.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use ed25519_dalek::SigningKey;
use rand::RngCore as _;
use sesame_protocol::origin::Origin;
use sha2::{Digest as _, Sha256};
use sqlx::SqlitePool;
use tokio::sync::{Semaphore, watch};

use crate::client_address::TrustedProxies;
use crate::clock::Clock;
use crate::limits::RateLimits;
use crate::routes::accounts::{SESSION_IDLE, SESSION_LIFETIME};
use crate::routes::qr::TERMINAL_KEPT;

/// Argon2 checks run at once: each holds 19 MiB and a core for ~30 ms.
const PASSWORD_CHECKS_AT_ONCE: usize = 2;

/// What to do when the browser's and the device's addresses differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressPolicy {
    /// A mismatch rejects the session (the protocol's default).
    Require,
    /// A mismatch is reported to the device, which warns (for VPN users).
    Warn,
}

/// Everything the handlers share: axum clones it per request, so it is one `Arc` to [`Shared`],
/// which handlers reach through `Deref` (`app.db`, `&app` where a `&Shared` is wanted).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The server's shared parts: database, key, origin, clock, the waiters of long polls, limits.
pub struct Shared {
    pub(crate) db: SqlitePool,
    pub(crate) key: SigningKey,
    pub(crate) origin: Origin,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) address_policy: AddressPolicy,
    /// Per session, the version last published: a long poll waits on it.
    versions: Mutex<HashMap<String, watch::Sender<i64>>>,
    /// Tickets minted and not yet handed to the browser's poll (only their hash is stored).
    pub(crate) tickets: Mutex<HashMap<String, String>>,
    /// Rate limits and the long-poll rules.
    pub(crate) limits: RateLimits,
    /// Proxies whose forwarded client addresses are believed (`--trusted-proxy`).
    pub(crate) trusted_proxies: TrustedProxies,
    /// Argon2 runs on blocking threads, this many at once: unauthenticated sign-ins cannot take
    /// every worker (or every core) from the rest of the server.
    pub(crate) password_checks: Arc<Semaphore>,
}

impl AppState {
    /// The state for a server at `origin` signing with `key`.
    pub fn new(
        db: SqlitePool,
        key: SigningKey,
        origin: Origin,
        clock: Arc<dyn Clock>,
        address_policy: AddressPolicy,
    ) -> Self {
        Self(Arc::new(Shared {
            db,
            key,
            origin,
            clock,
            address_policy,
            versions: Mutex::default(),
            tickets: Mutex::default(),
            limits: RateLimits::default(),
            password_checks: Arc::new(Semaphore::new(PASSWORD_CHECKS_AT_ONCE)),
            trusted_proxies: TrustedProxies::default(),
        }))
    }

    /// The same state, believing the client addresses these proxies forward. Only while
    /// building the state: once shared it no longer changes.
    pub fn with_trusted_proxies(mut self, proxies: TrustedProxies) -> Self {
        if let Some(shared) = Arc::get_mut(&mut self.0) {
            shared.trusted_proxies = proxies;
        }
        self
    }

    /// The same state under another address rule (tests; the binary passes it to [`Self::new`]).
    pub fn with_address_policy(mut self, policy: AddressPolicy) -> Self {
        if let Some(shared) = Arc::get_mut(&mut self.0) {
            shared.address_policy = policy;
        }
        self
    }

    /// Runs the migrations (the binary embeds them).
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        sqlx::migrate!("./migrations").run(&self.0.db).await
    }

    /// The database, for provisioning (users, devices) from the binary and tests.
    pub fn db(&self) -> &SqlitePool {
        &self.0.db
    }
}

impl Shared {
    pub fn now(&self) -> u64 {
        self.clock.now()
    }

    fn versions(&self) -> MutexGuard<'_, HashMap<String, watch::Sender<i64>>> {
        self.versions.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn tickets(&self) -> MutexGuard<'_, HashMap<String, String>> {
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

    /// Deletes what no request will read again — sessions ended or expired more than 10
    /// minutes ago (answered until then), binding offers and unpaired devices over an hour old
    /// (the hourly limit counts offers), browser sessions past their lifetime — and prunes the
    /// in-memory waiters and limits to match. Run every minute by the binary.
    pub async fn purge(&self) -> Result<(), sqlx::Error> {
        let now = self.now() as i64;
        let kept_after_end = now - TERMINAL_KEPT;
        sqlx::query(
            "DELETE FROM qr_sessions WHERE (ended_at IS NOT NULL AND ended_at < ?) OR expires_at < ?",
        )
        .bind(kept_after_end)
        .bind(kept_after_end)
        .execute(&self.db)
        .await?;
        sqlx::query("DELETE FROM bindings WHERE state != 'active' AND expires_at < ?")
            .bind(now - 3600)
            .execute(&self.db)
            .await?;
        sqlx::query("DELETE FROM devices WHERE active = 0 AND created_at < ?")
            .bind(now - 3600)
            .execute(&self.db)
            .await?;
        sqlx::query(
            "DELETE FROM login_sessions WHERE created_at < ? OR MAX(last_seen, created_at) < ?",
        )
        .bind(now - SESSION_LIFETIME)
        .bind(now - SESSION_IDLE)
        .execute(&self.db)
        .await?;
        // A session's waiters go with its last poll; its ticket, if never taken, with it.
        self.versions()
            .retain(|_, sender| sender.receiver_count() > 0);
        let live: Vec<String> = sqlx::query_as::<_, (String,)>("SELECT sid FROM qr_sessions")
            .fetch_all(&self.db)
            .await?
            .into_iter()
            .map(|(sid,)| sid)
            .collect();
        self.tickets().retain(|sid, _| live.contains(sid));
        self.limits.prune(now as u64, 3600);
        Ok(())
    }

    /// Forgets a session's waiters and undelivered ticket (it is gone).
    pub fn forget(&self, sid: &str) {
        self.versions().remove(sid);
        self.tickets().remove(sid);
        self.limits.forget(sid);
    }
}

/// `n` random bytes from the OS, base64url.
pub fn random_token(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    sesame_protocol::message::b64(&bytes)
}

/// How secrets (cookies, tickets) are stored: their SHA-256, so a copy of the database lets
/// no one act as the browser.
pub fn digest(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}
