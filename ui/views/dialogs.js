// The add, edit and remove dialogs.
import {
  addAccountUri, addAccountForm, addScanned, renameAccount, removeAccount, undoRemove, finishRemovals,
  getPolicy,
} from "../api.js";
import { chosenScanned, resetScan } from "./scan.js";
import { reload, rowFor, select } from "./accounts.js";
import { showToast, hideToast, showError } from "./notify.js";
import { openImportText } from "./transfer.js";

const $ = (id) => document.getElementById(id);

function message(error) {
  return error && error.message ? error.message : String(error);
}

for (const dialog of document.querySelectorAll("dialog")) {
  for (const button of dialog.querySelectorAll("[data-close]")) {
    button.addEventListener("click", () => dialog.close());
  }
}

// --- add -----------------------------------------------------------------------------------

const addDialog = $("add-dialog");
let addMode = "uri";

function setAddMode(mode) {
  addMode = mode;
  for (const tab of ["uri", "form", "scan"]) {
    $(`tab-${tab}`).setAttribute("aria-selected", String(mode === tab));
    $(`pane-${tab}`).hidden = mode !== tab;
  }
  $("add-error").textContent = "";
  ({ uri: $("add-uri"), form: $("f-issuer"), scan: $("scan-now") })[mode].focus();
}

$("tab-uri").addEventListener("click", () => setAddMode("uri"));
$("tab-form").addEventListener("click", () => setAddMode("form"));
$("tab-scan").addEventListener("click", () => setAddMode("scan"));

async function addChosenScanned() {
  const chosen = chosenScanned();
  if (!chosen.length) {
    $("add-error").textContent = "Scan a QR code first, and check the accounts to add.";
    return;
  }
  const result = await addScanned(chosen);
  if (!result.added.length) {
    $("add-error").textContent = result.problems.join(" ") || "Nothing was added.";
    resetScan();
    return;
  }
  addDialog.close();
  await reload();
  select(result.added[0].id);
  const note = result.problems.length ? ` (${result.problems.join("; ")})` : "";
  showToast(`Added ${result.added.length} account${result.added.length > 1 ? "s" : ""}${note}`);
}

function syncKindFields() {
  const kind = $("f-kind").value;
  $("f-period").disabled = kind !== "totp";
  $("f-counter").disabled = kind !== "hotp";
  $("f-digits").disabled = kind === "steam";
  $("f-algorithm").disabled = kind === "steam";
}
$("f-kind").addEventListener("change", syncKindFields);

// The organization may allow accounts from QR codes only (the core refuses the rest anyway).
// Read at start and refreshed whenever the dialog opens, so opening never waits on it.
let manualAddAllowed = true;

function applyAddPolicy() {
  $("tab-uri").hidden = !manualAddAllowed;
  $("tab-form").hidden = !manualAddAllowed;
  // A tab bar with one tab is no choice: Scan is simply what the dialog does then.
  $("add-tabs").hidden = !manualAddAllowed;
  $("add-managed").hidden = manualAddAllowed;
  if (!manualAddAllowed && addMode !== "scan") setAddMode("scan");
}

async function refreshAddPolicy() {
  try {
    manualAddAllowed = (await getPolicy()).allow_manual_add;
  } catch {
    return;
  }
  applyAddPolicy();
}
refreshAddPolicy();

export function openAdd(mode = "scan") {
  $("add-form").reset();
  resetScan();
  syncKindFields();
  addDialog.showModal();
  // Scanning is how most accounts arrive: the dialog opens on it.
  const wanted = typeof mode === "string" ? mode : "scan";
  setAddMode(manualAddAllowed ? wanted : "scan");
  applyAddPolicy();
  refreshAddPolicy();
}

// Text the import sheet reads rather than the one-account add: an otpauth-migration:// link, or
// more than one line of URIs (the core reads and checks both the same way).
function holdsSeveral(text) {
  return /otpauth-migration:/i.test(text) || text.trim().split(/\r?\n/).filter((l) => l.trim()).length > 1;
}

