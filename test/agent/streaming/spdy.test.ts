import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDeflate, inflateSync, constants as zc } from 'node:zlib';
import {
  adler32Of,
  decodeFrame,
  encodeFrame,
  FLAG_FIN,
  type Frame,
  FrameDecoder,
  HeaderDeflater,
  HeaderInflater,
  packHeaders,
  parseHeaders,
  SPDY_DICTIONARY,
  SpdyProtocolError,
} from '../../../src/agent/streaming/spdy.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

test('the dictionary is SPDY/3 spec text: 1423 bytes, the adler32 zlib headers name', () => {
  assert.equal(SPDY_DICTIONARY.length, 1423);
  assert.equal(adler32Of(SPDY_DICTIONARY), 3821447106);
  assert.ok(SPDY_DICTIONARY.subarray(0, 11).equals(hex('00000007 6f7074696f6e73')));
  // adler32 against a known value ("Wikipedia" = 0x11E60398)
  assert.equal(adler32Of(Buffer.from('Wikipedia')), 0x11e60398);
});

test('hand-made control frames decode field by field', () => {
  // SYN_STREAM v3, flags FIN, length 10+3, stream 1, assoc 0, priority 3 (0x60), slot 0, block "abc".
  const syn = hex('8003 0001 01 00000d 00000001 00000000 6000 616263');
  assert.deepEqual(decodeFrame(syn), {
    type: 'syn_stream',
    streamId: 1,
    associatedId: 0,
    priority: 3,
    flags: FLAG_FIN,
    headerBlock: Buffer.from('abc'),
  });
  assert.deepEqual(decodeFrame(hex('8003 0003 00 000008 00000003 00000005')), {
    type: 'rst_stream',
    streamId: 3,
    status: 5,
  });
  assert.deepEqual(decodeFrame(hex('8003 0006 00 000004 00000002')), { type: 'ping', id: 2 });
  assert.deepEqual(decodeFrame(hex('8003 0007 00 000008 00000005 00000000')), {
    type: 'goaway',
    lastGoodStreamId: 5,
    status: 0,
  });
  assert.deepEqual(decodeFrame(hex('8003 0009 00 000008 00000001 00010000')), {
    type: 'window_update',
    streamId: 1,
    delta: 65536,
  });
  // SETTINGS: one entry, flags 1, id 7 (initial window), value 65536.
  assert.deepEqual(decodeFrame(hex('8003 0004 00 00000c 00000001 01000007 00010000')), {
    type: 'settings',
    flags: 0,
    entries: [{ flags: 1, id: 7, value: 65536 }],
  });
  // DATA: stream 5, FIN, "hi".
  assert.deepEqual(decodeFrame(hex('00000005 01 000002 6869')), {
    type: 'data',
    streamId: 5,
    flags: FLAG_FIN,
    data: Buffer.from('hi'),
  });
  // Unknown control types are carried, not refused (the spec says ignore them).
  assert.equal(decodeFrame(hex('8003 00ff 00 000000')).type, 'unknown');
});

test('malformed frames are protocol errors with a reason', () => {
  const cases: [string, RegExp][] = [
    ['8002 0006 00 000004 00000001', /unsupported SPDY version 2/],
    ['8003 0006 00 000003 000000', /PING frame has 3 bytes/],
    ['8003 0003 00 000008 00000000 00000001', /RST_STREAM frame with stream id 0/],
    ['00000000 00 000000', /DATA frame with stream id 0/],
    ['8003 0001 00 000004 00000001', /SYN_STREAM frame too short/],
    ['8003 0004 00 000004 00000002', /SETTINGS frame has 4 bytes, want 20/],
  ];
  for (const [h, re] of cases) assert.throws(() => decodeFrame(hex(h)), re, h);
});

