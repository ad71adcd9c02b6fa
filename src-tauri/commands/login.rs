//! QR login in the window: review a scanned sign-in and approve or deny it, or bind to a server.
//! The decisions are core's (`Sesame::review`, `decide`, `bind`); this carries them to the sheet.

use serde::Serialize;
use sesame_core::Sesame;
use sesame_core::scan::{Payload, SignInCode};
use sesame_core::sesame::{DEVICE_NAME, Error};
use sesame_protocol::address::AddressMatch;
use sesame_protocol::wire::{BindingProgress, Decision, SessionState};
use tauri::{AppHandle, Manager, Runtime, State};
use zeroize::Zeroizing;

use crate::error::UiError;
use crate::state::{AppState, ClaimedBinding};

/// Runs `work` on a blocking thread: the sign-in client's HTTP is synchronous, and Tauri's async
/// commands run inside a Tokio runtime, where blocking calls are not allowed.
async fn off_the_runtime<R: Runtime, T: Send + 'static>(
    app: AppHandle<R>,
    work: impl FnOnce(&AppState, &Sesame) -> Result<T, Error> + Send + 'static,
) -> Result<T, UiError> {
    tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        let sesame = state.sesame()?;
        work(&state, sesame).map_err(UiError::from)
    })
    .await
    .map_err(|e| UiError::Other(format!("The sign-in check stopped: {e}.")))?
}

fn scanned_text(state: &AppState, index: usize, wanted: SignInCode) -> Result<String, UiError> {
    match state.scanned().get(index).and_then(Payload::sign_in) {
        Some((kind, text)) if kind == wanted => Ok(text.to_owned()),
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
    /// "Chrome on Linux": what the sheet shows first.
    browser: String,
    browser_address: String,
    /// The raw user agent, behind a disclosure: the browser chose this text.
    user_agent: String,
    age_seconds: u64,
    address_match: AddressMatch,
    /// The user must confirm the place before approving (the policy's address rule).
    confirm_place: bool,
}

/// Checks a scanned sign-in code and tells the server it was scanned; the sheet then shows where
/// the sign-in comes from.
#[tauri::command]
pub async fn review_login<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    index: usize,
) -> Result<ApprovalView, UiError> {
    let text = scanned_text(&state, index, SignInCode::Login)?;
    let review = off_the_runtime(app, move |_, sesame| sesame.review(&text)).await?;
    let details = &review.pending.details;
    let view = ApprovalView {
        origin: review.pending.origin.clone(),
        account: details.account_display.clone(),
        browser: review.browser.clone(),
        browser_address: details.browser_address.clone(),
        user_agent: details.user_agent.clone(),
        age_seconds: review.age_seconds,
        address_match: details.address_match,
        confirm_place: review.confirm_place,
    };
    *state.pending_login() = Some(review.pending);
    Ok(view)
}

/// Approves the reviewed sign-in with the number the page shows, or denies it.
#[tauri::command]
pub async fn decide_login<R: Runtime>(
    app: AppHandle<R>,
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
    off_the_runtime(app, move |state, sesame| {
        let outcome = sesame.decide(&pending, decision, &number);
        // A wrong number may be typed again; anything else ends this review.
        if outcome
            .as_ref()
            .err()
            .and_then(Error::attempts_left)
            .is_none()
        {
            *state.pending_login() = None;
        }
        outcome
    })
    .await
}

/// A sesame:// link the app was opened with, as the one code of a scan (so the window offers
/// "Review…" or "Bind…" for it, as for a code read off the screen): its index and kind.
#[derive(Debug, Serialize)]
pub struct LinkView {
    index: usize,
    kind: SignInCode,
}

/// Takes the oldest sesame:// link not yet taken, if any: the window takes the next one only
/// once the sheet of the last is closed.
#[tauri::command]
pub fn take_deep_link(state: State<'_, AppState>) -> Option<LinkView> {
    let url = state.deep_links().pop_front()?;
    let payload = Payload::classify(url.as_bytes());
    let (kind, _) = payload.sign_in()?;
    *state.scanned() = vec![payload];
    Some(LinkView { index: 0, kind })
}

