/**
 * Inline suppression directives, in ESLint's style:
 *
 *   // ddi-lint-disable-next-line RULE[, RULE2] -- reason
 *   // ddi-lint-disable-line RULE -- reason
 *   /* ddi-lint-disable RULE *\/ ... /* ddi-lint-enable RULE *\/
 *
 * Every form works in both `//` and `/* *\/` comments. Without a rule list a directive applies to all
 * rules. Code Analysis pragmas (`#pragma warning(suppress: 28125)` ...) suppress the rules whose
 * `meta.caWarnings` list that warning number, written as a number or as its `<CodeAnalysis/warnings.h>`
 * name such as `__WARNING_IRQ_TOO_HIGH` (see below). The text after ` -- ` is the justification, recorded on each suppressed message as
 * `suppressions: [{ kind: 'directive', justification }]` (ESLint's shape). Suppressed findings are
 * moved to `suppressedMessages`; messages without a rule id (internal errors) are never suppressed.
 *
 * Comments are found with a small C/C++ lexer that skips string and character literals (including
 * C++ raw strings) and follows backslash-newline continuations of `//` comments, so a directive-like
 * text inside a string literal is not a directive.
 *
 * Positions are 1-based lines (counted by '\n', like tree-sitter rows) and 1-based UTF-16 columns,
 * the same as the positions of lint messages.
 */
import { rulesById } from '../../rules/index.js';
import type { LintMessage } from './types.js';
import { caWarningNumber } from './ca-warnings.js';
import { LiteSource } from '../parse/lite.js';

export type DirectiveKind = 'disable' | 'enable' | 'disable-line' | 'disable-next-line';

export interface Directive {
  kind: DirectiveKind;
  /** Rule ids the directive names; empty = all rules. */
  rules: string[];
  justification: string;
  /** 1-based position of the comment's start. */
  line: number;
  column: number;
  /** 1-based line of the comment's last character. */
  endLine: number;
}

export interface Comment {
  /** Text between the delimiters. */
  value: string;
  block: boolean;
  line: number; // 1-based
  column: number; // 1-based
  endLine: number; // 1-based
  /** Offsets of the comment, delimiters included: [start, end). */
  start: number;
  end: number;
}

const PREFIX = 'ddi-lint-';

/** All comments of a C/C++ text, in order. */
export function scanComments(text: string): Comment[] {
  return lex(text).comments;
}

/** Comments, plus the offset ranges of string and character literals. */
function lex(text: string): { comments: Comment[]; literals: [number, number][] } {
  const comments: Comment[] = [];
  const literals: [number, number][] = [];
  const n = text.length;
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const pos = (k: number) => ({ line, column: k - lineStart + 1 });
  // Advance line counters over text[from, to).
  const advance = (from: number, to: number) => {
    for (let k = from; k < to; k++) {
      if (text.charCodeAt(k) === 10) {
        line++;
        lineStart = k + 1;
      }
    }
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      lineStart = i + 1;
      i++;
      continue;
    }
    if (c === 47 /* / */ && i + 1 < n) {
      const d = text.charCodeAt(i + 1);
      if (d === 47 /* // */) {
        const start = pos(i);
        // A line comment ends at a newline not preceded by a backslash (line splice).
        let k = i + 2;
        while (k < n) {
          const e = text.charCodeAt(k);
          if (e === 10) {
            let b = k - 1;
            if (b >= 0 && text.charCodeAt(b) === 13) b--;
            if (b >= i + 2 && text.charCodeAt(b) === 92 /* \ */) {
              k++;
              continue;
            }
            break;
          }
          k++;
        }
        let value = text.slice(i + 2, k);
        if (value.endsWith('\r')) value = value.slice(0, -1);
        advance(i, k);
        comments.push({ value, block: false, line: start.line, column: start.column, endLine: line, start: i, end: k });
        i = k;
        continue;
      }
      if (d === 42 /* /* */) {
        const start = pos(i);
        const close = text.indexOf('*/', i + 2);
        const end = close < 0 ? n : close + 2;
        const value = text.slice(i + 2, close < 0 ? n : close);
        advance(i, end);
        comments.push({ value, block: true, line: start.line, column: start.column, endLine: line, start: i, end });
        i = end;
        continue;
      }
    }
    if (c === 34 /* " */ || c === 39 /* ' */) {
      // C++ raw string: R"delim( ... )delim" (also with u8R, LR, uR, UR prefixes).
      if (c === 34 && i > 0 && text.charCodeAt(i - 1) === 82 /* R */ && isRawPrefix(text, i - 1)) {
        const open = text.indexOf('(', i + 1);
        if (open > 0 && open - i - 1 <= 16 && !/[\s\\)]/.test(text.slice(i + 1, open))) {
          const delim = ')' + text.slice(i + 1, open) + '"';
          const close = text.indexOf(delim, open + 1);
          const end = close < 0 ? n : close + delim.length;
          advance(i, end);
          literals.push([i, end]);
          i = end;
          continue;
        }
      }
      // Ordinary literal: ends at the matching quote or at an unescaped newline (unterminated).
      let k = i + 1;
      while (k < n) {
        const e = text.charCodeAt(k);
        if (e === 92 /* \ */) {
          k += 2;
          continue;
        }
        if (e === c || e === 10) break;
        k++;
      }
      if (k < n && text.charCodeAt(k) === c) k++;
      advance(i, Math.min(k, n));
      literals.push([i, Math.min(k, n)]);
      i = Math.min(k, n);
      continue;
    }
    i++;
  }
  return { comments, literals };
}

