/**
 * Captures what the real kubectl sends, for the protobuf decoder's fixtures.
 *
 * Starts a minimal plain-HTTP API on 127.0.0.1 (version, legacy discovery, an
 * in-memory object store), points a kubeconfig in a temporary HOME at it, runs
 * kubectl commands, and writes test/api/protobuf/fixtures/: `<name>.pb` (the
 * request body), `<name>.dry-run.json` (`kubectl ... --dry-run=client -o json`
 * for the same command) and `captures.json` (method, path and content type of
 * every write request, per command).
 *
 *   node --import tsx tools/capture-kubectl.ts [--kubectl /usr/bin/kubectl]
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeProtobuf, isProtobufMediaType } from '../src/api/protobuf/index.js';
import { errText } from '../src/lib/errors.js';
import { findKubectl } from '../src/lib/kubectl.js';

/** Written next to the test sources, whether this runs from tools/ or dist/tools/. */
const FIXTURES = (() => {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'test', 'api', 'protobuf', 'fixtures');
  }
  throw new Error('repository root not found');
})();
// Default: PATH's kubectl, else the one ./setup installed in .tools/bin.
const kubectl = process.argv.includes('--kubectl')
  ? process.argv[process.argv.indexOf('--kubectl') + 1]!
  : (findKubectl()?.path ?? 'kubectl');

/** A kubectl invocation; `name` set means "save its body (and dry-run JSON) as a fixture". */
interface Capture {
  name?: string;
  args: string[];
  dryRun?: boolean;
}

const captures: Capture[] = [
  {
    name: 'service-clusterip',
    args: ['create', 'service', 'clusterip', 'web', '--tcp=80:8080'],
    dryRun: true,
  },
  {
    name: 'service-clusterip-multi',
    args: ['create', 'service', 'clusterip', 'multi', '--tcp=5678:8080', '--tcp=8443:443'],
    dryRun: true,
  },
  {
    name: 'service-clusterip-headless',
    args: ['create', 'service', 'clusterip', 'headless', '--clusterip=None'],
    dryRun: true,
  },
  {
    name: 'service-nodeport',
    args: ['create', 'service', 'nodeport', 'np', '--tcp=80:8080', '--node-port=30080'],
    dryRun: true,
  },
  {
    name: 'service-loadbalancer',
    args: ['create', 'service', 'loadbalancer', 'lb', '--tcp=80:8080'],
    dryRun: true,
  },
  {
    name: 'service-externalname',
    args: ['create', 'service', 'externalname', 'ext', '--external-name=api.example.com'],
    dryRun: true,
  },
  { name: 'namespace', args: ['create', 'namespace', 'x'], dryRun: true },
  {
    name: 'deployment-web',
    args: ['create', 'deployment', 'web', '--image=nginx', '--replicas=3', '--port=80'],
    dryRun: true,
  },
  {
    name: 'deployment-command',
    args: ['create', 'deployment', 'd', '--image=busybox', '--', 'sleep', '3600'],
    dryRun: true,
  },
  // kubectl run goes through the unstructured helper: JSON, recorded for the report only.
  { args: ['run', 'runpod', '--image=nginx', '--port=80', '--env=A=1', '--labels=app=r'] },
  // kubectl debug --copy-to re-creates a served pod through the typed client: a
  // Go-encoded rich PodSpec (the seeded pod below, plus kubectl's changes).
  {
    name: 'pod-debug-copy',
    args: [
      'debug',
      'rich',
      '--copy-to=rich-copy',
      '--image=busybox',
      '--container=dbg',
      '--share-processes',
      '--keep-labels',
      '--keep-annotations',
      '--keep-liveness',
      '--keep-readiness',
      '--keep-startup',
    ],
  },
  { args: ['scale', 'deployment', 'web', '--replicas=5'] },
  { args: ['delete', 'service', 'web'] },
  { args: ['delete', 'deployment', 'web'] },
  // drain without eviction deletes pods through the typed client, whose
  // DeleteOptions body is protobuf.
  {
    name: 'delete-options',
    args: [
      'drain',
      'node-1',
      '--disable-eviction',
      '--force',
      '--ignore-daemonsets',
      '--delete-emptydir-data',
      '--grace-period=5',
      '--timeout=10s',
    ],
  },
];

