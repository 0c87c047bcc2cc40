/**
 * Validation of the resolved configuration with kube-proxy's field paths and
 * messages (pkg/proxy/apis/config/validation), plus ours: the modes this
 * version runs and the scheduler names.
 */
import { isIP } from 'node:net';
import { FieldError, fieldErrors } from '../../k8s/field.js';
import { parseCIDRSloppy } from '../../k8s/ip.js';
import { formatGoDuration } from '../../lib/goduration.js';
import { SCHEDULER_NAMES } from '../model/names.js';
import { maybeSplitHostPort } from './defaults.js';
import { KNOWN_UNSUPPORTED_MODES, type ProxyConfig, SUPPORTED_MODES } from './types.js';

/** A bad value printed as Go prints a fmt.Stringer (metav1.Duration): bare, unquoted. */
class StringerFieldError extends FieldError {
  override body(): string {
    return `Invalid value: ${String(this.badValue)}${this.detail ? `: ${this.detail}` : ''}`;
  }
}
const durationInvalid = (field: string, ms: number, detail: string) =>
  new StringerFieldError('FieldValueInvalid', field, formatGoDuration(ms * 1e6), detail);

const ROOT = 'KubeProxyConfiguration';

export function validateProxyConfig(c: ProxyConfig): FieldError[] {
  const errs: FieldError[] = [];
  const p = (...names: string[]) => [ROOT, ...names].join('.');

  for (const [name, bit] of [
    ['KubeProxyIPTablesConfiguration', c.iptables.masqueradeBit],
    ...(c.mode === 'nftables' ? [['KubeProxyNFTablesConfiguration', c.nftables.masqueradeBit] as const] : []),
  ] as const) {
    if (bit < 0 || bit > 31)
      errs.push(fieldErrors.invalid(p(name, 'MasqueradeBit'), bit, 'must be within the range [0, 31]'));
  }

  const linux = (...n: string[]) => p('KubeProxyLinuxConfiguration', ...n);
  const ct = (...n: string[]) => linux('KubeProxyConntrackConfiguration', ...n);
  const nonNeg = 'must be greater than or equal to 0';
  if (c.conntrack.maxPerCore < 0)
    errs.push(fieldErrors.invalid(ct('MaxPerCore'), c.conntrack.maxPerCore, nonNeg));
  if (c.conntrack.min < 0) errs.push(fieldErrors.invalid(ct('Min'), c.conntrack.min, nonNeg));
  for (const [name, ms] of [
    ['TCPEstablishedTimeout', c.conntrack.tcpEstablishedTimeoutMs],
    ['TCPCloseWaitTimeout', c.conntrack.tcpCloseWaitTimeoutMs],
    ['UDPTimeout', c.conntrack.udpTimeoutMs],
    ['UDPStreamTimeout', c.conntrack.udpStreamTimeoutMs],
  ] as const) {
    if (ms < 0) errs.push(durationInvalid(ct(name), ms, nonNeg));
  }
  if (c.oomScoreAdj < -1000 || c.oomScoreAdj > 1000) {
    errs.push(
      fieldErrors.invalid(linux('OOMScoreAdj'), c.oomScoreAdj, 'must be within the range [-1000, 1000]'),
    );
  }

  errs.push(...validateMode(c.mode, p('Mode', 'ProxyMode')));
  if (c.clientConnection.burst < 0) {
    errs.push(fieldErrors.invalid(p('ClientConnection', 'Burst'), c.clientConnection.burst, nonNeg));
  }

  if (c.configSyncPeriodMs <= 0)
    errs.push(durationInvalid(p('ConfigSyncPeriod'), c.configSyncPeriodMs, 'must be greater than 0'));
  if (c.syncPeriodMs <= 0)
    errs.push(durationInvalid(p('SyncPeriod'), c.syncPeriodMs, 'must be greater than 0'));
  if (c.minSyncPeriodMs < 0) errs.push(durationInvalid(p('MinSyncPeriod'), c.minSyncPeriodMs, nonNeg));
  if (c.minSyncPeriodMs > c.syncPeriodMs) {
    errs.push(
      durationInvalid(
        p('SyncPeriod'),
        c.minSyncPeriodMs,
        `must be greater than or equal to ${p('MinSyncPeriod')}`,
      ),
    );
  }

  if (isIP(c.bindAddress) === 0) {
    errs.push(
      fieldErrors.invalid(
        p('BindAddress'),
        c.bindAddress,
        'not a valid textual representation of an IP address',
      ),
    );
  }
  if (c.healthzBindAddress !== '')
    errs.push(...validateHostPort(c.healthzBindAddress, p('HealthzBindAddress')));
  errs.push(...validateHostPort(c.metricsBindAddress, p('MetricsBindAddress')));

  if (c.portRange !== '' && !validPortRange(c.portRange)) {
    errs.push(fieldErrors.invalid(p('PortRange'), c.portRange, 'must be a valid port range (e.g. 300-2000)'));
  }

  c.nodePortAddresses.forEach((addr, i) => {
    const f = `${p('NodePortAddresses')}[${i}]`;
    if (addr === 'primary') {
      if (i !== 0 || c.nodePortAddresses.length !== 1)
        errs.push(fieldErrors.invalid(f, addr, "can't use both 'primary' and CIDRs"));
    } else if (!parseCIDRSloppy(addr)) errs.push(fieldErrors.invalid(f, addr, 'must be a valid CIDR'));
  });

  const localModes = ['ClusterCIDR', 'NodeCIDR', 'BridgeInterface', 'InterfaceNamePrefix', ''];
  if (!localModes.includes(c.detectLocalMode)) {
    errs.push(fieldErrors.notSupported(p('DetectLocalMode'), c.detectLocalMode, localModes));
  }
  const dl = (n: string) => p('DetectLocalConfiguration', n);
  if (c.detectLocalMode === 'BridgeInterface' && c.detectLocal.bridgeInterface === '') {
    errs.push(fieldErrors.invalid(dl('InterfaceName'), '', 'must not be empty'));
  }
  if (c.detectLocalMode === 'InterfaceNamePrefix' && c.detectLocal.interfaceNamePrefix === '') {
    errs.push(fieldErrors.invalid(dl('InterfacePrefix'), '', 'must not be empty'));
  }
  if (c.detectLocalMode === 'ClusterCIDR' && c.clusterCIDR !== '') {
    errs.push(...validateClusterCIDRs(c.clusterCIDR.split(','), dl('ClusterCIDRs')));
  }

  if (!(SCHEDULER_NAMES as readonly string[]).includes(c.scheduler)) {
    errs.push(
      fieldErrors.invalid(
        p('KubeProxyIPVSConfiguration', 'Scheduler'),
        c.scheduler,
        `must be in [${SCHEDULER_NAMES.join(' ')}], blank means the default algorithm method (currently random)`,
      ),
    );
  }
  return errs;
}