function isRawPrefix(text: string, rIndex: number): boolean {
  // The R must start an identifier-like prefix: R, LR, uR, UR, u8R, not the end of an identifier such as `FOOR"x"`.
  let k = rIndex - 1;
  const prefix: string[] = [];
  while (k >= 0 && /[A-Za-z0-9_]/.test(text[k]!)) {
    prefix.unshift(text[k]!);
    k--;
  }
  const p = prefix.join('');
  return p === '' || p === 'L' || p === 'u' || p === 'U' || p === 'u8';
}

const DIRECTIVE_RE = /^\s*ddi-lint-(disable-next-line|disable-line|disable|enable)(?=\s|$)([\s\S]*)$/;

/** Parse one comment into a directive, or undefined when it is not one. */
export function parseDirective(comment: Comment): Directive | undefined {
  let value = comment.value;
  if (!value.includes('ddi-lint')) return undefined;
  // clang-tidy style: `// NOLINT(ddi-lint/rule-id, ...)` for this line, `// NOLINTNEXTLINE(ddi-lint/*)` for
  // the next; only the entries naming ddi-lint count (a bare NOLINT is another tool's)
  const nolint = /^\s*NOLINT(NEXTLINE)?\(([^)]*)\)([\s\S]*)$/.exec(value);
  if (nolint) {
    const names = nolint[2]!.split(',').map((x) => x.trim()).filter((x) => /^ddi-lint(\/|$)/.test(x));
    if (!names.length) return undefined;
    const all = names.some((x) => x === 'ddi-lint' || x === 'ddi-lint/*');
    return {
      kind: nolint[1] ? 'disable-next-line' : 'disable-line',
      rules: all ? [] : names.map((x) => x.slice('ddi-lint/'.length)),
      justification: nolint[3]!.replace(/^[\s:-]+/, '').trim(),
      line: comment.line,
      column: comment.column,
      endLine: comment.endLine,
    };
  }
  if (!value.includes(PREFIX)) return undefined;
  if (comment.block) {
    // Allow the decorative leading '*' of a doc-style block comment: /** ddi-lint-disable ... */
    value = value.replace(/^\*+/, '');
  }
  const m = DIRECTIVE_RE.exec(value);
  if (!m) return undefined;
  const kind = m[1] as DirectiveKind;
  let rest = m[2] ?? '';
  let justification = '';
  // ESLint: the description follows two or more dashes surrounded by whitespace.
  const sep = /\s-{2,}\s/.exec(rest + ' ');
  if (sep) {
    justification = (rest + ' ').slice(sep.index + sep[0].length).trim();
    rest = rest.slice(0, sep.index);
  }
  const rules = rest
    .split(/[\s,]+/)
    .map((r) => r.trim())
    .filter((r) => r.length > 0);
  return { kind, rules, justification, line: comment.line, column: comment.column, endLine: comment.endLine };
}

