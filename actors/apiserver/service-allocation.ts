/**
 * Service ClusterIP and NodePort allocation, done by the apiserver around a
 * Service's writes as kube-apiserver's Service storage does: a cluster IP
 * from the service CIDR (`serviceClusterIPRange`, default 10.96.0.0/12) and
 * node ports from `serviceNodePortRange` (default 30000-32767), requested
 * values honoured, duplicates refused with Kubernetes' messages, everything
 * released on delete or when a type change no longer needs it.
 *
 * Each range is split as KEP-3070/KEP-3668 split it: a small low band that
 * automatic allocation only uses once the rest is full, so values people
 * pick by hand (10.96.0.10 for DNS, 30080) rarely collide with automatic
 * ones. Automatic allocation is next-fit (see cni/bitmap.ts) rather than
 * Kubernetes' random pick, so runs are reproducible. The state is rebuilt
 * from the stored Services whenever the apiserver starts.
 */
import type { KubeObject } from "../api/meta.ts";
import { hasCode } from "../../runtime/errors.ts";
import type { Service, ServicePort } from "../api/types/index.ts";
import { internalError, invalid as invalidStatus } from "../api/status.ts";
import { RangeAllocator } from "../../cni/range-allocator.ts";
import { formatPortRange, parsePortRange, type PortRange } from "../../cni/port-allocator.ts";
import { addressAt, cidrSize, formatCIDR, parseCIDR, type Cidr } from "../../cni/cidr.ts";
import { formatIPv4, tryParseIPv4 } from "../../cni/ipv4.ts";
import { at, invalid } from "./registry/field-errors.ts";
import type { FieldError } from "./registry/resource.ts";
import type { ApiServer, WriteReservation } from "./server.ts";
import { sameJson, timestamp } from "./objects.ts";
import { apiVersionOf, storeKey } from "./registry/resource.ts";

/** kube-apiserver's service ranges. */
export interface ServiceAllocationConfig {
  /** The service CIDR (default 10.96.0.0/12). IPv4 single-stack. */
  serviceClusterIPRange?: string;
  /** NodePort range, "min-max" (default 30000-32767). */
  serviceNodePortRange?: string;
}

type Take = "ok" | "taken" | "outOfRange";

/** Indices 0..span-1 in a low (static) and a high (dynamic) band; automatic allocation takes the high band first. */
class BandedRange {
  readonly #low: RangeAllocator;
  readonly #high: RangeAllocator;
  readonly #split: number;
  readonly span: number;

  constructor(span: number, split: number, reserved: number[], range: string) {
    const labels = { exhausted: "Full", taken: "Taken", outOfRange: "OutOfRange", noun: "values", range };
    this.span = span;
    this.#split = split;
    this.#low = new RangeAllocator(split, labels, reserved.filter((i) => i < split));
    this.#high = new RangeAllocator(span - split, labels, reserved.filter((i) => i >= split).map((i) => i - split));
  }

  /** How many values are held. */
  get used(): number {
    return this.#low.used + this.#high.used;
  }

  /** How many values can be held. */
  get size(): number {
    return this.#low.size + this.#high.size;
  }

