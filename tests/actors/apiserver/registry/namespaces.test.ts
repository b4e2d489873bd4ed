import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Namespace } from "../../../../actors/api/types/index.ts";
import { namespaceResource } from "../../../../actors/apiserver/registry/namespaces.ts";
import { validateObjectMeta } from "../../../../actors/apiserver/registry/validation.ts";
import { created, createErrors, texts, variant } from "./helpers.ts";

const def = namespaceResource;
const base: Namespace = { apiVersion: "v1", kind: "Namespace", metadata: { name: "team-a" } };

test("create: Active, the name label, the kubernetes finalizer", () => {
  const ns = created(def, variant(base, (n) => (n.status = { phase: "Terminating" })));
  assert.equal(ns.status, { phase: "Active" });
  assert.equal(ns.metadata.labels, { "kubernetes.io/metadata.name": "team-a" });
  assert.equal(ns.spec, { finalizers: ["kubernetes"] });
  const labelled = created(def, variant(base, (n) => (n.metadata.labels = { env: "prod", "kubernetes.io/metadata.name": "spoofed" })));
  assert.equal(labelled.metadata.labels, { env: "prod", "kubernetes.io/metadata.name": "team-a" });
  const withFin = created(def, variant(base, (n) => (n.spec = { finalizers: ["example.com/cleanup"] })));
  assert.equal(withFin.spec?.finalizers, ["example.com/cleanup", "kubernetes"]);
});

test("names are DNS labels, cluster-scoped", () => {
  assert.equal(texts(validateObjectMeta(base.metadata, def.namespaced, def.validateName)), []);
  assert.equal(texts(validateObjectMeta({ name: "team.a" }, def.namespaced, def.validateName)), ['metadata.name: Invalid value: "team.a": must not contain dots']);
  assert.equal(texts(validateObjectMeta({ name: "a", namespace: "b" }, def.namespaced, def.validateName)), ["metadata.namespace: Forbidden: not allowed on this type"]);
});

test("validate: spec.finalizers", () => {
  assert.equal(createErrors(def, base), []);
  const bad = variant(base, (n) => (n.spec = { finalizers: ["cleanup"] }));
  def.defaults(bad);
  assert.equal(texts(def.validate(bad)), ['spec.finalizers[0]: Invalid value: "cleanup": name is neither a standard finalizer name nor is it fully qualified']);
});

test("update keeps status and finalizers; status updates check the phase", () => {
  const old = created(def, base);
  const next = variant(old, (n) => {
    n.status = { phase: "Terminating" };
    n.spec = { finalizers: [] };
    n.metadata.labels = { env: "dev" };
  });
  def.prepareForUpdate(next, old);
  assert.equal(next.status, { phase: "Active" });
  assert.equal(next.spec, { finalizers: ["kubernetes"] });
  assert.equal(next.metadata.labels, { env: "dev", "kubernetes.io/metadata.name": "team-a" });
  const terminating = variant(old, (n) => (n.status = { phase: "Terminating" }));
  assert.equal(texts(def.validateStatusUpdate(terminating, old)), ['status.Phase: Invalid value: "Terminating": may only be \'Active\' if `deletionTimestamp` is empty']);
  terminating.metadata.deletionTimestamp = "2024-01-01T00:00:00Z";
  assert.equal(def.validateStatusUpdate(terminating, old), []);
  assert.equal(def.shortNames, ["ns"]);
  assert.is(def.fieldSelectors["status.phase"](old), "Active");
});

test.run();