/** All directives in a text, in order. */
export function parseDirectives(text: string): Directive[] {
  if (!text.includes('ddi-lint')) return [];
  const out: Directive[] = [];
  for (const c of scanComments(text)) {
    const d = parseDirective(c);
    if (d) out.push(d);
  }
  return out;
}

// --- Code Analysis pragmas -------------------------------------------------------------------------
//
// Driver sources already silence PREfast with `#pragma warning(suppress: 28125)` (next line) or
// `#pragma warning(disable: 28125)` ... `#pragma warning(default: 28125)` / push / pop, with the
// warnings written as numbers or as their `<CodeAnalysis/warnings.h>` names (`__WARNING_IRQ_TOO_HIGH`,
// see ca-warnings.ts), both in one list if need be. A rule whose
// `meta.caWarnings` lists the warning number is suppressed the same way, so code that is clean
// under Code Analysis does not need a second, ddi-lint-specific comment. The operator forms
// `__pragma(warning(suppress: N))` and `_Pragma("warning(suppress: N)")` apply to their own line
// and the next one. The justification is the comment on the pragma's line, if any.

/** A suppression of Code Analysis warning numbers. */
export interface PragmaDirective {
  kind: 'suppress' | 'disable' | 'enable';
  warnings: number[];
  /** suppress: the lines it covers; disable/enable: where it takes effect (1-based). */
  line: number;
  column: number;
  lines?: number[];
  justification: string;
  /** The pragma as written. */
  source: string;
}

const PRAGMA_LINE_RE = /^[ \t]*#[ \t]*pragma[ \t]+warning[ \t]*\(([^)]*)\)/;
const PRAGMA_OP_RE = /\b__pragma[ \t]*\([ \t]*warning[ \t]*\(([^)]*)\)[ \t]*\)|\b_Pragma[ \t]*\([ \t]*(?:L|u8|u|U)?"[ \t]*warning[ \t]*\(([^)"]*)\)[ \t]*"[ \t]*\)/g;

interface PragmaSpec {
  op: 'suppress' | 'disable' | 'enable' | 'push' | 'pop';
  warnings: number[];
}

/**
 * `suppress: 28125 6001; disable: 4101` → specs; `push`, `push, 3`, `pop`. A warning can also be
 * written with its `<CodeAnalysis/warnings.h>` name (`suppress: __WARNING_IRQ_TOO_HIGH 28120`, see
 * `ca-warnings.ts`); names not in that table are skipped, the other warnings of the list still apply.
 */
function parseWarningPragma(body: string): PragmaSpec[] {
  const out: PragmaSpec[] = [];
  const trimmed = body.trim();
  if (/^push\b/.test(trimmed)) return [{ op: 'push', warnings: [] }];
  if (/^pop\b/.test(trimmed)) return [{ op: 'pop', warnings: [] }];
  for (const part of body.split(';')) {
    const m = /^\s*([A-Za-z0-9_]+)\s*:([\w\s,]*)$/.exec(part);
    if (!m) continue;
    const kw = m[1]!.toLowerCase();
    const tokens = m[2]!.split(/[\s,]+/).filter(Boolean);
    // each item is a number or an identifier (a warnings.h name); anything else: not a warning list
    if (!tokens.every((t) => /^\d+$/.test(t) || /^[A-Za-z_]\w*$/.test(t))) continue;
    const warnings: number[] = [];
    for (const t of tokens) {
      const n = /^\d+$/.test(t) ? Number(t) : caWarningNumber(t);
      if (n !== undefined && Number.isInteger(n) && !warnings.includes(n)) warnings.push(n);
    }
    if (warnings.length === 0) continue;
    if (kw === 'suppress') out.push({ op: 'suppress', warnings });
    else if (kw === 'disable') out.push({ op: 'disable', warnings });
    // default, error, once and the levels 1-4 turn the warning back on
    else if (['default', 'error', 'once', '1', '2', '3', '4'].includes(kw)) out.push({ op: 'enable', warnings });
  }
  return out;
}

