/** The batch controllers against an in-process API server, with a manual clock and recorded events. */
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ControllerContext } from '../../../src/client/controller.js';
import { SharedInformerFactory } from '../../../src/client/informer.js';
import { Jobs, Pods } from '../../../src/client/resources.js';
import type { ApiClient, Obj } from '../../../src/client/types.js';
import { CronJobController } from '../../../src/controllers/cronjob/controller.js';
import { JobController } from '../../../src/controllers/job/controller.js';
import { TTLAfterFinishedController } from '../../../src/controllers/ttlafterfinished/controller.js';
import { silentLogger } from '../../../src/lib/log.js';
import { ManualClock } from '../../lib/clock.js';
import { startTestApi } from '../../lib/testapi.js';
import type { RecordedEvent } from '../deployment/harness.js';

export { waitFor } from '../deployment/harness.js';

export interface BatchHarness {
  client: ApiClient;
  events: RecordedEvent[];
  jobs?: JobController;
  cronJobs?: CronJobController;
  ttl?: TTLAfterFinishedController;
  /** The controllers' clock: their delayed re-syncs fire as it advances. */
  clock: ManualClock;
  /** Moves the clock, firing the timers due, then waits for the syncs they started. */
  advance(ms: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startBatchHarness(opts: {
  jobs?: boolean;
  cronJobs?: boolean;
  ttl?: boolean;
  podFailureBackoffMs?: number;
  start?: number;
}): Promise<BatchHarness> {
  const api = await startTestApi('batch');
  const informers = new SharedInformerFactory(api.client, silentLogger);
  const clock = new ManualClock();
  clock.t = opts.start ?? Date.now();
  const events: RecordedEvent[] = [];
  const ctx: ControllerContext = {
    client: api.client,
    informers,
    log: silentLogger,
    events: {
      event(obj: Obj, type, reason, message) {
        events.push({ kind: obj.kind ?? '', name: obj.metadata?.name ?? '', type, reason, message });
      },
    },
  };
  const h: BatchHarness = {
    client: api.client,
    events,
    clock,
    async advance(ms) {
      await clock.advance(ms);
      await Promise.all([h.jobs?.quiet(), h.cronJobs?.quiet(), h.ttl?.quiet()]);
    },
    async stop() {
      h.jobs?.stop();
      h.cronJobs?.stop();
      h.ttl?.stop();
      informers.stop();
      await api.stop();
    },
  };
  try {
    if (opts.jobs)
      h.jobs = new JobController(ctx, { clock, podFailureBackoffMs: opts.podFailureBackoffMs ?? 0 });
    if (opts.cronJobs) h.cronJobs = new CronJobController(ctx, { clock });
    if (opts.ttl) h.ttl = new TTLAfterFinishedController(ctx, { clock });
    informers.start();
    await Promise.all([h.jobs?.start(), h.cronJobs?.start(), h.ttl?.start()]);
    return h;
  } catch (err) {
    await h.stop();
    throw err;
  }
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Plays kubelet: the pod ran and ended with this phase at `at`. */
export async function finishPod(
  client: ApiClient,
  pod: Pod,
  phase: 'Succeeded' | 'Failed',
  at: number,
  opts: { exitCode?: number; condition?: string } = {},
): Promise<Pod> {
  const cur = await client.get<Pod>(Pods, pod.metadata!.namespace!, pod.metadata!.name!);
  const exitCode = opts.exitCode ?? (phase === 'Succeeded' ? 0 : 1);
  return client.update<Pod>(
    Pods,
    {
      ...cur,
      status: {
        phase,
        startTime: iso(at - 1000),
        ...(opts.condition
          ? { conditions: [{ type: opts.condition, status: 'True', lastTransitionTime: iso(at) }] }
          : {}),
        containerStatuses: (cur.spec?.containers ?? []).map((c) => ({
          name: c.name,
          image: c.image ?? '',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { terminated: { exitCode, startedAt: iso(at - 1000), finishedAt: iso(at) } },
        })),
      },
    },
    'status',
  );
}

export const podsOf = async (client: ApiClient, job: string): Promise<Pod[]> =>
  (await client.list<Pod>(Pods, 'default', { labelSelector: `batch.kubernetes.io/job-name=${job}` })).items;

export const livePods = async (client: ApiClient, job: string): Promise<Pod[]> =>
  (await podsOf(client, job)).filter(
    (p) => !p.metadata?.deletionTimestamp && !['Succeeded', 'Failed'].includes(p.status?.phase ?? ''),
  );

export const getJob = (client: ApiClient, name: string): Promise<Job> =>
  client.get<Job>(Jobs, 'default', name);

export const conditionsOf = (job: Job): string[] =>
  (job.status?.conditions ?? []).map((c) => `${c.type}=${c.status}/${c.reason}`);

export function jobManifest(name: string, spec: Partial<NonNullable<Job['spec']>> = {}): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default' },
    spec: {
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } },
      ...spec,
    },
  };
}
