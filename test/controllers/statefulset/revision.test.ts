import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ControllerRevision, StatefulSet } from 'kubernetes-types/apps/v1.js';
import {
  applyRevision,
  chooseUpdateRevision,
  fnv32,
  goJSON,
  HASH_LABEL,
  hashRevision,
  newRevision,
  revisionName,
  revisionPatch,
  revisionsToTruncate,
  safeEncodeString,
} from '../../../src/controllers/statefulset/revision.js';

const set = (image: string): StatefulSet => ({
  metadata: { name: 'web', namespace: 'default', uid: 'u1', annotations: { note: 'x' } },
  spec: {
    serviceName: 'web',
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } },
  },
});

describe('revision encoding', () => {
  it('writes JSON like Go encoding/json writes a map', () => {
    const cases: [unknown, string][] = [
      [{ b: 1, a: [true, null], c: { z: 'x', y: '' } }, '{"a":[true,null],"b":1,"c":{"y":"","z":"x"}}'],
      ['<a&b>', '"\\u003ca\\u0026b\\u003e"'],
      [{ u: undefined, v: 1.5 }, '{"v":1.5}'],
    ];
    for (const [v, want] of cases) assert.equal(goJSON(v), want);
  });

  it('hashes with FNV-1 32 (Go hash/fnv New32)', () => {
    const cases: [string, number][] = [
      ['', 0x811c9dc5],
      ['a', 0x050c5d7e],
      ['foobar', 0x31f0b262],
    ];
    for (const [s, want] of cases) assert.equal(fnv32(Buffer.from(s)), want, s);
  });

  it('encodes safely without vowels', () => {
    // '0'..'3' are bytes 48..51: 48 % 27 = 21 → '4'.
    assert.equal(safeEncodeString('0123'), '4567');
    assert.match(hashRevision('{}'), /^[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.notEqual(hashRevision('{}', 0), hashRevision('{}', 1));
  });

  it('stores the template as a replace patch and names the revision set-hash', () => {
    const s = set('nginx:1');
    const r = newRevision(s, 1, 0);
    assert.equal(
      revisionPatch(s.spec!.template),
      '{"spec":{"template":{"$patch":"replace","metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"image":"nginx:1","name":"c"}]}}}}',
    );
    const hash = r.metadata!.labels![HASH_LABEL]!;
    assert.equal(r.metadata?.name, `web-${hash}`);
    assert.equal(r.metadata?.labels?.app, 'web');
    assert.deepEqual(r.metadata?.annotations, { note: 'x' });
    assert.equal(r.revision, 1);
    assert.equal(applyRevision(set('other'), r).spec?.template.spec?.containers[0]?.image, 'nginx:1');
    assert.equal(revisionName('x'.repeat(300), 'h').length, 225);
  });
});

describe('chooseUpdateRevision', () => {
  const r1 = newRevision(set('nginx:1'), 1, 0);
  const r2 = newRevision(set('nginx:2'), 2, 0);
  it('keeps the latest when it holds the template', () => {
    const c = chooseUpdateRevision(set('nginx:2'), [r1, r2], 0);
    assert.equal(c.kind, 'existing');
    assert.equal(c.revision, r2);
  });
  it('renumbers an older equal revision (rollback)', () => {
    const c = chooseUpdateRevision(set('nginx:1'), [r1, r2], 0);
    assert.deepEqual(
      [c.kind, c.revision.metadata?.name, c.kind === 'renumber' && c.to],
      ['renumber', r1.metadata?.name, 3],
    );
  });
  it('creates a new revision for a new template', () => {
    const c = chooseUpdateRevision(set('nginx:3'), [r1, r2], 0);
    assert.equal(c.kind, 'create');
    assert.equal(c.revision.revision, 3);
  });
  it('truncates the oldest non-live revisions beyond the limit', () => {
    const mk = (n: number): ControllerRevision => ({ metadata: { name: `r${n}` }, revision: n });
    const all = [1, 2, 3, 4, 5].map(mk);
    const names = (rs: ControllerRevision[]) => rs.map((r) => r.metadata?.name);
    assert.deepEqual(names(revisionsToTruncate(all, new Set(['r5', 'r1']), 2)), ['r2']);
    assert.deepEqual(names(revisionsToTruncate(all, new Set(['r5']), 10)), []);
    assert.deepEqual(names(revisionsToTruncate(all, new Set(['r5']), 0)), ['r1', 'r2', 'r3', 'r4']);
  });
});
