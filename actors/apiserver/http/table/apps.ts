/** The apps tables: deployments and replicasets, with their wide CONTAINERS/IMAGES/SELECTOR. */
import { formatLabelSelector } from "../../../api/label-selector.ts";
import type { KubeObject, LabelSelector } from "../../../api/meta.ts";
import { ageColumn, age, arr, col, nameColumn, num, rec, str, type Column, type Printer } from "./format.ts";

const wideColumns: Column[] = [
  col("Containers", "Names of each container in the template.", { wide: true }),
  col("Images", "Images referenced by each container in the template.", { wide: true }),
  col("Selector", "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.", { wide: true }),
];

function wideCells(obj: KubeObject): string[] {
  const spec = rec(obj.spec);
  const containers = arr(rec(rec(spec.template).spec).containers).map(rec);
  return [containers.map((c) => str(c.name)).join(","), containers.map((c) => str(c.image)).join(","), formatLabelSelector(spec.selector as LabelSelector | undefined)];
}

function desired(obj: KubeObject): number {
  const replicas = rec(obj.spec).replicas;
  return typeof replicas === "number" ? replicas : 1;
}

/** deployments */
export const deploymentPrinter: Printer = {
  columns: [
    nameColumn,
    col("Ready", "Number of the pod with ready state"),
    col("Up-to-date", "Total number of non-terminated pods targeted by this deployment that have the desired template spec.", { type: "integer" }),
    col("Available", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.", { type: "integer" }),
    ageColumn,
    ...wideColumns,
  ],
  cells(d, now) {
    const status = rec(d.status);
    return [d.metadata.name, `${num(status.readyReplicas)}/${desired(d)}`, num(status.updatedReplicas), num(status.availableReplicas), age(d, now), ...wideCells(d)];
  },
};

/** replicasets */
export const replicaSetPrinter: Printer = {
  columns: [
    nameColumn,
    col("Desired", "Replicas is the number of desired replicas.", { type: "integer" }),
    col("Current", "Replicas is the most recently observed number of replicas.", { type: "integer" }),
    col("Ready", "The number of ready replicas for this replica set.", { type: "integer" }),
    ageColumn,
    ...wideColumns,
  ],
  cells(rs, now) {
    const status = rec(rs.status);
    return [rs.metadata.name, desired(rs), num(status.replicas), num(status.readyReplicas), age(rs, now), ...wideCells(rs)];
  },
};
