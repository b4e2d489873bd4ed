/**
 * Small core/v1 shapes shared by many kinds: references, resource lists,
 * int-or-string values.
 */

/** A resource quantity as the API prints it: "100m", "128Mi", "1". */
export type Quantity = string;

/** resource name ("cpu", "memory", "pods", "ephemeral-storage", ...) → quantity. */
export type ResourceList = Record<string, Quantity>;

/** intstr.IntOrString: a port number or a named port, a count or a percentage. */
export type IntOrString = number | string;

/** Transport protocol of a port. */
export type Protocol = "TCP" | "UDP" | "SCTP";

/** "True" / "False" / "Unknown", as every condition's status. */
export type ConditionStatus = "True" | "False" | "Unknown";

/** core/v1 ObjectReference: points at any object, optionally at a field within it. */
export interface ObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

/** core/v1 LocalObjectReference: an object in the same namespace, by name. */
export interface LocalObjectReference {
  name?: string;
}

/** core/v1 TypedLocalObjectReference */
export interface TypedLocalObjectReference {
  apiGroup?: string;
  kind: string;
  name: string;
}

/** core/v1 ResourceRequirements: what a container (or pod) requests and may use. */
export interface ResourceRequirements {
  limits?: ResourceList;
  requests?: ResourceList;
}
