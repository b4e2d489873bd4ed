/** The Deno adapter: Web Workers running the TypeScript sources directly. */
import type { Platform, WorkerExit, WorkerHandle } from "./types.ts";

interface DenoGlobal {
  addSignalListener(signal: string, fn: () => void): void;
  removeSignalListener(signal: string, fn: () => void): void;
  memoryUsage(): { rss: number };
}
const Deno = (globalThis as unknown as { Deno: DenoGlobal }).Deno;

let nextThreadId = 1;
// Deno has no thread ids; the parent numbers its workers and tells each its id.
let ownThreadId = 0;

/** The platform adapter for Deno 2. */
export const denoPlatform: Platform = {
  name: "deno",
  threadId: () => ownThreadId,
  spawnWorker(moduleUrl, options): WorkerHandle {
    const worker = new Worker(moduleUrl.href, { type: "module", name: options.name });
    const id = nextThreadId++;
    const listeners: ((e: WorkerExit) => void)[] = [];
    let exited = false;
    const exit = (e: WorkerExit) => {
      if (exited) return;
      exited = true;
      for (const l of listeners) l(e);
    };
    worker.addEventListener("error", (ev: ErrorEvent) => {
      // Without preventDefault an error in a worker also kills the parent.
      ev.preventDefault();
      exit({ error: { name: "Error", message: ev.message } });
      worker.terminate();
    });
    return {
      threadId: id,
      postMessage: (message, transfer) => {
        const m = message as Record<string, unknown>;
        worker.postMessage({ ...m, threadId: id }, transfer);
      },
      terminate: async () => {
        worker.terminate();
        exit({ code: 1 });
      },
      onExit: (l) => void listeners.push(l),
    };
  },
  onParentMessage(listener) {
    const self = globalThis as unknown as { addEventListener(t: string, f: (e: MessageEvent) => void, o?: unknown): void };
    self.addEventListener(
      "message",
      (e: MessageEvent) => {
        const data = e.data as { threadId?: number };
        if (typeof data?.threadId === "number") ownThreadId = data.threadId;
        listener(e.data);
      },
      { once: true },
    );
  },
  onShutdownSignal(fn) {
    const int = () => fn("SIGINT");
    const term = () => fn("SIGTERM");
    Deno.addSignalListener("SIGINT", int);
    Deno.addSignalListener("SIGTERM", term);
    return () => {
      Deno.removeSignalListener("SIGINT", int);
      Deno.removeSignalListener("SIGTERM", term);
    };
  },
  listen(port, onData) {
    port.addEventListener("message", (e) => onData(e.data));
    port.start?.();
  },
  yieldToEventLoop: (fn) => void setTimeout(fn, 0),
  rssBytes: () => Deno.memoryUsage().rss,
};
