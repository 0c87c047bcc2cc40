import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { ServiceAllocator } from '../../../../src/api/registry/service/alloc.js';
import { kubernetesService } from '../../../../src/api/registry/service/kubernetes.js';
import { serviceStrategy } from '../../../../src/api/registry/service/strategy.js';
import type { Strategy } from '../../../../src/api/registry/strategy.js';
import { aggregateMessage } from '../../../../src/k8s/field.js';
import { held, newAlloc } from './helpers.js';

const ctx = { dryRun: false, namespace: 'default' };

/** The registry's create path, in the order src/api/registry/strategy.ts documents. */
function create(s: Strategy<Service>, body: Service): { svc: Service; errors: string } {
  s.defaults?.(body);
  const finish = s.beginCreate!(body, ctx) as (ok: boolean) => void;
  s.prepareForCreate?.(body);
  const errs = s.validate(body);
  finish(errs.length === 0);
  // What the registry adds when it stores the object.
  body.metadata = { ...body.metadata, uid: `uid-${body.metadata?.name}`, resourceVersion: '1' };
  return { svc: body, errors: errs.length ? aggregateMessage(errs) : '' };
}

function update(s: Strategy<Service>, old: Service, body: Service): { svc: Service; errors: string } {
  body.metadata = {
    ...body.metadata,
    uid: old.metadata?.uid,
    resourceVersion: old.metadata?.resourceVersion,
  };
  s.defaults?.(body);
  const finish = s.beginUpdate!(body, old, ctx) as (ok: boolean) => void;
  s.prepareForUpdate?.(body, old);
  const errs = s.validateUpdate(body, old);
  finish(errs.length === 0);
  return { svc: body, errors: errs.length ? aggregateMessage(errs) : '' };
}

const body = (name: string, spec: Service['spec']): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default' },
  spec,
});

test('strategy: create, invalid create, type change, status update, delete — defaults and validation included', () => {
  const alloc: ServiceAllocator = newAlloc();
  const s = serviceStrategy(alloc);

  const k = create(s, kubernetesService(alloc, 6443));
  assert.equal(k.errors, '');
  assert.deepEqual(k.svc.spec!.clusterIPs, ['10.96.0.1']);

  const web = create(s, {
    ...body('web', { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80 }] }),
    status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } },
  });
  assert.equal(web.errors, '');
  assert.deepEqual(web.svc.spec, {
    type: 'NodePort',
    selector: { app: 'web' },
    ports: [{ port: 80, protocol: 'TCP', targetPort: 80, nodePort: 30086 }],
    sessionAffinity: 'None',
    externalTrafficPolicy: 'Cluster',
    internalTrafficPolicy: 'Cluster',
    ipFamilyPolicy: 'SingleStack',
    ipFamilies: ['IPv4'],
    clusterIP: '10.96.1.1',
    clusterIPs: ['10.96.1.1'],
  });
  assert.deepEqual(web.svc.status, { loadBalancer: {} }, 'status cleared on create');

  const bad = create(s, body('bad', { type: 'NodePort', ports: [{ port: 80 }, { port: 81 }] }));
  assert.match(bad.errors, /spec\.ports\[0\]\.name: Required value/);
  assert.deepEqual(
    held(alloc),
    { ips: ['10.96.0.1', '10.96.1.1'], ports: [30086] },
    'the failed create gave back',
  );

  // kubectl edit / apply changing only the type: node ports and ETP dropped, then released.
  const toCIP = structuredClone(web.svc);
  toCIP.spec!.type = 'ClusterIP';
  const u = update(s, web.svc, toCIP);
  assert.equal(u.errors, '');
  assert.deepEqual(u.svc.spec!.ports, [{ port: 80, protocol: 'TCP', targetPort: 80 }]);
  assert.equal(u.svc.spec!.externalTrafficPolicy, undefined);
  assert.deepEqual(held(alloc).ports, []);

  // Resubmitting the original manifest (no clusterIP) keeps the allocated address.
  const again = update(s, u.svc, body('web', { selector: { app: 'web' }, ports: [{ port: 80 }] }));
  assert.equal(again.errors, '');
  assert.equal(again.svc.spec!.clusterIP, '10.96.1.1');

  const statusBody = structuredClone(again.svc);
  statusBody.spec!.type = 'NodePort';
  (statusBody as { status?: object }).status = { loadBalancer: { ingress: [{ ip: '192.0.2.7' }] } };
  s.status!.prepareForUpdate(statusBody, again.svc);
  assert.equal(statusBody.spec!.type, 'ClusterIP', 'status writes keep the spec');
  assert.equal(
    aggregateMessage(s.status!.validateUpdate(statusBody, again.svc)),
    "status.loadBalancer.ingress: Forbidden: may only be used when `spec.type` is 'LoadBalancer'",
    'so a load balancer status on a ClusterIP Service is refused',
  );

  s.afterDelete!(again.svc);
  assert.deepEqual(held(alloc), { ips: ['10.96.0.1'], ports: [] });
});
