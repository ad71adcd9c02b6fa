// Settings → Import…, Back up…, Show as QR for a phone; and a pasted Google export, which opens
// the import sheet at its preview. Nothing is stored before the user has seen the list.
import {
  readImportFile, unlockImport, readImportText, importPreviewed, cancelImport,
  suggestBackup, writeBackup, phoneCodes, listAccounts,
} from "../api.js";
import { reload, select } from "./accounts.js";
import { showToast } from "./notify.js";

const $ = (id) => document.getElementById(id);
const message = (error) => (error && error.message ? error.message : String(error));

// --- import --------------------------------------------------------------------------------

const importDialog = $("import-dialog");
let importStep = "choose";

function showImportStep(step) {
  importStep = step;
  $("import-choose").hidden = step !== "choose";
  $("import-password-step").hidden = step !== "password";
  $("import-preview").hidden = step !== "preview";
  $("import-submit").hidden = step === "choose";
}

const VERDICTS = {
  new: "New",
  already_there: "Already in Sesame, kept as it is",
  twice_in_file: "Twice in this file: the first is imported",
  unusable: "Cannot be imported",
};

function showPreview(preview) {
  const usable = preview.new_count;
  const parts = [`${preview.source}: ${preview.entries.length} ${preview.entries.length === 1 ? "entry" : "entries"}`];
  parts.push(`${usable} new`);
  if (preview.unusable_count) parts.push(`${preview.unusable_count} cannot be imported`);
  $("import-summary").textContent = parts.join(", ") + ".";
  $("import-entries").replaceChildren(...preview.entries.map((entry) => {
    const item = document.createElement("li");
    item.dataset.verdict = entry.verdict.kind;
    const label = document.createElement("span");
    label.className = "entry-label";
    label.textContent = entry.label || "(no name)";
    label.title = entry.summary ? `${entry.label} (${entry.summary})` : entry.label;
    const verdict = document.createElement("span");
    verdict.className = "entry-verdict";
    verdict.textContent = entry.verdict.kind === "unusable"
      ? `${VERDICTS.unusable}: ${entry.verdict.reason}`
      : entry.verdict.kind === "new" && entry.summary ? `New · ${entry.summary}`
      : VERDICTS[entry.verdict.kind];
    item.append(label, verdict);
    return item;
  }));
  $("import-notes").replaceChildren(...[...preview.warnings, ...preview.notes].map((text) => {
    const item = document.createElement("li");
    item.textContent = text;
    return item;
  }));
  const submit = $("import-submit");
  submit.textContent = usable === 1 ? "Import 1 account" : `Import ${usable} accounts`;
  submit.disabled = usable === 0;
  showImportStep("preview");
  (usable ? submit : importDialog.querySelector("[data-close]")).focus();
}

function follow(step) {
  $("import-error").textContent = "";
  if (step.step === "password") {
    $("import-password-text").textContent =
      `This ${step.app} export is encrypted. Type the password it was exported with.`;
    $("import-password").value = "";
    showImportStep("password");
    $("import-submit").textContent = "Open";
    $("import-submit").disabled = false;
    $("import-password").focus();
  } else {
    showPreview(step);
  }
}

export function openImport() {
  $("import-form").reset();
  $("import-error").textContent = "";
  showImportStep("choose");
  importDialog.showModal();
  $("import-file").focus();
}

// A pasted Google Authenticator export: straight to its preview.
export async function openImportText(text) {
  const step = await readImportText(text);
  $("import-form").reset();
  $("import-error").textContent = "";
  importDialog.showModal();
  follow(step);
}

$("import-file").addEventListener("click", () => $("import-file-input").click());
$("import-file-input").addEventListener("change", async () => {
  const file = $("import-file-input").files[0];
  if (!file) return;
  $("import-error").textContent = "";
  try {
    follow(await readImportFile(new Uint8Array(await file.arrayBuffer())));
  } catch (error) {
    $("import-error").textContent = message(error);
  } finally {
    $("import-file-input").value = "";
  }
});

$("import-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("import-error").textContent = "";
  try {
    if (importStep === "password") {
      follow(await unlockImport($("import-password").value));
      $("import-password").value = "";
      return;
    }
    if (importStep !== "preview") return;
    const result = await importPreviewed();
    importDialog.close();
    await reload();
    if (result.added.length) select(result.added[0].id);
    const count = result.added.length;
    const note = result.left_out ? `; ${result.left_out} not imported` : "";
    showToast(`Imported ${count} account${count === 1 ? "" : "s"}${note}`);
  } catch (error) {
    $("import-error").textContent = message(error);
  }
});

