/**
 * The cloud provider interface the cloud-controller-manager's controllers
 * are written against, shaped like Kubernetes' cloudprovider.Interface
 * (InstancesV2, Routes, LoadBalancer) plus the controller half of a CSI
 * driver (CreateVolume, DeleteVolume, ControllerPublish/Unpublish). Every
 * call is async, so a provider backed by a real cloud API can be plugged in;
 * `simulated-provider.ts` is the one actorkube ships.
 */
import type { Node, NodeAddress } from "../api/types/core-node.ts";
import type { LoadBalancerIngress, Service } from "../api/types/core-service.ts";

/** What the provider says about the machine behind a Node (InstancesV2's InstanceMetadata). */
export interface InstanceMetadata {
  /** `<provider>://<id>`, written to node.spec.providerID. */
  providerID: string;
  instanceType: string;
  addresses: NodeAddress[];
  zone: string;
  region: string;
}

/** A route in the cluster's VPC route table: traffic for `destinationCIDR` goes to `targetNode`. */
export interface Route {
  name: string;
  targetNode: string;
  destinationCIDR: string;
  /** The target instance no longer exists. */
  blackhole?: boolean;
}

/** A load balancer for one Service. */
export interface LoadBalancerInfo {
  name: string;
  /** `namespace/name` of the Service. */
  service: string;
  ingress: LoadBalancerIngress[];
  /** Front-end port → backend node port on every member node. */
  ports: Array<{ port: number; protocol: string; nodePort?: number }>;
  /** Member nodes, by name. */
  nodes: string[];
}

/** A block-storage disk (a CSI volume). */
export interface Disk {
  /** The volume handle: what the PV's `spec.csi.volumeHandle` holds. */
  id: string;
  /** The name it was created under (the PV name), which makes creation idempotent. */
  name: string;
  capacityBytes: number;
  zone: string;
  /** Node it is attached to, and the device it appears as there. */
  attachedTo?: string;
  devicePath?: string;
  parameters: Record<string, string>;
}

/** Load-balancer calls, as cloudprovider.LoadBalancer. */
export interface LoadBalancerProvider {
  /** The load balancer's status, if it exists. */
  getLoadBalancer(clusterName: string, service: Service): Promise<{ ingress: LoadBalancerIngress[] } | undefined>;
  /** Creates or updates the load balancer for `service` over `nodes`; resolves with its ingress. */
  ensureLoadBalancer(clusterName: string, service: Service, nodes: Node[]): Promise<{ ingress: LoadBalancerIngress[] }>;
  /** Changes the member nodes only. */
  updateLoadBalancer(clusterName: string, service: Service, nodes: Node[]): Promise<void>;
  /** Deletes the load balancer (no error when it does not exist). */
  ensureLoadBalancerDeleted(clusterName: string, service: Service): Promise<void>;
}

/** The whole provider. */
export interface CloudProvider extends LoadBalancerProvider {
  /** The provider's name, the scheme of its provider IDs (`actorkube`). */
  readonly name: string;

  // Instances (InstancesV2)
  /** The instance behind `node`; rejects with code `InstanceNotFound` when there is none. */
  instanceMetadata(node: Node): Promise<InstanceMetadata>;
  /** Whether the instance behind `node` still exists. */
  instanceExists(node: Node): Promise<boolean>;
  /** Whether the instance behind `node` is shut down (exists but stopped). */
  instanceShutdown(node: Node): Promise<boolean>;

  // Routes
  listRoutes(clusterName: string): Promise<Route[]>;
  /** Creates a route; `nameHint` (the node's uid) makes the name unique. */
  createRoute(clusterName: string, nameHint: string, route: Omit<Route, "name" | "blackhole">): Promise<void>;
  deleteRoute(clusterName: string, route: Route): Promise<void>;

  // Disks (the controller side of a CSI driver)
  /** Creates a disk, or returns the one already created under `name`. */
  createDisk(name: string, capacityBytes: number, parameters: Record<string, string>): Promise<Disk>;
  /** Deletes a disk; rejects with code `DiskInUse` while it is attached. No error when it does not exist. */
  deleteDisk(id: string): Promise<void>;
  /** Attaches a disk to a node's instance; resolves with the device path. Idempotent for the same node. */
  attachDisk(id: string, node: string): Promise<{ devicePath: string }>;
  /** Detaches a disk from a node (no error when it is not attached there). */
  detachDisk(id: string, node: string): Promise<void>;
  /** Disks attached to a node's instance. */
  disksAttachedTo(node: string): Promise<Disk[]>;
  getDisk(id: string): Promise<Disk | undefined>;
}

/** Error codes a provider rejects with (checked by `code`). */
export const CloudCodes = {
  InstanceNotFound: "InstanceNotFound",
  DiskNotFound: "DiskNotFound",
  DiskInUse: "DiskInUse",
  MultiAttach: "MultiAttach",
  AttachFailed: "AttachFailed",
  IPExhausted: "IPExhausted",
  InvalidLoadBalancerIP: "InvalidLoadBalancerIP",
} as const;

/** The default load-balancer name of a service, as cloudprovider.DefaultLoadBalancerName: `a` + uid without dashes, at most 32 characters. */
export function defaultLoadBalancerName(service: Service): string {
  return `a${(service.metadata.uid ?? "").replace(/-/g, "")}`.slice(0, 32);
}
