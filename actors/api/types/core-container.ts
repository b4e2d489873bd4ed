/**
 * core/v1 Container and what hangs off it: env, ports, mounts, probes,
 * lifecycle, security context.
 */
import type { IntOrString, Protocol, ResourceRequirements } from "./core-common.ts";

/** Always / IfNotPresent / Never. */
export type PullPolicy = "Always" | "IfNotPresent" | "Never";

/** core/v1 Container (also used for init containers). */
export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  ports?: ContainerPort[];
  envFrom?: EnvFromSource[];
  env?: EnvVar[];
  resources?: ResourceRequirements;
  /** Only "Always", only on init containers: makes it a sidecar. */
  restartPolicy?: "Always";
  volumeMounts?: VolumeMount[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: Lifecycle;
  terminationMessagePath?: string;
  terminationMessagePolicy?: "File" | "FallbackToLogsOnError";
  imagePullPolicy?: PullPolicy;
  securityContext?: SecurityContext;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
}

/** core/v1 ContainerPort */
export interface ContainerPort {
  name?: string;
  hostPort?: number;
  containerPort: number;
  protocol?: Protocol;
  hostIP?: string;
}

/** core/v1 EnvVar: a literal value or one read from elsewhere. */
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: EnvVarSource;
}

/** core/v1 EnvVarSource: exactly one member is set. */
export interface EnvVarSource {
  fieldRef?: ObjectFieldSelector;
  resourceFieldRef?: ResourceFieldSelector;
  configMapKeyRef?: KeySelector;
  secretKeyRef?: KeySelector;
}

/** core/v1 ConfigMapKeySelector / SecretKeySelector (same shape). */
export interface KeySelector {
  name?: string;
  key: string;
  optional?: boolean;
}

/** core/v1 ObjectFieldSelector: `metadata.name`, `status.podIP`, ... */
export interface ObjectFieldSelector {
  apiVersion?: string;
  fieldPath: string;
}

/** core/v1 ResourceFieldSelector: `limits.cpu`, `requests.memory`, ... */
export interface ResourceFieldSelector {
  containerName?: string;
  resource: string;
  divisor?: string;
}

/** core/v1 EnvFromSource: every key of a ConfigMap or Secret as env vars. */
export interface EnvFromSource {
  prefix?: string;
  configMapRef?: { name?: string; optional?: boolean };
  secretRef?: { name?: string; optional?: boolean };
}

/** core/v1 VolumeMount */
export interface VolumeMount {
  name: string;
  readOnly?: boolean;
  mountPath: string;
  subPath?: string;
  subPathExpr?: string;
  mountPropagation?: "None" | "HostToContainer" | "Bidirectional";
}

/** core/v1 ExecAction */
export interface ExecAction {
  command?: string[];
}

/** core/v1 HTTPGetAction */
export interface HTTPGetAction {
  path?: string;
  port: IntOrString;
  host?: string;
  scheme?: "HTTP" | "HTTPS";
  httpHeaders?: Array<{ name: string; value: string }>;
}

/** core/v1 TCPSocketAction */
export interface TCPSocketAction {
  port: IntOrString;
  host?: string;
}

/** core/v1 GRPCAction */
export interface GRPCAction {
  port: number;
  service?: string;
}

/** core/v1 ProbeHandler: exactly one member is set. */
export interface ProbeHandler {
  exec?: ExecAction;
  httpGet?: HTTPGetAction;
  tcpSocket?: TCPSocketAction;
  grpc?: GRPCAction;
}

/** core/v1 Probe: liveness, readiness or startup check. */
export interface Probe extends ProbeHandler {
  initialDelaySeconds?: number;
  timeoutSeconds?: number;
  periodSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
  terminationGracePeriodSeconds?: number;
}

/** core/v1 LifecycleHandler */
export interface LifecycleHandler {
  exec?: ExecAction;
  httpGet?: HTTPGetAction;
  tcpSocket?: TCPSocketAction;
  sleep?: { seconds: number };
}

/** core/v1 Lifecycle: postStart / preStop hooks. */
export interface Lifecycle {
  postStart?: LifecycleHandler;
  preStop?: LifecycleHandler;
}

/** core/v1 SecurityContext (container level; the fields the control plane reads). */
export interface SecurityContext {
  privileged?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
}
