// The window's search (ui/views/search.js) against the table sesame_core::search passes too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { search, label } from "../ui/views/search.js";

const cases = JSON.parse(readFileSync(new URL("./search_cases.json", import.meta.url), "utf8"));

test("the table is the contract: keep it full", () => {
  assert.ok(cases.length >= 10);
});

for (const { accounts, term, finds } of cases) {
  test(`${JSON.stringify(term)} in ${accounts.join(", ")}`, () => {
    const all = accounts.map((text, i) => {
      const at = text.indexOf(":");
      const [issuer, name] = at < 0 ? [text, ""] : [text.slice(0, at), text.slice(at + 1)];
      return { id: `${i}`.padStart(32, "0"), issuer, name };
    });
    const found = search(all, term).map((a) => label(a.issuer, a.name));
    assert.deepEqual(found, finds);
  });
}

test("an id prefix of 4+ hex digits finds its account", () => {
  const all = [
    { id: "3f2a9c0e11112222333344445555aaaa", issuer: "Bank", name: "alice" },
    { id: "77aa00001111222233334444555566bb", issuer: "Mail", name: "bob" },
  ];
  assert.deepEqual(search(all, "3F2A").map((a) => a.name), ["alice"]);
  assert.deepEqual(search(all, all[1].id).map((a) => a.name), ["bob"]);
});
