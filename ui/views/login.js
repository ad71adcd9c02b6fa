// QR sign-in from the window: the approval sheet (where the sign-in comes from, the number,
// Approve and an equally large Deny) and binding to a server.
import { reviewLogin, decideLogin, bindScanned, takeDeepLink } from "../api.js";
import { showToast } from "./notify.js";

const $ = (id) => document.getElementById(id);
const dialog = $("approve-dialog");

function message(error) {
  return error && error.message ? error.message : String(error);
}

function ago(seconds) {
  return seconds < 60 ? `${seconds} s ago` : `${Math.round(seconds / 60)} min ago`;
}

const WHERE = {
  match: "On this computer's network address",
  mismatch: "NOT on this computer's network address",
  unknown: "The server cannot tell whether it is on this computer",
};

export async function reviewScannedLogin(index) {
  $("add-error").textContent = "";
  let view;
  try {
    view = await reviewLogin(index);
  } catch (error) {
    $("add-error").textContent = message(error);
    return;
  }
  if ($("add-dialog").open) $("add-dialog").close();
  $("a-origin").textContent = view.origin;
  $("a-account").textContent = view.account;
  $("a-browser").textContent = `${view.browser_address} · ${view.user_agent}`;
  $("a-age").textContent = ago(view.age_seconds);
  $("a-where").textContent = WHERE[view.address_match] || view.address_match;
  $("a-where").className = view.address_match === "match" ? "" : "mismatch";
  $("a-unknown-box").hidden = !view.confirm_place;
  $("a-unknown").checked = false;
  $("a-number").value = "";
  $("approve-error").textContent = "";
  dialog.showModal();
  $("a-number").focus();
}

async function decide(approve) {
  $("approve-error").textContent = "";
  if (approve && !$("a-unknown-box").hidden && !$("a-unknown").checked) {
    $("approve-error").textContent = "Tick the box above to approve a sign-in from an unknown place.";
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

export async function bindToServer(index) {
  $("add-error").textContent = "";
  try {
    const bound = await bindScanned(index);
    $("scan-status").textContent =
      `Bound to ${bound.origin} as ${bound.account}. Type this pairing code on the page: ${bound.pairing_code}`;
    $("scan-results").replaceChildren();
  } catch (error) {
    $("add-error").textContent = message(error);
  }
}

// A sesame:// link Sesame was opened with ("Open in Sesame" on a sign-in page): reviewed like
// a code read off the screen.
async function openDeepLink() {
  const link = await takeDeepLink().catch(() => null);
  if (!link) return;
  if (link.kind === "login") {
    reviewScannedLogin(link.index);
  } else {
    const bound = await bindScanned(link.index).catch((error) => {
      showToast(message(error));
      return null;
    });
    if (bound) showToast(`Bound to ${bound.origin}: type ${bound.pairing_code} on the page`);
  }
}
window.__TAURI__.event.listen("deep-link", openDeepLink);
openDeepLink();
