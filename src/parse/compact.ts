/**
 * Compact syntax trees: the function definitions of a file, copied out of tree-sitter's native tree
 * into a few typed arrays, so that the native tree can be released (`releaseTree`) and a function's
 * plain-JavaScript tree (`LiteNode`) rebuilt from them whenever an analysis asks, without crossing
 * into the native binding again.
 *
 * Why: a native tree costs about 28 bytes of memory per byte of source and is held for as long as
 * any function of the file may still be analysed (a helper's summary, a caller's IRQL context), which
 * on a 40 MB source tree is over a gigabyte; the copy keeps only what the analyses read (named nodes,
 * tokens with a field name, closing braces) at 12 bytes a node. And every read of a native node is a
 * call into C++: copying a function once and rebuilding it in JavaScript is cheaper than walking the
 * native tree each time the function is analysed (a helper is analysed for its summary and again
 * when it is linted).
 *
 * Layout, one entry per kept node in preorder: type (index into the grammar's type names), field
 * (the grammar's field id, 0 for none), flags (named, missing, has-error), start offset, length, and
 * size, the number of entries of the node's subtree: a node's first child is the next entry, and each
 * child's index plus its size is the next child (`after`, the index one past the subtree). 12 bytes a
 * node: the length and the size take 16 bits each; the few nodes whose length or size does not fit (a
 * function of more than 64 KiB or 64 Ki nodes) have `WIDE` there and their end or `after` in a map.
 */
import type { FunctionInfo, SourceFile, SyntaxNode, Tree } from './parser.js';
import { LiteNode, LiteSource } from './lite.js';
import { compress, inflateOwn, storedStats, Thawed, type StoredText } from './stored-text.js';

/** The frozen copies whose arrays are held, within a budget (see `CompactTrees.freeze`). */
const thawedTrees = new Thawed<CompactTrees>(8 * 1024 * 1024, (t) => t.letGo(), 4);

const NAMED = 1;
const MISSING = 2;
const ERROR = 4;
/** A length or size that does not fit 16 bits: the end or `after` is in the copy's map of wide entries. */
const WIDE = 0xffff;

/**
 * Per grammar, by symbol id: node type names, named-ness, and whether a node's end must be read rather
 * than taken from its last child (`preproc_*`: the rule ends with a hidden newline token the cursor
 * does not visit); field names by field id (as the cursor reports them; the copy stores the ids).
 */
export interface Symbols {
  types: string[];
  named: boolean[];
  readsEnd: boolean[];
  fields: string[];
  /**
   * By symbol id: a named node that has no named child and no child with a field (the grammar's
   * `node-types.json` lists neither: tokens such as `identifier`, and `break_statement`), so that `encode`
   * keeps nothing below it and need not walk into it. Filled with `types`; empty for a copy from another thread.
   */
  bare?: boolean[];
}
const symbolCaches = new WeakMap<object, Symbols>();

/** The symbol table of a tree's grammar (filled as nodes of each symbol are first copied). */
export function symbolsOf(tree: Tree): Symbols {
  const lang = (tree as unknown as { language: object }).language;
  let s = symbolCaches.get(lang);
  if (!s) symbolCaches.set(lang, (s = { types: [], named: [], readsEnd: [], fields: [], bare: [] }));
  return s;
}

/** Per grammar: the names of the named node types `Symbols.bare` describes (from the grammar's node-types.json). */
const bareTypeCaches = new WeakMap<object, ReadonlySet<string>>();
function bareTypesOf(tree: Tree): ReadonlySet<string> {
  const lang = (tree as unknown as { language: { nodeTypeInfo?: unknown } }).language;
  let set = bareTypeCaches.get(lang);
  if (!set) {
    const names = new Set<string>();
    // (the grammar packages ship it; without it every node is walked into, as before)
    const info = lang.nodeTypeInfo;
    if (Array.isArray(info))
      for (const t of info as { type: string; named: boolean; fields?: object; children?: object; subtypes?: object }[])
        if (t.named && !t.children && !t.subtypes && !(t.fields && Object.keys(t.fields).length)) names.add(t.type);
    bareTypeCaches.set(lang, (set = names));
  }
  return set;
}

