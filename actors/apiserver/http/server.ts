/**
 * The Kubernetes REST front of the apiserver actor. `httpFrontActor` is an
 * actor (so watch events can be told to it) that serves HTTP in its init;
 * `startHttpApi` is the same server for callers that route watch messages
 * themselves.
 */
import { readFileSync } from "node:fs";
import type { ActorFactory, Messenger } from "../../../runtime/actor.ts";
import type { WatchClosedMessage, WatchEventsMessage, WatchMessage } from "../../api/protocol.ts";
import { DEFAULT_MAX_BODY_BYTES } from "./body.ts";
import { DiscoveryCache } from "./discovery.ts";
import { createHandler } from "./handler.ts";
import { tokenAuthenticator, type Authenticator } from "./authn.ts";
import { listen, type TlsFiles } from "./listen.ts";
import { parseTokenFile, type UserInfo } from "./token-file.ts";
import { WatchRouter } from "./watch.ts";

/** Options of {@link startHttpApi}. */
export interface HttpApiOptions {
  /** Sends the asks (an ActorContext or an ActorSystem). */
  messenger: Messenger;
  /** The address `api.watch.events` are told to; the caller passes them to `deliver`. */
  watcher: string;
  /** The apiserver actor's address (default `apiserver`). */
  apiserver?: string;
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** Port (default 6443; 0 = any free port). */
  port?: number;
  /** Largest request body accepted (default 3 MiB, as kube-apiserver); larger → 413. */
  maxBodyBytes?: number;
  /** Timeout of each ask to the apiserver (default 60 000 ms); past it → 504. */
  askTimeoutMs?: number;
  /** Bearer token → user; absent = no authentication (requests carry no user). */
  authenticate?: Authenticator;
  /** How often `logs --follow` polls the kubelet (default 1 000 ms). */
  followPollMs?: number;
  /** A watch without timeoutSeconds ends after this long times 1–2 (default 1 800 s, as kube-apiserver). */
  minRequestTimeoutSeconds?: number;
  /** Serve HTTPS with this PEM certificate and key (kubectl sends tokens only over TLS). */
  tls?: TlsFiles;
}

/** A running HTTP front. */
export interface HttpApi {
  /** The bound port. */
  port: number;
  /** Routes a watch message told to the watcher address to its response. */
  deliver(msg: WatchMessage): void;
  /** Open watch streams. */
  watches(): number;
  /** Stops serving; open watch streams are cut. */
  close(): Promise<void>;
}

/** Starts serving the Kubernetes REST API. */
export async function startHttpApi(options: HttpApiOptions): Promise<HttpApi> {
  const apiserver = options.apiserver ?? "apiserver";
  const host = options.host ?? "127.0.0.1";
  const askTimeoutMs = options.askTimeoutMs ?? 60_000;
  const router = new WatchRouter();
  let port = options.port ?? 6443;
  const handler = createHandler({
    messenger: options.messenger,
    apiserver,
    watcher: options.watcher,
    router,
    discovery: new DiscoveryCache(options.messenger, apiserver, askTimeoutMs),
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    askTimeoutMs,
    authenticate: options.authenticate,
    followPollMs: options.followPollMs,
    minRequestTimeoutSeconds: options.minRequestTimeoutSeconds,
    serverAddress: () => `${host}:${port}`,
  });
  const listener = await listen(handler, host, port, options.tls);
  port = listener.port;
  return { port, deliver: (m) => router.deliver(m), watches: () => router.size, close: () => listener.close() };
}

/** Config of {@link httpFrontActor}: structured-cloneable, so tokens are a map rather than a function. */
export interface HttpFrontConfig {
  apiserver?: string;
  host?: string;
  port?: number;
  maxBodyBytes?: number;
  askTimeoutMs?: number;
  /** Bearer token → user (a name, or name + groups). With neither this nor `tokenAuthFile`: no authentication. */
  tokens?: Record<string, string | UserInfo>;
  /** A static token file (`token,user,uid,"group1,group2"`), read when the front starts; turns authentication on. */
  tokenAuthFile?: string;
  /** How often `logs --follow` polls the kubelet (default 1 000 ms). */
  followPollMs?: number;
  /** A watch without timeoutSeconds ends after this long times 1–2 (default 1 800 s, as kube-apiserver). */
  minRequestTimeoutSeconds?: number;
  /** PEM certificate and key: serve HTTPS. */
  tls?: TlsFiles;
}

/** Messages the front actor handles: watch traffic, and `http.info` for its bound address. */
export type HttpFrontMessage = WatchEventsMessage | WatchClosedMessage | { type: "http.info" };

/** The HTTP front as an actor: serves in its init, receives watch events at its own address. */
export const httpFrontActor: ActorFactory<HttpFrontConfig, HttpFrontMessage> = async (ctx, config) => {
  const tokens = staticTokens(config);
  const apiserver = config?.apiserver ?? "apiserver";
  const askTimeoutMs = config?.askTimeoutMs ?? 60_000;
  const api = await startHttpApi({
    messenger: ctx,
    watcher: ctx.self,
    apiserver: config?.apiserver,
    host: config?.host,
    port: config?.port,
    maxBodyBytes: config?.maxBodyBytes,
    askTimeoutMs: config?.askTimeoutMs,
    authenticate: tokens ? tokenAuthenticator({ messenger: ctx, apiserver, askTimeoutMs, tokens }) : undefined,
    tls: config?.tls,
    followPollMs: config?.followPollMs,
    minRequestTimeoutSeconds: config?.minRequestTimeoutSeconds,
  });
  ctx.log("info", "serving the Kubernetes API", { host: config?.host ?? "127.0.0.1", port: api.port });
  return {
    handlers: {
      "api.watch.events": (m) => api.deliver(m),
      "api.watch.closed": (m) => api.deliver(m),
      "http.info": () => ({ host: config?.host ?? "127.0.0.1", port: api.port, scheme: config?.tls ? "https" : "http" }),
    },
    onStop: () => api.close(),
    inspect: () => ({ port: api.port, watches: api.watches() }),
  };
};

/** The static tokens of the config (file and map); undefined when authentication is off. */
function staticTokens(config: HttpFrontConfig | undefined): Map<string, UserInfo> | undefined {
  if (!config?.tokens && !config?.tokenAuthFile) return undefined;
  const out = config.tokenAuthFile ? parseTokenFile(readFileSync(config.tokenAuthFile, "utf8")) : new Map<string, UserInfo>();
  for (const [token, user] of Object.entries(config.tokens ?? {})) out.set(token, typeof user === "string" ? { username: user, groups: [] } : user);
  return out;
}
