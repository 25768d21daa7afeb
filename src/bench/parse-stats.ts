/**
 * Parse-error statistics over a directory of driver sources (issue 2, section 2).
 *
 *   node dist/src/bench/parse-stats.js DIR [--raw] [--both] [--top N] [--examples N] [--list] [--lost]
 *
 * Separately for `.c` files, `.h` files parsed as C, and C++ files (`.cpp/.cc/.cxx/.hpp/.hxx/.hh`, and
 * `.h` files that parseSource parses as C++): the number of function definitions, the share whose body
 * holds an ERROR or MISSING node ("body-errors") and the share whose whole definition does, declarator
 * and return type included ("def-errors"), with our preprocessing (default) or with tree-sitter alone
 * (`--raw`; headers get the same C-then-C++ choice as parseSource). Then the most common causes: the
 * first erroneous line of each bad function, grouped by a normalized pattern (`[decl]` when only the
 * declarator is bad). `--both`: raw, then preprocessed. `--list`: every bad function. `--lost`: every
 * column-0 `{` that opens no function found.
 *
 * "Lost" counts top-level `{` lines at column 0 (the Allman style of nearly all driver code) that no
 * function definition's body starts on and that do not open an aggregate / initializer: a rough
 * count of definitions swallowed whole by ERROR nodes, which the per-function share cannot see.
 */
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readSourceText } from '../parse/decode.js';
import { findFunctions, languageForPath, parseRaw, parseSource, type Lang, type SyntaxNode, type Tree } from '../parse/parser.js';

/** `.c` files; `.h` files parsed as C; C++ (`.cpp/.cc/.cxx/.hpp/.hxx/.hh`, and `.h` parsed as C++). */
export type Category = 'c' | 'h' | 'cpp';
export type Mode = 'raw' | 'pp';

export interface CategoryStats {
  files: number;
  bytes: number;
  functions: number;
  /** Functions whose body holds an ERROR or MISSING node. */
  bodyErrors: number;
  /** Functions whose definition (declarator included) holds an ERROR or MISSING node. */
  defErrors: number;
  /** Column-0 `{` lines that open no function body found by the parser (rough count of lost definitions). */
  lost: number;
}

export interface BadFunction {
  file: string;
  name: string;
  line: number;
  /** 1-based line of the first ERROR/MISSING node in the body (or in the definition when the body is clean). */
  errorLine: number;
  /** Text of that line, trimmed. */
  errorText: string;
  /** Normalized pattern of that line (`[decl] ` first when the body is clean and the error is in the declarator). */
  pattern: string;
  /** The error is in the body (else only in the declarator / return type). */
  inBody: boolean;
}

export interface ParseStats {
  mode: Mode;
  byCategory: Record<Category, CategoryStats>;
  bad: BadFunction[];
  unreadable: { file: string; reason: string }[];
  /** `file:line` of each column-0 `{` that opens no function body found by the parser. */
  lost: string[];
}

const emptyStats = (): CategoryStats => ({ files: 0, bytes: 0, functions: 0, bodyErrors: 0, defErrors: 0, lost: 0 });

/** All C/C++ source files under `dir`, sorted (deterministic order). */
export async function listSourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (e.name === '.git' || e.name === 'node_modules') continue;
        await walk(p);
      } else if (e.isFile() && languageForPath(p)) out.push(p);
    }
  };
  await walk(dir);
  return out;
}

/** First ERROR or MISSING node under `node` in document order (null when none). */
export function firstErrorNode(node: SyntaxNode): SyntaxNode | null {
  if (!node.hasError) return null;
  const cursor = node.walk();
  for (;;) {
    const t = cursor.currentNode;
    if (t.type === 'ERROR' || t.isMissing) return t;
    if (t.hasError && cursor.gotoFirstChild()) continue;
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent()) return null;
    }
  }
}

/**
 * A normalized pattern for an erroneous source line: string and character literals, numbers and
 * lower/mixed-case identifiers are abstracted, ALL_CAPS words (macros) and keywords are kept.
 */
export function normalizeLine(line: string): string {
  const KEEP = new Set([
    'if', 'else', 'for', 'while', 'do', 'switch', 'case', 'default', 'return', 'goto', 'break', 'continue', 'sizeof',
    'struct', 'union', 'enum', 'typedef', 'static', 'const', 'volatile', 'extern', 'inline', 'void', 'try', 'except',
    'finally', 'leave', '__try', '__except', '__finally', '__leave', 'class', 'template', 'typename', 'namespace',
    'new', 'delete', 'operator', 'public', 'private', 'protected', 'virtual', 'auto', 'decltype', 'constexpr',
    'static_assert', 'using', 'throw', 'catch', 'noexcept', 'override', 'final',
  ]);
  return line
    .trim()
    .replace(/\/\/.*$/, '')
    .replace(/\/\*.*?\*\//g, ' ')
    .replace(/L?"(?:[^"\\]|\\.)*"?/g, '"S"')
    .replace(/L?'(?:[^'\\]|\\.)*'/g, "'C'")
    .replace(/\b(?:0[xX][0-9a-fA-F]+|\d+(?:\.\d+)?)[uUlLfF]*\b/g, 'N')
    .replace(/[A-Za-z_]\w*/g, (w) => (KEEP.has(w) || /^[A-Z_][A-Z0-9_]*$/.test(w) ? w : /^_[A-Z]/.test(w) ? w : 'id'))
    .replace(/\s+/g, ' ')
    .trim();
}

