/**
 * A simulated cloud: instances behind the nodes, a VPC route table, load
 * balancers with external IPs from a pool, and block disks that attach to
 * one instance at a time. It lives in memory; after a restart the
 * controllers rebuild it from the cluster's objects (nodes adopt instances,
 * PVs name their disks, LoadBalancer services their IPs), so only facts the
 * cluster never recorded (a termination not yet acted on) are lost.
 * Faults can be injected: terminate an instance, fail the next attaches.
 */
import { ActorError } from "../../runtime/errors.ts";
import { IpAllocator } from "../../cni/ip-allocator.ts";
import { formatCIDR } from "../../cni/cidr.ts";
import { parseQuantity } from "../api/quantity.ts";
import type { Node, NodeAddress } from "../api/types/core-node.ts";
import type { LoadBalancerIngress, Service } from "../api/types/core-service.ts";
import {
  CloudCodes,
  defaultLoadBalancerName,
  type CloudProvider,
  type Disk,
  type InstanceMetadata,
  type LoadBalancerInfo,
  type Route,
} from "./provider.ts";

/** Settings of the simulated cloud. */
export interface SimulatedCloudOptions {
  /** Provider name and provider-ID scheme (default `actorkube`). */
  name?: string;
  /** Region of every instance (default `actorkube-1`). */
  region?: string;
  /** Zones instances are spread over, round-robin (default `<region>a`, `b`, `c`). */
  zones?: string[];
  /** Where load-balancer IPs come from (default 172.18.255.0/24, beside the nodes' 172.18.0.0/16 addresses). */
  loadBalancerCIDR?: string;
}

/** One simulated machine. */
export interface SimInstance {
  node: string;
  providerID: string;
  instanceType: string;
  zone: string;
  region: string;
  internalIP?: string;
  state: "running" | "stopped" | "terminated";
}

const ZONE_LABEL = "topology.kubernetes.io/zone";
const DEVICE_LETTERS = "bcdefghijklmnopqrstuvwxyz";

/** The simulated provider; also answers the REPL's inspection and fault-injection calls. */
export class SimulatedCloud implements CloudProvider {
  readonly name: string;
  readonly region: string;
  readonly zones: string[];
  readonly #instances = new Map<string, SimInstance>();
  readonly #routes = new Map<string, Route>();
  readonly #lbs = new Map<string, LoadBalancerInfo>();
  readonly #pool: IpAllocator;
  readonly #disks = new Map<string, Disk>();
  readonly #diskByName = new Map<string, string>();
  readonly #failAttach = new Map<string, number>();
  #adopted = 0;

  constructor(options: SimulatedCloudOptions = {}) {
    this.name = options.name ?? "actorkube";
    this.region = options.region ?? "actorkube-1";
    this.zones = options.zones?.length ? [...options.zones] : ["a", "b", "c"].map((z) => `${this.region}${z}`);
    this.#pool = new IpAllocator(options.loadBalancerCIDR ?? "172.18.255.0/24", { gateway: false });
  }

