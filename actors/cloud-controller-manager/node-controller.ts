/**
 * The cloud node controller: initializes each Node from the instance behind
 * it — spec.providerID, the zone/region/instance-type labels (stable and
 * beta), addresses — and removes the `node.cloudprovider.kubernetes.io/
 * uninitialized` taint a kubelet started with `--cloud-provider=external`
 * registers with. Level-triggered: a kubelet that rewrites its addresses
 * gets the cloud's back on the next sync.
 */
import { isNotFound, retryOnConflict } from "../api/client.ts";
import type { Node, NodeAddress } from "../api/types/core-node.ts";
import { hasCode } from "../../runtime/errors.ts";
import { Reconciler, type Controller } from "../controller-manager/controller.ts";
import type { CloudContext } from "./context.ts";
import { CloudCodes, type InstanceMetadata } from "./provider.ts";

/** The taint of a node the cloud has not initialized yet. */
export const UNINITIALIZED_TAINT = "node.cloudprovider.kubernetes.io/uninitialized";

/** Labels the controller keeps in step with the instance: stable key → beta key. */
export const CLOUD_LABELS = {
  zone: ["topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone"],
  region: ["topology.kubernetes.io/region", "failure-domain.beta.kubernetes.io/region"],
  instanceType: ["node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type"],
} as const;

/** The labels a node should carry for an instance. */
export function cloudLabels(meta: InstanceMetadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of CLOUD_LABELS.zone) out[k] = meta.zone;
  for (const k of CLOUD_LABELS.region) out[k] = meta.region;
  for (const k of CLOUD_LABELS.instanceType) out[k] = meta.instanceType;
  return out;
}

/** The addresses to write: the cloud's, keeping the kubelet's Hostname when the cloud gives none. */
export function mergedAddresses(node: Node, cloud: NodeAddress[]): NodeAddress[] {
  const out = [...cloud];
  if (!out.some((a) => a.type === "Hostname")) out.push(...(node.status?.addresses ?? []).filter((a) => a.type === "Hostname"));
  return out;
}

function needsSpec(node: Node, meta: InstanceMetadata): boolean {
  const labels = node.metadata.labels ?? {};
  return (
    !node.spec?.providerID ||
    (node.spec?.taints ?? []).some((t) => t.key === UNINITIALIZED_TAINT) ||
    Object.entries(cloudLabels(meta)).some(([k, v]) => labels[k] !== v)
  );
}

const sameAddresses = (a: NodeAddress[] = [], b: NodeAddress[] = []) =>
  a.length === b.length && a.every((x, i) => x.type === b[i].type && x.address === b[i].address);

/** Builds the cloud node controller. */
export function cloudNodeController(cc: CloudContext): Controller {
  const nodes = cc.informers.informer<Node>({ resource: "nodes" });
  const r = new Reconciler(cc, "cloud-node", sync);
  nodes.addEventHandler({ onAdd: (n) => r.enqueue(n), onUpdate: (_, n) => r.enqueue(n) });
  let initialized = 0;

  async function sync(name: string): Promise<void> {
    const cached = nodes.get(name);
    if (!cached || cached.metadata.deletionTimestamp) return;
    let meta: InstanceMetadata;
    try {
      meta = await cc.provider.instanceMetadata(cached);
    } catch (err) {
      // No instance: the lifecycle controller deletes such nodes once they stop being Ready.
      if (hasCode(err, CloudCodes.InstanceNotFound)) return;
      throw err;
    }
    const addresses = mergedAddresses(cached, meta.addresses);
    if (needsSpec(cached, meta)) {
      try {
        await retryOnConflict(async () => {
          const node = await cc.client.get<Node>("nodes", name);
          const wasTainted = (node.spec?.taints ?? []).some((t) => t.key === UNINITIALIZED_TAINT);
          const spec = { ...node.spec };
          spec.providerID ||= meta.providerID;
          const taints = (spec.taints ?? []).filter((t) => t.key !== UNINITIALIZED_TAINT);
          if (taints.length) spec.taints = taints;
          else delete spec.taints;
          await cc.client.update<Node>("nodes", { ...node, metadata: { ...node.metadata, labels: { ...node.metadata.labels, ...cloudLabels(meta) } }, spec });
          if (wasTainted || !node.spec?.providerID) initialized++;
        });
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
      cc.log("info", `initialized node ${name}`, { providerID: meta.providerID, zone: meta.zone, instanceType: meta.instanceType });
    }
    if (!sameAddresses(cached.status?.addresses, addresses)) {
      try {
        await retryOnConflict(async () => {
          const node = await cc.client.get<Node>("nodes", name);
          if (sameAddresses(node.status?.addresses, addresses)) return;
          await cc.client.updateStatus<Node>("nodes", { ...node, status: { ...node.status, addresses } });
        });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  return {
    name: "cloud-node",
    start: () => r.start(),
    stop: () => r.stop(),
    stats: () => ({ ...r.stats(), initialized }),
  };
}
