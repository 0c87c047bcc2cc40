/**
 * What kubernetes-types' .d.ts files cannot say about the API's fields, taken
 * from upstream's types.go (struct tags and `+` markers) and published
 * OpenAPI: integer widths, list/map semantics for server-side apply, strategic
 * merge patch strategies, enums (`+enum` types with their constants' docs),
 * Go value (non-pointer) structs, and explicit `+default`s.
 *
 * Used at build time by tools/gen-schemas.ts. Integers are int32 unless
 * listed as int64; lists without facts are atomic.
 */

export interface FieldFacts {
  /** OpenAPI format; integers default to int32. */
  format?: 'int64' | 'double' | 'byte';
  /** The `+enum` Go type of the field (of its items, for lists); a key of `enums`. */
  enum?: string;
  listType?: 'atomic' | 'set' | 'map';
  listMapKeys?: string[];
  patchStrategy?: 'merge' | 'retainKeys' | 'merge,retainKeys';
  patchMergeKey?: string;
  mapType?: 'atomic' | 'granular';
  /** `+default=` marker, or the zero value of a non-omitempty optional field. */
  default?: unknown;
  /** A non-pointer struct field: upstream publishes `default: {}`. */
  value?: true;
  /** A named Go type, for decode error messages (`of type types.UID`). */
  goType?: string;
}

export interface GVK {
  group: string;
  version: string;
  kind: string;
}

/** Private extension carrying the Go type name; stripped from published documents. */
export const GO_TYPE_KEY = 'x-svcnet-go-type';

export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
export const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
export const TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.Time';
export const MICRO_TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime';

const core = 'io.k8s.api.core.v1.';
const apps = 'io.k8s.api.apps.v1.';
const discovery = 'io.k8s.api.discovery.v1.';
const networking = 'io.k8s.api.networking.v1.';
const autoscaling = 'io.k8s.api.autoscaling.v1.';
const coordination = 'io.k8s.api.coordination.v1.';
const policy = 'io.k8s.api.policy.v1.';
const batch = 'io.k8s.api.batch.v1.';
const meta = 'io.k8s.apimachinery.pkg.apis.meta.v1.';

const atomic: FieldFacts = { listType: 'atomic' };
const set: FieldFacts = { listType: 'set' };
const int64: FieldFacts = { format: 'int64' };
const value: FieldFacts = { value: true };
const atomicMap: FieldFacts = { mapType: 'atomic' };
const e = (name: string): FieldFacts => ({ enum: name });
/** `+listType=map` with `+listMapKey`s and the matching `patchStrategy=merge` / `patchMergeKey`. */
const mergeMap = (key: string, ...more: string[]): FieldFacts => ({
  listType: 'map',
  listMapKeys: [key, ...more],
  patchStrategy: 'merge',
  patchMergeKey: key,
});
const mapList = (...keys: string[]): FieldFacts => ({ listType: 'map', listMapKeys: keys });

/** Fields of the Container and EphemeralContainer structs (EphemeralContainerCommon mirrors Container). */
const containerFields: Record<string, FieldFacts> = {
  args: atomic,
  command: atomic,
  env: mergeMap('name'),
  envFrom: atomic,
  imagePullPolicy: e('PullPolicy'),
  ports: mergeMap('containerPort', 'protocol'),
  resizePolicy: atomic,
  resources: value,
  terminationMessagePolicy: e('TerminationMessagePolicy'),
  volumeDevices: mergeMap('devicePath'),
  volumeMounts: mergeMap('mountPath'),
};

const conditionsByType = mergeMap('type');

