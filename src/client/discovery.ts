/**
 * API discovery as client-go's discovery client reads it (the legacy
 * documents any Kubernetes API server serves): the groups from /api and
 * /apis, each group version's APIResourceList, and the preferred version of
 * each resource. A component that must act on every kind the server has
 * (the namespace controller empties a namespace of all of them) asks here
 * instead of keeping a list of its own.
 */
import type { ApiClient, ResourceType } from './types.js';

/** One entry of an APIResourceList (metav1.APIResource). */
export interface APIResource {
  /** Plural, lower case; `pods/status` for a subresource. */
  name: string;
  namespaced: boolean;
  kind: string;
  verbs: string[];
  singularName?: string;
  /** Set when a subresource's kind lives in another group or version. */
  group?: string;
  version?: string;
  shortNames?: string[];
  categories?: string[];
}

export interface APIResourceList {
  /** `v1` for the core group, `group/version` otherwise. */
  groupVersion: string;
  resources: APIResource[];
}

export interface GroupVersionForDiscovery {
  groupVersion: string;
  version: string;
}

export interface APIGroup {
  /** '' for the legacy core group. */
  name: string;
  versions: GroupVersionForDiscovery[];
  preferredVersion?: GroupVersionForDiscovery;
}

/**
 * Some group versions could not be read (client-go's ErrGroupDiscoveryFailed);
 * what the others serve is still good to use.
 */
export class GroupDiscoveryError extends Error {
  constructor(
    /** Group version → why its resource list could not be read. */
    readonly groups: ReadonlyMap<string, string>,
  ) {
    const each = [...groups].map(([gv, why]) => `${gv}: ${why}`).sort();
    super(`unable to retrieve the complete list of server APIs: ${each.join(', ')}`);
    this.name = 'GroupDiscoveryError';
  }
}

const parseGroupVersion = (gv: string): { group: string; version: string } => {
  const slash = gv.indexOf('/');
  return slash < 0 ? { group: '', version: gv } : { group: gv.slice(0, slash), version: gv.slice(slash + 1) };
};

/** Every group served, the legacy core group ('', from /api) first (ServerGroups). */
export async function serverGroups(client: ApiClient): Promise<APIGroup[]> {
  const legacy = JSON.parse(await client.getRaw('/api')) as { versions?: string[] };
  const named = JSON.parse(await client.getRaw('/apis')) as { groups?: APIGroup[] };
  const core = (legacy.versions ?? []).map((v) => ({ groupVersion: v, version: v }));
  return [
    ...(core.length ? [{ name: '', versions: core, preferredVersion: core[0] }] : []),
    ...(named.groups ?? []),
  ];
}

/** One group version's APIResourceList (ServerResourcesForGroupVersion). */
export async function serverResourcesForGroupVersion(
  client: ApiClient,
  groupVersion: string,
): Promise<APIResourceList> {
  const path = groupVersion.includes('/') ? `/apis/${groupVersion}` : `/api/${groupVersion}`;
  const list = JSON.parse(await client.getRaw(path)) as { resources?: APIResource[] };
  return { groupVersion, resources: list.resources ?? [] };
}

/**
 * client-go's ServerPreferredResources: each resource once, in its group's
 * preferred version (else the first version serving it), subresources left
 * out. Group versions whose lists fail are reported in `error` while the
 * rest are answered; failing to read the group lists themselves rejects.
 */
export async function serverPreferredResources(
  client: ApiClient,
): Promise<{ lists: APIResourceList[]; error?: GroupDiscoveryError }> {
  const groups = await serverGroups(client);
  const lists = new Map<string, APIResourceList>();
  const failed = new Map<string, string>();
  await Promise.all(
    groups.flatMap((g) =>
      g.versions.map(async ({ groupVersion }) => {
        try {
          lists.set(groupVersion, await serverResourcesForGroupVersion(client, groupVersion));
        } catch (err) {
          failed.set(groupVersion, err instanceof Error ? err.message : String(err));
        }
      }),
    ),
  );
  return {
    lists: preferredResources(groups, lists),
    ...(failed.size ? { error: new GroupDiscoveryError(failed) } : {}),
  };
}

/** The choice ServerPreferredResources makes, over lists already read (keyed by group version). */
export function preferredResources(
  groups: readonly APIGroup[],
  lists: ReadonlyMap<string, APIResourceList>,
): APIResourceList[] {
  const chosen = new Map<string, { groupVersion: string; resource: APIResource }>();
  const out = new Map<string, APIResource[]>();
  for (const g of groups) {
    for (const v of g.versions) {
      const list = lists.get(v.groupVersion);
      if (!list) continue;
      out.set(v.groupVersion, []);
      for (const r of list.resources) {
        if (r.name.includes('/')) continue;
        const key = `${g.name}/${r.name}`;
        // A later version replaces an earlier one's entry only when it is the preferred version.
        if (chosen.has(key) && v.version !== g.preferredVersion?.version) continue;
        chosen.set(key, { groupVersion: v.groupVersion, resource: r });
      }
    }
  }
  for (const { groupVersion, resource } of chosen.values()) out.get(groupVersion)!.push(resource);
  return [...out].map(([groupVersion, resources]) => ({ groupVersion, resources }));
}

/** A discovered resource as the client addresses it, with the verbs it serves. */
export interface DiscoveredResource extends ResourceType {
  verbs: readonly string[];
}

/** The resources of `lists` that `keep` accepts (discovery.FilteredBy). */
export function resourceTypes(
  lists: readonly APIResourceList[],
  keep: (r: APIResource) => boolean = () => true,
): DiscoveredResource[] {
  return lists.flatMap((l) => {
    const { group, version } = parseGroupVersion(l.groupVersion);
    return l.resources.filter(keep).map((r) => ({
      group,
      version,
      resource: r.name,
      kind: r.kind,
      namespaced: r.namespaced,
      verbs: r.verbs,
    }));
  });
}

/** discovery.SupportsAllVerbs. */
export const supportsAllVerbs =
  (...verbs: string[]) =>
  (r: APIResource): boolean =>
    verbs.every((v) => r.verbs.includes(v));
