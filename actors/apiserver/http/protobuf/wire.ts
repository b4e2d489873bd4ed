/**
 * Protocol-buffer wire decoding driven by a field table: the bytes of a
 * Kubernetes protobuf body become the object its JSON form would be.
 * Fields missing from the table fail the decode (never dropped silently).
 */
import { HttpStatusError } from "../errors.ts";

/** How a field decodes. `msg:<Name>` names another table; `map:<v>` is map<string, v>. */
export type FieldKind = "string" | "bytes" | "int" | "bool" | "time" | "intorstring" | "quantity" | `msg:${string}` | `map:${string}`;

/** One field: JSON name, kind, and flags: `repeated`, `pointer` (zero values are kept: the sender set them). */
export interface FieldSpec {
  name: string;
  kind: FieldKind;
  repeated?: boolean;
  pointer?: boolean;
}

/** Field tables by message name. */
export type Schema = Record<string, Record<number, FieldSpec>>;

/** A cursor over protobuf bytes. */
class Reader {
  pos = 0;
  readonly buf: Uint8Array;
  constructor(buf: Uint8Array) {
    this.buf = buf;
  }
  get done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw malformed("truncated varint");
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 70n) throw malformed("varint too long");
    }
  }
  bytes(): Uint8Array {
    const len = Number(this.varint());
    if (this.pos + len > this.buf.length) throw malformed("truncated length-delimited field");
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw malformed(`unsupported wire type ${wire}`);
  }
}

function malformed(why: string): HttpStatusError {
  return new HttpStatusError("BadRequest", `malformed protobuf body: ${why}`);
}

const utf8 = new TextDecoder();

/** Decodes one message of `type` with `schema`. */
export function decodeMessage(schema: Schema, type: string, buf: Uint8Array): Record<string, unknown> {
  const table = schema[type];
  if (!table) throw unsupported(`message ${type}`);
  const out: Record<string, unknown> = {};
  const r = new Reader(buf);
  while (!r.done) {
    const tag = Number(r.varint());
    const field = tag >>> 3;
    const wire = tag & 7;
    const spec = table[field];
    if (!spec) throw unsupported(`field ${field} of ${type}`);
    if (spec.kind.startsWith("map:")) {
      const [k, v] = mapEntry(schema, spec.kind.slice(4), r.bytes());
      const m = (out[spec.name] ??= {}) as Record<string, unknown>;
      m[k] = v;
      continue;
    }
    // Packed repeated scalars arrive as one length-delimited run.
    if (spec.repeated && spec.kind === "int" && wire === 2) {
      const inner = new Reader(r.bytes());
      const list = (out[spec.name] ??= []) as unknown[];
      while (!inner.done) list.push(Number(BigInt.asIntN(64, inner.varint())));
      continue;
    }
    const value = scalar(schema, spec, wire, r);
    if (spec.repeated) ((out[spec.name] ??= []) as unknown[]).push(value);
    else if (value !== undefined && (spec.pointer || !isZero(value))) out[spec.name] = value;
  }
  return out;
}

function isZero(v: unknown): boolean {
  return v === "" || v === 0 || v === false;
}

function scalar(schema: Schema, spec: FieldSpec, wire: number, r: Reader): unknown {
  switch (spec.kind) {
    case "string":
      return utf8.decode(r.bytes());
    case "bytes":
      return Buffer.from(r.bytes()).toString("base64");
    case "int":
      if (wire !== 0) throw malformed(`field ${spec.name}: expected a varint`);
      return Number(BigInt.asIntN(64, r.varint()));
    case "bool":
      return r.varint() !== 0n;
    case "time": {
      const t = decodeMessage(TIME, "Time", r.bytes());
      if (t.seconds === undefined) return undefined;
      return new Date(Number(t.seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
    }
    case "quantity":
      return decodeMessage(QUANTITY, "Quantity", r.bytes()).string ?? "0";
    case "intorstring": {
      const v = decodeMessage(INT_OR_STRING, "IntOrString", r.bytes());
      return v.type === 1 ? (v.strVal ?? "") : (v.intVal ?? 0);
    }
    default:
      return decodeMessage(schema, spec.kind.slice(4), r.bytes());
  }
}

function mapEntry(schema: Schema, valueKind: string, buf: Uint8Array): [string, unknown] {
  const r = new Reader(buf);
  let key = "";
  let value: unknown = valueKind === "bytes" || valueKind === "string" ? "" : {};
  while (!r.done) {
    const tag = Number(r.varint());
    if (tag >>> 3 === 1) key = utf8.decode(r.bytes());
    else if (tag >>> 3 === 2) value = scalar(schema, { name: "value", kind: valueKind as FieldKind, pointer: true }, tag & 7, r);
    else r.skip(tag & 7);
  }
  return [key, value];
}

function unsupported(what: string): HttpStatusError {
  return new HttpStatusError("UnsupportedMediaType", `protobuf bodies are decoded for common kinds only; ${what} is not known: send application/json`);
}

const TIME: Schema = { Time: { 1: { name: "seconds", kind: "int" }, 2: { name: "nanos", kind: "int" } } };
const QUANTITY: Schema = { Quantity: { 1: { name: "string", kind: "string" } } };
const INT_OR_STRING: Schema = { IntOrString: { 1: { name: "type", kind: "int" }, 2: { name: "intVal", kind: "int" }, 3: { name: "strVal", kind: "string" } } };

/** Reads the `k8s\0` envelope: apiVersion, kind and the raw message bytes. */
export function readEnvelope(body: Uint8Array): { apiVersion: string; kind: string; raw: Uint8Array } {
  const magic = [0x6b, 0x38, 0x73, 0x00];
  if (body.length < 4 || magic.some((b, i) => body[i] !== b)) throw malformed("missing the k8s protobuf envelope");
  const r = new Reader(body.subarray(4));
  let apiVersion = "";
  let kind = "";
  let raw: Uint8Array = new Uint8Array();
  while (!r.done) {
    const tag = Number(r.varint());
    const field = tag >>> 3;
    if (field === 1) {
      const t = new Reader(r.bytes());
      while (!t.done) {
        const tt = Number(t.varint());
        if (tt >>> 3 === 1) apiVersion = utf8.decode(t.bytes());
        else if (tt >>> 3 === 2) kind = utf8.decode(t.bytes());
        else t.skip(tt & 7);
      }
    } else if (field === 2) raw = r.bytes();
    else r.skip(tag & 7);
  }
  return { apiVersion, kind, raw };
}
