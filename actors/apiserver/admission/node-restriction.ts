/**
 * NodeRestriction: a kubelet (user `system:node:<name>`) may write only what
 * belongs to its own node — its Node object (and status), its Lease in
 * kube-node-lease, the status and deletion of pods bound to it, and mirror
 * pods (annotation `kubernetes.io/config.mirror`) bound to it. Anything
 * else is refused with kube-apiserver's messages, so one compromised or
 * buggy node cannot rewrite another's state. Other users are not affected.
 */
import type { KubeObject } from "../../api/meta.ts";
import { forbidden } from "../../api/status.ts";
import type { AdmissionPlugin, AdmissionRequest } from "./types.ts";

const NODE_USER = "system:node:";
const MIRROR_ANNOTATION = "kubernetes.io/config.mirror";

function refuse(a: AdmissionRequest, why: string): never {
  throw forbidden(a.def.plural, a.name, why, a.def.group);
}

const boundTo = (obj: KubeObject | undefined) => (obj?.spec as { nodeName?: string } | undefined)?.nodeName;

/** The NodeRestriction plugin. */
export const nodeRestriction: AdmissionPlugin = {
  name: "NodeRestriction",
  validate(a) {
    if (!a.user?.startsWith(NODE_USER)) return;
    const node = a.user.slice(NODE_USER.length);
    const resource = a.def.group ? `${a.def.plural}.${a.def.group}` : a.def.plural;
    switch (resource) {
      case "nodes":
        if (a.name !== node) refuse(a, `node "${node}" is not allowed to modify node "${a.name}"`);
        return;
      case "leases.coordination.k8s.io":
        if (a.namespace !== "kube-node-lease" || a.name !== node) refuse(a, "can only access node lease with the same name as the requesting node");
        return;
      case "pods":
        if (a.operation === "CREATE") {
          if (!a.object?.metadata.annotations?.[MIRROR_ANNOTATION]) refuse(a, `pod does not have "${MIRROR_ANNOTATION}" annotation, node "${node}" can only create mirror pods`);
          if (boundTo(a.object) !== node) refuse(a, `node "${node}" can only create pods with spec.nodeName set to itself`);
          return;
        }
        if (boundTo(a.oldObject) !== node) {
          refuse(a, a.operation === "DELETE" ? `node "${node}" can only delete pods with spec.nodeName set to itself` : `node "${node}" can only update pod status for pods with spec.nodeName set to itself`);
        }
        return;
      default:
        return;
    }
  },
};
