/**
 * The cluster DNS over real UDP on a loopback port, so `dig @127.0.0.1 -p
 * PORT web.default.svc.cluster.local` works. Packets are decoded and encoded
 * with `dns-packet`; answers come from the same resolver as `dns.query`.
 * Names are taken as absolute (a real client expands its search list itself).
 */
import dgram from "node:dgram";
import { Buffer } from "node:buffer";
import dnsPacket from "dns-packet";
import type { Answer, DecodedPacket, Question } from "dns-packet";
import type { DnsRecord, DnsReply, QType } from "./types.ts";
import { QTYPES } from "./types.ts";

/** Answers one question with an absolute name. */
export type Answerer = (name: string, qtype: QType) => DnsReply;

/** A running server. */
export interface UdpDnsServer {
  readonly address: string;
  readonly port: number;
  /** Queries answered and packets dropped as malformed. */
  readonly stats: { queries: number; malformed: number };
  close(): Promise<void>;
}

const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4 } as const;

/** Binds `127.0.0.1:port` (0 picks a free port) and serves until closed. */
export async function startUdpDns(port: number, answer: Answerer, host = "127.0.0.1"): Promise<UdpDnsServer> {
  const socket = dgram.createSocket("udp4");
  const stats = { queries: 0, malformed: 0 };
  socket.on("message", (buf, peer) => {
    const reply = respond(buf, answer, stats);
    if (reply) socket.send(reply, peer.port, peer.address);
  });
  socket.on("error", () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(port, host, () => {
      socket.off("error", reject);
      resolve();
    });
  });
  const bound = socket.address();
  return {
    address: bound.address,
    port: bound.port,
    stats,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** The response packet for one query packet; undefined when it cannot even be answered FORMERR. */
export function respond(buf: Uint8Array, answer: Answerer, stats = { queries: 0, malformed: 0 }): Buffer | undefined {
  let query: DecodedPacket;
  try {
    query = dnsPacket.decode(Buffer.from(buf));
  } catch {
    stats.malformed++;
    // Echo the id with FORMERR when at least a header arrived.
    if (buf.length < 12) return undefined;
    const id = (buf[0] << 8) | buf[1];
    return dnsPacket.encode({ type: "response", id, flags: RCODE.FORMERR, questions: [] });
  }
  if (query.type !== "query") return undefined;
  stats.queries++;
  const questions = query.questions ?? [];
  const base = query.flag_rd ? dnsPacket.RECURSION_DESIRED : 0;
  if (questions.length !== 1) {
    return dnsPacket.encode({ type: "response", id: query.id, flags: base | RCODE.FORMERR, questions });
  }
  const q = questions[0];
  if (q.class !== undefined && q.class !== "IN") {
    return dnsPacket.encode({ type: "response", id: query.id, flags: base | RCODE.NOTIMP, questions });
  }
  let reply: DnsReply;
  try {
    // Types the zone does not hold: the name's existence decides NXDOMAIN versus an empty answer.
    const known = (QTYPES as readonly string[]).includes(q.type);
    reply = answer(q.name, known ? (q.type as QType) : "A");
    if (!known) reply = { ...reply, answers: [], additional: [] };
  } catch {
    return dnsPacket.encode({ type: "response", id: query.id, flags: base | RCODE.SERVFAIL, questions });
  }
  return dnsPacket.encode({
    type: "response",
    id: query.id,
    flags: base | dnsPacket.AUTHORITATIVE_ANSWER | RCODE[reply.rcode],
    questions: [q as Question],
    answers: reply.answers.map(toAnswer),
    additionals: (reply.additional ?? []).map(toAnswer),
  });
}

function toAnswer(r: DnsRecord): Answer {
  if (r.type === "SRV") {
    const [priority, weight, port, target] = r.data.split(" ");
    return { type: "SRV", name: r.name, ttl: r.ttl, class: "IN", data: { priority: Number(priority), weight: Number(weight), port: Number(port), target } };
  }
  return { type: r.type, name: r.name, ttl: r.ttl, class: "IN", data: r.data } as Answer;
}