/**
 * A file's compact trees as plain data, for another thread (`packTrees`, `adoptTrees`): the arrays, the
 * root of each function by its index in `file.functions`, and the symbol names the arrays refer to.
 */
export interface PackedTrees {
  symbols: { types: string[]; fields: string[] };
  types: Uint16Array;
  fields: Uint8Array;
  flags: Uint8Array;
  starts: Uint32Array;
  lengths: Uint16Array;
  sizes: Uint16Array;
  /** The ends and `after` indexes of the entries whose length or size is `WIDE`. */
  wideEnds: Map<number, number>;
  wideAfter: Map<number, number>;
  roots: number[];
}

export class CompactTrees {
  private types: Uint16Array = new Uint16Array(1024);
  private fields: Uint8Array = new Uint8Array(1024);
  private flags: Uint8Array = new Uint8Array(1024);
  private starts: Uint32Array = new Uint32Array(1024);
  private lengths: Uint16Array = new Uint16Array(1024);
  private sizes: Uint16Array = new Uint16Array(1024);
  private wideEnds = new Map<number, number>();
  private wideAfter = new Map<number, number>();
  private length = 0;

  constructor(
    readonly source: LiteSource,
    private readonly symbols: Symbols,
  ) {}

  /** The arrays (trimmed) with the names they use: what `fromPacked` rebuilds the copy from. */
  pack(roots: number[]): PackedTrees {
    this.thaw();
    this.trim();
    // only the names this copy uses: the grammar's table is shared by every file of the thread
    const types: string[] = [];
    for (const t of new Set(this.types)) types[t] = this.symbols.types[t]!;
    const fields: string[] = [];
    for (const f of new Set(this.fields)) if (f) fields[f] = this.symbols.fields[f]!;
    return {
      symbols: { types, fields },
      types: this.types,
      fields: this.fields,
      flags: this.flags,
      starts: this.starts,
      lengths: this.lengths,
      sizes: this.sizes,
      wideEnds: this.wideEnds,
      wideAfter: this.wideAfter,
      roots,
    };
  }

  /** The copy `pack` described, over `source` (the same parsed text). It can be materialized, not added to. */
  static fromPacked(source: LiteSource, p: PackedTrees): CompactTrees {
    const c = new CompactTrees(source, { types: p.symbols.types, named: [], readsEnd: [], fields: p.symbols.fields });
    c.types = p.types;
    c.fields = p.fields;
    c.flags = p.flags;
    c.starts = p.starts;
    c.lengths = p.lengths;
    c.sizes = p.sizes;
    c.wideEnds = p.wideEnds;
    c.wideAfter = p.wideAfter;
    c.length = p.types.length;
    return c;
  }

  /** The arrays compressed (`freeze`): the copy is complete and read-only from then on. */
  private packed: Buffer | undefined;
  /** Frozen, the arrays are not held (`thaw` inflates them again). */
  private cold = false;

  /**
   * Compress the arrays into one buffer (see stored-text.ts): the copy is complete (the file is released)
   * and is not added to again. The arrays are let go; a read inflates them again (`thaw`, by every method
   * that reads them), and the copies read last are kept, within a budget (`thawedTrees`).
   */
  freeze(): void {
    if (this.packed) return;
    this.trim();
    const parts = [this.starts, this.types, this.lengths, this.sizes, this.fields, this.flags];
    const whole = new Uint8Array(parts.reduce((n, a) => n + a.byteLength, 0));
    let at = 0;
    for (const a of parts) {
      whole.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
      at += a.byteLength;
    }
    this.packed = compress(whole);
    storedStats.trees++;
    storedStats.treeBytes += whole.length;
    storedStats.treePacked += this.packed.length;
    this.letGo();
  }

  /** The arrays are let go (frozen copies only: `freeze`, and `thawedTrees`'s eviction). */
  letGo(): void {
    if (!this.packed || this.cold) return;
    this.starts = new Uint32Array(0);
    this.types = this.lengths = this.sizes = new Uint16Array(0);
    this.fields = this.flags = new Uint8Array(0);
    this.cold = true;
    thawedTrees.forget(this);
  }

