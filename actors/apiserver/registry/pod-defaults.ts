/**
 * Pod defaulting, as Kubernetes' SetDefaults_PodSpec / SetDefaults_Container /
 * SetDefaults_Pod (core/v1 defaults.go). `defaultPodSpec` is what templates
 * get; `defaultPod` adds what only real pods get (requests from limits,
 * enableServiceLinks, host-network ports, podIP/podIPs sync).
 */
import { canonicalQuantity, isQuantity } from "../../api/quantity.ts";
import type { Container, HTTPGetAction, Pod, PodSpec, Probe, ResourceList, Volume } from "../../api/types/index.ts";

/** The default grace period, in seconds, for pod termination. */
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
/** The scheduler that schedules pods that name none. */
export const DEFAULT_SCHEDULER_NAME = "default-scheduler";
/** File mode 0644, the default for configMap/secret/downwardAPI/projected volumes. */
export const DEFAULT_VOLUME_MODE = 0o644;

/** Quantities as the apiserver stores them: numbers become strings, forms become canonical ("1000m" → "1"). */
export function canonicalizeResourceList(list: ResourceList | undefined): void {
  if (!list) return;
  for (const [k, v] of Object.entries(list)) {
    if (isQuantity(v)) list[k] = canonicalQuantity(v);
  }
}

/** The tag Kubernetes' image-name parser reports: "latest" when none, "" when pinned by digest. */
export function imageTag(image: string): string {
  if (image.includes("@")) return "";
  const lastSlash = image.lastIndexOf("/");
  const colon = image.lastIndexOf(":");
  return colon > lastSlash ? image.slice(colon + 1) : "latest";
}

function defaultHTTPGet(a: HTTPGetAction | undefined): void {
  if (!a) return;
  a.path ??= "/";
  a.scheme ??= "HTTP";
}

function defaultProbe(p: Probe | undefined): void {
  if (!p) return;
  p.timeoutSeconds ??= 1;
  p.periodSeconds ??= 10;
  p.successThreshold ??= 1;
  p.failureThreshold ??= 3;
  defaultHTTPGet(p.httpGet);
}

/** SetDefaults_Container and what hangs off it. */
export function defaultContainer(c: Container): void {
  // An unparsable (e.g. empty) image has no tag, so it is IfNotPresent, as in Kubernetes.
  if (!c.imagePullPolicy) c.imagePullPolicy = c.image && imageTag(c.image) === "latest" ? "Always" : "IfNotPresent";
  c.terminationMessagePath ??= "/dev/termination-log";
  c.terminationMessagePolicy ??= "File";
  for (const p of c.ports ?? []) p.protocol ??= "TCP";
  for (const e of c.env ?? []) {
    if (e.valueFrom?.fieldRef) e.valueFrom.fieldRef.apiVersion ??= "v1";
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  defaultHTTPGet(c.lifecycle?.postStart?.httpGet);
  defaultHTTPGet(c.lifecycle?.preStop?.httpGet);
  canonicalizeResourceList(c.resources?.limits);
  canonicalizeResourceList(c.resources?.requests);
}

const volumeSources = ["configMap", "secret", "emptyDir", "persistentVolumeClaim", "hostPath", "downwardAPI", "projected"] as const;

/** SetDefaults_Volume and its sources: a volume with no source is an emptyDir. */
export function defaultVolume(v: Volume): void {
  if (!volumeSources.some((s) => v[s] !== undefined)) v.emptyDir = {};
  if (v.configMap) v.configMap.defaultMode ??= DEFAULT_VOLUME_MODE;
  if (v.secret) v.secret.defaultMode ??= DEFAULT_VOLUME_MODE;
  if (v.downwardAPI) {
    v.downwardAPI.defaultMode ??= DEFAULT_VOLUME_MODE;
    for (const item of v.downwardAPI.items ?? []) if (item.fieldRef) item.fieldRef.apiVersion ??= "v1";
  }
  if (v.projected) v.projected.defaultMode ??= DEFAULT_VOLUME_MODE;
  if (v.hostPath) v.hostPath.type ??= "";
}

/** SetDefaults_PodSpec plus its containers and volumes: what every pod template gets. */
export function defaultPodSpec(spec: PodSpec): void {
  spec.dnsPolicy ||= "ClusterFirst";
  spec.restartPolicy ||= "Always";
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS;
  spec.schedulerName ||= DEFAULT_SCHEDULER_NAME;
  // The v1 conversion keeps the deprecated alias in step with serviceAccountName.
  if (!spec.serviceAccountName && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
  if (spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const v of spec.volumes ?? []) defaultVolume(v);
  canonicalizeResourceList(spec.overhead);
  canonicalizeResourceList(spec.resources?.limits);
  canonicalizeResourceList(spec.resources?.requests);
}

/** Requests default to limits for each resource that has a limit but no request (pods only, not templates). */
export function defaultRequestsFromLimits(c: { resources?: { limits?: ResourceList; requests?: ResourceList } }): void {
  const limits = c.resources?.limits;
  if (!limits || !c.resources || Object.keys(limits).length === 0) return;
  const requests = (c.resources.requests ??= {});
  for (const [k, v] of Object.entries(limits)) if (requests[k] === undefined) requests[k] = v;
}

/** SetDefaults_Pod on top of the spec defaults. */
export function defaultPod(pod: Pod): void {
  const spec = (pod.spec ??= { containers: [] });
  defaultPodSpec(spec);
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    defaultRequestsFromLimits(c);
    if (spec.hostNetwork) for (const p of c.ports ?? []) if (!p.hostPort) p.hostPort = p.containerPort;
  }
  if (spec.resources) defaultRequestsFromLimits(spec);
  spec.enableServiceLinks ??= true;
  const status = pod.status;
  if (status) {
    // The v1 conversion keeps the singular and plural IP fields in step.
    if (status.podIP && !status.podIPs?.length) status.podIPs = [{ ip: status.podIP }];
    if (!status.podIP && status.podIPs?.length) status.podIP = status.podIPs[0].ip;
    if (status.hostIP && !status.hostIPs?.length) status.hostIPs = [{ ip: status.hostIP }];
    if (!status.hostIP && status.hostIPs?.length) status.hostIP = status.hostIPs[0].ip;
  }
}
