/**
 * The simulator's own lightweight AST, compiled once per function from the tree-sitter tree.
 * Interpreting plain JS objects is much faster than walking native tree-sitter nodes on every
 * path, and the compiler is the only place that knows tree-sitter's node and field names.
 *
 * The simulator shares nothing with the linter but `src/parse/*`.
 */
import { parseRaw, type FunctionInfo, type SourceFile, type SyntaxNode } from '../parse/parser.js';
import { macroCondition } from '../parse/macro-condition.js';

export type Expr =
  /** `text`: how a boolean literal was spelt (`TRUE`, `false`...), for checks that care about the name. */
  | { t: 'num'; v: number; text?: string }
  | { t: 'str' }
  | { t: 'id'; name: string; line: number }
  | { t: 'call'; fn: string | null; callee: Expr; args: Expr[]; line: number; col: number }
  | { t: 'field'; obj: Expr; name: string }
  | { t: 'index'; obj: Expr; idx: Expr }
  | { t: 'assign'; op: string; left: Expr; right: Expr }
  | { t: 'bin'; op: string; l: Expr; r: Expr }
  | { t: 'un'; op: string; e: Expr }
  | { t: 'deref'; e: Expr }
  | { t: 'addr'; e: Expr }
  | { t: 'upd'; op: '++' | '--'; prefix: boolean; e: Expr }
  | { t: 'cond'; c: Expr; a: Expr; b: Expr }
  | { t: 'comma'; a: Expr; b: Expr }
  | { t: 'sizeof' }
  | { t: 'init'; items: Expr[] }
  /** Unsupported construct: evaluate the sub-expressions for their effects, the value is unknown. */
  | { t: 'unk'; sub: Expr[] }
  /**
   * A call of a lambda the function keeps in a local (`cleanup();`, `status = fail(status);` with
   * `auto cleanup = [&]() { ... };`): the arguments, bound to the lambda's parameters for the call, then the
   * body in the caller's frame (what it captures by reference are the caller's variables); its value is what
   * the body returned.
   */
  | { t: 'lcall'; params: string[]; args: Expr[]; body: Stmt; line: number };

export interface StmtBase {
  /** 1-based line. */
  line: number;
  /** Unique per compiled statement (program points for state merging). */
  id?: number;
  /** Labels defined anywhere inside this statement (for `goto`). */
  labels?: Set<string>;
}

export type Stmt = StmtBase &
  (
    | { t: 'block'; body: Stmt[] }
    | { t: 'expr'; e: Expr }
    | { t: 'decl'; items: { name: string; init?: Expr; aggregate: boolean }[] }
    | { t: 'if'; c: Expr; a: Stmt; b?: Stmt }
    | { t: 'while'; c: Expr; body: Stmt }
    | { t: 'do'; body: Stmt; c: Expr }
    | { t: 'for'; init?: Stmt; c?: Expr; upd?: Expr; body: Stmt }
    | { t: 'switch'; e: Expr; body: Stmt[]; cases: { index: number; value?: Expr; line: number }[] }
    | { t: 'case' }
    | { t: 'break' }
    | { t: 'continue' }
    | { t: 'return'; e?: Expr }
    | { t: 'goto'; label: string }
    | { t: 'label'; name: string; stmt: Stmt }
    | { t: 'try'; body: Stmt; except?: { filter: Expr; body: Stmt; line: number }; fin?: Stmt }
    | { t: 'leave' }
    /**
     * `#if` / `#ifdef` inside a body: `mode` 'a' = only the first group, 'b' = only the alternative, 'fork' = both
     * unless `cond`, read against the file's macros when the function runs (`ppEval`), decides.
     */
    | {
        t: 'pp';
        mode: 'a' | 'b' | 'fork';
        a: Stmt;
        b: Stmt;
        text: string;
        cond?: PPExpr;
        /**
         * The condition as a key (`defined NAME`, or the expression's text), and the key's truth when group
         * `a` is compiled: one build compiles every group of the same condition, or none.
         */
        same?: { key: string; truth: boolean };
      }
    | { t: 'nop' }
  );

/**
 * A preprocessor condition: what `#if`/`#elif` test and `#ifdef`/`#ifndef` name. `?` stands for what is not
 * read here (a function-like macro, a character).
 */
export type PPExpr =
  | { t: 'num'; v: number }
  | { t: 'id'; name: string }
  | { t: 'defined'; name: string }
  | { t: 'un'; op: string; a: PPExpr }
  | { t: 'bin'; op: string; a: PPExpr; b: PPExpr }
  | { t: '?' };

/** What a file's text says of a macro (`FileScope.ppMacros`): its value, defined otherwise, or not certain. */
export type PPMacro = number | 'defined' | 'unknown';

/**
 * The value of a preprocessor condition under a file's macros, undefined when it is not decided: a name the
 * program does not define for certain may still be defined by the build (`/DDBG=1`), so it is not taken as
 * undefined (0); only what the program's own text defines, unconditionally and with one value, counts.
 */
