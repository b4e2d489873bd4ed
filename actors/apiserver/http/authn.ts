/**
 * Bearer-token authentication for the front. Tokens of the static token
 * file are answered here; any other token is asked of the apiserver actor
 * (`auth.authenticate`, which knows ServiceAccount tokens), and a success is
 * kept for a short while, as kube-apiserver caches token reviews.
 */
import type { Messenger } from "../../../runtime/actor.ts";
import { errorCode, RuntimeCodes } from "../../../runtime/errors.ts";
import { statusOf } from "../../api/status.ts";
import type { UserInfo } from "./token-file.ts";

/** Options of {@link tokenAuthenticator}. */
export interface AuthenticatorOptions {
  messenger: Messenger;
  apiserver: string;
  askTimeoutMs: number;
  /** The static token file's entries. */
  tokens?: ReadonlyMap<string, UserInfo>;
  /** How long a token the apiserver vouched for is trusted without asking again (default 10 000 ms). */
  cacheTtlMs?: number;
  /** Most tokens remembered (default 4 096). */
  cacheSize?: number;
  now?: () => number;
}

/** token → user, or undefined when nobody knows the token (401). */
export type Authenticator = (token: string) => Promise<UserInfo | undefined>;

/** Builds the front's authenticator. */
export function tokenAuthenticator(o: AuthenticatorOptions): Authenticator {
  const ttl = o.cacheTtlMs ?? 10_000;
  const max = o.cacheSize ?? 4096;
  const now = o.now ?? Date.now;
  const cache = new Map<string, { user: UserInfo; until: number }>();
  return async (token) => {
    const fixed = o.tokens?.get(token);
    if (fixed) return fixed;
    const hit = cache.get(token);
    if (hit && hit.until > now()) return hit.user;
    cache.delete(token);
    let reply: { username?: unknown; uid?: unknown; groups?: unknown };
    try {
      reply = await o.messenger.ask(o.apiserver, { type: "auth.authenticate", token }, { timeoutMs: o.askTimeoutMs });
    } catch (err) {
      // An apiserver that does not authenticate tokens itself knows only the static ones.
      if (statusOf(err)?.code === 401 || errorCode(err) === "Unauthorized" || errorCode(err) === RuntimeCodes.UnknownMessage) return undefined;
      throw err;
    }
    if (!reply || typeof reply.username !== "string" || reply.username === "") return undefined;
    const user: UserInfo = { username: reply.username, groups: Array.isArray(reply.groups) ? reply.groups.filter((g): g is string => typeof g === "string") : [] };
    if (typeof reply.uid === "string") user.uid = reply.uid;
    if (cache.size >= max) cache.delete(cache.keys().next().value!);
    cache.set(token, { user, until: now() + ttl });
    return user;
  };
}
