/**
 * The controllers kube-controller-manager runs, by the names its
 * `--controllers` flag uses. Each entry is one file of this folder.
 */
import type { ControllerFactory } from "./controller.ts";

/** Every controller actorkube has, by name; the manager runs those asked for (default all). */
export const controllerFactories: Readonly<Record<string, ControllerFactory>> = {
};

export type { Controller, ControllerContext, ControllerFactory, ControllerOptions } from "./controller.ts";
export { Reconciler, keyOf, splitKey } from "./controller.ts";
