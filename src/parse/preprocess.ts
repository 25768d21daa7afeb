/**
 * Position-preserving neutralization of driver-source noise before tree-sitter sees it.
 *
 * Real driver code is full of SAL annotations, calling-convention and declaration macros, the WDK
 * spellings of SEH keywords (`try`/`except`/`finally`/`leave` in C files), statement-like macros
 * written without a semicolon and `#if` blocks that split statements. tree-sitter produces ERROR
 * nodes on most of them. We replace each with spaces of exactly the same length (newlines kept), so
 * every row and column the parser reports is the original one, and keep the text of what was blanked
 * as an {@link Annotation} for the IRQL analysis.
 *
 * Substitutions that are not blanking (all same length, none moves a line):
 * - `try` -> `__try` (and friends), which borrows adjacent whitespace on the same line; when there is
 *   not enough of it right next to the keyword, a `}` just before it (`}except(`) moves left into its
 *   indentation by at most two columns: the only character that ever moves, and never off its line;
 * - `CONST` -> `const`, `WHILE(` -> `while(` (same spelling of a keyword);
 * - a for-each macro opening a block (`LIST_FOR_EACH_SAFE(a, b, &head) {`) -> `while` + spaces: the
 *   loop stays a loop whose condition is the (comma) expression of the macro's arguments;
 * - MSVC integer suffixes (`1I64`, `0xFFui64`) -> standard ones padded with spaces (`1LL `);
 * - a label at the end of a block (`Exit:` followed by `}` or by a directive): one whitespace
 *   character between the colon and what follows becomes `;` (an empty statement);
 * - `#if` groups whose branches split a statement, a condition or an initializer (unbalanced braces
 *   or parentheses, `#if` after `||`, `else` or `if (...)`, a branch that starts with `else`...) are
 *   flattened to their first branch: directive lines and the other branches are blanked. Groups that
 *   are well nested stay, so the CFG sees their branches as alternative paths;
 * - `#if 0` branches (and `__cplusplus` tests, whose value the language decides) are resolved.
 *
 * Linear time: one lexing pass to find directives, labels and statement context, one pass to apply the
 * group decisions, one pass for the token-level rewrites.
 */

export type AnnotationKind =
  /** SAL 2 (`_In_`, `_IRQL_requires_max_(APC_LEVEL)`) or SAL 1 / driver SAL (`__in`, `__drv_maxIRQL(2)`). */
  | 'sal'
  /** Calling convention, linkage or declaration macro (`NTAPI`, `IN`, `PAGED_CODE_SEG`...). */
  | 'macro'
  /** A WDK SEH spelling rewritten to the `__` form (`try`, `except`, `finally`, `leave`; classpnp's `TRY`, `LEAVE`, `FINALLY`). */
  | 'seh'
  /** A statement-like macro invocation written without a semicolon (`PAGED_CODE()` on its own line). */
  | 'stmt-macro'
  /** A `#pragma` line, `__pragma(...)` or `_Pragma(...)` (recorded always; blanked only where it splits a statement, or the operator forms). */
  | 'pragma'
  /** A branch of an `#if` group that is never compiled (`#if 0`, `#ifdef __cplusplus` in C) or that was dropped when a group was flattened. */
  | 'inactive'
  /** A conditional directive line blanked because its group was resolved or flattened. */
  | 'directive'
  /** A keyword spelled as a macro, replaced by the keyword (`CONST`, `WHILE`), or a for-each macro turned into `while`. */
  | 'keyword-macro'
  /** An MSVC integer-literal suffix (`I64`, `ui64`) replaced by a standard one. */
  | 'literal'
  /** A `;` written into whitespace after a label that ends a block. */
  | 'fixup';

export interface Annotation {
  kind: AnnotationKind;
  /** The original text (for `seh`, the original keyword). */
  text: string;
  /** Identifier of the annotation or macro (`_IRQL_requires_max_`, `NTAPI`, `try`, `pragma`, `if`...). */
  name: string;
  /** Offset range in the original text (UTF-16 code units, as tree-sitter reports for JS strings). */
  start: number;
  end: number;
}

export interface Preprocessed {
  /** Text to hand to tree-sitter: same length and same line structure as the original. */
  text: string;
  annotations: Annotation[];
}

