/**
 * The EndpointSlice controller, as kube-controller-manager's
 * `endpointslice`: for every Service with a selector, discovery.k8s.io/v1
 * EndpointSlices labelled `kubernetes.io/service-name` and managed-by
 * `endpointslice-controller.k8s.io`, owned by the Service, listing its pods
 * (terminating ones too, with their conditions) in slices of at most
 * `maxEndpointsPerSlice` (default 100). The decisions are in
 * `endpointslice-plan.ts`; this file watches, writes, and refuses to act on
 * a cache older than its own last write to a service's slices (which would
 * duplicate them), as Kubernetes' slice tracker does. The slices of a
 * deleted Service are deleted here too, so they go even without a garbage
 * collector.
 */
import { isNotFound, type ApiClient } from "../api/client.ts";
import type { EventRecorder } from "../api/events.ts";
import { isNewer, type Informer } from "../api/informer.ts";
import type { KubeObject } from "../api/meta.ts";
import type { Node } from "../api/types/core-node.ts";
import type { Pod } from "../api/types/core-pod.ts";
import type { Service } from "../api/types/core-service.ts";
import type { EndpointSlice } from "../api/types/discovery.ts";
import { ActorError } from "../../runtime/errors.ts";
import { Reconciler, isNamespaceTerminating, keyOf, splitKey, type Controller, type ControllerContext } from "./controller.ts";
import { enqueueOnServiceAndPodChanges, managesEndpoints, selects, servicesSelecting } from "./endpoints-common.ts";
import { POD_NODE_INDEX, podNodeIndex } from "./taint-manager.ts";
import { CONTROLLER_NAME, DEFAULT_MAX_ENDPOINTS_PER_SLICE, MANAGED_BY_LABEL, SERVICE_NAME_LABEL, ZONE_LABEL, planSlices } from "./endpointslice-plan.ts";

const SLICES = "endpointslices.discovery.k8s.io";
/** Index of managed slices by their service's `namespace/name`. */
const BY_SERVICE = "endpointslice-service";

/** The EndpointSlice controller. */
export class EndpointSliceController implements Controller {
  readonly name = "endpointslice";
  readonly #client: ApiClient;
  readonly #events: EventRecorder;
  readonly #services: Informer<Service>;
  readonly #pods: Informer<Pod>;
  readonly #nodes: Informer<Node>;
  readonly #slices: Informer<EndpointSlice>;
  readonly #reconciler: Reconciler;
  readonly #max: number;
  // The newest resourceVersion this controller wrote per service: the cache must reach it before the next sync acts.
  readonly #written = new Map<string, string>();
  readonly counts = { creates: 0, updates: 0, deletes: 0, staleCache: 0 };

