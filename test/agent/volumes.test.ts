/** Volume payloads (pure) and kubelet's AtomicWriter layout on disk. */
import assert from 'node:assert/strict';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { ConfigMap, Pod, Secret, Volume } from 'kubernetes-types/core/v1.js';
import { DATA_DIR_NAME, timestampPrefix, writeAtomic } from '../../src/agent/atomicwriter.js';
import { PodVolumes } from '../../src/agent/podvolumes.js';
import { type Payload, VolumeSetupError, volumePayload, volumeReferences } from '../../src/agent/volumes.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const pod: Pod = {
  metadata: { name: 'p', namespace: 'ns', uid: 'uid-1', labels: { app: 'web', tier: 'fe' } },
  spec: { containers: [{ name: 'c', image: 'busybox', resources: { limits: { memory: '64Mi' } } }] },
};
const cm: ConfigMap = {
  metadata: { name: 'cfg' },
  data: { a: 'one', b: 'two' },
  binaryData: { bin: b64('\x00\x01') },
};
const secret: Secret = { metadata: { name: 'sec' }, data: { user: b64('admin'), pw: b64('s3cret') } };
const sources = {
  configMap: (n: string) => (n === 'cfg' ? cm : undefined),
  secret: (n: string) => (n === 'sec' ? secret : undefined),
  nodeAllocatable: { cpu: '2', memory: '1Gi' },
};
const files = (p: Payload | undefined) =>
  Object.fromEntries(
    [...(p ?? new Map())].map(([k, f]) => [k, [f.data.toString('utf8'), f.mode.toString(8)]]),
  );
const setupError = (v: Volume): string => {
  try {
    volumePayload(v, pod, sources);
  } catch (err) {
    if (err instanceof VolumeSetupError) return err.message;
    throw err;
  }
  return '';
};

