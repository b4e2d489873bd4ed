/**
 * The fields each served kind declares, as far as the front checks them for
 * `fieldValidation` (kube-apiserver's unknown-field detection). A type maps
 * field names to what is inside: `""` = not looked into (a scalar, or a
 * structure whose fields this table does not list), a type name, `[T]` a
 * list of T. Only structures whose full field set (Kubernetes v1.32) is
 * listed are checked, so a valid manifest is never refused.
 */

/** Field name → what it holds. */
export type FieldTable = Readonly<Record<string, string>>;

const OPEN = "";

const objectMeta: FieldTable = {
  name: OPEN, generateName: OPEN, namespace: OPEN, selfLink: OPEN, uid: OPEN, resourceVersion: OPEN, generation: OPEN,
  creationTimestamp: OPEN, deletionTimestamp: OPEN, deletionGracePeriodSeconds: OPEN, labels: OPEN, annotations: OPEN,
  ownerReferences: "[OwnerReference]", finalizers: OPEN, managedFields: OPEN,
};

const podSpec: FieldTable = {
  volumes: "[Volume]", initContainers: "[Container]", containers: "[Container]", ephemeralContainers: OPEN, restartPolicy: OPEN,
  terminationGracePeriodSeconds: OPEN, activeDeadlineSeconds: OPEN, dnsPolicy: OPEN, nodeSelector: OPEN, serviceAccountName: OPEN,
  serviceAccount: OPEN, automountServiceAccountToken: OPEN, nodeName: OPEN, hostNetwork: OPEN, hostPID: OPEN, hostIPC: OPEN,
  shareProcessNamespace: OPEN, securityContext: OPEN, imagePullSecrets: OPEN, hostname: OPEN, subdomain: OPEN, affinity: OPEN,
  schedulerName: OPEN, tolerations: "[Toleration]", hostAliases: OPEN, priorityClassName: OPEN, priority: OPEN, dnsConfig: OPEN,
  readinessGates: OPEN, runtimeClassName: OPEN, enableServiceLinks: OPEN, preemptionPolicy: OPEN, overhead: OPEN,
  topologySpreadConstraints: OPEN, setHostnameAsFQDN: OPEN, os: OPEN, hostUsers: OPEN, schedulingGates: OPEN, resourceClaims: OPEN,
  resources: "ResourceRequirements",
};

const container: FieldTable = {
  name: OPEN, image: OPEN, command: OPEN, args: OPEN, workingDir: OPEN, ports: "[ContainerPort]", envFrom: OPEN, env: "[EnvVar]",
  resources: "ResourceRequirements", resizePolicy: OPEN, restartPolicy: OPEN, volumeMounts: "[VolumeMount]", volumeDevices: OPEN,
  livenessProbe: "Probe", readinessProbe: "Probe", startupProbe: "Probe", lifecycle: OPEN, terminationMessagePath: OPEN,
  terminationMessagePolicy: OPEN, imagePullPolicy: OPEN, securityContext: OPEN, stdin: OPEN, stdinOnce: OPEN, tty: OPEN,
};

const volumeSources = [
  "hostPath", "emptyDir", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "secret", "nfs", "iscsi", "glusterfs",
  "persistentVolumeClaim", "rbd", "flexVolume", "cinder", "cephfs", "flocker", "downwardAPI", "fc", "azureFile", "configMap",
  "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "projected", "portworxVolume", "scaleIO", "storageos", "csi",
  "ephemeral", "image",
];

