/**
 * The proxy's configuration as kube-proxy assembles it: defaults, then the
 * `--config` file (strictly decoded), then the command-line flags that were
 * given, then validation. Any error throws a ProxyConfigError.
 */
import { readFileSync } from 'node:fs';
import { aggregateMessage, type FieldError } from '../../k8s/field.js';
import { SvcnetError } from '../../lib/errors.js';
import { ConfigDecodeError, decodeKubeProxyConfiguration } from './decode.js';
import { appendPortIfNeeded, applyDefaults } from './defaults.js';
import { PROXY_HEALTHZ_PORT, PROXY_STATUS_PORT, type ProxyConfig, type ProxyFlags } from './types.js';
import { validateProxyConfig } from './validate.js';

export class ProxyConfigError extends SvcnetError {
  constructor(
    message: string,
    /** The validation errors, when validation failed. */
    readonly causes: FieldError[] = [],
  ) {
    super('PROXY_CONFIG', message);
  }
}

/** Reads, defaults, merges and validates. flags: only the values given on the command line. */
export function loadProxyConfig(opts: { file?: string; flags: ProxyFlags }): ProxyConfig {
  let text: string | undefined;
  if (opts.file) {
    try {
      text = readFileSync(opts.file, 'utf8');
    } catch (err) {
      throw new ProxyConfigError(
        `failed to read config file ${JSON.stringify(opts.file)}: ${(err as Error).message}`,
      );
    }
  }
  return resolveProxyConfig(text, opts.flags);
}

/** loadProxyConfig on a document already read (undefined: no file). */
export function resolveProxyConfig(text: string | undefined, flags: ProxyFlags): ProxyConfig {
  let raw = {};
  if (text !== undefined) {
    try {
      raw = decodeKubeProxyConfiguration(text);
    } catch (err) {
      if (err instanceof ConfigDecodeError) throw new ProxyConfigError(err.message);
      throw err;
    }
  }
  const config = mergeFlags(applyDefaults(raw), flags);
  const errs = validateProxyConfig(config);
  if (errs.length > 0) throw new ProxyConfigError(aggregateMessage(errs), errs);
  return config;
}

/** Flags that were given win; nested sections merge field by field. */
export function mergeFlags(base: ProxyConfig, flags: ProxyFlags): ProxyConfig {
  const out = structuredClone(base) as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(flags)) {
    if (value === undefined) continue;
    const cur = out[key];
    if (isPlainObject(cur) && isPlainObject(value)) {
      for (const [k, v] of Object.entries(value)) if (v !== undefined) cur[k] = structuredClone(v);
    } else {
      out[key] = structuredClone(value);
    }
  }
  const merged = out as unknown as ProxyConfig;
  // A bare IP given for a server address gets the default port, as the deprecated port flags do.
  if (flags.healthzBindAddress)
    merged.healthzBindAddress = appendPortIfNeeded(flags.healthzBindAddress, PROXY_HEALTHZ_PORT);
  if (flags.metricsBindAddress)
    merged.metricsBindAddress = appendPortIfNeeded(flags.metricsBindAddress, PROXY_STATUS_PORT);
  // --hostname-override is trimmed and lower-cased (processHostnameOverrideFlag).
  if (flags.hostnameOverride !== undefined) {
    const name = flags.hostnameOverride.trim();
    if (name === '') throw new ProxyConfigError('empty hostname-override is invalid');
    merged.hostnameOverride = name.toLowerCase();
  }
  return merged;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