  /** The next free index, high band first; undefined when the range is full. */
  next(): number | undefined {
    if (this.#high.free > 0) return this.#split + this.#high.allocate();
    if (this.#low.free > 0) return this.#low.allocate();
    return undefined;
  }

  /** Takes exactly `index`. */
  take(index: number): Take {
    if (!Number.isInteger(index) || index < 0 || index >= this.span) return "outOfRange";
    const [band, i] = index < this.#split ? [this.#low, index] : [this.#high, index - this.#split];
    if (band.isReserved(i)) return "outOfRange";
    return band.occupy(i) ? "ok" : "taken";
  }

  /** Frees `index`; false when it was not held. */
  release(index: number): boolean {
    if (!Number.isInteger(index) || index < 0 || index >= this.span) return false;
    return index < this.#split ? this.#low.release(index) : this.#high.release(index - this.#split);
  }
}

/** Size of the low band: kube-apiserver's calculateRangeOffset for service CIDRs (16..256 addresses). */
function ipBandOffset(size: number): number {
  if (size < 16) return 0;
  return Math.min(256, Math.max(16, Math.floor(size / 16)));
}

/** Size of the low band for node ports (16..128 ports). */
function portBandOffset(size: number): number {
  if (size <= 16) return 0;
  return Math.min(128, Math.max(16, Math.floor(size / 32)));
}

/** True when the service gets node ports: NodePort, and LoadBalancer unless allocateLoadBalancerNodePorts is false. */
function allocatesNodePorts(svc: Service): boolean {
  const t = svc.spec.type;
  return t === "NodePort" || (t === "LoadBalancer" && svc.spec.allocateLoadBalancerNodePorts !== false);
}

/** True for the types that may carry node ports at all. */
function hasNodePortType(svc: Service): boolean {
  return svc.spec.type === "NodePort" || svc.spec.type === "LoadBalancer";
}

/** LoadBalancer with externalTrafficPolicy Local: needs a health check node port. */
function needsHealthCheck(svc: Service): boolean {
  return svc.spec.type === "LoadBalancer" && svc.spec.externalTrafficPolicy === "Local";
}

/** The distinct node ports a service holds. */
function nodePortsOf(svc: Service): number[] {
  return [...new Set((svc.spec.ports ?? []).map((p) => p.nodePort ?? 0).filter((n) => n > 0))];
}

/** The cluster IPs a service holds (none for headless and ExternalName). */
function clusterIPsOf(svc: Service): string[] {
  if (svc.spec.type === "ExternalName") return [];
  const ips = svc.spec.clusterIPs?.length ? svc.spec.clusterIPs : svc.spec.clusterIP ? [svc.spec.clusterIP] : [];
  return ips.filter((ip) => ip && ip !== "None");
}

/** What one write allocated (undone on failure) and what it frees once it lands. */
class Reservation implements WriteReservation {
  readonly ips: number[] = [];
  readonly ports: number[] = [];
  readonly freeIPs: number[] = [];
  readonly freePorts: number[] = [];
  readonly #owner: ServiceAllocator;

  constructor(owner: ServiceAllocator) {
    this.#owner = owner;
  }

  commit(): void {
    for (const i of this.freeIPs.splice(0)) this.#owner.ipBand.release(i);
    for (const p of this.freePorts.splice(0)) this.#owner.releasePort(p);
    this.ips.length = this.ports.length = 0;
  }

  revert(): void {
    for (const i of this.ips.splice(0)) this.#owner.ipBand.release(i);
    for (const p of this.ports.splice(0)) this.#owner.releasePort(p);
    this.freeIPs.length = this.freePorts.length = 0;
  }
}

const nothing: WriteReservation = { commit() {}, revert() {} };

/** The apiserver's ClusterIP and NodePort allocators. */
export class ServiceAllocator {
  /** The service CIDR. */
  readonly cidr: Cidr;
  /** The NodePort range. */
  readonly portRange: PortRange;
  /** @internal the cluster-IP band, by offset in the CIDR. */
  readonly ipBand: BandedRange;
  readonly #ports: BandedRange;
  /** Values two stored services both claimed (found while rebuilding). */
  conflicts = 0;

  /** Throws `InvalidCIDR` / `InvalidPortRange` on bad ranges. */
  constructor(config: ServiceAllocationConfig = {}) {
    this.cidr = parseCIDR(config.serviceClusterIPRange ?? "10.96.0.0/12");
    this.portRange = parsePortRange(config.serviceNodePortRange ?? "30000-32767");
    const size = cidrSize(this.cidr);
    if (size > 2 ** 24) throw new Error(`the service CIDR ${formatCIDR(this.cidr)} is larger than a /8`);
    const reserved = size > 2 ? [0, size - 1] : [];
    this.ipBand = new BandedRange(size, Math.min(size, size > 2 ? ipBandOffset(size) + 1 : 0), reserved, formatCIDR(this.cidr));
    const span = this.portRange.max - this.portRange.min + 1;
    this.#ports = new BandedRange(span, portBandOffset(span), [], formatPortRange(this.portRange));
  }

  /** The first address of the range, which the `kubernetes` service takes. */
  get firstIP(): string {
    return formatIPv4(addressAt(this.cidr, 1));
  }

  /** Reserves what a stored service holds (rebuilding after a start); counts values someone else holds already. */
  occupy(svc: Service): void {
    for (const ip of clusterIPsOf(svc)) {
      const i = this.#ipIndex(ip);
      if (i !== undefined && this.ipBand.take(i) === "taken") this.conflicts++;
    }
    for (const p of [...nodePortsOf(svc), svc.spec.healthCheckNodePort ?? 0]) {
      if (p && this.#ports.take(p - this.portRange.min) === "taken") this.conflicts++;
    }
  }

  /** Frees everything a deleted service held. */
  release(svc: Service): void {
    for (const ip of clusterIPsOf(svc)) {
      const i = this.#ipIndex(ip);
      if (i !== undefined) this.ipBand.release(i);
    }
    for (const p of [...nodePortsOf(svc), svc.spec.healthCheckNodePort ?? 0]) if (p) this.releasePort(p);
  }

  /** @internal frees one node port. */
  releasePort(port: number): void {
    this.#ports.release(port - this.portRange.min);
  }

  /** Allocation for a new service: fills clusterIP(s), nodePorts, healthCheckNodePort; throws Invalid or InternalError. */
  create(svc: Service, dryRun: boolean): WriteReservation {
    if (svc.spec.type === "ExternalName") return nothing;
    this.#checkFamilies(svc);
    return this.#reserve(dryRun, (r) => {
      this.#allocClusterIP(svc, r);
      if (hasNodePortType(svc)) this.#initNodePorts(svc, r);
      if (needsHealthCheck(svc)) this.#allocHealthCheck(svc, r);
    });
  }

  /** Allocation for an update: type changes allocate or release; removed ports are freed once the write lands. */
  update(svc: Service, old: Service, dryRun: boolean): WriteReservation {
    return this.#reserve(dryRun, (r) => {
      this.#updateClusterIP(svc, old, r);
      if (hasNodePortType(old) && !hasNodePortType(svc)) for (const p of nodePortsOf(old)) r.freePorts.push(p);
      if (hasNodePortType(svc)) this.#updateNodePorts(svc, old, r);
      this.#updateHealthCheck(svc, old, r);
    });
  }

  // Runs `work` on a fresh reservation, undone when it throws; a dry run keeps nothing.
  #reserve(dryRun: boolean, work: (r: Reservation) => void): WriteReservation {
    const r = new Reservation(this);
    try {
      work(r);
    } catch (err) {
      r.revert();
      throw err;
    }
    if (!dryRun) return r;
    r.revert();
    return nothing;
  }

  /** Figures for the apiserver's inspect. */
  stats(): Record<string, unknown> {
    return {
      serviceClusterIPRange: formatCIDR(this.cidr),
      clusterIPs: { used: this.ipBand.used, size: this.ipBand.size },
      serviceNodePortRange: formatPortRange(this.portRange),
      nodePorts: { used: this.#ports.used, size: this.#ports.size },
      conflicts: this.conflicts,
    };
  }

  // ---- cluster IPs --------------------------------------------------------

  #checkFamilies(svc: Service): void {
    const spec = svc.spec;
    const errs: FieldError[] = [];
    const ips = spec.clusterIPs ?? [];
    if (spec.clusterIP === "None" && !Object.keys(spec.selector ?? {}).length) return; // headless, selectorless: any families
    if (spec.ipFamilyPolicy === "RequireDualStack") errs.push(invalid("spec.ipFamilyPolicy", spec.ipFamilyPolicy, "this cluster is not configured for dual-stack services"));
    if (spec.ipFamilyPolicy === "SingleStack" && ips.length === 2) errs.push(invalid("spec.ipFamilyPolicy", spec.ipFamilyPolicy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"));
    ips.forEach((ip, i) => {
      if (i > 0 && ip.includes(":")) errs.push(invalid(at("spec.clusterIPs", i), ips, "IPv6 is not configured on this cluster"));
    });
    (spec.ipFamilies ?? []).forEach((f, i) => {
      if (f !== "IPv4") errs.push(invalid(at("spec.ipFamilies", i), f, "not configured on this cluster"));
    });
    if (errs.length) throw this.#invalid(svc, errs);
  }

  #allocClusterIP(svc: Service, r: Reservation): void {
    const spec = svc.spec;
    const ips = spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
    if (ips[0] === "None") return;
    if (ips[0]) {
      const ip = ips[0];
      const i = this.#ipIndex(ip);
      const got = i === undefined ? "outOfRange" : this.ipBand.take(i);
      if (got !== "ok") {
        const why = got === "taken" ? "provided IP is already allocated" : `the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${formatCIDR(this.cidr)}`;
        throw this.#invalid(svc, [invalid("spec.clusterIPs", ips, `failed to allocate IP ${ip}: ${why}`)]);
      }
      r.ips.push(i!);
      return;
    }
    const i = this.ipBand.next();
    if (i === undefined) throw internalError("failed to allocate a serviceIP: range is full");
    r.ips.push(i);
    spec.clusterIP = formatIPv4(addressAt(this.cidr, i));
    spec.clusterIPs = [spec.clusterIP];
  }

  #updateClusterIP(svc: Service, old: Service, r: Reservation): void {
    const toExternal = svc.spec.type === "ExternalName";
    if (old.spec.type === "ExternalName" && !toExternal) {
      this.#checkFamilies(svc);
      return this.#allocClusterIP(svc, r);
    }
    if (toExternal) {
      for (const ip of clusterIPsOf(old)) {
        const i = this.#ipIndex(ip);
        if (i !== undefined) r.freeIPs.push(i);
      }
      return;
    }
    // A service stored before allocation existed gets its address on the next update.
    if (!clusterIPsOf(old).length && old.spec.clusterIP !== "None") this.#allocClusterIP(svc, r);
  }

  #ipIndex(ip: string): number | undefined {
    const n = tryParseIPv4(ip);
    if (n === undefined) return undefined;
    const i = n - this.cidr.network;
    return i >= 0 && i < this.ipBand.span ? i : undefined;
  }

  // ---- node ports ---------------------------------------------------------

  #takePort(port: number, svc: Service, field: string, r: Reservation): void {
    const got = this.#ports.take(port - this.portRange.min);
    if (got === "ok") {
      r.ports.push(port);
      return;
    }
    const why = got === "taken" ? "provided port is already allocated" : `provided port is not in the valid range. The range of valid ports is ${formatPortRange(this.portRange)}`;
    throw this.#invalid(svc, [invalid(field, port, why)]);
  }

  #nextPort(r: Reservation, what = "a nodePort"): number {
    const i = this.#ports.next();
    if (i === undefined) throw internalError(`failed to allocate ${what}: range is full`);
    const port = this.portRange.min + i;
    r.ports.push(port);
    return port;
  }

  // Ports sharing a port number (dns over UDP and TCP) share one node port, as in Kubernetes.
  #initNodePorts(svc: Service, r: Reservation): void {
    const ports = svc.spec.ports ?? [];
    const byPort = new Map<number, number>();
    const auto = allocatesNodePorts(svc);
    ports.forEach((p, i) => {
      if (!p.nodePort && !auto) return;
      const field = `${at("spec.ports", i)}.nodePort`;
      const already = byPort.get(p.port);
      if (already === undefined) {
        const requested = ports.slice(i).find((o: ServicePort) => o.port === p.port && o.nodePort)?.nodePort;
        if (requested) this.#takePort(requested, svc, field, r);
        p.nodePort = requested || this.#nextPort(r);
        byPort.set(p.port, p.nodePort);
      } else if (p.nodePort !== already) {
        if (!p.nodePort) p.nodePort = already;
        else this.#takePort(p.nodePort, svc, field, r);
      }
    });
  }

  #updateNodePorts(svc: Service, old: Service, r: Reservation): void {
    const before = new Set(nodePortsOf(old));
    const taken = new Set<number>();
    const auto = allocatesNodePorts(svc);
    (svc.spec.ports ?? []).forEach((p, i) => {
      if (!p.nodePort && !auto) return;
      if (p.nodePort) {
        if (!before.has(p.nodePort) && !taken.has(p.nodePort)) {
          this.#takePort(p.nodePort, svc, `${at("spec.ports", i)}.nodePort`, r);
          taken.add(p.nodePort);
        }
      } else p.nodePort = this.#nextPort(r);
    });
    const after = new Set(nodePortsOf(svc));
    for (const p of before) if (!after.has(p)) r.freePorts.push(p);
  }

  #allocHealthCheck(svc: Service, r: Reservation): void {
    const want = svc.spec.healthCheckNodePort;
    if (!want) {
      svc.spec.healthCheckNodePort = this.#nextPort(r, "a HealthCheck NodePort");
      return;
    }
    const got = this.#ports.take(want - this.portRange.min);
    if (got === "ok") return void r.ports.push(want);
    const why = got === "taken" ? "provided port is already allocated" : `provided port is not in the valid range. The range of valid ports is ${formatPortRange(this.portRange)}`;
    throw internalError(`failed to allocate requested HealthCheck NodePort ${want}: ${why}`);
  }

  #updateHealthCheck(svc: Service, old: Service, r: Reservation): void {
    const needed = needsHealthCheck(old);
    const needs = needsHealthCheck(svc);
    if (!needed && needs) return this.#allocHealthCheck(svc, r);
    if (needed && !needs) {
      if (old.spec.healthCheckNodePort) r.freePorts.push(old.spec.healthCheckNodePort);
      delete svc.spec.healthCheckNodePort;
      return;
    }
    if (needed && needs) {
      if (!svc.spec.healthCheckNodePort) svc.spec.healthCheckNodePort = old.spec.healthCheckNodePort;
      else if (svc.spec.healthCheckNodePort !== old.spec.healthCheckNodePort) {
        throw this.#invalid(svc, [invalid("spec.healthCheckNodePort", svc.spec.healthCheckNodePort, "cannot change healthCheckNodePort on loadBalancer service with externalTraffic=Local during update")]);
      }
    }
  }

  #invalid(svc: Service, errs: FieldError[]) {
    return invalidStatus("Service", svc.metadata.name ?? "", errs.map((e) => ({ reason: e.reason, field: e.field, message: e.message })));
  }
}

