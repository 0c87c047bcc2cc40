/**
 * Build-time generator: reads kubernetes-types' .d.ts files with the
 * TypeScript compiler API and writes dist/schemas/definitions.json, the
 * OpenAPI v3 component schemas of every definition reachable from the kinds
 * svcnet serves, named and shaped as upstream publishes them (`allOf: [$ref]`
 * plus `default`, x-kubernetes extensions, enums with "Possible enum values").
 *
 * kubernetes-types carries structure, descriptions and required fields; what
 * it loses (int64 formats, list/map semantics, patch strategies, enums,
 * pointer-ness) comes from src/api/schema/facts.ts.
 *
 *   node dist/tools/gen-schemas.js [out.json]      (after tsc)
 *   node --import tsx tools/gen-schemas.ts [out.json]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import {
  enumDescriptionLines,
  enums,
  type FieldFacts,
  fieldFacts,
  GO_TYPE_KEY,
  INT_OR_STRING,
  kindsByDefinition,
  MICRO_TIME,
  QUANTITY,
  rootDefinitions,
  structFacts,
  TIME,
} from '../src/api/schema/facts.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

/** kubernetes-types module → upstream definition name prefix. */
const modules: Record<string, string> = {
  'core/v1': 'io.k8s.api.core.v1',
  'apps/v1': 'io.k8s.api.apps.v1',
  'batch/v1': 'io.k8s.api.batch.v1',
  'discovery/v1': 'io.k8s.api.discovery.v1',
  'networking/v1': 'io.k8s.api.networking.v1',
  'autoscaling/v1': 'io.k8s.api.autoscaling.v1',
  'coordination/v1': 'io.k8s.api.coordination.v1',
  'policy/v1': 'io.k8s.api.policy.v1',
  'meta/v1': 'io.k8s.apimachinery.pkg.apis.meta.v1',
  runtime: 'io.k8s.apimachinery.pkg.runtime',
  'api/resource': 'io.k8s.apimachinery.pkg.api.resource',
};

// Upstream's own wording for the one type kubernetes-types inlines as `number | string`.
const intOrStringDescription =
  'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.';

interface Decl {
  name: string;
  node: ts.InterfaceDeclaration | ts.TypeAliasDeclaration;
}

class Generator {
  private readonly checker: ts.TypeChecker;
  /** definition name → declaration */
  private readonly decls = new Map<string, Decl>();
  /** declaration node → definition name */
  private readonly names = new Map<ts.Node, string>();
  readonly out = new Map<string, JsonObject>();
  private readonly queue: string[] = [];

  constructor(typesDir: string) {
    const files = Object.keys(modules).map((m) => join(typesDir, `${m}.d.ts`));
    const program = ts.createProgram(files, { strict: true, noEmit: true, skipLibCheck: true });
    this.checker = program.getTypeChecker();
    for (const [mod, prefix] of Object.entries(modules)) {
      const sf = program.getSourceFile(join(typesDir, `${mod}.d.ts`));
      if (!sf) throw new Error(`kubernetes-types: ${mod}.d.ts not found`);
      for (const st of sf.statements) {
        if (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) {
          const name = `${prefix}.${st.name.text}`;
          this.decls.set(name, { name, node: st });
          this.names.set(st, name);
        }
      }
    }
  }

  run(roots: readonly string[]): Record<string, JsonObject> {
    for (const r of roots) this.want(r);
    while (this.queue.length) this.emit(this.queue.shift()!);
    const sorted: Record<string, JsonObject> = {};
    for (const k of [...this.out.keys()].sort()) sorted[k] = this.out.get(k)!;
    return sorted;
  }

  private want(name: string): void {
    if (this.out.has(name) || this.queue.includes(name)) return;
    if (name !== INT_OR_STRING && !this.decls.has(name)) throw new Error(`unknown definition ${name}`);
    this.queue.push(name);
  }

  private doc(node: ts.Node): string {
    const sym = (node as { name?: ts.Node }).name
      ? this.checker.getSymbolAtLocation((node as unknown as { name: ts.Node }).name)
      : undefined;
    if (!sym) return '';
    return ts.displayPartsToString(sym.getDocumentationComment(this.checker)).trim();
  }

