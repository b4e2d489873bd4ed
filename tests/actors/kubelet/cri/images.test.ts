import { test } from "uvu";
import * as assert from "uvu/assert";
import { SimulatedClock } from "../../../../runtime/clock.ts";
import { errorCode } from "../../../../runtime/errors.ts";
import { imageId, normalizeImage, SimulatedImages } from "../../../../actors/kubelet/cri/images.ts";

test("references normalise as containerd does", () => {
  const cases: Array<[string, string]> = [
    ["nginx", "docker.io/library/nginx:latest"],
    ["nginx:1.27", "docker.io/library/nginx:1.27"],
    ["bitnami/redis", "docker.io/bitnami/redis:latest"],
    ["registry.k8s.io/pause:3.9", "registry.k8s.io/pause:3.9"],
    ["localhost:5000/app", "localhost:5000/app:latest"],
    ["localhost/app", "localhost/app:latest"],
    ["nginx@sha256:abcd", "docker.io/library/nginx@sha256:abcd"],
  ];
  for (const [ref, want] of cases) assert.is(normalizeImage(ref), want, ref);
  assert.match(imageId("docker.io/library/nginx:latest"), /^sha256:[0-9a-f]{64}$/);
  assert.is(imageId("a"), imageId("a"));
  assert.is.not(imageId("a"), imageId("b"));
});

/** Settles `p` on simulated time, returning how long it took and its outcome. */
async function timed<T>(clock: SimulatedClock, p: Promise<T>): Promise<{ ms: number; value?: T; code?: string }> {
  const start = clock.now();
  let outcome: { ms: number; value?: T; code?: string } | undefined;
  p.then((value) => (outcome = { ms: clock.now() - start, value }), (err) => (outcome = { ms: clock.now() - start, code: errorCode(err) }));
  for (let i = 0; i < 1000 && !outcome; i++) await clock.advance(1);
  if (!outcome) throw new Error("never settled");
  return outcome;
}

test("a pull takes the jittered delay; a second pull is a cache hit; ImageStatus tells IfNotPresent what it needs", async () => {
  const clock = new SimulatedClock();
  const images = new SimulatedImages({ clock, pullDelayMs: 200, pullJitter: 0.25, seed: 7 });
  assert.is(await images.ImageStatus("nginx"), null);
  const first = await timed(clock, images.PullImage("nginx"));
  assert.ok(first.ms >= 150 && first.ms <= 250, `took ${first.ms} ms`);
  const status = await images.ImageStatus("docker.io/library/nginx:latest");
  assert.equal(status?.repoTags, ["docker.io/library/nginx:latest"]);
  assert.is(status?.id, first.value);
  assert.equal(await timed(clock, images.PullImage("nginx:latest")), { ms: 0, value: first.value });
  assert.is((await images.ImageStatus(first.value ?? ""))?.id, first.value);
  await images.RemoveImage("nginx");
  await images.RemoveImage("nginx");
  assert.equal(await images.ListImages(), []);
});

test("the same seed gives the same delays; concurrent pulls share one download", async () => {
  const delays = async () => {
    const clock = new SimulatedClock();
    const images = new SimulatedImages({ clock, seed: 42 });
    const out: number[] = [];
    for (const ref of ["a", "b", "c"]) out.push((await timed(clock, images.PullImage(ref))).ms);
    return out;
  };
  assert.equal(await delays(), await delays());
  const clock = new SimulatedClock();
  const images = new SimulatedImages({ clock, pullDelayMs: 100, pullJitter: 0 });
  const both = timed(clock, Promise.all([images.PullImage("redis"), images.PullImage("docker.io/library/redis")]));
  assert.is((await both).ms, 100);
  assert.is((await images.ListImages()).length, 1);
});

test("missing and private images fail with ErrImagePull", async () => {
  const clock = new SimulatedClock();
  const images = new SimulatedImages({ clock, preloaded: ["registry.k8s.io/pause:3.9"] });
  const cases: Array<[string, object | undefined, string | undefined]> = [
    ["example.com/does-not-exist:1", undefined, "ErrImagePull"],
    ["example.com/private/app", undefined, "ErrImagePull"],
    ["example.com/private/app", { username: "u", password: "p" }, undefined],
  ];
  for (const [ref, auth, code] of cases) assert.is((await timed(clock, images.PullImage(ref, auth))).code, code, ref);
  assert.ok(await images.ImageStatus("registry.k8s.io/pause:3.9"));
});

test.run();
