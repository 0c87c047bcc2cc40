/**
 * YAML request bodies, read as the apiserver reads them (sigs.k8s.io/yaml on
 * go-yaml v2): YAML 1.1 scalars (`yes` is a boolean, `0777` octal), the last
 * of duplicate keys wins, and strict decoding reports each duplicate as
 * go-yaml words it (`line 3: key "name" already set in map`).
 *
 * Hostile documents get go-yaml's errors, never a crash: nesting is bounded
 * (MAX_YAML_DEPTH) before the yaml library's recursive composer sees the
 * text, and the document is turned into a value here rather than by the
 * library's toJS (whose alias lookup is quadratic), counting as go-yaml
 * counts: an alias bomb is "document contains excessive aliasing", an anchor
 * inside itself "anchor 'x' value contains itself".
 */
import {
  type Document,
  type DocumentOptions,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  Lexer,
  LineCounter,
  type Node,
  type ParseOptions,
  parseDocument,
  type SchemaOptions,
  visit,
} from 'yaml';
import { goQuote } from '../../k8s/gofmt.js';
import { SvcnetError } from '../../lib/errors.js';
import { setOwn } from './json.js';

/**
 * How deep a YAML body may nest. go-yaml stops at 10,000; the yaml library's
 * composer recurses per level and overflows Node's stack at about 780 levels
 * of flow collections, so 500 here. Block nesting is counted from the
 * indentation before composing (up to two levels per column: a sequence may
 * sit at its parent key's column), so a document indented two spaces a level
 * may nest 125 levels, far beyond any Kubernetes object. Values reached
 * through aliases count at the depth they are expanded to.
 */
export const MAX_YAML_DEPTH = 500;

export interface ParsedYAML {
  value: unknown;
  /** go-yaml's "already set in map" lines, in document order. */
  duplicateLines: string[];
}

export class YAMLSyntaxError extends SvcnetError {
  constructor(message: string) {
    super('YAML_SYNTAX', message);
  }
}

const depthError = () => new YAMLSyntaxError(`yaml: exceeded max depth of ${MAX_YAML_DEPTH}`);

/** Lexer tokens that stand for no source text. */
const MARKERS = new Set(['\x02', '\x18', '\x1f']);

/**
 * Refuses text nested deeper than MAX_YAML_DEPTH, from the lexer's tokens
 * (iterative, linear): flow collections by their brackets, block ones by the
 * column of each token that could open one. An over-estimate, never under.
 */
function checkNesting(text: string): void {
  let col = 0;
  let flow = 0;
  let base = 0;
  for (const tok of new Lexer().lex(text)) {
    if (MARKERS.has(tok)) continue;
    switch (tok[0]) {
      case '[':
      case '{':
        if (flow === 0) base = 2 * (col + 1);
        if (base + ++flow > MAX_YAML_DEPTH) throw depthError();
        break;
      case ']':
      case '}':
        if (flow > 0) flow--;
        break;
      case ' ':
      case '\t':
      case '\n':
      case '\r':
      case '#':
      case ',':
      case undefined:
        break;
      default:
        if (flow === 0 && 2 * (col + 1) > MAX_YAML_DEPTH) throw depthError();
    }
    const nl = tok.lastIndexOf('\n');
    col = nl >= 0 ? tok.length - nl - 1 : col + tok.length;
  }
}

export type ComposeOptions = ParseOptions & DocumentOptions & SchemaOptions;

/** The yaml library's parseDocument, once the text's nesting is known to be safe for it. */
export function composeYAML(text: string, options: ComposeOptions): Document.Parsed {
  checkNesting(text);
  return parseDocument(text, options);
}

/** go-yaml's allowedAliasRatio: the share of decoding that alias expansion may do. */
function allowedAliasRatio(decodes: number): number {
  if (decodes <= 400_000) return 0.99;
  if (decodes >= 4_000_000) return 0.1;
  return 0.99 - (0.89 * (decodes - 400_000)) / 3_600_000;
}

