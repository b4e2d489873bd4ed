import { test } from "uvu";
import * as assert from "uvu/assert";
import { CidrAllocator, IpAllocator, parsePortRange, PortAllocator } from "../../cni/ipam.ts";
import { formatIPv4, parseIPv4 } from "../../cni/ipv4.ts";
import { throwsCode } from "./helpers.ts";

// ---- CidrAllocator -------------------------------------------------------

test("CidrAllocator: the default hands out 10.244.0.0/16's 256 /24s in order, then CIDRExhausted", () => {
  const a = new CidrAllocator();
  assert.is(a.size, 256);
  const got = Array.from({ length: 256 }, () => a.allocate());
  assert.is(got[0], "10.244.0.0/24");
  assert.is(got[1], "10.244.1.0/24");
  assert.is(got[255], "10.244.255.0/24");
  assert.is(new Set(got).size, 256);
  assert.is(a.used, 256);
  assert.is(a.free, 0);
  throwsCode(() => a.allocate(), "CIDRExhausted", "10.244.0.0/16");
});

const cidrShapes: Array<[cluster: string, mask: number, size: number, first: string, last: string]> = [
  ["0.0.0.0/0", 8, 256, "0.0.0.0/8", "255.0.0.0/8"],
  ["10.0.0.0/8", 16, 256, "10.0.0.0/16", "10.255.0.0/16"],
  ["10.0.0.0/8", 24, 65536, "10.0.0.0/24", "10.255.255.0/24"],
  ["10.244.0.0/16", 16, 1, "10.244.0.0/16", "10.244.0.0/16"],
  ["10.244.0.0/16", 26, 1024, "10.244.0.0/26", "10.244.255.192/26"],
  ["10.244.7.0/24", 26, 4, "10.244.7.0/26", "10.244.7.192/26"],
  ["192.168.0.4/30", 32, 4, "192.168.0.4/32", "192.168.0.7/32"],
  ["192.168.0.6/31", 32, 2, "192.168.0.6/32", "192.168.0.7/32"],
  ["192.168.0.7/32", 32, 1, "192.168.0.7/32", "192.168.0.7/32"],
];

for (const [cluster, mask, size, first, last] of cidrShapes) {
  test(`CidrAllocator: ${cluster} into /${mask}s holds ${size}, ${first} .. ${last}`, () => {
    const a = new CidrAllocator({ clusterCIDR: cluster, nodeMaskSize: mask });
    assert.is(a.size, size);
    const got: string[] = [];
    for (let i = 0; i < size; i++) got.push(a.allocate());
    assert.is(got[0], first);
    assert.is(got[size - 1], last);
    assert.is(new Set(got).size, size);
    throwsCode(() => a.allocate(), "CIDRExhausted", cluster);
  });
}

test("CidrAllocator: configurations it cannot serve fail clearly", () => {
  throwsCode(() => new CidrAllocator({ clusterCIDR: "10.244.1.0/16" }), "InvalidCIDR", "did you mean 10.244.0.0/16?");
  throwsCode(() => new CidrAllocator({ nodeMaskSize: 15 }), "InvalidPrefix");
  throwsCode(() => new CidrAllocator({ nodeMaskSize: 33 }), "InvalidPrefix");
  throwsCode(() => new CidrAllocator({ clusterCIDR: "0.0.0.0/0", nodeMaskSize: 32 }), "RangeTooLarge", "0.0.0.0/0");
  throwsCode(() => new CidrAllocator({ clusterCIDR: "10.0.0.0/7", nodeMaskSize: 32 }), "RangeTooLarge");
  assert.is(new CidrAllocator({ clusterCIDR: "10.0.0.0/8", nodeMaskSize: 32 }).size, 2 ** 24);
});

