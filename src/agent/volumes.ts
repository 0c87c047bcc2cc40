/**
 * What kubelet's configMap, secret, downwardAPI and projected volume plugins
 * put in a volume (pkg/volume/{configmap,secret,downwardapi,projected}): the
 * files, their contents and modes, computed from the pod and the objects it
 * refers to. Pure: the filesystem side is atomicwriter.ts. A source that
 * cannot be read gives upstream's SetUp error, which keeps the pod in
 * ContainerCreating with a FailedMount event.
 */
import type {
  ConfigMap,
  DownwardAPIVolumeFile,
  KeyToPath,
  Pod,
  Secret,
  Volume,
} from 'kubernetes-types/core/v1.js';
import { goQuote } from '../k8s/gofmt.js';
import { SvcnetError } from '../lib/errors.js';
import { defaultAllocatable, fieldRefValue, resourceValue } from './envvars.js';

/** Upstream's default file mode of these volumes (0644). */
export const DEFAULT_MODE = 0o644;

export interface FileProjection {
  data: Buffer;
  mode: number;
}

/** Relative path → file. */
export type Payload = Map<string, FileProjection>;

/** The objects of the pod's namespace the volumes may read. */
export interface VolumeSources {
  configMap(name: string): ConfigMap | undefined;
  secret(name: string): Secret | undefined;
  /** Node allocatable for resourceFieldRef defaults; default this machine's. */
  nodeAllocatable?: Record<string, string>;
}

/** A volume that cannot be set up: `MountVolume.SetUp failed for volume "v" : <message>`. */
export class VolumeSetupError extends SvcnetError {
  constructor(message: string) {
    super('VOLUME_SETUP', message);
  }
}

/** The plugin directory names kubelet uses under pods/<uid>/volumes/. */
export function volumePluginDir(v: Volume): string | undefined {
  if (v.configMap) return 'kubernetes.io~configmap';
  if (v.secret) return 'kubernetes.io~secret';
  if (v.downwardAPI) return 'kubernetes.io~downward-api';
  if (v.projected) return 'kubernetes.io~projected';
  if (v.emptyDir) return 'kubernetes.io~empty-dir';
  return undefined;
}

/** The objects a volume reads, for knowing which pods an object change concerns. */
export function volumeReferences(v: Volume): { configMaps: string[]; secrets: string[] } {
  const configMaps: string[] = [];
  const secrets: string[] = [];
  if (v.configMap?.name) configMaps.push(v.configMap.name);
  if (v.secret?.secretName) secrets.push(v.secret.secretName);
  for (const s of v.projected?.sources ?? []) {
    if (s.configMap?.name) configMaps.push(s.configMap.name);
    if (s.secret?.name) secrets.push(s.secret.name);
  }
  return { configMaps, secrets };
}

/** A relative path inside the volume, never leaving it (validation already refuses others). */
function checkPath(path: string): string {
  if (!path || path.startsWith('/') || path.split('/').some((p) => p === '..'))
    throw new VolumeSetupError(`invalid path ${goQuote(path)}`);
  return path;
}

const utf8 = (s: string) => Buffer.from(s, 'utf8');
const b64 = (s: string) => Buffer.from(s, 'base64');

/** Keys (or items) of an object's data into `out`; `what` names the kind in errors. */
function project(
  out: Payload,
  data: Map<string, Buffer>,
  items: KeyToPath[] | undefined,
  defaultMode: number,
  optional: boolean,
  what: 'config' | 'secret',
): void {
  if (!items?.length) {
    for (const [k, v] of data) out.set(checkPath(k), { data: v, mode: defaultMode });
    return;
  }
  for (const it of items) {
    const v = data.get(it.key);
    if (v === undefined) {
      if (optional) continue;
      throw new VolumeSetupError(
        what === 'config'
          ? `configmap references non-existent config key: ${it.key}`
          : `references non-existent secret key: ${it.key}`,
      );
    }
    out.set(checkPath(it.path), { data: v, mode: it.mode ?? defaultMode });
  }
}

