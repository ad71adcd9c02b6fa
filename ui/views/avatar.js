// The picture at the head of a row: the service's brand icon when its issuer names a known one
// (ui/brands.js, from simple-icons), else its initials on a tile of a colour stable per issuer.
import { BRANDS } from "../brands.js";

// Issuers are written "GitHub", "github.com", "accounts.google.com", "Google Cloud": compared
// as lower-case letters and digits (as scripts/brand-icons/generate.mjs writes the keys).
const key = (text) => text.normalize("NFKD").toLowerCase().replace(/[^a-z0-9]/g, "");

const byKey = new Map();
for (const brand of BRANDS) {
  for (const name of brand.keys) if (!byKey.has(name)) byKey.set(name, brand);
}

// The brand an issuer names: the whole issuer, or for a domain (an address, even a URL) the
// domain and each shorter one it ends with ("accounts.google.com", "google.com"), then its
// registered name ("google"). Only the issuer counts: a name like "alice@gmail.com" says where
// the user's mail is, not which service the account is for.
export function brandFor(issuer) {
  const text = (issuer || "").trim().toLowerCase();
  if (!text) return null;
  const whole = byKey.get(key(text));
  if (whole) return whole;
  const host = text.replace(/^[a-z]+:\/\//, "").split(/[/:?#]/)[0];
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host)) return null;
  const labels = host.split(".");
  for (let i = 0; i < labels.length - 1; i += 1) {
    const found = byKey.get(key(labels.slice(i).join(".")));
    if (found) return found;
  }
  return byKey.get(key(labels[labels.length - 2])) || null;
}

function initials(account) {
  const source = (account.issuer || account.name || "?").trim();
  const words = source.split(/[\s._@-]+/).filter(Boolean);
  const letters = words.length > 1 ? words[0][0] + words[1][0] : source[0];
  return letters.toUpperCase();
}

// A stable hue per issuer, so a service keeps its colour across launches and machines.
function hue(text) {
  let hash = 0;
  for (const ch of text.toLowerCase()) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  return hash % 360;
}

// WCAG's relative luminance of a #rrggbb colour.
export function luminance(hex) {
  const [r, g, b] = [0, 2, 4].map((at) => {
    const c = parseInt(hex.slice(at, at + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

// White or black, whichever stands out more on the brand's colour: one of the two is always
// above 4.5:1, so a yellow brand gets a black mark and a dark one a white mark.
export function markOn(hex) {
  const l = luminance(hex);
  return (1.05) / (l + 0.05) >= (l + 0.05) / 0.05 ? "#ffffff" : "#000000";
}

export function avatarFor(account) {
  const avatar = document.createElement("span");
  avatar.className = "avatar";
  avatar.setAttribute("aria-hidden", "true");
  const brand = brandFor(account.issuer);
  if (!brand) {
    avatar.textContent = initials(account);
    avatar.style.setProperty("--hue", hue(account.issuer || account.name));
    return avatar;
  }
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", brand.path);
  svg.append(path);
  avatar.classList.add("brand");
  avatar.dataset.brand = brand.title;
  avatar.style.background = `#${brand.hex}`;
  avatar.style.color = markOn(brand.hex);
  avatar.append(svg);
  return avatar;
}
