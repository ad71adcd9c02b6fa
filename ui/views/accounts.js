// The account list: rows built once per list change; codes fetched once per period (from
// secrets the Rust side holds in memory). One timer, on the second, moves the rings of the rows
// in view and the selected row's seconds in 10-second steps, all in one change: under software
// rendering each change of the screen costs a whole-window frame, whatever its size, so an idle
// window changes the screen a few times per period, not every second.
import { listAccounts, currentCodes, copyCode, nextHotp } from "../api.js";
import { showError, clearError, showToast } from "./notify.js";
import { search } from "./search.js";
import { avatarFor } from "./avatar.js";

const list = document.getElementById("accounts");
const empty = document.getElementById("empty");
const noMatch = document.getElementById("no-match");
const RING = 2 * Math.PI * 15; // circumference of the countdown ring (r = 15)
// Each step is a repaint of the whole window under software rendering (~50 ms of the web
// process): steps of 10 s are 3 changes of the screen per 30-s period, the new codes included.
const RING_STEP = 10;
const WARN_SECONDS = RING_STEP;

let accounts = [];
// id -> { item, account, code, next, arc, left, validUntil, period, current, latest }: validUntil
// and current are what the row shows; latest is a code read but not shown yet (see showCodes).
const rows = new Map();
let refreshTimer = null;
let query = "";

// Only the rows in view (and a margin, so scrolling shows no old code) move and show new codes:
// with 200 accounts, writing codes into the rows nobody sees cost the web process style and
// layout work every period.
const inView = new Set();
const viewport = new IntersectionObserver((entries) => {
  for (const entry of entries) {
    const id = entry.target.dataset.id;
    if (entry.isIntersecting) {
      inView.add(id);
      const row = rows.get(id);
      if (row) showLatest(row);
    } else {
      inView.delete(id);
    }
  }
  tick();
}, { rootMargin: "200px 0px" });

export const currentAccounts = () => accounts;
export const rowFor = (id) => rows.get(id);

