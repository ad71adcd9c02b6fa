// The account list: names from the index, codes refreshed once per period, countdown locally.
import { listAccounts, currentCodes } from "../api.js";

const list = document.getElementById("accounts");
const empty = document.getElementById("empty");
const banner = document.getElementById("banner");
const rows = new Map(); // id -> { code, left }
let nextRefresh = null;

function showError(error) {
  // Errors arrive as { kind, message }; the kind decides the treatment, the message is shown.
  banner.textContent = error && error.message ? error.message : String(error);
  banner.dataset.kind = (error && error.kind) || "other";
  banner.hidden = false;
}

function groupDigits(code) {
  if (code.length === 6) return `${code.slice(0, 3)} ${code.slice(3)}`;
  if (code.length === 8) return `${code.slice(0, 4)} ${code.slice(4)}`;
  return code;
}

function render(accounts) {
  list.replaceChildren();
  rows.clear();
  empty.hidden = accounts.length > 0;
  for (const account of accounts) {
    const item = document.createElement("li");
    item.className = "account";
    item.dataset.id = account.id;
    const label = document.createElement("div");
    label.className = "label";
    const issuer = document.createElement("span");
    issuer.className = "issuer";
    issuer.textContent = account.issuer || account.name;
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = account.issuer ? account.name : "";
    label.append(issuer, name);
    const code = document.createElement("span");
    code.className = "code";
    code.textContent = account.kind === "hotp" ? "HOTP" : "··· ···";
    const left = document.createElement("span");
    left.className = "left";
    item.append(label, code, left);
    list.append(item);
    rows.set(account.id, { code, left });
  }
}

async function refreshCodes() {
  try {
    const codes = await currentCodes();
    let soonest = Infinity;
    for (const entry of codes) {
      const row = rows.get(entry.id);
      if (!row || entry.code === null) continue;
      row.code.textContent = groupDigits(entry.code);
      row.validUntil = entry.valid_until;
      soonest = Math.min(soonest, entry.valid_until);
    }
    banner.hidden = true;
    if (Number.isFinite(soonest)) {
      clearTimeout(nextRefresh);
      const wait = Math.max(250, soonest * 1000 - Date.now() + 50);
      nextRefresh = setTimeout(refreshCodes, wait);
    }
    tick();
  } catch (error) {
    showError(error);
  }
}

function tick() {
  const now = Date.now() / 1000;
  for (const row of rows.values()) {
    if (!row.validUntil) continue;
    const seconds = Math.max(0, Math.ceil(row.validUntil - now));
    row.left.textContent = `${seconds}s`;
    row.left.classList.toggle("expiring", seconds <= 5);
  }
}

async function start() {
  try {
    render(await listAccounts());
    await refreshCodes();
  } catch (error) {
    showError(error);
  }
  setInterval(tick, 1000);
}

start();