export const fieldFacts: Record<string, Record<string, FieldFacts>> = {
  // ---- meta/v1
  [`${meta}ObjectMeta`]: {
    deletionGracePeriodSeconds: int64,
    finalizers: { listType: 'set', patchStrategy: 'merge' },
    generation: int64,
    managedFields: atomic,
    ownerReferences: mergeMap('uid'),
    uid: { goType: 'types.UID' },
  },
  [`${meta}OwnerReference`]: { uid: { goType: 'types.UID' } },
  [`${meta}ListMeta`]: { remainingItemCount: int64 },
  [`${meta}LabelSelector`]: { matchExpressions: atomic },
  [`${meta}LabelSelectorRequirement`]: { operator: { goType: 'v1.LabelSelectorOperator' }, values: atomic },
  [`${meta}Condition`]: { observedGeneration: int64, status: { goType: 'v1.ConditionStatus' } },
  [`${meta}ManagedFieldsEntry`]: { operation: { goType: 'v1.ManagedFieldsOperationType' } },
  [`${meta}StatusDetails`]: { causes: atomic, uid: { goType: 'types.UID' } },
  [`${meta}StatusCause`]: { reason: { goType: 'v1.CauseType' } },
  [`${meta}Status`]: { reason: { goType: 'v1.StatusReason' } },
  [`${meta}Preconditions`]: { uid: { goType: 'types.UID' } },
  [`${meta}DeleteOptions`]: {
    dryRun: atomic,
    gracePeriodSeconds: int64,
    propagationPolicy: { goType: 'v1.DeletionPropagation' },
  },
  [`${meta}APIResource`]: { categories: atomic, shortNames: atomic },
  [`${meta}APIResourceList`]: { resources: atomic },
  [`${meta}APIGroup`]: { preferredVersion: value, serverAddressByClientCIDRs: atomic, versions: atomic },
  [`${meta}APIGroupList`]: { groups: atomic },
  [`${meta}APIVersions`]: { serverAddressByClientCIDRs: atomic, versions: atomic },

  // ---- core/v1: services and endpoints
  [`${core}ServiceSpec`]: {
    clusterIPs: atomic,
    externalIPs: atomic,
    externalTrafficPolicy: e('ServiceExternalTrafficPolicy'),
    internalTrafficPolicy: e('ServiceInternalTrafficPolicy'),
    ipFamilies: { ...atomic, enum: 'IPFamily' },
    ipFamilyPolicy: e('IPFamilyPolicy'),
    loadBalancerSourceRanges: atomic,
    ports: mergeMap('port', 'protocol'),
    selector: atomicMap,
    sessionAffinity: e('ServiceAffinity'),
    type: e('ServiceType'),
  },
  [`${core}ServicePort`]: { protocol: { enum: 'Protocol', default: 'TCP' } },
  [`${core}ServiceStatus`]: { conditions: conditionsByType, loadBalancer: value },
  [`${core}LoadBalancerStatus`]: { ingress: atomic },
  [`${core}LoadBalancerIngress`]: { ipMode: { goType: 'v1.LoadBalancerIPMode' }, ports: atomic },
  [`${core}PortStatus`]: { protocol: e('Protocol') },
  [`${core}Endpoints`]: { subsets: atomic },
  [`${core}EndpointSubset`]: { addresses: atomic, notReadyAddresses: atomic, ports: atomic },
  [`${core}EndpointPort`]: { protocol: e('Protocol') },

  // ---- core/v1: configuration
  [`${core}ConfigMap`]: { binaryData: { format: 'byte' } },
  [`${core}Secret`]: { data: { format: 'byte' }, type: { goType: 'v1.SecretType' } },
  [`${core}ServiceAccount`]: { imagePullSecrets: atomic, secrets: mergeMap('name') },

  // ---- core/v1: namespaces, nodes, events, bindings
  [`${core}NamespaceSpec`]: { finalizers: { ...atomic, goType: 'v1.FinalizerName' } },
  [`${core}NamespaceStatus`]: { conditions: conditionsByType, phase: e('NamespacePhase') },
  [`${core}NamespaceCondition`]: { status: { goType: 'v1.ConditionStatus' } },
  [`${core}NodeSpec`]: { podCIDRs: { listType: 'set', patchStrategy: 'merge' }, taints: atomic },
  [`${core}NodeStatus`]: {
    addresses: mergeMap('type'),
    conditions: conditionsByType,
    daemonEndpoints: value,
    images: atomic,
    nodeInfo: value,
    phase: e('NodePhase'),
    runtimeHandlers: atomic,
    volumesAttached: atomic,
    volumesInUse: atomic,
  },
  [`${core}NodeCondition`]: {
    status: { goType: 'v1.ConditionStatus' },
    type: { goType: 'v1.NodeConditionType' },
  },
  [`${core}NodeAddress`]: { type: { goType: 'v1.NodeAddressType' } },
  [`${core}NodeDaemonEndpoints`]: { kubeletEndpoint: value },
  [`${core}NodeRuntimeHandler`]: { name: { default: '' } },
  [`${core}ContainerImage`]: { names: atomic, sizeBytes: int64 },
  [`${core}Taint`]: { effect: e('TaintEffect') },
  [`${core}Toleration`]: {
    effect: e('TaintEffect'),
    operator: e('TolerationOperator'),
    tolerationSeconds: int64,
  },
  [`${core}Event`]: {
    involvedObject: value,
    reportingComponent: { default: '' },
    reportingInstance: { default: '' },
    source: value,
  },
  [`${core}Binding`]: { target: value },
  [`${core}LocalObjectReference`]: { name: { default: '' } },

  // ---- core/v1: pods
  [`${core}PodSpec`]: {
    activeDeadlineSeconds: int64,
    containers: mergeMap('name'),
    dnsPolicy: e('DNSPolicy'),
    ephemeralContainers: mergeMap('name'),
    hostAliases: mergeMap('ip'),
    imagePullSecrets: mergeMap('name'),
    initContainers: mergeMap('name'),
    nodeSelector: atomicMap,
    preemptionPolicy: e('PreemptionPolicy'),
    readinessGates: atomic,
    resourceClaims: { ...mergeMap('name'), patchStrategy: 'merge,retainKeys' },
    restartPolicy: e('RestartPolicy'),
    schedulingGates: mergeMap('name'),
    terminationGracePeriodSeconds: int64,
    tolerations: atomic,
    topologySpreadConstraints: mergeMap('topologyKey', 'whenUnsatisfiable'),
    volumes: { ...mergeMap('name'), patchStrategy: 'merge,retainKeys' },
  },
  [`${core}PodStatus`]: {
    conditions: conditionsByType,
    containerStatuses: atomic,
    ephemeralContainerStatuses: atomic,
    hostIPs: { listType: 'atomic', patchStrategy: 'merge', patchMergeKey: 'ip' },
    initContainerStatuses: atomic,
    phase: e('PodPhase'),
    podIPs: mergeMap('ip'),
    qosClass: e('PodQOSClass'),
    resize: { goType: 'v1.PodResizeStatus' },
    resourceClaimStatuses: { ...mergeMap('name'), patchStrategy: 'merge,retainKeys' },
  },
  [`${core}PodCondition`]: {
    status: { goType: 'v1.ConditionStatus' },
    type: { goType: 'v1.PodConditionType' },
  },
  [`${core}PodTemplateSpec`]: { spec: value },
  [`${core}Container`]: containerFields,
  [`${core}EphemeralContainer`]: containerFields,
  [`${core}ContainerPort`]: { protocol: { enum: 'Protocol', default: 'TCP' } },
  [`${core}ContainerStatus`]: { lastState: value, state: value, volumeMounts: mergeMap('mountPath') },
  [`${core}ContainerResizePolicy`]: {
    resourceName: { goType: 'v1.ResourceName' },
    restartPolicy: { goType: 'v1.ResourceResizeRestartPolicy' },
  },
  [`${core}ResourceRequirements`]: { claims: mapList('name') },
  [`${core}VolumeMount`]: {
    mountPropagation: e('MountPropagationMode'),
    recursiveReadOnly: { goType: 'v1.RecursiveReadOnlyMode' },
  },
  [`${core}VolumeMountStatus`]: { recursiveReadOnly: { goType: 'v1.RecursiveReadOnlyMode' } },
  [`${core}Capabilities`]: {
    add: { ...atomic, goType: 'v1.Capability' },
    drop: { ...atomic, goType: 'v1.Capability' },
  },
  [`${core}PodSecurityContext`]: {
    fsGroup: int64,
    fsGroupChangePolicy: e('PodFSGroupChangePolicy'),
    runAsGroup: int64,
    runAsUser: int64,
    supplementalGroups: { ...atomic, ...int64 },
    sysctls: atomic,
  },
  [`${core}SecurityContext`]: { procMount: e('ProcMountType'), runAsGroup: int64, runAsUser: int64 },
  [`${core}SeccompProfile`]: { type: e('SeccompProfileType') },
  [`${core}AppArmorProfile`]: { type: e('AppArmorProfileType') },
  [`${core}PodDNSConfig`]: { nameservers: atomic, options: atomic, searches: atomic },
  [`${core}HostAlias`]: { hostnames: atomic },
  [`${core}Probe`]: { terminationGracePeriodSeconds: int64 },
  [`${core}HTTPGetAction`]: { httpHeaders: atomic, scheme: e('URIScheme') },
  [`${core}GRPCAction`]: { service: { default: '' } },
  [`${core}ExecAction`]: { command: atomic },
  [`${core}SleepAction`]: { seconds: int64 },
  [`${core}Affinity`]: {},
  [`${core}NodeAffinity`]: { preferredDuringSchedulingIgnoredDuringExecution: atomic },
  [`${core}PreferredSchedulingTerm`]: { preference: value },
  [`${core}NodeSelector`]: { nodeSelectorTerms: atomic },
  [`${core}NodeSelectorTerm`]: { matchExpressions: atomic, matchFields: atomic },
  [`${core}NodeSelectorRequirement`]: { operator: e('NodeSelectorOperator'), values: atomic },
  [`${core}PodAffinity`]: {
    preferredDuringSchedulingIgnoredDuringExecution: atomic,
    requiredDuringSchedulingIgnoredDuringExecution: atomic,
  },
  [`${core}PodAntiAffinity`]: {
    preferredDuringSchedulingIgnoredDuringExecution: atomic,
    requiredDuringSchedulingIgnoredDuringExecution: atomic,
  },
  [`${core}WeightedPodAffinityTerm`]: { podAffinityTerm: value },
  [`${core}PodAffinityTerm`]: { matchLabelKeys: atomic, mismatchLabelKeys: atomic, namespaces: atomic },
  [`${core}TopologySpreadConstraint`]: {
    matchLabelKeys: atomic,
    nodeAffinityPolicy: e('NodeInclusionPolicy'),
    nodeTaintsPolicy: e('NodeInclusionPolicy'),
    whenUnsatisfiable: e('UnsatisfiableConstraintAction'),
  },
  [`${core}PodOS`]: { name: { goType: 'v1.OSName' } },
  [`${core}PodReadinessGate`]: { conditionType: { goType: 'v1.PodConditionType' } },

  // ---- core/v1: volumes
  [`${core}HostPathVolumeSource`]: { type: e('HostPathType') },
  [`${core}EmptyDirVolumeSource`]: { medium: { goType: 'v1.StorageMedium' } },
  [`${core}SecretVolumeSource`]: { items: atomic },
  [`${core}SecretProjection`]: { items: atomic },
  [`${core}ConfigMapVolumeSource`]: { items: atomic },
  [`${core}ConfigMapProjection`]: { items: atomic },
  [`${core}DownwardAPIVolumeSource`]: { items: atomic },
  [`${core}DownwardAPIProjection`]: { items: atomic },
  [`${core}ProjectedVolumeSource`]: { sources: atomic },
  [`${core}ServiceAccountTokenProjection`]: { expirationSeconds: int64 },
  [`${core}CephFSVolumeSource`]: { monitors: atomic },
  [`${core}RBDVolumeSource`]: {
    keyring: { default: '/etc/ceph/keyring' },
    monitors: atomic,
    pool: { default: 'rbd' },
    user: { default: 'admin' },
  },
  [`${core}ISCSIVolumeSource`]: { iscsiInterface: { default: 'default' }, portals: atomic },
  [`${core}FCVolumeSource`]: { targetWWNs: atomic, wwids: atomic },
  [`${core}AzureDiskVolumeSource`]: {
    cachingMode: { enum: 'AzureDataDiskCachingMode', default: 'ReadWrite' },
    fsType: { default: 'ext4' },
    kind: { enum: 'AzureDataDiskKind', default: 'Shared' },
    readOnly: { default: false },
  },
  [`${core}ScaleIOVolumeSource`]: { fsType: { default: 'xfs' }, storageMode: { default: 'ThinProvisioned' } },
  [`${core}PersistentVolumeClaim`]: {},
  [`${core}PersistentVolumeClaimTemplate`]: { spec: value },
  [`${core}PersistentVolumeClaimSpec`]: {
    accessModes: { ...atomic, enum: 'PersistentVolumeAccessMode' },
    resources: value,
    volumeMode: e('PersistentVolumeMode'),
  },
  [`${core}PersistentVolumeClaimStatus`]: {
    accessModes: { ...atomic, enum: 'PersistentVolumeAccessMode' },
    allocatedResourceStatuses: { mapType: 'granular' },
    conditions: conditionsByType,
    phase: e('PersistentVolumeClaimPhase'),
  },
  [`${core}PersistentVolumeClaimCondition`]: { status: { goType: 'v1.ConditionStatus' } },
  [`${core}ModifyVolumeStatus`]: { status: e('PersistentVolumeClaimModifyVolumeStatus') },
  [`${core}ResourceFieldSelector`]: {},

  // ---- apps/v1
  [`${apps}DeploymentSpec`]: {
    strategy: { value: true, patchStrategy: 'retainKeys' },
    template: value,
  },
  [`${apps}DeploymentStrategy`]: { type: e('DeploymentStrategyType') },
  [`${apps}DeploymentStatus`]: { conditions: conditionsByType, observedGeneration: int64 },
  [`${apps}DeploymentCondition`]: { status: { goType: 'v1.ConditionStatus' } },
  [`${apps}ReplicaSetSpec`]: { template: value },
  [`${apps}ReplicaSetStatus`]: { conditions: conditionsByType, observedGeneration: int64 },
  [`${apps}ReplicaSetCondition`]: { status: { goType: 'v1.ConditionStatus' } },
  [`${apps}StatefulSetSpec`]: {
    podManagementPolicy: e('PodManagementPolicyType'),
    template: value,
    updateStrategy: value,
    volumeClaimTemplates: atomic,
  },
  [`${apps}StatefulSetUpdateStrategy`]: { type: e('StatefulSetUpdateStrategyType') },
  [`${apps}StatefulSetStatus`]: {
    availableReplicas: { default: 0 },
    conditions: conditionsByType,
    observedGeneration: int64,
  },
  [`${apps}StatefulSetCondition`]: { status: { goType: 'v1.ConditionStatus' } },
  [`${apps}StatefulSetOrdinals`]: { start: { default: 0 } },
  [`${apps}DaemonSetSpec`]: { template: value, updateStrategy: value },
  [`${apps}DaemonSetUpdateStrategy`]: { type: e('DaemonSetUpdateStrategyType') },
  [`${apps}DaemonSetStatus`]: { conditions: conditionsByType, observedGeneration: int64 },
  [`${apps}DaemonSetCondition`]: { status: { goType: 'v1.ConditionStatus' } },

  // ---- core/v1: replication controllers and persistent volumes
  [`${core}ReplicationControllerSpec`]: { selector: atomicMap },
  [`${core}ReplicationControllerStatus`]: { conditions: conditionsByType, observedGeneration: int64 },
  [`${core}ReplicationControllerCondition`]: { status: { goType: 'v1.ConditionStatus' } },
  [`${core}PersistentVolumeSpec`]: {
    accessModes: { ...atomic, enum: 'PersistentVolumeAccessMode' },
    mountOptions: atomic,
    persistentVolumeReclaimPolicy: e('PersistentVolumeReclaimPolicy'),
    volumeMode: e('PersistentVolumeMode'),
  },
  [`${core}PersistentVolumeStatus`]: { phase: e('PersistentVolumePhase') },

  // ---- networking/v1
  [`${networking}IngressSpec`]: { rules: atomic, tls: atomic },
  [`${networking}IngressTLS`]: { hosts: atomic },
  [`${networking}IngressServiceBackend`]: { port: value },
  [`${networking}HTTPIngressRuleValue`]: { paths: atomic },
  [`${networking}HTTPIngressPath`]: { backend: value, pathType: e('PathType') },
  [`${networking}IngressStatus`]: { loadBalancer: value },
  [`${networking}IngressLoadBalancerStatus`]: { ingress: atomic },
  [`${networking}IngressLoadBalancerIngress`]: { ports: atomic },

  // ---- batch/v1
  [`${batch}JobSpec`]: {
    activeDeadlineSeconds: int64,
    completionMode: e('CompletionMode'),
    podReplacementPolicy: e('PodReplacementPolicy'),
    template: value,
  },
  [`${batch}JobStatus`]: {
    conditions: { listType: 'atomic', patchStrategy: 'merge', patchMergeKey: 'type' },
  },
  [`${batch}JobCondition`]: { status: { goType: 'v1.ConditionStatus' } },
  [`${batch}UncountedTerminatedPods`]: { succeeded: set, failed: set },
  [`${batch}PodFailurePolicy`]: { rules: atomic },
  [`${batch}PodFailurePolicyRule`]: { action: e('PodFailurePolicyAction'), onPodConditions: atomic },
  [`${batch}PodFailurePolicyOnExitCodesRequirement`]: {
    operator: e('PodFailurePolicyOnExitCodesOperator'),
    values: set,
  },
  [`${batch}SuccessPolicy`]: { rules: atomic },
  [`${batch}JobTemplateSpec`]: {},
  [`${batch}CronJobSpec`]: {
    concurrencyPolicy: e('ConcurrencyPolicy'),
    jobTemplate: value,
    startingDeadlineSeconds: int64,
  },
  [`${batch}CronJobStatus`]: { active: atomic },

  // ---- discovery/v1
  [`${discovery}EndpointSlice`]: {
    addressType: { goType: 'v1.AddressType' },
    endpoints: atomic,
    ports: atomic,
  },
  [`${discovery}Endpoint`]: { addresses: set, conditions: value },
  [`${discovery}EndpointHints`]: { forZones: atomic },
  [`${discovery}EndpointPort`]: { protocol: { goType: 'v1.Protocol' } },

  // ---- autoscaling/v1
  [`${autoscaling}Scale`]: {},
};

