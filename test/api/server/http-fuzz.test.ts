/**
 * The HTTP layer of an in-process API server under random and mutated
 * requests: paths (real ones with segments replaced, escapes broken, bytes
 * outside ASCII), query strings, headers (Accept, Content-Type,
 * Authorization...), and bodies for every content type the server reads
 * (JSON, YAML, protobuf, the four patch types, apply), each a real object
 * mutated as a tree (values replaced, keys dropped or added, types swapped,
 * nesting deepened, YAML anchors shared) or as text (bytes flipped, cut,
 * spliced). Some requests go over a raw TLS socket, request line and all.
 *
 * No answer may be a 5xx, nothing may be logged as "Unhandled error", every
 * request gets an answer, and the server answers afterwards. The campaign is
 * seeded (FUZZ_SEED) and bounded in requests (FUZZ_REQUESTS) and in time
 * (FUZZ_BUDGET_S, a cap for slow machines, never a pass/fail criterion).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect } from 'node:tls';
import { stringify } from 'yaml';
import { encodeProtobuf } from '../../../src/api/protobuf/index.js';
import type { KubeObject } from '../../../src/api/registry/strategy.js';
import { loadKubeconfig } from '../../../src/client/kubeconfig.js';
import { startTestApi, type TestApi } from '../../lib/testapi.js';
import { capturingLogger, RawClient, type RawRequest, type RawResponse } from './raw.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20240610);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 10_000);
const BUDGET_MS = Number(process.env.FUZZ_BUDGET_S ?? 240) * 1000;
const IN_FLIGHT = 4;

/** mulberry32: a small seeded PRNG, so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = rng(SEED);
const int = (n: number) => Math.floor(rand() * n);
const chance = (p: number) => rand() < p;
const pick = <T>(a: readonly T[]): T => a[int(a.length)]!;

// ---- what the server serves ----------------------------------------------

interface Resource {
  prefix: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  subresources: string[];
  sample: (name: string) => Record<string, unknown>;
}

const NAMES = ['web', 'web', 'web', 'web', 'a', 'b', 'default', 'kube-system', 'n', 'x'];
// Fresh objects on every call: mutations edit trees in place.
const container = () => ({
  name: 'app',
  image: 'svcnet/netexec:1',
  ports: [{ containerPort: 8080, name: 'http' }],
});
const template = (app: string) => ({ metadata: { labels: { app } }, spec: { containers: [container()] } });

const RESOURCES: Resource[] = [
  {
    prefix: '/api/v1',
    plural: 'services',
    kind: 'Service',
    namespaced: true,
    subresources: ['status'],
    sample: (name) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, labels: { app: name }, annotations: { note: 'x' } },
      spec: {
        selector: { app: name },
        ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
        type: pick(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']),
      },
    }),
  },
  {
    prefix: '/api/v1',
    plural: 'pods',
    kind: 'Pod',
    namespaced: true,
    subresources: ['status', 'binding', 'log'],
    sample: (name) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels: { app: name } },
      spec: template(name).spec,
    }),
  },
  {
    prefix: '/api/v1',
    plural: 'namespaces',
    kind: 'Namespace',
    namespaced: false,
    subresources: ['status', 'finalize'],
    sample: (name) => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name },
      spec: { finalizers: ['kubernetes'] },
    }),
  },
  {
    prefix: '/api/v1',
    plural: 'nodes',
    kind: 'Node',
    namespaced: false,
    subresources: ['status'],
    sample: (name) => ({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name },
      spec: { podCIDR: '127.244.9.0/24' },
    }),
  },
  {
    prefix: '/api/v1',
    plural: 'endpoints',
    kind: 'Endpoints',
    namespaced: true,
    subresources: [],
    sample: (name) => ({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name },
      subsets: [{ addresses: [{ ip: '127.244.1.5' }], ports: [{ port: 80, name: 'http' }] }],
    }),
  },
  {
    prefix: '/api/v1',
    plural: 'events',
    kind: 'Event',
    namespaced: true,
    subresources: [],
    sample: (name) => ({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name },
      involvedObject: { kind: 'Service', name: 'web', namespace: 'default' },
      reason: 'Fuzzed',
      message: 'm',
      type: 'Normal',
    }),
  },
  {
    prefix: '/apis/discovery.k8s.io/v1',
    plural: 'endpointslices',
    kind: 'EndpointSlice',
    namespaced: true,
    subresources: [],
    sample: (name) => ({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name, labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['127.244.1.5'], conditions: { ready: true } }],
      ports: [{ port: 80, name: 'http', protocol: 'TCP' }],
    }),
  },
  {
    prefix: '/apis/coordination.k8s.io/v1',
    plural: 'leases',
    kind: 'Lease',
    namespaced: true,
    subresources: [],
    sample: (name) => ({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name },
      spec: { holderIdentity: 'a', leaseDurationSeconds: 40 },
    }),
  },
  ...(['Deployment', 'ReplicaSet', 'StatefulSet'] as const).map(
    (kind): Resource => ({
      prefix: '/apis/apps/v1',
      plural: `${kind.toLowerCase()}s`,
      kind,
      namespaced: true,
      subresources: ['status', 'scale'],
      sample: (name) => ({
        apiVersion: 'apps/v1',
        kind,
        metadata: { name },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: name } },
          template: template(name),
          ...(kind === 'StatefulSet' ? { serviceName: name } : {}),
        },
      }),
    }),
  ),
  {
    prefix: '/apis/apps/v1',
    plural: 'controllerrevisions',
    kind: 'ControllerRevision',
    namespaced: true,
    subresources: [],
    sample: (name) => ({
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: { name },
      revision: 1,
      data: { spec: { template: { $patch: 'replace', ...template(name) } } },
    }),
  },
];

/** Bodies that are not the resource itself. */
const OTHER_BODIES: Record<string, (name: string) => Record<string, unknown>> = {
  binding: (name) => ({
    apiVersion: 'v1',
    kind: 'Binding',
    metadata: { name },
    target: { kind: 'Node', name: 'n' },
  }),
  scale: (name) => ({
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: { name },
    spec: { replicas: 2 },
  }),
  deleteOptions: () => ({
    apiVersion: 'v1',
    kind: 'DeleteOptions',
    propagationPolicy: pick(['Background', 'Foreground', 'Orphan']),
    gracePeriodSeconds: pick([0, 1, 30]),
    preconditions: { uid: 'x', resourceVersion: '1' },
    dryRun: ['All'],
  }),
};

