// The window's brand matching (ui/views/avatar.js) over the generated icon set (ui/brands.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { brandFor, markOn, luminance } from "../ui/views/avatar.js";
import { BRANDS } from "../ui/brands.js";

const title = (issuer) => brandFor(issuer)?.title ?? null;

test("an issuer names its brand however it is written", () => {
  for (const issuer of ["GitHub", "github", "GITHUB", "github.com", "https://github.com/login", "GitHub.com"]) {
    assert.equal(title(issuer), "GitHub", issuer);
  }
  assert.equal(title("accounts.google.com"), "Google");
  assert.equal(title("Google Cloud"), "Google Cloud");
  assert.equal(title("store.steampowered.com"), "Steam");
  assert.equal(title("Twitter"), "X");
  assert.equal(title("id.atlassian.com"), "Atlassian");
  assert.equal(title("mail.protonmail.com"), "Proton Mail");
  // A domain of a brand listed only by name: its registered name.
  assert.equal(title("login.discord.gg"), "Discord");
});

test("an issuer that names no known brand gets none", () => {
  for (const issuer of ["", "   ", "Zyxcorp", "ACME Intranet", "alice@gmail.com", "git hub inc", "example.com", "hub"]) {
    assert.equal(title(issuer), null, issuer);
  }
});

const contrast = (a, b) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
};

test("every brand's mark stands out from its tile (WCAG 4.5:1)", () => {
  assert.ok(BRANDS.length > 150);
  for (const brand of BRANDS) {
    const mark = markOn(brand.hex).slice(1);
    assert.ok(contrast(mark, brand.hex) >= 4.5, `${brand.title}: #${mark} on #${brand.hex}`);
    assert.match(brand.path, /^[Mm][-0-9.,\sMmLlHhVvCcSsQqTtAaZz]+$/, brand.title);
  }
});
