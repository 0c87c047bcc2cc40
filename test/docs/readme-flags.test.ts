/**
 * The READMEs say what the program does. README.md has a flag table per
 * visible command (a heading naming `svcnet <command>`) that lists every
 * option `svcnet <command> --help` prints, with commander's default; each
 * component's README lists the flags of the command that runs it, and names
 * every file and folder beside it. A flag added to src/cli/program.ts without
 * its row fails here, and so does a row for a flag that no longer exists, a
 * default that changed, a metric renamed, or a file added without a line.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { CommandUnknownOpts, Option } from '@commander-js/extra-typings';
import { program } from '../../src/cli/program.js';
import { DnsMetrics } from '../../src/dns/metrics.js';
import { repoRoot } from '../e2e/harness.js';

/** Defaults that depend on the machine (the home directory, the hostname): the README says so in words. */
const MACHINE_DEFAULTS = new Set(['--data-dir', '--node-name']);

/** Component READMEs and the commands whose flags each lists (src/store runs under the API server). */
const COMPONENTS: Record<string, string[]> = {
  'src/agent': ['agent'],
  'src/api': ['apiserver'],
  'src/client': [],
  'src/controllers': ['controller-manager'],
  'src/dns': ['dns'],
  'src/k8s': [],
  'src/lib': [],
  'src/proxy': ['proxy'],
  'src/store': [],
};

const prog = program() as unknown as CommandUnknownOpts;
const help = prog.createHelp();
/** Every command `svcnet --help` lists (hidden ones such as `__serve`, and `help` itself, left out). */
const commands = help.visibleCommands(prog).filter((c) => c.name() !== 'help');
const options = (c: CommandUnknownOpts): Option[] =>
  help.visibleOptions(c).filter((o) => o.long !== '--help');

interface Section {
  heading: string;
  body: string;
}

/** Markdown split at its headings (none inside code fences). */
function sections(markdown: string): Section[] {
  const out: Section[] = [{ heading: '', body: '' }];
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (!fenced && /^#{1,6} /.test(line)) out.push({ heading: line, body: '' });
    else out[out.length - 1]!.body += `${line}\n`;
  }
  return out;
}

/** The sections whose heading names `svcnet <command>`, in backticks. */
const sectionsOf = (all: Section[], command: string): Section[] =>
  all.filter((s) => s.heading.includes(`\`svcnet ${command}\``));

/** `--port` as a flag of its own: not the start of `--port-range` nor the end of `--dns-port`. */
const flagPattern = (flag: string): RegExp =>
  new RegExp(`(?<![\\w-])${flag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`);

/** The cells of a Markdown table row (`\|` inside a cell does not split it). */
const cells = (row: string): string[] =>
  row
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());

const tableRows = (body: string): string[][] =>
  body
    .split('\n')
    .filter((l) => /^\s*\|/.test(l) && !/^\s*\|[\s:|-]+\|\s*$/.test(l))
    .map(cells);

/** What the default column must show for an option, or undefined when nothing is checked. */
function expectedDefault(o: Option): string | undefined {
  if (MACHINE_DEFAULTS.has(o.long ?? '')) return undefined;
  if (o.defaultValueDescription !== undefined) return o.defaultValueDescription;
  const v: unknown = o.defaultValue;
  if (v === undefined || typeof v === 'boolean') return undefined;
  if (Array.isArray(v)) return v.length ? v.join(',') : undefined;
  return String(v);
}

/**
 * Problems with one document's flag tables for `names`: every option of each
 * command in a section naming it (with its default in the row's second
 * column), and every flag in a row's first column an option of the commands
 * the section names.
 */
