/** The networking tables: services, endpoints and endpointslices. */
import { ageColumn, age, arr, col, listOrNone, nameColumn, rec, str, type Printer } from "./format.ts";

function externalIP(spec: Record<string, unknown>, status: Record<string, unknown>): string {
  const external = arr(spec.externalIPs).map(String);
  switch (str(spec.type) || "ClusterIP") {
    case "ClusterIP":
    case "NodePort":
      return listOrNone(external);
    case "LoadBalancer": {
      const ingress = arr(rec(status.loadBalancer).ingress).map(rec).map((i) => str(i.ip) || str(i.hostname)).filter((s) => s);
      const all = [...ingress, ...external];
      return all.length ? all.join(",") : "<pending>";
    }
    case "ExternalName":
      return str(spec.externalName);
    default:
      return "<unknown>";
  }
}

function ports(spec: Record<string, unknown>): string {
  const out = arr(spec.ports).map(rec).map((p) => {
    const proto = str(p.protocol) || "TCP";
    return p.nodePort ? `${String(p.port)}:${String(p.nodePort)}/${proto}` : `${String(p.port)}/${proto}`;
  });
  return listOrNone(out);
}

/** services */
export const servicePrinter: Printer = {
  columns: [
    nameColumn,
    col("Type", "type determines how the Service is exposed."),
    col("Cluster-IP", "clusterIP is the IP address of the service and is usually assigned randomly."),
    col("External-IP", "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service."),
    col("Port(s)", "The list of ports that are exposed by this service."),
    ageColumn,
    col("Selector", "Route service traffic to pods with label keys and values matching this selector.", { wide: true }),
  ],
  cells(svc, now) {
    const spec = rec(svc.spec);
    const selector = Object.entries(rec(spec.selector)).map(([k, v]) => `${k}=${String(v)}`);
    return [svc.metadata.name, str(spec.type) || "ClusterIP", str(spec.clusterIP) || "<none>", externalIP(spec, rec(svc.status)), ports(spec), age(svc, now), listOrNone(selector)];
  },
};

/** At most three entries, then `+ N more...`, as kubectl abbreviates endpoint lists. */
function abbreviate(items: string[]): string {
  if (items.length === 0) return "<none>";
  return items.length > 3 ? `${items.slice(0, 3).join(",")} + ${items.length - 3} more...` : items.join(",");
}

/** endpoints */
export const endpointsPrinter: Printer = {
  columns: [nameColumn, col("Endpoints", "Endpoints is the list of endpoints in this subset."), ageColumn],
  cells(ep, now) {
    const items: string[] = [];
    for (const subset of arr(ep.subsets).map(rec)) {
      const portList = arr(subset.ports).map(rec);
      for (const a of arr(subset.addresses).map(rec)) {
        if (portList.length === 0) items.push(str(a.ip));
        for (const p of portList) items.push(`${str(a.ip)}:${String(p.port)}`);
      }
    }
    return [ep.metadata.name, abbreviate(items), age(ep, now)];
  },
};

/** endpointslices */
export const endpointSlicePrinter: Printer = {
  columns: [
    nameColumn,
    col("AddressType", "addressType specifies the type of address carried by this EndpointSlice."),
    col("Ports", "ports specifies the list of network ports exposed by each endpoint in this slice."),
    col("Endpoints", "endpoints is a list of unique endpoints in this slice."),
    ageColumn,
  ],
  cells(slice, now) {
    const portList = arr(slice.ports).map(rec).map((p) => String(p.port ?? ""));
    const addresses = arr(slice.endpoints).flatMap((e) => arr(rec(e).addresses).map(String));
    return [slice.metadata.name, str(slice.addressType), listOrNone(portList.filter((p) => p)), abbreviate(addresses), age(slice, now)];
  },
};
