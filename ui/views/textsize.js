// The window's text size: Ctrl+plus, Ctrl+minus and Ctrl+0, remembered in the settings. The
// whole page is sized in rem, so the layout reflows with it (rows stack their code under the
// name when the text no longer fits beside it; see style.css).
import { setTextSize } from "../api.js";
import { showToast, showError } from "./notify.js";

const STEPS = [80, 90, 100, 110, 125, 150, 175, 200];
let current = window.__sesameTextSize || 100;

export const textSize = () => current;

function apply(percent) {
  current = percent;
  document.documentElement.style.setProperty("--text-scale", String(percent / 100));
}

// `direction`: 1 larger, -1 smaller, 0 back to normal.
export async function stepTextSize(direction) {
  let next = 100;
  if (direction > 0) next = STEPS.find((step) => step > current) ?? current;
  if (direction < 0) next = [...STEPS].reverse().find((step) => step < current) ?? current;
  if (next === current) return;
  apply(next);
  showToast(`Text size ${next} %`);
  try {
    apply(await setTextSize(next));
  } catch (error) {
    showError(error);
  }
}
