/**
 * Pod validation (pkg/apis/core/validation: ValidatePodSpec,
 * ValidatePodTemplateSpec, ValidatePodCreate, ValidatePodUpdate,
 * ValidatePodStatusUpdate) with upstream's paths and messages. The rules that
 * matter for running pods are here: containers, ports, probes, lifecycle
 * handlers, env, volumes and mounts, policies, names, node selector; rarely
 * used corners (security contexts, affinity, topology spread) are not checked.
 */
import type {
  Container,
  ContainerPort,
  DownwardAPIVolumeFile,
  EnvVar,
  KeyToPath,
  LifecycleHandler,
  ObjectFieldSelector,
  Pod,
  PodSpec,
  PodTemplateSpec,
  Probe,
  ProjectedVolumeSource,
  ResourceFieldSelector,
  Toleration,
  Volume,
} from 'kubernetes-types/core/v1.js';
import { type FieldError, FieldPath, fieldErrors } from '../../k8s/field.js';
import { parseIPSloppy } from '../../k8s/ip.js';
import { jsonEqual } from '../../lib/json.js';
import {
  IsNegativeErrorMsg,
  validateAnnotations,
  validateLabels,
  validateObjectMeta,
  validateObjectMetaUpdate,
  withGenericCreateChecks,
  withGenericUpdateChecks,
} from './meta.js';
import {
  inclusiveRangeError,
  isDNS1123Subdomain,
  isValidPortName,
  isValidPortNum,
  nameIsDNSSubdomain,
  validateDNS1123Label,
  validateQualifiedName,
} from './names.js';
import { portProtocols, validatePortNumOrName } from './service.js';

const MaxInt32 = 2147483647;

const restartPolicies = ['Always', 'OnFailure', 'Never'];
const dnsPolicies = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const pullPolicies = ['Always', 'IfNotPresent', 'Never'];
const httpSchemes = ['HTTP', 'HTTPS'];
const envFieldPaths = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
];
const containerResourceFields = [
  'limits.cpu',
  'limits.ephemeral-storage',
  'limits.memory',
  'requests.cpu',
  'requests.ephemeral-storage',
  'requests.memory',
];
/** What a downwardAPI volume file may name (validVolumeDownwardAPIFieldPathExpressions). */
const volumeFieldPaths = [
  'metadata.annotations',
  'metadata.labels',
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
];
const fileModeErrorMsg = 'must be a number between 0 and 0777 (octal), both inclusive';
const tolerationOperators = ['Equal', 'Exists'];
const taintEffects = ['NoExecute', 'NoSchedule', 'PreferNoSchedule'];
const podPhases = ['Failed', 'Pending', 'Running', 'Succeeded', 'Unknown'];

const relaxedEnvNameMsg =
  "a valid environment variable name must consist only of printable ASCII characters other than '='";

function nonNegative(value: number | undefined, path: FieldPath): FieldError[] {
  return (value ?? 0) < 0 ? [fieldErrors.invalid(path, value, IsNegativeErrorMsg)] : [];
}

/** IsRelaxedEnvVarName (RelaxedEnvironmentVariableValidation is on by default in 1.32). */
function envVarNameErrors(name: string): string[] {
  if (name.length === 0) return ['environment variable name must be non-empty'];
  for (const ch of name) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || c > 0x7e || ch === '=') return [relaxedEnvNameMsg];
  }
  return [];
}

