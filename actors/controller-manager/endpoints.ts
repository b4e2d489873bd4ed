/**
 * The Endpoints controller, as kube-controller-manager's `endpoint`: for
 * every Service with a selector, one core/v1 Endpoints of the same name
 * listing the selected pods' addresses — ready ones under `addresses`, the
 * others under `notReadyAddresses` (all ready with
 * `publishNotReadyAddresses`), with the ports each pod resolves its named
 * target ports to, packed into subsets as Kubernetes' RepackSubsets does.
 * Terminating pods are left out unless not-ready addresses are published.
 * Services without a selector (and ExternalName ones) are the user's; the
 * Endpoints of a deleted Service are deleted.
 */
import { isNotFound, type ApiClient } from "../api/client.ts";
import type { EventRecorder } from "../api/events.ts";
import type { Informer } from "../api/informer.ts";
import type { Pod } from "../api/types/core-pod.ts";
import type { EndpointAddress, EndpointPort, EndpointSubset, Endpoints, Service } from "../api/types/core-service.ts";
import { Reconciler, isNamespaceTerminating, splitKey, type Controller, type ControllerContext } from "./controller.ts";
import {
  HEADLESS_LABEL,
  enqueueOnServiceAndPodChanges,
  findPort,
  isPodReady,
  isServiceIPSet,
  jsonEqual,
  managesEndpoints,
  podIPv4s,
  podRef,
  selects,
  shouldPodBeInEndpoints,
  shouldSetHostname,
} from "./endpoints-common.ts";

/** Most addresses one Endpoints object keeps (Kubernetes' maxCapacity). */
export const MAX_ENDPOINTS_CAPACITY = 1000;
/** Set when addresses were dropped to stay within {@link MAX_ENDPOINTS_CAPACITY}. */
export const OVER_CAPACITY_ANNOTATION = "endpoints.kubernetes.io/over-capacity";
/** Leader-election records kept in Endpoints have no Service and are not this controller's. */
const LEADER_ANNOTATION = "control-plane.alpha.kubernetes.io/leader";

interface Entry {
  addr: EndpointAddress;
  ready: boolean;
}

const byIP = (a: EndpointAddress, b: EndpointAddress) => (a.ip === b.ip ? String(a.targetRef?.uid ?? "").localeCompare(String(b.targetRef?.uid ?? "")) : compareIP(a.ip, b.ip));

function compareIP(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}

const portKey = (p: EndpointPort) => `${p.name ?? ""}/${p.port}/${p.protocol ?? "TCP"}/${p.appProtocol ?? ""}`;

/**
 * Kubernetes' RepackSubsets: each port maps to the addresses offering it;
 * ports offered by the same addresses share a subset; everything sorted.
 */
export function repackSubsets(entries: Array<{ addr: EndpointAddress; ready: boolean; ports: EndpointPort[] }>): EndpointSubset[] {
  const byPort = new Map<string, { port?: EndpointPort; addrs: Map<string, Entry> }>();
  for (const e of entries) {
    const ports: Array<EndpointPort | undefined> = e.ports.length ? e.ports : [undefined];
    for (const p of ports) {
      const k = p ? portKey(p) : "";
      let slot = byPort.get(k);
      if (!slot) byPort.set(k, (slot = { port: p, addrs: new Map() }));
      slot.addrs.set(`${e.addr.ip}|${e.addr.targetRef?.uid ?? ""}`, { addr: e.addr, ready: e.ready });
    }
  }
  const groups = new Map<string, { entries: Entry[]; ports: EndpointPort[] }>();
  for (const { port, addrs } of byPort.values()) {
    const sig = [...addrs.entries()].map(([k, v]) => `${k}:${v.ready}`).sort().join(",");
    let g = groups.get(sig);
    if (!g) groups.set(sig, (g = { entries: [...addrs.values()], ports: [] }));
    if (port) g.ports.push(port);
  }
  const subsets = [...groups.values()].map(({ entries: es, ports }) => {
    const ss: EndpointSubset = {};
    const ready = es.filter((e) => e.ready).map((e) => e.addr).sort(byIP);
    const notReady = es.filter((e) => !e.ready).map((e) => e.addr).sort(byIP);
    if (ready.length) ss.addresses = ready;
    if (notReady.length) ss.notReadyAddresses = notReady;
    if (ports.length) ss.ports = ports.sort((a, b) => portKey(a).localeCompare(portKey(b)));
    return ss;
  });
  return subsets.sort((a, b) => JSON.stringify(a.ports ?? []).localeCompare(JSON.stringify(b.ports ?? [])));
}

/** The subsets a service's Endpoints should hold, given the pods it selects. */
export function desiredSubsets(svc: Service, pods: Pod[]): EndpointSubset[] {
  const tolerate = svc.spec.publishNotReadyAddresses === true;
  const entries: Array<{ addr: EndpointAddress; ready: boolean; ports: EndpointPort[] }> = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, tolerate)) continue;
    const ip = podIPv4s(pod)[0];
    if (!ip) continue;
    const addr: EndpointAddress = { ip };
    if (shouldSetHostname(pod, svc)) addr.hostname = pod.spec.hostname;
    if (pod.spec.nodeName) addr.nodeName = pod.spec.nodeName;
    addr.targetRef = podRef(pod);
    const ready = tolerate || isPodReady(pod);
    const svcPorts = svc.spec.ports ?? [];
    if (!svcPorts.length) {
      if (svc.spec.clusterIP === "None") entries.push({ addr, ready, ports: [] });
      continue;
    }
    for (const sp of svcPorts) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      const ep: EndpointPort = { name: sp.name ?? "", port, protocol: sp.protocol ?? "TCP" };
      if (!sp.name) delete ep.name;
      if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
      entries.push({ addr, ready, ports: [ep] });
    }
  }
  return repackSubsets(entries);
}

