/**
 * YAML request bodies, read as the apiserver reads them (sigs.k8s.io/yaml on
 * go-yaml v2): YAML 1.1 scalars (`yes` is a boolean, `0777` octal), the last
 * of duplicate keys wins, and strict decoding reports each duplicate as
 * go-yaml words it (`line 3: key "name" already set in map`).
 */
import { isMap, isScalar, LineCounter, parseDocument, visit } from 'yaml';
import { goQuote } from '../../k8s/gofmt.js';
import { SvcnetError } from '../../lib/errors.js';

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

/** Parses one YAML document; throws YAMLSyntaxError with a go-yaml-like message. */
export function parseYAML(text: string): ParsedYAML {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
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
  const value = isMap(doc.contents) || doc.contents ? doc.toJS({ maxAliasCount: 100 }) : null;
  return { value, duplicateLines };
}
