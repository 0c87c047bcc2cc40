import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  defaultProxyConfig,
  loadProxyConfig,
  ProxyConfigError,
  type ProxyFlags,
  resolveProxyConfig,
} from '../../../src/proxy/config/index.js';

const HEAD = 'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n';

function errorOf(fn: () => unknown): ProxyConfigError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ProxyConfigError, `not a ProxyConfigError: ${String(err)}`);
    return err;
  }
  assert.fail('no error');
}

describe('defaults', () => {
  it('no file, no flags: upstream defaults, userspace and random', () => {
    const c = resolveProxyConfig(undefined, {});
    assert.deepEqual(c, defaultProxyConfig());
    assert.equal(c.bindAddress, '0.0.0.0');
    assert.equal(c.healthzBindAddress, '0.0.0.0:10256');
    assert.equal(c.metricsBindAddress, '127.0.0.1:10249');
    assert.equal(c.syncPeriodMs, 30_000);
    assert.equal(c.minSyncPeriodMs, 1_000);
    assert.equal(c.mode, 'userspace');
    assert.equal(c.scheduler, 'random');
    assert.deepEqual(c.nodePortAddresses, []);
    assert.equal(c.oomScoreAdj, -999);
    assert.equal(c.configSyncPeriodMs, 15 * 60_000);
    assert.deepEqual(c.clientConnection, {
      kubeconfig: '',
      acceptContentTypes: '',
      contentType: 'application/vnd.kubernetes.protobuf',
      qps: 5,
      burst: 10,
    });
    assert.deepEqual(c.conntrack, {
      maxPerCore: 32768,
      min: 131072,
      tcpEstablishedTimeoutMs: 24 * 3600_000,
      tcpCloseWaitTimeoutMs: 3600_000,
      tcpBeLiberal: false,
      udpTimeoutMs: 0,
      udpStreamTimeoutMs: 0,
    });
    assert.deepEqual(c.iptables, { masqueradeBit: 14, masqueradeAll: false, localhostNodePorts: true });
    assert.equal(c.detectLocalMode, 'ClusterCIDR');
  });

  it('a minimal file gets the same defaults', () => {
    assert.deepEqual(resolveProxyConfig(HEAD, {}), defaultProxyConfig());
  });

  it('zero values take defaults; explicit pointer fields keep zero', () => {
    const c = resolveProxyConfig(
      `${HEAD}iptables:\n  syncPeriod: 0s\n  masqueradeBit: 0\nconntrack:\n  tcpCloseWaitTimeout: 0s\n  maxPerCore: 0\nmode: ""\n`,
      {},
    );
    assert.equal(c.syncPeriodMs, 30_000);
    assert.equal(c.iptables.masqueradeBit, 0);
    assert.equal(c.conntrack.tcpCloseWaitTimeoutMs, 0);
    assert.equal(c.conntrack.maxPerCore, 0);
    assert.equal(c.mode, 'userspace');
  });

  it('IPv6 bindAddress → IPv6 default server addresses; a bare IP gets the default port', () => {
    const c = resolveProxyConfig(`${HEAD}bindAddress: "::"\nhealthzBindAddress: "::1"\n`, {});
    assert.equal(c.healthzBindAddress, '[::1]:10256');
    assert.equal(c.metricsBindAddress, '[::1]:10249');
    const d = resolveProxyConfig(`${HEAD}bindAddress: "::"\n`, {});
    assert.equal(d.healthzBindAddress, '[::]:10256');
  });

  it('a full file is read field by field', () => {
    const c = resolveProxyConfig(
      `${HEAD}` +
        'hostnameOverride: node-1\n' +
        'bindAddress: 127.0.0.1\n' +
        'healthzBindAddress: 127.0.0.1:20256\n' +
        'metricsBindAddress: 127.0.0.1:20249\n' +
        'clientConnection:\n  kubeconfig: /tmp/kc\n  qps: 50\n  burst: 100\n' +
        'iptables:\n  syncPeriod: 1m\n  minSyncPeriod: 500ms\n' +
        'ipvs:\n  scheduler: rr\n  excludeCIDRs: [10.0.0.0/8]\n' +
        'nodePortAddresses: [127.0.0.0/8, "::1/128"]\n' +
        'clusterCIDR: 127.244.0.0/16\n' +
        'featureGates:\n  SomeGate: true\n' +
        'logging:\n  format: json\n  verbosity: 4\n' +
        'conntrack:\n  udpTimeout: 30s\n',
      {},
    );
    assert.equal(c.hostnameOverride, 'node-1');
    assert.equal(c.healthzBindAddress, '127.0.0.1:20256');
    assert.equal(c.metricsBindAddress, '127.0.0.1:20249');
    assert.equal(c.clientConnection.kubeconfig, '/tmp/kc');
    assert.equal(c.clientConnection.qps, 50);
    assert.equal(c.clientConnection.burst, 100);
    assert.equal(c.syncPeriodMs, 60_000);
    assert.equal(c.minSyncPeriodMs, 500);
    assert.equal(c.scheduler, 'rr');
    assert.deepEqual(c.ipvs.excludeCIDRs, ['10.0.0.0/8']);
    assert.deepEqual(c.nodePortAddresses, ['127.0.0.0/8', '::1/128']);
    assert.equal(c.clusterCIDR, '127.244.0.0/16');
    assert.deepEqual(c.featureGates, { SomeGate: true });
    assert.equal(c.logging.format, 'json');
    assert.equal(c.logging.verbosity, 4);
    assert.equal(c.conntrack.udpTimeoutMs, 30_000);
  });
});

