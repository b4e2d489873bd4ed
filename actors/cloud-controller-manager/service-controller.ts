/**
 * The service controller: every Service of type LoadBalancer (without a
 * loadBalancerClass, which names another implementation) gets a cloud load
 * balancer whose external IP is written to status.loadBalancer.ingress. The
 * `service.kubernetes.io/load-balancer-cleanup` finalizer is added before the
 * load balancer is created, so a deleted Service (or one that stops being a
 * LoadBalancer) releases it first. Member nodes follow the cluster's nodes.
 * Events: EnsuringLoadBalancer, EnsuredLoadBalancer, UpdatedLoadBalancer,
 * DeletingLoadBalancer, DeletedLoadBalancer, SyncLoadBalancerFailed.
 */
import { isNotFound, retryOnConflict } from "../api/client.ts";
import type { Node } from "../api/types/core-node.ts";
import type { LoadBalancerIngress, Service } from "../api/types/core-service.ts";
import { Reconciler, splitKey, type Controller } from "../controller-manager/controller.ts";
import type { CloudContext } from "./context.ts";

/** The finalizer that holds a Service until its load balancer is gone. */
export const LB_CLEANUP_FINALIZER = "service.kubernetes.io/load-balancer-cleanup";

/** The label that keeps a node out of every load balancer. */
export const EXCLUDE_LB_LABEL = "node.kubernetes.io/exclude-from-external-load-balancers";

const TO_BE_DELETED_TAINT = "ToBeDeletedByClusterAutoscaler";

/** True when the Service asks this controller for a load balancer. */
export function wantsLoadBalancer(svc: Service): boolean {
  return svc.spec?.type === "LoadBalancer" && !svc.spec.loadBalancerClass && !svc.metadata.deletionTimestamp;
}

/** Nodes a load balancer sends traffic to: initialized by the cloud, not excluded, not about to be removed. */
export function loadBalancerNodes(nodes: Node[]): Node[] {
  return nodes
    .filter(
      (n) =>
        !n.metadata.deletionTimestamp &&
        Boolean(n.spec?.providerID) &&
        !(EXCLUDE_LB_LABEL in (n.metadata.labels ?? {})) &&
        !(n.spec?.taints ?? []).some((t) => t.key === TO_BE_DELETED_TAINT),
    )
    .sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
}

const sameIngress = (a: LoadBalancerIngress[] = [], b: LoadBalancerIngress[] = []) => JSON.stringify(a) === JSON.stringify(b);

