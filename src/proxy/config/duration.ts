/** Go durations in KubeProxyConfiguration files (shared with the agent's images). */
export { formatGoDuration, parseGoDuration } from '../../lib/goduration.js';
