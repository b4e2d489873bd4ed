/**
 * Who a request runs as, once its token is known: every authenticated user
 * is in `system:authenticated`, and `Impersonate-User` / `Impersonate-Group`
 * / `Impersonate-Uid` headers (`kubectl --as`, `--as-group`) switch to
 * another identity. Only cluster admins (`system:masters`, who pass every
 * authorization check) may impersonate; anyone else gets kube-apiserver's 403.
 */
import type { IncomingHttpHeaders } from "node:http";
import { authenticated, MASTERS_GROUP, SERVICE_ACCOUNTS_GROUP, splitServiceAccountUsername, type UserInfo } from "../auth/user.ts";
import { HttpStatusError } from "./errors.ts";

function values(h: string | string[] | undefined): string[] {
  if (h === undefined) return [];
  return (Array.isArray(h) ? h : [h]).map((v) => v.trim()).filter((v) => v !== "");
}

/** The identity to act as: `user`, or the one the impersonation headers name. */
export function impersonated(user: UserInfo, headers: IncomingHttpHeaders): UserInfo {
  const name = values(headers["impersonate-user"])[0];
  const groups = values(headers["impersonate-group"]);
  const uid = values(headers["impersonate-uid"])[0];
  if (name === undefined) {
    if (groups.length || uid) throw new HttpStatusError("BadRequest", "requested impersonation of groups or uid without impersonating a user");
    return user;
  }
  if (!user.groups.includes(MASTERS_GROUP)) {
    const kind = name.startsWith("system:serviceaccount:") ? "serviceaccounts" : "users";
    const shown = kind === "serviceaccounts" ? name.split(":").pop()! : name;
    throw new HttpStatusError("Forbidden", `${kind} "${shown}" is forbidden: User "${user.username}" cannot impersonate resource "${kind}" in API group "" at the cluster scope`, { name: shown, kind });
  }
  const out: UserInfo = { username: name, groups: [...groups] };
  if (uid) out.uid = uid;
  const sa = splitServiceAccountUsername(name);
  if (sa) for (const g of [SERVICE_ACCOUNTS_GROUP, `${SERVICE_ACCOUNTS_GROUP}:${sa.namespace}`]) if (!out.groups.includes(g)) out.groups.push(g);
  return name === "system:anonymous" ? out : authenticated(out);
}
