import { test } from "uvu";
import * as assert from "uvu/assert";
import { Bitmap, type BitmapSnapshot, MAX_BITMAP_SIZE } from "../../cni/bitmap.ts";
import { prng, throwsCode } from "./helpers.ts";

function allocateAll(b: Bitmap): number[] {
  const out: number[] = [];
  for (let r = b.allocate(); r.ok; r = b.allocate()) out.push(r.index);
  return out;
}

const sizes = [0, 1, 2, 31, 32, 33, 63, 64, 65, 100, 1000, 4096];

for (const size of sizes) {
  test(`size ${size}: hands out 0..${size - 1} in order, then reports exhaustion`, () => {
    const b = new Bitmap(size);
    const got = allocateAll(b);
    assert.equal(got, Array.from({ length: size }, (_, i) => i));
    assert.is(b.used, size);
    assert.is(b.free, 0);
    assert.equal(b.allocate(), { ok: false, reason: "exhausted" });
    assert.equal([...b], got);
  });
}

test("a released value is reused only after the cursor wraps", () => {
  const b = new Bitmap(8);
  assert.equal([b.allocate(), b.allocate(), b.allocate()].map((r) => r.ok && r.index), [0, 1, 2]);
  assert.ok(b.release(1));
  assert.equal(allocateAll(b), [3, 4, 5, 6, 7, 1]);
  assert.is(b.cursor, 2);
});

test("the cursor wraps to 0 after the last index and skips full words", () => {
  const b = new Bitmap(100);
  for (let i = 0; i < 99; i++) b.allocateSpecific(i);
  const r = b.allocate();
  assert.equal(r, { ok: true, index: 99 });
  assert.is(b.cursor, 0);
  b.release(5);
  b.release(70);
  assert.equal(b.allocate(), { ok: true, index: 5 });
  assert.equal(b.allocate(), { ok: true, index: 70 });
  assert.equal(b.allocate(), { ok: false, reason: "exhausted" });
});

test("a full bitmap with one hole finds exactly that hole, wherever the cursor is", () => {
  for (const hole of [0, 31, 32, 500, 999]) {
    for (const cursorAt of [0, 1, 400, 998, 999]) {
      const b = new Bitmap(1000);
      for (let i = 0; i < 1000; i++) b.allocateSpecific(i);
      b.release(cursorAt);
      b.allocate(); // moves the cursor just past `cursorAt`
      b.release(hole);
      assert.equal(b.allocate(), { ok: true, index: hole }, `hole ${hole}, cursor ${cursorAt}`);
    }
  }
});

test("allocateSpecific: taken and out of range are typed failures; the cursor stays put", () => {
  const b = new Bitmap(40);
  assert.equal(b.allocateSpecific(33), { ok: true, index: 33 });
  assert.equal(b.allocateSpecific(33), { ok: false, reason: "taken" });
  for (const i of [-1, 40, 1.5, NaN, Infinity]) assert.equal(b.allocateSpecific(i), { ok: false, reason: "outOfRange" });
  assert.is(b.cursor, 0);
  assert.equal(b.allocate(), { ok: true, index: 0 });
  assert.is(b.used, 2);
});

test("release and has are total: false for free or out-of-range values", () => {
  const b = new Bitmap(10);
  assert.not.ok(b.release(3));
  assert.not.ok(b.release(-1));
  assert.not.ok(b.release(10));
  assert.not.ok(b.has(10));
  assert.not.ok(b.has(-1));
  b.allocateSpecific(3);
  assert.ok(b.has(3));
  assert.ok(b.release(3));
  assert.not.ok(b.release(3));
  assert.is(b.used, 0);
});

test("iteration yields set values ascending across word boundaries", () => {
  const b = new Bitmap(200);
  const want = [0, 1, 30, 31, 32, 63, 64, 95, 96, 127, 128, 199];
  for (const i of [...want].reverse()) b.allocateSpecific(i);
  assert.equal([...b], want);
});

test("sizes are bounded: 0..MAX_BITMAP_SIZE", () => {
  for (const bad of [-1, 1.5, MAX_BITMAP_SIZE + 1, NaN]) assert.throws(() => new Bitmap(bad), RangeError);
  const big = new Bitmap(MAX_BITMAP_SIZE);
  assert.equal(big.allocateSpecific(MAX_BITMAP_SIZE - 1), { ok: true, index: MAX_BITMAP_SIZE - 1 });
  assert.equal(big.allocate(), { ok: true, index: 0 });
  assert.is(big.free, MAX_BITMAP_SIZE - 2);
});