  /** A frozen copy's arrays, inflated again (when let go); marks the copy as read last. */
  private thaw(): void {
    if (!this.packed) return;
    if (this.cold) {
      const n = this.length;
      // (a buffer of its own, aligned for the 4-byte entries)
      const buf = inflateOwn(this.packed, 12 * n);
      this.starts = new Uint32Array(buf, 0, n);
      this.types = new Uint16Array(buf, 4 * n, n);
      this.lengths = new Uint16Array(buf, 6 * n, n);
      this.sizes = new Uint16Array(buf, 8 * n, n);
      this.fields = new Uint8Array(buf, 10 * n, n);
      this.flags = new Uint8Array(buf, 11 * n, n);
      this.cold = false;
      storedStats.treeInflated++;
    }
    thawedTrees.use(this, 12 * this.length);
  }

  /** Entries held (for the memory figures of tests and benchmarks). */
  get nodeCount(): number {
    return this.length;
  }

  /** Bytes held by the arrays (and the wide entries, at 16 bytes each); frozen, by their compressed copy. */
  get byteLength(): number {
    if (this.cold) return this.packed!.length + 16 * (this.wideEnds.size + this.wideAfter.size);
    const arrays = this.types.byteLength + this.fields.byteLength + this.flags.byteLength + this.starts.byteLength + this.lengths.byteLength + this.sizes.byteLength;
    return arrays + 16 * (this.wideEnds.size + this.wideAfter.size);
  }

  /** The end offset of entry `k`. */
  private endOf(k: number): number {
    const n = this.lengths[k]!;
    return n === WIDE ? this.wideEnds.get(k)! : this.starts[k]! + n;
  }

  private setEnd(k: number, end: number): void {
    const n = end - this.starts[k]!;
    if (n >= 0 && n < WIDE) this.lengths[k] = n;
    else {
      this.lengths[k] = WIDE;
      this.wideEnds.set(k, end);
    }
  }

  /** The index one past the subtree of entry `k`. */
  private afterOf(k: number): number {
    const n = this.sizes[k]!;
    return n === WIDE ? this.wideAfter.get(k)! : k + n;
  }

  private setAfter(k: number, after: number): void {
    const n = after - k;
    if (n < WIDE) this.sizes[k] = n;
    else {
      this.sizes[k] = WIDE;
      this.wideAfter.set(k, after);
    }
  }

  /**
   * Copy entry `root` of `from` (another file's copy, of the same grammar) and its subtree, every offset
   * moved by `delta`; returns the index to `materialize`. For a function whose text is that of a function of
   * the file's previous version (`carryCopies`). Null when the grammars differ.
   */
  copyShifted(from: CompactTrees, root: number, delta: number): number | null {
    from.thaw();
    if (from.symbols !== this.symbols) return null;
    const end = from.afterOf(root);
    const n = end - root;
    while (this.length + n > this.types.length) this.grow();
    const k0 = this.length;
    this.types.set(from.types.subarray(root, end), k0);
    this.fields.set(from.fields.subarray(root, end), k0);
    this.flags.set(from.flags.subarray(root, end), k0);
    this.lengths.set(from.lengths.subarray(root, end), k0);
    this.sizes.set(from.sizes.subarray(root, end), k0);
    for (let i = 0; i < n; i++) this.starts[k0 + i] = from.starts[root + i]! + delta;
    for (const [k, e] of from.wideEnds) if (k >= root && k < end) this.wideEnds.set(k - root + k0, e + delta);
    for (const [k, a] of from.wideAfter) if (k >= root && k < end) this.wideAfter.set(k - root + k0, a - root + k0);
    this.length += n;
    return k0;
  }

  /** Give back the arrays' unused capacity (after the last `encode`). */
  trim(): void {
    if (this.packed) return;
    const n = this.length;
    if (this.types.length === n) return; // already (packing a released file's copy trims it again)
    this.types = this.types.slice(0, n);
    this.fields = this.fields.slice(0, n);
    this.flags = this.flags.slice(0, n);
    this.starts = this.starts.slice(0, n);
    this.lengths = this.lengths.slice(0, n);
    this.sizes = this.sizes.slice(0, n);
  }

