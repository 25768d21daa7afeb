/**
 * The linted files as one program: which functions exist, which call which, which are dispatch
 * routines, and the summary of every helper (a function of the linted files that others call and
 * that handles MDLs, directly or through its own helpers).
 *
 * Summaries are computed bottom-up over the call graph (callees first), once per function; mutually
 * recursive functions are iterated to a fixpoint (bounded: a group that does not settle is treated as
 * unknown code). Each helper is analysed once for its summary (callers apply the summary, they never
 * re-analyse the callee), and once more when its own file is linted: the cost stays linear in the
 * size of the program.
 */
import { chunkStarts, cutsAfterEdit } from '../parse/chunks.js';
import { parseRaw, parseSource, shortName, textIdentity, type FunctionInfo, type SourceFile } from '../parse/parser.js';
import type { AstNode } from '../parse/lite.js';
import { classifyFilter, type MacroJump } from '../cfg/cfg.js';
import { allDdiNames, ddiEffect } from '../ddi/table.js';
import { BUILTIN_IRQL_TABLE, irqlWordsPattern, type IrqlTable } from '../ddi/irql.js';
import { analyzeFunction, type ProjectContext } from './mdl-analysis.js';
import { constantsFingerprint, textConstants } from './constants.js';
import { textUnions, unionAliasesOf } from './unions.js';
import { joinFacts, ppMacroFacts } from './pp-macros.js';
import { ppTruth, type MacroFact } from '../cfg/pp-conditions.js';
import { parseReleasedSteps, parsedInPieces, releaseParsed } from './transfer.js';
import { runSteps, runStepsAsync } from './steps.js';
import { keepTextAsPatch, ownCopy, parsedSlice, sourceSlice } from '../parse/source-text.js';
import { liteBody, measureNesting } from './function-cfg.js';
import type { Summary } from './summary.js';

export interface ProjectFunction {
  /** File path, name and line: kept for the whole run. */
  path: string;
  name: string;
  line: number;
  key: string;
  isStatic: boolean;
  /** The parsed definition. */
  file?: SourceFile;
  fn?: FunctionInfo;
}

/** A call of a function of the linted files, and whether a `__try` around it takes every exception. */
export interface CallSite {
  caller: ProjectFunction;
  line: number;
  column: number;
  /** A `__try` whose `__except` filter takes the exceptions a probe raises encloses the call. */
  protectedHere: boolean;
}

/** DDIs whose presence makes a function relevant to the MDL analysis. */
const MDL_DDIS = allDdiNames().filter((n) => {
  const e = ddiEffect(n)!;
  return (e.mdl && e.mdl.length > 0) || /^mdl-|system-address/.test(e.returns ?? '') || e.freesIrpArg !== undefined;
});
const MDL_WORDS = new RegExp(`\\b(?:${MDL_DDIS.join('|')})\\b`);
/**
 * Words that make a file matter to the IRQL analysis: routines with an IRQL contract (of the built-in
 * table), role types, registrations, IRQL annotations. A project's own table, with the config file's
 * `irqlContracts`, has its words in `Project.irqlWords`.
 */
export const IRQL_WORDS = irqlWordsPattern(BUILTIN_IRQL_TABLE);
/**
 * A name called, as the analysis reads a call (`calleeName`): `Name(`, a parenthesized name `(Name)(`,
 * a template function `Name<T>(` or `Name<PVOID, 4>(`, with spaces and comments anywhere between. A
 * call the call graph missed let a caller be summarized before its helper (found in review:
 * `(Lock)(Mdl)` gave findings that depended on the order of definition and on threads).
 */
const GAP = String.raw`(?:\s|/\*[^*]*\*+(?:[^/*][^*]*\*+)*/|//[^\n]*(?:\n|$))*`;
export const CALL = new RegExp(String.raw`\b([A-Za-z_][A-Za-z0-9_]*)${GAP}(?:<[\w\s:,*&]*>${GAP})?(?:\)${GAP})*\(`, 'g');
/** A header: its `static` functions are compiled into each file that includes it. */
const HEADER = /\.(h|hh|hpp|hxx|inl)$/i;

const KEYWORDS = new Set(['if', 'while', 'for', 'switch', 'return', 'sizeof', '__try', '__except', '__finally', 'try', 'except', 'catch', 'do', 'defined']);

const MAX_FIXPOINT_ROUNDS = 6;

/**
 * What the program view reads of a function's body: whether it names an MDL DDI, whether it names a word of
 * an IRQL table, and the identifiers it calls (each once, in order). Kept per parsed function, so that the
 * language server, which builds a Project per edit from mostly unchanged files, scans each body once.
 */
