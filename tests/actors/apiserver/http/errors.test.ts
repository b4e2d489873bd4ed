import { test } from "uvu";
import * as assert from "uvu/assert";
import { ActorError, RuntimeCodes } from "../../../../runtime/errors.ts";
import { statusForError } from "../../../../actors/apiserver/http/errors.ts";
import { startFake, type FakeCluster } from "./fake-apiserver.ts";

let c: FakeCluster;
test.before(async () => {
  c = await startFake({ maxBodyBytes: 1024, tokens: { good: "bob" } });
});
test.after(async () => {
  await c.stop();
});

const auth = { authorization: "Bearer good" };

async function status(path: string, init: RequestInit = {}): Promise<{ code: number; body: Record<string, unknown> }> {
  const res = await fetch(c.url(path), { ...init, headers: { ...auth, ...(init.headers as Record<string, string> | undefined) } });
  return { code: res.status, body: (await res.json()) as Record<string, unknown> };
}

test("a body over the limit is 413 RequestEntityTooLarge", async () => {
  const big = JSON.stringify({ metadata: { name: "x" }, data: { a: "y".repeat(2000) } });
  const r = await status("/api/v1/namespaces/default/configmaps", { method: "POST", headers: { "content-type": "application/json" }, body: big });
  assert.is(r.code, 413);
  assert.is(r.body.kind, "Status");
  assert.is(r.body.reason, "RequestEntityTooLarge");
});

test("malformed JSON is 400 with the parser's message; malformed YAML too", async () => {
  const r = await status("/api/v1/namespaces/default/configmaps", { method: "POST", headers: { "content-type": "application/json" }, body: "{nope" });
  assert.is(r.code, 400);
  assert.is(r.body.reason, "BadRequest");
  let parserMessage = "";
  try {
    JSON.parse("{nope");
  } catch (err) {
    parserMessage = (err as Error).message;
  }
  assert.ok(String(r.body.message).includes(parserMessage), String(r.body.message));
  const y = await status("/api/v1/namespaces/default/configmaps", { method: "POST", headers: { "content-type": "application/yaml" }, body: "a: [1, 2" });
  assert.is(y.code, 400);
  assert.match(String(y.body.message), /YAML/);
});

test("unknown resources and paths are 404 NotFound Statuses", async () => {
  for (const path of ["/api/v1/namespaces/default/widgets", "/apis/apps/v1/widgets", "/nothing/here", "/api/v1/pods/web", "/api/v1/namespaces/default/pods/web/bogus"]) {
    const r = await status(path);
    assert.is(r.code, 404, path);
    assert.is(r.body.reason, "NotFound");
  }
});

test("a missing object is the apiserver's own 404 Status", async () => {
  const r = await status("/api/v1/namespaces/default/pods/ghost");
  assert.is(r.code, 404);
  assert.is(r.body.message, 'pods "ghost" not found');
});

test("a wrong method is 405; an unknown patch media type is 415", async () => {
  assert.is((await status("/api/v1/namespaces/default/pods/web", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).code, 405);
  assert.is((await status("/api", { method: "DELETE" })).code, 405);
  const r = await status("/api/v1/namespaces/default/pods/web", { method: "PATCH", headers: { "content-type": "text/plain" }, body: "x" });
  assert.is(r.code, 415);
});

test("no token or a bad token is 401; health stays open", async () => {
  const attempts: Record<string, string>[] = [{}, { authorization: "Bearer bad" }, { authorization: "Basic Zm9vOmJhcg==" }];
  for (const headers of attempts) {
    const res = await fetch(c.url("/api/v1/namespaces/default/pods"), { headers });
    assert.is(res.status, 401);
    const body = (await res.json()) as Record<string, unknown>;
    assert.is(body.reason, "Unauthorized");
  }
  assert.is((await fetch(c.url("/healthz"))).status, 200);
});

test("a namespace mismatch between body and URL is 400", async () => {
  const r = await status("/api/v1/namespaces/default/configmaps", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ metadata: { name: "x", namespace: "other" } }),
  });
  assert.is(r.code, 400);
});

test("runtime failures map to 504 and 503", () => {
  assert.is(statusForError(new ActorError(RuntimeCodes.Timeout, "slow")).code, 504);
  assert.is(statusForError(new ActorError(RuntimeCodes.UnknownActor, "gone")).code, 503);
  assert.is(statusForError(new ActorError(RuntimeCodes.WorkerDied, "dead")).code, 503);
  assert.is(statusForError(new Error("boom")).code, 500);
});

test("an apiserver that is not there answers 503 through HTTP", async () => {
  await c.system.stop("apiserver");
  const r = await status("/api/v1/namespaces/default/pods/x");
  assert.ok(r.code === 503, String(r.code));
  assert.is(r.body.kind, "Status");
});

test.run();
