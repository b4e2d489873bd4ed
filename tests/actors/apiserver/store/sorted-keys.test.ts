import { test } from "uvu";
import * as assert from "uvu/assert";
import { SortedKeys } from "../../../../actors/apiserver/store/sorted-keys.ts";

/** A seeded generator, so a failure reproduces. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

function scanAll(index: SortedKeys<{ key: string }>, from: string, max = Infinity): string[] {
  const out: string[] = [];
  index.scan(from, (r) => (out.push(r.key), out.length < max));
  return out;
}

test("random inserts and removals match a sorted reference, across chunk splits", () => {
  for (const maxChunk of [4, 16, 512]) {
    const random = rng(maxChunk);
    const index = new SortedKeys<{ key: string }>(maxChunk);
    const reference = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const key = `/k/${Math.floor(random() * 800)}`;
      if (random() < 0.6) {
        index.insert({ key });
        reference.add(key);
      } else {
        assert.is(index.remove(key), reference.delete(key));
      }
      if (i % 250 === 0) {
        const sorted = [...reference].sort();
        assert.is(index.size, reference.size);
        assert.equal(scanAll(index, ""), sorted);
        const from = `/k/${Math.floor(random() * 800)}`;
        assert.equal(scanAll(index, from), sorted.filter((k) => k >= from), `scan from ${from}`);
      }
    }
  }
});

test("insert of a present key replaces the record without growing", () => {
  const index = new SortedKeys<{ key: string; n: number }>(4);
  index.insert({ key: "b", n: 1 });
  index.insert({ key: "a", n: 1 });
  index.insert({ key: "b", n: 2 });
  const seen: string[] = [];
  index.scan("", (r) => (seen.push(`${r.key}${r.n}`), true));
  assert.equal(seen, ["a1", "b2"]);
  assert.is(index.size, 2);
});

test("scan stops when the visitor says so and handles keys past the end", () => {
  const index = new SortedKeys<{ key: string }>(4);
  for (const key of ["a", "b", "c", "d", "e", "f"]) index.insert({ key });
  assert.equal(scanAll(index, "b", 2), ["b", "c"]);
  assert.equal(scanAll(index, "zz"), []);
  assert.equal(scanAll(index, "c0"), ["d", "e", "f"]);
  assert.is(index.remove("zz"), false);
  assert.is(new SortedKeys().remove("a"), false);
});

test.run();
