/**
 * Admission, as kube-apiserver runs it: after a write is decoded and
 * defaulted, mutating plugins may change the object; after the kind's
 * strategy has validated it, validating plugins may refuse it. A
 * validating plugin may also add writes that must land atomically with the
 * object (ResourceQuota's usage), joined to the object's store transaction.
 */
import type { KubeObject } from "../../api/meta.ts";
import type { StatusError } from "../../api/status.ts";
import type { Clock } from "../../../runtime/clock.ts";
import type { Registry } from "../registry/index.ts";
import type { ResourceDef } from "../registry/resource.ts";
import type { Compare, Store, TxnOp } from "../store/store.ts";

/** CREATE, UPDATE or DELETE. */
export type AdmissionOperation = "CREATE" | "UPDATE" | "DELETE";

/** One write as admission sees it. */
export interface AdmissionRequest {
  operation: AdmissionOperation;
  def: ResourceDef;
  /** "" for cluster-scoped kinds. */
  namespace: string;
  name: string;
  /** Set for subresource writes (`status`, `scale`); most plugins leave those alone. */
  subresource?: string;
  /** The object being written (CREATE, UPDATE); mutating plugins change it in place. */
  object?: KubeObject;
  /** The stored object (UPDATE, DELETE). */
  oldObject?: KubeObject;
  /** kubectl's --dry-run=server: run every check, write nothing (not even side effects). */
  dryRun: boolean;
  /** The requesting user's name; absent for the apiserver's own writes. */
  user?: string;
}

/** Writes joined to the object's own transaction. */
export interface AdmissionWrite {
  compare: Compare[];
  success: TxnOp[];
  /** The error when the transaction fails on one of these compares (not on the object's own). */
  conflict(): StatusError;
}

/** What plugins may use: the store for reads, the apiserver to create objects they need. */
export interface AdmissionContext {
  store: Store;
  registry: Registry;
  clock: Clock;
  /** Creates an object through the apiserver (with its own admission), e.g. a namespace's `default` ServiceAccount. */
  create(resource: string, namespace: string, object: KubeObject): Promise<KubeObject>;
}

/** One admission plugin: a mutating step, a validating step, or both. */
export interface AdmissionPlugin {
  /** Its name as `--enable-admission-plugins` spells it. */
  readonly name: string;
  admit?(a: AdmissionRequest, ctx: AdmissionContext): void | Promise<void>;
  validate?(a: AdmissionRequest, ctx: AdmissionContext): void | AdmissionWrite | Promise<void | AdmissionWrite>;
}

/** What the apiserver calls around each write. */
export interface Admission {
  /** Mutating plugins in order, after defaulting. */
  admit(a: AdmissionRequest): Promise<void>;
  /** Validating plugins in order, after the strategy's validation; their writes merged. */
  validate(a: AdmissionRequest): Promise<AdmissionWrite | undefined>;
}
