/** Shared test helpers for tests/cni: error-code assertions and a seeded PRNG. */
import * as assert from "uvu/assert";
import { errorCode } from "../../runtime/errors.ts";

/** Asserts `fn` throws an error carrying `code` (and, when given, a message containing `text`). */
export function throwsCode(fn: () => unknown, code: string, text?: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  assert.ok(thrown !== undefined, `expected ${code}, nothing was thrown`);
  assert.is(errorCode(thrown), code, `wrong code: ${(thrown as Error).message}`);
  if (text !== undefined) {
    const message = (thrown as Error).message;
    assert.ok(message.includes(text), `message ${JSON.stringify(message)} lacks ${JSON.stringify(text)}`);
  }
}

/** mulberry32: a tiny seeded PRNG so randomized tests replay exactly. */
export function prng(seed: number): { next(): number; int(n: number): number } {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n) };
}