const OTHER_PATHS = [
  '/',
  '/api',
  '/apis',
  '/api/v1',
  '/apis/apps/v1',
  '/apis/discovery.k8s.io',
  '/version',
  '/healthz',
  '/livez',
  '/readyz',
  '/readyz/etcd',
  '/livez/ping',
  '/healthz/nope',
  '/openapi/v2',
  '/openapi/v3',
  '/openapi/v3/api/v1',
  '/openapi/v3/apis/apps/v1',
  '/api/v1/namespaces/default/bindings',
  '/metrics',
  '/logs',
];

// ---- random values ---------------------------------------------------------

const KEYS = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'metadata',
  'spec',
  'status',
  'apiVersion',
  'kind',
  'name',
  'namespace',
  'labels',
  'annotations',
  'managedFields',
  'resourceVersion',
  'uid',
  'finalizers',
  'ownerReferences',
  'ports',
  'port',
  'selector',
  'clusterIP',
  'clusterIPs',
  'type',
  'containers',
  'replicas',
  'data',
  '$patch',
  '$retainKeys',
  '$setElementOrder/ports',
  '$deleteFromPrimitiveList/finalizers',
  '$setElementOrder/containers',
  'x',
  '',
  'f:metadata',
  'k:{"port":80,"protocol":"TCP"}',
];

const STRINGS = [
  '',
  'x',
  'web',
  'All',
  'Strict',
  'replace',
  'delete',
  'merge',
  'TCP',
  'None',
  '127.96.0.10',
  '127.096.0.10',
  '::1',
  '1Gi',
  '10m',
  'e',
  '2024-01-01T00:00:00Z',
  'not-a-time',
  '\u0000',
  '\ud800',
  'é',
  '%zz',
  '../..',
  'a'.repeat(300),
  'k:{"port":',
];

