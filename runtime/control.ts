/**
 * The control surface of a worker, reached through comlink: boot its actor
 * system, link it to other threads, spawn and stop actors, report figures.
 * Actor mail never goes this way (comlink costs ~3× a raw round trip).
 */
import type { ActorSpec } from "./actor.ts";
import type { ActorStats, SystemStats } from "./system.ts";
import type { PortLike } from "./platform/index.ts";

/** What the supervisor tells a worker at boot. */
export interface WorkerInit {
  systemId: number;
  name: string;
  /** Absolute file URL of the project root; actor modules resolve against it. */
  rootUrl: string;
  directory: [string, number][];
  logLevel?: "debug" | "info" | "warn" | "error";
  defaultTimeoutMs?: number;
}

/** The comlink-exposed API of every worker. */
export interface WorkerControl {
  init(init: WorkerInit): void;
  connect(peerId: number, port: PortLike): void;
  /** Opens the mailboxes of actors about to be spawned, so their addresses can be announced first. */
  reserve(specs: ActorSpec[]): void;
  /** Spawns actors from their specs, in order; rejects on the first failure with its typed error. */
  spawn(specs: ActorSpec[]): Promise<string[]>;
  stopActor(address: string): Promise<boolean>;
  stats(): SystemStats;
  inspect(address: string): ActorStats | undefined;
  /** Sends a message from this worker (used to test and to poke actors from the REPL). */
  tell(to: string, msg: { type: string }): boolean;
  ask(to: string, msg: { type: string }, timeoutMs?: number): Promise<unknown>;
  /** Throws an uncaught error in this worker, to exercise supervision. */
  crash(reason: string): void;
  /** Stops every actor (running their onStop) and flushes outgoing mail. */
  shutdown(): Promise<void>;
}
