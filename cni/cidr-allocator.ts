/**
 * Node podCIDR allocation: hands out /nodeMaskSize subnets of the cluster CIDR,
 * as kube-controller-manager's node-ipam controller (cidrset) does.
 */
import { ActorError } from "../runtime/errors.ts";
import { broadcastAddress, type Cidr, containsCIDR, formatCIDR, parseCIDR, subnet, subnetCount } from "./cidr.ts";
import { CniCodes } from "./codes.ts";
import { RangeAllocator } from "./range-allocator.ts";

/** Options for {@link CidrAllocator}. */
export interface CidrAllocatorOptions {
  /** The cluster's pod network (kube-controller-manager's --cluster-cidr); default "10.244.0.0/16". */
  clusterCIDR?: string;
  /** The prefix length of each node's podCIDR (--node-cidr-mask-size); default 24. */
  nodeMaskSize?: number;
}

/** Allocates node podCIDRs out of the cluster CIDR; errors name the cluster CIDR. */
export class CidrAllocator {
  /** The cluster CIDR subnets are cut from. */
  readonly clusterCIDR: Cidr;
  /** The prefix length of every subnet handed out. */
  readonly nodeMaskSize: number;
  #core: RangeAllocator;
  #step: number;

  /** Throws `InvalidCIDR`, `InvalidPrefix` or `RangeTooLarge` for a configuration it cannot serve. */
  constructor(options: CidrAllocatorOptions = {}) {
    this.clusterCIDR = parseCIDR(options.clusterCIDR ?? "10.244.0.0/16");
    this.nodeMaskSize = options.nodeMaskSize ?? 24;
    const count = subnetCount(this.clusterCIDR, this.nodeMaskSize);
    this.#step = 2 ** (32 - this.nodeMaskSize);
    this.#core = new RangeAllocator(count, {
      exhausted: CniCodes.CIDRExhausted,
      taken: CniCodes.CIDRAlreadyAllocated,
      outOfRange: CniCodes.CIDROutOfRange,
      noun: `/${this.nodeMaskSize} node CIDRs`,
      range: formatCIDR(this.clusterCIDR),
    });
  }

  /** How many node CIDRs the cluster CIDR holds. */
  get size(): number {
    return this.#core.size;
  }

  /** How many are allocated. */
  get used(): number {
    return this.#core.used;
  }

  /** How many remain. */
  get free(): number {
    return this.#core.free;
  }

  /** Hands out the next free node CIDR, e.g. "10.244.3.0/24"; throws `CIDRExhausted`. */
  allocate(): string {
    return this.#format(this.#core.allocate());
  }

  /** Takes exactly `cidr`; throws `InvalidCIDR` (wrong size), `CIDROutOfRange` or `CIDRAlreadyAllocated`. */
  allocateSpecific(cidr: string): void {
    const parsed = parseCIDR(cidr);
    if (parsed.prefix !== this.nodeMaskSize) {
      throw new ActorError(CniCodes.InvalidCIDR, `node CIDR ${cidr} must be a /${this.nodeMaskSize}`);
    }
    if (!containsCIDR(this.clusterCIDR, parsed)) {
      throw new ActorError(CniCodes.CIDROutOfRange, `${cidr} is outside ${formatCIDR(this.clusterCIDR)}`);
    }
    this.#core.allocateSpecific(this.#indexOf(parsed.network), cidr);
  }

  /**
   * Marks every node CIDR that `cidr` overlaps as used and never fails on ones
   * already used, for rebuilding state from nodes' spec.podCIDR after a restart.
   * Returns how many were newly marked; throws `CIDROutOfRange` when nothing overlaps.
   */
  occupy(cidr: string): number {
    const span = this.#span(cidr);
    if (!span) throw new ActorError(CniCodes.CIDROutOfRange, `${cidr} is outside ${formatCIDR(this.clusterCIDR)}`);
    let marked = 0;
    for (let i = span.first; i <= span.last; i++) if (this.#core.occupy(i)) marked++;
    return marked;
  }

  /** Frees every node CIDR that `cidr` overlaps; returns how many were freed (0 when none or outside). */
  release(cidr: string): number {
    const span = this.#span(cidr);
    let freed = 0;
    if (span) for (let i = span.first; i <= span.last; i++) if (this.#core.release(i)) freed++;
    return freed;
  }

  /** True when exactly this node CIDR is allocated. */
  has(cidr: string): boolean {
    const parsed = parseCIDR(cidr);
    if (parsed.prefix !== this.nodeMaskSize || !containsCIDR(this.clusterCIDR, parsed)) return false;
    return this.#core.has(this.#indexOf(parsed.network));
  }

  /** The allocated node CIDRs in address order. */
  allocated(): string[] {
    return Array.from(this.#core, (i) => this.#format(i));
  }

  #format(index: number): string {
    return formatCIDR(subnet(this.clusterCIDR, this.nodeMaskSize, index));
  }

  #indexOf(ip: number): number {
    return Math.floor((ip - this.clusterCIDR.network) / this.#step);
  }

  /** The node-CIDR indices covering the part of `cidr` inside the cluster CIDR. */
  #span(cidr: string): { first: number; last: number } | undefined {
    const parsed = parseCIDR(cidr);
    const lo = Math.max(parsed.network, this.clusterCIDR.network);
    const hi = Math.min(broadcastAddress(parsed), broadcastAddress(this.clusterCIDR));
    if (lo > hi) return undefined;
    return { first: this.#indexOf(lo), last: this.#indexOf(hi) };
  }
}