  private grow(): void {
    const cap = this.types.length * 2;
    const up = <T extends Uint8Array | Uint16Array | Uint32Array>(a: T, make: new (n: number) => T): T => {
      const b = new make(cap);
      b.set(a);
      return b;
    };
    this.types = up(this.types, Uint16Array);
    this.fields = up(this.fields, Uint8Array);
    this.flags = up(this.flags, Uint8Array);
    this.starts = up(this.starts, Uint32Array);
    this.lengths = up(this.lengths, Uint16Array);
    this.sizes = up(this.sizes, Uint16Array);
  }

  /**
   * Copy `node` and everything below it; returns the index to `materialize`. One cursor walk: anonymous
   * tokens are kept only when they carry a field name (operators) or are a closing brace (a body's end).
   * Iterative, so deeply nested code cannot overflow the stack.
   */
  encode(node: SyntaxNode): number {
    if (this.packed) throw new Error('a frozen copy is not added to');
    const cursor = node.walk();
    const { types, named, readsEnd, fields } = this.symbols;
    const bare = this.symbols.bare ?? [];
    const checkMissing = node.hasError; // MISSING nodes exist only in trees with errors
    const typeOf = (t: number): string => {
      let type = types[t];
      if (type === undefined) {
        type = types[t] = cursor.nodeType;
        named[t] = cursor.nodeIsNamed;
        readsEnd[t] = type.startsWith('preproc_');
        bare[t] = named[t] && bareTypesOf(node.tree).has(type);
      }
      return type;
    };
    /** The field id to store: the cursor's, once its name is known (0: none). */
    const fieldOf = (f: number): number => {
      if (!f) return 0;
      let name = fields[f];
      if (name === undefined) name = fields[f] = cursor.currentFieldName || '';
      if (f > 255) throw new Error(`field id ${f} (${name}) does not fit the compact copy`);
      return name ? f : 0;
    };
    // Each read of the cursor is a call into the native binding, so positions are read only where
    // they are not already known: a first child starts where its parent does, and a node with children
    // ends where its last child does (read when the walk leaves it). In a tree without errors the walk
    // does not go into a node whose children would all be dropped (`Symbols.bare`; a comment inside
    // `break /* why */;` is not kept), nor into an anonymous token, whose end is its start plus its
    // text's length (its type is its text, but for the `#if`-like directive tokens, which may hold
    // blanks). `test/parse/compact.test.ts` compares the copy with one read node by node.
    const push = (t: number, type: string, field: number, missing: boolean, start: number): number => {
      if (this.length === this.types.length) this.grow();
      const k = this.length++;
      this.types[k] = t;
      this.fields[k] = field;
      this.flags[k] = (named[t] ? NAMED : 0) | (missing ? MISSING | ERROR : 0) | (type === 'ERROR' ? ERROR : 0);
      this.starts[k] = start;
      return k;
    };
    const rootT = cursor.nodeTypeId;
    const root = push(rootT, typeOf(rootT), 0, checkMissing && cursor.nodeIsMissing, cursor.startIndex);
    if (!cursor.gotoFirstChild()) {
      this.setEnd(root, cursor.endIndex);
      this.setAfter(root, this.length);
      return root;
    }
    const stack: number[] = [root];
    let firstChild = true;
    for (;;) {
      const top = stack[stack.length - 1]!;
      const t = cursor.nodeTypeId;
      const type = typeOf(t);
      const f = cursor.currentFieldId;
      /** The end of the node the cursor is on, when already read (-1: not). */
      let end = -1;
      if (named[t] || f || type === '}') {
        const start = firstChild ? this.starts[top]! : cursor.startIndex;
        const kept = push(t, type, fieldOf(f), checkMissing && cursor.nodeIsMissing, start);
        if (this.flags[kept]! & ERROR) this.flags[top]! |= ERROR;
        const leaf = !checkMissing && (named[t] ? bare[t] : true);
        if (!leaf && cursor.gotoFirstChild()) {
          stack.push(kept);
          firstChild = true;
          continue;
        }
        end = leaf && !named[t] && type.charCodeAt(0) !== 35 /* # */ ? start + type.length : cursor.endIndex;
        this.setEnd(kept, end);
        this.setAfter(kept, this.length);
      } else if (checkMissing && cursor.nodeIsMissing) this.flags[top]! |= ERROR;
      firstChild = false;
      while (!cursor.gotoNextSibling()) {
        if (end < 0) end = cursor.endIndex; // the last child's end is its parent's
        cursor.gotoParent();
        const done = stack.pop()!;
        // except where the rule ends with a token the cursor does not visit: the hidden newline of
        // `#define`, `#pragma`, `#include`, `#undef` and other preprocessor lines
        if (readsEnd[this.types[done]!]) end = cursor.endIndex;
        this.setEnd(done, end);
        this.setAfter(done, this.length);
        const parent = stack[stack.length - 1];
        if (parent === undefined) return root;
        if (this.flags[done]! & ERROR) this.flags[parent]! |= ERROR;
      }
    }
  }

