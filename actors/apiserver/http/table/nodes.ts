/** The nodes table: NAME STATUS ROLES AGE VERSION (+ addresses, OS, kernel, runtime). */
import { ageColumn, age, arr, col, nameColumn, rec, str, type Printer } from "./format.ts";

const ROLE_PREFIX = "node-role.kubernetes.io/";

/** nodes */
export const nodePrinter: Printer = {
  columns: [
    nameColumn,
    col("Status", "The status of the node"),
    col("Roles", "The roles of the node"),
    ageColumn,
    col("Version", "Kubelet Version reported by the node."),
    col("Internal-IP", "List of internal IPs assigned to the node.", { wide: true }),
    col("External-IP", "List of external IPs assigned to the node.", { wide: true }),
    col("OS-Image", "OS image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", { wide: true }),
    col("Kernel-Version", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", { wide: true }),
    col("Container-Runtime", "Container runtime version reported by the node through runtime remote API (e.g. containerd://1.4.2).", { wide: true }),
  ],
  cells(node, now) {
    const spec = rec(node.spec);
    const status = rec(node.status);
    const ready = arr(status.conditions).map(rec).find((c) => c.type === "Ready");
    const states = [ready ? (ready.status === "True" ? "Ready" : "NotReady") : "Unknown"];
    if (spec.unschedulable === true) states.push("SchedulingDisabled");
    const roles = new Set<string>();
    for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
      if (k.startsWith(ROLE_PREFIX) && k.length > ROLE_PREFIX.length) roles.add(k.slice(ROLE_PREFIX.length));
      else if (k === "kubernetes.io/role" && v) roles.add(v);
    }
    const addresses = arr(status.addresses).map(rec);
    const address = (type: string) => addresses.filter((a) => a.type === type).map((a) => str(a.address))[0] ?? "<none>";
    const info = rec(status.nodeInfo);
    return [
      node.metadata.name,
      states.join(","),
      roles.size ? [...roles].sort().join(",") : "<none>",
      age(node, now),
      str(info.kubeletVersion),
      address("InternalIP"),
      address("ExternalIP"),
      str(info.osImage) || "<unknown>",
      str(info.kernelVersion) || "<unknown>",
      str(info.containerRuntimeVersion) || "<unknown>",
    ];
  },
};
