/**
 * What every cloud controller is built from: the controller-manager's
 * context (client, shared informers, clock, events) plus the cloud provider
 * and the settings of the cloud-controller-manager.
 */
import type { ControllerContext } from "../controller-manager/controller.ts";
import type { CloudProvider } from "./provider.ts";

/** Settings of the cloud controllers (all optional). */
export interface CloudControllerOptions {
  /** Prefix of cloud resource names, as `--cluster-name` (default `kubernetes`). */
  clusterName?: string;
  /** How often node health is checked against the cloud (default 5 000 ms, `--node-monitor-period`). */
  nodeMonitorPeriodMs?: number;
  /** How often the route table is reconciled in full (default 10 000 ms, `--route-reconciliation-period`). */
  routeReconciliationPeriodMs?: number;
  /** The CSI driver name of the provider's disks (default `disk.actorkube.io`). */
  diskDriver?: string;
  /** How long a volume still in use on a node may block its detach (default 360 000 ms, maxWaitForUnmountDuration). */
  maxWaitForUnmountMs?: number;
}

/** A controller's view of the cloud-controller-manager. */
export interface CloudContext extends ControllerContext {
  readonly provider: CloudProvider;
  readonly clusterName: string;
  readonly cloud: Required<CloudControllerOptions>;
}

/** The default settings. */
export function cloudDefaults(o: CloudControllerOptions = {}): Required<CloudControllerOptions> {
  return {
    clusterName: o.clusterName ?? "kubernetes",
    nodeMonitorPeriodMs: o.nodeMonitorPeriodMs ?? 5_000,
    routeReconciliationPeriodMs: o.routeReconciliationPeriodMs ?? 10_000,
    diskDriver: o.diskDriver ?? "disk.actorkube.io",
    maxWaitForUnmountMs: o.maxWaitForUnmountMs ?? 360_000,
  };
}
