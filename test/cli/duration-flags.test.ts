/**
 * Every duration flag of every svcnet command takes what its upstream
 * namesake takes: Go's time.ParseDuration (pflag's DurationVar), in ms here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Command, Option } from '@commander-js/extra-typings';
import { program } from '../../src/cli/program.js';

/** [command, flag, default in ms] for every duration flag there is. */
const FLAGS: [string, string, number | undefined][] = [
  ['up', '--etcd-compaction-interval', 300_000],
  ['up', '--node-monitor-grace-period', 50_000],
  ['apiserver', '--etcd-compaction-interval', 300_000],
  ['apiserver', '--node-monitor-grace-period', 50_000],
  ['controller-manager', '--node-monitor-grace-period', 50_000],
  ['proxy', '--sync-period', undefined],
  ['proxy', '--min-sync-period', undefined],
  ['up', '--wait', undefined],
];

/** What time.ParseDuration accepts (→ ms) and rejects. */
const VALUES: [string, number | RegExp][] = [
  ['5m0s', 300_000],
  ['40s', 40_000],
  ['1h30m', 5_400_000],
  ['1h0m0s', 3_600_000],
  ['500ms', 500],
  ['1.5s', 1500],
  ['.5s', 500],
  ['250000us', 250],
  ['0', 0],
  ['0s', 0],
  ['+2s', 2000],
  ['5', /missing unit in duration "5"/],
  ['5x', /unknown unit "x" in duration "5x"/],
  ['', /invalid duration ""/],
  ['s', /invalid duration "s"/],
  ['1s2', /missing unit/],
];

type AnyCommand = Command<unknown[], Record<string, unknown>>;
const commands = program().commands as unknown as AnyCommand[];
const option = (cmd: string, flag: string): Option => {
  const c = commands.find((x) => x.name() === cmd);
  assert.ok(c, `no command ${cmd}`);
  const o = (c.options as readonly Option[]).find((x) => x.long === flag);
  assert.ok(o, `${cmd} has no ${flag}`);
  return o;
};

describe('duration flags', () => {
  it('the table lists every flag that takes a duration', () => {
    const found = commands.flatMap((c) =>
      (c.options as readonly Option[])
        .filter((o) => /[<[]duration[\]>]/.test(o.flags))
        .map((o) => `${c.name()} ${o.long}`),
    );
    const listed = FLAGS.map(([c, f]) => `${c} ${f}`);
    assert.deepEqual(found.filter((f) => !f.startsWith('__serve ')).sort(), [...listed].sort());
  });

  for (const [cmd, flag, def] of FLAGS) {
    describe(`${cmd} ${flag}`, () => {
      const o = option(cmd, flag);
      it('parses Go durations and rejects what Go rejects', () => {
        for (const [text, want] of VALUES) {
          const parse = () => (o.parseArg as (v: string, prev: unknown) => number)(text, undefined);
          if (typeof want === 'number') assert.equal(parse(), want, `${flag}=${text}`);
          else assert.throws(parse, want, `${flag}=${text}`);
        }
      });
      it('has its upstream default', () => assert.equal(o.defaultValue, def));
    });
  }
});
