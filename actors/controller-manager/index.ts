/**
 * The controllers kube-controller-manager runs, by the names its
 * `--controllers` flag uses. Each entry is one file of this folder.
 */
import type { ControllerFactory } from "./controller.ts";
import { replicaSetController } from "./replicaset.ts";
import { deploymentController } from "./deployment.ts";
import { endpointsController } from "./endpoints.ts";
import { endpointSliceController } from "./endpointslice.ts";
import { nodeLifecycleController } from "./node-lifecycle.ts";
import { garbageCollector } from "./garbage-collector.ts";
import { namespaceController } from "./namespace.ts";
import { serviceAccountsController } from "./serviceaccount.ts";
import { tokensController } from "./serviceaccount-token.ts";
import { rootCACertPublisher } from "./root-ca.ts";
import { podGCController } from "./podgc.ts";
import { clusterRoleAggregationController } from "./clusterrole-aggregation.ts";

/** Every controller actorkube has, by name; the manager runs those asked for (default all). */
export const controllerFactories: Readonly<Record<string, ControllerFactory>> = {
  replicaset: replicaSetController,
  deployment: deploymentController,
  endpoint: endpointsController,
  endpointslice: endpointSliceController,
  nodelifecycle: nodeLifecycleController,
  garbagecollector: garbageCollector,
  namespace: namespaceController,
  serviceaccount: serviceAccountsController,
  "serviceaccount-token": tokensController,
  "root-ca-cert-publisher": rootCACertPublisher,
  podgc: podGCController,
  "clusterrole-aggregation": clusterRoleAggregationController,
};

export type { Controller, ControllerContext, ControllerFactory, ControllerOptions } from "./controller.ts";
export { Reconciler, keyOf, splitKey } from "./controller.ts";