/** What converting a node gave: its value, go-yaml's decode count for it, and its collection depth. */
interface Converted {
  value: unknown;
  decodes: number;
  height: number;
}

const MERGE_TAG = 'tag:yaml.org,2002:merge';

/** Go's %#v of a decoded YAML value, as go-yaml's "invalid map key" error shows it. */
function goSharp(v: unknown): string {
  if (v === null || v === undefined) return 'interface {}(nil)';
  if (typeof v === 'string') return goQuote(v);
  if (Array.isArray(v)) return `[]interface {}{${v.map(goSharp).join(', ')}}`;
  if (typeof v === 'object' && !(v instanceof Uint8Array)) {
    const pairs = Object.entries(v).map(([k, x]) => `${goQuote(k)}:${goSharp(x)}`);
    return `map[interface {}]interface {}{${pairs.join(', ')}}`;
  }
  return String(v);
}

/**
 * A composed document → plain JS (maps as objects, keys as strings), as the
 * library's toJS would make it, with go-yaml's alias accounting. Recursion
 * follows the text's nesting only (bounded by checkNesting): an alias reuses
 * its anchor's value, converted once, so the result may share subtrees.
 */
class Converter {
  private decodes = 0;
  private aliased = 0;
  private readonly anchors = new Map<string, Node>();
  private readonly done = new Map<Node, Converted>();
  /** Collections being converted: an alias to one of them is a cycle. */
  private readonly open = new Set<Node>();

  constructor(private readonly merge: boolean) {}

  document(doc: Document.Parsed): unknown {
    this.count(1, false);
    return doc.contents ? this.node(doc.contents, 0).value : null;
  }

  private count(n: number, alias: boolean): void {
    this.decodes += n;
    if (alias) this.aliased += n;
    if (
      this.aliased > 100 &&
      this.decodes > 1000 &&
      this.aliased / this.decodes > allowedAliasRatio(this.decodes)
    ) {
      throw new YAMLSyntaxError('yaml: document contains excessive aliasing');
    }
  }

  /** Converts `node` (null: an empty key or value), found `depth` collections deep. */
  private node(node: unknown, depth: number): Converted {
    if (isAlias(node)) return this.alias(node.source, depth);
    this.count(1, false);
    const anchor = (node as { anchor?: string } | null)?.anchor;
    if (anchor) this.anchors.set(anchor, node as Node);
    let out: Converted;
    if (isMap(node) || isSeq(node)) {
      if (depth + 1 > MAX_YAML_DEPTH) throw depthError();
      this.open.add(node);
      out = isMap(node) ? this.map(node.items, depth + 1) : this.seq(node.items, depth + 1);
      this.open.delete(node);
    } else {
      const v = isScalar(node) ? node.value : null;
      out = { value: typeof v === 'bigint' ? Number(v) : v, decodes: 1, height: 0 };
    }
    if (anchor) this.done.set(node as Node, out);
    return out;
  }

  private alias(name: string, depth: number): Converted {
    this.count(1, false);
    const target = this.anchors.get(name);
    if (!target) throw new YAMLSyntaxError(`yaml: unknown anchor '${name}' referenced`);
    if (this.open.has(target)) throw new YAMLSyntaxError(`yaml: anchor '${name}' value contains itself`);
    const t = this.done.get(target)!;
    // go-yaml decodes the anchored node again, every step of it counted as alias expansion.
    this.count(t.decodes, true);
    if (depth + t.height > MAX_YAML_DEPTH) throw depthError();
    return { value: t.value, decodes: 1 + t.decodes, height: t.height };
  }

  private seq(items: readonly unknown[], depth: number): Converted {
    const value: unknown[] = [];
    let decodes = 1;
    let height = 0;
    for (const item of items) {
      const c = this.node(item, depth);
      value.push(c.value);
      decodes += c.decodes;
      height = Math.max(height, c.height);
    }
    return { value, decodes, height: height + 1 };
  }

