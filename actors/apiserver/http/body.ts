/**
 * Request bodies: read with a size limit (413 past it) and decoded as JSON
 * or YAML by content type (400 with the parser's message when malformed).
 */
import type { IncomingMessage } from "node:http";
import { parse as parseYaml } from "yaml";
import { HttpStatusError } from "./errors.ts";
import { decodeProtobuf, PROTOBUF_MEDIA_TYPE } from "./protobuf/index.ts";

/** kube-apiserver's default request body limit. */
export const DEFAULT_MAX_BODY_BYTES = 3 * 1024 * 1024;

/** Reads the whole body; rejects with 413 as soon as it grows past `maxBytes`. */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? "0");
    if (declared > maxBytes) {
      req.resume();
      reject(tooLarge(maxBytes));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > maxBytes) {
        failed = true;
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => failed || resolve(Buffer.concat(chunks)));
    req.on("error", (err) => failed || reject(err));
  });
}

function tooLarge(maxBytes: number): HttpStatusError {
  return new HttpStatusError("RequestEntityTooLarge", `the request body exceeds the limit of ${maxBytes} bytes`);
}

/** The media type of a Content-Type header, lower-cased, without parameters. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase();
}

/**
 * Decodes a body: YAML for `*yaml` media types, JSON for JSON ones (or
 * none), Kubernetes protobuf for the kinds kubectl sends that way; any other
 * media type is 415. An empty body decodes to undefined.
 */
export function decodeBody(body: Buffer, contentType: string | undefined): unknown {
  if (body.length === 0) return undefined;
  const type = mediaType(contentType);
  if (type === PROTOBUF_MEDIA_TYPE) return decodeProtobuf(body);
  const text = body.toString("utf8");
  if (text.trim() === "") return undefined;
  if (type !== "" && !type.endsWith("json") && !type.endsWith("yaml")) {
    throw new HttpStatusError("UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`);
  }
  if (type.endsWith("yaml")) {
    try {
      return parseYaml(text);
    } catch (err) {
      throw new HttpStatusError("BadRequest", `error decoding YAML: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new HttpStatusError("BadRequest", `error decoding JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** True for a plain JSON object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
