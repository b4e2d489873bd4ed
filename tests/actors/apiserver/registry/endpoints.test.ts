import { test } from "uvu";
import * as assert from "uvu/assert";
import type { EndpointSlice, Endpoints } from "../../../../actors/api/types/index.ts";
import { endpointsResource } from "../../../../actors/apiserver/registry/endpoints.ts";
import { endpointSliceResource } from "../../../../actors/apiserver/registry/endpointslices.ts";
import { created, createErrors, updateErrors, variant } from "./helpers.ts";

const ep: Endpoints = {
  apiVersion: "v1",
  kind: "Endpoints",
  metadata: { name: "web", namespace: "default" },
  subsets: [{ addresses: [{ ip: "10.244.1.5", nodeName: "node-1", targetRef: { kind: "Pod", name: "web-1", namespace: "default" } }], ports: [{ port: 8080 }] }],
};

const epCases: Array<{ name: string; edit: (e: Endpoints) => void; want: string[] }> = [
  { name: "no addresses", edit: (e) => (e.subsets = [{ ports: [{ port: 80 }] }]), want: ["subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`"] },
  { name: "bad IP", edit: (e) => (e.subsets![0].addresses![0].ip = "10.244.1"), want: ['subsets[0].addresses[0].ip: Invalid value: "10.244.1": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'] },
  { name: "loopback", edit: (e) => (e.subsets![0].addresses![0].ip = "127.0.0.1"), want: ['subsets[0].addresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)'] },
  { name: "link-local", edit: (e) => (e.subsets![0].addresses![0].ip = "169.254.1.1"), want: ['subsets[0].addresses[0].ip: Invalid value: "169.254.1.1": may not be in the link-local range (169.254.0.0/16, fe80::/10)'] },
  { name: "unnamed ports", edit: (e) => (e.subsets![0].ports = [{ port: 80 }, { name: "b", port: 81 }]), want: ["subsets[0].ports[0].name: Required value"] },
  { name: "port 0", edit: (e) => (e.subsets![0].ports = [{ port: 0 }]), want: ["subsets[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive"] },
];

test("endpoints", () => {
  const e = created(endpointsResource, ep);
  assert.is(e.subsets?.[0].ports?.[0].protocol, "TCP");
  assert.equal(createErrors(endpointsResource, ep), []);
  for (const c of epCases) assert.equal(createErrors(endpointsResource, variant(ep, c.edit)), c.want, c.name);
  assert.equal(endpointsResource.shortNames, ["ep"]);
});

const slice: EndpointSlice = {
  apiVersion: "discovery.k8s.io/v1",
  kind: "EndpointSlice",
  metadata: { name: "web-abc12", namespace: "default", labels: { "kubernetes.io/service-name": "web" } },
  addressType: "IPv4",
  endpoints: [{ addresses: ["10.244.1.5"], conditions: { ready: true, serving: true, terminating: false }, nodeName: "node-1" }],
  ports: [{ name: "http", port: 8080 }],
};

const sliceCases: Array<{ name: string; edit: (s: EndpointSlice) => void; want: string[] }> = [
  { name: "address type", edit: (s) => (s.addressType = "IPv5" as "IPv4"), want: ['addressType: Unsupported value: "IPv5": supported values: "FQDN", "IPv4", "IPv6"'] },
  { name: "IPv6 in an IPv4 slice", edit: (s) => (s.endpoints[0].addresses = ["fd00::5"]), want: ['endpoints[0].addresses[0]: Invalid value: "fd00::5": must be a valid IPv4 address'] },
  { name: "no addresses", edit: (s) => (s.endpoints[0].addresses = []), want: ["endpoints[0].addresses: Required value: must contain at least 1 address"] },
  { name: "too many endpoints", edit: (s) => (s.endpoints = Array.from({ length: 1001 }, () => ({ addresses: ["10.0.0.1"] }))), want: ["endpoints: Too many: 1001: must have at most 1000 items"] },
  { name: "duplicate port names", edit: (s) => (s.ports = [{ name: "http", port: 80 }, { name: "http", port: 81 }]), want: ['ports[1].name: Duplicate value: "http"'] },
];

test("endpointslices", () => {
  const s = created(endpointSliceResource, slice);
  assert.equal(s.ports, [{ name: "http", port: 8080, protocol: "TCP" }]);
  assert.equal(createErrors(endpointSliceResource, slice), []);
  for (const c of sliceCases) assert.equal(createErrors(endpointSliceResource, variant(slice, c.edit)), c.want, c.name);
  assert.equal(updateErrors(endpointSliceResource, variant(slice, (x) => (x.addressType = "IPv6")), slice).at(-1), 'addressType: Invalid value: "IPv6": field is immutable');
  assert.is(endpointSliceResource.group, "discovery.k8s.io");
});

test.run();