test("CidrAllocator: allocateSpecific and its conflicts", () => {
  const a = new CidrAllocator();
  a.allocateSpecific("10.244.5.0/24");
  assert.ok(a.has("10.244.5.0/24"));
  throwsCode(() => a.allocateSpecific("10.244.5.0/24"), "CIDRAlreadyAllocated", "10.244.5.0/24 is already allocated in 10.244.0.0/16");
  throwsCode(() => a.allocateSpecific("10.245.0.0/24"), "CIDROutOfRange", "outside 10.244.0.0/16");
  throwsCode(() => a.allocateSpecific("10.243.255.0/24"), "CIDROutOfRange");
  throwsCode(() => a.allocateSpecific("10.244.6.0/25"), "InvalidCIDR", "must be a /24");
  throwsCode(() => a.allocateSpecific("10.244.0.0/16"), "InvalidCIDR");
  throwsCode(() => a.allocateSpecific("10.244.6.1/24"), "InvalidCIDR", "host bits");
  throwsCode(() => a.allocateSpecific("nonsense"), "InvalidCIDR");
  assert.is(a.used, 1);
  // Dynamic allocation flows around the specific one.
  const got = Array.from({ length: 7 }, () => a.allocate());
  assert.equal(got, [0, 1, 2, 3, 4, 6, 7].map((i) => `10.244.${i}.0/24`));
});

test("CidrAllocator: a released CIDR is reused only after the cursor wraps", () => {
  const a = new CidrAllocator({ clusterCIDR: "10.244.0.0/22", nodeMaskSize: 24 });
  assert.equal([a.allocate(), a.allocate(), a.allocate()], ["10.244.0.0/24", "10.244.1.0/24", "10.244.2.0/24"]);
  assert.is(a.release("10.244.1.0/24"), 1);
  assert.is(a.release("10.244.1.0/24"), 0);
  assert.is(a.allocate(), "10.244.3.0/24");
  assert.is(a.allocate(), "10.244.1.0/24");
  throwsCode(() => a.allocate(), "CIDRExhausted", "10.244.0.0/22");
});

test("CidrAllocator: occupy rebuilds state, covering larger and smaller CIDRs, and never fails on used ones", () => {
  const a = new CidrAllocator();
  assert.is(a.occupy("10.244.3.0/24"), 1);
  assert.is(a.occupy("10.244.3.0/24"), 0);
  assert.is(a.occupy("10.244.8.0/23"), 2);
  assert.is(a.occupy("10.244.20.128/25"), 1);
  assert.equal(a.allocated(), ["10.244.3.0/24", "10.244.8.0/24", "10.244.9.0/24", "10.244.20.0/24"]);
  throwsCode(() => a.occupy("10.245.0.0/24"), "CIDROutOfRange", "10.244.0.0/16");
  assert.is(a.occupy("10.0.0.0/8"), 252);
  assert.is(a.free, 0);
  assert.is(a.release("10.244.8.0/23"), 2);
  assert.is(a.release("10.245.0.0/24"), 0);
  assert.is(a.release("10.0.0.0/8"), 254);
  assert.is(a.used, 0);
});

test("CidrAllocator: has is false for other shapes and the outside", () => {
  const a = new CidrAllocator();
  a.allocateSpecific("10.244.0.0/24");
  assert.ok(a.has("10.244.0.0/24"));
  assert.not.ok(a.has("10.244.0.0/25"));
  assert.not.ok(a.has("10.245.0.0/24"));
  assert.not.ok(a.has("10.244.1.0/24"));
});

// ---- IpAllocator ---------------------------------------------------------