/** Struct-level markers: `+structType=atomic` (published as x-kubernetes-map-type) and unions. */
export const structFacts: Record<string, { atomic?: true; unions?: unknown[] }> = {
  [`${meta}OwnerReference`]: { atomic: true },
  [`${meta}LabelSelector`]: { atomic: true },
  [`${core}ObjectReference`]: { atomic: true },
  [`${core}LocalObjectReference`]: { atomic: true },
  [`${core}TypedLocalObjectReference`]: { atomic: true },
  [`${core}ObjectFieldSelector`]: { atomic: true },
  [`${core}ResourceFieldSelector`]: { atomic: true },
  [`${core}ConfigMapKeySelector`]: { atomic: true },
  [`${core}SecretKeySelector`]: { atomic: true },
  [`${core}NodeSelector`]: { atomic: true },
  [`${core}NodeSelectorTerm`]: { atomic: true },
  [`${core}EndpointAddress`]: { atomic: true },
  [`${core}EndpointPort`]: { atomic: true },
  [`${discovery}EndpointPort`]: { atomic: true },
  [`${core}SeccompProfile`]: {
    unions: [{ discriminator: 'type', 'fields-to-discriminateBy': { localhostProfile: 'LocalhostProfile' } }],
  },
  [`${core}AppArmorProfile`]: {
    unions: [{ discriminator: 'type', 'fields-to-discriminateBy': { localhostProfile: 'LocalhostProfile' } }],
  },
};

