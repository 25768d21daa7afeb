/**
 * Lints one file: parse, analyze each function once (CFG + MDL dataflow), run every enabled rule on
 * the shared analysis, apply inline suppressions. A rule or analysis that throws yields an
 * internal-error message for that function; the other functions are still linted.
 */
import { allRules, rulesById } from '../../rules/index.js';
import { analyzeFunction, type FunctionAnalysis } from '../analysis/mdl-analysis.js';
import { tooDeep } from '../analysis/function-cfg.js';
import { irqlFileLinted } from '../analysis/irql-analysis.js';
import { readWhileHeld } from '../analysis/held-text.js';
import { Project, type ProjectOptions, type SummaryCache } from '../analysis/project.js';
import { parseReleasedAsync, parsedInPieces } from '../analysis/transfer.js';
import { BUILTIN_IRQL_TABLE, type IrqlTable } from '../ddi/irql.js';
import { readSourceText } from '../parse/decode.js';
import { parseSource, type FunctionInfo, type SourceFile } from '../parse/parser.js';
import { parsedSlice, setAsideTexts } from '../parse/source-text.js';
import { setAsideTrees } from '../parse/compact.js';
import { formatMessage, type Rule, type RuleContext, type ReportDescriptor } from './rule.js';
import { applyDirectives } from './suppressions.js';
import { emptyResult, type LintMessage, type LintResult, type Severity } from './types.js';

export interface RuleSetting {
  severity: Severity;
  options?: Record<string, unknown>;
}

export interface LintOptions {
  /** Per-rule settings; rules not listed run with their default severity and options. */
  rules?: Record<string, RuleSetting>;
  /**
   * The program this file belongs to (every file of the run; see `prepareProject`): helpers defined
   * in other files are applied through their summaries. Without it the file is its own program.
   */
  project?: Project;
  /**
   * The IRQL contract table, when there is no `project` (the file is its own program). With a
   * project, the project's table applies (see `prepareProject`).
   */
  irqlTable?: IrqlTable;
  /**
   * Each file of `project` is linted once (the command line): once a file is linted, what only its own
   * lint reads of the program's analyses is dropped (`irqlFileLinted`). Not for a caller that lints a
   * file of the program again (the language server): the second lint would fail with an internal error.
   */
  once?: boolean;
}

/**
 * The files of one run as one program: summaries of every helper, computed once (bottom-up).
 * `opts.irqlTable`: the IRQL contract table of the run, e.g. `withOverrides(contracts)` with the
 * `irqlContracts` of the run's configuration files (default: the built-in table). Each file's native
 * syntax tree is released once the file is parsed (its functions are kept as compact copies).
 */
export function prepareProject(inputs: readonly { path: string; text: string }[], root?: string, opts: { irqlTable?: IrqlTable; summaryCache?: SummaryCache } = {}): Project {
  return Project.fromTexts(inputs, root, { ...opts, releaseTrees: true });
}

/** `prepareProject`, letting the event loop turn after each file parsed so that released native trees are freed as it goes (the command line). */
export function prepareProjectAsync(
  inputs: readonly { path: string; text: string }[],
  root?: string,
  opts: { irqlTable?: IrqlTable; summaryCache?: SummaryCache; onHeld?: ProjectOptions['onHeld'] } = {},
): Promise<Project> {
  // (what the program view and the IRQL analysis read of every file's text, read while the program holds it uncompressed)
  const table = opts.irqlTable ?? BUILTIN_IRQL_TABLE;
  return Project.fromTextsAsync(inputs, root, { ...opts, releaseTrees: true, readHeld: (f) => readWhileHeld(f, table) });
}

export function severityOf(name: string): Severity {
  return name === 'error' ? 2 : name === 'warn' ? 1 : 0;
}

interface ActiveRule {
  rule: Rule;
  severity: 1 | 2;
  options: Record<string, unknown>;
}

function activeRules(options: LintOptions): ActiveRule[] {
  const out: ActiveRule[] = [];
  for (const rule of allRules) {
    const setting = options.rules?.[rule.meta.id];
    const severity = setting ? setting.severity : severityOf(rule.meta.defaultSeverity);
    if (severity === 0) continue;
    out.push({ rule, severity, options: { ...(rule.meta.defaultOptions ?? {}), ...(setting?.options ?? {}) } });
  }
  return out;
}