$("add-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("add-error").textContent = "";
  try {
    if (addMode === "scan") {
      await addChosenScanned();
      return;
    }
    let added;
    if (addMode === "uri" && holdsSeveral($("add-uri").value)) {
      // A Google Authenticator export (or several URIs): shown entry by entry before import.
      const text = $("add-uri").value;
      $("add-form").reset();
      addDialog.close();
      await openImportText(text);
      return;
    }
    if (addMode === "uri") {
      added = await addAccountUri($("add-uri").value);
    } else {
      const kind = $("f-kind").value;
      added = await addAccountForm({
        issuer: $("f-issuer").value,
        name: $("f-name").value,
        secret: $("f-secret").value,
        kind,
        algorithm: $("f-algorithm").value,
        digits: kind === "steam" ? 5 : Number($("f-digits").value),
        period: Number($("f-period").value) || 30,
        counter: Number($("f-counter").value) || 0,
      });
    }
    // The secret leaves the page as soon as it is stored.
    $("add-form").reset();
    addDialog.close();
    await reload();
    select(added.account.id);
    const note = added.warnings.length ? ` (${added.warnings.join("; ")})` : "";
    showToast(`Added ${added.account.issuer || added.account.name}${note}`);
  } catch (error) {
    $("add-error").textContent = message(error);
  }
});

addDialog.addEventListener("close", () => {
  $("add-form").reset();
  resetScan();
});

// --- edit ----------------------------------------------------------------------------------

const editDialog = $("edit-dialog");
let editing = null;

export function openEdit(id) {
  const row = rowFor(id);
  if (!row) return;
  editing = id;
  $("e-issuer").value = row.account.issuer;
  $("e-name").value = row.account.name;
  $("edit-error").textContent = "";
  editDialog.showModal();
  $("e-issuer").focus();
}

$("edit-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    await renameAccount(editing, $("e-issuer").value, $("e-name").value);
    editDialog.close();
    await reload();
    select(editing);
  } catch (error) {
    $("edit-error").textContent = message(error);
  }
});

// --- remove --------------------------------------------------------------------------------

const removeDialog = $("remove-dialog");
let removing = null;

export function openRemove(id) {
  const row = rowFor(id);
  if (!row) return;
  removing = id;
  const label = [row.account.issuer, row.account.name].filter(Boolean).join(" · ");
  $("remove-text").textContent =
    `${label} will be removed and its secret deleted from the keyring (you can undo for a few ` +
    "seconds). To add it again later you will need a new QR code from the service.";
  $("remove-error").textContent = "";
  removeDialog.showModal();
  // The safe choice has the focus: Enter keeps the account.
  removeDialog.querySelector("[data-close]").focus();
}

$("remove-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    const removal = await removeAccount(removing);
    removeDialog.close();
    await reload();
    offerUndo(removal);
  } catch (error) {
    $("remove-error").textContent = message(error);
  }
});

// The last removal that can still be undone (Ctrl+Z), until its time passes.
let undoable = null;
let finishTimer = null;

function offerUndo(removal) {
  const { account } = removal;
  const who = [account.issuer, account.name].filter(Boolean).join(" — ");
  undoable = account.id;
  showToast(`Removed ${who}`, { label: "Undo", run: undo, seconds: removal.undo_seconds });
  // The removal is carried out by the Rust side once its time has passed (and at the latest
  // when the window closes); this asks for it then, and shows a failure.
  clearTimeout(finishTimer);
  finishTimer = setTimeout(finish, removal.undo_seconds * 1000 + 300);
}

async function finish() {
  undoable = null;
  try {
    const problems = await finishRemovals();
    if (problems.length) {
      showError({ message: problems.join(" ") });
      await reload();
    }
  } catch (error) {
    showError(error);
  }
}

export async function undo() {
  if (!undoable) return false;
  const id = undoable;
  undoable = null;
  hideToast();
  try {
    const account = await undoRemove(id);
    await reload();
    select(account.id, { focus: true });
    showToast(`${[account.issuer, account.name].filter(Boolean).join(" — ")} is back`);
  } catch (error) {
    showError(error);
  }
  return true;
}
