import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Endpoint } from '../../../src/proxy/model/types.js';
import {
  type ConnCounts,
  createScheduler,
  endpointKey,
  foldAddress,
  hashBucket,
  isSchedulerName,
  MH_TABLE_SIZE,
  maglevTable,
  SCHEDULER_NAMES,
  type SchedulerName,
} from '../../../src/proxy/userspace/schedulers.js';

const ep = (ip: string, port = 8080): Endpoint => ({
  ip,
  port,
  ready: true,
  serving: true,
  terminating: false,
  isLocal: true,
});
const eps = (n: number, base = '10.244.0.'): Endpoint[] =>
  Array.from({ length: n }, (_, i) => ep(`${base}${i + 1}`));
const svc = { serviceIp: '10.96.0.10', servicePort: 80 };
const none = new Map<string, ConnCounts>();
const client = (i: number) => ({ ip: `192.168.${(i >> 8) & 255}.${i & 255}`, port: 40000 + (i % 1000) });
const counters = (entries: [Endpoint, number, number?][]) =>
  new Map(entries.map(([e, active, inactive = 0]) => [endpointKey(e), { active, inactive }]));

describe('scheduler names', () => {
  it('accepts exactly the IPVS family plus random', () => {
    assert.deepEqual([...SCHEDULER_NAMES], ['random', 'rr', 'lc', 'sed', 'nq', 'sh', 'dh', 'mh']);
    for (const n of SCHEDULER_NAMES) assert.ok(isSchedulerName(n));
    for (const n of ['wrr', 'RR', '', 'mh ']) assert.equal(isSchedulerName(n), false);
  });
  it('every scheduler returns undefined with no endpoints', () => {
    for (const n of SCHEDULER_NAMES)
      assert.equal(createScheduler(n, svc).pick([], client(1), none), undefined, n);
  });
});

describe('address folding and hashing', () => {
  const cases: [string, number][] = [
    ['0.0.0.0', 0],
    ['10.244.0.1', 0x0af40001],
    ['255.255.255.255', 0xffffffff],
    ['::ffff:10.244.0.1', 0x0af40001],
    ['::1', 1],
    ['2001:db8::1', (0x20010db8 ^ 1) >>> 0],
    ['fe80::1%eth0', (0xfe800000 ^ 1) >>> 0],
    ['1:2:3:4:5:6:7:8', (0x00010002 ^ 0x00030004 ^ 0x00050006 ^ 0x00070008) >>> 0],
  ];
  for (const [ip, want] of cases) {
    it(`folds ${ip}`, () => assert.equal(foldAddress(ip), want));
  }
  it('hashes like ip_vs_sh_hashkey: (addr * 2654435761) & 255', () => {
    for (const ip of ['10.0.0.1', '192.168.1.77', '127.97.0.1']) {
      const want = Number((BigInt(foldAddress(ip)) * 2654435761n) & 255n);
      assert.equal(hashBucket(ip), want);
    }
  });
});

describe('random', () => {
  it('maps the random source uniformly onto the list', () => {
    const seq = [0, 0.34, 0.67, 0.999999];
    let i = 0;
    const s = createScheduler('random', { ...svc, random: () => seq[i++]! });
    const list = eps(3);
    assert.deepEqual(
      seq.map(() => s.pick(list, client(0), none)?.ip),
      ['10.244.0.1', '10.244.0.2', '10.244.0.3', '10.244.0.3'],
    );
  });
  it('spreads over all endpoints (Math.random)', () => {
    const s = createScheduler('random', svc);
    const list = eps(3);
    const hits = new Map<string, number>();
    for (let k = 0; k < 3000; k++) {
      const ip = s.pick(list, client(k), none)!.ip;
      hits.set(ip, (hits.get(ip) ?? 0) + 1);
    }
    for (const e of list) assert.ok((hits.get(e.ip) ?? 0) > 800, `${e.ip}: ${hits.get(e.ip)}`);
  });
});

describe('rr', () => {
  it('cycles exactly through the list', () => {
    const s = createScheduler('rr', svc);
    const list = eps(3);
    const got = Array.from({ length: 7 }, (_, k) => s.pick(list, client(k), none)!.ip.split('.')[3]);
    assert.deepEqual(got, ['1', '2', '3', '1', '2', '3', '1']);
  });
  it('continues after the last pick when endpoints are added', () => {
    const s = createScheduler('rr', svc);
    const list = eps(3);
    s.pick(list, client(0), none); // .1
    s.pick(list, client(0), none); // .2
    const grown = [...list, ep('10.244.0.4')];
    const got = Array.from({ length: 4 }, () => s.pick(grown, client(0), none)!.ip.split('.')[3]);
    assert.deepEqual(got, ['3', '4', '1', '2']);
  });
  it('continues with the successor when the last pick is removed', () => {
    const s = createScheduler('rr', svc);
    const list = eps(4);
    s.pick(list, client(0), none); // .1
    s.pick(list, client(0), none); // .2
    const shrunk = list.filter((e) => e.ip !== '10.244.0.2');
    const got = Array.from({ length: 3 }, () => s.pick(shrunk, client(0), none)!.ip.split('.')[3]);
    assert.deepEqual(got, ['3', '4', '1']);
  });
});

