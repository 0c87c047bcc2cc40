/**
 * Upstream's NamespaceLifecycle admission: content may only be created in a
 * namespace that exists and is not terminating, and the namespaces the system
 * needs (default, kube-system, kube-public) can't be deleted.
 */
import { StatusError, statusErrors } from '../../k8s/status.js';
import { groupResource, type ResourceInfo } from '../resource.js';
import type { Admission, Registry } from '../storage/registry.js';

export const IMMORTAL_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

export function namespaceLifecycle(namespaces: () => Registry): Admission {
  return {
    async create(info, namespace, name) {
      if (!info.namespaced) return;
      let ns: Awaited<ReturnType<Registry['get']>>;
      try {
        ns = await namespaces().get('', namespace);
      } catch (err) {
        if (err instanceof StatusError && err.reason === 'NotFound')
          throw statusErrors.notFound({ group: '', resource: 'namespaces' }, namespace);
        throw err;
      }
      if (ns.obj.metadata?.deletionTimestamp) {
        throw statusErrors.forbidden(
          groupResource(info),
          name,
          `unable to create new content in namespace ${namespace} because it is being terminated`,
        );
      }
    },
    delete(info: ResourceInfo, _namespace, name) {
      if (info.kind === 'Namespace' && info.group === '' && IMMORTAL_NAMESPACES.has(name)) {
        throw statusErrors.forbidden(groupResource(info), name, 'this namespace may not be deleted');
      }
    },
  };
}
