/**
 * core/v1 Endpoints, the legacy per-service address list the endpoints
 * controller writes: routable IPs, named ports when there are several.
 */
import type { EndpointAddress, Endpoints } from "../../api/types/index.ts";
import type { FieldError, ResourceDef } from "./resource.ts";
import { at, child, duplicate, invalid, isDNS1123Label, isDNS1123Subdomain, isSpecialIP, isValidIP, isValidPortNum, notSupported, required } from "./validation.ts";

const protocols = ["SCTP", "TCP", "UDP"];

function validateAddress(a: EndpointAddress, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const ipPath = child(path, "ip");
  const bad = isValidIP(a.ip ?? "");
  if (bad.length) errs.push(...bad.map((m) => invalid(ipPath, a.ip ?? "", m)));
  else errs.push(...isSpecialIP(a.ip).map((m) => invalid(ipPath, a.ip, m)));
  if (a.hostname) errs.push(...isDNS1123Label(a.hostname).map((m) => invalid(child(path, "hostname"), a.hostname, m)));
  if (a.nodeName) errs.push(...isDNS1123Subdomain(a.nodeName).map((m) => invalid(child(path, "nodeName"), a.nodeName, m)));
  return errs;
}

/** The subsets of an Endpoints object. */
export function validateEndpoints(ep: Endpoints): FieldError[] {
  const errs: FieldError[] = [];
  (ep.subsets ?? []).forEach((ss, i) => {
    const p = at("subsets", i);
    if (!ss.addresses?.length && !ss.notReadyAddresses?.length) errs.push(required(p, "must specify `addresses` or `notReadyAddresses`"));
    (ss.addresses ?? []).forEach((a, j) => errs.push(...validateAddress(a, at(child(p, "addresses"), j))));
    (ss.notReadyAddresses ?? []).forEach((a, j) => errs.push(...validateAddress(a, at(child(p, "notReadyAddresses"), j))));
    const names = new Set<string>();
    const ports = ss.ports ?? [];
    ports.forEach((port, j) => {
      const pp = at(child(p, "ports"), j);
      if (ports.length > 1 && !port.name) errs.push(required(child(pp, "name")));
      else if (port.name) {
        errs.push(...isDNS1123Label(port.name).map((m) => invalid(child(pp, "name"), port.name, m)));
        if (names.has(port.name)) errs.push(duplicate(child(pp, "name"), port.name));
        names.add(port.name);
      }
      errs.push(...isValidPortNum(port.port).map((m) => invalid(child(pp, "port"), port.port, m)));
      if (!port.protocol) errs.push(required(child(pp, "protocol")));
      else if (!protocols.includes(port.protocol)) errs.push(notSupported(child(pp, "protocol"), port.protocol, protocols));
    });
  });
  return errs;
}

/** core/v1 endpoints. */
export const endpointsResource = {
  group: "",
  version: "v1",
  kind: "Endpoints",
  listKind: "EndpointsList",
  plural: "endpoints",
  singular: "endpoints",
  namespaced: true,
  shortNames: ["ep"],
  subresources: [],
  defaults(ep) {
    for (const ss of ep.subsets ?? []) for (const p of ss.ports ?? []) p.protocol ||= "TCP";
  },
  validate: validateEndpoints,
} satisfies ResourceDef<Endpoints>;