export function ppEval(e: PPExpr, macros: ReadonlyMap<string, PPMacro>): number | undefined {
  switch (e.t) {
    case 'num':
      return e.v;
    case 'id': {
      const m = macros.get(e.name);
      return typeof m === 'number' ? m : undefined;
    }
    case 'defined': {
      const m = macros.get(e.name);
      return m === undefined || m === 'unknown' ? undefined : 1;
    }
    case 'un': {
      const a = ppEval(e.a, macros);
      if (a === undefined) return undefined;
      return e.op === '!' ? (a === 0 ? 1 : 0) : e.op === '-' ? -a : e.op === '~' ? ~a : e.op === '+' ? a : undefined;
    }
    case 'bin': {
      const a = ppEval(e.a, macros);
      const b = ppEval(e.b, macros);
      if (e.op === '&&') return a === 0 || b === 0 ? 0 : a !== undefined && b !== undefined ? 1 : undefined;
      if (e.op === '||') return (a !== undefined && a !== 0) || (b !== undefined && b !== 0) ? 1 : a !== undefined && b !== undefined ? 0 : undefined;
      if (a === undefined || b === undefined) return undefined;
      const cmp: Record<string, boolean> = { '==': a === b, '!=': a !== b, '<': a < b, '<=': a <= b, '>': a > b, '>=': a >= b };
      if (e.op in cmp) return cmp[e.op] ? 1 : 0;
      const v = e.op === '+' ? a + b : e.op === '-' ? a - b : e.op === '*' ? a * b : e.op === '&' ? Number(BigInt(a) & BigInt(b)) : e.op === '|' ? Number(BigInt(a) | BigInt(b)) : undefined;
      return v !== undefined && Number.isSafeInteger(v) ? v : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * The condition of the `#if` branches a function lies in (`FunctionInfo.guard`, a preprocessor expression)
 * as a `PPExpr`: a function whose guard the file's macros make 0 is never compiled, and not simulated.
 */
export function guardExpr(guard: string): PPExpr {
  const node = parseRaw(`#if ${guard}\n#endif\n`, 'c').rootNode.namedChildren[0];
  const cond = node?.type === 'preproc_if' ? node.childForFieldName('condition') : null;
  return cond ? ppExpr(cond as unknown as SyntaxNode) : { t: '?' };
}

/** A preprocessor condition node as a `PPExpr`. */
function ppExpr(n: SyntaxNode, depth = 0): PPExpr {
  if (depth > 64) return { t: '?' };
  switch (n.type) {
    case 'number_literal': {
      const v = parseNumber(n.text);
      return v === undefined ? { t: '?' } : { t: 'num', v };
    }
    case 'identifier':
      return n.text === 'true' ? { t: 'num', v: 1 } : n.text === 'false' ? { t: 'num', v: 0 } : { t: 'id', name: n.text };
    case 'preproc_defined': {
      const id = n.namedChildren.find((c) => c.type === 'identifier');
      return id ? { t: 'defined', name: id.text } : { t: '?' };
    }
    case 'parenthesized_expression':
      return n.namedChildren[0] ? ppExpr(n.namedChildren[0], depth + 1) : { t: '?' };
    case 'unary_expression': {
      const a = n.childForFieldName('argument');
      const op = n.childForFieldName('operator')?.text;
      return a && op ? { t: 'un', op, a: ppExpr(a, depth + 1) } : { t: '?' };
    }
    case 'binary_expression': {
      const a = n.childForFieldName('left');
      const b = n.childForFieldName('right');
      const op = n.childForFieldName('operator')?.text;
      return a && b && op ? { t: 'bin', op, a: ppExpr(a, depth + 1), b: ppExpr(b, depth + 1) } : { t: '?' };
    }
    default:
      return { t: '?' };
  }
}

export interface ParamInfo {
  name: string;
  /** C++ reference parameter (`PMDL& Out`). */
  ref: boolean;
  /** Type text as written (without SAL, which the preprocessor blanked). */
  type: string;
  pointerDepth: number;
  /** C++: the value a call that leaves the parameter out passes (`PEPROCESS Process = NULL`), from the definition. */
  dflt?: Expr;
}

export interface FnDef {
  name: string;
  info: FunctionInfo;
  params: ParamInfo[];
  body: Stmt;
  /** 1-based line of the closing brace. */
  endLine: number;
  line: number;
  startIndex: number;
  endIndex: number;
  /** Path of the file that defines it (set by `SimProgram`; a program may span several files). */
  file?: string;
  /** Declared `static`: visible only in its own file. */
  isStatic: boolean;
  /** 1-based line and column of the function's name in its definition. */
  nameLine: number;
  nameCol: number;
  /**
   * The pageable code section (name starting with PAGE) the definition is placed in, by `#pragma alloc_text`,
   * a `#pragma code_seg` region or `__declspec(code_seg(...))` (set by `SimProgram`, see `sections.ts`).
   */
  pageSection?: string;
  /** The body calls PAGED_CODE() (set with `pageSection`). */
  pagedCode?: boolean;
  /** The program locks `pageSection` with `MmLockPagableCodeSection` (see `lockPagedSections` in sections.ts). */
  sectionLocked?: boolean;
}

const line = (n: SyntaxNode) => n.startPosition.row + 1;

export function parseNumber(text: string): number | undefined {
  const t = text.trim();
  if (t.startsWith('-')) {
    const v = parseNumber(t.slice(1));
    return v === undefined ? undefined : -v | 0;
  }
  let s = t.replace(/(?:u|l|ul|lu|ll|ull|llu|i64|ui64|i32|ui32)$/i, '');
  s = s.replace(/[uUlL]+$/, '');
  let v: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(s)) v = parseInt(s.slice(2), 16);
  else if (/^0[bB][01]+$/.test(s)) v = parseInt(s.slice(2), 2);
  else if (/^0[0-7]+$/.test(s)) v = parseInt(s.slice(1), 8);
  else if (/^[0-9]+$/.test(s)) v = parseInt(s, 10);
  else if (/^[0-9]*\.[0-9]*(?:[eE][-+]?[0-9]+)?[fF]?$/.test(s)) v = Math.trunc(parseFloat(s));
  else return undefined;
  // past 2^53 a JavaScript number is not the literal's value: unknown
  if (!Number.isSafeInteger(v)) return undefined;
  // 32-bit values with the top bit set (NTSTATUS codes) are kept as signed 32-bit integers.
  if (v >= 0x80000000 && v <= 0xffffffff) v = v | 0;
  return v;
}

function charValue(text: string): number {
  const m = /^L?'(.*)'$/s.exec(text);
  if (!m) return 0;
  const body = m[1]!;
  if (body.startsWith('\\')) {
    const esc: Record<string, number> = { n: 10, t: 9, r: 13, '0': 0, '\\': 92, "'": 39, '"': 34 };
    return esc[body[1] ?? ''] ?? 0;
  }
  return body.charCodeAt(0) || 0;
}

/**
 * Function-like macros of these files whose replacement is straight-line code ending in `return`
 * (`#define EXIT_FAILURE(q) Irp->IoStatus.Status = ...; IoCompleteRequest(Irp, 0); return STATUS_UNSUCCESSFUL;`),
 * or a `do { ... } while (0)` block whose last statement, at its top level, is its one `return` (a logging
 * macro: `EBPF_RETURN_POINTER(type, pointer)` logs and returns `pointer`): a statement that calls one returns from
 * the function, with the argument the macro returns when it returns one of its parameters (its index), else with
 * the call's value (undefined). (Macros are not expanded otherwise.)
 */
export function returningMacros(files: readonly { text: string }[]): Map<string, number | undefined> {
  const out = new Map<string, number | undefined>();
  for (const f of files) {
    if (!f.text.includes('#define') || !/\breturn\b/.test(f.text)) continue;
    for (const m of f.text.matchAll(/^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)\(([^)]*)\)((?:[^\n]*\\\r?\n)*[^\n]*)/gm)) {
      const body = m[3]!.replace(/\\\r?\n/g, ' ').replace(/\/\*.*?\*\//g, ' ').replace(/\/\/.*$/, '').trim();
      const params = m[2]!.split(',').map((p) => p.trim());
      const block = /^do\s*\{([\s\S]*)\}\s*while\s*\(\s*(?:0|false|FALSE)\s*\)\s*;?$/.exec(body)?.[1];
      if (block !== undefined) {
        // the one return, last, at the block's top level; nothing before it jumps
        if ((block.match(/\breturn\b/g) ?? []).length !== 1 || /\b(goto|break|continue|while|for|switch|do)\b/.test(block)) continue;
        const r = /\breturn\b([^;{}]*);\s*$/.exec(block);
        if (!r || braceDepth(block.slice(0, r.index)) !== 0) continue;
        out.set(m[1]!, parameterReturned(r[1]!, block, params));
        continue;
      }
      // no branch, loop or jump: the return is reached whenever the macro runs
      if (/\b(if|while|for|switch|goto|do)\b|\?|&&|\|\|/.test(body)) continue;
      if ((body.match(/\breturn\b/g) ?? []).length === 1 && /\breturn\b[^;{}]*;?\s*\}?$/.test(body)) out.set(m[1]!, undefined);
    }
  }
  return out;
}

/**
 * A jumping macro: it tests `test` (its text over `params`), if it has one, and when that holds (or always)
 * runs parameter `arg` as a statement, if given, then goes to `label`, or to the label parameter `labelParam` names.
 */
type Jump = { label?: string; labelParam?: number; arg?: number; test?: string; params?: string[]; dangling?: boolean };

/** A macro whose body is one call of another macro `to`, with the names `with` (its parameters, or names of its own). */
type Fwd = { to: string; with: string[]; params: string[]; wrapped?: boolean };

/**
 * The function-like macros one file defines, by name: for one that jumps, what it does (`Jump`); null for any
 * other (or one defined two ways). A jumping body is `S; goto LABEL` in braces or `do { } while (0)` (the
 * Microsoft file systems' `#define try_return(S) { S; goto try_exit; }`), or `goto LABEL` alone, or either under
 * one `if` of its own with no `else` (`#define IF_FAILED_JUMP(ntStatus, label) if (!NT_SUCCESS(ntStatus)) {
 * goto label; }`); LABEL may be a parameter. Unbraced `S; goto L` is not one: under an unbraced `if` of the
 * caller only S would be conditional. An unbraced `if (c) goto L` is `dangling`: it would take the `else` of a
 * caller's `if` whose consequence it is.
 */
function fileJumpingMacros(text: string): Map<string, Jump | Fwd | null> {
  const out = new Map<string, Jump | Fwd | null>();
  if (!text.includes('#define')) return out;
  // (a macro calling another is read beside jumping ones only: in a text that has a `goto`)
  const jumps = /\bgoto\b/.test(text);
  for (const m of text.matchAll(/^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)\(([^)]*)\)((?:[^\n]*\\\r?\n)*[^\n]*)/gm)) {
    const params = m[2]!.split(',').map((p) => p.trim());
    const body = m[3]!.replace(/\\\r?\n/g, ' ').replace(/\/\*.*?\*\//g, ' ').replace(/\/\/.*$/, '').trim();
    const v = jumpOf(body, params) ?? (jumps ? callOf(body, params) : null);
    const had = out.get(m[1]!);
    out.set(m[1]!, had === undefined || (had && v && sameJson(had, v)) ? v : null);
  }
  return out;
}

/** A macro body that is one call of names (`HLPR_BAIL_ON_FAILURE_WITH_LABEL(status, HLPR_BAIL_LABEL)`), else null. */
function callOf(text: string, params: string[]): Fwd | null {
  const { body, wrapped } = unwrapMacroBody(text);
  const c = /^([A-Za-z_]\w*)\s*\(([^()]*)\)\s*;?$/.exec(body);
  if (!c) return null;
  const names = c[2]!.split(',').map((x) => x.trim());
  if (!names.every((x) => /^[A-Za-z_]\w*$/.test(x))) return null;
  // (in braces or `do { } while (0)`, the expansion takes no `else` of the caller's)
  return wrapped ? { to: c[1]!, with: names, params, wrapped: true } : { to: c[1]!, with: names, params };
}

