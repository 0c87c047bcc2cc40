/**
 * Nodes (upstream pkg/registry/core/node): cluster-scoped; the main resource
 * keeps status, /status keeps spec; pod CIDRs are fixed once assigned.
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import { setNodeDefaults } from '../defaults/node.js';
import { validateNode, validateNodeUpdate } from '../validation/node.js';
import type { Strategy } from './strategy.js';

type MutableNode = { -readonly [K in keyof Node]: Node[K] };

export const nodeStrategy: Strategy<Node> = {
  defaults: setNodeDefaults,
  validate: validateNode,
  prepareForUpdate(node, old) {
    (node as MutableNode).status = old.status;
  },
  validateUpdate: validateNodeUpdate,
  status: {
    prepareForUpdate(node, old) {
      (node as MutableNode).spec = old.spec;
    },
    validateUpdate: validateNodeUpdate,
  },
};

/** Node fields selectable in fieldSelector (NodeToSelectableFields). */
export const nodeFieldGetters: Record<string, (n: Node) => string | undefined> = {
  'spec.unschedulable': (n) => String(n.spec?.unschedulable ?? false),
};
