import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { apiserver, failure } from "./helpers.ts";
import { ActorSystem } from "../../../../runtime/system.ts";
import { apiserverActor } from "../../../../actors/apiserver/actor.ts";
import type { ActorFactory } from "../../../../runtime/actor.ts";

const b64 = (s: string) => btoa(s);

test("the static token file and inline tokens authenticate users with their groups, plus system:authenticated", async () => {
  const dir = await mkdtemp(join(tmpdir(), "tokens-"));
  const file = join(dir, "tokens.csv");
  await writeFile(file, ['admin-token,admin,admin-uid,"system:masters"', "", 'dev-token,alice,u-1,"dev,ops"', "plain-token,bob,u-2"].join("\n"));
  const c = await apiserver({ tokenAuthFile: file, tokens: [{ token: "inline", user: "carol", groups: ["qa"] }] });
  const who = (token: string) => c.ask({ type: "auth.authenticate", token });
  assert.equal(await who("admin-token"), { username: "admin", uid: "admin-uid", groups: ["system:masters", "system:authenticated"] });
  assert.equal(await who("dev-token"), { username: "alice", uid: "u-1", groups: ["dev", "ops", "system:authenticated"] });
  assert.equal(await who("plain-token"), { username: "bob", uid: "u-2", groups: ["system:authenticated"] });
  assert.equal(await who("inline"), { username: "carol", groups: ["qa", "system:authenticated"] });
  for (const token of ["nope", "", "admin-token "]) {
    const f = await failure(who(token));
    assert.equal([f.code, f.status.code, f.status.reason, f.message], ["Unauthorized", 401, "Unauthorized", "Unauthorized"], JSON.stringify(token));
  }
  assert.is((await failure(c.ask({ type: "auth.authenticate" }))).code, "BadMessage");
  await c.stop();
  await rm(dir, { recursive: true });
});

test("a malformed or missing token file stops the apiserver from starting, naming the file", async () => {
  const dir = await mkdtemp(join(tmpdir(), "tokens-"));
  const file = join(dir, "bad.csv");
  await writeFile(file, "only,two\n");
  for (const [path, want] of [[file, /bad\.csv.*at least 3 columns/], [join(dir, "missing.csv"), /cannot read token file .*missing\.csv/]] as const) {
    const sys = new ActorSystem({ id: 0, name: "t" });
    const err = await sys.spawn("apiserver", apiserverActor as unknown as ActorFactory<unknown>, { tokenAuthFile: path }).then(() => undefined, (e: unknown) => e as Error);
    assert.ok(err, "spawn fails");
    assert.match(String((err as Error).message), want);
    await sys.stopAll();
  }
  await rm(dir, { recursive: true });
});

test("a service account token secret authenticates as the account until the secret or the account goes", async () => {
  const c = await apiserver();
  await c.ask({ type: "api.create", resource: "namespaces", object: { metadata: { name: "ci" } } });
  const sa = await c.ask({ type: "api.create", resource: "serviceaccounts", namespace: "ci", object: { metadata: { name: "builder" } } });
  const secret = (name: string, token: string, uid?: string) => ({
    type: "api.create",
    resource: "secrets",
    namespace: "ci",
    object: {
      metadata: { name, annotations: { "kubernetes.io/service-account.name": "builder", ...(uid ? { "kubernetes.io/service-account.uid": uid } : {}) } },
      type: "kubernetes.io/service-account-token",
      data: { token: b64(token) },
    },
  });
  await c.ask(secret("builder-token-a", "tok-a", sa.metadata.uid));
  const who = (token: string) => c.ask({ type: "auth.authenticate", token });
  assert.equal(await who("tok-a"), {
    username: "system:serviceaccount:ci:builder",
    groups: ["system:serviceaccounts", "system:serviceaccounts:ci", "system:authenticated"],
    uid: sa.metadata.uid,
  });
  await c.ask(secret("stale", "tok-stale", "some-other-uid"));
  assert.is((await failure(who("tok-stale"))).code, "Unauthorized", "a token of an earlier account with the same name");
  await c.ask({ type: "api.create", resource: "secrets", namespace: "ci", object: { metadata: { name: "opaque" }, data: { token: b64("tok-opaque") } } });
  assert.is((await failure(who("tok-opaque"))).code, "Unauthorized", "only service-account-token secrets count");

  await c.ask({ type: "api.delete", resource: "secrets", namespace: "ci", name: "builder-token-a" });
  assert.is((await failure(who("tok-a"))).code, "Unauthorized", "deleting the secret revokes");
  await c.ask(secret("builder-token-b", "tok-b"));
  assert.is(((await who("tok-b")) as unknown as { username: string }).username, "system:serviceaccount:ci:builder");
  await c.ask({ type: "api.delete", resource: "serviceaccounts", namespace: "ci", name: "builder" });
  assert.is((await failure(who("tok-b"))).code, "Unauthorized", "deleting the account revokes");
  await c.stop();
});

test.run();