  private map(items: readonly unknown[], depth: number): Converted {
    const value: Record<string, unknown> = {};
    let decodes = 1;
    let height = 0;
    for (const pair of items) {
      if (!isPair(pair)) continue;
      if (this.merge && isMergeKey(pair.key)) {
        const m = this.mergeInto(value, pair.value, depth);
        decodes += m.decodes;
        height = Math.max(height, m.height);
        continue;
      }
      const k = this.node(pair.key, depth);
      if (k.height > 0) throw new YAMLSyntaxError(`yaml: invalid map key: ${goSharp(k.value)}`);
      const v = this.node(pair.value, depth);
      setOwn(value, k.value === null || k.value === undefined ? '' : String(k.value), v.value);
      decodes += k.decodes + v.decodes;
      height = Math.max(height, v.height);
    }
    return { value, decodes, height: height + 1 };
  }

  /** A merge key (`<<: *base`, `<<: [*a, *b]`): keys not already set come from each map, the first map winning. */
  private mergeInto(
    target: Record<string, unknown>,
    source: unknown,
    depth: number,
  ): Omit<Converted, 'value'> {
    const sources = isSeq(source) ? source.items : [source];
    let decodes = 0;
    let height = 0;
    for (const s of sources) {
      const resolved = isAlias(s) ? this.anchors.get(s.source) : s;
      if (isAlias(s) && !resolved) throw new YAMLSyntaxError(`yaml: unknown anchor '${s.source}' referenced`);
      if (!isMap(resolved)) {
        throw new YAMLSyntaxError('yaml: map merge requires map or sequence of maps as the value');
      }
      const c = this.node(s, depth - 1);
      for (const [k, v] of Object.entries(c.value as Record<string, unknown>)) {
        if (!Object.hasOwn(target, k)) setOwn(target, k, v);
      }
      decodes += c.decodes;
      height = Math.max(height, c.height - 1);
    }
    return { decodes, height };
  }
}

function isMergeKey(key: unknown): boolean {
  if (!isScalar(key)) return false;
  const v = key.value;
  return v === '<<' || (typeof v === 'symbol' && v.description === '<<');
}

/**
 * The value of a composed document (its first error, if any, thrown as a
 * YAMLSyntaxError by the caller first), with go-yaml's limits on aliases.
 */
export function yamlValue(doc: Document.Parsed): unknown {
  const merge = doc.schema.tags.some((t) => t.tag === MERGE_TAG && t.default);
  return new Converter(merge).document(doc);
}

/** Parses one YAML document; throws YAMLSyntaxError with a go-yaml-like message. */
export function parseYAML(text: string): ParsedYAML {
  const lineCounter = new LineCounter();
  const doc = composeYAML(text, {
    version: '1.1',
    uniqueKeys: false,
    merge: true,
    lineCounter,
    // go-yaml v2 leaves timestamps as strings when decoding into interface{}.
    customTags: (tags) =>
      tags.filter((t) => typeof t === 'string' || t.tag !== 'tag:yaml.org,2002:timestamp'),
  });
  const err = doc.errors[0];
  if (err) {
    const line = err.linePos?.[0].line;
    const what = err.message.split(' at line ')[0]!.split('\n')[0]!;
    throw new YAMLSyntaxError(line ? `yaml: line ${line}: ${what}` : `yaml: ${what}`);
  }
  const duplicateLines: string[] = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const k = pair.key.value;
        const id = `${typeof k}:${String(k)}`;
        if (seen.has(id)) {
          const line = lineCounter.linePos(pair.key.range?.[0] ?? 0).line;
          const shown = typeof k === 'string' ? goQuote(k) : String(k);
          duplicateLines.push(`line ${line}: key ${shown} already set in map`);
        }
        seen.add(id);
      }
    },
  });
  return { value: yamlValue(doc), duplicateLines };
}