function groupDigits(code) {
  if (code.length === 6) return `${code.slice(0, 3)} ${code.slice(3)}`;
  if (code.length === 8) return `${code.slice(0, 4)} ${code.slice(4)}`;
  if (code.length === 7) return `${code.slice(0, 3)} ${code.slice(3)}`;
  return code;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function ringSvg() {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 36 36");
  svg.setAttribute("class", "ring");
  svg.setAttribute("aria-hidden", "true");
  const track = document.createElementNS(ns, "circle");
  track.setAttribute("class", "ring-track");
  const arc = document.createElementNS(ns, "circle");
  arc.setAttribute("class", "ring-arc");
  for (const c of [track, arc]) {
    c.setAttribute("cx", "18");
    c.setAttribute("cy", "18");
    c.setAttribute("r", "15");
  }
  arc.setAttribute("stroke-dasharray", RING.toFixed(2));
  svg.append(track, arc);
  return { svg, arc };
}

function buildRow(account) {
  const item = element("li", "account");
  item.dataset.id = account.id;
  item.id = `account-${account.id}`;
  // An option of the listbox: the selected one is the list's single Tab stop (roving focus).
  item.setAttribute("role", "option");
  item.tabIndex = -1;
  item.setAttribute("aria-selected", "false");

  const avatar = avatarFor(account);

  const label = element("div", "label");
  label.append(
    element("span", "issuer", account.issuer || account.name),
    element("span", "name", account.issuer ? account.name : ""),
  );
  // The whole name on hover, when the row has to cut it.
  label.dataset.tipWhenCut = [account.issuer, account.name].filter(Boolean).join(" — ");

  const codeBox = element("button", "code-box");
  codeBox.type = "button";
  // A placeholder of the code's shape until the code arrives (or when the keyring is out of
  // reach), so nothing shifts when it does.
  const code = element("span", "code", account.kind === "hotp" ? "••• •••" : "––– –––");
  const next = element("span", "next", "");
  codeBox.append(code, next);
  codeBox.title = account.kind === "hotp" ? "Generate and copy the next code" : "Copy code (Enter)";
  codeBox.setAttribute("aria-label", `Copy code for ${account.issuer || ""} ${account.name}`.trim());
  // The row is the keyboard's target (Enter copies): its buttons are for the pointer, and an
  // option's content is not navigable by a screen reader anyway.
  codeBox.tabIndex = -1;
  codeBox.addEventListener("click", () => copy(account.id));

  const timer = element("span", "timer");
  // What the ring and the seconds say is in the row's name (see describe). Hidden from the
  // accessibility tree, the countdown's ticks are no accessibility events: those cost the
  // window's process (WebKitGTK's AT-SPI side) far more than the repaint — with 200 accounts
  // and a row focused, 4.3 % of a core against 0.2 % hidden (debug build, Xvfb).
  timer.setAttribute("aria-hidden", "true");
  const left = element("span", "left");
  let arc = null;
  if (account.kind !== "hotp") {
    const ring = ringSvg();
    arc = ring.arc;
    timer.append(ring.svg, left);
  } else {
    timer.append(element("span", "hotp-tag", "HOTP"));
  }

  const actions = element("div", "row-actions");
  for (const [action, text, title] of [
    ["up", "↑", "Move up (Alt+↑)"],
    ["down", "↓", "Move down (Alt+↓)"],
    ["edit", "✎", "Edit issuer and name"],
    ["remove", "✕", "Remove (Delete)"],
  ]) {
    const button = element("button", `action action-${action}`, text);
    button.type = "button";
    button.dataset.action = action;
    button.title = title;
    button.setAttribute("aria-label", `${title.replace(/ \(.*\)/, "")}: ${account.issuer} ${account.name}`);
    button.tabIndex = -1;
    actions.append(button);
  }

  item.append(avatar, label, codeBox, timer, actions);
  item.addEventListener("click", (event) => {
    if (!event.target.closest("button")) select(account.id);
  });
  const row = { item, account, code, next, arc, left, validUntil: 0, period: account.period, current: "" };
  rows.set(account.id, row);
  describe(row);
  viewport.observe(item);
  return item;
}

// The name a screen reader speaks for a row: who, the current code and the seconds left. Set
// when the code changes and when the row is selected, not every second: a live countdown in
// the name would be re-read on every tick.
function describe(row) {
  const { account } = row;
  const who = [account.issuer, account.name].filter(Boolean).join(", ");
  let what;
  if (account.kind === "hotp") {
    what = "counter-based, Enter makes and copies a code";
  } else if (row.latest) {
    // Out of view, a row's name has its new code before its text does (see showCodes).
    what = spokenCode(groupDigits(row.latest.code), row.latest.valid_until);
  } else if (!row.current) {
    what = "code not read yet";
  } else {
    what = spokenCode(row.current, row.validUntil);
  }
  const name = `${who}, ${what}`;
  if (row.item.getAttribute("aria-label") !== name) row.item.setAttribute("aria-label", name);
}

function spokenCode(code, validUntil) {
  const seconds = Math.max(0, Math.ceil(validUntil - Date.now() / 1000));
  return `code ${code}, ${seconds} seconds left`;
}

export async function reload() {
  try {
    accounts = await listAccounts();
    const selected = selectedId();
    // Keep the rows of unchanged accounts (their codes stay on screen); rebuild the others.
    const rowOf = (a) => {
      const existing = rows.get(a.id);
      return existing && sameAccount(existing.account, a) ? existing.item : buildRow(a);
    };
    list.replaceChildren(...accounts.map(rowOf));
    for (const [id, row] of [...rows]) {
      if (!accounts.some((a) => a.id === id)) {
        viewport.unobserve(row.item);
        inView.delete(id);
        rows.delete(id);
      }
    }
    empty.hidden = accounts.length > 0;
    applySearch(query);
    if (selected && rows.has(selected)) select(selected);
    clearError();
  } catch (error) {
    showError(error, reload);
    return;
  }
  // Shows its own error (a locked keyring, say) over the list it could not fill.
  await refreshCodes();
}

function sameAccount(a, b) {
  return a.issuer === b.issuer && a.name === b.name && a.kind === b.kind;
}

// Rows a window shows without scrolling: their codes are fetched first on a cold start.
const FIRST_ROWS = 16;

// Writes each code into its row if the row is in view or selected, else only into its name
// (every row's name says its current code) and into the row when it comes into view.
function showCodes(codes) {
  let soonest = Infinity;
  const selected = selectedId();
  for (const entry of codes) {
    const row = rows.get(entry.id);
    if (!row) continue;
    row.latest = entry;
    if (inView.has(entry.id) || entry.id === selected) showLatest(row);
    else describe(row);
    soonest = Math.min(soonest, entry.valid_until);
  }
  tick();
  return soonest;
}

function showLatest(row) {
  const entry = row.latest;
  if (!entry) return;
  row.latest = null;
  const text = groupDigits(entry.code);
  if (row.code.textContent !== text) row.code.textContent = text;
  const next = `next ${groupDigits(entry.next_code)}`;
  if (row.next.textContent !== next) row.next.textContent = next;
  row.next.classList.remove("copied");
  row.validUntil = entry.valid_until;
  row.period = entry.period;
  if (row.current !== text) {
    row.current = text;
    describe(row);
  }
}

export async function refreshCodes() {
  clearTimeout(refreshTimer);
  if (!accounts.some((a) => a.kind !== "hotp")) return;
  try {
    // Each secret not read yet costs a keyring call: with a long list, show the first rows'
    // codes before reading the rest.
    const cold = accounts.filter((a) => {
      const row = rows.get(a.id);
      return a.kind !== "hotp" && !row?.validUntil && !row?.latest;
    });
    if (cold.length > FIRST_ROWS) {
      showCodes(await currentCodes(accounts.slice(0, FIRST_ROWS).map((a) => a.id)));
    }
    const soonest = showCodes(await currentCodes());
    clearError();
    if (Number.isFinite(soonest)) {
      refreshTimer = setTimeout(refreshCodes, Math.max(200, soonest * 1000 - Date.now() + 30));
    }
  } catch (error) {
    showError(error, reload);
  }
}

// The rings in view, and the selected row's seconds and warning colour; only what changed.
export function tick() {
  const now = Date.now() / 1000;
  const selected = selectedId();
  for (const id of new Set([...inView, selected])) {
    const row = rows.get(id);
    if (!row || !row.arc || !row.validUntil) continue;
    const seconds = Math.ceil(row.validUntil - now);
    // The code ran out and its successor is on its way (refreshCodes, a few ms later): the ring
    // turns then, with the code, in the same frame.
    if (seconds <= 0) continue;
    // Everything moves in steps of RING_STEP seconds, together: each change of the screen is a
    // repaint of the window, so rings, the selected row's seconds and its warning colour all
    // change on the same few ticks of a period (the code's own change is one more).
    const shown = Math.min(row.period, Math.ceil(seconds / RING_STEP) * RING_STEP);
    const offset = (RING * (1 - shown / row.period)).toFixed(2);
    if (row.arc.getAttribute("stroke-dashoffset") !== offset) {
      row.arc.setAttribute("stroke-dashoffset", offset);
    }
    const count = id === selected && shown > 0 ? String(shown) : "";
    if (row.left.textContent !== count) {
      row.left.textContent = count;
      row.item.classList.toggle("expiring", id === selected && shown <= WARN_SECONDS);
    }
  }
}

// On every whole second (a few ms after, so the ceilings above have turned), never between:
// codes roll over on whole seconds, and changes made apart would each cost a frame.
export function startTicking() {
  const wait = 1000 - (Date.now() % 1000) + 5;
  setTimeout(() => {
    tick();
    startTicking();
  }, wait);
}

export function applySearch(text) {
  query = text.trim();
  // Best match first: the rows found, in rank order, then the others (hidden) in list order.
  const found = search(accounts, query);
  const shown = new Set(found.map((a) => a.id));
  const order = [...found, ...accounts.filter((a) => !shown.has(a.id))];
  const inPlace = order.every((a, i) => list.children[i] === rows.get(a.id).item);
  for (const a of order) {
    const row = rows.get(a.id);
    row.item.hidden = !shown.has(a.id);
    if (!inPlace) list.append(row.item);
  }
  noMatch.hidden = !(accounts.length > 0 && shown.size === 0);
  const current = selectedId();
  if (!current || rows.get(current).item.hidden) {
    const first = visibleIds()[0];
    if (first) select(first);
  }
}

export function visibleIds() {
  return [...list.children].filter((item) => !item.hidden).map((item) => item.dataset.id);
}

export function selectedId() {
  const item = list.querySelector('[aria-selected="true"]');
  return item ? item.dataset.id : null;
}

// Selection and keyboard focus are one: the selected row is the list's Tab stop, and it takes
// the focus whenever the focus is already in the list (or `focus` asks for it).
export function select(id, { focus = false } = {}) {
  const row = rows.get(id);
  if (!row) return;
  const focusInList = list.contains(document.activeElement);
  for (const other of rows.values()) {
    if (other === row) continue;
    other.item.setAttribute("aria-selected", "false");
    other.item.tabIndex = -1;
  }
  row.item.setAttribute("aria-selected", "true");
  row.item.tabIndex = 0;
  showLatest(row);
  describe(row);
  tick();
  if ((focus || focusInList) && document.activeElement !== row.item) {
    row.item.focus({ preventScroll: true });
  }
  row.item.scrollIntoView({ block: "nearest" });
}

// The arrows move the selection, and with it the focus, into the list (from the search too).
export function moveSelection(step) {
  const ids = visibleIds();
  if (ids.length === 0) return;
  const index = ids.indexOf(selectedId());
  const target = index < 0 ? 0 : Math.min(ids.length - 1, Math.max(0, index + step));
  select(ids[target], { focus: true });
}

export async function copy(id) {
  const row = rows.get(id);
  if (!row) return;
  select(id);
  try {
    // The toast names the account, so a copy made by keyboard is confirmed for the right one.
    const who = row.account.issuer || row.account.name;
    if (row.account.kind === "hotp") {
      const copied = await nextHotp(id);
      row.code.textContent = groupDigits(copied.code);
      showToast(`Copied a new ${who} code · clears in ${copied.clear_after} s`);
    } else {
      const copied = await copyCode(id);
      // The code on the clipboard is the next one: say so where the user is looking.
      row.next.classList.toggle("copied", copied.is_next);
      showToast(copied.is_next
        ? `Copied ${who}'s next code (the current one was about to expire) · clears in ${copied.clear_after} s`
        : `Copied ${who} · clears in ${copied.clear_after} s`);
    }
  } catch (error) {
    showError(error);
  }
}