/**
 * `+enum` types: each value with its constant's doc comment, the constant's
 * name already trimmed from the front, as kube-openapi renders them.
 */
export const enums: Record<string, ReadonlyArray<readonly [string, string]>> = {
  ServiceType: [
    ['ClusterIP', 'means a service will only be accessible inside the cluster, via the cluster IP.'],
    [
      'ExternalName',
      'means a service consists of only a reference to an external name that kubedns or equivalent will return as a CNAME record, with no exposing or proxying of any pods involved.',
    ],
    [
      'LoadBalancer',
      "means a service will be exposed via an external load balancer (if the cloud provider supports it), in addition to 'NodePort' type.",
    ],
    [
      'NodePort',
      "means a service will be exposed on one port of every node, in addition to 'ClusterIP' type.",
    ],
  ],
  ServiceAffinity: [
    ['ClientIP', 'is the Client IP based.'],
    ['None', '- no session affinity.'],
  ],
  ServiceExternalTrafficPolicy: [
    ['Cluster', 'routes traffic to all endpoints.'],
    [
      'Local',
      'preserves the source IP of the traffic by routing only to endpoints on the same node as the traffic was received on (dropping the traffic if there are no local endpoints).',
    ],
  ],
  ServiceInternalTrafficPolicy: [
    ['Cluster', 'routes traffic to all endpoints.'],
    [
      'Local',
      'routes traffic only to endpoints on the same node as the client pod (dropping the traffic if there are no local endpoints).',
    ],
  ],
  IPFamily: [
    ['', 'indicates that this IP is unknown protocol'],
    ['IPv4', 'indicates that this IP is IPv4 protocol'],
    ['IPv6', 'indicates that this IP is IPv6 protocol'],
  ],
  IPFamilyPolicy: [
    [
      'PreferDualStack',
      'indicates that this service prefers dual-stack when the cluster is configured for dual-stack. If the cluster is not configured for dual-stack the service will be assigned a single IPFamily. If the IPFamily is not set in service.spec.ipFamilies then the service will be assigned the default IPFamily configured on the cluster',
    ],
    [
      'RequireDualStack',
      'indicates that this service requires dual-stack. Using IPFamilyPolicyRequireDualStack on a single stack cluster will result in validation errors. The IPFamilies (and their order) assigned to this service is based on service.spec.ipFamilies. If service.spec.ipFamilies was not provided then it will be assigned according to how they are configured on the cluster. If service.spec.ipFamilies has only one entry then the alternative IPFamily will be added by apiserver',
    ],
    [
      'SingleStack',
      'indicates that this service is required to have a single IPFamily. The IPFamily assigned is based on the default IPFamily used by the cluster or as identified by service.spec.ipFamilies field',
    ],
  ],
  Protocol: [
    ['SCTP', 'is the SCTP protocol.'],
    ['TCP', 'is the TCP protocol.'],
    ['UDP', 'is the UDP protocol.'],
  ],
  NamespacePhase: [
    ['Active', 'means the namespace is available for use in the system'],
    ['Terminating', 'means the namespace is undergoing graceful termination'],
  ],
  NodePhase: [
    ['Pending', 'means the node has been created/added by the system, but not configured.'],
    ['Running', 'means the node has been configured and has Kubernetes components running.'],
    ['Terminated', 'means the node has been removed from the cluster.'],
  ],
  TaintEffect: [
    [
      'NoExecute',
      'Evict any already-running pods that do not tolerate the taint. Currently enforced by NodeController.',
    ],
    [
      'NoSchedule',
      'Do not allow new pods to schedule onto the node unless they tolerate the taint, but allow all pods submitted to Kubelet without going through the scheduler to start, and allow all already-running pods to continue running. Enforced by the scheduler.',
    ],
    [
      'PreferNoSchedule',
      'Like TaintEffectNoSchedule, but the scheduler tries not to schedule new pods onto the node, rather than prohibiting new pods from scheduling onto the node entirely. Enforced by the scheduler.',
    ],
  ],
  TolerationOperator: [
    ['Equal', ''],
    ['Exists', ''],
  ],
  PodPhase: [
    [
      'Failed',
      'means that all containers in the pod have terminated, and at least one container has terminated in a failure (exited with a non-zero exit code or was stopped by the system).',
    ],
    [
      'Pending',
      'means the pod has been accepted by the system, but one or more of the containers has not been started. This includes time before being bound to a node, as well as time spent pulling images onto the host.',
    ],
    [
      'Running',
      'means the pod has been bound to a node and all of the containers have been started. At least one container is still running or is in the process of being restarted.',
    ],
    [
      'Succeeded',
      'means that all containers in the pod have voluntarily terminated with a container exit code of 0, and the system is not going to restart any of these containers.',
    ],
    [
      'Unknown',
      "means that for some reason the state of the pod could not be obtained, typically due to an error in communicating with the host of the pod. Deprecated: It isn't being set since 2015 (74da3b14b0c0f658b3bb8d2def5094686d0e9095)",
    ],
  ],
  PodQOSClass: [
    ['BestEffort', 'is the BestEffort qos class.'],
    ['Burstable', 'is the Burstable qos class.'],
    ['Guaranteed', 'is the Guaranteed qos class.'],
  ],
  RestartPolicy: [
    ['Always', ''],
    ['Never', ''],
    ['OnFailure', ''],
  ],
  DNSPolicy: [
    [
      'ClusterFirst',
      'indicates that the pod should use cluster DNS first unless hostNetwork is true, if it is available, then fall back on the default (as determined by kubelet) DNS settings.',
    ],
    [
      'ClusterFirstWithHostNet',
      'indicates that the pod should use cluster DNS first, if it is available, then fall back on the default (as determined by kubelet) DNS settings.',
    ],
    ['Default', 'indicates that the pod should use the default (as determined by kubelet) DNS settings.'],
    [
      'None',
      'indicates that the pod should use empty DNS settings. DNS parameters such as nameservers and search paths should be defined via DNSConfig.',
    ],
  ],
  PreemptionPolicy: [
    ['Never', 'means that pod never preempts other pods with lower priority.'],
    ['PreemptLowerPriority', 'means that pod can preempt other pods with lower priority.'],
  ],
  PullPolicy: [
    [
      'Always',
      'means that kubelet always attempts to pull the latest image. Container will fail If the pull fails.',
    ],
    [
      'IfNotPresent',
      "means that kubelet pulls if the image isn't present on disk. Container will fail if the image isn't present and the pull fails.",
    ],
    [
      'Never',
      "means that kubelet never pulls an image, but only uses a local image. Container will fail if the image isn't present",
    ],
  ],
  TerminationMessagePolicy: [
    [
      'FallbackToLogsOnError',
      'will read the most recent contents of the container logs for the container status message when the container exits with an error and the terminationMessagePath has no contents.',
    ],
    [
      'File',
      "is the default behavior and will set the container status message to the contents of the container's terminationMessagePath when the container exits.",
    ],
  ],
  MountPropagationMode: [
    [
      'Bidirectional',
      'means that the volume in a container will receive new mounts from the host or other containers, and its own mounts will be propagated from the container to the host or other containers. Note that this mode is recursively applied to all mounts in the volume ("rshared" in Linux terminology).',
    ],
    [
      'HostToContainer',
      'means that the volume in a container will receive new mounts from the host or other containers, but filesystems mounted inside the container won\'t be propagated to the host or other containers. Note that this mode is recursively applied to all mounts in the volume ("rslave" in Linux terminology).',
    ],
    [
      'None',
      'means that the volume in a container will not receive new mounts from the host or other containers, and filesystems mounted inside the container won\'t be propagated to the host or other containers. Note that this mode corresponds to "private" in Linux terminology.',
    ],
  ],
  URIScheme: [
    ['HTTP', 'means that the scheme used will be http://'],
    ['HTTPS', 'means that the scheme used will be https://'],
  ],
  NodeSelectorOperator: [
    ['DoesNotExist', ''],
    ['Exists', ''],
    ['Gt', ''],
    ['In', ''],
    ['Lt', ''],
    ['NotIn', ''],
  ],
  UnsatisfiableConstraintAction: [
    ['DoNotSchedule', 'instructs the scheduler not to schedule the pod when constraints are not satisfied.'],
    ['ScheduleAnyway', 'instructs the scheduler to schedule the pod even if constraints are not satisfied.'],
  ],
  NodeInclusionPolicy: [
    ['Honor', 'means use this scheduling directive when calculating pod topology spread skew.'],
    ['Ignore', 'means ignore this scheduling directive when calculating pod topology spread skew.'],
  ],
  PodFSGroupChangePolicy: [
    [
      'Always',
      "indicates that volume's ownership and permissions should always be changed whenever volume is mounted inside a Pod. This the default behavior.",
    ],
    [
      'OnRootMismatch',
      "indicates that volume's ownership and permissions will be changed only when permission and ownership of root directory does not match with expected permissions on the volume. This can help shorten the time it takes to change ownership and permissions of a volume.",
    ],
  ],
  SeccompProfileType: [
    [
      'Localhost',
      "indicates a profile defined in a file on the node should be used. The file's location relative to <kubelet-root-dir>/seccomp.",
    ],
    ['RuntimeDefault', 'represents the default container runtime seccomp profile.'],
    ['Unconfined', 'indicates no seccomp profile is applied (A.K.A. unconfined).'],
  ],
  AppArmorProfileType: [
    ['Localhost', 'indicates that a profile pre-loaded on the node should be used.'],
    ['RuntimeDefault', "indicates that the container runtime's default AppArmor profile should be used."],
    ['Unconfined', 'indicates that no AppArmor profile should be enforced.'],
  ],
  ProcMountType: [
    [
      'Default',
      'uses the container runtime defaults for readonly and masked paths for /proc. Most container runtimes mask certain paths in /proc to avoid accidental security exposure of special devices or information.',
    ],
    [
      'Unmasked',
      'bypasses the default masking behavior of the container runtime and ensures the newly created /proc the container stays in tact with no modifications.',
    ],
  ],
  HostPathType: [
    ['', 'For backwards compatible, leave it empty if unset'],
    ['BlockDevice', 'A block device must exist at the given path'],
    ['CharDevice', 'A character device must exist at the given path'],
    ['Directory', 'A directory must exist at the given path'],
    [
      'DirectoryOrCreate',
      'If nothing exists at the given path, an empty directory will be created there as needed with file mode 0755, having the same group and ownership with Kubelet.',
    ],
    ['File', 'A file must exist at the given path'],
    [
      'FileOrCreate',
      'If nothing exists at the given path, an empty file will be created there as needed with file mode 0644, having the same group and ownership with Kubelet.',
    ],
    ['Socket', 'A UNIX socket must exist at the given path'],
  ],
  AzureDataDiskCachingMode: [
    ['None', ''],
    ['ReadOnly', ''],
    ['ReadWrite', ''],
  ],
  AzureDataDiskKind: [
    ['Dedicated', ''],
    ['Managed', ''],
    ['Shared', ''],
  ],
  PersistentVolumeAccessMode: [
    ['ReadOnlyMany', 'can be mounted in read-only mode to many hosts'],
    ['ReadWriteMany', 'can be mounted in read/write mode to many hosts'],
    ['ReadWriteOnce', 'can be mounted in read/write mode to exactly 1 host'],
    [
      'ReadWriteOncePod',
      'can be mounted in read/write mode to exactly 1 pod cannot be used in combination with other access modes',
    ],
  ],
  PersistentVolumeMode: [
    ['Block', 'means the volume will not be formatted with a filesystem and will remain a raw block device.'],
    ['Filesystem', 'means the volume will be or is formatted with a filesystem.'],
  ],
  DaemonSetUpdateStrategyType: [
    ['OnDelete', "Replace the old daemons only when it's killed"],
    [
      'RollingUpdate',
      'Replace the old daemons by new ones using rolling update i.e replace them on each node one after the other.',
    ],
  ],
  PersistentVolumeReclaimPolicy: [
    [
      'Delete',
      'means the volume will be deleted from Kubernetes on release from its claim. The volume plugin must support Deletion.',
    ],
    [
      'Recycle',
      'means the volume will be recycled back into the pool of unbound persistent volumes on release from its claim. The volume plugin must support Recycling.',
    ],
    [
      'Retain',
      'means the volume will be left in its current phase (Released) for manual reclamation by the administrator. The default policy is Retain.',
    ],
  ],
  PersistentVolumePhase: [
    [
      'Available',
      'used for PersistentVolumes that are not yet bound Available volumes are held by the binder and matched to PersistentVolumeClaims',
    ],
    ['Bound', 'used for PersistentVolumes that are bound'],
    [
      'Failed',
      'used for PersistentVolumes that failed to be correctly recycled or deleted after being released from a claim',
    ],
    ['Pending', 'used for PersistentVolumes that are not available'],
    [
      'Released',
      'used for PersistentVolumes where the bound PersistentVolumeClaim was deleted released volumes must be recycled before becoming available again this phase is used by the persistent volume claim binder to signal to another process to reclaim the resource',
    ],
  ],
  PathType: [
    ['Exact', 'matches the URL path exactly and with case sensitivity.'],
    [
      'ImplementationSpecific',
      'matching is up to the IngressClass. Implementations can treat this as a separate PathType or treat it identically to Prefix or Exact path types.',
    ],
    [
      'Prefix',
      "matches based on a URL path prefix split by '/'. Matching is case sensitive and done on a path element by element basis. A path element refers is the list of labels in the path split by the '/' separator. A request is a match for path p if every p is an element-wise prefix of p of the request path. Note that if the last element of the path is a substring of the last element in request path, it is not a match (e.g. /foo/bar matches /foo/bar/baz, but does not match /foo/barbaz). If multiple matching paths exist in an Ingress spec, the longest matching path will be given priority. Examples: - /foo/bar does not match requests to /foo/barbaz - /foo/bar matches request to /foo/bar and /foo/bar/baz - /foo and /foo/ both match requests to /foo and /foo/. If both paths are present in an Ingress spec, the longest matching path (/foo/) will be given priority.",
    ],
  ],
  PersistentVolumeClaimPhase: [
    ['Bound', 'used for PersistentVolumeClaims that are bound'],
    [
      'Lost',
      'used for PersistentVolumeClaims that lost their underlying PersistentVolume. The claim was bound to a PersistentVolume and this volume does not exist any longer and all data on it was lost.',
    ],
    ['Pending', 'used for PersistentVolumeClaims that are not yet bound'],
  ],
  PersistentVolumeClaimModifyVolumeStatus: [
    ['InProgress', 'InProgress indicates that the volume is being modified'],
    [
      'Infeasible',
      'Infeasible indicates that the request has been rejected as invalid by the CSI driver. To resolve the error, a valid VolumeAttributesClass needs to be specified',
    ],
    [
      'Pending',
      'Pending indicates that the PersistentVolumeClaim cannot be modified due to unmet requirements, such as the specified VolumeAttributesClass not existing',
    ],
  ],
  CompletionMode: [
    [
      'Indexed',
      'is a Job completion mode. In this mode, the Pods of a Job get an associated completion index from 0 to (.spec.completions - 1). The Job is considered complete when a Pod completes for each completion index.',
    ],
    [
      'NonIndexed',
      'is a Job completion mode. In this mode, the Job is considered complete when there have been .spec.completions successfully completed Pods. Pod completions are homologous to each other.',
    ],
  ],
  ConcurrencyPolicy: [
    ['Allow', 'allows CronJobs to run concurrently.'],
    ['Forbid', "forbids concurrent runs, skipping next run if previous hasn't finished yet."],
    ['Replace', 'cancels currently running job and replaces it with a new one.'],
  ],
  PodReplacementPolicy: [
    [
      'Failed',
      'means to wait until a previously created Pod is fully terminated (has phase Failed or Succeeded) before creating a replacement Pod.',
    ],
    [
      'TerminatingOrFailed',
      'means that we recreate pods when they are terminating (has a metadata.deletionTimestamp) or failed.',
    ],
  ],
  PodFailurePolicyAction: [
    [
      'Count',
      "This is an action which might be taken on a pod failure - the pod failure is handled in the default way - the counter towards .backoffLimit, represented by the job's .status.failed field, is incremented.",
    ],
    [
      'FailIndex',
      "This is an action which might be taken on a pod failure - mark the Job's index as failed to avoid restarts within this index. This action can only be used when backoffLimitPerIndex is set.",
    ],
    [
      'FailJob',
      "This is an action which might be taken on a pod failure - mark the pod's job as Failed and terminate all running pods.",
    ],
    [
      'Ignore',
      "This is an action which might be taken on a pod failure - the counter towards .backoffLimit, represented by the job's .status.failed field, is not incremented and a replacement pod is created.",
    ],
  ],
  PodFailurePolicyOnExitCodesOperator: [
    ['In', ''],
    ['NotIn', ''],
  ],
  DeploymentStrategyType: [
    ['Recreate', 'Kill all existing pods before creating new ones.'],
    [
      'RollingUpdate',
      'Replace the old ReplicaSets by new one using rolling update i.e gradually scale down the old ReplicaSets and scale up the new one.',
    ],
  ],
  PodManagementPolicyType: [
    [
      'OrderedReady',
      'will create pods in strictly increasing order on scale up and strictly decreasing order on scale down, progressing only when the previous pod is ready or terminated. At most one pod will be changed at any time.',
    ],
    [
      'Parallel',
      'will create and delete pods as soon as the stateful set replica count is changed, and will not wait for pods to be ready or complete termination.',
    ],
  ],
  StatefulSetUpdateStrategyType: [
    [
      'OnDelete',
      "triggers the legacy behavior. Version tracking and ordered rolling restarts are disabled. Pods are recreated from the StatefulSetSpec when they are manually deleted. When a scale operation is performed with this strategy,specification version indicated by the StatefulSet's currentRevision.",
    ],
    [
      'RollingUpdate',
      "indicates that update will be applied to all Pods in the StatefulSet with respect to the StatefulSet ordering constraints. When a scale operation is performed with this strategy, new Pods will be created from the specification version indicated by the StatefulSet's updateRevision.",
    ],
  ],
};

