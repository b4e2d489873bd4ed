/**
 * The cluster DNS addon (CoreDNS's role): watches Services, EndpointSlices,
 * Pods and Namespaces into a {@link ClusterIndex} and answers `dns.query`
 * as CoreDNS's kubernetes plugin would, with the querying pod's search
 * list applied. At start it makes sure the `kube-system/kube-dns` Service
 * exists at its well-known cluster IP (what kubelets write into resolv.conf),
 * and optionally serves real DNS over UDP on a loopback port.
 */
import type { ActorFactory } from "../../runtime/actor.ts";
import type { TimerId } from "../../runtime/clock.ts";
import { ApiClient, isAlreadyExists, isNotFound } from "../api/client.ts";
import { InformerSet } from "../api/informer-set.ts";
import type { WatchMessage } from "../api/protocol.ts";
import type { Namespace } from "../api/types/core-node.ts";
import type { Pod } from "../api/types/core-pod.ts";
import type { Service } from "../api/types/core-service.ts";
import type { EndpointSlice } from "../api/types/discovery.ts";
import { ClusterIndex } from "./cluster-index.ts";
import { ADDON_INSTALLER } from "./installer.ts";
import { answerQuery, checkQuery } from "./query.ts";
import type { ResolverOptions } from "./resolver.ts";
import type { DnsMessage } from "./types.ts";
import type { UdpDnsServer } from "./udp-server.ts";

/** Configuration of the DNS actor. */
export interface DnsConfig extends ResolverOptions {
  apiserver?: string;
  /** The cluster IP asked for `kube-system/kube-dns` (default 10.96.0.10, kubeadm's). */
  clusterIP?: string;
  /** Create the kube-dns Service at start when it is missing (default true). */
  ensureService?: boolean;
  /** Serve DNS over UDP on 127.0.0.1 at this port (0 = any free port); absent = no socket. */
  udpPort?: number;
  /** How long to wait for the first list of each watched kind (default 60 000 ms). */
  syncTimeoutMs?: number;
}

/** The identity the DNS server reads the cluster as (bound to the system:actorkube:dns role). */
export const DNS_USER = "system:actorkube:dns";

/** The default cluster DNS service IP. */
export const DEFAULT_DNS_IP = "10.96.0.10";

/** The kube-dns Service as kubeadm installs it. */
export function kubeDnsService(clusterIP = DEFAULT_DNS_IP): Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: "kube-dns",
      namespace: "kube-system",
      labels: { "k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS" },
      annotations: { "prometheus.io/port": "9153", "prometheus.io/scrape": "true" },
    },
    spec: {
      selector: { "k8s-app": "kube-dns" },
      clusterIP,
      ports: [
        { name: "dns", port: 53, protocol: "UDP", targetPort: 53 },
        { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 },
        { name: "metrics", port: 9153, protocol: "TCP", targetPort: 9153 },
      ],
    },
  };
}

