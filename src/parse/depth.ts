import { functionSyntaxDepth } from './compact.js';
import type { FunctionInfo, SourceFile } from './parser.js';
import { parsedSlice } from './source-text.js';

/**
 * How deeply a piece of source nests: the deepest nesting of `{`/`(`/`[` and of conditional directives
 * (`#if`, `#ifdef`, `#ifndef` ... `#endif`, each of which wraps what it holds in one more node of the
 * syntax tree) in its text, outside comments, string and character literals. The analyses walk syntax
 * trees recursively; a function nested deeper than `MAX_NESTING` is reported as not analyzed instead of
 * exhausting the stack.
 */
export const MAX_NESTING = 1000;

export function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2f /* / */ && text.charCodeAt(i + 1) === 0x2f) {
      const e = text.indexOf('\n', i);
      i = e < 0 ? text.length : e;
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a /* * */) {
      const e = text.indexOf('*/', i + 2);
      i = e < 0 ? text.length : e + 1;
    } else if (c === 0x22 /* " */ || c === 0x27 /* ' */) {
      for (i++; i < text.length && text.charCodeAt(i) !== c && text.charCodeAt(i) !== 0x0a; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x23 /* # */ && atLineStart(text, i)) {
      let j = i + 1;
      while (text.charCodeAt(j) === 0x20 || text.charCodeAt(j) === 0x09) j++;
      if (text.startsWith('if', j)) {
        if (++depth > max) max = depth;
      } else if (text.startsWith('endif', j)) {
        if (depth > 0) depth--;
      }
    } else if (c === 0x7b || c === 0x28 || c === 0x5b) {
      if (++depth > max) max = depth;
    } else if (c === 0x7d || c === 0x29 || c === 0x5d) {
      if (depth > 0) depth--;
    }
  }
  return max;
}

/** Only spaces and tabs between the start of the line and `i`. */
function atLineStart(text: string, i: number): boolean {
  for (let k = i - 1; k >= 0; k--) {
    const c = text.charCodeAt(k);
    if (c === 0x0a) return true;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}

/**
 * The deepest a function's syntax tree may be for the analyses to walk it (`functionSyntaxDepth` in compact.ts): they recurse
 * on some constructs (a chain of `&&`, of assignments `a = b = c`, of commas, of `?:`, nested
 * statements), and below this depth every one of them fits in the stack of a thread with a margin
 * (measured on the main thread's stack: the first to fail were, in the simulator, 704 nested `if`
 * statements and, in the analyses, 980 nested `for` statements and 1,220 chained commas;
 * `test/parse/depth.test.ts` lints and simulates each such shape at this depth).
 * Deeper, the function is reported as not analyzed, as one nested too deep (`MAX_NESTING`).
 */
export const MAX_SYNTAX_DEPTH = 600;

/*
 * The syntax tree's depth is read from a function's compact copy (`functionSyntaxDepth` in compact.ts),
 * without building its tree: named nodes count one level each, except the constructs the analyses walk
 * in a loop, which add no depth: an operand of a left-nested chain of arithmetic, bitwise or comparison
 * operators (`a0 + a1 + ... + an`, thousands long in generated code) and the `else if` of an `else if`
 * chain; and a statement's block is one level with the statement (500 nested `if (x) {` are about 500
 * levels). The simulator, which recurses on those chains, counts their links too.
 */

/**
 * The guard the linter, the analyses and the simulator share: the function's text nests deeper than
 * `MAX_NESTING`, or its syntax tree is deeper than `MAX_SYNTAX_DEPTH` (`chainsInLoops: false` for the
 * simulator, which recurses on the chains the analyses walk in loops); undefined when it can be walked.
 */
export function functionTooDeep(file: SourceFile, fn: FunctionInfo, opts: { chainsInLoops?: boolean; nesting?: number } = {}): { what: 'nesting' | 'syntax'; depth: number; limit: number } | undefined {
  const nesting = opts.nesting ?? nestingDepth(parsedSlice(file, fn.bodyStart, fn.bodyEnd));
  if (nesting > MAX_NESTING) return { what: 'nesting', depth: nesting, limit: MAX_NESTING };
  const depth = functionSyntaxDepth(file, fn, opts);
  return depth > MAX_SYNTAX_DEPTH ? { what: 'syntax', depth, limit: MAX_SYNTAX_DEPTH } : undefined;
}
