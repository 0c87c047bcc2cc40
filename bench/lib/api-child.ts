/**
 * The API server as a benchmark's child process: `api-child.js <dataDir>
 * <sqlite|memory>` starts it on a free loopback port, sends its kubeconfig
 * path to the parent, and stops when the parent says so or goes away.
 */
import { ApiServer } from '../../src/api/apiserver.js';

const [dataDir, storage] = process.argv.slice(2);
const server = await ApiServer.start({
  dataDir: dataDir!,
  securePort: 0,
  bindAddress: '127.0.0.1',
  storage: storage === 'memory' ? 'memory' : 'sqlite',
});
const stop = () => void server.stop().then(() => process.exit(0));
process.on('message', (m) => {
  if (m === 'stop') stop();
});
process.on('disconnect', stop);
// Ctrl-C reaches the whole process group: the parent decides.
process.on('SIGINT', () => {});
process.send!({ kubeconfig: server.kubeconfigPath });
