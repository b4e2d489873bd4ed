/**
 * kube-proxy's iptables chain names: the first 16 characters of the base32
 * of a SHA-256, over the service port name and protocol (KUBE-SVC-, -SVL-,
 * -EXT-, -FW-), plus the endpoint for KUBE-SEP-, exactly as kube-proxy
 * names them, so `default/kubernetes:https` over tcp is KUBE-SVC-NPX46M4PTMTKRN6Y
 * here as in every cluster.
 */
import { createHash } from "node:crypto";

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** RFC 4648 base32 (no padding needed: only 16 characters are kept). */
function base32(bytes: Uint8Array): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = ((value << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** kube-proxy's portProtoHash: base32(sha256(name + protocol))[:16]. */
export function portProtoHash(servicePortName: string, protocol: string): string {
  return base32(createHash("sha256").update(servicePortName + protocol.toLowerCase()).digest()).slice(0, 16);
}

/** The chains of one service port. */
export interface ServiceChains {
  /** Cluster-policy endpoints. */
  svc: string;
  /** Local-policy endpoints. */
  svl: string;
  /** External destinations (NodePort, LoadBalancer, external IPs). */
  ext: string;
  /** LoadBalancer source-range firewall. */
  fw: string;
}

/** The chain names of service port `name` ("ns/svc:port") over `protocol`. */
export function serviceChains(name: string, protocol: string): ServiceChains {
  const h = portProtoHash(name, protocol);
  return { svc: `KUBE-SVC-${h}`, svl: `KUBE-SVL-${h}`, ext: `KUBE-EXT-${h}`, fw: `KUBE-FW-${h}` };
}

/** KUBE-SEP-…: one endpoint ("ip:port") of a service port. */
export function endpointChain(name: string, protocol: string, endpoint: string): string {
  return `KUBE-SEP-${base32(createHash("sha256").update(name + protocol.toLowerCase() + endpoint).digest()).slice(0, 16)}`;
}

/** kube-proxy's probability for the i-th of n rules: 1/(n-i), printed with ten decimals. */
export function probability(remaining: number): string {
  return (1 / remaining).toFixed(10);
}
