// The settings dialog: clipboard delay and screen-capture protection.
import { getSettings, saveSettings } from "../api.js";
import { showError, showToast } from "./notify.js";

const $ = (id) => document.getElementById(id);
const dialog = $("settings-dialog");

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
  $("settings-problem").hidden = !page.problem;
  $("settings-problem").textContent = page.problem || "";
  $("settings-error").textContent = "";
  dialog.showModal();
  clear.focus();
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
    });
    dialog.close();
    showToast("Settings saved");
  } catch (error) {
    $("settings-error").textContent = error && error.message ? error.message : String(error);
  }
});
