/**
 * The language server's model of the workspace as one program, kept up to date edit by edit.
 *
 * Every C/C++ file of the workspace is an input (its text on disk, or the editor's text while it is
 * open). A `Project` (summaries, call graph, IRQL contexts: see src/analysis/project.ts) is rebuilt
 * from the inputs when something changed, and that rebuild is incremental:
 *
 * - an edited open document is reparsed with `reparseSource` (tree-sitter `tree.edit` + reparse);
 *   the other files keep their parsed trees;
 * - a helper's summary is reused when its text, position, the program facts and its callees'
 *   summaries are unchanged (`SummaryCache`);
 * - each rebuild says which functions the change can affect (`affectedSince`): the functions whose
 *   text or position changed, and every function connected to one of them in the reference graph
 *   (a function names another: calls it, registers it, assigns it to a dispatch slot), before or after
 *   the change. Findings flow only along those references (summaries up to callers, IRQL contexts down
 *   to callees), so the findings of a function outside that set are the ones it had. A change outside
 *   every function body (declarations, prototypes and their SAL annotations, role types, pragmas,
 *   macros), of a file's constants (`#define`, enumerators) or of a program-wide fact (dispatch
 *   routines, raising macros, the IRQL table) affects everything.
 *
 * `DocumentLinter` keeps the findings of each function of one document, re-lints the affected ones,
 * and applies the suppression directives to the whole file: the result equals `lintText` on the same
 * program (a property test edits fixtures at random and compares).
 */
import { constantsFingerprint, shareFileConstants } from '../analysis/constants.js';
import { Project, SummaryCache, textEditedFrom } from '../analysis/project.js';
import type { IrqlTable } from '../ddi/irql.js';
import { finishLint, lintFunction, type LintOptions } from '../lint/linter.js';
import type { LintMessage, LintResult } from '../lint/types.js';
import { parseSource, reparseSource, shortName, textIdentity, type FunctionInfo, type SourceFile } from '../parse/parser.js';

export interface ProgramInput {
  readonly path: string;
  readonly text: string;
}

/** What the change detection needs of a parsed file, computed once per parsed file. */
interface FileFacts {
  /** The text outside every function definition, with the functions' places marked. */
  gaps: string;
  /** The file's #define and enum constants (a `#define` may sit inside a function body). */
  constants: string;
  /** Per function (the order of `file.functions`): name, position and text. */
  keys: string[];
  /** Per function: unqualified name. */
  names: string[];
  /** Per function: the text of its header (return type, name, parameters). */
  heads: string[];
  /** Per function: the identifiers its text names. */
  words: Set<string>[];
}

const IDENT = /[A-Za-z_]\w*/g;
const factsCache = new WeakMap<SourceFile, FileFacts>();
/** A function's words, by its text identity (kept from one reparse to the next where its text did not change). */
const wordsMemo = new WeakMap<object, Set<string>>();

/** A function's identity for reuse: name, start position and text (header included). */
export function functionKey(file: SourceFile, fn: FunctionInfo): string {
  const p = fn.node.startPosition;
  return `${fn.name}\u0000${p.row}:${p.column}\u0000${file.text.slice(fn.start, fn.bodyEnd)}`;
}

export { shortName };

/** The text outside every function definition, with the functions' places marked. */
function outsideFunctions(file: SourceFile): string {
  let g = gapsCache.get(file);
  if (g === undefined) {
    const gaps: string[] = [];
    let at = 0;
    for (const fn of file.functions) {
      // functions are sorted by start; nested ones (C++ classes in ERROR regions) overlap: skip back
      if (fn.start >= at) gaps.push(file.text.slice(at, fn.start));
      gaps.push('\u0000');
      at = Math.max(at, fn.bodyEnd);
    }
    gaps.push(file.text.slice(at));
    gapsCache.set(file, (g = gaps.join('')));
  }
  return g;
}
const gapsCache = new WeakMap<SourceFile, string>();

