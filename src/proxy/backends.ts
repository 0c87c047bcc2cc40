/** The data planes by mode (`--proxy-mode`, KubeProxyConfiguration.mode). */
import type { BackendOptions, ProxyBackend } from './backend.js';
import { UserspaceBackend } from './userspace/backend.js';

const FACTORIES: Readonly<Record<string, (opts: BackendOptions) => ProxyBackend>> = {
  userspace: (opts) => new UserspaceBackend(opts),
};

/** The modes a backend exists for. */
export const BACKEND_MODES: readonly string[] = Object.keys(FACTORIES);

/** The backend of `mode` ('' means the default, userspace). */
export function createBackend(mode: string, opts: BackendOptions): ProxyBackend {
  const factory = FACTORIES[mode || 'userspace'];
  if (!factory) throw new Error(`unknown proxy mode "${mode}" (have: ${BACKEND_MODES.join(', ')})`);
  return factory(opts);
}
