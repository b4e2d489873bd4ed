/**
 * A `dns.query` end to end: checks the question, applies the querying pod's
 * (or namespace's) search list with ndots semantics, and resolves each
 * candidate until one has answers — as the pod's stub resolver and the
 * cluster DNS would between them.
 */
import { isIPv4 } from "../../cni/ipv4.ts";
import type { ClusterIndex } from "./cluster-index.ts";
import type { Pod } from "../api/types/core-pod.ts";
import { resolveName, reverseName, type ResolverOptions } from "./resolver.ts";
import { candidates, clusterSearch, CLUSTER_NDOTS, podResolverConfig, type ResolverConfig } from "./search.ts";
import { QTYPES, type DnsReply, type QType } from "./types.ts";

/** A question with the querying context. */
export interface Query {
  name: string;
  qtype?: QType;
  /** The querying pod, `namespace/name`: its search list applies. */
  pod?: string;
  /** The querying namespace when no pod is named: the cluster search list of that namespace applies. */
  namespace?: string;
}

const LABEL = /^(?:\*|[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)$/i;

/** Why a query is malformed, or undefined when it is fine. */
export function checkQuery(q: Record<string, unknown>): string | undefined {
  if (typeof q.name !== "string" || q.name.trim() === "") return "name: expected a non-empty string";
  const name = q.name.replace(/\.$/, "");
  if (name.length > 253) return `name: ${JSON.stringify(q.name)} is longer than 253 characters`;
  if (name !== "" && !name.split(".").every((l) => LABEL.test(l))) return `name: ${JSON.stringify(q.name)} is not a valid DNS name`;
  if (q.qtype !== undefined && !QTYPES.includes(q.qtype as QType)) return `qtype: expected one of ${QTYPES.join(", ")}, got ${JSON.stringify(q.qtype)}`;
  if (q.pod !== undefined && (typeof q.pod !== "string" || !/^[^/]+\/[^/]+$/.test(q.pod))) return `pod: expected "namespace/name", got ${JSON.stringify(q.pod)}`;
  if (q.namespace !== undefined && (typeof q.namespace !== "string" || q.namespace === "")) return "namespace: expected a non-empty string";
  return undefined;
}

/**
 * The resolver settings a query runs with: the pod's, the namespace's, or
 * none (the name is absolute). The querying pod is `pod` when the caller
 * read it, else the index's.
 */
export function resolverConfigFor(index: ClusterIndex, q: Query, domain = "cluster.local", querying?: Pod): ResolverConfig | undefined {
  if (q.pod) {
    const [ns, name] = q.pod.split("/");
    const pod = querying ?? index.pod(ns, name);
    // A pod the cache has not seen yet resolves as a ClusterFirst pod of its namespace.
    return pod ? podResolverConfig(pod, domain) : { search: clusterSearch(ns, domain), ndots: CLUSTER_NDOTS };
  }
  if (q.namespace) return { search: clusterSearch(q.namespace, domain), ndots: CLUSTER_NDOTS };
  return undefined;
}

/** Answers a query (which `checkQuery` accepted); `querying` is the pod `q.pod` names, when the caller read it. */
export function answerQuery(index: ClusterIndex, q: Query, options: ResolverOptions = {}, querying?: Pod): DnsReply {
  const qtype = q.qtype ?? "A";
  const question = { name: q.name, type: qtype };
  // A bare IP asked for PTR means its reverse name.
  const asked = qtype === "PTR" && isIPv4(q.name) ? reverseName(q.name) : q.name;
  const config = asked === q.name ? resolverConfigFor(index, q, options.domain, querying) : undefined;
  const names = config ? candidates(asked.toLowerCase(), config) : [asked.toLowerCase().replace(/\.$/, "")];
  const tried: string[] = [];
  let nodata = false;
  for (const name of names) {
    tried.push(name);
    const r = resolveName(index, name, qtype, options);
    if (r.answers.length > 0) return withTried({ rcode: "NOERROR", question, answers: r.answers, ...(r.additional.length ? { additional: r.additional } : {}) }, config, tried);
    if (r.rcode === "NOERROR") nodata = true;
  }
  return withTried({ rcode: nodata ? "NOERROR" : "NXDOMAIN", question, answers: [] }, config, tried);
}

function withTried(reply: DnsReply, config: ResolverConfig | undefined, tried: string[]): DnsReply {
  return config ? { ...reply, tried } : reply;
}