describe('volumePayload', () => {
  it('a configMap volume has every key of data and binaryData, mode 0644', () => {
    assert.deepEqual(files(volumePayload({ name: 'v', configMap: { name: 'cfg' } }, pod, sources)), {
      a: ['one', '644'],
      b: ['two', '644'],
      bin: ['\x00\x01', '644'],
    });
  });
  it('items pick keys, paths and modes; defaultMode applies to the rest', () => {
    const v: Volume = {
      name: 'v',
      configMap: {
        name: 'cfg',
        defaultMode: 0o600,
        items: [
          { key: 'a', path: 'conf/a.txt' },
          { key: 'b', path: 'b', mode: 0o400 },
        ],
      },
    };
    assert.deepEqual(files(volumePayload(v, pod, sources)), {
      'conf/a.txt': ['one', '600'],
      b: ['two', '400'],
    });
  });
  it('missing objects and keys are upstream SetUp errors unless optional', () => {
    assert.equal(setupError({ name: 'v', configMap: { name: 'nope' } }), 'configmap "nope" not found');
    assert.equal(setupError({ name: 'v', secret: { secretName: 'nope' } }), 'secret "nope" not found');
    assert.equal(
      setupError({ name: 'v', configMap: { name: 'cfg', items: [{ key: 'zz', path: 'z' }] } }),
      'configmap references non-existent config key: zz',
    );
    assert.equal(
      setupError({ name: 'v', secret: { secretName: 'sec', items: [{ key: 'zz', path: 'z' }] } }),
      'references non-existent secret key: zz',
    );
    assert.deepEqual(
      files(volumePayload({ name: 'v', configMap: { name: 'nope', optional: true } }, pod, sources)),
      {},
    );
    assert.deepEqual(
      files(
        volumePayload(
          {
            name: 'v',
            secret: {
              secretName: 'sec',
              optional: true,
              items: [
                { key: 'zz', path: 'z' },
                { key: 'pw', path: 'p' },
              ],
            },
          },
          pod,
          sources,
        ),
      ),
      { p: ['s3cret', '644'] },
    );
  });
  it('secrets are decoded', () => {
    assert.deepEqual(
      files(volumePayload({ name: 'v', secret: { secretName: 'sec', defaultMode: 0o400 } }, pod, sources)),
      {
        user: ['admin', '400'],
        pw: ['s3cret', '400'],
      },
    );
  });
  it('downwardAPI writes fields and resources as kubelet formats them', () => {
    const v: Volume = {
      name: 'v',
      downwardAPI: {
        items: [
          { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
          { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
          {
            path: 'mem',
            resourceFieldRef: { containerName: 'c', resource: 'limits.memory', divisor: '1Mi' },
          },
          { path: 'cpu', resourceFieldRef: { containerName: 'c', resource: 'limits.cpu' } },
        ],
      },
    };
    assert.deepEqual(files(volumePayload(v, pod, sources)), {
      labels: ['app="web"\ntier="fe"', '644'],
      name: ['p', '644'],
      mem: ['64', '644'],
      cpu: ['2', '644'],
    });
  });
  it('projected volumes merge their sources; a missing one fails as upstream says', () => {
    const v: Volume = {
      name: 'v',
      projected: {
        defaultMode: 0o440,
        sources: [
          { configMap: { name: 'cfg', items: [{ key: 'a', path: 'cfg/a' }] } },
          { secret: { name: 'sec', items: [{ key: 'user', path: 'sec/user', mode: 0o400 }] } },
          { downwardAPI: { items: [{ path: 'ns', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
          { serviceAccountToken: { path: 'token' } },
        ],
      },
    };
    assert.deepEqual(files(volumePayload(v, pod, sources)), {
      'cfg/a': ['one', '440'],
      'sec/user': ['admin', '400'],
      ns: ['ns', '440'],
    });
    assert.equal(
      setupError({ name: 'v', projected: { sources: [{ secret: { name: 'nope' } }] } }),
      `couldn't get secret ns/nope: secret "nope" not found`,
    );
    assert.deepEqual(volumeReferences(v), { configMaps: ['cfg'], secrets: ['sec'] });
  });
  it('paths never leave the volume', () => {
    assert.equal(
      setupError({ name: 'v', configMap: { name: 'cfg', items: [{ key: 'a', path: '../x' }] } }),
      'invalid path "../x"',
    );
  });
  it('other kinds have no payload', () => {
    assert.equal(volumePayload({ name: 'v', emptyDir: {} }, pod, sources), undefined);
  });
});

describe('writeAtomic', () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const payload = (entries: Record<string, [string, number]>): Payload =>
    new Map(Object.entries(entries).map(([k, [v, mode]]) => [k, { data: Buffer.from(v), mode }]));
  const tsDirs = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('..') && n !== DATA_DIR_NAME);

  it('names timestamped directories as kubelet does', () => {
    assert.equal(timestampPrefix(Date.UTC(2024, 0, 2, 3, 4, 5)), '..2024_01_02_03_04_05.');
  });

  it('writes the ..data layout, swaps it on change, and leaves it alone when unchanged', () => {
    const dir = mkdtempSync(join(tmpdir(), 'svcnet-atomic-'));
    dirs.push(dir);
    assert.equal(writeAtomic(dir, payload({ a: ['1', 0o644], 'sub/b': ['2', 0o400] })), true);
    const first = readlinkSync(join(dir, DATA_DIR_NAME));
    assert.match(first, /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\./);
    assert.equal(readlinkSync(join(dir, 'a')), join(DATA_DIR_NAME, 'a'));
    assert.equal(readlinkSync(join(dir, 'sub')), join(DATA_DIR_NAME, 'sub'));
    assert.equal(readFileSync(join(dir, 'sub/b'), 'utf8'), '2');
    assert.equal(statSync(join(dir, 'sub/b')).mode & 0o777, 0o400);

    assert.equal(writeAtomic(dir, payload({ a: ['1', 0o644], 'sub/b': ['2', 0o400] })), false);
    assert.equal(readlinkSync(join(dir, DATA_DIR_NAME)), first);

    // A change: a new timestamped directory, the old one gone, a removed key's link gone.
    assert.equal(writeAtomic(dir, payload({ a: ['changed', 0o644], c: ['3', 0o644] })), true);
    const second = readlinkSync(join(dir, DATA_DIR_NAME));
    assert.notEqual(second, first);
    assert.deepEqual(tsDirs(dir), [second]);
    assert.equal(readFileSync(join(dir, 'a'), 'utf8'), 'changed');
    assert.equal(readFileSync(join(dir, 'c'), 'utf8'), '3');
    assert.throws(() => lstatSync(join(dir, 'sub')));
    // A mode change alone is a change too.
    assert.equal(writeAtomic(dir, payload({ a: ['changed', 0o600], c: ['3', 0o644] })), true);
    assert.equal(statSync(join(dir, 'a')).mode & 0o777, 0o600);
  });
});

describe('PodVolumes', () => {
  it('links each mount path under the pod root to its volume, and removes it all', () => {
    const rootDir = mkdtempSync(join(tmpdir(), 'svcnet-podvol-'));
    try {
      const p: Pod = {
        ...pod,
        spec: {
          containers: [
            {
              name: 'c',
              image: 'busybox',
              volumeMounts: [
                { name: 'cfg', mountPath: '/etc/cfg' },
                { name: 'cfg', mountPath: '/opt/a-only', subPath: 'a' },
                { name: 'scratch', mountPath: '/scratch' },
              ],
            },
          ],
          volumes: [
            { name: 'cfg', configMap: { name: 'cfg' } },
            { name: 'scratch', emptyDir: {} },
            { name: 'bad', secret: { secretName: 'nope' } },
          ],
        },
      };
      const vols = new PodVolumes(rootDir, 'uid-1');
      assert.deepEqual(vols.setUp(p, sources, Date.now()), [
        { volume: 'bad', message: 'secret "nope" not found' },
      ]);
      vols.mount(p, p.spec!.containers[0]!);
      const root = vols.root!;
      assert.equal(readFileSync(join(root, 'etc/cfg/a'), 'utf8'), 'one');
      assert.equal(readFileSync(join(root, 'opt/a-only'), 'utf8'), 'one');
      assert.ok(statSync(join(root, 'scratch')).isDirectory());
      vols.remove();
      assert.throws(() => statSync(join(rootDir, 'pods', 'uid-1')));
    } finally {
      rmSync(rootDir, { recursive: true, force: true });
    }
  });
});
