/**
 * Hostile bodies: random bytes and mutants of real ones (bit flips,
 * truncations, inflated lengths, spliced garbage), plus a few crafted
 * worst cases. The decoder must return an object or throw a 400 StatusError,
 * never anything else, quickly, with output proportional to the input.
 * "Quickly" is measured in this process's CPU time, which other processes
 * loading the machine do not inflate (wall-clock time they do).
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import { decodeProtobuf, encodeProtobuf } from '../../../src/api/protobuf/index.js';
import type { KubeObject } from '../../../src/api/registry/strategy.js';
import { StatusError } from '../../../src/k8s/status.js';
import { envelope, FIXTURES, fixtureBytes, fixtureJSON, ld, tag, varint } from './helpers.js';

/** mulberry32: a small seeded PRNG, so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Outcome {
  ok: boolean;
  /** CPU time (user + system) the decode took, in ms. */
  cpuMs: number;
  outputChars: number;
}

/** CPU time this process has used, in ms. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Decodes, asserting the only failure is a 400 StatusError. */
function attempt(body: Uint8Array, label: string): Outcome {
  const start = cpuMs();
  try {
    const out = decodeProtobuf(body);
    return { ok: true, cpuMs: cpuMs() - start, outputChars: JSON.stringify(out.object).length };
  } catch (err) {
    if (!(err instanceof StatusError) || err.code !== 400) {
      assert.fail(`${label}: threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    }
    return { ok: false, cpuMs: cpuMs() - start, outputChars: 0 };
  }
}

const corpus: Uint8Array[] = [
  ...readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.pb'))
    .map((f) => fixtureBytes(f)),
  encodeProtobuf(fixtureJSON<KubeObject>('rich-pod.json')),
];

function mutate(src: Uint8Array, random: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(random() * n);
  const b = Uint8Array.from(src);
  switch (pick(6)) {
    case 0: // bit flips
      for (let i = 1 + pick(8); i > 0; i--) b[pick(b.length)]! ^= 1 << pick(8);
      return b;
    case 1: // truncation
      return b.subarray(0, pick(b.length));
    case 2: {
      // length inflation: a plausible length byte made huge
      const at = 4 + pick(b.length - 4);
      const big = varint(pick(2) ? 0xffffffff : b.length + 1 + pick(100));
      return Uint8Array.from([...b.subarray(0, at), ...big, ...b.subarray(at + 1)]);
    }
    case 3: {
      // spliced random bytes
      const at = pick(b.length);
      const junk = Array.from({ length: 1 + pick(16) }, () => pick(256));
      return Uint8Array.from([...b.subarray(0, at), ...junk, ...b.subarray(at)]);
    }
    case 4: {
      // duplicated chunk
      const from = pick(b.length);
      const to = from + pick(b.length - from);
      return Uint8Array.from([...b.subarray(0, to), ...b.subarray(from, to), ...b.subarray(to)]);
    }
    default: // random tail after the envelope header
      return Uint8Array.from([
        ...b.subarray(0, 4 + pick(20)),
        ...Array.from({ length: pick(200) }, () => pick(256)),
      ]);
  }
}

function check(outcomes: Outcome[], inputs: Uint8Array[]): void {
  outcomes.forEach((o, i) => {
    // These inputs are a few KiB and take well under 1 ms of CPU.
    assert.ok(o.cpuMs < 1000, `input ${i} took ${o.cpuMs.toFixed(0)} ms of CPU`);
    // Output is bounded by input: at most a small constant of JSON per byte.
    assert.ok(
      o.outputChars <= 64 * inputs[i]!.length + 256,
      `input ${i}: ${o.outputChars} chars from ${inputs[i]!.length} bytes`,
    );
  });
}

describe('fuzz', () => {
  test('mutants of real bodies', () => {
    const random = rng(20240101);
    const inputs: Uint8Array[] = [];
    for (let i = 0; i < 4000; i++) inputs.push(mutate(corpus[i % corpus.length]!, random));
    const outcomes = inputs.map((b, i) => attempt(b, `mutant ${i}`));
    check(outcomes, inputs);
    // Sanity: the mutations exercise both outcomes.
    assert.ok(outcomes.some((o) => o.ok) && outcomes.some((o) => !o.ok));
  });

  test('random bytes, with and without the magic, and random envelopes of every kind', () => {
    const random = rng(7);
    const kinds = [
      'v1/Service',
      'v1/Pod',
      'v1/Node',
      'v1/Event',
      'apps/v1/StatefulSet',
      'discovery.k8s.io/v1/EndpointSlice',
    ];
    const inputs: Uint8Array[] = [];
    for (let i = 0; i < 3000; i++) {
      const junk = Array.from({ length: Math.floor(random() * 300) }, () => Math.floor(random() * 256));
      if (i % 3 === 0) inputs.push(Uint8Array.from(junk));
      else if (i % 3 === 1) inputs.push(Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...junk]));
      else {
        const gvk = kinds[i % kinds.length]!;
        const at = gvk.lastIndexOf('/');
        inputs.push(envelope(gvk.slice(0, at), gvk.slice(at + 1), junk));
      }
    }
    check(
      inputs.map((b, i) => attempt(b, `random ${i}`)),
      inputs,
    );
  });

  test('crafted worst cases stay fast and bounded', () => {
    const MiB = 1 << 20;
    const cases: [string, Uint8Array][] = [];
    // A million nested groups in an unknown field: skipped iteratively, no stack overflow.
    const groups = new Uint8Array(MiB).fill(0x9b); // start group, field 99 (tag 0x9b 0x06)
    for (let i = 1; i < groups.length; i += 2) groups[i] = 0x06;
    cases.push(['nested groups', envelope('v1', 'Service', groups)]);
    // 128k empty containers: the densest legitimate output (work and output are linear).
    const containers = new Uint8Array(MiB / 4);
    for (let i = 0; i < containers.length; i += 2) containers[i] = 0x12;
    cases.push(['empty containers', envelope('v1', 'Pod', ld(2, containers))]);
    // Lengths past the end, at every nesting level.
    cases.push(['inflated length', envelope('v1', 'Pod', [...tag(2, 2), ...varint(2 ** 31), 1, 2, 3])]);
    // Varints that never end.
    cases.push([
      'endless varint',
      envelope('v1', 'Service', [...tag(90, 0), ...new Uint8Array(MiB).fill(0xff)]),
    ]);
    // A third of a million tiny unknown fields (field 90, varint 0).
    const unknown = new Uint8Array(MiB - (MiB % 3)).map((_, i) => [0xd0, 0x05, 0x00][i % 3]!);
    cases.push(['many unknown fields', envelope('v1', 'Service', unknown)]);

    for (const [label, body] of cases) {
      const before = process.memoryUsage().heapUsed;
      const o = attempt(body, label);
      const grown = process.memoryUsage().heapUsed - before;
      assert.ok(o.cpuMs < 10_000, `${label}: ${o.cpuMs.toFixed(0)} ms of CPU`);
      assert.ok(o.outputChars <= 16 * body.length, `${label}: ${o.outputChars} chars of output`);
      // ~80 bytes of heap per input byte at worst (empty containers): linear, so
      // bounded by the server's request size limit.
      assert.ok(grown < 200 * MiB, `${label}: heap grew ${(grown / MiB).toFixed(0)} MiB`);
    }
  });
});