  /**
   * The depth of the subtree `encode` returned `root` for, read from the arrays (no nodes are built), by
   * the rules depth.ts describes: named nodes count one level each, except a statement's block,
   * an `else if` link and the left operand of an arithmetic chain (`chainsInLoops`).
   */
  syntaxDepth(root: number, chainsInLoops: boolean): number {
    this.thaw();
    const { types, fields } = this.symbols;
    const typeOf = (k: number) => types[this.types[k]!]!;
    const fieldOf = (k: number) => (this.fields[k] ? fields[this.fields[k]!] : undefined);
    /** The operator of a binary expression (its child in the field `operator`). */
    const operatorOf = (k: number): string | undefined => {
      for (let j = k + 1, a = this.afterOf(k); j < a; j = this.afterOf(j)) if (fieldOf(j) === 'operator') return typeOf(j);
      return undefined;
    };
    const end = this.afterOf(root);
    const open: number[] = [root];
    const depths: number[] = [1];
    let max = 1;
    for (let k = root + 1; k < end; k++) {
      while (this.afterOf(open[open.length - 1]!) <= k) {
        open.pop();
        depths.pop();
      }
      if (!(this.flags[k]! & NAMED)) continue; // (an anonymous token kept for its field is a leaf)
      const parent = typeOf(open[open.length - 1]!);
      const type = typeOf(k);
      let step = 1;
      if (type === 'compound_statement' && parent !== 'compound_statement') step = 0;
      else if (parent === 'if_statement' && type === 'else_clause') step = 0;
      else if (chainsInLoops && parent === 'else_clause' && type === 'if_statement') step = 0;
      else if (chainsInLoops && parent === 'binary_expression' && type === 'binary_expression' && fieldOf(k) === 'left') {
        const op = operatorOf(k);
        if (op !== '&&' && op !== '||') step = 0;
      }
      const d = depths[depths.length - 1]! + step;
      if (d > max) max = d;
      if (this.afterOf(k) > k + 1) {
        open.push(k);
        depths.push(d);
      }
    }
    return max;
  }

  /** The `LiteNode` tree of the subtree `encode` returned `root` for; node ids count from 0 in preorder. */
  materialize(root: number): LiteNode {
    this.thaw();
    const { types, fields } = this.symbols;
    const end = this.afterOf(root);
    const make = (k: number): LiteNode => {
      const fl = this.flags[k]!;
      const n = new LiteNode(this.source, k - root, types[this.types[k]!]!, (fl & NAMED) !== 0, (fl & MISSING) !== 0, this.starts[k]!, this.endOf(k));
      if (fl & ERROR) n.hasError = true;
      return n;
    };
    const top = make(root);
    // The children of the open nodes are gathered on one stack and cut out into arrays of their exact size
    // when their parent closes (pushed one by one, each array would hold 16 slots or more: most nodes have
    // one to three children, and the trees are rebuilt for every analysis of a function).
    const kids: LiteNode[] = [];
    const names: (string | null)[] = [];
    let used = 0;
    const open: LiteNode[] = [top];
    const closes: number[] = [end];
    const from: number[] = [0];
    const close = (): void => {
      const n = open.pop()!;
      closes.pop();
      const first = from.pop()!;
      if (used === first) return;
      let withField = false;
      for (let j = first; j < used; j++) if (names[j] !== null) withField = true;
      n.setChildren(kids.slice(first, used), withField ? names.slice(first, used) : undefined);
      used = first;
    };
    for (let k = root + 1; k < end; k++) {
      while (closes[closes.length - 1]! <= k) close();
      const n = make(k);
      const f = this.fields[k]!;
      kids[used] = n;
      names[used++] = f ? fields[f]! : null;
      const a = this.afterOf(k);
      if (a > k + 1) {
        open.push(n);
        closes.push(a);
        from.push(used);
      }
    }
    while (open.length) close();
    return top;
  }
}