/** Two readings of a macro, the same. */
function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A macro body without the `do { } while (0)` or the braces around it, and whether it had them. */
function unwrapMacroBody(text: string): { body: string; wrapped: boolean } {
  const inDo = /^do\s*\{([\s\S]*)\}\s*while\s*\(\s*(?:0|false|FALSE)\s*\)\s*;?$/.exec(text);
  if (inDo) return { body: inDo[1]!.trim(), wrapped: true };
  if (text.startsWith('{') && /\}\s*;?$/.test(text)) return { body: text.slice(1).replace(/\}\s*;?$/, '').trim(), wrapped: true };
  return { body: text, wrapped: false };
}

/**
 * The jump of macro `j` made through `f`, a macro that calls it: `f`'s parameters in place of the names it
 * passes (a name of its own, `HLPR_BAIL_LABEL`, stays a name). Null when the test names another number of
 * parameters than `f` passes, or the statement `j` runs is not one of `f`'s parameters.
 */
function throughCall(j: Jump, f: Fwd): Jump | null {
  const r: Jump = {};
  if (j.label !== undefined) r.label = j.label;
  else {
    const a = j.labelParam !== undefined ? f.with[j.labelParam] : undefined;
    if (a === undefined) return null;
    if (f.params.includes(a)) r.labelParam = f.params.indexOf(a);
    else r.label = a;
  }
  if (j.arg !== undefined) {
    const a = f.with[j.arg];
    if (a === undefined || !f.params.includes(a)) return null;
    r.arg = f.params.indexOf(a);
  }
  if (j.test !== undefined) {
    const ps = j.params ?? [];
    if (ps.length !== f.with.length) return null;
    r.test = j.test.replace(/\b[A-Za-z_]\w*\b/g, (w) => (ps.includes(w) ? f.with[ps.indexOf(w)]! : w));
    r.params = f.params;
  }
  if (j.dangling && !f.wrapped) r.dangling = true;
  return r;
}

/** What a macro body does if it jumps (see `fileJumpingMacros`), else null. */
function jumpOf(text: string, params: string[]): Jump | null {
  const unwrapped = unwrapMacroBody(text);
  let body = unwrapped.body;
  let test: string | undefined;
  let dangling = false;
  let blockOk = unwrapped.wrapped;
  if (/^if\s*\(/.test(body)) {
    // the test: the text up to the parenthesis that closes the `if`'s
    let depth = 0;
    let close = -1;
    for (let i = body.indexOf('('); i < body.length; i++) {
      if (body[i] === '(') depth++;
      else if (body[i] === ')' && --depth === 0) {
        close = i;
        break;
      }
    }
    if (close < 0) return null;
    test = body.slice(body.indexOf('(') + 1, close).trim();
    let then = body.slice(close + 1).trim();
    const inBraces = /^\{([\s\S]*)\}\s*;?$/.exec(then);
    if (inBraces) then = inBraces[1]!.trim();
    if (!test || /\belse\b|[{}]/.test(then)) return null;
    blockOk = !!inBraces;
    body = then;
    dangling = !inBraces && !unwrapped.wrapped;
  }
  const j = /^(?:\(?\s*([A-Za-z_]\w*)\s*\)?\s*;\s*)?goto\s+([A-Za-z_]\w*)\s*;?$/.exec(body);
  if (!j) return null;
  // (an unbraced `S; goto L`: the goto is not under the `if`, or not under the caller's)
  if (j[1] !== undefined && !blockOk) return null;
  const k = j[1] !== undefined ? params.indexOf(j[1]) : undefined;
  if (k === -1) return null;
  const out: Jump = {};
  const lp = params.indexOf(j[2]!);
  if (lp >= 0) out.labelParam = lp;
  else out.label = j[2]!;
  if (k !== undefined) out.arg = k;
  if (test !== undefined) {
    out.test = test;
    out.params = params;
  }
  if (dangling) out.dangling = true;
  return out;
}

/**
 * The jumping macros (`fileJumpingMacros`) each file sees: its own definition of a name, else that of the
 * program's headers (files that are not `.c`/`.cpp`/`.cc`/`.cxx`), if they agree. Macros are not expanded
 * otherwise.
 */
export function jumpingMacros(files: readonly { path: string; text: string }[]): Map<{ path: string; text: string }, Map<string, Jump>> {
  const headers = new Map<string, Jump | Fwd | null>();
  for (const f of files) {
    if (/\.(c|cpp|cc|cxx)$/i.test(f.path)) continue;
    for (const [name, v] of fileJumpingMacros(f.text)) {
      const had = headers.get(name);
      headers.set(name, had === undefined || (had && v && sameJson(had, v)) ? v : null);
    }
  }
  const out = new Map<{ path: string; text: string }, Map<string, Jump>>();
  for (const f of files) {
    const seen = new Map<string, Jump | Fwd | null>([...headers, ...fileJumpingMacros(f.text)]);
    // (a macro that calls a jumping one jumps as it does; through at most four calls)
    const jumpOfName = (name: string, depth: number): Jump | null => {
      const v = seen.get(name);
      if (!v) return null;
      if (!('to' in v)) return v;
      if (depth >= 4) return null;
      const callee = jumpOfName(v.to, depth + 1);
      return callee ? throughCall(callee, v) : null;
    };
    const m = new Map<string, Jump>();
    for (const name of seen.keys()) {
      const v = jumpOfName(name, 0);
      if (v) m.set(name, v);
    }
    out.set(f, m);
  }
  return out;
}

function braceDepth(t: string): number {
  let d = 0;
  for (const ch of t) d += ch === '{' ? 1 : ch === '}' ? -1 : 0;
  return d;
}

/** The index of the parameter `value` names, through casts and parentheses or a local initialized from it. */
function parameterReturned(value: string, block: string, params: readonly string[]): number | undefined {
  const strip = (t: string): string => {
    let x = t.trim();
    for (let g = 0; g < 4; g++) {
      const cast = /^\(\s*[A-Za-z_][\w\s*]*\)\s*(.+)$/.exec(x);
      const paren = /^\((.*)\)$/.exec(x);
      if (cast) x = cast[1]!.trim();
      else if (paren) x = paren[1]!.trim();
      else break;
    }
    return x;
  };
  let name = strip(value);
  if (!/^[A-Za-z_]\w*$/.test(name)) return undefined;
  if (!params.includes(name)) {
    const init = new RegExp(`\\b${name}\\s*=\\s*([^;]+);`).exec(block);
    if (!init) return undefined;
    name = strip(init[1]!);
  }
  const k = params.indexOf(name);
  return k >= 0 ? k : undefined;
}

/**
 * The union fields of structures in these files (`union { PVOID Context; PMDL Mdl; } Union;`): by field
 * name, each member's storage, named by the union's first member. Members share their storage, so
 * `Ctx->Union.Context = NULL` clears `Ctx->Union.Mdl`. A member two unions of the same field name give
 * different storage is left as it is.
 */
export function unionFields(files: readonly SourceFile[]): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  const clash = new Set<string>();
  const nameOf = (d: SyntaxNode | null): string | undefined => {
    for (let g = 0; d && g < 10; g++) {
      if (d.type === 'field_identifier' || d.type === 'identifier') return d.text;
      d = d.childForFieldName('declarator');
    }
    return undefined;
  };
  for (const f of files) {
    if (!/\bunion\b/.test(f.text)) continue;
    for (const u of f.tree.rootNode.descendantsOfType('union_specifier')) {
      const decl = u.parent;
      const body = u.childForFieldName('body');
      if (!body || decl?.type !== 'field_declaration') continue;
      const field = nameOf(decl.childForFieldName('declarator'));
      if (!field) continue;
      const members: string[] = [];
      for (const m of body.namedChildren) {
        if (m.type !== 'field_declaration') continue;
        for (const d of m.childrenForFieldName('declarator')) {
          const n = nameOf(d);
          if (n) members.push(n);
        }
      }
      if (members.length < 2) continue;
      let m = out.get(field);
      if (!m) out.set(field, (m = new Map()));
      for (const member of members) {
        const key = `${field}.${member}`;
        if (clash.has(key)) continue;
        const seen = m.get(member);
        if (seen === undefined) m.set(member, members[0]!);
        else if (seen !== members[0]) {
          m.delete(member);
          clash.add(key);
        }
      }
    }
  }
  return out;
}