// Keeps at most MAX_ENDPOINTS_CAPACITY addresses, ready ones first, subset by subset.
function truncate(subsets: EndpointSubset[]): { subsets: EndpointSubset[]; truncated: boolean } {
  const total = subsets.reduce((n, s) => n + (s.addresses?.length ?? 0) + (s.notReadyAddresses?.length ?? 0), 0);
  if (total <= MAX_ENDPOINTS_CAPACITY) return { subsets, truncated: false };
  let room = MAX_ENDPOINTS_CAPACITY;
  const out = subsets.map((s) => ({ ...s }));
  for (const s of out) {
    s.addresses = s.addresses?.slice(0, room);
    room -= s.addresses?.length ?? 0;
  }
  for (const s of out) {
    s.notReadyAddresses = s.notReadyAddresses?.slice(0, room);
    room -= s.notReadyAddresses?.length ?? 0;
  }
  return { subsets: out.filter((s) => s.addresses?.length || s.notReadyAddresses?.length), truncated: true };
}

/** The Endpoints controller. */
export class EndpointsController implements Controller {
  readonly name = "endpoint";
  readonly #client: ApiClient;
  readonly #events: EventRecorder;
  readonly #services: Informer<Service>;
  readonly #pods: Informer<Pod>;
  readonly #endpoints: Informer<Endpoints>;
  readonly #reconciler: Reconciler;
  readonly counts = { creates: 0, updates: 0, deletes: 0 };

  constructor(cc: ControllerContext) {
    this.#client = cc.client;
    this.#events = cc.recorder("endpoint-controller");
    this.#services = cc.informers.informer<Service>({ resource: "services" });
    this.#pods = cc.informers.informer<Pod>({ resource: "pods" });
    this.#endpoints = cc.informers.informer<Endpoints>({ resource: "endpoints" });
    this.#reconciler = new Reconciler(cc, "endpoint", (key) => this.sync(key));
    enqueueOnServiceAndPodChanges(this.#services, this.#pods, this.#reconciler);
    // Someone else's edit (or deletion) of a managed Endpoints is put right.
    this.#endpoints.addEventHandler({
      onUpdate: (_old, ep) => this.#reconciler.enqueue(ep),
      onDelete: (ep) => this.#reconciler.enqueue(ep),
    });
  }

  start(): void {
    // Kubernetes' checkLeftoverEndpoints: Endpoints whose Service went while the controller was down are removed.
    for (const ep of this.#endpoints.list()) this.#reconciler.enqueue(ep);
    this.#reconciler.start();
  }

  stop(): Promise<void> {
    return this.#reconciler.stop();
  }

  stats(): Record<string, unknown> {
    return { ...this.#reconciler.stats(), ...this.counts };
  }

  /** Brings the Endpoints of the service at `key` in line with the pods it selects. */
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const svc = this.#services.get(key);
    const current = this.#endpoints.get(key);
    if (!svc) {
      if (!current || current.metadata.annotations?.[LEADER_ANNOTATION]) return;
      await this.#client.delete("endpoints", name, { namespace }).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
      this.counts.deletes++;
      return;
    }
    if (!managesEndpoints(svc)) return;
    const pods = this.#pods.byIndex("namespace", namespace ?? "").filter((p) => selects(svc, p));
    const { subsets, truncated } = truncate(desiredSubsets(svc, pods));
    const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
    if (!isServiceIPSet(svc)) labels[HEADLESS_LABEL] = "";
    else delete labels[HEADLESS_LABEL];
    const annotations: Record<string, string> = { ...(current?.metadata.annotations ?? {}) };
    if (truncated) annotations[OVER_CAPACITY_ANNOTATION] = "truncated";
    else delete annotations[OVER_CAPACITY_ANNOTATION];
    if (current && jsonEqual(current.subsets ?? [], subsets) && jsonEqual(current.metadata.labels ?? {}, labels) && jsonEqual(current.metadata.annotations ?? {}, annotations)) return;
    const next: Endpoints = {
      apiVersion: "v1",
      kind: "Endpoints",
      metadata: { ...(current?.metadata ?? { name, namespace }), labels },
    };
    if (Object.keys(annotations).length) next.metadata.annotations = annotations;
    else delete next.metadata.annotations;
    if (subsets.length) next.subsets = subsets;
    try {
      if (current) {
        await this.#client.update("endpoints", next);
        this.counts.updates++;
      } else {
        await this.#client.create("endpoints", next);
        this.counts.creates++;
      }
    } catch (err) {
      // Creating in a terminating namespace keeps failing; the namespace's deletion takes the service with it.
      if (!current && isNamespaceTerminating(err)) return;
      const what = current ? ["FailedToUpdateEndpoint", `Failed to update endpoint ${key}: ${(err as Error)?.message ?? err}`] : ["FailedToCreateEndpoint", `Failed to create endpoint for service ${key}: ${(err as Error)?.message ?? err}`];
      void this.#events.record(next, "Warning", what[0], what[1]);
      throw err;
    }
  }
}

/** Builds the Endpoints controller (registered as `endpoint`, kube-controller-manager's name). */
export const endpointsController = (cc: ControllerContext): Controller => new EndpointsController(cc);
