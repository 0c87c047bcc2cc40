/**
 * An API server in this process for tests (memory storage, a free port on
 * 127.0.0.1, a temp data dir) and a client of it; `stop()` closes the client,
 * stops the server and removes the dir.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServer, type ApiServerConfig } from '../../src/api/apiserver.js';
import { createClient } from '../../src/client/client.js';
import type { ApiClient } from '../../src/client/types.js';

export interface TestApi {
  server: ApiServer;
  client: ApiClient;
  dir: string;
  /**
   * Stops the server and starts another on the same data dir (a new port;
   * `server` and `client` are replaced). Only 'sqlite' storage keeps objects.
   */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Server settings a test may change (`log`: to read what the server logged). */
export type TestApiConfig = Pick<
  ApiServerConfig,
  'storage' | 'compactionIntervalMs' | 'serviceClusterIPRange' | 'serving' | 'log'
>;

export async function startTestApi(
  name: string,
  userAgent = 'svcnet-test',
  config: TestApiConfig = {},
): Promise<TestApi> {
  const dir = mkdtempSync(join(tmpdir(), `svcnet-${name}-`));
  const start = () =>
    ApiServer.start({
      dataDir: dir,
      securePort: 0,
      storage: 'memory',
      bindAddress: '127.0.0.1',
      ...config,
    });
  let server: ApiServer;
  try {
    server = await start();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  // Whether `api.server` still runs (a restart that failed to start leaves none).
  let running = true;
  const api: TestApi = {
    server,
    client: createClient({ kubeconfig: server.kubeconfigPath, userAgent }),
    dir,
    restart: async () => {
      api.client.close();
      running = false;
      await api.server.stop();
      api.server = await start();
      running = true;
      api.client = createClient({ kubeconfig: api.server.kubeconfigPath, userAgent });
    },
    stop: async () => {
      api.client.close();
      if (running) await api.server.stop();
      running = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return api;
}
