import { test } from "uvu";
import * as assert from "uvu/assert";
import { ActorSystem } from "../../../runtime/system.ts";
import { SimulatedClock } from "../../../runtime/clock.ts";
import type { ActorFactory } from "../../../runtime/actor.ts";
import { apiserverActor } from "../../../actors/apiserver/actor.ts";
import { ApiClient } from "../../../actors/api/client.ts";
import { EventRecorder } from "../../../actors/api/events.ts";
import type { KubeObject } from "../../../actors/api/meta.ts";

type Ev = KubeObject & { reason: string; message: string; count: number; source: { component: string } };

async function setup() {
  const clock = new SimulatedClock();
  const sys = new ActorSystem({ id: 0, name: "t", clock });
  await sys.spawn("apiserver", apiserverActor as unknown as ActorFactory<unknown>, {});
  const client = new ApiClient(sys);
  const rs = await client.create("configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "web", namespace: "default" } });
  const events = async () => (await client.list<Ev>("events", { namespace: "default" })).items;
  return { clock, client, rs, events, recorder: new EventRecorder(client, clock, "replicaset-controller") };
}

test("a repeated event bumps count on one Event", async () => {
  const { rs, events, recorder } = await setup();
  for (let i = 0; i < 3; i++) await recorder.record(rs, "Warning", "FailedCreate", "Error creating: quota");
  const list = await events();
  assert.is(list.length, 1);
  assert.is(list[0].count, 3);
  assert.is(list[0].source.component, "replicaset-controller");
});

test("10 different messages of one reason are combined into one event, as client-go aggregates", async () => {
  const { rs, events, recorder } = await setup();
  for (let i = 0; i < 15; i++) await recorder.record(rs, "Normal", "SuccessfulCreate", `Created pod: web-${i}`);
  const list = await events();
  assert.is(list.length, 10, "9 separate events, then one combined");
  const combined = list.find((e) => e.message.startsWith("(combined from similar events): "))!;
  assert.ok(combined);
  assert.is(combined.message, "(combined from similar events): Created pod: web-14");
  assert.is(combined.count, 6);
});

test("the spam filter lets 25 events per object through, then one per 5 minutes", async () => {
  const { clock, rs, events, recorder } = await setup();
  for (let i = 0; i < 30; i++) await recorder.record(rs, "Warning", "BackOff", "Back-off restarting failed container");
  assert.is((await events())[0].count, 25);
  assert.is(recorder.dropped, 5);
  await clock.advance(300_000);
  await recorder.record(rs, "Warning", "BackOff", "Back-off restarting failed container");
  await recorder.record(rs, "Warning", "BackOff", "Back-off restarting failed container");
  assert.is((await events())[0].count, 26, "one token refilled after 5 minutes");
  assert.is(recorder.dropped, 6);
});

test.run();
