//! The companion side of QR login (`../shared/design/qr-login.md`): bind this device to a
//! server, then approve or deny the logins its QR codes start. Every refusal the protocol gives
//! the client is made here, before any network call.

mod servers;
#[cfg(test)]
mod tests;
pub use sesame_protocol::user_agent;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use ed25519_dalek::{SigningKey, VerifyingKey};
use rand::RngCore as _;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sesame_protocol::address::AddressFamily;
use sesame_protocol::message::{self, Context, b64, key_id, unb64};
use sesame_protocol::origin::Origin;
use sesame_protocol::qr::{BindQr, LoginQr, QrError, Refusal};
use sesame_protocol::wire::{
    BindingProgress, BindingStateRequest, BindingStateResponse, ClaimRequest, ClaimResponse,
    ConfirmRequest, ConfirmResponse, Decision, ErrorBody, ErrorCode, PreviewRequest,
    PreviewResponse, ScanRequest, ScanResponse, SessionState,
};

pub use servers::{
    BoundServer, DEVICE_KEY_SERVICE, PendingDevice, ServerList, ServersError, pending_key_name,
};

use crate::policy::{AddressVerdict, Policy, PolicyRefusal};
use crate::secret::Secret;
use crate::vault::{SecretStore, StoreError};

/// Why binding or approving failed; each variant is something different to tell the user.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// The code is not a well-formed Sesame code.
    #[error("{0}")]
    Qr(#[from] QrError),
    /// Refused before any network call (not bound, bad signature, expired).
    #[error("{0}")]
    Refused(#[from] Refusal),
    /// The server answered with one of the protocol's errors.
    #[error("{}", .code.explanation())]
    Server {
        code: ErrorCode,
        attempts_left: Option<u32>,
    },
    /// The server asked for the scan over the browser's address family, and Sesame could not
    /// ask over it (the scan handles this itself; it reaches the user only from an odd server).
    #[error("the sign-in page reached {origin} over {}, and this computer could not", .family.name())]
    OtherFamily {
        origin: String,
        family: AddressFamily,
    },
    /// The server could not be reached.
    #[error("{origin} could not be reached: {detail}")]
    Unreachable { origin: String, detail: String },
    /// The server answered something that is not the protocol.
    #[error("{origin} answered something Sesame does not understand ({detail})")]
    Unexpected { origin: String, detail: String },
    /// The binding code's time is over.
    #[error("this binding code has expired: start the binding again from your account page")]
    BindingExpired,
    /// The keyring refused.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The list of servers could not be read or written.
    #[error(transparent)]
    Servers(#[from] ServersError),
    /// The organization's policy does not allow it.
    #[error(transparent)]
    Policy(#[from] PolicyRefusal),
    /// The device key for a bound server is gone from the keyring.
    #[error("this device's key for {0} is missing from the keyring: bind Sesame to it again")]
    KeyMissing(String),
}

/// A new binding, waiting for the user to type the pairing code into the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bound {
    pub origin: String,
    pub account: String,
    /// The device this claim made on the server, to ask after it ([`Companion::binding_progress`]).
    pub device_id: String,
    /// The 6 digits to type into the browser.
    pub pairing_code: String,
}

/// What a binding code offers, for the user to consent to before anything is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindingOffer {
    pub origin: String,
    /// The account the server says the binding is for.
    pub account: String,
    /// Unix seconds: the code cannot be claimed after this.
    pub expires_at: u64,
    /// The account this device approves sign-ins for at this origin now, which the binding
    /// would replace once the user types its pairing code.
    pub replaces: Option<String>,
}

/// The largest answer read from a server.
const MAX_ANSWER_BYTES: u64 = 64 * 1024;

/// How long past its code's expiry a re-binding not yet accepted is still tried: the server's
/// and this computer's clocks may differ by up to a minute.
const PENDING_GRACE: u64 = 60;

/// A scanned login, to show the user before asking for a decision.
#[derive(Debug, Clone)]
pub struct PendingApproval {
    pub origin: String,
    pub session: String,
    challenge: String,
    device_id: String,
    /// What the server says about the browser that asked.
    pub details: ScanResponse,
    /// Whether the place the server reports allows approval, or needs the user to confirm it.
    pub verdict: AddressVerdict,
}

/// The companion: bound servers, device keys, and the HTTP client.
pub struct Companion {
    servers: ServerList,
    policy: Policy,
    keys: Arc<dyn SecretStore>,
    http: reqwest::blocking::Client,
}

impl Companion {
    /// The client for a data dir's bound servers, with device keys in `keys`, under `policy`
    /// (a required part, so that no caller can forget it: [`crate::Sesame`] passes the one in
    /// force).
    pub fn new(data_dir: &Path, keys: Arc<dyn SecretStore>, policy: Policy) -> Self {
        Self {
            servers: ServerList::new(data_dir),
            policy,
            keys,
            http: http_client(None),
        }
    }

    /// The policy this client applies.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Servers the policy provides (pins) that this device is not bound to yet: the user binds
    /// from each one's account page.
    pub fn provided_unbound(&self, bound: &[BoundServer]) -> Vec<String> {
        self.policy
            .pinned()
            .iter()
            .filter(|p| !bound.iter().any(|b| b.origin == p.origin))
            .map(|p| p.origin.clone())
            .collect()
    }

    /// Whether `origin` answers HTTP at all (for `sesame doctor`): any response counts.
    pub fn probe(&self, origin: &str) -> Result<(), LoginError> {
        self.http
            .get(origin)
            .timeout(Duration::from_secs(5))
            .send()
            .map(drop)
            .map_err(|e| LoginError::Unreachable {
                origin: origin.to_owned(),
                detail: e.without_url().to_string(),
            })
    }

    /// The servers this device is bound to.
    pub fn bound(&self) -> Result<Vec<BoundServer>, LoginError> {
        Ok(self.servers.all()?)
    }

    /// What a `sesame://bind` code offers, asked of its server before the user consents: the
    /// account it binds to and, when this origin is bound already, the account it would replace.
    /// Nothing is written here or on the server.
    pub fn preview_bind(&self, uri: &str, now: u64) -> Result<BindingOffer, LoginError> {
        let qr = BindQr::parse(uri)?;
        if now > qr.expires {
            return Err(LoginError::BindingExpired);
        }
        let origin = qr.origin.to_string();
        self.policy.check_server(&origin)?;
        let request = PreviewRequest {
            v: sesame_protocol::VERSION,
            enroll_secret: qr.enroll_secret.clone(),
        };
        let path = format!("/api/bindings/{}/preview", qr.binding_id);
        let answer: PreviewResponse = self.post(&qr.origin, &path, &request)?;
        let replaces = self.servers.find(&origin)?.map(|bound| bound.account);
        Ok(BindingOffer {
            origin,
            account: answer.account_display,
            expires_at: answer.expires_at,
            replaces,
        })
    }

    /// Claims a binding offered by a server's `sesame://bind` code, once the user has consented
    /// to its [`Companion::preview_bind`]: makes this device's key for the origin, proves it holds
    /// it, pins the server's key, and returns the pairing code the user types into the browser.
    /// When the origin is bound already, the new binding is kept beside the working one until the
    /// server accepts it (see [`PendingDevice`]).
    pub fn bind(&self, uri: &str, device_name: &str, now: u64) -> Result<Bound, LoginError> {
        let qr = BindQr::parse(uri)?;
        if now > qr.expires {
            return Err(LoginError::BindingExpired);
        }
        let origin = qr.origin.to_string();
        self.policy.check_server(&origin)?;
        let mut seed = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut seed);
        let key = SigningKey::from_bytes(&seed);
        let mut request = ClaimRequest {
            v: sesame_protocol::VERSION,
            enroll_secret: qr.enroll_secret.clone(),
            device_pk: b64(key.verifying_key().as_bytes()),
            device_name: device_name.to_owned(),
            platform: std::env::consts::OS.to_owned(),
            pop_sig: String::new(),
        };
        let fields = request.signed_fields(&origin, &qr.binding_id);
        request.pop_sig = sign(&key, Context::Bind, &fields)?;
        let path = format!("/api/bindings/{}/claim", qr.binding_id);
        let answer: ClaimResponse = self.post(&qr.origin, &path, &request)?;
        // Pin only a key whose id is what the server says it is.
        let server_key = public_key(&answer.server_pk).filter(|k| key_id(k) == answer.server_kid);
        let Some(server_key) = server_key else {
            return Err(LoginError::Unexpected {
                origin,
                detail: "its key does not match its key id".into(),
            });
        };
        let server_pk = b64(server_key.as_bytes());
        self.policy.check_server_key(&origin, &server_pk)?;
        let secret = Secret::from_bytes(seed.to_vec()).map_err(|_| StoreError::Platform {
            detail: "the new device key could not be held".into(),
        })?;
        match self.servers.find(&origin)? {
            Some(mut working) => {
                self.keys.put(&pending_key_name(&origin), &secret)?;
                working.pending = Some(PendingDevice {
                    device_id: answer.device_id.clone(),
                    server_pk,
                    server_kid: answer.server_kid,
                    account: answer.account_display.clone(),
                    claimed_at: now,
                    expires_at: qr.expires,
                });
                self.servers.put(working)?;
            }
            None => {
                self.keys.put(&origin, &secret)?;
                self.servers.put(BoundServer {
                    origin: origin.clone(),
                    device_id: answer.device_id.clone(),
                    server_pk,
                    server_kid: answer.server_kid,
                    account: answer.account_display.clone(),
                    bound_at: now,
                    pending: None,
                })?;
            }
        }
        Ok(Bound {
            origin,
            account: answer.account_display,
            device_id: answer.device_id,
            pairing_code: answer.pairing_code,
        })
    }

    /// Forgets a server: its entry and this device's keys for it.
    pub fn unbind(&self, origin: &str) -> Result<bool, LoginError> {
        let removed = self.servers.remove(origin)?;
        self.keys.delete(origin)?;
        self.keys.delete(&pending_key_name(origin))?;
        Ok(removed)
    }

    /// Checks a `sesame://login` code (bound origin, pinned signature, expiry) and tells the
    /// server this device scanned it; returns what to show the user. A re-binding waiting for
    /// its pairing code is tried first: the server accepting it means the user finished it, and
    /// it then replaces the old one; refused, the working binding signs as before.
    pub fn scan(&self, uri: &str, now: u64) -> Result<PendingApproval, LoginError> {
        let qr = LoginQr::parse(uri)?;
        let origin = qr.origin.to_string();
        self.policy.check_server(&origin)?;
        let mut server = self
            .servers
            .find(&origin)?
            .ok_or_else(|| Refusal::OriginNotBound(origin.clone()))?;
        if let Some(pending) = server.pending.clone() {
            match self.scan_as(
                &qr,
                &pending.device_id,
                &pending.server_pk,
                &pending_key_name(&origin),
                now,
            ) {
                Ok(details) => {
                    let promoted = self.promote(&origin, pending)?;
                    return self.pending_approval(qr, promoted, details, now);
                }
                // Not accepted (yet), or not able to sign this code: the working binding
                // answers. Past the code's life it never will be accepted: forget it.
                Err(
                    LoginError::Server {
                        code: ErrorCode::InvalidDevice | ErrorCode::InvalidSignature,
                        ..
                    }
                    | LoginError::Refused(_)
                    | LoginError::Policy(_)
                    | LoginError::KeyMissing(_),
                ) => {
                    if now > pending.expires_at.saturating_add(PENDING_GRACE) {
                        server.pending = None;
                        self.servers.put(server.clone())?;
                        self.keys.delete(&pending_key_name(&origin))?;
                    }
                }
                Err(other) => return Err(other),
            }
        }
        let details = self.scan_as(&qr, &server.device_id, &server.server_pk, &origin, now)?;
        self.pending_approval(qr, server, details, now)
    }

    /// Makes a re-binding the server has accepted the working one. Key first, then the list,
    /// then the pending key: a crash in between leaves the pending entry in the list, tried
    /// first and promoted again next time.
    fn promote(&self, origin: &str, pending: PendingDevice) -> Result<BoundServer, LoginError> {
        let key = self
            .keys
            .get(&pending_key_name(origin))?
            .ok_or_else(|| LoginError::KeyMissing(origin.to_owned()))?;
        self.keys.put(origin, &key)?;
        let promoted = BoundServer {
            origin: origin.to_owned(),
            device_id: pending.device_id,
            server_pk: pending.server_pk,
            server_kid: pending.server_kid,
            account: pending.account,
            bound_at: pending.claimed_at,
            pending: None,
        };
        self.servers.put(promoted.clone())?;
        self.keys.delete(&pending_key_name(origin))?;
        Ok(promoted)
    }

    /// How the binding a `sesame://bind` code offered stands, asked of its server after this
    /// device claimed it as `device_id` ([`Bound::device_id`]): the window waits on it to say
    /// when the page has taken the pairing code. Accepted, a re-binding becomes the working one
    /// at once; ended without it (three wrong codes, time over), this device's record of that
    /// claim is dropped, since the server will never accept its signature — a working binding
    /// it would have replaced stays.
    pub fn binding_progress(
        &self,
        uri: &str,
        device_id: &str,
    ) -> Result<BindingProgress, LoginError> {
        let qr = BindQr::parse(uri)?;
        let origin = qr.origin.to_string();
        self.policy.check_server(&origin)?;
        let request = BindingStateRequest {
            v: sesame_protocol::VERSION,
            enroll_secret: qr.enroll_secret.clone(),
        };
        let path = format!("/api/bindings/{}/state", qr.binding_id);
        let answer: BindingStateResponse = self.post(&qr.origin, &path, &request)?;
        let Some(mut server) = self.servers.find(&origin)? else {
            return Ok(answer.state);
        };
        let pending_is_ours = server
            .pending
            .as_ref()
            .is_some_and(|pending| pending.device_id == device_id);
        match answer.state {
            BindingProgress::Active if pending_is_ours => {
                if let Some(pending) = server.pending.take() {
                    self.promote(&origin, pending)?;
                }
            }
            BindingProgress::Cancelled | BindingProgress::Expired if pending_is_ours => {
                server.pending = None;
                self.servers.put(server)?;
                self.keys.delete(&pending_key_name(&origin))?;
            }
            BindingProgress::Cancelled | BindingProgress::Expired
                if server.device_id == device_id =>
            {
                // A first binding is kept from its claim on; never accepted, it is no binding.
                self.unbind(&origin)?;
            }
            _ => {}
        }
        Ok(answer.state)
    }

    /// Verifies the code with the server key pinned for a device, and reports the scan signed
    /// by that device (its key under `key_name`).
    fn scan_as(
        &self,
        qr: &LoginQr,
        device_id: &str,
        server_pk: &str,
        key_name: &str,
        now: u64,
    ) -> Result<ScanResponse, LoginError> {
        let origin = qr.origin.to_string();
        // A pin added by the policy after binding applies to the binding made before it.
        self.policy.check_server_key(&origin, server_pk)?;
        let pinned =
            public_key(server_pk).ok_or_else(|| Refusal::BadQrSignature(origin.clone()))?;
        qr.verify(&pinned, now)?;
        let key = self.device_key(key_name, &origin)?;
        let mut request = ScanRequest {
            v: sesame_protocol::VERSION,
            device_id: device_id.to_owned(),
            chal: qr.challenge.clone(),
            ts: now,
            sig: String::new(),
        };
        request.sig = sign(
            &key,
            Context::Scan,
            &request.signed_fields(&origin, &qr.session),
        )?;
        let path = format!("/api/qr/sessions/{}/scan", qr.session);
        match self.post(&qr.origin, &path, &request) {
            // The browser and Sesame reached a dual-stack server over different families (Happy
            // Eyeballs may do that on one desktop): ask once more over the browser's.
            Err(LoginError::OtherFamily { family, .. }) => {
                let over_family = http_client(Some(family));
                match self.post_with(&over_family, &qr.origin, &path, &request) {
                    // Asked again the first way, the server counts it as a mismatch: Sesame
                    // cannot show that this computer is where the browser is.
                    Err(LoginError::Unreachable { .. }) => self.post(&qr.origin, &path, &request),
                    answer => answer,
                }
            }
            answer => answer,
        }
    }

    /// What to show for a scan the server answered, refusing (and denying at once) a place the
    /// policy refuses.
    fn pending_approval(
        &self,
        qr: LoginQr,
        server: BoundServer,
        details: ScanResponse,
        now: u64,
    ) -> Result<PendingApproval, LoginError> {
        let verdict = self.policy.address_verdict(details.address_match);
        let pending = PendingApproval {
            origin: server.origin,
            session: qr.session,
            challenge: qr.challenge,
            device_id: server.device_id,
            details,
            verdict,
        };
        if verdict == AddressVerdict::Refuse {
            // Deny at once, so the session ends for whoever relayed the code. If that fails the
            // session still expires unapproved; the refusal is what the user must read.
            let _ = self.decide(&pending, Decision::Deny, "", now);
            return Err(self.policy.address_refusal().into());
        }
        Ok(pending)
    }

    /// Approves (with the number the browser shows) or denies a scanned login.
    pub fn decide(
        &self,
        pending: &PendingApproval,
        decision: Decision,
        number: &str,
        now: u64,
    ) -> Result<SessionState, LoginError> {
        if decision == Decision::Approve {
            self.policy.check_server(&pending.origin)?;
            if pending.verdict == AddressVerdict::Refuse {
                return Err(self.policy.address_refusal().into());
            }
        }
        let origin = Origin::parse(&pending.origin).map_err(QrError::from)?;
        let key = self.device_key(&pending.origin, &pending.origin)?;
        let mut request = ConfirmRequest {
            v: sesame_protocol::VERSION,
            device_id: pending.device_id.clone(),
            chal: pending.challenge.clone(),
            decision,
            number: number.trim().to_owned(),
            ts: now,
            sig: String::new(),
        };
        request.sig = sign(
            &key,
            Context::Confirm,
            &request.signed_fields(&pending.origin, &pending.session),
        )?;
        let path = format!("/api/qr/sessions/{}/confirm", pending.session);
        let answer: ConfirmResponse = self.post(&origin, &path, &request)?;
        Ok(answer.state)
    }

    /// The device key stored under `key_name` for `origin`.
    fn device_key(&self, key_name: &str, origin: &str) -> Result<SigningKey, LoginError> {
        let secret = self
            .keys
            .get(key_name)?
            .ok_or_else(|| LoginError::KeyMissing(origin.to_owned()))?;
        let seed = <[u8; 32]>::try_from(secret.expose())
            .map_err(|_| LoginError::KeyMissing(origin.to_owned()))?;
        Ok(SigningKey::from_bytes(&seed))
    }

    fn post<T: DeserializeOwned>(
        &self,
        origin: &Origin,
        path: &str,
        body: &impl Serialize,
    ) -> Result<T, LoginError> {
        self.post_with(&self.http, origin, path, body)
    }

    fn post_with<T: DeserializeOwned>(
        &self,
        http: &reqwest::blocking::Client,
        origin: &Origin,
        path: &str,
        body: &impl Serialize,
    ) -> Result<T, LoginError> {
        let url = format!("{origin}{path}");
        let response = http
            .post(&url)
            .json(body)
            .send()
            .map_err(|e| LoginError::Unreachable {
                origin: origin.to_string(),
                detail: e.without_url().to_string(),
            })?;
        let status = response.status();
        // Every answer of the protocol is a few hundred bytes: read no more than the cap.
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(
            &mut std::io::Read::take(response, MAX_ANSWER_BYTES + 1),
            &mut bytes,
        )
        .map_err(|e| LoginError::Unreachable {
            origin: origin.to_string(),
            detail: e.to_string(),
        })?;
        if bytes.len() as u64 > MAX_ANSWER_BYTES {
            return Err(LoginError::Unexpected {
                origin: origin.to_string(),
                detail: format!("an answer larger than {} KiB", MAX_ANSWER_BYTES / 1024),
            });
        }
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|e| LoginError::Unexpected {
                origin: origin.to_string(),
                detail: e.to_string(),
            });
        }
        match serde_json::from_slice::<ErrorBody>(&bytes) {
            Ok(ErrorBody {
                error: ErrorCode::OtherAddressFamily,
                browser_family: Some(family),
                ..
            }) => Err(LoginError::OtherFamily {
                origin: origin.to_string(),
                family,
            }),
            Ok(error) => Err(LoginError::Server {
                code: error.error,
                attempts_left: error.attempts_left,
            }),
            Err(_) => Err(LoginError::Unexpected {
                origin: origin.to_string(),
                detail: format!("HTTP {status}"),
            }),
        }
    }
}