function countErrorNodes(node: SyntaxNode, limit = 10000): number {
  if (!node.hasError) return 0;
  let count = 0;
  const cursor = node.walk();
  for (;;) {
    const t = cursor.currentNode;
    if (t.type === 'ERROR' || t.isMissing) {
      if (++count >= limit) return count;
    }
    if (t.hasError && cursor.gotoFirstChild()) continue;
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent()) return count;
    }
  }
}

/** The same choice parseSource makes for headers (C first, C++ when it leaves fewer errors), on raw text. */
function parseRawLikeSource(path: string, text: string): { tree: Tree; lang: Lang } {
  const lang = languageForPath(path) ?? 'c';
  const tree = parseRaw(text, lang);
  if (lang === 'c' && tree.rootNode.hasError && path.toLowerCase().endsWith('.h')) {
    const treeCpp = parseRaw(text, 'cpp');
    if (countErrorNodes(treeCpp.rootNode) < countErrorNodes(tree.rootNode)) return { tree: treeCpp, lang: 'cpp' };
  }
  return { tree, lang };
}

/** Rows of column-0 `{` lines that plausibly open a function body (not `= {`, not after `struct X`). */
function functionBraceRows(text: string): number[] {
  const rows: number[] = [];
  let row = 0;
  let prevNonBlank = '';
  let lineStart = 0;
  let inBlockComment = false;
  const n = text.length;
  while (lineStart <= n) {
    let e = text.indexOf('\n', lineStart);
    if (e < 0) e = n;
    const line = text.slice(lineStart, e).replace(/\r$/, '');
    // crude block-comment tracking so commented-out code does not count
    let code = line;
    if (inBlockComment) {
      const close = code.indexOf('*/');
      if (close < 0) code = '';
      else {
        code = code.slice(close + 2);
        inBlockComment = false;
      }
    }
    code = code.replace(/\/\*.*?\*\//g, ' ');
    const open = code.indexOf('/*');
    if (open >= 0) {
      inBlockComment = true;
      code = code.slice(0, open);
    }
    code = code.replace(/\/\/.*$/, '');
    if (/^\{\s*$/.test(code)) {
      const p = prevNonBlank.trimEnd();
      if (p.endsWith(')') || /\b(?:const|override|noexcept|final)$/.test(p) || /\)\s*:\s*\w/.test(p)) rows.push(row);
    }
    if (code.trim() !== '' && !/^\s*#/.test(code)) prevNonBlank = code;
    row++;
    lineStart = e + 1;
  }
  return rows;
}

const yieldToLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

export async function collectParseStats(dir: string, mode: Mode, files?: string[]): Promise<ParseStats> {
  const list = files ?? (await listSourceFiles(dir));
  const byCategory: Record<Category, CategoryStats> = { c: emptyStats(), h: emptyStats(), cpp: emptyStats() };
  const bad: BadFunction[] = [];
  const unreadable: { file: string; reason: string }[] = [];
  const lost: string[] = [];
  let k = 0;
  for (const file of list) {
    if (++k % 16 === 0) await yieldToLoop(); // the native binding frees trees only when the loop turns
    const r = await readSourceText(file);
    if (!r.ok) {
      unreadable.push({ file, reason: r.reason });
      continue;
    }
    const text = r.text;
    let tree: Tree;
    let lang: Lang;
    if (mode === 'raw') ({ tree, lang } = parseRawLikeSource(file, text));
    else {
      const sf = parseSource(file, text);
      tree = sf.tree;
      lang = sf.lang;
    }
    const cat: Category = lang === 'cpp' ? 'cpp' : file.toLowerCase().endsWith('.h') ? 'h' : 'c';
    const st = byCategory[cat];
    st.files++;
    st.bytes += Buffer.byteLength(text, 'utf8');
    const fns = findFunctions(tree.rootNode);
    const bodyRows = new Set<number>();
    const lines = text.split('\n');
    for (const fn of fns) {
      st.functions++;
      bodyRows.add(fn.body.startPosition.row);
      if (fn.node.hasError) st.defErrors++;
      if (!fn.node.hasError) continue;
      if (fn.hasError) st.bodyErrors++;
      const err = firstErrorNode(fn.hasError ? fn.body : fn.node);
      const row = err ? err.startPosition.row : fn.body.startPosition.row;
      const errorText = (lines[row] ?? '').replace(/\r$/, '').trim();
      bad.push({
        file: relative(dir, file) || file,
        name: fn.name,
        line: fn.line,
        errorLine: row + 1,
        errorText: errorText.length > 160 ? errorText.slice(0, 157) + '...' : errorText,
        pattern: (fn.hasError ? '' : '[decl] ') + normalizeLine(errorText).slice(0, 120),
        inBody: fn.hasError,
      });
    }
    for (const row of functionBraceRows(text)) {
      if (bodyRows.has(row)) continue;
      st.lost++;
      lost.push(`${relative(dir, file) || file}:${row + 1}`);
    }
  }
  return { mode, byCategory, bad, unreadable, lost };
}

const pct = (a: number, b: number): string => (b === 0 ? '-' : ((100 * a) / b).toFixed(2) + '%');

export function formatStats(s: ParseStats, top = 25, examples = 2, list = false, listLost = false): string {
  const lines: string[] = [];
  lines.push(`mode: ${s.mode === 'raw' ? 'tree-sitter alone (--raw)' : 'with preprocessing'}`);
  lines.push('category  files     MiB  functions  body-errors        def-errors         lost(est.)');
  for (const cat of ['c', 'h', 'cpp'] as const) {
    const st = s.byCategory[cat];
    lines.push(
      `${(cat === 'c' ? '.c' : cat === 'h' ? '.h as C' : 'C++').padEnd(9)} ${String(st.files).padStart(5)} ${(st.bytes / 1048576).toFixed(1).padStart(7)} ${String(st.functions).padStart(10)}  ${`${st.bodyErrors} (${pct(st.bodyErrors, st.functions)})`.padEnd(17)}  ${`${st.defErrors} (${pct(st.defErrors, st.functions)})`.padEnd(17)}  ${st.lost}`,
    );
  }
  if (s.unreadable.length) lines.push(`unreadable: ${s.unreadable.length} (${s.unreadable.slice(0, 3).map((u) => `${u.file}: ${u.reason}`).join('; ')})`);
  if (listLost && s.lost.length) lines.push('', 'column-0 `{` lines opening no function found (possibly lost definitions):', ...s.lost);
  if (s.bad.length && (top > 0 || list)) {
    const groups = new Map<string, BadFunction[]>();
    for (const b of s.bad) {
      const g = groups.get(b.pattern);
      if (g) g.push(b);
      else groups.set(b.pattern, [b]);
    }
    const sorted = [...groups.entries()].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1));
    if (top > 0) lines.push('', `most common first erroneous lines (${groups.size} patterns, top ${Math.min(top, sorted.length)}):`);
    for (const [pattern, group] of sorted.slice(0, top)) {
      lines.push(`${String(group.length).padStart(5)}  ${pattern}`);
      for (const b of group.slice(0, examples)) lines.push(`         ${b.file}:${b.errorLine} (${b.name}): ${b.errorText}`);
    }
    if (list) {
      lines.push('', 'all functions with errors:');
      for (const b of s.bad) lines.push(`${b.file}:${b.errorLine}: in ${b.name} (line ${b.line}): ${b.errorText}`);
    }
  }
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  let dir: string | undefined;
  let raw = false;
  let both = false;
  let list = false;
  let listLost = false;
  let top = 25;
  let examples = 2;
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k]!;
    if (a === '--raw') raw = true;
    else if (a === '--both') both = true;
    else if (a === '--list') list = true;
    else if (a === '--lost') listLost = true;
    else if (a === '--top') top = Number(argv[++k]);
    else if (a === '--examples') examples = Number(argv[++k]);
    else if (a === '--help' || a === '-h') {
      console.log('usage: node dist/src/bench/parse-stats.js DIR [--raw] [--both] [--top N] [--examples N] [--list] [--lost]');
      return 0;
    } else if (a.startsWith('-')) {
      console.error(`parse-stats: unknown option ${a}`);
      return 2;
    } else dir = a;
  }
  if (!dir || !Number.isFinite(top) || !Number.isFinite(examples)) {
    console.error('usage: node dist/src/bench/parse-stats.js DIR [--raw] [--both] [--top N] [--examples N] [--list] [--lost]');
    return 2;
  }
  const files = await listSourceFiles(dir);
  if (files.length === 0) {
    console.error(`parse-stats: no C/C++ source files under ${dir}`);
    return 2;
  }
  const modes: Mode[] = both ? ['raw', 'pp'] : [raw ? 'raw' : 'pp'];
  for (const mode of modes) {
    const s = await collectParseStats(dir, mode, files);
    console.log(formatStats(s, top, examples, list, listLost));
    console.log('');
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
      process.exitCode = 2;
    },
  );
}
