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

export function showToast(text) {
  toast.textContent = text;
  toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { toast.hidden = true; }, 2600);
}
