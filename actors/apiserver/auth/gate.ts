/**
 * Authentication and authorization inside the apiserver actor. At start it
 * writes the bootstrap RBAC policy (what is missing), loads the static
 * tokens, and starts following service account tokens and RBAC objects in
 * the store. Every `api.*` request that carries a `user` is authorized
 * before it runs (requests without one are the apiserver's own loopback,
 * privileged as kube-apiserver's loopback client); RBAC writes are checked
 * for escalation; the review kinds are answered, never stored.
 */
import type { Handler, Validator } from "../../../runtime/actor.ts";
import { need } from "../../../runtime/actor.ts";
import type { KubeObject } from "../../api/meta.ts";
import type { ApiRequest, AuthRequest, AuthenticatedUser } from "../../api/protocol.ts";
import { failure, StatusError } from "../../api/status.ts";
import type { RoleRef } from "../../api/types/rbac.ts";
import { resolveResource, type ApiServer } from "../server.ts";
import type { ResourceDef } from "../registry/resource.ts";
import { requestAttributes, VERBS } from "./attributes.ts";
import { loadTokenFile, TokenAuthenticator, type StaticToken } from "./authenticator.ts";
import { RbacAuthorizer } from "./authorizer.ts";
import { ensureBootstrapPolicy } from "./bootstrap.ts";
import { checkEscalation } from "./escalation.ts";
import { RbacCache } from "./rbac-cache.ts";
import { accessStatus, answerReview, reviewAttributes } from "./reviews.ts";
import { ServiceAccountTokens } from "./service-account-tokens.ts";
import { authenticated, identityOf, LOOPBACK_USER, type UserInfo } from "./user.ts";

/** The apiserver actor's authentication and authorization settings. */
export interface AuthConfig {
  /** Kubernetes' `--token-auth-file`: CSV lines `token,user,uid,"group1,group2"`. */
  tokenAuthFile?: string;
  /** Tokens given inline (they win over the file's). */
  tokens?: StaticToken[];
  /** `RBAC` (default), or `AlwaysAllow` to let every authenticated user do everything. */
  authorizationMode?: "RBAC" | "AlwaysAllow";
}

type ApiHandlers = { [K in ApiRequest["type"]]: Handler<Extract<ApiRequest, { type: K }>> };
type AuthHandlers = { [K in AuthRequest["type"]]: Handler<Extract<AuthRequest, { type: K }>> };

const RBAC_WRITES = new Set(["roles", "clusterroles", "rolebindings", "clusterrolebindings"]);

function methodNotAllowed(def: ResourceDef): StatusError {
  return new StatusError(failure("MethodNotAllowed", "the server does not allow this method on the requested resource", { group: def.group || undefined, kind: def.plural }));
}

/** The auth layer of one apiserver actor. */
export class ApiserverAuth {
  readonly authenticator: TokenAuthenticator;
  readonly authorizer: RbacAuthorizer;
  readonly #api: ApiServer;
  readonly #tokens: ServiceAccountTokens;
  readonly #rbac: RbacCache;
  readonly #mode: "RBAC" | "AlwaysAllow";

  private constructor(api: ApiServer, authenticator: TokenAuthenticator, tokens: ServiceAccountTokens, rbac: RbacCache, mode: "RBAC" | "AlwaysAllow") {
    this.#api = api;
    this.authenticator = authenticator;
    this.#tokens = tokens;
    this.#rbac = rbac;
    this.authorizer = new RbacAuthorizer(rbac);
    this.#mode = mode;
  }

  /** Writes the bootstrap policy, loads tokens and starts following the store. */
  static async start(api: ApiServer, config: AuthConfig = {}, onError?: (err: Error) => void): Promise<ApiserverAuth> {
    const mode = config.authorizationMode ?? "RBAC";
    if (mode !== "RBAC" && mode !== "AlwaysAllow") throw new Error(`authorizationMode: unsupported value ${JSON.stringify(mode)} (RBAC or AlwaysAllow)`);
    const fileTokens = config.tokenAuthFile ? await loadTokenFile(config.tokenAuthFile) : new Map();
    const tokens = new ServiceAccountTokens();
    const authenticator = new TokenAuthenticator(fileTokens, tokens);
    if (config.tokens) authenticator.addTokens(config.tokens);
    await ensureBootstrapPolicy(api);
    const rbac = new RbacCache();
    await rbac.start(api.store, onError);
    await tokens.start(api.store, onError);
    return new ApiserverAuth(api, authenticator, tokens, rbac, mode);
  }

