/**
 * apps/v1 ReplicaSets: replicas default to 1, the selector is fixed at
 * creation, status is written only through the status subresource.
 */
import type { ReplicaSet } from "../../api/types/index.ts";
import { defaultPodSpec } from "./pod-defaults.ts";
import type { ResourceDef } from "./resource.ts";
import { clone } from "./validation.ts";
import { validateReplicaCounts, validateSelectorImmutable, validateWorkloadSpec } from "./workload-validation.ts";

const counters = ["replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas", "terminatingReplicas", "observedGeneration"];
const capped: Array<[string, string, string]> = [
  ["fullyLabeledReplicas", "replicas", "cannot be greater than status.replicas"],
  ["readyReplicas", "replicas", "cannot be greater than status.replicas"],
  ["availableReplicas", "replicas", "cannot be greater than status.replicas"],
  ["availableReplicas", "readyReplicas", "cannot be greater than readyReplicas"],
];

/** apps/v1 replicasets. */
export const replicaSetResource = {
  group: "apps",
  version: "v1",
  kind: "ReplicaSet",
  listKind: "ReplicaSetList",
  plural: "replicasets",
  singular: "replicaset",
  namespaced: true,
  shortNames: ["rs"],
  categories: ["all"],
  subresources: ["status", "scale"],
  generation: true,
  fieldSelectors: {
    "status.replicas": (rs) => String(rs.status?.replicas ?? 0),
  },
  defaults(rs) {
    rs.spec ??= {} as ReplicaSet["spec"];
    rs.spec.replicas ??= 1;
    if (rs.spec.template?.spec) defaultPodSpec(rs.spec.template.spec);
  },
  prepareForCreate(rs) {
    rs.status = {};
  },
  prepareForUpdate(rs, old) {
    rs.status = clone(old.status);
  },
  validate: (rs) => validateWorkloadSpec(rs.spec, "spec"),
  validateUpdate: (rs, old) => validateSelectorImmutable(rs.spec?.selector, old.spec?.selector, "spec.selector"),
  validateStatusUpdate: (rs, _old) => validateReplicaCounts(rs.status, "status", counters, capped),
} satisfies ResourceDef<ReplicaSet>;
