/**
 * The IRQL at every call, across functions (issue 5).
 *
 * Per function, a forward dataflow over the CFG computes, for every IRQL the function could be entered
 * at (0..31), the set of IRQLs possible at each call: a relational state, so one analysis serves every
 * caller. The IRQL changes come from the contract table (`src/ddi/irql-contracts.json`: raises, lowers,
 * spin locks, fast mutexes, queued locks...), with the saved old IRQL followed through the variable or
 * lock handle it is saved in, and from the exit IRQLs of the functions of the linted files (their own
 * analysis). Unknown external functions leave the IRQL unchanged.
 *
 * What a function may be entered at comes from its contexts: its SAL annotation (`_IRQL_requires_`,
 * `_max_`, `_min_`, `__drv_maxIRQL`...), on the definition or a prior declaration; its role type
 * (`KDEFERRED_ROUTINE MyDpc;`, `MajorFunction[...] = X`); a registration (`KeInitializeDpc(&d, MyDpc, c)`);
 * and, for a function without any of these, each call site in the linted files, with the IRQLs
 * possible there (so a helper called from a DPC is checked at DISPATCH_LEVEL). A function with no
 * context at all is assumed to run at PASSIVE_LEVEL..DISPATCH_LEVEL.
 *
 * A call is a finding only when every IRQL possible there, in one context, is outside the callee's
 * range: the rules never guess.
 */
import type { AstNode as SyntaxNode } from '../parse/lite.js';
import { buildCfg, calleeName, type Cfg } from '../cfg/cfg.js';
import { declName, stripCasts } from './mdl-analysis.js';
import { raises } from '../ddi/table.js';
import { toLite } from '../parse/lite.js';
import type { FunctionInfo, SourceFile } from '../parse/parser.js';
import {
  allRegistrationNames,
  allRoleNames,
  contractBounds,
  effectsOf,
  irqlContract,
  irqlLevelByName,
  irqlLevelName,
  registration,
  roleIrql,
  type IrqlCondition,
  type IrqlContract,
  type IrqlEffect,
  type IrqlSlot,
} from '../ddi/irql.js';
import { IRQL_WORDS, type Project, type ProjectFunction } from './project.js';

const REGISTRATION_WORDS = new RegExp(`\\b(?:${allRegistrationNames().join('|')})\\s*\\(`);

/** Bit i set: IRQL i possible. */
export type Mask = number;
const ALL_LEVELS = 32;
/** Parentheses and casts stripped (the analysis's `stripCasts`). */
const unparen = stripCasts;
const calleeOf = calleeName;
/**
 * The entry levels the relational state is kept for: PASSIVE, APC, DISPATCH, one for the device levels
 * (3..26) and one for the levels above them. Contracts and changes never tell two device levels apart.
 */
const ENTRY_LEVELS: readonly Mask[] = [1, 2, 4, ((1 << 27) - 8) >>> 0, 0xf8000000];
const NE = ENTRY_LEVELS.length;
/** Indices of the entry levels a mask of IRQLs covers. */
function entriesOf(m: Mask): number[] {
  const out: number[] = [];
  for (let k = 0; k < NE; k++) if ((m & ENTRY_LEVELS[k]!) !== 0) out.push(k);
  return out;
}
const bit = (l: number): Mask => (l >= 0 && l < 32 ? (1 << l) >>> 0 : 0);
/** IRQLs lo..hi as a mask. */
export const levelRange = (lo: number, hi: number): Mask => {
  let m = 0;
  for (let l = Math.max(0, lo); l <= Math.min(31, hi); l++) m = (m | bit(l)) >>> 0;
  return m;
};
export const DEFAULT_ENTRY: Mask = levelRange(0, 2);

/** Levels of a mask, in order. */
export function levelsOf(m: Mask): number[] {
  const out: number[] = [];
  for (let l = 0; l < ALL_LEVELS; l++) if (m & bit(l)) out.push(l);
  return out;
}

/** "DISPATCH_LEVEL", "PASSIVE_LEVEL or APC_LEVEL", "DIRQL (3..26)". */
export function describeMask(m: Mask): string {
  const ls = levelsOf(m);
  const dirql = ls.filter((l) => l >= 3 && l <= 26);
  const parts: string[] = [];
  for (const l of ls) if (l < 3 || l > 26) parts.push(irqlLevelName(l));
  if (dirql.length) parts.splice(ls.filter((l) => l < 3).length, 0, dirql.length === 24 ? 'DIRQL (3..26)' : dirql.length === 1 ? irqlLevelName(dirql[0]!) : `DIRQL (${dirql[0]}..${dirql[dirql.length - 1]})`);
  if (parts.length <= 1) return parts[0] ?? 'no IRQL';
  return `${parts.slice(0, -1).join(', ')} or ${parts[parts.length - 1]}`;
}

/** Where the IRQL was last changed (for the explanation). */
export interface Why {
  line: number;
  text: string;
}

interface State {
  /** Simple flags (`locked = TRUE`) known to hold a constant here: keeps a lock's release paired with its flag. */
  flags: Map<string, number>;
  /** m[k]: IRQLs possible here when the function was entered at entry level k (ENTRY_LEVELS). */
  m: Mask[];
  /** Saved old IRQLs: variable or lock-handle path -> per entry level. */
  saved: Map<string, Mask[]>;
  why: (Why | null)[];
}

/** A call whose IRQL range is known (a DDI of the table). */
export interface IrqlCallObservation {
  callee: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** IRQLs at which the call is allowed (every reading of its conditions that may hold). */
  allowed: Mask;
  min: number;
  max: number;
  /** Where the range comes from (the DDI table, or the callee's annotation / role). */
  contractFrom: string;
  /** IRQLs possible at the call, per entry level. */
  m: Mask[];
  why: (Why | null)[];
}

