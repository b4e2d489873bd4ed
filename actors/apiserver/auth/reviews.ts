/**
 * Answers the review kinds on create: access reviews (`kubectl auth
 * can-i`), rules reviews (`kubectl auth can-i --list`), SelfSubjectReview
 * (`kubectl auth whoami`) and TokenReview. Nothing is stored; the answer is
 * the request with its `status` filled in.
 */
import type { KubeObject } from "../../api/meta.ts";
import { badRequest, invalid, type StatusCause } from "../../api/status.ts";
import type { NonResourceAttributes, NonResourceRule, ResourceAttributes, ResourceRule, SubjectAccessReviewStatus } from "../../api/types/authorization.ts";
import { apiVersionOf, type ResourceDef } from "../registry/resource.ts";
import type { RbacAuthorizer } from "./authorizer.ts";
import type { TokenAuthenticator } from "./authenticator.ts";
import type { Attributes } from "./rbac-rules.ts";
import { MASTERS_GROUP, type UserInfo } from "./user.ts";

/** What a review needs. */
export interface ReviewDeps {
  authorizer: RbacAuthorizer;
  authenticator: TokenAuthenticator;
}

/** The attributes an access review asks about. */
export function reviewAttributes(user: UserInfo, spec: { resourceAttributes?: ResourceAttributes; nonResourceAttributes?: NonResourceAttributes }): Attributes {
  const r = spec.resourceAttributes;
  if (r) {
    return {
      user,
      verb: r.verb ?? "",
      resourceRequest: true,
      apiGroup: r.group ?? "",
      resource: r.resource ?? "",
      subresource: r.subresource ?? "",
      namespace: r.namespace ?? "",
      name: r.name ?? "",
      path: "",
    };
  }
  const n = spec.nonResourceAttributes ?? {};
  return { user, verb: n.verb ?? "", resourceRequest: false, apiGroup: "", resource: "", subresource: "", namespace: "", name: "", path: n.path ?? "" };
}

/** Allowed or not, as an access review's status. */
export function accessStatus(authorizer: RbacAuthorizer, a: Attributes): SubjectAccessReviewStatus {
  const d = authorizer.authorize(a);
  const status: SubjectAccessReviewStatus = { allowed: d.allowed };
  if (d.reason) status.reason = d.reason;
  return status;
}

function rulesReview(authorizer: RbacAuthorizer, user: UserInfo, namespace: string): { resourceRules: ResourceRule[]; nonResourceRules: NonResourceRule[]; incomplete: boolean; evaluationError?: string } {
  const set = authorizer.cache.rulesFor(user, namespace);
  const resourceRules: ResourceRule[] = [];
  const nonResourceRules: NonResourceRule[] = [];
  // system:masters is allowed everything by its group, whatever is bound.
  if (user.groups.includes(MASTERS_GROUP)) {
    resourceRules.push({ verbs: ["*"], apiGroups: ["*"], resources: ["*"] });
    nonResourceRules.push({ verbs: ["*"], nonResourceURLs: ["*"] });
  }
  for (const { rule } of set.rules) {
    if (rule.nonResourceURLs?.length) nonResourceRules.push({ verbs: [...rule.verbs], nonResourceURLs: [...rule.nonResourceURLs] });
    else {
      const r: ResourceRule = { verbs: [...rule.verbs], apiGroups: [...(rule.apiGroups ?? [])], resources: [...(rule.resources ?? [])] };
      if (rule.resourceNames?.length) r.resourceNames = [...rule.resourceNames];
      resourceRules.push(r);
    }
  }
  const out: { resourceRules: ResourceRule[]; nonResourceRules: NonResourceRule[]; incomplete: boolean; evaluationError?: string } = { resourceRules, nonResourceRules, incomplete: set.errors.length > 0 };
  if (set.errors.length) out.evaluationError = set.errors.join(", ");
  return out;
}

/**
 * Answers one review. `user` is who asks; `namespace` is the URL's (for
 * LocalSubjectAccessReview). Throws 400/422 for a malformed review.
 */
export function answerReview(deps: ReviewDeps, def: ResourceDef, input: unknown, user: UserInfo, namespace: string | undefined): KubeObject {
  if (input === null || typeof input !== "object" || Array.isArray(input)) throw badRequest(`the body of a ${def.kind} must be a JSON object`);
  const obj = structuredClone(input) as KubeObject;
  const apiVersion = apiVersionOf(def);
  if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersion) throw badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${apiVersion})`);
  if (obj.kind !== undefined && obj.kind !== def.kind) throw badRequest(`the kind in the data (${String(obj.kind)}) does not match the expected kind (${def.kind})`);
  obj.apiVersion = apiVersion;
  obj.kind = def.kind;
  const meta = obj.metadata && typeof obj.metadata === "object" ? obj.metadata : {};
  if (def.namespaced) {
    if (namespace && meta.namespace && meta.namespace !== namespace) throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
    meta.namespace = namespace || meta.namespace || "default";
  }
  obj.metadata = { ...meta, creationTimestamp: null as unknown as string };
  if (obj.spec === undefined || obj.spec === null) obj.spec = {};
  const errs = def.validate(obj);
  if (errs.length) {
    const causes: StatusCause[] = errs.map((e) => ({ reason: e.reason, field: e.field, message: e.message }));
    throw invalid(def.kind, meta.name ?? "", causes, def.group);
  }
  const spec = obj.spec as Record<string, unknown>;
  switch (def.kind) {
    case "SelfSubjectAccessReview":
      obj.status = accessStatus(deps.authorizer, reviewAttributes(user, spec));
      break;
    case "SubjectAccessReview":
    case "LocalSubjectAccessReview": {
      const subject: UserInfo = { username: String(spec.user ?? ""), groups: Array.isArray(spec.groups) ? spec.groups.map(String) : [] };
      if (spec.uid) subject.uid = String(spec.uid);
      obj.status = accessStatus(deps.authorizer, reviewAttributes(subject, spec));
      break;
    }
    case "SelfSubjectRulesReview":
      obj.status = rulesReview(deps.authorizer, user, typeof spec.namespace === "string" ? spec.namespace : "");
      break;
    case "SelfSubjectReview": {
      const userInfo: Record<string, unknown> = { username: user.username, groups: [...user.groups] };
      if (user.uid) userInfo.uid = user.uid;
      delete obj.spec;
      obj.status = { userInfo };
      break;
    }
    case "TokenReview": {
      const found = deps.authenticator.lookup(String(spec.token ?? ""));
      const audiences = Array.isArray(spec.audiences) ? spec.audiences : undefined;
      obj.status = found
        ? { authenticated: true, user: { username: found.username, ...(found.uid ? { uid: found.uid } : {}), groups: [...found.groups] }, ...(audiences ? { audiences } : {}) }
        : { authenticated: false, user: {} };
      break;
    }
    default:
      throw badRequest(`${def.kind} is not a review`);
  }
  return obj;
}