test('every frame type round-trips through encode and decode', () => {
  const frames: Frame[] = [
    { type: 'data', streamId: 0x7fffffff, flags: 0, data: Buffer.from('payload') },
    { type: 'data', streamId: 1, flags: FLAG_FIN, data: Buffer.alloc(0) },
    {
      type: 'syn_stream',
      streamId: 3,
      associatedId: 1,
      priority: 7,
      flags: 2,
      headerBlock: Buffer.from([1, 2]),
    },
    { type: 'syn_reply', streamId: 3, flags: FLAG_FIN, headerBlock: Buffer.from([9]) },
    { type: 'headers', streamId: 3, flags: 0, headerBlock: Buffer.alloc(0) },
    { type: 'rst_stream', streamId: 3, status: 1 },
    {
      type: 'settings',
      flags: 1,
      entries: [
        { flags: 0, id: 4, value: 100 },
        { flags: 2, id: 7, value: 0xffffffff },
      ],
    },
    { type: 'ping', id: 0xfffffffe },
    { type: 'goaway', lastGoodStreamId: 9, status: 2 },
    { type: 'window_update', streamId: 0, delta: 1 },
    { type: 'unknown', frameType: 0x42, flags: 3, payload: Buffer.from('x') },
  ];
  for (const f of frames) assert.deepEqual(decodeFrame(encodeFrame(f)), f);
  // And as one byte stream, cut at every byte.
  const wire = Buffer.concat(frames.map(encodeFrame));
  const dec = new FrameDecoder();
  const got: Frame[] = [];
  for (let i = 0; i < wire.length; i++) got.push(...dec.push(wire.subarray(i, i + 1)));
  assert.deepEqual(got, frames);
  assert.equal(dec.pending, 0);
});

test('header blocks: pack/parse round trip, multiple values NUL-joined, lower-case names', () => {
  const h = { streamtype: ['data'], port: ['8080'], requestid: ['0'], multi: ['a', 'b'] };
  assert.deepEqual({ ...parseHeaders(packHeaders(h)) }, h);
  assert.ok(packHeaders({ Port: ['1'] }).includes(Buffer.from('port')));
  const bad: [Buffer, RegExp][] = [
    [hex('0000'), /truncated/],
    [hex('00000001 00000004 504f5254 00000001 31'), /invalid header name "PORT"/],
    [hex('00000001 00000000 00000000'), /invalid header name ""/],
    [packHeaders({ a: ['1'], b: ['2'] }).subarray(0, 20), /truncated/],
    [hex('ffffffff 00000001 61'), /claims 4294967295 headers/],
    [Buffer.concat([packHeaders({ a: ['1'] }), hex('00')]), /trailing bytes/],
    [hex('00000002 00000001 61 00000000 00000001 61 00000000'), /duplicate header a/],
  ];
  for (const [b, re] of bad) assert.throws(() => parseHeaders(b), re);
});

test('our header blocks are one zlib stream any inflater with the dictionary reads', () => {
  const d = new HeaderDeflater();
  const blocks = [
    d.compress({ streamtype: ['error'], port: ['80'] }),
    d.compress({}),
    d.compress({ x: ['y'.repeat(70000)] }),
  ];
  // Each block ends as a sync flush does, with an empty stored block: Go's inflater needs it.
  for (const b of blocks) assert.ok(b.subarray(-5).equals(hex('00 0000 ffff')));
  const stream = Buffer.concat(blocks);
  const out = inflateSync(stream, { dictionary: SPDY_DICTIONARY, finishFlush: zc.Z_SYNC_FLUSH });
  const first = packHeaders({ streamtype: ['error'], port: ['80'] });
  assert.ok(out.subarray(0, first.length).equals(first));
  assert.equal(out.length, first.length + 4 + packHeaders({ x: ['y'.repeat(70000)] }).length);
  // And our own inflater, block by block.
  const inf = new HeaderInflater();
  assert.deepEqual({ ...inf.inflate(blocks[0] as Buffer) }, { streamtype: ['error'], port: ['80'] });
  assert.deepEqual({ ...inf.inflate(blocks[1] as Buffer) }, {});
  assert.equal(inf.inflate(blocks[2] as Buffer).x?.[0]?.length, 70000);
});