/// What a binding code offers, for the consent sheet.
#[derive(Debug, Serialize)]
pub struct OfferView {
    origin: String,
    account: String,
    /// The account this device approves sign-ins for at this site now, which the binding would
    /// replace.
    replaces: Option<String>,
}

/// Asks the server of a scanned binding code what it offers; nothing is bound until the user
/// consents (`bind_scanned`).
#[tauri::command]
pub async fn preview_binding<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    index: usize,
) -> Result<OfferView, UiError> {
    let text = scanned_text(&state, index, SignInCode::Bind)?;
    let offer = off_the_runtime(app, move |_, sesame| sesame.preview_binding(&text)).await?;
    Ok(OfferView {
        origin: offer.origin,
        account: offer.account,
        replaces: offer.replaces,
    })
}

/// What binding gave: the pairing code to type into the page.
#[derive(Debug, Serialize)]
pub struct BoundView {
    origin: String,
    account: String,
    pairing_code: String,
}

/// Binds this device to the server of a scanned binding code, once the user has consented to
/// its preview.
#[tauri::command]
pub async fn bind_scanned<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    index: usize,
) -> Result<BoundView, UiError> {
    let text = scanned_text(&state, index, SignInCode::Bind)?;
    let uri = Zeroizing::new(text.clone());
    let bound = off_the_runtime(app, move |_, sesame| sesame.bind(&text, DEVICE_NAME)).await?;
    *state.claimed_binding() = Some(ClaimedBinding {
        uri,
        device_id: bound.device_id.clone(),
        pairing_code: Zeroizing::new(bound.pairing_code.clone()),
    });
    Ok(BoundView {
        origin: bound.origin,
        account: bound.account,
        pairing_code: bound.pairing_code,
    })
}

/// How the binding claimed last stands: the sheet asks every second while it shows the pairing
/// code, and closes with a confirmation once the page has taken it. Once it has ended either
/// way the claim is forgotten, pairing code included.
#[tauri::command]
pub async fn binding_progress<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<BindingProgress, UiError> {
    let (uri, device_id) = state
        .claimed_binding()
        .as_ref()
        .map(|claim| (claim.uri.clone(), claim.device_id.clone()))
        .ok_or_else(|| UiError::NotFound("no binding is waiting for its pairing code".into()))?;
    let progress = off_the_runtime(app, move |_, sesame| {
        sesame.binding_progress(&uri, &device_id)
    })
    .await?;
    if !progress.is_open() {
        *state.claimed_binding() = None;
    }
    Ok(progress)
}

/// Forgets the binding claimed last, when its sheet closes: nothing asks after it any more.
#[tauri::command]
pub fn forget_claimed_binding(state: State<'_, AppState>) {
    *state.claimed_binding() = None;
}

/// Copies the last binding's pairing code, for pasting into the site's page; the seconds until
/// the clipboard is cleared.
#[tauri::command(async)]
pub fn copy_pairing_code(state: State<'_, AppState>) -> Result<u64, UiError> {
    let code = state
        .claimed_binding()
        .as_ref()
        .map(|claim| claim.pairing_code.clone())
        .ok_or_else(|| UiError::NotFound("there is no pairing code to copy".to_owned()))?;
    Ok(state.sesame()?.copy_pairing_code(&code)?)
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
    let servers = state.sesame()?.servers()?;
    Ok(servers
        .into_iter()
        .map(|server| ServerView {
            origin: server.origin,
            account: server.account,
            bound_at: server.bound_at,
            bound: server.bound,
        })
        .collect())
}

/// Forgets a server and deletes this device's key for it (a keyring call: off the main thread).
#[tauri::command]
pub async fn unbind_server<R: Runtime>(app: AppHandle<R>, origin: String) -> Result<bool, UiError> {
    off_the_runtime(app, move |_, sesame| sesame.unbind(&origin)).await
}
