import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConfigMap, Secret, ServiceAccount } from 'kubernetes-types/core/v1.js';
import { setSecretDefaults } from '../../../src/api/defaults/config.js';
import { base64ErrorOffset } from '../../../src/api/schema/decode.js';
import {
  validateConfigMap,
  validateConfigMapUpdate,
  validateSecret,
  validateSecretUpdate,
  validateServiceAccount,
  validateServiceAccountUpdate,
} from '../../../src/api/validation/config.js';
import { DNS1123_SUBDOMAIN, strings } from './messages.js';

const KEY_MSG =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
const b64 = (s: string) => Buffer.from(s).toString('base64');
const meta = { name: 'cfg', namespace: 'default', resourceVersion: '7' };

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

describe('ConfigMap validation', () => {
  const cm = (): Mutable<ConfigMap> => ({
    metadata: { ...meta },
    data: { 'app.properties': 'a=b', KEY_1: 'x' },
    binaryData: { 'logo.png': b64('\x89PNG') },
  });
  const cases: [string, (c: Mutable<ConfigMap>) => void, string[]][] = [
    ['valid', () => {}, []],
    [
      'empty',
      (c) => {
        c.data = undefined;
        c.binaryData = undefined;
      },
      [],
    ],
    [
      'bad name',
      (c) => {
        c.metadata!.name = 'Cfg';
      },
      [`metadata.name: Invalid value: "Cfg": ${DNS1123_SUBDOMAIN}`],
    ],
    [
      'bad key',
      (c) => {
        c.data = { 'a/b': 'x' };
      },
      [`data[a/b]: Invalid value: "a/b": ${KEY_MSG}`],
    ],
    [
      'dot',
      (c) => {
        c.data = { '.': 'x' };
      },
      [`data[.]: Invalid value: ".": must not be '.'`],
    ],
    [
      'dotdot',
      (c) => {
        c.data = { '..': 'x' };
      },
      [`data[..]: Invalid value: "..": must not be '..'`],
    ],
    [
      'dotdot prefix',
      (c) => {
        c.binaryData = { '..data': b64('x') };
      },
      [`binaryData[..data]: Invalid value: "..data": must not start with '..'`],
    ],
    [
      'long key',
      (c) => {
        c.data = { ['k'.repeat(254)]: 'x' };
      },
      [`data[${'k'.repeat(254)}]: Invalid value: "${'k'.repeat(254)}": must be no more than 253 characters`],
    ],
    [
      'key in both',
      (c) => {
        c.data = { 'logo.png': 'x' };
      },
      ['data[logo.png]: Invalid value: "logo.png": duplicate of key present in binaryData'],
    ],
    [
      '1 MiB exactly',
      (c) => {
        c.data = { a: 'x'.repeat(1024 * 1024) };
        c.binaryData = undefined;
      },
      [],
    ],
    [
      'too big, binary counted decoded',
      (c) => {
        c.data = { a: 'x'.repeat(1024 * 1024) };
        c.binaryData = { b: b64('y') };
      },
      [': Too long: may not be more than 1048576 bytes'],
    ],
  ];
  for (const [name, mutate, want] of cases) {
    it(name, () => {
      const c = cm();
      mutate(c);
      assert.deepEqual(strings(validateConfigMap(c)), want);
    });
  }

  it('an immutable ConfigMap keeps its data and stays immutable', () => {
    const old = { ...cm(), immutable: true };
    assert.deepEqual(strings(validateConfigMapUpdate({ ...old, metadata: { ...meta } }, old)), []);
    assert.deepEqual(strings(validateConfigMapUpdate({ ...old, data: { a: 'changed' } }, old)), [
      'data: Forbidden: field is immutable when `immutable` is set',
    ]);
    assert.deepEqual(strings(validateConfigMapUpdate({ ...old, binaryData: {} }, old)), [
      'binaryData: Forbidden: field is immutable when `immutable` is set',
    ]);
    assert.deepEqual(strings(validateConfigMapUpdate({ ...old, immutable: undefined }, old)), [
      'immutable: Forbidden: field is immutable when `immutable` is set',
    ]);
    // A mutable one may become immutable and change its data in the same write.
    assert.deepEqual(strings(validateConfigMapUpdate({ ...old, data: { a: 'b' } }, cm())), []);
  });
});

