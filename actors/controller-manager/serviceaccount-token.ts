/**
 * The service account token controller, legacy style: every ServiceAccount
 * gets a Secret `<sa>-token-<5 random>` of type
 * `kubernetes.io/service-account-token`, annotated with the account's name
 * and uid, holding `token`, `namespace` and `ca.crt`, and listed in the
 * account's `secrets`. Deleting the account deletes its token secrets;
 * deleting a token secret makes a new one. A token secret a user creates
 * with only the name annotation is filled in (token, namespace, ca.crt, uid),
 * as `kubectl create token`-less clusters rely on.
 *
 * These are legacy-style secret tokens, not signed JWTs: the token is an
 * opaque random string (nanoid, 48 characters). The apiserver's
 * authenticator accepts a bearer token by looking it up: a token equal to a
 * live token Secret's `data.token` authenticates as
 * `system:serviceaccount:<namespace>:<name>` of the account the secret
 * names. Revoking a token = deleting its Secret.
 */
import { nanoid } from "nanoid";
import { isAlreadyExists, isConflict, isNotFound, retryOnConflict } from "../api/client.ts";
import type { Informer } from "../api/informer.ts";
import type { ObjectReference } from "../api/types/core-common.ts";
import type { Secret, ServiceAccount } from "../api/types/core-config.ts";
import { generatedName } from "../apiserver/objects.ts";
import { base64EncodeText } from "../apiserver/registry/base64.ts";
import { Reconciler, splitKey, type Controller, type ControllerContext } from "./controller.ts";
import { rootCAOf } from "./root-ca.ts";

/** The Secret type of service account tokens. */
export const SERVICE_ACCOUNT_TOKEN_TYPE = "kubernetes.io/service-account-token";
/** Annotation: the account a token secret belongs to. */
export const SERVICE_ACCOUNT_NAME_ANNOTATION = "kubernetes.io/service-account.name";
/** Annotation: that account's uid (a re-created account does not inherit old tokens). */
export const SERVICE_ACCOUNT_UID_ANNOTATION = "kubernetes.io/service-account.uid";
/** Length of generated tokens. */
export const TOKEN_LENGTH = 48;

/** Whether `secret` is a token of `sa` (type, name annotation, and uid annotation when set). */
export function isTokenOf(secret: Secret, sa: ServiceAccount): boolean {
  const a = secret.metadata.annotations ?? {};
  if (secret.type !== SERVICE_ACCOUNT_TOKEN_TYPE || secret.metadata.namespace !== sa.metadata.namespace) return false;
  if (a[SERVICE_ACCOUNT_NAME_ANNOTATION] !== sa.metadata.name) return false;
  const uid = a[SERVICE_ACCOUNT_UID_ANNOTATION];
  return !uid || uid === sa.metadata.uid;
}

/** The token controller. */
export class TokensController implements Controller {
  readonly name = "serviceaccount-token";
  readonly #cc: ControllerContext;
  readonly #ca: string;
  readonly #accounts: Informer<ServiceAccount>;
  readonly #secrets: Informer<Secret>;
  readonly #accountQueue: Reconciler;
  readonly #secretQueue: Reconciler;
  // Account key -> names of its token secrets seen deleted, whose references it should drop.
  readonly #deletedRefs = new Map<string, Set<string>>();
  readonly counts = { created: 0, deleted: 0, filled: 0 };

