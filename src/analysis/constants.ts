/**
 * Integer constants a file defines itself: object-like `#define NAME value` with a constant value,
 * and enumerators. Flag bits such as `#define REQ_STATE_PAGES_LOCKED 0x2` are how drivers record
 * what they locked; knowing their values keeps `state & REQ_STATE_PAGES_LOCKED` decidable.
 */
import { pushNamedChildren } from '../parse/lite.js';
import type { SourceFile, SyntaxNode } from '../parse/parser.js';
import { fold, parseIntLiteral, KNOWN_CONSTANTS } from './values.js';
import { ownCopy } from '../parse/source-text.js';

const cache = new WeakMap<SourceFile, Map<string, number>>();

/** Give `file` the constants another thread read from its native tree (`file` has none of its own: see `unpackFile`). */
export function adoptFileConstants(file: SourceFile, entries: Iterable<[string, number]>): void {
  cache.set(file, new Map(entries));
}

export function fileConstants(file: SourceFile): Map<string, number> {
  let m = cache.get(file);
  if (m) return m;
  m = readConstants(file.tree.rootNode, new Map());
  cache.set(file, m);
  return m;
}

/** Add the constants the tree under `root` defines to `m` (in text order: a value may name an earlier constant); returns `m`. */
export function readConstants(root: SyntaxNode, m: Map<string, number>): Map<string, number> {
  const lookup = (name: string): number | undefined => m.get(name) ?? (Object.prototype.hasOwnProperty.call(KNOWN_CONSTANTS, name) ? KNOWN_CONSTANTS[name] : undefined);
  const stack: SyntaxNode[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'preproc_def') {
      const name = n.childForFieldName('name')?.text;
      const value = n.childForFieldName('value')?.text;
      if (name && value) {
        const v = evalConstText(value, lookup);
        if (v !== undefined) m.set(ownCopy(name), v);
      }
      continue;
    }
    if (n.type === 'enumerator_list') {
      let next = 0;
      for (const e of n.namedChildren) {
        if (e.type !== 'enumerator') continue;
        const name = e.childForFieldName('name')?.text;
        const value = e.childForFieldName('value');
        const v = value ? evalConstText(value.text, lookup) : next;
        if (name && v !== undefined) {
          m.set(ownCopy(name), v);
          next = v + 1;
        } else break; // a value we cannot compute: later implicit values are unknown too
      }
      continue;
    }
    // no definition or enumerator inside a function, an initializer (a firmware table of a million bytes) or a string
    if (n.type === 'function_definition' || n.type === 'initializer_list' || n.type === 'compound_statement' || n.type === 'string_literal' || n.type === 'concatenated_string') continue;
    pushNamedChildren(stack, n);
  }
  return m;
}

/**
 * The integer constants a text defines, read from the text alone (no parse: a header the program does
 * not otherwise need is never parsed): object-like `#define NAME value` lines whose value folds to a
 * constant (`evalConstText`), and the enumerators of `enum { ... }` lists without preprocessor lines
 * inside. In text order, a value may name an earlier constant. What cannot be read is left out.
 */