interface Recorded {
  method: string;
  path: string;
  contentType: string;
  body: Buffer;
}

const store = new Map<string, Record<string, unknown>>();
let recorded: Recorded[] = [];
let resourceVersion = 1;

function json(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  res.writeHead(code, { 'content-type': contentType });
  res.end(JSON.stringify(body));
}

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  const st = code < 400 ? 'Success' : 'Failure';
  json(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: st, reason, message, code });
}

const resources = {
  v1: [
    ['services', 'Service', true, 'svc'],
    ['namespaces', 'Namespace', false, 'ns'],
    ['pods', 'Pod', true, 'po'],
    ['endpoints', 'Endpoints', true, 'ep'],
    ['nodes', 'Node', false, 'no'],
  ],
  'apps/v1': [
    ['deployments', 'Deployment', true, 'deploy'],
    ['replicasets', 'ReplicaSet', true, 'rs'],
    ['statefulsets', 'StatefulSet', true, 'sts'],
  ],
} as const;

function resourceList(gv: keyof typeof resources): unknown {
  const verbs = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
  const list: unknown[] = [];
  for (const [name, kind, namespaced, short] of resources[gv]) {
    list.push({ name, singularName: kind.toLowerCase(), namespaced, kind, verbs, shortNames: [short] });
    if (gv === 'apps/v1') {
      list.push({
        name: `${name}/scale`,
        singularName: '',
        namespaced,
        group: 'autoscaling',
        version: 'v1',
        kind: 'Scale',
        verbs: ['get', 'patch', 'update'],
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources: list };
}

async function handle(req: IncomingMessage, res: ServerResponse, port: number): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks);
  const url = new URL(req.url ?? '/', 'http://x');
  const path = url.pathname;
  const method = req.method ?? 'GET';
  const contentType = req.headers['content-type'] ?? '';
  if (method !== 'GET') recorded.push({ method, path: req.url ?? path, contentType, body });
  if (process.env.CAPTURE_DEBUG) console.error(method, req.url);

  if (path === '/version') {
    return json(res, 200, { major: '1', minor: '32', gitVersion: 'v1.32.4', platform: 'linux/amd64' });
  }
  if (path === '/api') {
    return json(res, 200, {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${port}` }],
    });
  }
  if (path === '/apis') {
    const gv = { groupVersion: 'apps/v1', version: 'v1' };
    return json(res, 200, {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [{ name: 'apps', versions: [gv], preferredVersion: gv }],
    });
  }
  if (path === '/api/v1') return json(res, 200, resourceList('v1'));
  if (path === '/apis/apps/v1') return json(res, 200, resourceList('apps/v1'));

  // /api/v1/[namespaces/ns/]resource[/name[/sub]] or /apis/apps/v1/...
  const m =
    /^\/(?:api\/v1|apis\/apps\/v1)(?:\/namespaces\/([^/]+))?\/([a-z]+)(?:\/([^/]+))?(?:\/([a-z]+))?$/.exec(
      path,
    );
  if (!m) return status(res, 404, 'NotFound', `the server could not find the requested resource (${path})`);
  const [, ns, resource, name, sub] = m;
  const key = name ? `${ns ?? ''}/${resource}/${name}` : '';

  if (method === 'POST' && !name) {
    let obj: Record<string, unknown>;
    if (isProtobufMediaType(contentType)) obj = decodeProtobuf(body).object as Record<string, unknown>;
    else obj = JSON.parse(body.toString()) as Record<string, unknown>;
    const meta = (obj.metadata ?? {}) as Record<string, unknown>;
    const created = {
      ...obj,
      metadata: {
        ...meta,
        ...(ns ? { namespace: ns } : {}),
        uid: `uid-${resourceVersion}`,
        resourceVersion: String(resourceVersion++),
        creationTimestamp: '2024-01-01T00:00:00Z',
      },
    };
    store.set(`${ns ?? ''}/${resource}/${String(meta.name)}`, created);
    return json(res, 201, created);
  }
  if (!name) {
    const node = /^spec\.nodeName=(.*)$/.exec(url.searchParams.get('fieldSelector') ?? '')?.[1];
    const items = [...store.entries()]
      .filter(([k]) => k.startsWith(ns ? `${ns}/${resource}/` : '') && k.split('/')[1] === resource)
      .map(([, v]) => v)
      .filter((v) => !node || (v.spec as { nodeName?: string } | undefined)?.nodeName === node);
    const apiVersion = path.startsWith('/apis/apps/') ? 'apps/v1' : 'v1';
    const kind = Object.values(resources)
      .flat()
      .find(([n]) => n === resource)?.[1];
    return json(res, 200, {
      kind: `${kind ?? ''}List`,
      apiVersion,
      metadata: { resourceVersion: '1' },
      items,
    });
  }
  const obj = store.get(key);
  if (!obj) return status(res, 404, 'NotFound', `${resource} "${name}" not found`);
  if (sub === 'scale') {
    const patch = JSON.parse(body.toString() || '{}') as { spec?: { replicas?: number } };
    return json(res, 200, {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: obj.metadata,
      spec: { replicas: patch.spec?.replicas ?? 1 },
      status: { replicas: 1, selector: 'app=web' },
    });
  }
  if (method === 'DELETE') {
    store.delete(key);
    return json(res, 200, obj);
  }
  return json(res, 200, obj);
}

function run(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(kubectl, args, { env, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function main(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'svcnet-capture-'));
  let port = 0;
  const server = createServer((req, res) => {
    handle(req, res, port).catch((err: unknown) => {
      status(res, 500, 'InternalError', errText(err));
    });
  });
  try {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    const kubeconfig = join(home, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: c, cluster: {server: "http://127.0.0.1:' + port + '"}}]',
        'users: [{name: u, user: {}}]',
        'contexts: [{name: c, context: {cluster: c, user: u, namespace: default}}]',
        'current-context: c',
        '',
      ].join('\n'),
    );
    const env = { PATH: process.env.PATH, HOME: home, KUBECONFIG: kubeconfig };
    store.set('default/pods/rich', JSON.parse(readFileSync(join(FIXTURES, 'rich-pod.json'), 'utf8')));
    store.set('/nodes/node-1', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' }, spec: {} });

    const index: unknown[] = [];
    for (const c of captures) {
      recorded = [];
      const r = await run(c.args, env);
      console.log(`kubectl ${c.args.join(' ')} → exit ${r.code}${r.stderr ? `: ${r.stderr.trim()}` : ''}`);
      if (process.env.CAPTURE_DEBUG) console.log(r.stdout);
      index.push({
        name: c.name,
        command: `kubectl ${c.args.join(' ')}`,
        requests: recorded.map(({ method, path, contentType, body }) => ({
          method,
          path,
          contentType,
          ...(contentType.includes('json') ? { body: body.toString() } : {}),
        })),
      });
      if (c.name) {
        const pb = recorded.find((x) => isProtobufMediaType(x.contentType));
        if (pb) writeFileSync(join(FIXTURES, `${c.name}.pb`), pb.body);
        if (c.dryRun) {
          // The flags go before a `--` command, if any.
          const dash = c.args.includes('--') ? c.args.indexOf('--') : c.args.length;
          const flags = ['--dry-run=client', '-o', 'json'];
          const d = await run([...c.args.slice(0, dash), ...flags, ...c.args.slice(dash)], env);
          writeFileSync(join(FIXTURES, `${c.name}.dry-run.json`), d.stdout);
        }
      }
    }
    writeFileSync(join(FIXTURES, 'captures.json'), `${JSON.stringify(index, null, 2)}\n`);
  } finally {
    server.close();
    server.closeAllConnections();
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