/** One regular expression matching any trigger identifier of the active rules; undefined if some rule has none (always analyze). */
function triggerPattern(rules: ActiveRule[]): RegExp | undefined {
  const words = new Set<string>();
  for (const r of rules) {
    if (!r.rule.meta.triggers) return undefined;
    for (const t of r.rule.meta.triggers) words.add(t);
  }
  if (words.size === 0) return /(?!)/;
  return new RegExp(`\\b(?:${[...words].map((w) => w.replace(/[^A-Za-z0-9_]/g, '')).join('|')})\\b`);
}

/** Thrown by `context.analysis` when the function's MDL analysis failed (already reported once). */
const ANALYSIS_FAILED = new Error('analysis failed');

function internalError(message: string, line = 1, column = 1, fn?: string): LintMessage {
  const m: LintMessage = { ruleId: null, severity: 2, fatal: true, message, line, column };
  if (fn) m.function = fn;
  return m;
}

function describeError(e: unknown): string {
  if (e instanceof Error) return e.message.split('\n')[0] ?? String(e);
  return String(e);
}

export function finalize(result: LintResult): LintResult {
  result.messages.sort((a, b) => a.line - b.line || a.column - b.column || (a.ruleId ?? '').localeCompare(b.ruleId ?? ''));
  result.errorCount = result.messages.filter((m) => m.severity === 2).length;
  result.warningCount = result.messages.filter((m) => m.severity === 1).length;
  result.fatalErrorCount = result.messages.filter((m) => m.fatal).length;
  return result;
}

/** The active rules of a set of options, with each rule's trigger pattern (cached per options object). */
interface PreparedRules {
  rules: ActiveRule[];
  triggers: (RegExp | undefined)[];
}
const preparedCache = new WeakMap<LintOptions, PreparedRules>();
function prepareRules(options: LintOptions): PreparedRules {
  let p = preparedCache.get(options);
  if (!p) {
    const rules = activeRules(options);
    p = { rules, triggers: rules.map((r) => triggerPattern([r])) };
    preparedCache.set(options, p);
  }
  return p;
}

/**
 * The findings of one function of a parsed file, before suppression directives apply (see
 * `finishLint`). `project` is the program the file belongs to. The language server re-lints only the
 * functions an edit can affect and keeps the others' messages; the CLI lints every function.
 */
export function lintFunction(file: SourceFile, fn: FunctionInfo, project: Project, options: LintOptions = {}): LintMessage[] {
  // (in an `#if` branch the program's macros rule out: no build contains it)
  if (!project.compiled(file, fn)) return [];
  const { rules, triggers } = prepareRules(options);
  const messages: LintMessage[] = [];
  const seen = new Set<string>();
  const body = parsedSlice(file, fn.bodyStart, fn.bodyEnd);
  // a rule with triggers looks at a function only if the function names one (or calls a helper that
  // handles MDLs); the MDL dataflow analysis runs once, for the first rule that reads it
  let helper: boolean | undefined;
  const applicable = rules.filter((_, k) => {
    const t = triggers[k];
    if (!t || t.test(body)) return true;
    helper ??= project.callsHelper(body);
    return helper;
  });
  if (!applicable.length) return messages;
  // text nesting or a syntax tree too deep for the analyses to walk (read from the text and the compact
  // copy: no tree is built): not analyzed, said once rather than failing in every rule
  const deep = tooDeep(file, fn);
  if (deep !== undefined) {
    messages.push(internalError(`function '${fn.name}' ${deep}: not analyzed`, fn.line, 1, fn.name));
    return messages;
  }
  let analysis: FunctionAnalysis | undefined;
  let analysisFailed = false;
  const getAnalysis = (): FunctionAnalysis => {
    if (!analysis && !analysisFailed) {
      try {
        analysis = analyzeFunction(file, fn, project);
      } catch (e) {
        analysisFailed = true;
        messages.push(internalError(`ddi-lint internal error while analyzing function '${fn.name}': ${describeError(e)}`, fn.line, 1, fn.name));
      }
    }
    if (!analysis) throw ANALYSIS_FAILED;
    return analysis;
  };
  for (const active of applicable) {
    const report = (d: ReportDescriptor) => {
      const template = active.rule.meta.messages[d.messageId];
      if (template === undefined) throw new Error(`rule ${active.rule.meta.id} reported unknown messageId '${d.messageId}'`);
      const pos = d.node
        ? {
            line: d.node.startPosition.row + 1,
            column: d.node.startPosition.column + 1,
            endLine: d.node.endPosition.row + 1,
            endColumn: d.node.endPosition.column + 1,
          }
        : d.loc!;
      const key = `${active.rule.meta.id}:${pos.line}:${pos.column}:${d.messageId}`;
      if (seen.has(key)) return;
      seen.add(key);
      const data: Record<string, string> = {};
      for (const [k, v] of Object.entries(d.data ?? {})) data[k] = String(v);
      const m: LintMessage = {
        ruleId: active.rule.meta.id,
        severity: active.severity,
        message: formatMessage(template, data),
        messageId: d.messageId,
        line: pos.line,
        column: pos.column,
        function: fn.name,
      };
      if (pos.endLine !== undefined) m.endLine = pos.endLine;
      if (pos.endColumn !== undefined) m.endColumn = pos.endColumn;
      if (d.node) m.nodeType = d.node.type;
      if (d.path && d.path.length) m.path = d.path;
      if (Object.keys(data).length) m.data = data;
      messages.push(m);
    };
    const context: RuleContext = {
      file,
      fn,
      get analysis() {
        return getAnalysis();
      },
      options: active.options,
      report,
      project,
    };
    try {
      active.rule.check(context);
    } catch (e) {
      if (e === ANALYSIS_FAILED) continue;
      messages.push(
        internalError(`ddi-lint internal error in rule '${active.rule.meta.id}' on function '${fn.name}': ${describeError(e)}`, fn.line, 1, fn.name),
      );
    }
  }
  return messages;
}

