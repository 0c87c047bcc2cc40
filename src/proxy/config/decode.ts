/**
 * Strict decoding of a KubeProxyConfiguration YAML/JSON document into its
 * v1alpha1 fields: unknown fields and wrong types are errors naming the field,
 * as kube-proxy's strict decoder reports them.
 */
import { parseDocument } from 'yaml';
import { SvcnetError } from '../../lib/errors.js';
import { parseGoDuration } from '../../lib/goduration.js';
import { API_VERSION, KIND } from './types.js';

type Leaf = 'string' | 'bool' | 'int32' | 'float' | 'duration' | 'strings' | 'boolMap' | 'any';
type Schema = { [field: string]: Leaf | Schema };

const d = 'duration' as const;
/** The v1alpha1 fields, as their JSON names. */
const schema: Schema = {
  apiVersion: 'string',
  kind: 'string',
  featureGates: 'boolMap',
  clientConnection: {
    kubeconfig: 'string',
    acceptContentTypes: 'string',
    contentType: 'string',
    qps: 'float',
    burst: 'int32',
  },
  logging: { format: 'string', flushFrequency: d, verbosity: 'int32', vmodule: 'any', options: 'any' },
  hostnameOverride: 'string',
  bindAddress: 'string',
  healthzBindAddress: 'string',
  metricsBindAddress: 'string',
  bindAddressHardFail: 'bool',
  enableProfiling: 'bool',
  showHiddenMetricsForVersion: 'string',
  mode: 'string',
  iptables: {
    masqueradeBit: 'int32',
    masqueradeAll: 'bool',
    localhostNodePorts: 'bool',
    syncPeriod: d,
    minSyncPeriod: d,
  },
  ipvs: {
    syncPeriod: d,
    minSyncPeriod: d,
    scheduler: 'string',
    excludeCIDRs: 'strings',
    strictARP: 'bool',
    tcpTimeout: d,
    tcpFinTimeout: d,
    udpTimeout: d,
  },
  nftables: { masqueradeBit: 'int32', masqueradeAll: 'bool', syncPeriod: d, minSyncPeriod: d },
  winkernel: {
    networkName: 'string',
    sourceVip: 'string',
    enableDSR: 'bool',
    rootHnsEndpointName: 'string',
    forwardHealthCheckVip: 'bool',
  },
  detectLocalMode: 'string',
  detectLocal: { bridgeInterface: 'string', interfaceNamePrefix: 'string' },
  clusterCIDR: 'string',
  nodePortAddresses: 'strings',
  oomScoreAdj: 'int32',
  conntrack: {
    maxPerCore: 'int32',
    min: 'int32',
    tcpEstablishedTimeout: d,
    tcpCloseWaitTimeout: d,
    tcpBeLiberal: 'bool',
    udpTimeout: d,
    udpStreamTimeout: d,
  },
  configSyncPeriod: d,
  portRange: 'string',
  windowsRunAsService: 'bool',
};

/** Decoded fields: durations in nanoseconds; absent and null fields are left out. */
export type RawConfig = { [field: string]: unknown };

export class ConfigDecodeError extends SvcnetError {
  constructor(message: string) {
    super('PROXY_CONFIG_DECODE', message);
  }
}

/** Decodes one document; throws ConfigDecodeError ("failed to decode: …") on any problem. */
export function decodeKubeProxyConfiguration(text: string): RawConfig {
  const fail = (msg: string) => new ConfigDecodeError(`failed to decode: ${msg}`);
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) throw fail(`yaml: ${doc.errors[0]!.message}`);
  const data: unknown = doc.toJS();
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw fail(`couldn't get version/kind; json parse error: the document is not an object`);
  }
  const obj = data as Record<string, unknown>;
  if (!obj.kind) throw fail(`Object 'Kind' is missing in '${text.trim()}'`);
  if (obj.apiVersion !== API_VERSION) {
    throw fail(
      `no kind ${JSON.stringify(obj.kind)} is registered for version ${JSON.stringify(obj.apiVersion ?? '')}`,
    );
  }
  if (obj.kind !== KIND)
    throw fail(
      `no kind ${JSON.stringify(obj.kind)} is registered for version ${JSON.stringify(API_VERSION)}`,
    );
  const unknown: string[] = [];
  const out = walk(obj, schema, '', unknown, fail);
  if (unknown.length > 0) {
    throw fail(
      `strict decoding error: ${unknown.map((f) => `unknown field ${JSON.stringify(f)}`).join(', ')}`,
    );
  }
  return out;
}

function walk(
  obj: Record<string, unknown>,
  sch: Schema,
  prefix: string,
  unknown: string[],
  fail: (msg: string) => Error,
): RawConfig {
  const out: RawConfig = {};
  for (const [key, value] of Object.entries(obj)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const type = sch[key];
    if (type === undefined) {
      unknown.push(path);
      continue;
    }
    if (value === null || value === undefined) continue;
    if (typeof type === 'object') {
      if (typeof value !== 'object' || Array.isArray(value)) throw fail(typeError(value, path, 'struct'));
      out[key] = walk(value as Record<string, unknown>, type, path, unknown, fail);
      continue;
    }
    out[key] = leaf(value, type, path, fail);
  }
  return out;
}

function leaf(value: unknown, type: Leaf, path: string, fail: (msg: string) => Error): unknown {
  switch (type) {
    case 'any':
      return value;
    case 'string':
      if (typeof value !== 'string') throw fail(typeError(value, path, 'string'));
      return value;
    case 'bool':
      if (typeof value !== 'boolean') throw fail(typeError(value, path, 'bool'));
      return value;
    case 'int32':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) {
        throw fail(typeError(value, path, 'int32'));
      }
      return value;
    case 'float':
      if (typeof value !== 'number') throw fail(typeError(value, path, 'float32'));
      return value;
    case 'duration':
      if (typeof value !== 'string') throw fail(typeError(value, path, 'string'));
      try {
        return parseGoDuration(value);
      } catch (err) {
        throw fail(`${path}: ${(err as Error).message}`);
      }
    case 'strings':
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
        throw fail(typeError(value, path, '[]string'));
      return value as string[];
    case 'boolMap':
      if (
        typeof value !== 'object' ||
        Array.isArray(value) ||
        !Object.values(value as object).every((v) => typeof v === 'boolean')
      ) {
        throw fail(typeError(value, path, 'map[string]bool'));
      }
      return value as Record<string, boolean>;
  }
}

/** encoding/json's UnmarshalTypeError wording. */
function typeError(value: unknown, path: string, goType: string): string {
  const jsonType = Array.isArray(value)
    ? 'array'
    : value === null
      ? 'null'
      : typeof value === 'object'
        ? 'object'
        : typeof value;
  return `json: cannot unmarshal ${jsonType} into Go struct field KubeProxyConfiguration.${path} of type ${goType}`;
}
