/**
 * The paths and operations of one group-version, laid out as the apiserver's
 * OpenAPI builder lays them out: collection, item, all-namespaces and watch
 * paths, subresources, with upstream's operationIds, x-kubernetes-action,
 * x-kubernetes-group-version-kind, parameters and content types.
 */
import type { GVK } from '../schema/facts.js';

export interface ServedSubresource {
  /** `status`, `scale`, `binding` */
  name: string;
  /** The kind the subresource takes and returns: the parent's for status, `Scale`, `Binding`. */
  kind: string;
  /** Defaults to the parent's group/version when the kind is the parent's, else looked up by kind. */
  group?: string;
  version?: string;
  verbs: string[];
}

export interface ServedResource {
  group: string;
  version: string;
  /** Plural resource name: `services`. */
  resource: string;
  kind: string;
  namespaced: boolean;
  /** Kube verbs: get list watch create update patch delete deletecollection. */
  verbs: string[];
  subresources?: ServedSubresource[];
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
export const ref = (definition: string): JsonObject => ({ $ref: `#/components/schemas/${definition}` });

const param = (
  name: string,
  type: string,
  description: string,
  where = 'query',
  required = false,
): JsonObject => ({
  description,
  in: where,
  name,
  ...(required ? { required: true } : {}),
  schema: { type, uniqueItems: true },
});

// Parameters, as the apiserver declares them (descriptions in our words).
const p = {
  allowWatchBookmarks: param(
    'allowWatchBookmarks',
    'boolean',
    'Requests watch events of type BOOKMARK; servers may ignore it.',
  ),
  continue: param('continue', 'string', 'The continue token from a previous, chunked list response.'),
  dryRun: param('dryRun', 'string', 'When present, modifications are not persisted. Valid value: All.'),
  fieldManager: param('fieldManager', 'string', 'The name of the actor making these changes.'),
  fieldSelector: param(
    'fieldSelector',
    'string',
    'Restricts the returned objects by their fields. Defaults to everything.',
  ),
  fieldValidation: param(
    'fieldValidation',
    'string',
    'How to handle unknown or duplicate fields in the request object: Ignore, Warn (default) or Strict.',
  ),
  force: param('force', 'boolean', 'Forces Apply requests, re-acquiring fields owned by other managers.'),
  gracePeriodSeconds: param(
    'gracePeriodSeconds',
    'integer',
    'Seconds before the object is deleted; zero deletes immediately.',
  ),
  ignoreStoreReadError: param(
    'ignoreStoreReadErrorWithClusterBreakingPotential',
    'boolean',
    'Deletes an object that cannot be read from storage. Unsafe.',
  ),
  labelSelector: param(
    'labelSelector',
    'string',
    'Restricts the returned objects by their labels. Defaults to everything.',
  ),
  limit: param('limit', 'integer', 'The maximum number of objects to return in one list response.'),
  orphanDependents: param('orphanDependents', 'boolean', 'Deprecated: use propagationPolicy.'),
  pretty: param('pretty', 'string', "If 'true', the output is pretty printed."),
  propagationPolicy: param(
    'propagationPolicy',
    'string',
    'Garbage collection policy: Orphan, Background or Foreground.',
  ),
  resourceVersion: param(
    'resourceVersion',
    'string',
    'Constrains which resource versions the request may be served from.',
  ),
  resourceVersionMatch: param('resourceVersionMatch', 'string', 'How resourceVersion applies to list calls.'),
  sendInitialEvents: param(
    'sendInitialEvents',
    'boolean',
    'With watch=true, starts the stream with the current objects.',
  ),
  timeoutSeconds: param('timeoutSeconds', 'integer', 'Timeout for the list/watch call.'),
  watch: param('watch', 'boolean', 'Watch for changes to the described resources.'),
};

const listParams = [
  p.allowWatchBookmarks,
  p.continue,
  p.fieldSelector,
  p.labelSelector,
  p.limit,
  p.resourceVersion,
  p.resourceVersionMatch,
  p.sendInitialEvents,
  p.timeoutSeconds,
  p.watch,
];
const deleteCollectionParams = [
  p.continue,
  p.dryRun,
  p.fieldSelector,
  p.gracePeriodSeconds,
  p.ignoreStoreReadError,
  p.labelSelector,
  p.limit,
  p.orphanDependents,
  p.propagationPolicy,
  p.resourceVersion,
  p.resourceVersionMatch,
  p.sendInitialEvents,
  p.timeoutSeconds,
];
const deleteParams = [
  p.dryRun,
  p.gracePeriodSeconds,
  p.ignoreStoreReadError,
  p.orphanDependents,
  p.propagationPolicy,
];
const writeParams = [p.dryRun, p.fieldManager, p.fieldValidation];
const patchParams = [p.dryRun, p.fieldManager, p.fieldValidation, p.force];

const OBJECT_TYPES = ['application/json', 'application/vnd.kubernetes.protobuf', 'application/yaml'];
const STREAM_TYPES = [
  'application/json',
  'application/json;stream=watch',
  'application/vnd.kubernetes.protobuf',
  'application/vnd.kubernetes.protobuf;stream=watch',
  'application/yaml',
];
const PATCH_TYPES = [
  'application/apply-patch+yaml',
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];

const content = (types: readonly string[], schema: JsonObject): JsonObject =>
  Object.fromEntries(types.map((t) => [t, { schema }]));

const response = (description: string, types: readonly string[], schema: JsonObject): JsonObject => ({
  content: content(types, schema),
  description,
});

const unauthorized: JsonObject = { description: 'Unauthorized' };

/** `discovery.k8s.io` → `Discovery`, `rbac.authorization.k8s.io` → `RbacAuthorization`, core → `Core`. */
function groupWord(group: string): string {
  if (!group) return 'Core';
  return group
    .replace(/\.k8s\.io$/, '')
    .split('.')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

/** The operation tag: `core_v1`, `apps_v1`, `discovery_v1`. */
export function tagOf(group: string, version: string): string {
  const g = groupWord(group);
  return `${g.charAt(0).toLowerCase()}${g.slice(1)}_${version}`;
}

const article = (kind: string) => (/^[AEIOU]/.test(kind) ? 'an' : 'a');
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export interface KindInfo {
  gvk: GVK;
  /** The definition name of the kind and of its list. */
  definition: string;
  listDefinition?: string;
}

/** Builds the `paths` of one group-version document. */
export function groupVersionPaths(
  group: string,
  version: string,
  resources: readonly ServedResource[],
  kindInfo: (gvk: GVK) => KindInfo,
): Record<string, JsonObject> {
  const root = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const gv = `${groupWord(group)}${cap(version)}`;
  const tags = [tagOf(group, version)];
  const paths: Record<string, JsonObject> = {};

  paths[`${root}/`] = {
    get: {
      description: 'get available resources',
      operationId: `get${gv}APIResources`,
      responses: { 200: response('OK', OBJECT_TYPES, ref(`${META}APIResourceList`)), 401: unauthorized },
      tags,
    },
  };

  const op = (
    verbWord: string,
    action: string,
    info: KindInfo,
    description: string,
    parameters: JsonObject[],
    responses: JsonObject,
    requestBody?: JsonObject,
  ): JsonObject => ({
    description,
    operationId: verbWord,
    ...(parameters.length ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses: { ...responses, 401: unauthorized },
    tags,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { ...info.gvk },
  });

  for (const r of resources) {
    const info = kindInfo({ group, version, kind: r.kind });
    const { kind } = r;
    const obj = ref(info.definition);
    const list = info.listDefinition ? ref(info.listDefinition) : obj;
    const verbs = new Set(r.verbs);
    const ns = r.namespaced ? 'Namespaced' : '';
    const nsParam = param(
      'namespace',
      'string',
      'object name and auth scope, such as for teams and projects',
      'path',
      true,
    );
    const nameParam = param('name', 'string', `name of the ${kind}`, 'path', true);
    const scope = r.namespaced ? `${root}/namespaces/{namespace}` : root;
    const collection = `${scope}/${r.resource}`;
    const item = `${collection}/{name}`;
    const objBody = { content: { '*/*': { schema: obj } }, required: true };
    const deleteBody = { content: { '*/*': { schema: ref(`${META}DeleteOptions`) } } };
    const patchBody = { content: content(PATCH_TYPES, ref(`${META}Patch`)), required: true };
    const status = ref(`${META}Status`);

    const coll: JsonObject = { parameters: r.namespaced ? [nsParam, p.pretty] : [p.pretty] };
    if (verbs.has('list')) {
      coll.get = op(
        `list${gv}${ns}${kind}`,
        'list',
        info,
        `list or watch objects of kind ${kind}`,
        listParams,
        {
          200: response('OK', STREAM_TYPES, list),
        },
      );
    }
    if (verbs.has('create')) {
      const ok = (d: string) => response(d, OBJECT_TYPES, obj);
      coll.post = op(
        `create${gv}${ns}${kind}`,
        'post',
        info,
        `create ${article(kind)} ${kind}`,
        writeParams,
        { 200: ok('OK'), 201: ok('Created'), 202: ok('Accepted') },
        objBody,
      );
    }
    if (verbs.has('deletecollection')) {
      coll.delete = op(
        `delete${gv}Collection${ns}${kind}`,
        'deletecollection',
        info,
        `delete collection of ${kind}`,
        deleteCollectionParams,
        { 200: response('OK', OBJECT_TYPES, status) },
        deleteBody,
      );
    }
    if (Object.keys(coll).length > 1) paths[collection] = coll;

    const itemPath: JsonObject = {
      parameters: r.namespaced ? [nameParam, nsParam, p.pretty] : [nameParam, p.pretty],
    };
    const ok = (d: string) => response(d, OBJECT_TYPES, obj);
    if (verbs.has('get')) {
      itemPath.get = op(`read${gv}${ns}${kind}`, 'get', info, `read the specified ${kind}`, [], {
        200: ok('OK'),
      });
    }
    if (verbs.has('update')) {
      itemPath.put = op(
        `replace${gv}${ns}${kind}`,
        'put',
        info,
        `replace the specified ${kind}`,
        writeParams,
        { 200: ok('OK'), 201: ok('Created') },
        objBody,
      );
    }
    if (verbs.has('patch')) {
      itemPath.patch = op(
        `patch${gv}${ns}${kind}`,
        'patch',
        info,
        `partially update the specified ${kind}`,
        patchParams,
        { 200: ok('OK'), 201: ok('Created') },
        patchBody,
      );
    }
    if (verbs.has('delete')) {
      itemPath.delete = op(
        `delete${gv}${ns}${kind}`,
        'delete',
        info,
        `delete ${article(kind)} ${kind}`,
        deleteParams,
        { 200: response('OK', OBJECT_TYPES, status), 202: response('Accepted', OBJECT_TYPES, status) },
        deleteBody,
      );
    }
    if (Object.keys(itemPath).length > 1) paths[item] = itemPath;

    if (r.namespaced && verbs.has('list')) {
      paths[`${root}/${r.resource}`] = {
        get: op(
          `list${gv}${kind}ForAllNamespaces`,
          'list',
          info,
          `list or watch objects of kind ${kind}`,
          [],
          {
            200: response('OK', STREAM_TYPES, list),
          },
        ),
        parameters: [...listParams, p.pretty].sort(byName),
      };
    }

    if (verbs.has('watch')) {
      const watchEvent = ref(`${META}WatchEvent`);
      const watchScope = r.namespaced ? `${root}/watch/namespaces/{namespace}` : `${root}/watch`;
      const scopeParams = r.namespaced ? [nsParam] : [];
      const watchOp = (id: string, action: string, description: string) =>
        op(id, action, info, description, [], { 200: response('OK', STREAM_TYPES, watchEvent) });
      paths[`${watchScope}/${r.resource}`] = {
        get: watchOp(
          `watch${gv}${ns}${kind}List`,
          'watchlist',
          `watch individual changes to a list of ${kind}. deprecated: use the 'watch' parameter with a list operation instead.`,
        ),
        parameters: [...listParams, ...scopeParams, p.pretty].sort(byName),
      };
      paths[`${watchScope}/${r.resource}/{name}`] = {
        get: watchOp(
          `watch${gv}${ns}${kind}`,
          'watch',
          `watch changes to an object of kind ${kind}. deprecated: use the 'watch' parameter with a list operation instead, filtered to a single item with the 'fieldSelector' parameter.`,
        ),
        parameters: [...listParams, nameParam, ...scopeParams, p.pretty].sort(byName),
      };
      if (r.namespaced) {
        paths[`${root}/watch/${r.resource}`] = {
          get: watchOp(
            `watch${gv}${kind}ListForAllNamespaces`,
            'watchlist',
            `watch individual changes to a list of ${kind}. deprecated: use the 'watch' parameter with a list operation instead.`,
          ),
          parameters: [...listParams, p.pretty].sort(byName),
        };
      }
    }

    for (const sub of r.subresources ?? []) {
      const subInfo = kindInfo(
        sub.kind === kind && !sub.group
          ? info.gvk
          : { group: sub.group ?? '', version: sub.version ?? '', kind: sub.kind },
      );
      const subObj = ref(subInfo.definition);
      const subVerbs = new Set(sub.verbs);
      const word = cap(sub.name);
      const subPath: JsonObject = { parameters: itemPath.parameters as Json };
      const subOk = (d: string) => response(d, OBJECT_TYPES, subObj);
      const subBody = { content: { '*/*': { schema: subObj } }, required: true };
      if (subVerbs.has('get')) {
        subPath.get = op(
          `read${gv}${ns}${kind}${word}`,
          'get',
          subInfo,
          `read ${sub.name} of the specified ${kind}`,
          [],
          {
            200: subOk('OK'),
          },
        );
      }
      if (subVerbs.has('update')) {
        subPath.put = op(
          `replace${gv}${ns}${kind}${word}`,
          'put',
          subInfo,
          `replace ${sub.name} of the specified ${kind}`,
          writeParams,
          { 200: subOk('OK'), 201: subOk('Created') },
          subBody,
        );
      }
      if (subVerbs.has('patch')) {
        subPath.patch = op(
          `patch${gv}${ns}${kind}${word}`,
          'patch',
          subInfo,
          `partially update ${sub.name} of the specified ${kind}`,
          patchParams,
          { 200: subOk('OK'), 201: subOk('Created') },
          patchBody,
        );
      }
      if (subVerbs.has('create')) {
        subPath.post = op(
          `create${gv}${ns}${kind}${word}`,
          'post',
          subInfo,
          `create ${sub.name} of ${article(kind)} ${kind}`,
          writeParams,
          { 200: subOk('OK'), 201: subOk('Created'), 202: subOk('Accepted') },
          subBody,
        );
      }
      paths[`${item}/${sub.name}`] = subPath;
    }
  }
  return paths;
}

function byName(a: Json, b: Json): number {
  const x = (a as JsonObject).name as string;
  const y = (b as JsonObject).name as string;
  return x < y ? -1 : x > y ? 1 : 0;
}