export interface FunctionIrql {
  fn: FunctionInfo;
  file: SourceFile;
  calls: IrqlCallObservation[];
  /** Calls of functions of the linted files, by position, with the callee (its key) and the IRQLs possible there per entry level. */
  callSites: Map<string, { target: string; line: number; m: Mask[]; why: (Why | null)[] }>;
  /** IRQLs possible at the function's normal exit, per entry level (0 for an entry level that never returns). */
  exit: Mask[];
}

/** One way a function is entered: the IRQLs and why. */
export interface IrqlContext {
  entry: Mask;
  /** "MyDpc is a KDEFERRED_ROUTINE (called at DISPATCH_LEVEL)", "DpcHelper is called by MyDpc (...) at dpc.c:40". */
  because: string;
  /** The context is the default assumption (no annotation, role, registration or caller). */
  assumed?: boolean;
}

/** `&x`, `x`, `&ctx->Lock`: the path of the object designated (text without spaces), or undefined. */
function slotPath(n: SyntaxNode | undefined): string | undefined {
  if (!n) return undefined;
  let e = unparen(n);
  if (e.type === 'pointer_expression' && e.text.trimStart().startsWith('&')) e = unparen(e.childForFieldName('argument') ?? e);
  if (e.type === 'identifier' || e.type === 'field_expression' || e.type === 'subscript_expression') return e.text.replace(/\s+/g, '');
  return undefined;
}

function argsOf(call: SyntaxNode): SyntaxNode[] {
  return call.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment') ?? [];
}

/** An assignment (`x = v`) or an initialized declaration (`T x = v`): the variable and the value, else undefined. */
function assignmentOf(n: SyntaxNode): { target: string | undefined; value: SyntaxNode } | undefined {
  if (n.type !== 'assignment_expression' && n.type !== 'init_declarator') return undefined;
  const value = n.childForFieldName(n.type === 'assignment_expression' ? 'right' : 'value');
  if (!value) return undefined;
  const target = n.type === 'assignment_expression' ? slotPath(n.childForFieldName('left') ?? undefined) : declName(n.childForFieldName('declarator'));
  return { target, value };
}

/** Every node of a subtree, in source order. */
function* nodesOf(root: SyntaxNode): Generator<SyntaxNode> {
  const stack: SyntaxNode[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    yield n;
    for (let k = n.namedChildCount - 1; k >= 0; k--) stack.push(n.namedChild(k)!);
  }
}

/** The variable a call's result is stored in (`old = KeRaiseIrqlToDpcLevel();`, `KIRQL old = ...;`), found in its statement. */
function resultTarget(call: SyntaxNode, stmt: SyntaxNode | undefined): string | undefined {
  if (!stmt) return undefined;
  for (const n of nodesOf(stmt)) {
    const a = assignmentOf(n);
    if (!a) continue;
    const v = unparen(a.value);
    if (v.startIndex === call.startIndex && v.type === 'call_expression') return a.target;
  }
  return undefined;
}

/** A level written as a constant: `DISPATCH_LEVEL`, `2`, `HIGH_LEVEL`. */
function constLevel(n: SyntaxNode | undefined): number | undefined {
  if (!n) return undefined;
  const e = unparen(n);
  if (e.type === 'number_literal') {
    const v = Number.parseInt(e.text, e.text.startsWith('0x') || e.text.startsWith('0X') ? 16 : 10);
    return Number.isFinite(v) && v >= 0 && v <= 31 ? v : undefined;
  }
  if (e.type === 'identifier') return irqlLevelByName(e.text);
  return undefined;
}

const PAGED = /\bPagedPool\w*|\bPOOL_FLAG_PAGED\b|\bPagedPoolCacheAligned\b/;
const NONPAGED = /\bNonPagedPool\w*|\bPOOL_FLAG_NON_PAGED\w*/;

/**
 * Whether a condition holds for the call as written: true, false, or undefined (not known here).
 * `zeroTimeouts`: variables the function sets to a zero LARGE_INTEGER (`t.QuadPart = 0`).
 */
function testCondition(cond: IrqlCondition, args: SyntaxNode[], zeroTimeouts: ReadonlySet<string>, otherTimeouts: ReadonlySet<string>): boolean | undefined {
  const a = args[cond.arg];
  if (!a) return undefined;
  const e = unparen(a);
  const t = e.text.replace(/\s+/g, '');
  if (cond.in) return cond.in.includes(t) ? true : e.type === 'identifier' && /^[A-Z][A-Za-z0-9_]*$/.test(t) ? false : undefined;
  const isNull = t === 'NULL' || t === '0' || t === 'nullptr';
  switch (cond.is) {
    case 'null':
      return isNull ? true : e.type === 'pointer_expression' ? false : undefined;
    case 'non-null':
      return isNull ? false : e.type === 'pointer_expression' ? true : undefined;
    case 'true':
      return /^(TRUE|true|1)$/.test(t) ? true : /^(FALSE|false|0)$/.test(t) ? false : undefined;
    case 'false':
      return /^(FALSE|false|0)$/.test(t) ? true : /^(TRUE|true|1)$/.test(t) ? false : undefined;
    case 'paged-pool':
      return PAGED.test(t) ? true : NONPAGED.test(t) ? false : undefined;
    case 'nonpaged-pool':
      return NONPAGED.test(t) ? true : PAGED.test(t) ? false : undefined;
    case 'user-mode':
      return t === 'UserMode' ? true : t === 'KernelMode' ? false : undefined;
    case 'kernel-mode':
      return t === 'KernelMode' ? true : t === 'UserMode' ? false : undefined;
    case 'zero-timeout': {
      if (isNull) return false;
      const p = slotPath(a);
      if (!p) return undefined;
      if (zeroTimeouts.has(p) && !otherTimeouts.has(p)) return true;
      if (otherTimeouts.has(p) && !zeroTimeouts.has(p)) return false;
      return undefined;
    }
    default:
      return undefined;
  }
}

