/** The userspace backend against the suite every backend runs. */
import { silentLogger } from '../../../src/lib/log.js';
import { UserspaceBackend } from '../../../src/proxy/userspace/backend.js';
import { runProxyConformance } from '../conformance/suite.js';

runProxyConformance({
  name: 'userspace',
  newBackend: ({ now }) => new UserspaceBackend({ log: silentLogger, defaultScheduler: 'random', now }),
  injectedClock: true,
});
