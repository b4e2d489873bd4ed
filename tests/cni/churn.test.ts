import { test } from "uvu";
import * as assert from "uvu/assert";
import { errorCode } from "../../runtime/errors.ts";
import { CidrAllocator, IpAllocator, PortAllocator } from "../../cni/ipam.ts";
import { contains, parseCIDR } from "../../cni/cidr.ts";
import { formatIPv4, parseIPv4 } from "../../cni/ipv4.ts";
import { prng } from "./helpers.ts";

/** Runs `fn` and returns the error code it threw, or undefined. */
function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return errorCode(err);
  }
}

for (const seed of [1, 42, 31337]) {
  test(`IpAllocator churn (seed ${seed}): no address ever has two owners and counts stay consistent`, () => {
    const rand = prng(seed);
    const cidr = "10.244.4.0/22";
    const range = parseCIDR(cidr);
    const a = new IpAllocator(cidr);
    const byOwner = new Map<string, string>();
    const byIp = new Map<string, string>();
    const owners = Array.from({ length: 1400 }, (_, i) => `pod-${i}`); // more owners than the 1021 addresses
    const randomIp = () => formatIPv4(range.network - 4 + rand.int(1024 + 8)); // a few outside on each side
    const hold = (owner: string, ip: string) => {
      byOwner.set(owner, ip);
      byIp.set(ip, owner);
    };

    for (let step = 0; step < 20_000; step++) {
      const owner = owners[rand.int(owners.length)];
      const roll = rand.next();
      if (roll < 0.45) {
        const held = byOwner.get(owner);
        let ip: string | undefined;
        const code = codeOf(() => (ip = a.allocate(owner)));
        if (held) assert.is(ip, held, "allocate is idempotent per owner");
        else if (byIp.size === a.size) assert.is(code, "IPExhausted");
        else {
          assert.is(code, undefined);
          assert.not.ok(byIp.has(ip!), `${ip} handed to ${owner} while held by ${byIp.get(ip!)}`);
          hold(owner, ip!);
        }
      } else if (roll < 0.6) {
        const ip = randomIp();
        const value = parseIPv4(ip);
        const code = codeOf(() => a.allocateSpecific(ip, owner));
        const reserved = value === range.network || value === range.network + 1 || value === range.network + 1023;
        const want = !contains(range, value) || reserved
          ? "IPOutOfRange"
          : byIp.has(ip) && byIp.get(ip) !== owner
            ? "IPAlreadyAllocated"
            : byOwner.has(owner) && byOwner.get(owner) !== ip
              ? "IPOwnerConflict"
              : undefined;
        assert.is(code, want, `allocateSpecific(${ip}, ${owner})`);
        if (!want) hold(owner, ip);
      } else if (roll < 0.85) {
        const ip = byOwner.get(owner);
        assert.is(a.releaseOwner(owner), ip);
        if (ip) {
          byOwner.delete(owner);
          byIp.delete(ip);
        }
      } else {
        const ip = randomIp();
        const owner = byIp.get(ip);
        assert.is(a.releaseIP(ip), owner);
        if (owner) {
          byIp.delete(ip);
          byOwner.delete(owner);
        }
      }
      assert.is(a.used, byIp.size);
      assert.is(a.used + a.free, a.size);
      if (step % 1000 === 0 || step === 19_999) {
        const entries = a.entries();
        assert.is(new Set(entries.map(([ip]) => ip)).size, entries.length);
        assert.is(new Set(entries.map(([, o]) => o)).size, entries.length);
        assert.equal(new Map(entries), byIp);
        for (const [o, ip] of byOwner) {
          assert.is(a.ipOf(o), ip);
          assert.is(a.ownerOf(ip), o);
        }
      }
    }
    assert.is(a.size, 1021);
  });
}

test("CidrAllocator churn: allocations stay disjoint and counted, exhaustion is exact", () => {
  const rand = prng(99);
  const a = new CidrAllocator({ clusterCIDR: "10.244.0.0/16", nodeMaskSize: 20 });
  const held = new Set<string>();
  for (let step = 0; step < 10_000; step++) {
    const roll = rand.next();
    if (roll < 0.5) {
      let got = "";
      const code = codeOf(() => (got = a.allocate()));
      if (held.size === 16) assert.is(code, "CIDRExhausted");
      else {
        assert.not.ok(held.has(got), `${got} handed out twice`);
        held.add(got);
      }
    } else if (roll < 0.65) {
      const cidr = `10.244.${rand.int(16) * 16}.0/20`;
      const code = codeOf(() => a.allocateSpecific(cidr));
      assert.is(code, held.has(cidr) ? "CIDRAlreadyAllocated" : undefined);
      held.add(cidr);
    } else {
      const cidr = `10.244.${rand.int(16) * 16}.0/20`;
      assert.is(a.release(cidr), held.delete(cidr) ? 1 : 0);
    }
    assert.is(a.used, held.size);
    assert.equal(new Set(a.allocated()), held);
  }
});

test("PortAllocator churn: every allocated port is unique and in range", () => {
  const rand = prng(5);
  const p = new PortAllocator("30000-30099");
  const held = new Set<number>();
  for (let step = 0; step < 10_000; step++) {
    const roll = rand.next();
    if (roll < 0.5) {
      let got = 0;
      const code = codeOf(() => (got = p.allocate()));
      if (held.size === 100) assert.is(code, "PortExhausted");
      else {
        assert.ok(got >= 30000 && got <= 30099);
        assert.not.ok(held.has(got));
        held.add(got);
      }
    } else if (roll < 0.65) {
      const port = 29995 + rand.int(110);
      const code = codeOf(() => p.allocateSpecific(port));
      const want = port < 30000 || port > 30099 ? "PortOutOfRange" : held.has(port) ? "PortAlreadyAllocated" : undefined;
      assert.is(code, want);
      if (!want) held.add(port);
    } else {
      const port = 29995 + rand.int(110);
      assert.is(p.release(port), held.delete(port));
    }
    assert.is(p.used, held.size);
  }
  assert.equal(p.allocated(), [...held].sort((x, y) => x - y));
});

test.run();