/** Builds the DNS actor. */
export const dnsActor: ActorFactory<DnsConfig | undefined, DnsMessage | WatchMessage> = async (ctx, config) => {
  const cfg = config ?? {};
  const options: ResolverOptions = { domain: cfg.domain ?? "cluster.local", ttl: cfg.ttl ?? 5, pods: cfg.pods ?? "insecure" };
  // The server reads as the DNS addon's identity; the addon's Service is installed with the
  // installer's admin credentials, as kubeadm's addon phase does.
  const client = new ApiClient(ctx, { apiserver: cfg.apiserver, user: DNS_USER });
  const installer = new ApiClient(ctx, { apiserver: cfg.apiserver, ...ADDON_INSTALLER });
  const informers = new InformerSet(ctx, client);
  const index = new ClusterIndex();
  informers.informer<Service>({ resource: "services" }).addEventHandler({
    onAdd: (s) => index.upsertService(s),
    onUpdate: (_, s) => index.upsertService(s),
    onDelete: (s) => index.deleteService(s),
  });
  informers.informer<EndpointSlice>({ resource: "endpointslices.discovery.k8s.io" }).addEventHandler({
    onAdd: (s) => index.upsertSlice(s),
    onUpdate: (_, s) => index.upsertSlice(s),
    onDelete: (s) => index.deleteSlice(s),
  });
  // Pods are followed only to verify pod records (`pods verified`), as CoreDNS does: in the
  // default `insecure` mode no pod event reaches this thread, and a query naming its pod reads it.
  if (options.pods === "verified") {
    informers.informer<Pod>({ resource: "pods" }).addEventHandler({
      onAdd: (p) => index.upsertPod(p),
      onUpdate: (_, p) => index.upsertPod(p),
      onDelete: (p) => index.deletePod(p),
    });
  }
  const queryingPod = async (ref: string | undefined): Promise<Pod | undefined> => {
    if (!ref || options.pods === "verified") return undefined;
    const [namespace, name] = ref.split("/");
    return client.get<Pod>("pods", name!, { namespace }).catch((err) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
  };
  informers.informer<Namespace>({ resource: "namespaces" }).addEventHandler({
    onAdd: (n) => index.upsertNamespace(n),
    onUpdate: (_, n) => index.upsertNamespace(n),
    onDelete: (n) => index.deleteNamespace(n),
  });

  // The Service is the addon's, created once; failures (say, its IP is taken) are retried with backoff.
  const clusterIP = cfg.clusterIP ?? DEFAULT_DNS_IP;
  let serviceState: "present" | "created" | "pending" | "disabled" = cfg.ensureService === false ? "disabled" : "pending";
  let lastServiceError: string | undefined;
  let retry: TimerId | undefined;
  let stopped = false;
  const ensureService = async (attempt: number): Promise<void> => {
    if (stopped) return;
    if (index.service("kube-system", "kube-dns")) {
      serviceState = "present";
      return;
    }
    try {
      await installer.create("services", kubeDnsService(clusterIP));
      serviceState = "created";
      ctx.log("info", `created Service kube-system/kube-dns at ${clusterIP}`);
    } catch (err) {
      if (isAlreadyExists(err)) {
        serviceState = "present";
        return;
      }
      lastServiceError = (err as Error).message;
      const delay = Math.min(30_000, 500 * 2 ** attempt);
      ctx.log(attempt > 2 ? "warn" : "debug", `cannot create Service kube-system/kube-dns: ${lastServiceError}; retrying in ${delay} ms`);
      retry = ctx.clock.setTimeout(() => void ensureService(attempt + 1), delay);
    }
  };

  let udp: UdpDnsServer | undefined;
  const startUdp = async (port: number) => {
    try {
      const { startUdpDns } = await import("./udp-server.ts");
      udp = await startUdpDns(port, (name, qtype) => answerQuery(index, { name, qtype }, options));
      if (stopped) await udp.close();
      else ctx.log("info", `serving DNS on udp://${udp.address}:${udp.port}`);
    } catch (err) {
      ctx.log("warn", `cannot serve DNS over UDP on port ${port}: ${(err as Error).message}`);
    }
  };

  // Start in the background: informers, then the Service and the socket.
  // Queries wait for the first sync; a failed start fails them with its reason.
  let state: "starting" | "running" | "failed" = "starting";
  const ready = (async () => {
    informers.start();
    await informers.waitForSync(cfg.syncTimeoutMs ?? 60_000);
    if (serviceState === "pending") await ensureService(0);
    if (cfg.udpPort !== undefined) await startUdp(cfg.udpPort);
    state = "running";
  })();
  ready.catch((err: Error) => {
    state = "failed";
    ctx.log("error", `DNS did not start: ${err.message}`);
  });

  const info = () => ({
    state,
    domain: options.domain,
    clusterIP,
    service: serviceState,
    ...(lastServiceError && serviceState === "pending" ? { serviceError: lastServiceError } : {}),
    podRecords: options.pods,
    ttl: options.ttl,
    udp: udp ? { address: udp.address, port: udp.port, ...udp.stats } : undefined,
    objects: index.counts(),
  });

  return {
    handlers: {
      "api.watch.events": (m, d) => informers.handlers["api.watch.events"](m, d),
      "api.watch.closed": (m, d) => informers.handlers["api.watch.closed"](m, d),
      "dns.query": async (m) => {
        await ready;
        return answerQuery(index, m, options, await queryingPod(m.pod));
      },
      "dns.info": () => info(),
    },
    validate: { "dns.query": checkQuery },
    onStop: async () => {
      stopped = true;
      if (retry) ctx.clock.clearTimeout(retry);
      await udp?.close();
      await informers.stop();
    },
    inspect: () => ({ ...info(), ...informers.stats() }),
  };
};
