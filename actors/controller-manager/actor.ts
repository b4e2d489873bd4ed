/**
 * The kube-controller-manager actor: one InformerSet shared by every
 * controller, each controller a level-triggered loop over its own work queue.
 * After a restart of its worker it relists through the informers and
 * reconciles everything again, so nothing it needs lives outside the store.
 */
import type { ActorFactory } from "../../runtime/actor.ts";
import { ApiClient } from "../api/client.ts";
import { InformerSet } from "../api/informer-set.ts";
import type { WatchMessage } from "../api/protocol.ts";
import { controllerContext, type Controller, type ControllerOptions } from "./controller.ts";
import { controllerFactories } from "./index.ts";

/** Configuration of the controller-manager actor. */
export interface ControllerManagerConfig extends ControllerOptions {
  /** Controllers to run, by name (default every one; `-name` removes one, `*` means all, as `--controllers`). */
  controllers?: string[];
  apiserver?: string;
  /** How long to wait for the informers' first list (default 60 000 ms). */
  syncTimeoutMs?: number;
}

/** Messages the controller-manager answers. */
export type ControllerManagerMessage = { type: "controllers.stats" } | WatchMessage;

/** Resolves `--controllers`-style names to the ones to run; throws on unknown names. */
export function selectControllers(names: string[] | undefined, known: readonly string[]): string[] {
  const list = names && names.length > 0 ? names : ["*"];
  for (const n of list) {
    const bare = n.startsWith("-") ? n.slice(1) : n;
    if (bare !== "*" && !known.includes(bare)) throw new Error(`unknown controller "${bare}" (known: ${known.join(", ")})`);
  }
  const all = list.includes("*");
  const on = new Set(all ? known : list.filter((n) => !n.startsWith("-")));
  for (const n of list) if (n.startsWith("-")) on.delete(n.slice(1));
  return known.filter((n) => on.has(n));
}

/** Builds the controller-manager. */
export const controllerManagerActor: ActorFactory<ControllerManagerConfig | undefined, ControllerManagerMessage> = async (ctx, config) => {
  const options: ControllerOptions = { ...config };
  const client = new ApiClient(ctx, { apiserver: config?.apiserver, user: "system:kube-controller-manager" });
  const informers = new InformerSet(ctx, client);
  const cc = controllerContext(ctx, client, informers, options);
  const names = selectControllers(config?.controllers, Object.keys(controllerFactories));
  const controllers: Controller[] = names.map((n) => controllerFactories[n](cc));
  informers.start();
  await informers.waitForSync(config?.syncTimeoutMs ?? 60_000);
  for (const c of controllers) c.start();
  ctx.log("info", "controllers started", { controllers: names });

  const stats = () => Object.fromEntries(controllers.map((c) => [c.name, c.stats?.() ?? {}]));
  return {
    handlers: {
      ...informers.handlers,
      "controllers.stats": () => stats(),
    },
    onStop: async () => {
      await Promise.all(controllers.map((c) => c.stop()));
      await informers.stop();
    },
    inspect: () => ({ controllers: stats(), ...informers.stats() }),
  };
};
