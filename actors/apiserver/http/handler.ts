/**
 * The request handler: authentication, the non-resource endpoints
 * (version, health, discovery, OpenAPI), then resource requests forwarded to
 * the apiserver actor as `api.*` asks, their answers written back as JSON or
 * as Tables, and watches streamed.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Messenger } from "../../../runtime/actor.ts";
import type { KubeObject, ListMeta, WatchEvent } from "../../api/meta.ts";
import type { ApiRequest, WatchStarted } from "../../api/protocol.ts";
import { statusOf } from "../../api/status.ts";
import { decodeBody, readBody } from "./body.ts";
import { apiGroupDoc, apiGroupList, apiResourceList, apiVersions, type DiscoveryCache } from "./discovery.ts";
import { HttpStatusError, methodNotAllowed, pathNotFound, statusForError } from "./errors.ts";
import { OPENAPI_VERSION, openApiV2, openApiV3, openApiV3Index } from "./openapi.ts";
import { dropUnknownFields, fieldValidationOf, strictError, unknownFieldWarnings } from "./fields/validate.ts";
import { authenticated } from "../auth/user.ts";
import { impersonated } from "./impersonate.ts";
import { serveLogs } from "./logs.ts";
import { patchTypeOf, planRequest, type Plan, type WatchRequest } from "./requests.ts";
import type { UserInfo } from "./token-file.ts";
import { sendJson, sendStatus, sendText, tableContentType } from "./respond.ts";
import { resolveRoute, splitApiPath, type ResourceRoute } from "./route.ts";
import { toScale } from "./scale.ts";
import { includeObject, printerFor, tableVersion, toTable } from "./table/index.ts";
import { errorEvent, streamingSink, type WatchRouter } from "./watch.ts";

/** What the handler needs from its surroundings. */
export interface HandlerDeps {
  messenger: Messenger;
  /** The apiserver actor's address. */
  apiserver: string;
  /** The address watch events are told to (the front actor's own). */
  watcher: string;
  router: WatchRouter;
  discovery: DiscoveryCache;
  maxBodyBytes: number;
  askTimeoutMs: number;
  /** Bearer token → user (undefined for an unknown token); absent = no authentication (every request runs without a user). */
  authenticate?: (token: string) => Promise<UserInfo | undefined>;
  /** How often `logs --follow` polls the kubelet (default 1 000 ms). */
  followPollMs?: number;
  /** A watch without timeoutSeconds ends after this long times 1–2 (default 1 800 s, kube-apiserver's --min-request-timeout). */
  minRequestTimeoutSeconds?: number;
  /** `host:port` for APIVersions. */
  serverAddress(): string;
}

const PUBLIC_PATHS = new Set(["/healthz", "/livez", "/readyz", "/version"]);
const BODY_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** The gitVersion this front reports. */
export const GIT_VERSION = OPENAPI_VERSION;

/** Builds the node:http request handler; it never throws and always answers. */
export function createHandler(deps: HandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    serve(deps, req, res).catch((err: unknown) => {
      try {
        sendStatus(res, statusForError(err));
      } catch {
        res.destroy();
      }
    });
  };
}

async function serve(deps: HandlerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let url: URL;
  try {
    url = new URL(req.url ?? "/", "http://localhost");
  } catch {
    throw new HttpStatusError("BadRequest", `malformed request URL: ${req.url ?? ""}`);
  }
  const method = (req.method ?? "GET").toUpperCase();
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, "") : url.pathname;
  const user = PUBLIC_PATHS.has(path) ? undefined : await authenticate(deps, req);
  if (path === "/debug/kube-proxy") return serveProxyTable(deps, method, path, url.searchParams, user, res);
  if (await serveNonResource(deps, method, path, req, res)) return;

  const apiPath = splitApiPath(path);
  if (!apiPath) throw pathNotFound();
  const resources = await deps.discovery.resources();
  if (apiPath.version === "") {
    onlyGet(method, path);
    const doc = apiGroupDoc(resources, apiPath.group);
    if (!doc) throw pathNotFound();
    return sendJson(res, 200, doc);
  }
  if (apiPath.rest.length === 0) {
    onlyGet(method, path);
    const doc = apiResourceList(resources, apiPath.group, apiPath.version) ?? apiResourceList(await deps.discovery.resources(true), apiPath.group, apiPath.version);
    if (!doc) throw pathNotFound();
    return sendJson(res, 200, doc);
  }
  const route = await resolveRoute(apiPath, deps.discovery);
  if (method === "PATCH") patchTypeOf(req.headers["content-type"]);
  const body = BODY_METHODS.has(method) ? decodeBody(await readBody(req, deps.maxBodyBytes), req.headers["content-type"]) : undefined;
  const plan = planRequest({
    method,
    route,
    query: url.searchParams,
    body,
    contentType: req.headers["content-type"],
    user: user?.username,
    groups: user?.groups,
    userAgent: req.headers["user-agent"],
  });
  const table = method === "GET" && route.subresource === undefined ? tableVersion(req.headers.accept) : undefined;
  if (plan.kind === "watch") return startWatch(deps, plan.request, route, url.searchParams, table, res);
  if (plan.kind === "logs") return serveLogs(deps, plan.request, plan.identity, res);
  checkFields(plan, route, url.searchParams, res);

  const reply = await deps.messenger.ask<unknown, ApiRequest>(deps.apiserver, plan.request, { timeoutMs: deps.askTimeoutMs });
  if (reply === undefined || reply === null) return sendJson(res, plan.successCode, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: plan.successCode });
  if (plan.asScale) return sendJson(res, 200, toScale(reply as KubeObject));
  if (table) {
    const isList = Array.isArray((reply as { items?: unknown }).items);
    const objects = isList ? (reply as { items: KubeObject[] }).items : [reply as KubeObject];
    const listMeta = isList ? (reply as { metadata?: ListMeta }).metadata : { resourceVersion: (reply as KubeObject).metadata?.resourceVersion };
    const t = toTable(objects, printerFor(route.resource.plural, route.resource.group), { version: table, includeObject: includeObject(url.searchParams), now: Date.now(), listMeta });
    return sendJson(res, 200, t, tableContentType(table));
  }
  sendJson(res, plan.successCode, reply);
}