function nestedValue(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = chance(0.5) ? { a: v } : [v];
  return v;
}

function managedFields(): unknown {
  return [
    {
      manager: pick(['m', '', 'kubectl']),
      operation: pick(['Apply', 'Update', 'Bogus']),
      apiVersion: pick(['v1', 'apps/v1', 'x']),
      fieldsType: pick(['FieldsV1', 'x']),
      time: pick(['2024-01-01T00:00:00Z', 'garbage']),
      ...(chance(0.3) ? { subresource: 'status' } : {}),
      fieldsV1: pick([
        { 'f:metadata': { 'f:labels': { 'f:a': {} } } },
        { 'f:spec': { 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {} } } } },
        { 'v:"x"': {}, 'i:0': {}, bogus: 1 },
        { 'k:{bad': {} },
        nestedValue(int(40)),
        'not an object',
      ]),
    },
  ];
}

function randomValue(depth = 0): unknown {
  switch (int(depth > 3 ? 8 : 12)) {
    case 0:
      return null;
    case 1:
      return chance(0.5);
    case 2:
      return pick([0, -1, 1, 80, 65536, 2 ** 31, 2 ** 53 + 2, 1.5, -0.5, 1e308]);
    case 3:
    case 4:
      return pick(STRINGS);
    case 5:
      return String(pick([0, 80, -1, 1e21]));
    case 6:
      return [];
    case 7:
      return {};
    case 8:
      return Array.from({ length: int(4) }, () => randomValue(depth + 1));
    case 9: {
      const o: Record<string, unknown> = {};
      for (let i = int(4); i > 0; i--) setKey(o, pick(KEYS), randomValue(depth + 1));
      return o;
    }
    case 10:
      return chance(0.2)
        ? nestedValue(pick([100, 499, 500, 501, 999, 1000, 1001, 2000]))
        : nestedValue(int(30));
    default:
      return chance(0.5) ? managedFields() : pick(RESOURCES).sample(pick(NAMES));
  }
}