export interface BodyFacts {
  mdl: boolean;
  calls: string[];
  irql?: { table: RegExp; named: boolean };
  /** For the IRQL analysis: the body names `PAGED_CODE`, calls it, and the identifiers written before a `(`. */
  pagedCode: boolean;
  pagedCodeCall: boolean;
  openers: string[];
  /** The body does nothing: only comments, `UNREFERENCED_PARAMETER(x);` (or `UNUSED_PARAMETER`, `UNUSED`), `(void)x;` and `return;` (an empty `kunmap(page)` of a port). */
  empty: boolean;
}
/** What a body that does nothing may hold: comments, `UNREFERENCED_PARAMETER(x);`, `(void)x;`, `return;`. */
const NOTHING = /\/\*[\s\S]*?\*\/|\/\/[^\n]*|\b(?:UNREFERENCED_PARAMETER|UNUSED_PARAMETER|UNUSED)\s*\(\s*\w+\s*\)\s*;|\(\s*void\s*\)\s*\w+\s*;|\breturn\s*;/g;
/** (By the function's text identity: the language server's reparse keeps them for the functions it did not change.) */
const bodyFactsMemo = new WeakMap<object, BodyFacts>();
export function bodyFacts(file: SourceFile, fn: FunctionInfo): BodyFacts {
  let f = bodyFactsMemo.get(textIdentity(fn));
  if (!f) {
    const body = parsedSlice(file, fn.bodyStart, fn.bodyEnd);
    const calls = new Set<string>();
    // (copies: the names are kept for the run, the body is not)
    for (const m of body.matchAll(CALL)) calls.add(ownCopy(m[1]!));
    const openers = new Set<string>();
    for (const m of body.matchAll(/\b([A-Za-z_]\w*)\s*\(/g)) openers.add(ownCopy(m[1]!));
    const pagedCode = /\bPAGED_CODE\b/.test(body);
    const empty = /^\{[\s;]*\}$/.test(body.replace(NOTHING, ''));
    f = { mdl: MDL_WORDS.test(body), calls: [...calls], pagedCode, pagedCodeCall: pagedCode && /\bPAGED_CODE\s*\(/.test(body), openers: [...openers], empty };
    bodyFactsMemo.set(textIdentity(fn), f);
  }
  return f;
}
export function namesIrqlWord(file: SourceFile, fn: FunctionInfo, words: RegExp): boolean {
  const f = bodyFacts(file, fn);
  if (f.irql?.table !== words) f.irql = { table: words, named: words.test(parsedSlice(file, fn.bodyStart, fn.bodyEnd)) };
  return f.irql.named;
}
/** The same for a whole input text (which files matter, which call what). */
interface TextFacts {
  mdl: boolean;
  calls: Set<string>;
  irql?: { table: RegExp; named: boolean };
}
const textFactsMemo = new WeakMap<object, TextFacts>();
/** The text's facts, with whether it names a word of `words` (the IRQL table of the run). */
function textFacts(input: { text: string }, words: RegExp): TextFacts & { irql: { table: RegExp; named: boolean } } {
  let f = textFactsMemo.get(input);
  if (!f) {
    let calls: Set<string> | undefined;
    // an input edited from another (the language server): its calls by pieces, those of the earlier text kept
    const earlier = editedFrom.get(input);
    if (earlier) {
      editedFrom.delete(input);
      const pieces = CallPieces.of(input.text, callPiecesOf.get(earlier) ?? CallPieces.of(earlier.text));
      callPiecesOf.set(input, pieces);
      calls = pieces.calls();
    }
    if (!calls) {
      calls = new Set<string>();
      // (copies: the facts outlive the text while a program is built, see `ProjectOptions.onHeld`)
      for (const m of input.text.matchAll(CALL)) calls.add(ownCopy(m[1]!));
    }
    f = { mdl: MDL_WORDS.test(input.text), calls };
    textFactsMemo.set(input, f);
  }
  if (f.irql?.table !== words) f.irql = { table: words, named: words.test(input.text) };
  return f as TextFacts & { irql: { table: RegExp; named: boolean } };
}

/**
 * The names a text calls (`CALL`), piece by piece: the pieces are those of src/parse/chunks.ts, cut where a
 * top-level function body ends, and after an edit (`CallPieces.of(text, earlier)`) a piece that did not change
 * keeps its names (`cutsAfterEdit`): the language server's typed character scans its function, not the file.
 *
 * The names of the pieces in order are those of the whole text, first occurrences in the same order, unless a
 * call runs over a cut: a name before the cut (in a comment after a body's `}`) with the text after the cut
 * starting, past spaces and comments, with `(`, `)` or `<`. Where a piece starts so, `calls` is undefined and
 * the caller scans the whole text.
 */
export class CallPieces {
  private constructor(
    readonly text: string,
    private readonly starts: readonly number[],
    /** Each piece's names (copies: they outlive the text), and whether no call can run into the piece. */
    private readonly names: readonly (readonly string[])[],
    private readonly joinable: readonly boolean[],
  ) {}

  static of(text: string, earlier?: CallPieces): CallPieces {
    const { starts, head, tail, previousTail } = earlier ? cutsAfterEdit(earlier.text, earlier.starts, text, 1) : { starts: chunkStarts(text, 1), head: 0, tail: 0, previousTail: 0 };
    const names: (readonly string[])[] = [];
    const joinable: boolean[] = [];
    for (let k = 0; k < starts.length; k++) {
      const from = earlier && k < head ? k : earlier && k >= tail ? previousTail + k - tail : -1;
      if (from >= 0) {
        names.push(earlier!.names[from]!);
        joinable.push(earlier!.joinable[from]!);
        continue;
      }
      const start = starts[k]!;
      const piece = new Set<string>();
      for (const m of text.slice(start, starts[k + 1] ?? text.length).matchAll(CALL)) piece.add(ownCopy(m[1]!));
      names.push([...piece]);
      RUNS_INTO.lastIndex = start;
      joinable.push(k === 0 || !RUNS_INTO.test(text));
    }
    return new CallPieces(text, starts, names, joinable);
  }

  /** The names the whole text calls, in the order of their first call; undefined where a call may run over a cut. */
  calls(): Set<string> | undefined {
    if (!this.joinable.every(Boolean)) return undefined;
    const out = new Set<string>();
    for (const piece of this.names) for (const n of piece) out.add(n);
    return out;
  }
}
/** The start of a piece a call of the piece before may run into: spaces and comments, then `(`, `)` or `<`. */
const RUNS_INTO = new RegExp(`${GAP}[()<]`, 'y');
/** Each input's calls by pieces, and the input an input was edited from (until its facts are read). */
const callPiecesOf = new WeakMap<object, CallPieces>();
const editedFrom = new WeakMap<object, { text: string }>();

/**
 * `next` is `previous` edited (the language server): the calls of its text are found around the edit
 * (`CallPieces`), those of the rest kept from `previous`.
 */
export function textEditedFrom(next: { text: string }, previous: { text: string }): void {
  editedFrom.set(next, previous);
}

/**
 * What choosing a program's files reads of a parsed file's function: its unqualified name, whether its
 * body names an MDL DDI and which names it calls, and whether it names a word of the IRQL table. Lazy
 * where the file was parsed on this thread; plain values when another thread parsed it.
 */
export interface ChoiceFunction {
  short: string;
  facts: () => { mdl: boolean; calls: readonly string[] };
  irql: () => boolean;
}
/** What choosing reads of an input's text: MDL DDI named, IRQL word named, the names it calls. */
export interface ChoiceText {
  mdl: boolean;
  irql: { named: boolean };
  calls: Iterable<string>;
}

/**
 * The inputs a program is made of, in the order they join it: those naming an MDL DDI or an IRQL word,
 * then (transitively) those calling a function such a file defines that handles MDLs, names an IRQL
 * word or calls such a function. `functions` parses an input (undefined: it cannot be parsed, it stays
 * out); each step is one input parsed. The command line runs it on this thread (`Project.fromTexts`)
 * and, with worker threads, over the facts the workers report (`chooseFromFacts`): one routine, so that
 * both choose the same files in the same order.
 */
export function* chooseFiles<I extends { path: string }>(
  inputs: readonly I[],
  text: (i: I) => ChoiceText,
  functions: (i: I) => Generator<void, readonly ChoiceFunction[] | undefined>,
): Generator<void, I[]> {
  const chosen = new Map<string, I>();
  let names = new Set<string>();
  let pending = inputs.filter((i) => {
    const t = text(i);
    return t.mdl || t.irql.named;
  });
  while (pending.length) {
    const added: string[] = [];
    for (const i of pending) {
      if (chosen.has(i.path)) continue;
      const fns = yield* functions(i);
      if (fns === undefined) continue;
      yield;
      chosen.set(i.path, i);
      // only functions that handle MDLs (or call one that does) can matter to a caller in another file
      for (const fn of fns) {
        const short = fn.short;
        if (names.has(short) || !/^[A-Za-z_]\w*$/.test(short)) continue;
        const b = fn.facts();
        if (b.mdl || fn.irql() || (names.size > 0 && b.calls.some((c) => names.has(c)))) added.push(short);
      }
    }
    if (!added.length) break;
    names = new Set([...names, ...added]);
    const fresh = new Set(added);
    pending = inputs.filter((i) => {
      if (chosen.has(i.path)) return false;
      for (const c of text(i).calls) if (fresh.has(c)) return true;
      return false;
    });
  }
  return [...chosen.values()];
}

/**
 * What a worker thread reports of each file of its share for `chooseFromFacts` (plain data): the
 * text's facts, each function's (undefined when the file cannot be parsed), and the raising macros the
 * text defines.
 */
export interface ChoiceFacts {
  path: string;
  text: { mdl: boolean; irql: boolean; calls: string[] };
  functions?: { short: string; mdl: boolean; irql: boolean; calls: readonly string[] }[];
  raising: string[];
}

/** `file`'s facts for choosing (`file` undefined: the input could not be parsed). */
export function choiceFacts(input: { path: string; text: string }, file: SourceFile | undefined, irqlTable: IrqlTable): ChoiceFacts {
  const words = irqlWordsPattern(irqlTable);
  const t = textFacts(input, words);
  const out: ChoiceFacts = { path: input.path, text: { mdl: t.mdl, irql: t.irql.named, calls: [...t.calls] }, raising: [...programMacros(input.path, input.text, undefined)] };
  if (file) {
    out.functions = choiceFunctions(file, words).map((fn) => {
      const b = fn.facts();
      return { short: fn.short, mdl: b.mdl, irql: fn.irql(), calls: b.calls };
    });
  }
  return out;
}

/** A parsed file's functions as choosing reads them (the facts computed when asked, and kept). */
function choiceFunctions(file: SourceFile, irqlWords: RegExp): ChoiceFunction[] {
  return file.functions.map((fn) => ({ short: shortName(fn.name), facts: () => bodyFacts(file, fn), irql: () => namesIrqlWord(file, fn, irqlWords) }));
}

/** The files (paths, in order) a program of these inputs is made of, from the facts of every input, and the raising macros of all their texts. */
export function chooseFromFacts(facts: readonly ChoiceFacts[]): { paths: string[]; raising: string[] } {
  const steps = chooseFiles(
    facts,
    (f) => ({ mdl: f.text.mdl, irql: { named: f.text.irql }, calls: f.text.calls }),
    function* (f) {
      return f.functions?.map((fn) => ({ short: fn.short, facts: () => fn, irql: () => fn.irql }));
    },
  );
  const chosen = runSteps(steps);
  const raising = new Set<string>();
  for (const f of facts) for (const m of f.raising) raising.add(m);
  return { paths: chosen.map((f) => f.path), raising: [...raising] };
}

/** How a Project is built. */
export interface ProjectOptions {
  /** Prefix stripped from file paths in messages. */
  root?: string;
  /** The IRQL contract table of the run (default: the built-in table). */
  irqlTable?: IrqlTable;
  /**
   * Summaries kept from an earlier Project of the same files (the language server builds a Project per
   * edit): a function whose text, position, program facts and callee summaries are all unchanged
   * reuses its summary instead of being analysed again. See `SummaryCache`.
   */
  summaryCache?: SummaryCache;
  /** Parses an input (the language server passes one that reuses its parsed trees); default `parseSource`. */
  parse?: (input: { path: string; text: string }) => SourceFile;
  /** The raising macros each text defines, kept between Projects of the same texts (the language server). */
  raisingMacroMemo?: Map<string, readonly string[]>;
  /**
   * `fromTexts`: keep each parsed file as its compact copy and release its native tree at once (see
   * `releaseTree`), so that a run holds one native tree at a time. The command line does; the language
   * server, which reparses its trees incrementally, does not.
   */
  releaseTrees?: boolean;
  /**
   * The raising macros of every text of the run, when the texts are not all at hand (a worker thread,
   * which holds its own share and the files of the program); default: those of the inputs (`fromTexts`),
   * or of the files.
   */
  raisingMacros?: readonly string[];
  /**
   * `fromTexts` with `releaseTrees`: called for each file of the program once it is parsed and released,
   * with its text as the program keeps it (as a patch over the preprocessed text, built again when read:
   * see source-text.ts). The program reads an input's text only to parse it (and what it keeps of it are
   * copies), so the caller may drop its own copy of that text and read the program's instead: the command
   * line, which read every file before, held both (36 MiB of Windows-driver-samples' sources).
   */
  onHeld?: (path: string, text: () => string) => void;
  /**
   * With `onHeld`: what the analyses read of every file's text for the whole program (`readWhileHeld`: the
   * program view's and the IRQL analysis's), read before the file holds its text compressed, so that no
   * pass inflates every file again. The one entry point of those reads, as in the worker threads.
   */
  readHeld?: (file: SourceFile) => void;
  /**
   * Compute only the summaries the functions of these files need: their own helpers and, transitively,
   * the helpers those call (a worker thread of `--threads`, which then receives the other workers'
   * summaries with `adoptSummaries`, so that each summary is computed once in the run). Default: all.
   */
  summarizeFor?: ReadonlySet<string>;
}

/**
 * Summaries by function, each with what it was computed from: the function's own text and position, the
 * program facts every analysis reads (dispatch routines, raising macros) and the summaries of the
 * functions it calls. A lookup only succeeds when all of these are equal, so a reused summary is the
 * one the analysis would compute again.
 */
export class SummaryCache {
  /** Per function, the summaries computed from each set of inputs (a recursive group is summarized in rounds, each with its own inputs). */
  private entries = new Map<string, Map<string, Summary | undefined>>();
  private touched = new Set<string>();
  hits = 0;
  misses = 0;
  get(key: string, inputs: string): { summary: Summary | undefined } | undefined {
    const e = this.entries.get(key);
    this.touched.add(key);
    if (e && e.has(inputs)) {
      this.hits++;
      return { summary: e.get(inputs) };
    }
    this.misses++;
    return undefined;
  }
  set(key: string, inputs: string, summary: Summary | undefined): void {
    let e = this.entries.get(key);
    if (!e) this.entries.set(key, (e = new Map()));
    if (e.size >= MAX_FIXPOINT_ROUNDS + 2) e.delete(e.keys().next().value!);
    e.set(inputs, summary);
    this.touched.add(key);
  }
  /** Forget the functions the last Project did not look up (deleted or renamed ones). */
  sweep(): void {
    for (const k of [...this.entries.keys()]) if (!this.touched.has(k)) this.entries.delete(k);
    this.touched.clear();
  }
  get size(): number {
    return this.entries.size;
  }

  /**
   * The cache as JSON (`ddi-lint summarize --out FILE`): every path under `root` is written relative to it,
   * so a file made in one checkout serves another checkout of the same sources (CI machines).
   */
  toJSON(root: string, stamp: string): string {
    const entries = [...this.entries].map(([key, m]) => [key, [...m].map(([inputs, summary]) => [inputs, summary ?? null])]);
    const prefix = JSON.stringify(root.replace(/[/\\]+$/, '')).slice(1, -1);
    const body = JSON.stringify(entries, infinityOut).split(prefix).join(ROOT_MARK);
    return `{"format":"ddi-lint-summaries","version":${SUMMARY_FORMAT_VERSION},"stamp":${JSON.stringify(stamp)},"entries":${body}}\n`;
  }

  /** The cache of a file written by `toJSON`, its paths rooted at `root`. Throws a one-line Error when the file is not one. */
  static fromJSON(text: string, root: string, stamp: string): SummaryCache {
    const prefix = JSON.stringify(root.replace(/[/\\]+$/, '')).slice(1, -1);
    let data: { format?: unknown; version?: unknown; stamp?: unknown; entries?: unknown };
    try {
      data = JSON.parse(text.split(ROOT_MARK).join(prefix), infinityIn) as typeof data;
    } catch (e) {
      throw new Error(`not JSON (${e instanceof Error ? e.message : String(e)})`);
    }
    if (data?.format !== 'ddi-lint-summaries' || !Array.isArray(data.entries)) throw new Error('not a ddi-lint summaries file (ddi-lint summarize --out FILE writes one)');
    if (data.version !== SUMMARY_FORMAT_VERSION || data.stamp !== stamp) throw new Error(`written by another ddi-lint (${String(data.stamp)}, this is ${stamp}): run ddi-lint summarize again`);
    const cache = new SummaryCache();
    for (const e of data.entries as unknown[]) {
      if (!Array.isArray(e) || typeof e[0] !== 'string' || !Array.isArray(e[1])) throw new Error('malformed entry');
      const m = new Map<string, Summary | undefined>();
      for (const pair of e[1] as unknown[]) {
        if (!Array.isArray(pair) || typeof pair[0] !== 'string') throw new Error('malformed entry');
        m.set(pair[0], (pair[1] ?? undefined) as Summary | undefined);
      }
      cache.entries.set(e[0], m);
    }
    return cache;
  }
}

/**
 * A summary's value ranges are bounded by -Infinity and Infinity (`x != 0` is `[[-Infinity, -1], [1, Infinity]]`),
 * which JSON writes as null, and a null bound read back made every range empty: a case that took `if (Locked)`
 * was then taken by no caller, and the paths through its calls were lost (a use after free behind such a call
 * was reported without `--summaries FILE` and not with it). They are written as these strings, which no path
 * or name of a summary can be (a C name has no space).
 */
const INFINITY_MARK = 'ddi-lint infinity';
const infinityOut = (_k: string, v: unknown): unknown => (v === Infinity ? INFINITY_MARK : v === -Infinity ? `-${INFINITY_MARK}` : v);
const infinityIn = (_k: string, v: unknown): unknown => (v === INFINITY_MARK ? Infinity : v === `-${INFINITY_MARK}` ? -Infinity : v);

/** Bumped whenever the summary's shape or the analysis that computes it changes meaning. */
const SUMMARY_FORMAT_VERSION = 4;
/** Stands for the root directory in a summaries file. */
const ROOT_MARK = '<ddi-lint-root>';

/** The key of a function of the program (`ProjectFunction.key`): its file, name and line. */
export function functionKeyOf(file: { path: string }, fn: { name: string; line: number }): string {
  return `${file.path}#${fn.name}#${fn.line}`;
}

export class Project implements ProjectContext {
  private readonly byName = new Map<string, ProjectFunction[]>();
  private readonly byFile = new Map<string, ProjectFunction[]>();
  /** Each function by its definition, and by key (`path#name#line`; the first of a key): `functionOf` in constant time (a file may hold 800,000 functions). */
  private readonly byFn = new Map<FunctionInfo, ProjectFunction>();
  private readonly byKey = new Map<string, ProjectFunction>();
  private readonly files = new Map<string, SourceFile>();
  private readonly dispatch = new Set<string>();
  private readonly summaries = new Map<string, Summary>();
  private readonly callees = new Map<string, ProjectFunction[]>();
  /** Functions calling each function (by key), from a scan of every body. */
  private readonly callers = new Map<string, ProjectFunction[]>();
  private readonly callSiteCache = new Map<string, CallSite[]>();
  private readonly protectedCache = new Map<string, boolean>();
  private readonly root: string | undefined;
  private readonly summaryCache: SummaryCache | undefined;
  private readonly summarizeFor: ReadonlySet<string> | undefined;
  /** The functions of the linted files each function calls (resolved), by key. */
  private readonly calls = new Map<string, ProjectFunction[]>();

  /** Function-like macros that raise and never return (`#define FatRaiseStatus(C, S) { ...; ExRaiseStatus(S); }`). */
  private readonly raisingMacros = new Set<string>();

  /**
   * The IRQL contract table of the whole run: the built-in table with the `irqlContracts` of every
   * configuration file of the run layered on top (default: the built-in table alone).
   */
  readonly irqlTable: IrqlTable;
  /** Matches every function name of `irqlTable`, the role types, registrations and IRQL annotations (like `IRQL_WORDS`). */
  readonly irqlWords: RegExp;

  constructor(files: SourceFile[], opts: ProjectOptions = {}) {
    this.root = opts.root;
    this.summaryCache = opts.summaryCache;
    this.irqlTable = opts.irqlTable ?? BUILTIN_IRQL_TABLE;
    this.irqlWords = irqlWordsPattern(this.irqlTable);
    if (opts.raisingMacros) for (const m of opts.raisingMacros) this.raisingMacros.add(m);
    else for (const f of files) for (const m of programMacros(f.path, f.text, opts.raisingMacroMemo)) this.raisingMacros.add(ownCopy(m));
    this.headerConsts = headerConstantsOf(this.raisingMacros);
    this.headerMacros = headerMacrosOf(this.raisingMacros);
    this.unions = unionAliasesOf([...this.raisingMacros].filter((m) => m.startsWith(UNION_MACRO)).map((m) => m.slice(UNION_MACRO.length)));
    for (const file of files) {
      this.files.set(file.path, file);
      for (const n of dispatchNames(file)) this.dispatch.add(n);
      const list: ProjectFunction[] = [];
      for (const fn of file.functions) {
        if (!this.compiled(file, fn)) continue;
        const pf: ProjectFunction = { path: file.path, name: fn.name, line: fn.line, file, fn, key: functionKeyOf(file, fn), isStatic: isStaticDefinition(file, fn) };
        list.push(pf);
        if (!this.byFn.has(fn)) this.byFn.set(fn, pf);
        if (!this.byKey.has(pf.key)) this.byKey.set(pf.key, pf);
        // C++ members are called by their unqualified name (`LockPages(...)`, `this->LockPages(...)`)
        const names = new Set([fn.name, shortName(fn.name)]);
        for (const n of names) {
          const same = this.byName.get(n);
          if (same) same.push(pf);
          else this.byName.set(n, [pf]);
        }
      }
      this.byFile.set(file.path, list);
    }
    this.summarizeFor = opts.summarizeFor;
    this.computeSummaries(opts.summarizeFor);
    this.nameHelpers();
  }

  /** The helpers with MDL effects by name, from the summaries (after they are all known). */
  private nameHelpers(): void {
    const names: string[] = [];
    for (const s of this.summaries.values()) if (!s.trivial) names.push(shortName(s.name).replace(/[^A-Za-z0-9_]/g, ''));
    this.helperWords = names.length ? new RegExp(`\\b(?:${[...new Set(names)].join('|')})\\s*\\(`) : undefined;
    this.helperNames = new Set(names);
  }

  /** The helper summaries computed here of the functions of these files (`null`: the function has none), for `adoptSummaries` in another thread. */
  summaryEntries(paths: ReadonlySet<string>): [string, Summary | null][] {
    const out: [string, Summary | null][] = [];
    for (const key of this.summarized) if (paths.has(this.byKey.get(key)!.path)) out.push([key, this.summaries.get(key) ?? null]);
    return out;
  }

  /**
   * Take the summaries another thread computed (`summaryEntries`) of the helpers this Project was not
   * asked to summarize (`summarizeFor`): the Project then holds every summary one thread computes.
   */
  adoptSummaries(entries: Iterable<[string, Summary | null]>): void {
    for (const [key, s] of entries) if (!this.summarized.has(key)) this.setSummary(key, s ?? undefined);
    this.nameHelpers();
  }

  /** How many helper summaries of the `summarizeFor` files (default: all) came from `summaryCache` and how many were computed. */
  readonly summaryStats = { reused: 0, computed: 0 };

  /** The names of the helpers with MDL effects (a function naming one is analysed even without DDI names). */
  helperNames: ReadonlySet<string> = new Set();

  private helperWords: RegExp | undefined;


  /** The text calls a function whose summary has MDL effects (so it needs the analysis even without DDI names). */
  callsHelper(text: string): boolean {
    return this.helperWords !== undefined && this.helperWords.test(text);
  }

  /**
   * The program made of these texts. Only files that can matter are parsed: those naming an MDL DDI,
   * and (transitively) those calling a function such a file defines.
   */
  static fromTexts(inputs: readonly { path: string; text: string }[], root?: string, opts: Omit<ProjectOptions, 'root'> = {}): Project {
    return runSteps(Project.build(inputs, root, opts));
  }

  /**
   * `fromTexts`, letting the event loop turn after each file it parses: the native tree-sitter binding
   * frees a released tree (`releaseTrees`) only then, so a run that never yields holds every tree at
   * once (measured: 630 MiB for a 24 MiB source tree, against 110 MiB when yielding).
   */
  static async fromTextsAsync(inputs: readonly { path: string; text: string }[], root?: string, opts: Omit<ProjectOptions, 'root'> = {}): Promise<Project> {
    return runStepsAsync(Project.build(inputs, root, opts));
  }

  /** The files that matter across files, parsed (one step per file), then the Project of them. */
  private static *build(inputs: readonly { path: string; text: string }[], root: string | undefined, opts: Omit<ProjectOptions, 'root'>): Generator<void, Project> {
    const parse = opts.parse ?? ((i: { path: string; text: string }) => parseSource(i.path, i.text));
    const irqlWords = irqlWordsPattern(opts.irqlTable ?? BUILTIN_IRQL_TABLE);
    const parsed = new Map<string, SourceFile>();
    // the raising macros of every text, read before any text is handed over (`onHeld`)
    let raising = opts.raisingMacros;
    if (!raising) {
      const found = new Set<string>();
      for (const i of inputs) for (const m of programMacros(i.path, i.text, opts.raisingMacroMemo)) found.add(ownCopy(m));
      raising = [...found];
    }
    const chosen = yield* chooseFiles(
      inputs,
      (i) => textFacts(i, irqlWords),
      function* (i) {
        let f: SourceFile;
        try {
          // (a run that releases its trees parses a huge file a piece at a time, a step per piece)
          f = opts.releaseTrees && !opts.parse && parsedInPieces(i.text) ? yield* parseReleasedSteps(i) : parse(i);
        } catch {
          return undefined;
        }
        if (opts.releaseTrees) {
          releaseParsed(f);
          if (opts.onHeld) {
            // what is read of every file's text, read while the text is at hand
            opts.readHeld?.(f);
            // the caller drops its copy of the text: the file keeps it, compressed (see source-text.ts)
            keepTextAsPatch(f);
            opts.onHeld(i.path, () => f.text);
          }
        }
        parsed.set(i.path, f);
        return choiceFunctions(f, irqlWords);
      },
    );
    // (the facts served the choice, and a run that releases its trees builds one program: the command line;
    // the language server, which builds a program per edit from the same inputs, keeps them)
    if (opts.releaseTrees) for (const i of inputs) textFactsMemo.delete(i);
    const irqlTable = opts.irqlTable ?? BUILTIN_IRQL_TABLE;
    const options: ProjectOptions = { ...opts, raisingMacros: raising, irqlTable };
    if (root !== undefined) options.root = root;
    return new Project(
      chosen.map((i) => parsed.get(i.path)!),
      options,
    );
  }

  // ---- ProjectContext --------------------------------------------------------------------------

  summaryFor(file: SourceFile, name: string): Summary | undefined {
    const f = this.resolve(file, name);
    if (!f) return undefined;
    return this.summaries.get(f.key);
  }

  /** A call of `name` from `file` reaches a definition whose body does nothing (`BodyFacts.empty`). */
  doesNothing(file: SourceFile, name: string): boolean {
    const f = this.resolve(file, name);
    return !!f?.file && !!f.fn && bodyFacts(f.file, f.fn).empty;
  }

  isDispatchRoutine(_file: SourceFile, name: string): boolean {
    return this.dispatch.has(name);
  }

  /**
   * The constants the program's headers define (object-like `#define`s with a constant value, enumerators;
   * see `textConstants`) that every header defining them gives the same value: the flag bits and modes a
   * driver's `.c` files take from its own header (`#define REQ_STATE_PAGES_LOCKED 0x2` in `driver.h`). A
   * header is any input that is not a translation unit (`.c`, `.cpp`, `.cc`, `.cxx`): named on the command
   * line or included (src/parse/includes.ts), whether or not the program needs it otherwise (read from
   * every input's text, like the raising macros). A name two headers define differently is left unknown.
   */
  private readonly headerConsts: ReadonlyMap<string, number>;
  headerConstants(): ReadonlyMap<string, number> {
    return this.headerConsts;
  }

  /** The members of the program's union fields, by field name, each with the name of the storage it shares (see unions.ts). */
  readonly unions: ReadonlyMap<string, ReadonlyMap<string, string>>;

  /** A constant of the program's headers (see `headerConstants`). */
  headerConstant(name: string): number | undefined {
    return this.headerConsts.get(name);
  }

  /**
   * What the program says of the macros the headers define (`ppMacroFacts`), joined over every header: a name
   * two headers define differently, or one defines under a condition, is `'unknown'`.
   */
  private readonly headerMacros: ReadonlyMap<string, MacroFact>;

  /**
   * A macro as a preprocessor condition in `file` reads it (`src/cfg/pp-conditions.ts`): the file's own
   * definitions, else the headers'. Undefined: the program does not define it (a build may, on its command line).
   */
  macroFact(file: SourceFile, name: string): MacroFact | undefined {
    return fileMacroFacts(file).get(name) ?? this.headerMacros.get(name);
  }

  private readonly compiledMemo = new WeakMap<FunctionInfo, boolean>();

  /**
   * The program's macros do not rule the function out: it lies in no `#if` branch (`FunctionInfo.guard`)
   * they decide is never compiled (`#if USE_STREAM_CONTEXTS` with `#define USE_STREAM_CONTEXTS 0` in the
   * driver's header, the `#else` of `#ifdef MINI_PORT` with `#define MINI_PORT`). A function ruled out
   * is not linted and is no definition of its name (calls bind to the branch the build compiles). A
   * branch that depends on a name the program does not define is compiled: a build may define it.
   */
  compiled(file: SourceFile, fn: FunctionInfo): boolean {
    if (!fn.guard) return true;
    let v = this.compiledMemo.get(fn);
    if (v === undefined) {
      const node = parseRaw(`#if ${fn.guard}\n#endif\n`, 'c').rootNode.namedChildren[0];
      v = !(node?.type === 'preproc_if' && ppTruth(node as unknown as AstNode, (name) => this.macroFact(file, name)) === false);
      this.compiledMemo.set(fn, v);
    }
    return v;
  }

  /** A function-like macro of the program whose body ends in an unconditional `return` (see `raisingMacros`). */
  returnsMacro(name: string): boolean {
    return this.raisingMacros.has(`${RETURN_MACRO}${name}`);
  }

  /**
   * The constant a C++ declaration of `name` with `arity` parameters gives parameter `index` when a call leaves
   * it out (`PVOID64 GetPhysicalAddress(PVOID Va, PEPROCESS Process = NULL);`: 0 for index 1), see
   * `defaultArguments`; undefined when none does, or two declarations give different ones.
   */
  defaultArgument(name: string, arity: number, index: number): number | undefined {
    const prefix = `${DEFAULT_ARG}${name}/${arity}/${index}=`;
    let out: number | undefined;
    for (const m of this.defaultsOf(name)) {
      if (!m.startsWith(prefix)) continue;
      const v = Number(m.slice(prefix.length));
      if (out !== undefined && out !== v) return undefined;
      out = v;
    }
    return out;
  }

  /** Some declaration of `name` gives a parameter a default (`defaultArgument`). */
  hasDefaultArguments(name: string): boolean {
    return this.defaultsOf(name).length > 0;
  }

  private defaultsByName: Map<string, string[]> | undefined;
  private defaultsOf(name: string): readonly string[] {
    if (!this.defaultsByName) {
      this.defaultsByName = new Map();
      for (const m of this.raisingMacros) {
        if (!m.startsWith(DEFAULT_ARG)) continue;
        const n = m.slice(DEFAULT_ARG.length, m.indexOf('/'));
        const l = this.defaultsByName.get(n);
        if (l) l.push(m);
        else this.defaultsByName.set(n, [m]);
      }
    }
    return this.defaultsByName.get(name) ?? [];
  }

  /** A function-like macro of the program whose body is an expression without assignments or calls (see `valueMacros`). */
  valueMacro(name: string): boolean {
    // (a name some file of the program defines otherwise, `#define NEXT(q) PopEntry(q)`, is none)
    return this.raisingMacros.has(`${VALUE_MACRO}${name}`) && !this.raisingMacros.has(`${NOT_VALUE_MACRO}${name}`);
  }

  /**
   * A function-like macro that jumps to a label (`try_return(S)`: `{ S; goto try_exit; }`), maybe on a test of
   * its own (`IF_FAILED_JUMP(s, label)`), or calls one that does (`HLPR_BAIL_ON_FAILURE(status)`), as `file`
   * sees it: its own definition of the name, else that of the program's headers (a `.c` file's macros are its
   * own). Undefined when there is none, the file's own definition does something else, or two headers define
   * the name differently.
   */
  gotoMacro(file: SourceFile, name: string, depth = 0): MacroJump | undefined {
    // the file's own definition of the name, if it has one (jumping, calling one, or neither); else the
    // program's headers'
    const own = fileGotoMacros(file);
    if (own.has(name)) {
      const d = own.get(name);
      if (!d) return undefined;
      return 'callee' in d ? this.forwarded(file, d, depth) : d;
    }
    if (!this.gotoMacros) {
      const all = new Map<string, MacroJump | MacroForward | null>();
      for (const m of this.raisingMacros) {
        const kind = m.startsWith(GOTO_MACRO) ? GOTO_MACRO : m.startsWith(FORWARD_MACRO) ? FORWARD_MACRO : undefined;
        if (!kind) continue;
        const at = m.indexOf('@');
        if (at < 0) continue;
        const name = m.slice(kind.length, at);
        all.set(name, agreeing(all.get(name), JSON.parse(m.slice(at + 1)) as MacroJump | MacroForward));
      }
      this.gotoMacros = all;
    }
    const d = this.gotoMacros.get(name);
    if (!d) return undefined;
    return 'callee' in d ? this.forwarded(file, d, depth) : d;
  }
  private gotoMacros: Map<string, MacroJump | MacroForward | null> | undefined;

  /** A macro that calls a jumping macro (`HLPR_BAIL_ON_FAILURE(status)`: `HLPR_BAIL_ON_FAILURE_WITH_LABEL(status, HLPR_BAIL_LABEL)`), as the jump it makes. */
  private forwarded(file: SourceFile, f: MacroForward, depth: number): MacroJump | undefined {
    if (depth >= 4) return undefined;
    const j = this.gotoMacro(file, f.callee, depth + 1);
    return j ? forwardJump(j, f) : undefined;
  }

  /** The argument a returning macro returns (`EBPF_RETURN_POINTER(type, pointer)` returns `pointer`, index 1), if it returns one. */
  returnedArgument(name: string): number | undefined {
    for (let k = 0; k < 8; k++) if (this.raisingMacros.has(`${RETURN_MACRO}${name}=${k}`)) return k;
    return undefined;
  }

  mayRaise(file: SourceFile, name: string): boolean {
    if (this.raisingMacros.has(name)) return true;
    const f = this.resolve(file, name);
    return !!(f && this.summaries.get(f.key)?.mayRaise);
  }

  /** A call of `name` from `file` never returns: a routine of the table that never does (KeBugCheckEx, ExRaiseStatus), a raising macro, a helper every exit of which raises. */
  noReturn(file: SourceFile, name: string): boolean {
    if (ddiEffect(name)?.noreturn || this.raisingMacros.has(name)) return true;
    const f = this.resolve(file, name);
    const s = f ? this.summaries.get(f.key) : undefined;
    // every exit of the helper is an exception (a raise wrapper such as FatRaiseStatus written as a function)
    return !!(s && s.mayRaise && s.cases.length > 0 && s.cases.every((c) => c.raise));
  }

  displayName(file: string): string {
    if (this.root && file.startsWith(this.root)) return file.slice(this.root.length).replace(/^[/\\]+/, '');
    const k = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
    return k >= 0 ? file.slice(k + 1) : file;
  }

  // ---- queries ---------------------------------------------------------------------------------

  /** `file` is this program's copy of its path. */
  holds(file: SourceFile): boolean {
    return this.files.get(file.path) === file;
  }

  sourceFor(path: string, text: string): SourceFile | undefined {
    const f = this.files.get(path);
    return f && f.text === text ? f : undefined;
  }


  /** The function's body calls a function defined in the linted files (resolved from `file`), by the names its `bodyFacts` read. */
  bodyCallsDefinedFunction(file: SourceFile, fn: FunctionInfo): boolean {
    return bodyFacts(file, fn).calls.some((n) => !KEYWORDS.has(n) && this.byName.has(n) && this.resolve(file, n) !== undefined);
  }

  private sccIndex: Map<string, number> | undefined;
  private sccMembers: ProjectFunction[][] = [];
  /**
   * The strongly connected component of the call graph a function belongs to (mutually recursive
   * functions share one; a function that calls itself is alone in its own, flagged `recursive`). The
   * analyses treat a component as a whole, so that their results do not depend on which function they
   * were asked about first.
   */
  componentOf(f: ProjectFunction): { id: number; members: ProjectFunction[]; recursive: boolean } {
    if (!this.sccIndex) {
      this.sccIndex = new Map();
      const all = [...this.byFile.values()].flat();
      for (const comp of tarjan(all, (g) => this.calls.get(g.key) ?? [])) {
        const id = this.sccMembers.length;
        this.sccMembers.push(comp.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)));
        for (const g of comp) this.sccIndex.set(g.key, id);
      }
    }
    const id = this.sccIndex.get(f.key);
    if (id === undefined) return { id: -1, members: [f], recursive: false };
    const members = this.sccMembers[id]!;
    return { id, members, recursive: members.length > 1 || (this.calls.get(f.key) ?? []).some((g) => g.key === f.key) };
  }

  /** The functions of the linted files this one calls (from a scan of its body). */
  calleesOf(f: ProjectFunction): ProjectFunction[] {
    return this.calls.get(f.key) ?? [];
  }

  /** The functions of the linted files that call this one (from a scan of every body). */
  callersOf(target: ProjectFunction): ProjectFunction[] {
    return this.callers.get(target.key) ?? [];
  }

  /** Every parsed file of the program. */
  allFiles(): SourceFile[] {
    return [...this.files.values()];
  }

  functionOf(file: SourceFile, fn: FunctionInfo): ProjectFunction | undefined {
    // by identity, else by file, name and line (a function of another parse of the same text)
    return this.byFn.get(fn) ?? this.byKey.get(functionKeyOf(file, fn));
  }

  /**
   * The definition a call of `name` from `file` reaches: the file's own, else the only external one, else
   * the only `static` (`static inline`, `static __forceinline`) one of the program's headers (wireguard-nt's
   * `RcuReadLock`, which raises to DISPATCH_LEVEL, is a static inline of rcu.h, which the files that call it
   * include, most through other headers). Which headers a file includes is not checked: a program's header
   * that defines a static function is there to be included, and files that define no function of interest
   * (a header of includes) are not part of the program.
   */
  /** Some file of the program defines a function of this name (a call of it may still not resolve: two statics). */
  isDefined(name: string): boolean {
    return this.byName.has(name);
  }

  /** The definitions of a name in the program's files (functions of other namespaces or classes of that name too). */
  definitionsOf(name: string): readonly ProjectFunction[] {
    return this.byName.get(name) ?? [];
  }

  resolve(file: { path: string }, name: string, argCount?: number): ProjectFunction | undefined {
    const local = this.byName.get(name);
    if (!local) return undefined;
    const same = local.find((f) => f.path === file.path);
    if (same) {
      // several of that name in the file (static functions of two namespaces, C++ overloads): the one whose
      // parameters the call's arguments fill, when the caller says how many (else none: which is not known)
      if (argCount === undefined || local.length === 1) return same;
      const here = local.filter((f) => f.path === file.path);
      if (here.length === 1) return same;
      const fit = here.filter((f) => f.fn?.params.length === argCount);
      return fit.length === 1 ? fit[0] : undefined;
    }
    const external = local.filter((f) => !f.isStatic);
    if (external.length) return external.length === 1 ? external[0] : undefined;
    const inHeaders = local.filter((f) => HEADER.test(f.path));
    return inHeaders.length === 1 ? inHeaders[0] : undefined;
  }

  /** Every call of `target` among the linted files. */
  callSites(target: ProjectFunction): CallSite[] {
    const cached = this.callSiteCache.get(target.key);
    if (cached) return cached;
    const out: CallSite[] = [];
    const name = shortName(target.name);
    {
      for (const caller of this.callers.get(target.key) ?? []) {
        if (!caller.fn || !caller.file) continue;
        // each node with whether a __try around it (in this function) takes the exception
        const stack: [AstNode, boolean][] = [[liteBody(caller.file, caller.fn), false]];
        while (stack.length) {
          const [n, prot] = stack.pop()!;
          if (n.type === 'call_expression') {
            const f = n.childForFieldName('function');
            const callee = f?.type === 'identifier' ? f.text : f?.type === 'field_expression' ? f.childForFieldName('field')?.text : f?.type === 'qualified_identifier' ? f.childForFieldName('name')?.text : undefined;
            if (callee === name) {
              const at = n.startPosition;
              out.push({ caller, line: at.row + 1, column: at.column + 1, protectedHere: prot });
            }
          }
          const kids = n.namedChildren;
          const guarded = n.type === 'seh_try_statement' && guardsBody(n) ? (n.childForFieldName('body') ?? kids[0]) : undefined;
          const inner = n.type === 'function_definition' ? false : prot;
          for (let k = kids.length - 1; k >= 0; k--) stack.push([kids[k]!, inner || kids[k] === guarded || (guarded !== undefined && k === 0)]);
        }
      }
    }
    this.callSiteCache.set(target.key, out);
    return out;
  }

  /**
   * Every call of the function sits inside a `__try` that takes the exception, directly or because
   * the calling function is itself only called that way (greatest fixpoint over recursion).
   */
  protectedByCallers(target: ProjectFunction, inProgress = new Set<string>()): boolean {
    const cached = this.protectedCache.get(target.key);
    if (cached !== undefined) return cached;
    if (inProgress.has(target.key)) return true;
    if (this.dispatch.has(target.name)) return false;
    inProgress.add(target.key);
    const sites = this.callSites(target);
    const result = sites.length > 0 && sites.every((s) => s.protectedHere || this.protectedByCallers(s.caller, inProgress));
    inProgress.delete(target.key);
    if (inProgress.size === 0) this.protectedCache.set(target.key, result);
    return result;
  }

  /** Calls of the function that no `__try` takes the exception of, up the call chain. */
  unprotectedCallers(target: ProjectFunction): CallSite[] {
    return this.callSites(target).filter((s) => !s.protectedHere && !this.protectedByCallers(s.caller));
  }

  // ---- summaries -------------------------------------------------------------------------------

  /**
   * Changes whenever a summary does (what `mayRaise` answers may change with it): the key under which
   * the functions' CFGs, whose exceptional edges follow `mayRaise`, are kept (`functionCfg`).
   */
  raisingVersion: object = {};

  /** The helpers this Project summarized itself (by key): all, or those `summarizeFor` needs. */
  private readonly summarized = new Set<string>();

  private computeSummaries(only?: ReadonlySet<string>): void {
    // relevant functions: they handle MDLs, or call a function that does
    const all = [...this.byFile.values()].flat();
    const calls = this.calls;
    const relevant = new Set<string>();
    const called = new Set<string>();
    for (const f of all) {
      const facts = bodyFacts(f.file!, f.fn!);
      if (facts.mdl) relevant.add(f.key);
      const out: ProjectFunction[] = [];
      for (const n of facts.calls) {
        if (KEYWORDS.has(n) || !this.byName.has(n)) continue;
        const g = this.resolve(f, n);
        if (g) {
          out.push(g);
          called.add(g.key);
          const cs = this.callers.get(g.key);
          if (cs) cs.push(f);
          else this.callers.set(g.key, [f]);
        }
      }
      calls.set(f.key, out);
    }
    for (let changed = true; changed; ) {
      changed = false;
      for (const f of all) {
        if (relevant.has(f.key)) continue;
        if (calls.get(f.key)!.some((g) => relevant.has(g.key))) {
          relevant.add(f.key);
          changed = true;
        }
      }
    }
    let helpers = all.filter((f) => relevant.has(f.key) && called.has(f.key));
    const helperKeys = new Set(helpers.map((f) => f.key));
    for (const f of helpers) this.callees.set(f.key, calls.get(f.key)!.filter((g) => helperKeys.has(g.key)));
    if (only) {
      // the helpers of these files and, transitively, the helpers they call
      const need = new Set<string>();
      const work = helpers.filter((f) => only.has(f.path));
      for (const f of work) need.add(f.key);
      while (work.length) {
        for (const g of this.callees.get(work.pop()!.key)!) {
          if (need.has(g.key)) continue;
          need.add(g.key);
          work.push(g);
        }
      }
      helpers = helpers.filter((f) => need.has(f.key));
    }
    const rank = new Map(helpers.map((f, i) => [f.key, i]));
    for (const f of helpers) this.summarized.add(f.key);
    for (const scc of tarjan(helpers, (f) => this.callees.get(f.key)!)) {
      // a recursive group's members in an order of their own, whichever of them the search reached
      // first (so that a Project summarizing only some files computes the same rounds as one summarizing all)
      if (scc.length > 1) scc.splice(0, scc.length, ...this.sccOrder(scc, rank));
      const recursive = scc.length > 1 || this.callees.get(scc[0]!.key)!.some((g) => g.key === scc[0]!.key);
      if (!recursive) {
        this.summarize(scc[0]!);
        continue;
      }
      let stable = false;
      for (let round = 0; round < MAX_FIXPOINT_ROUNDS && !stable; round++) {
        stable = true;
        for (const f of scc) {
          const before = JSON.stringify(this.summaries.get(f.key) ?? null);
          this.summarize(f);
          if (JSON.stringify(this.summaries.get(f.key) ?? null) !== before) stable = false;
        }
      }
      if (!stable) {
        // a recursive group whose summaries do not settle: unknown code for its callers
        for (const f of scc) {
          const s = this.summaries.get(f.key);
          if (s) this.setSummary(f.key, { ...s, cases: [], trivial: false });
        }
      }
    }
  }

  private factsFingerprint: string | undefined;
  /** The program facts every function's analysis may read: dispatch routines and raising macros. */
  programFacts(): string {
    // (and the IRQL analysis's program-wide flags: KMDF passive-level callbacks, passive interrupts)
    this.factsFingerprint ??= JSON.stringify([
      [...this.dispatch].sort(),
      [...this.raisingMacros].sort(),
      [...this.files.values()].some((f) => textScan(f).passiveExec),
      [...this.files.values()].some((f) => textScan(f).passive),
    ]);
    return this.factsFingerprint;
  }

  /**
   * The members of a recursive group in the order its summaries are computed in each round: callees
   * before callers (depth first from the member first in the program, each after the members it calls),
   * so that a round mostly reads summaries of the same round.
   */
  private sccOrder(scc: readonly ProjectFunction[], rank: ReadonlyMap<string, number>): ProjectFunction[] {
    const inScc = new Set(scc.map((f) => f.key));
    const first = scc.reduce((a, b) => (rank.get(b.key)! < rank.get(a.key)! ? b : a));
    const out: ProjectFunction[] = [];
    const seen = new Set([first.key]);
    const work: { f: ProjectFunction; i: number }[] = [{ f: first, i: 0 }];
    while (work.length) {
      const top = work[work.length - 1]!;
      const succ = this.callees.get(top.f.key)!;
      if (top.i < succ.length) {
        const g = succ[top.i++]!;
        if (inScc.has(g.key) && !seen.has(g.key)) {
          seen.add(g.key);
          work.push({ f: g, i: 0 });
        }
        continue;
      }
      work.pop();
      out.push(top.f);
    }
    return out;
  }

  /** Set (or with undefined, remove) a function's summary; a change of whether it may raise changes `raisingVersion`. */
  private setSummary(key: string, s: Summary | undefined): void {
    const before = this.summaries.get(key);
    if (s) this.summaries.set(key, s);
    else this.summaries.delete(key);
    if (!!before?.mayRaise !== !!s?.mayRaise) this.raisingVersion = {};
  }

  /** The function's summary counts in `summaryStats` (it is one of the `summarizeFor` files'). */
  private counts(f: ProjectFunction): boolean {
    return this.summarizeFor === undefined || this.summarizeFor.has(f.path);
  }

  private summarize(f: ProjectFunction): void {
    if (!f.fn || !f.file || f.fn.hasError) return;
    const cache = this.summaryCache;
    let inputs: string | undefined;
    if (cache) {
      const callees = (this.calls.get(f.key) ?? []).map((g) => `${g.key}=${JSON.stringify(this.summaries.get(g.key) ?? null)}`);
      const col = f.fn.column;
      // (the file's #define and enum constants too: the analysis decides `if (FLAG & MASK)` with them)
      // (a slice of the original text, not all of it: the functions are summarized across files in turn, see source-text.ts)
      inputs = `${f.line}:${col}\0${f.file.lang}\0${sourceSlice(f.file, f.fn.start, f.fn.bodyEnd)}\0${this.programFacts()}\0${constantsFingerprint(f.file)}\0${callees.join('\0')}`;
      const hit = cache.get(f.key, inputs);
      if (this.counts(f)) this.summaryStats[hit ? 'reused' : 'computed']++;
      if (hit) {
        this.setSummary(f.key, hit.summary);
        return;
      }
    }
    // only the summary is kept: the linter analyses the function again with its file (memory over time)
    let a: { summary?: Summary };
    try {
      a = analyzeFunction(f.file, f.fn, this, { summary: true, record: false });
    } catch {
      // a function the analysis fails on is unknown code to its callers (the linter reports the failure
      // on the function itself); the rest of the program keeps its summaries
      a = {};
    }
    this.setSummary(f.key, a.summary ?? { name: f.name, file: f.path, line: f.line, params: f.fn.params, cases: [], mayRaise: false, touchesGlobals: false, trivial: false });
    if (cache && inputs !== undefined) cache.set(f.key, inputs, this.summaries.get(f.key));
  }
}