export class Compiler {
  constructor(
    private readonly src: SourceFile,
    private readonly returning: ReadonlyMap<string, number | undefined> = new Map(),
    private readonly unions: ReadonlyMap<string, ReadonlyMap<string, string>> = new Map(),
    private readonly jumping: ReadonlyMap<string, Jump> = new Map(),
  ) {}

  /** The consequences of `if` statements that have an `else` (see `Jump.dangling`). */
  private beforeElse = new Set<SyntaxNode>();
  /** The current function's lambdas, by the local each initializes (a name initialized once, with a lambda). */
  private lambdas = new Map<string, SyntaxNode>();
  /** The lambdas being compiled into a call (one named again inside itself is a call of unknown code). */
  private inLambda = new Set<SyntaxNode>();

  /** Lambda calls compiled in the current function (see `lambdaCall`). */
  private lambdaCalls = 0;

  /** The current function's labels (a jumping macro jumps only to one of them). */
  private labels = new Set<string>();

  compileFunction(info: FunctionInfo): FnDef {
    this.labels = new Set();
    const stack: SyntaxNode[] = [info.body];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.type === 'labeled_statement') this.labels.add(n.childForFieldName('label')?.text ?? '');
      stack.push(...n.namedChildren);
    }
    this.lambdas = localLambdas(info.body);
    this.lambdaCalls = 0;
    const body = this.stmt(info.body);
    this.lambdas = new Map();
    const nameNode = this.nameNode(info.node);
    return {
      name: info.name,
      info,
      params: this.params(info.node),
      body,
      endLine: info.body.endPosition.row + 1,
      line: info.line,
      startIndex: info.node.startIndex,
      endIndex: info.node.endIndex,
      // `static` before the body (as the linter's project reads it): visible only in its file.
      isStatic: /\bstatic\b/.test(info.node.text.slice(0, Math.max(0, info.bodyStart - info.start))),
      nameLine: nameNode ? nameNode.startPosition.row + 1 : info.line,
      nameCol: nameNode ? nameNode.startPosition.column + 1 : 1,
    };
  }

  /** The declarator naming the function (identifier, qualified or field identifier) in its definition. */
  private nameNode(fnNode: SyntaxNode): SyntaxNode | null {
    let d: SyntaxNode | null = fnNode.childForFieldName('declarator');
    for (let g = 0; d && d.type !== 'function_declarator' && g < 20; g++) d = d.childForFieldName('declarator') ?? d.namedChildren.find((c) => c.type.endsWith('declarator')) ?? null;
    let id = d?.type === 'function_declarator' ? d.childForFieldName('declarator') : null;
    // `(Fn)(...)`: a parenthesized name.
    for (let g = 0; id && id.type === 'parenthesized_declarator' && g < 5; g++) id = id.namedChildren[0] ?? null;
    return id;
  }

  private params(fnNode: SyntaxNode): ParamInfo[] {
    let d: SyntaxNode | null = fnNode.childForFieldName('declarator');
    for (let g = 0; d && d.type !== 'function_declarator' && g < 20; g++) d = d.childForFieldName('declarator');
    const list = d?.childForFieldName('parameters');
    if (!list) return [];
    const out: ParamInfo[] = [];
    for (const p of list.namedChildren) {
      if (p.type !== 'parameter_declaration' && p.type !== 'optional_parameter_declaration') continue;
      const typeNode = p.childForFieldName('type');
      let decl: SyntaxNode | null = p.childForFieldName('declarator');
      let depth = 0;
      let name = '';
      let ref = false;
      for (let g = 0; decl && g < 20; g++) {
        if (decl.type === 'pointer_declarator' || decl.type === 'abstract_pointer_declarator') depth++;
        if (decl.type === 'reference_declarator') ref = true;
        if (decl.type === 'identifier') {
          name = decl.text;
          break;
        }
        const next: SyntaxNode | null =
          decl.childForFieldName('declarator') ?? decl.namedChildren.find((c) => c.type.endsWith('declarator') || c.type === 'identifier') ?? null;
        decl = next;
      }
      const type = (typeNode?.text ?? '').replace(/\s+/g, ' ').trim();
      if (type === 'void' && !name && depth === 0) continue;
      const dv = p.type === 'optional_parameter_declaration' ? p.childForFieldName('default_value') : null;
      out.push({ name, type, pointerDepth: depth, ref, ...(dv ? { dflt: this.expr(dv) } : {}) });
    }
    return out;
  }

  /**
   * `call` of one of the function's lambdas, compiled with the lambda's body (see the `lcall` expression); at
   * most MAX_LAMBDA_CALLS per function (a lambda calling another twice, nested, doubles them at each level):
   * beyond, a call of unknown code.
   */
  private lambdaCall(call: SyntaxNode, args: Expr[], ln: number): Expr | undefined {
    const f = call.childForFieldName('function');
    const lambda = f?.type === 'identifier' ? this.lambdas.get(f.text) : undefined;
    const bodyNode = lambda?.childForFieldName('body');
    if (!lambda || !bodyNode || this.inLambda.has(lambda) || this.lambdaCalls >= MAX_LAMBDA_CALLS) return undefined;
    this.lambdaCalls++;
    const params: string[] = [];
    for (const p of lambda.childForFieldName('declarator')?.childForFieldName('parameters')?.namedChildren ?? []) {
      if (p.type !== 'parameter_declaration' && p.type !== 'optional_parameter_declaration') continue;
      let d = p.childForFieldName('declarator');
      for (let g = 0; d && d.type !== 'identifier' && g < 20; g++) d = d.childForFieldName('declarator') ?? d.namedChildren.find((c) => c.type.endsWith('declarator') || c.type === 'identifier') ?? null;
      params.push(d?.type === 'identifier' ? d.text : '');
    }
    this.inLambda.add(lambda);
    const body = this.stmt(bodyNode);
    this.inLambda.delete(lambda);
    return { t: 'lcall', params, args, body, line: ln };
  }

  private seq = 0;

  stmt(n: SyntaxNode): Stmt {
    const s = this.stmt0(n);
    s.id = ++this.seq;
    return s;
  }

  private withLabels<T extends Stmt>(s: T, kids: (Stmt | undefined)[]): T {
    let set: Set<string> | undefined;
    for (const k of kids) {
      if (!k) continue;
      if (k.t === 'label') (set ??= new Set()).add(k.name);
      if (k.labels) for (const l of k.labels) (set ??= new Set()).add(l);
    }
    if (set) s.labels = set;
    return s;
  }

  private block(nodes: SyntaxNode[], ln: number): Stmt {
    const body: Stmt[] = [];
    for (const c of nodes) {
      if (c.type === 'comment' || c.type === '{' || c.type === '}') continue;
      const s = this.stmt(c);
      if (s.t !== 'nop' || s.labels) body.push(s);
    }
    return this.withLabels({ t: 'block', body, line: ln }, body);
  }

  private stmt0(n: SyntaxNode): Stmt {
    const ln = line(n);
    switch (n.type) {
      case 'compound_statement':
        return this.block(n.namedChildren, ln);
      case 'expression_statement': {
        const e = n.namedChildren.find((c) => c.type !== 'comment');
        if (!e) return { t: 'nop', line: ln };
        // a macro that returns: its call (an unknown routine) is evaluated, then the function returns
        const fn = e.type === 'call_expression' ? e.childForFieldName('function') : null;
        if (fn?.type === 'identifier' && this.returning.has(fn.text)) {
          // (a macro returning one of its arguments returns that argument's value)
          const k = this.returning.get(fn.text);
          const arg = k !== undefined ? e.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment')[k] : undefined;
          return { t: 'return', e: this.expr(arg ?? e), line: ln };
        }
        // a macro that runs its argument, then jumps (`try_return(Status = X)`: `{ S; goto try_exit; }`), maybe on
        // a test of its own (`IF_FAILED_JUMP(ntStatus, Done)`: `if (!NT_SUCCESS(ntStatus)) { goto Done; }`)
        const jump = fn?.type === 'identifier' ? this.jumping.get(fn.text) : undefined;
        const args = jump ? (e.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment') ?? []) : [];
        const named = jump?.labelParam !== undefined ? args[jump.labelParam] : undefined;
        const label = jump?.label ?? (named?.type === 'identifier' ? named.text : undefined);
        const test = jump?.test !== undefined ? macroCondition(jump.test, jump.params ?? [], args, e, this.src.lang) : undefined;
        if (jump && label !== undefined && this.labels.has(label) && (jump.test === undefined || test) && !(jump.dangling && this.beforeElse.has(n))) {
          const arg = jump.arg !== undefined ? args[jump.arg] : undefined;
          const go: Stmt = { t: 'goto', label, line: ln };
          const run: Stmt = arg ? { t: 'block', body: [{ t: 'expr', e: this.expr(arg), line: ln }, go], line: ln } : go;
          return test ? { t: 'if', c: this.cond(test as SyntaxNode), a: run, line: ln } : run;
        }
        return { t: 'expr', e: this.expr(e), line: ln };
      }
      case 'declaration':
        return this.decl(n);
      case 'if_statement': {
        const c = this.cond(n.childForFieldName('condition'));
        const altNode = n.childForFieldName('alternative');
        const consNode = n.childForFieldName('consequence');
        // (a macro that is an unbraced `if` would take this `else`: not followed as the consequence)
        if (altNode && consNode) this.beforeElse.add(consNode);
        const a = this.stmtOrNop(consNode, ln);
        let b: Stmt | undefined;
        if (altNode) {
          const inner = altNode.type === 'else_clause' ? altNode.namedChildren.find((x) => x.type !== 'comment') : altNode;
          b = inner ? this.stmt(inner) : undefined;
        }
        return this.withLabels({ t: 'if', c, a, b, line: ln }, [a, b]);
      }
      case 'while_statement': {
        const body = this.stmtOrNop(n.childForFieldName('body'), ln);
        return this.withLabels({ t: 'while', c: this.cond(n.childForFieldName('condition')), body, line: ln }, [body]);
      }
      case 'do_statement': {
        const body = this.stmtOrNop(n.childForFieldName('body'), ln);
        return this.withLabels({ t: 'do', c: this.cond(n.childForFieldName('condition')), body, line: ln }, [body]);
      }
      case 'for_statement': {
        const initNode = n.childForFieldName('initializer');
        let init: Stmt | undefined;
        if (initNode) init = initNode.type === 'declaration' ? this.decl(initNode) : { t: 'expr', e: this.expr(initNode), line: ln };
        const cn = n.childForFieldName('condition');
        const un = n.childForFieldName('update');
        const body = this.stmtOrNop(n.childForFieldName('body'), ln);
        return this.withLabels(
          { t: 'for', init, c: cn ? this.cond(cn) : undefined, upd: un ? this.expr(un) : undefined, body, line: ln },
          [body],
        );
      }
      case 'switch_statement': {
        const e = this.cond(n.childForFieldName('condition'));
        const bodyNode = n.childForFieldName('body');
        const body: Stmt[] = [];
        const cases: { index: number; value?: Expr; line: number }[] = [];
        const add = (c: SyntaxNode) => {
          if (c.type === 'comment') return;
          if (c.type === 'case_statement') {
            const v = c.childForFieldName('value');
            cases.push({ index: body.length, value: v ? this.expr(v) : undefined, line: line(c) });
            body.push({ t: 'case', line: line(c) });
            for (const k of c.namedChildren) if (k !== v && k.type !== 'comment') body.push(this.stmt(k));
            return;
          }
          body.push(this.stmt(c));
        };
        if (bodyNode) for (const c of bodyNode.namedChildren) add(c);
        return this.withLabels({ t: 'switch', e, body, cases, line: ln }, body);
      }
      case 'case_statement':
        // A case label outside a switch body (malformed): run its statements.
        return this.block(n.namedChildren.filter((c) => c.id !== n.childForFieldName('value')?.id), ln);
      case 'break_statement':
        return { t: 'break', line: ln };
      case 'continue_statement':
        return { t: 'continue', line: ln };
      case 'return_statement': {
        const e = n.namedChildren.find((c) => c.type !== 'comment');
        return { t: 'return', e: e ? this.expr(e) : undefined, line: ln };
      }
      case 'goto_statement':
        return { t: 'goto', label: n.childForFieldName('label')?.text ?? '', line: ln };
      case 'labeled_statement': {
        const name = n.childForFieldName('label')?.text ?? '';
        const inner = n.namedChildren.find((c) => c.type !== 'statement_identifier' && c.type !== 'comment');
        const st = inner ? this.stmt(inner) : ({ t: 'nop', line: ln } as Stmt);
        const s: Stmt = { t: 'label', name, stmt: st, line: ln };
        const set = new Set<string>([name]);
        if (st.labels) for (const l of st.labels) set.add(l);
        s.labels = set;
        return s;
      }
      case 'seh_try_statement': {
        const body = this.stmtOrNop(n.childForFieldName('body'), ln);
        let except: { filter: Expr; body: Stmt; line: number } | undefined;
        let fin: Stmt | undefined;
        for (const c of n.namedChildren) {
          if (c.type === 'seh_except_clause') {
            const f = c.childForFieldName('filter');
            except = { filter: f ? this.cond(f) : { t: 'num', v: 1 }, body: this.stmtOrNop(c.childForFieldName('body'), line(c)), line: line(c) };
          } else if (c.type === 'seh_finally_clause') {
            fin = this.stmtOrNop(c.childForFieldName('body'), line(c));
          }
        }
        return this.withLabels({ t: 'try', body, except, fin, line: ln }, [body, except?.body, fin]);
      }
      case 'seh_leave_statement':
        return { t: 'leave', line: ln };
      case 'preproc_if':
      case 'preproc_ifdef':
      case 'preproc_elif':
      case 'preproc_elifdef':
        return this.pp(n);
      case 'preproc_else':
        return this.block(n.namedChildren, ln);
      case 'attributed_statement': {
        const inner = n.namedChildren.find((c) => c.type !== 'attribute_declaration');
        return inner ? this.stmt(inner) : { t: 'nop', line: ln };
      }
      case 'try_statement': {
        // C++ try/catch: C++ exceptions are not SEH; run the body only.
        const b = n.childForFieldName('body');
        return b ? this.stmt(b) : { t: 'nop', line: ln };
      }
      default:
        if (n.type.endsWith('_expression') || n.type === 'identifier') return { t: 'expr', e: this.expr(n), line: ln };
        return { t: 'nop', line: ln };
    }
  }

  private pp(n: SyntaxNode): Stmt {
    const ln = line(n);
    const altNode = n.childForFieldName('alternative');
    const condNode = n.childForFieldName('condition');
    const nameNode = n.childForFieldName('name');
    // Compare nodes by id: tree-sitter may hand out distinct wrapper objects for the same node.
    const skip = new Set([condNode?.id, nameNode?.id, altNode?.id].filter((x) => x !== undefined));
    const groupNodes = n.namedChildren.filter((c) => !skip.has(c.id));
    const a = this.block(groupNodes, ln);
    const b: Stmt = altNode ? this.stmt(altNode) : { t: 'block', body: [], line: ln };
    let mode: 'a' | 'b' | 'fork' = 'fork';
    let text = '';
    let cond: PPExpr | undefined;
    if (condNode) {
      text = condNode.text.trim();
      const v = parseNumber(text);
      if (v !== undefined) mode = v === 0 ? 'b' : 'a';
      else cond = ppExpr(condNode);
    } else if (nameNode) {
      const negated = /^#\s*(?:el)?ifndef\b/.test(n.text);
      text = (negated ? '!defined ' : 'defined ') + nameNode.text;
      const d: PPExpr = { t: 'defined', name: nameNode.text };
      cond = negated ? { t: 'un', op: '!', a: d } : d;
    }
    const s: Stmt = { t: 'pp', mode, a, b, text, line: ln };
    if (cond && s.t === 'pp') s.cond = cond;
    if (mode === 'fork' && s.t === 'pp') s.same = sameCondition(nameNode ? text : condNode?.text ?? '');
    return this.withLabels(s, [a, b]);
  }

  private stmtOrNop(n: SyntaxNode | null, ln: number): Stmt {
    return n ? this.stmt(n) : { t: 'nop', line: ln };
  }

  private decl(n: SyntaxNode): Stmt {
    const items: { name: string; init?: Expr; aggregate: boolean }[] = [];
    const typeText = n.childForFieldName('type')?.text ?? '';
    const ctor = (args: Expr[], node: SyntaxNode): Expr => ({
      t: 'call',
      fn: typeText.replace(/^.*::/, '') + '::' + typeText.replace(/^.*::/, ''),
      callee: { t: 'unk', sub: [] },
      args,
      line: line(node),
      col: node.startPosition.column + 1,
    });
    for (const d of n.childrenForFieldName('declarator')) {
      let decl: SyntaxNode | null = d;
      let init: Expr | undefined;
      if (d.type === 'function_declarator') {
        // `T guard(mdl);` in a body: C++ parses it as a declaration of a function; it is an object
        // constructed from `mdl` when every "parameter" is a bare name.
        const plist = d.childForFieldName('parameters');
        const ps = plist ? plist.namedChildren.filter((c) => c.type !== 'comment') : [];
        const name = d.childForFieldName('declarator');
        if (this.src.lang === 'cpp' && name?.type === 'identifier' && ps.length && ps.every((p) => p.type === 'parameter_declaration' && !p.childForFieldName('declarator'))) {
          const args: Expr[] = ps.map((p) => ({ t: 'id', name: p.childForFieldName('type')?.text ?? p.text, line: line(p) }));
          items.push({ name: name.text, init: ctor(args, d), aggregate: true });
        }
        continue;
      }
      if (d.type === 'init_declarator') {
        const v = d.childForFieldName('value');
        if (v) {
          if (v.type === 'argument_list') init = ctor(v.namedChildren.filter((c) => c.type !== 'comment').map((c) => this.expr(c)), v);
          else init = this.expr(v);
        }
        decl = d.childForFieldName('declarator');
      }
      let name = '';
      let pointer = false;
      let array = false;
      for (let g = 0; decl && g < 20; g++) {
        if (decl.type === 'identifier') {
          name = decl.text;
          break;
        }
        if (decl.type === 'pointer_declarator') pointer = true;
        if (decl.type === 'array_declarator') array = true;
        decl = decl.childForFieldName('declarator') ?? decl.namedChildren.find((c) => c.type === 'identifier' || c.type.endsWith('declarator')) ?? null;
      }
      if (!name) continue;
      if (init && init.t === 'init' && (pointer || /^P[A-Z_0-9]+$|^(ULONG|LONG|NTSTATUS|BOOLEAN|bool|int|unsigned|SIZE_T|KIRQL|UCHAR|USHORT|ULONG_PTR|ULONG64|auto)$/.test(typeText))) {
        init = init.items[0] ?? { t: 'num', v: 0 };
      }
      if (init && init.t === 'call' && init.fn?.includes('::') && !array && !pointer && /^(auto|P[A-Z_0-9]+)$/.test(typeText)) {
        // `auto x(expr)` / `PMDL m(expr)`: direct initialization of a scalar.
        init = init.args[0] ?? { t: 'num', v: 0 };
      }
      const aggregate = array || (!pointer && /^(struct|union)\b|^(K|IO_|LARGE_|UNICODE_|OBJECT_|EX_|FAST_|ERESOURCE|WORK_QUEUE_ITEM|MDL$)/.test(typeText) && !/^(KIRQL|KPROCESSOR_MODE|KPRIORITY|KAFFINITY)$/.test(typeText));
      items.push({ name, init, aggregate });
    }
    return { t: 'decl', items, line: line(n) };
  }

  private cond(n: SyntaxNode | null): Expr {
    if (!n) return { t: 'num', v: 1 };
    if (n.type === 'parenthesized_expression' || n.type === 'condition_clause') {
      const inner = n.childForFieldName('value') ?? n.namedChildren.find((c) => c.type !== 'comment');
      if (!inner) return { t: 'num', v: 1 };
      if (inner.type === 'declaration') {
        // C++ `if (T x = e)`: rare in drivers; evaluate the initializer.
        const v = inner.descendantsOfType('init_declarator')[0]?.childForFieldName('value');
        return v ? this.expr(v) : { t: 'num', v: 1 };
      }
      return this.expr(inner);
    }
    return this.expr(n);
  }

  expr(n: SyntaxNode): Expr {
    switch (n.type) {
      case 'number_literal': {
        const v = parseNumber(n.text);
        return v === undefined ? { t: 'unk', sub: [] } : { t: 'num', v };
      }
      case 'char_literal':
        return { t: 'num', v: charValue(n.text) };
      case 'string_literal':
      case 'concatenated_string':
      case 'raw_string_literal':
        return { t: 'str' };
      case 'true':
        return { t: 'num', v: 1, text: n.text };
      case 'false':
        return { t: 'num', v: 0, text: n.text };
      case 'null':
      case 'nullptr':
        return { t: 'num', v: 0 };
      case 'identifier':
      case 'field_identifier':
      case 'qualified_identifier':
      case 'this':
        return { t: 'id', name: n.text.replace(/\s+/g, ''), line: line(n) };
      case 'parenthesized_expression': {
        const inner = n.namedChildren.find((c) => c.type !== 'comment');
        return inner ? this.expr(inner) : { t: 'unk', sub: [] };
      }
      case 'call_expression': {
        const f = n.childForFieldName('function');
        const argsNode = n.childForFieldName('arguments');
        const args = argsNode ? argsNode.namedChildren.filter((c) => c.type !== 'comment').map((c) => this.expr(c)) : [];
        // `(USHORT)(x)`: a cast to a type the parser cannot know is one (a typedef of a header), read as a call
        // of `(USHORT)`; no code calls a function through an upper-case name in parentheses
        const inner = f?.type === 'parenthesized_expression' && f.namedChildCount === 1 ? f.namedChild(0) : null;
        if (inner?.type === 'identifier' && /^[A-Z_][A-Z0-9_]*$/.test(inner.text) && args.length === 1) return args[0]!;
        let fnName: string | null = null;
        if (f && (f.type === 'identifier' || f.type === 'qualified_identifier')) fnName = f.text.replace(/\s+/g, '');
        else if (f && f.type === 'template_function') {
          fnName = f.childForFieldName('name')?.text ?? null;
          if (fnName && /^(static_cast|reinterpret_cast|const_cast|dynamic_cast)$/.test(fnName)) return args[0] ?? { t: 'unk', sub: [] };
        } else if (f && f.type === 'field_expression') {
          // A method call: resolved by method name when the class's method is defined in the file.
          const field = f.childForFieldName('field')?.text;
          if (field) return { t: 'call', fn: '.' + field, callee: this.expr(f), args, line: line(n), col: n.startPosition.column + 1 };
        }
        if (f?.type === 'identifier' && this.lambdas.size) {
          const lc = this.lambdaCall(n, args, line(n));
          if (lc) return lc;
        }
        return { t: 'call', fn: fnName, callee: f ? this.expr(f) : { t: 'unk', sub: [] }, args, line: line(n), col: n.startPosition.column + 1 };
      }
      case 'field_expression': {
        const arg = n.childForFieldName('argument');
        const field = n.childForFieldName('field');
        let name = field?.text ?? '?';
        // a member of a union field: the union's storage
        const host = arg?.type === 'field_expression' ? arg.childForFieldName('field')?.text : arg?.type === 'identifier' ? arg.text : undefined;
        const shared = host !== undefined ? this.unions.get(host)?.get(name) : undefined;
        if (shared !== undefined) name = shared;
        return { t: 'field', obj: arg ? this.expr(arg) : { t: 'unk', sub: [] }, name };
      }
      case 'subscript_expression': {
        const arg = n.childForFieldName('argument');
        let idx = n.childForFieldName('index');
        if (!idx) {
          const inds = n.childForFieldName('indices');
          idx = inds?.namedChildren[0] ?? null;
        }
        return { t: 'index', obj: arg ? this.expr(arg) : { t: 'unk', sub: [] }, idx: idx ? this.expr(idx) : { t: 'num', v: 0 } };
      }
      case 'assignment_expression': {
        const op = n.childForFieldName('operator')?.text ?? '=';
        return { t: 'assign', op, left: this.exprF(n, 'left'), right: this.exprF(n, 'right') };
      }
      case 'binary_expression': {
        const op = n.childForFieldName('operator')?.text ?? '?';
        return { t: 'bin', op, l: this.exprF(n, 'left'), r: this.exprF(n, 'right') };
      }
      case 'unary_expression': {
        const op = n.childForFieldName('operator')?.text ?? '+';
        return { t: 'un', op, e: this.exprF(n, 'argument') };
      }
      case 'pointer_expression': {
        const op = n.childForFieldName('operator')?.text ?? '*';
        const e = this.exprF(n, 'argument');
        return op === '&' ? { t: 'addr', e } : { t: 'deref', e };
      }
      case 'update_expression': {
        const op = n.childForFieldName('operator')?.text === '--' ? '--' : '++';
        const arg = n.childForFieldName('argument');
        const prefix = arg ? n.startIndex < arg.startIndex : false;
        return { t: 'upd', op, prefix, e: arg ? this.expr(arg) : { t: 'unk', sub: [] } };
      }
      case 'cast_expression':
        return this.exprF(n, 'value');
      case 'conditional_expression':
        return { t: 'cond', c: this.exprF(n, 'condition'), a: this.exprF(n, 'consequence'), b: this.exprF(n, 'alternative') };
      case 'comma_expression':
        return { t: 'comma', a: this.exprF(n, 'left'), b: this.exprF(n, 'right') };
      case 'sizeof_expression':
      case 'alignof_expression':
      case 'offsetof_expression':
        return { t: 'sizeof' };
      case 'initializer_list':
        return { t: 'init', items: n.namedChildren.filter((c) => c.type !== 'comment').map((c) => (c.type === 'initializer_pair' ? this.exprF(c, 'value') : this.expr(c))) };
      case 'compound_literal_expression': {
        const v = n.childForFieldName('value');
        return v ? this.expr(v) : { t: 'unk', sub: [] };
      }
      default:
        return { t: 'unk', sub: n.namedChildren.filter((c) => c.type.endsWith('_expression')).map((c) => this.expr(c)) };
    }
  }

  private exprF(n: SyntaxNode, field: string): Expr {
    const c = n.childForFieldName(field);
    return c ? this.expr(c) : { t: 'unk', sub: [] };
  }
}

