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
 * Blanked: SAL 1/2 with their arguments; `IN`/`OUT`/`OPTIONAL`, calling conventions, linkage and
 * declaration macros (a list, plus an unknown ALL_CAPS word `A` in `A B C(` at the start of a
 * declaration, which cannot be anything but a macro); code-placement macros (`PAGED`, `NONPAGED`,
 * `__declspec(code_seg(...))`); statement-like macros without a semicolon (ALL_CAPS, or in C a
 * capitalized name that is not an Mm/Io/Ke routine); `__pragma(...)`; `#pragma` lines that sit inside a
 * statement (after `if (...)`, a label, an operator, inside parentheses, before `else`/`except`, between
 * a function header and its body). Never blanked: calls in expressions, conditions, assignments.
 *
 * Substitutions that are not blanking (all same length, none moves a line):
 * - `try` -> `__try` (and friends), which borrows adjacent whitespace on the same line; when there is
 *   not enough of it right next to the keyword, a `}` just before it (`}except(`) moves left into its
 *   indentation by at most two columns: the only character that ever moves, and never off its line;
 * - `CONST` -> `const`, `WHILE(` -> `while(`, `_inline` -> `inline`, `STDMETHODIMP` -> `HRESULT`,
 *   `STDMETHODIMP_(T)` -> `T` (a keyword or type spelled as a macro);
 * - a for-each macro opening a block (`LIST_FOR_EACH_SAFE(a, b, &head) {`) -> `while` + spaces: the
 *   loop stays a loop whose condition is the (comma) expression of the macro's arguments;
 * - MSVC integer suffixes (`1I64`, `0xFFui64`) -> standard ones padded with spaces (`1LL `);
 * - a comparison operator passed alone as a macro argument, between two commas (`ASSERT3P(Va, ==, p)`,
 *   `ASSERT3U(n, <=, max)`: the assertions of Xen's and Solaris-derived drivers) -> `0` padded with
 *   spaces: a call with a constant argument, where the operator made the whole statement an ERROR node
 *   (and a function with a parse error gets no summary for its callers);
 * - a label at the end of a block (`Exit:` followed by `}` or by a directive): one whitespace
 *   character between the colon and what follows becomes `;` (an empty statement);
 * - `#if` groups whose branches split a statement, a condition or an initializer (unbalanced braces
 *   or parentheses, a branch that closes the block it began in, `#if` after `||`, `else`, a label or
 *   `if (...)`, a branch that starts with `else`, alternative function headers...) are flattened to
 *   their first branch: directive lines and the other branches are blanked (kinds `directive` and
 *   `inactive`). Well-nested groups stay, so the CFG sees their branches as alternative paths;
 * - `#if 0` branches (and `__cplusplus` tests, whose value the language decides) are resolved;
 * - the contents of numeric initializers of 4 KiB or more (`{ 0x00, 0x01, ... }` data tables) are
 *   blanked: no analysis reads them, and they would make most of the syntax tree.
 *
 * Linear time: one lexing pass to find directives, labels and statement context, one pass to apply the
 * group decisions, one pass for the token-level rewrites; argument-list searches look at most
 * {@link MAX_ARGS} characters ahead.
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
  | 'fixup'
  /** A comparison operator passed alone as a macro argument (`ASSERT3P(a, ==, b)`), replaced by `0`; the `*` of a pointer type passed to a macro (`EBPF_RETURN_POINTER(MDL*, p)`), replaced by a space. */
  | 'operator-argument';

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
  /^__(?:in|out|inout|deref|drv|field|bcount|ecount|xcount|checkReturn|success|range|nullterminated|reserved|callback|allocator|bound|notnull|maybenull|readonly|format_string|post|pre|control_entrypoint|kernel_entry|analysis_assume|typefix|override|opt|struct_bcount|struct_xcount|user_code|rpc_entry|fallthrough|on_failure|RPC_)(?:_\w*)?$/;

/** Macros that expand to nothing (or to a calling convention / linkage specifier) in a declaration. */
const DECL_MACROS = new Set([
  'IN', 'OUT', 'OPTIONAL', 'NTAPI', 'WINAPI', 'APIENTRY', 'CALLBACK', 'FASTCALL', 'STDCALL', 'STDAPICALLTYPE',
  'STDMETHODCALLTYPE', 'NTAPI_INLINE', '__stdcall', '__cdecl', '__fastcall', '__clrcall', '__thiscall', '__vectorcall',
  'NTSYSAPI', 'NTSYSCALLAPI', 'NTKERNELAPI', 'NTHALAPI', 'NTSTRSAFEAPI', 'NTSTRSAFEDDI', 'DECLSPEC_NOINLINE',
  'DECLSPEC_IMPORT', 'DECLSPEC_EXPORT', 'DECLSPEC_NORETURN', 'DECLSPEC_NOTHROW', 'DECLSPEC_CACHEALIGN',
  'DECLSPEC_SELECTANY', 'DECLSPEC_GUARDNOCF', 'FORCEINLINE', '__forceinline', 'EXTERN_C', 'UNALIGNED',
  'POINTER_ALIGNMENT', 'PAGED_CODE_SEG', 'INIT_CODE_SEG', 'NONPAGED_CODE_SEG', 'PAGED_CODE_LOCKED_SEG',
  'INLINE', 'KRSTATUS_API', 'CODE_SEG_PAGE', 'ALLOC_PAGED', 'WDFAPI', 'NDIS_API', 'CONST_VTBL', 'PTRALIGN',
  '__RPC_FAR', '__RPC_USER', '__RPC_STUB', '__RPC_API', '__unaligned', '__ptr64', '__ptr32', 'EXTERN_C_START',
  'EXTERN_C_END', '_cdecl', 'PASCAL', 'FAR', 'NEAR', 'WSKAPI', 'FLTAPI', 'SCSIPORT_API', 'ETW_INLINE', 'NTSTRSAFEWORKERDDI',
  'STORPORT_API', 'NDIS_EXPORT', '__PACK',
]);
/** Macros that stand for a type (same-length replacement by a type name and spaces). */
const TYPE_MACROS = new Map<string, string>([
  ['STDMETHODIMP', 'HRESULT'],
  ['IFACEMETHODIMP', 'HRESULT'],
  ['STDAPI', 'long'],
  ['_inline', 'inline'],
]);
/** `STDMETHODIMP_(type)`: the argument is the type. */
const TYPE_MACROS_WITH_ARG = new Set(['STDMETHODIMP_', 'IFACEMETHODIMP_', 'STDAPI_']);

const C_KEYWORDS = new Set([
  'auto', 'break', 'case', 'char', 'const', 'continue', 'default', 'do', 'double', 'else', 'enum', 'extern', 'float', 'for',
  'goto', 'if', 'inline', 'int', 'long', 'register', 'restrict', 'return', 'short', 'signed', 'sizeof', 'static', 'struct',
  'switch', 'typedef', 'union', 'unsigned', 'void', 'volatile', 'while', 'bool', 'class', 'new', 'delete', 'operator',
  'template', 'typename', 'virtual', 'public', 'private', 'protected', 'namespace', 'using', 'friend', 'throw', 'try',
  'catch', 'explicit', 'mutable', 'constexpr', 'decltype', 'noexcept', 'static_assert', 'this', 'sizeof', 'alignas',
  '__try', '__except', '__finally', '__leave', '__declspec', '__int64', '__int32', '__int16', '__int8', '__inline',
  '__forceinline', '_inline', 'final', 'override', '__cdecl', '__stdcall', '__fastcall',
]);
/** A prefix word that is a macro rather than a type (`MYDRV_API`, `KS_INLINE`, `PAGED_CODE_LOCKED`). */
const MACRO_SUFFIX = /(?:API|CALL|CALLBACK|INLINE|EXPORT|IMPORT|DECL|DECLSPEC|LINKAGE|SEG|PAGED|NONPAGED|CODE)$/;

/** Keywords that may be the `B` (the type) of `A B C(`. */
const TYPE_KEYWORDS = new Set([
  'void', 'char', 'short', 'int', 'long', 'float', 'double', 'signed', 'unsigned', 'bool', 'struct', 'union', 'enum',
  'class', '__int64', '__int32', '__int16', '__int8',
]);
/** Declaration macros that take an argument list (`__declspec(code_seg("PAGE"))`: the text stays in the annotation). */
const DECL_MACROS_WITH_ARGS = new Set(['DECLSPEC_ALIGN', 'DECLSPEC_ALLOCATOR', 'DECLSPEC_DEPRECATED_DDK', 'CODE_SEG', 'DECLSPEC_GUARD_SUPPRESS', '__declspec']);
/** `__declspec(...)` arguments that only place or link code (kept: `align`, `uuid`, `novtable`, `property`...). */
const DECLSPEC_BLANKED = /^\(\s*(?:code_seg|allocate|noinline|noreturn|nothrow|dllimport|dllexport|selectany|safebuffers|guard|restrict|noalias)\b/;
/** Code-placement macros put before a declaration (`PAGED void Enter()`, `NONPAGED ~KWaitEvent()`): blanked when a declarator follows. */
const PLACEMENT_MACROS = new Set(['PAGED', 'NONPAGED', 'PAGEDX', 'NONPAGEDX', 'INITCODE', 'PAGECODE', 'LOCKEDCODE']);

/** Same-length substitutions (the macro is a spelling of a keyword). The value says what must follow. */
const SAME_LENGTH = new Map<string, { to: string; before?: number }>([
  ['CONST', { to: 'const' }],
  ['WHILE', { to: 'while', before: 40 /* ( */ }],
]);

/**
 * SEH spellings of C files -> the character that must follow them. Lower case: the WDK's `try`/`except`/
 * `finally`/`leave` macros. Upper case: classpnp's `TRY`/`LEAVE`/`FINALLY` (a `goto __tryLabel` idiom whose
 * paths are those of `__try`/`__leave`/`__finally`, except that a `return` inside does not run the block).
 */
const SEH_WORDS = new Map<string, { follow: number; to: string }>([
  ['try', { follow: 123, to: '__try' }],
  ['except', { follow: 40, to: '__except' }],
  ['finally', { follow: 123, to: '__finally' }],
  ['leave', { follow: 59, to: '__leave' }],
  ['TRY', { follow: 123, to: '__try' }],
  ['FINALLY', { follow: 123, to: '__finally' }],
  ['LEAVE', { follow: 59, to: '__leave' }],
]);

/**
 * ReactOS's PSEH2 spellings of SEH (psdk/pseh/pseh2.h) -> the keyword or intrinsic (padded with spaces to the
 * macro's length) and the character that must follow; `_SEH2_END` closes the statement and is blanked.
 */
const PSEH2_WORDS = new Map<string, { follow?: number; to: string }>([
  ['_SEH2_TRY', { follow: 123, to: '__try' }],
  ['_SEH2_EXCEPT', { follow: 40, to: '__except' }],
  ['_SEH2_FINALLY', { follow: 123, to: '__finally' }],
  ['_SEH2_LEAVE', { to: '__leave' }],
  ['_SEH2_END', { to: '' }],
  ['_SEH2_GetExceptionCode', { follow: 40, to: 'GetExceptionCode' }],
  ['_SEH2_GetExceptionInformation', { follow: 40, to: 'GetExceptionInformation' }],
  ['_SEH2_AbnormalTermination', { follow: 40, to: 'AbnormalTermination' }],
]);

const FOREACH_MACRO = /for_?each|foreach/i;

/** Longest argument list of an annotation or macro we look for the end of. */
const MAX_ARGS = 2000;
/** A macro's name as drivers write it: capitals, digits and underscores, with at least one underscore (`EBPF_RETURN_POINTER`). */
const MACRO_CALL_NAME = /^[A-Z][A-Z0-9]*_[A-Z0-9_]*$/;

/** `text[s..e)` contains "ach" or "ACH" (for-each macro candidates), without slicing. */
function hasAch(text: string, s: number, e: number): boolean {
  for (let k = s; k + 2 < e; k++) {
    const a = text.charCodeAt(k) | 32;
    if (a === 97 && (text.charCodeAt(k + 1) | 32) === 99 && (text.charCodeAt(k + 2) | 32) === 104) return true;
  }
  return false;
}

/** [A-Z][A-Z0-9_]* */
function isAllCaps(w: string): boolean {
  for (let k = 0; k < w.length; k++) {
    const c = w.charCodeAt(k);
    if (!((c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95)) return false;
  }
  return true;
}

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
/** Set by `skipTriviaIn`: the whitespace it skipped held a line end (outside comments). */
let triviaCrossedNewline = false;
/** Index after the whitespace and comments starting at `k` (`k` itself when there are none). */
function skipTriviaIn(src: string, k: number): number {
  triviaCrossedNewline = false;
  const n = src.length;
  while (k < n) {
    const c = src.charCodeAt(k);
    if (c === NL) {
      triviaCrossedNewline = true;
      k++;
    } else if (c === SPACE || c === TAB || c === CR || c === 12 || c === 11) k++;
    else if (c === 47 && src.charCodeAt(k + 1) === 47) k = skipLineComment(src, k);
    else if (c === 47 && src.charCodeAt(k + 1) === 42) k = skipBlockComment(src, k);
    else break;
  }
  return k;
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
  /** Lowest brace depth reached between the previous directive and this one. */
  minBraces: number;
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

/** Length of the punctuator at `i` whose first character is `c` (2 for the pairs the decisions look at). */
function punctLength(src: string, i: number, c: number): number {
  const d = src.charCodeAt(i + 1);
  switch (c) {
    case 38: // &
      return d === 38 || d === 61 ? 2 : 1;
    case 124: // |
      return d === 124 || d === 61 ? 2 : 1;
    case 45: // -
      return d === 62 || d === 45 || d === 61 ? 2 : 1;
    case 43: // +
      return d === 43 || d === 61 ? 2 : 1;
    case 58: // :
      return d === 58 ? 2 : 1;
    case 61: // =
    case 33: // !
    case 42: // *
    case 47: // /
    case 94: // ^
    case 37: // %
      return d === 61 ? 2 : 1;
    case 60: // <
      return d === 61 || d === 60 ? 2 : 1;
    case 62: // >
      return d === 61 || d === 62 ? 2 : 1;
    default:
      return 1;
  }
}

function scan(src: string): Scan {
  const n = src.length;
  const directives: Directive[] = [];
  const labels: Label[] = [];
  let braces = 0;
  let minBraces = 0;
  let parens = 0;
  // Three token slots, reused: tokens are only copied into objects when a directive or a label keeps them.
  const slotA: Tok = { kind: 'o', text: '', start: 0, end: 0 };
  const slotB: Tok = { kind: 'o', text: '', start: 0, end: 0 };
  const slotC: Tok = { kind: 'o', text: '', start: 0, end: 0 };
  let prev: Tok | null = null;
  let prev2: Tok | null = null;
  let waitingNext: Directive[] = [];
  let waitingLabel: Label | null = null;
  /** Paren depths at which an `if (`/`while (`... header was opened. */
  const headerParens: number[] = [];
  let pendingHeader = false; // saw `if`/`while`/`for`/`switch`, its `(` comes next
  let i = 0;
  let lineStart = true;

  /** Text of a slot token (words are sliced on demand). */
  const textOf = (t: Tok): string => (t.text === '' ? (t.text = src.slice(t.start, t.end)) : t.text);
  const labelColons = new Map<number, Tok>();
  const copy = (t: Tok | null): Tok | null => {
    if (!t) return null;
    if (t.labelColon) {
      const shared = labelColons.get(t.start);
      if (shared) return shared;
    }
    const c: Tok = { kind: t.kind, text: textOf(t), start: t.start, end: t.end };
    if (t.hdrClose) c.hdrClose = true;
    if (t.labelColon) c.labelColon = true;
    return c;
  };
  /** Make room for a new token: returns the slot to fill (neither `prev` nor `prev2`, which are still read). */
  const nextSlot = (): Tok => {
    const t = prev !== slotA && prev2 !== slotA ? slotA : prev !== slotB && prev2 !== slotB ? slotB : slotC;
    t.hdrClose = undefined;
    t.labelColon = undefined;
    t.text = '';
    return t;
  };
  const push = (t: Tok) => {
    if (waitingNext.length) {
      const c = copy(t);
      for (const d of waitingNext) d.next = c;
      waitingNext = [];
    }
    if (waitingLabel) {
      waitingLabel.nextTok = copy(t);
      waitingLabel = null;
    }
    prev2 = prev;
    prev = t;
  };
  const current = (k: 0 | 1): Tok | null => (k === 0 ? prev : prev2);

  while (i < n) {
    const afterTrivia = skipTriviaIn(src, i);
    if (afterTrivia !== i) {
      if (triviaCrossedNewline) lineStart = true;
      i = afterTrivia;
      continue;
    }
    const c = src.charCodeAt(i);
    if (c === 35 /* # */ && lineStart) {
      let ls = i;
      while (ls > 0 && src.charCodeAt(ls - 1) !== NL) ls--;
      const end = directiveEnd(src, i);
      let k = i + 1;
      while (k < end && (src.charCodeAt(k) === SPACE || src.charCodeAt(k) === TAB)) k++;
      let e = k;
      while (e < end && isIdentChar(src.charCodeAt(e))) e++;
      const kw = src.slice(k, e);
      const arg = COND_KW.has(kw)
        ? src
            .slice(e, end)
            .replace(/\/\*[\s\S]*?\*\//g, ' ')
            .replace(/\/\/.*$/gm, '')
            .replace(/\\\r?\n/g, ' ')
            .trim()
        : '';
      const d: Directive = { kw, lineStart: ls, end, arg, braces, minBraces, parens, prev: copy(current(0)), next: null };
      minBraces = braces;
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
      const t = nextSlot();
      t.kind = 'o';
      t.text = '"';
      t.start = s;
      t.end = i;
      push(t);
      pendingHeader = false;
      continue;
    }
    if (isIdentStart(c)) {
      const s = i;
      i++;
      while (i < n && isIdentChar(src.charCodeAt(i))) i++;
      const len = i - s;
      // string literal prefixes: L"..", u8"..", etc.
      const q = src.charCodeAt(i);
      if ((q === 34 || q === 39) && len <= 2 && (c === 76 || c === 117 || c === 85) && (len === 1 || src.charCodeAt(s + 1) === 56)) {
        i = skipString(src, i);
        const t = nextSlot();
        t.kind = 'o';
        t.text = '"';
        t.start = s;
        t.end = i;
        push(t);
        pendingHeader = false;
        continue;
      }
      const t = nextSlot();
      t.kind = 'w';
      t.start = s;
      t.end = i;
      push(t);
      // if / for / while / switch
      pendingHeader = len >= 2 && len <= 6 && (c === 105 || c === 102 || c === 119 || c === 115) && CONTROL_HEADERS.has(textOf(t));
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(src.charCodeAt(i + 1)))) {
      const s = i;
      const hex = c === 48 && (src.charCodeAt(i + 1) | 32) === 120;
      i++;
      while (i < n) {
        const d = src.charCodeAt(i);
        if (isIdentChar(d) || d === 46) i++;
        else if ((d === 43 || d === 45) && !hex && (src.charCodeAt(i - 1) | 32) === 101) i++;
        else break;
      }
      const t = nextSlot();
      t.kind = 'o';
      t.text = '0';
      t.start = s;
      t.end = i;
      push(t);
      pendingHeader = false;
      continue;
    }
    // punctuation
    const len = punctLength(src, i, c);
    const t = nextSlot();
    t.kind = 'p';
    t.text = len === 2 ? src.slice(i, i + 2) : src[i]!;
    t.start = i;
    t.end = i + len;
    if (len === 1) {
      if (c === 123) braces++;
      else if (c === 125) {
        if (--braces < minBraces) minBraces = braces;
      }
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
        // (read through a function: TypeScript does not see the assignments made inside `push`)
        const w = current(0);
        const before = current(1);
        if (
          w &&
          w.kind === 'w' &&
          !NOT_LABELS.has(textOf(w)) &&
          (before === null ||
            (before.kind === 'p' && (before.text === ';' || before.text === '{' || before.text === '}' || (before.text === ':' && !!before.labelColon) || !!before.hdrClose)) ||
            (before.kind === 'w' && textOf(before) === 'else'))
        ) {
          t.labelColon = true;
        }
      }
    }
    i += len;
    if (t.labelColon) {
      // one shared object for the colon: the fixup pass clears `labelColon` on it, and directives that
      // follow the label must see that
      const colon = copy(t)!;
      labelColons.set(t.start, colon);
      push(t);
      const label: Label = { colon, nextTok: null, nextDir: null };
      labels.push(label);
      waitingLabel = label;
    } else push(t);
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
/** `)` then `{` across a directive: a function header (or a control header) and its body. */
function headerThenBody(prev: Tok | null, next: Tok | null): boolean {
  return !!prev && !!next && prev.kind === 'p' && prev.text === ')' && next.kind === 'p' && next.text === '{';
}
/** A token that cannot start a statement or declaration: a directive just before it splits an expression or an if/else. */
function cannotStart(t: Tok | null): boolean {
  if (!t) return false;
  if (t.kind === 'w') return t.text === 'else' || t.text === 'except' || t.text === 'finally' || t.text === '__except' || t.text === '__finally' || t.text === 'catch';
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
  // and, for each branch, the lowest brace depth reached inside it (nested groups included), in one pass
  const groups: Directive[][] = [];
  const groupOf = new Map<Directive, Directive[]>();
  /** Per group: lowest brace depth of each branch. */
  const branchMin = new Map<Directive[], number[]>();
  const stack: { g: Directive[]; mins: number[]; cur: number }[] = [];
  for (const d of directives) {
    const top = stack[stack.length - 1];
    if (top && d.minBraces < top.cur) top.cur = d.minBraces; // the stretch of text that ends at `d`
    if (!COND_KW.has(d.kw)) continue;
    if (d.kw === 'if' || d.kw === 'ifdef' || d.kw === 'ifndef') {
      const g = [d];
      stack.push({ g, mins: [], cur: Infinity });
      groupOf.set(d, g);
    } else {
      if (!top) continue; // stray #else/#endif
      top.g.push(d);
      groupOf.set(d, top.g);
      top.mins.push(top.cur);
      top.cur = Infinity;
      if (d.kw === 'endif') {
        stack.pop();
        groups.push(top.g);
        branchMin.set(top.g, top.mins);
        const parent = stack[stack.length - 1];
        if (parent) parent.cur = Math.min(parent.cur, ...top.mins);
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
      l.colon.labelColon = false; // fixed: what follows no longer continues the label
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
    // kept where a statement or declaration may start (it is then a harmless preproc_call node)
    const p = d.prev;
    const boundary = p === null || (p.kind === 'p' && !continuesAfter(p));
    if (!boundary || d.parens > 0 || cannotStart(d.next) || headerThenBody(d.prev, d.next)) edits.push({ start: d.lineStart, end: d.end, kind: 'pragma', name: 'pragma' });
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
        // a branch that closes the block it started in (`} else if (...) {`), even if it reopens one
        if (branchMin.get(g)![k]! < g[k]!.braces) split = true;
      }
    }
    // inside parentheses (a `for` header, an argument list) or after an operator
    if (!split && (first.parens > 0 || continuesAfter(first.prev))) split = true;
    if (!split) {
      for (let k = 0; k < g.length && !split; k++) {
        const d = g[k]!;
        if (cannotStart(d.next)) split = true;
        // the branch before this directive ends in the middle of a statement
        else if (k > 0 && d.prev && d.prev.start > g[k - 1]!.end && continuesAfter(d.prev)) split = true;
        // the branches are alternative function headers: `)` ends the branch, the body's `{` follows #endif
        else if (k === g.length - 1 && d.prev && d.prev.start > g[k - 1]!.end && headerThenBody(d.prev, d.next)) split = true;
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

  /** Single characters to blank when the copy reaches them (the `)` of `_SEH2_YIELD(...)`), in increasing order. */
  const laterBlanks: number[] = [];
  /** Copy `text[copied..end)` as it is, but for the characters of `laterBlanks` in it. */
  const copyTo = (end: number) => {
    while (laterBlanks.length && laterBlanks[0]! < end) {
      const k = laterBlanks.shift()!;
      if (k < copied) continue;
      if (k > copied) out.push(text.slice(copied, k));
      out.push(' ');
      copied = k + 1;
    }
    if (end > copied) out.push(text.slice(copied, end));
  };
  const emitBlank = (start: number, end: number) => {
    copyTo(start);
    out.push(blankOf(text, start, end));
    copied = end;
  };
  const emitReplace = (start: number, end: number, repl: string) => {
    copyTo(start);
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
      }
      // runaway: no annotation or statement macro has an argument list this long (and the cap keeps
      // the pass linear on unbalanced input: each search looks at most MAX_ARGS characters ahead)
      if (k - open > MAX_ARGS) return -1;
      k++;
    }
    return -1;
  };
  /** Offsets of the `*`s of pointer types passed as macro arguments (`noteTypeArguments`), blanked when the scan reaches them. */
  const typeStars = new Set<number>();
  /**
   * The arguments of the macro call whose `(` is at `open` that are a pointer type (`MDL*`, `const struct X **`):
   * never an expression (a `*` with nothing after it), so its `*`s are noted, to become spaces; the argument is
   * then a name, and the statement parses.
   */
  const noteTypeArguments = (open: number): void => {
    // one pass to the matching `)` (as `matchParen` finds it); only an argument with a `*` is read again
    const stars: number[] = [];
    let depth = 0;
    let start = open + 1;
    let starred = false;
    const arg = (from: number, to: number) => {
      if (!starred) return;
      starred = false;
      if (!/^\s*(?:(?:const|volatile|struct|union|enum)\s+)*[A-Za-z_]\w*(?:\s*\*)+\s*$/.test(text.slice(from, to))) return;
      for (let k = from; k < to; k++) if (text.charCodeAt(k) === 42) stars.push(k);
    };
    for (let k = open + 1; k < n; k++) {
      if (k - open > MAX_ARGS) return;
      const ch = text.charCodeAt(k);
      if (ch === 40 || ch === 91 || ch === 123) depth++;
      else if (ch === 41 && depth === 0) {
        arg(start, k);
        for (const at of stars) typeStars.add(at);
        return;
      } else if (ch === 41 || ch === 93 || ch === 125) depth--;
      else if (ch === 34 || ch === 39) k = skipString(text, k) - 1;
      else if (ch === 47 && text.charCodeAt(k + 1) === 47) k = skipLineComment(text, k) - 1;
      else if (ch === 47 && text.charCodeAt(k + 1) === 42) k = skipBlockComment(text, k) - 1;
      else if (ch === 42) starred = true;
      else if (ch === 44 && depth === 0) {
        arg(start, k);
        start = k + 1;
      }
    }
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
  const skipTrivia = (k: number): number => skipTriviaIn(text, k);
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
  /** Index just after the last non-blank character before `k` on the same line (spaces and tabs skipped). */
  const skipBackInline = (k: number): number => {
    while (k > 0 && (text.charCodeAt(k - 1) === SPACE || text.charCodeAt(k - 1) === TAB)) k--;
    return k;
  };
  /** The identifier starting at `k` (after trivia), or '' */
  const wordAt = (k: number): string => {
    let e = k;
    while (e < n && isIdentChar(text.charCodeAt(e))) e++;
    return e > k && isIdentStart(text.charCodeAt(k)) ? text.slice(k, e) : '';
  };
  /**
   * `A B C(` / `A B *C;` at the start of a declaration where A is an unknown ALL_CAPS word: A can only be
   * a macro expanding to nothing or to a calling convention (`SCSIPORT_API NTSTATUS Fn(`, `PAGED void Enter()`).
   */
  /**
   * Which word of `A B C(` to blank: -1 none; 0 the word itself (A); otherwise the index where B starts,
   * when B is the macro (`NTSTATUS MYDRV_API Fn(`: B is all capitals with a macro-like suffix).
   */
  const prefixMacro = (word: string, j: number): number => {
    /** The next word, skipping those this pass blanks (calling conventions, SAL without arguments). */
    const nextWord = (k: number): [string, number] => {
      for (let guard = 0; guard < 8; guard++) {
        k = skipTrivia(k);
        const w = wordAt(k);
        if (w && (DECL_MACROS.has(w) || ((SAL2.test(w) || SAL1.test(w)) && text.charCodeAt(skipInline(k + w.length)) !== 40))) {
          k += w.length;
          continue;
        }
        return [w, k];
      }
      return ['', k];
    };
    const [b, kb] = nextWord(j);
    let k = kb;
    if (!b || (C_KEYWORDS.has(b) && !TYPE_KEYWORDS.has(b))) return -1;
    k = skipTrivia(k + b.length);
    while (k < n) {
      const c = text.charCodeAt(k);
      if (c === 42 || c === 38) k = skipTrivia(k + 1);
      else break;
    }
    const [cw, kc] = nextWord(k);
    k = kc;
    if (!cw || C_KEYWORDS.has(cw)) return -1;
    k = k + cw.length;
    // qualified names (C++): B Class::Method(
    while (text.charCodeAt(k) === 58 && text.charCodeAt(k + 1) === 58) {
      const w = wordAt(k + 2);
      if (!w) return -1;
      k += 2 + w.length;
    }
    k = skipTrivia(k);
    const c = text.charCodeAt(k);
    if (!(c === 40 || c === 59 || c === 61 || c === 91)) return -1;
    return MACRO_SUFFIX.test(b) && isAllCaps(b) && !MACRO_SUFFIX.test(word) ? kb : 0;
  };
  /** Start of a word that an earlier `A B C(` decision blanks when the scan reaches it. */
  let pendingMacroAt = -1;

  let i = 0;
  let lineStart = true; // only whitespace seen since the last newline
  /** The last token kept in the output: a punctuator's text, 'w' (a word), 'o' (literal), '#' (a directive) or '' (start). */
  let last = '';
  /** The last word was `struct`, `union`, `enum` or `class` (what follows is a tag, not SAL). */
  let lastTag = false;
  /** A statement or declaration starts after this token: `;`, `{`, `}`, a directive or the start of the text. */
  const atStatementStart_ = (t: string) => t === '' || t === ';' || t === '{' || t === '}' || t === '#';
  while (i < n) {
    const afterTrivia = skipTriviaIn(text, i);
    if (afterTrivia !== i) {
      if (triviaCrossedNewline) lineStart = true;
      i = afterTrivia;
      continue;
    }
    const c = text.charCodeAt(i);
    if (c === 35 /* # */ && lineStart) {
      i = directiveEnd(text, i);
      last = '#';
      continue;
    }
    lineStart = false;
    if (c === 34 || c === 39) {
      i = skipString(text, i);
      last = 'o';
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
      last = 'o';
      const lc = text.charCodeAt(i - 1);
      if (i - s < 3 || !(lc === 52 || lc === 50 || lc === 54 || lc === 56)) continue; // ends in 4, 2, 6 or 8
      const m = /(u?)i(8|16|32|64)$/i.exec(text.slice(s, i));
      if (m && i - m[0].length > s) {
        const suffixStart = i - m[0].length;
        const std = (m[1] ? 'U' : '') + (m[2] === '64' ? 'LL' : '');
        annotations.push({ kind: 'literal', text: src.slice(s, i), name: m[0], start: s, end: i });
        emitReplace(suffixStart, i, std.padEnd(m[0].length, ' '));
      }
      continue;
    }
    if (!isIdentStart(c)) {
      if (c === 42 && typeStars.has(i) && i >= copied) {
        annotations.push({ kind: 'operator-argument', text: '*', name: '*', start: i, end: i + 1 });
        emitReplace(i, i + 1, ' ');
        i++;
        continue;
      }
      // `, == ,`: a comparison operator as a macro argument (never valid C otherwise)
      if (last === ',' && (c === 61 || c === 33 || c === 60 || c === 62)) {
        const eq = text.charCodeAt(i + 1) === 61;
        const opLen = eq ? 2 : c === 60 || c === 62 ? 1 : 0;
        if (opLen && text.charCodeAt(skipTriviaIn(text, i + opLen)) === 44) {
          annotations.push({ kind: 'operator-argument', text: src.slice(i, i + opLen), name: src.slice(i, i + opLen), start: i, end: i + opLen });
          emitReplace(i, i + opLen, '0'.padEnd(opLen, ' '));
          i += opLen;
          last = 'o';
          continue;
        }
      }
      last = c === 62 && text.charCodeAt(i - 1) === 45 ? '->' : text[i]!;
      i++;
      continue;
    }
    // identifier
    let j = i + 1;
    while (j < n && isIdentChar(text.charCodeAt(j))) j++;
    const wordStart = i;
    const len = j - i;
    i = j;
    // string literal prefixes: L"..", u8"..", etc.
    const q = text.charCodeAt(j);
    if ((q === 34 || q === 39) && len <= 2 && (c === 76 || c === 117 || c === 85) && (len === 1 || text.charCodeAt(wordStart + 1) === 56)) {
      i = skipString(text, j);
      last = 'o';
      continue;
    }
    const lastBefore = last;
    const tagBefore = lastTag;
    last = 'w'; // (blanking below restores `lastBefore`)
    const first = c;
    // a pointer type passed to a macro (`EBPF_RETURN_POINTER(MDL*, mdl)`): its `*`s become spaces when reached
    if (first >= 65 && first <= 90 && len > 3 && text.charCodeAt(j) === 40 && MACRO_CALL_NAME.test(text.slice(wordStart, j))) noteTypeArguments(j);
    // fast path, without slicing: a word starting in lower case is only ever a WDK SEH keyword (C files)
    // or a for-each macro (no declaration macro starts in lower case: they start with a capital or `_`)
    if (first >= 97 && first <= 122) {
      lastTag =
        (len === 6 && text.startsWith('struct', wordStart)) ||
        (len === 5 && (text.startsWith('union', wordStart) || text.startsWith('class', wordStart))) ||
        (len === 4 && text.startsWith('enum', wordStart));
      const maybeSeh = lang === 'c' && len >= 3 && len <= 7 && (first === 116 || first === 101 || first === 102 || first === 108);
      if (!maybeSeh && !(len >= 7 && hasAch(text, wordStart, j))) continue;
    } else lastTag = false;
    const word = text.slice(wordStart, j);
    const allCaps = first >= 65 && first <= 90 && isAllCaps(word);
    if (first === 95 /* _ */) {
      const isSal =
        (SAL2.test(word) && (/[a-z]/.test(word) || word.startsWith('_IRQL_'))) || SAL1.test(word);
      if (isSal) {
        // not a struct tag or a member (`struct _State_ {`, `p->_Data_`)
        const member = lastBefore === '.' || lastBefore === '->' || lastBefore === '::';
        const tag = lastBefore === 'w' && tagBefore;
        if (!member && !tag) {
          let end = j;
          const p = skipInline(j);
          if (text.charCodeAt(p) === 40) {
            const close = matchParen(p);
            if (close > 0) end = close;
          }
          annotations.push({ kind: 'sal', text: src.slice(wordStart, end), name: word, start: wordStart, end });
          emitBlank(wordStart, end);
          i = end;
          last = lastBefore;
          lastTag = tagBefore;
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
            last = lastBefore;
            lastTag = tagBefore;
            continue;
          }
        }
      }
    }
    if (DECL_MACROS.has(word)) {
      annotations.push({ kind: 'macro', text: word, name: word, start: wordStart, end: j });
      emitBlank(wordStart, j);
      last = lastBefore;
      lastTag = tagBefore;
      continue;
    }
    const typeMacro = TYPE_MACROS.get(word);
    if (typeMacro !== undefined && lastBefore !== '.' && lastBefore !== '->') {
      annotations.push({ kind: 'macro', text: word, name: word, start: wordStart, end: j });
      emitReplace(wordStart, j, typeMacro.padEnd(word.length, ' '));
      continue;
    }
    if (TYPE_MACROS_WITH_ARG.has(word)) {
      // STDMETHODIMP_(ULONG) -> the type alone
      const p = skipInline(j);
      if (text.charCodeAt(p) === 40) {
        const close = matchParen(p);
        if (close > 0 && !text.slice(p + 1, close - 1).includes(',')) {
          annotations.push({ kind: 'macro', text: src.slice(wordStart, close), name: word, start: wordStart, end: close });
          emitBlank(wordStart, p + 1);
          emitBlank(close - 1, close);
          i = close;
          continue;
        }
      }
    }
    if (wordStart === pendingMacroAt || (allCaps && word.length >= 3 && atStatementStart_(lastBefore))) {
      const which = wordStart === pendingMacroAt ? 0 : prefixMacro(word, j);
      if (which > 0) pendingMacroAt = which;
      else if (which === 0) {
        annotations.push({ kind: 'macro', text: word, name: word, start: wordStart, end: j });
        emitBlank(wordStart, j);
        last = lastBefore;
        lastTag = tagBefore;
        continue;
      }
    }
    if (PLACEMENT_MACROS.has(word) && (lastBefore === ':' || atStatementStart_(lastBefore) || (lastBefore === 'w' && text.startsWith('static', skipBackInline(wordStart) - 6)))) {
      const nx = skipTrivia(j);
      const nc = text.charCodeAt(nx);
      if (isIdentStart(nc) || nc === 126 /* ~ */) {
        annotations.push({ kind: 'macro', text: word, name: word, start: wordStart, end: j });
        emitBlank(wordStart, j);
        last = lastBefore;
        lastTag = tagBefore;
        continue;
      }
    }
    if (DECL_MACROS_WITH_ARGS.has(word) && (word !== '__declspec' || DECLSPEC_BLANKED.test(text.slice(skipInline(j), skipInline(j) + 40)))) {
      let end = j;
      const p = skipInline(j);
      if (text.charCodeAt(p) === 40) {
        const close = matchParen(p);
        if (close > 0) end = close;
      }
      annotations.push({ kind: 'macro', text: src.slice(wordStart, end), name: word, start: wordStart, end });
      emitBlank(wordStart, end);
      i = end;
      last = lastBefore;
      lastTag = tagBefore;
      continue;
    }
    const same = SAME_LENGTH.get(word);
    if (same !== undefined && (same.before === undefined || text.charCodeAt(skipInline(j)) === same.before)) {
      annotations.push({ kind: 'keyword-macro', text: word, name: word, start: wordStart, end: j });
      emitReplace(wordStart, j, same.to);
      continue;
    }
    if (word.startsWith('_SEH2_')) {
      // ReactOS's PSEH2 macros: `_SEH2_TRY { } _SEH2_EXCEPT(filter) { } _SEH2_END;`, `_SEH2_FINALLY`, `_SEH2_LEAVE`,
      // `_SEH2_YIELD(return x);` (a statement run inside the `__try`), `_SEH2_GetExceptionCode()`...: the keywords
      // they stand for, padded with spaces
      const pseh = PSEH2_WORDS.get(word);
      const follow = text.charCodeAt(skipTrivia(j));
      if (pseh !== undefined && (pseh.follow === undefined || follow === pseh.follow)) {
        annotations.push({ kind: 'seh', text: word, name: word, start: wordStart, end: j });
        emitReplace(wordStart, j, pseh.to.padEnd(word.length, ' '));
        continue;
      }
      if (word === '_SEH2_YIELD' && follow === 40) {
        const open = skipTrivia(j);
        const close = matchParen(open);
        if (close > 0) {
          annotations.push({ kind: 'seh', text: word, name: word, start: wordStart, end: j });
          emitBlank(wordStart, open + 1);
          laterBlanks.push(close - 1);
          continue;
        }
      }
    }
    const seh = lang === 'c' ? SEH_WORDS.get(word) : undefined;
    if (seh !== undefined) {
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
    if (word.length >= 7 && atStatementStart_(lastBefore) && FOREACH_MACRO.test(word) && atLineStart(wordStart)) {
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
    // statement-like macro without a semicolon: ALL_CAPS(args) alone on its line; in C also a
    // capitalized name (`DbgDoit( x += 1 )`) where a statement starts — never an Mm/Io/Ke routine
    const camel = !allCaps && lang === 'c' && first >= 65 && first <= 90 && !/^(?:Mm|Io|Ke)[A-Z]/.test(word) && atStatementStart_(lastBefore);
    if ((allCaps || camel) && word.length > 2 && atLineStart(wordStart)) {
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
              last = lastBefore;
              lastTag = tagBefore;
              continue;
            }
          }
        }
      }
    }
  }
  annotations.sort((a, b) => a.start - b.start);
  if (copied === 0) return { text: blankDataTables(text), annotations };
  copyTo(n);
  return { text: blankDataTables(out.join('')), annotations };
}

/** A brace-enclosed run of integer literals and commas at least this long is a data table. */
const DATA_TABLE_MIN = 4096;
const DATA_TABLE = new RegExp(`\\{(?=[0-9a-fA-FxXuUlL,\\s]{${DATA_TABLE_MIN}})[0-9a-fA-FxXuUlL,\\s]*\\}`, 'g');

/**
 * The contents of large numeric initializers (firmware images, lookup tables: `{ 0x00, 0x01, ... }`)
 * become spaces, newlines kept: they hold no call, MDL or IRQL, and as millions of literal nodes they
 * would make most of the syntax tree (a 50 MB firmware table was 2.5 GB of tree).
 */
function blankDataTables(text: string): string {
  if (text.length < DATA_TABLE_MIN) return text;
  if (!text.includes('{')) return text;
  return text.replace(DATA_TABLE, (m) => {
    const parts = m.slice(1, -1).split('\n');
    for (let i = 0; i < parts.length; i++) parts[i] = ' '.repeat(parts[i]!.length);
    return `{${parts.join('\n')}}`;
  });
}