/** Every checked structure, by name. */
export const types: Readonly<Record<string, FieldTable>> = {
  ObjectMeta: objectMeta,
  OwnerReference: { apiVersion: OPEN, kind: OPEN, name: OPEN, uid: OPEN, controller: OPEN, blockOwnerDeletion: OPEN },
  PodTemplateSpec: { metadata: "ObjectMeta", spec: "PodSpec" },
  PodSpec: podSpec,
  Container: container,
  ContainerPort: { name: OPEN, hostPort: OPEN, containerPort: OPEN, protocol: OPEN, hostIP: OPEN },
  EnvVar: { name: OPEN, value: OPEN, valueFrom: OPEN },
  VolumeMount: { name: OPEN, readOnly: OPEN, recursiveReadOnly: OPEN, mountPath: OPEN, subPath: OPEN, mountPropagation: OPEN, subPathExpr: OPEN },
  ResourceRequirements: { limits: OPEN, requests: OPEN, claims: OPEN },
  Probe: {
    exec: OPEN, httpGet: OPEN, tcpSocket: OPEN, grpc: OPEN, initialDelaySeconds: OPEN, timeoutSeconds: OPEN, periodSeconds: OPEN,
    successThreshold: OPEN, failureThreshold: OPEN, terminationGracePeriodSeconds: OPEN,
  },
  Toleration: { key: OPEN, operator: OPEN, value: OPEN, effect: OPEN, tolerationSeconds: OPEN },
  Volume: Object.fromEntries([["name", OPEN], ...volumeSources.map((s) => [s, OPEN])]),
  DeploymentSpec: {
    replicas: OPEN, selector: OPEN, template: "PodTemplateSpec", strategy: OPEN, minReadySeconds: OPEN, revisionHistoryLimit: OPEN,
    paused: OPEN, progressDeadlineSeconds: OPEN,
  },
  ReplicaSetSpec: { replicas: OPEN, minReadySeconds: OPEN, selector: OPEN, template: "PodTemplateSpec" },
  ServiceSpec: {
    ports: "[ServicePort]", selector: OPEN, clusterIP: OPEN, clusterIPs: OPEN, type: OPEN, externalIPs: OPEN, sessionAffinity: OPEN,
    loadBalancerIP: OPEN, loadBalancerSourceRanges: OPEN, externalName: OPEN, externalTrafficPolicy: OPEN, healthCheckNodePort: OPEN,
    publishNotReadyAddresses: OPEN, sessionAffinityConfig: OPEN, ipFamilies: OPEN, ipFamilyPolicy: OPEN,
    allocateLoadBalancerNodePorts: OPEN, loadBalancerClass: OPEN, internalTrafficPolicy: OPEN, trafficDistribution: OPEN,
  },
  ServicePort: { name: OPEN, protocol: OPEN, appProtocol: OPEN, port: OPEN, targetPort: OPEN, nodePort: OPEN },
};

const top = (extra: FieldTable): FieldTable => ({ apiVersion: OPEN, kind: OPEN, metadata: "ObjectMeta", ...extra });

/** The root structure of each checked kind, by `group/Kind` (`/Pod` for the core group). */
export const roots: Readonly<Record<string, FieldTable>> = {
  "/Pod": top({ spec: "PodSpec", status: OPEN }),
  "/PodTemplate": top({ template: "PodTemplateSpec" }),
  "/Service": top({ spec: "ServiceSpec", status: OPEN }),
  "/ConfigMap": top({ data: OPEN, binaryData: OPEN, immutable: OPEN }),
  "/Secret": top({ data: OPEN, stringData: OPEN, type: OPEN, immutable: OPEN }),
  "/Namespace": top({ spec: OPEN, status: OPEN }),
  "/Node": top({ spec: OPEN, status: OPEN }),
  "/ServiceAccount": top({ secrets: OPEN, imagePullSecrets: OPEN, automountServiceAccountToken: OPEN }),
  "/Endpoints": top({ subsets: OPEN }),
  "/PersistentVolume": top({ spec: OPEN, status: OPEN }),
  "/PersistentVolumeClaim": top({ spec: OPEN, status: OPEN }),
  "/Event": top({
    involvedObject: OPEN, reason: OPEN, message: OPEN, source: OPEN, firstTimestamp: OPEN, lastTimestamp: OPEN, count: OPEN, type: OPEN,
    eventTime: OPEN, series: OPEN, action: OPEN, related: OPEN, reportingComponent: OPEN, reportingInstance: OPEN,
  }),
  "apps/Deployment": top({ spec: "DeploymentSpec", status: OPEN }),
  "apps/ReplicaSet": top({ spec: "ReplicaSetSpec", status: OPEN }),
  "discovery.k8s.io/EndpointSlice": top({ addressType: OPEN, endpoints: OPEN, ports: OPEN }),
  "coordination.k8s.io/Lease": top({ spec: OPEN }),
};
