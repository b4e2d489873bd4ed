import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  addressAt,
  broadcastAddress,
  cidrFrom,
  cidrSize,
  contains,
  containsCIDR,
  firstUsableHost,
  formatCIDR,
  lastUsableHost,
  networkAddress,
  offsetOf,
  overlaps,
  parseCIDR,
  parseCIDRLoose,
  prefixMask,
  subnet,
  subnetCount,
  usableHostCount,
} from "../../cni/cidr.ts";
import { formatIPv4, parseIPv4 } from "../../cni/ipv4.ts";
import { throwsCode } from "./helpers.ts";

const ip = parseIPv4;
const fmt = (text: string) => formatCIDR(parseCIDR(text));

// Hand-computed: size, broadcast, first and last usable host, usable count.
const shapes: Array<[cidr: string, size: number, broadcast: string, first: string, last: string, usable: number]> = [
  ["0.0.0.0/0", 2 ** 32, "255.255.255.255", "0.0.0.1", "255.255.255.254", 2 ** 32 - 2],
  ["10.0.0.0/8", 2 ** 24, "10.255.255.255", "10.0.0.1", "10.255.255.254", 2 ** 24 - 2],
  ["10.96.0.0/12", 2 ** 20, "10.111.255.255", "10.96.0.1", "10.111.255.254", 2 ** 20 - 2],
  ["10.244.0.0/16", 65536, "10.244.255.255", "10.244.0.1", "10.244.255.254", 65534],
  ["10.244.7.0/24", 256, "10.244.7.255", "10.244.7.1", "10.244.7.254", 254],
  ["192.168.0.4/30", 4, "192.168.0.7", "192.168.0.5", "192.168.0.6", 2],
  ["192.168.0.6/31", 2, "192.168.0.7", "192.168.0.6", "192.168.0.7", 2],
  ["192.168.0.7/32", 1, "192.168.0.7", "192.168.0.7", "192.168.0.7", 1],
  ["255.255.255.254/31", 2, "255.255.255.255", "255.255.255.254", "255.255.255.255", 2],
  ["255.255.255.255/32", 1, "255.255.255.255", "255.255.255.255", "255.255.255.255", 1],
  ["0.0.0.0/32", 1, "0.0.0.0", "0.0.0.0", "0.0.0.0", 1],
];

for (const [text, size, broadcast, first, last, usable] of shapes) {
  test(`${text}: size, broadcast and usable hosts (RFC 3021 for /31, /32)`, () => {
    const c = parseCIDR(text);
    assert.is(formatCIDR(c), text);
    assert.is(formatIPv4(networkAddress(c)), text.split("/")[0]);
    assert.is(cidrSize(c), size);
    assert.is(formatIPv4(broadcastAddress(c)), broadcast);
    assert.is(formatIPv4(firstUsableHost(c)), first);
    assert.is(formatIPv4(lastUsableHost(c)), last);
    assert.is(usableHostCount(c), usable);
    assert.ok(contains(c, c.network));
    assert.ok(contains(c, broadcastAddress(c)));
    if (c.network > 0) assert.not.ok(contains(c, c.network - 1));
    if (broadcastAddress(c) < 0xffffffff) assert.not.ok(contains(c, broadcastAddress(c) + 1));
  });
}

test("prefixMask for every prefix length, including /0 and /32", () => {
  assert.is(prefixMask(0), 0);
  assert.is(prefixMask(1), 0x80000000);
  assert.is(prefixMask(8), 0xff000000);
  assert.is(prefixMask(12), 0xfff00000);
  assert.is(prefixMask(24), 0xffffff00);
  assert.is(prefixMask(31), 0xfffffffe);
  assert.is(prefixMask(32), 0xffffffff);
  for (let p = 0; p <= 32; p++) {
    assert.is(prefixMask(p), 2 ** 32 - 2 ** (32 - p), `/${p}`);
    assert.ok(prefixMask(p) >= 0);
  }
  for (const p of [-1, 33, 1.5, NaN]) throwsCode(() => prefixMask(p), "InvalidPrefix");
});

test("strict parse rejects host bits and names the network meant", () => {
  throwsCode(() => parseCIDR("10.244.1.0/16"), "InvalidCIDR", "did you mean 10.244.0.0/16?");
  throwsCode(() => parseCIDR("192.168.0.5/31"), "InvalidCIDR", "did you mean 192.168.0.4/31?");
  throwsCode(() => parseCIDR("1.0.0.0/0"), "InvalidCIDR", "did you mean 0.0.0.0/0?");
});

