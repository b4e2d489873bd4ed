/**
 * A self-signed CA and a serving certificate signed by it, as kube-apiserver
 * makes when it is given no certificates: kubectl sends bearer tokens only
 * over TLS, and the CA goes into the kubeconfig so the server is verified.
 * X.509 is written as DER by hand (node:crypto makes keys and signatures but
 * not certificates); keys are ECDSA P-256, signatures ecdsa-with-SHA256.
 */
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from "node:crypto";
import { isIP } from "node:net";

/** PEM-encoded certificates and key of a serving identity. */
export interface ServingPki {
  /** The CA certificate (what clients trust). */
  caCert: string;
  /** The CA's private key (kept to sign a new serving certificate later). */
  caKey: string;
  /** The serving certificate, signed by the CA. */
  cert: string;
  /** The serving certificate's private key. */
  key: string;
}

const OID = {
  commonName: "2.5.4.3",
  ecdsaWithSHA256: "1.2.840.10045.4.3.2",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  subjectAltName: "2.5.29.17",
  subjectKeyIdentifier: "2.5.29.14",
  authorityKeyIdentifier: "2.5.29.35",
  serverAuth: "1.3.6.1.5.5.7.3.1",
};

// ---- DER --------------------------------------------------------------------

function tlv(tag: number, content: Uint8Array): Uint8Array {
  const n = content.length;
  let len: number[];
  if (n < 0x80) len = [n];
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
    len = [0x80 | bytes.length, ...bytes];
  }
  const out = new Uint8Array(1 + len.length + n);
  out[0] = tag;
  out.set(len, 1);
  out.set(content, 1 + len.length);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const seq = (...parts: Uint8Array[]) => tlv(0x30, concat(parts));
const set = (...parts: Uint8Array[]) => tlv(0x31, concat(parts));
const bool = (v: boolean) => tlv(0x01, Uint8Array.of(v ? 0xff : 0));
const octets = (b: Uint8Array) => tlv(0x04, b);
const utf8 = (s: string) => tlv(0x0c, new TextEncoder().encode(s));
const explicit = (n: number, inner: Uint8Array) => tlv(0xa0 + n, inner);
/** BIT STRING with `unused` trailing zero bits in its last byte. */
const bits = (b: Uint8Array, unused = 0) => tlv(0x03, concat([Uint8Array.of(unused), b]));

function unsignedInt(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  const trimmed = b.subarray(i);
  return tlv(0x02, trimmed[0]! & 0x80 ? concat([Uint8Array.of(0), trimmed]) : trimmed);
}

function oid(dotted: string): Uint8Array {
  const [a, b, ...rest] = dotted.split(".").map(Number);
  const out = [a! * 40 + b!];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Uint8Array.from(out));
}

/** UTCTime before 2050, GeneralizedTime from then on (RFC 5280 §4.1.2.5). */
function time(ms: number): Uint8Array {
  const iso = new Date(ms).toISOString();
  const digits = iso.slice(0, 19).replace(/[-T:]/g, "");
  const year = Number(iso.slice(0, 4));
  return year < 2050 ? tlv(0x17, new TextEncoder().encode(digits.slice(2) + "Z")) : tlv(0x18, new TextEncoder().encode(digits + "Z"));
}

const name = (cn: string) => seq(set(seq(oid(OID.commonName), utf8(cn))));
const extension = (id: string, critical: boolean, value: Uint8Array) => seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));

function ipBytes(ip: string): Uint8Array | undefined {
  if (isIP(ip) === 4) return Uint8Array.from(ip.split(".").map(Number));
  if (isIP(ip) !== 6) return undefined;
  const [head, tail] = ip.includes("::") ? ip.split("::") : [ip, undefined];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g || "0", 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

function subjectAltNames(hosts: string[]): Uint8Array {
  const names = hosts.map((h) => {
    const ip = ipBytes(h);
    return ip ? tlv(0x87, ip) : tlv(0x82, new TextEncoder().encode(h));
  });
  return seq(...names);
}

function keyId(spki: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha1").update(spki).digest());
}

function pem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n$/, "");
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

interface CertInput {
  subject: string;
  issuer: string;
  publicKey: KeyObject;
  signer: KeyObject;
  issuerKeyId: Uint8Array;
  notBefore: number;
  notAfter: number;
  ca: boolean;
  hosts?: string[];
}

