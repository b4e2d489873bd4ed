/**
 * core/v1 LimitRange and ResourceQuota: per-namespace defaults, bounds and
 * aggregate budgets enforced at admission.
 */
import type { ObjectMeta } from "../meta.ts";
import type { ResourceList } from "./core-common.ts";

/** What a LimitRange item constrains. */
export type LimitType = "Container" | "Pod" | "PersistentVolumeClaim" | (string & {});

/** core/v1 LimitRangeItem */
export interface LimitRangeItem {
  type: LimitType;
  max?: ResourceList;
  min?: ResourceList;
  /** Default limits for containers that set none. */
  default?: ResourceList;
  /** Default requests for containers that set none. */
  defaultRequest?: ResourceList;
  maxLimitRequestRatio?: ResourceList;
}

/** core/v1 LimitRange */
export interface LimitRange {
  apiVersion: "v1";
  kind: "LimitRange";
  metadata: ObjectMeta;
  spec?: { limits?: LimitRangeItem[] };
  [field: string]: unknown;
}

/** core/v1 ScopedResourceSelectorRequirement */
export interface ScopedResourceSelectorRequirement {
  scopeName: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist" | (string & {});
  values?: string[];
}

/** core/v1 ResourceQuotaSpec */
export interface ResourceQuotaSpec {
  hard?: ResourceList;
  scopes?: string[];
  scopeSelector?: { matchExpressions?: ScopedResourceSelectorRequirement[] };
}

/** core/v1 ResourceQuota */
export interface ResourceQuota {
  apiVersion: "v1";
  kind: "ResourceQuota";
  metadata: ObjectMeta;
  spec?: ResourceQuotaSpec;
  status?: { hard?: ResourceList; used?: ResourceList };
  [field: string]: unknown;
}