/** The most calls of lambdas compiled with their bodies in one function (see `Compiler.lambdaCall`). */
const MAX_LAMBDA_CALLS = 200;

/**
 * The lambdas a function body keeps in locals: `auto cleanup = [&]() { ... };` (a local initialized once in the
 * body, with a lambda expression; a name declared twice is left out).
 */
function localLambdas(body: SyntaxNode): Map<string, SyntaxNode> {
  const out = new Map<string, SyntaxNode>();
  if (!/\[[^[\];]*\]\s*[({]/.test(body.text)) return out;
  const dropped = new Set<string>();
  const stack: SyntaxNode[] = [body];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'init_declarator') {
      const name = n.childForFieldName('declarator');
      const value = n.childForFieldName('value');
      if (name?.type === 'identifier') {
        if (out.has(name.text) || dropped.has(name.text) || value?.type !== 'lambda_expression') {
          out.delete(name.text);
          dropped.add(name.text);
        } else out.set(name.text, value);
      }
    }
    for (const c of n.namedChildren) stack.push(c);
  }
  return out;
}

/** File-scope facts: `#define NAME value`, enumerators, global variable names. */
export interface FileScope {
  defines: Map<string, Expr>;
  /**
   * What the preprocessor conditions of the file's bodies read (`ppEval`): macros defined outside any
   * condition (an include guard aside) with one value; `'unknown'` for one defined under a condition,
   * redefined with another value, or `#undef`ined. The headers the file includes add theirs (simulate.ts).
   */
  ppMacros: Map<string, PPMacro>;
  globals: Set<string>;
  /** Role-type declarations (`DRIVER_DISPATCH Foo;`): function name → role type. */
  roles: Map<string, string>;
  /**
   * The function-like macros whose body is one expression without assignments, increments or calls
   * (`#define EXTRACT_CTL_METHOD(Ioctl) ((USHORT)((Ioctl) & 3))`): a use is expanded where it is written, its
   * parameters bound to the values of its arguments (`Run.expandMacro`). A name defined twice differently: null.
   */
  macros: Map<string, ValueMacro | null>;
  /**
   * C++: the default arguments of the file's function declarations (`PVOID64 GetPhysicalAddress(PVOID Va,
   * PEPROCESS Process = NULL);`), by `NAME/ARITY` (the name without its class or namespace), one entry per
   * parameter (undefined: none). The headers the file includes add theirs (simulate.ts).
   */
  defaults: Map<string, (Expr | undefined)[]>;
}

