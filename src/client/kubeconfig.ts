/**
 * Reads a kubeconfig (the current context's cluster and user) into what an
 * HTTPS connection needs. Supports inline `-data` fields and file paths
 * (relative to the kubeconfig), bearer tokens and token files, and
 * `insecure-skip-tls-verify`.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';

export interface Connection {
  server: string;
  ca?: string;
  cert?: string;
  key?: string;
  token?: string;
  insecure: boolean;
  namespace: string;
}

interface Named<T> {
  name: string;
  [k: string]: unknown;
  value?: T;
}

type Dict = Record<string, unknown>;

const pick = <T extends Dict>(list: unknown, name: string, field: string): T | undefined => {
  if (!Array.isArray(list)) return undefined;
  const hit = (list as Named<T>[]).find((x) => x?.name === name);
  return hit?.[field] as T | undefined;
};

export function loadKubeconfig(path: string, context?: string): Connection {
  let doc: Dict;
  try {
    doc = parse(readFileSync(path, 'utf8')) as Dict;
  } catch (err) {
    throw new Error(`kubeconfig ${path}: ${(err as Error).message}`);
  }
  if (!doc || typeof doc !== 'object') throw new Error(`kubeconfig ${path}: not a kubeconfig`);
  const ctxName = context ?? (doc['current-context'] as string | undefined);
  if (!ctxName) throw new Error(`kubeconfig ${path}: no current-context`);
  const ctx = pick<Dict>(doc.contexts, ctxName, 'context');
  if (!ctx) throw new Error(`kubeconfig ${path}: context "${ctxName}" not found`);
  const cluster = pick<Dict>(doc.clusters, String(ctx.cluster), 'cluster');
  if (!cluster?.server) throw new Error(`kubeconfig ${path}: cluster "${String(ctx.cluster)}" has no server`);
  const user = pick<Dict>(doc.users, String(ctx.user ?? ''), 'user') ?? {};
  const base = dirname(resolve(path));
  const material = (obj: Dict, key: string): string | undefined => {
    const data = obj[`${key}-data`];
    if (typeof data === 'string') return Buffer.from(data, 'base64').toString('utf8');
    const file = obj[key];
    if (typeof file === 'string') return readFileSync(resolve(base, file), 'utf8');
    return undefined;
  };
  const tokenFile = user.tokenFile;
  return {
    server: String(cluster.server).replace(/\/+$/, ''),
    ca: material(cluster, 'certificate-authority'),
    cert: material(user, 'client-certificate'),
    key: material(user, 'client-key'),
    token:
      typeof user.token === 'string'
        ? user.token
        : typeof tokenFile === 'string'
          ? readFileSync(resolve(base, tokenFile), 'utf8').trim()
          : undefined,
    insecure: cluster['insecure-skip-tls-verify'] === true,
    namespace: typeof ctx.namespace === 'string' ? ctx.namespace : 'default',
  };
}
