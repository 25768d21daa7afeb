/**
 * Position-preserving neutralization of driver-source noise before tree-sitter sees it.
 *
 * Real driver code is full of SAL annotations, calling-convention and declaration macros, the WDK
 * spellings of SEH keywords (`try`/`except`/`finally`/`leave` in C files) and statement-like macros
 * written without a semicolon. tree-sitter-c produces ERROR nodes on most of them. We replace each
 * with spaces of exactly the same length (newlines kept), so every row and column the parser reports
 * is the original one, and keep the text of what was blanked as an {@link Annotation} for the IRQL
 * analysis. The only substitution that is not blanking is `try` -> `__try` (and friends), which
 * borrows adjacent whitespace on the same line so that nothing else moves.
 */

export type AnnotationKind =
  /** SAL 2 (`_In_`, `_IRQL_requires_max_(APC_LEVEL)`) or SAL 1 / driver SAL (`__in`, `__drv_maxIRQL(2)`). */
  | 'sal'
  /** Calling convention, linkage or declaration macro (`NTAPI`, `IN`, `PAGED_CODE_SEG`...). */
  | 'macro'
  /** A WDK SEH spelling rewritten to the `__` form. */
  | 'seh'
  /** A statement-like macro invocation written without a semicolon (`PAGED_CODE()` on its own line). */
  | 'stmt-macro'
  /** A `#pragma` line (kept in the text; recorded for `alloc_text` / `code_seg`). */
  | 'pragma';