/** A function-like macro read as a pure expression of its parameters (`FileScope.macros`). */
export interface ValueMacro {
  params: string[];
  /** The body compiled, at its first use (a header of 20,000 register macros is not parsed for the few used); null when it is no expression without effects. */
  body: () => Expr | null;
  text: string;
}

/**
 * `NS::F(...)` names `def` (a function `F` defined inside `namespace NS { ... }`, not in a class: `Guard::Guard`
 * is a constructor): the qualified name's last component is the definition's name, and the one before it the
 * name of a namespace around the definition.
 */
export function namesNamespaceFunction(qualified: string, def: FnDef): boolean {
  const parts = qualified.replace(/\s+/g, '').split('::');
  if (parts.length < 2 || def.name !== parts[parts.length - 1] || def.name.includes('::')) return false;
  const ns = parts[parts.length - 2];
  for (let p = def.info.node.parent; p; p = p.parent) {
    if (p.type === 'class_specifier' || p.type === 'struct_specifier') return false;
    if (p.type === 'namespace_definition' && p.childForFieldName('name')?.text === ns) return true;
  }
  return false;
}

/** `e` with each identifier of `args` replaced by its expression (a macro's body, its arguments written in). */
export function substituteIds(e: Expr, args: ReadonlyMap<string, Expr>): Expr {
  const s = (x: Expr): Expr => substituteIds(x, args);
  switch (e.t) {
    case 'id':
      return args.get(e.name) ?? e;
    case 'call':
      return { ...e, callee: s(e.callee), args: e.args.map(s) };
    case 'field':
      return { ...e, obj: s(e.obj) };
    case 'index':
      return { ...e, obj: s(e.obj), idx: s(e.idx) };
    case 'assign':
      return { ...e, left: s(e.left), right: s(e.right) };
    case 'bin':
      return { ...e, l: s(e.l), r: s(e.r) };
    case 'un':
    case 'deref':
    case 'addr':
    case 'upd':
      return { ...e, e: s(e.e) };
    case 'cond':
      return { ...e, c: s(e.c), a: s(e.a), b: s(e.b) };
    case 'comma':
      return { ...e, a: s(e.a), b: s(e.b) };
    case 'init':
      return { ...e, items: e.items.map(s) };
    case 'unk':
      return { ...e, sub: e.sub.map(s) };
    default:
      return e;
  }
}

