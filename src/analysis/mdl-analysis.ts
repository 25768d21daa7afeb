/**
 * Path-sensitive MDL typestate analysis over the CFG (one function at a time).
 *
 * The abstract state at a program point is a bounded set of "worlds". A world maps access paths
 * (`mdl`, `Irp->MdlAddress`, `ctx->Buffers[*].Mdl`) to abstract MDL objects with a typestate
 * (unknown, null, allocated, locked, unlocked, nonpaged, partial, freed, pages), and keeps abstract
 * values (bounded interval unions) for scalar locals such as flags and status codes. Worlds are
 * partitioned by their MDL states (property simulation, as in ESP): two worlds with the same MDL
 * states merge and join their values; worlds with different MDL states stay apart, which keeps
 * `locked = TRUE` correlated with the lock and `status = GetExceptionCode()` with the failed probe.
 * The cost is linear in the function's size times the (bounded) number of distinct MDL states.
 *
 * The analysis records observations (each MDL operation with the state before it, each exit with
 * the objects still locked, each locked object whose last reference is overwritten) that the rules
 * read; rules never walk the CFG themselves.
 */
import type { FunctionInfo, SourceFile } from '../parse/parser.js';
import { toLite, type AstNode } from '../parse/lite.js';

type SyntaxNode = AstNode;
import { buildCfg, calleeName, unparen, type Cfg, type CfgEdge, type CfgFunction, type CfgNode } from '../cfg/cfg.js';
import { fileConstants } from './constants.js';
import { ddiEffect, isPure, raises, type MdlOp } from '../ddi/table.js';
import * as V from './values.js';

export type Typestate = 'unknown' | 'null' | 'allocated' | 'locked' | 'unlocked' | 'nonpaged' | 'partial' | 'freed' | 'pages';

export interface Site {
  line: number; // 1-based
  column: number; // 1-based
}

export interface MdlObj {
  readonly id: string;
  readonly state: Typestate;
  /** Allocated in this function and not handed off: the leak check applies. */
  readonly owned: boolean;
  /** Display name: the expression it was first seen as. */
  readonly name: string;
  /** Where it came from. */
  readonly origin: { kind: 'alloc' | 'pages' | 'memory' | 'null' | 'init'; site?: Site; callee?: string };
  /** Site of the call that locked it (state locked), or that last locked it. */
  readonly lockSite?: Site & { callee: string };
  /** Site of the MmUnlockPages that unlocked it (state unlocked). */
  readonly unlockSite?: Site;
  /** A probe on it raised at this site, and nothing locked it since. */
  readonly failedProbe?: Site & { callee: string };
  /** IoFreeMdl freed it while its pages were locked (IoFreeMdl does not unlock: the pages stay locked). */
  readonly freedWhileLocked?: Site;
  /** Its last reference was overwritten here while it was locked. */
  readonly lostAt?: Site;
  /** Where MmBuildMdlForNonPagedPool / IoBuildPartialMdl built it (states nonpaged, partial). */
  readonly builtAt?: Site & { callee: string };
  /** Mapped into system space (MmGetSystemAddressForMdlSafe succeeded): a second call returns the same address. */
  readonly mapped?: boolean;
}

export interface Step {
  site: Site;
  /** What happens here; a function for branch steps, rendered only when a finding needs it. */
  message: string | (() => string);
  kind: 'alloc' | 'lock' | 'unlock' | 'branch' | 'goto' | 'return' | 'exception' | 'exit';
  obj?: string;
}

export interface Trace {
  readonly step: Step;
  readonly prev: Trace | null;
  readonly len: number;
}

interface World {
  readonly pts: ReadonlyMap<string, string>;
  readonly objs: ReadonlyMap<string, MdlObj>;
  readonly vals: ReadonlyMap<string, V.Val>;
  readonly trace: Trace | null;
  readonly returnSite: Site | null;
  readonly imprecise: boolean;
  key?: string;
}

export type Observation =
  | { kind: 'mdl-op'; op: MdlOp; callee: string; call: SyntaxNode; node: CfgNode; before: MdlObj; trace: Trace | null; imprecise: boolean }
  | { kind: 'leak'; obj: MdlObj; exit: Site; explicitReturn: boolean; trace: Trace | null; imprecise: boolean };

export interface FunctionAnalysis {
  fn: FunctionInfo;
  cfg: Cfg;
  /** Observations from the final pass; empty when the dataflow was skipped. */
  observations: Observation[];
  /** Nodes reached by the dataflow (unreachable code is not among them). */
  reachable: Set<number>;
  /** Why the dataflow was not run (parse errors, budget), if it was not. */
  skipped?: string;
  /** Some state was over-approximated (world bound hit, havoc); findings from such states are dropped. */
  imprecise: boolean;
}

const MAX_WORLDS = 24;
const WIDEN_AFTER = 6;
const MAX_STEPS = 2_000_000;

/** Access path of an lvalue-ish expression, with array indices collapsed to `[*]`. */
export function pathOf(e: SyntaxNode | null | undefined): string | undefined {
  if (!e) return undefined;
  switch (e.type) {
    case 'identifier':
    case 'this':
    case 'type_identifier': // a local named where C++'s grammar expected a type (most vexing parse)
      return e.text;
    case 'parenthesized_expression':
      return e.namedChildCount === 1 ? pathOf(e.namedChild(0)) : undefined;
    case 'cast_expression':
      return pathOf(e.childForFieldName('value'));
    case 'field_expression': {
      const base = pathOf(e.childForFieldName('argument'));
      const field = e.childForFieldName('field')?.text;
      const op = e.childForFieldName('operator')?.text ?? (e.text.includes('->') ? '->' : '.');
      return base && field ? `${base}${op}${field}` : undefined;
    }
    case 'subscript_expression': {
      const base = pathOf(e.childForFieldName('argument'));
      return base ? `${base}[*]` : undefined;
    }
    case 'pointer_expression': {
      const op = e.childForFieldName('operator')?.text;
      if (op === '*') {
        const inner = pathOf(e.childForFieldName('argument'));
        return inner ? `*${inner}` : undefined;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

function baseOf(path: string): string {
  const m = /^[*&]*([A-Za-z_$][A-Za-z0-9_$]*)/.exec(path);
  return m ? m[1]! : path;
}

function lastField(path: string): string {
  const m = /(?:->|\.)([A-Za-z_$][A-Za-z0-9_$]*)$/.exec(path);
  return m ? m[1]! : '';
}

function parentPath(path: string): string | undefined {
  const m = /^(.*)(?:->|\.)[A-Za-z_$][A-Za-z0-9_$]*$/.exec(path);
  return m ? m[1] : undefined;
}

function hasPrefix(path: string, prefix: string): boolean {
  if (!path.startsWith(prefix) || path.length === prefix.length) return false;
  const c = path.charCodeAt(prefix.length);
  return c === 45 /* - */ || c === 46 /* . */ || c === 91 /* [ */;
}

function siteOf(n: SyntaxNode): Site {
  return { line: n.startPosition.row + 1, column: n.startPosition.column + 1 };
}

function short(text: string, max = 60): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** Syntactic pre-pass: which paths hold MDL pointers in this function. */
class MdlPaths {
  private names = new Set<string>();
  constructor(fn: CfgFunction, locals: Map<string, string>) {
    for (const [name, type] of locals) if (/\bP?MDL\b|\bPMDL\b|MDL\s*\*/.test(type)) this.names.add(name);
    const assigns: [string, SyntaxNode][] = [];
    const stack: SyntaxNode[] = [fn.body];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.type === 'call_expression') {
        const name = calleeName(n);
        const eff = name ? ddiEffect(name) : undefined;
        const args = n.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment') ?? [];
        for (const m of eff?.mdl ?? []) {
          const p = pathOf(args[m.arg]);
          if (p) this.names.add(p);
        }
      } else if (n.type === 'assignment_expression') {
        const l = pathOf(n.childForFieldName('left'));
        const r = n.childForFieldName('right');
        if (l && r) assigns.push([l, r]);
      } else if (n.type === 'init_declarator') {
        const l = declName(n.childForFieldName('declarator'));
        const r = n.childForFieldName('value');
        if (l && r) assigns.push([l, r]);
      }
      for (let k = n.namedChildCount - 1; k >= 0; k--) stack.push(n.namedChild(k)!);
    }
    for (let round = 0; round < 3; round++) {
      for (const [l, r] of assigns) {
        const rr = unparen(r);
        const rp = pathOf(rr);
        const rc = rr.type === 'call_expression' ? calleeName(rr) : undefined;
        const returnsMdl = rc ? /^mdl-/.test(ddiEffect(rc)?.returns ?? '') : false;
        if (returnsMdl || (rp && this.has(rp))) this.names.add(l);
        if (rp && this.has(l)) this.names.add(rp);
      }
    }
  }
  has(path: string): boolean {
    if (this.names.has(path)) return true;
    const f = lastField(path);
    if (f && /mdl/i.test(f)) return true;
    if (f === 'Next') {
      const p = parentPath(path);
      return p !== undefined && this.has(p);
    }
    if (path.endsWith('[*]')) return this.has(path.slice(0, -3));
    return false;
  }
}

function declName(d: SyntaxNode | null | undefined): string | undefined {
  let cur = d;
  for (let g = 0; cur && g < 20; g++) {
    if (cur.type === 'identifier') return cur.text;
    const next: SyntaxNode | null = cur.childForFieldName('declarator');
    if (!next) return undefined;
    cur = next;
  }
  return undefined;
}

/** Locals and parameters with their declared type text. */
function collectLocals(fn: CfgFunction): { locals: Map<string, string>; params: Set<string> } {
  const locals = new Map<string, string>();
  const params = new Set<string>();
  const decl = fn.node.childForFieldName('declarator');
  const stack: SyntaxNode[] = decl ? [decl] : [];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'parameter_declaration') {
      const name = declName(n.childForFieldName('declarator'));
      const d = n.childForFieldName('declarator');
      if (name) {
        params.add(name);
        locals.set(name, `${n.childForFieldName('type')?.text ?? ''} ${d?.type === 'pointer_declarator' ? '*' : ''}`);
      }
      continue;
    }
    if (n.type === 'compound_statement') continue;
    for (const c of n.namedChildren) stack.push(c);
  }
  const body: SyntaxNode[] = [fn.body];
  while (body.length) {
    const n = body.pop()!;
    if (n.type === 'declaration') {
      const type = n.childForFieldName('type')?.text ?? '';
      for (const d of n.namedChildren) {
        if (d.type === 'init_declarator' || d.type === 'identifier' || d.type === 'pointer_declarator' || d.type === 'array_declarator') {
          const target = d.type === 'init_declarator' ? d.childForFieldName('declarator') : d;
          const name = declName(target);
          if (name) locals.set(name, `${type} ${target?.type === 'pointer_declarator' ? '*' : ''}`);
        }
      }
    }
    for (let k = n.namedChildCount - 1; k >= 0; k--) body.push(n.namedChild(k)!);
  }
  return { locals, params };
}