describe('strict decoding', () => {
  const cases: { name: string; doc: string; message: string }[] = [
    {
      name: 'unknown top-level field',
      doc: `${HEAD}bogus: 1\n`,
      message: 'failed to decode: strict decoding error: unknown field "bogus"',
    },
    {
      name: 'unknown nested fields, all named',
      doc: `${HEAD}iptables:\n  syncPeriod: 1s\n  syncPerod: 2s\nconntrack:\n  max: 1\n`,
      message:
        'failed to decode: strict decoding error: unknown field "iptables.syncPerod", unknown field "conntrack.max"',
    },
    {
      name: 'wrong type',
      doc: `${HEAD}iptables:\n  masqueradeBit: "14"\n`,
      message:
        'failed to decode: json: cannot unmarshal string into Go struct field KubeProxyConfiguration.iptables.masqueradeBit of type int32',
    },
    {
      name: 'duration as a number',
      doc: `${HEAD}configSyncPeriod: 30\n`,
      message:
        'failed to decode: json: cannot unmarshal number into Go struct field KubeProxyConfiguration.configSyncPeriod of type string',
    },
    {
      name: 'bad duration',
      doc: `${HEAD}iptables:\n  syncPeriod: 30 seconds\n`,
      message:
        'failed to decode: iptables.syncPeriod: time: unknown unit " seconds" in duration "30 seconds"',
    },
    {
      name: 'missing kind',
      doc: 'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nmode: userspace\n',
      message: "failed to decode: Object 'Kind' is missing in",
    },
    {
      name: 'wrong apiVersion',
      doc: 'apiVersion: v1\nkind: KubeProxyConfiguration\n',
      message: 'failed to decode: no kind "KubeProxyConfiguration" is registered for version "v1"',
    },
    {
      name: 'duplicate key',
      doc: `${HEAD}mode: userspace\nmode: userspace\n`,
      message: 'failed to decode: yaml:',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const err = errorOf(() => resolveProxyConfig(c.doc, {}));
      assert.ok(err.message.startsWith(c.message), `got: ${err.message}`);
    });
  }
});