/** Does evaluating `e` call, assign or increment anything? */
export function exprHasEffects(e: Expr): boolean {
  const stack: Expr[] = [e];
  while (stack.length) {
    const x = stack.pop()!;
    switch (x.t) {
      case 'call':
      case 'lcall':
      case 'assign':
      case 'upd':
      case 'unk':
        return true;
      case 'field':
      case 'index':
        stack.push(x.obj);
        if (x.t === 'index') stack.push(x.idx);
        break;
      case 'bin':
        stack.push(x.l, x.r);
        break;
      case 'un':
      case 'deref':
      case 'addr':
        stack.push(x.e);
        break;
      case 'cond':
        stack.push(x.c, x.a, x.b);
        break;
      case 'comma':
        stack.push(x.a, x.b);
        break;
      case 'init':
        stack.push(...x.items);
        break;
      default:
        break;
    }
  }
  return false;
}

/** `#ifndef G` / `#define G` ... `#endif` around the rest of a file (`root`'s only conditional at its top level). */
function isIncludeGuard(c: SyntaxNode, parent: SyntaxNode): boolean {
  if (parent.type !== 'translation_unit' || c.type !== 'preproc_ifdef' || !/^#\s*ifndef\b/.test(c.text)) return false;
  if (c.childForFieldName('alternative')) return false;
  const name = c.childForFieldName('name');
  const first = c.namedChildren.find((x) => x.id !== name?.id && x.type !== 'comment');
  return !!name && first?.type === 'preproc_def' && first.childForFieldName('name')?.text === name.text;
}

export function collectFileScope(src: SourceFile, compiler: Compiler): FileScope {
  const defines = new Map<string, Expr>();
  const globals = new Set<string>();
  const roles = new Map<string, string>();
  const ppMacros = new Map<string, PPMacro>();
  const macros = new Map<string, ValueMacro | null>();
  const defaults = new Map<string, (Expr | undefined)[]>();
  /** A declaration's function declarator: its parameters' defaults, if any. */
  const declDefaults = (d: SyntaxNode) => {
    let x: SyntaxNode | null = d;
    for (let g = 0; x && g < 6 && x.type !== 'function_declarator'; g++) x = x.childForFieldName('declarator');
    if (x?.type !== 'function_declarator') return;
    const name = x.childForFieldName('declarator')?.text.replace(/\s+/g, '').split('::').pop();
    const ps = (x.childForFieldName('parameters')?.namedChildren ?? []).filter((p) => p.type === 'parameter_declaration' || p.type === 'optional_parameter_declaration' || p.type === 'variadic_parameter');
    if (!name || !ps.some((p) => p.type === 'optional_parameter_declaration')) return;
    const vals = ps.map((p) => {
      const dv = p.type === 'optional_parameter_declaration' ? p.childForFieldName('default_value') : null;
      return dv ? compiler.expr(dv) : undefined;
    });
    defaults.set(`${name}/${ps.length}`, vals);
  };
  /** A macro body's text compiled as an expression (undefined when it is none: a statement, a syntax error). */
  const compileText = (text: string): Expr | undefined => {
    const tree = parseRaw(`int __ddi_v = (${text});`, src.lang);
    const init = tree.rootNode.descendantsOfType('init_declarator')[0]?.childForFieldName('value');
    return init && !tree.rootNode.hasError ? compiler.expr(init) : undefined;
  };
  const ppFact = (name: string, f: PPMacro) => {
    const prev = ppMacros.get(name);
    ppMacros.set(name, prev === undefined || prev === f ? f : 'unknown');
  };
  const visit = (n: SyntaxNode, conditional: boolean) => {
    for (const c of n.namedChildren) {
      switch (c.type) {
        case 'preproc_call': {
          // `#undef NAME`: no longer certain
          if (c.childForFieldName('directive')?.text === '#undef') {
            const name = /^[A-Za-z_]\w*/.exec(c.childForFieldName('argument')?.text.trim() ?? '')?.[0];
            if (name) ppMacros.set(name, 'unknown');
          }
          break;
        }
        case 'preproc_def': {
          const name = c.childForFieldName('name')?.text;
          const val = c.childForFieldName('value')?.text?.trim();
          if (name) {
            const num = val ? parseNumber(val.replace(/^\((.*)\)$/, '$1')) : undefined;
            ppFact(name, conditional ? 'unknown' : num ?? 'defined');
          }
          if (name && val) {
            const v = parseNumber(val.replace(/^\((.*)\)$/, '$1').replace(/^\(\s*NTSTATUS\s*\)\s*/, '').replace(/^\((.*)\)$/, '$1'));
            if (v !== undefined) defines.set(name, { t: 'num', v });
            else if (/^[A-Za-z_]\w*$/.test(val)) defines.set(name, { t: 'id', name: val, line: c.startPosition.row + 1 });
            else if (!val.includes('\\\n') && val.length < 300) {
              // An expression: compile it (a macro body that is not an expression yields nothing).
              const e = compileText(val);
              if (e) defines.set(name, e);
            }
          } else if (name) defines.set(name, { t: 'num', v: 1 });
          break;
        }
        case 'preproc_function_def': {
          const name = c.childForFieldName('name')?.text;
          const params = c.childForFieldName('parameters')?.namedChildren.filter((p) => p.type === 'identifier').map((p) => p.text) ?? [];
          const val = c.childForFieldName('value')?.text?.replace(/\\\r?\n/g, ' ').trim();
          if (!name) break;
          let mac: ValueMacro | null = null;
          if (val && val.length < 300 && !/[;{}#]/.test(val)) {
            let compiled: Expr | null | undefined;
            const body = (): Expr | null => {
              if (compiled === undefined) {
                const e = compileText(val);
                compiled = e && !exprHasEffects(e) ? e : null;
              }
              return compiled;
            };
            mac = { params, body, text: val };
          }
          const prev = macros.get(name);
          macros.set(name, prev === undefined || (prev && mac && prev.text === mac.text) ? mac : null);
          break;
        }
        case 'class_specifier':
        case 'struct_specifier':
          // a class's member declarations: their default arguments (`static PVOID Translate(PVOID Va, PEPROCESS P = NULL);`)
          for (const fd of c.descendantsOfType('field_declaration')) for (const d of fd.childrenForFieldName('declarator')) declDefaults(d);
          break;
        case 'enum_specifier':
        case 'type_definition':
        case 'declaration': {
          for (const fd of c.descendantsOfType('field_declaration')) for (const d of fd.childrenForFieldName('declarator')) declDefaults(d);
          for (const en of c.descendantsOfType('enumerator_list')) {
            let next = 0;
            for (const e of en.namedChildren) {
              if (e.type !== 'enumerator') continue;
              const name = e.childForFieldName('name')?.text;
              const valNode = e.childForFieldName('value');
              if (valNode) {
                const v = parseNumber(valNode.text);
                if (v !== undefined) next = v;
              }
              if (name) defines.set(name, { t: 'num', v: next });
              next++;
            }
          }
          if (c.type === 'declaration') {
            const typeText = c.childForFieldName('type')?.text ?? '';
            for (const d of c.childrenForFieldName('declarator')) declDefaults(d);
            for (const d of c.childrenForFieldName('declarator')) {
              // Role types: the WDM ones (DRIVER_DISPATCH, KDEFERRED_ROUTINE, ..., PCREATE_PROCESS_NOTIFY_ROUTINE_EX)
              // and every KMDF event callback type (EVT_WDF_...).
              if (
                d.type === 'identifier' &&
                /^[A-Z][A-Z0-9_]+$/.test(typeText) &&
                (/(DISPATCH|ROUTINE|INITIALIZE|UNLOAD|STARTIO|CANCEL|ADD_DEVICE|WORKITEM|DPC|ISR|COMPLETION)/.test(typeText) || /^EVT_WDF_|^IO_CSQ_/.test(typeText))
              ) {
                roles.set(d.text, typeText);
                continue;
              }
              if (d.type === 'function_declarator') continue;
              let x: SyntaxNode | null = d;
              for (let g = 0; x && g < 10 && x.type !== 'identifier'; g++) {
                if (x.type === 'function_declarator') {
                  x = null;
                  break;
                }
                x = x.childForFieldName('declarator');
              }
              if (x && x.type === 'identifier') globals.add(x.text);
            }
          }
          break;
        }
        case 'preproc_if':
        case 'preproc_ifdef':
        case 'preproc_else':
        case 'preproc_elif':
          // (the file's include guard, `#ifndef G` then `#define G` at its top, is no condition)
          visit(c, conditional || !isIncludeGuard(c, n));
          break;
        case 'linkage_specification':
        case 'declaration_list':
        case 'namespace_definition':
          visit(c, conditional);
          break;
        default:
          break;
      }
    }
  };
  visit(src.tree.rootNode, false);
  return { defines, globals, roles, ppMacros, macros, defaults };
}

/**
 * A preprocessor condition as the key every test of it shares: `!defined X`, `!defined(X)` and `#ifndef X`
 * are `defined X` taken false; outer parentheses and spaces do not count.
 */
function sameCondition(text: string): { key: string; truth: boolean } {
  let t = text.replace(/\s+/g, ' ').trim();
  let truth = true;
  for (let guard = 0; guard < 16; guard++) {
    const inner = /^\((.*)\)$/.exec(t);
    if (inner && closesInOrder(inner[1]!)) {
      t = inner[1]!.trim();
      continue;
    }
    const not = /^!\s*(.*)$/.exec(t);
    if (not && (/^\w+$/.test(not[1]!) || /^defined\s*\(?\s*\w+\s*\)?$/.test(not[1]!) || (/^\(.*\)$/.test(not[1]!) && closesInOrder(not[1]!.slice(1, -1))))) {
      t = not[1]!.trim();
      truth = !truth;
      continue;
    }
    break;
  }
  const d = /^defined\s*\(?\s*(\w+)\s*\)?$/.exec(t);
  return { key: d ? `defined ${d[1]}` : t, truth };
}

function closesInOrder(t: string): boolean {
  let depth = 0;
  for (const ch of t) {
    if (ch === '(') depth++;
    else if (ch === ')' && --depth < 0) return false;
  }
  return depth === 0;
}
