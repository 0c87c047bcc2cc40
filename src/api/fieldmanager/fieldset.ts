/**
 * A set of field paths (`fieldpath.Set`): a tree whose nodes may themselves
 * be members. Sets are immutable; operations return new sets. Serializes to
 * and from the FieldsV1 format stored in managedFields, with upstream's key
 * order (field names, then keys, values, indices; `.` marks a node that is
 * also a member and comes after its children).
 */
import { isObject, type JsonObject, type JsonValue } from '../patch/value.js';
import {
  comparePathElements,
  type Path,
  type PathElement,
  PathElementError,
  parsePathElement,
  serializePathElement,
} from './path.js';

interface Node {
  readonly pe: PathElement;
  member: boolean;
  readonly children: FieldSet;
}

export class FieldSet {
  /** Keyed by the FieldsV1 encoding of the element, which is canonical. */
  private readonly nodes: ReadonlyMap<string, Node>;

  private constructor(nodes: ReadonlyMap<string, Node>) {
    this.nodes = nodes;
  }

  static empty(): FieldSet {
    return emptySet;
  }

  static of(...paths: Path[]): FieldSet {
    return paths.reduce((s, p) => s.insert(p), emptySet);
  }

  /** Adds a path (not its parents); the empty path (the whole object) is never a member. */
  insert(path: Path): FieldSet {
    if (!path.length) return this;
    const [pe, ...rest] = path as [PathElement, ...PathElement[]];
    const k = serializePathElement(pe);
    const cur = this.nodes.get(k) ?? { pe, member: false, children: emptySet };
    const next = rest.length ? { ...cur, children: cur.children.insert(rest) } : { ...cur, member: true };
    return new FieldSet(new Map(this.nodes).set(k, next));
  }

  has(path: Path): boolean {
    if (!path.length) return false;
    const node = this.nodes.get(serializePathElement(path[0]!));
    if (!node) return false;
    return path.length === 1 ? node.member : node.children.has(path.slice(1));
  }

  /** The subset below `pe`, without `pe` itself. */
  withPrefix(pe: PathElement): FieldSet {
    return this.nodes.get(serializePathElement(pe))?.children ?? emptySet;
  }

  /** The child node for `pe`: whether it is a member and its subset. */
  child(pe: PathElement): { member: boolean; children: FieldSet } | undefined {
    return this.nodes.get(serializePathElement(pe));
  }

  isEmpty(): boolean {
    for (const n of this.nodes.values()) if (n.member || !n.children.isEmpty()) return false;
    return true;
  }

  union(other: FieldSet): FieldSet {
    if (other.nodes.size === 0) return this;
    if (this.nodes.size === 0) return other;
    const out = new Map(this.nodes);
    for (const [k, b] of other.nodes) {
      const a = out.get(k);
      out.set(k, a ? { pe: a.pe, member: a.member || b.member, children: a.children.union(b.children) } : b);
    }
    return new FieldSet(out);
  }

  intersection(other: FieldSet): FieldSet {
    const out = new Map<string, Node>();
    for (const [k, a] of this.nodes) {
      const b = other.nodes.get(k);
      if (!b) continue;
      const n = { pe: a.pe, member: a.member && b.member, children: a.children.intersection(b.children) };
      if (n.member || !n.children.isEmpty()) out.set(k, n);
    }
    return new FieldSet(out);
  }

  /** Members of this set that are not members of `other` (parent − child = parent). */
  difference(other: FieldSet): FieldSet {
    const out = new Map<string, Node>();
    for (const [k, a] of this.nodes) {
      const b = other.nodes.get(k);
      if (!b) {
        out.set(k, a);
        continue;
      }
      const n = { pe: a.pe, member: a.member && !b.member, children: a.children.difference(b.children) };
      if (n.member || !n.children.isEmpty()) out.set(k, n);
    }
    return new FieldSet(out);
  }

