/**
 * Container validation as Kubernetes' validateContainers: names, image,
 * ports, env, mounts, probes, resources — each error at its field path.
 */
import { compareQuantities, isQuantity, QUANTITY_FORMAT_ERROR } from "../../api/quantity.ts";
import type { Container, EnvVar, IntOrString, Probe, ProbeHandler, ResourceList, ResourceRequirements } from "../../api/types/index.ts";
import type { FieldError } from "./resource.ts";
import {
  at,
  child,
  duplicate,
  forbidden,
  invalid,
  isConfigMapKey,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isRelaxedEnvVarName,
  isValidPortName,
  isValidPortNum,
  notFound,
  notSupported,
  required,
  validateNonnegative,
} from "./validation.ts";

/** What container validation needs to know about the pod around it. */
export interface ContainerContext {
  volumes: Set<string>;
  hostNetwork: boolean;
  /** Names seen so far; init and app containers share one namespace. */
  names: Set<string>;
}

const pullPolicies = ["Always", "IfNotPresent", "Never"];
const protocols = ["SCTP", "TCP", "UDP"];
const envFieldPaths = [
  "metadata.name",
  "metadata.namespace",
  "metadata.uid",
  "spec.nodeName",
  "spec.serviceAccountName",
  "status.hostIP",
  "status.hostIPs",
  "status.podIP",
  "status.podIPs",
];
const envResourcePaths = ["limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu", "requests.ephemeral-storage", "requests.memory"];

/** A port given as a number (1-65535) or an IANA name. */
export function validatePortNumOrName(port: IntOrString | undefined, path: string): FieldError[] {
  if (typeof port === "number") return isValidPortNum(port).map((m) => invalid(path, port, m));
  if (typeof port === "string" && port !== "") return isValidPortName(port).map((m) => invalid(path, port, m));
  return [required(path)];
}

function validateHandler(h: ProbeHandler, path: string): FieldError[] {
  const set = (["exec", "httpGet", "tcpSocket", "grpc"] as const).filter((k) => h[k] !== undefined);
  if (set.length === 0) return [required(path, "must specify a handler type")];
  const errs = set.slice(1).map((k) => forbidden(child(path, k), "may not specify more than 1 handler type"));
  if (h.exec && !h.exec.command?.length) errs.push(required(child(child(path, "exec"), "command")));
  if (h.httpGet) {
    const p = child(path, "httpGet");
    if (!h.httpGet.path) errs.push(required(child(p, "path")));
    errs.push(...validatePortNumOrName(h.httpGet.port, child(p, "port")));
    if (h.httpGet.scheme && !["HTTP", "HTTPS"].includes(h.httpGet.scheme)) errs.push(notSupported(child(p, "scheme"), h.httpGet.scheme, ["HTTP", "HTTPS"]));
  }
  if (h.tcpSocket) errs.push(...validatePortNumOrName(h.tcpSocket.port, child(child(path, "tcpSocket"), "port")));
  if (h.grpc) errs.push(...isValidPortNum(h.grpc.port).map((m) => invalid(child(child(path, "grpc"), "port"), h.grpc?.port, m)));
  return errs;
}

function validateProbe(p: Probe | undefined, path: string, mustSucceedOnce: boolean): FieldError[] {
  if (!p) return [];
  const errs = validateHandler(p, path);
  for (const f of ["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"] as const) {
    errs.push(...validateNonnegative(p[f], child(path, f)));
  }
  if (p.terminationGracePeriodSeconds !== undefined && p.terminationGracePeriodSeconds <= 0) {
    errs.push(invalid(child(path, "terminationGracePeriodSeconds"), p.terminationGracePeriodSeconds, "must be greater than 0"));
  }
  if (mustSucceedOnce && p.successThreshold !== undefined && p.successThreshold !== 1) {
    errs.push(invalid(child(path, "successThreshold"), p.successThreshold, "must be 1"));
  }
  return errs;
}

function isStandardResource(name: string): boolean {
  if (["cpu", "memory", "ephemeral-storage"].includes(name) || name.startsWith("hugepages-")) return true;
  return false;
}

/** Extended resources (vendor.io/thing) cannot be overcommitted: requests must equal limits. */
function isExtended(name: string): boolean {
  return name.includes("/") && !name.startsWith("kubernetes.io/") && !name.startsWith("requests.");
}