/** Each file's compact trees: the functions encoded so far, and whether the native tree is gone. */
interface FileTrees {
  trees: CompactTrees;
  roots: Map<FunctionInfo, number>;
  released: boolean;
}
const perFile = new WeakMap<SourceFile, FileTrees>();

function storeOf(file: SourceFile): FileTrees {
  let s = perFile.get(file);
  if (!s) perFile.set(file, (s = { trees: new CompactTrees(new LiteSource(file.parsedText), symbolsOf(file.tree)), roots: new Map(), released: false }));
  return s;
}

/**
 * The language server's reparse: the functions of `next` whose text (and grammar) is that of a function
 * of `previous` already copied, and that have no syntax error, take that copy, its offsets moved, instead of
 * being copied out of the native tree again when an analysis first asks (text without errors parses to the
 * same tree wherever it is). `previous` is the version `next` was reparsed from.
 */
export function carryCopies(previous: SourceFile, next: SourceFile): void {
  const p = perFile.get(previous);
  if (!p || p.released || !p.roots.size || previous.lang !== next.lang) return;
  const byText = new Map<object, FunctionInfo>();
  for (const fn of previous.functions) if (!fn.hasError && fn.textId && p.roots.has(fn)) byText.set(fn.textId, fn);
  if (!byText.size) return;
  let s: FileTrees | undefined;
  for (const fn of next.functions) {
    if (fn.hasError || !fn.textId) continue;
    const old = byText.get(fn.textId);
    if (!old) continue;
    s ??= storeOf(next);
    const root = s.trees.copyShifted(p.trees, p.roots.get(old)!, fn.start - old.start);
    if (root === null) return;
    s.roots.set(fn, root);
  }
}

/**
 * The function's definition as a `LiteNode` tree, built afresh on each call (callers keep what they
 * reuse). The first call for a function copies it out of the native tree; later calls, and every call
 * after `releaseTree`, read the copy.
 */
export function functionTree(file: SourceFile, fn: FunctionInfo): LiteNode {
  const s = storeOf(file);
  return s.trees.materialize(rootOf(s, fn));
}

function rootOf(s: FileTrees, fn: FunctionInfo): number {
  let root = s.roots.get(fn);
  if (root === undefined) {
    root = s.trees.encode(fn.node);
    s.roots.set(fn, root);
  }
  return root;
}

/**
 * The depth of the function's syntax tree (the rules are described in depth.ts), read from its compact copy
 * without building a tree. `chainsInLoops: false` counts the links of arithmetic and `else if` chains
 * too (the simulator walks them recursively).
 */
export function functionSyntaxDepth(file: SourceFile, fn: FunctionInfo, opts: { chainsInLoops?: boolean } = {}): number {
  const s = storeOf(file);
  return s.trees.syntaxDepth(rootOf(s, fn), opts.chainsInLoops ?? true);
}

/** What `file.tree`, `fn.node` and `fn.body` hold once released: reading anything from it throws, naming the file. */
function releasedStandIn(path: string): unknown {
  return new Proxy(
    {},
    {
      get(_t, prop) {
        throw new Error(`${path}: syntax tree read (${String(prop)}) after the file's syntax tree was released`);
      },
    },
  );
}

/** The file's compact trees read its parsed text from `stored` from now on (see `keepTextAsPatch`). */
export function storeTreeText(file: SourceFile, stored: StoredText): void {
  perFile.get(file)?.trees.source.store(stored);
}

/**
 * The file has been linted for the last time in a run that holds a whole program (the command line): the
 * inflated copy of its compact trees, and its text's line table, go now rather than when other files push
 * them out (a later read, should an analysis of another file need one of its functions, inflates them again).
 */
export function setAsideTrees(file: SourceFile): void {
  const s = perFile.get(file);
  if (!s?.released) return;
  s.trees.letGo();
  s.trees.source.forgetLines();
}

