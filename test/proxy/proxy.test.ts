/**
 * `startProxy` against an in-process API server: a Service with more
 * frontends than the per-Service cap gets a TooManyFrontends event naming the
 * cap and its frontends left out are counted in svcnet_proxy_frontend_errors,
 * while a small Service beside it is served; the process's descriptors are
 * in process_open_fds.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Event, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { clientEventSink } from '../../src/client/events.js';
import { EndpointSlices, Events, Services } from '../../src/client/resources.js';
import { silentLogger } from '../../src/lib/log.js';
import { type Proxy as RunningProxy, startProxy } from '../../src/proxy/proxy.js';
import { startTestApi, type TestApi } from '../lib/testapi.js';
import { get } from './health/httpget.js';

// A service range and addresses private to this file.
const RANGE = '127.99.0.0/16';
const NODE_IP = '127.99.255.254';
const POD_IP = '127.245.207.1';
const CAP = 5;
const HUGE_PORTS = 12;

let api: TestApi;
let proxy: RunningProxy | undefined;
let pod: net.Server;
let podPort = 0;

async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A selector-less Service with ports 2001.., and its EndpointSlice naming the pod. */
async function service(name: string, ports: number): Promise<Service> {
  const names = Array.from({ length: ports }, (_, i) => `p${i + 1}`);
  const svc = await api.client.create<Service>(Services, 'default', {
    metadata: { name },
    spec: { ports: names.map((n, i) => ({ name: n, port: 2001 + i, targetPort: podPort, protocol: 'TCP' })) },
  });
  await api.client.create<EndpointSlice>(EndpointSlices, 'default', {
    metadata: { name: `${name}-1`, labels: { 'kubernetes.io/service-name': name } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [POD_IP], conditions: { ready: true } }],
    ports: names.map((n) => ({ name: n, port: podPort, protocol: 'TCP' })),
  });
  return svc;
}

function reaches(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: ip, port });
    s.setEncoding('utf8');
    let got = '';
    s.on('data', (d) => {
      got += d;
    });
    s.on('error', () => resolve(false));
    s.on('close', () => resolve(got === 'pod\n'));
  });
}

describe('startProxy: the per-Service cap, as the API and metrics show it', () => {
  before(async () => {
    pod = net.createServer((c) => c.end('pod\n'));
    await new Promise<void>((r) => pod.listen(0, POD_IP, r));
    podPort = (pod.address() as net.AddressInfo).port;
    api = await startTestApi('proxy', 'svcnet-proxy-test', { serviceClusterIPRange: RANGE });
  });
  after(async () => {
    await proxy?.stop();
    await api?.stop();
    pod.close();
  });

  it('events the Service over the cap, counts what it leaves out, serves the small one', async () => {
    const huge = await service('huge', HUGE_PORTS);
    const small = await service('small', 1);
    proxy = await startProxy({
      client: api.client,
      events: clientEventSink(api.client, 'kube-proxy', 'node-fd'),
      log: silentLogger,
      nodeName: 'node-fd',
      nodeIPs: [NODE_IP],
      nodePortAddresses: [],
      scheduler: 'random',
      syncPeriodMs: 30_000,
      minSyncPeriodMs: 0,
      healthzBindAddress: '',
      metricsBindAddress: `${NODE_IP}:0`,
      maxFrontendsPerService: CAP,
    });
    await proxy.synced();
    assert.equal(await reaches(small.spec!.clusterIP!, 2001), true);
    const event = await eventually('the TooManyFrontends event', async () =>
      (await api.client.list<Event>(Events, 'default')).items.find(
        (e) => e.reason === 'TooManyFrontends' && e.involvedObject.name === 'huge',
      ),
    );
    assert.equal(event.type, 'Warning');
    assert.equal(
      event.message,
      `Service has ${HUGE_PORTS} frontends to listen on; the userspace proxy listens on at most ${CAP} per Service (--max-frontends-per-service): ${HUGE_PORTS - CAP} not served (TCP/${huge.spec!.clusterIP}:${2001 + CAP}, ...)`,
    );
    const metrics = (await get(NODE_IP, proxy.metricsPort!, '/metrics')).body;
    const leftOut = [
      ...metrics.matchAll(
        /^svcnet_proxy_frontend_errors\{namespace="default",service="huge",port="p\d+",frontend="",reason="ServiceFrontendLimit"\} (\d+)$/gm,
      ),
    ];
    assert.equal(
      leftOut.reduce((n, m) => n + Number(m[1]), 0),
      HUGE_PORTS - CAP,
    );
    assert.match(metrics, /^process_open_fds \d+$/m);
  });
});