  /** The load-balancer address pool, as CIDR text. */
  get loadBalancerPool(): string {
    return formatCIDR(this.#pool.cidr);
  }

  // ---- instances ----------------------------------------------------------

  /**
   * The instance behind a node. A node the cloud has not seen is adopted
   * (every registered node runs on a simulated machine), keeping a zone it
   * is already labelled with; a terminated instance is not found.
   */
  #instanceFor(node: Node): SimInstance | undefined {
    const name = node.metadata.name!;
    let inst = this.#instances.get(name);
    if (!inst) {
      const zone = node.metadata.labels?.[ZONE_LABEL] ?? this.zones[this.#adopted++ % this.zones.length];
      inst = {
        node: name,
        providerID: `${this.name}://${name}`,
        instanceType: instanceTypeOf(node),
        zone,
        region: this.region,
        internalIP: node.status?.addresses?.find((a) => a.type === "InternalIP")?.address,
        state: "running",
      };
      this.#instances.set(name, inst);
    }
    if (!inst.internalIP) inst.internalIP = node.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
    return inst.state === "terminated" ? undefined : inst;
  }

  async instanceMetadata(node: Node): Promise<InstanceMetadata> {
    const inst = this.#instanceFor(node);
    if (!inst) throw new ActorError(CloudCodes.InstanceNotFound, `instance ${this.name}://${node.metadata.name} not found`);
    const addresses: NodeAddress[] = [];
    if (inst.internalIP) addresses.push({ type: "InternalIP", address: inst.internalIP });
    addresses.push({ type: "InternalDNS", address: `${inst.node}.${inst.region}.compute.internal` });
    addresses.push({ type: "Hostname", address: inst.node });
    return { providerID: inst.providerID, instanceType: inst.instanceType, addresses, zone: inst.zone, region: inst.region };
  }

  async instanceExists(node: Node): Promise<boolean> {
    return this.#instanceFor(node) !== undefined;
  }

  async instanceShutdown(node: Node): Promise<boolean> {
    return this.#instanceFor(node)?.state === "stopped";
  }

  /** Terminates a node's instance: it stops existing and its disks come off it. Returns it, or undefined for an unknown node. */
  terminate(node: string): SimInstance | undefined {
    const inst = this.#instances.get(node);
    if (!inst) return undefined;
    inst.state = "terminated";
    for (const d of this.#disks.values()) if (d.attachedTo === node) this.#detach(d);
    return { ...inst };
  }

  /** Every instance the cloud knows, terminated ones included. */
  instances(): SimInstance[] {
    return [...this.#instances.values()].map((i) => ({ ...i })).sort((a, b) => a.node.localeCompare(b.node));
  }

  // ---- routes -------------------------------------------------------------

  async listRoutes(_clusterName: string): Promise<Route[]> {
    return this.routes();
  }

  async createRoute(clusterName: string, nameHint: string, route: Omit<Route, "name" | "blackhole">): Promise<void> {
    const name = `${clusterName}-${nameHint}`;
    this.#routes.set(name, { name, targetNode: route.targetNode, destinationCIDR: route.destinationCIDR });
  }

  async deleteRoute(_clusterName: string, route: Route): Promise<void> {
    this.#routes.delete(route.name);
  }

  /** The route table, with routes to gone instances marked blackhole. */
  routes(): Route[] {
    return [...this.#routes.values()]
      .map((r) => {
        const inst = this.#instances.get(r.targetNode);
        return !inst || inst.state === "terminated" ? { ...r, blackhole: true } : { ...r };
      })
      .sort((a, b) => a.destinationCIDR.localeCompare(b.destinationCIDR, undefined, { numeric: true }));
  }

  // ---- load balancers -----------------------------------------------------

  async getLoadBalancer(_clusterName: string, service: Service): Promise<{ ingress: LoadBalancerIngress[] } | undefined> {
    const lb = this.#lbs.get(serviceKey(service));
    return lb ? { ingress: lb.ingress.map((i) => ({ ...i })) } : undefined;
  }

  async ensureLoadBalancer(_clusterName: string, service: Service, nodes: Node[]): Promise<{ ingress: LoadBalancerIngress[] }> {
    const key = serviceKey(service);
    const wanted = service.spec.loadBalancerIP || undefined;
    let lb = this.#lbs.get(key);
    if (lb && wanted && lb.ingress[0]?.ip !== wanted) {
      this.#pool.releaseOwner(key);
      lb = undefined;
    }
    let ip: string;
    try {
      ip = wanted ? this.#pool.allocateSpecific(wanted, key) : this.#pool.allocate(key);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === "IPExhausted") throw new ActorError(CloudCodes.IPExhausted, `no free address left in the load-balancer pool ${this.loadBalancerPool}`);
      throw new ActorError(CloudCodes.InvalidLoadBalancerIP, `requested load-balancer IP ${wanted} cannot be used: ${(err as Error).message}`);
    }
    const next: LoadBalancerInfo = {
      name: lb?.name ?? defaultLoadBalancerName(service),
      service: key,
      ingress: [{ ip, ipMode: "VIP" }],
      ports: (service.spec.ports ?? []).map((p) => ({ port: p.port, protocol: p.protocol ?? "TCP", ...(p.nodePort ? { nodePort: p.nodePort } : {}) })),
      nodes: nodes.map((n) => n.metadata.name!).sort(),
    };
    this.#lbs.set(key, next);
    return { ingress: next.ingress.map((i) => ({ ...i })) };
  }

  async updateLoadBalancer(_clusterName: string, service: Service, nodes: Node[]): Promise<void> {
    const lb = this.#lbs.get(serviceKey(service));
    if (lb) lb.nodes = nodes.map((n) => n.metadata.name!).sort();
  }

  async ensureLoadBalancerDeleted(_clusterName: string, service: Service): Promise<void> {
    this.releaseLoadBalancer(serviceKey(service));
  }

  /** Deletes the load balancer of `namespace/name` and frees its IP. */
  releaseLoadBalancer(key: string): boolean {
    this.#pool.releaseOwner(key);
    return this.#lbs.delete(key);
  }

  /** Every load balancer. */
  loadBalancers(): LoadBalancerInfo[] {
    return [...this.#lbs.values()].map((lb) => structuredClone(lb)).sort((a, b) => a.service.localeCompare(b.service));
  }

  // ---- disks --------------------------------------------------------------

  async createDisk(name: string, capacityBytes: number, parameters: Record<string, string>): Promise<Disk> {
    const existing = this.#diskByName.get(name);
    if (existing) return { ...this.#disks.get(existing)! };
    const id = `disk-${crypto.randomUUID().replace(/-/g, "").slice(0, 17)}`;
    const zone = parameters.zone ?? this.zones[this.#disks.size % this.zones.length];
    const disk: Disk = { id, name, capacityBytes, zone, parameters: { ...parameters } };
    this.#disks.set(id, disk);
    this.#diskByName.set(name, id);
    return { ...disk };
  }

  /** Records a disk the cluster already refers to (a PV's volume handle), after a restart. */
  restoreDisk(id: string, name: string, capacityBytes: number): void {
    if (this.#disks.has(id)) return;
    this.#disks.set(id, { id, name, capacityBytes, zone: this.zones[this.#disks.size % this.zones.length], parameters: {} });
    this.#diskByName.set(name, id);
  }

  /** Records an attachment the cluster already reports (node.status.volumesAttached), after a restart. */
  restoreAttachment(id: string, node: string, devicePath: string): void {
    const d = this.#disks.get(id);
    if (d && !d.attachedTo) {
      d.attachedTo = node;
      d.devicePath = devicePath;
    }
  }

  /** Records a load balancer the cluster already shows (a Service's ingress IP), after a restart. */
  restoreLoadBalancer(service: Service, nodes: string[]): void {
    const key = serviceKey(service);
    const ip = service.status?.loadBalancer?.ingress?.[0]?.ip;
    if (!ip || this.#lbs.has(key)) return;
    try {
      this.#pool.allocateSpecific(ip, key);
    } catch {
      return;
    }
    this.#lbs.set(key, {
      name: defaultLoadBalancerName(service),
      service: key,
      ingress: [{ ip, ipMode: "VIP" }],
      ports: (service.spec.ports ?? []).map((p) => ({ port: p.port, protocol: p.protocol ?? "TCP", ...(p.nodePort ? { nodePort: p.nodePort } : {}) })),
      nodes: [...nodes].sort(),
    });
  }

  async deleteDisk(id: string): Promise<void> {
    const d = this.#disks.get(id);
    if (!d) return;
    if (d.attachedTo) throw new ActorError(CloudCodes.DiskInUse, `disk ${id} is attached to instance ${this.name}://${d.attachedTo}; detach it first`);
    this.#disks.delete(id);
    this.#diskByName.delete(d.name);
    this.#failAttach.delete(id);
  }

  async attachDisk(id: string, node: string): Promise<{ devicePath: string }> {
    const d = this.#disks.get(id);
    if (!d) throw new ActorError(CloudCodes.DiskNotFound, `disk ${id} not found`);
    const inst = this.#instances.get(node);
    if (!inst || inst.state === "terminated") throw new ActorError(CloudCodes.InstanceNotFound, `instance ${this.name}://${node} not found`);
    if (d.attachedTo === node) return { devicePath: d.devicePath! };
    if (d.attachedTo) throw new ActorError(CloudCodes.MultiAttach, `disk ${id} is already attached to instance ${this.name}://${d.attachedTo}`);
    const left = this.#failAttach.get(id) ?? 0;
    if (left > 0) {
      if (left === 1) this.#failAttach.delete(id);
      else this.#failAttach.set(id, left - 1);
      throw new ActorError(CloudCodes.AttachFailed, `rpc error: code = Internal desc = simulated failure attaching disk ${id} to instance ${this.name}://${node}`);
    }
    const used = new Set([...this.#disks.values()].filter((x) => x.attachedTo === node).map((x) => x.devicePath));
    const letter = [...DEVICE_LETTERS].find((l) => !used.has(`/dev/xvd${l}`));
    if (!letter) throw new ActorError(CloudCodes.AttachFailed, `instance ${this.name}://${node} has no free device slot (at most ${DEVICE_LETTERS.length} disks)`);
    d.attachedTo = node;
    d.devicePath = `/dev/xvd${letter}`;
    return { devicePath: d.devicePath };
  }

  async detachDisk(id: string, node: string): Promise<void> {
    const d = this.#disks.get(id);
    if (d && d.attachedTo === node) this.#detach(d);
  }

  async disksAttachedTo(node: string): Promise<Disk[]> {
    return [...this.#disks.values()].filter((d) => d.attachedTo === node).map((d) => ({ ...d }));
  }

  async getDisk(id: string): Promise<Disk | undefined> {
    const d = this.#disks.get(id);
    return d ? { ...d } : undefined;
  }

  /** Makes the next `times` attaches of disk `id` fail; returns false for an unknown disk. */
  failAttach(id: string, times = 1): boolean {
    if (!this.#disks.has(id)) return false;
    this.#failAttach.set(id, times);
    return true;
  }

  /** Every disk, with pending injected failures. */
  disks(): Array<Disk & { failAttach?: number }> {
    return [...this.#disks.values()]
      .map((d) => ({ ...d, ...(this.#failAttach.get(d.id) ? { failAttach: this.#failAttach.get(d.id) } : {}) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  #detach(d: Disk): void {
    delete d.attachedTo;
    delete d.devicePath;
  }
}

function serviceKey(svc: Service): string {
  return `${svc.metadata.namespace ?? "default"}/${svc.metadata.name}`;
}

/** `sim-standard-4` for a 4-CPU node with 4 GiB per CPU, `sim-custom-4-8192` otherwise. */
export function instanceTypeOf(node: Node): string {
  const cap = node.status?.capacity ?? {};
  let cpu = 0;
  let memMi = 0;
  try {
    cpu = Math.max(1, Math.round(parseQuantity(cap.cpu ?? "1")));
    memMi = Math.round(parseQuantity(cap.memory ?? "4Gi") / 2 ** 20);
  } catch {
    return "sim-standard-1";
  }
  return memMi === cpu * 4096 ? `sim-standard-${cpu}` : `sim-custom-${cpu}-${memMi}`;
}