describe('validation (upstream messages)', () => {
  const cases: { name: string; doc?: string; flags?: ProxyFlags; message: string }[] = [
    {
      name: 'negative syncPeriod',
      doc: 'iptables:\n  syncPeriod: -1s\n  minSyncPeriod: -2s\n',
      message:
        '[KubeProxyConfiguration.SyncPeriod: Invalid value: -1s: must be greater than 0, ' +
        'KubeProxyConfiguration.MinSyncPeriod: Invalid value: -2s: must be greater than or equal to 0]',
    },
    {
      name: 'minSyncPeriod above syncPeriod',
      doc: 'iptables:\n  syncPeriod: 5s\n  minSyncPeriod: 10s\n',
      message:
        'KubeProxyConfiguration.SyncPeriod: Invalid value: 10s: must be greater than or equal to KubeProxyConfiguration.MinSyncPeriod',
    },
    {
      name: 'bindAddress not an IP',
      doc: 'bindAddress: node-1\nhealthzBindAddress: 0.0.0.0:10256\nmetricsBindAddress: 127.0.0.1:10249\n',
      message:
        'KubeProxyConfiguration.BindAddress: Invalid value: "node-1": not a valid textual representation of an IP address',
    },
    {
      name: 'healthz address without port',
      doc: 'healthzBindAddress: localhost\n',
      message: 'KubeProxyConfiguration.HealthzBindAddress: Invalid value: "localhost": must be IP:port',
    },
    {
      name: 'metrics address with bad host and port',
      doc: 'metricsBindAddress: host:99999\n',
      message:
        '[KubeProxyConfiguration.MetricsBindAddress: Invalid value: "host": must be a valid IP, ' +
        'KubeProxyConfiguration.MetricsBindAddress: Invalid value: "99999": must be a valid port]',
    },
    {
      name: 'unknown mode',
      doc: 'mode: turbo\n',
      message:
        'KubeProxyConfiguration.Mode.ProxyMode: Invalid value: "turbo": must be userspace or blank (blank means the best-available proxy [currently userspace])',
    },
    {
      name: 'nftables not yet',
      doc: 'mode: nftables\n',
      message:
        'KubeProxyConfiguration.Mode.ProxyMode: Invalid value: "nftables": not supported in this version (supported: userspace)',
    },
    {
      name: 'iptables not yet (flag)',
      flags: { mode: 'iptables' },
      message:
        'KubeProxyConfiguration.Mode.ProxyMode: Invalid value: "iptables": not supported in this version (supported: userspace)',
    },
    {
      name: 'bad scheduler',
      doc: 'ipvs:\n  scheduler: wrr\n',
      message:
        'KubeProxyConfiguration.KubeProxyIPVSConfiguration.Scheduler: Invalid value: "wrr": must be in [random rr lc sed nq sh dh mh], blank means the default algorithm method (currently random)',
    },
    {
      name: 'masqueradeBit out of range',
      doc: 'iptables:\n  masqueradeBit: 32\n',
      message:
        'KubeProxyConfiguration.KubeProxyIPTablesConfiguration.MasqueradeBit: Invalid value: 32: must be within the range [0, 31]',
    },
    {
      name: 'conntrack negatives',
      doc: 'conntrack:\n  min: -1\n  tcpEstablishedTimeout: -5s\n',
      message:
        '[KubeProxyConfiguration.KubeProxyLinuxConfiguration.KubeProxyConntrackConfiguration.Min: Invalid value: -1: must be greater than or equal to 0, ' +
        'KubeProxyConfiguration.KubeProxyLinuxConfiguration.KubeProxyConntrackConfiguration.TCPEstablishedTimeout: Invalid value: -5s: must be greater than or equal to 0]',
    },
    {
      name: 'oomScoreAdj out of range',
      doc: 'oomScoreAdj: 1001\n',
      message:
        'KubeProxyConfiguration.KubeProxyLinuxConfiguration.OOMScoreAdj: Invalid value: 1001: must be within the range [-1000, 1000]',
    },
    {
      name: 'negative burst',
      doc: 'clientConnection:\n  burst: -1\n',
      message:
        'KubeProxyConfiguration.ClientConnection.Burst: Invalid value: -1: must be greater than or equal to 0',
    },
    {
      name: 'negative configSyncPeriod',
      doc: 'configSyncPeriod: -1m\n',
      message: 'KubeProxyConfiguration.ConfigSyncPeriod: Invalid value: -1m0s: must be greater than 0',
    },
    {
      name: 'nodePortAddresses: not a CIDR',
      doc: 'nodePortAddresses: [10.0.0.0/8, 10.0.0.1]\n',
      message: 'KubeProxyConfiguration.NodePortAddresses[1]: Invalid value: "10.0.0.1": must be a valid CIDR',
    },
    {
      name: 'nodePortAddresses: primary with CIDRs',
      doc: 'nodePortAddresses: [10.0.0.0/8, primary]\n',
      message: `KubeProxyConfiguration.NodePortAddresses[1]: Invalid value: "primary": can't use both 'primary' and CIDRs`,
    },
    {
      name: 'detectLocalMode unsupported',
      doc: 'detectLocalMode: Magic\n',
      message:
        'KubeProxyConfiguration.DetectLocalMode: Unsupported value: "Magic": supported values: "ClusterCIDR", "NodeCIDR", "BridgeInterface", "InterfaceNamePrefix", ""',
    },
    {
      name: 'BridgeInterface without a bridge',
      doc: 'detectLocalMode: BridgeInterface\n',
      message:
        'KubeProxyConfiguration.DetectLocalConfiguration.InterfaceName: Invalid value: "": must not be empty',
    },
    {
      name: 'clusterCIDR invalid',
      doc: 'clusterCIDR: 10.0.0.0/33\n',
      message:
        'KubeProxyConfiguration.DetectLocalConfiguration.ClusterCIDRs[0]: Invalid value: "10.0.0.0/33": must be a valid CIDR block (e.g. 10.100.0.0/16 or fde4:8dba:82e1::/48)',
    },
    {
      name: 'clusterCIDR same family twice',
      doc: 'clusterCIDR: 10.0.0.0/8,11.0.0.0/8\n',
      message:
        'KubeProxyConfiguration.DetectLocalConfiguration.ClusterCIDRs: Invalid value: []string{"10.0.0.0/8", "11.0.0.0/8"}: must be a either a single CIDR or dual-stack pair of CIDRs (e.g. [10.100.0.0/16, fde4:8dba:82e1::/48]',
    },
    {
      name: 'portRange',
      doc: 'portRange: 2000-300\n',
      message:
        'KubeProxyConfiguration.PortRange: Invalid value: "2000-300": must be a valid port range (e.g. 300-2000)',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const err = errorOf(() =>
        resolveProxyConfig(c.doc === undefined ? undefined : HEAD + c.doc, c.flags ?? {}),
      );
      assert.equal(err.message, c.message);
      assert.ok(err.causes.length > 0);
    });
  }

  it('valid dual-stack clusterCIDR and port range pass', () => {
    const c = resolveProxyConfig(`${HEAD}clusterCIDR: 10.0.0.0/8,fd00::/64\nportRange: 300-2000\n`, {});
    assert.equal(c.clusterCIDR, '10.0.0.0/8,fd00::/64');
  });
});

