/**
 * The seam between the runtime and the platform (Node's worker_threads or
 * Deno's Web Workers). Everything platform-specific sits behind these types.
 */

/** A MessagePort as both platforms provide it, reduced to what the runtime uses. */
export interface PortLike {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
  start?(): void;
  close(): void;
}

/** How a worker ended, as the supervisor learns it. */
export interface WorkerExit {
  /** Exit code when the platform reports one (Node); undefined otherwise. */
  code?: number;
  /** The uncaught error that killed it, if any. */
  error?: { name: string; message: string; stack?: string };
}

/** A started worker thread, seen from the thread that started it. */
export interface WorkerHandle {
  /** The platform's thread id (Node's `threadId`; a counter on Deno). */
  readonly threadId: number;
  /** Sends the first message (with transferred ports). */
  postMessage(message: unknown, transfer: Transferable[]): void;
  /** Stops the thread at once. */
  terminate(): Promise<void>;
  /** Called once when the thread ends, for any reason. */
  onExit(listener: (exit: WorkerExit) => void): void;
}

/** What a platform adapter provides. */
export interface Platform {
  readonly name: "node" | "deno";
  /** This thread's id: 0 on the main thread. */
  threadId(): number;
  /** Starts a worker running the given module (a TypeScript file URL). */
  spawnWorker(moduleUrl: URL, options: { name: string; resourceLimits?: { maxOldGenerationSizeMb?: number } }): WorkerHandle;
  /** Inside a worker: receives the first message sent by the parent. */
  onParentMessage(listener: (data: unknown) => void): void;
  /** Runs `fn` once on SIGINT/SIGTERM; returns a function that removes it. */
  onShutdownSignal(fn: (signal: string) => void): () => void;
  /** Calls `onData` with each message arriving on a port (the fastest listener the platform has). */
  listen(port: PortLike, onData: (data: unknown) => void): void;
  /** Schedules `fn` after pending I/O (setImmediate on Node). */
  yieldToEventLoop(fn: () => void): void;
  /** Resident set size of the process, in bytes. */
  rssBytes(): number;
  /** The command-line arguments after the script's path. */
  args(): string[];
  /** Ends the process with `code`. */
  exit(code: number): never;
}
