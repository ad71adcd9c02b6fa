//! Login sessions started by a browser's QR code: their rows, and the one function that moves
//! them from state to state.

use sesame_protocol::wire::SessionState;
use sqlx::AnyPool;
use zeroize::Zeroizing;

use super::login_sessions::{self, NewLoginSession};
use super::sign_ins;
use crate::database::Backend;
use crate::live::LiveSessions;
use crate::tokens::digest;

/// The PostgreSQL channel on which committed transitions are announced as `"SID VERSION"`.
pub(crate) const CHANGES_CHANNEL: &str = "sesame_sessions";

/// Seconds a session in a terminal state is still answered for, then 404.
pub(crate) const TERMINAL_KEPT: i64 = 600;

/// A session's state as stored. Rows are read through it: a value that is not one of these is
/// an error (answered 500), never taken for one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum State {
    New,
    Scanned,
    Confirmed,
    Consumed,
    Rejected,
    Expired,
}

impl State {
    const ALL: [Self; 6] = [
        Self::New,
        Self::Scanned,
        Self::Confirmed,
        Self::Consumed,
        Self::Rejected,
        Self::Expired,
    ];

    /// Its name in the database (the protocol's name).
    pub fn name(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Scanned => "scanned",
            Self::Confirmed => "confirmed",
            Self::Consumed => "consumed",
            Self::Rejected => "rejected",
            Self::Expired => "expired",
        }
    }
}

impl TryFrom<String> for State {
    type Error = super::UnknownState;

    fn try_from(stored: String) -> Result<Self, Self::Error> {
        Self::ALL
            .into_iter()
            .find(|state| state.name() == stored)
            .ok_or(super::UnknownState(stored))
    }
}

impl From<State> for SessionState {
    fn from(state: State) -> Self {
        match state {
            State::New => Self::New,
            State::Scanned => Self::Scanned,
            State::Confirmed => Self::Confirmed,
            State::Consumed => Self::Consumed,
            State::Rejected => Self::Rejected,
            State::Expired => Self::Expired,
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct Session {
    pub sid: String,
    pub challenge: String,
    #[sqlx(try_from = "String")]
    pub state: State,
    pub version: i64,
    pub created_at: i64,
    pub expires_at: i64,
    pub browser_address: String,
    pub user_agent: String,
    pub bind_cookie_hash: Vec<u8>,
    pub device_id: Option<String>,
    pub number: Option<String>,
    pub ticket_expires: Option<i64>,
    pub user_id: Option<i64>,
    pub ended_at: Option<i64>,
    pub family_asked_of: Option<String>,
    pub ticket_hash: Option<Vec<u8>>,
}

/// A session as a browser opens it.
pub(crate) struct NewSession<'a> {
    pub sid: &'a str,
    pub challenge: &'a str,
    pub created_at: i64,
    pub expires_at: i64,
    pub browser_address: &'a str,
    pub user_agent: &'a str,
    pub bind_cookie_hash: &'a [u8],
}

pub(crate) async fn insert(db: &AnyPool, new: &NewSession<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO qr_sessions (sid, challenge, state, version, created_at, expires_at, browser_address, user_agent, bind_cookie_hash)
         VALUES ($1, $2, $3, 1, $4, $5, $6, $7, $8)",
    )
    .bind(new.sid)
    .bind(new.challenge)
    .bind(State::New.name())
    .bind(new.created_at)
    .bind(new.expires_at)
    .bind(new.browser_address)
    .bind(new.user_agent)
    .bind(new.bind_cookie_hash)
    .execute(db)
    .await?;
    Ok(())
}

pub(crate) async fn find(db: &AnyPool, sid: &str) -> Result<Option<Session>, sqlx::Error> {
    sqlx::query_as("SELECT * FROM qr_sessions WHERE sid = $1")
        .bind(sid)
        .fetch_optional(db)
        .await
}

pub(crate) async fn delete(db: &AnyPool, sid: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM qr_sessions WHERE sid = $1")
        .bind(sid)
        .execute(db)
        .await?;
    Ok(())
}

/// Records that `device_id` was asked to scan again over the browser's address family.
pub(crate) async fn ask_family_of(
    db: &AnyPool,
    sid: &str,
    device_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE qr_sessions SET family_asked_of = $1 WHERE sid = $2 AND state = $3")
        .bind(device_id)
        .bind(sid)
        .bind(State::New.name())
        .execute(db)
        .await?;
    Ok(())
}

/// The session's ticket, once: the first poll that sees the session confirmed takes it (read,
/// then cleared by compare-and-set, so two polls on two instances cannot both have it).
pub(crate) async fn take_ticket(
    db: &AnyPool,
    sid: &str,
) -> Result<Option<Zeroizing<String>>, sqlx::Error> {
    let stored: Option<(Option<String>,)> =
        sqlx::query_as("SELECT ticket FROM qr_sessions WHERE sid = $1 AND state = $2")
            .bind(sid)
            .bind(State::Confirmed.name())
            .fetch_optional(db)
            .await?;
    let Some(ticket) = stored.and_then(|(ticket,)| ticket).map(Zeroizing::new) else {
        return Ok(None);
    };
    let taken = sqlx::query("UPDATE qr_sessions SET ticket = NULL WHERE sid = $1 AND ticket = $2")
        .bind(sid)
        .bind(ticket.as_str())
        .execute(db)
        .await?
        .rows_affected()
        == 1;
    Ok(taken.then_some(ticket))
}

/// Counts an attempt at the number, in one atomic update before it is compared; `None` when the
/// session is no longer scanned.
pub(crate) async fn count_number_attempt(
    db: &AnyPool,
    sid: &str,
) -> Result<Option<i64>, sqlx::Error> {
    let counted: Option<(i64,)> = sqlx::query_as(
        "UPDATE qr_sessions SET number_attempts = number_attempts + 1 WHERE sid = $1 AND state = $2 RETURNING number_attempts",
    )
    .bind(sid)
    .bind(State::Scanned.name())
    .fetch_optional(db)
    .await?;
    Ok(counted.map(|(attempt,)| attempt))
}

/// A move from one state to the next, with what changes along.
pub(crate) enum Change<'a> {
    /// `new` → `scanned` by a device of `user_id`, showing `number`.
    Scan {
        device_id: &'a str,
        user_id: i64,
        number: &'a str,
        expires_at: i64,
    },
    /// `scanned` → `confirmed`: the ticket for the browser (its hash kept for the redemption,
    /// itself until the browser's first poll takes it).
    Confirm {
        ticket: Zeroizing<String>,
        expires_at: i64,
    },
    /// `confirmed` → `consumed`, the browser's signed-in session and the record of the sign-in,
    /// all or none.
    Redeem {
        login: NewLoginSession<'a>,
        browser_address: &'a str,
        user_agent: &'a str,
    },
    /// To `rejected` or `expired`.
    End(State),
}