/** Builds the allocators from the stored Services and hooks them into the apiserver's Service writes. */
export async function installServiceAllocation(api: ApiServer, config: ServiceAllocationConfig = {}): Promise<ServiceAllocator> {
  const alloc = new ServiceAllocator(config);
  const t = api.target("services", "", undefined);
  const stored = await api.list(t);
  for (const svc of stored.items) alloc.occupy(svc as Service);
  api.hooks.set(t.def, {
    create: (obj: KubeObject, dryRun: boolean) => alloc.create(obj as Service, dryRun),
    update: (obj: KubeObject, old: KubeObject, dryRun: boolean) => alloc.update(obj as Service, old as Service, dryRun),
    deleted: (obj: KubeObject) => alloc.release(obj as Service),
  });
  return alloc;
}


/** Where clients reach the apiserver, for the `kubernetes` Service's endpoints. */
export interface ApiserverEndpoint {
  /** Default 127.0.0.1, where actorkube serves. */
  address?: string;
  /** The secure port (default 6443). */
  port?: number;
}

/**
 * The `default/kubernetes` Service as kube-apiserver keeps it: the range's
 * first address, port 443 to the secure port, and Endpoints and an
 * EndpointSlice pointing at the apiserver. Idempotent; run at every start.
 */
export async function ensureKubernetesService(api: ApiServer, alloc: ServiceAllocator, where: ApiserverEndpoint = {}): Promise<void> {
  const address = where.address ?? "127.0.0.1";
  const port = where.port ?? 6443;
  const svcT = api.target("services", "", "default");
  const ports = [{ name: "https", port: 443, protocol: "TCP" as const, targetPort: port }];
  const current = (await api.get(svcT, "kubernetes").catch((err: unknown) => {
    if (hasCode(err, "NotFound")) return undefined;
    throw err;
  })) as Service | undefined;
  if (!current) {
    const spec: Service["spec"] = { type: "ClusterIP", sessionAffinity: "None", clusterIP: alloc.firstIP, ports };
    const svc = { metadata: { name: "kubernetes", namespace: "default", labels: { component: "apiserver", provider: "kubernetes" } }, spec };
    await api.create(svcT, svc).catch(async (err: unknown) => {
      // The first address went to someone else; take any, as a restarted cluster must still serve.
      if (!hasCode(err, "Invalid")) throw err;
      delete spec.clusterIP;
      await api.create(svcT, svc);
    });
  } else if (!sameJson(current.spec.ports, ports)) {
    await api.update(svcT, { ...current, spec: { ...current.spec, ports } });
  }
  const epPort = { name: "https", port, protocol: "TCP" };
  await putOwn(api, "endpoints", "", "kubernetes", { "endpointslice.kubernetes.io/skip-mirror": "true" }, { subsets: [{ addresses: [{ ip: address }], ports: [epPort] }] });
  await putOwn(api, "endpointslices", "discovery.k8s.io", "kubernetes", { "kubernetes.io/service-name": "kubernetes" }, {
    addressType: "IPv4",
    endpoints: [{ addresses: [address], conditions: { ready: true } }],
    ports: [epPort],
  });
}

/**
 * Writes one of the apiserver's own objects in `default` straight to the
 * store, as its endpoint reconciler owns them: the loopback address
 * actorkube serves on would not pass Endpoints validation from a client.
 */
async function putOwn(api: ApiServer, resource: string, group: string, name: string, labels: Record<string, string>, body: Record<string, unknown>): Promise<void> {
  const t = api.target(resource, group, "default");
  const key = storeKey(t.def, "default", name);
  const cur = await api.store.get(key);
  const old = cur?.value as KubeObject | undefined;
  if (old && sameJson(old.metadata.labels, labels) && Object.entries(body).every(([k, v]) => sameJson(old[k], v))) return;
  const metadata = {
    name,
    namespace: "default",
    labels,
    uid: old?.metadata.uid ?? crypto.randomUUID(),
    creationTimestamp: old?.metadata.creationTimestamp ?? timestamp(api.clock.now()),
  };
  const obj = { apiVersion: apiVersionOf(t.def), kind: t.def.kind, metadata, ...body };
  await api.store.txn({
    compare: [cur ? { key, target: "modRevision", op: "=", value: cur.modRevision } : { key, target: "version", op: "=", value: 0 }],
    success: [{ type: "put", key, value: obj }],
  });
}