function insideRanges(ranges: readonly [number, number][], offset: number): boolean {
  // ranges are sorted and disjoint: binary search
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = ranges[mid]!;
    if (offset < a) hi = mid - 1;
    else if (offset >= b) lo = mid + 1;
    else return true;
  }
  return false;
}

/** The `#pragma warning` / `__pragma(warning(...))` suppressions of a text, in order. */
export function parsePragmaDirectives(text: string): PragmaDirective[] {
  if (!/warning/.test(text) || !/pragma/i.test(text)) return [];
  const { comments, literals } = lex(text);
  const nonCode: [number, number][] = [...comments.map((c): [number, number] => [c.start, c.end]), ...literals].sort((a, b) => a[0] - b[0]);
  const lines = new LiteSource(text);
  const lineText = (l: number) => lines.lineText(l);
  const commentOn = (line: number, after: number): string => {
    for (const c of comments) {
      if (c.line === line && c.start >= after && !c.value.includes(PREFIX)) return c.value.replace(/^\*+/, '').replace(/^\s*-+\s*/, '').trim();
    }
    return '';
  };
  const isSuppressPragmaLine = (l: number) => {
    const m = PRAGMA_LINE_RE.exec(lineText(l));
    return !!m && parseWarningPragma(m[1]!).some((x) => x.op === 'suppress');
  };

  const out: PragmaDirective[] = [];
  const disabled = new Set<number>();
  const stack: Set<number>[] = [];
  const emit = (spec: PragmaSpec, line: number, column: number, offset: number, source: string, operatorForm: boolean) => {
    const justification = commentOn(line, offset);
    switch (spec.op) {
      case 'suppress': {
        let target = line + 1;
        // Consecutive `#pragma warning(suppress: ...)` lines all apply to the first line after them.
        while (!operatorForm && target <= lines.lineCount && isSuppressPragmaLine(target)) target++;
        out.push({ kind: 'suppress', warnings: spec.warnings, line, column, lines: operatorForm ? [line, line + 1] : [target], justification, source });
        break;
      }
      case 'disable':
        for (const w of spec.warnings) disabled.add(w);
        out.push({ kind: 'disable', warnings: spec.warnings, line, column, justification, source });
        break;
      case 'enable':
        for (const w of spec.warnings) disabled.delete(w);
        out.push({ kind: 'enable', warnings: spec.warnings, line, column, justification, source });
        break;
      case 'push':
        stack.push(new Set(disabled));
        break;
      case 'pop': {
        const saved = stack.pop();
        if (!saved) break;
        const reEnabled = [...disabled].filter((w) => !saved.has(w));
        const reDisabled = [...saved].filter((w) => !disabled.has(w));
        if (reEnabled.length) out.push({ kind: 'enable', warnings: reEnabled, line, column, justification: '', source });
        if (reDisabled.length) out.push({ kind: 'disable', warnings: reDisabled, line, column, justification: '', source });
        disabled.clear();
        for (const w of saved) disabled.add(w);
        break;
      }
    }
  };

  // Both forms, in text order.
  const found: { offset: number; line: number; column: number; body: string; source: string; op: boolean }[] = [];
  for (let l = 1; l <= lines.lineCount; l++) {
    const lt = lineText(l);
    if (!lt.includes('pragma') && !lt.includes('_Pragma')) continue;
    const m = PRAGMA_LINE_RE.exec(lt);
    if (m) {
      const hash = lines.lineStart(l) + lt.indexOf('#');
      if (!insideRanges(nonCode, hash)) found.push({ offset: hash, line: l, column: lt.indexOf('#') + 1, body: m[1]!, source: m[0].trim(), op: false });
      continue;
    }
    PRAGMA_OP_RE.lastIndex = 0;
    for (let mm = PRAGMA_OP_RE.exec(lt); mm; mm = PRAGMA_OP_RE.exec(lt)) {
      const off = lines.lineStart(l) + mm.index;
      if (!insideRanges(nonCode, off)) found.push({ offset: off, line: l, column: mm.index + 1, body: (mm[1] ?? mm[2])!, source: mm[0], op: true });
    }
  }
  for (const f of found) for (const spec of parseWarningPragma(f.body)) emit(spec, f.line, f.column, f.offset, f.source, f.op);
  return out;
}