interface EvalResult {
  w: World;
  v?: V.Val;
  obj?: string;
  path?: string;
  addrOf?: string;
}

class Analyzer {
  readonly locals: Map<string, string>;
  readonly params: Set<string>;
  readonly mdl: MdlPaths;
  observations: Observation[] = [];
  recording = false;
  currentNode!: CfgNode;
  imprecise = false;

  readonly fileConsts: Map<string, number>;

  constructor(
    readonly cfg: Cfg,
    file: SourceFile,
  ) {
    this.fileConsts = fileConstants(file);
    const { locals, params } = collectLocals(cfg.fn);
    this.locals = locals;
    this.params = params;
    this.mdl = new MdlPaths(cfg.fn, locals);
  }

  // ---- world helpers -------------------------------------------------------------------------

  static empty(): World {
    return { pts: new Map(), objs: new Map(), vals: new Map(), trace: null, returnSite: null, imprecise: false };
  }

  keyOf(w: World): string {
    if (w.key !== undefined) return w.key;
    const parts: string[] = [];
    const pts = [...w.pts.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (const [p, o] of pts) parts.push(`${p}=${o}`);
    const objs = [...w.objs.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const o of objs) parts.push(`${o.id}:${o.state}${o.owned ? '!' : ''}${o.lockSite ? `@${o.lockSite.line}:${o.lockSite.column}` : ''}${o.failedProbe ? 'F' : ''}${o.mapped ? 'M' : ''}`);
    if (w.returnSite) parts.push(`ret@${w.returnSite.line}:${w.returnSite.column}`);
    if (w.imprecise) parts.push('~');
    const key = parts.join(';');
    (w as { key?: string }).key = key;
    return key;
  }

  with(w: World, patch: Partial<Omit<World, 'key'>>): World {
    const next: World = { pts: w.pts, objs: w.objs, vals: w.vals, trace: w.trace, returnSite: w.returnSite, imprecise: w.imprecise, ...patch };
    // the partition key covers pts, objs, returnSite and imprecise: a trace or value update keeps it
    if (w.key !== undefined && next.pts === w.pts && next.objs === w.objs && next.returnSite === w.returnSite && next.imprecise === w.imprecise) {
      next.key = w.key;
    }
    return next;
  }

  step(w: World, site: Site, kind: Step['kind'], message: string | (() => string), obj?: string): World {
    const s: Step = { site, kind, message };
    if (obj) s.obj = obj;
    return this.with(w, { trace: { step: s, prev: w.trace, len: (w.trace?.len ?? 0) + 1 } });
  }

  setObj(w: World, o: MdlObj): World {
    const objs = new Map(w.objs);
    objs.set(o.id, o);
    return this.with(w, { objs });
  }

  setVal(w: World, path: string, v: V.Val | undefined): World {
    const cur = w.vals.get(path);
    if (v === undefined || V.isTop(v)) {
      if (cur === undefined) return w;
      const vals = new Map(w.vals);
      vals.delete(path);
      return this.with(w, { vals });
    }
    if (cur && V.equal(cur, v)) return w;
    const vals = new Map(w.vals);
    vals.set(path, v);
    return this.with(w, { vals });
  }

  isLocal(base: string): boolean {
    return this.locals.has(base) && !this.params.has(base);
  }

  /** A store to this path makes the stored MDL reachable from outside the function. */
  escapes(path: string): boolean {
    // Any store through a pointer hands the MDL off, including into another MDL's Next field:
    // chains are released by whoever owns their head (issue 4 models chains precisely).
    if (path.startsWith('*') || path.includes('->')) return true;
    return !this.isLocal(baseOf(path));
  }

  /** Make `path` refer to a fresh object of unknown state (an MDL read from memory or a parameter). */
  materialize(w: World, path: string): { w: World; id: string } {
    const existing = w.pts.get(path);
    if (existing !== undefined) return { w, id: existing };
    const id = `m:${path}`;
    let objs = w.objs;
    let pts = w.pts;
    if (objs.has(id)) {
      ({ objs, pts } = this.retire(w, id));
    }
    const o: MdlObj = { id, state: 'unknown', owned: false, name: path, origin: { kind: 'memory' } };
    const objs2 = new Map(objs);
    objs2.set(id, o);
    const pts2 = new Map(pts);
    pts2.set(path, id);
    return { w: this.with(w, { objs: objs2, pts: pts2 }), id };
  }

  /** Move an object out of the way of a new one with the same id (allocation site in a loop). */
  retire(w: World, id: string): { objs: Map<string, MdlObj>; pts: Map<string, string> } {
    const objs = new Map(w.objs);
    const pts = new Map(w.pts);
    const old = objs.get(id)!;
    objs.delete(id);
    const oldId = `${id}#prev`;
    const prev = objs.get(oldId);
    let moved: MdlObj = { ...old, id: oldId };
    if (prev && (prev.state !== old.state || prev.owned !== old.owned)) {
      moved = { ...moved, state: 'unknown', owned: false };
    }
    objs.set(oldId, moved);
    for (const [p, o] of pts) {
      if (o === id) pts.set(p, oldId);
    }
    return { objs, pts };
  }

  /**
   * Drop objects no path refers to. An owned, locked one is kept (marked lost) for the exit check:
   * its pages stay locked although nothing can unlock them any more.
   */
  gc(w: World, at: Site): World {
    const referenced = new Set(w.pts.values());
    let objs: Map<string, MdlObj> | undefined;
    for (const o of w.objs.values()) {
      if (referenced.has(o.id)) continue;
      objs ??= new Map(w.objs);
      if (o.state === 'locked' && (o.owned || o.freedWhileLocked)) {
        if (!o.lostAt) objs.set(o.id, { ...o, lostAt: at });
      } else objs.delete(o.id);
    }
    return objs ? this.with(w, { objs }) : w;
  }

  /** Objects at `path` and below it are handed to code we cannot see. */
  escapeBelow(w: World, path: string): World {
    for (const [p, o] of w.pts) if (p === path || hasPrefix(p, path)) w = this.escapeObj(w, o);
    return w;
  }

  /** Remove what is known about paths below `path` (its fields): they now refer to another object. */
  killBelow(w: World, path: string): World {
    let pts: Map<string, string> | undefined;
    for (const p of w.pts.keys()) {
      if (hasPrefix(p, path)) {
        pts ??= new Map(w.pts);
        pts.delete(p);
      }
    }
    let vals: Map<string, V.Val> | undefined;
    for (const p of w.vals.keys()) {
      if (hasPrefix(p, path)) {
        vals ??= new Map(w.vals);
        vals.delete(p);
      }
    }
    if (!pts && !vals) return w;
    return this.with(w, { pts: pts ?? w.pts, vals: vals ?? w.vals });
  }

  /** An unknown function received this object: its state is no longer known and it is not ours to release. */
  escapeObj(w: World, id: string): World {
    const o = w.objs.get(id);
    if (!o || (o.state === 'unknown' && !o.owned) || o.state === 'null') return w;
    return this.setObj(w, { ...o, state: 'unknown', owned: false });
  }

  // ---- assignment ---------------------------------------------------------------------------

  assign(w: World, path: string, r: EvalResult, at: Site): World {
    const isMdl = r.obj !== undefined || this.mdl.has(path);
    w = this.forgetConds(w, path);
    w = this.killBelow(w, path);
    if (isMdl) {
      const pts = new Map(w.pts);
      let target = r.obj;
      if (target === undefined && r.v && V.singleton(r.v) === 0) target = this.nullObj(w);
      if (target === undefined) pts.delete(path);
      else pts.set(path, target);
      w = this.with(w, { pts });
      if (target === '#null' && !w.objs.has('#null')) {
        w = this.setObj(w, { id: '#null', state: 'null', owned: false, name: 'NULL', origin: { kind: 'null' } });
      }
      if (target !== undefined) {
        const o = w.objs.get(target);
        // a fresh MDL is named after the first variable or field it is stored in
        if (o && o.origin.kind !== 'memory' && o.origin.kind !== 'null' && o.name === o.origin.callee) w = this.setObj(w, { ...o, name: path });
        const o2 = w.objs.get(target);
        if (o2 && o2.owned && this.escapes(path)) w = this.setObj(w, { ...o2, owned: false });
      }
      w = this.gc(w, at);
    }
    return this.setVal(w, path, r.obj !== undefined ? undefined : r.v);
  }

  nullObj(_w: World): string {
    return '#null';
  }

  // ---- expression evaluation ----------------------------------------------------------------

  eval(w: World, e: SyntaxNode): EvalResult[] {
    switch (e.type) {
      case 'parenthesized_expression':
        return e.namedChildCount === 1 ? this.eval(w, e.namedChild(0)!) : [{ w }];
      case 'number_literal': {
        const v = V.parseIntLiteral(e.text);
        return [v === undefined ? { w } : { w, v: V.constant(v) }];
      }
      case 'char_literal':
        return [{ w }];
      case 'true':
        return [{ w, v: V.constant(1) }];
      case 'false':
      case 'null':
        return [{ w, v: V.constant(0) }];
      case 'identifier':
      case 'field_expression':
      case 'subscript_expression':
        return [this.evalPath(w, e)];
      case 'pointer_expression': {
        const op = e.childForFieldName('operator')?.text;
        const arg = e.childForFieldName('argument');
        if (op === '&') {
          const p = pathOf(arg);
          return [p ? { w, addrOf: p } : { w }];
        }
        return [this.evalPath(w, e)];
      }
      case 'cast_expression': {
        const value = e.childForFieldName('value');
        return value ? this.eval(w, value) : [{ w }];
      }
      case 'assignment_expression':
        return this.evalAssign(w, e);
      case 'update_expression': {
        const p = pathOf(e.childForFieldName('argument'));
        if (!p) return [{ w }];
        const cur = w.vals.get(p);
        const c = cur ? V.singleton(cur) : undefined;
        const delta = e.text.includes('++') ? 1 : -1;
        return [{ w: this.setVal(this.forgetConds(w, p), p, c !== undefined ? V.constant(c + delta) : undefined) }];
      }
      case 'unary_expression': {
        const op = e.childForFieldName('operator')?.text;
        const arg = e.childForFieldName('argument');
        if (!arg) return [{ w }];
        return this.eval(w, arg).map((r) => {
          if (!r.v && !r.obj) return { w: r.w };
          if (op === '!') {
            if (r.obj) {
              const o = r.w.objs.get(r.obj);
              if (o?.state === 'null') return { w: r.w, v: V.constant(1) };
              if (o && o.state !== 'unknown') return { w: r.w, v: V.constant(0) };
              return { w: r.w, v: [[0, 1]] as V.Val };
            }
            const v = r.v!;
            if (V.singleton(v) === 0) return { w: r.w, v: V.constant(1) };
            if (!V.canBe(v, '==', 0, true)) return { w: r.w, v: V.constant(0) };
            return { w: r.w, v: [[0, 1]] as V.Val };
          }
          const c = r.v ? V.singleton(r.v) : undefined;
          if (c === undefined) return { w: r.w };
          if (op === '-') return { w: r.w, v: V.constant(-c) };
          if (op === '~') return { w: r.w, v: V.constant(~c) };
          if (op === '+') return { w: r.w, v: V.constant(c) };
          return { w: r.w };
        });
      }
      case 'binary_expression':
        return this.evalBinary(w, e);
      case 'conditional_expression': {
        const cond = e.childForFieldName('condition')!;
        const out: EvalResult[] = [];
        for (const r of this.eval(w, cond)) {
          const t = this.refine(r.w, cond, true);
          const f = this.refine(r.w, cond, false);
          const cons = e.childForFieldName('consequence');
          const alt = e.childForFieldName('alternative');
          if (t && cons) out.push(...this.eval(t, cons));
          else if (t) out.push({ w: t });
          if (f && alt) out.push(...this.eval(f, alt));
        }
        return out.length ? out : [{ w }];
      }
      case 'comma_expression': {
        const left = e.childForFieldName('left');
        const right = e.childForFieldName('right');
        let rs: EvalResult[] = left ? this.eval(w, left) : [{ w }];
        if (right) rs = rs.flatMap((r) => this.eval(r.w, right));
        return rs;
      }
      case 'call_expression':
        return this.evalCall(w, e);
      case 'declaration':
        return this.evalDeclaration(w, e).map((x) => ({ w: x }));
      case 'return_statement': {
        const value = e.namedChildren.find((c) => c.type !== 'comment');
        if (!value) return [{ w }];
        return this.eval(w, value).map((r) => {
          let w2 = r.w;
          if (r.obj) {
            const o = w2.objs.get(r.obj);
            if (o && o.owned) w2 = this.setObj(w2, { ...o, owned: false });
          }
          return { w: w2 };
        });
      }
      case 'sizeof_expression':
      case 'alignof_expression':
      case 'string_literal':
      case 'concatenated_string':
      case 'offsetof_expression':
        return [{ w }];
      default: {
        // evaluate sub-expressions for their effects (initializer lists, compound literals, C++ new...)
        let rs: EvalResult[] = [{ w }];
        for (const c of e.namedChildren) {
          if (c.type === 'comment' || c.type.endsWith('_declarator') || c.type === 'type_descriptor' || c.type === 'primitive_type') continue;
          rs = rs.flatMap((r) => this.eval(r.w, c).map((x) => ({ w: x.w })));
          if (rs.length > MAX_WORLDS * 4) break;
        }
        return rs;
      }
    }
  }

  evalPath(w: World, e: SyntaxNode): EvalResult {
    const p = pathOf(e);
    if (!p) return { w };
    if (e.type === 'identifier') {
      const k = this.constant(p);
      if (k !== undefined && !this.locals.has(p)) return { w, v: V.constant(k) };
      const st = V.unknownStatusRange(p);
      if (st && !this.locals.has(p)) return { w, v: st };
    }
    const o = w.pts.get(p);
    if (o !== undefined) return { w, obj: o, path: p };
    if (this.mdl.has(p)) {
      const m = this.materialize(w, p);
      return { w: m.w, obj: m.id, path: p };
    }
    const v = w.vals.get(p);
    const r: EvalResult = { w, path: p };
    if (v) r.v = v;
    return r;
  }

  evalAssign(w: World, e: SyntaxNode): EvalResult[] {
    const left = e.childForFieldName('left');
    const right = e.childForFieldName('right');
    const op = e.childForFieldName('operator')?.text ?? '=';
    const p = pathOf(left);
    if (!right) return [{ w }];
    const at = siteOf(e);
    return this.eval(w, right).map((r) => {
      if (!p) return { w: r.w };
      if (op === '=') return { ...r, w: this.assign(r.w, p, r, at) };
      // compound assignment: compute on singletons, else unknown
      const cur = r.w.vals.get(p);
      const a = cur ? V.singleton(cur) : undefined;
      const b = r.v ? V.singleton(r.v) : undefined;
      let v: V.Val | undefined;
      if (a !== undefined && b !== undefined) {
        const res = arith(op.slice(0, -1), a, b);
        if (res !== undefined) v = V.constant(res);
      } else if (cur && r.v) {
        v = V.mapPairs(cur, r.v, (x, y) => arith(op.slice(0, -1), x, y));
      }
      return { w: this.assign(r.w, p, v ? { w: r.w, v } : { w: r.w }, at) };
    });
  }

  evalBinary(w: World, e: SyntaxNode): EvalResult[] {
    const op = e.childForFieldName('operator')?.text ?? '';
    const left = e.childForFieldName('left');
    const right = e.childForFieldName('right');
    if (!left || !right) return [{ w }];
    const out: EvalResult[] = [];
    for (const l of this.eval(w, left)) {
      for (const r of this.eval(l.w, right)) {
        const a = l.v ? V.singleton(l.v) : undefined;
        const b = r.v ? V.singleton(r.v) : undefined;
        let v: V.Val | undefined;
        if (isCmp(op)) {
          const k = this.decideCmp(r.w, l, op, r);
          v = k === undefined ? ([[0, 1]] as V.Val) : V.constant(k ? 1 : 0);
        } else if (op === '&&' || op === '||') {
          v = [[0, 1]];
        } else if (a !== undefined && b !== undefined) {
          const res = arith(op, a, b);
          if (res !== undefined) v = V.constant(res);
        } else if (l.v && r.v) {
          v = V.mapPairs(l.v, r.v, (x, y) => arith(op, x, y));
        }
        const res: EvalResult = { w: r.w };
        if (v) res.v = v;
        out.push(res);
      }
    }
    return out;
  }

  decideCmp(w: World, l: EvalResult, op: V.CmpOp, r: EvalResult): boolean | undefined {
    const lc = l.v ? V.singleton(l.v) : undefined;
    const rc = r.v ? V.singleton(r.v) : undefined;
    if (lc !== undefined && r.v) {
      const t = V.canBe(r.v, V.flipOp(op), lc, true);
      const f = V.canBe(r.v, V.flipOp(op), lc, false);
      return t && !f ? true : f && !t ? false : undefined;
    }
    if (rc !== undefined && l.v) {
      const t = V.canBe(l.v, op, rc, true);
      const f = V.canBe(l.v, op, rc, false);
      return t && !f ? true : f && !t ? false : undefined;
    }
    void w;
    return undefined;
  }

  evalDeclaration(w: World, d: SyntaxNode): World[] {
    let ws: World[] = [w];
    for (const c of d.namedChildren) {
      if (c.type === 'init_declarator') {
        const name = declName(c.childForFieldName('declarator'));
        const value = c.childForFieldName('value');
        if (!name) continue;
        const at = siteOf(c);
        if (!value) {
          ws = ws.map((x) => this.assign(x, name, { w: x }, at));
          continue;
        }
        if (value.type === 'argument_list' || value.type === 'initializer_list') {
          // C++ `Guard g(mdl);` / `Guard g{mdl};`: a constructor we cannot see receives the arguments
          const args = value.namedChildren.filter((a) => a.type !== 'comment');
          ws = ws.flatMap((x) => this.evalArgs(x, args).map((s) => this.assign(this.unknownCall(s.w, s.rs), name, { w: s.w }, at)));
          continue;
        }
        ws = ws.flatMap((x) => this.eval(x, value).map((r) => this.assign(r.w, name, r, at)));
      } else if (c.type === 'identifier' || c.type === 'pointer_declarator' || c.type === 'array_declarator') {
        const name = declName(c);
        if (name) ws = ws.map((x) => this.assign(x, name, { w: x }, siteOf(c)));
      } else if (c.type === 'function_declarator') {
        // C++'s most vexing parse: `Guard guard(mdl);` in a body is an object constructed from locals
        const params = c.childForFieldName('parameters')?.namedChildren ?? [];
        const args = params
          .map((p) => (p.type === 'parameter_declaration' && !p.childForFieldName('declarator') ? p.childForFieldName('type') : null))
          .filter((t): t is SyntaxNode => !!t && t.type === 'type_identifier' && this.locals.has(t.text));
        if (args.length && args.length === params.length) {
          ws = ws.map((x) => {
            const rs = args.map((a) => this.evalPath(x, a));
            return this.unknownCall(rs[rs.length - 1]!.w, rs);
          });
        }
      }
    }
    return ws;
  }

  evalArgs(w: World, args: SyntaxNode[]): { w: World; rs: EvalResult[] }[] {
    let states: { w: World; rs: EvalResult[] }[] = [{ w, rs: [] }];
    for (const a of args) {
      const next: { w: World; rs: EvalResult[] }[] = [];
      for (const s of states) {
        for (const r of this.eval(s.w, a)) next.push({ w: r.w, rs: [...s.rs, r] });
      }
      states = next.length > MAX_WORLDS * 4 ? next.slice(0, MAX_WORLDS * 4) : next;
    }
    return states;
  }

  evalCall(w: World, call: SyntaxNode): EvalResult[] {
    const name = calleeName(call) ?? '';
    const args = call.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment') ?? [];
    const eff = name ? ddiEffect(name) : undefined;
    const out: EvalResult[] = [];
    const at = siteOf(call);
    for (const { w: w0, rs } of this.evalArgs(w, args)) {
      let w1 = w0;
      if (eff) {
        for (const m of eff.mdl ?? []) {
          const r = rs[m.arg];
          if (!r) continue;
          let id = r.obj;
          if (id === undefined && r.addrOf) {
            // &localMdl (an MDL structure on the stack or in an extension)
            const p = r.addrOf;
            const existing = w1.pts.get(`&${p}`);
            if (existing) id = existing;
            else {
              const mm = this.materialize(w1, `&${p}`);
              w1 = mm.w;
              id = mm.id;
            }
          }
          if (id === undefined) continue;
          const before = w1.objs.get(id);
          if (!before || before.state === 'null') continue;
          if (this.recording) {
            this.observations.push({ kind: 'mdl-op', op: m.op, callee: name, call, node: this.currentNode, before, trace: w1.trace, imprecise: w1.imprecise });
          }
          w1 = this.transition(w1, before, m.op, name, at);
        }
        if (eff.returns === 'mdl-alloc' || eff.returns === 'mdl-pages') {
          const id = `a:${at.line}:${at.column}`;
          let base = w1;
          if (base.objs.has(id)) {
            const { objs, pts } = this.retire(base, id);
            base = this.with(base, { objs, pts });
          }
          const irpArg = eff.attachesToIrpArg;
          const attached = irpArg !== undefined && rs[irpArg] !== undefined && !(rs[irpArg]!.v && V.singleton(rs[irpArg]!.v!) === 0);
          const o: MdlObj = {
            id,
            state: eff.returns === 'mdl-alloc' ? 'allocated' : 'pages',
            owned: eff.returns === 'mdl-alloc' && !attached,
            name: name,
            origin: { kind: eff.returns === 'mdl-alloc' ? 'alloc' : 'pages', site: at, callee: name },
          };
          let ok = this.setObj(base, o);
          ok = this.step(ok, at, 'alloc', `${name} succeeds`, id);
          let failed = base;
          if (!failed.objs.has('#null')) failed = this.setObj(failed, { id: '#null', state: 'null', owned: false, name: 'NULL', origin: { kind: 'null' } });
          failed = this.step(failed, at, 'alloc', `${name} fails (NULL)`);
          out.push({ w: ok, obj: id }, { w: failed, obj: '#null' });
          continue;
        }
        if (eff.returns === 'exception-code') {
          out.push({ w: w1, v: V.NT_FAILURE_RANGE });
          continue;
        }
        if (eff.returns === 'system-address') {
          // an MDL already mapped (or built for nonpaged pool) gives its address again; a first mapping may fail
          const id = rs[0]?.obj;
          const o = id !== undefined ? w1.objs.get(id) : undefined;
          const nonNull = V.minus(V.TOP, 0);
          if (o && (o.mapped || o.state === 'nonpaged')) out.push({ w: w1, v: nonNull });
          else if (o && (o.state === 'locked' || o.state === 'partial')) {
            out.push({ w: this.setObj(w1, { ...o, mapped: true }), v: nonNull }, { w: w1, v: V.constant(0) });
          } else out.push({ w: w1 });
          continue;
        }
        out.push({ w: w1 });
        continue;
      }
      if (name === 'AbnormalTermination' || name === '_abnormal_termination') {
        const a = this.currentNode.abnormal;
        out.push(a === undefined ? { w: w1 } : { w: w1, v: V.constant(a ? 1 : 0) });
        continue;
      }
      if (isPure(name)) {
        out.push(this.pureValue(w1, name, rs));
        continue;
      }
      out.push({ w: this.unknownCall(w1, rs) });
    }
    return out;
  }

  /** A call we cannot see into: MDLs passed to it escape; variables whose address is passed may change. */
  unknownCall(w1: World, rs: EvalResult[]): World {
    {
      for (const r of rs) {
        if (r.obj) w1 = this.escapeObj(w1, r.obj);
        if (r.addrOf) {
          const p = r.addrOf;
          w1 = this.forgetConds(w1, p);
          const o = w1.pts.get(p);
          if (o) w1 = this.escapeObj(w1, o);
          const amp = w1.pts.get(`&${p}`);
          if (amp) w1 = this.escapeObj(w1, amp);
          w1 = this.escapeBelow(w1, p);
          w1 = this.killBelow(w1, p);
          if (w1.pts.has(p)) {
            const pts = new Map(w1.pts);
            pts.delete(p);
            w1 = this.with(w1, { pts });
          }
          w1 = this.setVal(w1, p, undefined);
        } else if (r.path) {
          // a pointer handed over: what hangs below it may change
          for (const [p, o] of w1.pts) if (hasPrefix(p, r.path)) w1 = this.escapeObj(w1, o);
          w1 = this.killBelowVals(w1, r.path);
        }
      }
      w1 = this.forgetMemoryVals(w1);
    }
    return w1;
  }

  /** Drop remembered condition values that read `path` (it was just written). */
  forgetConds(w: World, path: string): World {
    const base = baseOf(path);
    let vals: Map<string, V.Val> | undefined;
    for (const k of w.vals.keys()) {
      if (k.charCodeAt(0) !== 63 /* ? */) continue;
      if (condReads(k, base)) {
        vals ??= new Map(w.vals);
        vals.delete(k);
      }
    }
    return vals ? this.with(w, { vals }) : w;
  }

  killBelowVals(w: World, path: string): World {
    let vals: Map<string, V.Val> | undefined;
    for (const p of w.vals.keys()) {
      if (hasPrefix(p, path)) {
        vals ??= new Map(w.vals);
        vals.delete(p);
      }
    }
    return vals ? this.with(w, { vals }) : w;
  }

  /** After an unknown call: values held in memory (globals, through pointers) may have changed. */
  forgetMemoryVals(w: World): World {
    let vals: Map<string, V.Val> | undefined;
    for (const p of w.vals.keys()) {
      const base = baseOf(p);
      if (p.charCodeAt(0) === 63 /* ? */) {
        // a remembered condition over memory (fields through pointers, globals) may have changed
        if (p.includes('->') || p.includes('*') || p.includes('[') || condIdentifiers(p).some((id) => !this.locals.has(id) && this.constant(id) === undefined)) {
          vals ??= new Map(w.vals);
          vals.delete(p);
        }
        continue;
      }
      if (p.startsWith('*') || p.includes('->') || !this.locals.has(base)) {
        vals ??= new Map(w.vals);
        vals.delete(p);
      }
    }
    return vals ? this.with(w, { vals }) : w;
  }

  pureValue(w: World, name: string, rs: EvalResult[]): EvalResult {
    const v = rs[0]?.v;
    const range = ntRange(name);
    if (range && v) {
      const t = V.meet(v, range).length > 0;
      const f = V.meet(v, complement(range)).length > 0;
      return { w, v: t && !f ? V.constant(1) : f && !t ? V.constant(0) : ([[0, 1]] as V.Val) };
    }
    if (range) return { w, v: [[0, 1]] };
    if (FLAG_MACROS.has(name) && rs.length === 2) {
      const a = rs[0]?.v ? V.singleton(rs[0].v) : undefined;
      const b = rs[1]?.v ? V.singleton(rs[1].v) : undefined;
      if (a !== undefined && b !== undefined) return { w, v: V.constant(a & b ? 1 : 0) };
    }
    return { w };
  }

  transition(w: World, o: MdlObj, op: MdlOp, callee: string, at: Site): World {
    switch (op) {
      case 'lock': {
        const { failedProbe: _f, unlockSite: _u, ...rest } = o;
        void _f;
        void _u;
        const n: MdlObj = { ...rest, state: 'locked', lockSite: { ...at, callee } };
        return this.step(this.setObj(w, n), at, 'lock', `'${o.name}' locked by ${callee}`, o.id);
      }
      case 'unlock': {
        // MmUnlockPages also releases a system mapping
        const n: MdlObj = { ...o, state: o.state === 'nonpaged' || o.state === 'partial' ? o.state : 'unlocked', unlockSite: at, mapped: false };
        return this.step(this.setObj(w, n), at, 'unlock', `'${o.name}' unlocked`, o.id);
      }
      case 'free':
        // IoFreeMdl does not check MDL_PAGES_LOCKED: a locked MDL's pages stay locked after the free
        if (o.state === 'locked') return this.setObj(w, { ...o, freedWhileLocked: at });
        return this.setObj(w, { ...o, state: 'freed', owned: false });
      case 'build-nonpaged':
      case 'partial-target': {
        // rebuilding a locked MDL does not release the page references the probe took
        // Rebuilding a locked MDL is itself a defect (mdl-lock-prebuilt, issue 4); its pages stay locked.
        if (o.state === 'locked') return w;
        return this.setObj(w, { ...o, state: op === 'build-nonpaged' ? 'nonpaged' : 'partial', builtAt: { ...at, callee } });
      }
      case 'unmap':
        return o.mapped ? this.setObj(w, { ...o, mapped: false }) : w;
      case 'init':
        // MmInitializeMdl over memory this function owns (a local buffer) makes an MDL it must release
        return this.setObj(w, { ...o, state: 'allocated', owned: o.owned || (o.origin.kind === 'memory' && !this.escapes(o.name)) });
      case 'use':
        return w;
    }
  }

  // ---- conditions ---------------------------------------------------------------------------

  /** The world restricted to executions where `cond` has truth value `truth`; null if none. */
  refine(w: World, cond: SyntaxNode, truth: boolean): World | null {
    const e = unparen(cond);
    if (e.type === 'unary_expression' && e.childForFieldName('operator')?.text === '!') {
      return this.refine(w, e.childForFieldName('argument')!, !truth);
    }
    if (e.type === 'assignment_expression') {
      const left = e.childForFieldName('left');
      return left ? this.refine(w, left, truth) : w;
    }
    if (e.type === 'comma_expression') {
      const right = e.childForFieldName('right');
      return right ? this.refine(w, right, truth) : w;
    }
    if (e.type === 'binary_expression') {
      const op = e.childForFieldName('operator')?.text ?? '';
      const left = e.childForFieldName('left')!;
      const right = e.childForFieldName('right')!;
      if (op === '&&' || op === '||') {
        // only reached for conditions used as values; be conservative
        if ((op === '&&') === truth) {
          const a = this.refine(w, left, truth);
          return a ? this.refine(a, right, truth) : null;
        }
        return w;
      }
      if (op === '&') {
        const flag = this.flagTest(w, left, right, truth);
        if (flag !== undefined) return flag;
        return this.decide(w, e, truth);
      }
      if (isCmp(op)) {
        const lc = this.constValue(left);
        const rc = this.constValue(right);
        if (rc !== undefined && lc === undefined) return this.refineCmp(w, left, op, rc, truth);
        if (lc !== undefined && rc === undefined) return this.refineCmp(w, right, V.flipOp(op), lc, truth);
        if (lc !== undefined && rc !== undefined) {
          const holds = V.canBe(V.constant(lc), op, rc, true);
          return holds === truth ? w : null;
        }
        return this.decide(w, e, truth);
      }
      return this.decide(w, e, truth);
    }
    if (e.type === 'call_expression') {
      const name = calleeName(e) ?? '';
      if (name === 'AbnormalTermination' || name === '_abnormal_termination') {
        const a = this.currentNode.abnormal;
        return a === undefined || a === truth ? w : null;
      }
      if (FLAG_MACROS.has(name)) {
        const fargs = e.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment') ?? [];
        if (fargs.length === 2) {
          const flag = this.flagTest(w, fargs[0]!, fargs[1]!, truth);
          if (flag !== undefined) return flag;
        }
        return this.decide(w, e, truth);
      }
      const range = ntRange(name);
      const arg = e.childForFieldName('arguments')?.namedChildren.find((a) => a.type !== 'comment');
      if (range && arg) {
        const target = unparen(arg).type === 'assignment_expression' ? unparen(arg).childForFieldName('left') : arg;
        const p = pathOf(target);
        if (p) {
          const cur = w.vals.get(p) ?? this.constRange(p) ?? V.TOP;
          const next = V.meet(cur, truth ? range : complement(range));
          if (next.length === 0) return null;
          return this.locals.has(baseOf(p)) || !this.constRange(p) ? this.setVal(w, p, next) : w;
        }
        const k = this.constValue(arg);
        if (k !== undefined) return (V.meet(V.constant(k), range).length > 0) === truth ? w : null;
      }
      return w;
    }
    const k = this.constValue(e);
    if (k !== undefined) return (k !== 0) === truth ? w : null;
    const p = pathOf(e);
    if (p) return this.refineCmp(w, e, '!=', 0, truth);
    return this.decide(w, e, truth);
  }

  /** Prune by the condition's value in this world when it is known (no side effects are re-run). */
  decide(w: World, e: SyntaxNode, truth: boolean): World | null {
    if (hasEffects(e)) return w;
    const rs = this.eval(w, e);
    if (rs.length !== 1) return w;
    const v = rs[0]!.v;
    if (!v) return w;
    const canTrue = V.canBe(v, '!=', 0, true);
    const canFalse = V.canBe(v, '==', 0, true);
    if (truth ? !canTrue : !canFalse) return null;
    return w;
  }

  /** `x->MdlFlags & MDL_PAGES_LOCKED` */
  flagTest(w: World, left: SyntaxNode, right: SyntaxNode, truth: boolean): World | null | undefined {
    const l = unparen(left);
    const r = unparen(right);
    const pick = (a: SyntaxNode, b: SyntaxNode) => {
      const p = pathOf(a);
      return p && lastField(p) === 'MdlFlags' && b.type === 'identifier' ? { mdlPath: parentPath(p)!, flag: b.text } : undefined;
    };
    const m = pick(l, r) ?? pick(r, l);
    if (!m || m.flag !== 'MDL_PAGES_LOCKED') return undefined;
    let w1 = w;
    let id = w1.pts.get(m.mdlPath);
    if (id === undefined) {
      const mm = this.materialize(w1, m.mdlPath);
      w1 = mm.w;
      id = mm.id;
    }
    const o = w1.objs.get(id)!;
    if (o.state === 'null') return null;
    if (o.state === 'unknown') {
      // MDL_PAGES_LOCKED set: it is locked. Clear on an MDL of unknown origin (a parameter, a helper's
      // result) proves less: it may be an MDL that is not ours to unlock, so it stays unknown.
      return truth ? this.setObj(w1, { ...o, state: 'locked' }) : w1;
    }
    const isLocked = o.state === 'locked' || o.state === 'pages';
    return isLocked === truth ? w1 : null;
  }

  refineCmp(w: World, subject: SyntaxNode, op: V.CmpOp, c: number, truth: boolean): World | null {
    const s = unparen(subject);
    if (s.type === 'assignment_expression') return this.refineCmp(w, s.childForFieldName('left')!, op, c, truth);
    if (s.type === 'call_expression') {
      const name = calleeName(s) ?? '';
      if (ntRange(name) && c === 0 && (op === '==' || op === '!=')) {
        // NT_SUCCESS(x) == FALSE
        return this.refine(w, s, (op === '!=') === truth);
      }
      return w;
    }
    if (s.type === 'binary_expression' && s.childForFieldName('operator')?.text === '&' && c === 0 && (op === '==' || op === '!=')) {
      const f = this.flagTest(w, s.childForFieldName('left')!, s.childForFieldName('right')!, (op === '!=') === truth);
      if (f !== undefined) return f;
    }
    const p = pathOf(s);
    if (!p) {
      // (state & REQ_STATE_PAGES_LOCKED) != 0: prune when the value is known in this world
      if (hasEffects(s)) return w;
      const rs = this.eval(w, s);
      const v = rs.length === 1 ? rs[0]!.v : undefined;
      if (v && !V.canBe(v, op, c, truth)) return null;
      return w;
    }
    const o = w.pts.get(p);
    if (o !== undefined && c === 0 && (op === '==' || op === '!=')) {
      const obj = w.objs.get(o);
      const isNull = obj?.state === 'null';
      const wantNull = (op === '==') === truth;
      if (!obj || obj.state === 'unknown') {
        // unknown pointer: on the NULL side it holds no MDL
        if (!wantNull) return w;
        if (!obj || obj.owned) return w;
        const pts = new Map(w.pts);
        if (!w.objs.has('#null')) w = this.setObj(w, { id: '#null', state: 'null', owned: false, name: 'NULL', origin: { kind: 'null' } });
        pts.set(p, '#null');
        return this.gc(this.with(w, { pts }), { line: 0, column: 0 });
      }
      return isNull === wantNull ? w : null;
    }
    if (o !== undefined) return w;
    const cur = w.vals.get(p) ?? this.constRange(p) ?? V.TOP;
    const next = V.meet(cur, V.constraint(truth ? op : V.negateOp(op), c));
    if (next.length === 0) return null;
    if (this.constRange(p) && !this.locals.has(baseOf(p))) return w;
    return this.setVal(w, p, next);
  }

  /** Value of a named constant: the file's own #defines and enumerators, then well-known WDK names. */
  constant(name: string): number | undefined {
    const own = this.fileConsts.get(name);
    if (own !== undefined) return own;
    return Object.prototype.hasOwnProperty.call(V.KNOWN_CONSTANTS, name) ? V.KNOWN_CONSTANTS[name] : undefined;
  }

  constRange(name: string): V.Val | undefined {
    const k = this.constant(name);
    if (k !== undefined) return V.constant(k);
    return V.unknownStatusRange(name);
  }

  /** Value of a constant expression (literals, known macros), or undefined. */
  constValue(e: SyntaxNode): number | undefined {
    const x = unparen(e);
    if (x.type === 'number_literal') return V.parseIntLiteral(x.text);
    if (x.type === 'true') return 1;
    if (x.type === 'false' || x.type === 'null') return 0;
    if (x.type === 'identifier' && !this.locals.has(x.text)) {
      const k = this.constant(x.text);
      if (k !== undefined) return k;
    }
    if (x.type === 'cast_expression') {
      const v = x.childForFieldName('value');
      return v ? this.constValue(v) : undefined;
    }
    if (x.type === 'unary_expression') {
      const op = x.childForFieldName('operator')?.text;
      const a = x.childForFieldName('argument');
      const v = a ? this.constValue(a) : undefined;
      if (v === undefined) return undefined;
      if (op === '-') return -v;
      if (op === '~') return ~v;
      if (op === '!') return v === 0 ? 1 : 0;
    }
    return undefined;
  }

  // ---- transfer -----------------------------------------------------------------------------

  /** Evaluate a node; returns the worlds after it (before edge refinement). */
  transfer(node: CfgNode, w: World): World[] {
    this.currentNode = node;
    switch (node.kind) {
      case 'entry':
      case 'join':
      case 'exit':
      case 'raise-exit':
        return [w];
      case 'havoc': {
        this.imprecise = true;
        const objs = new Map<string, MdlObj>();
        for (const o of w.objs.values()) objs.set(o.id, { ...o, state: o.state === 'null' ? 'null' : 'unknown', owned: false });
        return [this.with(w, { objs, vals: new Map(), imprecise: true })];
      }
      default: {
        if (!node.ast) return [w];
        let rs = this.eval(w, node.ast).map((r) => r.w);
        if (node.kind === 'return') {
          const site = { line: node.line, column: node.column };
          rs = rs.map((x) => this.step(this.with(x, { returnSite: site }), site, 'return', 'returns'));
        }
        return rs;
      }
    }
  }

  /** Worlds flowing along an edge from a node (given the node's input and output worlds). */
  along(node: CfgNode, edge: CfgEdge, input: World[], output: World[]): World[] {
    switch (edge.kind) {
      case 'exception': {
        const callee = edge.raiser ? calleeName(edge.raiser) ?? 'call' : 'call';
        const site = edge.raiser ? siteOf(edge.raiser) : { line: node.line, column: node.column };
        return input.map((w) => {
          let w1 = w;
          // a probe that raises leaves its MDL not locked
          if (edge.raiser) {
            const eff = ddiEffect(callee);
            const lockArg = eff?.mdl?.find((m) => m.op === 'lock');
            if (lockArg) {
              const args = edge.raiser.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment') ?? [];
              const p = pathOf(args[lockArg.arg]);
              let id = p ? w1.pts.get(p) : undefined;
              if (p && id === undefined && this.mdl.has(p)) {
                const mm = this.materialize(w1, p);
                w1 = mm.w;
                id = mm.id;
              }
              const o = id !== undefined ? w1.objs.get(id) : undefined;
              if (o && o.state !== 'null' && o.state !== 'locked') {
                const state: Typestate = o.state === 'unknown' ? 'unlocked' : o.state;
                w1 = this.setObj(w1, { ...o, state, failedProbe: { ...site, callee } });
              }
            }
          }
          return this.step(w1, site, 'exception', `${callee} raises an exception`);
        });
      }
      case 'true':
      case 'false': {
        const truth = edge.kind === 'true';
        const out: World[] = [];
        const ck = condKey(edge.cond!);
        for (const w of output) {
          let r = this.refine(w, edge.cond!, truth);
          if (r && ck) {
            // the same side-effect-free condition tested again (with nothing it reads assigned since) has the same value
            const known = r.vals.get(ck);
            if (known && V.singleton(known) === (truth ? 0 : 1)) r = null;
            else if (r) r = this.setVal(r, ck, V.constant(truth ? 1 : 0));
          }
          if (r) out.push(this.step(r, { line: node.line, column: node.column }, 'branch', () => describeCond(edge.cond!, truth, (p) => this.mdl.has(p))));
        }
        return out;
      }
      case 'case':
      case 'default': {
        const out: World[] = [];
        const site = { line: node.line, column: node.column };
        for (const w of output) {
          let r: World | null = w;
          if (edge.kind === 'case' && edge.caseValues?.[0]) {
            const c = this.constValue(edge.caseValues[0]);
            if (c !== undefined && edge.discriminant) r = this.refineCmp(w, edge.discriminant, '==', c, true);
            const value = edge.caseValues[0];
            if (r) r = this.step(r, site, 'branch', () => `case ${short(value.text, 40)}`);
          } else if (edge.kind === 'default') {
            for (const v of edge.caseValues ?? []) {
              const c = this.constValue(v);
              if (c !== undefined && edge.discriminant && r) r = this.refineCmp(r, edge.discriminant, '==', c, false);
            }
            if (r) r = this.step(r, site, 'branch', 'default case');
          }
          if (r) out.push(r);
        }
        return out;
      }
      case 'goto':
        return output.map((w) => this.step(w, { line: node.line, column: node.column }, 'goto', `goto ${edge.label ?? ''}`));
      default:
        return output;
    }
  }

  // ---- fixpoint -----------------------------------------------------------------------------

  joinWorld(a: World, b: World, widen: boolean): World {
    let vals: Map<string, V.Val> | undefined;
    for (const [p, va] of a.vals) {
      const vb = b.vals.get(p);
      const j = vb === undefined ? undefined : V.join(va, vb);
      if (j === undefined || V.isTop(j) || (widen && !V.equal(j, va))) {
        vals ??= new Map(a.vals);
        vals.delete(p);
      } else if (!V.equal(j, va)) {
        vals ??= new Map(a.vals);
        vals.set(p, j);
      }
    }
    const trace = b.trace && (!a.trace || b.trace.len < a.trace.len) ? b.trace : a.trace;
    if (!vals && trace === a.trace) return a;
    const r = this.with(a, { vals: vals ?? a.vals, trace });
    r.key = a.key;
    return r;
  }

  collapse(worlds: Map<string, World>): World {
    this.imprecise = true;
    const list = [...worlds.values()];
    const first = list[0]!;
    const pts = new Map<string, string>();
    for (const [p, o] of first.pts) if (list.every((w) => w.pts.get(p) === o)) pts.set(p, o);
    const objs = new Map<string, MdlObj>();
    const ids = new Set(list.flatMap((w) => [...w.objs.keys()]));
    for (const id of ids) {
      const versions = list.map((w) => w.objs.get(id));
      const f = versions.find((x) => x)!;
      const same = versions.every((x) => x && x.state === f.state && x.owned === f.owned);
      objs.set(id, same ? f : { ...f, state: 'unknown', owned: false });
    }
    let merged: World = { pts, objs, vals: new Map(), trace: first.trace, returnSite: first.returnSite, imprecise: true };
    for (const w of list) merged = this.joinWorld({ ...merged, key: undefined }, w, false);
    return { ...merged, key: undefined, imprecise: true };
  }

  run(): { states: Map<string, World>[]; reachable: Set<number> } {
    const nodes = this.cfg.nodes;
    const states: Map<string, World>[] = nodes.map(() => new Map());
    const visits = new Int32Array(nodes.length);
    const order = rpo(this.cfg);
    const queued = new Uint8Array(nodes.length);
    const heap = new MinHeap((a: number, b: number) => order[a]! - order[b]!);
    states[this.cfg.entry]!.set('', Analyzer.empty());
    heap.push(this.cfg.entry);
    queued[this.cfg.entry] = 1;
    let steps = 0;
    while (heap.size) {
      const id = heap.pop()!;
      queued[id] = 0;
      if (++steps > MAX_STEPS) throw new BudgetError();
      const node = nodes[id]!;
      const input = [...states[id]!.values()];
      if (input.length === 0) continue;
      const output = input.flatMap((w) => this.transfer(node, w));
      for (const edge of node.succs) {
        const flowing = this.along(node, edge, input, output);
        if (flowing.length === 0) continue;
        const target = states[edge.to]!;
        const widen = nodes[edge.to]!.loopHead === true && visits[edge.to]! > WIDEN_AFTER;
        let changed = false;
        for (const w of flowing) {
          const k = this.keyOf(w);
          const cur = target.get(k);
          if (!cur) {
            target.set(k, w);
            changed = true;
          } else {
            const j = this.joinWorld(cur, w, widen);
            if (j !== cur && !sameVals(j, cur)) {
              target.set(k, j);
              changed = true;
            } else if (j !== cur) target.set(k, j);
          }
        }
        if (target.size > MAX_WORLDS) {
          const c = this.collapse(target);
          target.clear();
          target.set(this.keyOf(c), c);
          changed = true;
        }
        if (changed) {
          visits[edge.to]!++;
          if (!queued[edge.to]) {
            queued[edge.to] = 1;
            heap.push(edge.to);
          }
        }
      }
    }
    const reachable = new Set<number>();
    states.forEach((s, i) => {
      if (s.size) reachable.add(i);
    });
    return { states, reachable };
  }

  /** Final pass: re-run each reachable node's transfer on its stable input and record observations. */
  record(states: Map<string, World>[]): void {
    this.recording = true;
    for (const node of this.cfg.nodes) {
      const input = [...states[node.id]!.values()];
      if (!input.length) continue;
      if (node.kind === 'exit') {
        for (const w of input) {
          for (const o of w.objs.values()) {
            // an MDL freed while locked leaks its pages whoever owned it: nobody can unlock it any more
            if (o.state === 'locked' && (o.owned || o.freedWhileLocked)) {
              const exit = w.returnSite ?? { line: node.line, column: node.column };
              this.observations.push({ kind: 'leak', obj: o, exit, explicitReturn: !!w.returnSite, trace: w.trace, imprecise: w.imprecise });
            }
          }
        }
        continue;
      }
      for (const w of input) this.transfer(node, w);
    }
    this.recording = false;
  }
}

class BudgetError extends Error {}

/**
 * Key under which a side-effect-free compound condition's value is remembered (`?Ctx->Flags&4`).
 * Plain variables are tracked as values already; constants need nothing.
 */
function condKey(cond: SyntaxNode): string | undefined {
  const e = unparen(cond);
  if (e.type === 'identifier' || e.type === 'number_literal' || e.type === 'field_expression') return undefined;
  if (hasEffects(e)) return undefined;
  const text = e.text.replace(/\s+/g, '');
  return text.length > 200 ? undefined : `?${text}`;
}

function condIdentifiers(key: string): string[] {
  return key.match(/[A-Za-z_$][A-Za-z0-9_$]*/g) ?? [];
}

function condReads(key: string, name: string): boolean {
  return condIdentifiers(key).includes(name);
}

/** WDK flag-test macros: FlagOn(F, SF) is ((F) & (SF)). */
const FLAG_MACROS = new Set(['FlagOn', 'BooleanFlagOn', 'TestFlag', 'FLAG_ON']);

/** Does evaluating this expression call or assign anything? */
function hasEffects(e: SyntaxNode): boolean {
  const stack = [e];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'call_expression' || n.type === 'assignment_expression' || n.type === 'update_expression') return true;
    for (let k = 0; k < n.namedChildCount; k++) stack.push(n.namedChild(k)!);
  }
  return false;
}

