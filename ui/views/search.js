// The search box's rule: the same as sesame_core::search (crates/core/src/search.rs), so the
// window and `sesame code` find the same accounts for the same term. Both must pass the cases in
// tests/search_cases.json (tests/ui_search.test.mjs runs them here).
//
// On `issuer:name` and the id, case-insensitively: an exact label or id wins alone; otherwise
// the accounts holding the term as one piece, ranked (label prefix or 4+ hex digits of the id,
// then a word start, then anywhere); only if there are none, those holding its letters in order.

const PREFIX = 0;
const WORD_START = 1;
const ANYWHERE = 2;

export function label(issuer, name) {
  if (issuer && name) return `${issuer}:${name}`;
  return issuer || name;
}

const chars = (text) => Array.from(text);
const isAlphanumeric = (ch) => /[\p{L}\p{N}]/u.test(ch);
const startsAt = (haystack, needle, at) => needle.every((ch, k) => haystack[at + k] === ch);

function rank(labelChars, needle, byId) {
  if (byId || startsAt(labelChars, needle, 0)) return PREFIX;
  let best = null;
  for (let i = 1; i + needle.length <= labelChars.length; i += 1) {
    if (!startsAt(labelChars, needle, i)) continue;
    if (!isAlphanumeric(labelChars[i - 1])) return WORD_START;
    best = ANYWHERE;
  }
  return best;
}

function holdsInOrder(labelChars, letters) {
  let at = 0;
  for (const wanted of letters) {
    while (at < labelChars.length && labelChars[at] !== wanted) at += 1;
    if (at === labelChars.length) return false;
    at += 1;
  }
  return true;
}

// The accounts ({id, issuer, name}) `term` finds, best first (list order among equals).
export function search(accounts, term) {
  const needleText = term.trim().toLowerCase();
  const needle = chars(needleText);
  if (needle.length === 0) return accounts.slice();
  const labels = accounts.map((a) => chars(label(a.issuer, a.name).toLowerCase()));
  const exact = accounts.filter(
    (a, i) => a.id === needleText || labels[i].join("") === needleText,
  );
  if (exact.length > 0) return exact;
  const looksLikeId = needle.length >= 4 && /^[0-9a-f]+$/.test(needleText);
  const ranked = [];
  accounts.forEach((a, i) => {
    const byId = looksLikeId && typeof a.id === "string" && a.id.startsWith(needleText);
    const r = rank(labels[i], needle, byId);
    if (r !== null) ranked.push({ r, i });
  });
  if (ranked.length === 0) {
    const letters = needle.filter((ch) => !/\s/u.test(ch));
    return accounts.filter((_, i) => holdsInOrder(labels[i], letters));
  }
  ranked.sort((x, y) => x.r - y.r || x.i - y.i);
  return ranked.map(({ i }) => accounts[i]);
}
