/**
 * The README's quick start, as a newcomer pastes it: `svcnet up --detach
 * --wait` returns with the node Ready, DNS answering and a ClusterIP served
 * (checked once each, no polling), and the quick start's own lines, read from
 * README.md, from `kubectl create deployment` to the first curl through the
 * ClusterIP, run in order with that curl tried once, several times over.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  type Cluster,
  freePort,
  kubectlPath,
  repoRoot,
  skipReason,
  startCluster,
  stopCluster,
  toolSkipReason,
} from './harness.js';
import { getJson, type Obj } from './kubectl-output.js';

const skip = skipReason() ?? toolSkipReason('dig', 'dnsutils');

/** The quick start's lines from `kubectl create deployment` to the first curl through a ClusterIP. */
function quickStartLines(readme: string): string[] {
  const section = readme.slice(readme.indexOf('## Quick start'));
  const block = section.slice(
    section.indexOf('```sh\n') + 6,
    section.indexOf('\n```', section.indexOf('```sh')),
  );
  const lines = block.split('\n');
  const first = lines.findIndex((l) => l.startsWith('kubectl create deployment'));
  const last = lines.findIndex((l) => l.startsWith('curl') && l.includes('clusterIP'));
  assert.ok(first >= 0 && last > first, 'the quick start creates a deployment, then curls its ClusterIP');
  return lines.slice(first, last + 1).filter((l) => l.trim());
}

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');

describe('the quick start', { skip }, () => {
  let c: Cluster;
  let dnsPort: number;
  before(async () => {
    dnsPort = await freePort();
    // A service range of its own: proxies of test clusters running side by side bind different IPs.
    c = await startCluster(
      [
        `--service-cluster-ip-range=127.${128 + (process.pid % 16)}.0.0/16`,
        `--dns-port=${dnsPort}`,
        '--wait',
      ],
      { proxy: true },
    );
  });
  after(() => stopCluster(c));

  it('the README starts svcnet with up --detach --wait, as this cluster was', () => {
    assert.match(readme, /## Quick start\n\n```sh\nbin\/svcnet up --detach --wait\s/);
  });

  it('up --detach --wait returns with the node Ready, DNS answering and a ClusterIP served', () => {
    const ready = (getJson(c, ['nodes']).items as Obj[]).map(
      (n) => (n.status.conditions as Obj[]).find((x) => x.type === 'Ready')?.status,
    );
    assert.deepEqual(ready, ['True']);

    const kubernetesIP: string = getJson(c, ['svc', 'kubernetes']).spec.clusterIP;
    const dig = spawnSync(
      'dig',
      [
        `@${c.nodeIP}`,
        '-p',
        String(dnsPort),
        '+time=2',
        '+tries=1',
        '+short',
        'kubernetes.default.svc.cluster.local',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(dig.status, 0, dig.stderr);
    assert.equal(dig.stdout.trim(), kubernetesIP);

    // The API server's /version through the kubernetes Service's ClusterIP, once.
    const r = spawnSync('curl', ['-sSk', '--max-time', '5', `https://${kubernetesIP}/version`], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).minor, '32');
  });

  it("the quick start's lines, pasted one by one, reach a pod through the ClusterIP at the first curl", () => {
    const lines = quickStartLines(readme);
    assert.match(lines.at(-2) ?? '', /^kubectl rollout status /, 'the curl comes right after rollout status');
    // `kubectl` in the lines is the one the tests drive.
    const env = {
      ...c.env(),
      PATH: `${dirname(kubectlPath())}${delimiter}${process.env.PATH ?? ''}`,
    };
    // Each round in a namespace of its own (the lines name their objects `web`); later rounds
    // find the proxy busy with the previous ones' syncs, the first a proxy just started.
    for (let round = 1; round <= 3; round++) {
      const ns = `quickstart-${round}`;
      c.ok(['create', 'namespace', ns]);
      c.ok(['config', 'set-context', '--current', `--namespace=${ns}`]);
      for (const line of lines) {
        const r = spawnSync('sh', ['-c', line], { env, encoding: 'utf8', timeout: 90_000 });
        assert.equal(r.status, 0, `round ${round}: ${line}\nexited ${r.status}\n${r.stdout}${r.stderr}`);
        if (line.startsWith('curl')) assert.match(r.stdout, /^web-[a-z0-9]+-[a-z0-9]+$/, `round ${round}`);
      }
    }
  });
});