/** The file's result from the findings of its functions: suppression directives applied, sorted, counted. */
export function finishLint(file: SourceFile, messages: LintMessage[]): LintResult {
  const result = emptyResult(file.path);
  const { messages: kept, suppressedMessages } = applyDirectives(file.text, messages);
  result.messages = kept;
  result.suppressedMessages = suppressedMessages;
  result.stats = { functions: file.functions.length, functionsWithParseErrors: file.functions.filter((f) => f.hasError).length };
  return finalize(result);
}

/** The program a file is linted in when the options name none: the file alone. */
export function projectFor(file: SourceFile, options: LintOptions = {}): Project {
  return options.project ?? new Project([file], options.irqlTable ? { irqlTable: options.irqlTable } : {});
}

/** Lint an already parsed file. */
export function lintSource(file: SourceFile, options: LintOptions = {}): LintResult {
  const project = projectFor(file, options);
  const messages: LintMessage[] = [];
  for (const fn of file.functions) messages.push(...lintFunction(file, fn, project, options));
  const program = options.once ? options.project : undefined;
  if (program) irqlFileLinted(program, file);
  const result = finishLint(file, messages);
  if (program?.holds(file)) {
    // linted for the last time: what is held of its texts and trees uncompressed goes now (see stored-text.ts)
    setAsideTexts(file);
    setAsideTrees(file);
  }
  return result;
}

/** Lint source text. `filePath` picks the grammar (C or C++) and names the result. */
export function lintText(text: string, filePath: string, options: LintOptions = {}): LintResult {
  let file: SourceFile;
  try {
    file = options.project?.sourceFor(filePath, text) ?? parseSource(filePath, text);
  } catch (e) {
    const r = emptyResult(filePath);
    r.messages.push(internalError(`ddi-lint could not parse this file: ${describeError(e)}`));
    return finalize(r);
  }
  return lintSource(file, options);
}

/**
 * `lintText` for the command line: a huge file that is not part of the program (the program's files are
 * parsed a piece at a time already) is parsed a piece at a time too, letting the event loop free each
 * piece's native tree (`parseReleasedAsync`). The result is `lintText`'s.
 */
export async function lintTextAsync(text: string, filePath: string, options: LintOptions = {}): Promise<LintResult> {
  if (!parsedInPieces(text) || options.project?.sourceFor(filePath, text)) return lintText(text, filePath, options);
  let file: SourceFile;
  try {
    file = await parseReleasedAsync({ path: filePath, text });
  } catch {
    return lintText(text, filePath, options); // (the error, as lintText gives it)
  }
  return lintSource(file, options);
}

/** Read, decode and lint a file. Unreadable or undecodable files give a single fatal message. */
export async function lintFile(path: string, options: LintOptions = {}): Promise<LintResult> {
  const decoded = await readSourceText(path);
  if (!decoded.ok) {
    const r = emptyResult(path);
    r.messages.push(internalError(decoded.reason));
    return finalize(r);
  }
  return lintText(decoded.text, path, options);
}

export { allRules, rulesById };