  constructor(cc: ControllerContext) {
    this.#cc = cc;
    this.#ca = rootCAOf(cc.options);
    this.#accountQueue = new Reconciler(cc, "serviceaccount-token", (k) => this.#syncAccount(k));
    this.#secretQueue = new Reconciler(cc, "serviceaccount-token-secrets", (k) => this.#syncSecret(k));
    this.#accounts = cc.informers.informer<ServiceAccount>({ resource: "serviceaccounts" });
    this.#secrets = cc.informers.informer<Secret>({ resource: "secrets", fieldSelector: `type=${SERVICE_ACCOUNT_TOKEN_TYPE}` });
    this.#accounts.addEventHandler({
      onAdd: (sa) => this.#accountQueue.enqueue(sa),
      onUpdate: (_, sa) => this.#accountQueue.enqueue(sa),
      onDelete: (sa) => this.#accountQueue.enqueue(sa),
    });
    this.#secrets.addEventHandler({
      onAdd: (s) => this.#secretQueue.enqueue(s),
      onUpdate: (_, s) => this.#secretQueue.enqueue(s),
      onDelete: (s) => {
        const sa = s.metadata.annotations?.[SERVICE_ACCOUNT_NAME_ANNOTATION];
        if (!sa) return;
        const key = `${s.metadata.namespace}/${sa}`;
        const names = this.#deletedRefs.get(key) ?? new Set<string>();
        this.#deletedRefs.set(key, names.add(s.metadata.name!));
        this.#accountQueue.enqueue(key);
      },
    });
  }

  start(): void {
    this.#accountQueue.start();
    this.#secretQueue.start();
  }

  async stop(): Promise<void> {
    await Promise.all([this.#accountQueue.stop(), this.#secretQueue.stop()]);
  }

  stats(): Record<string, unknown> {
    return { accounts: this.#accountQueue.stats(), secrets: this.#secretQueue.stats(), ...this.counts };
  }

  // ---- accounts -------------------------------------------------------------------

  async #syncAccount(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cached = this.#accounts.get(key);
    if (!cached) {
      // The account went: its token secrets go too (the secret sync checks it is really gone).
      this.#deletedRefs.delete(key);
      for (const s of this.#secrets.byIndex("namespace", namespace!)) {
        if (s.metadata.annotations?.[SERVICE_ACCOUNT_NAME_ANNOTATION] === name) this.#secretQueue.enqueue(s);
      }
      return;
    }
    const { client } = this.#cc;
    let sa: ServiceAccount;
    try {
      sa = await client.get<ServiceAccount>("serviceaccounts", name, { namespace });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    // Our cache and the live object disagree: wait for the cache, which will bring us back.
    if (sa.metadata.uid !== cached.metadata.uid || sa.metadata.resourceVersion !== cached.metadata.resourceVersion) return;
    const dropped = this.#deletedRefs.get(key);
    let refs: ObjectReference[] = sa.secrets ?? [];
    if (dropped) refs = refs.filter((r) => !r.name || !dropped.has(r.name) || this.#secrets.get(`${namespace}/${r.name}`));
    const changed = refs.length !== (sa.secrets ?? []).length;
    if (await this.#hasToken(sa, refs)) {
      if (changed) await this.#updateRefs(sa, refs);
      this.#deletedRefs.delete(key);
      return;
    }
    await this.#createToken(sa, refs);
    this.#deletedRefs.delete(key);
  }

  async #hasToken(sa: ServiceAccount, refs: ObjectReference[]): Promise<boolean> {
    for (const ref of refs) {
      if (!ref.name) continue;
      let secret = this.#secrets.get(`${sa.metadata.namespace}/${ref.name}`);
      if (!secret) {
        try {
          secret = await this.#cc.client.get<Secret>("secrets", ref.name, { namespace: sa.metadata.namespace });
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
      if (secret && isTokenOf(secret, sa)) return true;
    }
    return false;
  }

  async #createToken(sa: ServiceAccount, refs: ObjectReference[]): Promise<void> {
    const { client } = this.#cc;
    const namespace = sa.metadata.namespace!;
    const secret: Secret = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: {
        name: generatedName(`${sa.metadata.name}-token-`),
        namespace,
        annotations: { [SERVICE_ACCOUNT_NAME_ANNOTATION]: sa.metadata.name!, [SERVICE_ACCOUNT_UID_ANNOTATION]: sa.metadata.uid! },
      },
      type: SERVICE_ACCOUNT_TOKEN_TYPE,
      data: this.#tokenData(namespace),
    };
    let created: Secret;
    try {
      created = await client.create<Secret>("secrets", secret);
    } catch (err) {
      // A random name taken: the retry picks another.
      if (isAlreadyExists(err)) throw new Error(`token secret name ${secret.metadata.name} is taken; retrying`);
      throw err;
    }
    try {
      await client.update<ServiceAccount>("serviceaccounts", { ...sa, secrets: [...refs, { name: created.metadata.name }] });
      this.counts.created++;
    } catch (err) {
      // The account changed or went meanwhile: take the secret back, look again.
      await client.delete("secrets", created.metadata.name!, { namespace, preconditions: { uid: created.metadata.uid } }).catch(() => undefined);
      if (isNotFound(err)) return;
      throw err;
    }
  }

  async #updateRefs(sa: ServiceAccount, refs: ObjectReference[]): Promise<void> {
    try {
      await this.#cc.client.update<ServiceAccount>("serviceaccounts", { ...sa, secrets: refs });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  #tokenData(namespace: string, token = nanoid(TOKEN_LENGTH)): Record<string, string> {
    return { token: base64EncodeText(token), namespace: base64EncodeText(namespace), "ca.crt": base64EncodeText(this.#ca) };
  }

  // ---- secrets --------------------------------------------------------------------

  async #syncSecret(key: string): Promise<void> {
    const cached = this.#secrets.get(key);
    if (!cached) return;
    const namespace = cached.metadata.namespace!;
    const saName = cached.metadata.annotations?.[SERVICE_ACCOUNT_NAME_ANNOTATION];
    if (!saName) return;
    const sa = await this.#account(namespace, saName);
    const { client } = this.#cc;
    if (!sa || !isTokenOf(cached, sa)) {
      try {
        await client.delete("secrets", cached.metadata.name!, { namespace, preconditions: { uid: cached.metadata.uid } });
        this.counts.deleted++;
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
      return;
    }
    if (!this.#needsFill(cached, sa)) return;
    try {
      await retryOnConflict(async () => {
        const cur = await client.get<Secret>("secrets", cached.metadata.name!, { namespace });
        if (cur.metadata.uid !== cached.metadata.uid || !this.#needsFill(cur, sa)) return;
        const data = { ...cur.data };
        const fill = this.#tokenData(namespace);
        if (!data.token) data.token = fill.token;
        data.namespace = fill.namespace;
        if (this.#ca || data["ca.crt"] === undefined) data["ca.crt"] = fill["ca.crt"];
        const annotations = { ...cur.metadata.annotations, [SERVICE_ACCOUNT_NAME_ANNOTATION]: sa.metadata.name!, [SERVICE_ACCOUNT_UID_ANNOTATION]: sa.metadata.uid! };
        await client.update<Secret>("secrets", { ...cur, data, metadata: { ...cur.metadata, annotations } });
        this.counts.filled++;
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  #needsFill(s: Secret, sa: ServiceAccount): boolean {
    const d = s.data ?? {};
    const ca = base64EncodeText(this.#ca);
    return !d.token || d.namespace !== base64EncodeText(sa.metadata.namespace!) || (this.#ca ? d["ca.crt"] !== ca : d["ca.crt"] === undefined) || !s.metadata.annotations?.[SERVICE_ACCOUNT_UID_ANNOTATION];
  }

  // The account from the cache, or from the apiserver when the cache has not seen it yet.
  async #account(namespace: string, name: string): Promise<ServiceAccount | undefined> {
    const cached = this.#accounts.get(`${namespace}/${name}`);
    if (cached) return cached;
    try {
      return await this.#cc.client.get<ServiceAccount>("serviceaccounts", name, { namespace });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}

/** Builds the token controller. */
export const tokensController = (cc: ControllerContext): Controller => new TokensController(cc);