/** The IRQLs a call is allowed at: every reading of its conditions that may hold. */
function allowedMask(c: IrqlContract, args: SyntaxNode[], zero: ReadonlySet<string>, other: ReadonlySet<string>, pageable: ReadonlySet<string>): { allowed: Mask; min: number; max: number } {
  const known = contractBounds(c, (cond) => testCondition(cond, args, zero, other));
  // MmProbeAndLockPages of an MDL over a user-mode (pageable) buffer: APC_LEVEL at most
  if (c.pageableBufferOfMdlArg !== undefined && c.maxIfPageable !== undefined) {
    const mdl = slotPath(args[c.pageableBufferOfMdlArg]);
    if (mdl && pageable.has(mdl)) known.max = Math.min(known.max, c.maxIfPageable);
  }
  let allowed = levelRange(known.min, known.max);
  let { min, max } = known;
  // a condition not known here may hold: its range is allowed too
  for (const w of c.when ?? []) {
    if (testCondition(w, args, zero, other) === undefined) {
      const lo = w.min ?? c.min ?? 0;
      const hi = w.max ?? c.max ?? 31;
      allowed = (allowed | levelRange(lo, hi)) >>> 0;
      min = Math.min(min, lo);
      max = Math.max(max, hi);
    }
  }
  return { allowed, min, max };
}

/** A caller-supplied user-mode address: pageable memory. */
const USER_BUFFER = /\bUserBuffer\b|\bType3InputBuffer\b/;

/** MDLs of the function built over a user-mode buffer (`m = IoAllocateMdl(Irp->UserBuffer, ...)`): their pages are pageable. */
function pageableMdls(body: SyntaxNode): Set<string> {
  const out = new Set<string>();
  for (const n of nodesOf(body)) {
    const a = assignmentOf(n);
    const call = a ? unparen(a.value) : undefined;
    if (a?.target && call?.type === 'call_expression' && calleeOf(call) === 'IoAllocateMdl' && USER_BUFFER.test(argsOf(call)[0]?.text ?? '')) out.add(a.target);
  }
  return out;
}

/** `X.QuadPart = 0` / `X.QuadPart = <other>` assignments of the function. */
function timeoutAssignments(body: SyntaxNode): { zero: Set<string>; other: Set<string> } {
  const zero = new Set<string>();
  const other = new Set<string>();
  const stack: SyntaxNode[] = [body];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'assignment_expression') {
      const l = n.childForFieldName('left');
      const r = n.childForFieldName('right');
      if (l?.type === 'field_expression' && l.childForFieldName('field')?.text === 'QuadPart') {
        const base = slotPath(l.childForFieldName('argument') ?? undefined);
        if (base) (r && /^0+[LlUu]*$/.test(unparen(r).text) ? zero : other).add(base);
      }
    }
    for (let k = n.namedChildCount - 1; k >= 0; k--) stack.push(n.namedChild(k)!);
  }
  return { zero, other };
}

const CURRENT_IRQL = new Set(['KeGetCurrentIrql', 'NDIS_CURRENT_IRQL', 'KeGetCurrentIrqlSafe']);

/** `KeGetCurrentIrql() <= APC_LEVEL` (either side): the comparison, with the IRQL read on the left. */
function irqlTest(n: SyntaxNode): { op: string; level: number } | undefined {
  if (n.type !== 'binary_expression') return undefined;
  const op = n.childForFieldName('operator')?.text ?? n.text.slice(n.childForFieldName('left')!.endIndex - n.startIndex, n.childForFieldName('right')!.startIndex - n.startIndex).trim();
  const l = unparen(n.childForFieldName('left')!);
  const r = unparen(n.childForFieldName('right')!);
  const reads = (x: SyntaxNode) => x.type === 'call_expression' && CURRENT_IRQL.has(calleeOf(x) ?? '');
  const flip: Record<string, string> = { '<': '>', '>': '<', '<=': '>=', '>=': '<=', '==': '==', '!=': '!=' };
  if (reads(l)) {
    const lv = constLevel(r);
    return lv === undefined || !(op in flip) ? undefined : { op, level: lv };
  }
  if (reads(r)) {
    const lv = constLevel(l);
    return lv === undefined || !(op in flip) ? undefined : { op: flip[op]!, level: lv };
  }
  return undefined;
}

/** Keep, per entry level, the IRQLs for which the branch condition has this truth value. */
function refine(s: State, cond: SyntaxNode, truth: boolean): void {
  const c = unparen(cond);
  if (c.type === 'unary_expression' && c.text.trimStart().startsWith('!')) {
    const a = c.childForFieldName('argument');
    if (a) refine(s, a, !truth);
    return;
  }
  if (c.type === 'binary_expression') {
    const op = c.childForFieldName('operator')?.text;
    const l = c.childForFieldName('left');
    const r = c.childForFieldName('right');
    if ((op === '&&' && truth) || (op === '||' && !truth)) {
      if (l) refine(s, l, truth);
      if (r) refine(s, r, truth);
      return;
    }
    const t = irqlTest(c);
    if (!t) return;
    let keep = 0;
    for (let l2 = 0; l2 < ALL_LEVELS; l2++) {
      const v = t.op === '<' ? l2 < t.level : t.op === '<=' ? l2 <= t.level : t.op === '>' ? l2 > t.level : t.op === '>=' ? l2 >= t.level : t.op === '==' ? l2 === t.level : l2 !== t.level;
      if (v === truth) keep = (keep | bit(l2)) >>> 0;
    }
    for (let e = 0; e < NE; e++) s.m[e] = (s.m[e]! & keep) >>> 0;
  }
}

