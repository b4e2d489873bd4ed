/**
 * `GET .../scale`: the autoscaling/v1 Scale view of a scalable object
 * (deployments, replicasets), derived from the object itself.
 */
import type { KubeObject } from "../../api/meta.ts";
import { formatLabelSelector } from "../../api/label-selector.ts";
import type { LabelSelector } from "../../api/meta.ts";
import { rec } from "./table/format.ts";

/** autoscaling/v1 Scale of `obj`. */
export function toScale(obj: KubeObject): KubeObject {
  const spec = rec(obj.spec);
  const status = rec(obj.status);
  const m = obj.metadata;
  const selector = formatLabelSelector(spec.selector as LabelSelector | undefined);
  return {
    apiVersion: "autoscaling/v1",
    kind: "Scale",
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: typeof spec.replicas === "number" ? spec.replicas : 1 },
    status: { replicas: typeof status.replicas === "number" ? status.replicas : 0, selector: selector === "<none>" ? "" : selector },
  };
}
