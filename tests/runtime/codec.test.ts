import { test } from "uvu";
import * as assert from "uvu/assert";
import { decode, encode, registerClass } from "../../runtime/codec.ts";
import { ActorError } from "../../runtime/errors.ts";

class Quantity {
  value: number;
  unit: string;
  constructor(value = 0, unit = "") {
    this.value = value;
    this.unit = unit;
  }
  toString() {
    return `${this.value}${this.unit}`;
  }
}
registerClass(Quantity, "Quantity");

test("rich values survive encode/decode", () => {
  const v = { when: new Date(0), m: new Map([["a", 1n]]), s: new Set([1, 2]), q: new Quantity(5, "Mi") };
  const back = decode<typeof v>(encode(v));
  assert.ok(back.when instanceof Date);
  assert.is(back.m.get("a"), 1n);
  assert.ok(back.s.has(2));
  assert.ok(back.q instanceof Quantity);
  assert.is(back.q.toString(), "5Mi");
});

test("an ActorError keeps class, code and details", () => {
  const back = decode<ActorError>(encode(new ActorError("Conflict", "stale", { details: { code: 409 } })));
  assert.ok(back instanceof ActorError);
  assert.is(back.code, "Conflict");
  assert.equal(back.details, { code: 409 });
});

test.run();