/** DDIs that never return (ExRaiseStatus, KeBugCheckEx...), from the DDI table. */
const NORETURN_NAMES = allDdiNames().filter((n) => ddiEffect(n)!.noreturn).join('|');
const NORETURN_DDI = new RegExp(`\\b(?:${NORETURN_NAMES})\\s*\\(`);
/** ...as the last statement of a macro body. */
const ENDS_IN_NORETURN = new RegExp(`(?:${NORETURN_NAMES})\\s*\\([^;]*\\)\\s*;?\\s*\\}?\\s*$`);

/** `raisingMacros`, through the language server's memo when there is one (`ProjectOptions.raisingMacroMemo`). */
function scanRaisingMacros(text: string, memo: Map<string, readonly string[]> | undefined): readonly string[] {
  if (!memo) return raisingMacros(text);
  let out = memo.get(text);
  if (!out) memo.set(text, (out = raisingMacros(text)));
  return out;
}

/**
 * Function-like macros whose body unconditionally ends in a raising DDI, and (marked `return:NAME`) those
 * whose body is straight-line code ending in a `return` (winpcap's `EXIT_FAILURE(q)`: the status set, the
 * IRP completed, `return STATUS_UNSUCCESSFUL;`): a call of one ends the function.
 */
function raisingMacros(text: string): string[] {
  const out = macroFacts(text);
  out.push(...valueMacros(text));
  out.push(...defaultArguments(text));
  for (const [name, v] of textConstants(text)) out.push(`${CONST_MACRO}${name}=${v}`);
  for (const u of textUnions(text)) out.push(`${UNION_MACRO}${u}`);
  for (const [name, f] of ppMacroFacts(text)) out.push(`${PP_MACRO}${name}=${f}`);
  return out;
}

