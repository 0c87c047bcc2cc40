/**
 * Helpers for the e2e tests that read what kubectl prints: tables split into
 * cells (AGE dropped, it changes), addresses checked against the service
 * range, and kubectl runs that are expected to fail.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Cluster, Result } from './harness.js';
import { eventually, repoRoot } from './harness.js';

/** The course notes' manifests (examples/NAME). */
export const example = (name: string): string => join(repoRoot, 'examples', name);

/**
 * A kubectl table as rows of cells (header first). Cells are separated by
 * the two or more spaces kubectl's tabwriter puts between columns.
 */
export function table(out: string): string[][] {
  return out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.trimEnd().split(/ {2,}/));
}

/** A table without its AGE column (which depends on when the test ran). */
export function tableNoAge(out: string): string[][] {
  const t = table(out);
  const age = t[0]?.indexOf('AGE') ?? -1;
  if (age < 0) return t;
  return t.map((row) => row.filter((_, i) => i !== age));
}

/** The rows of `get` output keyed by their first cell (the NAME). */
export function rowsByName(out: string): Map<string, string[]> {
  const t = tableNoAge(out);
  return new Map(t.slice(1).map((r) => [r[0]!, r]));
}

/** Whether an IPv4 address is in svcnet's default service range, 127.96.0.0/12. */
export function inServiceRange(ip: string): boolean {
  const m = /^127\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  if (!m) return false;
  const second = Number(m[1]);
  return second >= 96 && second <= 111;
}

export function assertInServiceRange(ip: string | undefined): string {
  assert.ok(ip && inServiceRange(ip), `expected an IP in 127.96.0.0/12, got ${ip}`);
  return ip;
}

/** Runs kubectl, expects it to fail, and returns what it printed on stderr. */
export function fails(
  c: Cluster,
  args: string[],
  opts: { input?: string; env?: Record<string, string> } = {},
) {
  const r: Result = c.kubectl(args, opts);
  assert.notEqual(r.code, 0, `kubectl ${args.join(' ')} should fail, printed:\n${r.stdout}${r.stderr}`);
  return r.stderr;
}

/** Runs kubectl and returns stdout and stderr; fails unless it exits 0. */
export function run(c: Cluster, args: string[], opts: { input?: string; env?: Record<string, string> } = {}) {
  const r = c.kubectl(args, opts);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} exited ${r.code}:\n${r.stdout}${r.stderr}`);
  return r;
}

// biome-ignore lint/suspicious/noExplicitAny: tests inspect what kubectl printed
export type Obj = any;

/** `kubectl get ... -o yaml`, parsed. */
export function getYaml(c: Cluster, args: string[]): Obj {
  return parseYaml(c.ok(['get', ...args, '-o', 'yaml']));
}

/** `kubectl get ... -o json`, parsed. */
export function getJson(c: Cluster, args: string[]): Obj {
  return JSON.parse(c.ok(['get', ...args, '-o', 'json']));
}

/** A service's spec, as `-o yaml` shows it. */
export function spec(c: Cluster, name: string, ns = 'default'): Obj {
  return getYaml(c, ['svc', name, '-n', ns]).spec;
}

/** Node ports of a service, in port order. */
export function nodePorts(c: Cluster, name: string): number[] {
  return (spec(c, name).ports ?? []).map((p: { nodePort?: number }) => p.nodePort ?? 0);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * What `kubectl describe` prints for these lines: kubectl's tabwriter pads
 * every `Key:` to the longest one plus two spaces. A value with two columns
 * (`Port:  NAME  80/TCP`) is written with its two spaces.
 */
export function describeText(lines: [string, string][]): string {
  const width = Math.max(...lines.map(([k]) => k.length)) + 2;
  return lines.map(([k, v]) => `${k.padEnd(width)}${v}\n`).join('');
}

/**
 * Waits until the EndpointSlice controller has written a slice for a Service
 * (a placeholder when no pod matches): from then on `describe svc` shows an
 * empty `Endpoints:` line rather than `<none>`, as against a real cluster.
 */
export async function sliceWritten(c: Cluster, svc: string, ns = 'default'): Promise<void> {
  await eventually(
    () =>
      c
        .ok(['get', 'endpointslices', '-n', ns, '-l', `kubernetes.io/service-name=${svc}`, '-o', 'name'])
        .trim(),
    15_000,
    `an EndpointSlice for service ${ns}/${svc}`,
  );
}
