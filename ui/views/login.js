// QR sign-in from the window: "Approve sign-in" (the header's button, Ctrl+L) reads the screen
// and goes straight to the sheet for the one Sesame code found, or lists them by site; the
// approval sheet (where the sign-in comes from, the number, Approve and an equally large Deny)
// and the binding sheet (the site, the account, the binding it replaces; nothing is bound
// until the user says so; then the pairing code, large, with Copy, until the page takes it).
import {
  reviewLogin, decideLogin, previewBinding, bindScanned, takeDeepLink, scanScreen, copyPairingCode,
  bindingProgress, forgetClaimedBinding,
} from "../api.js";
import { showToast } from "./notify.js";

const $ = (id) => document.getElementById(id);
const dialog = $("approve-dialog");
const bindDialog = $("bind-dialog");
const findDialog = $("signin-dialog");
const addError = (text) => { $("add-error").textContent = text; };

function message(error) {
  return error && error.message ? error.message : String(error);
}

function ago(seconds) {
  return seconds < 60 ? `${seconds} s ago` : `${Math.round(seconds / 60)} min ago`;
}

const WHERE = {
  match: "On this computer's network address",
  mismatch: "NOT on this computer's network address",
};

// Opens the approval sheet for a scanned sign-in code; `report` says why it cannot.
export async function reviewScannedLogin(index, report = addError) {
  report("");
  let view;
  try {
    view = await reviewLogin(index);
  } catch (error) {
    report(message(error));
    return;
  }
  if ($("add-dialog").open) $("add-dialog").close();
  if (findDialog.open) findDialog.close();
  $("a-origin").textContent = view.origin;
  $("a-account").textContent = view.account;
  $("a-browser").textContent = `${view.browser} at ${view.browser_address}`;
  $("a-agent").textContent = view.user_agent;
  $("a-age").textContent = ago(view.age_seconds);
  $("a-where").textContent = WHERE[view.address_match] || view.address_match;
  $("a-where").className = view.address_match === "match" ? "" : "mismatch";
  $("a-elsewhere-box").hidden = !view.confirm_place;
  $("a-elsewhere").checked = false;
  $("a-number").value = "";
  $("approve-error").textContent = "";
  dialog.showModal();
  $("a-number").focus();
}

async function decide(approve) {
  $("approve-error").textContent = "";
  if (approve && !$("a-elsewhere-box").hidden && !$("a-elsewhere").checked) {
    $("approve-error").textContent = "Tick the box above to approve a sign-in from another network address.";
    return;
  }
  if (approve && !/^\d{2}$/.test($("a-number").value.trim())) {
    $("approve-error").textContent = "Type the 2-digit number the sign-in page shows.";
    return;
  }
  try {
    const state = await decideLogin(approve, approve ? $("a-number").value.trim() : "");
    dialog.close();
    showToast(state === "confirmed" ? "Approved: the browser signs in now" : "Denied: nobody was signed in");
  } catch (error) {
    $("approve-error").textContent = message(error);
  }
}

$("approve-form").addEventListener("submit", (event) => {
  event.preventDefault();
  decide(true);
});
$("a-deny").addEventListener("click", () => decide(false));
// Escape closes the sheet without a decision; the sign-in then expires on its own.

let bindIndex = null;

// Shows what a binding code offers and waits for the user's consent; `report` says why not.
export async function bindToServer(index, report = addError) {
  report("");
  let offer;
  try {
    offer = await previewBinding(index);
  } catch (error) {
    report(message(error));
    return;
  }
  if ($("add-dialog").open) $("add-dialog").close();
  if (findDialog.open) findDialog.close();
  bindIndex = index;
  $("b-origin").textContent = offer.origin;
  $("b-account").textContent = offer.account;
  $("b-replaces").hidden = !offer.replaces;
  $("b-replaces").textContent = offer.replaces
    ? `This replaces your binding to ${offer.origin} as ${offer.replaces} once you type the pairing code on the page; until then ${offer.replaces} keeps working.`
    : "";
  $("b-advice").hidden = false;
  $("b-pairing").hidden = true;
  $("b-code").textContent = "";
  $("b-bind").hidden = false;
  $("b-cancel").textContent = "Cancel";
  $("bind-error").textContent = "";
  bindDialog.showModal();
  $("b-cancel").focus();
}

$("bind-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("bind-error").textContent = "";
  try {
    const bound = await bindScanned(bindIndex);
    $("b-code").textContent = bound.pairing_code;
    $("b-pairing-site").textContent = bound.origin;
    $("b-pairing").hidden = false;
    $("b-advice").hidden = true;
    $("b-bind").hidden = true;
    $("b-cancel").textContent = "Close";
    $("b-cancel").focus();
    waitForThePage(bound);
  } catch (error) {
    $("bind-error").textContent = message(error);
  }
});
$("b-cancel").addEventListener("click", () => bindDialog.close());