impl Change<'_> {
    fn to(&self) -> State {
        match self {
            Change::Scan { .. } => State::Scanned,
            Change::Confirm { .. } => State::Confirmed,
            Change::Redeem { .. } => State::Consumed,
            Change::End(state) => *state,
        }
    }
}

/// Moves session `sid` from `from` as `change` says — if it is still in `from`, a compare-and-set
/// in one transaction with every row that goes with the move — then wakes the session's waiting
/// polls. `Ok(None)`: another request moved it first, and nothing was written.
pub(crate) async fn transition(
    db: &AnyPool,
    backend: Backend,
    live: &LiveSessions,
    sid: &str,
    from: State,
    change: Change<'_>,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let to = change.to();
    let ended_at = matches!(to, State::Consumed | State::Rejected | State::Expired).then_some(now);
    let mut tx = db.begin().await?;
    let moved: Option<(i64,)> = sqlx::query_as(
        "UPDATE qr_sessions SET state = $1, version = version + 1, ended_at = $2 WHERE sid = $3 AND state = $4 RETURNING version",
    )
    .bind(to.name())
    .bind(ended_at)
    .bind(sid)
    .bind(from.name())
    .fetch_optional(&mut *tx)
    .await?;
    let Some((version,)) = moved else {
        return Ok(None);
    };
    match change {
        Change::Scan {
            device_id,
            user_id,
            number,
            expires_at,
        } => {
            sqlx::query(
                "UPDATE qr_sessions SET device_id = $1, user_id = $2, number = $3, expires_at = $4 WHERE sid = $5",
            )
            .bind(device_id)
            .bind(user_id)
            .bind(number)
            .bind(expires_at)
            .bind(sid)
            .execute(&mut *tx)
            .await?;
        }
        Change::Confirm { ticket, expires_at } => {
            sqlx::query(
                "UPDATE qr_sessions SET ticket = $1, ticket_hash = $2, ticket_expires = $3 WHERE sid = $4",
            )
            .bind(ticket.as_str())
            .bind(digest(&ticket))
            .bind(expires_at)
            .bind(sid)
            .execute(&mut *tx)
            .await?;
        }
        Change::Redeem {
            login,
            browser_address,
            user_agent,
        } => {
            sqlx::query("UPDATE qr_sessions SET ticket = NULL, ticket_hash = NULL WHERE sid = $1")
                .bind(sid)
                .execute(&mut *tx)
                .await?;
            login_sessions::insert(&mut *tx, &login).await?;
            let method = sign_ins::Method::Sesame;
            sign_ins::record(
                &mut tx,
                login.user_id,
                now,
                method,
                browser_address,
                user_agent,
            )
            .await?;
        }
        Change::End(_) => {
            sqlx::query("UPDATE qr_sessions SET ticket = NULL WHERE sid = $1")
                .bind(sid)
                .execute(&mut *tx)
                .await?;
        }
    }
    if backend == Backend::Postgres {
        // Delivered when the transaction commits, to every instance's listener: a browser
        // waiting on another instance is answered as soon as this one's is.
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANGES_CHANNEL)
            .bind(format!("{sid} {version}"))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    live.publish(sid, version);
    Ok(Some(version))
}
