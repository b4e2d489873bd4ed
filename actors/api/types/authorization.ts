/**
 * The review kinds: authorization.k8s.io/v1 access reviews (`kubectl auth
 * can-i`) and authentication.k8s.io/v1 SelfSubjectReview (`kubectl auth
 * whoami`) and TokenReview. They are created, answered, and never stored.
 */
import type { ObjectMeta } from "../meta.ts";

/** authorization/v1 ResourceAttributes */
export interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

/** authorization/v1 NonResourceAttributes */
export interface NonResourceAttributes {
  path?: string;
  verb?: string;
}

/** authorization/v1 SubjectAccessReviewStatus */
export interface SubjectAccessReviewStatus {
  allowed: boolean;
  denied?: boolean;
  reason?: string;
  evaluationError?: string;
}

/** authorization/v1 SubjectAccessReviewSpec */
export interface SubjectAccessReviewSpec {
  resourceAttributes?: ResourceAttributes;
  nonResourceAttributes?: NonResourceAttributes;
  user?: string;
  groups?: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

/** authorization/v1 SubjectAccessReview (and LocalSubjectAccessReview, namespaced). */
export interface SubjectAccessReview {
  apiVersion: "authorization.k8s.io/v1";
  kind: "SubjectAccessReview" | "LocalSubjectAccessReview";
  metadata: ObjectMeta;
  spec: SubjectAccessReviewSpec;
  status?: SubjectAccessReviewStatus;
  [field: string]: unknown;
}

/** authorization/v1 SelfSubjectAccessReview */
export interface SelfSubjectAccessReview {
  apiVersion: "authorization.k8s.io/v1";
  kind: "SelfSubjectAccessReview";
  metadata: ObjectMeta;
  spec: { resourceAttributes?: ResourceAttributes; nonResourceAttributes?: NonResourceAttributes };
  status?: SubjectAccessReviewStatus;
  [field: string]: unknown;
}

/** authorization/v1 ResourceRule, as SelfSubjectRulesReview lists them. */
export interface ResourceRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
}

/** authorization/v1 NonResourceRule */
export interface NonResourceRule {
  verbs: string[];
  nonResourceURLs?: string[];
}

/** authorization/v1 SelfSubjectRulesReview (`kubectl auth can-i --list`). */
export interface SelfSubjectRulesReview {
  apiVersion: "authorization.k8s.io/v1";
  kind: "SelfSubjectRulesReview";
  metadata: ObjectMeta;
  spec: { namespace?: string };
  status?: { resourceRules: ResourceRule[]; nonResourceRules: NonResourceRule[]; incomplete: boolean; evaluationError?: string };
  [field: string]: unknown;
}

/** authentication/v1 UserInfo */
export interface UserInfo {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

/** authentication/v1 SelfSubjectReview */
export interface SelfSubjectReview {
  apiVersion: "authentication.k8s.io/v1";
  kind: "SelfSubjectReview";
  metadata: ObjectMeta;
  status?: { userInfo: UserInfo };
  [field: string]: unknown;
}

/** authentication/v1 TokenReview */
export interface TokenReview {
  apiVersion: "authentication.k8s.io/v1";
  kind: "TokenReview";
  metadata: ObjectMeta;
  spec: { token?: string; audiences?: string[] };
  status?: { authenticated?: boolean; user?: UserInfo; audiences?: string[]; error?: string };
  [field: string]: unknown;
}
