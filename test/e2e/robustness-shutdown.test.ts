/**
 * Graceful shutdown: SIGTERM (`svcnet down`, or a signal to a foreground
 * `svcnet up`) while writes are in flight. Every request either completes
 * (2xx, and then it is stored) or fails to connect; never a 2xx for a write
 * that is lost, never an error Status. Watch streams end cleanly (no ERROR
 * event), the process exits 0, and the data dir's lock and run.json go.
 * Ctrl-C on a foreground `svcnet up` does the same quietly.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Api, type Watch } from './api.js';
import {
  Cluster,
  type ClusterFlags,
  eventually,
  freePort,
  reserveClusterFlags,
  skipReason,
  startCluster,
  stopCluster,
  svcnetBin,
} from './harness.js';
import { restart, runFiles, serverLog, serverPid, waitExit } from './procs.js';
import { Writer } from './writer.js';

const skip = skipReason();

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON
type Svc = any;

/** Watches of several shapes that must all end without an ERROR event. */
function openWatches(api: Api, rv: string): Watch[] {
  return [
    api.watch(`/api/v1/services?watch=true&resourceVersion=${rv}`),
    api.watch('/api/v1/namespaces/default/services?watch=true'),
    api.watch('/api/v1/namespaces?watch=true&resourceVersion=0'),
    api.watch('/apis/discovery.k8s.io/v1/endpointslices?watch=true&labelSelector=x%3Dy'),
  ];
}

function assertEndedCleanly(watches: Watch[]): void {
  for (const w of watches) {
    assert.equal(w.status, 200);
    assert.equal(w.ending, 'end', 'the server ended the stream');
    const errors = w.events.filter((e) => e.type === 'ERROR');
    assert.deepEqual(errors, [], 'no ERROR event');
  }
}

describe('svcnet down with writes in flight', { skip }, () => {
  let c: Cluster;
  let api: Api;
  before(async () => {
    c = await startCluster();
  });
  after(() => {
    api?.close();
    stopCluster(c);
  });

  it('acknowledges only what it stored, ends watches cleanly, exits 0 and releases the data dir', async () => {
    api = Api.of(c, { maxSockets: 16 });
    const list = await api.json('GET', '/api/v1/services', undefined, 200);
    const watches = openWatches(api, list.metadata.resourceVersion);
    await Promise.all(watches.map((w) => eventually(() => w.status === 200, 10_000, 'watch open')));
    const w = new Writer(api);
    const pid = serverPid(c);
    const running = w.run(12, 3000);
    await eventually(() => w.acked >= 300, 60_000, '300 acknowledged writes');
    const down = c.svcnet(['down', `--data-dir=${c.dataDir}`]);
    const result = await running;
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stdout, /svcnet stopped/);
    await waitExit(pid);
    await Promise.all(watches.map((x) => x.done));

    assert.deepEqual(result.unexpected, [], 'no error answers during shutdown');
    for (const e of result.networkErrors)
      assert.match(e, /ECONNREFUSED|ECONNRESET|socket hang up|EPIPE/, 'only connection failures');
    assertEndedCleanly(watches);
    // The watch saw the writes it could (the first one at least).
    assert.ok(watches[0]!.events.length > 0);
    assert.deepEqual(runFiles(c), { pid: false, run: false });
    const log = serverLog(c);
    assert.match(log, /Shutting down/);
    assert.match(log, /Stopped/);
    assert.doesNotMatch(log, /Unhandled error|Error while stopping/);

    api.close();
    restart(c);
    api = Api.of(c);
    const items: Svc[] = (await api.json('GET', '/api/v1/services', undefined, 200)).items;
    w.check(items);
  });
});

/** `svcnet up` in the foreground, as a user runs it in a terminal. */
class Foreground {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'svcnet-e2e-fg-'));
  proc?: ChildProcess;
  stdout = '';
  stderr = '';
  exit?: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  cluster?: Cluster;

  private own?: ClusterFlags;

  async start(): Promise<Cluster> {
    const port = await freePort();
    // Addresses of its own (pod and service ranges, node IP, DNS port), as every test cluster has.
    this.own = await reserveClusterFlags([], { proxy: true });
    const args = [svcnetBin, 'up', `--data-dir=${this.dataDir}`, `--port=${port}`, ...this.own.flags];
    const p = spawn(process.execPath, args, {
      env: { ...process.env, HOME: join(this.dataDir, 'home') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = p;
    p.stdout!.on('data', (d) => {
      this.stdout += d;
    });
    p.stderr!.on('data', (d) => {
      this.stderr += d;
    });
    this.exit = new Promise((resolve) => p.once('exit', (code, signal) => resolve({ code, signal })));
    await eventually(() => this.stdout.includes('svcnet is up') || p.exitCode !== null, 60_000, 'svcnet up');
    if (p.exitCode !== null) throw new Error(`svcnet up exited ${p.exitCode}: ${this.stderr}`);
    this.cluster = new Cluster(this.dataDir, port, this.own.nodeIP, this.own.flags);
    return this.cluster;
  }

  /** Kills what is left and removes the data dir. */
  async cleanup(): Promise<void> {
    if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill('SIGKILL');
      await this.exit;
    }
    this.own?.release();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

describe('foreground svcnet up', { skip }, () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`stops on ${signal} with writes in flight: exit 0, nothing alarming printed`, async () => {
      const fg = new Foreground();
      let api: Api | undefined;
      try {
        const c = await fg.start();
        api = Api.of(c, { maxSockets: 8 });
        const watch = api.watch('/api/v1/services?watch=true&resourceVersion=0');
        await watch.count(1); // default/kubernetes
        const w = new Writer(api);
        const running = w.run(6, 3000);
        await eventually(() => w.acked >= 100, 60_000, '100 acknowledged writes');
        fg.proc!.kill(signal);
        const result = await running;
        const { code, signal: killedBy } = await fg.exit!;
        await watch.done;
        assert.equal(killedBy, null);
        assert.equal(code, 0, fg.stderr);
        assert.deepEqual(result.unexpected, []);
        for (const e of result.networkErrors)
          assert.match(e, /ECONNREFUSED|ECONNRESET|socket hang up|EPIPE/, 'only connection failures');
        assertEndedCleanly([watch]);
        // The log (klog lines on stderr, as upstream components) has only info lines.
        for (const line of fg.stderr.trimEnd().split('\n'))
          assert.match(line, /^I\d{4} [\d:.]+ +\d+ [\w-]+\] "/, `log line: ${line}`);
        assert.match(fg.stderr, new RegExp(`"Shutting down" signal="${signal}"`));
        assert.match(fg.stderr, /"Stopped"/);
        assert.doesNotMatch(fg.stdout + fg.stderr, /error|warn|exception|unhandled/i);
        assert.deepEqual(runFiles(c), { pid: false, run: false });

        // What was acknowledged is there on the next start.
        api.close();
        restart(c);
        api = Api.of(c);
        w.check((await api.json('GET', '/api/v1/services', undefined, 200)).items);
        const d = c.svcnet(['down', `--data-dir=${c.dataDir}`]);
        assert.equal(d.code, 0, d.stderr);
      } finally {
        api?.close();
        if (fg.cluster && runFiles(fg.cluster).pid) {
          try {
            const pid = serverPid(fg.cluster);
            fg.cluster.svcnet(['down', `--data-dir=${fg.dataDir}`]);
            await waitExit(pid, 10_000).catch(() => {});
          } catch {}
        }
        await fg.cleanup();
      }
    });
  }
});
