/**
 * What a user needs to reach the cluster's API: the static token file (an
 * admin token made at first start), a CA and serving certificate, and a
 * kubeconfig naming all three. Files are kept in the config folder and
 * reused on later starts with the same folder.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { nanoid } from "nanoid";
import { stringify } from "yaml";
import { makeServingPki, pkiServes, type ServingPki } from "../../actors/apiserver/http/pki.ts";
import { parseTokenFile, tokenFileLine, type UserInfo } from "../../actors/apiserver/http/token-file.ts";

/** The admin identity written at first start, as kubeadm names it. */
export const ADMIN: UserInfo = { username: "kubernetes-admin", groups: ["system:masters"] };

/** The kubeconfig's names for the cluster and context. */
export const CONTEXT = "actorkube";

/** A port that is taken, or an address that cannot be bound. */
export class PortError extends Error {
  override name = "PortError";
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * Checks that `address:port` can be bound and returns the port (a free one
 * for 0). The front binds it again in its worker right after.
 */
export function probePort(address: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (err: NodeJS.ErrnoException) => {
      const where = `${address}:${port}`;
      if (err.code === "EADDRINUSE") reject(new PortError("PortInUse", `${where} is already in use (choose another with --port, or --port 0 for any free port)`));
      else if (err.code === "EACCES") reject(new PortError("PortDenied", `not allowed to listen on ${where} (ports below 1024 need privileges)`));
      else if (err.code === "EADDRNOTAVAIL" || err.code === "ENOTFOUND") reject(new PortError("BadAddress", `cannot listen on ${address}: no such local address`));
      else reject(new PortError(err.code ?? "ListenFailed", `cannot listen on ${where}: ${err.message}`));
    });
    server.listen(port, address, () => {
      const bound = (server.address() as { port: number }).port;
      server.close(() => resolve(bound));
    });
  });
}

/** The admin token file: the given one, else `<dir>/tokens.csv` (made with a fresh admin token if missing). */
export function ensureTokenFile(dir: string, given?: string): { path: string; token: string; user: UserInfo } {
  const path = given ?? join(dir, "tokens.csv");
  if (!given && !existsSync(path)) {
    const user = { ...ADMIN, uid: randomUUID() };
    writeFileSync(path, tokenFileLine(nanoid(43), user) + "\n", { mode: 0o600 });
  }
  const tokens = parseTokenFile(readFileSync(path, "utf8"));
  if (tokens.size === 0) throw new Error(`the token file ${path} holds no token`);
  // The kubeconfig gets a cluster admin: the generated admin, else the first system:masters member, else the first line.
  const entries = [...tokens];
  const [token, user] = entries.find(([, u]) => u.username === ADMIN.username) ?? entries.find(([, u]) => u.groups.includes("system:masters")) ?? entries[0]!;
  return { path, token, user };
}

/** The CA and serving certificate in `<dir>/pki`, made (or renewed for new hosts) as needed. */
export function ensurePki(dir: string, hosts: string[]): ServingPki & { caFile: string; certFile: string; keyFile: string } {
  const pki = join(dir, "pki");
  mkdirSync(pki, { recursive: true });
  const files = { caCert: join(pki, "ca.crt"), caKey: join(pki, "ca.key"), cert: join(pki, "apiserver.crt"), key: join(pki, "apiserver.key") };
  const read = (p: string) => (existsSync(p) ? readFileSync(p, "utf8") : "");
  let current: ServingPki = { caCert: read(files.caCert), caKey: read(files.caKey), cert: read(files.cert), key: read(files.key) };
  if (!pkiServes(current, hosts)) {
    const keepCa = current.caCert && current.caKey && pkiServes({ ...current, cert: current.caCert, key: current.caKey }, []) ? { cert: current.caCert, key: current.caKey } : undefined;
    current = makeServingPki(hosts, Date.now(), keepCa);
    writeFileSync(files.caCert, current.caCert);
    writeFileSync(files.caKey, current.caKey, { mode: 0o600 });
    writeFileSync(files.cert, current.cert);
    writeFileSync(files.key, current.key, { mode: 0o600 });
  }
  return { ...current, caFile: files.caCert, certFile: files.cert, keyFile: files.key };
}

/** The URL clients use for `address:port` (a wildcard address is reached on loopback). */
export function serverUrl(address: string, port: number): string {
  const host = address === "0.0.0.0" || address === "" ? "127.0.0.1" : address === "::" ? "::1" : address;
  return `https://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/** Writes `<dir>/kubeconfig` for `user` with `token`; returns its path. */
export function writeKubeconfig(dir: string, url: string, caCert: string, user: string, token: string): string {
  const path = join(dir, "kubeconfig");
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: CONTEXT, cluster: { server: url, "certificate-authority-data": Buffer.from(caCert).toString("base64") } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: CONTEXT, context: { cluster: CONTEXT, user, namespace: "default" } }],
    "current-context": CONTEXT,
    preferences: {},
  };
  writeFileSync(path, stringify(config), { mode: 0o600 });
  return path;
}
