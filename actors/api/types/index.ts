/**
 * Every Kubernetes object type actorkube serves, by API group.
 */
export type * from "./core.ts";
export type * from "./apps.ts";
export type * from "./coordination.ts";
export type * from "./discovery.ts";
export type * from "./rbac.ts";
export type * from "./authorization.ts";
export { SERVICE_NAME_LABEL } from "./discovery.ts";
