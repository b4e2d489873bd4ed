/**
 * How the apiserver knows a kind: where it lives in the API (group, version,
 * plural), and its strategy — defaulting, validation, what create and update
 * may change. One `ResourceDef` per kind, registered in `registry/index.ts`.
 */
import type { KubeObject } from "../../api/meta.ts";

/** One validation failure, as a Kubernetes StatusCause (field path + reason). */
export interface FieldError {
  /** `FieldValueRequired`, `FieldValueInvalid`, `FieldValueNotSupported`, `FieldValueDuplicate`, `FieldValueForbidden`, `FieldValueTooLong`, `FieldValueTypeInvalid`. */
  reason: string;
  /** Field path as Kubernetes prints it: `spec.containers[0].image`, `metadata.labels`. */
  field: string;
  /** Kubernetes-worded message: `Required value`, `Invalid value: "x": must be ...`. */
  message: string;
}

/** Subresources a kind may serve. */
export type Subresource = "status" | "scale" | "binding" | "log" | "eviction" | "finalize" | "approval";

/** A kind's registration and strategy. */
export interface ResourceDef<T extends KubeObject = KubeObject> {
  /** API group, "" for the core group. */
  group: string;
  version: string;
  kind: string;
  listKind: string;
  /** Lower-case plural used in URLs and store keys: `pods`. */
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Verbs served, for discovery; unset = every CRUD verb. Create-only kinds (access reviews) list `["create"]`. */
  verbs?: string[];
  subresources: Subresource[];
  /**
   * Field selectors beyond `metadata.name` and `metadata.namespace`
   * (which every kind supports): field path -> value reader.
   */
  fieldSelectors?: Record<string, (obj: T) => string | undefined>;
  /** Fills defaults in place, as Kubernetes' defaulting does after decoding. */
  defaults?(obj: T): void;
  /** Resets what a client may not set on create (e.g. status), in place. */
  prepareForCreate?(obj: T): void;
  /**
   * Carries over what an update of the main resource may not change, in
   * place: with a status subresource the old status is kept; on a status
   * update the old spec is kept (see `hasStatusSubresource`).
   */
  prepareForUpdate?(obj: T, old: T): void;
  /** Validates a new object; [] when valid. Metadata is validated by the apiserver itself. */
  validate(obj: T): FieldError[];
  /** Validates an update (immutable fields etc.); `validate(obj)` runs too. */
  validateUpdate?(obj: T, old: T): FieldError[];
  /** Validates a status-subresource update. Defaults to `validate`. */
  validateStatusUpdate?(obj: T, old: T): FieldError[];
  /** True when `metadata.generation` is bumped on spec changes (kinds with a spec). */
  generation?: boolean;
  /**
   * The kind's name rule, as Kubernetes' ValidateNameFunc: messages for a bad
   * name (`prefix` when checking a generateName). Unset means DNS subdomain.
   * Pass it to `validateObjectMeta` in `registry/validation.ts`.
   */
  validateName?(name: string, prefix: boolean): string[];
  /**
   * Adjusts a status-subresource update, in place. The update is the old
   * object with only the new `status` (the server builds it so: spec,
   * owner references and the rest stay as stored); pods backfill their QoS
   * class here.
   */
  prepareForStatusUpdate?(obj: T, old: T): void;
}

/** The store key of an object: `/registry/<group/>plural/<ns>/<name>`. */
export function storeKey(def: Pick<ResourceDef, "group" | "plural">, namespace: string | undefined, name: string): string {
  return `${storePrefix(def, namespace)}${name}`;
}

/** The store prefix of a kind, or of a kind in one namespace. Ends with "/". */
export function storePrefix(def: Pick<ResourceDef, "group" | "plural">, namespace?: string): string {
  const base = def.group ? `/registry/${def.group}/${def.plural}/` : `/registry/${def.plural}/`;
  return namespace ? `${base}${namespace}/` : base;
}

/** `apps/v1`, or `v1` for the core group. */
export function apiVersionOf(def: Pick<ResourceDef, "group" | "version">): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}
