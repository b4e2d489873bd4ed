import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ActorSystem } from "../../runtime/system.ts";
import type { ActorFactory } from "../../runtime/actor.ts";
import { apiserverActor } from "../../actors/apiserver/actor.ts";
import type { KubeList, KubeObject } from "../../actors/api/meta.ts";
import { applyManifests, appliedLine, loadManifests, ManifestError, parseManifests, validateManifests } from "../../scripts/lib/apply.ts";

async function apiserver() {
  const sys = new ActorSystem({ id: 0, name: "t" });
  await sys.spawn("apiserver", apiserverActor as unknown as ActorFactory<unknown>, {});
  return sys;
}

function threw(fn: () => unknown): ManifestError {
  try {
    fn();
  } catch (err) {
    assert.instance(err, ManifestError);
    return err as ManifestError;
  }
  throw new Error("expected a ManifestError");
}

async function rejected(p: Promise<unknown>): Promise<ManifestError> {
  try {
    await p;
  } catch (err) {
    assert.instance(err, ManifestError);
    return err as ManifestError;
  }
  throw new Error("expected a ManifestError");
}

const pod = (name: string, extra = "") => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n${extra}spec:\n  containers:\n    - name: c\n      image: nginx:1.27\n`;

test("several YAML documents, a List and JSON parse into objects with their document numbers", () => {
  const yaml = `${pod("a")}---\n${pod("b")}---\n`;
  const docs = parseManifests(yaml, "two.yaml");
  assert.equal(docs.map((d) => [d.object.metadata.name, d.document, d.line]), [["a", 1, 1], ["b", 2, 10]]);
  const list = parseManifests(JSON.stringify({ apiVersion: "v1", kind: "List", items: [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } }, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "y" } }] }), "list.json");
  assert.equal(list.map((d) => [d.object.metadata.name, d.document, d.item]), [["x", 1, 1], ["y", 1, 2]]);
});

test("a bad document is named by file, document, line and what is wrong", () => {
  const cases: [string, RegExp][] = [
    [`${pod("a")}---\nkind: Pod\nmetadata: {name: b}\n`, /^f\.yaml, document 2 \(line 10\): apiVersion: Required value/],
    [`${pod("a")}---\napiVersion: v1\nmetadata: {name: b}\n`, /document 2 .*kind: Required value/],
    [`apiVersion: v1\nkind: Pod\nmetadata: {}\n`, /document 1 .*metadata\.name: Required value/],
    [`apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  name: b\n`, /document 1 .*YAML parse error: .*at line 5/],
    [`- 1\n- 2\n`, /document 1 .*expected a Kubernetes object .*got a list/],
    [`apiVersion: v1\nkind: Pod\nmetadata: [1]\n`, /metadata: Invalid value/],
    [``, /f\.yaml: no objects found/],
  ];
  for (const [text, re] of cases) assert.match(threw(() => parseManifests(text, "f.yaml")).message, re, text);
});

test("files and folders load in name order; a missing path is an error", async () => {
  const dir = await mkdtemp(join(tmpdir(), "ak-apply-"));
  try {
    await mkdir(join(dir, "m"));
    await writeFile(join(dir, "m", "b.yaml"), pod("from-b"));
    await writeFile(join(dir, "m", "a.json"), JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "from-a" } }));
    await writeFile(join(dir, "m", "notes.txt"), "not a manifest");
    const m = await loadManifests([join(dir, "m")]);
    assert.equal(m.map((x) => x.object.metadata.name), ["from-a", "from-b"]);
    assert.match((await rejected(loadManifests([join(dir, "nope.yaml")]))).message, /nope\.yaml: no such file or directory/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("the server's validation runs on every document first: one invalid object, nothing written", async () => {
  const sys = await apiserver();
  const docs = parseManifests(`${pod("good")}---\napiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec:\n  containers:\n    - name: c\n`, "bad.yaml");
  const err = await rejected(validateManifests(sys, docs));
  assert.match(err.message, /^bad\.yaml, document 2 \(line 10\): pod "bad": .*spec\.containers\[0\]\.image: Required value/);
  const unknown = await rejected(validateManifests(sys, parseManifests(`apiVersion: apps/v1\nkind: Deploymnt\nmetadata: {name: x}\n`, "k.yaml")));
  assert.match(unknown.message, /no matches for kind "Deploymnt" in version "apps\/v1"/);
  const pods = await sys.ask<KubeList>("apiserver", { type: "api.list", resource: "pods" });
  assert.is(pods.items.length, 0, "nothing was applied");
  await sys.stopAll();
});

test("apply creates in dependency order (namespace first), then reports configured and unchanged", async () => {
  const sys = await apiserver();
  const text = `${pod("web", "  namespace: shop\n")}---\napiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n`;
  const first = await applyManifests(sys, await validateManifests(sys, parseManifests(text)));
  assert.equal(first.map(appliedLine), ["namespace/shop created", "pod/web created"]);
  const again = await applyManifests(sys, await validateManifests(sys, parseManifests(text)));
  assert.equal(again.map(appliedLine), ["namespace/shop unchanged", "pod/web unchanged"]);
  const labelled = text.replace("  namespace: shop\n", "  namespace: shop\n  labels: {tier: front}\n");
  const third = await applyManifests(sys, await validateManifests(sys, parseManifests(labelled)));
  assert.equal(third.map(appliedLine), ["namespace/shop unchanged", "pod/web configured"]);
  const got = await sys.ask<KubeObject>("apiserver", { type: "api.get", resource: "pods", namespace: "shop", name: "web" });
  assert.equal(got.metadata.labels, { tier: "front" });
  await sys.stopAll();
});

test("the same object twice in one apply is refused, naming both places", async () => {
  const sys = await apiserver();
  const err = await rejected(validateManifests(sys, parseManifests(`${pod("a")}---\n${pod("a")}`, "dup.yaml")));
  assert.match(err.message, /dup\.yaml, document 2 .*pod "a" is also defined in dup\.yaml, document 1/);
  await sys.stopAll();
});

test.run();
