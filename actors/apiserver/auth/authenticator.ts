/**
 * Bearer-token authentication inside the apiserver: the static token file
 * (`--token-auth-file`, Kubernetes' CSV) and inline tokens, then service
 * account tokens. Anonymous access is off: a missing or unknown token is a
 * 401. Every authenticated user is in `system:authenticated`.
 */
import { readFile } from "node:fs/promises";
import { failure, StatusError } from "../../api/status.ts";
import { parseTokenFile } from "../http/token-file.ts";
import type { ServiceAccountTokens } from "./service-account-tokens.ts";
import { authenticated, type UserInfo } from "./user.ts";

/** A token given inline in the apiserver's configuration. */
export interface StaticToken {
  token: string;
  user: string;
  uid?: string;
  groups?: string[];
}

/** The 401 kube-apiserver answers for a missing or bad credential. */
export function unauthorized(): StatusError {
  return new StatusError(failure("Unauthorized", "Unauthorized"));
}

/** Reads a token file; its errors name the file. */
export async function loadTokenFile(path: string): Promise<Map<string, UserInfo>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new Error(`cannot read token file ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return parseTokenFile(text);
  } catch (err) {
    throw new Error(`token file ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** Static tokens first, then service account tokens. */
export class TokenAuthenticator {
  readonly #static = new Map<string, UserInfo>();
  readonly #serviceAccounts?: ServiceAccountTokens;

  constructor(staticTokens: Map<string, UserInfo>, serviceAccounts?: ServiceAccountTokens) {
    for (const [token, user] of staticTokens) this.#static.set(token, authenticated(user));
    this.#serviceAccounts = serviceAccounts;
  }

  /** Adds inline tokens (they win over the file's on the same token). */
  addTokens(tokens: readonly StaticToken[]): void {
    for (const t of tokens) {
      if (!t || typeof t.token !== "string" || !t.token || typeof t.user !== "string" || !t.user) throw new Error("each inline token needs a non-empty token and user");
      const user: UserInfo = { username: t.user, groups: [...(t.groups ?? [])] };
      if (t.uid) user.uid = t.uid;
      this.#static.set(t.token, authenticated(user));
    }
  }

  /** The user a bearer token stands for; undefined when none. */
  lookup(token: string): UserInfo | undefined {
    if (!token) return undefined;
    const user = this.#static.get(token) ?? this.#serviceAccounts?.authenticate(token);
    return user ? authenticated(user) : undefined;
  }

  /** The user, or a 401 Unauthorized StatusError. */
  authenticate(token: unknown): UserInfo {
    const user = typeof token === "string" ? this.lookup(token) : undefined;
    if (!user) throw unauthorized();
    return structuredClone(user);
  }
}
