/** The proxy's configuration: KubeProxyConfiguration file + flags → ProxyConfig. */

export { defaultProxyConfig } from './defaults.js';
export { loadProxyConfig, ProxyConfigError, resolveProxyConfig } from './load.js';
export type { ProxyConfig, ProxyFlags, ProxyMode } from './types.js';
export { validateProxyConfig } from './validate.js';