function onlyGet(method: string, path: string): void {
  if (method !== "GET" && method !== "HEAD") throw methodNotAllowed(method, path);
}

/** The caller; 401 when authentication is on and the token is missing or unknown. */
async function authenticate(deps: HandlerDeps, req: IncomingMessage): Promise<UserInfo | undefined> {
  if (!deps.authenticate) return undefined;
  const header = req.headers.authorization ?? "";
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  const user = match ? await deps.authenticate(match[1]!) : undefined;
  if (!user) throw new HttpStatusError("Unauthorized", "Unauthorized");
  return impersonated(authenticated(user), req.headers);
}

/**
 * `fieldValidation` on the object a write carries: unknown fields are
 * dropped before the apiserver sees them, and either refused (Strict) or
 * reported in `Warning` headers (Warn).
 */
function checkFields(plan: Plan, route: ResourceRoute, query: URLSearchParams, res: ServerResponse): void {
  if (plan.kind !== "ask") return;
  const r = plan.request;
  const mode = r.type === "api.create" || r.type === "api.update" || r.type === "api.patch" ? fieldValidationOf(query.get("fieldValidation")) : undefined;
  if (!mode) return;
  let body: unknown;
  if ((r.type === "api.create" && r.subresource === undefined) || (r.type === "api.update" && r.subresource !== "scale")) body = r.object;
  else if (r.type === "api.patch" && r.patchType !== "json" && r.subresource !== "scale") body = r.patch;
  if (body === undefined) return;
  const { group, version, kind } = route.resource;
  const unknown = dropUnknownFields(group, kind, body, r.type === "api.patch");
  if (unknown.length === 0) return;
  if (mode === "Strict") throw strictError(kind, version, unknown);
  if (mode === "Warn") res.setHeader("Warning", unknownFieldWarnings(unknown));
}

/**
 * GET /debug/kube-proxy?node=N[&format=text]: kube-proxy's routing table for
 * one node (or all), as JSON or as the `iptables-save` text it corresponds
 * to. A non-resource URL: the caller needs `get` on it (cluster-admin has it).
 */
async function serveProxyTable(deps: HandlerDeps, method: string, path: string, query: URLSearchParams, user: UserInfo | undefined, res: ServerResponse): Promise<void> {
  onlyGet(method, path);
  if (user) {
    const verdict = await deps.messenger.ask<{ allowed: boolean; reason?: string }>(
      deps.apiserver,
      { type: "auth.authorize", user: user.username, groups: user.groups, nonResourceAttributes: { path, verb: "get" } },
      { timeoutMs: deps.askTimeoutMs },
    );
    if (!verdict.allowed) throw new HttpStatusError("Forbidden", `forbidden: User "${user.username}" cannot get path "${path}"`);
  }
  const format = query.get("format") ?? "json";
  if (format !== "json" && format !== "text") throw new HttpStatusError("BadRequest", `format: expected json or text, got ${JSON.stringify(format)}`);
  const node = query.get("node") ?? undefined;
  let table: { iptablesSave: string };
  try {
    table = await deps.messenger.ask<{ iptablesSave: string }>("kube-proxy", { type: "proxy.table", ...(node ? { node } : {}) }, { timeoutMs: deps.askTimeoutMs });
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (e.code === "NotFound") throw new HttpStatusError("NotFound", e.message ?? "not found");
    if (e.code === "UnknownActor") throw new HttpStatusError("ServiceUnavailable", "kube-proxy is not running in this cluster");
    throw err;
  }
  if (format === "text") return sendText(res, 200, table.iptablesSave);
  sendJson(res, 200, table);
}

