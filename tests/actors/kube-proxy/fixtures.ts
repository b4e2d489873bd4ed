// Objects as the apiserver stores them, for kube-proxy tests.
import type { Node } from "../../../actors/api/types/core-node.ts";
import type { Service } from "../../../actors/api/types/core-service.ts";
import type { EndpointSlice } from "../../../actors/api/types/discovery.ts";
import { RoutingTable } from "../../../actors/kube-proxy/table.ts";
import { SimulatedClock } from "../../../runtime/clock.ts";

/** A Service `default/<name>` with one port named http (80 → 8080) unless told otherwise. */
export function service(name: string, spec: Partial<Service["spec"]> = {}, status?: Service["status"]): Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: "default", uid: `uid-${name}` },
    spec: { type: "ClusterIP", clusterIP: "10.96.1.1", selector: { app: name }, ports: [{ name: "http", port: 80, targetPort: 8080, protocol: "TCP" }], sessionAffinity: "None", internalTrafficPolicy: "Cluster", ...spec },
    ...(status ? { status } : {}),
  };
}

/** An endpoint: "ip@node", optionally not ready ("!") or terminating-but-serving ("~"). */
export function slice(svc: string, eps: string[], opts: { name?: string; port?: number; portName?: string; protocol?: "TCP" | "UDP" } = {}): EndpointSlice {
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name: opts.name ?? `${svc}-abcde`, namespace: "default", labels: { "kubernetes.io/service-name": svc } },
    addressType: "IPv4",
    ports: [{ name: opts.portName ?? "http", port: opts.port ?? 8080, protocol: opts.protocol ?? "TCP" }],
    endpoints: eps.map((spec) => {
      const notReady = spec.startsWith("!");
      const terminating = spec.startsWith("~");
      const [ip, node] = spec.replace(/^[!~]/, "").split("@");
      return {
        addresses: [ip],
        conditions: { ready: !notReady && !terminating, serving: !notReady, terminating },
        nodeName: node,
        targetRef: { kind: "Pod", namespace: "default", name: `pod-${ip}`, uid: `uid-${ip}` },
      };
    }),
  };
}

/** A Node with one InternalIP. */
export function node(name: string, ip: string): Node {
  return { apiVersion: "v1", kind: "Node", metadata: { name }, status: { addresses: [{ type: "InternalIP", address: ip }, { type: "Hostname", address: name }] } } as Node;
}

/** A table with nodes n1..n3 (172.18.0.2..4) and the given services and slices. */
export function tableWith(services: Service[], slices: EndpointSlice[], opts: { preferLocal?: boolean } = {}) {
  const clock = new SimulatedClock();
  const table = new RoutingTable({ clock, preferLocal: opts.preferLocal });
  for (const [i, n] of ["n1", "n2", "n3"].entries()) table.setNode(n, node(n, `172.18.0.${i + 2}`));
  for (const s of services) table.setService(`default/${s.metadata.name}`, s);
  for (const s of slices) table.setSlice(`default/${s.metadata.name}`, s);
  return { table, clock };
}

/** Routes `n` calls and counts the backends chosen (ip → calls), or verdicts when not ACCEPT. */
export function spread(table: RoutingTable, n: number, req: Parameters<RoutingTable["route"]>[0]): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const r = table.route(req);
    const k = r.verdict === "ACCEPT" ? r.backend.ip : r.verdict;
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}