/** The "Possible enum values" block kube-openapi appends to an enum field's description. */
export function enumDescriptionLines(name: string): string {
  const values = enums[name];
  if (!values) throw new Error(`unknown enum ${name}`);
  const lines = [...values]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([v, doc]) => (doc ? ` - \`${JSON.stringify(v)}\` ${doc}` : ` - \`${JSON.stringify(v)}\``));
  return ['Possible enum values:', ...lines].join('\n');
}

/** Groups and versions whose meta kinds (DeleteOptions, WatchEvent) carry their GVK. */
const servedGroupVersions: ReadonlyArray<readonly [string, string]> = [
  ['', 'v1'],
  ['apps', 'v1'],
  ['autoscaling', 'v1'],
  ['discovery.k8s.io', 'v1'],
  ['networking.k8s.io', 'v1'],
  ['coordination.k8s.io', 'v1'],
  ['policy', 'v1'],
  ['batch', 'v1'],
];

const kind = (group: string, version: string, k: string): GVK => ({ group, version, kind: k });

/** x-kubernetes-group-version-kind of each top-level definition. */
export const kindsByDefinition: ReadonlyMap<string, readonly GVK[]> = new Map<string, GVK[]>([
  ...[
    'Service',
    'Endpoints',
    'Namespace',
    'Event',
    'Pod',
    'Node',
    'ReplicationController',
    'PersistentVolume',
    'ConfigMap',
    'Secret',
    'ServiceAccount',
    'PersistentVolumeClaim',
  ].flatMap((k): [string, GVK[]][] => [
    [`${core}${k}`, [kind('', 'v1', k)]],
    [`${core}${k}List`, [kind('', 'v1', `${k}List`)]],
  ]),
  [`${core}Binding`, [kind('', 'v1', 'Binding')]],
  ...['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'ControllerRevision'].flatMap(
    (k): [string, GVK[]][] => [
      [`${apps}${k}`, [kind('apps', 'v1', k)]],
      [`${apps}${k}List`, [kind('apps', 'v1', `${k}List`)]],
    ],
  ),
  ...['Ingress', 'IngressClass'].flatMap((k): [string, GVK[]][] => [
    [`${networking}${k}`, [kind('networking.k8s.io', 'v1', k)]],
    [`${networking}${k}List`, [kind('networking.k8s.io', 'v1', `${k}List`)]],
  ]),
  ...['Job', 'CronJob'].flatMap((k): [string, GVK[]][] => [
    [`${batch}${k}`, [kind('batch', 'v1', k)]],
    [`${batch}${k}List`, [kind('batch', 'v1', `${k}List`)]],
  ]),
  [`${discovery}EndpointSlice`, [kind('discovery.k8s.io', 'v1', 'EndpointSlice')]],
  [`${discovery}EndpointSliceList`, [kind('discovery.k8s.io', 'v1', 'EndpointSliceList')]],
  [`${coordination}Lease`, [kind('coordination.k8s.io', 'v1', 'Lease')]],
  [`${coordination}LeaseList`, [kind('coordination.k8s.io', 'v1', 'LeaseList')]],
  [`${policy}Eviction`, [kind('policy', 'v1', 'Eviction')]],
  [`${coordination}Lease`, [kind('coordination.k8s.io', 'v1', 'Lease')]],
  [`${coordination}LeaseList`, [kind('coordination.k8s.io', 'v1', 'LeaseList')]],
  [`${policy}Eviction`, [kind('policy', 'v1', 'Eviction')]],
  [`${autoscaling}Scale`, [kind('autoscaling', 'v1', 'Scale')]],
  [`${meta}Status`, [kind('', 'v1', 'Status')]],
  [`${meta}APIResourceList`, [kind('', 'v1', 'APIResourceList')]],
  [`${meta}APIGroup`, [kind('', 'v1', 'APIGroup')]],
  [`${meta}APIGroupList`, [kind('', 'v1', 'APIGroupList')]],
  [`${meta}APIVersions`, [kind('', 'v1', 'APIVersions')]],
  [`${meta}DeleteOptions`, servedGroupVersions.map(([g, v]) => kind(g, v, 'DeleteOptions'))],
  [`${meta}WatchEvent`, servedGroupVersions.map(([g, v]) => kind(g, v, 'WatchEvent'))],
]);

/** What the generator starts from; everything reachable from these is emitted. */
export const rootDefinitions: readonly string[] = [...kindsByDefinition.keys(), `${meta}Patch`];