const ipShapes: Array<{ cidr: string; gateway: boolean; size: number; first?: string; last?: string; never: string[] }> = [
  { cidr: "10.244.0.0/16", gateway: true, size: 65533, first: "10.244.0.2", last: "10.244.255.254", never: ["10.244.0.0", "10.244.0.1", "10.244.255.255"] },
  { cidr: "10.244.0.0/16", gateway: false, size: 65534, first: "10.244.0.1", last: "10.244.255.254", never: ["10.244.0.0", "10.244.255.255"] },
  { cidr: "10.244.1.0/24", gateway: true, size: 253, first: "10.244.1.2", last: "10.244.1.254", never: ["10.244.1.0", "10.244.1.1", "10.244.1.255"] },
  { cidr: "10.96.0.0/24", gateway: false, size: 254, first: "10.96.0.1", last: "10.96.0.254", never: ["10.96.0.0", "10.96.0.255"] },
  { cidr: "192.168.0.0/30", gateway: true, size: 1, first: "192.168.0.2", last: "192.168.0.2", never: ["192.168.0.0", "192.168.0.1", "192.168.0.3"] },
  { cidr: "192.168.0.0/30", gateway: false, size: 2, first: "192.168.0.1", last: "192.168.0.2", never: ["192.168.0.0", "192.168.0.3"] },
  { cidr: "192.168.0.6/31", gateway: true, size: 1, first: "192.168.0.7", last: "192.168.0.7", never: ["192.168.0.6"] },
  { cidr: "192.168.0.6/31", gateway: false, size: 2, first: "192.168.0.6", last: "192.168.0.7", never: [] },
  { cidr: "192.168.0.7/32", gateway: true, size: 0, never: ["192.168.0.7"] },
  { cidr: "192.168.0.7/32", gateway: false, size: 1, first: "192.168.0.7", last: "192.168.0.7", never: [] },
];

for (const { cidr, gateway, size, first, last, never } of ipShapes) {
  test(`IpAllocator: ${cidr} (${gateway ? "pods, gateway reserved" : "services"}) hands out ${size} unique addresses, then IPExhausted`, () => {
    const a = new IpAllocator(cidr, { gateway });
    assert.is(a.size, size);
    const seen = new Set<string>();
    for (let i = 0; i < size; i++) seen.add(a.allocate(`owner-${i}`));
    assert.is(seen.size, size);
    assert.is(a.used, size);
    assert.is(a.free, 0);
    const sorted = [...seen].map(parseIPv4).sort((x, y) => x - y).map(formatIPv4);
    if (first) assert.is(sorted[0], first);
    if (last) assert.is(sorted[sorted.length - 1], last);
    for (const ip of never) {
      assert.not.ok(seen.has(ip), `${ip} was handed out`);
      throwsCode(() => a.allocateSpecific(ip, "late"), "IPOutOfRange", "reserved");
    }
    throwsCode(() => a.allocate("one-too-many"), "IPExhausted", `no free IP addresses in ${cidr}`);
    assert.is(a.ipOf("one-too-many"), undefined);
  });
}

test("IpAllocator: large CIDRs: /8 fits, bigger is RangeTooLarge; /0 is refused", () => {
  const pods = new IpAllocator("10.0.0.0/8");
  assert.is(pods.size, 2 ** 24 - 3);
  assert.is(pods.allocate("a"), "10.0.0.2");
  assert.is(pods.allocateSpecific("10.255.255.254", "b"), "10.255.255.254");
  throwsCode(() => pods.allocateSpecific("10.255.255.255", "c"), "IPOutOfRange", "reserved");
  const services = new IpAllocator("10.96.0.0/12", { gateway: false });
  assert.is(services.size, 2 ** 20 - 2);
  assert.is(services.allocate("default/kubernetes"), "10.96.0.1");
  throwsCode(() => new IpAllocator("0.0.0.0/0"), "RangeTooLarge", "0.0.0.0/0");
  throwsCode(() => new IpAllocator("10.0.0.0/7", { gateway: false }), "RangeTooLarge");
  throwsCode(() => new IpAllocator("10.244.1.1/24"), "InvalidCIDR");
});

test("IpAllocator: the gateway is x.x.x.1 for pods and absent for services", () => {
  assert.is(new IpAllocator("10.244.3.0/24").gateway, "10.244.3.1");
  assert.is(new IpAllocator("10.96.0.0/12", { gateway: false }).gateway, undefined);
  throwsCode(() => new IpAllocator("10.244.3.0/24").allocateSpecific("10.244.3.1", "p"), "IPOutOfRange", "10.244.3.1 is reserved in 10.244.3.0/24");
});

