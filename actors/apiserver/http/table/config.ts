/** The config and identity tables: namespaces, configmaps, secrets, serviceaccounts. */
import { ageColumn, age, arr, col, nameColumn, rec, str, type Printer } from "./format.ts";

/** namespaces */
export const namespacePrinter: Printer = {
  columns: [nameColumn, col("Status", "The status of the namespace"), ageColumn],
  cells: (ns, now) => [ns.metadata.name, str(rec(ns.status).phase) || "Active", age(ns, now)],
};

/** configmaps */
export const configMapPrinter: Printer = {
  columns: [nameColumn, col("Data", "Number of data in configmap", { type: "integer" }), ageColumn],
  cells: (cm, now) => [cm.metadata.name, Object.keys(rec(cm.data)).length + Object.keys(rec(cm.binaryData)).length, age(cm, now)],
};

/** secrets */
export const secretPrinter: Printer = {
  columns: [nameColumn, col("Type", "The type of the secret"), col("Data", "The number of data in the secret", { type: "integer" }), ageColumn],
  cells: (s, now) => [s.metadata.name, str(s.type) || "Opaque", Object.keys(rec(s.data)).length + Object.keys(rec(s.stringData)).length, age(s, now)],
};

/** serviceaccounts */
export const serviceAccountPrinter: Printer = {
  columns: [nameColumn, col("Secrets", "Secrets is the list of secrets allowed to be used by pods running using this ServiceAccount.", { type: "integer" }), ageColumn],
  cells: (sa, now) => [sa.metadata.name, arr(sa.secrets).length, age(sa, now)],
};