function validateResourceList(list: ResourceList | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [name, q] of Object.entries(list ?? {})) {
    const p = at(path, name);
    if (!name.includes("/")) {
      if (!isStandardResource(name)) errs.push(invalid(p, name, "must be a standard resource for containers"));
    } else if (!isExtended(name)) {
      errs.push(...isQualifiedName(name).map((m) => invalid(p, name, m)));
    }
    if (!isQuantity(q)) errs.push(invalid(p, q, QUANTITY_FORMAT_ERROR));
    else if (compareQuantities(q, 0) < 0) errs.push(invalid(p, String(q), "must be greater than or equal to 0"));
  }
  return errs;
}

/** Requests and limits: valid names and quantities, requests no more than limits. */
export function validateResourceRequirements(r: ResourceRequirements | undefined, path: string): FieldError[] {
  if (!r) return [];
  const reqPath = child(path, "requests");
  const errs = [...validateResourceList(r.limits, child(path, "limits")), ...validateResourceList(r.requests, reqPath)];
  for (const [name, q] of Object.entries(r.requests ?? {})) {
    const limit = r.limits?.[name];
    if (limit === undefined || !isQuantity(q) || !isQuantity(limit)) continue;
    const cmp = compareQuantities(q, limit);
    if (cmp !== 0 && isExtended(name)) errs.push(invalid(reqPath, String(q), `must be equal to ${name} limit of ${limit}`));
    else if (cmp > 0) errs.push(invalid(reqPath, String(q), `must be less than or equal to ${name} limit of ${limit}`));
  }
  return errs;
}

function validateKeyRef(ref: { name?: string; key: string }, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!ref.key) errs.push(required(child(path, "key")));
  else errs.push(...isConfigMapKey(ref.key).map((m) => invalid(child(path, "key"), ref.key, m)));
  if (!ref.name) errs.push(required(child(path, "name")));
  else errs.push(...isDNS1123Subdomain(ref.name).map((m) => invalid(child(path, "name"), ref.name, m)));
  return errs;
}

function validateEnvVar(e: EnvVar, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!e.name) errs.push(required(child(path, "name")));
  else errs.push(...isRelaxedEnvVarName(e.name).map((m) => invalid(child(path, "name"), e.name, m)));
  const from = e.valueFrom;
  if (!from) return errs;
  const p = child(path, "valueFrom");
  let sources = 0;
  if (from.fieldRef) {
    sources++;
    const fp = from.fieldRef.fieldPath;
    const fieldPath = child(child(p, "fieldRef"), "fieldPath");
    // metadata.labels['key'] and metadata.annotations['key'] name one entry.
    const subscripted = /^metadata\.(labels|annotations)\['[^']+'\]$/.test(fp ?? "");
    if (!fp) errs.push(required(fieldPath));
    else if (!subscripted && !envFieldPaths.includes(fp)) errs.push(notSupported(fieldPath, fp, envFieldPaths));
  }
  if (from.resourceFieldRef) {
    sources++;
    const r = from.resourceFieldRef.resource;
    if (!r) errs.push(required(child(child(p, "resourceFieldRef"), "resource")));
    else if (!envResourcePaths.includes(r)) errs.push(notSupported(child(child(p, "resourceFieldRef"), "resource"), r, envResourcePaths));
  }
  if (from.configMapKeyRef) {
    sources++;
    errs.push(...validateKeyRef(from.configMapKeyRef, child(p, "configMapKeyRef")));
  }
  if (from.secretKeyRef) {
    sources++;
    errs.push(...validateKeyRef(from.secretKeyRef, child(p, "secretKeyRef")));
  }
  if (sources === 0) errs.push(invalid(p, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"));
  else if (e.value) errs.push(invalid(p, "", "may not be specified when `value` is not empty"));
  else if (sources > 1) errs.push(invalid(p, "", "may not have more than one field specified at a time"));
  return errs;
}

function validatePorts(c: Container, path: string, ctx: ContainerContext): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (c.ports ?? []).forEach((port, i) => {
    const p = at(path, i);
    if (port.name) {
      const msgs = isValidPortName(port.name);
      if (msgs.length) errs.push(...msgs.map((m) => invalid(child(p, "name"), port.name, m)));
      else if (names.has(port.name)) errs.push(duplicate(child(p, "name"), port.name));
      else names.add(port.name);
    }
    if (!port.containerPort) errs.push(required(child(p, "containerPort")));
    else errs.push(...isValidPortNum(port.containerPort).map((m) => invalid(child(p, "containerPort"), port.containerPort, m)));
    if (port.hostPort) errs.push(...isValidPortNum(port.hostPort).map((m) => invalid(child(p, "hostPort"), port.hostPort, m)));
    if (ctx.hostNetwork && port.hostPort && port.hostPort !== port.containerPort) {
      errs.push(invalid(child(p, "hostPort"), port.hostPort, "must match `containerPort` when `hostNetwork` is true"));
    }
    if (!port.protocol) errs.push(required(child(p, "protocol")));
    else if (!protocols.includes(port.protocol)) errs.push(notSupported(child(p, "protocol"), port.protocol, protocols));
  });
  return errs;
}