/** Builds the service controller. */
export function serviceController(cc: CloudContext): Controller {
  const services = cc.informers.informer<Service>({ resource: "services" });
  const nodes = cc.informers.informer<Node>({ resource: "nodes" });
  const recorder = cc.recorder("service-controller");
  const r = new Reconciler(cc, "service-lb", sync);
  // What was last applied per service (ports, requested IP) and the member nodes, to act only on change.
  const applied = new Map<string, { spec: string; nodes: string }>();
  const counts = { ensured: 0, updated: 0, deleted: 0 };

  const relevant = (s: Service) => s.spec?.type === "LoadBalancer" || (s.metadata.finalizers ?? []).includes(LB_CLEANUP_FINALIZER);
  services.addEventHandler({
    onAdd: (s) => relevant(s) && r.enqueue(s),
    onUpdate: (o, s) => (relevant(o) || relevant(s)) && r.enqueue(s),
    onDelete: (s) => relevant(s) && r.enqueue(s),
  });
  const memberKey = (n: Node) => `${n.metadata.name}|${loadBalancerNodes([n]).length}`;
  const enqueueAll = () => {
    for (const s of services.list()) if (relevant(s)) r.enqueue(s);
  };
  nodes.addEventHandler({
    onAdd: enqueueAll,
    onUpdate: (o, n) => memberKey(o) !== memberKey(n) && enqueueAll(),
    onDelete: enqueueAll,
  });

  async function sync(key: string): Promise<void> {
    const svc = services.get(key);
    if (!svc) {
      // Deleted without our finalizer (or it was removed by hand): make sure nothing is left behind.
      const { namespace, name } = splitKey(key);
      await cc.provider.ensureLoadBalancerDeleted(cc.clusterName, { apiVersion: "v1", kind: "Service", metadata: { name, namespace }, spec: {} });
      applied.delete(key);
      return;
    }
    const hasFinalizer = (svc.metadata.finalizers ?? []).includes(LB_CLEANUP_FINALIZER);
    if (!wantsLoadBalancer(svc)) {
      if (hasFinalizer) await cleanup(key, svc);
      return;
    }
    const members = loadBalancerNodes(nodes.list());
    const state = { spec: JSON.stringify([svc.spec.ports ?? [], svc.spec.loadBalancerIP ?? ""]), nodes: members.map((n) => n.metadata.name).join(",") };
    const last = applied.get(key);
    const current = await cc.provider.getLoadBalancer(cc.clusterName, svc);
    const upToDate = last && current && hasFinalizer && sameIngress(svc.status?.loadBalancer?.ingress, current.ingress) && last.spec === state.spec;
    try {
      if (upToDate && last.nodes === state.nodes) return;
      if (upToDate) {
        await cc.provider.updateLoadBalancer(cc.clusterName, svc, members);
        applied.set(key, state);
        counts.updated++;
        await recorder.record(svc, "Normal", "UpdatedLoadBalancer", "Updated load balancer with new hosts");
        return;
      }
      await recorder.record(svc, "Normal", "EnsuringLoadBalancer", "Ensuring load balancer");
      if (!hasFinalizer) await setFinalizer(svc, true);
      const { ingress } = await cc.provider.ensureLoadBalancer(cc.clusterName, svc, members);
      await writeIngress(svc, ingress);
      applied.set(key, state);
      counts.ensured++;
      await recorder.record(svc, "Normal", "EnsuredLoadBalancer", "Ensured load balancer");
    } catch (err) {
      if (isNotFound(err)) return;
      await recorder.record(svc, "Warning", "SyncLoadBalancerFailed", `Error syncing load balancer: failed to ensure load balancer: ${(err as Error).message}`);
      throw err;
    }
  }

  async function cleanup(key: string, svc: Service): Promise<void> {
    await recorder.record(svc, "Normal", "DeletingLoadBalancer", "Deleting load balancer");
    await cc.provider.ensureLoadBalancerDeleted(cc.clusterName, svc);
    applied.delete(key);
    counts.deleted++;
    try {
      await setFinalizer(svc, false);
      await recorder.record(svc, "Normal", "DeletedLoadBalancer", "Deleted load balancer");
      await writeIngress(svc, []);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async function setFinalizer(svc: Service, on: boolean): Promise<void> {
    await retryOnConflict(async () => {
      const cur = await cc.client.get<Service>("services", svc.metadata.name!, { namespace: svc.metadata.namespace });
      const rest = (cur.metadata.finalizers ?? []).filter((f) => f !== LB_CLEANUP_FINALIZER);
      const finalizers = on ? [...rest, LB_CLEANUP_FINALIZER] : rest;
      if (finalizers.length === (cur.metadata.finalizers ?? []).length) return;
      await cc.client.update<Service>("services", { ...cur, metadata: { ...cur.metadata, finalizers } });
    });
  }

  async function writeIngress(svc: Service, ingress: LoadBalancerIngress[]): Promise<void> {
    await retryOnConflict(async () => {
      const cur = await cc.client.get<Service>("services", svc.metadata.name!, { namespace: svc.metadata.namespace });
      if (sameIngress(cur.status?.loadBalancer?.ingress, ingress)) return;
      const loadBalancer = ingress.length ? { ingress } : {};
      await cc.client.updateStatus<Service>("services", { ...cur, status: { ...cur.status, loadBalancer } });
    });
  }

  return {
    name: "service-lb",
    start: () => r.start(),
    stop: () => r.stop(),
    stats: () => ({ ...r.stats(), ...counts, loadBalancers: applied.size }),
  };
}

