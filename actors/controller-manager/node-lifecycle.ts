/**
 * The node lifecycle controller. Every `nodeMonitorPeriod` it checks each
 * node's heartbeat — its Lease in kube-node-lease or a new Ready heartbeat
 * in its status — and a node silent for longer than `nodeMonitorGracePeriod`
 * gets Ready, MemoryPressure, DiskPressure and PIDPressure set to Unknown
 * ("Kubelet stopped posting node status."), its pods marked Ready=False,
 * and a `NodeNotReady` event. Node conditions are mirrored as NoSchedule
 * taints (`node.kubernetes.io/unreachable`, `not-ready`, the pressures,
 * `unschedulable`); unhealthy nodes also get the NoExecute `unreachable` /
 * `not-ready` taint, at the zone's eviction rate (node-lifecycle-zones.ts),
 * and the taint manager (taint-manager.ts) evicts the pods that do not
 * tolerate it. A node that reports again loses its NoExecute taints here,
 * and its conditions come back with the kubelet's next status.
 *
 * Settings (ControllerOptions): nodeMonitorGracePeriodMs (40 000),
 * nodeMonitorPeriodMs (5 000), nodeStartupGracePeriodMs (60 000),
 * nodeEvictionRate (0.1), secondaryNodeEvictionRate (0.01),
 * largeClusterSizeThreshold (50), unhealthyZoneThreshold (0.55).
 *
 * Like Kubernetes, when every zone has no Ready node at all it assumes the
 * control plane, not the nodes, is at fault: it removes the NoExecute taints
 * and evicts nothing, so a one-node cluster never evicts.
 */
import type { TimerId } from "../../runtime/clock.ts";
import { isConflict, isNotFound, retryOnConflict } from "../api/client.ts";
import type { Informer } from "../api/informer.ts";
import type { Lease } from "../api/types/coordination.ts";
import type { Node, NodeCondition } from "../api/types/core-node.ts";
import type { Pod } from "../api/types/core-pod.ts";
import { timestamp } from "../apiserver/objects.ts";
import { Reconciler, type Controller, type ControllerContext } from "./controller.ts";
import { hasTaint, managedNoScheduleTaints, notReadyNoExecute, swapNodeTaints, taintsMissing, unreachableNoExecute, wantedNoScheduleTaints } from "./node-lifecycle-taints.ts";
import { computeZoneState, excludedFromDisruption, zoneKey, zoneRate, ZoneTaintQueue, type EvictionSettings, type TryResult, type ZoneState } from "./node-lifecycle-zones.ts";
import { POD_NODE_INDEX, podNodeIndex, TaintManager } from "./taint-manager.ts";

/** Where node heartbeats live. */
export const NODE_LEASE_NAMESPACE = "kube-node-lease";
/** How often queued NoExecute taints are tried (Kubernetes' NodeEvictionPeriod). */
const TAINT_PASS_MS = 100;
const HEALTH_CONDITIONS = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"];

/** The node lifecycle settings, defaults applied. */
export interface NodeLifecycleSettings extends EvictionSettings {
  monitorGracePeriodMs: number;
  monitorPeriodMs: number;
  startupGracePeriodMs: number;
}

/** Reads the settings from the manager's options; throws on a value that is not a number in range. */
export function nodeLifecycleSettings(o: Record<string, unknown>): NodeLifecycleSettings {
  const num = (name: string, dflt: number, min: number, max = Infinity): number => {
    const v = o[name];
    if (v === undefined) return dflt;
    if (typeof v !== "number" || !(v >= min && v <= max)) throw new RangeError(`controller-manager option ${name} must be a number in [${min}, ${max}], got ${JSON.stringify(v)}`);
    return v;
  };
  return {
    monitorGracePeriodMs: num("nodeMonitorGracePeriodMs", 40_000, 0),
    monitorPeriodMs: num("nodeMonitorPeriodMs", 5_000, 1),
    startupGracePeriodMs: num("nodeStartupGracePeriodMs", 60_000, 0),
    evictionRate: num("nodeEvictionRate", 0.1, 0),
    secondaryEvictionRate: num("secondaryNodeEvictionRate", 0.01, 0),
    largeClusterSizeThreshold: num("largeClusterSizeThreshold", 50, 0),
    unhealthyZoneThreshold: num("unhealthyZoneThreshold", 0.55, 0, 1),
  };
}