export function textConstants(text: string): [string, number][] {
  const hasDefine = text.includes('#define') || /#[ \t]*define/.test(text);
  const hasEnum = /\benum\b/.test(text);
  if (!hasDefine && !hasEnum) return [];
  const m = new Map<string, number>();
  const lookup = (name: string): number | undefined => m.get(name) ?? (Object.prototype.hasOwnProperty.call(KNOWN_CONSTANTS, name) ? KNOWN_CONSTANTS[name] : undefined);
  // (block comments go first: a commented-out definition defines nothing; positions do not matter here)
  const t = text.replace(/\/\*[\s\S]*?\*\//g, ' ');
  const re = /^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)(?![\w(])[ \t]*([^\n]*)$|\benum\b[^{;()]*\{([^{}]*)\}/gm;
  for (const x of t.matchAll(re)) {
    if (x[1] !== undefined) {
      const value = x[2]!.replace(/\/\/.*$/, '').trim();
      if (!value || value.endsWith('\\')) continue;
      const v = evalConstText(value, lookup);
      if (v !== undefined) m.set(ownCopy(x[1]), v);
      continue;
    }
    const body = x[3]!.replace(/\/\/[^\n]*/g, ' ');
    if (/^[ \t]*#/m.test(body)) continue; // #if inside the list: which enumerators exist is not known
    let next = 0;
    for (const item of body.split(',')) {
      const e = /^\s*([A-Za-z_]\w*)\s*(?:=\s*([\s\S]+?))?\s*$/.exec(item);
      if (!e) {
        if (item.trim() === '') continue; // a trailing comma
        break;
      }
      const v = e[2] !== undefined ? evalConstText(e[2], lookup) : next;
      if (v === undefined) break; // later implicit values are unknown too
      m.set(ownCopy(e[1]!), v);
      next = v + 1;
    }
  }
  return [...m];
}

/** Constant-fold a small C expression: literals, names, parentheses, casts to integer types, | & << >> + - ~. */
export function evalConstText(text: string, lookup: (name: string) => number | undefined): number | undefined {
  const t = text.replace(/\/\*.*?\*\/|\/\/.*$/gm, '').trim();
  if (!t || t.length > 120) return undefined;
  const tokens = t.match(/0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*|[A-Za-z_]\w*|<<|>>|[()|&+\-~^*,]/g);
  if (!tokens || tokens.join('').length !== t.replace(/\s+/g, '').length) return undefined;
  let i = 0;
  const peek = () => tokens[i];
  const primary = (): number | undefined => {
    const tok = tokens[i++];
    if (tok === undefined) return undefined;
    if (tok === '(') {
      // cast like (ULONG) or (LONG)
      if (/^[A-Z_][A-Z0-9_]*$|^(unsigned|int|long|short|char)$/.test(tokens[i] ?? '') && tokens[i + 1] === ')' && lookup(tokens[i]!) === undefined) {
        i += 2;
        return unary();
      }
      const v = expr();
      if (tokens[i++] !== ')') return undefined;
      return v;
    }
    if (tok === '-') {
      const v = unary();
      return v === undefined ? undefined : fold('-', 0, v);
    }
    if (tok === '~') {
      const v = unary();
      return v === undefined ? undefined : fold('~', v, 0);
    }
    if (/^\d|^0[xX]/.test(tok)) return parseIntLiteral(tok);
    if (tok === 'CTL_CODE' && tokens[i] === '(') {
      // CTL_CODE(DeviceType, Function, Method, Access) = (DeviceType << 16) | (Access << 14) | (Function << 2) | Method
      i++;
      const a: (number | undefined)[] = [];
      for (let k = 0; k < 4; k++) {
        a.push(expr());
        if (tokens[i++] !== (k < 3 ? ',' : ')')) return undefined;
      }
      if (a.some((x) => x === undefined)) return undefined;
      const [dev, fn, method, access] = a as number[];
      return ((dev! << 16) | (access! << 14) | (fn! << 2) | method!) >>> 0;
    }
    if (/^[A-Za-z_]/.test(tok)) return lookup(tok);
    return undefined;
  };
  const unary = primary;
  const binary = (ops: string[], next: () => number | undefined) => (): number | undefined => {
    let v = next();
    while (v !== undefined && ops.includes(peek() ?? '')) {
      const op = tokens[i++]!;
      const r = next();
      if (r === undefined) return undefined;
      v = fold(op, v, r);
    }
    return v;
  };
  const mul = binary(['*'], unary);
  const add = binary(['+', '-'], mul);
  const shift = binary(['<<', '>>'], add);
  const band = binary(['&'], shift);
  const bxor = binary(['^'], band);
  const expr = binary(['|'], bxor);
  const v = expr();
  return i === tokens.length ? v : undefined;
}

const fingerprints = new WeakMap<SourceFile, string>();
/** The file's constants as one string (what a cached summary or finding of a function of the file assumed). */
export function constantsFingerprint(file: SourceFile): string {
  let f = fingerprints.get(file);
  if (f === undefined) {
    f = JSON.stringify([...fileConstants(file)].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
    fingerprints.set(file, f);
  }
  return f;
}

/**
 * `to` defines the constants `from` defines: the language server's reparse of an edit that changed no text
 * outside the function definitions, in files without syntax errors (the constants are read outside them
 * only). `to` takes `from`'s, read once, instead of a walk of its tree.
 */
export function shareFileConstants(from: SourceFile, to: SourceFile): void {
  const m = cache.get(from);
  if (!m) return;
  cache.set(to, m);
  const f = fingerprints.get(from);
  if (f !== undefined) fingerprints.set(to, f);
}