  private emit(name: string): void {
    if (name === INT_OR_STRING) {
      this.out.set(name, { description: intOrStringDescription, format: 'int-or-string', type: 'string' });
      return;
    }
    const { node } = this.decls.get(name)!;
    const description = this.doc(node);
    if (ts.isTypeAliasDeclaration(node)) {
      const def: JsonObject = { description, type: 'string' };
      if (name === TIME || name === MICRO_TIME) def.format = 'date-time';
      else if (name !== QUANTITY) throw new Error(`unexpected type alias ${name}`);
      this.out.set(name, def);
      return;
    }
    const def: JsonObject = {};
    if (description) def.description = description;
    const props: JsonObject = {};
    const required: string[] = [];
    const facts = fieldFacts[name] ?? {};
    for (const m of node.members) {
      if (!ts.isPropertySignature(m) || !m.type) continue;
      const prop = (m.name as ts.Identifier | ts.StringLiteral).text;
      const isRequired = !m.questionToken;
      if (isRequired) required.push(prop);
      props[prop] = this.property(name, prop, m, isRequired, facts[prop] ?? {});
    }
    for (const f of Object.keys(facts)) {
      if (!(f in props)) throw new Error(`facts name ${name}.${f}, which kubernetes-types does not have`);
    }
    if (Object.keys(props).length) def.properties = props;
    if (required.length) def.required = required;
    def.type = 'object';
    const s = structFacts[name];
    if (s?.atomic) def['x-kubernetes-map-type'] = 'atomic';
    if (s?.unions) def['x-kubernetes-unions'] = s.unions as Json;
    const gvks = kindsByDefinition.get(name);
    if (gvks) def['x-kubernetes-group-version-kind'] = gvks.map((g) => ({ ...g }));
    this.out.set(name, def);
  }

  private property(
    owner: string,
    prop: string,
    m: ts.PropertySignature,
    isRequired: boolean,
    f: FieldFacts,
  ): JsonObject {
    let description = this.doc(m);
    const t = m.type!;
    const s = this.typeSchema(t, f, false, owner, prop);
    if (f.enum) {
      const lines = enumDescriptionLines(f.enum);
      description = description ? `${description}\n\n${lines}` : lines;
    }
    const out: JsonObject = { ...s };
    if (description) out.description = description;
    // Zero defaults: upstream publishes them for non-pointer, non-omitempty scalars.
    if (f.default !== undefined) out.default = f.default as Json;
    else if (isRequired && (s.type === 'string' || s.type === 'integer' || s.type === 'boolean')) {
      out.default = s.type === 'string' ? '' : s.type === 'integer' ? 0 : false;
    } else if (f.value || this.isImplicitValue(owner, prop, s)) out.default = {};
    if (f.listType) out['x-kubernetes-list-type'] = f.listType;
    if (f.listMapKeys) out['x-kubernetes-list-map-keys'] = f.listMapKeys;
    if (f.patchMergeKey) out['x-kubernetes-patch-merge-key'] = f.patchMergeKey;
    if (f.patchStrategy) out['x-kubernetes-patch-strategy'] = f.patchStrategy;
    if (f.mapType) out['x-kubernetes-map-type'] = f.mapType;
    return wrapRef(out);
  }

  /** metadata/spec/status of a kind are Go value structs: published with `default: {}`. */
  private isImplicitValue(owner: string, prop: string, s: JsonObject): boolean {
    const ref = s.$ref as string | undefined;
    if (!ref) return false;
    if (prop === 'metadata') return true;
    return (prop === 'spec' || prop === 'status') && kindsByDefinition.has(owner);
  }

