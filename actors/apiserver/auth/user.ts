/**
 * Who a request runs as, and the well-known users and groups of Kubernetes'
 * authentication: every authenticated user is in `system:authenticated`;
 * service accounts are `system:serviceaccount:<ns>:<name>`.
 */
import type { UserInfo } from "../http/token-file.ts";

export type { UserInfo } from "../http/token-file.ts";

/** The group every authenticated user belongs to. */
export const AUTHENTICATED_GROUP = "system:authenticated";
/** The group that is allowed everything (bound to cluster-admin). */
export const MASTERS_GROUP = "system:masters";
/** The group of every service account. */
export const SERVICE_ACCOUNTS_GROUP = "system:serviceaccounts";
/** The group of kubelets. */
export const NODES_GROUP = "system:nodes";
/** The apiserver's own identity for requests it makes to itself. */
export const LOOPBACK_USER: UserInfo = { username: "system:apiserver", groups: [MASTERS_GROUP, AUTHENTICATED_GROUP] };

const SA_PREFIX = "system:serviceaccount:";

/** `system:serviceaccount:<namespace>:<name>` */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SA_PREFIX}${namespace}:${name}`;
}

/** Namespace and name of a service account user name, or undefined for any other user. */
export function splitServiceAccountUsername(username: string): { namespace: string; name: string } | undefined {
  if (!username.startsWith(SA_PREFIX)) return undefined;
  const parts = username.slice(SA_PREFIX.length).split(":");
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  return { namespace: parts[0], name: parts[1] };
}

/** The groups a service account user is in. */
export function serviceAccountGroups(namespace: string): string[] {
  return [SERVICE_ACCOUNTS_GROUP, `${SERVICE_ACCOUNTS_GROUP}:${namespace}`, AUTHENTICATED_GROUP];
}

/** A user with `system:authenticated` added once, as the authenticator's group adder does. */
export function authenticated(user: UserInfo): UserInfo {
  return user.groups.includes(AUTHENTICATED_GROUP) ? user : { ...user, groups: [...user.groups, AUTHENTICATED_GROUP] };
}

/** The identity an `api.*` message carries, or undefined for the apiserver's own (privileged) loopback. */
export function identityOf(msg: { user?: unknown; groups?: unknown }): UserInfo | undefined {
  if (typeof msg.user !== "string" || msg.user === "") return undefined;
  const groups = Array.isArray(msg.groups) ? msg.groups.filter((g): g is string => typeof g === "string") : [];
  return authenticated({ username: msg.user, groups });
}
