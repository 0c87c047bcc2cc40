/**
 * A minimal plain-HTTP Kubernetes API on 127.0.0.1 for driving the real
 * kubectl against our OpenAPI documents: /version, legacy discovery, and
 * /openapi/v3 (with /openapi/v2 answering 404 as a server without it does).
 * Records the requests it saw, so tests can check what kubectl asked for.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOpenAPIV3, type ServedResource } from '../../../src/api/openapi/v3.js';
import { decodeBody, type FieldValidation } from '../../../src/api/schema/decode.js';
import { schemaForKind } from '../../../src/api/schema/index.js';
import { StatusError } from '../../../src/k8s/status.js';
import { kubectlPath } from '../../lib/kubectl.js';

export interface StubAPI {
  url: string;
  requests: { method: string; url: string }[];
  kubectl(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  close(): Promise<void>;
}

const singular = (r: ServedResource) => r.kind.toLowerCase();
const shortNames: Record<string, string[]> = {
  services: ['svc'],
  endpoints: ['ep'],
  namespaces: ['ns'],
  events: ['ev'],
  pods: ['po'],
  nodes: ['no'],
  endpointslices: [],
  deployments: ['deploy'],
  replicasets: ['rs'],
  statefulsets: ['sts'],
};

function resourceList(groupVersion: string, rs: ServedResource[]): unknown {
  const resources: unknown[] = [];
  for (const r of rs) {
    resources.push({
      name: r.resource,
      singularName: singular(r),
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
      ...(shortNames[r.resource]?.length ? { shortNames: shortNames[r.resource] } : {}),
    });
    for (const s of r.subresources ?? []) {
      resources.push({
        name: `${r.resource}/${s.name}`,
        singularName: '',
        namespaced: r.namespaced,
        kind: s.kind,
        verbs: s.verbs,
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources };
}

export async function startStubAPI(served: ServedResource[]): Promise<StubAPI> {
  const openapi = buildOpenAPIV3(served);
  const groups = [...new Set(served.map((r) => r.group).filter((g) => g))].sort();
  const requests: { method: string; url: string }[] = [];
  const json = (res: ServerResponse, code: number, body: unknown) => {
    res.writeHead(code, { 'Content-Type': 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
  /** POST to a collection: decode the body as the apiserver would and echo the object. */
  const create = (req: IncomingMessage, res: ServerResponse, url: URL, body: string): boolean => {
    const m = /^\/(?:api|apis\/([^/]+))\/([^/]+)\/namespaces\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    const r = m && served.find((x) => x.group === (m[1] ?? '') && x.version === m[2] && x.resource === m[4]);
    if (!m || !r) return false;
    const schema = schemaForKind({ group: r.group, version: r.version, kind: r.kind })!;
    const fieldValidation = (url.searchParams.get('fieldValidation') ?? 'Warn') as FieldValidation;
    const format = (req.headers['content-type'] ?? '').includes('yaml') ? 'yaml' : 'json';
    try {
      const { obj, warnings } = decodeBody(body, format, schema, { ...r, fieldValidation });
      const headers: Record<string, string | string[]> = { 'Content-Type': 'application/json' };
      if (warnings.length) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
      res.writeHead(201, headers);
      res.end(JSON.stringify(obj));
    } catch (e) {
      if (!(e instanceof StatusError)) throw e;
      json(res, e.code, e.toStatus());
    }
    return true;
  };
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push({ method: req.method ?? 'GET', url: req.url ?? '/' });
    const path = url.pathname.replace(/\/$/, '');
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (!create(req, res, url, Buffer.concat(chunks).toString('utf8'))) json(res, 404, {});
      });
      return;
    }
    if (path === '/version') {
      return json(res, 200, {
        major: '1',
        minor: '32',
        gitVersion: 'v1.32.4',
        gitCommit: '0000000000000000000000000000000000000000',
        gitTreeState: 'clean',
        buildDate: '2025-01-01T00:00:00Z',
        goVersion: 'go1.23.6',
        compiler: 'gc',
        platform: 'linux/amd64',
      });
    }
    if (path === '/api')
      return json(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
    if (path === '/api/v1')
      return json(
        res,
        200,
        resourceList(
          'v1',
          served.filter((r) => !r.group),
        ),
      );
    if (path === '/apis') {
      return json(res, 200, {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: groups.map((g) => ({
          name: g,
          versions: [{ groupVersion: `${g}/v1`, version: 'v1' }],
          preferredVersion: { groupVersion: `${g}/v1`, version: 'v1' },
        })),
      });
    }
    const gv = /^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
    if (gv) {
      const rs = served.filter((r) => r.group === gv[1] && r.version === gv[2]);
      if (rs.length) return json(res, 200, resourceList(`${gv[1]}/${gv[2]}`, rs));
    }
    if (path === '/openapi/v3') return json(res, 200, openapi.index);
    if (path.startsWith('/openapi/v3/')) {
      const doc = openapi.documents.get(path.slice('/openapi/v3/'.length));
      if (doc) {
        res.writeHead(200, { 'Content-Type': 'application/json', Etag: `"${doc.hash}"` });
        return res.end(doc.json);
      }
    }
    json(res, 404, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'the server could not find the requested resource',
      reason: 'NotFound',
      details: {},
      code: 404,
    });
  };
  const server: Server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const home = mkdtempSync(join(tmpdir(), 'svcnet-kubectl-'));
  const kubeconfig = join(home, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters:
- name: stub
  cluster:
    server: ${url}
contexts:
- name: stub
  context:
    cluster: stub
    user: stub
current-context: stub
users:
- name: stub
  user: {}
`,
  );
  const kubectl = (args: string[], input?: string) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(
        kubectlPath(),
        [`--kubeconfig=${kubeconfig}`, ...args],
        { env: { HOME: home, PATH: process.env.PATH ?? '/usr/bin:/bin' }, timeout: 60_000 },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
      if (input !== undefined) child.stdin?.end(input);
    });
  return {
    url,
    requests,
    kubectl,
    close: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