function factsOf(file: SourceFile): FileFacts {
  let f = factsCache.get(file);
  if (f) return f;
  const keys: string[] = [];
  const names: string[] = [];
  const heads: string[] = [];
  const words: Set<string>[] = [];
  for (const fn of file.functions) {
    keys.push(functionKey(file, fn));
    names.push(shortName(fn.name));
    heads.push(file.text.slice(fn.start, fn.bodyStart));
    let w = wordsMemo.get(textIdentity(fn));
    if (!w) wordsMemo.set(textIdentity(fn), (w = new Set(file.parsedText.slice(fn.start, fn.bodyEnd).match(IDENT) ?? [])));
    words.push(w);
  }
  f = { gaps: outsideFunctions(file), constants: constantsFingerprint(file), keys, names, heads, words };
  factsCache.set(file, f);
  return f;
}

/** A function's node in the reference graph: its file and unqualified name. */
export function nodeOf(path: string, name: string): string {
  return `${path}\u0001${shortName(name)}`;
}

/**
 * Components of the reference graph (union-find): a function is linked to each function of the program
 * that a name in its text resolves to from its file, as calls resolve (the file's own definition, else the
 * only external one).
 */
function components(project: Project, facts: ReadonlyMap<string, FileFacts>): Map<string, string> {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    let y = x;
    while (y !== r) {
      const n = parent.get(y)!;
      parent.set(y, r);
      y = n;
    }
    return r;
  };
  for (const [path, f] of facts) for (const n of f.names) parent.set(nodeOf(path, n), nodeOf(path, n));
  for (const [path, f] of facts) {
    const file = { path };
    f.names.forEach((n, i) => {
      const self = nodeOf(path, n);
      for (const w of f.words[i]!) {
        if (w === n) continue;
        const t = project.resolve(file, w);
        if (!t) continue;
        const other = nodeOf(t.path, t.name);
        if (!parent.has(other)) continue;
        const a = find(self);
        const b = find(other);
        if (a !== b) parent.set(a, b);
      }
    });
  }
  const root = new Map<string, string>();
  for (const n of parent.keys()) root.set(n, find(n));
  return root;
}

/** The names in the components of `changed`. */
function closure(comp: Map<string, string>, changed: Set<string>): Set<string> {
  const roots = new Set<string>();
  for (const n of changed) {
    const r = comp.get(n);
    if (r !== undefined) roots.add(r);
  }
  const out = new Set(changed);
  for (const [n, r] of comp) if (roots.has(r)) out.add(n);
  return out;
}

/** How much of the program a rebuild affected: 'all', or the functions (`nodeOf`: file and unqualified name). */
export type Affected = 'all' | Set<string>;

export interface ProgramOptions {
  /** Prefix stripped from file paths in messages (the workspace folder). */
  root?: string;
  irqlTable?: IrqlTable;
}

const MAX_LOG = 64;

export class Program {
  private readonly inputs = new Map<string, ProgramInput>();
  private readonly parsed = new WeakMap<ProgramInput, SourceFile>();
  /** For an input not parsed yet: the last parsed version of the same file (reparsed from). */
  private readonly previous = new WeakMap<ProgramInput, SourceFile>();
  private readonly macroMemo = new Map<string, readonly string[]>();
  readonly summaries = new SummaryCache();
  private root: string | undefined;
  private irqlTable: IrqlTable | undefined;
  private project: Project | undefined;
  private dirty = true;
  private forceAll = true;
  private prevFacts: Map<string, FileFacts> | undefined;
  private prevGlobal = '';
  private prevComponents = new Map<string, string>();
  private prevHelpers: ReadonlySet<string> = new Set();
  /** Generation of the current project; the affected set of each of the last rebuilds. */
  generation = 0;
  private readonly log: { generation: number; affected: Affected }[] = [];
  /** Statistics of the last rebuild (for the benchmark and the server's log). */
  lastRebuild = { ms: 0, files: 0, summaryHits: 0, summaryMisses: 0, affected: 'all' as Affected };

  constructor(opts: ProgramOptions = {}) {
    this.root = opts.root;
    this.irqlTable = opts.irqlTable;
  }

  /** New configuration (IRQL contracts): everything is affected. */
  configure(opts: ProgramOptions): void {
    this.root = opts.root;
    this.irqlTable = opts.irqlTable;
    this.dirty = true;
    this.forceAll = true;
  }

  paths(): string[] {
    return [...this.inputs.keys()];
  }

  has(path: string): boolean {
    return this.inputs.has(path);
  }

  textOf(path: string): string | undefined {
    return this.inputs.get(path)?.text;
  }