test("a million-value bitmap fills, reports exhaustion, then refills one hole", () => {
  const b = new Bitmap(2 ** 20);
  assert.is(allocateAll(b).length, 2 ** 20);
  assert.equal(b.allocate(), { ok: false, reason: "exhausted" });
  b.release(123_456);
  assert.equal(b.allocate(), { ok: true, index: 123_456 });
});

test("snapshot/restore round trip keeps bits, count and cursor, through JSON", () => {
  const rand = prng(7);
  for (const size of [0, 1, 32, 33, 1000, 70_000]) {
    const b = new Bitmap(size);
    for (let i = 0; i < size; i++) if (rand.next() < 0.4) b.allocateSpecific(i);
    if (size > 0) b.allocate();
    const snap: BitmapSnapshot = JSON.parse(JSON.stringify(b.snapshot()));
    const back = Bitmap.restore(structuredClone(snap));
    assert.is(back.size, size);
    assert.is(back.used, b.used);
    assert.is(back.cursor, b.cursor);
    assert.equal([...back], [...b]);
    // Both continue identically.
    for (let k = 0; k < 50; k++) assert.equal(back.allocate(), b.allocate());
  }
});

test("restore rejects inconsistent snapshots with InvalidSnapshot", () => {
  const good = new Bitmap(40).snapshot();
  const full = new Bitmap(32);
  for (let i = 0; i < 32; i++) full.allocate();
  const bad: unknown[] = [
    null,
    "x",
    { ...good, size: -1 },
    { ...good, size: MAX_BITMAP_SIZE + 1 },
    { ...good, size: 1.5 },
    { ...good, cursor: 40 },
    { ...good, cursor: -1 },
    { ...good, bits: 7 },
    { ...good, bits: "!!!not base64!!!" },
    { ...good, bits: btoa("abc") },
    { ...good, size: 33, bits: full.snapshot().bits.slice(0, 0) },
    { size: 20, cursor: 0, bits: full.snapshot().bits }, // bits 20..31 set past the size
  ];
  for (const snap of bad) throwsCode(() => Bitmap.restore(snap as BitmapSnapshot), "InvalidSnapshot");
  assert.is(Bitmap.restore({ size: 32, cursor: 0, bits: full.snapshot().bits }).used, 32);
});

/** The allocation policy written the slow, obvious way. */
class NextFitModel {
  set = new Set<number>();
  cursor = 0;
  size: number;
  constructor(size: number) {
    this.size = size;
  }
  allocate(): number {
    for (let k = 0; k < this.size; k++) {
      const i = (this.cursor + k) % this.size;
      if (!this.set.has(i)) {
        this.set.add(i);
        this.cursor = (i + 1) % this.size;
        return i;
      }
    }
    return -1;
  }
}

test("randomized: matches the obvious next-fit model, across snapshots", () => {
  const rand = prng(2024);
  for (const size of [1, 31, 64, 97, 300]) {
    let b = new Bitmap(size);
    const model = new NextFitModel(size);
    for (let step = 0; step < 5000; step++) {
      const roll = rand.next();
      if (roll < 0.5) {
        const r = b.allocate();
        const want = model.allocate();
        assert.equal(r, want < 0 ? { ok: false, reason: "exhausted" } : { ok: true, index: want });
      } else if (roll < 0.6) {
        const i = rand.int(size + 2) - 1;
        const r = b.allocateSpecific(i);
        if (i < 0 || i >= size) assert.equal(r, { ok: false, reason: "outOfRange" });
        else if (model.set.has(i)) assert.equal(r, { ok: false, reason: "taken" });
        else {
          assert.ok(r.ok);
          model.set.add(i);
        }
      } else if (roll < 0.99) {
        const i = rand.int(size);
        assert.is(b.release(i), model.set.delete(i));
      } else {
        b = Bitmap.restore(b.snapshot());
      }
      assert.is(b.used, model.set.size);
      assert.is(b.used + b.free, size);
    }
    assert.equal([...b], [...model.set].sort((x, y) => x - y));
  }
});

test.run();
