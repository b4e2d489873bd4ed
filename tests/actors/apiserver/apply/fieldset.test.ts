import { test } from "uvu";
import * as assert from "uvu/assert";
import { FieldSet } from "../../../../actors/apiserver/apply/fieldset.ts";

// A small deterministic generator, so a failure reproduces.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

const ELEMENTS = ["f:metadata", "f:labels", "f:spec", "k:{\"name\":\"a\"}", "f:image", "v:\"x\"", "i:0"];

function randomPaths(next: () => number, n: number): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < n; i++) {
    const len = 1 + Math.floor(next() * 4);
    out.push(Array.from({ length: len }, () => ELEMENTS[Math.floor(next() * ELEMENTS.length)]));
  }
  return out;
}

const setOf = (paths: string[][]) => {
  const s = new FieldSet();
  for (const p of paths) s.insert(p);
  return s;
};
const keys = (s: FieldSet) => new Set([...s.paths()].map((p) => JSON.stringify(p)));
const sorted = (s: Set<string>) => [...s].sort();

test("union, difference and intersection hold exactly the expected member paths", () => {
  const next = rng(7);
  for (let round = 0; round < 200; round++) {
    const a = setOf(randomPaths(next, 1 + Math.floor(next() * 12)));
    const b = setOf(randomPaths(next, 1 + Math.floor(next() * 12)));
    const ka = keys(a);
    const kb = keys(b);
    assert.equal(sorted(keys(a.union(b))), sorted(new Set([...ka, ...kb])), `union ${round}`);
    assert.equal(sorted(keys(a.difference(b))), sorted(new Set([...ka].filter((k) => !kb.has(k)))), `difference ${round}`);
    assert.equal(sorted(keys(a.intersection(b))), sorted(new Set([...ka].filter((k) => kb.has(k)))), `intersection ${round}`);
    // Operands are left as they were.
    assert.equal(sorted(keys(a)), sorted(ka));
    assert.equal(sorted(keys(b)), sorted(kb));
    // fieldsV1 round-trips.
    assert.equal(sorted(keys(FieldSet.fromJSON(a.union(b).toJSON()))), sorted(new Set([...ka, ...kb])), `round trip ${round}`);
  }
});

test("results carry no empty branches: fieldsV1 of a set minus itself is {}", () => {
  const s = setOf([["f:spec", "f:containers", "k:{\"name\":\"a\"}", "f:image"], ["f:metadata", "f:labels", "f:app"]]);
  const none = s.difference(s);
  assert.ok(none.empty());
  assert.equal(none.toJSON(), {});
  assert.is(none.children.size, 0);
  assert.is(s.intersection(new FieldSet()).children.size, 0);
  assert.equal(new FieldSet().union(none).toJSON(), {});
});

test("fieldsV1 marks a member with children by '.', sorts keys and leaves out memberless branches", () => {
  const s = setOf([["f:spec"], ["f:spec", "f:b"], ["f:spec", "f:a"]]);
  s.child("f:empty").child("f:deeper");
  assert.equal(JSON.stringify(s.toJSON()), JSON.stringify({ "f:spec": { ".": {}, "f:a": {}, "f:b": {} } }));
});

test.run();