  /** Set a file's text (from disk, or the editor's text of an open document). */
  setText(path: string, text: string): void {
    const old = this.inputs.get(path);
    if (old && old.text === text) return;
    const input: ProgramInput = { path, text };
    // an edited document: parsed (when needed) incrementally from the last tree of the file; nothing is
    // parsed here, so a burst of edits costs one parse
    const prev = old && (this.parsed.get(old) ?? this.previous.get(old));
    if (prev) this.previous.set(input, prev);
    // and its calls are found around the edit
    if (old) textEditedFrom(input, old);
    this.inputs.set(path, input);
    this.dirty = true;
  }

  remove(path: string): void {
    if (this.inputs.delete(path)) this.dirty = true;
  }

  /** The parsed file (parsed once per text). Throws what `parseSource` throws. */
  sourceOf(path: string): SourceFile | undefined {
    const input = this.inputs.get(path);
    return input ? this.parse(input) : undefined;
  }

  private parse(input: ProgramInput): SourceFile {
    let f = this.parsed.get(input);
    if (!f) {
      const prev = this.previous.get(input);
      const clean = prev && !prev.tree.rootNode.hasError; // (read before the reparse edits its tree)
      f = prev ? reparseSource(prev, input.text) : parseSource(input.path, input.text);
      // no text changed outside the function definitions, where the constants are read: the same constants
      if (prev && clean && !f.tree.rootNode.hasError && outsideFunctions(prev) === outsideFunctions(f)) shareFileConstants(prev, f);
      this.parsed.set(input, f);
      this.previous.delete(input);
    }
    return f;
  }

  /** The program of the current inputs (rebuilt when something changed since the last call). */
  current(): Project {
    if (this.project && !this.dirty) return this.project;
    const t0 = performance.now();
    const hits = this.summaries.hits;
    const misses = this.summaries.misses;
    const project = Project.fromTexts([...this.inputs.values()], this.root, this.projectOptions((i) => this.parse(i)));
    this.summaries.sweep();
    // texts no longer in the program: forget their macros
    if (this.macroMemo.size > this.inputs.size * 2) {
      const live = new Set([...this.inputs.values()].map((i) => i.text));
      for (const t of [...this.macroMemo.keys()]) if (!live.has(t)) this.macroMemo.delete(t);
    }
    const facts = new Map<string, FileFacts>();
    for (const f of project.allFiles()) facts.set(f.path, factsOf(f));
    const global = project.programFacts();
    let all = this.forceAll || !this.prevFacts || global !== this.prevGlobal;
    const changed = new Set<string>();
    // names whose definitions came, went or changed header: every function of that name is affected (a
    // call's resolution, and annotations and roles, go by name)
    const byName = new Set<string>();
    if (!all) {
      for (const [path, ff] of facts) {
        const old = this.prevFacts!.get(path);
        if (old === ff) continue;
        if (!old) {
          for (const n of ff.names) {
            changed.add(nodeOf(path, n));
            byName.add(n);
          }
          continue;
        }
        if (old.gaps !== ff.gaps || old.constants !== ff.constants) {
          all = true;
          break;
        }
        const oldKeys = new Set(old.keys);
        const newKeys = new Set(ff.keys);
        const oldHeads = new Set(old.heads);
        const newHeads = new Set(ff.heads);
        ff.keys.forEach((k, i) => {
          if (oldKeys.has(k)) return;
          changed.add(nodeOf(path, ff.names[i]!));
          if (!oldHeads.has(ff.heads[i]!)) byName.add(ff.names[i]!);
        });
        old.keys.forEach((k, i) => {
          if (newKeys.has(k)) return;
          changed.add(nodeOf(path, old.names[i]!));
          if (!newHeads.has(old.heads[i]!)) byName.add(old.names[i]!);
        });
      }
      for (const [path, old] of this.prevFacts!) {
        if (facts.has(path)) continue;
        for (const n of old.names) {
          changed.add(nodeOf(path, n));
          byName.add(n);
        }
      }
      // a helper that gained or lost MDL effects changes which rules look at the functions naming it
      const helpers = project.helperNames;
      const toggled = new Set([...helpers].filter((n) => !this.prevHelpers.has(n)).concat([...this.prevHelpers].filter((n) => !helpers.has(n))));
      for (const [path, ff] of [...facts, ...this.prevFacts!]) {
        ff.names.forEach((n, i) => {
          if (byName.has(n)) changed.add(nodeOf(path, n));
          if (toggled.size && [...toggled].some((t) => ff.words[i]!.has(t))) changed.add(nodeOf(path, n));
        });
      }
    }
    const comp = components(project, facts);
    let affected: Affected = 'all';
    if (!all) {
      affected = closure(comp, changed);
      for (const n of closure(this.prevComponents, changed)) affected.add(n);
    }
    this.prevFacts = facts;
    this.prevGlobal = global;
    this.prevComponents = comp;
    this.prevHelpers = project.helperNames;
    this.forceAll = false;
    this.dirty = false;
    this.project = project;
    this.generation++;
    this.log.push({ generation: this.generation, affected });
    if (this.log.length > MAX_LOG) this.log.shift();
    this.lastRebuild = {
      ms: performance.now() - t0,
      files: facts.size,
      summaryHits: this.summaries.hits - hits,
      summaryMisses: this.summaries.misses - misses,
      affected,
    };
    return project;
  }

