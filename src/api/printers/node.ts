/** Node and Namespace rows: upstream printNode / printNamespace. */
import type { Namespace, Node } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../registry/strategy.js';
import { AGE_COLUMN, column, DOC, NAME_COLUMN } from './columns.js';
import { translateTimestampSince } from './duration.js';
import { goSort } from './labels.js';
import type { TableConvertor } from './types.js';

const NODE_ROLE_PREFIX = 'node-role.kubernetes.io/';
const NODE_ROLE_LABEL = 'kubernetes.io/role';

/** `Ready`, `NotReady` or `Unknown` (no Ready condition), then `SchedulingDisabled` if cordoned. */
export function nodeStatus(node: Node): string {
  const status: string[] = [];
  // Upstream indexes conditions by type, so the last Ready condition wins.
  const ready = (node.status?.conditions ?? []).filter((c) => c.type === 'Ready').at(-1);
  if (ready) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  else status.push('Unknown');
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

/** Roles from `node-role.kubernetes.io/<role>` keys and `kubernetes.io/role=<role>`, sorted. */
export function nodeRoles(node: Node): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {})) {
    if (k.startsWith(NODE_ROLE_PREFIX)) {
      const role = k.slice(NODE_ROLE_PREFIX.length);
      if (role) roles.add(role);
    } else if (k === NODE_ROLE_LABEL && v !== '') {
      roles.add(v);
    }
  }
  return roles.size > 0 ? goSort([...roles]).join(',') : '<none>';
}

/** The first address of a type, or `<none>`. */
function nodeAddress(node: Node, type: string): string {
  return (node.status?.addresses ?? []).find((a) => a.type === type)?.address ?? '<none>';
}

export const nodeConvertor: TableConvertor = {
  columns: [
    NAME_COLUMN,
    column('Status', 'string', 'The status of the node'),
    column('Roles', 'string', 'The roles of the node'),
    AGE_COLUMN,
    column('Version', 'string', DOC.kubeletVersion),
    column('Internal-IP', 'string', DOC.nodeAddresses, { priority: 1 }),
    column('External-IP', 'string', DOC.nodeAddresses, { priority: 1 }),
    column('OS-Image', 'string', DOC.osImage, { priority: 1 }),
    column('Kernel-Version', 'string', DOC.kernelVersion, { priority: 1 }),
    column('Container-Runtime', 'string', DOC.containerRuntimeVersion, { priority: 1 }),
  ],
  rows(obj: KubeObject, now: Date): unknown[][] {
    const node = obj as Node;
    const info = node.status?.nodeInfo;
    return [
      [
        node.metadata?.name ?? '',
        nodeStatus(node),
        nodeRoles(node),
        translateTimestampSince(node.metadata?.creationTimestamp, now),
        info?.kubeletVersion ?? '',
        nodeAddress(node, 'InternalIP'),
        nodeAddress(node, 'ExternalIP'),
        info?.osImage || '<unknown>',
        info?.kernelVersion || '<unknown>',
        info?.containerRuntimeVersion || '<unknown>',
      ],
    ];
  },
};

export const namespaceConvertor: TableConvertor = {
  columns: [NAME_COLUMN, column('Status', 'string', 'The status of the namespace'), AGE_COLUMN],
  rows(obj: KubeObject, now: Date): unknown[][] {
    const ns = obj as Namespace;
    return [
      [
        ns.metadata?.name ?? '',
        ns.status?.phase ?? '',
        translateTimestampSince(ns.metadata?.creationTimestamp, now),
      ],
    ];
  },
};
