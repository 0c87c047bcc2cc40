import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ControllerContext } from '../../../src/client/controller.js';
import { SharedInformerFactory } from '../../../src/client/informer.js';
import { Pods } from '../../../src/client/resources.js';
import type { ApiClient, Obj } from '../../../src/client/types.js';
import { DeploymentController } from '../../../src/controllers/deployment/controller.js';
import { ReplicaSetController } from '../../../src/controllers/replicaset/controller.js';
import { silentLogger } from '../../../src/lib/log.js';
import { startTestApi } from '../../lib/testapi.js';

export interface RecordedEvent {
  kind: string;
  name: string;
  type: string;
  reason: string;
  message: string;
}

export interface Harness {
  client: ApiClient;
  events: RecordedEvent[];
  stop(): Promise<void>;
}

export async function startHarness(opts: {
  deployments: boolean;
  /** Wraps the controllers' client (to inject failures). */
  wrap?: (c: ApiClient) => ApiClient;
}): Promise<Harness> {
  const api = await startTestApi('workloads');
  const client = api.client;
  let informers: SharedInformerFactory | undefined;
  const controllers: { stop(): void }[] = [];
  const stop = async () => {
    for (const c of controllers) c.stop();
    informers?.stop();
    await api.stop();
  };
  try {
    informers = new SharedInformerFactory(client, silentLogger);
    const events: RecordedEvent[] = [];
    const ctx: ControllerContext = {
      client: opts.wrap ? opts.wrap(client) : client,
      informers,
      log: silentLogger,
      events: {
        event(obj: Obj, type, reason, message) {
          events.push({ kind: obj.kind ?? '', name: obj.metadata?.name ?? '', type, reason, message });
        },
      },
    };
    const rsc = new ReplicaSetController(ctx);
    controllers.push(rsc);
    if (opts.deployments) controllers.push(new DeploymentController(ctx));
    informers.start();
    await Promise.all(controllers.map((c) => (c as ReplicaSetController).start()));
    return { client, events, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Plays kubelet: Running, and Ready as asked. */
export async function setPodReady(client: ApiClient, pod: Pod, ready: boolean): Promise<Pod> {
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const cur = await client.get<Pod>(Pods, pod.metadata!.namespace!, pod.metadata!.name!);
  const fresh: Pod = {
    ...cur,
    status: {
      ...cur.status,
      phase: 'Running',
      podIP: '127.244.0.10',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now }],
    },
  };
  return client.update<Pod>(Pods, fresh, 'status');
}

export const isReady = (p: Pod): boolean =>
  p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

export const activePods = async (client: ApiClient, ns: string, selector: string): Promise<Pod[]> =>
  (await client.list<Pod>(Pods, ns, { labelSelector: selector })).items.filter(
    (p) => !p.metadata?.deletionTimestamp,
  );