test("IpAllocator: allocate is idempotent per owner", () => {
  const a = new IpAllocator("10.244.1.0/24");
  const ip = a.allocate("pod-uid-1");
  assert.is(a.allocate("pod-uid-1"), ip);
  assert.is(a.allocate("pod-uid-1"), ip);
  assert.is(a.used, 1);
  assert.is(a.allocate("pod-uid-2"), "10.244.1.3");
  assert.is(a.ownerOf(ip), "pod-uid-1");
  assert.is(a.ipOf("pod-uid-1"), ip);
  assert.ok(a.has(ip));
  assert.equal(a.entries(), [["10.244.1.2", "pod-uid-1"], ["10.244.1.3", "pod-uid-2"]]);
});

test("IpAllocator: allocateSpecific conflicts", () => {
  const a = new IpAllocator("10.244.1.0/24");
  assert.is(a.allocateSpecific("10.244.1.50", "pod-a"), "10.244.1.50");
  assert.is(a.allocateSpecific("10.244.1.50", "pod-a"), "10.244.1.50");
  assert.is(a.allocate("pod-a"), "10.244.1.50");
  throwsCode(() => a.allocateSpecific("10.244.1.50", "pod-b"), "IPAlreadyAllocated", '10.244.1.50 is already allocated in 10.244.1.0/24 to "pod-a"');
  throwsCode(() => a.allocateSpecific("10.244.1.51", "pod-a"), "IPOwnerConflict", '"pod-a" already holds 10.244.1.50');
  throwsCode(() => a.allocateSpecific("10.244.2.5", "pod-b"), "IPOutOfRange", "10.244.2.5 is outside 10.244.1.0/24");
  throwsCode(() => a.allocateSpecific("10.244.1.255", "pod-b"), "IPOutOfRange");
  throwsCode(() => a.allocateSpecific("10.244.1.0", "pod-b"), "IPOutOfRange");
  throwsCode(() => a.allocateSpecific("10.244.1.05", "pod-b"), "InvalidIP");
  // A reserved address is out of range even for an owner that already holds one (found by the churn test).
  throwsCode(() => a.allocateSpecific("10.244.1.1", "pod-a"), "IPOutOfRange", "reserved");
  throwsCode(() => a.allocate(""), "InvalidOwner");
  throwsCode(() => a.allocateSpecific("10.244.1.9", ""), "InvalidOwner");
  assert.is(a.used, 1);
  assert.is(a.ipOf("pod-b"), undefined);
});

test("IpAllocator: configurable reserved addresses", () => {
  const a = new IpAllocator("10.244.1.0/29", { reserved: ["10.244.1.3", "10.244.1.0"] });
  assert.is(a.size, 4); // .2 .4 .5 .6
  assert.equal(["a", "b", "c", "d"].map((o) => a.allocate(o)), ["10.244.1.2", "10.244.1.4", "10.244.1.5", "10.244.1.6"]);
  throwsCode(() => a.allocate("e"), "IPExhausted", "10.244.1.0/29");
  throwsCode(() => new IpAllocator("10.244.1.0/24", { reserved: ["10.244.2.1"] }), "IPOutOfRange", "outside 10.244.1.0/24");
  throwsCode(() => new IpAllocator("10.244.1.0/24", { reserved: ["10.244.1.1 "] }), "InvalidIP");
});

