/**
 * How fast the node lifecycle controller may put NoExecute taints on
 * unhealthy nodes (and so have their pods evicted), as kube-controller-manager
 * decides it: nodes are grouped by zone, each zone has a queue of nodes to
 * taint drained through a token bucket, and the bucket's rate follows the
 * zone's health:
 *
 * - Normal: `--node-eviction-rate` (default 0.1 nodes/s, burst 1);
 * - PartialDisruption (more than 2 nodes and at least `--unhealthy-zone-threshold`,
 *   default 55 %, not Ready): `--secondary-node-eviction-rate` (default 0.01/s)
 *   when the zone has more than `--large-cluster-size-threshold` (default 50)
 *   nodes, otherwise 0 — tainting stops;
 * - FullDisruption (no node Ready): the normal rate, unless every zone is fully
 *   disrupted: then the control plane is the likely culprit, so all NoExecute
 *   taints are removed and tainting stops until some node is Ready again.
 */
import type { Clock } from "../../runtime/clock.ts";
import type { Node, NodeCondition } from "../api/types/core-node.ts";

/** The health of one zone. */
export type ZoneState = "Initial" | "Normal" | "PartialDisruption" | "FullDisruption";

/** Eviction settings, with Kubernetes' defaults. */
export interface EvictionSettings {
  /** Nodes per second tainted in a healthy zone (default 0.1). */
  evictionRate: number;
  /** Nodes per second in a partly disrupted large zone (default 0.01). */
  secondaryEvictionRate: number;
  /** Zones with more nodes than this count as large (default 50). */
  largeClusterSizeThreshold: number;
  /** Share of not-Ready nodes that makes a zone partly disrupted (default 0.55). */
  unhealthyZoneThreshold: number;
}

/** The zone a node belongs to: region and zone labels, "" for nodes without them. */
export function zoneKey(node: Node): string {
  const l = node.metadata.labels ?? {};
  const region = l["topology.kubernetes.io/region"] ?? l["failure-domain.beta.kubernetes.io/region"] ?? "";
  const zone = l["topology.kubernetes.io/zone"] ?? l["failure-domain.beta.kubernetes.io/zone"] ?? "";
  return region === "" && zone === "" ? "" : `${region}:\u0000:${zone}`;
}

/** Nodes labelled `node.kubernetes.io/exclude-disruption` do not count towards their zone's health. */
export function excludedFromDisruption(node: Node): boolean {
  return Object.hasOwn(node.metadata.labels ?? {}, "node.kubernetes.io/exclude-disruption");
}

/** A zone's state from its nodes' Ready conditions (undefined = never reported). */
export function computeZoneState(ready: readonly (NodeCondition | undefined)[], unhealthyZoneThreshold: number): ZoneState {
  const readyNodes = ready.filter((c) => c?.status === "True").length;
  const notReady = ready.length - readyNodes;
  if (readyNodes === 0 && notReady > 0) return "FullDisruption";
  if (notReady > 2 && notReady / ready.length >= unhealthyZoneThreshold) return "PartialDisruption";
  return "Normal";
}

/** The tainting rate of a zone of `size` nodes in `state`. */
export function zoneRate(state: ZoneState, size: number, s: EvictionSettings): number {
  if (state === "PartialDisruption") return size > s.largeClusterSizeThreshold ? s.secondaryEvictionRate : 0;
  return s.evictionRate;
}

/** A token bucket that answers "may I, now?" without reserving (flowcontrol's TryAccept); rate 0 never accepts. */
export class TokenBucket {
  readonly qps: number;
  readonly #burst: number;
  readonly #clock: Clock;
  #tokens: number;
  #last: number;

  constructor(qps: number, burst: number, clock: Clock) {
    this.qps = qps;
    this.#burst = burst;
    this.#clock = clock;
    this.#tokens = burst;
    this.#last = clock.now();
  }

  tryAccept(): boolean {
    if (!(this.qps > 0)) return false;
    const now = Math.max(this.#clock.now(), this.#last);
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) / 1000) * this.qps);
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

/** The answer of a tainting attempt: done, or try again after `retryMs`. */
export type TryResult = { done: true } | { done: false; retryMs: number };

/**
 * One zone's queue of nodes waiting for a NoExecute taint (client-go's
 * RateLimitedTimedQueue): unique by node name, first in first out, every
 * attempt takes a token.
 */
export class ZoneTaintQueue {
  readonly #clock: Clock;
  #limiter: TokenBucket;
  // node name -> when it may be processed; Map keeps insertion order.
  readonly #queue = new Map<string, number>();

  constructor(qps: number, clock: Clock) {
    this.#clock = clock;
    this.#limiter = new TokenBucket(qps, 1, clock);
  }

  /** The current rate (nodes per second). */
  get qps(): number {
    return this.#limiter.qps;
  }

  /** Replaces the rate limiter when the zone's state changes (a new bucket starts full). */
  swapLimiter(qps: number): void {
    if (qps === this.#limiter.qps) return;
    this.#limiter = new TokenBucket(qps, 1, this.#clock);
  }

  /** Queues `node`; false when it is queued already. */
  add(node: string): boolean {
    if (this.#queue.has(node)) return false;
    this.#queue.set(node, this.#clock.now());
    return true;
  }

  /** Drops `node` from the queue. */
  remove(node: string): boolean {
    return this.#queue.delete(node);
  }

  has(node: string): boolean {
    return this.#queue.has(node);
  }

  get size(): number {
    return this.#queue.size;
  }

  /** Processes due nodes in order while the limiter allows; a failed attempt goes to the back with its retry time. */
  async try(fn: (node: string) => Promise<TryResult>): Promise<void> {
    for (;;) {
      const now = this.#clock.now();
      let node: string | undefined;
      for (const [n, at] of this.#queue) {
        if (at <= now) {
          node = n;
          break;
        }
      }
      if (node === undefined) return;
      if (!this.#limiter.tryAccept()) return;
      const r = await fn(node).catch((): TryResult => ({ done: false, retryMs: 50 }));
      // The node may have been removed (it became Ready) while we were tainting it.
      if (!this.#queue.has(node)) continue;
      this.#queue.delete(node);
      if (!r.done) this.#queue.set(node, this.#clock.now() + r.retryMs + 1);
    }
  }
}