export interface Annotation {
  kind: AnnotationKind;
  /** The original text (for `seh`, the original keyword). */
  text: string;
  /** Identifier of the annotation or macro (`_IRQL_requires_max_`, `NTAPI`, `try`...). */
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

const SAL2 = /^_[A-Z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*_$/;
const SAL1 =
  /^__(?:in|out|inout|deref|drv|field|bcount|ecount|xcount|checkReturn|success|range|nullterminated|reserved|callback|allocator|bound|notnull|maybenull|readonly|format_string|post|pre|control_entrypoint|kernel_entry|analysis_assume|typefix|override|opt|struct_bcount|struct_xcount|user_code|rpc_entry|fallthrough)(?:_\w*)?$/;

/** Macros that expand to nothing (or to a calling convention / linkage specifier) in a declaration. */
const DECL_MACROS = new Set([
  'IN', 'OUT', 'OPTIONAL', 'NTAPI', 'WINAPI', 'APIENTRY', 'CALLBACK', 'FASTCALL', 'STDCALL', 'STDAPICALLTYPE',
  'NTAPI_INLINE', '__stdcall', '__cdecl', '__fastcall', '__clrcall', '__thiscall', '__vectorcall',
  'NTSYSAPI', 'NTSYSCALLAPI', 'NTKERNELAPI', 'NTHALAPI', 'NTSTRSAFEAPI', 'NTSTRSAFEDDI', 'DECLSPEC_NOINLINE',
  'DECLSPEC_IMPORT', 'DECLSPEC_EXPORT', 'DECLSPEC_NORETURN', 'DECLSPEC_NOTHROW', 'DECLSPEC_CACHEALIGN',
  'DECLSPEC_SELECTANY', 'DECLSPEC_GUARDNOCF', 'FORCEINLINE', '__forceinline', 'EXTERN_C', 'UNALIGNED',
  'POINTER_ALIGNMENT', 'PAGED_CODE_SEG', 'INIT_CODE_SEG', 'NONPAGED_CODE_SEG', 'PAGED_CODE_LOCKED_SEG',
  'INLINE', 'NTAPI_INLINE', 'KRSTATUS_API', 'CODE_SEG_PAGE', 'ALLOC_PAGED', 'WDFAPI', 'NDIS_API',
]);
/** Declaration macros that take an argument list. */
const DECL_MACROS_WITH_ARGS = new Set(['DECLSPEC_ALIGN', 'DECLSPEC_ALLOCATOR', 'DECLSPEC_DEPRECATED_DDK', 'CODE_SEG', 'DECLSPEC_GUARD_SUPPRESS']);

/** Same-length substitutions (the macro is a spelling of a keyword). */
const SAME_LENGTH: Record<string, string> = { CONST: 'const' };

const SEH_WORDS: Record<string, string> = { try: '{', except: '(', finally: '{', leave: ';' };

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;
}
function isIdentChar(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}
const SPACE = 32, TAB = 9, NL = 10, CR = 13;

/**
 * @param lang C files get the WDK SEH spellings rewritten; C++ files keep `try` as C++ `try`.
 */
export function preprocess(src: string, lang: 'c' | 'cpp'): Preprocessed {
  const n = src.length;
  const out: string[] = [];
  let copied = 0; // src[0..copied) has been emitted to out
  const annotations: Annotation[] = [];

  const emitBlank = (start: number, end: number) => {
    if (start > copied) out.push(src.slice(copied, start));
    let s = '';
    for (let k = start; k < end; k++) {
      const c = src.charCodeAt(k);
      s += c === NL || c === CR ? src[k] : ' ';
    }
    out.push(s);
    copied = end;
  };
  const emitReplace = (start: number, end: number, text: string) => {
    if (start > copied) out.push(src.slice(copied, start));
    out.push(text);
    copied = end;
  };

  /** Index just after the balanced parenthesis group starting at `open` (which is '('); -1 if unbalanced. */
  const matchParen = (open: number): number => {
    let depth = 0;
    let k = open;
    while (k < n) {
      const c = src.charCodeAt(k);
      if (c === 40) depth++;
      else if (c === 41) {
        depth--;
        if (depth === 0) return k + 1;
      } else if (c === 34 || c === 39) {
        k = skipString(k);
        continue;
      } else if (c === 47 && src.charCodeAt(k + 1) === 47) {
        k = skipLineComment(k);
        continue;
      } else if (c === 47 && src.charCodeAt(k + 1) === 42) {
        k = skipBlockComment(k);
        continue;
      } else if (c === 59 && depth <= 1 && k - open > 4000) {
        return -1; // runaway: a semicolon far away at depth 1 means this was not an annotation's argument list
      }
      k++;
    }
    return -1;
  };
  const skipString = (k: number): number => {
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
  };
  const skipLineComment = (k: number): number => {
    while (k < n && src.charCodeAt(k) !== NL) {
      // a backslash at end of line continues a // comment in C
      if (src.charCodeAt(k) === 92 && (src.charCodeAt(k + 1) === NL || (src.charCodeAt(k + 1) === CR && src.charCodeAt(k + 2) === NL))) {
        k += src.charCodeAt(k + 1) === CR ? 3 : 2;
        continue;
      }
      k++;
    }
    return k;
  };
  const skipBlockComment = (k: number): number => {
    const e = src.indexOf('*/', k + 2);
    return e < 0 ? n : e + 2;
  };
  /** Skip spaces and tabs (not newlines). */
  const skipInline = (k: number): number => {
    while (k < n) {
      const c = src.charCodeAt(k);
      if (c === SPACE || c === TAB) k++;
      else break;
    }
    return k;
  };
  /** Skip whitespace including newlines and comments. */
  const skipTrivia = (k: number): number => {
    while (k < n) {
      const c = src.charCodeAt(k);
      if (c === SPACE || c === TAB || c === NL || c === CR || c === 12 || c === 11) k++;
      else if (c === 47 && src.charCodeAt(k + 1) === 47) k = skipLineComment(k);
      else if (c === 47 && src.charCodeAt(k + 1) === 42) k = skipBlockComment(k);
      else break;
    }
    return k;
  };
  const atLineStart = (k: number): boolean => {
    let j = k - 1;
    while (j >= 0) {
      const c = src.charCodeAt(j);
      if (c === NL) return true;
      if (c !== SPACE && c !== TAB && c !== CR) return false;
      j--;
    }
    return true;
  };

  let i = 0;
  let lineStart = true; // only whitespace seen since the last newline
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
      i = skipLineComment(i);
      continue;
    }
    if (c === 47 && src.charCodeAt(i + 1) === 42) {
      i = skipBlockComment(i);
      continue;
    }
    if (c === 35 /* # */ && lineStart) {
      // preprocessor directive, with continuations
      const start = i;
      let k = i;
      while (k < n) {
        const d = src.charCodeAt(k);
        if (d === NL) {
          let b = k - 1;
          if (b >= 0 && src.charCodeAt(b) === CR) b--;
          if (b >= 0 && src.charCodeAt(b) === 92) {
            k++;
            continue;
          }
          break;
        }
        if (d === 47 && src.charCodeAt(k + 1) === 42) {
          k = skipBlockComment(k);
          continue;
        }
        k++;
      }
      const line = src.slice(start, k);
      const m = /^#\s*pragma\b/.exec(line);
      if (m) annotations.push({ kind: 'pragma', text: line.trimEnd(), name: 'pragma', start, end: k });
      i = k;
      continue;
    }
    lineStart = false;
    if (c === 34 || c === 39) {
      i = skipString(i);
      continue;
    }
    if (!isIdentStart(c)) {
      i++;
      continue;
    }
    // identifier
    let j = i + 1;
    while (j < n && isIdentChar(src.charCodeAt(j))) j++;
    const word = src.slice(i, j);
    const wordStart = i;
    i = j;
    const first = word.charCodeAt(0);
    if (first === 95 /* _ */) {
      if (SAL2.test(word) || SAL1.test(word)) {
        let end = j;
        const p = skipInline(j);
        if (src.charCodeAt(p) === 40) {
          const close = matchParen(p);
          if (close > 0) end = close;
        }
        annotations.push({ kind: 'sal', text: src.slice(wordStart, end), name: word, start: wordStart, end });
        emitBlank(wordStart, end);
        i = end;
        continue;
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
      if (src.charCodeAt(p) === 40) {
        const close = matchParen(p);
        if (close > 0) end = close;
      }
      annotations.push({ kind: 'macro', text: src.slice(wordStart, end), name: word, start: wordStart, end });
      emitBlank(wordStart, end);
      i = end;
      continue;
    }
    const same = SAME_LENGTH[word];
    if (same !== undefined) {
      emitReplace(wordStart, j, same);
      continue;
    }
    if (lang === 'c' && Object.prototype.hasOwnProperty.call(SEH_WORDS, word)) {
      const follow = skipTrivia(j);
      if (src.charCodeAt(follow) === SEH_WORDS[word]!.charCodeAt(0)) {
        // borrow two characters of whitespace on the same line, before and/or after the keyword
        let before = 0;
        while (before < 2 && wordStart - before - 1 >= copied) {
          const b = src.charCodeAt(wordStart - before - 1);
          if (b === SPACE || b === TAB) before++;
          else break;
        }
        let after = 0;
        while (before + after < 2) {
          const a = src.charCodeAt(j + after);
          if (a === SPACE || a === TAB) after++;
          else break;
        }
        if (before + after >= 2) {
          annotations.push({ kind: 'seh', text: word, name: word, start: wordStart, end: j });
          emitReplace(wordStart - before, j + after, '__' + word);
        }
        continue;
      }
    }
    // statement-like macro without a semicolon: ALL_CAPS(args) alone on its line
    if (first >= 65 && first <= 90 && word.length > 2 && /^[A-Z][A-Z0-9_]*$/.test(word) && atLineStart(wordStart)) {
      const p = skipInline(j);
      if (src.charCodeAt(p) === 40) {
        const close = matchParen(p);
        if (close > 0) {
          // the rest of the line must be empty or a comment
          const restStart = skipInline(close);
          const r = src.charCodeAt(restStart);
          const restEmpty =
            restStart >= n || r === NL || r === CR || (r === 47 && (src.charCodeAt(restStart + 1) === 47 || src.charCodeAt(restStart + 1) === 42));
          if (restEmpty) {
            const next = skipTrivia(close);
            const nc = src.charCodeAt(next);
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
  if (copied === 0) return { text: src, annotations };
  if (copied < n) out.push(src.slice(copied));
  return { text: out.join(''), annotations };
}
