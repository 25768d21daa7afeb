/**
 * A plain-JavaScript copy of a tree-sitter subtree, built in one cursor walk.
 *
 * Every access to a node of the native binding (`childForFieldName`, `namedChildren`, `text`)
 * crosses into C++ and allocates a fresh wrapper; the dataflow analysis revisits the same nodes on
 * every fixpoint iteration, so it works on this copy instead. `LiteNode` implements the subset of
 * the `SyntaxNode` API that the CFG builder, the analysis and the rules use (`AstNode`), so code
 * written against `AstNode` accepts either.
 */
import type { SyntaxNode } from './parser.js';

export interface Point {
  row: number;
  column: number;
}

export interface AstNode {
  readonly type: string;
  readonly text: string;
  readonly isNamed: boolean;
  readonly isMissing: boolean;
  readonly hasError: boolean;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly startPosition: Point;
  readonly endPosition: Point;
  readonly id: number;
  readonly namedChildren: AstNode[];
  readonly namedChildCount: number;
  readonly lastChild: AstNode | null;
  namedChild(index: number): AstNode | null;
  childForFieldName(name: string): AstNode | null;
}

export class LiteNode implements AstNode {
  readonly children: LiteNode[] = [];
  readonly fields: (string | null)[] = [];
  hasError = false;
  private named?: LiteNode[];

  constructor(
    private readonly src: LiteSource,
    readonly id: number,
    readonly type: string,
    readonly isNamed: boolean,
    readonly isMissing: boolean,
    readonly startIndex: number,
    readonly endIndex: number,
  ) {}

  get startPosition(): Point {
    return this.src.position(this.startIndex);
  }
  get endPosition(): Point {
    return this.src.position(this.endIndex);
  }

  get text(): string {
    return this.src.text.slice(this.startIndex, this.endIndex);
  }
  get namedChildren(): LiteNode[] {
    return (this.named ??= this.children.filter((c) => c.isNamed));
  }
  get namedChildCount(): number {
    return this.namedChildren.length;
  }
  get lastChild(): LiteNode | null {
    return this.children[this.children.length - 1] ?? null;
  }
  namedChild(index: number): LiteNode | null {
    return this.namedChildren[index] ?? null;
  }
  childForFieldName(name: string): LiteNode | null {
    const k = this.fields.indexOf(name);
    return k < 0 ? null : this.children[k]!;
  }
  toString(): string {
    return `(${this.type}${this.namedChildren.map((c) => ` ${c.toString()}`).join('')})`;
  }
}

/** The text a tree was parsed from, with a line table: rows and columns come from offsets. */
export class LiteSource {
  private lineStarts: number[] | undefined;
  constructor(readonly text: string) {}
  position(index: number): Point {
    const starts = (this.lineStarts ??= computeLineStarts(this.text));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return { row: lo, column: index - starts[lo]! };
  }
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

const sources = new WeakMap<object, LiteSource>();
/** Per grammar: node type names and named-ness by symbol id, field names by field id. */
const symbolCaches = new WeakMap<object, { types: string[]; named: boolean[]; fields: string[] }>();

/** Copy `node` and everything below it. `source` is the text the tree was parsed from. */
export function toLite(node: SyntaxNode, source: string): LiteNode {
  const key = node.tree as object;
  let src = sources.get(key);
  if (!src || src.text !== source) {
    src = new LiteSource(source);
    sources.set(key, src);
  }
  const cursor = node.walk();
  let nextId = 0;
  const lang = (node.tree as unknown as { language: object }).language;
  let cache = symbolCaches.get(lang);
  if (!cache) symbolCaches.set(lang, (cache = { types: [], named: [], fields: [] }));
  const { types, named, fields } = cache;
  const checkMissing = node.hasError; // MISSING nodes exist only in trees with errors
  const typeOf = (t: number): string => {
    let type = types[t];
    if (type === undefined) {
      type = types[t] = cursor.nodeType;
      named[t] = cursor.nodeIsNamed;
    }
    return type;
  };
  const fieldNameOf = (f: number): string | null => {
    if (!f) return null;
    let name = fields[f];
    if (name === undefined) name = fields[f] = cursor.currentFieldName || '';
    return name || null;
  };
  const rootType = typeOf(cursor.nodeTypeId);
  const root = new LiteNode(src, nextId++, rootType, named[cursor.nodeTypeId]!, checkMissing && cursor.nodeIsMissing, cursor.startIndex, cursor.endIndex);
  if (!cursor.gotoFirstChild()) {
    root.hasError = root.type === 'ERROR' || root.isMissing;
    return root;
  }
  const stack: LiteNode[] = [root];
  // Iterative walk (deeply nested code must not overflow the JS stack). Anonymous tokens are kept
  // only when they carry a field name (operators) or are a closing brace (a body's end position).
  for (;;) {
    const top = stack[stack.length - 1]!;
    const t = cursor.nodeTypeId;
    const type = typeOf(t);
    const f = cursor.currentFieldId;
    let kept: LiteNode | undefined;
    if (named[t] || f || type === '}') {
      kept = new LiteNode(src, nextId++, type, named[t]!, checkMissing && cursor.nodeIsMissing, cursor.startIndex, cursor.endIndex);
      top.children.push(kept);
      top.fields.push(fieldNameOf(f));
      if (kept.isMissing || type === 'ERROR') top.hasError = kept.hasError = true;
    } else if (checkMissing && cursor.nodeIsMissing) top.hasError = true;
    if (kept && cursor.gotoFirstChild()) {
      stack.push(kept);
      continue;
    }
    while (!cursor.gotoNextSibling()) {
      cursor.gotoParent();
      const done = stack.pop()!;
      if (done.type === 'ERROR' || done.isMissing) done.hasError = true;
      const parent = stack[stack.length - 1];
      if (!parent) return root;
      if (done.hasError) parent.hasError = true;
    }
  }
}

/**
 * Push a node's named children on a depth-first stack, last first (so the first child is visited first).
 * Reads `namedChildren` once: `namedChild(k)` on a native node walks its children from the start, which
 * is quadratic on a node with a million children (a firmware table's initializer).
 */
export function pushNamedChildren<T extends { readonly namedChildren: readonly unknown[] }>(stack: T[], node: T): void {
  const kids = node.namedChildren as readonly T[];
  for (let k = kids.length - 1; k >= 0; k--) stack.push(kids[k]!);
}
