/**
 * The core ("" group, v1) kinds, one file per concern.
 */
export type * from "./core-common.ts";
export type * from "./core-container.ts";
export type * from "./core-pod.ts";
export type * from "./core-pod-status.ts";
export type * from "./core-node.ts";
export type * from "./core-service.ts";
export type * from "./core-config.ts";
export type * from "./core-event.ts";
export type * from "./core-storage.ts";
export type * from "./core-policy.ts";