/** Version, health, root discovery and OpenAPI; false when `path` is none of them. */
async function serveNonResource(deps: HandlerDeps, method: string, path: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (path === "/version") {
    onlyGet(method, path);
    sendJson(res, 200, versionInfo());
    return true;
  }
  if (path === "/healthz" || path === "/livez") {
    onlyGet(method, path);
    sendText(res, 200, "ok");
    return true;
  }
  if (path === "/readyz") {
    onlyGet(method, path);
    try {
      await deps.discovery.resources();
      sendText(res, 200, "ok");
    } catch (err) {
      sendText(res, 500, `[-]apiserver failed: ${err instanceof Error ? err.message : String(err)}\nreadyz check failed`);
    }
    return true;
  }
  if (path === "/api") {
    onlyGet(method, path);
    sendJson(res, 200, apiVersions(deps.serverAddress()));
    return true;
  }
  if (path === "/apis") {
    onlyGet(method, path);
    sendJson(res, 200, apiGroupList(await deps.discovery.resources()));
    return true;
  }
  if (path === "/openapi/v2") {
    onlyGet(method, path);
    const accept = req.headers.accept ?? "";
    if (accept && !/application\/json|\*\/\*/.test(accept)) throw new HttpStatusError("NotAcceptable", `only application/json is served; asked for ${accept}`);
    sendJson(res, 200, openApiV2(await deps.discovery.resources()));
    return true;
  }
  if (path === "/openapi/v3" || path.startsWith("/openapi/v3/")) {
    onlyGet(method, path);
    const resources = await deps.discovery.resources();
    if (path === "/openapi/v3") {
      sendJson(res, 200, openApiV3Index(resources));
      return true;
    }
    const gv = splitApiPath(path.slice("/openapi/v3".length));
    const doc = gv && gv.version && gv.rest.length === 0 ? openApiV3(resources, gv.group, gv.version) : undefined;
    if (!doc) throw pathNotFound();
    sendJson(res, 200, doc);
    return true;
  }
  return false;
}

/** GET /version */
function versionInfo(): Record<string, string> {
  const [major, minor] = GIT_VERSION.slice(1).split(".");
  return {
    major: major!,
    minor: minor!,
    gitVersion: GIT_VERSION,
    gitCommit: "",
    gitTreeState: "clean",
    buildDate: "",
    goVersion: "",
    compiler: "actorkube",
    platform: `${process.platform}/${process.arch}`,
  };
}

/**
 * Starts an `api.watch` and streams its events. A watch that cannot start
 * because its resourceVersion was compacted answers 200 with one ERROR event
 * carrying the 410 Status, as kube-apiserver does.
 */
async function startWatch(
  deps: HandlerDeps,
  request: WatchRequest,
  route: ResourceRoute,
  query: URLSearchParams,
  table: string | undefined,
  res: ServerResponse,
): Promise<void> {
  const contentType = table ? tableContentType(table) : "application/json";
  let gone = false;
  res.on("close", () => (gone = true));
  let started: WatchStarted;
  try {
    started = await deps.messenger.ask<WatchStarted, ApiRequest>(deps.apiserver, { ...request, watcher: deps.watcher }, { timeoutMs: deps.askTimeoutMs });
  } catch (err) {
    const status = statusOf(err);
    if (status?.code !== 410) throw err;
    res.writeHead(200, { "Content-Type": contentType, "Cache-Control": "no-cache, private" });
    res.end(JSON.stringify(errorEvent(status)) + "\n");
    return;
  }
  const { watchId } = started;
  const unwatch = () => deps.messenger.tell(deps.apiserver, { type: "api.unwatch", watchId });
  if (gone) {
    unwatch();
    return;
  }
  res.writeHead(200, { "Content-Type": contentType, "Cache-Control": "no-cache, private", "Transfer-Encoding": "chunked" });
  res.flushHeaders();
  const printer = printerFor(route.resource.plural, route.resource.group);
  const include = includeObject(query);
  const transform = (e: WatchEvent, first: boolean): WatchEvent => {
    if (!table) return e;
    const t = toTable([e.object], printer, { version: table, includeObject: include, now: Date.now(), noHeaders: !first, listMeta: { resourceVersion: e.object.metadata?.resourceVersion } });
    return { type: e.type, object: t as unknown as KubeObject };
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  let serverClosed = false;
  const sink = streamingSink(res, transform, () => {
    serverClosed = true;
    if (timer) clearTimeout(timer);
    deps.router.detach(watchId);
  });
  res.on("close", () => {
    if (timer) clearTimeout(timer);
    deps.router.detach(watchId);
    if (!serverClosed) unwatch();
  });
  // Like kube-apiserver, a watch that names no timeout still ends, after a random spell, so clients spread their reconnects.
  const timeoutSeconds = request.timeoutSeconds ?? (deps.minRequestTimeoutSeconds ?? 1800) * (1 + Math.random());
  timer = setTimeout(() => {
    unwatch();
    sink.closed();
  }, timeoutSeconds * 1000);
  deps.router.attach(watchId, sink);
}