function configMapData(cm: ConfigMap): Map<string, Buffer> {
  const m = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(cm.data ?? {})) m.set(k, utf8(v));
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) m.set(k, b64(v));
  return m;
}

function secretData(s: Secret): Map<string, Buffer> {
  return new Map(Object.entries(s.data ?? {}).map(([k, v]) => [k, b64(v)]));
}

function downward(
  out: Payload,
  items: DownwardAPIVolumeFile[] | undefined,
  defaultMode: number,
  pod: Pod,
  src: VolumeSources,
): void {
  for (const it of items ?? []) {
    let value = '';
    try {
      if (it.fieldRef) value = fieldRefValue(it.fieldRef.fieldPath, pod, [], []);
      else if (it.resourceFieldRef) {
        const ref = it.resourceFieldRef;
        const container = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find(
          (c) => c.name === ref.containerName,
        );
        if (!container) throw new VolumeSetupError(`container ${ref.containerName ?? ''} not found`);
        const divisor = ref.divisor === undefined ? undefined : String(ref.divisor);
        value = resourceValue(ref.resource, divisor, container, src.nodeAllocatable ?? defaultAllocatable());
      }
    } catch (err) {
      if (err instanceof VolumeSetupError) throw err;
      throw new VolumeSetupError((err as Error).message);
    }
    out.set(checkPath(it.path), { data: utf8(value), mode: it.mode ?? defaultMode });
  }
}

/**
 * The files of a configMap, secret, downwardAPI or projected volume; undefined
 * for other kinds (emptyDir is an empty directory). Throws VolumeSetupError
 * with upstream's message when a required object or key is missing.
 */
export function volumePayload(v: Volume, pod: Pod, src: VolumeSources): Payload | undefined {
  const out: Payload = new Map();
  if (v.configMap) {
    const c = v.configMap;
    const cm = src.configMap(c.name ?? '');
    if (!cm) {
      if (c.optional) return out;
      throw new VolumeSetupError(`configmap ${goQuote(c.name ?? '')} not found`);
    }
    project(out, configMapData(cm), c.items, c.defaultMode ?? DEFAULT_MODE, c.optional ?? false, 'config');
    return out;
  }
  if (v.secret) {
    const s = v.secret;
    const secret = src.secret(s.secretName ?? '');
    if (!secret) {
      if (s.optional) return out;
      throw new VolumeSetupError(`secret ${goQuote(s.secretName ?? '')} not found`);
    }
    project(out, secretData(secret), s.items, s.defaultMode ?? DEFAULT_MODE, s.optional ?? false, 'secret');
    return out;
  }
  if (v.downwardAPI) {
    downward(out, v.downwardAPI.items, v.downwardAPI.defaultMode ?? DEFAULT_MODE, pod, src);
    return out;
  }
  if (v.projected) {
    const mode = v.projected.defaultMode ?? DEFAULT_MODE;
    const ns = pod.metadata?.namespace ?? '';
    for (const s of v.projected.sources ?? []) {
      if (s.configMap) {
        const name = s.configMap.name ?? '';
        const cm = src.configMap(name);
        if (!cm) {
          if (s.configMap.optional) continue;
          throw new VolumeSetupError(
            `couldn't get configMap ${ns}/${name}: configmap ${goQuote(name)} not found`,
          );
        }
        project(out, configMapData(cm), s.configMap.items, mode, s.configMap.optional ?? false, 'config');
      } else if (s.secret) {
        const name = s.secret.name ?? '';
        const secret = src.secret(name);
        if (!secret) {
          if (s.secret.optional) continue;
          throw new VolumeSetupError(`couldn't get secret ${ns}/${name}: secret ${goQuote(name)} not found`);
        }
        project(out, secretData(secret), s.secret.items, mode, s.secret.optional ?? false, 'secret');
      } else if (s.downwardAPI) {
        downward(out, s.downwardAPI.items, mode, pod, src);
      }
      // serviceAccountToken and clusterTrustBundle sources are not served: svcnet issues no tokens.
    }
    return out;
  }
  return undefined;
}