function validateEnv(env: EnvVar[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  (env ?? []).forEach((ev, i) => {
    const p = path.index(i);
    if (!ev.name) errs.push(fieldErrors.required(p.child('name')));
    for (const m of envVarNameErrors(ev.name ?? ''))
      errs.push(fieldErrors.invalid(p.child('name'), ev.name, m));
    errs.push(...validateEnvValueFrom(ev, p.child('valueFrom')));
  });
  return errs;
}

/** validateObjectFieldSelector: a v1 field path among `expressions`, or a label/annotation subscript. */
function validateObjectFieldSelector(
  ref: ObjectFieldSelector,
  expressions: readonly string[],
  fp: FieldPath,
): FieldError[] {
  if (!ref.apiVersion) return [fieldErrors.required(fp.child('apiVersion'))];
  if (!ref.fieldPath) return [fieldErrors.required(fp.child('fieldPath'))];
  if (ref.apiVersion !== 'v1')
    return [
      fieldErrors.invalid(
        fp.child('fieldPath'),
        ref.fieldPath,
        `error converting fieldPath: unsupported pod version: ${ref.apiVersion}`,
      ),
    ];
  const sub = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/.exec(ref.fieldPath);
  if (sub) {
    const key = sub[1] === 'metadata.annotations' ? sub[2]!.toLowerCase() : sub[2]!;
    return validateQualifiedName(key, fp);
  }
  if (!expressions.includes(ref.fieldPath))
    return [fieldErrors.notSupported(fp.child('fieldPath'), ref.fieldPath, expressions)];
  return [];
}

/** validateContainerResourceFieldSelector; a volume's file must also name its container. */
function validateResourceFieldSelector(
  ref: ResourceFieldSelector,
  rp: FieldPath,
  volume: boolean,
): FieldError[] {
  const res = ref.resource ?? '';
  if (volume && !ref.containerName) return [fieldErrors.required(rp.child('containerName'))];
  if (!res) return [fieldErrors.required(rp.child('resource'))];
  if (!containerResourceFields.includes(res) && !/^(requests|limits)\.hugepages-/.test(res))
    return [fieldErrors.notSupported(rp.child('resource'), res, containerResourceFields)];
  return [];
}

function validateEnvValueFrom(ev: EnvVar, path: FieldPath): FieldError[] {
  const from = ev.valueFrom;
  if (!from) return [];
  const errs: FieldError[] = [];
  let sources = 0;
  if (from.fieldRef) {
    sources++;
    errs.push(...validateObjectFieldSelector(from.fieldRef, envFieldPaths, path.child('fieldRef')));
  }
  if (from.resourceFieldRef) {
    sources++;
    errs.push(...validateResourceFieldSelector(from.resourceFieldRef, path.child('resourceFieldRef'), false));
  }
  for (const k of ['configMapKeyRef', 'secretKeyRef'] as const) {
    const ref = from[k];
    if (!ref) continue;
    sources++;
    const kp = path.child(k);
    for (const m of isDNS1123Subdomain(ref.name ?? ''))
      errs.push(fieldErrors.invalid(kp.child('name'), ref.name ?? '', m));
    if (!ref.key) errs.push(fieldErrors.required(kp.child('key')));
    else if (!/^[-._a-zA-Z0-9]+$/.test(ref.key))
      errs.push(
        fieldErrors.invalid(
          kp.child('key'),
          ref.key,
          "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
        ),
      );
  }
  if (sources === 0)
    errs.push(
      fieldErrors.invalid(
        path,
        '',
        'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
      ),
    );
  else if (ev.value)
    errs.push(fieldErrors.invalid(path, '', 'may not be specified when `value` is not empty'));
  else if (sources > 1)
    errs.push(fieldErrors.invalid(path, '', 'may not have more than one field specified at a time'));
  return errs;
}

function validatePorts(ports: ContainerPort[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (ports ?? []).forEach((port, i) => {
    const p = path.index(i);
    if (port.name) {
      const msgs = isValidPortName(port.name);
      if (msgs.length) for (const m of msgs) errs.push(fieldErrors.invalid(p.child('name'), port.name, m));
      else if (names.has(port.name)) errs.push(fieldErrors.duplicate(p.child('name'), port.name));
      else names.add(port.name);
    }
    if (!port.containerPort) errs.push(fieldErrors.required(p.child('containerPort')));
    else
      for (const m of isValidPortNum(port.containerPort))
        errs.push(fieldErrors.invalid(p.child('containerPort'), port.containerPort, m));
    if (port.hostPort)
      for (const m of isValidPortNum(port.hostPort))
        errs.push(fieldErrors.invalid(p.child('hostPort'), port.hostPort, m));
    if (!port.protocol) errs.push(fieldErrors.required(p.child('protocol')));
    else if (!portProtocols.includes(port.protocol))
      errs.push(fieldErrors.notSupported(p.child('protocol'), port.protocol, portProtocols));
  });
  return errs;
}

/** Exactly one handler: probes (exec, httpGet, tcpSocket, grpc) and lifecycle hooks (exec, httpGet, tcpSocket, sleep). */
function validateHandler(h: Probe | LifecycleHandler, path: FieldPath, lifecycle: boolean): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  const kinds = lifecycle
    ? (['exec', 'httpGet', 'tcpSocket', 'sleep'] as const)
    : (['exec', 'httpGet', 'tcpSocket', 'grpc'] as const);
  for (const k of kinds) {
    const v = (h as Record<string, unknown>)[k];
    if (v == null) continue;
    if (n > 0) {
      errs.push(fieldErrors.forbidden(path.child(k), 'may not specify more than 1 handler type'));
      continue;
    }
    n++;
    const p = path.child(k);
    if (k === 'exec' && !h.exec?.command?.length) errs.push(fieldErrors.required(p.child('command')));
    if (k === 'httpGet') {
      const g = h.httpGet!;
      if (!g.path) errs.push(fieldErrors.required(p.child('path')));
      errs.push(...validatePortNumOrName(g.port, p.child('port')));
      if (!httpSchemes.includes(g.scheme ?? ''))
        errs.push(fieldErrors.notSupported(p.child('scheme'), g.scheme ?? '', httpSchemes));
      (g.httpHeaders ?? []).forEach((hd, i) => {
        if (!/^[-A-Za-z0-9!#$%&'*+.^_`|~]+$/.test(hd.name ?? ''))
          errs.push(
            fieldErrors.invalid(
              p.child('httpHeaders').index(i).child('name'),
              hd.name ?? '',
              "a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')",
            ),
          );
      });
    }
    if (k === 'tcpSocket') errs.push(...validatePortNumOrName(h.tcpSocket!.port, p.child('port')));
    if (k === 'grpc') {
      const port = (h as Probe).grpc!.port;
      for (const m of isValidPortNum(port)) errs.push(fieldErrors.invalid(p.child('port'), port, m));
    }
    if (k === 'sleep') {
      const s = (h as LifecycleHandler).sleep!.seconds;
      if (s < 0) errs.push(fieldErrors.invalid(p.child('seconds'), s, IsNegativeErrorMsg));
    }
  }
  if (n === 0) errs.push(fieldErrors.required(path, 'must specify a handler type'));
  return errs;
}

function validateProbe(probe: Probe | undefined, path: FieldPath): FieldError[] {
  if (!probe) return [];
  const errs = validateHandler(probe, path, false);
  for (const k of [
    'initialDelaySeconds',
    'timeoutSeconds',
    'periodSeconds',
    'successThreshold',
    'failureThreshold',
  ] as const)
    errs.push(...nonNegative(probe[k], path.child(k)));
  if (probe.terminationGracePeriodSeconds != null && probe.terminationGracePeriodSeconds <= 0)
    errs.push(
      fieldErrors.invalid(
        path.child('terminationGracePeriodSeconds'),
        probe.terminationGracePeriodSeconds,
        'must be greater than 0',
      ),
    );
  return errs;
}

function validateMounts(c: Container, volumes: Set<string>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const paths = new Set<string>();
  (c.volumeMounts ?? []).forEach((m, i) => {
    const p = path.index(i);
    if (!m.name) errs.push(fieldErrors.required(p.child('name')));
    if (!volumes.has(m.name)) errs.push(fieldErrors.notFound(p.child('name'), m.name));
    if (!m.mountPath) errs.push(fieldErrors.required(p.child('mountPath')));
    if (paths.has(m.mountPath))
      errs.push(fieldErrors.invalid(p.child('mountPath'), m.mountPath, 'must be unique'));
    paths.add(m.mountPath);
    // Upstream names these at the list's path, not the item's.
    if (m.subPath) errs.push(...validateLocalDescendingPath(m.subPath, path.child('subPath')));
    if (m.subPathExpr) {
      if (m.subPath)
        errs.push(
          fieldErrors.invalid(
            p.child('subPathExpr'),
            m.subPathExpr,
            'subPathExpr and subPath are mutually exclusive',
          ),
        );
      errs.push(...validateLocalDescendingPath(m.subPathExpr, path.child('subPathExpr')));
    }
  });
  return errs;
}

/** validateContainers: one list (containers or initContainers), names unique within it. */
function validateContainers(
  containers: Container[] | undefined,
  volumes: Set<string>,
  path: FieldPath,
  init: boolean,
): FieldError[] {
  if (!containers?.length) return [fieldErrors.required(path)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  containers.forEach((c, i) => {
    const p = path.index(i);
    const name = c.name ?? '';
    if (!name) errs.push(fieldErrors.required(p.child('name')));
    else errs.push(...validateDNS1123Label(name, p.child('name')));
    if (names.has(name)) errs.push(fieldErrors.duplicate(p.child('name'), name));
    else names.add(name);
    if (!c.image) errs.push(fieldErrors.required(p.child('image')));
    if (c.lifecycle?.postStart)
      errs.push(...validateHandler(c.lifecycle.postStart, p.child('lifecycle', 'postStart'), true));
    if (c.lifecycle?.preStop)
      errs.push(...validateHandler(c.lifecycle.preStop, p.child('lifecycle', 'preStop'), true));
    errs.push(...validateProbe(c.livenessProbe, p.child('livenessProbe')));
    if (c.readinessProbe?.terminationGracePeriodSeconds != null)
      errs.push(
        fieldErrors.invalid(
          p.child('readinessProbe', 'terminationGracePeriodSeconds'),
          c.readinessProbe.terminationGracePeriodSeconds,
          'must not be set for readinessProbes',
        ),
      );
    errs.push(...validateProbe(c.startupProbe, p.child('startupProbe')));
    if (c.livenessProbe && c.livenessProbe.successThreshold !== 1)
      errs.push(
        fieldErrors.invalid(
          p.child('livenessProbe', 'successThreshold'),
          c.livenessProbe.successThreshold ?? 0,
          'must be 1',
        ),
      );
    if (c.startupProbe && c.startupProbe.successThreshold !== 1)
      errs.push(
        fieldErrors.invalid(
          p.child('startupProbe', 'successThreshold'),
          c.startupProbe.successThreshold ?? 0,
          'must be 1',
        ),
      );
    const tmp = c.terminationMessagePolicy ?? '';
    if (tmp === '')
      errs.push(
        fieldErrors.required(
          p.child('terminationMessagePolicy'),
          "must be 'File' or 'FallbackToLogsOnError'",
        ),
      );
    else if (tmp !== 'File' && tmp !== 'FallbackToLogsOnError')
      errs.push(
        fieldErrors.invalid(
          p.child('terminationMessagePolicy'),
          tmp,
          "must be 'File' or 'FallbackToLogsOnError'",
        ),
      );
    errs.push(...validateProbe(c.readinessProbe, p.child('readinessProbe')));
    errs.push(...validatePorts(c.ports, p.child('ports')));
    errs.push(...validateEnv(c.env, p.child('env')));
    errs.push(...validateMounts(c, volumes, p.child('volumeMounts')));
    const pull = c.imagePullPolicy ?? '';
    if (!pull) errs.push(fieldErrors.required(p.child('imagePullPolicy')));
    else if (!pullPolicies.includes(pull))
      errs.push(fieldErrors.notSupported(p.child('imagePullPolicy'), pull, [...pullPolicies].sort()));
    if (init) {
      // Regular init containers run to completion: no hooks or probes (sidecars, restartPolicy Always, may).
      if (c.restartPolicy !== 'Always') {
        for (const k of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'] as const)
          if (c[k])
            errs.push(
              fieldErrors.forbidden(
                p.child(k),
                'may not be set for init containers without restartPolicy=Always',
              ),
            );
      }
    }
  });
  errs.push(...hostPortConflicts(containers, path));
  return errs;
}

/** checkHostPortConflicts: a host port (with its protocol and IP) may be used once. */
function hostPortConflicts(containers: Container[], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const used = new Set<string>();
  containers.forEach((c, ci) => {
    (c.ports ?? []).forEach((port, pi) => {
      if (!port.hostPort) return;
      const key = `${port.protocol ?? ''}/${port.hostIP ?? ''}/${port.hostPort}`;
      if (used.has(key))
        errs.push(fieldErrors.duplicate(path.index(ci).child('ports').index(pi).child('hostPort'), key));
      used.add(key);
    });
  });
  return errs;
}

function validateVolumes(
  volumes: Volume[] | undefined,
  path: FieldPath,
): { errs: FieldError[]; names: Set<string> } {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (volumes ?? []).forEach((v, i) => {
    const p = path.index(i);
    const sources = Object.keys(v).filter((k) => k !== 'name');
    if (sources.length === 0) errs.push(fieldErrors.required(p, 'must specify a volume type'));
    for (const extra of sources.slice(1))
      errs.push(fieldErrors.forbidden(p.child(extra), 'may not specify more than 1 volume type'));
    if (!v.name) errs.push(fieldErrors.required(p.child('name')));
    else errs.push(...validateDNS1123Label(v.name, p.child('name')));
    if (names.has(v.name)) errs.push(fieldErrors.duplicate(p.child('name'), v.name));
    else if (v.name) names.add(v.name);
    errs.push(...validateVolumeSource(v, p));
  });
  return { errs, names };
}

/** The checks of validateVolumeSource for the sources whose files a node writes. */
function validateVolumeSource(v: Volume, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (v.secret) {
    const sp = p.child('secret');
    if (!v.secret.secretName) errs.push(fieldErrors.required(sp.child('secretName')));
    errs.push(...validateMode(v.secret.defaultMode, sp.child('defaultMode')));
    (v.secret.items ?? []).forEach((kp, i) => {
      errs.push(...validateKeyToPath(kp, sp.child('items').index(i)));
    });
  }
  if (v.configMap) {
    const cp = p.child('configMap');
    if (!v.configMap.name) errs.push(fieldErrors.required(cp.child('name')));
    errs.push(...validateMode(v.configMap.defaultMode, cp.child('defaultMode')));
    (v.configMap.items ?? []).forEach((kp, i) => {
      errs.push(...validateKeyToPath(kp, cp.child('items').index(i)));
    });
  }
  if (v.downwardAPI) {
    const dp = p.child('downwardAPI');
    errs.push(...validateMode(v.downwardAPI.defaultMode, dp.child('defaultMode')));
    // Upstream names each file's errors at the source's path, not the item's.
    for (const file of v.downwardAPI.items ?? []) errs.push(...validateDownwardAPIFile(file, dp));
  }
  if (v.projected) {
    const pp = p.child('projected');
    errs.push(...validateMode(v.projected.defaultMode, pp.child('defaultMode')));
    errs.push(...validateProjectionSources(v.projected, pp));
  }
  return errs;
}

/** A file mode: 0 to 0777. */
function validateMode(mode: number | undefined, path: FieldPath): FieldError[] {
  return mode != null && (mode > 0o777 || mode < 0)
    ? [fieldErrors.invalid(path, mode, fileModeErrorMsg)]
    : [];
}

/** validateLocalDescendingPath: relative, without a `..` element. */
export function validateLocalDescendingPath(target: string, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (target.startsWith('/')) errs.push(fieldErrors.invalid(path, target, 'must be a relative path'));
  // One error is enough, even for ../../..
  if (target.split('/').includes('..')) errs.push(fieldErrors.invalid(path, target, "must not contain '..'"));
  return errs;
}

/** ValidateLocalNonReservedPath: also not starting with `..` (the atomic writer's own names). */
export function validateLocalNonReservedPath(target: string, path: FieldPath): FieldError[] {
  const errs = validateLocalDescendingPath(target, path);
  if (target.startsWith('..') && !target.startsWith('../'))
    errs.push(fieldErrors.invalid(path, target, "must not start with '..'"));
  return errs;
}

/** validateKeyToPath: a key, a local path, a mode. */
function validateKeyToPath(kp: KeyToPath, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!kp.key) errs.push(fieldErrors.required(path.child('key')));
  if (!kp.path) errs.push(fieldErrors.required(path.child('path')));
  errs.push(...validateLocalNonReservedPath(kp.path ?? '', path.child('path')));
  errs.push(...validateMode(kp.mode, path.child('mode')));
  return errs;
}

/** validateDownwardAPIVolumeFile: a local path, one of fieldRef and resourceFieldRef, a mode. */
function validateDownwardAPIFile(file: DownwardAPIVolumeFile, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!file.path) errs.push(fieldErrors.required(path.child('path')));
  errs.push(...validateLocalNonReservedPath(file.path ?? '', path.child('path')));
  if (file.fieldRef) {
    errs.push(...validateObjectFieldSelector(file.fieldRef, volumeFieldPaths, path.child('fieldRef')));
    if (file.resourceFieldRef)
      errs.push(
        fieldErrors.invalid(
          path,
          'resource',
          'fieldRef and resourceFieldRef can not be specified simultaneously',
        ),
      );
  } else if (file.resourceFieldRef) {
    errs.push(...validateResourceFieldSelector(file.resourceFieldRef, path.child('resourceFieldRef'), true));
  } else errs.push(fieldErrors.required(path, 'one of fieldRef and resourceFieldRef is required'));
  errs.push(...validateMode(file.mode, path.child('mode')));
  return errs;
}

/** validateProjectionSources: each source of one kind, its files checked, no path twice. */
function validateProjectionSources(projected: ProjectedVolumeSource, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  // Upstream reports a repeated path at the volume's path, with the source's name (or the path).
  const claim = (file: string | undefined, value: string) => {
    if (!file) return;
    if (seen.has(file)) errs.push(fieldErrors.invalid(path, value, 'conflicting duplicate paths'));
    seen.add(file);
  };
  (projected.sources ?? []).forEach((source, i) => {
    const sp = path.child('sources').index(i);
    let kinds = 0;
    for (const k of ['secret', 'configMap'] as const) {
      const src = source[k];
      if (!src) continue;
      kinds++;
      const kp = sp.child(k);
      if (!src.name) errs.push(fieldErrors.required(kp.child('name')));
      (src.items ?? []).forEach((item, j) => {
        errs.push(...validateKeyToPath(item, kp.child('items').index(j)));
        claim(item.path, src.name ?? '');
      });
    }
    if (source.downwardAPI) {
      kinds++;
      const dp = sp.child('downwardAPI');
      for (const file of source.downwardAPI.items ?? []) {
        errs.push(...validateDownwardAPIFile(file, dp));
        claim(file.path, file.path);
      }
    }
    if (source.serviceAccountToken) {
      kinds++;
      const tp = sp.child('serviceAccountToken');
      const exp = source.serviceAccountToken.expirationSeconds ?? 0;
      if (exp < 600)
        errs.push(
          fieldErrors.invalid(
            tp.child('expirationSeconds'),
            exp,
            'may not specify a duration less than 10 minutes',
          ),
        );
      if (exp > 2 ** 32)
        errs.push(
          fieldErrors.invalid(
            tp.child('expirationSeconds'),
            exp,
            'may not specify a duration larger than 2^32 seconds',
          ),
        );
      const tokenPath = source.serviceAccountToken.path ?? '';
      if (!tokenPath) errs.push(fieldErrors.required(path.child('path')));
      else errs.push(...validateLocalNonReservedPath(tokenPath, path.child('path')));
    }
    if (source.clusterTrustBundle) {
      kinds++;
      const cp = sp.child('clusterTrustBundlePEM');
      const ctb = source.clusterTrustBundle;
      if (!ctb.path) errs.push(fieldErrors.required(cp.child('path')));
      errs.push(...validateLocalNonReservedPath(ctb.path ?? '', cp.child('path')));
      claim(ctb.path || '', ctb.path ?? '');
    }
    if (kinds > 1) errs.push(fieldErrors.forbidden(sp, 'may not specify more than 1 volume type'));
  });
  return errs;
}

function validateTolerations(tolerations: Toleration[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  (tolerations ?? []).forEach((t, i) => {
    const p = path.index(i);
    if (t.key) errs.push(...validateQualifiedName(t.key, p.child('key')));
    if (!t.key && t.operator !== 'Exists')
      errs.push(
        fieldErrors.invalid(
          p.child('operator'),
          t.operator ?? '',
          'operator must be Exists when `key` is empty, which means "match all values and all keys"',
        ),
      );
    if (t.tolerationSeconds != null && t.effect !== 'NoExecute')
      errs.push(
        fieldErrors.invalid(
          p.child('effect'),
          t.effect ?? '',
          "effect must be 'NoExecute' when `tolerationSeconds` is set",
        ),
      );
    if (t.operator && !tolerationOperators.includes(t.operator))
      errs.push(fieldErrors.notSupported(p.child('operator'), t.operator, tolerationOperators));
    if (t.operator === 'Exists' && t.value)
      errs.push(
        fieldErrors.invalid(p.child('operator'), t.value, "value must be empty when `operator` is 'Exists'"),
      );
    if (t.effect && !taintEffects.includes(t.effect))
      errs.push(fieldErrors.notSupported(p.child('effect'), t.effect, taintEffects));
  });
  return errs;
}

/** ValidatePodSpec. `path` is where the spec sits: `spec`, `spec.template.spec`. */
export function validatePodSpec(spec: PodSpec, path: string): FieldError[] {
  const p = FieldPath.root(path);
  const s = spec ?? ({} as PodSpec);
  const vol = validateVolumes(s.volumes, p.child('volumes'));
  const errs: FieldError[] = [...vol.errs];
  errs.push(...validateContainers(s.containers, vol.names, p.child('containers'), false));
  if (s.initContainers?.length) {
    errs.push(...validateContainers(s.initContainers, vol.names, p.child('initContainers'), true));
    const regular = new Set((s.containers ?? []).map((c) => c.name));
    s.initContainers.forEach((c, i) => {
      if (regular.has(c.name))
        errs.push(fieldErrors.duplicate(p.child('initContainers').index(i).child('name'), c.name));
    });
  }
  const restart = s.restartPolicy ?? '';
  if (!restart) errs.push(fieldErrors.required(p.child('restartPolicy')));
  else if (!restartPolicies.includes(restart))
    errs.push(fieldErrors.notSupported(p.child('restartPolicy'), restart, restartPolicies));
  const dns = s.dnsPolicy ?? '';
  if (!dns) errs.push(fieldErrors.required(p.child('dnsPolicy')));
  else if (!dnsPolicies.includes(dns))
    errs.push(fieldErrors.notSupported(p.child('dnsPolicy'), dns, dnsPolicies));
  if (dns === 'None' && !s.dnsConfig)
    errs.push(
      fieldErrors.required(p.child('dnsConfig'), 'must provide `dnsConfig` when `dnsPolicy` is None'),
    );
  else if (dns === 'None' && !s.dnsConfig?.nameservers?.length)
    errs.push(
      fieldErrors.required(
        p.child('dnsConfig', 'nameservers'),
        'must provide at least one DNS nameserver when `dnsPolicy` is None',
      ),
    );
  (s.dnsConfig?.nameservers ?? []).forEach((ns, i) => {
    if (!parseIPSloppy(ns))
      errs.push(
        fieldErrors.invalid(p.child('dnsConfig', 'nameservers').index(i), ns, 'must be valid IP address'),
      );
  });
  errs.push(...validateLabels(s.nodeSelector, p.child('nodeSelector')));
  if (s.serviceAccountName)
    for (const m of isDNS1123Subdomain(s.serviceAccountName))
      errs.push(fieldErrors.invalid(p.child('serviceAccountName'), s.serviceAccountName, m));
  if (s.nodeName)
    for (const m of nameIsDNSSubdomain(s.nodeName, false))
      errs.push(fieldErrors.invalid(p.child('nodeName'), s.nodeName, m));
  if (s.activeDeadlineSeconds != null && (s.activeDeadlineSeconds < 1 || s.activeDeadlineSeconds > MaxInt32))
    errs.push(
      fieldErrors.invalid(
        p.child('activeDeadlineSeconds'),
        s.activeDeadlineSeconds,
        inclusiveRangeError(1, MaxInt32),
      ),
    );
  if (s.hostname) errs.push(...validateDNS1123Label(s.hostname, p.child('hostname')));
  if (s.subdomain) errs.push(...validateDNS1123Label(s.subdomain, p.child('subdomain')));
  errs.push(...validateTolerations(s.tolerations, p.child('tolerations')));
  if (s.terminationGracePeriodSeconds != null && s.terminationGracePeriodSeconds < 0)
    errs.push(
      fieldErrors.invalid(
        p.child('terminationGracePeriodSeconds'),
        s.terminationGracePeriodSeconds,
        IsNegativeErrorMsg,
      ),
    );
  if (s.priorityClassName)
    for (const m of isDNS1123Subdomain(s.priorityClassName))
      errs.push(fieldErrors.invalid(p.child('priorityClassName'), s.priorityClassName, m));
  (s.readinessGates ?? []).forEach((g, i) => {
    errs.push(
      ...validateQualifiedName(g.conditionType, p.child('readinessGates').index(i).child('conditionType')),
    );
  });
  (s.imagePullSecrets ?? []).forEach((ref, i) => {
    if (!ref.name) errs.push(fieldErrors.required(p.child('imagePullSecrets').index(i).child('name')));
  });
  return errs;
}

/** ValidatePodTemplateSpec: the template's labels and annotations, then its spec. */
export function validatePodTemplateSpec(t: PodTemplateSpec, path: string): FieldError[] {
  const p = FieldPath.root(path);
  const errs = [
    ...validateLabels(t?.metadata?.labels, p.child('labels')),
    ...validateAnnotations(t?.metadata?.annotations, p.child('annotations')),
    ...validatePodSpec(t?.spec ?? ({} as PodSpec), p.child('spec').toString()),
  ];
  if (t?.spec?.ephemeralContainers?.length)
    errs.push(
      fieldErrors.forbidden(
        p.child('spec', 'ephemeralContainers'),
        'ephemeral containers not allowed in pod template',
      ),
    );
  return errs;
}

function validatePodIPs(pod: Pod): FieldError[] {
  const errs: FieldError[] = [];
  const path = FieldPath.root('status', 'podIPs');
  const ips = pod.status?.podIPs ?? [];
  if (pod.status?.podIP && ips.length && ips[0]!.ip !== pod.status.podIP)
    errs.push(fieldErrors.invalid(path.index(0).child('ip'), ips[0]!.ip, 'must be equal to `podIP`'));
  const families = new Set<string>();
  ips.forEach((a, i) => {
    const ip = parseIPSloppy(a.ip ?? '');
    if (!ip) {
      errs.push(fieldErrors.invalid(path.index(i), a.ip, 'must be a valid IP address'));
      return;
    }
    const fam = ip.family === 'IPv4' ? '4' : '6';
    if (families.has(fam))
      errs.push(
        fieldErrors.invalid(
          path,
          ips.map((x) => x.ip),
          'may specify no more than one IP for each IP family',
        ),
      );
    families.add(fam);
  });
  if (ips.length > 2) errs.push(fieldErrors.tooMany(path, ips.length, 2));
  return errs;
}

/** ValidatePodCreate: metadata (names are DNS subdomains) and spec; no ephemeral containers yet. */
export function validatePod(pod: Pod): FieldError[] {
  const errs = [
    ...validateObjectMeta(pod.metadata, true, nameIsDNSSubdomain),
    ...validatePodSpec(pod.spec ?? ({} as PodSpec), 'spec'),
  ];
  if (pod.spec?.ephemeralContainers?.length)
    errs.push(
      fieldErrors.forbidden(FieldPath.root('spec', 'ephemeralContainers'), 'cannot be set on create'),
    );
  return withGenericCreateChecks(pod.metadata, true, errs);
}

export const updatablePodSpecFields = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

/** Go's Semantic.DeepEqual: empty and absent slices and maps are equal. */
function semanticEqual(a: unknown, b: unknown): boolean {
  return jsonEqual(dropEmpty(a), dropEmpty(b));
}
function dropEmpty(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropEmpty);
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined || x === null || (Array.isArray(x) && x.length === 0)) continue;
      o[k] = dropEmpty(x);
    }
    return o;
  }
  return v;
}