const fresh = (): State => ({ flags: new Map(), m: [...ENTRY_LEVELS], saved: new Map(), why: new Array<Why | null>(NE).fill(null) });
const copy = (s: State): State => ({ flags: new Map(s.flags), m: [...s.m], saved: new Map([...s.saved].map(([k, v]) => [k, [...v]])), why: [...s.why] });

const FLAG_CONST: Record<string, number> = { TRUE: 1, FALSE: 0, true: 1, false: 0, '0': 0, '1': 1, STATUS_SUCCESS: 0 };
/** Error statuses (NT_SUCCESS false), kept as the flag value 2. */
const ERROR_STATUS = /^STATUS_(UNSUCCESSFUL|INSUFFICIENT_RESOURCES|INVALID_PARAMETER|BUFFER_TOO_SMALL|ACCESS_VIOLATION|NOT_SUPPORTED|INVALID_DEVICE_REQUEST|CANCELLED|NO_MEMORY|DEVICE_NOT_READY|INVALID_DEVICE_STATE|NOT_FOUND|ACCESS_DENIED|INVALID_USER_BUFFER|DATA_ERROR|IO_DEVICE_ERROR)$/;
const flagValue = (t: string): number | undefined => FLAG_CONST[t] ?? (ERROR_STATUS.test(t) ? 2 : undefined);

/** `x = TRUE;`, `BOOLEAN x = FALSE;`, `x = other;` in a statement: the flags it sets (undefined: no longer known). */
function flagWrites(stmt: SyntaxNode | undefined, out: Map<string, number | undefined>): void {
  if (!stmt || stmt.type === 'compound_statement' || /_statement$/.test(stmt.type) && stmt.type !== 'expression_statement') return;
  const stack: SyntaxNode[] = [stmt];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'assignment_expression') {
      const l = n.childForFieldName('left');
      const r = n.childForFieldName('right');
      if (l?.type === 'identifier') out.set(l.text, r ? flagValue(unparen(r).text) : undefined);
    } else if (n.type === 'init_declarator') {
      const d = n.childForFieldName('declarator');
      const v = n.childForFieldName('value');
      if (d?.type === 'identifier') out.set(d.text, v ? flagValue(unparen(v).text) : undefined);
    } else if (n.type === 'update_expression' || n.type === 'pointer_expression') {
      const a = n.childForFieldName('argument');
      if (a?.type === 'identifier') out.set(a.text, undefined);
    }
    for (let k = n.namedChildCount - 1; k >= 0; k--) stack.push(n.namedChild(k)!);
  }
}

/** A branch on a flag (`if (locked)`, `if (!locked)`, `locked == TRUE`): false when the flag's known value rules it out; records the value otherwise. */
function refineFlag(s: State, cond: SyntaxNode, truth: boolean): boolean {
  const c = unparen(cond);
  if (c.type === 'unary_expression' && c.text.trimStart().startsWith('!')) {
    const a = c.childForFieldName('argument');
    return a ? refineFlag(s, a, !truth) : true;
  }
  if (c.type === 'binary_expression') {
    const op = c.childForFieldName('operator')?.text;
    const l = c.childForFieldName('left');
    const r = c.childForFieldName('right');
    if ((op === '&&' && truth) || (op === '||' && !truth)) return (l ? refineFlag(s, l, truth) : true) && (r ? refineFlag(s, r, truth) : true);
    if ((op === '==' || op === '!=') && l?.type === 'identifier' && r && FLAG_CONST[unparen(r).text] !== undefined) {
      const k = FLAG_CONST[unparen(r).text]!;
      const isOne = op === '==' ? (k === 1) === truth : (k === 1) !== truth;
      return refineFlag(s, l, isOne);
    }
    return true;
  }
  if (c.type === 'call_expression' && /^NT_SUCCESS$/.test(calleeOf(c) ?? '')) {
    // NT_SUCCESS(status) with the status known to be STATUS_SUCCESS or an error
    const a = argsOf(c)[0];
    const x = a ? unparen(a) : undefined;
    if (x?.type !== 'identifier') return true;
    const v = s.flags.get(x.text);
    if (v !== undefined && (v === 0) !== truth) return false;
    if (v === undefined) s.flags.set(x.text, truth ? 0 : 2);
    return true;
  }
  if (c.type === 'identifier') {
    const v = s.flags.get(c.text);
    if (v !== undefined && (v !== 0) !== truth) return false;
    s.flags.set(c.text, truth ? 1 : 0);
  }
  return true;
}

function join(a: State, b: State): { s: State; changed: boolean } {
  let changed = false;
  const s = copy(a);
  for (const [k, v] of s.flags) {
    if (b.flags.get(k) !== v) {
      s.flags.delete(k);
      changed = true;
    }
  }
  for (let e = 0; e < NE; e++) {
    const u = (s.m[e]! | b.m[e]!) >>> 0;
    if (u !== s.m[e]) {
      s.m[e] = u;
      changed = true;
      if (!s.why[e]) s.why[e] = b.why[e]!;
    }
  }
  for (const [k, v] of b.saved) {
    const cur = s.saved.get(k);
    if (!cur) {
      s.saved.set(k, [...v]);
      changed = true;
    } else {
      for (let e = 0; e < NE; e++) {
        const u = (cur[e]! | v[e]!) >>> 0;
        if (u !== cur[e]) {
          cur[e] = u;
          changed = true;
        }
      }
    }
  }
  return { s, changed };
}

