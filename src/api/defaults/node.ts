/**
 * Node defaults (SetDefaults_NodeStatus, and the v1 conversion that keeps
 * spec.podCIDR and spec.podCIDRs in step).
 */
import type { Node } from 'kubernetes-types/core/v1.js';

export function setNodeDefaults(node: Node): void {
  node.spec ??= {};
  const spec = node.spec;
  if (spec.podCIDR && !spec.podCIDRs?.length) spec.podCIDRs = [spec.podCIDR];
  else if (!spec.podCIDR && spec.podCIDRs?.length) spec.podCIDR = spec.podCIDRs[0];
  const status = node.status;
  // Allocatable defaults to capacity.
  if (status?.capacity && !status.allocatable) status.allocatable = { ...status.capacity };
}
