// Fuzzy matching for the search box: every typed character must appear in order; contiguous
// runs and word starts score higher. Returns null when the text does not match.
export function fuzzyScore(query, text) {
  const q = query.toLowerCase().replace(/\s+/g, "");
  const t = text.toLowerCase();
  if (!q) return 0;
  let score = 0;
  let position = -1;
  let previous = -2;
  for (const ch of q) {
    const found = t.indexOf(ch, position + 1);
    if (found < 0) return null;
    if (found === previous + 1) score += 3;
    if (found === 0 || /[\s:._@-]/.test(t[found - 1])) score += 2;
    score += 1;
    previous = found;
    position = found;
  }
  return score;
}
