/**
 * discovery.k8s.io/v1 EndpointSlice: the endpoints of a service, in slices.
 */
import type { ObjectMeta } from "../meta.ts";
import type { ObjectReference, Protocol } from "./core-common.ts";

/** The label that ties a slice to its service. */
export const SERVICE_NAME_LABEL = "kubernetes.io/service-name";

/** IPv4 / IPv6 / FQDN. */
export type AddressType = "IPv4" | "IPv6" | "FQDN";

/** discovery.k8s.io/v1 EndpointSlice */
export interface EndpointSlice {
  apiVersion: "discovery.k8s.io/v1";
  kind: "EndpointSlice";
  metadata: ObjectMeta;
  addressType: AddressType;
  endpoints: Endpoint[];
  ports?: EndpointSlicePort[];
  [field: string]: unknown;
}

/** discovery.k8s.io/v1 Endpoint */
export interface Endpoint {
  addresses: string[];
  conditions?: EndpointConditions;
  hostname?: string;
  targetRef?: ObjectReference;
  nodeName?: string;
  zone?: string;
  hints?: { forZones?: Array<{ name: string }>; forNodes?: Array<{ name: string }> };
}

/** discovery.k8s.io/v1 EndpointConditions; unset means unknown (treat as ready). */
export interface EndpointConditions {
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

/** discovery.k8s.io/v1 EndpointPort */
export interface EndpointSlicePort {
  name?: string;
  protocol?: Protocol;
  port?: number;
  appProtocol?: string;
}
