// Node cannot load TypeScript by itself, and a loader registered in the main
// thread is not active inside worker threads: each worker registers tsx
// before importing its TypeScript entry.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData.entry);