/**
 * The function-like macros whose value depends on their arguments alone: a body that is one expression,
 * without assignments, increments, calls, statements or token pasting (`#define EXTRACT_CTL_METHOD(Ioctl)
 * ((unsigned short)((Ioctl) & 0b11))`). Two uses with the same arguments have the same value, as the code
 * they expand to does.
 */
function valueMacros(text: string): string[] {
  if (!text.includes('#define')) return [];
  const out: string[] = [];
  for (const m of text.matchAll(/^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)\(([^)]*)\)((?:[^\n]*\\\r?\n)*[^\n]*)/gm)) {
    const body = m[3]!.replace(/\\\r?\n/g, ' ').replace(/\/\*.*?\*\//g, ' ').replace(/\/\/[^\r\n]*/, '').trim();
    // no assignment, increment, call, statement or string; and no read of memory (`(c)->Stopped`, `a[i]`, `*p`):
    // what memory holds may change between two uses, a value of the arguments alone may not
    const pure =
      !!body &&
      !/[;{}#"'[]|->|\+\+|--|<<=|>>=|(?<![=!<>])=(?!=)|\b(?!sizeof\b)[A-Za-z_]\w*\s*\(/.test(body) &&
      !/(?:^|[(,=!<>&|+\-~?:*/%^])\s*\*/.test(body);
    // (a name defined otherwise elsewhere is no value macro: `novalue:`)
    out.push(`${pure ? VALUE_MACRO : NOT_VALUE_MACRO}${m[1]!}`);
  }
  return out;
}

/**
 * The constant default arguments of the text's C++ declarations (`PVOID64 GetPhysicalAddress(PVOID Va,
 * OPTIONAL PEPROCESS Process = NULL);`), as `default:NAME/ARITY/INDEX=VALUE`: NULL, nullptr, FALSE and
 * false are 0, TRUE and true 1, and integers their value. A call that leaves the parameter out passes it.
 */
function defaultArguments(text: string): string[] {
  if (!/=\s*(?:NULL|nullptr|FALSE|TRUE|false|true|-?\d)[uUlL]*\s*[,)]/.test(text)) return [];
  const out: string[] = [];
  // (SAL annotations with arguments, `_In_reads_opt_(1)`, go first: a parameter list is matched without parentheses;
  // a declaration ends in `;`, a definition that gives them in `{`)
  const t = text.replace(/\b_\w+_\s*\([^()]*\)/g, (a) => ' '.repeat(a.length));
  for (const m of t.matchAll(/\b([A-Za-z_]\w*)\s*\(([^;{}()=]*=[^;{}()]*)\)\s*(?:const\s*)?(?:noexcept\s*)?(?:override\s*)?(?:=\s*0\s*)?[;{]/g)) {
    const params = m[2]!.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ').split(',').map((p) => p.trim());
    let defaults = false;
    const found: string[] = [];
    for (const [k, p] of params.entries()) {
      const d = /^[\w:<>\s*&]*[\s*&]([A-Za-z_]\w*)\s*=\s*(NULL|nullptr|FALSE|TRUE|false|true|-?(?:0[xX][0-9a-fA-F]+|\d+))[uUlL]*$/.exec(p);
      if (!d) {
        // a parameter without a default after one with: not a declaration (a comparison, an assignment)
        if (defaults || p.includes('=')) {
          found.length = 0;
          break;
        }
        continue;
      }
      defaults = true;
      const v = /^(NULL|nullptr|FALSE|false)$/.test(d[2]!) ? 0 : /^(TRUE|true)$/.test(d[2]!) ? 1 : Number(d[2]!);
      if (Number.isSafeInteger(v)) found.push(`${DEFAULT_ARG}${m[1]!}/${params.length}/${k}=${v}`);
    }
    out.push(...found);
  }
  return out;
}

/**
 * The function-like `#define`s of a text: name, parameter list and body (continuation lines joined, block
 * comments blanked, a trailing line comment cut).
 */
function* functionLikeDefines(text: string): Generator<{ name: string; params: string; body: string }> {
  for (const m of text.matchAll(/^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)\(([^)]*)\)((?:[^\n]*\\\r?\n)*[^\n]*)/gm)) {
    yield { name: m[1]!, params: m[2]!, body: m[3]!.replace(/\\\r?\n/g, ' ').replace(/\/\*.*?\*\//g, ' ').replace(/\/\/.*$/, '') };
  }
}

/** The raising, returning and jumping macros of `raisingMacros`. */
function macroFacts(text: string): string[] {
  if (!text.includes('#define')) return [];
  const raising = NORETURN_DDI.test(text);
  const returning = /\breturn\b/.test(text);
  const jumping = /\bgoto\b/.test(text);
  if (!raising && !returning && !jumping) return [];
  const out: string[] = [];
  for (const m of functionLikeDefines(text)) {
    const body = m.body;
    if (jumping) {
      const g = gotoMacro(body, m.params);
      if (g) {
        out.push(`${GOTO_MACRO}${m.name}@${JSON.stringify(g)}`);
        continue;
      }
      // (a macro that calls another, beside jumping ones: it may be one of them with a label of its own)
      const f = forwardMacro(body, m.params);
      if (f) {
        out.push(`${FORWARD_MACRO}${m.name}@${JSON.stringify(f)}`);
        continue;
      }
    }
    // `do { ...; if (tracing) { log } return x; } while (0)`: a return at the top level of the block, after
    // statements that cannot jump (ebpf-for-windows' EBPF_RETURN_POINTER(type, pointer) logs, then returns `pointer`)
    const wrapped = returning ? topLevelReturn(body) : undefined;
    if (wrapped) {
      out.push(`${RETURN_MACRO}${m.name}`);
      const k = returnedParameter(wrapped.value, wrapped.block, m.params);
      if (k !== undefined) out.push(`${RETURN_MACRO}${m.name}=${k}`);
      continue;
    }
    if (/\bif\b|\?|\bwhile\b|\bfor\b|\bswitch\b|\bgoto\b|&&|\|\|/.test(body)) continue;
    // the raise is the body's last statement
    if (raising && NORETURN_DDI.test(body) && ENDS_IN_NORETURN.test(body.trim())) out.push(m.name);
    else if (returning && (body.match(/\breturn\b/g) ?? []).length === 1 && /\breturn\b[^;{}]*;?\s*\}?\s*$/.test(body.trim())) out.push(`${RETURN_MACRO}${m.name}`);
  }
  return out;
}

/** Per file: its own function-like macros by name, with what `gotoMacro` reads of each (null: not a jump). */
const fileGotoCache = new WeakMap<SourceFile, Map<string, MacroJump | MacroForward | null>>();
function fileGotoMacros(file: SourceFile): Map<string, MacroJump | MacroForward | null> {
  let out = fileGotoCache.get(file);
  if (out) return out;
  out = new Map();
  const text = file.text;
  if (text.includes('#define')) {
    // (a definition that cannot jump, in a text without `goto`, is null: the name is this file's, and no header's jump)
    const jumps = /\bgoto\b/.test(text);
    for (const m of functionLikeDefines(text)) {
      const g = jumps ? (gotoMacro(m.body, m.params) ?? forwardMacro(m.body, m.params) ?? null) : null;
      out.set(m.name, agreeing(out.get(m.name), g));
    }
  }
  fileGotoCache.set(file, out);
  return out;
}

/** A name's reading so far (`had`: undefined if none yet) and another definition's: the one they agree on, else null. */
function agreeing<T>(had: T | null | undefined, v: T | null): T | null {
  return had === undefined || (had !== null && v !== null && JSON.stringify(had) === JSON.stringify(v)) ? v : null;
}

/**
 * A macro body that jumps: `{ S; goto try_exit; }` (the FAT, CDFS and UDF drivers' `try_return(S)`) in braces
 * or `do { } while (0)`, or `goto LABEL` alone, maybe under one test of its own: `if (!NT_SUCCESS(ntStatus))
 * { goto label; }` (`IF_FAILED_JUMP(ntStatus, label)`, Windows-driver-samples' audio drivers), `if (status !=
 * STATUS_SUCCESS) goto label` (the WFP samples). The label (or the parameter that names it), the parameter
 * run first, and the test's text with the parameters' names. Not `S; goto L` unbraced (under an unbraced `if`
 * of the caller only S would be conditional), nor a test with an `else`. An unbraced `if (c) goto L` is
 * `dangling` (it would take the `else` of a caller's `if` whose consequence it is).
 */
function gotoMacro(body: string, params: string): MacroJump | undefined {
  const names = params.split(',').map((p) => p.trim());
  const whole = body.trim();
  let b = unwrapBlock(whole);
  let cond: string | undefined;
  let dangling = false;
  const test = /^if\s*\(/.exec(b);
  if (test) {
    const close = matchingParen(b, test[0].length - 1);
    if (close < 0) return undefined;
    cond = b.slice(test[0].length, close).trim();
    let rest = b.slice(close + 1).trim();
    const braced = /^\{([\s\S]*)\}\s*;?$/.exec(rest);
    if (braced) rest = braced[1]!.trim();
    else if (/;\s*\S/.test(rest.replace(/;\s*$/, ''))) return undefined; // `if (c) S; goto L`: the jump is not under the test
    else dangling = b === whole;
    if (!cond || /\belse\b/.test(rest) || /[{}]/.test(rest)) return undefined;
    b = rest;
  } else if (b === whole && /;\s*goto\b/.test(b)) return undefined;
  const m = /^(?:\(?\s*([A-Za-z_]\w*)\s*\)?\s*;\s*)?goto\s+([A-Za-z_]\w*)\s*;?$/.exec(b);
  if (!m) return undefined;
  const j: MacroJump = {};
  const labelArg = names.indexOf(m[2]!);
  if (labelArg >= 0) j.labelArg = labelArg;
  else j.label = m[2]!;
  if (m[1] !== undefined) {
    const k = names.indexOf(m[1]);
    if (k < 0) return undefined;
    j.arg = k;
  }
  if (cond !== undefined) {
    j.cond = cond;
    j.params = names;
  }
  if (dangling) j.dangling = true;
  return j;
}

/** A macro whose body is one call of another, each argument a parameter or a name (`BAIL(s)`: `BAIL_TO(s, cleanup)`). */
export interface MacroForward {
  callee: string;
  args: string[];
  params: string[];
  /** The call is in braces or `do { } while (0)`: what it expands to takes no `else` of the caller's. */
  wrapped?: boolean;
}

/** The call a macro body is (`HLPR_BAIL_ON_FAILURE_WITH_LABEL(status, HLPR_BAIL_LABEL)`), if it is one call of names. */
function forwardMacro(body: string, params: string): MacroForward | undefined {
  const whole = body.trim();
  const inner = unwrapBlock(whole);
  const m = /^([A-Za-z_]\w*)\s*\(([^()]*)\)\s*;?$/.exec(inner);
  if (!m) return undefined;
  const args = m[2]!.split(',').map((a) => a.trim());
  if (args.some((a) => !/^[A-Za-z_]\w*$/.test(a))) return undefined;
  const f: MacroForward = { callee: m[1]!, args, params: params.split(',').map((p) => p.trim()) };
  if (inner !== whole) f.wrapped = true;
  return f;
}

/**
 * The jump `j` of the macro a forwarding macro `f` calls, as `f`'s own: its label, argument and test over
 * `f`'s parameters (a parameter of the callee that `f` gives a name of its own, `HLPR_BAIL_LABEL`, is that
 * name). Undefined when `f` gives the callee another number of arguments than its test names, or its argument
 * run as a statement is not one of `f`'s parameters.
 */
function forwardJump(j: MacroJump, f: MacroForward): MacroJump | undefined {
  const out: MacroJump = {};
  const argText = (k: number): string | undefined => f.args[k];
  if (j.label !== undefined) out.label = j.label;
  else {
    const t = j.labelArg !== undefined ? argText(j.labelArg) : undefined;
    if (t === undefined) return undefined;
    const k = f.params.indexOf(t);
    if (k >= 0) out.labelArg = k;
    else out.label = t;
  }
  if (j.arg !== undefined) {
    const t = argText(j.arg);
    const k = t !== undefined ? f.params.indexOf(t) : -1;
    if (k < 0) return undefined;
    out.arg = k;
  }
  if (j.cond !== undefined) {
    const own = j.params ?? [];
    if (own.length !== f.args.length) return undefined;
    const to = new Map(own.map((p, k) => [p, f.args[k]!]));
    out.cond = j.cond.replace(/\b[A-Za-z_]\w*\b/g, (w) => to.get(w) ?? w);
    out.params = f.params;
  }
  if (j.dangling && !f.wrapped) out.dangling = true;
  return out;
}

/** A macro body without its `do { } while (0)` or braces. */
function unwrapBlock(b: string): string {
  const dw = /^do\s*\{([\s\S]*)\}\s*while\s*\(\s*(?:0|false|FALSE)\s*\)\s*;?$/.exec(b);
  if (dw) return dw[1]!.trim();
  if (/^\{[\s\S]*\}\s*;?$/.test(b)) return b.replace(/^\{/, '').replace(/\}\s*;?$/, '').trim();
  return b;
}

/** The index of the `)` that closes the `(` at `open` in `t`, or -1. */
function matchingParen(t: string, open: number): number {
  let depth = 0;
  for (let i = open; i < t.length; i++) {
    if (t[i] === '(') depth++;
    else if (t[i] === ')' && --depth === 0) return i;
  }
  return -1;
}

/**
 * A macro body `do { ... return VALUE; } while (0)` whose one `return` is the block's last statement at its top
 * level, with no `goto`, `break`, `continue`, loop or `switch` before it: the block and VALUE. Undefined otherwise.
 */
function topLevelReturn(body: string): { block: string; value: string } | undefined {
  const m = /^\s*do\s*\{([\s\S]*)\}\s*while\s*\(\s*(?:0|false|FALSE)\s*\)\s*;?\s*$/.exec(body);
  if (!m) return undefined;
  const block = m[1]!;
  if ((block.match(/\breturn\b/g) ?? []).length !== 1 || /\b(goto|break|continue|while|for|switch|do)\b/.test(block)) return undefined;
  const r = /\breturn\b([^;{}]*);\s*$/.exec(block);
  if (!r) return undefined;
  let depth = 0;
  for (let i = 0; i < r.index; i++) {
    const c = block[i];
    if (c === '{') depth++;
    else if (c === '}') depth--;
  }
  return depth === 0 ? { block, value: r[1]!.trim() } : undefined;
}

/** The index of the macro parameter `value` is (through parentheses and casts, or a local the block initializes from it). */
function returnedParameter(value: string, block: string, params: string): number | undefined {
  const names = params.split(',').map((p) => p.trim());
  const bare = (t: string): string => {
    let x = t.trim();
    for (let g = 0; g < 4; g++) {
      const paren = /^\((.*)\)$/.exec(x);
      const cast = /^\(\s*[A-Za-z_][\w\s*]*\)\s*(.+)$/.exec(x);
      if (cast) x = cast[1]!.trim();
      else if (paren) x = paren[1]!.trim();
      else break;
    }
    return x;
  };
  let v = bare(value);
  if (!/^[A-Za-z_]\w*$/.test(v)) return undefined;
  if (!names.includes(v)) {
    const init = new RegExp(`\\b${v}\\s*=\\s*([^;]+);`).exec(block);
    if (!init) return undefined;
    v = bare(init[1]!);
  }
  const k = names.indexOf(v);
  return k >= 0 ? k : undefined;
}

/** The mark of a default argument (`default:NAME/ARITY/INDEX=VALUE`, see `defaultArguments`) among the raising ones. */
const DEFAULT_ARG = 'default:';
/** The mark of a value macro (`value:NAME`, see `valueMacros`) among the raising ones. */
const VALUE_MACRO = 'value:';
/** The mark of a function-like macro that is not one (`novalue:NAME`): a name defined both ways is not. */
const NOT_VALUE_MACRO = 'novalue:';
/** The mark of a returning macro among the raising ones (`raisingMacros`). */
const RETURN_MACRO = 'return:';
/** The mark of a jumping macro (`goto:NAME@` and what `gotoMacro` read, as JSON) among them. */
const GOTO_MACRO = 'goto:';
/** The mark of a macro that calls another (`fwd:NAME@` and its `MacroForward`, as JSON), kept beside jumping ones. */
const FORWARD_MACRO = 'fwd:';
/** The mark of a constant (`const:NAME=value`) among them: kept for headers only (`programMacros`). */
const CONST_MACRO = 'const:';
/** The mark of a union field (`union:Field=canonical|member...`, see unions.ts) among them. */
const UNION_MACRO = 'union:';
/** The mark of a macro as preprocessor conditions read it (`pp:NAME=value|defined|unknown`, see pp-macros.ts): kept for headers only. */
const PP_MACRO = 'pp:';

/** The header macros among a program's macro facts (`pp:NAME=fact`), joined over the headers (`joinFacts`). */
function headerMacrosOf(facts: ReadonlySet<string>): Map<string, MacroFact> {
  const out = new Map<string, MacroFact>();
  for (const m of facts) {
    if (!m.startsWith(PP_MACRO)) continue;
    const eq = m.indexOf('=', PP_MACRO.length);
    const name = m.slice(PP_MACRO.length, eq);
    const v = m.slice(eq + 1);
    const f: MacroFact = v === 'defined' || v === 'unknown' ? v : Number(v);
    out.set(name, joinFacts(out.get(name), f));
  }
  return out;
}

const staticMemo = new WeakMap<FunctionInfo, boolean>();
/** The function's definition says `static` (read from its head: the text before its body). */
function isStaticDefinition(file: SourceFile, fn: FunctionInfo): boolean {
  let v = staticMemo.get(fn);
  if (v === undefined) staticMemo.set(fn, (v = /\bstatic\b/.test(parsedSlice(file, fn.start, fn.bodyStart))));
  return v;
}

/**
 * What the program view reads of every file's text, read at once (the command line reads it while the text is
 * at hand, before the file holds it compressed: see `readWhileHeld`): each function's body facts and head, the
 * nesting of its text, the dispatch routines the file names, its program-wide IRQL flags (`textScan`).
 */
export function readProgramTexts(file: SourceFile, irqlWords: RegExp): void {
  for (const fn of file.functions) {
    bodyFacts(file, fn);
    namesIrqlWord(file, fn, irqlWords);
    isStaticDefinition(file, fn);
  }
  measureNesting(file);
  dispatchNames(file);
  textScan(file);
}

/**
 * What the IRQL analysis reads of every file's text once per program (`IrqlEngine.scanTexts`), and the
 * program's fingerprint (`programFacts`) its first two flags.
 */
export interface TextScan {
  /** The file creates KMDF objects whose callbacks run at PASSIVE_LEVEL. */
  passiveExec: boolean;
  /** The file creates a passive-level interrupt. */
  passive: boolean;
  /** The routines named in its `MmLockPagableCodeSection(Routine)` calls. */
  codeSectionLocks: string[];
}
const textScanMemo = new WeakMap<SourceFile, TextScan>();
export function textScan(file: SourceFile): TextScan {
  let scan = textScanMemo.get(file);
  if (scan) return scan;
  const text = file.text;
  scan = { passiveExec: /\bWdfExecutionLevelPassive\b/.test(text), passive: /\bPassiveHandling\s*=\s*TRUE\b/.test(text), codeSectionLocks: [] };
  if (text.includes('MmLockPagableCodeSection')) {
    for (const m of text.matchAll(/\bMmLockPagableCodeSection\s*\(\s*(?:\(\s*\w+\s*\)\s*)?&?\s*([A-Za-z_]\w*)\s*\)/g)) scan.codeSectionLocks.push(ownCopy(m[1]!));
  }
  textScanMemo.set(file, scan);
  return scan;
}

const dispatchMemo = new WeakMap<SourceFile, string[]>();
/**
 * The dispatch routines the file names (`DRIVER_DISPATCH Name;`, `->MajorFunction[...] = Name;`), read once
 * (the command line reads them before the file's text is compressed). The names are copies: see source-text.ts.
 */
export function dispatchNames(file: SourceFile): string[] {
  let names = dispatchMemo.get(file);
  if (names) return names;
  names = [];
  const text = file.text;
  for (const m of text.matchAll(/\bDRIVER_DISPATCH\s+([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s*;/g)) {
    for (const n of m[1]!.split(',')) names.push(ownCopy(n.trim()));
  }
  for (const m of text.matchAll(/MajorFunction\s*\[[^\]]*\]\s*=\s*(?:[^;{}]*?=\s*)?\(?(?:PDRIVER_DISPATCH\s*\)\s*)?&?\s*([A-Za-z_]\w*)\s*;/g)) {
    names.push(ownCopy(m[1]!));
  }
  dispatchMemo.set(file, names);
  return names;
}

const ownMacros = new WeakMap<SourceFile, Map<string, MacroFact>>();
/** The macros a file defines itself (`ppMacroFacts` of its text), read once. */
function fileMacroFacts(file: SourceFile): Map<string, MacroFact> {
  let m = ownMacros.get(file);
  if (!m) ownMacros.set(file, (m = new Map(ppMacroFacts(file.text))));
  return m;
}

/** The header constants among a program's macro facts (`const:NAME=value`), without the names given two values. */
function headerConstantsOf(facts: ReadonlySet<string>): Map<string, number> {
  const out = new Map<string, number>();
  const clash = new Set<string>();
  for (const m of facts) {
    if (!m.startsWith(CONST_MACRO)) continue;
    const eq = m.indexOf('=', CONST_MACRO.length);
    const name = m.slice(CONST_MACRO.length, eq);
    const v = Number(m.slice(eq + 1));
    if (clash.has(name)) continue;
    const seen = out.get(name);
    if (seen === undefined) out.set(name, v);
    else if (seen !== v) {
      out.delete(name);
      clash.add(name);
    }
  }
  return out;
}

/** A program file that is not a translation unit: a header, named on the command line or included. */
function isHeaderPath(path: string): boolean {
  return !/\.(?:c|cc|cpp|cxx)$/i.test(path);
}

/** `raisingMacros` of a program file: a translation unit's constants are its own (`fileConstants`), not the program's. */
function programMacros(path: string, text: string, memo: Map<string, readonly string[]> | undefined): readonly string[] {
  const all = scanRaisingMacros(text, memo);
  return isHeaderPath(path) ? all : all.filter((m) => !m.startsWith(CONST_MACRO) && !m.startsWith(PP_MACRO) && !m.startsWith(GOTO_MACRO) && !m.startsWith(FORWARD_MACRO));
}

/** Is the call inside a `__try` whose `__except` filter takes every exception a probe raises (or may)? */
/** A `__try` whose `__except` takes the exception a call in its body raises (a filter that handles all, or one not decided here). */
function guardsBody(tryStmt: AstNode): boolean {
  const handler = tryStmt.namedChildren.find((c) => c.type === 'seh_except_clause');
  if (!handler) return false;
  const cls = classifyFilter(handler.childForFieldName('filter'));
  return cls.kind === 'all' || cls.kind === 'unknown';
}

/** Strongly connected components, callees before callers. */
function tarjan<T extends { key: string }>(nodes: T[], succ: (n: T) => T[]): T[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: T[] = [];
  const out: T[][] = [];
  let next = 0;
  for (const root of nodes) {
    if (index.has(root.key)) continue;
    // iterative Tarjan
    const work: { n: T; i: number; succs: T[] }[] = [{ n: root, i: 0, succs: succ(root) }];
    index.set(root.key, next);
    low.set(root.key, next++);
    stack.push(root);
    onStack.add(root.key);
    while (work.length) {
      const top = work[work.length - 1]!;
      if (top.i < top.succs.length) {
        const m = top.succs[top.i++]!;
        if (!index.has(m.key)) {
          index.set(m.key, next);
          low.set(m.key, next++);
          stack.push(m);
          onStack.add(m.key);
          work.push({ n: m, i: 0, succs: succ(m) });
        } else if (onStack.has(m.key)) low.set(top.n.key, Math.min(low.get(top.n.key)!, index.get(m.key)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1]!.n;
        low.set(parent.key, Math.min(low.get(parent.key)!, low.get(top.n.key)!));
      }
      if (low.get(top.n.key) === index.get(top.n.key)) {
        const comp: T[] = [];
        for (;;) {
          const x = stack.pop()!;
          onStack.delete(x.key);
          comp.push(x);
          if (x.key === top.n.key) break;
        }
        out.push(comp);
      }
    }
  }
  return out;
}
