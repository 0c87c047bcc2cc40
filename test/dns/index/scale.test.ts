import assert from 'node:assert/strict';
import { test } from 'node:test';
import packet from 'dns-packet';
import { buildIndex, type IndexInput } from '../../../src/dns/index/build.js';
import { ns, slice, svc } from './helpers.js';

function bigCluster(n: number): IndexInput {
  const input: IndexInput = { namespaces: [ns('default')], services: [], slices: [] };
  const services = input.services as ReturnType<typeof svc>[];
  const slices = input.slices as ReturnType<typeof slice>[];
  for (let i = 0; i < n; i++) {
    const headless = i % 2 === 1;
    const ip = `10.${96 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
    services.push(
      svc('default', `s${i}`, {
        clusterIPs: [headless ? 'None' : ip],
        ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
      }),
    );
    const base = `10.${(i >> 14) & 63}.${(i >> 6) & 255}.${(i & 63) * 4}`;
    const eps = [0, 1].map((k) => ({
      ip: base.replace(/\d+$/, (d) => String(Number(d) + k)),
      hostname: `p${k}`,
    }));
    slices.push(slice('default', `s${i}`, `s${i}-x`, eps, [{ name: 'http', port: 8080, protocol: 'TCP' }]));
  }
  return input;
}

// How fast is bench/dns.ts's (c): a pass/fail test asserts what is answered, not how soon.
test('10,000 services: every A and SRV lookup answers, every endpoint indexed', () => {
  const index = buildIndex(bigCluster(10_000));
  for (let i = 0; i < 20_000; i++) {
    const a = index.lookup({
      name: `s${i % 10_000}.default.svc.cluster.local`,
      type: i % 3 === 0 ? 'SRV' : 'A',
    });
    assert.equal(a.rcode, 'NOERROR');
  }
  assert.equal(index.stats().endpoints, 20_000);
});

test('every answer shape encodes and decodes with dns-packet', () => {
  const index = buildIndex({
    ...bigCluster(4),
    services: [
      ...bigCluster(4).services,
      svc('default', 'ext', { type: 'ExternalName', externalName: 'example.com' }),
      svc('kube-system', 'kube-dns', {
        clusterIPs: ['10.96.0.10'],
        ports: [{ name: 'dns', port: 53, protocol: 'UDP' }],
      }),
    ],
  });
  const questions: [string, string][] = [
    ['s0.default.svc.cluster.local', 'A'],
    ['s1.default.svc.cluster.local', 'SRV'],
    ['p0.s1.default.svc.cluster.local', 'A'],
    ['0.0.96.10.in-addr.arpa', 'PTR'],
    ['ext.default.svc.cluster.local', 'A'],
    ['dns-version.cluster.local', 'TXT'],
    ['cluster.local', 'SOA'],
    ['cluster.local', 'NS'],
    ['nope.default.svc.cluster.local', 'A'],
  ];
  for (const [name, type] of questions) {
    const a = index.lookup({ name, type });
    const buf = packet.encode({
      type: 'response',
      id: 1,
      flags: packet.AUTHORITATIVE_ANSWER,
      questions: [{ name, type: type as packet.RecordType }],
      answers: a.answers,
      authorities: a.authority,
      additionals: a.additional,
    });
    const back = packet.decode(buf);
    assert.equal(back.answers?.length, a.answers.length, `${name} ${type}`);
    assert.equal(back.authorities?.length, a.authority.length);
    assert.equal(back.additionals?.length, a.additional.length);
    for (const [i, r] of a.answers.entries()) {
      assert.equal(back.answers?.[i]?.name, r.name);
      assert.equal(back.answers?.[i]?.type, r.type);
    }
  }
});
