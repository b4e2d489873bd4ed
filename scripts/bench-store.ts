/**
 * Micro-benchmark of the store backends at cluster scale (30,000 pods by
 * default): put, get, prefix range, paged range, compare-and-swap txn and
 * watch fan-out on the memory store, then write throughput of the WAL store
 * under each fsync policy. Prints ops/s; asserts nothing.
 * Usage: node --import tsx scripts/bench-store.ts [keys]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryStore } from "../actors/apiserver/store/memory.ts";
import type { Store } from "../actors/apiserver/store/store.ts";
import { WalStore } from "../actors/apiserver/store/wal.ts";

const keys = Number(process.argv[2] ?? 30_000);
const namespaces = 50;

function pod(i: number, generation = 1) {
  const ns = `ns-${i % namespaces}`;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: `pod-${i}`, namespace: ns, uid: `uid-${i}`, generation, labels: { app: `app-${i % 100}`, tier: "web" } },
    spec: { nodeName: `node-${i % 1000}`, containers: [{ name: "main", image: "nginx:1.27", resources: { requests: { cpu: "100m", memory: "128Mi" } } }] },
    status: { phase: "Running", podIP: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` },
  };
}
const keyOf = (i: number) => `/registry/pods/ns-${i % namespaces}/pod-${i}`;

async function measure(label: string, ops: number, run: () => Promise<void>): Promise<void> {
  const start = performance.now();
  await run();
  const ms = performance.now() - start;
  const rate = (ops / ms) * 1000;
  console.log(`${label.padEnd(48)} ${Math.round(rate).toLocaleString("en-US").padStart(12)} ops/s   ${((ms * 1000) / ops).toFixed(2).padStart(9)} µs/op`);
}

const putTxn = (store: Store, i: number, generation: number) =>
  store.txn({ compare: [], success: [{ type: "put", key: keyOf(i), value: pod(i, generation) }] });

async function benchMemory(): Promise<void> {
  console.log(`MemoryStore, ${keys.toLocaleString("en-US")} pods over ${namespaces} namespaces`);
  const store = new MemoryStore();
  await measure("put (create)", keys, async () => {
    for (let i = 0; i < keys; i++) await putTxn(store, i, 1);
  });
  await measure("put (update)", keys, async () => {
    for (let i = 0; i < keys; i++) await putTxn(store, i, 2);
  });
  const gets = keys * 5;
  await measure("get (random key)", gets, async () => {
    for (let i = 0; i < gets; i++) await store.get(keyOf((i * 7919) % keys));
  });
  await measure(`range prefix /registry/pods/ (all ${keys})`, 50, async () => {
    for (let i = 0; i < 50; i++) await store.range("/registry/pods/", { prefix: true });
  });
  await measure("range prefix, limit 500 (first page + count)", 200, async () => {
    for (let i = 0; i < 200; i++) await store.range("/registry/pods/", { prefix: true, limit: 500 });
  });
  await measure("range one namespace (~600 pods)", 2000, async () => {
    for (let i = 0; i < 2000; i++) await store.range(`/registry/pods/ns-${i % namespaces}/`, { prefix: true });
  });
  const past = (await store.revision()) - keys / 2;
  await measure("range prefix at a past revision", 50, async () => {
    for (let i = 0; i < 50; i++) await store.range("/registry/pods/", { prefix: true, revision: past });
  });
  await measure("txn compare modRevision + put (CAS)", keys, async () => {
    for (let i = 0; i < keys; i++) {
      const kv = (await store.get(keyOf(i)))!;
      await store.txn({
        compare: [{ key: kv.key, target: "modRevision", op: "=", value: kv.modRevision }],
        success: [{ type: "put", key: kv.key, value: pod(i, 3) }],
        failure: [{ type: "get", key: kv.key }],
      });
    }
  });
  let seen = 0;
  const watches = Array.from({ length: 10 }, (_, w) =>
    store.watch(w === 0 ? "/registry/pods/" : `/registry/pods/ns-${w}/`, { prefix: true }, (events) => void (seen += events.length)),
  );
  await measure("put with 10 prefix watchers (delivery included)", keys, async () => {
    for (let i = 0; i < keys; i++) await putTxn(store, i, 4);
    while (seen < keys) await new Promise((r) => setTimeout(r, 0));
  });
  for (const w of watches) w.cancel();
  await store.close();
}

async function benchWal(fsync: "always" | "interval" | "never"): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "actorkube-bench-"));
  try {
    const n = fsync === "always" ? Math.min(keys, 10_000) : keys;
    const store = await WalStore.open(dir, { fsync });
    await measure(`WalStore fsync=${fsync}: put, 1 writer`, Math.min(n, 2000), async () => {
      for (let i = 0; i < Math.min(n, 2000); i++) await putTxn(store, i, 1);
    });
    const writers = 100;
    await measure(`WalStore fsync=${fsync}: put, ${writers} concurrent writers`, n, async () => {
      let next = 0;
      const lane = async () => {
        while (next < n) await putTxn(store, next++, 2);
      };
      await Promise.all(Array.from({ length: writers }, lane));
    });
    await store.close();
    await measure(`WalStore reopen (snapshot + log replay, ${n} keys)`, 1, async () => {
      await (await WalStore.open(dir)).close();
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await benchMemory();
console.log("");
for (const fsync of ["never", "interval", "always"] as const) await benchWal(fsync);
