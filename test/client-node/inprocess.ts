/**
 * @kubernetes/client-node against an in-process API server (test/lib/testapi.ts),
 * reached through a TCP relay on 127.0.0.1 that the test controls: `cut()`
 * drops every connection (a watch ends as when the network fails), and after
 * `restart()` (sqlite storage: objects survive) the relay points at the new
 * server, so the client's KubeConfig stays valid. TLS runs end to end.
 */

import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { startTestApi, type TestApi } from '../lib/testapi.js';

export interface ClientNodeApi {
  api: TestApi;
  /** A KubeConfig whose server is the relay. */
  kc: KubeConfig;
  /** Ends every open connection through the relay. */
  cut(): void;
  /** Restarts the API server on its data dir (a new port the relay follows). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const portOf = (api: TestApi) => Number(new URL(serverURL(api)).port);

function serverURL(api: TestApi): string {
  const kc = new KubeConfig();
  kc.loadFromFile(api.server.kubeconfigPath);
  return kc.getCurrentCluster()!.server;
}

export async function startClientNodeApi(name: string): Promise<ClientNodeApi> {
  const api = await startTestApi(name, 'client-node-test', { storage: 'sqlite' });
  let target = portOf(api);
  const open = new Set<Socket>();
  const relay: Server = createServer((down) => {
    const up = connect(target, '127.0.0.1');
    open.add(down);
    open.add(up);
    const drop = () => {
      down.destroy();
      up.destroy();
      open.delete(down);
      open.delete(up);
    };
    down.on('error', drop).on('close', drop);
    up.on('error', drop).on('close', drop);
    down.pipe(up).pipe(down);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      relay.once('error', reject);
      relay.listen(0, '127.0.0.1', resolve);
    });
  } catch (err) {
    await api.stop();
    throw err;
  }
  const relayPort = (relay.address() as AddressInfo).port;
  const kc = new KubeConfig();
  kc.loadFromString(
    readFileSync(api.server.kubeconfigPath, 'utf8').replace(serverURL(api), `https://127.0.0.1:${relayPort}`),
  );
  const cut = () => {
    for (const s of open) s.destroy();
    open.clear();
  };
  return {
    api,
    kc,
    cut,
    restart: async () => {
      cut();
      await api.restart();
      target = portOf(api);
    },
    stop: async () => {
      cut();
      await new Promise<void>((resolve) => relay.close(() => resolve()));
      await api.stop();
    },
  };
}

/** Polls `cond` until it holds; fails with `what` after 20 s. */
export async function until(cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