describe('least-connection family', () => {
  const [a, b, c] = eps(3);
  const list = [a!, b!, c!];
  const table: { name: SchedulerName; counts: [Endpoint, number, number?][]; want: Endpoint; why: string }[] =
    [
      { name: 'lc', counts: [], want: a!, why: 'all idle: the first' },
      { name: 'lc', counts: [[a!, 1]], want: b!, why: 'prefers the idle endpoint' },
      {
        name: 'lc',
        counts: [
          [a!, 2],
          [b!, 1],
          [c!, 3],
        ],
        want: b!,
        why: 'fewest active',
      },
      {
        name: 'lc',
        counts: [
          [a!, 1, 0],
          [b!, 0, 300],
          [c!, 2],
        ],
        want: a!,
        why: 'active*256+inactive: 256 < 300',
      },
      {
        name: 'lc',
        counts: [
          [a!, 1, 0],
          [b!, 0, 200],
          [c!, 2],
        ],
        want: b!,
        why: 'active*256+inactive: 200 < 256',
      },
      {
        name: 'sed',
        counts: [
          [a!, 1],
          [b!, 1],
          [c!, 0],
        ],
        want: c!,
        why: '(active+1): lowest',
      },
      {
        name: 'sed',
        counts: [
          [a!, 0, 50],
          [b!, 0, 0],
        ],
        want: a!,
        why: 'inactive does not count',
      },
      {
        name: 'sed',
        counts: [
          [a!, 2],
          [b!, 2],
          [c!, 2],
        ],
        want: a!,
        why: 'ties: the first',
      },
      {
        name: 'nq',
        counts: [
          [a!, 3],
          [b!, 0],
          [c!, 0],
        ],
        want: b!,
        why: 'first idle endpoint',
      },
      {
        name: 'nq',
        counts: [
          [a!, 3],
          [b!, 1],
          [c!, 2],
        ],
        want: b!,
        why: 'none idle: sed',
      },
    ];
  for (const t of table) {
    it(`${t.name}: ${t.why}`, () => {
      const s = createScheduler(t.name, svc);
      assert.equal(s.pick(list, client(1), counters(t.counts)), t.want);
    });
  }
});

describe('sh and dh', () => {
  it('sh: a client always goes to bucket mod n, stable across calls', () => {
    const s = createScheduler('sh', svc);
    const list = eps(3);
    for (let k = 0; k < 50; k++) {
      const cl = client(k);
      const first = s.pick(list, cl, none);
      assert.equal(first, list[hashBucket(cl.ip) % 3]);
      assert.equal(s.pick(list, { ip: cl.ip, port: cl.port + 1 }, none), first, 'port is not hashed');
    }
  });
  it('sh: spreads clients over every endpoint', () => {
    const s = createScheduler('sh', svc);
    const list = eps(3);
    const seen = new Set<string>();
    for (let k = 0; k < 100; k++) seen.add(s.pick(list, client(k), none)!.ip);
    assert.equal(seen.size, 3);
  });
  it('dh: every client of one service goes to one endpoint', () => {
    const s = createScheduler('dh', svc);
    const list = eps(5);
    const want = list[hashBucket(svc.serviceIp) % 5];
    for (let k = 0; k < 50; k++) assert.equal(s.pick(list, client(k), none), want);
  });
  it('dh: different services land on different endpoints', () => {
    const list = eps(4);
    const seen = new Set<string>();
    for (let i = 1; i <= 20; i++) {
      seen.add(
        createScheduler('dh', { serviceIp: `10.96.0.${i}`, servicePort: 80 }).pick(list, client(0), none)!.ip,
      );
    }
    assert.ok(seen.size > 1);
  });
});

describe('mh (Maglev)', () => {
  it('fills the 251-slot table evenly among equal-weight endpoints', () => {
    const table = maglevTable(eps(4));
    assert.equal(table.length, MH_TABLE_SIZE);
    const per = [0, 0, 0, 0];
    for (const i of table) per[i]!++;
    // Maglev with equal weights: every endpoint gets floor or ceil of 251/4 slots.
    for (const n of per) assert.ok(n === 62 || n === 63, String(per));
  });
  it('is stable for a client and independent of the client port', () => {
    const s = createScheduler('mh', svc);
    const list = eps(5);
    for (let k = 0; k < 30; k++) {
      const cl = client(k);
      const first = s.pick(list, cl, none);
      assert.equal(s.pick(list, { ip: cl.ip, port: 1 }, none), first);
    }
  });
  it('moves few clients when an endpoint is removed (minimal disruption)', () => {
    const s = createScheduler('mh', svc);
    const list = eps(6);
    const removed = list[2]!;
    const shrunk = list.filter((e) => e !== removed);
    const clients = Array.from({ length: 2000 }, (_, k) => client(k));
    const before = clients.map((c) => s.pick(list, c, none)!);
    const after = clients.map((c) => s.pick(shrunk, c, none)!);
    let kept = 0;
    let moved = 0;
    for (let k = 0; k < clients.length; k++) {
      if (before[k] === removed) {
        assert.notEqual(after[k], removed);
        continue;
      }
      if (before[k] === after[k]) kept++;
      else moved++;
    }
    // Modulo hashing (sh) would move ~5/6 of them; Maglev keeps nearly all.
    assert.ok(moved / (kept + moved) < 0.1, `moved ${moved} of ${kept + moved}`);
    const shMoved = clients.filter((c) => {
      const b = list[hashBucket(c.ip) % 6];
      return b !== removed && b !== shrunk[hashBucket(c.ip) % 5];
    }).length;
    assert.ok(shMoved > moved * 3, `sh moved ${shMoved}, mh moved ${moved}`);
  });
  it('spreads clients over every endpoint', () => {
    const s = createScheduler('mh', svc);
    const list = eps(3);
    const hits = new Map<string, number>();
    for (let k = 0; k < 3000; k++) {
      const ip = s.pick(list, client(k), none)!.ip;
      hits.set(ip, (hits.get(ip) ?? 0) + 1);
    }
    for (const e of list) assert.ok((hits.get(e.ip) ?? 0) > 600, `${e.ip}: ${hits.get(e.ip)}`);
  });
});