// While the pairing code shows, the server is asked every second whether the page has taken it:
// then the sheet closes and says so. A binding the page gave up on says why, in the sheet.
const ENDED = {
  cancelled: "The page cancelled this binding (three wrong pairing codes, or a newer binding " +
    "code was asked for): nothing was bound. Start again from the site's account page.",
  expired: "The pairing code's time ran out before the page took it: nothing was bound. " +
    "Start again from the site's account page.",
};
let waiting = null;

function waitForThePage(bound) {
  const claim = {};
  waiting = claim;
  const ask = async () => {
    if (waiting !== claim || !bindDialog.open) return;
    let state;
    try {
      state = await bindingProgress();
    } catch (error) {
      // The server may be unreachable for a moment; the page still takes the code then.
      $("b-waiting").textContent = `Could not ask ${bound.origin} whether it took the code: ` +
        `${message(error)} Trying again…`;
      setTimeout(ask, 2000);
      return;
    }
    if (waiting !== claim) return;
    if (state === "active") {
      waiting = null;
      bindDialog.close();
      showToast(`Bound to ${bound.origin} as ${bound.account}: Sesame approves its sign-ins now`);
    } else if (ENDED[state]) {
      waiting = null;
      $("b-pairing").hidden = true;
      $("bind-error").textContent = ENDED[state];
    } else {
      $("b-waiting").textContent = "Waiting for the page to take the code…";
      setTimeout(ask, 1000);
    }
  };
  $("b-waiting").textContent = "Waiting for the page to take the code…";
  setTimeout(ask, 1000);
}

bindDialog.addEventListener("close", () => {
  if (waiting) forgetClaimedBinding();
  waiting = null;
});
$("b-copy").addEventListener("click", async () => {
  try {
    const clearAfter = await copyPairingCode();
    showToast(`Pairing code copied · clears in ${clearAfter} s`);
  } catch (error) {
    $("bind-error").textContent = message(error);
  }
});

// --- Approve sign-in: read the screen, go to the code found ---------------------------------

const findStatus = (text) => { $("signin-status").textContent = text; };
let looking = false;

function listFound(codes) {
  const list = $("signin-found");
  list.replaceChildren();
  for (const code of codes) {
    const item = document.createElement("li");
    const text = document.createElement("span");
    const site = code.site || "a site Sesame cannot read";
    text.textContent = code.action === "login" ? `Sign in to ${site}` : `Bind Sesame to ${site}`;
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = code.action === "login" ? "Review…" : "Bind…";
    button.dataset.scanAction = code.action;
    button.addEventListener("click", () =>
      (code.action === "login" ? reviewScannedLogin : bindToServer)(code.index, findStatus));
    item.append(text, button);
    list.append(item);
  }
}

export async function approveFromScreen() {
  if (looking || dialog.open || bindDialog.open) return;
  looking = true;
  $("approve-button").disabled = true;
  $("signin-again").disabled = true;
  $("signin-found").replaceChildren();
  findStatus("Looking at the screen…");
  let codes = [];
  let failure = null;
  try {
    // The window steps out of the way while the screen is read.
    const view = await scanScreen();
    codes = view.codes.filter((code) => code.action);
  } catch (error) {
    failure = message(error);
  } finally {
    looking = false;
    $("approve-button").disabled = false;
    $("signin-again").disabled = false;
  }
  if (!failure && codes.length === 1) {
    const [code] = codes;
    const open = code.action === "login" ? reviewScannedLogin : bindToServer;
    // Shown in the finding sheet if the code cannot be used (expired, site not bound, ...).
    await open(code.index, (text) => {
      if (!text) return;
      findStatus(text);
      if (!findDialog.open) findDialog.showModal();
    });
    return;
  }
  if (failure) {
    findStatus(failure);
  } else if (codes.length === 0) {
    findStatus("No sign-in code is on the screen. Open the site's \u201cSign in with Sesame\u201d page " +
      "(or its \u201cAdd Sesame\u201d code) so that the code is visible, then look again.");
  } else {
    findStatus(`${codes.length} Sesame codes are on the screen: choose the one you opened.`);
    listFound(codes);
  }
  if (!findDialog.open) findDialog.showModal();
  $("signin-again").focus();
}

$("approve-button").addEventListener("click", approveFromScreen);
$("signin-again").addEventListener("click", approveFromScreen);

// A sesame:// link Sesame was opened with ("Open in Sesame" on a sign-in page, a binding link):
// opened in the same sheets as a code read off the screen. While a sheet is open the next link
// waits its turn: it is taken when the sheet closes.
const sheetOpen = () => dialog.open || bindDialog.open;

async function openDeepLink() {
  if (sheetOpen()) return;
  const link = await takeDeepLink().catch(() => null);
  if (!link) return;
  if (link.kind === "login") {
    reviewScannedLogin(link.index);
  } else {
    bindToServer(link.index, showToast);
  }
}
for (const sheet of [dialog, bindDialog]) sheet.addEventListener("close", openDeepLink);
window.__TAURI__.event.listen("deep-link", openDeepLink);
openDeepLink();
