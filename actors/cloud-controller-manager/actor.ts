/**
 * The cloud-controller-manager actor: the cloud's controllers (node,
 * node lifecycle, route, service load balancers, volume binding and
 * provisioning, reclaim, attach/detach) over one InformerSet and one cloud
 * provider — the simulated cloud by default. It also creates the default
 * StorageClass `standard`, and answers the REPL's `cloud` handle: list the
 * cloud's instances, routes, load balancers and disks, terminate an
 * instance, make attaches fail. After a restart it rebuilds the simulated
 * cloud from the cluster's objects before any controller runs.
 */
import type { ActorFactory, Validator } from "../../runtime/actor.ts";
import { ActorError } from "../../runtime/errors.ts";
import { ApiClient, isAlreadyExists } from "../api/client.ts";
import { InformerSet } from "../api/informer-set.ts";
import type { WatchMessage } from "../api/protocol.ts";
import type { Node } from "../api/types/core-node.ts";
import type { Service } from "../api/types/core-service.ts";
import type { PersistentVolume } from "../api/types/core-storage.ts";
import { DEFAULT_STORAGE_CLASS_ANNOTATION, type StorageClass } from "../api/types/storage.ts";
import { selectControllers } from "../controller-manager/actor.ts";
import { controllerContext, type Controller, type ControllerOptions } from "../controller-manager/controller.ts";
import { attachDetachController } from "./attach-detach-controller.ts";
import { cloudDefaults, type CloudContext, type CloudControllerOptions } from "./context.ts";
import { cloudNodeController } from "./node-controller.ts";
import { cloudNodeLifecycleController } from "./node-lifecycle-controller.ts";
import { routeController } from "./route-controller.ts";
import { loadBalancerNodes, serviceController, wantsLoadBalancer } from "./service-controller.ts";
import { SimulatedCloud, type SimulatedCloudOptions } from "./simulated-provider.ts";
import { volumeBinderController } from "./volume-binder.ts";
import { quantityBytes } from "./volume-helpers.ts";
import { volumeReclaimerController } from "./volume-reclaimer.ts";
import { ADDON_INSTALLER } from "../dns/installer.ts";

/** Configuration of the cloud-controller-manager. */
export interface CloudControllerManagerConfig extends CloudControllerOptions, ControllerOptions {
  apiserver?: string;
  /** Controllers to run, by name (default all; `-name` removes one, as `--controllers`). */
  controllers?: string[];
  /** The simulated cloud's settings (region, zones, load-balancer CIDR). */
  cloud?: SimulatedCloudOptions;
  /** Create the default StorageClass `standard` at start when it is missing (default true). */
  defaultStorageClass?: boolean;
  /** How long to wait for the informers' first list (default 60 000 ms). */
  syncTimeoutMs?: number;
}

/** Messages the cloud-controller-manager answers (the REPL's `cloud` handle). */
export type CloudMessage =
  | { type: "cloud.instances" }
  | { type: "cloud.terminate"; node: string }
  | { type: "cloud.failAttach"; volumeHandle?: string; pv?: string; times?: number }
  | { type: "cloud.loadBalancers" }
  | { type: "cloud.routes" }
  | { type: "cloud.disks" }
  | { type: "cloud.stats" };

/** The default StorageClass, as kind and minikube ship one. */
export function standardStorageClass(provisioner: string): StorageClass {
  return {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name: "standard", annotations: { [DEFAULT_STORAGE_CLASS_ANNOTATION]: "true" } },
    provisioner,
    reclaimPolicy: "Delete",
    volumeBindingMode: "Immediate",
    allowVolumeExpansion: false,
  };
}

// Each controller and the identity it acts as.
const controllerFactories: Record<string, { build: (cc: CloudContext) => Controller; as: "cloud" | "volume" }> = {
  "cloud-node": { build: cloudNodeController, as: "cloud" },
  "cloud-node-lifecycle": { build: cloudNodeLifecycleController, as: "cloud" },
  route: { build: routeController, as: "cloud" },
  service: { build: serviceController, as: "cloud" },
  "persistentvolume-binder": { build: volumeBinderController, as: "volume" },
  "persistentvolume-reclaimer": { build: volumeReclaimerController, as: "volume" },
  attachdetach: { build: attachDetachController, as: "volume" },
};

const validate: Partial<Record<CloudMessage["type"], Validator>> = {
  "cloud.terminate": (m) => (typeof m.node === "string" && m.node !== "" ? undefined : "node: expected a node name"),
  "cloud.failAttach": (m) => {
    if (typeof m.volumeHandle !== "string" && typeof m.pv !== "string") return "expected volumeHandle or pv (a PersistentVolume name)";
    if (m.times !== undefined && !(Number.isInteger(m.times) && (m.times as number) >= 1 && (m.times as number) <= 1000)) return "times: expected an integer from 1 to 1000";
    return undefined;
  },
};

