/**
 * An API server in this process for tests (memory storage, a free port on
 * 127.0.0.1, a temp data dir) and a client of it; `stop()` closes the client,
 * stops the server and removes the dir.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServer } from '../../src/api/apiserver.js';
import { createClient } from '../../src/client/client.js';
import type { ApiClient } from '../../src/client/types.js';

export interface TestApi {
  server: ApiServer;
  client: ApiClient;
  dir: string;
  stop(): Promise<void>;
}

export async function startTestApi(name: string, userAgent = 'svcnet-test'): Promise<TestApi> {
  const dir = mkdtempSync(join(tmpdir(), `svcnet-${name}-`));
  let server: ApiServer;
  try {
    server = await ApiServer.start({
      dataDir: dir,
      securePort: 0,
      storage: 'memory',
      bindAddress: '127.0.0.1',
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const client = createClient({ kubeconfig: server.kubeconfigPath, userAgent });
  return {
    server,
    client,
    dir,
    stop: async () => {
      client.close();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