  /** The schema of a type node, with `$ref` unwrapped (the caller wraps it into allOf). */
  private typeSchema(t: ts.TypeNode, f: FieldFacts, item: boolean, owner: string, prop: string): JsonObject {
    if (t.kind === ts.SyntaxKind.StringKeyword || ts.isLiteralTypeNode(t)) {
      const s: JsonObject = { type: 'string' };
      if (f.enum) {
        s.enum = (enums[f.enum] ?? []).map(([v]) => v).sort();
        s[GO_TYPE_KEY] = `v1.${f.enum}`;
      } else if (f.goType && !item) s[GO_TYPE_KEY] = f.goType;
      if (f.format) s.format = f.format;
      return s;
    }
    if (t.kind === ts.SyntaxKind.NumberKeyword) {
      return { format: f.format ?? 'int32', type: 'integer' };
    }
    if (t.kind === ts.SyntaxKind.BooleanKeyword) return { type: 'boolean' };
    if (ts.isUnionTypeNode(t)) {
      const kinds = t.types.map((x) => x.kind).sort();
      if (kinds.length === 2 && kinds.includes(ts.SyntaxKind.NumberKeyword)) {
        this.want(INT_OR_STRING);
        return { $ref: ref(INT_OR_STRING) };
      }
      throw new Error(`${owner}.${prop}: unsupported union type`);
    }
    if (ts.isArrayTypeNode(t)) return this.arraySchema(t.elementType, f, owner, prop);
    if (ts.isTypeReferenceNode(t)) {
      const id = t.typeName;
      if (ts.isIdentifier(id) && id.text === 'Array' && t.typeArguments?.length === 1) {
        return this.arraySchema(t.typeArguments[0]!, f, owner, prop);
      }
      const target = this.resolve(id);
      this.want(target);
      return { $ref: ref(target) };
    }
    if (ts.isTypeLiteralNode(t)) {
      const idx = t.members.find(ts.isIndexSignatureDeclaration);
      if (!idx?.type) throw new Error(`${owner}.${prop}: unsupported type literal`);
      // A `format` fact on a map describes its values (Secret.data: map[string][]byte).
      const v = this.typeSchema(idx.type, { ...f, enum: undefined }, true, owner, prop);
      return { additionalProperties: itemSchema(v), type: 'object' };
    }
    throw new Error(`${owner}.${prop}: unsupported type ${ts.SyntaxKind[t.kind]}`);
  }

  private arraySchema(elem: ts.TypeNode, f: FieldFacts, owner: string, prop: string): JsonObject {
    const items = this.typeSchema(
      elem,
      { enum: f.enum, format: f.format, goType: f.goType },
      true,
      owner,
      prop,
    );
    return { items: itemSchema(items), type: 'array' };
  }

  private resolve(id: ts.EntityName): string {
    let sym = this.checker.getSymbolAtLocation(id);
    if (sym && sym.flags & ts.SymbolFlags.Alias) sym = this.checker.getAliasedSymbol(sym);
    const decl = sym?.declarations?.[0];
    const name = decl && this.names.get(decl);
    if (!name) throw new Error(`cannot resolve type ${id.getText()}`);
    return name;
  }
}

const ref = (name: string) => `#/components/schemas/${name}`;

/** Upstream publishes zero defaults on list items and map values (Go value elements). */
function itemSchema(s: JsonObject): JsonObject {
  if (s.$ref) {
    const target = (s.$ref as string).slice(ref('').length);
    const isValueStruct = ![INT_OR_STRING, QUANTITY, TIME, MICRO_TIME].includes(target);
    return isValueStruct ? { allOf: [{ $ref: s.$ref }], default: {} } : s;
  }
  // []byte values (Secret.data) have no zero default upstream.
  if (s.type === 'string') return s.format === 'byte' ? s : { ...s, default: '' };
  if (s.type === 'integer') return { ...s, default: 0 };
  if (s.type === 'boolean') return { ...s, default: false };
  return s;
}

/** OpenAPI 3.0 ignores siblings of `$ref`, so a described or defaulted reference becomes `allOf`. */
function wrapRef(s: JsonObject): JsonObject {
  if (!s.$ref) return s;
  const { $ref, ...rest } = s;
  if (Object.keys(rest).length === 0) return s;
  return { allOf: [{ $ref }], ...rest };
}

/** Recursively sorts object keys, as Go's encoder does for maps. */
export function sortKeys(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const o: JsonObject = {};
    for (const k of Object.keys(v).sort()) o[k] = sortKeys(v[k]!);
    return o;
  }
  return v;
}

export function generate(): Record<string, JsonObject> {
  const require = createRequire(import.meta.url);
  const typesDir = dirname(require.resolve('kubernetes-types/package.json'));
  const defs = new Generator(typesDir).run(rootDefinitions);
  return sortKeys(defs) as Record<string, JsonObject>;
}

function repoRoot(): string {
  // tools/ under tsx, dist/tools/ when compiled.
  const here = dirname(fileURLToPath(import.meta.url));
  return here.endsWith(join('dist', 'tools')) ? resolve(here, '..', '..') : resolve(here, '..');
}

// Run as a script (compiled .js or under tsx), not when imported by tests.
const self = fileURLToPath(import.meta.url).replace(/\.ts$/, '.js');
if (process.argv[1] && resolve(process.argv[1]).replace(/\.ts$/, '.js') === self) {
  const out = process.argv[2] ?? join(repoRoot(), 'dist', 'schemas', 'definitions.json');
  const defs = generate();
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(defs, null, 1)}\n`);
  console.log(`wrote ${Object.keys(defs).length} definitions to ${out}`);
}