const looseCases: Array<[string, string]> = [
  ["10.244.1.7/16", "10.244.0.0/16"],
  ["255.255.255.255/0", "0.0.0.0/0"],
  ["10.255.255.255/8", "10.0.0.0/8"],
  ["192.168.0.5/31", "192.168.0.4/31"],
  ["192.168.0.5/32", "192.168.0.5/32"],
  ["10.244.0.0/16", "10.244.0.0/16"],
];

test("loose parse masks host bits as Go's net.ParseCIDR does", () => {
  for (const [text, want] of looseCases) assert.is(formatCIDR(parseCIDRLoose(text)), want, text);
});

const malformed = [
  "", "10.244.0.0", "10.244.0.0/", "/16", "10.244.0.0/33", "10.244.0.0/-1", "10.244.0.0/08",
  "10.244.0.0/16/1", "10.244.0.0 /16", "10.244.0.0/ 16", "10.244.0.0/16 ", "010.244.0.0/16",
  "10.244.0.0/1.5", "10.244.0.0/+8", "10.244.0/16", "10.244.0.0/0x10", "::/0",
];

test("both parsers reject malformed text with InvalidCIDR", () => {
  for (const text of malformed) {
    throwsCode(() => parseCIDR(text), "InvalidCIDR", JSON.stringify(text));
    throwsCode(() => parseCIDRLoose(text), "InvalidCIDR", JSON.stringify(text));
  }
});

test("cidrFrom masks and validates", () => {
  assert.equal(cidrFrom(ip("10.244.3.9"), 24), { network: ip("10.244.3.0"), prefix: 24 });
  assert.equal(cidrFrom(ip("255.255.255.255"), 0), { network: 0, prefix: 0 });
  throwsCode(() => cidrFrom(-1, 8), "InvalidIP");
  throwsCode(() => cidrFrom(0, 33), "InvalidPrefix");
});

const relations: Array<[a: string, b: string, aHoldsB: boolean, bHoldsA: boolean, overlap: boolean]> = [
  ["10.0.0.0/8", "10.244.0.0/16", true, false, true],
  ["10.244.0.0/16", "10.244.0.0/16", true, true, true],
  ["10.244.0.0/24", "10.244.1.0/24", false, false, false],
  ["10.244.0.0/23", "10.244.1.0/24", true, false, true],
  ["0.0.0.0/0", "255.255.255.255/32", true, false, true],
  ["0.0.0.0/0", "0.0.0.0/0", true, true, true],
  ["10.96.0.0/12", "10.244.0.0/16", false, false, false],
  ["10.96.0.0/12", "10.111.255.255/32", true, false, true],
  ["10.96.0.0/12", "10.112.0.0/32", false, false, false],
  ["192.168.0.6/31", "192.168.0.7/32", true, false, true],
  ["192.168.0.6/32", "192.168.0.7/32", false, false, false],
];

test("containsCIDR and overlaps", () => {
  for (const [a, b, aHoldsB, bHoldsA, overlap] of relations) {
    const [x, y] = [parseCIDR(a), parseCIDR(b)];
    assert.is(containsCIDR(x, y), aHoldsB, `${a} ⊇ ${b}`);
    assert.is(containsCIDR(y, x), bHoldsA, `${b} ⊇ ${a}`);
    assert.is(overlaps(x, y), overlap, `${a} ∩ ${b}`);
    assert.is(overlaps(y, x), overlap, `${b} ∩ ${a}`);
  }
});

const subnets: Array<[cidr: string, prefix: number, index: number, want: string]> = [
  ["10.244.0.0/16", 24, 0, "10.244.0.0/24"],
  ["10.244.0.0/16", 24, 1, "10.244.1.0/24"],
  ["10.244.0.0/16", 24, 255, "10.244.255.0/24"],
  ["10.244.0.0/16", 16, 0, "10.244.0.0/16"],
  ["10.244.0.0/16", 32, 65535, "10.244.255.255/32"],
  ["10.244.0.0/16", 20, 15, "10.244.240.0/20"],
  ["10.0.0.0/8", 12, 6, "10.96.0.0/12"],
  ["0.0.0.0/0", 1, 1, "128.0.0.0/1"],
  ["0.0.0.0/0", 8, 10, "10.0.0.0/8"],
  ["0.0.0.0/0", 32, 2 ** 32 - 1, "255.255.255.255/32"],
  ["192.168.0.0/24", 26, 3, "192.168.0.192/26"],
  ["192.168.0.0/30", 31, 1, "192.168.0.2/31"],
  ["192.168.0.0/31", 32, 1, "192.168.0.1/32"],
  ["192.168.0.7/32", 32, 0, "192.168.0.7/32"],
];

