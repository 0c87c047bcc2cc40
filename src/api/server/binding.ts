/**
 * Binding a pod to a node, as the scheduler does: POST pods/{name}/binding or
 * POST namespaces/{ns}/bindings with a core/v1 Binding (JSON or protobuf).
 * As upstream's BindingREST, it sets spec.nodeName (once), merges the
 * binding's annotations and marks the PodScheduled condition True, writing
 * the pod directly (pod updates may not change nodeName otherwise).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Binding, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { FieldPath, fieldErrors } from '../../k8s/field.js';
import { StatusError, statusErrors } from '../../k8s/status.js';
import { errText } from '../../lib/errors.js';
import type { KubeObject } from '../registry/strategy.js';
import { groupResource, type ResourceInfo } from '../resource.js';
import { type Registry, timestamp } from '../storage/registry.js';
import { decodeObject } from './codec.js';
import { bodyFormat } from './negotiate.js';
import { sendJSON } from './respond.js';

export interface BindingRequest {
  pods: Registry;
  namespace: string;
  /** The pod named in the URL (pods/{name}/binding), or '' for the bindings collection. */
  name: string;
  query: URLSearchParams;
  body: () => Promise<Buffer>;
  req: IncomingMessage;
  res: ServerResponse;
}

const bindingsResource = { group: '', resource: 'pods/binding' };

function bindingInfo(pods: ResourceInfo): ResourceInfo {
  return { ...pods, kind: 'Binding', resource: 'bindings', subresources: [] };
}

/** ValidatePodBinding: the target is a Node, by name. */
function validateBinding(b: Binding): void {
  const errs = [];
  const kind = b.target?.kind ?? '';
  if (kind && kind !== 'Node')
    errs.push(fieldErrors.notSupported(FieldPath.root('target', 'kind'), kind, ['Node', '<empty>']));
  if (!b.target?.name) errs.push(fieldErrors.required(FieldPath.root('target', 'name')));
  if (errs.length) throw statusErrors.invalid({ group: '', kind: 'Binding' }, b.metadata?.name ?? '', errs);
}

/** podutil.UpdatePodCondition: the transition time moves only when the status changes. */
export function setPodCondition(pod: Pod, cond: PodCondition): void {
  const p = pod as { status?: Pod['status'] };
  p.status ??= {};
  const status = p.status;
  status.conditions ??= [];
  const conditions = status.conditions;
  const i = conditions.findIndex((c) => c.type === cond.type);
  const now = timestamp();
  if (i < 0) {
    conditions.push({ ...cond, lastProbeTime: null as unknown as string, lastTransitionTime: now });
    return;
  }
  const old = conditions[i]!;
  conditions[i] = {
    ...old,
    ...cond,
    lastTransitionTime: old.status === cond.status ? old.lastTransitionTime : now,
  };
}

/** Assigns the pod to the node; errors that are not Statuses become 409s on pods/binding, as upstream. */
export async function bindPod(
  pods: Registry,
  namespace: string,
  binding: Binding,
  dryRun: boolean,
): Promise<void> {
  const name = binding.metadata?.name ?? '';
  const node = binding.target!.name!;
  const conflict = (why: string) => statusErrors.conflict(bindingsResource, name, why);
  await pods.update(
    namespace,
    name,
    (current) => {
      if (!current) throw statusErrors.notFound(groupResource(pods.info), name);
      const pod = current as Pod;
      const meta = pod.metadata ?? {};
      if (meta.deletionTimestamp)
        throw conflict(`pod ${name} is being deleted, cannot be assigned to a host`);
      if (binding.metadata?.uid && binding.metadata.uid !== meta.uid)
        throw conflict(
          `Precondition failed: UID in precondition: ${binding.metadata.uid}, UID in object meta: ${meta.uid ?? ''}`,
        );
      if (pod.spec?.nodeName)
        throw conflict(`pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
      if (pod.spec?.schedulingGates?.length)
        throw conflict(`pod ${name} has non-empty .spec.schedulingGates`);
      pod.spec = { ...pod.spec!, nodeName: node };
      const annotations = binding.metadata?.annotations;
      if (annotations && Object.keys(annotations).length)
        (pod as KubeObject).metadata = { ...meta, annotations: { ...meta.annotations, ...annotations } };
      setPodCondition(pod, { type: 'PodScheduled', status: 'True' });
      return pod;
    },
    { dryRun, raw: true },
  );
}

export async function handleBinding(r: BindingRequest): Promise<void> {
  const format = bodyFormat(r.req.headers['content-type']);
  const binding = decodeObject(bindingInfo(r.pods.info), await r.body(), format, 'Ignore')
    .obj as unknown as Binding;
  const bound = binding.metadata?.name ?? '';
  if (r.name && bound !== r.name) {
    throw statusErrors.badRequest('name in URL does not match name in Binding object');
  }
  if (binding.metadata?.namespace && binding.metadata.namespace !== r.namespace) {
    throw statusErrors.badRequest(
      'the namespace of the provided object does not match the namespace sent on the request',
    );
  }
  validateBinding(binding);
  try {
    await bindPod(r.pods, r.namespace, binding, r.query.getAll('dryRun').includes('All'));
  } catch (err) {
    if (err instanceof StatusError) throw err;
    throw statusErrors.conflict(bindingsResource, bound, errText(err));
  }
  sendJSON(
    r.res,
    201,
    JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 }),
  );
}
