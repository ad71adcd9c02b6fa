//! QR login in the window: review a scanned sign-in and approve or deny it, or bind to a server.
//! The decisions are core's (`sesame_core::login`); this only carries them to the sheet.

use serde::Serialize;
use sesame_core::login::{Companion, LoginError};
use sesame_core::policy::AddressVerdict;
use sesame_core::scan::Payload;
use sesame_protocol::address::AddressMatch;
use sesame_protocol::wire::{Decision, SessionState};
use tauri::State;

use crate::error::UiError;
use crate::state::AppState;

impl From<LoginError> for UiError {
    fn from(error: LoginError) -> Self {
        let message = format!("{}.", crate::error::sentence(&error.to_string()));
        match error {
            LoginError::Store(store) => store.into(),
            LoginError::Policy(refusal) => refusal.into(),
            LoginError::Qr(_) | LoginError::Refused(_) | LoginError::Server { .. } => {
                Self::InvalidInput(message)
            }
            _ => Self::Other(message),
        }
    }
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Runs `work` with the companion on a blocking thread: its HTTP client is synchronous, and
/// Tauri's async commands run inside a Tokio runtime, where blocking calls are not allowed.
async fn with_companion<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(Companion) -> Result<T, LoginError> + Send + 'static,
) -> Result<T, UiError> {
    let data_dir = state.data_dir().map_err(UiError::Other)?.to_owned();
    tauri::async_runtime::spawn_blocking(move || work(Companion::open(&data_dir)))
        .await
        .map_err(|e| UiError::Other(format!("The sign-in check stopped: {e}.")))?
        .map_err(UiError::from)
}

fn scanned_text(state: &AppState, index: usize, kind: &str) -> Result<String, UiError> {
    match (state.scanned().get(index), kind) {
        (Some(Payload::Login(text)), "login") | (Some(Payload::Bind(text)), "bind") => {
            Ok(text.clone())
        }
        _ => Err(UiError::NotFound(
            "that code is no longer in the list; scan again".into(),
        )),
    }
}

/// What the approval sheet shows.
#[derive(Debug, Serialize)]
pub struct ApprovalView {
    origin: String,
    account: String,
    browser_address: String,
    user_agent: String,
    age_seconds: u64,
    address_match: AddressMatch,
    /// The user must confirm the place before approving (the policy's address rule).
    confirm_place: bool,
}

/// Checks a scanned sign-in code and tells the server it was scanned; the sheet then shows where
/// the sign-in comes from.
#[tauri::command]
pub async fn review_login(
    state: State<'_, AppState>,
    index: usize,
) -> Result<ApprovalView, UiError> {
    let text = scanned_text(&state, index, "login")?;
    let pending = with_companion(&state, move |companion| companion.scan(&text, now())).await?;
    let details = &pending.details;
    let view = ApprovalView {
        origin: pending.origin.clone(),
        account: details.account_display.clone(),
        browser_address: details.browser_address.clone(),
        user_agent: details.user_agent.clone(),
        age_seconds: now().saturating_sub(details.created_at),
        address_match: details.address_match,
        confirm_place: pending.verdict == AddressVerdict::Confirm,
    };
    *state.pending_login() = Some(pending);
    Ok(view)
}

/// Approves the reviewed sign-in with the number the page shows, or denies it.
#[tauri::command]
pub async fn decide_login(
    state: State<'_, AppState>,
    approve: bool,
    number: String,
) -> Result<SessionState, UiError> {
    let pending = state
        .pending_login()
        .clone()
        .ok_or_else(|| UiError::NotFound("no sign-in is waiting; scan its code again".into()))?;
    let decision = if approve {
        Decision::Approve
    } else {
        Decision::Deny
    };
    let data_dir = state.data_dir().map_err(UiError::Other)?.to_owned();
    let outcome = tauri::async_runtime::spawn_blocking(move || {
        Companion::open(&data_dir).decide(&pending, decision, &number, now())
    })
    .await
    .map_err(|e| UiError::Other(format!("The sign-in check stopped: {e}.")))?;
    // A wrong number may be typed again (the server counts the attempts); anything else ends
    // this review.
    let retry = matches!(
        &outcome,
        Err(LoginError::Server { attempts_left: Some(left), .. }) if *left > 0
    );
    if !retry {
        *state.pending_login() = None;
    }
    Ok(outcome?)
}

/// A sesame:// link the app was opened with, as the one code of a scan (so the window offers
/// "Review…" or "Bind…" for it, as for a code read off the screen): its index and kind.
#[derive(Debug, Serialize)]
pub struct LinkView {
    index: usize,
    kind: &'static str,
}

/// Takes the pending sesame:// link, if any.
#[tauri::command]
pub fn take_deep_link(state: State<'_, AppState>) -> Option<LinkView> {
    let url = state.deep_link().take()?;
    let payload = Payload::classify(url.as_bytes());
    let kind = match payload {
        Payload::Login(_) => "login",
        Payload::Bind(_) => "bind",
        _ => return None,
    };
    *state.scanned() = vec![payload];
    Some(LinkView { index: 0, kind })
}

/// What binding gave: the pairing code to type into the page.
#[derive(Debug, Serialize)]
pub struct BoundView {
    origin: String,
    account: String,
    pairing_code: String,
}

/// Binds this device to the server of a scanned binding code.
#[tauri::command]
pub async fn bind_scanned(state: State<'_, AppState>, index: usize) -> Result<BoundView, UiError> {
    let text = scanned_text(&state, index, "bind")?;
    let bound = with_companion(&state, move |companion| {
        companion.bind(&text, "Sesame on this computer", now())
    })
    .await?;
    Ok(BoundView {
        origin: bound.origin,
        account: bound.account,
        pairing_code: bound.pairing_code,
    })
}

/// A bound server, as the settings list shows it.
#[derive(Debug, Serialize)]
pub struct ServerView {
    origin: String,
    account: String,
    bound_at: u64,
    /// False for a server the organization's policy provides that is not bound yet.
    bound: bool,
}

/// The servers this device approves sign-ins for.
#[tauri::command]
pub fn list_servers(state: State<'_, AppState>) -> Result<Vec<ServerView>, UiError> {
    let data_dir = state.data_dir().map_err(UiError::Other)?;
    let companion = Companion::open(data_dir);
    let servers = companion.bound()?;
    let provided = companion.provided_unbound(&servers);
    let bound = servers.into_iter().map(|server| ServerView {
        origin: server.origin,
        account: server.account,
        bound_at: server.bound_at,
        bound: true,
    });
    let provided = provided.into_iter().map(|origin| ServerView {
        origin,
        account: String::new(),
        bound_at: 0,
        bound: false,
    });
    Ok(bound.chain(provided).collect())
}

/// Forgets a server and deletes this device's key for it (a keyring call: off the main thread).
#[tauri::command]
pub async fn unbind_server(state: State<'_, AppState>, origin: String) -> Result<bool, UiError> {
    with_companion(&state, move |companion| companion.unbind(&origin)).await
}
