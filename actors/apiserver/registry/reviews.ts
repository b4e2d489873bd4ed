/**
 * The review kinds: authorization.k8s.io/v1 SelfSubjectAccessReview,
 * SubjectAccessReview, LocalSubjectAccessReview, SelfSubjectRulesReview and
 * authentication.k8s.io/v1 SelfSubjectReview, TokenReview. Create-only:
 * the apiserver answers them in the response and stores nothing.
 */
import type { SelfSubjectAccessReview, SelfSubjectReview, SelfSubjectRulesReview, SubjectAccessReview, TokenReview } from "../../api/types/index.ts";
import type { FieldError, ResourceDef } from "./resource.ts";
import { invalid } from "./validation.ts";

/** The authorization API group. */
export const AUTHORIZATION_GROUP = "authorization.k8s.io";
/** The authentication API group. */
export const AUTHENTICATION_GROUP = "authentication.k8s.io";

type AccessSpec = { resourceAttributes?: unknown; nonResourceAttributes?: unknown };

/** Exactly one of resourceAttributes and nonResourceAttributes. */
function validateAccessSpec(spec: AccessSpec | undefined): FieldError[] {
  const s = spec ?? {};
  if (s.resourceAttributes && s.nonResourceAttributes) return [invalid("spec.nonResourceAttributes", s.nonResourceAttributes, "cannot be specified in combination with resourceAttributes")];
  if (!s.resourceAttributes && !s.nonResourceAttributes) return [invalid("spec.resourceAttributes", null, "exactly one of nonResourceAttributes or resourceAttributes must be specified")];
  return [];
}

function validateSubjectAccessReview(r: SubjectAccessReview): FieldError[] {
  const errs = validateAccessSpec(r.spec);
  if (!r.spec?.user && !(r.spec?.groups ?? []).length) errs.push(invalid("spec.user", r.spec?.user ?? "", "at least one of user or group must be specified"));
  return errs;
}

const createOnly: Pick<ResourceDef, "version" | "subresources" | "verbs"> = { version: "v1", subresources: [], verbs: ["create"] };

/** Kinds answered on create and never stored. */
export const selfSubjectAccessReviewResource = {
  ...createOnly,
  group: AUTHORIZATION_GROUP,
  kind: "SelfSubjectAccessReview",
  listKind: "SelfSubjectAccessReviewList",
  plural: "selfsubjectaccessreviews",
  singular: "selfsubjectaccessreview",
  namespaced: false,
  validate: (r) => validateAccessSpec(r.spec),
} satisfies ResourceDef<SelfSubjectAccessReview>;

/** authorization/v1 subjectaccessreviews: may user X do Y? */
export const subjectAccessReviewResource = {
  ...createOnly,
  group: AUTHORIZATION_GROUP,
  kind: "SubjectAccessReview",
  listKind: "SubjectAccessReviewList",
  plural: "subjectaccessreviews",
  singular: "subjectaccessreview",
  namespaced: false,
  validate: validateSubjectAccessReview,
} satisfies ResourceDef<SubjectAccessReview>;

/** authorization/v1 localsubjectaccessreviews: a SubjectAccessReview within one namespace. */
export const localSubjectAccessReviewResource = {
  ...createOnly,
  group: AUTHORIZATION_GROUP,
  kind: "LocalSubjectAccessReview",
  listKind: "LocalSubjectAccessReviewList",
  plural: "localsubjectaccessreviews",
  singular: "localsubjectaccessreview",
  namespaced: true,
  validate(r) {
    const errs = validateSubjectAccessReview(r);
    if (r.spec?.nonResourceAttributes) errs.push(invalid("spec.nonResourceAttributes", r.spec.nonResourceAttributes, "disallowed on this kind of request"));
    const ns = (r.spec?.resourceAttributes as { namespace?: string } | undefined)?.namespace;
    if (r.spec?.resourceAttributes && ns !== r.metadata.namespace) errs.push(invalid("spec.resourceAttributes.namespace", ns ?? "", "must match metadata.namespace"));
    return errs;
  },
} satisfies ResourceDef<SubjectAccessReview>;

/** authorization/v1 selfsubjectrulesreviews: what may I do in a namespace? */
export const selfSubjectRulesReviewResource = {
  ...createOnly,
  group: AUTHORIZATION_GROUP,
  kind: "SelfSubjectRulesReview",
  listKind: "SelfSubjectRulesReviewList",
  plural: "selfsubjectrulesreviews",
  singular: "selfsubjectrulesreview",
  namespaced: false,
  validate: () => [],
} satisfies ResourceDef<SelfSubjectRulesReview>;

/** authentication/v1 selfsubjectreviews: who am I? */
export const selfSubjectReviewResource = {
  ...createOnly,
  group: AUTHENTICATION_GROUP,
  kind: "SelfSubjectReview",
  listKind: "SelfSubjectReviewList",
  plural: "selfsubjectreviews",
  singular: "selfsubjectreview",
  namespaced: false,
  validate: () => [],
} satisfies ResourceDef<SelfSubjectReview>;

/** authentication/v1 tokenreviews: whose token is this? */
export const tokenReviewResource = {
  ...createOnly,
  group: AUTHENTICATION_GROUP,
  kind: "TokenReview",
  listKind: "TokenReviewList",
  plural: "tokenreviews",
  singular: "tokenreview",
  namespaced: false,
  validate: (r) => (r.spec?.token ? [] : [{ reason: "FieldValueRequired", field: "spec.token", message: "Required value" }]),
} satisfies ResourceDef<TokenReview>;