  /**
   * A Project of the current inputs with one file's text replaced, and that file parsed: what the program
   * would be after an edit (the quick fix checks its edit with it). Nothing of this program changes.
   */
  projectWith(path: string, text: string): { project: Project; file: SourceFile } {
    const replaced: ProgramInput = { path, text };
    const inputs = [...this.inputs.values()].map((i) => (i.path === path ? replaced : i));
    if (!this.inputs.has(path)) inputs.push(replaced);
    const fixed = parseSource(path, text);
    return { project: Project.fromTexts(inputs, this.root, this.projectOptions((i) => (i === replaced ? fixed : this.parse(i)))), file: fixed };
  }

  /** How this program builds a Project: its caches (summaries, raising macros), its IRQL table and a parser. */
  private projectOptions(parse: (i: ProgramInput) => SourceFile): ConstructorParameters<typeof Project>[1] {
    const opts: ConstructorParameters<typeof Project>[1] = { summaryCache: this.summaries, parse, raisingMacroMemo: this.macroMemo };
    if (this.irqlTable) opts.irqlTable = this.irqlTable;
    return opts;
  }

  /** What the rebuilds after generation `g` affected, up to the current one ('all' when too old). */
  affectedSince(g: number): Affected {
    if (g === this.generation) return new Set();
    const first = this.log[0];
    if (!first || first.generation > g + 1) return 'all';
    const out = new Set<string>();
    for (const e of this.log) {
      if (e.generation <= g) continue;
      if (e.affected === 'all') return 'all';
      for (const n of e.affected) out.add(n);
    }
    return out;
  }
}

/**
 * The findings of one document, function by function: `lint` re-lints the functions an edit can affect
 * and reuses the others' findings.
 */
export class DocumentLinter {
  private cache = new Map<string, LintMessage[]>();
  private generation = -1;
  private program: Program | undefined;
  private optionsKey = '';
  /** Functions re-linted and reused by the last `lint`. */
  last = { relinted: 0, reused: 0 };

  constructor(readonly path: string) {}

  lint(program: Program, options: LintOptions): LintResult | undefined {
    const project = program.current();
    const file = program.sourceOf(this.path);
    if (!file) return undefined;
    const optionsKey = JSON.stringify(options.rules ?? {});
    const affected: Affected = optionsKey !== this.optionsKey || program !== this.program ? 'all' : program.affectedSince(this.generation);
    const next = new Map<string, LintMessage[]>();
    const messages: LintMessage[] = [];
    let relinted = 0;
    let reused = 0;
    for (const fn of file.functions) {
      const key = functionKey(file, fn);
      let m = affected !== 'all' && !affected.has(nodeOf(this.path, fn.name)) ? this.cache.get(key) : undefined;
      if (m) reused++;
      else {
        m = lintFunction(file, fn, project, { ...options, project });
        relinted++;
      }
      next.set(key, m);
      messages.push(...m);
    }
    this.cache = next;
    this.generation = program.generation;
    this.program = program;
    this.optionsKey = optionsKey;
    this.last = { relinted, reused };
    return finishLint(file, messages);
  }
}
