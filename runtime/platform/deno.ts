/** The Deno adapter: Web Workers running the TypeScript sources directly. */
import type { Platform, WorkerExit, WorkerHandle } from "./types.ts";

interface DenoGlobal {
  addSignalListener(signal: string, fn: () => void): void;
  removeSignalListener(signal: string, fn: () => void): void;
  memoryUsage(): { rss: number };
  exitCode: number;
  args: string[];
  exit(code: number): never;
}
const Deno = (globalThis as unknown as { Deno: DenoGlobal }).Deno;

/** What a worker's global scope offers that the adapter uses. */
interface WorkerScope {
  addEventListener(type: string, fn: (e: Event) => void, options?: unknown): void;
  postMessage(message: unknown): void;
  close(): void;
}

// Key of the message a dying worker sends its parent. Deno fires no "exit"
// event on the Worker object, so the worker reports its own end.
const EXIT_NOTICE = "__actorkubeWorkerExit";

interface ExitNotice {
  [EXIT_NOTICE]: WorkerExit;
}

let nextThreadId = 1;
// Deno has no thread ids; the parent numbers its workers and tells each its id.
let ownThreadId = 0;

function describeError(err: unknown, fallback: string): NonNullable<WorkerExit["error"]> {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { name: "Error", message: err === undefined ? fallback : String(err) };
}

/**
 * Inside a worker: makes every way it can end known to the parent, as Node's
 * "exit" event does there. An uncaught error or unhandled rejection ends the
 * worker (Node's semantics; Deno would print it and let the parent's "error"
 * event decide); `Deno.exit`/`process.exit` run "unload", which carries the
 * exit code; `self.close()` runs no event, so it is wrapped.
 */
function reportExits(scope: WorkerScope): void {
  let reported = false;
  const report = (exit: WorkerExit) => {
    if (reported) return;
    reported = true;
    scope.postMessage({ [EXIT_NOTICE]: exit } satisfies ExitNotice);
  };
  scope.addEventListener("error", (e) => {
    const ev = e as ErrorEvent;
    ev.preventDefault();
    report({ error: describeError(ev.error, ev.message) });
    scope.close();
  });
  scope.addEventListener("unhandledrejection", (e) => {
    const ev = e as PromiseRejectionEvent;
    ev.preventDefault();
    report({ error: describeError(ev.reason, "unhandled rejection") });
    scope.close();
  });
  scope.addEventListener("unload", () => report({ code: Deno.exitCode ?? 0 }));
  const close = scope.close.bind(scope);
  scope.close = () => {
    report({ code: 0 });
    close();
  };
}

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
      // The worker may still be unwinding (an unload handler, a closing scope): make sure it is gone.
      worker.terminate();
      for (const l of listeners) l(e);
    };
    worker.addEventListener("message", (ev: MessageEvent) => {
      const notice = (ev.data as Partial<ExitNotice> | null)?.[EXIT_NOTICE];
      if (notice) exit(notice);
    });
    // Errors the worker could not report itself (e.g. its module failed to load).
    worker.addEventListener("error", (ev: ErrorEvent) => {
      // Without preventDefault an error in a worker also kills the parent.
      ev.preventDefault();
      exit({ error: { name: "Error", message: ev.message } });
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
    const self = globalThis as unknown as WorkerScope;
    reportExits(self);
    self.addEventListener(
      "message",
      (e) => {
        const data = (e as MessageEvent).data as { threadId?: number };
        if (typeof data?.threadId === "number") ownThreadId = data.threadId;
        listener(data);
      },
      { once: true },
    );
  },
  onShutdownSignal(fn) {
    // Node's adapter uses process.once; Deno's listeners stay until removed.
    let fired = false;
    const once = (signal: string) => () => {
      if (fired) return;
      fired = true;
      remove();
      fn(signal);
    };
    const int = once("SIGINT");
    const term = once("SIGTERM");
    const remove = () => {
      Deno.removeSignalListener("SIGINT", int);
      Deno.removeSignalListener("SIGTERM", term);
    };
    Deno.addSignalListener("SIGINT", int);
    Deno.addSignalListener("SIGTERM", term);
    return remove;
  },
  listen(port, onData) {
    port.addEventListener("message", (e) => onData(e.data));
    port.start?.();
  },
  // Deno 2 has Node's setImmediate (a few µs); a zero timeout waits about a millisecond.
  yieldToEventLoop: typeof setImmediate === "function" ? (fn) => void setImmediate(fn) : (fn) => void setTimeout(fn, 0),
  rssBytes: () => Deno.memoryUsage().rss,
  args: () => Deno.args,
  exit: (code) => Deno.exit(code),
};