/** SAL 2 spelling: `_Word_` or `_Word_word_..._`. Must contain a lower-case letter or start with `_IRQL_` (so `_DRIVER_NAME_` is not SAL). */
const SAL2 = /^_[A-Z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*_$/;
const SAL1 =
  /^__(?:in|out|inout|deref|drv|field|bcount|ecount|xcount|checkReturn|success|range|nullterminated|reserved|callback|allocator|bound|notnull|maybenull|readonly|format_string|post|pre|control_entrypoint|kernel_entry|analysis_assume|typefix|override|opt|struct_bcount|struct_xcount|user_code|rpc_entry|fallthrough)(?:_\w*)?$/;

/** Macros that expand to nothing (or to a calling convention / linkage specifier) in a declaration. */
const DECL_MACROS = new Set([
  'IN', 'OUT', 'OPTIONAL', 'NTAPI', 'WINAPI', 'APIENTRY', 'CALLBACK', 'FASTCALL', 'STDCALL', 'STDAPICALLTYPE',
  'STDMETHODCALLTYPE', 'NTAPI_INLINE', '__stdcall', '__cdecl', '__fastcall', '__clrcall', '__thiscall', '__vectorcall',
  'NTSYSAPI', 'NTSYSCALLAPI', 'NTKERNELAPI', 'NTHALAPI', 'NTSTRSAFEAPI', 'NTSTRSAFEDDI', 'DECLSPEC_NOINLINE',
  'DECLSPEC_IMPORT', 'DECLSPEC_EXPORT', 'DECLSPEC_NORETURN', 'DECLSPEC_NOTHROW', 'DECLSPEC_CACHEALIGN',
  'DECLSPEC_SELECTANY', 'DECLSPEC_GUARDNOCF', 'FORCEINLINE', '__forceinline', 'EXTERN_C', 'UNALIGNED',
  'POINTER_ALIGNMENT', 'PAGED_CODE_SEG', 'INIT_CODE_SEG', 'NONPAGED_CODE_SEG', 'PAGED_CODE_LOCKED_SEG',
  'INLINE', 'KRSTATUS_API', 'CODE_SEG_PAGE', 'ALLOC_PAGED', 'WDFAPI', 'NDIS_API', 'CONST_VTBL', 'PTRALIGN',
  '__RPC_FAR', '__RPC_USER', '__RPC_STUB', '__RPC_API', '__unaligned', '__ptr64', '__ptr32',
]);
/** Declaration macros that take an argument list. */
const DECL_MACROS_WITH_ARGS = new Set(['DECLSPEC_ALIGN', 'DECLSPEC_ALLOCATOR', 'DECLSPEC_DEPRECATED_DDK', 'CODE_SEG', 'DECLSPEC_GUARD_SUPPRESS']);

/** Same-length substitutions (the macro is a spelling of a keyword). The value says what must follow. */
const SAME_LENGTH: Record<string, { to: string; before?: number }> = {
  CONST: { to: 'const' },
  WHILE: { to: 'while', before: 40 /* ( */ },
};

/**
 * SEH spellings of C files -> the character that must follow them. Lower case: the WDK's `try`/`except`/
 * `finally`/`leave` macros. Upper case: classpnp's `TRY`/`LEAVE`/`FINALLY` (a `goto __tryLabel` idiom whose
 * paths are those of `__try`/`__leave`/`__finally`, except that a `return` inside does not run the block).
 */
const SEH_WORDS: Record<string, { follow: number; to: string }> = {
  try: { follow: 123, to: '__try' },
  except: { follow: 40, to: '__except' },
  finally: { follow: 123, to: '__finally' },
  leave: { follow: 59, to: '__leave' },
  TRY: { follow: 123, to: '__try' },
  FINALLY: { follow: 123, to: '__finally' },
  LEAVE: { follow: 59, to: '__leave' },
};

const FOREACH_MACRO = /for_?each|foreach/i;

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;
}
function isIdentChar(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
const SPACE = 32, TAB = 9, NL = 10, CR = 13;

// ---------------------------------------------------------------------------------------------
// Shared scanning helpers
// ---------------------------------------------------------------------------------------------

function skipString(src: string, k: number): number {
  const n = src.length;
  const q = src.charCodeAt(k);
  k++;
  while (k < n) {
    const c = src.charCodeAt(k);
    if (c === 92) k += 2;
    else if (c === q) return k + 1;
    else if (c === NL) return k; // unterminated literal: stop at end of line
    else k++;
  }
  return n;
}
function skipLineComment(src: string, k: number): number {
  const n = src.length;
  while (k < n && src.charCodeAt(k) !== NL) {
    // a backslash at end of line continues a // comment in C
    if (src.charCodeAt(k) === 92 && (src.charCodeAt(k + 1) === NL || (src.charCodeAt(k + 1) === CR && src.charCodeAt(k + 2) === NL))) {
      k += src.charCodeAt(k + 1) === CR ? 3 : 2;
      continue;
    }
    k++;
  }
  return k;
}
function skipBlockComment(src: string, k: number): number {
  const e = src.indexOf('*/', k + 2);
  return e < 0 ? src.length : e + 2;
}
/** End of the directive starting at `k` (index of its terminating newline, or the text's end), following `\` continuations. */
function directiveEnd(src: string, k: number): number {
  const n = src.length;
  while (k < n) {
    const d = src.charCodeAt(k);
    if (d === NL) {
      let b = k - 1;
      if (b >= 0 && src.charCodeAt(b) === CR) b--;
      if (b >= 0 && src.charCodeAt(b) === 92) {
        k++;
        continue;
      }
      return k;
    }
    if (d === 47 && src.charCodeAt(k + 1) === 42) {
      k = skipBlockComment(src, k);
      continue;
    }
    if (d === 47 && src.charCodeAt(k + 1) === 47) {
      k = skipLineComment(src, k);
      continue;
    }
    k++;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Phase 1: lexing for directives, labels and statement context
// ---------------------------------------------------------------------------------------------

interface Tok {
  /** w: identifier or keyword; p: punctuator; o: literal. */
  kind: 'w' | 'p' | 'o';
  text: string;
  start: number;
  end: number;
  /** The `)` closing the header of `if`/`while`/`for`/`switch`: a statement must follow. */
  hdrClose?: boolean;
  /** The `:` of a statement label. */
  labelColon?: boolean;
}

interface Directive {
  kw: string;
  /** Start of the directive's line (indentation included). */
  lineStart: number;
  /** Index of the newline ending the directive (continuations included), or the text's length. */
  end: number;
  /** The condition text (after the keyword), comments removed. */
  arg: string;
  braces: number;
  parens: number;
  /** Last significant token before the directive (directives are not tokens). */
  prev: Tok | null;
  /** First significant token after the directive. */
  next: Tok | null;
}

interface Label {
  colon: Tok;
  /** What follows the label: the next token, or the next directive when it comes first. */
  nextTok: Tok | null;
  nextDir: Directive | null;
}

interface Scan {
  directives: Directive[];
  labels: Label[];
}

const CONTROL_HEADERS = new Set(['if', 'while', 'for', 'switch']);
const NOT_LABELS = new Set(['default', 'public', 'private', 'protected', 'case']);
const TWO_CHAR_PUNCT = new Set(['&&', '||', '->', '::', '==', '!=', '<=', '>=', '<<', '>>', '++', '--', '+=', '-=', '*=', '/=', '|=', '&=', '^=', '%=']);

function scan(src: string): Scan {
  const n = src.length;
  const directives: Directive[] = [];
  const labels: Label[] = [];
  let braces = 0;
  let parens = 0;
  let prev: Tok | null = null;
  let prev2: Tok | null = null;
  let waitingNext: Directive[] = [];
  let waitingLabel: Label | null = null;
  /** Paren depths at which an `if (`/`while (`... header was opened. */
  const headerParens: number[] = [];
  let pendingHeader = false; // saw `if`/`while`/`for`/`switch`, its `(` comes next
  let i = 0;
  let lineStart = true;

  const push = (t: Tok) => {
    if (waitingNext.length) {
      for (const d of waitingNext) d.next = t;
      waitingNext = [];
    }
    if (waitingLabel) {
      waitingLabel.nextTok = t;
      waitingLabel = null;
    }
    prev2 = prev;
    prev = t;
  };

  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === NL) {
      lineStart = true;
      i++;
      continue;
    }
    if (c === SPACE || c === TAB || c === CR || c === 12 || c === 11) {
      i++;
      continue;
    }
    if (c === 47 && src.charCodeAt(i + 1) === 47) {
      i = skipLineComment(src, i);
      continue;
    }
    if (c === 47 && src.charCodeAt(i + 1) === 42) {
      i = skipBlockComment(src, i);
      continue;
    }
    if (c === 35 /* # */ && lineStart) {
      let ls = i;
      while (ls > 0 && src.charCodeAt(ls - 1) !== NL) ls--;
      const end = directiveEnd(src, i);
      let k = i + 1;
      while (k < end && (src.charCodeAt(k) === SPACE || src.charCodeAt(k) === TAB)) k++;
      let e = k;
      while (e < end && isIdentChar(src.charCodeAt(e))) e++;
      const kw = src.slice(k, e);
      const arg = src
        .slice(e, end)
        .replace(/\/\*[\s\S]*?\*\//g, ' ')
        .replace(/\/\/.*$/gm, '')
        .replace(/\\\r?\n/g, ' ')
        .trim();
      const d: Directive = { kw, lineStart: ls, end, arg, braces, parens, prev, next: null };
      directives.push(d);
      waitingNext.push(d);
      if (waitingLabel && waitingLabel.nextDir === null) {
        waitingLabel.nextDir = d;
        waitingLabel = null;
      }
      i = end;
      continue;
    }
    lineStart = false;
    if (c === 34 || c === 39) {
      const s = i;
      i = skipString(src, i);
      push({ kind: 'o', text: '"', start: s, end: i });
      pendingHeader = false;
      continue;
    }
    if (isIdentStart(c)) {
      const s = i;
      i++;
      while (i < n && isIdentChar(src.charCodeAt(i))) i++;
      const word = src.slice(s, i);
      // string literal prefixes: L"..", u8"..", etc.
      const q = src.charCodeAt(i);
      if ((q === 34 || q === 39) && (word === 'L' || word === 'u' || word === 'U' || word === 'u8')) {
        i = skipString(src, i);
        push({ kind: 'o', text: '"', start: s, end: i });
        pendingHeader = false;
        continue;
      }
      push({ kind: 'w', text: word, start: s, end: i });
      pendingHeader = CONTROL_HEADERS.has(word);
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(src.charCodeAt(i + 1)))) {
      const s = i;
      i++;
      while (i < n) {
        const d = src.charCodeAt(i);
        if (isIdentChar(d) || d === 46) i++;
        else if ((d === 43 || d === 45) && /[eEpP]/.test(src[i - 1]!) && !/^0[xX]/.test(src.slice(s, s + 2))) i++;
        else break;
      }
      push({ kind: 'o', text: '0', start: s, end: i });
      pendingHeader = false;
      continue;
    }
    // punctuation
    const two = src.slice(i, i + 2);
    const len = TWO_CHAR_PUNCT.has(two) ? 2 : 1;
    const t: Tok = { kind: 'p', text: len === 2 ? two : src[i]!, start: i, end: i + len };
    if (len === 1) {
      if (c === 123) braces++;
      else if (c === 125) braces--;
      else if (c === 40) {
        parens++;
        if (pendingHeader) headerParens.push(parens);
      } else if (c === 41) {
        if (headerParens.length && headerParens[headerParens.length - 1] === parens) {
          headerParens.pop();
          t.hdrClose = true;
        }
        parens--;
      } else if (c === 58 /* : */) {
        const w: Tok | null = prev;
        const before: Tok | null = prev2;
        if (
          w &&
          w.kind === 'w' &&
          !NOT_LABELS.has(w.text) &&
          (before === null || (before.kind === 'p' && (before.text === ';' || before.text === '{' || before.text === '}' || (before.text === ':' && !!before.labelColon) || !!before.hdrClose)) || (before.kind === 'w' && before.text === 'else'))
        ) {
          t.labelColon = true;
        }
      }
    }
    i += len;
    push(t);
    if (t.labelColon) {
      const label: Label = { colon: t, nextTok: null, nextDir: null };
      labels.push(label);
      waitingLabel = label;
    }
    pendingHeader = false;
  }
  return { directives, labels };
}

// ---------------------------------------------------------------------------------------------
// Phase 1 decisions: conditional groups, pragmas in statement position, labels ending a block
// ---------------------------------------------------------------------------------------------

interface Edit {
  start: number;
  end: number;
  /** Replacement text (same length); undefined = blank (spaces, newlines kept). */
  text?: string;
  kind: AnnotationKind;
  name: string;
}

/** A token after which the statement or expression is not finished (a directive here splits it). */
function continuesAfter(t: Tok | null): boolean {
  if (!t) return false;
  if (t.kind === 'w') return t.text === 'else' || t.text === 'do' || t.text === 'return' || t.text === 'goto' || t.text === 'sizeof';
  if (t.kind !== 'p') return false;
  if (t.hdrClose || t.labelColon) return true;
  switch (t.text) {
    case ';':
    case '{':
    case '}':
    case ')':
    case ']':
    case ':':
    case '::':
    case '++':
    case '--':
      return false;
    default:
      return true;
  }
}
/** A token that cannot start a statement or declaration: a directive just before it splits an expression or an if/else. */
function cannotStart(t: Tok | null): boolean {
  if (!t) return false;
  if (t.kind === 'w') return t.text === 'else';
  if (t.kind !== 'p') return false;
  switch (t.text) {
    case '{':
    case '}':
    case '(':
    case ';':
    case '*':
    case '&':
    case '-':
    case '+':
    case '!':
    case '~':
    case '[':
    case '::':
    case '++':
    case '--':
    case '#':
      return false;
    default:
      return true;
  }
}

const COND_KW = new Set(['if', 'ifdef', 'ifndef', 'elif', 'else', 'endif', 'elifdef', 'elifndef']);

/** Truth of a group's first condition when the language alone decides it; undefined when unknown. */
function knownTruth(d: Directive, lang: 'c' | 'cpp'): boolean | undefined {
  const cpp = lang === 'cpp';
  const a = d.arg.replace(/\s+/g, ' ');
  if (d.kw === 'ifdef') return a === '__cplusplus' ? cpp : undefined;
  if (d.kw === 'ifndef') return a === '__cplusplus' ? !cpp : undefined;
  if (d.kw !== 'if') return undefined;
  if (/^\(?\s*0\s*\)?$/.test(a)) return false;
  if (/^\(?\s*1\s*\)?$/.test(a)) return true;
  if (/^(?:defined\s*\(\s*__cplusplus\s*\)|defined __cplusplus|__cplusplus)$/.test(a)) return cpp;
  if (/^!\s*defined\s*\(?\s*__cplusplus\s*\)?$/.test(a)) return !cpp;
  return undefined;
}

function decide(src: string, lang: 'c' | 'cpp', sc: Scan): Edit[] {
  const edits: Edit[] = [];
  const { directives } = sc;
  // group the conditional directives
  const groups: Directive[][] = [];
  const groupOf = new Map<Directive, Directive[]>();
  const stack: Directive[][] = [];
  for (const d of directives) {
    if (!COND_KW.has(d.kw)) continue;
    if (d.kw === 'if' || d.kw === 'ifdef' || d.kw === 'ifndef') {
      const g = [d];
      stack.push(g);
      groupOf.set(d, g);
    } else {
      const g = stack[stack.length - 1];
      if (!g) continue; // stray #else/#endif
      g.push(d);
      groupOf.set(d, g);
      if (d.kw === 'endif') {
        stack.pop();
        groups.push(g);
      }
    }
  }
  const flatten = new Set<Directive[]>();

  // labels that end a block: `Exit:` followed by `}` or by a directive
  for (const l of sc.labels) {
    const dir = l.nextDir;
    const tok = l.nextTok;
    const endsBlock = dir !== null || (tok !== null && tok.kind === 'p' && tok.text === '}');
    if (!endsBlock) continue;
    const limit = dir ? dir.lineStart : tok!.start;
    let k = l.colon.end;
    let spot = -1;
    while (k < limit) {
      const c = src.charCodeAt(k);
      if (c === SPACE || c === TAB) {
        spot = k;
        break;
      }
      if (c === 47 && src.charCodeAt(k + 1) === 47) k = skipLineComment(src, k);
      else if (c === 47 && src.charCodeAt(k + 1) === 42) k = skipBlockComment(src, k);
      else k++;
    }
    if (spot >= 0) {
      edits.push({ start: spot, end: spot + 1, text: ';', kind: 'fixup', name: 'label' });
      continue;
    }
    if (dir) {
      const g = groupOf.get(dir);
      if (g) flatten.add(g);
    }
  }

  // #pragma in statement position (after a label, an `if (...)`, an operator; before `else`)
  for (const d of directives) {
    if (d.kw !== 'pragma') continue;
    if (continuesAfter(d.prev) || cannotStart(d.next)) edits.push({ start: d.lineStart, end: d.end, kind: 'pragma', name: 'pragma' });
  }

  for (const g of groups) {
    const first = g[0]!;
    const last = g[g.length - 1]!;
    const truth = knownTruth(first, lang);
    if (truth === false) {
      const second = g[1]!;
      if (second.kw === 'elif' || second.kw === 'elifdef' || second.kw === 'elifndef') {
        if (second.lineStart > first.end + 1) edits.push({ start: first.end + 1, end: second.lineStart, kind: 'inactive', name: first.kw });
      } else {
        edits.push({ start: first.lineStart, end: second.lineStart, kind: 'inactive', name: first.kw });
        edits.push({ start: second.lineStart, end: second.end, kind: 'directive', name: second.kw });
        if (second !== last) edits.push({ start: last.lineStart, end: last.end, kind: 'directive', name: last.kw });
      }
      continue;
    }
    let split = truth === true || flatten.has(g);
    if (!split) {
      for (let k = 0; k + 1 < g.length && !split; k++) {
        if (g[k + 1]!.braces !== g[k]!.braces || g[k + 1]!.parens !== g[k]!.parens) split = true;
      }
    }
    if (!split && continuesAfter(first.prev)) split = true;
    if (!split) {
      for (let k = 0; k < g.length && !split; k++) {
        const d = g[k]!;
        if (cannotStart(d.next)) split = true;
        // the branch before this directive ends in the middle of a statement
        else if (k > 0 && d.prev && d.prev.start > g[k - 1]!.end && continuesAfter(d.prev)) split = true;
      }
    }
    if (!split) continue;
    edits.push({ start: first.lineStart, end: first.end, kind: 'directive', name: first.kw });
    if (g.length > 1) {
      const second = g[1]!;
      if (second !== last) edits.push({ start: second.lineStart, end: last.lineStart, kind: 'inactive', name: second.kw });
      edits.push({ start: last.lineStart, end: last.end, kind: 'directive', name: last.kw });
    }
  }

  // order, and drop edits inside regions already blanked (nested groups in dropped branches)
  edits.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Edit[] = [];
  let reach = -1;
  for (const e of edits) {
    if (e.start < reach) continue;
    out.push(e);
    reach = e.end;
  }
  return out;
}

function blankOf(src: string, start: number, end: number): string {
  let s = '';
  let run = 0;
  for (let k = start; k < end; k++) {
    const c = src.charCodeAt(k);
    if (c === NL || c === CR) {
      if (run) s += ' '.repeat(run);
      run = 0;
      s += src[k];
    } else run++;
  }
  if (run) s += ' '.repeat(run);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Phase 2: token-level rewrites
// ---------------------------------------------------------------------------------------------

/**
 * @param lang C files get the WDK SEH spellings rewritten; C++ files keep `try` as C++ `try`.
 */
export function preprocess(src: string, lang: 'c' | 'cpp'): Preprocessed {
  const n = src.length;
  const annotations: Annotation[] = [];

  // phase 1
  const sc = scan(src);
  for (const d of sc.directives) {
    if (d.kw === 'pragma') annotations.push({ kind: 'pragma', text: src.slice(d.lineStart, d.end).trim(), name: 'pragma', start: d.lineStart, end: d.end });
  }
  const edits = decide(src, lang, sc);
  let text = src;
  if (edits.length) {
    const parts: string[] = [];
    let at = 0;
    for (const e of edits) {
      parts.push(src.slice(at, e.start));
      parts.push(e.text ?? blankOf(src, e.start, e.end));
      at = e.end;
      if (e.kind !== 'pragma') annotations.push({ kind: e.kind, text: src.slice(e.start, e.end), name: e.name, start: e.start, end: e.end });
    }
    parts.push(src.slice(at));
    text = parts.join('');
  }

  // phase 2 scans `text` (phase-1 output) and reads annotation text from `src`
  const out: string[] = [];
  let copied = 0; // text[0..copied) has been emitted to out

  const emitBlank = (start: number, end: number) => {
    if (start > copied) out.push(text.slice(copied, start));
    out.push(blankOf(text, start, end));
    copied = end;
  };
  const emitReplace = (start: number, end: number, repl: string) => {
    if (start > copied) out.push(text.slice(copied, start));
    out.push(repl);
    copied = end;
  };

  /** Index just after the balanced parenthesis group starting at `open` (which is '('); -1 if unbalanced. */
  const matchParen = (open: number): number => {
    let depth = 0;
    let k = open;
    while (k < n) {
      const c = text.charCodeAt(k);
      if (c === 40) depth++;
      else if (c === 41) {
        depth--;
        if (depth === 0) return k + 1;
      } else if (c === 34 || c === 39) {
        k = skipString(text, k);
        continue;
      } else if (c === 47 && text.charCodeAt(k + 1) === 47) {
        k = skipLineComment(text, k);
        continue;
      } else if (c === 47 && text.charCodeAt(k + 1) === 42) {
        k = skipBlockComment(text, k);
        continue;
      } else if ((c === 59 || c === 123 || c === 125) && k - open > 4000) {
        return -1; // runaway: this was not an annotation's argument list
      }
      k++;
    }
    return -1;
  };
  /** Skip spaces and tabs (not newlines). */
  const skipInline = (k: number): number => {
    while (k < n) {
      const c = text.charCodeAt(k);
      if (c === SPACE || c === TAB) k++;
      else break;
    }
    return k;
  };
  /** Skip whitespace including newlines and comments. */
  const skipTrivia = (k: number): number => {
    while (k < n) {
      const c = text.charCodeAt(k);
      if (c === SPACE || c === TAB || c === NL || c === CR || c === 12 || c === 11) k++;
      else if (c === 47 && text.charCodeAt(k + 1) === 47) k = skipLineComment(text, k);
      else if (c === 47 && text.charCodeAt(k + 1) === 42) k = skipBlockComment(text, k);
      else break;
    }
    return k;
  };
  const atLineStart = (k: number): boolean => {
    let j = k - 1;
    while (j >= 0) {
      const c = text.charCodeAt(j);
      if (c === NL) return true;
      if (c !== SPACE && c !== TAB && c !== CR) return false;
      j--;
    }
    return true;
  };
  /** The last non-blank character before `k` (skipping spaces, tabs and newlines only), and its index. */
  const prevNonBlank = (k: number): number => {
    let j = k - 1;
    while (j >= 0) {
      const c = text.charCodeAt(j);
      if (c !== SPACE && c !== TAB && c !== NL && c !== CR) return j;
      j--;
    }
    return -1;
  };
  /** The identifier ending at `end` (exclusive), if any. */
  const wordBefore = (end: number): string => {
    let s = end;
    while (s > 0 && isIdentChar(text.charCodeAt(s - 1))) s--;
    return text.slice(s, end);
  };

  let i = 0;
  let lineStart = true; // only whitespace seen since the last newline
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === NL) {
      lineStart = true;
      i++;
      continue;
    }
    if (c === SPACE || c === TAB || c === CR || c === 12 || c === 11) {
      i++;
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 47) {
      i = skipLineComment(text, i);
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 42) {
      i = skipBlockComment(text, i);
      continue;
    }
    if (c === 35 /* # */ && lineStart) {
      i = directiveEnd(text, i);
      continue;
    }
    lineStart = false;
    if (c === 34 || c === 39) {
      i = skipString(text, i);
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(i + 1)))) {
      // a pp-number; MSVC suffixes i8/i16/i32/i64 (optionally u-prefixed) become standard ones
      const s = i;
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (isIdentChar(d) || d === 46) i++;
        else if ((d === 43 || d === 45) && /[eE]/.test(text[i - 1]!) && !/^0[xX]/.test(text.slice(s, s + 2))) i++;
        else break;
      }
      const m = /(u?)i(8|16|32|64)$/i.exec(text.slice(s, i));
      if (m && i - m[0].length > s) {
        const suffixStart = i - m[0].length;
        const std = (m[1] ? 'U' : '') + (m[2] === '64' ? 'LL' : '');
        annotations.push({ kind: 'literal', text: src.slice(s, i), name: m[0], start: suffixStart, end: i });
        emitReplace(suffixStart, i, std.padEnd(m[0].length, ' '));
      }
      continue;
    }
    if (!isIdentStart(c)) {
      i++;
      continue;
    }
    // identifier
    let j = i + 1;
    while (j < n && isIdentChar(text.charCodeAt(j))) j++;
    const word = text.slice(i, j);
    const wordStart = i;
    i = j;
    // string literal prefixes: L"..", u8"..", etc.
    const q = text.charCodeAt(j);
    if ((q === 34 || q === 39) && (word === 'L' || word === 'u' || word === 'U' || word === 'u8')) {
      i = skipString(text, j);
      continue;
    }
    const first = word.charCodeAt(0);
    if (first === 95 /* _ */) {
      const isSal =
        (SAL2.test(word) && (/[a-z]/.test(word) || word.startsWith('_IRQL_'))) || SAL1.test(word);
      if (isSal) {
        // not a struct tag or a member (`struct _State_ {`, `p->_Data_`)
        const pb = prevNonBlank(wordStart);
        const pc = pb >= 0 ? text.charCodeAt(pb) : -1;
        const pw = pc >= 0 && isIdentChar(pc) ? wordBefore(pb + 1) : '';
        const member = pc === 46 /* . */ || (pc === 62 && text.charCodeAt(pb - 1) === 45); /* -> */
        if (!member && pw !== 'struct' && pw !== 'union' && pw !== 'enum' && pw !== 'class') {
          let end = j;
          const p = skipInline(j);
          if (text.charCodeAt(p) === 40) {
            const close = matchParen(p);
            if (close > 0) end = close;
          }
          annotations.push({ kind: 'sal', text: src.slice(wordStart, end), name: word, start: wordStart, end });
          emitBlank(wordStart, end);
          i = end;
          continue;
        }
      }
      if (word === '__pragma' || word === '_Pragma') {
        const p = skipInline(j);
        if (text.charCodeAt(p) === 40) {
          const close = matchParen(p);
          if (close > 0) {
            annotations.push({ kind: 'pragma', text: src.slice(wordStart, close), name: word, start: wordStart, end: close });
            emitBlank(wordStart, close);
            i = close;
            continue;
          }
        }
      }
    }
    if (DECL_MACROS.has(word)) {
      annotations.push({ kind: 'macro', text: word, name: word, start: wordStart, end: j });
      emitBlank(wordStart, j);
      continue;
    }
    if (DECL_MACROS_WITH_ARGS.has(word)) {
      let end = j;
      const p = skipInline(j);
      if (text.charCodeAt(p) === 40) {
        const close = matchParen(p);
        if (close > 0) end = close;
      }
      annotations.push({ kind: 'macro', text: src.slice(wordStart, end), name: word, start: wordStart, end });
      emitBlank(wordStart, end);
      i = end;
      continue;
    }
    const same = SAME_LENGTH[word];
    if (same !== undefined && (same.before === undefined || text.charCodeAt(skipInline(j)) === same.before)) {
      annotations.push({ kind: 'keyword-macro', text: word, name: word, start: wordStart, end: j });
      emitReplace(wordStart, j, same.to);
      continue;
    }
    if (lang === 'c' && Object.prototype.hasOwnProperty.call(SEH_WORDS, word)) {
      const seh = SEH_WORDS[word]!;
      const follow = skipTrivia(j);
      if (text.charCodeAt(follow) === seh.follow) {
        const need = seh.to.length - word.length;
        // borrow whitespace on the same line, before and/or after the keyword
        let before = 0;
        while (before < need && wordStart - before - 1 >= copied) {
          const b = text.charCodeAt(wordStart - before - 1);
          if (b === SPACE || b === TAB) before++;
          else break;
        }
        let after = 0;
        while (before + after < need) {
          const a = text.charCodeAt(j + after);
          if (a === SPACE || a === TAB) after++;
          else break;
        }
        const missing = need - before - after;
        if (missing === 0) {
          annotations.push({ kind: 'seh', text: word, name: word, start: wordStart, end: j });
          emitReplace(wordStart - before, j + after, seh.to);
          continue;
        }
        // `}except(`: move the `}` left into its indentation
        const brace = wordStart - before - 1;
        if (brace >= copied && text.charCodeAt(brace) === 125) {
          let ws = 0;
          while (ws < missing && brace - ws - 1 >= copied) {
            const b = text.charCodeAt(brace - ws - 1);
            if (b === SPACE || b === TAB) ws++;
            else break;
          }
          if (ws === missing) {
            annotations.push({ kind: 'seh', text: word, name: word, start: wordStart, end: j });
            emitReplace(brace - missing, j + after, '}' + seh.to);
            continue;
          }
        }
      }
    }
    if (FOREACH_MACRO.test(word) && word.length >= 5 && atLineStart(wordStart)) {
      // `LIST_FOR_EACH(entry, &head) {` -> `while        (entry, &head) {`
      const p = skipInline(j);
      if (text.charCodeAt(p) === 40) {
        const close = matchParen(p);
        if (close > 0 && text.charCodeAt(skipTrivia(close)) === 123) {
          annotations.push({ kind: 'keyword-macro', text: word, name: word, start: wordStart, end: j });
          emitReplace(wordStart, j, 'while'.padEnd(word.length, ' '));
          continue;
        }
      }
    }
    // statement-like macro without a semicolon: ALL_CAPS(args) alone on its line
    if (first >= 65 && first <= 90 && word.length > 2 && /^[A-Z][A-Z0-9_]*$/.test(word) && atLineStart(wordStart)) {
      const p = skipInline(j);
      if (text.charCodeAt(p) === 40) {
        const close = matchParen(p);
        if (close > 0) {
          // the rest of the line must be empty or a comment
          const restStart = skipInline(close);
          const r = text.charCodeAt(restStart);
          const restEmpty =
            restStart >= n || r === NL || r === CR || (r === 47 && (text.charCodeAt(restStart + 1) === 47 || text.charCodeAt(restStart + 1) === 42));
          if (restEmpty) {
            const next = skipTrivia(close);
            const nc = text.charCodeAt(next);
            // the next token starts a new statement or declaration (not an operator continuing an expression,
            // and not the `{` of a function definition whose name is in capitals)
            if (next >= n || isIdentStart(nc) || nc === 125 /* } */ || nc === 35 /* # */) {
              annotations.push({ kind: 'stmt-macro', text: src.slice(wordStart, close), name: word, start: wordStart, end: close });
              emitBlank(wordStart, close);
              i = close;
              continue;
            }
          }
        }
      }
    }
  }
  annotations.sort((a, b) => a.start - b.start);
  if (copied === 0) return { text, annotations };
  if (copied < n) out.push(text.slice(copied));
  return { text: out.join(''), annotations };
}
