// The service account, token and root CA publisher controllers against the real apiserver actor.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ConfigMap, Secret, ServiceAccount } from "../../../actors/api/types/core-config.ts";
import { retryOnConflict } from "../../../actors/api/client.ts";
import { readable, setup, type Harness } from "./core-controllers-harness.ts";

const CA = "-----BEGIN CERTIFICATE-----\nMIIBdTCCARugAwIBAgIUactorkubetestca\n-----END CERTIFICATE-----\n";
const controllers = ["serviceaccount", "serviceaccount-token", "root-ca-cert-publisher"];
const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const unb64 = (s: string) => Buffer.from(s, "base64").toString("utf8");

const sa = (h: Harness, ns: string, name = "default") => h.client.get<ServiceAccount>("serviceaccounts", name, { namespace: ns }).catch(() => undefined);
const tokens = async (h: Harness, ns: string) => (await h.client.list<Secret>("secrets", { namespace: ns })).items.filter((s) => s.type === "kubernetes.io/service-account-token");

/** Waits until `account` has exactly one referenced, live token secret, and returns both. */
async function tokenOf(h: Harness, ns: string, account = "default") {
  return h.until(`a token for ${ns}/${account}`, async () => {
    const a = await sa(h, ns, account);
    const mine = (await tokens(h, ns)).filter((s) => s.metadata.annotations?.["kubernetes.io/service-account.uid"] === a?.metadata.uid);
    if (!a || mine.length !== 1 || a.secrets?.length !== 1 || a.secrets[0].name !== mine[0].metadata.name) return undefined;
    return { account: a, secret: mine[0] };
  });
}

test("every namespace gets a default ServiceAccount with a token secret, and the root CA ConfigMap", readable(async () => {
  const h = await setup(controllers, { rootCA: CA });
  await h.client.create("namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "team" } });
  for (const ns of ["default", "kube-system", "kube-public", "kube-node-lease", "team"]) {
    const { secret, account } = await tokenOf(h, ns);
    assert.match(secret.metadata.name!, /^default-token-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.is(secret.metadata.annotations!["kubernetes.io/service-account.name"], "default");
    assert.is(secret.metadata.annotations!["kubernetes.io/service-account.uid"], account.metadata.uid);
    assert.ok(unb64(secret.data!.token).length >= 40, "an opaque token of at least 40 characters");
    assert.is(secret.data!.namespace, b64(ns));
    assert.is(unb64(secret.data!["ca.crt"]), CA);
    const cm = await h.until(`kube-root-ca.crt in ${ns}`, () => h.client.get<ConfigMap>("configmaps", "kube-root-ca.crt", { namespace: ns }));
    assert.equal(cm.data, { "ca.crt": CA });
    assert.match(cm.metadata.annotations!["kubernetes.io/description"], /verify the kube-apiserver/);
  }
  const all = await Promise.all(["default", "team"].map(async (ns) => (await tokenOf(h, ns)).secret.data!.token));
  assert.is(new Set(all).size, all.length, "tokens are unique");
  await h.stop();
}));

test("a deleted default ServiceAccount comes back with a fresh token; the old token goes", readable(async () => {
  const h = await setup(controllers);
  const before = await tokenOf(h, "default");
  await h.client.delete("serviceaccounts", "default", { namespace: "default" });
  const after = await h.until("a new default account and token", async () => {
    const t = await tokenOf(h, "default").catch(() => undefined);
    return t && t.account.metadata.uid !== before.account.metadata.uid && t;
  });
  assert.is.not(after.secret.metadata.name, before.secret.metadata.name);
  await h.until("the old token to go", async () => !(await tokens(h, "default")).some((s) => s.metadata.name === before.secret.metadata.name));
  assert.is(unb64(after.secret.data!["ca.crt"]), "", "no CA configured: ca.crt is empty");
  await h.stop();
}));

test("a deleted token secret is replaced and the account's reference follows", readable(async () => {
  const h = await setup(controllers);
  const before = await tokenOf(h, "default");
  await h.client.delete("secrets", before.secret.metadata.name!, { namespace: "default" });
  const after = await h.until("a replacement token", async () => {
    const t = await tokenOf(h, "default").catch(() => undefined);
    return t && t.secret.metadata.name !== before.secret.metadata.name && t;
  });
  assert.equal(after.account.secrets, [{ name: after.secret.metadata.name }]);
  assert.is(after.account.metadata.uid, before.account.metadata.uid, "same account");
  assert.is.not(after.secret.data!.token, before.secret.data!.token, "a new token");
  await h.stop();
}));

test("deleting a ServiceAccount deletes its tokens; a user's token secret naming an account is filled in", readable(async () => {
  const h = await setup(controllers);
  await h.client.create("serviceaccounts", { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "builder", namespace: "default" } });
  const builder = await tokenOf(h, "default", "builder");
  await h.client.create("secrets", {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "builder-long-lived", namespace: "default", annotations: { "kubernetes.io/service-account.name": "builder" } },
    type: "kubernetes.io/service-account-token",
  });
  const filled = await h.until("the user's secret to be filled", async () => {
    const s = await h.client.get<Secret>("secrets", "builder-long-lived", { namespace: "default" });
    return s.data?.token ? s : undefined;
  });
  assert.is(filled.metadata.annotations!["kubernetes.io/service-account.uid"], builder.account.metadata.uid);
  assert.is(filled.data!.namespace, b64("default"));
  assert.ok(unb64(filled.data!.token).length >= 40);

  await h.client.delete("serviceaccounts", "builder", { namespace: "default" });
  await h.until("builder's tokens to go", async () => !(await tokens(h, "default")).some((s) => s.metadata.annotations?.["kubernetes.io/service-account.name"] === "builder"));
  assert.ok(await tokenOf(h, "default"), "other accounts' tokens stay");
  await h.stop();
}));

test("kube-root-ca.crt is re-created when deleted and restored when edited", readable(async () => {
  const h = await setup(controllers, { rootCA: CA });
  const get = () => h.client.get<ConfigMap>("configmaps", "kube-root-ca.crt", { namespace: "default" });
  const first = await h.until("the configmap", get);
  await h.client.delete("configmaps", "kube-root-ca.crt", { namespace: "default" });
  const again = await h.until("it to come back", async () => {
    const cm = await get().catch(() => undefined);
    return cm && cm.metadata.uid !== first.metadata.uid && cm;
  });
  assert.equal(again.data, { "ca.crt": CA });
  await retryOnConflict(async () => {
    const cm = await get();
    await h.client.update("configmaps", { ...cm, data: { "ca.crt": "tampered", extra: "x" } });
  });
  await h.until("it to be restored", async () => JSON.stringify((await get()).data) === JSON.stringify({ "ca.crt": CA }));
  await h.stop();
}));

test("a bad rootCA option is refused at start", readable(async () => {
  const err = await setup(["root-ca-cert-publisher"], { rootCA: 42 }).then(() => undefined, (e: Error) => e);
  assert.match(String(err?.message), /rootCA must be PEM text/);
}));

test.run();
