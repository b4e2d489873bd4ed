/**
 * `application/vnd.kubernetes.protobuf` request bodies. kubectl v1.32's
 * typed commands (`kubectl create configmap`, `create deployment`, ...) send
 * them and do not retry as JSON on a 415, so the front decodes the kinds
 * those commands create.
 */
import { HttpStatusError } from "../errors.ts";
import { kubeSchema, protobufKinds } from "./schema.ts";
import { decodeMessage, readEnvelope } from "./wire.ts";

/** The media type of Kubernetes protobuf. */
export const PROTOBUF_MEDIA_TYPE = "application/vnd.kubernetes.protobuf";

/** Decodes a protobuf body into the object its JSON form would be. */
export function decodeProtobuf(body: Uint8Array): Record<string, unknown> {
  const { apiVersion, kind, raw } = readEnvelope(body);
  if (protobufKinds[kind] !== apiVersion) {
    throw new HttpStatusError("UnsupportedMediaType", `protobuf bodies are decoded for ${Object.keys(protobufKinds).join(", ")} only, not ${apiVersion} ${kind}: send application/json`);
  }
  return { apiVersion, kind, ...decodeMessage(kubeSchema, kind, raw) };
}