/** The file's native tree has been released (see `releaseTree`). */
export function isReleased(file: SourceFile): boolean {
  return perFile.get(file)?.released ?? false;
}

/** The compact copy's size: nodes and bytes (0 before any function was copied). */
export function compactSize(file: SourceFile): { nodes: number; bytes: number } {
  const s = perFile.get(file);
  return s ? { nodes: s.trees.nodeCount, bytes: s.trees.byteLength } : { nodes: 0, bytes: 0 };
}

/**
 * Copy every function of the file and let go of the native tree, so that its memory can be reclaimed:
 * afterwards `functionTree` serves the file's functions, and reading `file.tree`, `fn.node` or `fn.body`
 * throws an Error naming the file (whatever needs the native tree must have read it before). Used by
 * runs that hold a whole program (the command line); the language server keeps its trees, which it
 * reparses incrementally.
 */
export function releaseTree(file: SourceFile): void {
  const s = storeOf(file);
  if (s.released) return;
  for (const fn of file.functions) if (!s.roots.has(fn)) s.roots.set(fn, s.trees.encode(fn.node));
  s.trees.freeze();
  s.released = true;
  standIn(file);
}

/**
 * A file parsed a piece at a time (`parseRange`): copy the functions `fns` of one piece, whose native tree
 * is `tree`, before the next piece is parsed. `releasePieces` then completes the file as `releaseTree` does.
 */
export function copyPiece(file: SourceFile, tree: Tree, fns: readonly FunctionInfo[]): void {
  let s = perFile.get(file);
  if (!s) perFile.set(file, (s = { trees: new CompactTrees(new LiteSource(file.parsedText), symbolsOf(tree)), roots: new Map(), released: false }));
  for (const fn of fns) s.roots.set(fn, s.trees.encode(fn.node));
  // (the piece's tree is freed only once nothing refers to its nodes)
  standInNodes(fns, releasedStandIn(file.path));
}

/** The pieces of a file are all copied (`copyPiece`): the file is released, its tree and functions' nodes stand-ins. */
export function releasePieces(file: SourceFile): void {
  const s = perFile.get(file);
  if (s) {
    s.trees.freeze();
    s.released = true;
  } else perFile.set(file, { trees: new CompactTrees(new LiteSource(file.parsedText), { types: [], named: [], readsEnd: [], fields: [] }), roots: new Map(), released: true });
  standIn(file);
}

/** One stand-in per file, in place of the tree and of every function's nodes: any use of it throws. */
function standIn(file: SourceFile): void {
  // (Plain assignments: redefining the properties as getters would turn each of a file's function
  // records into a dictionary-mode object, 800 bytes apiece.)
  const gone = releasedStandIn(file.path);
  const f = file as { tree: unknown };
  f.tree = gone;
  standInNodes(file.functions, gone);
}

/** The stand-in in place of each function's nodes. */
function standInNodes(fns: readonly FunctionInfo[], gone: unknown): void {
  for (const fn of fns) {
    const g = fn as { node: unknown; body: unknown };
    g.node = gone;
    g.body = gone;
  }
}

/**
 * A released file's compact trees as data for another thread (the worker threads of the command line
 * parse a share of the files each and hand the others what their program needs). The arrays are
 * shared with the file's copy: transfer a clone, or post the result (structured clone copies it).
 */
export function packTrees(file: SourceFile): PackedTrees {
  const s = perFile.get(file);
  if (!s?.released) throw new Error(`${file.path}: only a released file's trees can be packed`);
  return s.trees.pack(file.functions.map((fn) => s.roots.get(fn)!));
}

/**
 * Make `file` (its texts and function records as the packing thread had them, without native nodes)
 * a released file whose functions are served by the packed copy.
 */
export function adoptTrees(file: SourceFile, packed: PackedTrees): void {
  if (packed.roots.length !== file.functions.length) throw new Error(`${file.path}: packed trees for ${packed.roots.length} functions, the file has ${file.functions.length}`);
  const trees = CompactTrees.fromPacked(new LiteSource(file.parsedText), packed);
  const roots = new Map<FunctionInfo, number>();
  file.functions.forEach((fn, k) => roots.set(fn, packed.roots[k]!));
  trees.freeze();
  perFile.set(file, { trees, roots, released: true });
  standIn(file);
}
