import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { goLogTime } from '../../../src/agent/images/inprocess.js';
import { goJSON } from '../../../src/agent/images/netexec.js';
import { containerArgv, imageName, imageTag } from '../../../src/agent/images/reference.js';
import { formatGoDuration, maybeGoDuration as parseGoDuration } from '../../../src/lib/goduration.js';

describe('imageName', () => {
  const cases: [string, string, string][] = [
    ['nginx', 'nginx', ''],
    ['nginx:1.27', 'nginx', '1.27'],
    ['docker.io/library/nginx:latest', 'nginx', 'latest'],
    ['library/nginx', 'nginx', ''],
    ['svcnet/netexec', 'svcnet/netexec', ''],
    ['registry.k8s.io/e2e-test-images/agnhost:2.53', 'e2e-test-images/agnhost', '2.53'],
    ['localhost:5000/my/app:v1', 'my/app', 'v1'],
    ['localhost/app', 'app', ''],
    ['busybox@sha256:0123abcd', 'busybox', ''],
    ['curlimages/curl:8.10.1@sha256:ff', 'curlimages/curl', '8.10.1'],
    ['Quay.IO/Org/Thing', 'org/thing', ''],
  ];
  for (const [ref, name, tag] of cases) {
    it(ref, () => {
      assert.equal(imageName(ref), name);
      assert.equal(imageTag(ref), tag);
    });
  }
});

describe('containerArgv', () => {
  const cases: [string, string[], string[], string[], string[], string[]][] = [
    ['image defaults', [], [], ['/agnhost'], ['pause'], ['/agnhost', 'pause']],
    ['args replace cmd', [], ['netexec'], ['/agnhost'], ['pause'], ['/agnhost', 'netexec']],
    ['command replaces both', ['sh'], [], ['/agnhost'], ['pause'], ['sh']],
    ['command and args', ['sh', '-c'], ['echo hi'], ['/x'], ['y'], ['sh', '-c', 'echo hi']],
  ];
  for (const [name, command, args, entrypoint, cmd, want] of cases) {
    it(name, () => assert.deepEqual(containerArgv(command, args, entrypoint, cmd), want));
  }
});

describe('Go durations', () => {
  const parse: [string, number | undefined][] = [
    ['0', 0],
    ['1s', 1e9],
    ['1.5s', 1.5e9],
    ['300ms', 300e6],
    ['1m30s', 90e9],
    ['2h', 7200e9],
    ['10us', 10e3],
    ['-1s', -1e9],
    ['5', undefined],
    ['', undefined],
    ['1x', undefined],
    ['s', undefined],
  ];
  for (const [s, want] of parse)
    it(`parse ${JSON.stringify(s)}`, () => assert.equal(parseGoDuration(s), want));
  const format: [number, string][] = [
    [0, '0s'],
    [1e9, '1s'],
    [1.5e9, '1.5s'],
    [300e6, '300ms'],
    [90e9, '1m30s'],
    [3600e9, '1h0m0s'],
    [500, '500ns'],
    [1500, '1.5µs'],
  ];
  for (const [ns, want] of format) it(`format ${ns}`, () => assert.equal(formatGoDuration(ns), want));
});

describe('Go output formats', () => {
  it('log prefix', () =>
    assert.equal(goLogTime(new Date(Date.UTC(2025, 0, 2, 3, 4, 5))), '2025/01/02 03:04:05'));
  it('encoding/json escapes HTML characters', () =>
    assert.equal(goJSON({ output: '<a&b>' }), '{"output":"\\u003ca\\u0026b\\u003e"}'));
});