function validateMode(mode: string, field: string): FieldError[] {
  if (SUPPORTED_MODES.includes(mode)) return [];
  if (KNOWN_UNSUPPORTED_MODES.includes(mode)) {
    return [
      fieldErrors.invalid(
        field,
        mode,
        `not supported in this version (supported: ${SUPPORTED_MODES.join(', ')})`,
      ),
    ];
  }
  return [
    fieldErrors.invalid(
      field,
      mode,
      `must be ${SUPPORTED_MODES.join(', ')} or blank (blank means the best-available proxy [currently userspace])`,
    ),
  ];
}

function validateHostPort(input: string, field: string): FieldError[] {
  const hp = maybeSplitHostPort(input);
  if (!hp) return [fieldErrors.invalid(field, input, 'must be IP:port')];
  const errs: FieldError[] = [];
  if (isIP(hp.host) === 0) errs.push(fieldErrors.invalid(field, hp.host, 'must be a valid IP'));
  const port = /^\d+$/.test(hp.port) ? Number(hp.port) : Number.NaN;
  if (!(port >= 1 && port <= 65535)) errs.push(fieldErrors.invalid(field, hp.port, 'must be a valid port'));
  return errs;
}

/** utilnet.ParsePortRange: `a-b`, `a+n`, or a single port, within 0..65535. */
function validPortRange(s: string): boolean {
  const m = /^(\d+)(?:([-+])(\d+))?$/.exec(s.trim());
  if (!m) return false;
  const base = Number(m[1]);
  const other = m[3] === undefined ? 0 : Number(m[3]);
  const end = m[2] === '+' ? base + other : m[2] === '-' ? other : base;
  return base <= 65535 && end <= 65535 && end >= base;
}

function validateClusterCIDRs(cidrs: string[], field: string): FieldError[] {
  const pair =
    'must be a either a single CIDR or dual-stack pair of CIDRs (e.g. [10.100.0.0/16, fde4:8dba:82e1::/48]';
  if (cidrs.length > 2) return [fieldErrors.invalid(field, cidrs, pair)];
  const errs: FieldError[] = [];
  const parsed = cidrs.map((c, i) => {
    const p = parseCIDRSloppy(c);
    if (!p) {
      errs.push(
        fieldErrors.invalid(
          `${field}[${i}]`,
          c,
          'must be a valid CIDR block (e.g. 10.100.0.0/16 or fde4:8dba:82e1::/48)',
        ),
      );
    }
    return p;
  });
  if (parsed.length === 2 && parsed[0] && parsed[1] && parsed[0].family === parsed[1].family) {
    errs.push(fieldErrors.invalid(field, cidrs, pair));
  }
  return errs;
}
