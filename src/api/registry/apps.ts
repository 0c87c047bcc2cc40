/** apps/v1: deployments, replicasets, statefulsets, controllerrevisions. */
import type { ResourceInfo } from '../resource.js';

export function appsResources(): ResourceInfo[] {
  return [];
}
