// Wiring: keyboard, search, row actions, and reloading when the CLI changed the vault.
import "./views/tooltip.js";
import { moveAccount, closeWindow } from "./api.js";
import {
  reload, refreshCodes, startTicking, applySearch, moveSelection, selectedId, copy, currentAccounts,
  select,
} from "./views/accounts.js";
import { openAdd, openEdit, openRemove, undo } from "./views/dialogs.js";
import { openSettings } from "./views/settings.js";
import { approveFromScreen } from "./views/login.js";
import { stepTextSize } from "./views/textsize.js";
import { showError } from "./views/notify.js";
import { openImport } from "./views/transfer.js";

const search = document.getElementById("search");
const list = document.getElementById("accounts");

search.addEventListener("input", () => applySearch(search.value));
search.addEventListener("change", () => applySearch(search.value));
document.getElementById("add-button").addEventListener("click", () => openAdd());
document.getElementById("empty-scan").addEventListener("click", () => {
  openAdd("scan");
  document.getElementById("scan-now").click();
});
document.getElementById("empty-import").addEventListener("click", () => openImport());
document.getElementById("empty-paste").addEventListener("click", () => openAdd("uri"));

// Rows scroll into view below the sticky header: its height, kept current for the CSS.
const bar = document.querySelector(".bar");
const measureBar = () =>
  document.documentElement.style.setProperty("--bar-height", `${bar.offsetHeight}px`);
new ResizeObserver(measureBar).observe(bar);
measureBar();
document.getElementById("settings-button").addEventListener("click", openSettings);

async function move(id, step) {
  const ids = currentAccounts().map((a) => a.id);
  const target = ids.indexOf(id) + step;
  if (target < 0 || target >= ids.length) return;
  try {
    await moveAccount(id, target);
    await reload();
    select(id);
  } catch (error) {
    showError(error);
  }
}

list.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-action]");
  if (!button) return;
  const id = button.closest(".account").dataset.id;
  const action = button.dataset.action;
  if (action === "up") move(id, -1);
  if (action === "down") move(id, 1);
  if (action === "edit") openEdit(id);
  if (action === "remove") openRemove(id);
});

document.addEventListener("keydown", (event) => {
  if (document.querySelector("dialog[open]")) return; // dialogs handle their own keys
  const id = selectedId();
  if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "n") {
    event.preventDefault();
    openAdd();
  } else if ((event.ctrlKey || event.metaKey) && ["+", "=", "-", "_", "0"].includes(event.key)) {
    event.preventDefault();
    stepTextSize({ "+": 1, "=": 1, "-": -1, "_": -1, "0": 0 }[event.key]);
  } else if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "l") {
    event.preventDefault();
    approveFromScreen();
  } else if ((event.ctrlKey || event.metaKey) && event.key === ",") {
    event.preventDefault();
    openSettings();
  } else if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "w") {
    event.preventDefault();
    closeWindow().catch(showError);
  } else if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z"
             && event.target !== search) {
    // Undo the last removal while it can be (in the search, Ctrl+Z undoes typing).
    event.preventDefault();
    undo();
  } else if (event.altKey && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
    event.preventDefault();
    if (id) move(id, event.key === "ArrowUp" ? -1 : 1);
  } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    moveSelection(event.key === "ArrowDown" ? 1 : -1);
  } else if ((event.key === "Home" || event.key === "End") && event.target.closest?.("#accounts")) {
    // Listbox keys: the first or last account (in the search they move the caret).
    event.preventDefault();
    moveSelection(event.key === "Home" ? -Infinity : Infinity);
  } else if (event.key === "F2" && id) {
    event.preventDefault();
    openEdit(id);
  } else if (event.key === "Enter" && id && event.target.tagName !== "BUTTON") {
    event.preventDefault();
    copy(id);
  } else if (event.key === "Delete" && id && event.target !== search) {
    event.preventDefault();
    openRemove(id);
  } else if (event.key === "Escape") {
    search.value = "";
    applySearch("");
    search.blur();
  } else if (event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey
             && event.target !== search) {
    // Type to search, from anywhere in the window.
    search.focus();
  }
});

// The CLI may have changed the vault while the window was in the background.
window.addEventListener("focus", reload);
document.addEventListener("visibilitychange", () => {
  if (!document.hidden) refreshCodes();
});

// The global shortcut (registered by the tray): the window comes up with the search focused, so
// reading a code is the shortcut, two letters and Enter. A sheet being read keeps the focus.
function focusSearch() {
  if (document.querySelector("dialog[open]")) return;
  search.focus();
  search.select();
}
window.__TAURI__.event.listen("focus-search", focusSearch);
if (window.__sesameOpenedToSearch) focusSearch();

startTicking();
// Marked once every control is wired and the first list is drawn: a click or key that came
// earlier would have reached a page without its handlers (the window tests wait for this).
reload().finally(() => { document.documentElement.dataset.ready = "true"; });