/** Builds the cloud-controller-manager. */
export const cloudControllerManagerActor: ActorFactory<CloudControllerManagerConfig | undefined, CloudMessage | WatchMessage> = async (ctx, config) => {
  const cfg = config ?? {};
  // The cloud controllers write as the cloud-controller-manager. The volume controllers are
  // kube-controller-manager's in Kubernetes (PV binder, attach/detach, pvc-protection; the
  // provisioner is a CSI sidecar): they, and the shared informers, which must read claims and
  // classes, act as kube-controller-manager. The default class is installed as an add-on.
  const cloudClient = new ApiClient(ctx, { apiserver: cfg.apiserver, user: "system:cloud-controller-manager" });
  const volumeClient = new ApiClient(ctx, { apiserver: cfg.apiserver, user: "system:kube-controller-manager" });
  const installer = new ApiClient(ctx, { apiserver: cfg.apiserver, ...ADDON_INSTALLER });
  const informers = new InformerSet(ctx, volumeClient);
  const cloud = new SimulatedCloud(cfg.cloud);
  const settings = cloudDefaults(cfg);
  const contextFor = (client: ApiClient): CloudContext => ({
    ...controllerContext(ctx, client, informers, { ...cfg }),
    provider: cloud,
    clusterName: settings.clusterName,
    cloud: settings,
  });
  const contexts = { cloud: contextFor(cloudClient), volume: contextFor(volumeClient) };
  const nodes = informers.informer<Node>({ resource: "nodes" });
  const services = informers.informer<Service>({ resource: "services" });
  const volumes = informers.informer<PersistentVolume>({ resource: "persistentvolumes" });
  const classes = informers.informer<StorageClass>({ resource: "storageclasses.storage.k8s.io" });
  const names = selectControllers(cfg.controllers, Object.keys(controllerFactories));
  const controllers = names.map((n) => controllerFactories[n].build(contexts[controllerFactories[n].as]));
  // Start in the background: informers, then the rebuilt cloud,
  // the default class and the controllers. The REPL's calls wait for that.
  let state: "starting" | "running" | "failed" = "starting";
  let stopped = false;
  const ready = (async () => {
    informers.start();
    await informers.waitForSync(cfg.syncTimeoutMs ?? 60_000);

    // What the cluster records of the cloud: disks behind volumes, attachments, load-balancer IPs.
    for (const pv of volumes.list()) {
      const csi = pv.spec?.csi;
      if (csi?.driver === settings.diskDriver) cloud.restoreDisk(csi.volumeHandle, pv.metadata.name!, quantityBytes(pv.spec.capacity?.storage));
    }
    const prefix = `kubernetes.io/csi/${settings.diskDriver}^`;
    for (const n of nodes.list()) {
      for (const a of n.status?.volumesAttached ?? []) if (a.name.startsWith(prefix)) cloud.restoreAttachment(a.name.slice(prefix.length), n.metadata.name!, a.devicePath);
    }
    const members = loadBalancerNodes(nodes.list()).map((n) => n.metadata.name!);
    for (const s of services.list()) if (wantsLoadBalancer(s)) cloud.restoreLoadBalancer(s, members);

    if (cfg.defaultStorageClass !== false && !classes.get("standard")) {
      try {
        await installer.create("storageclasses.storage.k8s.io", standardStorageClass(settings.diskDriver));
        ctx.log("info", `created the default StorageClass standard (provisioner ${settings.diskDriver})`);
      } catch (err) {
        if (!isAlreadyExists(err)) ctx.log("warn", `cannot create the default StorageClass: ${(err as Error).message}`);
      }
    }
    if (stopped) return;
    for (const c of controllers) c.start();
    state = "running";
    ctx.log("info", "cloud controllers started", { controllers: names });
  })();
  ready.catch((err: Error) => {
    state = "failed";
    ctx.log("error", `cloud-controller-manager did not start: ${err.message}`);
  });
  const whenReady = <T>(fn: () => T | Promise<T>) => ready.then(fn);

  const stats = () => Object.fromEntries(controllers.map((c) => [c.name, c.stats?.() ?? {}]));
  return {
    handlers: {
      "api.watch.events": (m, d) => informers.handlers["api.watch.events"](m, d),
      "api.watch.closed": (m, d) => informers.handlers["api.watch.closed"](m, d),
      "cloud.instances": () => whenReady(() => cloud.instances()),
      "cloud.routes": () => whenReady(() => cloud.routes()),
      "cloud.loadBalancers": () => whenReady(() => cloud.loadBalancers()),
      "cloud.disks": () => whenReady(() => cloud.disks()),
      "cloud.stats": () => ({ state, controllers: stats() }),
      "cloud.terminate": async (m) => {
        await ready;
        const inst = cloud.terminate(m.node);
        if (!inst) throw new ActorError("NotFound", `no instance runs node "${m.node}"`);
        // The machine is gone, and its kubelet with it.
        const kubelet = `kubelet/${m.node}`;
        let kubeletState = "not running here";
        if (ctx.knows(kubelet)) {
          kubeletState = await ctx.ask(kubelet, { type: "kubelet.silence" }, { timeoutMs: 5_000 }).then(
            () => "silenced",
            (err: Error) => `could not be silenced: ${err.message}`,
          );
        }
        ctx.log("info", `terminated instance ${inst.providerID}`);
        return { node: inst.node, providerID: inst.providerID, state: inst.state, kubelet: kubeletState };
      },
      "cloud.failAttach": async (m) => {
        await ready;
        const handle = m.volumeHandle ?? volumes.get(m.pv!)?.spec?.csi?.volumeHandle;
        if (!handle) throw new ActorError("NotFound", `PersistentVolume "${m.pv}" is not backed by a ${settings.diskDriver} disk`);
        const times = m.times ?? 1;
        if (!cloud.failAttach(handle, times)) throw new ActorError("NotFound", `no disk with volume handle "${handle}"`);
        return { volumeHandle: handle, failNextAttaches: times };
      },
    },
    validate,
    onStop: async () => {
      stopped = true;
      await Promise.all(controllers.map((c) => c.stop()));
      await informers.stop();
    },
    inspect: () => ({ state, controllers: stats(), loadBalancerPool: cloud.loadBalancerPool, ...informers.stats() }),
  };
};