// --- applying --------------------------------------------------------------------------------------

function appliesTo(d: Directive, ruleId: string): boolean {
  return d.rules.length === 0 || d.rules.includes(ruleId);
}

function before(d: { line: number; column: number }, m: LintMessage): boolean {
  return d.line < m.line || (d.line === m.line && d.column <= m.column);
}

type AnyDirective = Directive | PragmaDirective;

/** The last of `list` (sorted by position) placed before the message, or undefined. */
function lastBefore<T extends { line: number; column: number }>(list: readonly T[], m: LintMessage): T | undefined {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (before(list[mid]!, m)) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? list[lo - 1] : undefined;
}

/**
 * A file's directives indexed for the messages: by line for the line forms, by rule and by warning number
 * for the block forms (a list each, searched by position). Matching every message against every
 * directive cost messages x directives: a generated file of 12,800 functions, each with a finding and a
 * `disable-line` comment, took 13 s, 10 of them here.
 */
class DirectiveIndex {
  private readonly byLine = new Map<number, Directive[]>();
  private readonly blocks: Directive[];
  private readonly blocksByRule = new Map<string, Directive[]>();
  private readonly pragmaBlocksByWarning = new Map<number, PragmaDirective[]>();
  private readonly suppressByLine = new Map<number, PragmaDirective[]>();

  constructor(
    directives: readonly Directive[],
    private readonly pragmas: readonly PragmaDirective[],
  ) {
    this.blocks = directives.filter((d) => d.kind === 'disable' || d.kind === 'enable');
    const add = <K, V>(map: Map<K, V[]>, k: K, v: V) => {
      const list = map.get(k);
      if (list) list.push(v);
      else map.set(k, [v]);
    };
    for (const d of directives) {
      if (d.kind === 'disable-line') for (let l = d.line; l <= d.endLine; l++) add(this.byLine, l, d);
      else if (d.kind === 'disable-next-line') add(this.byLine, d.endLine + 1, d);
    }
    for (const p of pragmas) {
      if (p.kind === 'suppress') for (const l of new Set(p.lines)) add(this.suppressByLine, l, p);
    }
  }

  /** The directives that suppress a message (empty = not suppressed), in the order they are reported. */
  suppressorsOf(caWarnings: readonly number[], m: LintMessage): AnyDirective[] {
    const ruleId = m.ruleId;
    if (ruleId === null || m.fatal) return [];
    const found: AnyDirective[] = [];
    // Block range: the last disable/enable before the message decides, per rule.
    let blocks = this.blocksByRule.get(ruleId);
    if (!blocks) this.blocksByRule.set(ruleId, (blocks = this.blocks.filter((d) => appliesTo(d, ruleId))));
    const range = lastBefore(blocks, m);
    if (range?.kind === 'disable') found.push(range);
    for (const d of this.byLine.get(m.line) ?? []) if (appliesTo(d, ruleId)) found.push(d);
    if (caWarnings.length > 0 && this.pragmas.length > 0) {
      // #pragma warning(disable/default/push/pop): per warning number, the last one before the message decides.
      for (const w of caWarnings) {
        let list = this.pragmaBlocksByWarning.get(w);
        if (!list) this.pragmaBlocksByWarning.set(w, (list = this.pragmas.filter((p) => p.kind !== 'suppress' && p.warnings.includes(w))));
        const last = lastBefore(list, m);
        if (last?.kind === 'disable') {
          found.push(last);
          break;
        }
      }
      for (const p of this.suppressByLine.get(m.line) ?? []) if (p.warnings.some((w) => caWarnings.includes(w))) found.push(p);
    }
    return found;
  }
}

