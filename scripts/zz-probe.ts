import { startCluster, waitForNodes } from "./lib/cluster.ts";
import { ApiClient } from "../actors/api/client.ts";
const N = Number(process.argv[2] ?? 10), R = Number(process.argv[3] ?? 100), NODES = Number(process.argv[4] ?? 50);
const c = await startCluster({ nodes: NODES, logLevel: "error" });
await waitForNodes(c, NODES, 120_000);
const api = new ApiClient(c.supervisor, { timeoutMs: 120_000 });
const t0 = Date.now();
for (let i = 0; i < N; i++) await api.create("deployments.apps", { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: `b-${i}`, namespace: "default" }, spec: { replicas: R, selector: { matchLabels: { app: `b-${i}` } }, template: { metadata: { labels: { app: `b-${i}` } }, spec: { containers: [{ name: "web", image: "pause:3" }] } } } });
for (let k = 0; k < 12; k++) {
  await new Promise((r) => setTimeout(r, 5000));
  const pods: any = await api.list("pods", { namespace: "default" });
  const by: Record<string, number> = {};
  for (const p of pods.items) {
    const ready = p.status?.conditions?.some((x: any) => x.type === "Ready" && x.status === "True");
    const k2 = `${p.status?.phase}/${p.spec.nodeName ? "bound" : "unbound"}/${ready ? "ready" : "notready"}`;
    by[k2] = (by[k2] ?? 0) + 1;
  }
  const ds: any = await api.list("deployments.apps", { namespace: "default" });
  const av = ds.items.reduce((n: number, d: any) => n + (d.status?.availableReplicas ?? 0), 0);
  const rss: any = await api.list("replicasets.apps", { namespace: "default" });
  const rav = rss.items.reduce((n: number, d: any) => n + (d.status?.availableReplicas ?? 0), 0);
  const dead = (await c.supervisor.stats()).map((s) => `${s.name}:${s.deadLetters}`).join(" ");
  console.log(((Date.now() - t0) / 1000).toFixed(0), "s", JSON.stringify(by), "deploy avail", av, "rs avail", rav, "rv", pods.metadata.resourceVersion, dead);
  if (av === N * R) break;
}
const cm: any = await c.supervisor.inspect("controller-manager");
console.log(JSON.stringify(cm.extra.informers.filter((i: any) => ["pods", "replicasets.apps", "deployments.apps"].includes(i.resource))), JSON.stringify(cm.extra.controllers.replicaset), JSON.stringify(cm.extra.controllers.deployment));
await c.stop();
process.exit(0);
