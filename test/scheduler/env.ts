/**
 * An in-process API server (memory storage, loopback, random port) with a
 * client, informers and an event sink, for controller integration tests.
 * `stop()` tears everything down and removes the temp dir.
 */
import type { Event } from 'kubernetes-types/core/v1.js';
import type { Controller, ControllerContext } from '../../src/client/controller.js';
import { clientEventSink } from '../../src/client/events.js';
import { SharedInformerFactory } from '../../src/client/informer.js';
import { Events } from '../../src/client/resources.js';
import type { ApiClient } from '../../src/client/types.js';
import { createLogger, silentLogger } from '../../src/lib/log.js';
import { startTestApi } from '../lib/testapi.js';

export interface TestEnv {
  client: ApiClient;
  ctx: ControllerContext;
  /** Starts the informers and the given controllers, resolving once they have synced. */
  run(...controllers: Controller[]): Promise<void>;
  events(namespace?: string): Promise<Event[]>;
  stop(): Promise<void>;
}

export async function startEnv(component = 'test'): Promise<TestEnv> {
  const api = await startTestApi('h6', `svcnet-${component}`);
  const client = api.client;
  // SVCNET_TEST_LOG=1 shows the controllers' logs while debugging a test.
  const log = process.env.SVCNET_TEST_LOG ? createLogger({ verbosity: 4 }) : silentLogger;
  const informers = new SharedInformerFactory(client, log);
  const ctx: ControllerContext = { client, informers, events: clientEventSink(client, component), log };
  const running: Controller[] = [];
  return {
    client,
    ctx,
    async run(...controllers) {
      running.push(...controllers);
      informers.start();
      await Promise.all(controllers.map((c) => c.start()));
    },
    async events(namespace = '') {
      return (await client.list<Event>(Events, namespace)).items;
    },
    async stop() {
      for (const c of running) c.stop();
      informers.stop();
      await api.stop();
    },
  };
}

/** Polls `check` until it answers something truthy; fails after `ms` with the last value seen. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T> | T,
  ms = 5000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  let last: T | undefined;
  for (;;) {
    last = await check();
    if (last) return last as NonNullable<T>;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