test("IpAllocator: release by IP or by owner; unknown, reserved and outside are no-ops", () => {
  const a = new IpAllocator("10.244.1.0/24");
  a.allocate("p1");
  a.allocate("p2");
  assert.is(a.releaseIP("10.244.1.2"), "p1");
  assert.is(a.releaseIP("10.244.1.2"), undefined);
  assert.is(a.ipOf("p1"), undefined);
  assert.is(a.releaseOwner("p2"), "10.244.1.3");
  assert.is(a.releaseOwner("p2"), undefined);
  assert.is(a.releaseIP("10.244.1.1"), undefined);
  assert.is(a.releaseIP("10.244.1.0"), undefined);
  assert.is(a.releaseIP("10.9.9.9"), undefined);
  assert.is(a.ownerOf("10.9.9.9"), undefined);
  throwsCode(() => a.releaseIP("not-an-ip"), "InvalidIP");
  assert.is(a.used, 0);
  assert.is(a.size, 253);
  assert.is(a.free, 253);
});

test("IpAllocator: a released address is reused only after the cursor wraps", () => {
  const a = new IpAllocator("10.244.1.0/29"); // hosts .2 .. .6
  assert.equal(["a", "b", "c"].map((o) => a.allocate(o)), ["10.244.1.2", "10.244.1.3", "10.244.1.4"]);
  a.releaseOwner("b");
  assert.is(a.allocate("b"), "10.244.1.5"); // same owner, new address: the old one is still cooling down
  assert.is(a.allocate("d"), "10.244.1.6");
  assert.is(a.allocate("e"), "10.244.1.3"); // wrapped past broadcast, network and gateway
  throwsCode(() => a.allocate("f"), "IPExhausted");
});

// ---- PortAllocator -------------------------------------------------------

test("PortAllocator: 30000-32767 by default, in order, then PortExhausted", () => {
  const p = new PortAllocator();
  assert.is(p.size, 2768);
  for (let port = 30000; port <= 32767; port++) assert.is(p.allocate(), port);
  throwsCode(() => p.allocate(), "PortExhausted", "no free ports in 30000-32767");
  assert.is(p.used, 2768);
  assert.is(p.free, 0);
});

test("PortAllocator: allocateSpecific conflicts and the range edges", () => {
  const p = new PortAllocator({ min: 30000, max: 30010 });
  p.allocateSpecific(30000);
  p.allocateSpecific(30010);
  throwsCode(() => p.allocateSpecific(30000), "PortAlreadyAllocated", "30000 is already allocated in 30000-30010");
  for (const port of [29999, 30011, 80, 30001.5, NaN]) throwsCode(() => p.allocateSpecific(port), "PortOutOfRange", "30000-30010");
  assert.is(p.allocate(), 30001);
  assert.equal(p.allocated(), [30000, 30001, 30010]);
  assert.ok(p.has(30010));
  assert.not.ok(p.has(29999));
});

test("PortAllocator: release, and reuse only after the cursor wraps", () => {
  const p = new PortAllocator("8000-8003");
  assert.equal([p.allocate(), p.allocate()], [8000, 8001]);
  assert.ok(p.release(8000));
  assert.not.ok(p.release(8000));
  assert.not.ok(p.release(7999));
  assert.equal([p.allocate(), p.allocate(), p.allocate()], [8002, 8003, 8000]);
  throwsCode(() => p.allocate(), "PortExhausted", "8000-8003");
  const one = new PortAllocator("443");
  assert.is(one.allocate(), 443);
  throwsCode(() => one.allocate(), "PortExhausted");
});

test("parsePortRange accepts min-max and a single port, and nothing else", () => {
  assert.equal(parsePortRange("30000-32767"), { min: 30000, max: 32767 });
  assert.equal(parsePortRange("1-65535"), { min: 1, max: 65535 });
  assert.equal(parsePortRange("80"), { min: 80, max: 80 });
  for (const bad of ["", "0-10", "10-5", "a-b", "1-65536", "-5", "30000-", "1-2-3", " 1-2", "080-90", "1.5-2"]) {
    throwsCode(() => parsePortRange(bad), "InvalidPortRange", JSON.stringify(bad));
  }
  throwsCode(() => new PortAllocator({ min: 10, max: 5 }), "InvalidPortRange");
});

test.run();
