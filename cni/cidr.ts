/**
 * IPv4 CIDR arithmetic on uint32 numbers. A {@link Cidr} is a plain object so
 * it crosses worker boundaries by structured clone unchanged.
 *
 * Two parsers, because Kubernetes itself is split: Go's net.ParseCIDR (used by
 * kube-controller-manager for --cluster-cidr) silently masks "10.244.1.7/16"
 * to 10.244.0.0/16, which hides typos. {@link parseCIDR} rejects host bits and
 * says which network was probably meant; {@link parseCIDRLoose} masks, for
 * reading values Kubernetes would have accepted.
 */
import { ActorError } from "../runtime/errors.ts";
import { CniCodes } from "./codes.ts";
import { formatIPv4, isUint32, tryParseIPv4 } from "./ipv4.ts";

/** A network: its first address and prefix length; `network` has no host bits set. */
export interface Cidr {
  readonly network: number;
  readonly prefix: number;
}

// No leading zeros ("/08") for the same reason ipv4.ts rejects them.
const PREFIX = /^(?:[0-9]|[12][0-9]|3[0-2])$/;

function checkPrefix(prefix: number, what = "prefix length"): void {
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) {
    throw new ActorError(CniCodes.InvalidPrefix, `invalid ${what} ${prefix}: must be an integer in 0..32`);
  }
}

/** The netmask of a prefix length as a uint32 (/24 → 255.255.255.0). */
export function prefixMask(prefix: number): number {
  checkPrefix(prefix);
  // `x << 32` is `x << 0` in JavaScript, so /0 needs its own case.
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** The network of `prefix` length that holds `ip` (host bits cleared). */
export function cidrFrom(ip: number, prefix: number): Cidr {
  if (!isUint32(ip)) throw new ActorError(CniCodes.InvalidIP, `not an IPv4 address number: ${ip}`);
  return { network: (ip & prefixMask(prefix)) >>> 0, prefix };
}

function split(text: string): { ip: number; prefix: number } {
  const bad = (why: string) => new ActorError(CniCodes.InvalidCIDR, `invalid CIDR ${JSON.stringify(text)}: ${why}`);
  if (typeof text !== "string") throw bad("not a string");
  const parts = text.split("/");
  if (parts.length !== 2) throw bad("expected address/prefix, like 10.244.0.0/16");
  const ip = tryParseIPv4(parts[0]);
  if (ip === undefined) throw bad(`${JSON.stringify(parts[0])} is not an IPv4 address`);
  if (!PREFIX.test(parts[1])) throw bad(`prefix length ${JSON.stringify(parts[1])} is not in 0..32`);
  return { ip, prefix: Number(parts[1]) };
}

/** Parses "a.b.c.d/n" and rejects host bits; throws `InvalidCIDR` naming the intended network. */
export function parseCIDR(text: string): Cidr {
  const { ip, prefix } = split(text);
  const cidr = cidrFrom(ip, prefix);
  if (cidr.network !== ip) {
    throw new ActorError(
      CniCodes.InvalidCIDR,
      `invalid CIDR ${JSON.stringify(text)}: host bits are set (did you mean ${formatCIDR(cidr)}?)`,
    );
  }
  return cidr;
}

/** Parses "a.b.c.d/n" and clears host bits, as Go's net.ParseCIDR does. */
export function parseCIDRLoose(text: string): Cidr {
  const { ip, prefix } = split(text);
  return cidrFrom(ip, prefix);
}

/** Formats a CIDR as "a.b.c.d/n". */
export function formatCIDR(cidr: Cidr): string {
  return `${formatIPv4(cidr.network)}/${cidr.prefix}`;
}

/** How many addresses the CIDR spans (2^32 for /0). */
export function cidrSize(cidr: Cidr): number {
  return 2 ** (32 - cidr.prefix);
}

/** The first address (all host bits clear). */
export function networkAddress(cidr: Cidr): number {
  return cidr.network;
}

/** The last address (all host bits set). */
export function broadcastAddress(cidr: Cidr): number {
  return cidr.network + cidrSize(cidr) - 1;
}

/** True when `ip` lies inside `cidr`. */
export function contains(cidr: Cidr, ip: number): boolean {
  return ip >= cidr.network && ip <= broadcastAddress(cidr);
}

/** True when every address of `inner` lies inside `outer`. */
export function containsCIDR(outer: Cidr, inner: Cidr): boolean {
  return inner.prefix >= outer.prefix && contains(outer, inner.network);
}

/** True when the two CIDRs share at least one address. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.network <= broadcastAddress(b) && b.network <= broadcastAddress(a);
}

/** How many /newPrefix subnets `cidr` holds; throws `InvalidPrefix` unless prefix ≤ newPrefix ≤ 32. */
export function subnetCount(cidr: Cidr, newPrefix: number): number {
  checkPrefix(newPrefix, "subnet prefix length");
  if (newPrefix < cidr.prefix) {
    throw new ActorError(
      CniCodes.InvalidPrefix,
      `subnet prefix length /${newPrefix} is shorter than ${formatCIDR(cidr)}'s /${cidr.prefix}`,
    );
  }
  return 2 ** (newPrefix - cidr.prefix);
}

/** The index-th /newPrefix subnet of `cidr`, counting from 0; throws `SubnetOutOfRange` past the end. */
export function subnet(cidr: Cidr, newPrefix: number, index: number): Cidr {
  const count = subnetCount(cidr, newPrefix);
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new ActorError(
      CniCodes.SubnetOutOfRange,
      `subnet index ${index} out of range: ${formatCIDR(cidr)} holds ${count} /${newPrefix} subnets (0..${count - 1})`,
    );
  }
  return { network: cidr.network + index * 2 ** (32 - newPrefix), prefix: newPrefix };
}

/** How far `ip` lies from the network address; throws `IPOutOfRange` when outside. */
export function offsetOf(cidr: Cidr, ip: number): number {
  if (!isUint32(ip) || !contains(cidr, ip)) {
    const shown = isUint32(ip) ? formatIPv4(ip) : String(ip);
    throw new ActorError(CniCodes.IPOutOfRange, `${shown} is not in ${formatCIDR(cidr)}`);
  }
  return ip - cidr.network;
}

/** The address `offset` steps from the network address; the inverse of {@link offsetOf}. */
export function addressAt(cidr: Cidr, offset: number): number {
  const size = cidrSize(cidr);
  if (!Number.isInteger(offset) || offset < 0 || offset >= size) {
    throw new ActorError(CniCodes.IPOutOfRange, `offset ${offset} is outside ${formatCIDR(cidr)} (0..${size - 1})`);
  }
  return cidr.network + offset;
}

/** The first address a host may use: network+1, or the network itself for /31 and /32 (RFC 3021). */
export function firstUsableHost(cidr: Cidr): number {
  return cidr.prefix >= 31 ? cidr.network : cidr.network + 1;
}

/** The last address a host may use: broadcast-1, or the broadcast itself for /31 and /32 (RFC 3021). */
export function lastUsableHost(cidr: Cidr): number {
  const last = broadcastAddress(cidr);
  return cidr.prefix >= 31 ? last : last - 1;
}

/** How many addresses hosts may use: size-2, except 2 for /31 and 1 for /32. */
export function usableHostCount(cidr: Cidr): number {
  return lastUsableHost(cidr) - firstUsableHost(cidr) + 1;
}
