// The settings dialog: clipboard delay, screen-capture protection, start at login, and the
// servers; values the organization's policy fixes are shown locked.
import { getSettings, saveSettings, listServers, unbindServer } from "../api.js";
import { showError, showToast } from "./notify.js";
import { openImport, openBackup, openPhone } from "./transfer.js";
import { textSize } from "./textsize.js";

const $ = (id) => document.getElementById(id);
const dialog = $("settings-dialog");
// The servers the policy allows, as of the dialog's opening; `null` when any is.
let allowedServers = null;

export async function openSettings() {
  let page;
  try {
    page = await getSettings();
  } catch (error) {
    showError(error);
    return;
  }
  const clear = $("s-clear");
  clear.min = page.min_clear_seconds;
  clear.max = page.max_clear_seconds;
  clear.value = page.settings.clipboard_clear_seconds;
  $("s-protect").checked = page.settings.content_protection;
  $("s-login").checked = page.settings.start_at_login;
  $("s-shortcut").value = page.settings.global_shortcut;
  const policy = page.policy;
  $("settings-managed").hidden = !policy.managed;
  $("settings-managed").title = policy.path || "";
  $("settings-policy-problem").hidden = !policy.problem;
  $("settings-policy-problem").textContent = policy.problem
    ? `Your organization's policy could not be applied, so sign-in approvals, exports and typed accounts are refused until it is fixed: ${policy.problem}`
    : "";
  for (const [input, key] of [["s-clear", "clipboard_clear_seconds"], ["s-protect", "content_protection"], ["s-login", "start_at_login"], ["s-shortcut", "global_shortcut"]]) {
    const locked = policy.locked[key] !== null && policy.locked[key] !== undefined;
    $(input).disabled = locked;
    $(`${input}-locked`).hidden = !locked;
  }
  $("s-shortcut-off").disabled = $("s-shortcut").disabled;
  // Where the desktop keeps global shortcuts to itself, say so and what to do instead.
  $("s-shortcut-note").textContent = page.shortcut_refusal || SHORTCUT_NOTE;
  // Offered only where the OS can honour it; the saved value is kept either way.
  $("s-protect-option").hidden = !page.content_protection_available;
  if (!page.content_protection_available) $("s-protect-locked").hidden = true;
  allowedServers = policy.allowed_servers;
  $("servers-allowed").hidden = !allowedServers;
  $("servers-allowed").textContent = !allowedServers ? ""
    : allowedServers.length === 0 ? "Your organization allows no sign-in servers."
    : `Your organization allows sign-in only with ${allowedServers.join(", ")}.`;
  // Secrets leave Sesame only where the policy allows exports (the core refuses anyway).
  $("backup-open").hidden = !policy.allow_export;
  $("phone-open").hidden = !policy.allow_export;
  $("transfer-managed").hidden = policy.allow_export;
  $("import-open").hidden = !policy.allow_manual_add;
  $("settings-problem").hidden = !page.problem;
  $("settings-problem").textContent = page.problem || "";
  $("settings-error").textContent = "";
  await showServers();
  dialog.showModal();
  (clear.disabled ? $("settings-form").querySelector("button.primary") : clear).focus();
}

$("settings-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    const seconds = Number($("s-clear").value);
    if (!Number.isInteger(seconds)) {
      $("settings-error").textContent = "The clipboard delay must be a whole number of seconds.";
      return;
    }
    await saveSettings({
      clipboard_clear_seconds: seconds,
      content_protection: $("s-protect").checked,
      start_at_login: $("s-login").checked,
      text_size_percent: textSize(),
      global_shortcut: $("s-shortcut").value,
    });
    dialog.close();
    showToast("Settings saved");
  } catch (error) {
    $("settings-error").textContent = error && error.message ? error.message : String(error);
  }
});

// The shortcut field records the keys pressed in it ("Ctrl+Alt+S"); Backspace or Delete alone,
// or "Turn off", leave none. Only combinations the tray can register are taken.
const SHORTCUT_NOTE = "From any app: the window comes up with the search focused. " +
  "To change it, press the new keys here.";