  /** Stops following the store. */
  stop(): void {
    this.#rbac.stop();
    this.#tokens.stop();
  }

  /** The `api.*` handlers with authorization, escalation checks and reviews in front. */
  guard(handlers: ApiHandlers): ApiHandlers {
    const out = { ...handlers } as Record<string, Handler<ApiRequest>>;
    for (const type of Object.keys(VERBS)) {
      const inner = (handlers as Record<string, Handler<ApiRequest>>)[type];
      out[type] = async (m, delivery) => {
        const early = await this.#before(m);
        return early !== undefined ? early.answer : inner(m, delivery);
      };
    }
    return out as ApiHandlers;
  }

  /** {@link guard}ed `api.*` handlers plus the `auth.*` ones: the actor's whole handler table. */
  with(handlers: ApiHandlers): ApiHandlers & AuthHandlers {
    return { ...this.guard(handlers), ...this.handlers };
  }

  /** Authorizes; answers reviews itself (returned), refuses verbs a kind does not serve. */
  async #before(m: ApiRequest): Promise<{ answer: unknown } | undefined> {
    if (!("resource" in m)) return undefined;
    const user = identityOf(m);
    let def: ResourceDef | undefined;
    try {
      def = resolveResource(this.#api.registry, m.resource, m.group);
    } catch {
      def = undefined;
    }
    if (user && this.#mode === "RBAC") {
      const a = requestAttributes(m, user, def);
      if (a) this.authorizer.check(a);
    }
    if (!def) return undefined;
    const verb = VERBS[m.type];
    if (def.verbs && !(verb && def.verbs.includes(verb))) throw methodNotAllowed(def);
    if (def.verbs?.length === 1 && m.type === "api.create") {
      return { answer: answerReview(this, def, m.object, user ?? LOOPBACK_USER, def.namespaced ? m.namespace : undefined) };
    }
    if (user && this.#mode === "RBAC" && def.group === "rbac.authorization.k8s.io" && RBAC_WRITES.has(def.plural)) await this.#checkRbacWrite(m, def, user);
    return undefined;
  }

  async #checkRbacWrite(m: ApiRequest, def: ResourceDef, user: UserInfo): Promise<void> {
    let object: KubeObject | undefined;
    let name = "";
    if (m.type === "api.create" || m.type === "api.update") {
      object = m.object;
      name = m.object?.metadata?.name ?? "";
    } else if (m.type === "api.patch" && !m.subresource) {
      // The patched object decides; compute it without writing.
      const t = this.#api.target(m.resource, m.group, m.namespace);
      object = await this.#api.patch(t, m.name, m.patchType, m.patch, undefined, true, { fieldManager: m.fieldManager, user: m.user, force: m.force });
      name = m.name;
    }
    if (!object || typeof object !== "object") return;
    const requested = "namespace" in m ? m.namespace : undefined;
    const namespace = def.namespaced ? requested || object.metadata?.namespace || "default" : "";
    checkEscalation(this.authorizer, { user, resource: def.plural, namespace, name, object: object as { rules?: []; roleRef?: RoleRef } });
  }

  /** `auth.authenticate` and `auth.authorize`. */
  readonly handlers: AuthHandlers = {
    "auth.authenticate": (m): AuthenticatedUser => this.authenticator.authenticate(m.token),
    "auth.authorize": (m) => {
      const user = authenticated({ username: m.user, groups: Array.isArray(m.groups) ? m.groups.map(String) : [] });
      if (this.#mode !== "RBAC") return { allowed: true };
      return accessStatus(this.authorizer, reviewAttributes(user, m));
    },
  };

  /** Shape checks of the auth messages. */
  readonly validate: Record<AuthRequest["type"], Validator> = {
    "auth.authenticate": (m) => need(m, "token", "string"),
    "auth.authorize": (m) => need(m, "user", "string") ?? (m.resourceAttributes === undefined && m.nonResourceAttributes === undefined ? "resourceAttributes or nonResourceAttributes: one is required" : undefined),
  };

  /** Figures for `inspect`. */
  stats(): Record<string, unknown> {
    return { serviceAccountTokens: this.#tokens.size, rbac: this.#rbac.stats(), authorization: this.#mode };
  }
}