describe('Secret validation', () => {
  const secret = (type: string, data: Record<string, string> = {}): Mutable<Secret> => ({
    metadata: { ...meta },
    type,
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  });
  const cases: [string, Mutable<Secret>, string[]][] = [
    ['opaque', secret('Opaque', { p: 'x' }), []],
    ['custom type', secret('example.com/thing'), []],
    [
      'bad key',
      secret('Opaque', { 'a b': 'x' }),
      [`data[a b]: Invalid value: "a b": ${KEY_MSG.replace("'a b'", "'a b'")}`],
    ],
    [
      'too big',
      secret('Opaque', { a: 'x'.repeat(1024 * 1024 + 1) }),
      ['data: Too long: may not be more than 1048576 bytes'],
    ],
    ['tls', secret('kubernetes.io/tls', { 'tls.crt': 'c', 'tls.key': 'k' }), []],
    ['tls without key', secret('kubernetes.io/tls', { 'tls.crt': 'c' }), ['data[tls.key]: Required value']],
    [
      'tls empty',
      secret('kubernetes.io/tls'),
      ['data[tls.crt]: Required value', 'data[tls.key]: Required value'],
    ],
    ['basic-auth with username only', secret('kubernetes.io/basic-auth', { username: '' }), []],
    [
      'basic-auth empty',
      secret('kubernetes.io/basic-auth'),
      ['data[username]: Required value', 'data[password]: Required value'],
    ],
    ['ssh-auth', secret('kubernetes.io/ssh-auth', { 'ssh-privatekey': 'k' }), []],
    [
      'ssh-auth with an empty key',
      secret('kubernetes.io/ssh-auth', { 'ssh-privatekey': '' }),
      ['data[ssh-privatekey]: Required value'],
    ],
    [
      'dockerconfigjson',
      secret('kubernetes.io/dockerconfigjson', { '.dockerconfigjson': '{"auths":{}}' }),
      [],
    ],
    [
      'dockerconfigjson missing',
      secret('kubernetes.io/dockerconfigjson'),
      ['data[.dockerconfigjson]: Required value'],
    ],
    [
      'dockerconfigjson not JSON',
      secret('kubernetes.io/dockerconfigjson', { '.dockerconfigjson': '{' }),
      ['data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": unexpected end of JSON input'],
    ],
    [
      'dockercfg an array',
      secret('kubernetes.io/dockercfg', { '.dockercfg': '[]' }),
      [
        'data[.dockercfg]: Invalid value: "<secret contents redacted>": json: cannot unmarshal array into Go value of type map[string]interface {}',
      ],
    ],
    [
      'service account token needs the account name',
      secret('kubernetes.io/service-account-token'),
      ['metadata.annotations[kubernetes.io/service-account.name]: Required value'],
    ],
    [
      'service account token',
      {
        ...secret('kubernetes.io/service-account-token'),
        metadata: { ...meta, annotations: { 'kubernetes.io/service-account.name': 'default' } },
      },
      [],
    ],
  ];
  for (const [name, s, want] of cases) {
    it(name, () => assert.deepEqual(strings(validateSecret(s)), want));
  }

  it('type is immutable; an immutable Secret keeps its data', () => {
    const old = secret('Opaque', { p: 'x' });
    assert.deepEqual(strings(validateSecretUpdate({ ...old, type: 'kubernetes.io/tls' }, old)), [
      'type: Invalid value: "kubernetes.io/tls": field is immutable',
      'data[tls.crt]: Required value',
      'data[tls.key]: Required value',
    ]);
    const frozen = { ...old, immutable: true };
    assert.deepEqual(strings(validateSecretUpdate({ ...frozen, data: { p: b64('y') } }, frozen)), [
      'data: Forbidden: field is immutable when `immutable` is set',
    ]);
    assert.deepEqual(strings(validateSecretUpdate({ ...frozen, immutable: false }, frozen)), [
      'immutable: Forbidden: field is immutable when `immutable` is set',
    ]);
    assert.deepEqual(strings(validateSecretUpdate({ ...frozen }, frozen)), []);
  });

  it('stringData is merged into data, winning, and dropped; the type defaults to Opaque', () => {
    const s: Mutable<Secret> = {
      metadata: { ...meta },
      data: { a: b64('1'), b: b64('2') },
      stringData: { b: 'two', c: 'ü' },
    };
    setSecretDefaults(s);
    assert.deepEqual(s, {
      metadata: meta,
      type: 'Opaque',
      data: { a: b64('1'), b: b64('two'), c: b64('ü') },
    });
  });
});

describe('ServiceAccount validation', () => {
  const sa: ServiceAccount = {
    metadata: { ...meta },
    secrets: [{ name: 'x' }],
    automountServiceAccountToken: false,
  };
  it('names are DNS subdomains', () => {
    assert.deepEqual(strings(validateServiceAccount(sa)), []);
    assert.deepEqual(strings(validateServiceAccount({ ...sa, metadata: { ...meta, name: 'A_b' } })), [
      `metadata.name: Invalid value: "A_b": ${DNS1123_SUBDOMAIN}`,
    ]);
  });
  it('anything but metadata identity may change', () => {
    assert.deepEqual(strings(validateServiceAccountUpdate({ ...sa, secrets: [] }, sa)), []);
    assert.deepEqual(strings(validateServiceAccountUpdate({ ...sa, metadata: { ...meta, uid: 'u2' } }, sa)), [
      'metadata.uid: Invalid value: "u2": field is immutable',
    ]);
  });
});

describe('[]byte fields decode as Go base64.StdEncoding', () => {
  const cases: [string, number | undefined][] = [
    ['', undefined],
    ['eA==', undefined],
    ['eA=\n=', undefined],
    ['c2Vj\r\ncmV0', undefined],
    ['x', 0],
    ['eA=', 3],
    ['eA', 0],
    ['e===', 1],
    ['eA==x', 4],
    ['e*==', 1],
    ['c2VjcmV0!', 8],
  ];
  for (const [input, want] of cases) {
    it(JSON.stringify(input), () => assert.equal(base64ErrorOffset(input), want));
  }
});
