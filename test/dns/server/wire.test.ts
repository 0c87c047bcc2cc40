import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import packet from 'dns-packet';
import { FrameDecoder, frame } from '../../../src/dns/server/framing.js';
import {
  encodeReply,
  FormatError,
  type Header,
  headerReply,
  parseQuery,
  type ReplyParts,
  readHeader,
  udpLimit,
  verdict,
} from '../../../src/dns/server/wire.js';
import type { DnsRecord } from '../../../src/dns/types.js';
import { decode, ednsOpt, query } from './helpers.js';

const header = (h: Partial<Header>): Header => ({
  id: 1,
  bits: 0,
  opcode: 0,
  qdcount: 1,
  ancount: 0,
  nscount: 0,
  arcount: 0,
  ...h,
});

describe('verdict (miekg DefaultMsgAcceptFunc)', () => {
  const cases: [string, Partial<Header>, string][] = [
    ['a plain query', {}, 'accept'],
    ['a query with OPT and TSIG', { arcount: 2 }, 'accept'],
    ['NOTIFY', { opcode: 4 }, 'accept'],
    ['a response', { bits: 0x8000 }, 'ignore'],
    ['UPDATE', { opcode: 5 }, 'notimp'],
    ['IQUERY', { opcode: 1 }, 'notimp'],
    ['no question', { qdcount: 0 }, 'formerr'],
    ['two questions', { qdcount: 2 }, 'formerr'],
    ['two answers', { ancount: 2 }, 'formerr'],
    ['two authority records', { nscount: 2 }, 'formerr'],
    ['three additional records', { arcount: 3 }, 'formerr'],
  ];
  for (const [what, h, want] of cases) {
    it(`${what} → ${want}`, () => assert.equal(verdict(header(h)), want));
  }
});

describe('readHeader / headerReply', () => {
  it('drops messages shorter than a header', () => {
    assert.equal(readHeader(Buffer.alloc(11)), undefined);
  });

  it('replies with the header only, id and RD kept', () => {
    const h = readHeader(packet.encode(query('x.example')))!;
    const r = decode(headerReply(h, 1));
    assert.equal(r.id, h.id);
    assert.equal(r.rcode, 'FORMERR');
    assert.equal(r.flag_qr, true);
    assert.equal(r.flag_rd, true);
    assert.equal(r.questions?.length, 0);
  });
});

describe('parseQuery', () => {
  it('keeps the raw question and reads EDNS', () => {
    const msg = packet.encode(query('MiXeD.Example', 'SRV', { additionals: [ednsOpt(4096)] }));
    const q = parseQuery(msg, readHeader(msg)!);
    assert.equal(q.question.name, 'MiXeD.Example');
    assert.equal(q.question.type, 'SRV');
    assert.equal(q.qtype, 33);
    assert.equal(q.qclass, 1);
    assert.equal(q.rawQuestion.length, 'MiXeD.Example'.length + 2 + 4);
    assert.deepEqual(q.edns, { udpSize: 4096, version: 0, do: false });
    assert.equal(q.rd, true);
  });

  it('throws on a truncated body and on two OPT records', () => {
    const msg = packet.encode(query('x.example'));
    assert.throws(() => parseQuery(msg.subarray(0, 16), readHeader(msg)!), FormatError);
    const two = packet.encode(query('x.example', 'A', { additionals: [ednsOpt(1232), ednsOpt(1232)] }));
    assert.throws(() => parseQuery(two, readHeader(two)!), /more than one OPT/);
    assert.throws(() => parseQuery(two, readHeader(two)!), FormatError);
  });

  it('reports every malformed message as a FormatError with a stable code, the codec failure as its cause', () => {
    const msg = packet.encode(query('x.example'));
    const bad = [
      msg.subarray(0, 13), // a name cut short
      Buffer.concat([msg.subarray(0, 12), Buffer.from([0x80, 0x00])]), // a reserved label type
      Buffer.concat([msg.subarray(0, 12), Buffer.from([0xc0, 0xff])]), // a pointer past the end
    ];
    for (const m of bad) {
      try {
        parseQuery(m, readHeader(m)!);
        assert.fail(`parsed ${m.toString('hex')}`);
      } catch (err) {
        assert.ok(err instanceof FormatError, `${m.toString('hex')}: ${String(err)}`);
        assert.equal(err.code, 'DNS_FORMAT');
      }
    }
    try {
      parseQuery(msg.subarray(0, 13), readHeader(msg)!);
    } catch (err) {
      assert.ok((err as FormatError).cause instanceof Error, 'the codec error is kept as the cause');
    }
  });

  it('limits UDP replies to the client buffer, never below 512', () => {
    assert.equal(udpLimit(undefined), 512);
    assert.equal(udpLimit({ udpSize: 100, version: 0, do: false }), 512);
    assert.equal(udpLimit({ udpSize: 4096, version: 0, do: false }), 4096);
  });
});

