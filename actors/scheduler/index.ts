/**
 * The kube-scheduler core, I/O-free: snapshot (what is where), queue (what to
 * schedule next), framework (where it goes). The scheduler actor wires these
 * to the apiserver's watches and the binding subresource.
 */
export { Snapshot } from "./snapshot.ts";
export { SchedulingQueue, DEFAULT_EVENT_PLUGINS, type ClusterEvent, type QueuedPodInfo, type SchedulingQueueOptions } from "./queue.ts";
export { Framework, isCandidate, numFeasibleNodesToFind, type FrameworkOptions, type ScheduleOutcome, type ScheduleResult } from "./framework/framework.ts";
export { FitError, SchedulingError, type Diagnosis } from "./framework/fit-error.ts";
export { Registry, inTreeRegistry, buildProfile, DEFAULT_PLUGINS, PluginRegistryError, type Profile, type ProfileOptions, type PluginSetting } from "./framework/registry.ts";
export * from "./framework/types.ts";
export { NodeInfo } from "./framework/node-info.ts";