/** The changed paths between two specs, as a short diff after upstream's message (ours, not go-cmp's). */
function specDiff(a: unknown, b: unknown, path = 'spec'): string[] {
  if (semanticEqual(a, b)) return [];
  const isObj = (x: unknown) => x !== null && typeof x === 'object';
  if (isObj(a) && isObj(b) && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
    const out: string[] = [];
    for (const k of keys) {
      const sub = Array.isArray(a) ? `${path}[${k}]` : `${path}.${k}`;
      out.push(...specDiff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], sub));
    }
    return out;
  }
  return [`- ${path}: ${JSON.stringify(a ?? null)}`, `+ ${path}: ${JSON.stringify(b ?? null)}`];
}

const tolerationKey = (t: Toleration) =>
  JSON.stringify([t.key ?? '', t.operator ?? '', t.value ?? '', t.effect ?? '', t.tolerationSeconds ?? null]);

/** ValidatePodUpdate: only images, activeDeadlineSeconds, added tolerations and a negative grace period may change. */
export function validatePodUpdate(pod: Pod, old: Pod): FieldError[] {
  const errs: FieldError[] = [...validateObjectMetaUpdate(pod.metadata, old.metadata)];
  errs.push(...validateObjectMeta(pod.metadata, true, nameIsDNSSubdomain));
  const spec = pod.spec ?? ({} as PodSpec);
  const oldSpec = old.spec ?? ({} as PodSpec);
  errs.push(...validatePodSpec(spec, 'spec'));
  const specPath = FieldPath.root('spec');
  for (const [k, label] of [
    ['containers', 'containers'],
    ['initContainers', 'initContainers'],
  ] as const) {
    const now = spec[k] ?? [];
    const before = oldSpec[k] ?? [];
    if (now.length !== before.length)
      errs.push(fieldErrors.forbidden(specPath.child(label), 'pod updates may not add or remove containers'));
  }
  const oldDeadline = oldSpec.activeDeadlineSeconds;
  const newDeadline = spec.activeDeadlineSeconds;
  if (oldDeadline != null) {
    if (newDeadline == null)
      errs.push(
        fieldErrors.invalid(
          specPath.child('activeDeadlineSeconds'),
          null,
          'must not update from a positive integer to nil value',
        ),
      );
    else if (newDeadline > oldDeadline)
      errs.push(
        fieldErrors.invalid(
          specPath.child('activeDeadlineSeconds'),
          newDeadline,
          'must be less than or equal to previous value',
        ),
      );
  }
  const oldTolerations = new Set((oldSpec.tolerations ?? []).map(tolerationKey));
  const newTolerations = new Set((spec.tolerations ?? []).map(tolerationKey));
  for (const t of oldSpec.tolerations ?? []) {
    if (!newTolerations.has(tolerationKey(t)))
      errs.push(
        fieldErrors.forbidden(
          specPath.child('tolerations'),
          `existing toleration can not be modified except its tolerationSeconds`,
        ),
      );
  }
  // Munge the updatable fields to their old values: what remains must be equal.
  const munged = structuredClone(spec) as PodSpec;
  const copyImages = (now: Container[] | undefined, before: Container[] | undefined) => {
    (now ?? []).forEach((c, i) => {
      if (before?.[i]) c.image = before[i]!.image;
    });
  };
  if (munged.containers?.length === oldSpec.containers?.length)
    copyImages(munged.containers, oldSpec.containers);
  if (munged.initContainers?.length === oldSpec.initContainers?.length)
    copyImages(munged.initContainers, oldSpec.initContainers);
  munged.activeDeadlineSeconds = oldSpec.activeDeadlineSeconds;
  if (oldSpec.activeDeadlineSeconds == null) delete munged.activeDeadlineSeconds;
  if ([...oldTolerations].every((k) => newTolerations.has(k))) {
    munged.tolerations = oldSpec.tolerations;
    if (!oldSpec.tolerations) delete munged.tolerations;
  }
  if ((oldSpec.terminationGracePeriodSeconds ?? 0) < 0 && spec.terminationGracePeriodSeconds === 1)
    munged.terminationGracePeriodSeconds = oldSpec.terminationGracePeriodSeconds;
  if (!semanticEqual(munged, oldSpec)) {
    errs.push(
      fieldErrors.forbidden(
        specPath,
        `pod updates may not change fields other than ${updatablePodSpecFields.join(',')}\n${specDiff(oldSpec, munged).join('\n')}`,
      ),
    );
  }
  return withGenericUpdateChecks(pod.metadata, old.metadata, true, errs);
}

/** ValidatePodStatusUpdate: metadata rules, a known phase, valid pod IPs, a nominated node name. */
export function validatePodStatusUpdate(pod: Pod, old: Pod): FieldError[] {
  const errs: FieldError[] = [...validateObjectMetaUpdate(pod.metadata, old.metadata)];
  const phase = pod.status?.phase;
  if (phase && !podPhases.includes(phase))
    errs.push(fieldErrors.notSupported(FieldPath.root('status', 'phase'), phase, podPhases));
  const nominated = pod.status?.nominatedNodeName;
  if (nominated)
    for (const m of nameIsDNSSubdomain(nominated, false))
      errs.push(fieldErrors.invalid(FieldPath.root('status', 'nominatedNodeName'), nominated, m));
  errs.push(...validatePodIPs(pod));
  return withGenericUpdateChecks(pod.metadata, old.metadata, true, errs);
}
