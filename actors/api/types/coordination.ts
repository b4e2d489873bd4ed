/**
 * coordination.k8s.io/v1 Lease: leader election and node heartbeats.
 */
import type { ObjectMeta } from "../meta.ts";

/** coordination.k8s.io/v1 Lease */
export interface Lease {
  apiVersion: "coordination.k8s.io/v1";
  kind: "Lease";
  metadata: ObjectMeta;
  spec?: LeaseSpec;
  [field: string]: unknown;
}

/** coordination.k8s.io/v1 LeaseSpec; times are RFC 3339 micro-times. */
export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
  strategy?: "OldestEmulationVersion";
  preferredHolder?: string;
}