function sameVals(a: World, b: World): boolean {
  if (a.vals === b.vals) return true;
  if (a.vals.size !== b.vals.size) return false;
  for (const [p, v] of a.vals) {
    const w = b.vals.get(p);
    if (!w || !V.equal(v, w)) return false;
  }
  return true;
}

function isCmp(op: string): op is V.CmpOp {
  return op === '==' || op === '!=' || op === '<' || op === '<=' || op === '>' || op === '>=';
}

function arith(op: string, a: number, b: number): number | undefined {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return b === 0 ? undefined : Math.trunc(a / b);
    case '%':
      return b === 0 ? undefined : a % b;
    case '|':
      return a | b;
    case '&':
      return a & b;
    case '^':
      return a ^ b;
    case '<<':
      return a << b;
    case '>>':
      return a >> b;
    default:
      return undefined;
  }
}

function ntRange(name: string): V.Val | undefined {
  switch (name) {
    case 'NT_SUCCESS':
      return V.NT_SUCCESS_RANGE;
    case 'NT_ERROR':
      return V.NT_ERROR_RANGE;
    case 'NT_WARNING':
      return V.NT_WARNING_RANGE;
    case 'NT_INFORMATION':
      return V.NT_INFORMATION_RANGE;
    default:
      return undefined;
  }
}