/** The IRQL engine of one run: analyses and contexts per function, computed once, on demand. */
export class IrqlEngine {
  private readonly analyses = new Map<string, FunctionIrql | null>();
  private readonly contextCache = new Map<string, IrqlContext[]>();
  private readonly inProgress = new Set<string>();
  private readonly ctxInProgress = new Set<string>();
  private annotationIndex: Map<string, { text: string; path: string; line: number }[]> | undefined;
  private roleIndex: Map<string, { role: string; path: string; line: number }[]> | undefined;
  private registrationIndex: Map<string, { via: string; path: string; line: number; min: number; max: number; role?: string }> | undefined;

  constructor(private readonly project: Project) {}

  // ---- per-function analysis ----------------------------------------------------------------

  analysisOf(file: SourceFile, fn: FunctionInfo): FunctionIrql | undefined {
    const key = `${file.path}#${fn.name}#${fn.line}`;
    if (this.analyses.has(key)) return this.analyses.get(key) ?? undefined;
    if (this.inProgress.has(key)) return undefined; // recursion: the callee's effect is unknown (unchanged)
    this.inProgress.add(key);
    let r: FunctionIrql | null = null;
    try {
      r = this.analyze(file, fn);
    } finally {
      this.inProgress.delete(key);
    }
    this.analyses.set(key, r);
    return r ?? undefined;
  }

  private analyze(file: SourceFile, fn: FunctionInfo): FunctionIrql | null {
    // a function that names no routine with an IRQL contract and calls no function of the linted files
    // neither changes the IRQL nor makes a call to check: no CFG needed
    const text = file.parsedText.slice(fn.bodyStart, fn.bodyEnd);
    if (!IRQL_WORDS.test(text) && !this.project.callsDefinedFunction(file, text)) {
      return { fn, file, calls: [], callSites: new Map(), exit: [...ENTRY_LEVELS] };
    }
    const node = toLite(fn.node, file.parsedText);
    const body = node.childForFieldName('body') ?? node;
    const cfg: Cfg = buildCfg({ ...fn, node, body }, { raises: (name: string) => raises(name) || this.project.mayRaise(file, name) });
    if (cfg.truncated) return null;
    const { zero, other } = timeoutAssignments(body);
    const pageable = /\bIoAllocateMdl\b/.test(text) ? pageableMdls(body) : new Set<string>();
    const states: (State | undefined)[] = cfg.nodes.map(() => undefined);
    states[cfg.entry] = fresh();
    const work = [cfg.entry];
    const queued = new Uint8Array(cfg.nodes.length);
    queued[cfg.entry] = 1;
    const calls = new Map<string, IrqlCallObservation>();
    const callSites = new Map<string, { target: string; line: number; m: Mask[]; why: (Why | null)[] }>();
    let steps = 0;
    while (work.length) {
      if (++steps > 200_000) return null;
      const id = work.shift()!;
      queued[id] = 0;
      const n = cfg.nodes[id]!;
      const s = copy(states[id]!);
      for (const call of n.calls) this.transferCall(file, call, n.ast, s, zero, other, pageable, calls, callSites);
      if (n.kind === 'stmt' && n.ast) {
        const w = new Map<string, number | undefined>();
        flagWrites(n.ast, w);
        for (const [k, v] of w) {
          if (v === undefined) s.flags.delete(k);
          else s.flags.set(k, v);
        }
      }
      for (const edge of n.succs) {
        let out = s;
        if (edge.cond && (edge.kind === 'true' || edge.kind === 'false')) {
          out = copy(s);
          refine(out, edge.cond, edge.kind === 'true');
          if (out.m.every((x) => x === 0)) continue; // this branch is never taken at any reachable IRQL
          if (!refineFlag(out, edge.cond, edge.kind === 'true')) continue; // the flag's value rules it out
        }
        const cur = states[edge.to];
        if (!cur) {
          states[edge.to] = copy(out);
          work.push(edge.to);
          queued[edge.to] = 1;
        } else {
          const j = join(cur, out);
          if (j.changed) {
            states[edge.to] = j.s;
            if (!queued[edge.to]) {
              work.push(edge.to);
              queued[edge.to] = 1;
            }
          }
        }
      }
    }
    const exitState = states[cfg.exit];
    const exit = exitState ? exitState.m : new Array<Mask>(NE).fill(0);
    return { fn, file, calls: [...calls.values()], callSites, exit };
  }

