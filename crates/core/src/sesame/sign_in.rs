//! QR sign-in for the user: bind this device to a server, review a scanned sign-in, approve or
//! deny it, list and forget servers, check them. The protocol's own checks are the login
//! client's ([`crate::login::Companion`]); this adds what every face needs around them.

use sesame_protocol::wire::{BindingProgress, Decision, SessionState};

use super::{Error, Sesame};
use crate::login::{BindingOffer, Bound, LoginError, PendingApproval, user_agent};
use crate::policy::{AddressVerdict, PolicyRefusal};

/// The name a server shows for this device when the user gives none.
pub const DEVICE_NAME: &str = "Sesame on this computer";

/// A scanned sign-in, checked and reported to the server, for the user to decide on.
#[derive(Debug, Clone)]
pub struct Review {
    /// What [`Sesame::decide`] needs; its `details` are what the server says of the browser.
    pub pending: PendingApproval,
    /// How long ago the browser asked, in seconds.
    pub age_seconds: u64,
    /// The browser as a person checks it ("Chrome on Linux"), from its user agent: shown
    /// before the raw text, which the browser (or an attacker) chose.
    pub browser: String,
    /// The user must confirm the place explicitly before approving (the address rule).
    pub confirm_place: bool,
}

/// A server in the list of servers: bound, or provided by the policy and not bound yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerEntry {
    pub origin: String,
    /// The account this device approves sign-ins for (empty when not bound).
    pub account: String,
    /// The pinned server key's id (empty when not bound).
    pub server_kid: String,
    /// Unix seconds (0 when not bound).
    pub bound_at: u64,
    /// False for a server the policy provides that this device is not bound to yet.
    pub bound: bool,
}

/// How a server looks from here (`sesame doctor`).
#[derive(Debug)]
pub enum ServerHealth {
    /// Bound, allowed, and it answers.
    Reachable { origin: String, account: String },
    /// Bound, but the policy no longer allows it.
    Refused {
        origin: String,
        refusal: PolicyRefusal,
    },
    /// Bound and allowed, but it does not answer.
    Unreachable { origin: String, error: LoginError },
    /// Provided by the policy, not bound yet.
    ProvidedUnbound { origin: String },
}

impl Sesame {
    /// What a `sesame://bind` code offers — the site, the account, and the account it would
    /// replace — for the user to consent to. Nothing is written.
    pub fn preview_binding(&self, uri: &str) -> Result<BindingOffer, Error> {
        Ok(self.companion().preview_bind(uri.trim(), self.now())?)
    }

    /// Claims the binding a `sesame://bind` code offers, once the user has consented to its
    /// preview; returns the pairing code the user types into the page. A binding this replaces
    /// keeps working until the page has taken the pairing code.
    pub fn bind(&self, uri: &str, device_name: &str) -> Result<Bound, Error> {
        Ok(self.companion().bind(uri.trim(), device_name, self.now())?)
    }

    /// How a binding this device claimed (as [`Bound::device_id`]) stands: waiting for its
    /// pairing code on the page, accepted, or ended without it.
    pub fn binding_progress(&self, uri: &str, device_id: &str) -> Result<BindingProgress, Error> {
        Ok(self.companion().binding_progress(uri.trim(), device_id)?)
    }

    /// Checks a `sesame://login` code and tells the server it was scanned.
    pub fn review(&self, uri: &str) -> Result<Review, Error> {
        let pending = self.companion().scan(uri.trim(), self.now())?;
        Ok(Review {
            age_seconds: self.now().saturating_sub(pending.details.created_at),
            browser: user_agent::describe(&pending.details.user_agent),
            confirm_place: pending.verdict == AddressVerdict::Confirm,
            pending,
        })
    }

    /// Approves the reviewed sign-in with the number the page shows, or denies it. A wrong
    /// number may be typed again while [`Error::attempts_left`] says so.
    pub fn decide(
        &self,
        pending: &PendingApproval,
        decision: Decision,
        number: &str,
    ) -> Result<SessionState, Error> {
        Ok(self
            .companion()
            .decide(pending, decision, number, self.now())?)
    }

    /// The servers this device approves sign-ins for, then those the policy provides that it
    /// is not bound to yet.
    pub fn servers(&self) -> Result<Vec<ServerEntry>, Error> {
        let companion = self.companion();
        let bound = companion.bound()?;
        let provided = companion.provided_unbound(&bound);
        let bound = bound.into_iter().map(|server| ServerEntry {
            origin: server.origin,
            account: server.account,
            server_kid: server.server_kid,
            bound_at: server.bound_at,
            bound: true,
        });
        let provided = provided.into_iter().map(|origin| ServerEntry {
            origin,
            account: String::new(),
            server_kid: String::new(),
            bound_at: 0,
            bound: false,
        });
        Ok(bound.chain(provided).collect())
    }

    /// Forgets a server and deletes this device's key for it; false if it was not bound.
    pub fn unbind(&self, origin: &str) -> Result<bool, Error> {
        Ok(self.companion().unbind(origin)?)
    }

    /// Each bound server checked against the policy and asked whether it answers, then the
    /// servers the policy provides that are not bound yet.
    pub fn server_health(&self) -> Result<Vec<ServerHealth>, Error> {
        let companion = self.companion();
        let bound = companion.bound()?;
        let provided = companion.provided_unbound(&bound);
        let mut health = Vec::with_capacity(bound.len() + provided.len());
        for server in bound {
            let origin = server.origin;
            health.push(match companion.policy().check_server(&origin) {
                Err(refusal) => ServerHealth::Refused { origin, refusal },
                Ok(()) => match companion.probe(&origin) {
                    Ok(()) => ServerHealth::Reachable {
                        origin,
                        account: server.account,
                    },
                    Err(error) => ServerHealth::Unreachable { origin, error },
                },
            });
        }
        health.extend(
            provided
                .into_iter()
                .map(|origin| ServerHealth::ProvidedUnbound { origin }),
        );
        Ok(health)
    }
}

impl Error {
    /// How many more numbers the server takes for this sign-in, when the error is a wrong number
    /// that may be typed again; `None` when the sign-in cannot go on.
    pub fn attempts_left(&self) -> Option<u32> {
        match self {
            Self::Login(LoginError::Server {
                attempts_left: Some(left),
                ..
            }) if *left > 0 => Some(*left),
            _ => None,
        }
    }
}
