/**
 * Two Services with 10,000 ports each used to take every file descriptor of
 * the userspace proxy, and an unrelated Service then failed. Here the proxy's
 * backend runs in a child process under `prlimit --nofile=256:256` (so the
 * limit is small and the same everywhere) with a 600-port Service beside a
 * one-port one: the small one is served in every case, and the huge one is
 * told why it is not served in full.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { HarnessReport } from './fd-harness.js';

const LIMIT = 256;
const HUGE_PORTS = 600;
const harness = fileURLToPath(new URL('./fd-harness.js', import.meta.url));

function run(scenario: string): HarnessReport {
  const r = spawnSync(
    'prlimit',
    [`--nofile=${LIMIT}:${LIMIT}`, process.execPath, harness, scenario, String(HUGE_PORTS)],
    { encoding: 'utf8', timeout: 120_000 },
  );
  assert.equal(r.error, undefined, `prlimit (util-linux) must be installed: ${r.error}`);
  assert.equal(r.status, 0, `harness ${scenario} exited ${r.status}:\n${r.stdout}${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as HarnessReport;
}

describe('a Service with many ports cannot take the descriptors of the others (userspace, RLIMIT_NOFILE 256)', () => {
  it('the per-Service cap: 1/16 of the limit by default, with a clear event naming it', () => {
    const r = run('cap');
    assert.match(r.limit, /\s256\s+256\s/);
    assert.equal(r.smallServed, true);
    assert.equal(r.hugeListening, LIMIT / 16);
    assert.equal(r.listening, LIMIT / 16 + 1);
    assert.deepEqual(r.codes, { ServiceFrontendLimit: HUGE_PORTS - LIMIT / 16 });
    assert.deepEqual(r.limited, [
      {
        service: 'default/huge',
        reason: 'TooManyFrontends',
        message: `Service has ${HUGE_PORTS} frontends to listen on; the userspace proxy listens on at most 16 per Service (--max-frontends-per-service): ${HUGE_PORTS - 16} not served (TCP/127.97.206.1:20016, ...)`,
      },
    ]);
  });

  it('without a cap, new listeners stop short of the reserve kept for connections, shared round-robin', () => {
    const r = run('reserve');
    assert.equal(r.smallServed, true);
    assert.ok(r.hugeListening > 0 && r.hugeListening < HUGE_PORTS, `huge listening: ${r.hugeListening}`);
    assert.deepEqual(Object.keys(r.codes), ['DescriptorReserve']);
    assert.equal(r.codes.DescriptorReserve, HUGE_PORTS - r.hugeListening);
    assert.equal(r.limited.length, 1);
    assert.equal(r.limited[0]!.service, 'default/huge');
    assert.equal(r.limited[0]!.reason, 'FailedToListen');
    assert.match(
      r.limited[0]!.message,
      new RegExp(
        `^Not listening on ${r.codes.DescriptorReserve} of ${HUGE_PORTS} frontends \\(TCP/127\\.97\\.206\\.1:\\d+, \\.\\.\\.\\): \\d+ of 256 file descriptors are in use and 32 are kept for connections$`,
      ),
    );
  });

  it('a real EMFILE stops the apply and gives back the reserve: the Service served before keeps working', () => {
    const r = run('emfile');
    assert.equal(r.smallServed, true);
    assert.deepEqual(Object.keys(r.codes), ['EMFILE']);
    assert.equal(r.codes.EMFILE, HUGE_PORTS - r.hugeListening);
    assert.equal(r.limited.length, 1);
    assert.equal(r.limited[0]!.reason, 'FailedToListen');
    assert.match(
      r.limited[0]!.message,
      /frontends \(TCP\/127\.97\.206\.1:\d+, \.\.\.\): too many open files \(EMFILE\)$/,
    );
  });
});
