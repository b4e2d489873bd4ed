/**
 * The entry of every worker thread: waits for the control port, then serves
 * the {@link WorkerControl} API over comlink.
 */
import * as Comlink from "comlink";
import { platform } from "./platform/index.ts";
import { ActorSystem } from "./system.ts";
import { installComlinkHandlers } from "./codec.ts";
import { setLogLevel } from "./log.ts";
import { ActorError, RuntimeCodes } from "./errors.ts";
import type { WorkerControl, WorkerInit } from "./control.ts";
import type { ActorFactory, ActorSpec } from "./actor.ts";
import type { PortLike } from "./platform/index.ts";

installComlinkHandlers();

let system: ActorSystem | undefined;
let rootUrl = "";

function sys(): ActorSystem {
  if (!system) throw new ActorError(RuntimeCodes.ActorStopped, "worker not initialised");
  return system;
}

/** Loads an actor's factory from its module; typed errors for a bad spec. */
async function loadFactory(spec: ActorSpec): Promise<ActorFactory> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(new URL(spec.module, rootUrl).href)) as Record<string, unknown>;
  } catch (err) {
    throw new ActorError(RuntimeCodes.BadMessage, `cannot load actor module ${spec.module}: ${(err as Error).message}`, { cause: err });
  }
  const factory = mod[spec.export];
  if (typeof factory !== "function") {
    throw new ActorError(RuntimeCodes.BadMessage, `module ${spec.module} has no actor factory export "${spec.export}"`);
  }
  return factory as ActorFactory;
}

const control: WorkerControl = {
  init(init: WorkerInit) {
    if (init.logLevel) setLogLevel(init.logLevel);
    rootUrl = init.rootUrl;
    system = new ActorSystem({ id: init.systemId, name: init.name, defaultTimeoutMs: init.defaultTimeoutMs });
    system.applyDirectory(init.directory);
  },
  connect(peerId: number, port: PortLike) {
    sys().connect(peerId, port);
  },
  reserve(specs: ActorSpec[]) {
    for (const spec of specs) sys().reserve(spec.address, spec.mailboxCapacity);
  },
  async spawn(specs: ActorSpec[]) {
    const done: string[] = [];
    for (const [i, spec] of specs.entries()) {
      try {
        const factory = await loadFactory(spec);
        await sys().spawn(spec.address, factory, spec.config, spec.mailboxCapacity);
      } catch (err) {
        // The actors after the failed one will not be built: close their reservations too.
        for (const rest of specs.slice(i)) sys().release(rest.address);
        throw err;
      }
      done.push(spec.address);
    }
    return done;
  },
  stopActor: (address) => sys().stop(address),
  stats: () => sys().stats(),
  inspect: (address) => sys().inspect(address),
  tell: (to, msg) => sys().tell(to, msg),
  ask: (to, msg, timeoutMs) => sys().ask(to, msg, { timeoutMs }),
  crash(reason: string) {
    setTimeout(() => {
      throw new Error(`crash requested: ${reason}`);
    }, 0);
  },
  async shutdown() {
    if (!system) return;
    await system.stopAll();
    system.flush();
  },
};

platform.onParentMessage((data) => {
  const port = (data as { control?: PortLike }).control;
  if (!port) throw new Error("worker started without a control port");
  Comlink.expose(control, port as unknown as Comlink.Endpoint);
});
