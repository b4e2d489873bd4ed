/**
 * What the cluster DNS answers: a question, an rcode, and resource records in
 * the presentation form dig prints (names without the trailing dot).
 */

/** The record types the cluster DNS serves. */
export const QTYPES = ["A", "AAAA", "SRV", "PTR", "CNAME"] as const;

/** A / AAAA / SRV / PTR / CNAME. */
export type QType = (typeof QTYPES)[number];

/** NOERROR (possibly with no answers: NODATA) or NXDOMAIN. */
export type Rcode = "NOERROR" | "NXDOMAIN";

/** One resource record. `data` is the RDATA as dig prints it: an address, a name, or `priority weight port target` for SRV. */
export interface DnsRecord {
  name: string;
  type: QType;
  ttl: number;
  data: string;
}

/** The question as asked. */
export interface DnsQuestion {
  name: string;
  type: QType;
}

/** The reply to a `dns.query`. */
export interface DnsReply {
  rcode: Rcode;
  question: DnsQuestion;
  answers: DnsRecord[];
  /** Records a resolver would want next (the A records of SRV targets), as DNS's additional section. */
  additional?: DnsRecord[];
  /** The names tried in order, when a search list was applied. */
  tried?: string[];
}

/** Messages the DNS actor answers. */
export type DnsMessage =
  | { type: "dns.query"; name: string; qtype?: QType; pod?: string; namespace?: string }
  | { type: "dns.info" };
