// The error banner and the toast.
const banner = document.getElementById("banner");
const bannerText = document.getElementById("banner-text");
const toast = document.getElementById("toast");
let toastTimer = null;

// Errors arrive as { kind, message }: the kind decides the treatment, the message is shown.
export function showError(error, retry) {
  bannerText.textContent = error && error.message ? error.message : String(error);
  banner.dataset.kind = (error && error.kind) || "other";
  banner.hidden = false;
  document.getElementById("banner-retry").onclick = retry || null;
  document.getElementById("banner-retry").hidden = !retry;
}

export function clearError() {
  banner.hidden = true;
}

// A short confirmation; with `action` ({ label, run, seconds }), one that offers to take it
// back (Undo) and stays for that long.
export function showToast(text, action = null) {
  const words = document.createElement("span");
  words.textContent = text;
  toast.replaceChildren(words);
  if (action) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "toast-action";
    button.textContent = action.label;
    button.addEventListener("click", () => {
      hideToast();
      action.run();
    });
    toast.append(button);
  }
  toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(hideToast, action ? action.seconds * 1000 : 2600);
}

export function hideToast() {
  clearTimeout(toastTimer);
  toast.hidden = true;
}