/** Compresses blocks the way Go's framer does: one zlib writer with the dictionary, flushed per block. */
async function goStyleBlocks(headers: Record<string, string[]>[]): Promise<Buffer[]> {
  const z = createDeflate({ dictionary: SPDY_DICTIONARY, level: 9 });
  const out: Buffer[] = [];
  for (const h of headers) {
    z.write(packHeaders(h));
    await new Promise<void>((r) => z.flush(zc.Z_SYNC_FLUSH, () => r()));
    const chunks: Buffer[] = [];
    for (let c = z.read() as Buffer | null; c !== null; c = z.read() as Buffer | null) chunks.push(c);
    out.push(Buffer.concat(chunks));
  }
  z.close();
  return out;
}

test('the inflater follows a real compressor across blocks (back-references into earlier blocks)', async () => {
  const hs = Array.from({ length: 50 }, (_, i) => ({
    streamtype: [i % 2 ? 'data' : 'error'],
    port: ['8080'],
    requestid: [String(i >> 1)],
  }));
  const blocks = await goStyleBlocks(hs);
  // Later blocks are smaller than the raw headers: they really refer back.
  assert.ok((blocks[10] as Buffer).length < packHeaders(hs[10] as Record<string, string[]>).length);
  const inf = new HeaderInflater();
  for (const [i, b] of blocks.entries()) assert.deepEqual({ ...inf.inflate(b) }, hs[i]);
});

test('a bad compressed block is a protocol error', () => {
  assert.throws(() => new HeaderInflater().inflate(Buffer.from([1, 2, 3, 4, 5])), SpdyProtocolError);
});

/** A deterministic PRNG so a failing fuzz case can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('fuzz: random and mutated bytes never escape as anything but SpdyProtocolError', async () => {
  const rand = rng(11);
  const seeds = [
    ...(await goStyleBlocks([{ streamtype: ['data'], port: ['80'] }])).map((b) =>
      encodeFrame({
        type: 'syn_stream',
        streamId: 1,
        associatedId: 0,
        priority: 0,
        flags: 0,
        headerBlock: b,
      }),
    ),
    encodeFrame({ type: 'settings', flags: 0, entries: [{ flags: 0, id: 7, value: 1 }] }),
    encodeFrame({ type: 'data', streamId: 1, flags: 1, data: Buffer.from('abc') }),
  ];
  let frames = 0;
  let errors = 0;
  for (let i = 0; i < 20000; i++) {
    let input: Buffer;
    if (i % 2 === 0) {
      input = Buffer.from(Array.from({ length: Math.floor(rand() * 64) }, () => Math.floor(rand() * 256)));
      // Keep the length field small often, so whole frames come out of random bytes.
      if (input.length >= 8 && rand() < 0.7) input.writeUIntBE(input.length - 8, 5, 3);
      if (input.length >= 8 && rand() < 0.5) input.writeUInt16BE(0x8003, 0);
    } else {
      input = Buffer.from(seeds[i % seeds.length] as Buffer);
      for (let k = 0; k < 1 + rand() * 4; k++)
        input[Math.floor(rand() * input.length)] = Math.floor(rand() * 256);
    }
    const dec = new FrameDecoder();
    const inf = new HeaderInflater();
    try {
      for (const f of dec.push(input)) {
        frames++;
        if ('headerBlock' in f) inf.inflate(f.headerBlock);
      }
    } catch (err) {
      assert.ok(err instanceof SpdyProtocolError, `input ${input.toString('hex')}: ${String(err)}`);
      errors++;
    }
  }
  // Both outcomes happened: the fuzz reached past the header check.
  assert.ok(frames > 1000 && errors > 1000, `frames ${frames} errors ${errors}`);
});
