/**
 * Inline suppression directives, in ESLint's style:
 *
 *   // ddi-lint-disable-next-line RULE[, RULE2] -- reason
 *   // ddi-lint-disable-line RULE -- reason
 *   /* ddi-lint-disable RULE *\/ ... /* ddi-lint-enable RULE *\/
 *
 * Every form works in both `//` and `/* *\/` comments. Without a rule list a directive applies to all
 * rules. The text after ` -- ` is the justification, recorded on each suppressed message as
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
import type { LintMessage } from './types.js';

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
}

const PREFIX = 'ddi-lint-';

/** All comments of a C/C++ text, in order. */
export function scanComments(text: string): Comment[] {
  const comments: Comment[] = [];
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
        comments.push({ value, block: false, line: start.line, column: start.column, endLine: line });
        i = k;
        continue;
      }
      if (d === 42 /* /* */) {
        const start = pos(i);
        const close = text.indexOf('*/', i + 2);
        const end = close < 0 ? n : close + 2;
        const value = text.slice(i + 2, close < 0 ? n : close);
        advance(i, end);
        comments.push({ value, block: true, line: start.line, column: start.column, endLine: line });
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
      i = Math.min(k, n);
      continue;
    }
    i++;
  }
  return comments;
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
  if (!text.includes(PREFIX)) return [];
  const out: Directive[] = [];
  for (const c of scanComments(text)) {
    const d = parseDirective(c);
    if (d) out.push(d);
  }
  return out;
}

function appliesTo(d: Directive, ruleId: string): boolean {
  return d.rules.length === 0 || d.rules.includes(ruleId);
}

function before(d: Directive, m: LintMessage): boolean {
  return d.line < m.line || (d.line === m.line && d.column <= m.column);
}

/** The directives that suppress a message (empty = not suppressed). */
function suppressorsOf(directives: Directive[], m: LintMessage): Directive[] {
  const ruleId = m.ruleId;
  if (ruleId === null || m.fatal) return [];
  const found: Directive[] = [];
  // Block range: the last disable/enable before the message decides, per rule.
  let range: Directive | undefined;
  for (const d of directives) {
    if (d.kind !== 'disable' && d.kind !== 'enable') continue;
    if (!before(d, m)) break;
    if (!appliesTo(d, ruleId)) continue;
    range = d.kind === 'disable' ? d : undefined;
  }
  if (range) found.push(range);
  for (const d of directives) {
    if (!appliesTo(d, ruleId)) continue;
    if (d.kind === 'disable-line' && m.line >= d.line && m.line <= d.endLine) found.push(d);
    else if (d.kind === 'disable-next-line' && m.line === d.endLine + 1) found.push(d);
  }
  return found;
}

/**
 * Split messages into kept and suppressed according to the text's directives. Suppressed messages
 * get `suppressions` (one entry per directive that suppresses them).
 */
export function applyDirectives(text: string, messages: LintMessage[]): { messages: LintMessage[]; suppressedMessages: LintMessage[] } {
  const directives = parseDirectives(text);
  if (directives.length === 0) return { messages, suppressedMessages: [] };
  const kept: LintMessage[] = [];
  const suppressed: LintMessage[] = [];
  for (const m of messages) {
    const by = suppressorsOf(directives, m);
    if (by.length === 0) kept.push(m);
    else suppressed.push({ ...m, suppressions: by.map((d) => ({ kind: 'directive' as const, justification: d.justification })) });
  }
  return { messages: kept, suppressedMessages: suppressed };
}
