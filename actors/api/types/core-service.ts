/**
 * core/v1 Service and Endpoints: what kube-proxy and DNS serve.
 */
import type { Condition, ObjectMeta } from "../meta.ts";
import type { IntOrString, ObjectReference, Protocol } from "./core-common.ts";

/** ClusterIP / NodePort / LoadBalancer / ExternalName. */
export type ServiceType = "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName";

/** IPv4 / IPv6. */
export type IPFamily = "IPv4" | "IPv6";

/** core/v1 Service */
export interface Service {
  apiVersion: "v1";
  kind: "Service";
  metadata: ObjectMeta;
  spec: ServiceSpec;
  status?: ServiceStatus;
  [field: string]: unknown;
}

/** core/v1 ServiceSpec */
export interface ServiceSpec {
  type?: ServiceType;
  ports?: ServicePort[];
  selector?: Record<string, string>;
  /** "None" makes a headless service. */
  clusterIP?: string;
  clusterIPs?: string[];
  externalIPs?: string[];
  externalName?: string;
  sessionAffinity?: "None" | "ClientIP";
  sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
  loadBalancerIP?: string;
  loadBalancerSourceRanges?: string[];
  loadBalancerClass?: string;
  allocateLoadBalancerNodePorts?: boolean;
  externalTrafficPolicy?: "Cluster" | "Local";
  internalTrafficPolicy?: "Cluster" | "Local";
  healthCheckNodePort?: number;
  publishNotReadyAddresses?: boolean;
  ipFamilies?: IPFamily[];
  ipFamilyPolicy?: "SingleStack" | "PreferDualStack" | "RequireDualStack";
  trafficDistribution?: string;
}

/** core/v1 ServicePort */
export interface ServicePort {
  name?: string;
  protocol?: Protocol;
  appProtocol?: string;
  port: number;
  /** A container port number or the name of a container port. */
  targetPort?: IntOrString;
  nodePort?: number;
}

/** core/v1 LoadBalancerIngress */
export interface LoadBalancerIngress {
  ip?: string;
  hostname?: string;
  ipMode?: "VIP" | "Proxy";
  ports?: Array<{ port: number; protocol: Protocol; error?: string }>;
}

/** core/v1 ServiceStatus */
export interface ServiceStatus {
  loadBalancer?: { ingress?: LoadBalancerIngress[] };
  conditions?: Condition[];
}

/** core/v1 Endpoints (legacy; EndpointSlice is the current shape). */
export interface Endpoints {
  apiVersion: "v1";
  kind: "Endpoints";
  metadata: ObjectMeta;
  subsets?: EndpointSubset[];
  [field: string]: unknown;
}

/** core/v1 EndpointSubset */
export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

/** core/v1 EndpointAddress */
export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: ObjectReference;
}

/** core/v1 EndpointPort */
export interface EndpointPort {
  name?: string;
  port: number;
  protocol?: Protocol;
  appProtocol?: string;
}
