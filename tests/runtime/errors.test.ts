import { test } from "uvu";
import * as assert from "uvu/assert";
import { ActorError, fromWire, toWire, hasCode } from "../../runtime/errors.ts";

test("an error's code, details and cause survive the wire form", () => {
  const inner = new ActorError("Timeout", "slow");
  const err = new ActorError("NotFound", "pods \"x\" not found", { details: { kind: "Status", code: 404 }, cause: inner });
  const wire = structuredClone(toWire(err));
  const back = fromWire(wire);
  assert.is(back.code, "NotFound");
  assert.is(back.message, "pods \"x\" not found");
  assert.equal(back.details, { kind: "Status", code: 404 });
  assert.ok(hasCode(back.cause, "Timeout"));
});

test("a thrown non-error gets the HandlerFailed code", () => {
  assert.is(toWire("boom").code, "HandlerFailed");
  assert.is(toWire(new TypeError("bad")).code, "HandlerFailed");
  assert.is(toWire(new TypeError("bad")).name, "TypeError");
});

test.run();
