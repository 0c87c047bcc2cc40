/**
 * Pod defaults (pkg/apis/core/v1/defaults.go and the generated defaulters,
 * 1.32): SetDefaults_PodSpec with everything it reaches (containers, probes,
 * lifecycle handlers, ports, env fieldRefs, volumes) — shared with the pod
 * templates of workloads — and SetDefaults_Pod, which only real pods get.
 */
import type {
  Container,
  EnvVar,
  HTTPGetAction,
  LifecycleHandler,
  Pod,
  PodSpec,
  Probe,
  Volume,
} from 'kubernetes-types/core/v1.js';

export const DefaultTerminationGracePeriodSeconds = 30;
export const DefaultSchedulerName = 'default-scheduler';
export const TerminationMessagePathDefault = '/dev/termination-log';
/** 0644: the default mode of secret, configMap, downwardAPI and projected volumes. */
const DefaultVolumeMode = 0o644;

/**
 * The tag of an image reference as upstream's parsers.ParseImageName sees it:
 * `latest` when neither a tag nor a digest is given, '' for digest-only.
 */
export function imageTag(image: string): string {
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const lastSlash = name.lastIndexOf('/');
  const colon = name.indexOf(':', lastSlash + 1);
  if (colon >= 0) return name.slice(colon + 1);
  return at >= 0 ? '' : 'latest';
}

function defaultHTTPGet(h: HTTPGetAction | undefined): void {
  if (!h) return;
  if (!h.path) h.path = '/';
  if (!h.scheme) h.scheme = 'HTTP';
}

function defaultProbe(p: Probe | undefined): void {
  if (!p) return;
  if (!p.timeoutSeconds) p.timeoutSeconds = 1;
  if (!p.periodSeconds) p.periodSeconds = 10;
  if (!p.successThreshold) p.successThreshold = 1;
  if (!p.failureThreshold) p.failureThreshold = 3;
  defaultHTTPGet(p.httpGet);
  // GRPCAction.service is `+default=""`.
  if (p.grpc && p.grpc.service == null) p.grpc.service = '';
}

function defaultHandler(h: LifecycleHandler | undefined): void {
  defaultHTTPGet(h?.httpGet);
}

function defaultEnv(env: EnvVar[] | undefined): void {
  for (const e of env ?? []) {
    const ref = e.valueFrom?.fieldRef;
    if (ref && !ref.apiVersion) ref.apiVersion = 'v1';
  }
}

/** SetDefaults_Container and what the generated defaulter applies beneath it. */
export function defaultContainer(c: Container): void {
  if (!c.imagePullPolicy)
    c.imagePullPolicy = imageTag(c.image ?? '') === 'latest' ? 'Always' : 'IfNotPresent';
  if (!c.terminationMessagePath) c.terminationMessagePath = TerminationMessagePathDefault;
  if (!c.terminationMessagePolicy) c.terminationMessagePolicy = 'File';
  for (const p of c.ports ?? []) if (!p.protocol) p.protocol = 'TCP';
  defaultEnv(c.env);
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  defaultHandler(c.lifecycle?.postStart);
  defaultHandler(c.lifecycle?.preStop);
}

const volumeSourceKeys = (v: Volume) => Object.keys(v).filter((k) => k !== 'name');

function defaultVolume(v: Volume): void {
  // A volume without a source is an emptyDir.
  if (volumeSourceKeys(v).length === 0) v.emptyDir = {};
  if (v.secret) v.secret.defaultMode ??= DefaultVolumeMode;
  if (v.configMap) v.configMap.defaultMode ??= DefaultVolumeMode;
  if (v.downwardAPI) {
    v.downwardAPI.defaultMode ??= DefaultVolumeMode;
    for (const item of v.downwardAPI.items ?? [])
      if (item.fieldRef && !item.fieldRef.apiVersion) item.fieldRef.apiVersion = 'v1';
  }
  if (v.projected) {
    v.projected.defaultMode ??= DefaultVolumeMode;
    for (const s of v.projected.sources ?? []) {
      if (s.serviceAccountToken) s.serviceAccountToken.expirationSeconds ??= 3600;
      for (const item of s.downwardAPI?.items ?? [])
        if (item.fieldRef && !item.fieldRef.apiVersion) item.fieldRef.apiVersion = 'v1';
    }
  }
  if (v.hostPath) v.hostPath.type ??= '';
}

/** SetDefaults_PodSpec plus the defaults of everything in it. */
export function defaultPodSpec(spec: PodSpec): void {
  if (!spec.dnsPolicy) spec.dnsPolicy = 'ClusterFirst';
  if (!spec.restartPolicy) spec.restartPolicy = 'Always';
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= DefaultTerminationGracePeriodSeconds;
  if (!spec.schedulerName) spec.schedulerName = DefaultSchedulerName;
  // The v1 conversion keeps the deprecated serviceAccount in step with serviceAccountName.
  if (!spec.serviceAccountName && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
  if (spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.ephemeralContainers ?? []) defaultContainer(c as Container);
  for (const v of spec.volumes ?? []) defaultVolume(v);
}

/** With host networking every container port is also a host port. */
function defaultHostNetworkPorts(containers: Container[] | undefined): void {
  for (const c of containers ?? [])
    for (const p of c.ports ?? []) if (!p.hostPort) p.hostPort = p.containerPort;
}

/** SetDefaults_Pod: the PodSpec defaults, requests from limits, service links, host ports. */
export function setPodDefaults(pod: Pod): void {
  pod.spec ??= { containers: [] };
  const spec = pod.spec;
  defaultPodSpec(spec);
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    const limits = c.resources?.limits;
    if (!limits) continue;
    const requests = { ...(c.resources!.requests ?? {}) };
    for (const [k, v] of Object.entries(limits)) if (!(k in requests)) requests[k] = v;
    c.resources!.requests = requests;
  }
  spec.enableServiceLinks ??= true;
  if (spec.hostNetwork) {
    defaultHostNetworkPorts(spec.containers);
    defaultHostNetworkPorts(spec.initContainers);
  }
}