/// The HTTP client for servers; `family`, when given, is the only address family it connects
/// over (binding the local socket to that family's unspecified address makes the connector skip
/// the other family's addresses).
fn http_client(family: Option<AddressFamily>) -> reqwest::blocking::Client {
    let local: Option<IpAddr> = family.map(|family| match family {
        AddressFamily::Ipv4 => Ipv4Addr::UNSPECIFIED.into(),
        AddressFamily::Ipv6 => Ipv6Addr::UNSPECIFIED.into(),
    });
    reqwest::blocking::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(15))
        // A server answers at the origin the user bound; a redirect elsewhere is not it.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Sesame/", env!("CARGO_PKG_VERSION")))
        .local_address(local)
        .build()
        .unwrap_or_else(|_| reqwest::blocking::Client::new())
}

fn sign<const N: usize>(
    key: &SigningKey,
    context: Context,
    fields: &[String; N],
) -> Result<String, LoginError> {
    let signature = message::sign(key, context, &message::text_fields(fields)).map_err(|e| {
        LoginError::Unexpected {
            origin: String::new(),
            detail: e.to_string(),
        }
    })?;
    Ok(b64(&signature.to_bytes()))
}

fn public_key(text: &str) -> Option<VerifyingKey> {
    unb64(text)
        .and_then(|bytes| <[u8; 32]>::try_from(bytes.as_slice()).ok())
        .and_then(|bytes| VerifyingKey::from_bytes(&bytes).ok())
}
