import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Secret } from "../../../../actors/api/types/index.ts";
import { secretResource } from "../../../../actors/apiserver/registry/secrets.ts";
import { created, createErrors, updateErrors, variant } from "./helpers.ts";

const def = secretResource;
const base: Secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "creds", namespace: "default" }, data: { password: "czNjcjN0" } };

test("defaults: type Opaque; stringData folded into data as base64", () => {
  const s = created(def, variant(base, (x) => (x.stringData = { user: "admin", password: "hunter2" })));
  assert.is(s.type, "Opaque");
  assert.equal(s.data, { password: "aHVudGVyMg==", user: "YWRtaW4=" });
  assert.is(s.stringData, undefined);
  assert.is(created(def, variant(base, (x) => (x.type = "kubernetes.io/tls"))).type, "kubernetes.io/tls");
});

const cases: Array<{ name: string; edit: (s: Secret) => void; want: string[] }> = [
  { name: "not base64", edit: (s) => (s.data = { password: "s3cr3t!!" }), want: ['data[password]: Invalid value: "<secret contents redacted>": illegal base64 data at input byte 6'] },
  { name: "truncated base64", edit: (s) => (s.data = { token: "YWJjZA=" }), want: ['data[token]: Invalid value: "<secret contents redacted>": illegal base64 data at input byte 6'] },
  {
    name: "bad key",
    edit: (s) => (s.data = { "my key": "eA==" }),
    want: [`data[my key]: Invalid value: "my key": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`],
  },
  { name: "tls without key", edit: (s) => Object.assign(s, { type: "kubernetes.io/tls", data: { "tls.crt": "eA==" } }), want: ["data[tls.key]: Required value"] },
  { name: "basic-auth without either", edit: (s) => Object.assign(s, { type: "kubernetes.io/basic-auth", data: {} }), want: ["data[username]: Required value", "data[password]: Required value"] },
  { name: "dockerconfigjson", edit: (s) => Object.assign(s, { type: "kubernetes.io/dockerconfigjson", data: {} }), want: ["data[.dockerconfigjson]: Required value"] },
  { name: "ssh-auth", edit: (s) => Object.assign(s, { type: "kubernetes.io/ssh-auth", data: {} }), want: ["data[ssh-privatekey]: Required value"] },
  {
    name: "token without its service account",
    edit: (s) => (s.type = "kubernetes.io/service-account-token"),
    want: ["metadata.annotations[kubernetes.io/service-account.name]: Required value"],
  },
  { name: "too big", edit: (s) => (s.stringData = { blob: "x".repeat(1024 * 1024 + 1) }), want: ["data: Too long: must have at most 1048576 bytes"] },
];

test("validate", () => {
  assert.equal(createErrors(def, base), []);
  assert.equal(createErrors(def, variant(base, (s) => Object.assign(s, { type: "kubernetes.io/basic-auth", data: { username: "YQ==" } }))), []);
  for (const c of cases) assert.equal(createErrors(def, variant(base, c.edit)), c.want, c.name);
});

test("update: type is immutable, immutable secrets keep their data", () => {
  const old = created(def, base);
  assert.equal(updateErrors(def, variant(old, (s) => (s.data = { password: "bmV3" })), old), []);
  assert.ok(updateErrors(def, variant(old, (s) => (s.type = "kubernetes.io/tls")), old).includes('type: Invalid value: "kubernetes.io/tls": field is immutable'));
  const frozen = variant(old, (s) => (s.immutable = true));
  assert.equal(updateErrors(def, variant(frozen, (s) => (s.data = {})), frozen), ["data: Forbidden: field is immutable when `immutable` is set"]);
  assert.is(def.fieldSelectors.type(old), "Opaque");
});

test.run();
