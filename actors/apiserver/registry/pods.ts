/**
 * Pods: defaulting, validation and create/update strategy, as
 * pkg/registry/core/pod/strategy.go. A new pod starts Pending with its QoS
 * class computed; main-resource updates keep the status, status updates
 * keep the spec.
 */
import { computeQOSClass } from "../../api/pod-qos.ts";
import type { Binding, Pod } from "../../api/types/index.ts";
import { defaultPod } from "./pod-defaults.ts";
import { validatePodSpec } from "./pod-spec-validation.ts";
import { validatePodStatusUpdate, validatePodUpdate } from "./pod-update.ts";
import type { FieldError, ResourceDef } from "./resource.ts";
import { clone, notSupported, required } from "./validation.ts";

/** A negative grace period means "immediately"; Kubernetes stores it as 1. */
function clampGracePeriod(pod: Pod): void {
  if (pod.spec && (pod.spec.terminationGracePeriodSeconds ?? 0) < 0) pod.spec.terminationGracePeriodSeconds = 1;
}

/** The `pods/binding` body: a Node target with a name. */
export function validateBinding(b: Binding): FieldError[] {
  const errs: FieldError[] = [];
  if (b.target?.kind && b.target.kind !== "Node") errs.push(notSupported("target.kind", b.target.kind, ["Node", "<empty>"]));
  if (!b.target?.name) errs.push(required("target.name"));
  return errs;
}

/** core/v1 pods. */
export const podResource = {
  group: "",
  version: "v1",
  kind: "Pod",
  listKind: "PodList",
  plural: "pods",
  singular: "pod",
  namespaced: true,
  shortNames: ["po"],
  categories: ["all"],
  subresources: ["status", "binding", "log", "eviction"],
  generation: true,
  fieldSelectors: {
    "spec.nodeName": (p) => p.spec?.nodeName ?? "",
    "spec.restartPolicy": (p) => p.spec?.restartPolicy ?? "",
    "spec.schedulerName": (p) => p.spec?.schedulerName ?? "",
    "spec.serviceAccountName": (p) => p.spec?.serviceAccountName ?? "",
    "spec.hostNetwork": (p) => String(!!p.spec?.hostNetwork),
    "status.phase": (p) => p.status?.phase ?? "",
    "status.podIP": (p) => p.status?.podIPs?.[0]?.ip ?? p.status?.podIP ?? "",
    "status.nominatedNodeName": (p) => p.status?.nominatedNodeName ?? "",
  },
  defaults: defaultPod,
  prepareForCreate(pod) {
    pod.status = { phase: "Pending", qosClass: computeQOSClass(pod) };
    clampGracePeriod(pod);
  },
  prepareForUpdate(pod, old) {
    pod.status = clone(old.status);
    clampGracePeriod(pod);
  },
  prepareForStatusUpdate(pod, old) {
    // QoS is set at creation; backfill it when a kubelet dropped it.
    if (pod.status && !pod.status.qosClass && old.status?.qosClass) pod.status.qosClass = old.status.qosClass;
  },
  validate: (pod) => validatePodSpec(pod.spec, "spec"),
  validateUpdate: validatePodUpdate,
  validateStatusUpdate: validatePodStatusUpdate,
} satisfies ResourceDef<Pod>;