describe('encodeReply', () => {
  const q = packet.encode(query('svc.ns.svc.cluster.local'));
  const raw = parseQuery(q, readHeader(q)!).rawQuestion;
  const a = (i: number): DnsRecord => ({
    name: 'svc.ns.svc.cluster.local',
    type: 'A',
    ttl: 5,
    data: `10.0.0.${i}`,
  });
  const base: ReplyParts = {
    id: 7,
    opcode: 0,
    rcode: 0,
    aa: true,
    ra: false,
    rd: true,
    cd: false,
    rawQuestion: raw,
    answers: [],
    authority: [],
    additional: [],
    limit: 512,
  };

  it('round-trips every record kind the index produces through dns-packet', () => {
    const records: DnsRecord[] = [
      a(1),
      { name: 'svc.ns.svc.cluster.local', type: 'AAAA', ttl: 5, data: 'fd00::1' },
      {
        name: '_http._tcp.svc.ns.svc.cluster.local',
        type: 'SRV',
        ttl: 5,
        data: { priority: 0, weight: 100, port: 80, target: 'svc.ns.svc.cluster.local' },
      },
      { name: '1.0.0.10.in-addr.arpa', type: 'PTR', ttl: 5, data: 'svc.ns.svc.cluster.local' },
      { name: 'ext.ns.svc.cluster.local', type: 'CNAME', ttl: 5, data: 'example.org' },
      { name: 'dns-version.cluster.local', type: 'TXT', ttl: 5, data: '1.1.0' },
      { name: 'cluster.local', type: 'NS', ttl: 5, data: 'ns.dns.cluster.local' },
      { name: 'cluster.local', type: 'MX', ttl: 5, data: { preference: 10, exchange: 'mail.cluster.local' } },
      {
        name: 'cluster.local',
        type: 'SOA',
        ttl: 5,
        data: {
          mname: 'ns.dns.cluster.local',
          rname: 'hostmaster.cluster.local',
          serial: 9,
          refresh: 7200,
          retry: 1800,
          expire: 86400,
          minimum: 5,
        },
      },
      {
        name: 'x.cluster.local',
        type: 'UNKNOWN_65',
        ttl: 5,
        data: Buffer.from([0, 1, 0]),
      } as unknown as DnsRecord,
    ];
    const { buf, truncated } = encodeReply({ ...base, answers: records, limit: 65535 });
    assert.equal(truncated, false);
    const d = packet.decode(buf);
    assert.equal(d.answers?.length, records.length);
    const strip = (r: DnsRecord) => {
      const { class: _c, flush: _f, ...rest } = r as DnsRecord & { flush?: boolean; class?: string };
      return rest;
    };
    const decoded = d.answers!.map((r) => strip(r as DnsRecord));
    assert.deepEqual(decoded[0], a(1));
    assert.deepEqual(decoded[2], records[2]);
    assert.deepEqual(decoded[3], records[3]);
    assert.deepEqual((decoded[5] as { data: Buffer[] }).data.map(String), ['1.1.0']);
    assert.deepEqual(decoded[8], records[8]);
    assert.deepEqual((decoded[9] as { data: Buffer }).data, Buffer.from([0, 1, 0]));
    assert.equal(d.id, 7);
    assert.equal(d.flag_aa, true);
    assert.equal(d.flag_rd, true);
  });

  it('compresses owner names against the question', () => {
    const one = encodeReply({ ...base, answers: [a(1)] }).buf;
    // header 12 + question 30 + answer (2-byte pointer + 10 + 4)
    assert.equal(one.length, 12 + 30 + 16);
  });

  it('fills the buffer with answers and sets TC when one is dropped', () => {
    const answers = Array.from({ length: 40 }, (_, i) => a(i + 1));
    const r = encodeReply({ ...base, answers });
    assert.equal(r.truncated, true);
    assert.ok(r.buf.length <= 512);
    assert.equal(r.answers, Math.floor((512 - 42) / 16));
    const d = packet.decode(r.buf);
    assert.equal(d.flag_tc, true);
    assert.equal(d.answers?.length, r.answers);
  });

  it('drops additional records before answers without setting TC', () => {
    const glue = Array.from({ length: 40 }, (_, i) => ({
      ...a(i + 1),
      name: `host-${i}.svc.ns.svc.cluster.local`,
    }));
    const r = encodeReply({ ...base, answers: [a(1)], additional: glue });
    assert.equal(r.truncated, false);
    const d = packet.decode(r.buf);
    assert.equal(d.answers?.length, 1);
    assert.ok((d.additionals?.length ?? 0) < 40);
  });

  it('reserves room for the OPT record and echoes the buffer size and DO bit', () => {
    const answers = Array.from({ length: 40 }, (_, i) => a(i + 1));
    const r = encodeReply({ ...base, answers, edns: { udpSize: 600, do: true }, limit: 600 });
    assert.ok(r.buf.length <= 600);
    const d = packet.decode(r.buf);
    const opt = d.additionals?.find((x) => x.type === 'OPT') as { udpPayloadSize: number; flag_do: boolean };
    assert.equal(opt.udpPayloadSize, 600);
    assert.equal(opt.flag_do, true);
    assert.equal(d.flag_tc, true);
  });

  it('throws on names that cannot be encoded', () => {
    assert.throws(
      () => encodeReply({ ...base, answers: [{ ...a(1), name: `${'x'.repeat(64)}.example` }] }),
      /bad label/,
    );
  });
});

describe('FrameDecoder', () => {
  it('reassembles messages split and joined arbitrarily', () => {
    const msgs = [Buffer.from('one'), Buffer.from('second message'), Buffer.alloc(300, 7)];
    const stream = Buffer.concat(msgs.map(frame));
    for (const step of [1, 2, 5, 64, stream.length]) {
      const d = new FrameDecoder();
      const out: Buffer[] = [];
      for (let i = 0; i < stream.length; i += step) out.push(...d.push(stream.subarray(i, i + step)));
      assert.deepEqual(out, msgs, `chunks of ${step}`);
      assert.equal(d.buffered, 0);
    }
  });
});
