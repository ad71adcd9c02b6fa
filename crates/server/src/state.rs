//! The server's shared state: database, signing key, clock, and the waiters of long polls.

use std::sync::Arc;

use ed25519_dalek::SigningKey;
use sesame_protocol::origin::Origin;
use sqlx::AnyPool;
use tokio::sync::{Semaphore, watch};

use crate::client_address::TrustedProxies;
use crate::clock::Clock;
use crate::database::Backend;
use crate::error::ApiError;
use crate::limits::RateLimits;
use crate::live::LiveSessions;
use crate::store;
use sesame_protocol::wire::ErrorCode;

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
    pub(crate) db: AnyPool,
    pub(crate) key: SigningKey,
    pub(crate) origin: Origin,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) address_policy: AddressPolicy,
    /// Set when a shutdown begins: long polls answer at once, `/readyz` says 503.
    shutdown: watch::Sender<bool>,
    /// Which kind of database `db` is.
    pub(crate) backend: Backend,
    /// Long polls' waiters.
    pub(crate) live: LiveSessions,
    /// The long-poll rules (per instance; rate limits are counted in the database).
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
        db: AnyPool,
        key: SigningKey,
        origin: Origin,
        clock: Arc<dyn Clock>,
        address_policy: AddressPolicy,
    ) -> Self {
        Self(Arc::new(Shared {
            backend: Backend::of_pool(&db),
            shutdown: watch::channel(false).0,
            db,
            key,
            origin,
            clock,
            address_policy,
            live: LiveSessions::default(),
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

    /// Begins a graceful shutdown: waiting long polls answer now (their browsers poll again, on
    /// another instance behind a proxy) and `/readyz` turns 503.
    pub fn begin_shutdown(&self) {
        self.shutdown.send_replace(true);
    }

    /// Runs the migrations of the database's kind (the binary embeds both sets).
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        migrate(&self.0.db).await
    }

    /// The database, for provisioning (users, devices) from the binary and tests.
    pub fn db(&self) -> &AnyPool {
        &self.0.db
    }
}

impl Shared {
    pub fn now(&self) -> u64 {
        self.clock.now()
    }

    /// Whether a shutdown has begun.
    pub fn shutting_down(&self) -> bool {
        *self.shutdown.borrow()
    }

    /// Resolves when a shutdown begins.
    pub(crate) async fn shutdown_begun(&self) {
        let mut begun = self.shutdown.subscribe();
        let _ = begun.wait_for(|&begun| begun).await;
    }

    /// Deletes what no request will read again (the store's purge) and prunes the in-memory
    /// waiters and limits to match. Run every minute by the binary.
    pub async fn purge(&self) -> Result<(), sqlx::Error> {
        let now = self.now();
        store::purge(&self.db, now as i64).await?;
        self.live.prune();
        store::limits::purge(&self.db, now as i64 - 3600).await?;
        self.limits.prune(now, 3600);
        Ok(())
    }

    /// Counts an event for `key` against `limit` a `window` (seconds), in the database so that
    /// every instance counts against one allowance; past it, `rate_limited` with the seconds to
    /// wait.
    pub(crate) async fn rate_limit(
        &self,
        key: &str,
        limit: i64,
        window: i64,
    ) -> Result<(), ApiError> {
        store::limits::count(&self.db, key, limit, window, self.now() as i64)
            .await?
            .map_err(|wait| ApiError::new(ErrorCode::RateLimited).retry_after(wait))
    }

    /// Forgets a session's waiters and poll records (it is gone).
    pub fn forget(&self, sid: &str) {
        self.live.forget(sid);
        self.limits.forget(sid);
    }
}

/// Brings `db`'s schema up to date with the migrations of its kind (the binary embeds both sets).
pub async fn migrate(db: &AnyPool) -> Result<(), sqlx::migrate::MigrateError> {
    let migrator = match Backend::of_pool(db) {
        Backend::Sqlite => sqlx::migrate!("./migrations/sqlite"),
        Backend::Postgres => sqlx::migrate!("./migrations/postgres"),
    };
    migrator.run(db).await
}
