/**
 * API discovery in both forms kubectl understands: the legacy documents
 * (/api, /apis, /apis/<g>, /<prefix>/<gv> resource lists) and the aggregated
 * apidiscovery.k8s.io/v2 (and v2beta1) lists that answer /api and /apis in one
 * request each. Everything is computed once from the resource table.
 */
import { createHash } from 'node:crypto';
import { apiVersionOf, type ResourceInfo, type Subresource, standardVerbs } from '../resource.js';

export interface DiscoveryDocs {
  /** Keyed by URL path: '/api', '/apis', '/api/v1', '/apis/discovery.k8s.io', '/apis/discovery.k8s.io/v1'. */
  legacy: Map<string, string>;
  /** '/api' and '/apis' → aggregated JSON, per discovery version. */
  aggregated: Map<string, { json: string; etag: string }>;
}

/** Upstream's verbs and kinds of each subresource. */
export const subresourceVerbs: Record<Subresource, string[]> = {
  status: ['get', 'patch', 'update'],
  finalize: ['update'],
  scale: ['get', 'patch', 'update'],
  binding: ['create'],
  log: ['get'],
  eviction: ['create'],
  exec: ['create', 'get'],
  attach: ['create', 'get'],
  portforward: ['create', 'get'],
};

/** The kind a subresource takes or returns: the parent's, or its own in another group. */
export function subresourceKind(
  r: ResourceInfo,
  s: Subresource,
): { group: string; version: string; kind: string } {
  switch (s) {
    case 'scale':
      return { group: 'autoscaling', version: 'v1', kind: 'Scale' };
    case 'binding':
      return { group: '', version: 'v1', kind: 'Binding' };
    case 'eviction':
      return { group: 'policy', version: 'v1', kind: 'Eviction' };
    case 'exec':
      return { group: '', version: 'v1', kind: 'PodExecOptions' };
    case 'attach':
      return { group: '', version: 'v1', kind: 'PodAttachOptions' };
    case 'portforward':
      return { group: '', version: 'v1', kind: 'PodPortForwardOptions' };
    default:
      return { group: r.group, version: r.version, kind: r.kind };
  }
}

/** Resources served beside the stored ones: core/v1 `bindings` (create only). */
const extraResources = (gv: string) =>
  gv === 'v1'
    ? [{ name: 'bindings', singularName: 'binding', namespaced: true, kind: 'Binding', verbs: ['create'] }]
    : [];

export function buildDiscovery(resources: readonly ResourceInfo[], serverAddress: string): DiscoveryDocs {
  const legacy = new Map<string, string>();
  const byGV = new Map<string, ResourceInfo[]>();
  for (const r of resources) {
    const gv = apiVersionOf(r);
    byGV.set(gv, [...(byGV.get(gv) ?? []), r]);
  }
  const groups = [...new Set(resources.filter((r) => r.group).map((r) => r.group))].sort();
  const serverAddressByClientCIDRs = [{ clientCIDR: '0.0.0.0/0', serverAddress }];

  legacy.set('/api', JSON.stringify({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs }));
  const groupDoc = (g: string) => {
    const versions = [...new Set(resources.filter((r) => r.group === g).map((r) => r.version))];
    const vs = versions.map((version) => ({ groupVersion: `${g}/${version}`, version }));
    return { name: g, versions: vs, preferredVersion: vs[0] };
  };
  legacy.set(
    '/apis',
    JSON.stringify({ kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(groupDoc) }),
  );
  for (const g of groups) {
    legacy.set(`/apis/${g}`, JSON.stringify({ kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(g) }));
  }
  for (const [gv, rs] of byGV) {
    const list = {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: gv,
      resources: [
        ...extraResources(gv),
        ...rs.flatMap((r) => [
          {
            name: r.resource,
            singularName: r.singular,
            namespaced: r.namespaced,
            kind: r.kind,
            verbs: standardVerbs,
            ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
            ...(r.categories.length ? { categories: r.categories } : {}),
            storageVersionHash: storageVersionHash(r),
          },
          ...r.subresources.map((s) => {
            const k = subresourceKind(r, s);
            const other = k.group !== r.group || k.version !== r.version;
            return {
              name: `${r.resource}/${s}`,
              singularName: '',
              namespaced: r.namespaced,
              ...(other ? { group: k.group, version: k.version } : {}),
              kind: k.kind,
              verbs: subresourceVerbs[s],
            };
          }),
        ]),
      ].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    };
    legacy.set(gv.includes('/') ? `/apis/${gv}` : `/api/${gv}`, JSON.stringify(list));
  }

  const aggregated = new Map<string, { json: string; etag: string }>();
  for (const dv of ['v2', 'v2beta1'] as const) {
    const doc = (gs: string[]) => {
      const items = gs.map((g) => ({
        metadata: { name: g, creationTimestamp: null },
        versions: [...new Set(resources.filter((r) => r.group === g).map((r) => r.version))].map(
          (version) => ({
            version,
            resources: [
              ...extraResources(g ? `${g}/${version}` : version).map((x) => ({
                resource: x.name,
                responseKind: { group: g, version, kind: x.kind },
                scope: x.namespaced ? 'Namespaced' : 'Cluster',
                singularResource: x.singularName,
                verbs: x.verbs,
              })),
              ...resources
                .filter((r) => r.group === g && r.version === version)
                .map((r) => ({
                  resource: r.resource,
                  responseKind: { group: r.group, version: r.version, kind: r.kind },
                  scope: r.namespaced ? 'Namespaced' : 'Cluster',
                  singularResource: r.singular,
                  verbs: standardVerbs,
                  ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
                  ...(r.categories.length ? { categories: r.categories } : {}),
                  ...(r.subresources.length
                    ? {
                        subresources: r.subresources.map((s) => ({
                          subresource: s,
                          responseKind: subresourceKind(r, s),
                          verbs: subresourceVerbs[s],
                        })),
                      }
                    : {}),
                })),
            ],
            freshness: 'Current',
          }),
        ),
      }));
      const json = JSON.stringify({
        kind: 'APIGroupDiscoveryList',
        apiVersion: `apidiscovery.k8s.io/${dv}`,
        metadata: {},
        items,
      });
      return { json, etag: `"${createHash('sha256').update(json).digest('hex').slice(0, 32)}"` };
    };
    aggregated.set(`${dv}:/api`, doc(['']));
    aggregated.set(`${dv}:/apis`, doc(groups));
  }
  return { legacy, aggregated };
}

/** Upstream's storageVersionHash: base64 of the first 8 bytes of sha256("<group>/<version>/<kind>"). */
function storageVersionHash(r: ResourceInfo): string {
  return createHash('sha256')
    .update(`${r.group}/${r.version}/${r.kind}`)
    .digest()
    .subarray(0, 8)
    .toString('base64');
}
