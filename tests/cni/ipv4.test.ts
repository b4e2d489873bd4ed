import { test } from "uvu";
import * as assert from "uvu/assert";
import { formatIPv4, isIPv4, isUint32, MAX_IPV4, parseIPv4, tryParseIPv4 } from "../../cni/ipv4.ts";
import { throwsCode } from "./helpers.ts";

const valid: Array<[string, number]> = [
  ["0.0.0.0", 0],
  ["0.0.0.1", 1],
  ["1.2.3.4", 0x01020304],
  ["10.244.0.1", 0x0af40001],
  ["127.0.0.1", 0x7f000001],
  ["127.255.255.255", 0x7fffffff],
  ["128.0.0.0", 0x80000000],
  ["192.168.1.255", 0xc0a801ff],
  ["255.255.255.254", 0xfffffffe],
  ["255.255.255.255", MAX_IPV4],
  ["100.0.10.200", 0x64000ac8],
];

for (const [text, value] of valid) {
  test(`parses ${text}`, () => {
    assert.is(parseIPv4(text), value);
    assert.is(tryParseIPv4(text), value);
    assert.ok(isIPv4(text));
    assert.is(formatIPv4(value), text);
  });
}

const invalid = [
  "", "1", "1.2", "1.2.3", "1.2.3.4.5", "1..3.4", "1.2.3.", ".1.2.3", "...",
  "01.2.3.4", "1.02.3.4", "1.2.003.4", "1.2.3.00", "00.0.0.0",
  "256.1.1.1", "1.2.3.256", "999.0.0.0", "1000.1.1.1",
  " 1.2.3.4", "1.2.3.4 ", "1.2.3.4\n", "1 .2.3.4", "1.2.3.\t4",
  "+1.2.3.4", "-1.2.3.4", "0x1.2.3.4", "1e2.1.1.1", "1.2.3.4a", "a.b.c.d",
  "１.2.3.4", "1.2.3.4/24", "::1", "::ffff:1.2.3.4", "1,2,3,4",
];

test("rejects malformed, padded and out-of-range addresses with InvalidIP", () => {
  for (const text of invalid) {
    assert.is(tryParseIPv4(text), undefined, JSON.stringify(text));
    assert.not.ok(isIPv4(text), JSON.stringify(text));
    throwsCode(() => parseIPv4(text), "InvalidIP", JSON.stringify(text));
  }
});

test("rejects non-strings without throwing a TypeError", () => {
  assert.is(tryParseIPv4(undefined as unknown as string), undefined);
  throwsCode(() => parseIPv4(42 as unknown as string), "InvalidIP");
});

test("format and parse round-trip across the whole range", () => {
  for (let n = 0; n <= MAX_IPV4; n += 0x00fedcb9) assert.is(parseIPv4(formatIPv4(n)), n);
  assert.is(parseIPv4(formatIPv4(MAX_IPV4)), MAX_IPV4);
});

test("format rejects what is not a uint32", () => {
  for (const n of [-1, 2 ** 32, 1.5, NaN, Infinity]) {
    assert.not.ok(isUint32(n));
    throwsCode(() => formatIPv4(n), "InvalidIP");
  }
});

test.run();