// The key itself, whatever Shift or the layout made of it: the physical key where the event
// names it, else the character.
const KEY = (event) => {
  if (/^Key[A-Z]$/.test(event.code)) return event.code.slice(3);
  if (/^Digit[0-9]$/.test(event.code)) return event.code.slice(5);
  if (/^F([1-9]|1[0-9]|2[0-4])$/.test(event.code)) return event.code;
  if (/^F([1-9]|1[0-9]|2[0-4])$/.test(event.key)) return event.key;
  if (/^[a-z0-9]$/i.test(event.key)) return event.key.toUpperCase();
  return null;
};
$("s-shortcut").addEventListener("keydown", (event) => {
  if (event.key === "Tab" || event.key === "Escape") return;
  event.preventDefault();
  const mods = [[event.ctrlKey, "Ctrl"], [event.altKey, "Alt"], [event.shiftKey, "Shift"],
    [event.metaKey, "Super"]].filter(([on]) => on).map(([, name]) => name);
  if ((event.key === "Backspace" || event.key === "Delete") && !mods.length) {
    $("s-shortcut").value = "";
    return;
  }
  const key = KEY(event);
  if (!key) return; // a modifier on its own, so far
  if (!/^F\d+$/.test(key) && !mods.some((m) => m !== "Shift")) {
    $("settings-error").textContent = "A shortcut needs Ctrl, Alt or Super with the key.";
    return;
  }
  $("settings-error").textContent = "";
  $("s-shortcut").value = [...mods, key].join("+");
});
$("s-shortcut-off").addEventListener("click", () => { $("s-shortcut").value = ""; });

// The servers this device approves sign-ins for, each with "Unbind".
async function showServers() {
  const servers = await listServers().catch((error) => {
    $("settings-error").textContent = error && error.message ? error.message : String(error);
    return [];
  });
  // "Scan a site's code to bind" would be bad advice where the policy allows no server.
  const noneAllowed = Array.isArray(allowedServers) && allowedServers.length === 0;
  $("servers-empty").hidden = servers.length > 0 || noneAllowed;
  $("servers").replaceChildren(...servers.map((server) => {
    const item = document.createElement("li");
    const text = document.createElement("span");
    if (!server.bound) {
      text.textContent = `${server.origin} · provided by your organization; bind from its account page`;
      item.append(text);
      return item;
    }
    text.textContent = `${server.origin} · ${server.account}`;
    const unbind = document.createElement("button");
    unbind.type = "button";
    unbind.textContent = "Unbind";
    unbind.title = "Forget this server and delete this device's key for it";
    // Unbinding deletes this device's key for the site: asked first, Keep focused.
    unbind.addEventListener("click", () => {
      const question = document.createElement("span");
      question.className = "confirm-unbind";
      question.textContent = `Unbind from ${server.origin}? Sesame will no longer approve its sign-ins.`;
      const keep = document.createElement("button");
      keep.type = "button";
      keep.textContent = "Keep";
      keep.addEventListener("click", () => showServers());
      const confirm = document.createElement("button");
      confirm.type = "button";
      confirm.className = "danger";
      confirm.textContent = "Unbind";
      confirm.addEventListener("click", async () => {
        try {
          await unbindServer(server.origin);
          showToast(`Unbound from ${server.origin}`);
          await showServers();
        } catch (error) {
          $("settings-error").textContent = error && error.message ? error.message : String(error);
        }
      });
      item.replaceChildren(question, keep, confirm);
      keep.focus();
    });
    item.append(text, unbind);
    return item;
  }));
}

// The sheets replace the settings dialog: one modal at a time.
function from(open) {
  return async () => {
    dialog.close();
    try {
      await open();
    } catch (error) {
      showError(error);
    }
  };
}
$("import-open").addEventListener("click", from(openImport));
$("backup-open").addEventListener("click", from(openBackup));
$("phone-open").addEventListener("click", from(openPhone));