function certificate(c: CertInput): string {
  const spki = new Uint8Array(c.publicKey.export({ type: "spki", format: "der" }));
  const algorithm = seq(oid(OID.ecdsaWithSHA256));
  const extensions = c.ca
    ? [
        extension(OID.basicConstraints, true, seq(bool(true))),
        // digitalSignature, keyCertSign, cRLSign
        extension(OID.keyUsage, true, bits(Uint8Array.of(0x86), 1)),
        extension(OID.subjectKeyIdentifier, false, octets(keyId(spki))),
      ]
    : [
        extension(OID.basicConstraints, true, seq()),
        // digitalSignature
        extension(OID.keyUsage, true, bits(Uint8Array.of(0x80), 7)),
        extension(OID.extKeyUsage, false, seq(oid(OID.serverAuth))),
        extension(OID.authorityKeyIdentifier, false, seq(tlv(0x80, c.issuerKeyId))),
        extension(OID.subjectAltName, false, subjectAltNames(c.hosts ?? [])),
      ];
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  const tbs = seq(
    explicit(0, unsignedInt(Uint8Array.of(2))),
    unsignedInt(serial),
    algorithm,
    name(c.issuer),
    seq(time(c.notBefore), time(c.notAfter)),
    name(c.subject),
    spki,
    explicit(3, seq(...extensions)),
  );
  const signature = new Uint8Array(sign("sha256", tbs, c.signer));
  return pem("CERTIFICATE", seq(tbs, algorithm, bits(signature)));
}

const DAY = 86_400_000;

/**
 * Makes a CA (10 years) and a serving certificate (1 year) for `hosts`
 * (IP addresses and DNS names; 127.0.0.1 and localhost are always added).
 * An existing CA (`ca`) is reused, so clients that trust it keep working.
 */
export function makeServingPki(hosts: string[], now = Date.now(), ca?: { cert: string; key: string }): ServingPki {
  let caCert: string;
  let caKey: KeyObject;
  let caKeyPem: string;
  let caSpki: Uint8Array;
  if (ca) {
    caCert = ca.cert;
    caKeyPem = ca.key;
    caKey = createPrivateKey(ca.key);
    caSpki = new Uint8Array(new X509Certificate(ca.cert).publicKey.export({ type: "spki", format: "der" }));
  } else {
    const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
    caKey = pair.privateKey;
    caKeyPem = caKey.export({ type: "pkcs8", format: "pem" }).toString();
    caSpki = new Uint8Array(pair.publicKey.export({ type: "spki", format: "der" }));
    const cn = `actorkube-ca@${Math.floor(now / 1000)}`;
    caCert = certificate({ subject: cn, issuer: cn, publicKey: pair.publicKey, signer: caKey, issuerKeyId: keyId(caSpki), notBefore: now - 3_600_000, notAfter: now + 3650 * DAY, ca: true });
  }
  const caSubject = new X509Certificate(caCert).subject.replace(/^CN=/, "");
  const leaf = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const all = [...new Set(["127.0.0.1", "localhost", ...hosts.filter((h) => h !== "" && h !== "0.0.0.0" && h !== "::")])];
  const cert = certificate({ subject: "actorkube-apiserver", issuer: caSubject, publicKey: leaf.publicKey, signer: caKey, issuerKeyId: keyId(caSpki), notBefore: now - 3_600_000, notAfter: now + 365 * DAY, ca: false, hosts: all });
  return { caCert, caKey: caKeyPem, cert, key: leaf.privateKey.export({ type: "pkcs8", format: "pem" }).toString() };
}

/**
 * True when `pki` can still serve `hosts` at `now`: both certificates valid
 * for at least another day, the serving one signed by the CA and naming
 * every host.
 */
export function pkiServes(pki: ServingPki, hosts: string[], now = Date.now()): boolean {
  try {
    const ca = new X509Certificate(pki.caCert);
    const leaf = new X509Certificate(pki.cert);
    const fresh = (c: X509Certificate) => Date.parse(c.validFrom) <= now && Date.parse(c.validTo) > now + DAY;
    if (!fresh(ca) || !fresh(leaf) || !leaf.verify(ca.publicKey) || !leaf.checkPrivateKey(createPrivateKey(pki.key))) return false;
    return hosts.every((h) => h === "" || h === "0.0.0.0" || h === "::" || (isIP(h) ? leaf.checkIP(h) !== undefined : leaf.checkHost(h) !== undefined));
  } catch {
    return false;
  }
}