  /** Like difference, but a member of `other` also removes everything below it. */
  recursiveDifference(other: FieldSet): FieldSet {
    const out = new Map<string, Node>();
    for (const [k, a] of this.nodes) {
      const b = other.nodes.get(k);
      if (!b) {
        out.set(k, a);
        continue;
      }
      if (b.member) continue;
      const n = { pe: a.pe, member: a.member, children: a.children.recursiveDifference(b.children) };
      if (n.member || !n.children.isEmpty()) out.set(k, n);
    }
    return new FieldSet(out);
  }

  equals(other: FieldSet): boolean {
    return this.toFieldsV1Text() === other.toFieldsV1Text();
  }

  private sorted(): Node[] {
    return [...this.nodes.values()]
      .filter((n) => n.member || !n.children.isEmpty())
      .sort((a, b) => comparePathElements(a.pe, b.pe));
  }

  /** Nodes in upstream order, for walkers. */
  entries(): { pe: PathElement; member: boolean; children: FieldSet }[] {
    return this.sorted();
  }

  /** Every member path: the members at this level first, then each child subtree (Set.Iterate). */
  paths(prefix: Path = []): PathElement[][] {
    const nodes = this.sorted();
    const out: PathElement[][] = nodes.filter((n) => n.member).map((n) => [...prefix, n.pe]);
    for (const n of nodes) if (!n.children.isEmpty()) out.push(...n.children.paths([...prefix, n.pe]));
    return out;
  }

  /** The FieldsV1 object (`fieldsV1` of a managedFields entry). */
  toFieldsV1(): JsonObject {
    const out: JsonObject = {};
    for (const n of this.sorted()) {
      const hasChildren = !n.children.isEmpty();
      const inner = hasChildren ? n.children.toFieldsV1() : {};
      if (hasChildren && n.member) inner['.'] = {};
      out[serializePathElement(n.pe)] = inner;
    }
    return out;
  }

  /** The FieldsV1 bytes, key order preserved. */
  toFieldsV1Text(): string {
    return JSON.stringify(this.toFieldsV1());
  }

  /**
   * Reads a FieldsV1 object. Unknown element types are dropped; malformed
   * keys or non-object values throw PathElementError.
   */
  static fromFieldsV1(v: JsonValue): FieldSet {
    if (!isObject(v)) throw new PathElementError('expected an object');
    return readNode(v).set;
  }
}

const make = (nodes: Map<string, Node>) => Reflect.construct(FieldSet, [nodes]) as FieldSet;
const emptySet: FieldSet = make(new Map());

/**
 * Builds a set by inserting paths in place; cheaper than repeated
 * FieldSet.insert when walking a whole object.
 */
export class FieldSetBuilder {
  private readonly root = new Map<string, Node>();

  insert(path: Path): void {
    let nodes = this.root;
    for (let i = 0; i < path.length; i++) {
      const pe = path[i]!;
      const k = serializePathElement(pe);
      let node = nodes.get(k);
      if (!node) {
        node = { pe, member: false, children: make(new Map()) };
        nodes.set(k, node);
      }
      if (i === path.length - 1) node.member = true;
      else nodes = childMap(node.children);
    }
  }

  build(): FieldSet {
    return make(this.root);
  }
}

/** The node map of a set under construction (only ever called on sets the builder made). */
function childMap(set: FieldSet): Map<string, Node> {
  return (set as unknown as { nodes: Map<string, Node> }).nodes;
}

/** readIterV1: the set of children, and whether the node itself is a member. */
function readNode(obj: JsonObject): { set: FieldSet; member: boolean } {
  const nodes = new Map<string, Node>();
  let member = false;
  let sawChild = false;
  for (const [k, v] of Object.entries(obj)) {
    if (k === '.') {
      member = true;
      continue;
    }
    const pe = parsePathElement(k);
    if (!pe) continue;
    if (!isObject(v)) throw new PathElementError(`expected an object for ${k}`);
    sawChild = true;
    const child = readNode(v);
    const key = serializePathElement(pe);
    const prev = nodes.get(key);
    const node = { pe, member: child.member, children: child.set };
    nodes.set(
      key,
      prev ? { pe, member: prev.member || node.member, children: prev.children.union(node.children) } : node,
    );
  }
  if (!sawChild) member = true;
  return { set: make(nodes), member };
}