function validateMounts(c: Container, path: string, ctx: ContainerContext): FieldError[] {
  const errs: FieldError[] = [];
  const paths = new Set<string>();
  (c.volumeMounts ?? []).forEach((m, i) => {
    const p = at(path, i);
    if (!m.name) errs.push(required(child(p, "name")));
    else if (!ctx.volumes.has(m.name)) errs.push(notFound(child(p, "name"), m.name));
    if (!m.mountPath) errs.push(required(child(p, "mountPath")));
    else if (paths.has(m.mountPath)) errs.push(invalid(child(p, "mountPath"), m.mountPath, "must be unique"));
    else paths.add(m.mountPath);
    if (m.subPath) {
      if (m.subPath.startsWith("/")) errs.push(invalid(child(p, "subPath"), m.subPath, "must be a relative path"));
      else if (m.subPath.split("/").includes("..")) errs.push(invalid(child(p, "subPath"), m.subPath, "must not contain '..'"));
    }
  });
  return errs;
}

/** One container at `path` (`spec.containers[0]`); `init` for init containers. */
export function validateContainer(c: Container, path: string, ctx: ContainerContext, init: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const namePath = child(path, "name");
  if (!c.name) errs.push(required(namePath));
  else {
    const msgs = isDNS1123Label(c.name);
    if (msgs.length) errs.push(...msgs.map((m) => invalid(namePath, c.name, m)));
    else if (ctx.names.has(c.name)) errs.push(duplicate(namePath, c.name));
    else ctx.names.add(c.name);
  }
  if (!c.image) errs.push(required(child(path, "image")));
  else if (c.image.trim() !== c.image) errs.push(invalid(child(path, "image"), c.image, "must not have leading or trailing whitespace"));
  if (!c.imagePullPolicy) errs.push(required(child(path, "imagePullPolicy")));
  else if (!pullPolicies.includes(c.imagePullPolicy)) errs.push(notSupported(child(path, "imagePullPolicy"), c.imagePullPolicy, pullPolicies));
  if (c.terminationMessagePolicy && !["File", "FallbackToLogsOnError"].includes(c.terminationMessagePolicy)) {
    errs.push(notSupported(child(path, "terminationMessagePolicy"), c.terminationMessagePolicy, ["File", "FallbackToLogsOnError"]));
  }
  const sidecar = init && c.restartPolicy === "Always";
  if (c.restartPolicy !== undefined) {
    if (!init) errs.push(forbidden(child(path, "restartPolicy"), "may not be set for non-init containers"));
    else if (c.restartPolicy !== "Always") errs.push(notSupported(child(path, "restartPolicy"), c.restartPolicy, ["Always"]));
  }
  errs.push(...validatePorts(c, child(path, "ports"), ctx));
  (c.env ?? []).forEach((e, i) => errs.push(...validateEnvVar(e, at(child(path, "env"), i))));
  (c.envFrom ?? []).forEach((e, i) => {
    const p = at(child(path, "envFrom"), i);
    const refs = [e.configMapRef && "configMapRef", e.secretRef && "secretRef"].filter((x): x is string => !!x);
    if (refs.length === 0) errs.push(invalid(p, "", "must specify one of: `configMapRef` or `secretRef`"));
    else if (refs.length > 1) errs.push(invalid(p, "", "may not have more than one field specified at a time"));
    for (const r of refs) {
      const name = (e as Record<string, { name?: string } | undefined>)[r]?.name;
      if (!name) errs.push(required(child(child(p, r), "name")));
    }
    if (e.prefix) errs.push(...isRelaxedEnvVarName(e.prefix).map((m) => invalid(child(p, "prefix"), e.prefix, m)));
  });
  errs.push(...validateMounts(c, child(path, "volumeMounts"), ctx));
  if (init && !sidecar) {
    for (const f of ["lifecycle", "livenessProbe", "readinessProbe", "startupProbe"] as const) {
      if (c[f]) errs.push(forbidden(child(path, f), "may not be set for init containers without restartPolicy=Always"));
    }
  } else {
    errs.push(...validateProbe(c.livenessProbe, child(path, "livenessProbe"), true));
    errs.push(...validateProbe(c.readinessProbe, child(path, "readinessProbe"), false));
    errs.push(...validateProbe(c.startupProbe, child(path, "startupProbe"), true));
  }
  errs.push(...validateResourceRequirements(c.resources, child(path, "resources")));
  return errs;
}