// What the controller last saw of a node: when it last heard from it (its own clock).
interface NodeHealth {
  probeTimestamp: number;
  readyTransitionTimestamp: number;
  ready?: NodeCondition;
  leaseRenewTime?: number;
}

/** The node lifecycle controller (with the taint manager). */
export class NodeLifecycleController implements Controller {
  readonly name = "nodelifecycle";
  readonly settings: NodeLifecycleSettings;
  readonly #cc: ControllerContext;
  readonly #nodes: Informer<Node>;
  readonly #leases: Informer<Lease>;
  readonly #pods: Informer<Pod>;
  readonly #health = new Map<string, NodeHealth>();
  readonly #known = new Map<string, Node>();
  readonly #zoneStates = new Map<string, ZoneState>();
  readonly #tainters = new Map<string, ZoneTaintQueue>();
  readonly #podsToRetry = new Set<string>();
  readonly #noSchedule: Reconciler;
  readonly #taintManager: TaintManager;
  #timers: TimerId[] = [];
  #stopped = false;
  readonly counts = { monitorPasses: 0, markedUnknown: 0, noExecuteTainted: 0 };

  constructor(cc: ControllerContext) {
    this.#cc = cc;
    this.settings = nodeLifecycleSettings(cc.options);
    this.#nodes = cc.informers.informer<Node>({ resource: "nodes" });
    this.#leases = cc.informers.informer<Lease>({ resource: "leases.coordination.k8s.io", namespace: NODE_LEASE_NAMESPACE });
    this.#pods = cc.informers.informer<Pod>({ resource: "pods", indexers: { [POD_NODE_INDEX]: podNodeIndex } });
    this.#noSchedule = new Reconciler(cc, "node-lifecycle-noschedule", (name) => this.#syncNoScheduleTaints(name));
    this.#nodes.addEventHandler({
      onAdd: (n) => this.#noSchedule.enqueue(n),
      onUpdate: (_, n) => this.#noSchedule.enqueue(n),
    });
    this.#taintManager = new TaintManager(cc, this.#nodes, this.#pods);
  }

  start(): void {
    this.#noSchedule.start();
    this.#taintManager.start();
    this.#loop(() => this.#monitorNodeHealth(), this.settings.monitorPeriodMs, 0);
    this.#loop(() => this.#taintPass(), TAINT_PASS_MS, TAINT_PASS_MS);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers) this.#cc.clock.clearTimeout(t);
    await Promise.all([this.#noSchedule.stop(), this.#taintManager.stop()]);
  }

  stats(): Record<string, unknown> {
    return {
      ...this.counts,
      noSchedule: this.#noSchedule.stats(),
      taintManager: this.#taintManager.stats(),
      zones: Object.fromEntries([...this.#zoneStates].map(([z, s]) => [z.replace(":\u0000:", "/") || "(none)", { state: s, queued: this.#tainters.get(z)?.size ?? 0, rate: this.#tainters.get(z)?.qps }])),
    };
  }

  // Runs `fn` every `period` ms, one run at a time, never overlapping.
  #loop(fn: () => Promise<void>, period: number, first: number): void {
    const slot = this.#timers.length;
    const run = async () => {
      if (this.#stopped) return;
      try {
        await fn();
      } catch (err) {
        this.#cc.log("warn", `nodelifecycle: ${(err as Error).message}`);
      }
      if (!this.#stopped) this.#timers[slot] = this.#cc.clock.setTimeout(run, period);
    };
    this.#timers[slot] = this.#cc.clock.setTimeout(run, first);
  }

  // ---- NoSchedule taints from conditions ------------------------------------

  async #syncNoScheduleTaints(name: string): Promise<void> {
    const node = this.#nodes.get(name);
    if (!node) return;
    const want = wantedNoScheduleTaints(node);
    const have = managedNoScheduleTaints(node);
    await swapNodeTaints(this.#cc.client, name, taintsMissing(want, have), taintsMissing(have, want), this.#cc.clock.now());
  }

  // ---- health monitoring ----------------------------------------------------

  async #monitorNodeHealth(): Promise<void> {
    this.counts.monitorPasses++;
    const nodes = this.#nodes.list();
    const recorder = this.#cc.recorder("node-controller");
    const seen = new Set(nodes.map((n) => n.metadata.name!));
    for (const node of nodes) {
      const name = node.metadata.name!;
      if (this.#known.has(name)) continue;
      this.#known.set(name, node);
      void recorder.record(node, "Normal", "RegisteredNode", `Node ${name} event: Registered Node ${name} in Controller`);
      this.#tainter(zoneKey(node));
      await this.#markReachable(node).catch((err: Error) => this.#cc.log("warn", `nodelifecycle: untainting ${name} failed: ${err.message}`));
    }
    for (const [name, node] of this.#known) {
      if (seen.has(name)) continue;
      this.#known.delete(name);
      this.#health.delete(name);
      this.#podsToRetry.delete(name);
      this.#tainters.get(zoneKey(node))?.remove(name);
      void recorder.record(node, "Normal", "RemovingNode", `Node ${name} event: Removing Node ${name} from Controller`);
    }

    const zoneReady = new Map<string, (NodeCondition | undefined)[]>();
    const toTaint: Node[] = [];
    for (const cached of nodes) {
      const name = cached.metadata.name!;
      const h = await this.#updateHealthWithRetry(cached);
      if (!h) continue;
      const { node, observed, current } = h;
      if (!excludedFromDisruption(node)) {
        const z = zoneKey(node);
        const list = zoneReady.get(z);
        if (list) list.push(current);
        else zoneReady.set(z, [current]);
      }
      if (current) {
        try {
          if (await this.#processTaintBasedEviction(node, current)) toTaint.push(node);
        } catch (err) {
          this.#cc.log("warn", `nodelifecycle: updating NoExecute taints of ${name} failed: ${(err as Error).message}`);
        }
        const retry = this.#podsToRetry.has(name);
        if (current.status !== "True" && (observed.status === "True" || retry)) {
          if (observed.status === "True") void recorder.record(node, "Normal", "NodeNotReady", `Node ${name} status is now: NodeNotReady`);
          try {
            await this.#markPodsNotReady(name);
          } catch (err) {
            this.#cc.log("warn", `nodelifecycle: marking pods of ${name} not ready failed: ${(err as Error).message}`);
            this.#podsToRetry.add(name);
            continue;
          }
        }
      }
      this.#podsToRetry.delete(name);
    }
    // Queued only now, so a zone found disrupted in this pass is already throttled.
    await this.#handleDisruption(zoneReady, nodes);
    for (const node of toTaint) this.#tainter(zoneKey(node)).add(node.metadata.name!);
  }

  async #updateHealthWithRetry(cached: Node): Promise<{ node: Node; observed: NodeCondition; current?: NodeCondition } | undefined> {
    let node = cached;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#tryUpdateNodeHealth(node);
      } catch (err) {
        if (isNotFound(err)) return undefined;
        if (!isConflict(err) || attempt >= 4) {
          this.#cc.log("warn", `nodelifecycle: updating health of node ${cached.metadata.name} failed: ${(err as Error).message}`);
          return undefined;
        }
        node = await this.#cc.client.get<Node>("nodes", cached.metadata.name!);
      }
    }
  }

  // tryUpdateNodeHealth: the last time anything was heard from the node decides whether it is Unknown.
  async #tryUpdateNodeHealth(node: Node): Promise<{ node: Node; observed: NodeCondition; current?: NodeCondition }> {
    const now = this.#cc.clock.now();
    const name = node.metadata.name!;
    const created = Date.parse(node.metadata.creationTimestamp ?? "") || now;
    const current = condition(node, "Ready");
    const observed: NodeCondition = current
      ? { ...current }
      : { type: "Ready", status: "Unknown", lastHeartbeatTime: node.metadata.creationTimestamp, lastTransitionTime: node.metadata.creationTimestamp };
    const grace = current ? this.settings.monitorGracePeriodMs : this.settings.startupGracePeriodMs;
    let h = this.#health.get(name);
    const saved = h?.ready;
    if (!h) {
      h = current ? { probeTimestamp: now, readyTransitionTimestamp: now, ready: current } : { probeTimestamp: created, readyTransitionTimestamp: created };
    } else if (!saved && current) {
      h = { probeTimestamp: now, readyTransitionTimestamp: now, ready: current };
    } else if (saved && !current) {
      h = { probeTimestamp: now, readyTransitionTimestamp: now };
    } else if (saved && current && saved.lastHeartbeatTime !== current.lastHeartbeatTime) {
      const transition = saved.lastTransitionTime !== current.lastTransitionTime ? now : h.readyTransitionTimestamp;
      h = { probeTimestamp: now, readyTransitionTimestamp: transition, ready: current, leaseRenewTime: h.leaseRenewTime };
    }
    // A renewed lease is a heartbeat too (the kubelet posts status rarely, renews its lease often).
    const renew = Date.parse(this.#leases.get(`${NODE_LEASE_NAMESPACE}/${name}`)?.spec?.renewTime ?? "");
    if (Number.isFinite(renew) && (h.leaseRenewTime === undefined || h.leaseRenewTime < renew)) {
      h = { ...h, leaseRenewTime: renew, probeTimestamp: now };
    }
    this.#health.set(name, h);
    if (now <= h.probeTimestamp + grace) return { node, observed, current };

    const next = structuredClone(node);
    const conditions = (next.status ??= {}).conditions ??= [];
    const nowTs = timestamp(now);
    for (const type of HEALTH_CONDITIONS) {
      const c = conditions.find((x) => x.type === type);
      if (!c) {
        conditions.push({ type, status: "Unknown", reason: "NodeStatusNeverUpdated", message: "Kubelet never posted node status.", lastHeartbeatTime: node.metadata.creationTimestamp, lastTransitionTime: nowTs });
      } else if (c.status !== "Unknown") {
        Object.assign(c, { status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status.", lastTransitionTime: nowTs });
      }
    }
    const ready = conditions.find((c) => c.type === "Ready")!;
    if (sameCondition(ready, observed)) return { node, observed, current };
    const written = await this.#cc.client.updateStatus<Node>("nodes", next);
    this.counts.markedUnknown++;
    this.#health.set(name, { ...h, ready: condition(written, "Ready"), readyTransitionTimestamp: now });
    return { node: written, observed, current: condition(written, "Ready") };
  }

  // Sets every pod on the node Ready=False (MarkPodsNotReady), with a NodeNotReady event on each.
  async #markPodsNotReady(nodeName: string): Promise<void> {
    const { client, clock } = this.#cc;
    const recorder = this.#cc.recorder("node-controller");
    for (const cached of this.#pods.byIndex(POD_NODE_INDEX, nodeName)) {
      if (condition(cached, "Ready")?.status !== "True") continue;
      let changed: Pod | undefined;
      try {
        changed = await retryOnConflict(async () => {
          const pod = await client.get<Pod>("pods", cached.metadata.name!, { namespace: cached.metadata.namespace });
          const c = pod.status?.conditions?.find((x) => x.type === "Ready");
          if (pod.spec.nodeName !== nodeName || !c || c.status === "False") return undefined;
          c.status = "False";
          c.lastTransitionTime = timestamp(clock.now());
          return client.updateStatus<Pod>("pods", pod);
        });
      } catch (err) {
        if (isNotFound(err)) continue;
        throw err;
      }
      if (changed) void recorder.record(changed, "Warning", "NodeNotReady", "Node is not ready");
    }
  }

  // ---- NoExecute taints, rate-limited per zone --------------------------------

  #tainter(zone: string): ZoneTaintQueue {
    let q = this.#tainters.get(zone);
    if (!q) this.#tainters.set(zone, (q = new ZoneTaintQueue(this.settings.evictionRate, this.#cc.clock)));
    return q;
  }

  // Swaps a NoExecute taint that no longer matches Ready at once; resolves true when the node needs one queued.
  async #processTaintBasedEviction(node: Node, ready: NodeCondition): Promise<boolean> {
    const name = node.metadata.name!;
    const taints = node.spec?.taints;
    const now = this.#cc.clock.now();
    if (ready.status === "True") {
      await this.#markReachable(node);
      return false;
    }
    const [want, opposite] = ready.status === "False" ? [notReadyNoExecute, unreachableNoExecute] : [unreachableNoExecute, notReadyNoExecute];
    if (hasTaint(taints, want)) return false;
    if (!hasTaint(taints, opposite)) return true;
    await swapNodeTaints(this.#cc.client, name, [want], [opposite], now);
    return false;
  }

  // The node is fine (or we no longer trust our view of it): no NoExecute taints, nothing queued.
  async #markReachable(node: Node): Promise<void> {
    const name = node.metadata.name!;
    this.#tainters.get(zoneKey(node))?.remove(name);
    const taints = node.spec?.taints;
    if (!hasTaint(taints, unreachableNoExecute) && !hasTaint(taints, notReadyNoExecute)) return;
    await swapNodeTaints(this.#cc.client, name, [], [unreachableNoExecute, notReadyNoExecute], this.#cc.clock.now());
  }

  async #taintPass(): Promise<void> {
    for (const q of this.#tainters.values()) {
      await q.try(async (name): Promise<TryResult> => {
        const node = this.#nodes.get(name);
        if (!node) return { done: true };
        const ready = condition(node, "Ready");
        if (!ready) return { done: false, retryMs: 50 };
        // Unreachable and not-ready mirror Ready=Unknown and Ready=False, so they exclude each other.
        const [add, opposite] = ready.status === "False" ? [notReadyNoExecute, unreachableNoExecute] : ready.status === "Unknown" ? [unreachableNoExecute, notReadyNoExecute] : [];
        if (!add) return { done: true };
        await swapNodeTaints(this.#cc.client, name, [add], [opposite!], this.#cc.clock.now());
        this.counts.noExecuteTainted++;
        return { done: true };
      });
    }
  }

  // handleDisruption: each zone's tainting rate follows its health; all zones dark = stop evicting.
  async #handleDisruption(zoneReady: Map<string, (NodeCondition | undefined)[]>, nodes: Node[]): Promise<void> {
    const next = new Map<string, ZoneState>();
    let allFully = true;
    for (const [zone, ready] of zoneReady) {
      const state = computeZoneState(ready, this.settings.unhealthyZoneThreshold);
      if (state !== "FullDisruption") allFully = false;
      next.set(zone, state);
      if (!this.#zoneStates.has(zone)) this.#zoneStates.set(zone, "Initial");
    }
    let allWereFully = true;
    for (const [zone, state] of this.#zoneStates) {
      if (!zoneReady.has(zone)) {
        this.#zoneStates.delete(zone);
        continue;
      }
      if (state !== "FullDisruption") allWereFully = false;
    }
    if (allFully && allWereFully) return;
    if (allFully) {
      this.#cc.log("warn", "nodelifecycle: no node is Ready in any zone; entering master disruption mode (no evictions)");
      for (const node of nodes) await this.#markReachable(node).catch((err: Error) => this.#cc.log("warn", `nodelifecycle: untainting ${node.metadata.name} failed: ${err.message}`));
      for (const zone of this.#zoneStates.keys()) {
        this.#tainter(zone).swapLimiter(0);
        this.#zoneStates.set(zone, "FullDisruption");
      }
      return;
    }
    if (allWereFully) {
      this.#cc.log("info", "nodelifecycle: some nodes are Ready again; leaving master disruption mode");
      const now = this.#cc.clock.now();
      for (const [name, h] of this.#health) this.#health.set(name, { ...h, probeTimestamp: now, readyTransitionTimestamp: now });
    }
    for (const [zone, state] of this.#zoneStates) {
      const want = next.get(zone)!;
      if (state === want && !allWereFully) continue;
      this.#tainter(zone).swapLimiter(zoneRate(want, zoneReady.get(zone)!.length, this.settings));
      this.#zoneStates.set(zone, want);
    }
  }
}

function condition(obj: { status?: { conditions?: NodeCondition[] } }, type: string): NodeCondition | undefined {
  return obj.status?.conditions?.find((c) => c.type === type);
}

function sameCondition(a: NodeCondition, b: NodeCondition): boolean {
  return a.status === b.status && a.reason === b.reason && a.message === b.message && a.lastHeartbeatTime === b.lastHeartbeatTime && a.lastTransitionTime === b.lastTransitionTime;
}

/** Builds the node lifecycle controller. */
export const nodeLifecycleController = (cc: ControllerContext): Controller => new NodeLifecycleController(cc);