test("subnet math against hand-computed values", () => {
  for (const [cidr, prefix, index, want] of subnets) {
    assert.is(formatCIDR(subnet(parseCIDR(cidr), prefix, index)), want, `${cidr} /${prefix} #${index}`);
  }
});

test("subnet index past the end, negative or fractional is SubnetOutOfRange", () => {
  const c = parseCIDR("10.244.0.0/16");
  throwsCode(() => subnet(c, 24, 256), "SubnetOutOfRange", "10.244.0.0/16 holds 256 /24 subnets (0..255)");
  throwsCode(() => subnet(c, 24, -1), "SubnetOutOfRange");
  throwsCode(() => subnet(c, 24, 1.5), "SubnetOutOfRange");
  throwsCode(() => subnet(parseCIDR("1.2.3.4/32"), 32, 1), "SubnetOutOfRange");
  throwsCode(() => subnet(parseCIDR("0.0.0.0/0"), 32, 2 ** 32), "SubnetOutOfRange");
});

test("subnetCount and its prefix checks", () => {
  const cases: Array<[string, number, number]> = [
    ["10.244.0.0/16", 24, 256],
    ["10.244.0.0/16", 16, 1],
    ["10.244.0.0/16", 32, 65536],
    ["0.0.0.0/0", 32, 2 ** 32],
    ["0.0.0.0/0", 0, 1],
    ["192.168.0.6/31", 32, 2],
  ];
  for (const [cidr, prefix, count] of cases) assert.is(subnetCount(parseCIDR(cidr), prefix), count);
  throwsCode(() => subnetCount(parseCIDR("10.0.0.0/8"), 7), "InvalidPrefix", "shorter than 10.0.0.0/8's /8");
  throwsCode(() => subnetCount(parseCIDR("10.0.0.0/8"), 33), "InvalidPrefix");
  throwsCode(() => subnet(parseCIDR("10.0.0.0/8"), 7, 0), "InvalidPrefix");
});

test("every /24 of a /16 is inside it, disjoint from the next and contiguous", () => {
  const c = parseCIDR("10.244.0.0/16");
  for (let i = 0; i < 256; i++) {
    const s = subnet(c, 24, i);
    assert.ok(containsCIDR(c, s));
    assert.is(offsetOf(c, s.network), i * 256);
    if (i < 255) {
      const next = subnet(c, 24, i + 1);
      assert.not.ok(overlaps(s, next));
      assert.is(next.network, broadcastAddress(s) + 1);
    }
  }
});

test("offsetOf and addressAt are inverses and reject the outside", () => {
  const c = parseCIDR("10.244.1.0/24");
  assert.is(offsetOf(c, ip("10.244.1.0")), 0);
  assert.is(offsetOf(c, ip("10.244.1.255")), 255);
  for (let k = 0; k < 256; k++) assert.is(offsetOf(c, addressAt(c, k)), k);
  throwsCode(() => offsetOf(c, ip("10.244.2.0")), "IPOutOfRange", "10.244.2.0 is not in 10.244.1.0/24");
  throwsCode(() => offsetOf(c, ip("10.244.0.255")), "IPOutOfRange");
  throwsCode(() => offsetOf(c, -1), "IPOutOfRange");
  throwsCode(() => addressAt(c, 256), "IPOutOfRange");
  throwsCode(() => addressAt(c, -1), "IPOutOfRange");
  const all = parseCIDR("0.0.0.0/0");
  assert.is(offsetOf(all, 0xffffffff), 2 ** 32 - 1);
  assert.is(formatIPv4(addressAt(all, 2 ** 32 - 1)), "255.255.255.255");
  const one = parseCIDR("192.168.0.7/32");
  assert.is(offsetOf(one, ip("192.168.0.7")), 0);
  throwsCode(() => addressAt(one, 1), "IPOutOfRange");
});

test("format of a parsed CIDR is canonical", () => {
  for (const text of ["10.244.0.0/16", "0.0.0.0/0", "255.255.255.255/32"]) assert.is(fmt(text), text);
});

test.run();
