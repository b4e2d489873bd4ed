/** The RBAC and namespace-policy tables: roles, bindings, limit ranges, resource quotas. */
import { compareQuantities, isQuantity } from "../../../api/quantity.ts";
import { ageColumn, age, arr, col, nameColumn, rec, str, type Printer } from "./format.ts";

const createdAt = col("Created At", "CreationTimestamp is a timestamp representing the server time when this object was created.", { type: "date" });

/** roles, clusterroles, limitranges: NAME CREATED AT */
export const createdAtPrinter: Printer = {
  columns: [nameColumn, createdAt],
  cells: (o) => [o.metadata.name, o.metadata.creationTimestamp ?? ""],
};

function subjects(binding: Record<string, unknown>, kind: string): string {
  return arr(binding.subjects)
    .map(rec)
    .filter((s) => s.kind === kind)
    .map((s) => (kind === "ServiceAccount" ? `${str(s.namespace) || str(rec(binding.metadata).namespace)}/${str(s.name)}` : str(s.name)))
    .join(", ");
}

/** rolebindings, clusterrolebindings: NAME ROLE AGE, wide USERS GROUPS SERVICEACCOUNTS */
export const bindingPrinter: Printer = {
  columns: [
    nameColumn,
    col("Role", "Role to which the binding refers."),
    ageColumn,
    col("Users", "Users in the binding.", { wide: true }),
    col("Groups", "Groups in the binding.", { wide: true }),
    col("ServiceAccounts", "ServiceAccounts in the binding.", { wide: true }),
  ],
  cells(b, now) {
    const ref = rec(b.roleRef);
    return [b.metadata.name, `${str(ref.kind)}/${str(ref.name)}`, age(b, now), subjects(b, "User"), subjects(b, "Group"), subjects(b, "ServiceAccount")];
  },
};

/** resourcequotas: NAME AGE REQUEST LIMIT, each `resource: used/hard`. */
export const resourceQuotaPrinter: Printer = {
  columns: [
    nameColumn,
    ageColumn,
    col("Request", "Request represents a minimum amount of cpu/memory that a container may consume."),
    col("Limit", "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node."),
  ],
  cells(q, now) {
    const status = rec(q.status);
    const hard = rec(status.hard);
    const used = rec(status.used);
    const requests: string[] = [];
    const limits: string[] = [];
    for (const name of Object.keys(hard).sort()) {
      const u = isQuantity(used[name]) && compareQuantities(used[name] as string, 0) !== 0 ? String(used[name]) : "0";
      const line = `${name}: ${u}/${String(hard[name])}`;
      (name.startsWith("limits.") ? limits : requests).push(line);
    }
    return [q.metadata.name, age(q, now), requests.join(", "), limits.join(", ")];
  },
};
