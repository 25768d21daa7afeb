/**
 * The plain-JavaScript syntax tree (`functionTree`, built from the file's compact copy) and the
 * control-flow graph of a function, shared by the analyses that read them: the MDL dataflow analysis and
 * the IRQL analysis run one after the other on the same function when it is linted. Neither analysis
 * modifies them.
 *
 * A small cache of the most recent functions, not a table of all: keeping every function's tree for a
 * whole run would cost more memory than rebuilding one costs time. The CFG is keyed by the program
 * whose `mayRaise` shaped its exceptional edges.
 */
import { buildCfg, type Cfg, type CfgOptions, type MacroJump } from '../cfg/cfg.js';
import type { MacroFact } from '../cfg/pp-conditions.js';
import { raises } from '../ddi/table.js';
import { functionTree } from '../parse/compact.js';
import { MAX_NESTING, functionTooDeep, nestingDepth } from '../parse/depth.js';
import type { LiteNode } from '../parse/lite.js';
import { textIdentity, type FunctionInfo, type SourceFile } from '../parse/parser.js';
import { parsedSlice, parsedTextIdentity } from '../parse/source-text.js';

interface Entry {
  /** `parsedTextIdentity` of the file when the entry was made. */
  text: unknown;
  node: LiteNode;
  cfgs: Map<object | undefined, Cfg>;
}

const SIZE = 8;
const recent = new Map<FunctionInfo, Entry>();
export const functionCfgStats = { trees: 0, treeHits: 0, cfgs: 0, cfgHits: 0 };

function entryOf(file: SourceFile, fn: FunctionInfo): Entry {
  let e = recent.get(fn);
  if (e && e.text === parsedTextIdentity(file)) {
    functionCfgStats.treeHits++;
    recent.delete(fn);
    recent.set(fn, e); // most recent last
    return e;
  }
  functionCfgStats.trees++;
  e = { text: parsedTextIdentity(file), node: functionTree(file, fn), cfgs: new Map() };
  recent.set(fn, e);
  if (recent.size > SIZE) recent.delete(recent.keys().next().value!);
  return e;
}

/** The function's definition as a lite tree. */
export function liteFunction(file: SourceFile, fn: FunctionInfo): LiteNode {
  return entryOf(file, fn).node;
}

/** The function's body (`compound_statement`) as a lite tree. */
export function liteBody(file: SourceFile, fn: FunctionInfo): LiteNode {
  return bodyOf(entryOf(file, fn).node);
}

const bodyOf = (definition: LiteNode): LiteNode => definition.childForFieldName('body') ?? definition;

/**
 * The function's CFG, whose exceptional edges follow `ddi-effects.json` and, with a program, the
 * program's helpers that may raise (`mayRaise`).
 */
export function functionCfg(
  file: SourceFile,
  fn: FunctionInfo,
  program?: {
    mayRaise(file: SourceFile, name: string): boolean;
    returnsMacro?(name: string): boolean;
    gotoMacro?(file: SourceFile, name: string): MacroJump | undefined;
    macroFact?(file: SourceFile, name: string): MacroFact | undefined;
    readonly raisingVersion?: object;
  },
): { node: LiteNode; body: LiteNode; cfg: Cfg } {
  const e = entryOf(file, fn);
  const body = bodyOf(e.node);
  // keyed by what `mayRaise` answers: a program whose summaries are still being computed answers
  // differently once a callee's summary changes (`raisingVersion`), and a CFG built before would keep
  // the old exceptional edges
  const key = program?.raisingVersion ?? program;
  let cfg = e.cfgs.get(key);
  if (cfg) functionCfgStats.cfgHits++;
  else {
    functionCfgStats.cfgs++;
    const raisesHere = program ? (name: string) => raises(name) || program.mayRaise(file, name) : raises;
    const returnsHere = program?.returnsMacro ? (name: string) => program.returnsMacro!(name) : undefined;
    const opts: CfgOptions = { raises: raisesHere, lang: file.lang };
    if (returnsHere) opts.returns = returnsHere;
    if (program?.gotoMacro) opts.jumps = (name: string) => program.gotoMacro!(file, name);
    if (program?.macroFact) opts.macro = (name: string) => program.macroFact!(file, name);
    cfg = buildCfg({ ...fn, node: e.node, body }, opts);
    e.cfgs.set(key, cfg);
  }
  return { node: e.node, body, cfg };
}

/**
 * Per function: its text's nesting, and once an analysis asked, why it cannot be walked (`tooDeep`). Kept
 * by the function's text identity: the functions of a file reparsed whose text did not change (the language
 * server's every edit makes new FunctionInfo objects) are not measured again, and their syntax is not copied
 * out of the native tree again for it (the same text without syntax errors parses to the same tree).
 */
const depthMemo = new WeakMap<object, { nesting: number; checked: boolean; reason: string | undefined }>();

function depthEntry(file: SourceFile, fn: FunctionInfo) {
  let m = depthMemo.get(textIdentity(fn));
  if (!m) {
    const nesting = nestingDepth(parsedSlice(file, fn.bodyStart, fn.bodyEnd));
    m = { nesting, checked: false, reason: undefined };
    depthMemo.set(textIdentity(fn), m);
  }
  return m;
}

/**
 * Measure the nesting of each function of the file now (`nestsTooDeep`, `tooDeep`), while its text is at
 * hand: a file about to be held compressed (see `keepTextAsPatch`) is not inflated again for it.
 */
export function measureNesting(file: SourceFile): void {
  for (const fn of file.functions) depthEntry(file, fn);
}

/** The function's text nests deeper than `MAX_NESTING` (from the text alone: no syntax tree is built). */
export function nestsTooDeep(file: SourceFile, fn: FunctionInfo): boolean {
  return depthEntry(file, fn).nesting > MAX_NESTING;
}

/** How many functions `tooDeep` measured (read by the tests). */
export const depthStats = { measured: 0 };

/**
 * Why the analyses cannot walk the function (they recurse on its syntax), or undefined: its text nests
 * deeper than `MAX_NESTING`, or its syntax tree is deeper than `MAX_SYNTAX_DEPTH` (chains of `&&`, of
 * assignments, of `?:`...). Such a function is not analyzed; the linter says so once.
 */
export function tooDeep(file: SourceFile, fn: FunctionInfo): string | undefined {
  const m = depthEntry(file, fn);
  if (!m.checked) {
    m.checked = true;
    depthStats.measured++;
    const deep = functionTooDeep(file, fn, { nesting: m.nesting });
    if (deep) m.reason = deep.what === 'nesting' ? `nests ${deep.depth} levels deep (more than ${deep.limit})` : `has a syntax tree ${deep.depth} levels deep (more than ${deep.limit})`;
  }
  return m.reason;
}
