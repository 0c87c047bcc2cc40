/** Any controllers against an in-process API server, with their events recorded. */
import type { ControllerContext } from '../../src/client/controller.js';
import { SharedInformerFactory } from '../../src/client/informer.js';
import type { ApiClient, Obj } from '../../src/client/types.js';
import { silentLogger } from '../../src/lib/log.js';
import { startTestApi } from '../lib/testapi.js';
import type { RecordedEvent } from './deployment/harness.js';

export interface Runnable {
  start(): Promise<void>;
  stop(): void;
}

export interface ControllerHarness {
  client: ApiClient;
  events: RecordedEvent[];
  stop(): Promise<void>;
}

export async function startControllers(
  name: string,
  make: (ctx: ControllerContext) => Runnable[],
): Promise<ControllerHarness> {
  const api = await startTestApi(name);
  const informers = new SharedInformerFactory(api.client, silentLogger);
  const controllers: Runnable[] = [];
  const stop = async () => {
    for (const c of controllers) c.stop();
    informers.stop();
    await api.stop();
  };
  try {
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
    controllers.push(...make(ctx));
    informers.start();
    await Promise.all(controllers.map((c) => c.start()));
    return { client: api.client, events, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
