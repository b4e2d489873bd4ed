/**
 * Server-side printing: a `meta.k8s.io` Table of any kind's objects, as
 * kube-apiserver answers `Accept: application/json;as=Table;g=meta.k8s.io;v=v1`
 * (what `kubectl get` sends). Kinds without a printer get NAME AGE.
 */
import type { KubeObject, ListMeta } from "../../../api/meta.ts";
import { deploymentPrinter, replicaSetPrinter } from "./apps.ts";
import { configMapPrinter, namespacePrinter, secretPrinter, serviceAccountPrinter } from "./config.ts";
import { ageColumn, age, nameColumn, type Column, type Printer } from "./format.ts";
import { eventPrinter, leasePrinter, persistentVolumeClaimPrinter, persistentVolumePrinter } from "./misc.ts";
import { nodePrinter } from "./nodes.ts";
import { podPrinter } from "./pods.ts";
import { bindingPrinter, createdAtPrinter, resourceQuotaPrinter } from "./policy.ts";
import { endpointSlicePrinter, endpointsPrinter, servicePrinter } from "./services.ts";

/** Printers by `plural` (core) or `plural.group`. */
const printers: Record<string, Printer> = {
  pods: podPrinter,
  nodes: nodePrinter,
  "deployments.apps": deploymentPrinter,
  "replicasets.apps": replicaSetPrinter,
  services: servicePrinter,
  endpoints: endpointsPrinter,
  "endpointslices.discovery.k8s.io": endpointSlicePrinter,
  namespaces: namespacePrinter,
  configmaps: configMapPrinter,
  secrets: secretPrinter,
  serviceaccounts: serviceAccountPrinter,
  events: eventPrinter,
  "events.events.k8s.io": eventPrinter,
  "leases.coordination.k8s.io": leasePrinter,
  persistentvolumes: persistentVolumePrinter,
  persistentvolumeclaims: persistentVolumeClaimPrinter,
  limitranges: createdAtPrinter,
  resourcequotas: resourceQuotaPrinter,
  "roles.rbac.authorization.k8s.io": createdAtPrinter,
  "clusterroles.rbac.authorization.k8s.io": createdAtPrinter,
  "rolebindings.rbac.authorization.k8s.io": bindingPrinter,
  "clusterrolebindings.rbac.authorization.k8s.io": bindingPrinter,
};

const defaultPrinter: Printer = { columns: [nameColumn, ageColumn], cells: (o, now) => [o.metadata.name, age(o, now)] };

/** The printer of a resource. */
export function printerFor(plural: string, group: string): Printer {
  return printers[group ? `${plural}.${group}` : plural] ?? defaultPrinter;
}

/** What `includeObject` asks the rows to carry. */
export type IncludeObject = "None" | "Metadata" | "Object";

/** Options of {@link toTable}. */
export interface TableOptions {
  /** meta.k8s.io version asked for (`v1` or `v1beta1`). */
  version: string;
  includeObject: IncludeObject;
  now: number;
  /** Leave out columnDefinitions (watch events after the first, as kube-apiserver does). */
  noHeaders?: boolean;
  listMeta?: ListMeta;
}

/** meta/v1 Table */
export interface Table {
  kind: "Table";
  apiVersion: string;
  metadata: ListMeta;
  columnDefinitions: Column[];
  rows: { cells: unknown[]; object?: unknown }[];
}

/** Prints objects of one resource as a Table. */
export function toTable(objects: KubeObject[], printer: Printer, options: TableOptions): Table {
  const rows = objects.map((obj) => {
    const row: { cells: unknown[]; object?: unknown } = { cells: safeCells(printer, obj, options.now) };
    if (options.includeObject === "Object") row.object = obj;
    else if (options.includeObject === "Metadata") row.object = { kind: "PartialObjectMetadata", apiVersion: `meta.k8s.io/${options.version}`, metadata: obj.metadata };
    return row;
  });
  return {
    kind: "Table",
    apiVersion: `meta.k8s.io/${options.version}`,
    metadata: options.listMeta ?? {},
    columnDefinitions: options.noHeaders ? [] : printer.columns,
    rows,
  };
}

// A printer must not fail a whole list because one object is odd: fall back to name and age.
function safeCells(printer: Printer, obj: KubeObject, now: number): unknown[] {
  try {
    return printer.cells(obj, now);
  } catch {
    const cells: unknown[] = printer.columns.map(() => "<unknown>");
    cells[0] = obj.metadata?.name ?? "";
    return cells;
  }
}

/**
 * The Table version an Accept header asks for (`v1`, `v1beta1`), or
 * undefined when it asks for plain objects.
 */
export function tableVersion(accept: string | undefined): string | undefined {
  if (!accept) return undefined;
  for (const part of accept.split(",")) {
    const params = new Map<string, string>();
    for (const p of part.split(";").slice(1)) {
      const [k, v] = p.split("=");
      if (k && v) params.set(k.trim(), v.trim());
    }
    if (params.get("as") === "Table" && params.get("g") === "meta.k8s.io") {
      const v = params.get("v");
      if (v === "v1" || v === "v1beta1") return v;
    }
  }
  return undefined;
}

/** `includeObject` from the query (default Metadata, as kube-apiserver). */
export function includeObject(query: URLSearchParams): IncludeObject {
  const v = query.get("includeObject");
  return v === "None" || v === "Object" ? v : "Metadata";
}