describe('flags over the file', () => {
  const doc = `${HEAD}iptables:\n  syncPeriod: 10s\n  minSyncPeriod: 2s\nipvs:\n  scheduler: rr\nclientConnection:\n  kubeconfig: /file/kc\n  qps: 20\nhostnameOverride: from-file\n`;
  const cases: {
    name: string;
    flags: ProxyFlags;
    check: (c: ReturnType<typeof resolveProxyConfig>) => void;
  }[] = [
    {
      name: 'no flags: the file wins over defaults',
      flags: {},
      check: (c) => {
        assert.equal(c.syncPeriodMs, 10_000);
        assert.equal(c.minSyncPeriodMs, 2_000);
        assert.equal(c.scheduler, 'rr');
        assert.equal(c.hostnameOverride, 'from-file');
      },
    },
    {
      name: 'given flags win',
      flags: { syncPeriodMs: 20_000, scheduler: 'lc' },
      check: (c) => {
        assert.equal(c.syncPeriodMs, 20_000);
        assert.equal(c.minSyncPeriodMs, 2_000);
        assert.equal(c.scheduler, 'lc');
      },
    },
    {
      name: 'nested sections merge field by field',
      flags: { clientConnection: { kubeconfig: '/flag/kc' } },
      check: (c) => {
        assert.equal(c.clientConnection.kubeconfig, '/flag/kc');
        assert.equal(c.clientConnection.qps, 20);
        assert.equal(c.clientConnection.burst, 10);
      },
    },
    {
      name: 'undefined flags are not given',
      flags: { scheduler: undefined, nodePortAddresses: undefined },
      check: (c) => {
        assert.equal(c.scheduler, 'rr');
        assert.deepEqual(c.nodePortAddresses, []);
      },
    },
    {
      name: 'hostname-override trimmed and lower-cased',
      flags: { hostnameOverride: '  Node-X ' },
      check: (c) => assert.equal(c.hostnameOverride, 'node-x'),
    },
    {
      name: 'a bare IP for a server address gets the default port',
      flags: { healthzBindAddress: '127.0.0.1', metricsBindAddress: '::1' },
      check: (c) => {
        assert.equal(c.healthzBindAddress, '127.0.0.1:10256');
        assert.equal(c.metricsBindAddress, '[::1]:10249');
      },
    },
    {
      name: 'lists replace',
      flags: { nodePortAddresses: ['127.0.0.0/8'] },
      check: (c) => assert.deepEqual(c.nodePortAddresses, ['127.0.0.0/8']),
    },
  ];
  for (const c of cases) it(c.name, () => c.check(resolveProxyConfig(doc, c.flags)));

  it('flags are validated too', () => {
    const err = errorOf(() => resolveProxyConfig(doc, { minSyncPeriodMs: 60_000 }));
    assert.match(err.message, /SyncPeriod: Invalid value: 1m0s: must be greater than or equal to/);
  });

  it('empty hostname-override is an error', () => {
    const err = errorOf(() => resolveProxyConfig(doc, { hostnameOverride: '  ' }));
    assert.equal(err.message, 'empty hostname-override is invalid');
  });
});

describe('loadProxyConfig from a file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'svcnet-proxy-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the file, merges flags', () => {
    const file = join(dir, 'kube-proxy.yaml');
    writeFileSync(file, `${HEAD}mode: userspace\nipvs:\n  scheduler: sh\n`);
    const c = loadProxyConfig({ file, flags: { minSyncPeriodMs: 0 } });
    assert.equal(c.scheduler, 'sh');
    assert.equal(c.minSyncPeriodMs, 0);
  });

  it('no file: flags over defaults', () => {
    const c = loadProxyConfig({ flags: { scheduler: 'mh' } });
    assert.equal(c.scheduler, 'mh');
  });

  it('a missing file is a clear error', () => {
    const err = errorOf(() => loadProxyConfig({ file: join(dir, 'nope.yaml'), flags: {} }));
    assert.match(err.message, /^failed to read config file ".*nope\.yaml": ENOENT/);
  });
});