  constructor(cc: ControllerContext) {
    this.#client = cc.client;
    this.#events = cc.recorder("endpoint-slice-controller");
    const max = cc.options.maxEndpointsPerSlice;
    this.#max = typeof max === "number" && max >= 1 && max <= 1000 ? Math.floor(max) : DEFAULT_MAX_ENDPOINTS_PER_SLICE;
    this.#services = cc.informers.informer<Service>({ resource: "services" });
    this.#pods = cc.informers.informer<Pod>({ resource: "pods", indexers: { [POD_NODE_INDEX]: podNodeIndex } });
    this.#nodes = cc.informers.informer<Node>({ resource: "nodes" });
    this.#slices = cc.informers.informer<EndpointSlice>({
      resource: SLICES,
      indexers: { [BY_SERVICE]: (s) => (managed(s) ? [`${s.metadata.namespace}/${s.metadata.labels![SERVICE_NAME_LABEL]}`] : []) },
    });
    this.#reconciler = new Reconciler(cc, "endpointslice", (key) => this.sync(key));
    enqueueOnServiceAndPodChanges(this.#services, this.#pods, this.#reconciler);
    const onSlice = (s: EndpointSlice) => {
      if (managed(s)) this.#reconciler.enqueue(`${s.metadata.namespace}/${s.metadata.labels![SERVICE_NAME_LABEL]}`);
    };
    this.#slices.addEventHandler({ onAdd: onSlice, onUpdate: (old, cur) => (onSlice(old), onSlice(cur)), onDelete: onSlice });
    this.#nodes.addEventHandler({
      onUpdate: (old, cur) => {
        if (old.metadata.labels?.[ZONE_LABEL] === cur.metadata.labels?.[ZONE_LABEL]) return;
        for (const pod of this.#pods.byIndex(POD_NODE_INDEX, cur.metadata.name!)) for (const s of servicesSelecting(this.#services, pod)) this.#reconciler.enqueue(keyOf(s));
      },
    });
  }

  start(): void {
    this.#reconciler.start();
  }

  stop(): Promise<void> {
    return this.#reconciler.stop();
  }

  stats(): Record<string, unknown> {
    return { ...this.#reconciler.stats(), ...this.counts, maxEndpointsPerSlice: this.#max };
  }

  /** Brings the slices of the service at `key` in line with the pods it selects. */
  async sync(key: string): Promise<void> {
    const { namespace } = splitKey(key);
    const written = this.#written.get(key);
    if (written && isNewer(written, this.#slices.lastSyncResourceVersion)) {
      this.counts.staleCache++;
      throw new ActorError("StaleInformerCache", `EndpointSlice informer cache is out of date for ${key}`);
    }
    this.#written.delete(key);
    const existing = this.#slices.byIndex(BY_SERVICE, key);
    const svc = this.#services.get(key);
    if (!svc) {
      for (const s of existing) await this.#delete(key, s);
      return;
    }
    if (!managesEndpoints(svc) || svc.metadata.deletionTimestamp) return;
    const pods = this.#pods.byIndex("namespace", namespace ?? "").filter((p) => selects(svc, p));
    const plan = planSlices(svc, pods, (n) => this.#nodes.get(n), existing, this.#max);
    try {
      for (const s of plan.create) this.#wrote(key, await this.#client.create<EndpointSlice>(SLICES, s));
      for (const s of plan.update) this.#wrote(key, await this.#client.update<EndpointSlice>(SLICES, s));
      for (const s of plan.delete) await this.#delete(key, s);
    } catch (err) {
      if (isNamespaceTerminating(err)) return;
      void this.#events.record(svc as unknown as KubeObject, "Warning", "FailedToUpdateEndpointSlices", `Error updating Endpoint Slices for Service ${key}: ${(err as Error)?.message ?? err}`);
      throw err;
    }
    this.counts.creates += plan.create.length;
    this.counts.updates += plan.update.length;
    if (plan.missingNodes.length) {
      throw new ActorError("NodeNotFound", `skipping pods of Service ${key}: node(s) ${[...new Set(plan.missingNodes)].join(", ")} not found`);
    }
  }

  async #delete(key: string, s: EndpointSlice): Promise<void> {
    try {
      const gone = await this.#client.delete<EndpointSlice>(SLICES, s.metadata.name!, { namespace: s.metadata.namespace });
      this.#wrote(key, gone as EndpointSlice);
      this.counts.deletes++;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  #wrote(key: string, obj: { metadata?: { resourceVersion?: string } }): void {
    const rv = obj?.metadata?.resourceVersion;
    if (!rv) return;
    const prev = this.#written.get(key);
    if (!prev || isNewer(rv, prev)) this.#written.set(key, rv);
  }
}

function managed(s: EndpointSlice): boolean {
  return s.metadata.labels?.[MANAGED_BY_LABEL] === CONTROLLER_NAME && Boolean(s.metadata.labels?.[SERVICE_NAME_LABEL]);
}

/** Builds the EndpointSlice controller (registered as `endpointslice`). */
export const endpointSliceController = (cc: ControllerContext): Controller => new EndpointSliceController(cc);
