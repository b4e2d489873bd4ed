import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ConfigMap, ServiceAccount } from "../../../../actors/api/types/index.ts";
import { configMapResource } from "../../../../actors/apiserver/registry/configmaps.ts";
import { serviceAccountResource } from "../../../../actors/apiserver/registry/serviceaccounts.ts";
import { createErrors, updateErrors, variant } from "./helpers.ts";

const def = configMapResource;
const base: ConfigMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg", namespace: "default" }, data: { "app.properties": "a=b", KEY_1: "v" } };

const cases: Array<{ name: string; edit: (c: ConfigMap) => void; want: string[] }> = [
  {
    name: "bad key",
    edit: (c) => (c.data = { "a b": "x" }),
    want: [`data[a b]: Invalid value: "a b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`],
  },
  { name: "dot-dot key", edit: (c) => (c.data = { "..data": "x" }), want: ['data[..data]: Invalid value: "..data": must not start with \'..\''] },
  {
    name: "key in both bags",
    edit: (c) => {
      c.data = { k: "x" };
      c.binaryData = { k: "eA==" };
    },
    want: ['data[k]: Invalid value: "k": duplicate of key present in binaryData'],
  },
  { name: "binaryData not base64", edit: (c) => (c.binaryData = { bin: "not base64!" }), want: ['binaryData[bin]: Invalid value: "bin": illegal base64 data at input byte 3'] },
  { name: "too big", edit: (c) => (c.data = { big: "x".repeat(1024 * 1024 + 1) }), want: ["Too long: must have at most 1048576 bytes"] },
];

test("configmaps: keys, bags, size", () => {
  assert.equal(createErrors(def, base), []);
  assert.equal(createErrors(def, variant(base, (c) => (c.binaryData = { "logo.png": "iVBORw0KGgo=" }))), []);
  for (const c of cases) assert.equal(createErrors(def, variant(base, c.edit)), c.want, c.name);
});

test("configmaps: immutable ones keep their data", () => {
  const mutable = variant(base, () => {});
  assert.equal(updateErrors(def, variant(mutable, (c) => (c.data = { x: "y" })), mutable), []);
  const frozen = variant(base, (c) => (c.immutable = true));
  assert.equal(updateErrors(def, variant(frozen, (c) => (c.metadata.labels = { a: "b" })), frozen), []);
  assert.equal(updateErrors(def, variant(frozen, (c) => (c.data = { x: "y" })), frozen), ["data: Forbidden: field is immutable when `immutable` is set"]);
  assert.equal(updateErrors(def, variant(frozen, (c) => (c.immutable = false)), frozen), ["immutable: Forbidden: field is immutable when `immutable` is set"]);
  assert.equal(def.shortNames, ["cm"]);
});

test("serviceaccounts: well-formed references", () => {
  const sa: ServiceAccount = { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default", namespace: "default" }, secrets: [{ name: "default-token" }] };
  assert.equal(createErrors(serviceAccountResource, sa), []);
  assert.equal(createErrors(serviceAccountResource, { ...sa, imagePullSecrets: [{ name: "Bad_Name" }] }).map((e) => e.split(": ")[0]), ["imagePullSecrets[0].name"]);
  assert.equal(serviceAccountResource.shortNames, ["sa"]);
});

test.run();
