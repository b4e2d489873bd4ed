/**
 * The cloud node lifecycle controller: every node-monitor period it asks the
 * cloud about each Node that is not Ready. A node whose instance is gone is
 * deleted (event DeletingNode), as cloud-controller-manager does; one whose
 * instance is shut down gets the `node.cloudprovider.kubernetes.io/shutdown`
 * taint, removed again once the node is Ready. A Ready node is never
 * deleted: the node-lifecycle controller must first see its kubelet go
 * silent, as in Kubernetes.
 */
import { isNotFound, retryOnConflict } from "../api/client.ts";
import type { Node, Taint } from "../api/types/core-node.ts";
import type { TimerId } from "../../runtime/clock.ts";
import type { Controller } from "../controller-manager/controller.ts";
import type { CloudContext } from "./context.ts";
import { UNINITIALIZED_TAINT } from "./node-controller.ts";

/** The taint of a node whose instance is shut down. */
export const SHUTDOWN_TAINT = "node.cloudprovider.kubernetes.io/shutdown";

// An uninitialized node without a provider ID gets this long before it may be judged.
const UNINITIALIZED_NODE_DELAY_MS = 60_000;

/** The Ready condition's status ("Unknown" when absent). */
export function readyStatus(node: Node): string {
  return node.status?.conditions?.find((c) => c.type === "Ready")?.status ?? "Unknown";
}

/** Builds the cloud node lifecycle controller. */
export function cloudNodeLifecycleController(cc: CloudContext): Controller {
  const nodes = cc.informers.informer<Node>({ resource: "nodes" });
  const recorder = cc.recorder("cloud-node-lifecycle-controller");
  let timer: TimerId | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const counts = { scans: 0, deleted: 0, errors: 0 };

  async function monitor(): Promise<void> {
    counts.scans++;
    for (const node of nodes.list()) {
      if (stopped) return;
      try {
        await check(node);
      } catch (err) {
        counts.errors++;
        cc.log("warn", `cloud-node-lifecycle: ${node.metadata.name}: ${(err as Error).message}`);
      }
    }
  }

  async function check(node: Node): Promise<void> {
    const name = node.metadata.name!;
    if (node.metadata.deletionTimestamp) return;
    if (readyStatus(node) === "True") {
      if (hasTaint(node, SHUTDOWN_TAINT)) await setTaint(name, SHUTDOWN_TAINT, false);
      return;
    }
    if (!node.spec?.providerID && hasTaint(node, UNINITIALIZED_TAINT)) {
      const age = cc.clock.now() - Date.parse(node.metadata.creationTimestamp ?? "");
      if (age < UNINITIALIZED_NODE_DELAY_MS) return;
    }
    if (!(await cc.provider.instanceExists(node))) {
      cc.log("info", `deleting node since it is no longer present in cloud provider: ${name}`);
      await recorder.record(node, "Normal", "DeletingNode", `Deleting node ${name} because it does not exist in the cloud provider`);
      try {
        await cc.client.delete("nodes", name);
        counts.deleted++;
      } catch (err) {
        if (isNotFound(err)) return;
        await recorder.record(node, "Warning", "DeletingNodeFailed", `Failed deleting node ${name}: ${(err as Error).message}`);
        throw err;
      }
      return;
    }
    if ((await cc.provider.instanceShutdown(node)) && !hasTaint(node, SHUTDOWN_TAINT)) await setTaint(name, SHUTDOWN_TAINT, true);
  }

  async function setTaint(name: string, key: string, on: boolean): Promise<void> {
    await retryOnConflict(async () => {
      const node = await cc.client.get<Node>("nodes", name);
      const rest = (node.spec?.taints ?? []).filter((t) => t.key !== key);
      const taints: Taint[] = on ? [...rest, { key, effect: "NoSchedule" }] : rest;
      await cc.client.update<Node>("nodes", { ...node, spec: { ...node.spec, taints } });
    }).catch((err) => {
      if (!isNotFound(err)) throw err;
    });
  }

  const loop = () => {
    if (stopped) return;
    running = monitor().finally(() => {
      running = undefined;
      if (!stopped) timer = cc.clock.setTimeout(loop, cc.cloud.nodeMonitorPeriodMs);
    });
  };

  return {
    name: "cloud-node-lifecycle",
    start: () => {
      timer = cc.clock.setTimeout(loop, cc.cloud.nodeMonitorPeriodMs);
    },
    stop: async () => {
      stopped = true;
      if (timer) cc.clock.clearTimeout(timer);
      await running;
    },
    stats: () => ({ ...counts }),
  };
}

function hasTaint(node: Node, key: string): boolean {
  return (node.spec?.taints ?? []).some((t) => t.key === key);
}
