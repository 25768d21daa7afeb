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
import { CompactTrees, symbolsOf } from './compact.js';
import type { StoredText } from './stored-text.js';

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

/** The children and field names of a leaf: shared, and frozen so that nothing adds to them. */
const NO_CHILDREN: LiteNode[] = Object.freeze([]) as unknown as LiteNode[];
const NO_FIELDS: (string | null)[] = Object.freeze([]) as unknown as (string | null)[];

export class LiteNode implements AstNode {
  children: LiteNode[] = NO_CHILDREN;
  /** The field name of each child (null: none); shorter than `children` (empty) when no child has one. */
  fields: (string | null)[] = NO_FIELDS;
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

  /**
   * The node's children, and the field name of each (building the tree: `materialize` in compact.ts);
   * `fields` undefined: none has a field name (`fields` is then shared and empty, read as all null).
   */
  setChildren(children: LiteNode[], fields: (string | null)[] | undefined): void {
    this.children = children;
    this.fields = fields ?? NO_FIELDS;
  }

  get startPosition(): Point {
    return this.src.position(this.startIndex);
  }
  get endPosition(): Point {
    return this.src.position(this.endIndex);
  }

  get text(): string {
    return this.src.slice(this.startIndex, this.endIndex);
  }
  /** (The children themselves when all are named: most nodes' children are. Neither array is ever modified.) */
  get namedChildren(): LiteNode[] {
    if (this.named === undefined) {
      const children = this.children;
      let named = 0;
      for (let k = 0; k < children.length; k++) if (children[k]!.isNamed) named++;
      if (named === children.length) this.named = children;
      else {
        const out: LiteNode[] = [];
        for (let k = 0; k < children.length; k++) if (children[k]!.isNamed) out.push(children[k]!);
        this.named = out;
      }
    }
    return this.named;
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

/**
 * A text with its line table (built on first use): rows and columns of offsets, for the trees parsed from
 * it and for every other reader of positions (the parser's incremental edits, pragma lines, IRQL facts).
 */
export class LiteSource {
  private starts: Uint32Array | undefined;
  private held: string | StoredText;
  constructor(text: string) {
    this.held = text;
  }
  /** The text's length. */
  get length(): number {
    const t = this.held;
    return t.length;
  }
  /** The text (built again from its stored copy when read, once `store` was called). */
  get text(): string {
    const t = this.held;
    return typeof t === 'string' ? t : t.whole();
  }
  /** `text.slice(start, end)`; from a stored text, a string of its own (see stored-text.ts). */
  slice(start: number, end: number): string {
    return this.held.slice(start, end);
  }
  /** Let the line table go (it is built again when a position is asked for): see `setAsideTrees`. */
  forgetLines(): void {
    this.starts = undefined;
  }
  /** Read the text from now on from `stored` (the same text, held outside the heap). */
  store(stored: StoredText): void {
    if (stored.length !== this.text.length) throw new Error('a stored text must be the text of the source');
    this.held = stored;
  }
  /** (A typed array: 4 bytes a line instead of 8, outside the JavaScript heap; a run holds one per file.) */
  private get lineStarts(): Uint32Array {
    if (!this.starts) {
      const t = this.text;
      let n = 1;
      for (let i = t.indexOf('\n'); i >= 0; i = t.indexOf('\n', i + 1)) n++;
      const starts = new Uint32Array(n);
      for (let i = t.indexOf('\n'), k = 1; i >= 0; i = t.indexOf('\n', i + 1)) starts[k++] = i + 1;
      this.starts = starts;
    }
    return this.starts;
  }
  /** 0-based row and column (UTF-16 code units, like tree-sitter's in this binding) of an offset. */
  position(index: number): Point {
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return { row: lo, column: index - starts[lo]! };
  }
  /** 1-based line of an offset. */
  lineOf(index: number): number {
    return this.position(index).row + 1;
  }
  /** Number of lines (a text without a newline has one). */
  get lineCount(): number {
    return this.lineStarts.length;
  }
  /** Offset where the 1-based line starts. */
  lineStart(line: number): number {
    return this.lineStarts[line - 1]!;
  }
  /** The 1-based line's text, without its line break (`\n` or `\r\n`). */
  lineText(line: number): string {
    const starts = this.lineStarts;
    return this.slice(starts[line - 1]!, line < starts.length ? starts[line]! - 1 : this.length).replace(/\r$/, '');
  }
}

/** Copy `node` and everything below it. `source` is the text the tree was parsed from. */
export function toLite(node: SyntaxNode, source: string): LiteNode {
  const trees = new CompactTrees(new LiteSource(source), symbolsOf(node.tree));
  return trees.materialize(trees.encode(node));
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