function flagProblems(markdown: string, names: string[], where: string): string[] {
  const all = sections(markdown);
  const problems: string[] = [];
  for (const name of names) {
    const cmd = commands.find((c) => c.name() === name);
    if (!cmd) {
      problems.push(`${where}: names svcnet ${name}, which is not a command`);
      continue;
    }
    const own = sectionsOf(all, name);
    if (own.length === 0) {
      problems.push(`${where}: no section whose heading names \`svcnet ${name}\``);
      continue;
    }
    const body = own.map((s) => s.body).join('\n');
    const rows = tableRows(body);
    for (const o of options(cmd)) {
      for (const flag of [o.short, o.long].filter((f): f is string => !!f)) {
        if (!flagPattern(flag).test(body)) problems.push(`${where}: svcnet ${name} ${flag} is not listed`);
      }
      const want = expectedDefault(o);
      if (want === undefined || !o.long) continue;
      const row = rows.find((r) => flagPattern(o.long!).test(r[0] ?? ''));
      if (!row) problems.push(`${where}: svcnet ${name} ${o.long} has no table row`);
      else if (!(row[1] ?? '').includes(`\`${want}\``))
        problems.push(`${where}: svcnet ${name} ${o.long}: default column should show \`${want}\``);
    }
  }
  // The other way round: a row's flag must exist in one of the commands its section names.
  for (const s of all) {
    const named = commands.filter((c) => s.heading.includes(`\`svcnet ${c.name()}\``));
    if (named.length === 0) continue;
    const known = new Set(named.flatMap((c) => options(c).flatMap((o) => [o.long, o.short])));
    for (const row of tableRows(s.body)) {
      for (const flag of (row[0] ?? '').match(/(?<![\w-])--?[a-z][\w-]*/g) ?? []) {
        if (!known.has(flag))
          problems.push(
            `${where}: ${s.heading.replace(/^#+ /, '')} lists ${flag}, which no such command has`,
          );
      }
    }
  }
  return problems;
}

const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');

describe('README flags', () => {
  const readme = read('README.md');

  it('README.md has a flag table for every visible command, hidden ones excluded', () => {
    assert.ok(commands.length >= 9, `only ${commands.length} commands found`);
    assert.ok(!commands.some((c) => c.name().startsWith('__')));
    assert.deepEqual(
      flagProblems(
        readme,
        commands.map((c) => c.name()),
        'README.md',
      ),
      [],
    );
  });

  it("README.md names the program's own options", () => {
    for (const o of options(prog))
      assert.ok(flagPattern(o.long!).test(readme), `README.md does not mention svcnet ${o.long}`);
  });

  it('each component README lists the flags of the command that runs it', () => {
    const problems = Object.entries(COMPONENTS).flatMap(([dir, names]) =>
      flagProblems(read(`${dir}/README.md`), names, `${dir}/README.md`),
    );
    assert.deepEqual(problems, []);
  });

  it('the check finds a missing flag, a wrong default and a flag that does not exist', () => {
    const dns = read('src/dns/README.md');
    const row = dns.split('\n').find((l) => /^\|\s*`--ttl`/.test(l));
    assert.ok(row, 'src/dns/README.md has a --ttl row');
    assert.deepEqual(flagProblems(dns.replace(`${row}\n`, ''), ['dns'], 'x'), [
      'x: svcnet dns --ttl is not listed',
      'x: svcnet dns --ttl has no table row',
    ]);
    assert.deepEqual(flagProblems(dns.replace(row, row.replace('`5`', '`7`')), ['dns'], 'x'), [
      'x: svcnet dns --ttl: default column should show `5`',
    ]);
    const renamed = flagProblems(dns.replace(row, row.replace('--ttl', '--ttl-max')), ['dns'], 'x');
    assert.deepEqual(renamed.slice(0, 2), [
      'x: svcnet dns --ttl is not listed',
      'x: svcnet dns --ttl has no table row',
    ]);
    assert.equal(renamed.length, 3);
    assert.match(renamed[2]!, /^x: .*`svcnet dns`.* lists --ttl-max, which no such command has$/);
  });
});

describe('component READMEs', () => {
  it('name every file and folder of their component', () => {
    const problems: string[] = [];
    for (const dir of Object.keys(COMPONENTS)) {
      const text = read(`${dir}/README.md`);
      for (const e of readdirSync(join(repoRoot, dir), { withFileTypes: true })) {
        if (e.name === 'README.md') continue;
        const named = e.isDirectory() ? text.includes(`\`${e.name}/`) : flagPattern(e.name).test(text);
        if (!named) problems.push(`${dir}/README.md does not name ${e.name}${e.isDirectory() ? '/' : ''}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('src/dns/README.md names every metric svcnet dns exposes, and no other coredns_ metric', () => {
    const text = read('src/dns/README.md');
    const exposed = new DnsMetrics().registry.getMetricsAsArray().map((m) => m.name);
    assert.ok(exposed.length > 10);
    assert.deepEqual(
      exposed.filter((n) => !flagPattern(n).test(text)),
      [],
      'metrics missing from src/dns/README.md',
    );
    const listed = new Set(text.match(/coredns_\w+/g) ?? []);
    assert.deepEqual(
      [...listed].filter((n) => !exposed.includes(n)),
      [],
      'src/dns/README.md names metrics svcnet dns does not expose',
    );
  });
});
