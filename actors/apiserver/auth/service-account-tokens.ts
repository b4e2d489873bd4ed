/**
 * Service account tokens, as kube-apiserver's legacy token authenticator
 * checks them: a Secret of type `kubernetes.io/service-account-token` whose
 * `data.token` equals the bearer token, naming a service account that
 * still exists (same uid, not being deleted). Tokens are indexed from the
 * store as secrets come and go, so a lookup costs one map read; deleting
 * the secret or the service account revokes the token at once.
 */
import type { Secret, ServiceAccount } from "../../api/types/index.ts";
import type { Store } from "../store/store.ts";
import { followPrefix, type Feed } from "./store-feed.ts";
import { serviceAccountGroups, serviceAccountUsername, type UserInfo } from "./user.ts";

/** The secret type that carries a service account token. */
export const SERVICE_ACCOUNT_TOKEN_TYPE = "kubernetes.io/service-account-token";
/** Annotation naming the service account a token secret belongs to. */
export const SERVICE_ACCOUNT_NAME_KEY = "kubernetes.io/service-account.name";
/** Annotation with the uid of that service account. */
export const SERVICE_ACCOUNT_UID_KEY = "kubernetes.io/service-account.uid";

interface TokenEntry {
  namespace: string;
  serviceAccount: string;
  serviceAccountUid?: string;
  deleting: boolean;
}

interface AccountEntry {
  uid?: string;
  deleting: boolean;
}

/** Decodes base64 text to UTF-8; undefined when it is not base64. */
function decodeBase64(text: string): string | undefined {
  try {
    const bin = atob(text);
    return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
}

/** token → service account, kept from the store. */
export class ServiceAccountTokens {
  #byToken = new Map<string, TokenEntry>();
  #tokenOfSecret = new Map<string, string>();
  #accounts = new Map<string, AccountEntry>();
  #feeds: Feed[] = [];

  /** Reads secrets and service accounts, then follows them. */
  async start(store: Store, onError?: (err: Error) => void): Promise<void> {
    this.#feeds.push(await followPrefix(store, "/registry/serviceaccounts/", (key, v) => this.applyServiceAccount(key, v as ServiceAccount | undefined), onError));
    this.#feeds.push(await followPrefix(store, "/registry/secrets/", (key, v) => this.applySecret(key, v as Secret | undefined), onError));
  }

  /** Stops following the store. */
  stop(): void {
    for (const f of this.#feeds) f.cancel();
    this.#feeds = [];
  }

  /** One secret changed (undefined = deleted). */
  applySecret(key: string, secret: Secret | undefined): void {
    const old = this.#tokenOfSecret.get(key);
    if (old !== undefined) {
      this.#byToken.delete(old);
      this.#tokenOfSecret.delete(key);
    }
    if (!secret || secret.type !== SERVICE_ACCOUNT_TOKEN_TYPE) return;
    const annotations = secret.metadata.annotations ?? {};
    const serviceAccount = annotations[SERVICE_ACCOUNT_NAME_KEY];
    const encoded = secret.data?.token;
    const namespace = secret.metadata.namespace;
    if (!serviceAccount || !encoded || !namespace) return;
    const token = decodeBase64(String(encoded));
    if (!token) return;
    const entry: TokenEntry = { namespace, serviceAccount, deleting: Boolean(secret.metadata.deletionTimestamp) };
    if (annotations[SERVICE_ACCOUNT_UID_KEY]) entry.serviceAccountUid = annotations[SERVICE_ACCOUNT_UID_KEY];
    this.#byToken.set(token, entry);
    this.#tokenOfSecret.set(key, token);
  }

  /** One service account changed (undefined = deleted). */
  applyServiceAccount(key: string, sa: ServiceAccount | undefined): void {
    const id = key.slice("/registry/serviceaccounts/".length);
    if (!sa) this.#accounts.delete(id);
    else this.#accounts.set(id, { uid: sa.metadata.uid, deleting: Boolean(sa.metadata.deletionTimestamp) });
  }

  /** The service account user a token stands for, or undefined. */
  authenticate(token: string): UserInfo | undefined {
    const t = this.#byToken.get(token);
    if (!t || t.deleting) return undefined;
    const sa = this.#accounts.get(`${t.namespace}/${t.serviceAccount}`);
    if (!sa || sa.deleting) return undefined;
    if (t.serviceAccountUid && sa.uid && t.serviceAccountUid !== sa.uid) return undefined;
    const user: UserInfo = { username: serviceAccountUsername(t.namespace, t.serviceAccount), groups: serviceAccountGroups(t.namespace) };
    if (sa.uid) user.uid = sa.uid;
    return user;
  }

  /** How many tokens are known. */
  get size(): number {
    return this.#byToken.size;
  }
}