function complement(v: V.Val): V.Val {
  const out: [number, number][] = [];
  let lo = -Infinity;
  for (const [a, b] of v) {
    if (a > lo) out.push([lo, a - 1]);
    lo = b + 1;
  }
  if (lo !== Infinity && lo !== Infinity + 1 && Number.isFinite(lo)) out.push([lo, Infinity]);
  return out;
}

/** "status failed", "mdl is NULL", "locked is FALSE", "x > 3 is true". */
export function describeCond(cond: SyntaxNode, truth: boolean, isPointer: (path: string) => boolean = () => false): string {
  const e = unparen(cond);
  if (e.type === 'call_expression') {
    const name = calleeName(e);
    const arg = e.childForFieldName('arguments')?.namedChildren[0];
    if (name === 'NT_SUCCESS' && arg) return `${short(arg.text, 40)} ${truth ? 'succeeded' : 'failed'}`;
  }
  if (e.type === 'binary_expression') {
    const op = e.childForFieldName('operator')?.text;
    const r = e.childForFieldName('right')?.text;
    const l = e.childForFieldName('left')?.text;
    if ((op === '==' || op === '!=') && (r === 'NULL' || r === 'nullptr' || (r === '0' && isPointer(l ?? ''))) && l) {
      const isNull = (op === '==') === truth;
      return `${short(l, 40)} is ${isNull ? 'NULL' : 'not NULL'}`;
    }
  }
  if (e.type === 'identifier' || e.type === 'field_expression') {
    const p = pathOf(e as SyntaxNode);
    if (p && isPointer(p)) return `${short(e.text, 40)} is ${truth ? 'not NULL' : 'NULL'}`;
    return `${short(e.text, 40)} is ${truth ? 'TRUE' : 'FALSE'}`;
  }
  return `${short(e.text, 50)} is ${truth ? 'true' : 'false'}`;
}

