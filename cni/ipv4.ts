/**
 * IPv4 addresses as uint32 numbers. Parsing is strict, like Go's
 * net/netip: a leading zero is rejected rather than read as octal or decimal,
 * because "010.0.0.1" means 8.0.0.1 to some tools and 10.0.0.1 to others.
 */
import { ActorError } from "../runtime/errors.ts";
import { CniCodes } from "./codes.ts";

/** The largest IPv4 address as a number (255.255.255.255). */
export const MAX_IPV4 = 0xffffffff;

const OCTET = /^(?:0|[1-9][0-9]{0,2})$/;

/** Parses dotted-quad text to a uint32, or returns undefined when it is not one. */
export function tryParseIPv4(text: string): number | undefined {
  if (typeof text !== "string" || text.length > 15) return undefined;
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!OCTET.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    // Multiplication, not `<<`, keeps the result unsigned past 127.x.x.x.
    value = value * 256 + octet;
  }
  return value;
}

/** Parses dotted-quad text to a uint32; throws `InvalidIP` naming the text. */
export function parseIPv4(text: string): number {
  const value = tryParseIPv4(text);
  if (value === undefined) {
    throw new ActorError(CniCodes.InvalidIP, `invalid IPv4 address ${JSON.stringify(text)}`);
  }
  return value;
}

/** True when `text` is a canonical dotted-quad IPv4 address. */
export function isIPv4(text: string): boolean {
  return tryParseIPv4(text) !== undefined;
}

/** True when `n` is an integer in 0..2^32-1. */
export function isUint32(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= MAX_IPV4;
}

/** Formats a uint32 as dotted-quad text; throws `InvalidIP` for anything else. */
export function formatIPv4(n: number): string {
  if (!isUint32(n)) throw new ActorError(CniCodes.InvalidIP, `not an IPv4 address number: ${n}`);
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}
