/**
 * discovery.k8s.io/v1 EndpointSlices: up to 1000 endpoints and 100 ports
 * per slice, addresses of the slice's one address type.
 */
import type { EndpointSlice } from "../../api/types/index.ts";
import type { FieldError, ResourceDef } from "./resource.ts";
import {
  at,
  child,
  duplicate,
  invalid,
  ipFamilyOf,
  isDNS1123Label,
  isDNS1123Subdomain,
  isValidPortNum,
  notSupported,
  required,
  tooMany,
  validateImmutable,
} from "./validation.ts";

const addressTypes = ["FQDN", "IPv4", "IPv6"];
const protocols = ["SCTP", "TCP", "UDP"];
/** Limits Kubernetes enforces per slice. */
export const MAX_ENDPOINTS = 1000;
/** At most this many addresses per endpoint. */
export const MAX_ADDRESSES = 100;
/** At most this many ports per slice. */
export const MAX_PORTS = 20000;

function validateAddress(type: string, addr: string, path: string): FieldError[] {
  if (type === "IPv4") return ipFamilyOf(addr) === 4 ? [] : [invalid(path, addr, "must be a valid IPv4 address")];
  if (type === "IPv6") return ipFamilyOf(addr) === 6 ? [] : [invalid(path, addr, "must be a valid IPv6 address")];
  if (type === "FQDN") return isDNS1123Subdomain(addr).map((m) => invalid(path, addr, m));
  return [];
}

/** A slice's address type, endpoints and ports. */
export function validateEndpointSlice(s: EndpointSlice): FieldError[] {
  const errs: FieldError[] = [];
  if (!s.addressType) errs.push(required("addressType"));
  else if (!addressTypes.includes(s.addressType)) errs.push(notSupported("addressType", s.addressType, addressTypes));
  const endpoints = s.endpoints ?? [];
  if (endpoints.length > MAX_ENDPOINTS) errs.push(tooMany("endpoints", endpoints.length, MAX_ENDPOINTS));
  endpoints.forEach((e, i) => {
    const p = at("endpoints", i);
    const addrs = e.addresses ?? [];
    if (addrs.length === 0) errs.push(required(child(p, "addresses"), "must contain at least 1 address"));
    else if (addrs.length > MAX_ADDRESSES) errs.push(tooMany(child(p, "addresses"), addrs.length, MAX_ADDRESSES));
    addrs.forEach((a, j) => errs.push(...validateAddress(s.addressType, a, at(child(p, "addresses"), j))));
    if (e.hostname) errs.push(...isDNS1123Label(e.hostname).map((m) => invalid(child(p, "hostname"), e.hostname, m)));
    if (e.nodeName) errs.push(...isDNS1123Subdomain(e.nodeName).map((m) => invalid(child(p, "nodeName"), e.nodeName, m)));
  });
  const ports = s.ports ?? [];
  if (ports.length > MAX_PORTS) errs.push(tooMany("ports", ports.length, MAX_PORTS));
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = at("ports", i);
    const name = port.name ?? "";
    if (name) errs.push(...isDNS1123Label(name).map((m) => invalid(child(p, "name"), name, m)));
    if (names.has(name)) errs.push(duplicate(child(p, "name"), name));
    names.add(name);
    if (!port.protocol) errs.push(required(child(p, "protocol")));
    else if (!protocols.includes(port.protocol)) errs.push(notSupported(child(p, "protocol"), port.protocol, protocols));
    if (port.port !== undefined) errs.push(...isValidPortNum(port.port).map((m) => invalid(child(p, "port"), port.port, m)));
  });
  return errs;
}

/** discovery.k8s.io/v1 endpointslices. */
export const endpointSliceResource = {
  group: "discovery.k8s.io",
  version: "v1",
  kind: "EndpointSlice",
  listKind: "EndpointSliceList",
  plural: "endpointslices",
  singular: "endpointslice",
  namespaced: true,
  subresources: [],
  fieldSelectors: {
    addressType: (s) => s.addressType ?? "",
  },
  defaults(s) {
    s.endpoints ??= [];
    for (const p of s.ports ?? []) {
      p.name ??= "";
      p.protocol ??= "TCP";
    }
  },
  validate: validateEndpointSlice,
  validateUpdate: (s, old) => validateImmutable(s.addressType, old.addressType, "addressType"),
} satisfies ResourceDef<EndpointSlice>;