  private transferCall(
    file: SourceFile,
    call: SyntaxNode,
    stmt: SyntaxNode | undefined,
    s: State,
    zero: ReadonlySet<string>,
    other: ReadonlySet<string>,
    pageable: ReadonlySet<string>,
    calls: Map<string, IrqlCallObservation>,
    callSites: Map<string, { target: string; line: number; m: Mask[]; why: (Why | null)[] }>,
  ): void {
    const name = calleeOf(call);
    if (!name) return;
    const args = argsOf(call);
    const line = call.startPosition.row + 1;
    const column = call.startPosition.column + 1;
    const pos = `${line}:${column}`;
    const ddi = irqlContract(name);
    const target = ddi ? undefined : this.project.resolve(file, name);
    // the contract of the call: the DDI table's, or the annotation / role of a function of the linted files
    // (a function of the linted files is not checked at its call: its own body is, in this caller's context)
    const contract: { c: IrqlContract; from: string } | undefined = ddi ? { c: ddi, from: 'the DDI table' } : undefined;
    if (contract) {
      const { allowed, min, max } = allowedMask(contract.c, args, zero, other, pageable);
      const prev = calls.get(pos);
      if (prev) {
        for (let e = 0; e < NE; e++) {
          prev.m[e] = (prev.m[e]! | s.m[e]!) >>> 0;
          prev.why[e] ??= s.why[e]!;
        }
      } else {
        const end = call.endPosition;
        calls.set(pos, { callee: name, line, column, endLine: end.row + 1, endColumn: end.column + 1, allowed, min, max, contractFrom: contract.from, m: [...s.m], why: [...s.why] });
      }
    }
    // `obj->Method()` / `obj.Method()` of another object: a C++ member found by its unqualified name
    // may be another class's; it neither gives the callee a context nor changes the IRQL here
    const f = call.childForFieldName('function');
    const viaOtherObject = f?.type === 'field_expression' && !/^\(?\*?this\)?$/.test((f.childForFieldName('argument')?.text ?? '').replace(/\s+/g, ''));
    if (target?.fn && target.file && !(viaOtherObject && target.name.includes('::'))) {
      const prev = callSites.get(pos);
      if (prev) for (let e = 0; e < NE; e++) prev.m[e] = (prev.m[e]! | s.m[e]!) >>> 0;
      else callSites.set(pos, { target: target.key, line, m: [...s.m], why: [...s.why] });
      // the callee's exit IRQL for each IRQL it is entered at
      const callee = this.analysisOf(target.file, target.fn);
      if (callee) {
        for (let e = 0; e < NE; e++) {
          let out = 0;
          for (const k of entriesOf(s.m[e]!)) out = (out | (callee.exit[k] || (s.m[e]! & ENTRY_LEVELS[k]!))) >>> 0;
          if (out !== s.m[e]) s.why[e] = { line, text: `${name} returns at ${describeMask(out)}` };
          s.m[e] = out;
        }
      }
      return;
    }
    for (const eff of effectsOf(ddi)) this.applyEffect(eff, name, call, stmt, args, s, line);
  }

  private savedKey(slot: IrqlSlot | undefined, call: SyntaxNode, stmt: SyntaxNode | undefined, args: SyntaxNode[], lockArg?: number, handleArg?: number): string | undefined {
    if (!slot) return undefined;
    if (slot === 'return') return resultTarget(call, stmt);
    if ('arg' in slot) return slotPath(args[slot.arg]);
    // saved in the lock object (fast mutex) or in the per-acquisition handle (in-stack queued lock)
    const p = slotPath(args[handleArg ?? lockArg ?? -1]);
    return p ? `lock:${p}` : undefined;
  }

  private applyEffect(eff: IrqlEffect, name: string, call: SyntaxNode, stmt: SyntaxNode | undefined, args: SyntaxNode[], s: State, line: number): void {
    const set = (to: (e: number, cur: Mask) => Mask, text: string) => {
      for (let e = 0; e < NE; e++) {
        if (!s.m[e]) continue;
        const n = to(e, s.m[e]!);
        if (n !== s.m[e]) s.why[e] = { line, text: text.endsWith(' it') ? `${text} to ${describeMask(n)}` : text };
        s.m[e] = n;
      }
    };
    const save = (key: string | undefined) => {
      if (key) s.saved.set(key, [...s.m]);
    };
    const restore = (key: string | undefined, what: string) => {
      const v = key ? s.saved.get(key) : undefined;
      if (v) set((e) => v[e]!, what);
      // a value saved where the analysis cannot see (a field another function filled, a parameter): the
      // IRQL goes back to some level not above the current one, which one is not known here
      else set((_e, cur) => levelRange(0, 31 - Math.clz32(cur)), what);
    };
    switch (eff.op) {
      case 'raise': {
        const lvl = eff.level ?? constLevel(args[eff.levelArg ?? -1]);
        save(this.savedKey(eff.savedTo, call, stmt, args));
        if (lvl !== undefined) set(() => bit(lvl), `${name} at line ${line} raised it to ${irqlLevelName(lvl)}`);
        return;
      }
      case 'lower': {
        const a = args[eff.levelArg];
        const lvl = constLevel(a);
        if (lvl !== undefined) set(() => bit(lvl), `${name} at line ${line} lowered it to ${irqlLevelName(lvl)}`);
        else restore(slotPath(a), `${name} at line ${line} restored it`);
        return;
      }
      case 'acquire': {
        if (eff.onReturn) return; // a try-acquire: raised only on one outcome, which the analysis does not split
        if (eff.raiseTo === undefined || eff.atLevel) return;
        const lock = slotPath(args[eff.lockArg ?? -1]);
        save(this.savedKey(eff.savedTo, call, stmt, args, eff.lockArg, eff.handleArg));
        // 'DIRQL': the interrupt's SynchronizeIrql, some device level
        const to = eff.raiseTo === 'DIRQL' ? levelRange(3, 26) : bit(eff.raiseTo);
        // 'DIRQL' locks (interrupt locks) of passive-level interrupts do not raise: the current level stays possible
        set((_e, cur) => (eff.raiseTo === 'DIRQL' ? (to | cur) >>> 0 : to), `${name} at line ${line}${lock ? ` holds '${lock}'` : ''} (${describeMask(to)})`);
        return;
      }
      case 'release': {
        if (eff.atLevel || !eff.restoreFrom) return;
        restore(this.savedKey(eff.restoreFrom, call, stmt, args, eff.lockArg, eff.handleArg), `${name} at line ${line} restored it`);
        return;
      }
      default:
        return;
    }
  }

  // ---- contexts -----------------------------------------------------------------------------

