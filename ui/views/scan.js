// The add dialog's "Scan QR code" tab: scan the screen (now, or after a 5-second countdown that
// leaves time to bring the page forward) or an image file, and list what was found. Secrets
// stay on the Rust side; this page sees descriptions and indices.
import { scanScreen, scanImage } from "../api.js";
import { reviewScannedLogin, bindToServer } from "./login.js";

const $ = (id) => document.getElementById(id);
const COUNTDOWN_SECONDS = 5;
const IDLE_STATUS = $("scan-status").textContent;
let countdown = null;

function setBusy(busy) {
  for (const id of ["scan-now", "scan-later", "scan-file"]) $(id).disabled = busy;
}

function message(error) {
  return error && error.message ? error.message : String(error);
}

function show(view) {
  const list = $("scan-results");
  list.replaceChildren();
  // Accounts first; the codes that cannot be added after them, saying why.
  const ordered = [...view.codes].sort((a, b) => Boolean(a.refusal) - Boolean(b.refusal));
  // Where a code was found is worth saying only when there was more than one place to look.
  const places = new Set(view.codes.map((code) => code.source)).size;
  for (const code of ordered) {
    const item = document.createElement("li");
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.value = code.index;
    box.checked = !code.refusal;
    box.disabled = Boolean(code.refusal);
    const text = document.createElement("span");
    text.textContent = code.description;
    const source = document.createElement("span");
    source.className = "source";
    const place = places > 1 ? code.source : "";
    source.textContent = code.refusal ? [code.refusal, place && `(${place})`].filter(Boolean).join(" ") : place;
    if (source.textContent) text.append(source);
    label.className = "check";
    item.className = code.refusal ? "refused" : "";
    if (code.action) {
      // Sesame's own codes: a sign-in to review, or a server to bind to.
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = code.action === "login" ? "Review…" : "Bind…";
      button.dataset.scanAction = code.action;
      button.addEventListener("click", () =>
        (code.action === "login" ? reviewScannedLogin : bindToServer)(code.index));
      label.append(text);
      item.append(label, button);
    } else {
      label.append(box, text);
      item.append(label);
    }
    list.append(item);
  }
  const addable = view.codes.filter((c) => !c.refusal && !c.action).length;
  const sesame = view.codes.some((c) => c.action);
  $("scan-status").textContent = view.hint
    || (addable ? `Found ${addable} account code${addable > 1 ? "s" : ""}: check what to add, then press Add.`
       : sesame ? "Found a Sesame code: review it before anything is sent."
       : "No account code was found; the codes found are listed with the reason.");
}

async function run(scan) {
  setBusy(true);
  $("add-error").textContent = "";
  try {
    show(await scan());
  } catch (error) {
    $("scan-status").textContent = "";
    $("add-error").textContent = message(error);
  } finally {
    setBusy(false);
  }
}

function stopCountdown() {
  clearInterval(countdown);
  countdown = null;
  $("scan-cancel").hidden = true;
  setBusy(false);
}

$("scan-now").addEventListener("click", () => {
  $("scan-status").textContent = "Looking at the screen…";
  run(scanScreen);
});

$("scan-later").addEventListener("click", () => {
  let left = COUNTDOWN_SECONDS;
  setBusy(true);
  $("scan-cancel").hidden = false;
  $("scan-status").textContent = `Bring the page with the code forward: scanning in ${left} s.`;
  countdown = setInterval(() => {
    left -= 1;
    if (left > 0) {
      $("scan-status").textContent = `Bring the page with the code forward: scanning in ${left} s.`;
      return;
    }
    stopCountdown();
    $("scan-status").textContent = "Looking at the screen…";
    run(scanScreen);
  }, 1000);
});

$("scan-cancel").addEventListener("click", () => {
  stopCountdown();
  $("scan-status").textContent = "Scan cancelled.";
});

$("scan-file").addEventListener("click", () => $("scan-file-input").click());
$("scan-file-input").addEventListener("change", async () => {
  const file = $("scan-file-input").files[0];
  $("scan-file-input").value = "";
  if (!file) return;
  $("scan-status").textContent = `Reading ${file.name}…`;
  const bytes = new Uint8Array(await file.arrayBuffer());
  run(() => scanImage(bytes, file.name));
});

// The indices of the codes the user chose to add.
export function chosenScanned() {
  return [...$("scan-results").querySelectorAll("input[type=checkbox]:checked")]
    .map((box) => Number(box.value));
}

export function resetScan() {
  if (countdown) stopCountdown();
  $("scan-results").replaceChildren();
  $("scan-status").textContent = IDLE_STATUS;
}
