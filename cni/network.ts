/**
 * The cluster network's state, free of workers: node podCIDRs out of the
 * cluster CIDR and pod IPs out of each node's podCIDR, keyed by pod uid so
 * ADD is idempotent. The CNI actor drives it and rebuilds it from the
 * apiserver after a restart.
 */
import { CidrAllocator } from "./cidr-allocator.ts";
import { IpAllocator } from "./ip-allocator.ts";
import { ActorError } from "../runtime/errors.ts";

/** Options of a {@link PodNetwork}. */
export interface PodNetworkOptions {
  /** Default 10.244.0.0/16. */
  clusterCIDR?: string;
  /** Prefix length of each node's podCIDR (default 24). */
  nodeMaskSize?: number;
}

/** The CNI ADD result, shaped as the CNI spec's (version 1.0.0). */
export interface CniResult {
  cniVersion: "1.0.0";
  interfaces: { name: string; sandbox?: string }[];
  ips: { address: string; gateway: string; interface: number }[];
  routes: { dst: string; gw?: string }[];
  dns: Record<string, never>;
}

/** Node CIDRs and pod IPs of the whole cluster. */
export class PodNetwork {
  readonly clusterCIDR: string;
  readonly #cidrs: CidrAllocator;
  readonly #nodes = new Map<string, { cidr: string; ips: IpAllocator }>();

  constructor(options: PodNetworkOptions = {}) {
    this.clusterCIDR = options.clusterCIDR ?? "10.244.0.0/16";
    this.#cidrs = new CidrAllocator({ clusterCIDR: this.clusterCIDR, nodeMaskSize: options.nodeMaskSize ?? 24 });
  }

  /** The node's podCIDR, allocating one if it has none (CIDRExhausted when the cluster CIDR is full). */
  ensureNode(node: string, existing?: string): string {
    const known = this.#nodes.get(node);
    if (known) return known.cidr;
    let cidr: string;
    if (existing) {
      // A CIDR recorded on the Node (before a restart) is taken as it is.
      this.#cidrs.occupy(existing);
      cidr = existing;
    } else cidr = this.#cidrs.allocate();
    this.#nodes.set(node, { cidr, ips: new IpAllocator(cidr) });
    return cidr;
  }

  /** The node's podCIDR, if it has one here. */
  nodeCIDR(node: string): string | undefined {
    return this.#nodes.get(node)?.cidr;
  }

  /** Forgets a node: its CIDR and every pod IP in it go back to the pool. */
  removeNode(node: string): boolean {
    const n = this.#nodes.get(node);
    if (!n) return false;
    this.#cidrs.release(n.cidr);
    this.#nodes.delete(node);
    return true;
  }

  /** ADD: the pod's IP on its node (the same one again for the same uid). */
  add(node: string, podUid: string, sandbox?: string): CniResult {
    const n = this.#nodes.get(node);
    if (!n) throw new ActorError("NodeHasNoPodCIDR", `node ${node} has no podCIDR yet`);
    const ip = n.ips.allocate(podUid);
    return result(ip, n.ips.cidr.prefix, n.ips.gateway!, sandbox);
  }

  /** Records an IP a pod already has (rebuilding after a restart); conflicts are errors. */
  restore(node: string, podUid: string, ip: string): void {
    const n = this.#nodes.get(node);
    if (!n) throw new ActorError("NodeHasNoPodCIDR", `node ${node} has no podCIDR yet`);
    n.ips.allocateSpecific(ip, podUid);
  }

  /** DEL: releases the pod's IP; true when it had one. Idempotent. */
  del(node: string | undefined, podUid: string): boolean {
    if (node) return this.#nodes.get(node)?.ips.releaseOwner(podUid) !== undefined;
    for (const n of this.#nodes.values()) if (n.ips.releaseOwner(podUid) !== undefined) return true;
    return false;
  }

  /** CHECK: the pod's IP, or an error when it has none. */
  check(node: string, podUid: string): string {
    const ip = this.#nodes.get(node)?.ips.ipOf(podUid);
    if (!ip) throw new ActorError("NoAddress", `pod ${podUid} has no address on node ${node}`);
    return ip;
  }

  /** Counts for inspection. */
  stats(): { nodes: number; podIPs: number; freeNodeCIDRs: number } {
    let podIPs = 0;
    for (const n of this.#nodes.values()) podIPs += n.ips.used;
    return { nodes: this.#nodes.size, podIPs, freeNodeCIDRs: this.#cidrs.free };
  }

  /** Every (ip, pod uid) pair held, for invariant checks. */
  *addresses(): Iterable<[string, string]> {
    for (const n of this.#nodes.values()) for (const [ip, owner] of n.ips.entries()) yield [ip, owner];
  }
}

function result(ip: string, prefix: number, gateway: string, sandbox?: string): CniResult {
  return {
    cniVersion: "1.0.0",
    interfaces: [{ name: "eth0", ...(sandbox ? { sandbox } : {}) }],
    ips: [{ address: `${ip}/${prefix}`, gateway, interface: 0 }],
    routes: [{ dst: "0.0.0.0/0", gw: gateway }],
    dns: {},
  };
}