function setKey(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** Every object and array inside `v`, with `v` itself. */
function containers(
  v: unknown,
  out: (Record<string, unknown> | unknown[])[] = [],
): (Record<string, unknown> | unknown[])[] {
  if (typeof v !== 'object' || v === null || out.length > 400) return out;
  out.push(v as Record<string, unknown> | unknown[]);
  for (const c of Array.isArray(v) ? v : Object.values(v)) containers(c, out);
  return out;
}

/** A few random edits of a JSON tree (in place; returns the root, which an edit may replace). */
function mutateTree(root: unknown): unknown {
  for (let n = 1 + int(3); n > 0; n--) {
    if (chance(0.05)) return randomValue();
    const all = containers(root);
    if (all.length === 0) return randomValue();
    const c = pick(all);
    if (Array.isArray(c)) {
      const i = int(c.length + 1);
      switch (int(4)) {
        case 0:
          c.splice(i, 1);
          break;
        case 1:
          c.splice(i, 0, randomValue());
          break;
        case 2:
          if (c.length) c.push(c[int(c.length)]);
          break;
        default:
          c[i] = randomValue();
      }
      continue;
    }
    const keys = Object.keys(c);
    const k = keys.length && chance(0.7) ? pick(keys) : pick(KEYS);
    switch (int(4)) {
      case 0:
        delete c[k];
        break;
      case 1:
        // A shared subtree: YAML writes it as an anchor and aliases.
        setKey(c, k, all.length > 1 ? pick(all) : randomValue());
        break;
      default:
        setKey(c, k, randomValue());
    }
  }
  return root;
}

const SNIPPETS = [
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '"',
  '\\',
  '\\u',
  '\\ud800',
  '1e999',
  '-',
  '0x1',
  'null',
  'true',
  '&a ',
  '*a',
  '<<: *a',
  '!!binary ',
  '!!set ',
  '? ',
  '- ',
  '---\n',
  '...\n',
  '\t',
  '\n',
  '%',
  '\u0000',
  '\ufeff',
  '{"a":'.repeat(600),
  '['.repeat(1200),
  '- '.repeat(300),
];

/** A few random edits of a body's bytes. */
function mutateText(body: string): string {
  let s = body;
  for (let n = 1 + int(3); n > 0; n--) {
    const i = int(s.length + 1);
    switch (int(5)) {
      case 0:
        s = s.slice(0, i);
        break;
      case 1:
        s = s.slice(0, i) + pick(SNIPPETS) + s.slice(i);
        break;
      case 2:
        s = s.slice(0, i) + s.slice(i + 1 + int(8));
        break;
      case 3: {
        const j = int(s.length + 1);
        s = s.slice(0, i) + s.slice(Math.min(i, j), Math.max(i, j)) + s.slice(i);
        break;
      }
      default:
        s = s.slice(0, i) + String.fromCharCode(int(256)) + s.slice(i + 1);
    }
  }
  return s;
}

function mutateBytes(b: Uint8Array): Buffer {
  const out = Buffer.from(b);
  for (let n = 1 + int(4); n > 0 && out.length; n--) {
    const i = int(out.length);
    switch (int(4)) {
      case 0:
        out[i] = int(256);
        break;
      case 1:
        out[i] = 0xff;
        break;
      case 2:
        return out.subarray(0, i);
      default:
        out[i]! ^= 1 << int(8);
    }
  }
  return out;
}

/** A YAML document with anchors that expand a lot, or nest deep through aliases. */
function yamlBomb(): string {
  const levels = 2 + int(9);
  const fan = 2 + int(9);
  const lines = ['metadata:', '  name: bomb', '  annotations:', '    a0: &a0 [lol]'];
  for (let i = 1; i <= levels; i++) {
    const inner = Array(fan)
      .fill(`*a${i - 1}`)
      .join(', ');
    lines.push(
      `    a${i}: &a${i} ${chance(0.5) ? `[${inner}]` : `${'['.repeat(60)}${inner}${']'.repeat(60)}`}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

// ---- requests ---------------------------------------------------------------

const ACCEPT = [
  'application/json',
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
  'application/json;as=Table;v=v1beta1;g=meta.k8s.io',
  'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io',
  'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io',
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
  'application/vnd.kubernetes.protobuf',
  'application/yaml',
  '*/*',
  'text/html',
  ';;;,,',
  'application/json;as=Table;g=meta.k8s.io;v=v9',
];

const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];

const QUERY: Record<string, () => string> = {
  watch: () => pick(['true', '1', 'false', 'x']),
  labelSelector: () =>
    pick(['app=web', 'app in (a,b)', '!app', 'a,b', 'x==', '%zz', 'a'.repeat(70), 'app notin ()']),
  fieldSelector: () =>
    pick(['metadata.name=web', 'spec.nodeName=n', 'status.phase!=x', 'bogus=1', '=', 'metadata.name']),
  limit: () => pick(['1', '0', '-1', '500', 'x', '9999999999999999999']),
  continue: () => pick(['', 'x', 'eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MSwic3RhcnQiOiJhIn0', '%zz']),
  resourceVersion: () => pick(['0', '1', '', 'x', '99999999', '-1']),
  resourceVersionMatch: () => pick(['NotOlderThan', 'Exact', 'x']),
  timeoutSeconds: () => pick(['1', '0', '-1', 'x']),
  allowWatchBookmarks: () => pick(['true', 'false']),
  sendInitialEvents: () => pick(['true', 'false']),
  dryRun: () => pick(['All', 'x', '']),
  fieldManager: () => pick(['fuzz', '', 'é', 'a'.repeat(200)]),
  fieldValidation: () => pick(['Strict', 'Warn', 'Ignore', 'x']),
  force: () => pick(['true', 'false', 'x']),
  propagationPolicy: () => pick(['Background', 'Foreground', 'Orphan', 'x']),
  gracePeriodSeconds: () => pick(['0', '30', '-1', 'x']),
  orphanDependents: () => pick(['true', 'false']),
  includeObject: () => pick(['None', 'Object', 'Metadata', 'x']),
  container: () => pick(['app', 'x', '']),
  follow: () => pick(['true', 'false']),
  tailLines: () => pick(['1', '-1', 'x']),
  limitBytes: () => pick(['1', '0', 'x']),
  sinceSeconds: () => pick(['1', '0', 'x']),
  verbose: () => '',
  exclude: () => pick(['etcd', 'x']),
  pretty: () => 'true',
  hash: () => 'x',
};

function randomSegment(): string {
  switch (int(7)) {
    case 0:
      return pick(['%zz', '%', '%2', '%2F', '%FF%FE', '%E0%A4', '%00', '%25', '%C3%A9']);
    case 1:
      return pick(['.', '..', '', '~', '*', '+', ':', '@']);
    case 2:
      return 'a'.repeat(1 + int(400));
    case 3:
      return String.fromCharCode(0x80 + int(0x80));
    default:
      return pick([...NAMES, 'status', 'scale', 'binding', 'log', 'finalize', 'eviction', 'proxy', 'exec']);
  }
}

function mutatePath(path: string): string {
  const parts = path.split('/');
  for (let n = 1 + int(2); n > 0; n--) {
    const i = 1 + int(Math.max(1, parts.length - 1));
    switch (int(4)) {
      case 0:
        parts.splice(i, 1);
        break;
      case 1:
        parts.splice(i, 0, randomSegment());
        break;
      default:
        parts[i] = randomSegment();
    }
  }
  return parts.join('/') + (chance(0.1) ? '/' : '');
}

function resourcePath(r: Resource, ns: string, name: string | undefined, sub: string | undefined): string {
  const base = r.namespaced && ns ? `${r.prefix}/namespaces/${ns}/${r.plural}` : `${r.prefix}/${r.plural}`;
  if (!name) return base;
  return sub ? `${base}/${name}/${sub}` : `${base}/${name}`;
}

function query(method: string): string {
  const params: string[] = [];
  const keys = Object.keys(QUERY);
  for (let n = int(4); n > 0; n--) {
    const k = pick(keys);
    params.push(`${k}=${encodeURIComponent(QUERY[k]!())}`);
  }
  if (method === 'PATCH' && chance(0.7)) params.push('fieldManager=fuzz');
  if (chance(0.05)) params.push(pick(['%zz', '=', '&&', 'a=%', 'watch', '?']));
  return params.length ? `?${params.join('&')}` : '';
}

interface Body {
  body: string | Buffer;
  contentType: string;
}

function objectBody(obj: Record<string, unknown>, format: 'json' | 'yaml' | 'protobuf'): Body {
  const tree = chance(0.7) ? mutateTree(structuredClone(obj)) : obj;
  if (format === 'protobuf') {
    // The encoder takes well-formed objects only: the bytes are mutated instead.
    let bytes: Buffer;
    try {
      bytes = Buffer.from(encodeProtobuf(obj as KubeObject));
    } catch {
      bytes = Buffer.from('k8s\x00garbage');
    }
    return {
      body: chance(0.8) ? mutateBytes(bytes) : bytes,
      contentType: 'application/vnd.kubernetes.protobuf',
    };
  }
  let text: string;
  if (format === 'yaml') {
    text = chance(0.1) ? yamlBomb() : safeYAML(tree);
  } else {
    text = safeJSON(tree);
  }
  if (chance(0.3)) text = mutateText(text);
  return { body: text, contentType: format === 'yaml' ? 'application/yaml' : 'application/json' };
}

/** JSON of a tree; a shared subtree may have made it cyclic, which JSON cannot write (YAML can). */
function safeJSON(v: unknown): string {
  try {
    return JSON.stringify(v) ?? 'null';
  } catch {
    return '{"cyclic":';
  }
}

function safeYAML(v: unknown): string {
  try {
    return stringify(v, { aliasDuplicateObjects: true });
  } catch {
    return 'a: [';
  }
}

function patchBody(obj: Record<string, unknown>): Body {
  const contentType = pick(PATCH_TYPES);
  let text: string;
  if (contentType === 'application/json-patch+json') {
    const paths = [
      '',
      '/',
      '/metadata',
      '/metadata/name',
      '/metadata/labels/a',
      '/metadata/annotations/x~1y',
      '/spec',
      '/spec/ports/0',
      '/spec/ports/-',
      '/spec/ports/9',
      '/spec/ports/-1',
      '/status',
      '/kind',
      '/apiVersion',
      '/metadata/managedFields',
      '/metadata/finalizers/0',
      '~',
      'a',
      '/spec/selector',
      '/spec/clusterIP',
      '/metadata/resourceVersion',
      '/metadata/uid',
      '/spec/template/spec/containers/0/image',
    ];
    const ops = Array.from({ length: 1 + int(4) }, () => {
      const op: Record<string, unknown> = {
        op: pick(['add', 'remove', 'replace', 'move', 'copy', 'test', 'x']),
      };
      if (chance(0.95)) op.path = pick(paths);
      if (chance(0.4)) op.from = pick(paths);
      if (chance(0.7)) op.value = randomValue();
      return op;
    });
    text = safeJSON(chance(0.1) ? mutateTree(ops) : ops);
  } else if (contentType === 'application/apply-patch+yaml') {
    const tree = chance(0.6) ? mutateTree(structuredClone(obj)) : obj;
    text = chance(0.1) ? yamlBomb() : chance(0.5) ? safeJSON(tree) : safeYAML(tree);
  } else {
    const partial: Record<string, unknown> = {};
    for (const k of Object.keys(obj)) if (chance(0.5)) partial[k] = structuredClone(obj[k]);
    text = safeJSON(mutateTree(partial));
  }
  if (chance(0.25)) text = mutateText(text);
  return { body: text, contentType };
}

function randomRequest(token: string): RawRequest {
  const method = chance(0.03)
    ? pick(['HEAD', 'OPTIONS', 'PROPFIND', 'CONNECT'])
    : pick(['GET', 'GET', 'GET', 'POST', 'POST', 'PUT', 'PATCH', 'PATCH', 'PATCH', 'DELETE']);
  const r = pick(RESOURCES);
  const name = chance(0.8) ? pick(NAMES) : undefined;
  const sub = name && chance(0.3) ? pick([...r.subresources, 'bogus']) : undefined;
  let path = chance(0.1)
    ? pick(OTHER_PATHS)
    : resourcePath(r, pick(['default', 'default', 'default', 'kube-system', 'nope', '']), name, sub);
  if (chance(0.2)) path = mutatePath(path);
  path += query(method);

  const headers: Record<string, string> = {};
  if (chance(0.7)) headers.Accept = pick(ACCEPT);
  if (chance(0.05))
    headers.Authorization = pick([
      `bearer ${token}`,
      'Bearer wrong',
      'Basic YTpi',
      'Bearer',
      `Bearer  ${token}`,
    ]);
  if (chance(0.05)) headers['If-None-Match'] = pick(['"x"', '*', '']);
  if (chance(0.05)) headers['User-Agent'] = pick(['', '/', 'kubectl/v1.32.0 (linux/amd64)', 'ü'.repeat(200)]);
  if (chance(0.03)) headers['Content-Encoding'] = pick(['gzip', 'x']);

  let body: Body | undefined;
  const name0 = name ?? pick(NAMES);
  if (method === 'POST' || method === 'PUT') {
    const obj =
      sub === 'binding'
        ? OTHER_BODIES.binding!(name0)
        : sub === 'scale'
          ? OTHER_BODIES.scale!(name0)
          : r.sample(name0);
    body = objectBody(obj, pick(['json', 'json', 'yaml', 'protobuf']));
  } else if (method === 'PATCH') {
    body = patchBody(sub === 'scale' ? OTHER_BODIES.scale!(name0) : r.sample(name0));
  } else if (method === 'DELETE' && chance(0.5)) {
    body = objectBody(OTHER_BODIES.deleteOptions!(name0), pick(['json', 'json', 'protobuf']));
    if (chance(0.2))
      body = {
        body: pick(['null', '5', '[]', '"x"', '{"dryRun":5}', '{"preconditions":7}']),
        contentType: 'application/json',
      };
  } else if (chance(0.03)) {
    body = { body: 'x'.repeat(int(100)), contentType: pick(['application/json', 'text/plain']) };
  }
  if (body) {
    headers['Content-Type'] = chance(0.1)
      ? pick([
          'text/plain',
          'application/json; charset=utf-8',
          'application/yaml;x=y',
          ';',
          'application/cbor',
          pick(PATCH_TYPES),
        ])
      : body.contentType;
  }
  return { method, path, headers, ...(body ? { body: body.body } : {}) };
}

/** A request line and headers no HTTP client library would send. */
function rawRequestText(token: string): string {
  const target = pick([
    '/api/v1/namespaces/%zz/services',
    'http://[',
    'http://x/api/v1/services',
    '//evil/api',
    '*',
    '/api/v1/namespaces/default/services/é',
    `/api/v1/namespaces/default/services?${'a=1&'.repeat(500)}`,
    '/api/v1/\x01',
    'api/v1',
    `/${'x/'.repeat(2000)}`,
  ]);
  const line = chance(0.8)
    ? `${pick(['GET', 'POST', 'PATCH', 'G@T'])} ${target} HTTP/1.1`
    : pick(['GET', 'GET / HTTP/9.9', '\x00\x01', ' / HTTP/1.1']);
  const headers = [`Host: x`, `Authorization: Bearer ${token}`];
  if (chance(0.3))
    headers.push(
      pick([
        'Content-Length: -1',
        'Content-Length: 1, 2',
        'Transfer-Encoding: chunked, x',
        'X: \x7f',
        'Bad Header',
        'Content-Type: application/json',
      ]),
    );
  return `${line}\r\n${headers.join('\r\n')}\r\nConnection: close\r\n\r\n`;
}

// ---- the campaign -------------------------------------------------------------

/**
 * The 5xx answers upstream gives too, none of them about the request's bytes:
 * a resourceVersion newer than the store's, which the watch cache waits for
 * and then refuses (504 Timeout); and a pod's log when its node (a Node the
 * fuzz itself created, with no addresses, which no kubelet would leave) has
 * no address to reach a kubelet at (500, as kube-apiserver's LogLocation).
 */
function upstreams5xx(r: RawResponse): boolean {
  // The body is indented when the fuzz asked for ?pretty=true.
  if (r.status === 504) return /"message": ?"Too large resource version: /.test(r.body);
  return (
    r.status === 500 && /"message": ?"Internal error occurred: no preferred addresses found; /.test(r.body)
  );
}

/** Properties the built-in prototypes got from outside (the server runs in this process); removes them. */
const pristine = new Map(
  [Object.prototype, Array.prototype, Function.prototype, String.prototype].map((p) => [
    p,
    new Set(Object.getOwnPropertyNames(p)),
  ]),
);
function pollution(): string {
  const added: string[] = [];
  for (const [proto, names] of pristine) {
    for (const k of Object.getOwnPropertyNames(proto)) {
      if (names.has(k)) continue;
      added.push(k);
      delete (proto as Record<string, unknown>)[k];
    }
  }
  return added.join(', ');
}

interface Finding {
  request: string;
  outcome: string;
}

describe('HTTP fuzz against an in-process API server', () => {
  let api: TestApi;
  let raw: RawClient;
  const logged = capturingLogger();
  /** A `web` of every resource (most requests name it), created again when a request deleted it. */
  async function seed(): Promise<number[]> {
    const codes: number[] = [];
    for (const r of RESOURCES) {
      const obj = r.sample('web');
      if (r.kind === 'Service') (obj.spec as Record<string, unknown>).type = 'ClusterIP';
      const res = await raw.send({
        method: 'POST',
        path: resourcePath(r, 'default', undefined, undefined),
        body: JSON.stringify(obj),
        headers: { 'Content-Type': 'application/json' },
      });
      codes.push(res.status);
    }
    return codes;
  }

  before(async () => {
    api = await startTestApi('http-fuzz', 'svcnet-test', { log: logged.log });
    raw = new RawClient(api);
    assert.deepEqual(
      (await seed()).filter((c) => c !== 201),
      [],
    );
  });
  after(async () => {
    raw?.close();
    await api?.stop();
  });

  it(`answers ${REQUESTS} random requests (seed ${SEED}) with no 500, and keeps answering`, async (t) => {
    const conn = loadKubeconfig(api.server.kubeconfigPath);
    const token = conn.token ?? '';
    const url = new URL(conn.server);
    const findings: Finding[] = [];
    const statuses = new Map<number, number>();
    const started = Date.now();
    let sent = 0;
    let nodeless = 0;

    const rawSocket = (text: string) =>
      new Promise<string>((resolve) => {
        const sock = connect({ host: url.hostname, port: Number(url.port), ca: conn.ca }, () =>
          sock.end(text),
        );
        let got = '';
        const done = () => resolve(got.split('\r\n', 1)[0] ?? '');
        sock.setTimeout(10_000, () => {
          got = got || 'no answer';
          sock.destroy();
        });
        sock.on('data', (d: Buffer) => {
          got += d.toString('latin1');
        });
        sock.on('close', done);
        sock.on('error', () => {});
      });

    const worker = async () => {
      while (sent < REQUESTS && Date.now() - started < BUDGET_MS) {
        sent++;
        if (sent % 500 === 0) await seed();
        if (chance(0.04)) {
          const text = rawRequestText(token);
          const line = await rawSocket(text);
          const code = Number(/^HTTP\/1\.[01] (\d{3})/.exec(line)?.[1] ?? 0);
          statuses.set(code, (statuses.get(code) ?? 0) + 1);
          if (code >= 500 || line === 'no answer')
            findings.push({ request: JSON.stringify(text.slice(0, 300)), outcome: line });
          continue;
        }
        const req = randomRequest(token);
        const describeReq = () =>
          `${req.method} ${req.path.slice(0, 200)} ${JSON.stringify(req.headers)} ${String(req.body ?? '').slice(0, 300)}`;
        try {
          const res = await raw.send(req, { streamMs: 300, timeoutMs: 15_000 });
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const polluted = pollution();
          if (polluted) findings.push({ request: describeReq(), outcome: `prototype polluted: ${polluted}` });
          if (res.status === 500 && upstreams5xx(res)) nodeless++;
          if (res.status >= 500 && !upstreams5xx(res)) {
            findings.push({ request: describeReq(), outcome: `${res.status} ${res.body.slice(0, 300)}` });
          }
        } catch (err) {
          // A refused or reset connection is no answer at all: also a finding.
          findings.push({ request: describeReq(), outcome: `error: ${(err as Error).message}` });
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));

    const summary = [...statuses]
      .sort(([a], [b]) => a - b)
      .map(([s, n]) => `${s}:${n}`)
      .join(' ');
    t.diagnostic(
      `${sent} requests in ${Math.round((Date.now() - started) / 1000)} s (seed ${SEED}); statuses ${summary}`,
    );
    t.diagnostic(
      `500 answers: ${statuses.get(500) ?? 0} (pod logs of a node without an address: ${nodeless})`,
    );
    // One of each kind of failure (its first 60 characters), with the request that showed it.
    const kinds = new Map<string, Finding>();
    for (const f of findings) if (!kinds.has(f.outcome.slice(0, 60))) kinds.set(f.outcome.slice(0, 60), f);
    assert.deepEqual([...kinds.values()], [], `${findings.length} requests failed`);
    const unhandled = logged.lines.filter((l) => l.includes('Unhandled error'));
    assert.deepEqual(unhandled.slice(0, 10), []);

    assert.deepEqual(
      (await seed()).filter((c) => c !== 201 && c !== 409),
      [],
      'objects can still be created',
    );
    const after = await raw.send({ method: 'GET', path: '/api/v1/namespaces/default/services/web' });
    assert.equal(after.status, 200, after.body);
    const ready = await raw.send({ method: 'GET', path: '/readyz' });
    assert.equal(ready.status, 200, ready.body);
  });
});
