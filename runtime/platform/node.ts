/** The Node.js adapter: worker_threads, process signals, setImmediate. */
import { Worker, parentPort, threadId } from "node:worker_threads";
import type { Platform, WorkerExit, WorkerHandle } from "./types.ts";

const bootstrap = new URL("./worker-bootstrap.mjs", import.meta.url);

/** The platform adapter for Node.js 20+. */
export const nodePlatform: Platform = {
  name: "node",
  threadId: () => threadId,
  spawnWorker(moduleUrl, options): WorkerHandle {
    const worker = new Worker(bootstrap, {
      name: options.name,
      workerData: { entry: moduleUrl.href },
      resourceLimits: options.resourceLimits,
      // The main thread may run under `--import tsx`; the bootstrap registers it itself.
      execArgv: [],
    });
    let exited = false;
    let lastError: WorkerExit["error"];
    const listeners: ((e: WorkerExit) => void)[] = [];
    worker.on("error", (err: Error) => {
      lastError = { name: err?.name ?? "Error", message: err?.message ?? String(err), stack: err?.stack };
    });
    worker.on("exit", (code) => {
      exited = true;
      for (const l of listeners) l({ code, error: lastError });
    });
    return {
      threadId: worker.threadId,
      postMessage: (message, transfer) => worker.postMessage(message, transfer as never),
      terminate: async () => {
        if (!exited) await worker.terminate();
      },
      onExit: (l) => void listeners.push(l),
    };
  },
  onParentMessage(listener) {
    parentPort?.once("message", listener);
  },
  onShutdownSignal(fn) {
    const handler = (signal: string) => fn(signal);
    process.once("SIGINT", handler);
    process.once("SIGTERM", handler);
    return () => {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
    };
  },
  listen(port, onData) {
    // Node's own `on("message")` skips building a MessageEvent per batch.
    const p = port as unknown as { on(e: "message", f: (d: unknown) => void): void };
    p.on("message", onData);
  },
  yieldToEventLoop: (fn) => void setImmediate(fn),
  rssBytes: () => process.memoryUsage.rss(),
  args: () => process.argv.slice(2),
  exit: (code) => process.exit(code),
};
