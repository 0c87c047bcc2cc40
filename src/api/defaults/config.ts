/**
 * Secret defaulting and conversion (pkg/apis/core/v1): an empty type is
 * Opaque, and `stringData` is write-only: its values are merged into `data`
 * (winning over a key there) when the v1 object is decoded, so it is never
 * stored or returned. ConfigMap and ServiceAccount have no defaults.
 */
import type { Secret } from 'kubernetes-types/core/v1.js';

export function setSecretDefaults(secret: Secret): void {
  const s = secret as { -readonly [K in keyof Secret]: Secret[K] };
  if (!s.type) s.type = 'Opaque';
  if (s.stringData !== undefined) {
    const entries = Object.entries(s.stringData ?? {});
    if (entries.length > 0) {
      s.data = { ...(s.data ?? {}) };
      for (const [k, v] of entries) s.data[k] = Buffer.from(v, 'utf8').toString('base64');
    }
    delete s.stringData;
  }
}
