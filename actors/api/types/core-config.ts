/**
 * core/v1 ConfigMap, Secret and ServiceAccount.
 */
import type { ObjectMeta } from "../meta.ts";
import type { LocalObjectReference, ObjectReference } from "./core-common.ts";

/** core/v1 ConfigMap */
export interface ConfigMap {
  apiVersion: "v1";
  kind: "ConfigMap";
  metadata: ObjectMeta;
  data?: Record<string, string>;
  /** Values are base64 in JSON. */
  binaryData?: Record<string, string>;
  immutable?: boolean;
  [field: string]: unknown;
}

/** Well-known secret types; any other string is allowed too. */
export type SecretType =
  | "Opaque"
  | "kubernetes.io/service-account-token"
  | "kubernetes.io/dockercfg"
  | "kubernetes.io/dockerconfigjson"
  | "kubernetes.io/basic-auth"
  | "kubernetes.io/ssh-auth"
  | "kubernetes.io/tls"
  | "bootstrap.kubernetes.io/token"
  | (string & {});

/** core/v1 Secret */
export interface Secret {
  apiVersion: "v1";
  kind: "Secret";
  metadata: ObjectMeta;
  /** Values are base64 in JSON. */
  data?: Record<string, string>;
  /** Write-only plain-text values, merged into `data` on write. */
  stringData?: Record<string, string>;
  type?: SecretType;
  immutable?: boolean;
  [field: string]: unknown;
}

/** core/v1 ServiceAccount */
export interface ServiceAccount {
  apiVersion: "v1";
  kind: "ServiceAccount";
  metadata: ObjectMeta;
  secrets?: ObjectReference[];
  imagePullSecrets?: LocalObjectReference[];
  automountServiceAccountToken?: boolean;
  [field: string]: unknown;
}
