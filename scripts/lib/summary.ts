/** The cluster summary `npm start` prints: tables for people, one JSON line for scripts. */
import type { Cluster } from "./cluster.ts";
import type { KubeObject } from "../../actors/api/meta.ts";

/** What the summary holds. */
export interface ClusterSummary {
  nodes: { name: string; ready: boolean; podCIDR?: string }[];
  pods: { namespace: string; name: string; phase?: string; node?: string; podIP?: string }[];
  services: { namespace: string; name: string; type?: string; clusterIP?: string; externalIP?: string; readyEndpoints: number }[];
  namespaces: string[];
  actors: { address: string; threadId: number; worker: string }[];
  /** Where the Kubernetes API is served, when it is. */
  api?: { url: string; kubeconfig: string };
}

/** Reads the summary from the running cluster. */
export async function clusterSummary(c: Cluster): Promise<ClusterSummary> {
  type Any = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };
  const [nodes, pods, services, namespaces, endpoints] = await Promise.all([c.list<Any>("nodes"), c.list<Any>("pods"), c.list<Any>("services"), c.list<Any>("namespaces"), c.list<Any>("endpoints").catch(() => [] as Any[])]);
  const readyEndpoints = (ns: string, name: string) =>
    ((endpoints.find((e) => e.metadata.namespace === ns && e.metadata.name === name) as { subsets?: { addresses?: unknown[] }[] } | undefined)?.subsets ?? []).reduce((n, s) => n + (s.addresses?.length ?? 0), 0);
  return {
    nodes: nodes.map((n) => ({
      name: n.metadata.name!,
      ready: ((n.status?.conditions as { type: string; status: string }[] | undefined) ?? []).some((x) => x.type === "Ready" && x.status === "True"),
      podCIDR: n.spec?.podCIDR as string | undefined,
    })),
    pods: pods.map((p) => ({ namespace: p.metadata.namespace!, name: p.metadata.name!, phase: p.status?.phase as string, node: p.spec?.nodeName as string, podIP: p.status?.podIP as string })),
    services: services.map((s) => ({
      namespace: s.metadata.namespace!,
      name: s.metadata.name!,
      type: s.spec?.type as string,
      clusterIP: s.spec?.clusterIP as string,
      externalIP: ((s.status?.loadBalancer as { ingress?: { ip?: string }[] } | undefined)?.ingress ?? [])[0]?.ip,
      readyEndpoints: readyEndpoints(s.metadata.namespace!, s.metadata.name!),
    })),
    namespaces: namespaces.map((n) => n.metadata.name!),
    actors: c.supervisor.actors().map((a) => ({ address: a.address, threadId: a.threadId, worker: a.worker })),
    ...(c.api ? { api: { url: c.api.url, kubeconfig: c.api.kubeconfig } } : {}),
  };
}

/** Formats rows as an aligned table with a header. */
export function table(header: string[], rows: (string | number | undefined)[][]): string[] {
  const cells = [header, ...rows.map((r) => r.map((c) => (c === undefined || c === "" ? "<none>" : String(c))))];
  const w = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  return cells.map((r) => r.map((c, i) => c.padEnd(w[i])).join("   ").trimEnd());
}

/** Prints the summary as tables. */
export function printSummary(s: ClusterSummary, out: (line: string) => void): void {
  const section = (title: string, lines: string[]) => {
    out("");
    out(title);
    for (const l of lines) out(l);
  };
  section("NODES", s.nodes.length ? table(["NAME", "READY", "POD CIDR"], s.nodes.map((n) => [n.name, n.ready ? "True" : "False", n.podCIDR])) : ["(none)"]);
  section("PODS", s.pods.length ? table(["NAMESPACE", "NAME", "PHASE", "NODE", "IP"], s.pods.map((p) => [p.namespace, p.name, p.phase, p.node, p.podIP])) : ["(none)"]);
  section("SERVICES", s.services.length ? table(["NAMESPACE", "NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "READY ENDPOINTS"], s.services.map((x) => [x.namespace, x.name, x.type, x.clusterIP, x.externalIP, x.readyEndpoints])) : ["(none)"]);
  section("NAMESPACES", [s.namespaces.join(", ")]);
  section("ACTORS", table(["ADDRESS", "WORKER", "THREAD"], s.actors.map((a) => [a.address, a.worker, a.threadId])));
  if (s.api) section("API", table(["SERVER", "KUBECONFIG"], [[s.api.url, s.api.kubeconfig]]));
}
