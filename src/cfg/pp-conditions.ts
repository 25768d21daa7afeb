/**
 * Preprocessor conditions inside function bodies, decided by the program's own macros.
 *
 * `#if USE_STREAM_CONTEXTS` with `#define USE_STREAM_CONTEXTS 0` in the driver's header, `#if !MINI_PORT`
 * with `#define MINI_PORT 1`, `#ifndef MINI_PORT`: the compiler never sees one side, and following it
 * reports what no build contains. The CFG builder asks `ppTruth` of each `#if`/`#ifdef`/`#elif`; what the
 * macros say comes from `src/analysis/pp-macros.ts`. A condition that depends on a name the program does
 * not define for certain stays undecided: both sides are followed.
 */
import type { AstNode as SyntaxNode } from '../parse/lite.js';

/** What the program says of a macro: its constant value, defined with some other body, or not certain. */
export type MacroFact = number | 'defined' | 'unknown';

/** A macro lookup for the CFG: undefined when the program does not define the name (or not for certain). */
export type MacroLookup = (name: string) => MacroFact | undefined;

/**
 * The truth of a preprocessor condition (`#if`/`#elif` condition node, or `#ifdef`/`#ifndef` by name) under
 * the program's macros: undefined when the program does not decide it.
 */
export function ppTruth(node: SyntaxNode, macro: MacroLookup): boolean | undefined {
  if (node.type === 'preproc_ifdef' || node.type === 'preproc_elifdef') {
    const name = node.childForFieldName('name')?.text;
    const f = name ? macro(name) : undefined;
    if (f === undefined || f === 'unknown') return undefined;
    // `#ifndef NAME` / `#elifndef NAME`: the name is defined
    return !/^#\s*(?:el)?ifndef\b/.test(node.text);
  }
  const cond = node.childForFieldName('condition');
  if (!cond) return undefined;
  const v = ppValue(cond, macro, 0);
  return v === undefined ? undefined : v !== 0;
}

/** The value of a preprocessor expression; undefined when it depends on what the program does not decide. */
function ppValue(n: SyntaxNode, macro: MacroLookup, depth: number): number | undefined {
  if (depth > 64) return undefined;
  switch (n.type) {
    case 'number_literal': {
      const t = n.text.replace(/[uUlL]+$/, '');
      const v = /^0[xX]/.test(t) ? Number.parseInt(t.slice(2), 16) : /^0[0-7]+$/.test(t) ? Number.parseInt(t, 8) : /^\d+$/.test(t) ? Number(t) : Number.NaN;
      return Number.isSafeInteger(v) ? v : undefined;
    }
    case 'char_literal':
      return undefined;
    case 'identifier': {
      const f = macro(n.text);
      if (typeof f === 'number') return f;
      if (n.text === 'true') return 1;
      if (n.text === 'false') return 0;
      return undefined;
    }
    case 'preproc_defined': {
      const name = n.namedChildren.find((c) => c.type === 'identifier')?.text;
      const f = name ? macro(name) : undefined;
      return f === undefined || f === 'unknown' ? undefined : 1;
    }
    case 'parenthesized_expression': {
      const inner = n.namedChildren[0];
      return inner ? ppValue(inner, macro, depth + 1) : undefined;
    }
    case 'unary_expression': {
      const op = n.childForFieldName('operator')?.text;
      const a = n.childForFieldName('argument');
      const v = a ? ppValue(a, macro, depth + 1) : undefined;
      if (v === undefined) return undefined;
      if (op === '!') return v === 0 ? 1 : 0;
      if (op === '-') return -v;
      if (op === '+') return v;
      if (op === '~') return ~v;
      return undefined;
    }
    case 'binary_expression': {
      const op = n.childForFieldName('operator')?.text;
      const l = n.childForFieldName('left');
      const r = n.childForFieldName('right');
      if (!l || !r || !op) return undefined;
      const a = ppValue(l, macro, depth + 1);
      const b = ppValue(r, macro, depth + 1);
      // one side decides `&&` and `||` whatever the other is
      if (op === '&&') return a === 0 || b === 0 ? 0 : a === undefined || b === undefined ? undefined : 1;
      if (op === '||') return (a !== undefined && a !== 0) || (b !== undefined && b !== 0) ? 1 : a === undefined || b === undefined ? undefined : 0;
      if (a === undefined || b === undefined) return undefined;
      switch (op) {
        case '==':
          return a === b ? 1 : 0;
        case '!=':
          return a !== b ? 1 : 0;
        case '<':
          return a < b ? 1 : 0;
        case '<=':
          return a <= b ? 1 : 0;
        case '>':
          return a > b ? 1 : 0;
        case '>=':
          return a >= b ? 1 : 0;
        case '+':
          return safe(a + b);
        case '-':
          return safe(a - b);
        case '*':
          return safe(a * b);
        case '&':
          return a >= 0 && b >= 0 && a <= 0xffffffff && b <= 0xffffffff ? (a & b) >>> 0 : undefined;
        case '|':
          return a >= 0 && b >= 0 && a <= 0xffffffff && b <= 0xffffffff ? (a | b) >>> 0 : undefined;
        default:
          return undefined;
      }
    }
    default:
      return undefined;
  }
}

const safe = (v: number): number | undefined => (Number.isSafeInteger(v) ? v : undefined);