/** Code Analysis warning numbers of a rule (from `meta.caWarnings`). */
export type CaWarningsLookup = (ruleId: string) => readonly number[] | undefined;

/** The registered rules' `meta.caWarnings`. */
export const registeredCaWarnings: CaWarningsLookup = (ruleId) => rulesById.get(ruleId)?.meta.caWarnings;

/**
 * Split messages into kept and suppressed according to the text's directives. Suppressed messages
 * get `suppressions` (one entry per directive that suppresses them). `caWarnings` maps a rule to
 * its Code Analysis warning numbers, for `#pragma warning` suppressions (default: the registered
 * rules' `meta.caWarnings`; `null`: ignore pragmas).
 */
export function applyDirectives(
  text: string,
  messages: LintMessage[],
  caWarningsLookup: CaWarningsLookup | null = registeredCaWarnings,
): { messages: LintMessage[]; suppressedMessages: LintMessage[] } {
  const caWarnings = caWarningsLookup ?? undefined;
  const directives = parseDirectives(text);
  const pragmas = caWarnings ? parsePragmaDirectives(text) : [];
  if (directives.length === 0 && pragmas.length === 0) return { messages, suppressedMessages: [] };
  const kept: LintMessage[] = [];
  const suppressed: LintMessage[] = [];
  const index = new DirectiveIndex(directives, pragmas);
  for (const m of messages) {
    const numbers = caWarnings && m.ruleId ? (caWarnings(m.ruleId) ?? []) : [];
    const by = index.suppressorsOf(numbers, m);
    if (by.length === 0) kept.push(m);
    else suppressed.push({ ...m, suppressions: by.map((d) => ({ kind: 'directive' as const, justification: d.justification })) });
  }
  return { messages: kept, suppressedMessages: suppressed };
}

/**
 * `ddi-lint-disable*` comments that suppressed nothing, and rule ids in them that name no rule, as
 * messages (ESLint's `--report-unused-disable-directives`). `suppressedMessages` are the file's
 * suppressed findings; `knownRules` the ids of all rules. `enable` directives and Code Analysis
 * pragmas (which also serve PREfast) are not reported.
 */
export function unusedDirectiveMessages(
  text: string,
  suppressedMessages: readonly LintMessage[],
  knownRules: ReadonlySet<string>,
  severity: 1 | 2,
  caWarnings: CaWarningsLookup | null = registeredCaWarnings,
): LintMessage[] {
  const directives = parseDirectives(text);
  if (directives.length === 0) return [];
  const pragmas = caWarnings ? parsePragmaDirectives(text) : [];
  // Which rules each directive actually suppressed.
  const used = new Map<Directive, Set<string>>();
  const index = new DirectiveIndex(directives, pragmas);
  for (const m of suppressedMessages) {
    const numbers = caWarnings && m.ruleId ? (caWarnings(m.ruleId) ?? []) : [];
    for (const d of index.suppressorsOf(numbers, m)) {
      if (!('rules' in d)) continue;
      let set = used.get(d);
      if (!set) used.set(d, (set = new Set()));
      set.add(m.ruleId!);
    }
  }
  const out: LintMessage[] = [];
  const report = (d: Directive, message: string) =>
    out.push({ ruleId: null, severity, message, line: d.line, column: d.column, nodeType: 'Comment' });
  for (const d of directives) {
    if (d.kind === 'enable') continue;
    const name = `ddi-lint-${d.kind}`;
    const got = used.get(d);
    if (d.rules.length === 0) {
      if (!got) report(d, `Unused ${name} directive (no problems were reported).`);
      continue;
    }
    for (const r of d.rules) {
      if (!knownRules.has(r)) report(d, `Unknown rule '${r}' in ${name} directive (known rules: ${[...knownRules].join(', ')}).`);
      else if (!got?.has(r)) report(d, `Unused ${name} directive (no problems were reported from '${r}').`);
    }
  }
  return out;
}
