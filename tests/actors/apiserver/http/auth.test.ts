import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { csvFields, parseTokenFile, tokenFileLine, TokenFileError } from "../../../../actors/apiserver/http/token-file.ts";
import { tokenAuthenticator } from "../../../../actors/apiserver/http/authn.ts";
import { ActorSystem } from "../../../../runtime/system.ts";
import { ActorError } from "../../../../runtime/errors.ts";
import type { ActorFactory, AnyMessage } from "../../../../runtime/actor.ts";
import { pod, startFake } from "./fake-apiserver.ts";

test("token file: Kubernetes' CSV with quoted groups, blank lines skipped, last duplicate wins", () => {
  const tokens = parseTokenFile('abc,alice,u1,"dev,ops"\n\nxyz,bob,u2\nabc,alice2,u3,admins\n');
  assert.equal(tokens.get("abc"), { username: "alice2", uid: "u3", groups: ["admins"] });
  assert.equal(tokens.get("xyz"), { username: "bob", uid: "u2", groups: [] });
  assert.equal(csvFields('a,"b,""c""",d'), ["a", 'b,"c"', "d"]);
  const line = tokenFileLine("t", { username: "kubernetes-admin", uid: "u", groups: ["system:masters", "x"] });
  assert.is(line, 't,kubernetes-admin,u,"system:masters,x"');
  assert.equal(parseTokenFile(line).get("t")!.groups, ["system:masters", "x"]);
});

test("token file: too few columns, an empty token or an open quote is an error naming the line", () => {
  const cases: [string, RegExp][] = [
    ["abc,alice\n", /line 1: the token file must have at least 3 columns/],
    ["ok,a,1\n,bob,2\n", /line 2: empty token/],
    ['abc,alice,1,"dev\n', /unterminated quoted field/],
  ];
  for (const [text, msg] of cases) {
    assert.throws(() => parseTokenFile(text), (e: unknown) => e instanceof TokenFileError && msg.test((e as Error).message));
  }
});

test("authenticator: static tokens first, then the apiserver's auth.authenticate (cached), 401 for unknown", async () => {
  const sys = new ActorSystem({ id: 0, name: "authn" });
  const asked: string[] = [];
  const apiserver: ActorFactory = () => ({
    handlers: {
      "auth.authenticate": (m: AnyMessage) => {
        asked.push(String(m.token));
        if (m.token === "sa-token") return { username: "system:serviceaccount:default:app", uid: "u9", groups: ["system:serviceaccounts"] };
        throw new ActorError("Unauthorized", "Unauthorized");
      },
    },
  });
  await sys.spawn("apiserver", apiserver, {});
  let now = 0;
  const auth = tokenAuthenticator({ messenger: sys, apiserver: "apiserver", askTimeoutMs: 1000, tokens: new Map([["static", { username: "admin", groups: ["system:masters"] }]]), now: () => now });
  assert.equal(await auth("static"), { username: "admin", groups: ["system:masters"] });
  assert.equal(asked, [], "static tokens are answered by the front");
  assert.equal(await auth("sa-token"), { username: "system:serviceaccount:default:app", uid: "u9", groups: ["system:serviceaccounts"] });
  await auth("sa-token");
  assert.equal(asked, ["sa-token"], "a success is cached");
  now = 11_000;
  await auth("sa-token");
  assert.equal(asked, ["sa-token", "sa-token"], "the cache expires");
  assert.is(await auth("bad"), undefined);
  await sys.stopAll();
  sys.close();
});

test("authenticator: an apiserver without auth.authenticate leaves only the static tokens", async () => {
  const sys = new ActorSystem({ id: 0, name: "authn2" });
  await sys.spawn("apiserver", () => ({ handlers: {} }), {});
  const auth = tokenAuthenticator({ messenger: sys, apiserver: "apiserver", askTimeoutMs: 1000, tokens: new Map() });
  assert.is(await auth("anything"), undefined);
  await sys.stopAll();
  sys.close();
});

test("the front reads --token-auth-file: 401 without or with a bad token, user and groups on every request", async () => {
  const dir = mkdtempSync(join(tmpdir(), "authn-"));
  const file = join(dir, "tokens.csv");
  writeFileSync(file, 'sekret,jane,u1,"dev,ops"\n');
  const c = await startFake({ tokenAuthFile: file });
  try {
    c.state.objects.set("/pods/default/web", pod("web"));
    for (const headers of [{}, { Authorization: "Bearer wrong" }, { Authorization: "Basic sekret" }] as Record<string, string>[]) {
      const r = await fetch(c.url("/api/v1/namespaces/default/pods"), { headers });
      assert.is(r.status, 401);
      assert.is(r.headers.get("www-authenticate"), 'Bearer realm="actorkube"');
      assert.is(((await r.json()) as { reason: string }).reason, "Unauthorized");
    }
    assert.is((await fetch(c.url("/healthz"))).status, 200, "health needs no token");
    const auth = { Authorization: "Bearer sekret" };
    assert.is((await fetch(c.url("/api/v1/namespaces/default/pods/web"), { headers: auth })).status, 200);
    assert.equal([c.last("api.get")!.user, c.last("api.get")!.groups], ["jane", ["dev", "ops", "system:authenticated"]]);
    await fetch(c.url("/api/v1/namespaces/default/configmaps"), { method: "POST", headers: { ...auth, "Content-Type": "application/json", "User-Agent": "kubectl/v1.32.4 (linux/amd64)" }, body: JSON.stringify({ metadata: { name: "x" } }) });
    const create = c.last("api.create")!;
    assert.equal([create.user, create.groups, create.fieldManager], ["jane", ["dev", "ops", "system:authenticated"], "kubectl"], "the field manager defaults to the User-Agent's product");
    await fetch(c.url("/api/v1/namespaces/default/pods?watch=true&timeoutSeconds=1"), { headers: auth }).then((r) => r.text());
    assert.equal([c.last("api.watch")!.user, c.last("api.watch")!.groups], ["jane", ["dev", "ops", "system:authenticated"]]);
  } finally {
    await c.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("impersonation (kubectl --as): cluster admins only; the impersonated user gets its groups", async () => {
  const dir = mkdtempSync(join(tmpdir(), "authn-"));
  const file = join(dir, "tokens.csv");
  writeFileSync(file, "admin,root,u0,system:masters\nplain,jane,u1\n");
  const c = await startFake({ tokenAuthFile: file });
  try {
    c.state.objects.set("/pods/default/web", pod("web"));
    const get = (token: string, headers: Record<string, string>) => fetch(c.url("/api/v1/namespaces/default/pods/web"), { headers: { Authorization: `Bearer ${token}`, ...headers } });
    assert.is((await get("admin", { "Impersonate-User": "system:serviceaccount:team:bot", "Impersonate-Group": "extra" })).status, 200);
    assert.equal([c.last("api.get")!.user, c.last("api.get")!.groups], ["system:serviceaccount:team:bot", ["extra", "system:serviceaccounts", "system:serviceaccounts:team", "system:authenticated"]]);
    const denied = await get("plain", { "Impersonate-User": "root" });
    assert.is(denied.status, 403);
    assert.is(((await denied.json()) as { message: string }).message, 'users "root" is forbidden: User "jane" cannot impersonate resource "users" in API group "" at the cluster scope');
    assert.is((await get("admin", { "Impersonate-Group": "g" })).status, 400, "groups without a user");
  } finally {
    await c.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