function rpo(cfg: Cfg): Int32Array {
  const order = new Int32Array(cfg.nodes.length).fill(cfg.nodes.length);
  const seen = new Uint8Array(cfg.nodes.length);
  const post: number[] = [];
  const stack: { id: number; i: number }[] = [{ id: cfg.entry, i: 0 }];
  seen[cfg.entry] = 1;
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const succs = cfg.nodes[top.id]!.succs;
    if (top.i < succs.length) {
      const to = succs[top.i++]!.to;
      if (!seen[to]) {
        seen[to] = 1;
        stack.push({ id: to, i: 0 });
      }
    } else {
      post.push(top.id);
      stack.pop();
    }
  }
  for (let k = 0; k < post.length; k++) order[post[post.length - 1 - k]!] = k;
  return order;
}

class MinHeap {
  private a: number[] = [];
  constructor(private readonly less: (x: number, y: number) => number) {}
  get size(): number {
    return this.a.length;
  }
  push(x: number): void {
    const a = this.a;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.less(a[i]!, a[p]!) >= 0) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): number | undefined {
    const a = this.a;
    if (!a.length) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (a.length) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l]!, a[m]!) < 0) m = l;
        if (r < a.length && this.less(a[r]!, a[m]!) < 0) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

/** Build the CFG of a function and run the MDL analysis on it. */
export function analyzeFunction(file: SourceFile, fn: FunctionInfo): FunctionAnalysis {
  const node = toLite(fn.node, file.parsedText);
  const body = node.childForFieldName('body') ?? node;
  const cfg = buildCfg({ ...fn, node, body }, { raises });
  const result: FunctionAnalysis = { fn, cfg, observations: [], reachable: new Set(), imprecise: false };
  if (cfg.truncated) {
    result.skipped = 'control-flow graph over budget';
    return result;
  }
  const a = new Analyzer(cfg, file);
  try {
    const { states, reachable } = a.run();
    result.reachable = reachable;
    if (cfg.hasErrors) {
      result.skipped = 'function body has parse errors';
      return result;
    }
    a.record(states);
    result.observations = a.observations;
    result.imprecise = a.imprecise;
  } catch (e) {
    if (!(e instanceof BudgetError)) throw e;
    result.skipped = 'analysis step budget exceeded';
    // reachability is still useful for structural rules: approximate with graph reachability
    result.reachable = graphReachable(cfg);
  }
  return result;
}

export function graphReachable(cfg: Cfg): Set<number> {
  const seen = new Set<number>([cfg.entry]);
  const stack = [cfg.entry];
  while (stack.length) {
    const id = stack.pop()!;
    for (const e of cfg.nodes[id]!.succs) {
      if (!seen.has(e.to)) {
        seen.add(e.to);
        stack.push(e.to);
      }
    }
  }
  return seen;
}

/** Explanation steps from a trace, oldest first, starting at the first step about `objId` (if any). */
export function traceSteps(trace: Trace | null, objId?: string): Step[] {
  const steps: Step[] = [];
  for (let t = trace; t; t = t.prev) steps.push(t.step);
  steps.reverse();
  if (objId) {
    // start at the last time the object was locked (or allocated), so the path explains this instance
    let start = -1;
    for (let k = steps.length - 1; k >= 0; k--) {
      const s = steps[k]!;
      if (s.obj === objId && (s.kind === 'lock' || s.kind === 'alloc')) {
        start = k;
        if (s.kind === 'lock') break;
      }
    }
    if (start > 0) return steps.slice(start);
  }
  return steps;
}