importDialog.addEventListener("close", () => {
  $("import-password").value = "";
  cancelImport().catch(() => {});
});

// --- backup --------------------------------------------------------------------------------

const backupDialog = $("backup-dialog");

export async function openBackup() {
  $("backup-form").reset();
  $("backup-error").textContent = "";
  const today = new Date().toISOString().slice(0, 10);
  const place = await suggestBackup(today);
  $("backup-path").value = place.path;
  backupDialog.showModal();
  $("backup-password").focus();
}

$("backup-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("backup-error").textContent = "";
  const path = $("backup-path").value;
  try {
    const count = await writeBackup(path, $("backup-password").value, $("backup-repeat").value);
    backupDialog.close();
    showToast(`Backed up ${count} account${count === 1 ? "" : "s"} to ${path}`);
  } catch (error) {
    $("backup-error").textContent = message(error);
  }
});

backupDialog.addEventListener("close", () => {
  $("backup-password").value = "";
  $("backup-repeat").value = "";
});

// --- phone ---------------------------------------------------------------------------------

const phoneDialog = $("phone-dialog");
let phone = { codes: [], left_out: [], at: 0 };

function showPhoneCode() {
  const code = phone.codes[phone.at];
  $("phone-position").textContent = `QR code ${code.index} of ${code.count}`;
  $("phone-code").src = `data:image/svg+xml;base64,${btoa(code.svg)}`;
  $("phone-code").alt = `QR code ${code.index} of ${code.count}, holding ${code.labels.join(", ")}`;
  $("phone-labels").textContent = code.labels.join(" · ");
  $("phone-previous").hidden = phone.at === 0;
  $("phone-submit").textContent = phone.at + 1 < phone.codes.length ? "Next" : "Done";
}

function forgetPhoneCodes() {
  phone = { codes: [], left_out: [], at: 0 };
  $("phone-code").removeAttribute("src");
}

export async function openPhone() {
  forgetPhoneCodes();
  $("phone-error").textContent = "";
  const accounts = await listAccounts();
  $("phone-accounts").replaceChildren(...accounts.map((account) => {
    const item = document.createElement("li");
    const label = document.createElement("label");
    label.className = "check";
    const box = document.createElement("input");
    box.type = "checkbox";
    box.checked = true;
    box.value = account.id;
    label.append(box, ` ${account.issuer}${account.issuer && account.name ? ": " : ""}${account.name}`);
    item.append(label);
    return item;
  }));
  $("phone-choose").hidden = false;
  $("phone-codes").hidden = true;
  $("phone-previous").hidden = true;
  $("phone-submit").textContent = "Show codes";
  phoneDialog.showModal();
  $("phone-submit").focus();
}

$("phone-previous").addEventListener("click", () => {
  if (phone.at > 0) {
    phone.at -= 1;
    showPhoneCode();
  }
});

$("phone-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("phone-error").textContent = "";
  if (!phone.codes.length) {
    const ids = [...$("phone-accounts").querySelectorAll("input:checked")].map((box) => box.value);
    if (!ids.length) {
      $("phone-error").textContent = "Tick the accounts to move.";
      return;
    }
    try {
      const view = await phoneCodes(ids);
      if (!view.codes.length) {
        $("phone-error").textContent =
          `Google's format cannot carry ${view.left_out.join(", ")}: move them with Back up… instead.`;
        return;
      }
      phone = { codes: view.codes, left_out: view.left_out, at: 0 };
    } catch (error) {
      $("phone-error").textContent = message(error);
      return;
    }
    $("phone-left-out").hidden = !phone.left_out.length;
    $("phone-left-out").textContent = phone.left_out.length
      ? `Not in these codes (Google's format cannot carry them; use Back up…): ${phone.left_out.join(", ")}`
      : "";
    $("phone-choose").hidden = true;
    $("phone-codes").hidden = false;
    $("phone-close").textContent = "Close";
    showPhoneCode();
    return;
  }
  if (phone.at + 1 < phone.codes.length) {
    phone.at += 1;
    showPhoneCode();
  } else {
    phoneDialog.close();
  }
});

phoneDialog.addEventListener("close", () => {
  forgetPhoneCodes();
  $("phone-close").textContent = "Cancel";
});
