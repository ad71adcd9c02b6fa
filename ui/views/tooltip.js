// Tooltips drawn inside the window. The WebView's own (from `title`) are placed by the toolkit
// and ran past the window's edge; every `title` on the page, now or added later, becomes this
// one, kept as the element's accessible description. A row's name shows its full text this
// way when the row cuts it.
const DELAY_MS = 500;
const MARGIN = 6;

const tip = document.createElement("div");
tip.className = "tooltip";
tip.setAttribute("role", "tooltip");
tip.hidden = true;
document.body.append(tip);

let owner = null;
let timer = null;

function adopt(element) {
  const text = element.getAttribute("title");
  if (!text) return;
  element.dataset.tip = text;
  element.setAttribute("aria-description", text);
  element.removeAttribute("title");
}

function adoptAll(root) {
  if (root.nodeType !== Node.ELEMENT_NODE) return;
  if (root.hasAttribute("title")) adopt(root);
  for (const element of root.querySelectorAll("[title]")) adopt(element);
}

adoptAll(document.body);
new MutationObserver((changes) => {
  for (const change of changes) {
    if (change.type === "attributes") adopt(change.target);
    for (const node of change.addedNodes) adoptAll(node);
  }
}).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["title"] });

// The text to show for `element`, or "" when it has none to show now.
function textOf(element) {
  if (element.dataset.tip) return element.dataset.tip;
  const cut = [...element.children].some((child) => child.scrollWidth > child.clientWidth + 1);
  return cut ? element.dataset.tipWhenCut : "";
}

function place(element) {
  const text = textOf(element);
  if (!text) return;
  tip.textContent = text;
  // Inside an open dialog the tooltip must be in the dialog too: dialogs sit above the page.
  const layer = element.closest("dialog[open]") || document.body;
  if (tip.parentElement !== layer) layer.append(tip);
  tip.hidden = false;
  const anchor = element.getBoundingClientRect();
  const box = tip.getBoundingClientRect();
  const left = Math.min(
    Math.max(MARGIN, anchor.left + anchor.width / 2 - box.width / 2),
    window.innerWidth - box.width - MARGIN,
  );
  let top = anchor.bottom + MARGIN;
  if (top + box.height > window.innerHeight - MARGIN) top = anchor.top - box.height - MARGIN;
  tip.style.left = `${Math.max(MARGIN, left)}px`;
  tip.style.top = `${Math.max(MARGIN, top)}px`;
}

export function hideTooltip() {
  clearTimeout(timer);
  owner = null;
  tip.hidden = true;
}

function showSoon(element) {
  if (element === owner) return;
  hideTooltip();
  if (!element) return;
  owner = element;
  timer = setTimeout(() => place(element), DELAY_MS);
}

const TIPPED = "[data-tip], [data-tip-when-cut]";
document.addEventListener("pointerover", (event) => showSoon(event.target.closest?.(TIPPED) || null));
document.addEventListener("focusin", (event) => {
  // By keyboard only: a click's focus already had its hover.
  const element = event.target.closest?.(TIPPED);
  if (element && element.matches(":focus-visible")) showSoon(element);
});
for (const type of ["pointerdown", "keydown", "focusout", "scroll", "blur"]) {
  window.addEventListener(type, hideTooltip, true);
}