  private buildIndexes(): void {
    if (this.annotationIndex) return;
    const ann = new Map<string, { text: string; path: string; line: number }[]>();
    const roles = new Map<string, { role: string; path: string; line: number }[]>();
    const addRole = (name: string, r: { role: string; path: string; line: number }) => {
      const list = roles.get(name) ?? [];
      list.push(r);
      roles.set(name, list);
    };
    const regs = new Map<string, { via: string; path: string; line: number; min: number; max: number; role?: string }>();
    const roleNames = allRoleNames();
    const roleRe = new RegExp(`\\b(${roleNames.join('|')})\\s+([A-Za-z_]\\w*(?:\\s*,\\s*[A-Za-z_]\\w*)*)\\s*;`, 'g');
    const lineAt = (text: string, off: number) => {
      let l = 1;
      for (let i = 0; i < off; i++) if (text.charCodeAt(i) === 10) l++;
      return l;
    };
    for (const file of this.project.allFiles()) {
      for (const a of file.annotations) {
        if (!/^(_IRQL_requires_|_IRQL_requires_max_|_IRQL_requires_min_|__drv_maxIRQL|__drv_minIRQL|__drv_requiresIRQL|_Function_class_)$/.test(a.name)) continue;
        // the function it belongs to: the next `name(` after it, with only types and annotations between
        const rest = file.parsedText.slice(a.end, a.end + 400);
        const m = /^[\s\w*]*?\b([A-Za-z_]\w*)\s*\(/.exec(rest);
        if (!m) continue;
        const list = ann.get(m[1]!) ?? [];
        list.push({ text: a.text.replace(/\s+/g, ''), path: file.path, line: lineAt(file.text, a.start) });
        ann.set(m[1]!, list);
      }
      for (const m of file.text.matchAll(roleRe)) {
        for (const n of m[2]!.split(',')) addRole(n.trim(), { role: m[1]!, path: file.path, line: lineAt(file.text, m.index) });
      }
      for (const m of file.text.matchAll(/->\s*(DriverStartIo|DriverUnload)\s*=\s*&?\s*([A-Za-z_]\w*)\s*;/g)) {
        const role = m[1] === 'DriverStartIo' ? 'DRIVER_STARTIO' : 'DRIVER_UNLOAD';
        addRole(m[2]!, { role, path: file.path, line: lineAt(file.text, m.index) });
      }
      if (!REGISTRATION_WORDS.test(file.parsedText)) continue;
      for (const fn of file.functions) {
        if (!REGISTRATION_WORDS.test(file.parsedText.slice(fn.bodyStart, fn.bodyEnd))) continue;
        const stack: SyntaxNode[] = [fn.body];
        while (stack.length) {
          const n = stack.pop()!;
          if (n.type === 'call_expression') {
            const name = calleeOf(n);
            const reg = name ? registration(name) : undefined;
            if (reg) {
              const a = argsOf(n)[reg.fnArg];
              const target = a ? unparen(a) : undefined;
              const fname = target?.type === 'identifier' ? target.text : target?.type === 'pointer_expression' ? target.childForFieldName('argument')?.text : undefined;
              // keyed by the function the name resolves to from this file (a static `CompletionRoutine` of
              // another file is another function)
              const key = fname ? (this.project.resolve(file, fname)?.key ?? fname) : undefined;
              if (fname && key && !regs.has(key)) {
                const r: { via: string; path: string; line: number; min: number; max: number; role?: string } = { via: name!, path: file.path, line: n.startPosition.row + 1, min: reg.min, max: reg.max };
                if (reg.role) r.role = reg.role;
                regs.set(key, r);
              }
            }
          }
          for (let k = n.namedChildCount - 1; k >= 0; k--) stack.push(n.namedChild(k)!);
        }
      }
    }
    this.annotationIndex = ann;
    this.roleIndex = roles;
    this.registrationIndex = regs;
  }

  private passive: boolean | undefined;
  /** Some file of the program creates a passive-level interrupt (`PassiveHandling = TRUE`). */
  private passiveInterrupts(): boolean {
    this.passive ??= this.project.allFiles().some((f) => /\bPassiveHandling\s*=\s*TRUE\b/.test(f.text));
    return this.passive;
  }

  /** The IRQL range a function declares: its annotation, else its role type, else its registration. */
  declaredContext(pf: ProjectFunction): IrqlContext | undefined {
    this.buildIndexes();
    const short = pf.name.split('::').pop()!;
    const anns = this.annotationIndex!.get(short) ?? [];
    let lo: number | undefined;
    let hi: number | undefined;
    const texts: string[] = [];
    const roleTexts: string[] = [];
    for (const a of anns) {
      const m = /^(_IRQL_requires_|_IRQL_requires_max_|_IRQL_requires_min_|__drv_maxIRQL|__drv_minIRQL|__drv_requiresIRQL|_Function_class_)\((\w+)\)$/.exec(a.text);
      if (!m) continue;
      if (m[1] === '_Function_class_') {
        const r = roleIrql(m[2]!);
        if (r) {
          lo = Math.max(lo ?? 0, r.min);
          hi = Math.min(hi ?? 31, r.max);
          roleTexts.push(`${pf.name} is a ${m[2]}, called at ${describeMask(levelRange(r.min, r.max))}`);
        }
        continue;
      }
      const v = irqlLevelByName(m[2]!) ?? (/^\d+$/.test(m[2]!) ? Number(m[2]) : undefined);
      if (v === undefined) continue;
      if (m[1] === '_IRQL_requires_' || m[1] === '__drv_requiresIRQL') {
        lo = v;
        hi = v;
      } else if (m[1] === '_IRQL_requires_max_' || m[1] === '__drv_maxIRQL') hi = Math.min(hi ?? 31, v);
      else lo = Math.max(lo ?? 0, v);
      texts.push(a.text);
    }
    if (lo !== undefined || hi !== undefined) {
      const l = lo ?? 0;
      const h = hi ?? 31;
      const anns = [...new Set(texts)];
      if (l <= h) return { entry: levelRange(l, h), because: anns.length ? `${pf.name} is annotated ${anns.join(' ')} (${describeMask(levelRange(l, h))})` : roleTexts[0]! };
    }
    // a role declared in the function's own file, else one every declaration of that name agrees on
    const roleList = this.roleIndex!.get(short) ?? [];
    const role =
      roleList.find((r) => r.path === pf.path) ??
      (roleList.length && roleList.every((r) => r.role === roleList[0]!.role) ? roleList[0] : undefined) ??
      // assigned to DriverObject->MajorFunction[...] (the project's index of dispatch routines)
      (pf.file && this.project.isDispatchRoutine(pf.file, short) ? { role: 'DRIVER_DISPATCH', path: pf.path, line: pf.line } : undefined);
    const r = role ? roleIrql(role.role) : undefined;
    if (role && r) {
      // a KMDF interrupt with PassiveHandling = TRUE calls its ISR at PASSIVE_LEVEL (SPB, GPIO devices)
      if (role.role === 'EVT_WDF_INTERRUPT_ISR' && this.passiveInterrupts()) {
        return { entry: levelRange(0, r.max), because: `${pf.name} is a ${role.role}: called at DIRQL, or at PASSIVE_LEVEL for an interrupt with PassiveHandling = TRUE (which these files create)` };
      }
      return { entry: levelRange(r.min, r.max), because: `${pf.name} is a ${role.role}, called at ${describeMask(levelRange(r.min, r.max))}` };
    }
    const reg = this.registrationIndex!.get(pf.key);
    if (reg) {
      const rr = reg.role ? roleIrql(reg.role) : undefined;
      const lo2 = rr ? rr.min : reg.min;
      const hi2 = rr ? rr.max : reg.max;
      return { entry: levelRange(lo2, hi2), because: `${pf.name} is registered with ${reg.via} (${this.project.displayName(reg.path)}:${reg.line}), called at ${describeMask(levelRange(lo2, hi2))}` };
    }
    return undefined;
  }

  /** The ways a function is entered (see the module comment). */
  contextsOf(pf: ProjectFunction): IrqlContext[] {
    const cached = this.contextCache.get(pf.key);
    if (cached) return cached;
    // its declared IRQL (annotation, role type, registration), and every call from the linted files: a
    // function called at DISPATCH_LEVEL runs there, whatever its annotation promises
    const declared = this.declaredContext(pf);
    if (this.ctxInProgress.has(pf.key)) return declared ? [declared] : [];
    this.ctxInProgress.add(pf.key);
    const out: IrqlContext[] = declared ? [declared] : [];
    try {
      const sites: { caller: ProjectFunction; at: { line: number; m: Mask[]; why: (Why | null)[] } }[] = [];
      for (const caller of this.project.callersOf(pf)) {
        if (!caller.fn || !caller.file) continue;
        const a = this.analysisOf(caller.file, caller.fn);
        for (const at of a?.callSites.values() ?? []) if (at.target === pf.key) sites.push({ caller, at });
      }
      for (const { caller, at } of sites) {
        const site = { line: at.line };
        for (const c of this.contextsOf(caller)) {
          let mask = 0;
          for (const e of entriesOf(c.entry)) mask = (mask | at.m[e]!) >>> 0;
          if (!mask) continue;
          if (out.some((o) => o.entry === mask)) continue;
          const why = entriesOf(c.entry).map((e) => (at.m[e] ? at.why[e] : null)).find((w) => w);
          const where = `${pf.name} is called by ${caller.name} at ${this.project.displayName(caller.path)}:${site.line}`;
          const ctx: IrqlContext = { entry: mask, because: why ? `${where}, where ${why.text}` : `${where} (${c.because})` };
          if (c.assumed) ctx.assumed = true;
          out.push(ctx);
          if (out.length >= 8) break;
        }
      }
    } finally {
      this.ctxInProgress.delete(pf.key);
    }
    if (!out.length) out.push({ entry: DEFAULT_ENTRY, because: `nothing says at which IRQL ${pf.name} runs (no annotation, role type, registration or caller in the linted files): assumed at most DISPATCH_LEVEL`, assumed: true });
    this.contextCache.set(pf.key, out);
    return out;
  }
}

const engines = new WeakMap<Project, IrqlEngine>();

/** The IRQL engine of a project (one per run). */
export function irqlEngine(project: Project): IrqlEngine {
  let e = engines.get(project);
  if (!e) {
    e = new IrqlEngine(project);
    engines.set(project, e);
  }
  return e;
}

/** A call of the function whose every possible IRQL, in one of its contexts, is outside the callee's range. */
export interface IrqlViolation {
  obs: IrqlCallObservation;
  context: IrqlContext;
  /** IRQLs possible at the call in that context. */
  actual: Mask;
  direction: 'high' | 'low';
  /** Why the IRQL is what it is there. */
  why: string;
}

export function irqlViolations(project: Project, file: SourceFile, fn: FunctionInfo): IrqlViolation[] {
  const engine = irqlEngine(project);
  const a = engine.analysisOf(file, fn);
  const pf = project.functionOf(file, fn);
  if (!a || !pf) return [];
  const contexts = engine.contextsOf(pf);
  const out: IrqlViolation[] = [];
  for (const obs of a.calls) {
    for (const c of contexts) {
      let actual = 0;
      let why: Why | null = null;
      for (const e of entriesOf(c.entry)) {
        actual = (actual | obs.m[e]!) >>> 0;
        why ??= obs.m[e] ? obs.why[e]! : null;
      }
      if (!actual || (actual & obs.allowed) !== 0) continue;
      const direction = levelsOf(actual).some((l) => l > obs.max) ? 'high' : 'low';
      out.push({ obs, context: c, actual, direction, why: why ? why.text : c.because });
      break;
    }
  }
  return out;
}
