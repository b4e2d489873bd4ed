/**
 * Writes the bootstrap RBAC policy at apiserver start: missing cluster roles
 * and bindings are created; existing ones marked for auto-update
 * (`rbac.authorization.kubernetes.io/autoupdate: "true"`) get back any rule
 * or subject they lost, as kube-apiserver's policy reconciliation does.
 * Anything else a user changed is left alone.
 */
import { isNotFound } from "../../api/client.ts";
import type { KubeObject } from "../../api/meta.ts";
import type { ClusterRole, ClusterRoleBinding } from "../../api/types/rbac.ts";
import { sameJson } from "../objects.ts";
import type { ApiServer } from "../server.ts";
import { AUTOUPDATE_ANNOTATION, bootstrapClusterRoleBindingObjects, bootstrapClusterRoleObjects } from "./bootstrap-policy.ts";

function missingFrom<T>(have: readonly T[], want: readonly T[]): T[] {
  return want.filter((w) => !have.some((h) => sameJson(h, w)));
}

async function ensure<T extends KubeObject>(api: ApiServer, plural: string, want: T, field: "rules" | "subjects"): Promise<void> {
  const t = api.target(plural, "rbac.authorization.k8s.io", undefined);
  let cur: T;
  try {
    cur = (await api.get(t, want.metadata.name!)) as T;
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await api.create(t, want);
    return;
  }
  if (cur.metadata.annotations?.[AUTOUPDATE_ANNOTATION] !== "true") return;
  const have = (cur[field] as unknown[] | undefined) ?? [];
  const add = missingFrom(have, (want[field] as unknown[] | undefined) ?? []);
  if (add.length === 0) return;
  await api.update(t, { ...cur, [field]: [...have, ...add] });
}

/** Creates or repairs every bootstrap cluster role and binding. */
export async function ensureBootstrapPolicy(api: ApiServer): Promise<void> {
  for (const role of bootstrapClusterRoleObjects()) await ensure<ClusterRole>(api, "clusterroles", role, "rules");
  for (const binding of bootstrapClusterRoleBindingObjects()) await ensure<ClusterRoleBinding>(api, "clusterrolebindings", binding, "subjects");
}
