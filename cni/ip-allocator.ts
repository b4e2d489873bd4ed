/**
 * Host-address allocation inside one CIDR: pod IPs inside a node's podCIDR
 * (the CNI actor) and ClusterIPs inside the Service CIDR (the apiserver).
 * Each address has one owner (a pod uid, a Service's namespace/name) and an
 * owner has at most one address, which is what makes CNI ADD idempotent.
 */
import { ActorError } from "../runtime/errors.ts";
import {
  addressAt,
  broadcastAddress,
  type Cidr,
  cidrSize,
  contains,
  firstUsableHost,
  formatCIDR,
  lastUsableHost,
  parseCIDR,
} from "./cidr.ts";
import { CniCodes } from "./codes.ts";
import { formatIPv4, parseIPv4 } from "./ipv4.ts";
import { RangeAllocator } from "./range-allocator.ts";

/** Options for {@link IpAllocator}. */
export interface IpAllocatorOptions {
  /** Reserve the first usable host as the gateway (x.x.x.1); default true. Pass false for a Service CIDR. */
  gateway?: boolean;
  /** More addresses never handed out (e.g. a node-local DNS address); each must lie inside the CIDR. */
  reserved?: readonly string[];
}

/** Allocates host addresses inside one CIDR, one per owner; errors name the CIDR. */
export class IpAllocator {
  /** The CIDR addresses come from. */
  readonly cidr: Cidr;
  /** The reserved gateway address, when there is one. */
  readonly gateway: string | undefined;
  #core: RangeAllocator;
  #ownerAt = new Map<number, string>();
  #indexOf = new Map<string, number>();

  /**
   * Never hands out the network and broadcast addresses (except in a /31 or
   * /32, where RFC 3021 makes every address a host), nor the gateway or
   * `reserved`. Throws `InvalidCIDR`, `IPOutOfRange` or `RangeTooLarge` (past a /8).
   */
  constructor(cidr: string, options: IpAllocatorOptions = {}) {
    this.cidr = parseCIDR(cidr);
    const first = firstUsableHost(this.cidr);
    const reserved: number[] = [];
    if (first !== this.cidr.network) reserved.push(0);
    if (lastUsableHost(this.cidr) !== broadcastAddress(this.cidr)) reserved.push(cidrSize(this.cidr) - 1);
    if (options.gateway ?? true) {
      this.gateway = formatIPv4(first);
      reserved.push(first - this.cidr.network);
    }
    for (const text of options.reserved ?? []) reserved.push(this.#offset(parseIPv4(text), text));
    this.#core = new RangeAllocator(
      cidrSize(this.cidr),
      {
        exhausted: CniCodes.IPExhausted,
        taken: CniCodes.IPAlreadyAllocated,
        outOfRange: CniCodes.IPOutOfRange,
        noun: "IP addresses",
        range: formatCIDR(this.cidr),
      },
      reserved,
    );
  }

  /** How many addresses can be handed out (network, broadcast and reserved excluded). */
  get size(): number {
    return this.#core.size;
  }

  /** How many addresses are held. */
  get used(): number {
    return this.#core.used;
  }

  /** How many addresses remain. */
  get free(): number {
    return this.#core.free;
  }

  /** The owner's address, allocating one on first call; throws `IPExhausted` when none is left. */
  allocate(owner: string): string {
    checkOwner(owner);
    const held = this.#indexOf.get(owner);
    if (held !== undefined) return this.#format(held);
    const index = this.#core.allocate();
    this.#record(index, owner);
    return this.#format(index);
  }

  /**
   * Gives `ip` to `owner` (idempotent for the same pair). Throws `InvalidIP`,
   * `IPOutOfRange` (outside or reserved), `IPAlreadyAllocated` (another owner holds it)
   * or `IPOwnerConflict` (the owner holds a different address).
   */
  allocateSpecific(ip: string, owner: string): string {
    checkOwner(owner);
    const index = this.#offset(parseIPv4(ip), ip);
    // Reserved beats owner conflicts: such a request is wrong whoever makes it.
    if (this.#core.isReserved(index)) {
      throw new ActorError(CniCodes.IPOutOfRange, `${ip} is reserved in ${formatCIDR(this.cidr)} and cannot be allocated`);
    }
    const holder = this.#ownerAt.get(index);
    if (holder === owner) return this.#format(index);
    if (holder !== undefined) {
      throw new ActorError(
        CniCodes.IPAlreadyAllocated,
        `${ip} is already allocated in ${formatCIDR(this.cidr)} to ${JSON.stringify(holder)}`,
        { details: { ip, owner: holder } },
      );
    }
    const held = this.#indexOf.get(owner);
    if (held !== undefined) {
      throw new ActorError(
        CniCodes.IPOwnerConflict,
        `${JSON.stringify(owner)} already holds ${this.#format(held)} in ${formatCIDR(this.cidr)}; cannot also take ${ip}`,
        { details: { ip: this.#format(held), owner } },
      );
    }
    this.#core.allocateSpecific(index, ip);
    this.#record(index, owner);
    return this.#format(index);
  }

  /** Frees `ip`; returns its former owner. Free, reserved or outside addresses are a no-op (as in Kubernetes). */
  releaseIP(ip: string): string | undefined {
    const value = parseIPv4(ip);
    if (!contains(this.cidr, value)) return undefined;
    return this.#release(value - this.cidr.network);
  }

  /** Frees the owner's address and returns it; an owner holding nothing is a no-op (CNI DEL is idempotent). */
  releaseOwner(owner: string): string | undefined {
    const index = this.#indexOf.get(owner);
    if (index === undefined) return undefined;
    this.#release(index);
    return this.#format(index);
  }

  /** Who holds `ip`, if anyone. */
  ownerOf(ip: string): string | undefined {
    const value = parseIPv4(ip);
    return contains(this.cidr, value) ? this.#ownerAt.get(value - this.cidr.network) : undefined;
  }

  /** The address `owner` holds, if any. */
  ipOf(owner: string): string | undefined {
    const index = this.#indexOf.get(owner);
    return index === undefined ? undefined : this.#format(index);
  }

  /** True when `ip` is held by someone. */
  has(ip: string): boolean {
    return this.ownerOf(ip) !== undefined;
  }

  /** Every held address with its owner, in address order. */
  entries(): Array<[ip: string, owner: string]> {
    return Array.from(this.#core, (i) => [this.#format(i), this.#ownerAt.get(i) ?? ""]);
  }

  #offset(value: number, shown: string): number {
    if (!contains(this.cidr, value)) {
      throw new ActorError(CniCodes.IPOutOfRange, `${shown} is outside ${formatCIDR(this.cidr)}`);
    }
    return value - this.cidr.network;
  }

  #format(index: number): string {
    return formatIPv4(addressAt(this.cidr, index));
  }

  #record(index: number, owner: string): void {
    this.#ownerAt.set(index, owner);
    this.#indexOf.set(owner, index);
  }

  #release(index: number): string | undefined {
    const owner = this.#ownerAt.get(index);
    if (owner === undefined) return undefined;
    this.#core.release(index);
    this.#ownerAt.delete(index);
    this.#indexOf.delete(owner);
    return owner;
  }
}

function checkOwner(owner: string): void {
  if (typeof owner !== "string" || owner === "") {
    throw new ActorError(CniCodes.InvalidOwner, `an IP owner must be a non-empty string, got ${JSON.stringify(owner)}`);
  }
}
