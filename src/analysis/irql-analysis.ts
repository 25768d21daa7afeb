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
import { LiteSource, pushNamedChildren } from '../parse/lite.js';
import { Map as ImmutableMap } from 'immutable';
import type { AstNode as SyntaxNode } from '../parse/lite.js';
import { buildCfg, calleeName, type Cfg } from '../cfg/cfg.js';
import { ADDRESS_ARGUMENT, analyzeFunction, assignedNames, declName, isAddressOf, stripCasts } from './mdl-analysis.js';
import { raises } from '../ddi/table.js';
import { condVariables, remembersMore } from './conds.js';
import { functionCfg, liteBody, liteFunction, nestsTooDeep, tooDeep } from './function-cfg.js';
import { shortName, type FunctionInfo, type SourceFile } from '../parse/parser.js';
import {
  allRegistrationNames,
  allRoleNames,
  contractBounds,
  effectsOf,
  irqlLevelByName,
  irqlLevelName,
  memberRoles,
  roleIrql,
  type IrqlCondition,
  type IrqlContract,
  type IrqlEffect,
  type IrqlSlot,
  type IrqlTable,
  type LockKind,
} from '../ddi/irql.js';
import { bodyFacts, functionKeyOf, namesIrqlWord, textScan, type Project, type ProjectFunction } from './project.js';
import { fileConstants } from './constants.js';
import type { PathStep } from '../lint/types.js';

import { CHANGES_IRQL, IRQL_RANGE_ANNOTATION } from './irql-annotations.js';
import { ownCopy, parsedSlice } from '../parse/source-text.js';

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

/** What the function knows of a lock on every path to a point (absent: not known, e.g. a caller may hold it). */
interface LockFact {
  held: boolean;
  /** Where it was last acquired or released, and by what. */
  line: number;
  via: string;
  kind: LockKind;
  /** The lock as that call wrote it (`ad->SpinLock`), when the key is its expansion through locals (`lockPath`). */
  name?: string;
}

/** Lock kinds whose state spinlock-unbalanced follows (a fast mutex: double acquire and release only). */
const TRACKED_LOCKS = new Set<LockKind>(['spinlock', 'queued-spinlock', 'wdf-spinlock', 'fast-mutex']);
const NO_ALIASES: ReadonlyMap<string, string> = new Map();
const EXIT_CHECKED_LOCKS = new Set<LockKind>(['spinlock', 'queued-spinlock', 'wdf-spinlock']);
/** A function's name for messages: a C++ method written over two lines (`Queue::\n    Lock`) on one. */
const displayFn = (name: string): string => name.replace(/\s+/g, '');

/** Lock-fact variants kept apart per CFG node (more are joined into the last). */
const MAX_VARIANTS = 6;
/** What a state knows of the locks, as a key: states with the same key are joined. */
function lockSignature(s: State): string {
  // the IRQLs too: a raise under a flag and its lower under the same flag stay paired
  const irql = s.m.join('.');
  if (!s.locks.size) return irql;
  let locks = lockSignatures.get(s.locks);
  if (locks === undefined) {
    locks = [...s.locks].map(([k, f]) => `${k}=${f.held ? 1 : 0}`).sort().join(',');
    lockSignatures.set(s.locks, locks);
  }
  // and which queued-lock handle holds which lock, and the preprocessor groups taken: a lock taken in
  // stack (`KeAcquireInStackQueuedSpinLock(&L, &h)`) on one side and by `KeAcquireSpinLock(&L, &irql)` on
  // the other stays apart from it, so the release that names only the handle still finds its lock
  // (the preprocessor groups only then: they keep a handle's side apart from the other side; with more they
  // would soon make more variants than are kept, MAX_VARIANTS)
  let more = '';
  if (s.qh.size) {
    more += `|${signatureOf(s.qh, (k, v) => `${k}>${v}`)}`;
    const pp = s.flags.size ? signatureOf(s.flags, (k, v) => (k.startsWith('#') ? `${k}=${v}` : '')) : '';
    if (pp) more += `|${pp}`;
  }
  return `${irql}|${locks}${more}`;
}
/** The locks part of a signature, by lock map (persistent maps are shared by the states that did not change them). */
const lockSignatures = new WeakMap<object, string>();
/** A map's part of a signature (its entries, sorted; `part` '' leaves one out), by map. */
function signatureOf<V>(m: ImmutableMap<string, V>, part: (k: string, v: V) => string): string {
  let sig = mapSignatures.get(m);
  if (sig === undefined) {
    sig = [...m].map(([k, v]) => part(k, v)).filter((x) => x).sort().join(',');
    mapSignatures.set(m, sig);
  }
  return sig;
}
const mapSignatures = new WeakMap<object, string>();

/** `ret` of a state that did not come through a return statement / through several. */
const NO_RETURN = -2;
const MIXED_RETURNS = -1;

interface State {
  /** Simple flags (`locked = TRUE`) known to hold a constant here: keeps a lock's release paired with its flag. */
  flags: ImmutableMap<string, number>;
  /** Locks by path (`ext->Lock`): held or not, on every path here. */
  locks: ImmutableMap<string, LockFact>;
  /** In-stack queued lock handles -> the lock they hold. */
  qh: ImmutableMap<string, string>;
  /** The return statement (CFG node) this state left by, on its way to the exit. */
  ret: number;
  /** The last IRQL change restored the value of this parameter (index); -1 none, -2 not the same on all paths. */
  pr: number;
  /** m[k]: IRQLs possible here when the function was entered at entry level k (ENTRY_LEVELS). */
  m: Mask[];
  /** Saved old IRQLs: variable or lock-handle path -> per entry level (never changed in place). */
  saved: ImmutableMap<string, readonly Mask[]>;
  why: (Why | null)[];
}

/**
 * What an observation is about: a call of a DDI of the table (`call`); a wait (`wait`, irql-wait-at-dispatch
 * at DISPATCH_LEVEL or above); a paged-pool allocation or free (`paged-pool`); `PAGED_CODE()` (`paged-code`);
 * the entry of a function placed in a pageable section (`page-section`); `KeLowerIrql` to a saved value
 * (`lower-above`); `KeRaiseIrql` to a level (`raise-below`).
 */
export type ObservationKind = 'call' | 'wait' | 'paged-pool' | 'paged-code' | 'page-section' | 'lower-above' | 'raise-below';

/** A call whose IRQL range is known (a DDI of the table). */
export interface IrqlCallObservation {
  kind: ObservationKind;
  /** Per entry level, the IRQLs allowed when they depend on it (a saved value lowered to); else `allowed`. */
  allowedPer?: Mask[];
  /** The IRQLs allowed if the buffer of the call's MDL, whose kind is not known here, is pageable. */
  ifPageable?: Mask;
  /** For lower-above / raise-below: the level(s) the call goes to, per entry level. */
  targetPer?: Mask[];
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
  callSites: ReadonlyMap<string, { target: string; line: number; m: Mask[]; why: (Why | null)[] }>;
  /** IRQLs possible at the function's normal exit, per entry level (0 for an entry level that never returns). */
  exit: Mask[];
  /** On every path the function returns at the IRQL its parameter of this index holds (it restores it last). */
  exitParam?: number;
  /** Per return (or the fall-through at the closing brace): where, and the state there. */
  returns: ReturnObservation[];
  /** Double acquires and releases of locks known not to be held. */
  lockIssues: LockIssue[];
  /** Locks the function (or its callees) acquires or releases, by path relative to its parameters and globals, and their state at its exit (undefined: not the same on every path). Null: not known. */
  lockEffects: ReadonlyMap<string, LockEffect> | null;
  /**
   * In-stack queued lock handles its parameters designate, by path (`Handle` of `PKLOCK_QUEUE_HANDLE Handle`),
   * and what the function leaves in them on every path: the lock the handle names (an acquire wrapper filled
   * it), or `RELEASED_BY_HANDLE` (a release wrapper gave back whatever lock its caller's handle names).
   */
  handleEffects?: ReadonlyMap<string, LockEffect & { lock: string }>;
}

type LockEffect = { held: boolean | undefined; kind: LockKind; line: number; via: string };
/**
 * In a state's handle map: the handle (a parameter's) was released here and its lock is its caller's to
 * name (`KeReleaseInStackQueuedSpinLock(Handle)` in a wrapper that takes only the handle).
 */
const RELEASED_BY_HANDLE = '';
/** The empty maps every function without call sites or lock effects shares (a Map costs 300 bytes even empty; a file may hold 800,000 functions). */
const NO_CALL_SITES: FunctionIrql['callSites'] = new Map();
const NO_LOCK_EFFECTS: ReadonlyMap<string, LockEffect> = new Map();
/** Shared by the functions that name nothing the IRQL analysis looks at (frozen: nothing may add to them). */
const NONE = Object.freeze([]) as unknown as never[];

/**
 * The per-entry-level arrays of a finished analysis's observations (its calls, call sites and returns),
 * one frozen array for each distinct content: a function makes most of its calls at one IRQL, and each
 * observation copied the state's arrays. The analyses of a run are kept for their callers and their own
 * lint, and these copies were about 9 MB of the 20 MB they held in the middle of a run on the benchmark
 * corpus (heap snapshot, session 29). The masks are shared across functions (a bounded set); the
 * explanations (`Why`: a line of the function and its text, compared by their text) within one function.
 */
const sharedMasks = new Map<string, Mask[]>();
class SharedEntries {
  private readonly whys = new Map<string, (Why | null)[]>();
  /** One `Why` for each line and text (the analysis makes one at each visit of a statement). */
  private readonly byText = new Map<string, Why>();
  masks(m: Mask[]): Mask[] {
    const key = m.join(',');
    let out = sharedMasks.get(key);
    if (!out) {
      // (a bounded set in practice; a cap keeps a pathological run from growing it without end)
      if (sharedMasks.size >= 4096) sharedMasks.clear();
      sharedMasks.set(key, (out = Object.freeze([...m]) as Mask[]));
    }
    return out;
  }
  why(w: (Why | null)[]): (Why | null)[] {
    // (keyed by each entry's line and text: equal keys, the same `Why`s)
    const keys = w.map((x) => (x ? `${x.line}\n${x.text}` : ''));
    const key = keys.join('\0');
    let out = this.whys.get(key);
    if (!out) {
      const one = w.map((x, k) => {
        if (!x) return null;
        const c = this.byText.get(keys[k]!);
        if (c) return c;
        this.byText.set(keys[k]!, x);
        return x;
      });
      this.whys.set(key, (out = Object.freeze(one) as (Why | null)[]));
    }
    return out;
  }
}
const ALL_ENTRY_LEVELS = Object.freeze([...ENTRY_LEVELS]) as Mask[];

export interface ReturnObservation {
  line: number;
  column: number;
  /** IRQLs possible there, per entry level. */
  m: Mask[];
  why: (Why | null)[];
  /**
   * Tracked spin locks held there on every path; `outlives`: the lock is reached through a parameter or
   * is a global (not a local of the function), so a caller could release it.
   */
  held: { lock: string; line: number; via: string; outlives: boolean }[];
}

export interface LockIssue {
  kind: 'doubleAcquire' | 'notHeld';
  lockKind: LockKind;
  callee: string;
  lock: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** The earlier acquire / release. */
  prevLine: number;
  prevVia: string;
  /** Reachability per entry level (IRQLs possible there). */
  m: Mask[];
}

/** One way a function is entered: the IRQLs and why. */
export interface IrqlContext {
  entry: Mask;
  /** "MyDpc is a KDEFERRED_ROUTINE (called at DISPATCH_LEVEL)", "DpcHelper is called by MyDpc (...) at dpc.c:40". */
  because: string;
  /** The context is the default assumption (no annotation, role, registration or caller). */
  assumed?: boolean;
  /** Where it comes from, as explanation steps: the annotation or role, then each caller (across files). */
  chain?: PathStep[];
  /**
   * For a context from a call site: the calls it goes through (caller, call position), innermost first,
   * each linked to the one before it (shared by the contexts further down the chain: a list copied per
   * caller cost the square of the chain's length).
   */
  sites?: ContextSite;
  /** Callers between the declared context and this one (0 or absent: the declared context itself). */
  depth?: number;
  /** The explanation at the top of the chain of callers (the annotation, role or raise that gives the level). */
  origin?: string;
  /**
   * Later call sites that give the same entry levels, in callers' order: stand-ins for this one should no
   * execution reach its call (`reachableContext`), so that which caller comes first in the file does not
   * decide whether the level is reported.
   */
  alternatives?: IrqlContext[];
}

/** One call a context goes through, and the call before it up the chain. */
export interface ContextSite {
  file: SourceFile;
  fn: FunctionInfo;
  pos: string;
  prev?: ContextSite;
}

/**
 * Callers a context's explanation names one by one; above them it names the chain's origin only: the
 * explanation nested one parenthesis per caller, and a chain of 3,000 callers gave a message of 140 KB.
 */
const MAX_EXPLAINED_CALLERS = 4;

/**
 * Same-level contexts kept as alternatives of one, at most: each is kept with its explanation and
 * carried up the call chain (8 cost the benchmark corpus 44 MiB of peak memory; 2 about none).
 */
const MAX_ALTERNATIVES = 2;

/** `&x`, `x`, `&ctx->Lock`: the path of the object designated (text without spaces), or undefined. */
function slotPath(n: SyntaxNode | undefined): string | undefined {
  if (!n) return undefined;
  let e = unparen(n);
  if (e.type === 'pointer_expression' && e.text.trimStart().startsWith('&')) e = unparen(e.childForFieldName('argument') ?? e);
  if (e.type === 'identifier' || e.type === 'field_expression' || e.type === 'subscript_expression') return e.text.replace(/\s+/g, '');
  return undefined;
}

/** A literal argument's value: `TRUE`/`FALSE`, `NULL`, a decimal or hexadecimal integer (undefined: anything else). */
function constantArgument(a: SyntaxNode): number | undefined {
  const t = unparen(a).text.trim();
  if (/^(TRUE|true)$/.test(t)) return 1;
  if (/^(FALSE|false|NULL|nullptr)$/.test(t)) return 0;
  const m = /^(0[xX][0-9a-fA-F]{1,8}|\d{1,9})[uUlL]*$/.exec(t);
  return m ? Number(m[1]) : undefined;
}

/** The body's first statement (after its declarations) is `PAGED_CODE();`. */
function startsWithPagedCode(body: SyntaxNode): boolean {
  for (const st of body.namedChildren) {
    if (st.type === 'comment' || st.type === 'declaration') continue;
    if (st.type !== 'expression_statement') return false;
    const e = st.namedChild(0);
    return !!e && e.type === 'call_expression' && e.childForFieldName('function')?.text === 'PAGED_CODE';
  }
  return false;
}

/** The levels `PAGED_CODE()` asserts: PASSIVE_LEVEL and APC_LEVEL. */
const APC_OR_BELOW: Mask = levelRange(0, 1);

/** The parameters a body never assigns (`p = ...`, `p++`) nor takes the address of (`&p`): their value is the caller's argument throughout. */
function unchangedParams(body: SyntaxNode, params: readonly string[]): Set<string> {
  const out = new Set(params);
  if (!out.size) return out;
  for (const x of assignedNames(body)) out.delete(x);
  const stack: SyntaxNode[] = [body];
  while (stack.length && out.size) {
    const n = stack.pop()!;
    if (isAddressOf(n)) {
      const a = unparen(n.childForFieldName('argument') ?? n);
      if (a.type === 'identifier') out.delete(a.text);
    }
    pushNamedChildren(stack, n);
  }
  return out;
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
const nodesMemo = new WeakMap<SyntaxNode, readonly SyntaxNode[]>();
/**
 * The named nodes of a subtree, `root` first, depth first: an array, where a generator allocated a result
 * object for each node of each walk. A block's list (a function's body, walked by several of the passes
 * below at each analysis) is kept while its tree lives.
 */
function nodesOf(root: SyntaxNode): readonly SyntaxNode[] {
  const block = root.type === 'compound_statement';
  const kept = block ? nodesMemo.get(root) : undefined;
  if (kept) return kept;
  const list: SyntaxNode[] = [];
  const stack: SyntaxNode[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    list.push(n);
    pushNamedChildren(stack, n);
  }
  if (block) nodesMemo.set(root, list);
  return list;
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
function testCondition(cond: IrqlCondition, args: SyntaxNode[], zeroTimeouts: ReadonlySet<string>, otherTimeouts: ReadonlySet<string>, consts?: ReadonlyMap<string, string>): boolean | undefined {
  const a = args[cond.arg];
  if (!a) return undefined;
  const e = unparen(a);
  // a local that only ever holds one constant (`POOL_TYPE type = PagedPool;`) reads as that constant
  const t = (e.type === 'identifier' && consts?.get(e.text)) || e.text.replace(/\s+/g, '');
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
function allowedMask(
  c: IrqlContract,
  args: SyntaxNode[],
  zero: ReadonlySet<string>,
  other: ReadonlySet<string>,
  buffers: ReadonlyMap<string, BufferKind>,
  consts: ReadonlyMap<string, string>,
): { allowed: Mask; min: number; max: number; ifPageable?: Mask } {
  const known = contractBounds(c, (cond) => testCondition(cond, args, zero, other, consts));
  // MmProbeAndLockPages of an MDL over a pageable buffer: APC_LEVEL at most; over a buffer of the function's
  // own MDL whose kind is not known here: APC_LEVEL at most if it is pageable (the conditional finding)
  let ifPageable: Mask | undefined;
  if (c.pageableBufferOfMdlArg !== undefined && c.maxIfPageable !== undefined) {
    const mdl = slotPath(args[c.pageableBufferOfMdlArg]);
    const kind = mdl ? buffers.get(mdl) : undefined;
    if (kind === 'pageable') known.max = Math.min(known.max, c.maxIfPageable);
    else if (kind === 'unknown') ifPageable = levelRange(known.min, Math.min(known.max, c.maxIfPageable));
  }
  let allowed = levelRange(known.min, known.max);
  let { min, max } = known;
  // a condition not known here may hold: its range is allowed too
  for (const w of c.when ?? []) {
    if (testCondition(w, args, zero, other, consts) === undefined) {
      const lo = w.min ?? c.min ?? 0;
      const hi = w.max ?? c.max ?? 31;
      allowed = (allowed | levelRange(lo, hi)) >>> 0;
      min = Math.min(min, lo);
      max = Math.max(max, hi);
    }
  }
  return ifPageable === undefined ? { allowed, min, max } : { allowed, min, max, ifPageable };
}

/** A caller-supplied user-mode address: pageable memory. */
const USER_BUFFER = /\bUserBuffer\b|\bType3InputBuffer\b/;

/** Where the buffer an MDL describes lives: pageable (user buffers, paged pool), not (nonpaged pool, SystemBuffer, the stack), or not known here. */
export type BufferKind = 'pageable' | 'nonpageable' | 'unknown';

/**
 * The MDLs the function allocates (`m = IoAllocateMdl(buffer, ...)`), by the kind of buffer they describe:
 * `Irp->UserBuffer` / `Type3InputBuffer` and paged-pool blocks are pageable; `SystemBuffer`, nonpaged-pool
 * blocks and the function's own locals are not; anything else (a parameter, a field) is not known here.
 */
function mdlBuffers(body: SyntaxNode, pools: PoolVars, pagedVars: ReadonlySet<string>): Map<string, BufferKind> {
  const mdls = new Map<string, BufferKind | null>();
  const locals = localNames(body);
  // a block of one kind of pool (other assignments aside)
  const poolKind = (v: string): BufferKind | undefined => {
    const e = pools.get(v);
    return e && e.kinds.size ? (e.kinds.size === 1 ? [...e.kinds][0]! : 'unknown') : undefined;
  };
  for (const n of nodesOf(body)) {
    const a = assignmentOf(n);
    const call = a ? unparen(a.value) : undefined;
    if (!a?.target || call?.type !== 'call_expression' || calleeOf(call) !== 'IoAllocateMdl') continue;
    const buf = argsOf(call)[0] ? unparen(argsOf(call)[0]!) : undefined;
    const t = buf?.text.replace(/\s+/g, '') ?? '';
    let kind: BufferKind = 'unknown';
    if (USER_BUFFER.test(t) || pagedVars.has(t)) kind = 'pageable';
    else if (/\bSystemBuffer\b/.test(t)) kind = 'nonpageable';
    else if (buf?.type === 'identifier' && poolKind(t)) kind = poolKind(t)!;
    else if (buf?.type === 'pointer_expression' && t.startsWith('&') && locals.has(/^&\(?([A-Za-z_]\w*)/.exec(t)?.[1] ?? '')) kind = 'nonpageable';
    else if (buf?.type === 'identifier' && locals.has(t) && /\[/.test(body.text.match(new RegExp(`\\b${t}\\s*\\[`))?.[0] ?? '')) kind = 'nonpageable';
    mdls.set(a.target, mdls.has(a.target) && mdls.get(a.target) !== kind ? null : kind);
  }
  const out = new Map<string, BufferKind>();
  for (const [k, v] of mdls) out.set(k, v ?? 'unknown');
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
    pushNamedChildren(stack, n);
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

/**
 * Why a function of a role runs where it does: `F is an EVT_WDF_TIMER, called at DISPATCH_LEVEL`, and with
 * `passive` (a KMDF role whose object the program may create at WdfExecutionLevelPassive) the PASSIVE_LEVEL case too.
 */
function roleSentence(fn: string, role: string, r: { min: number; max: number }, passive: boolean): string {
  const at = describeMask(levelRange(r.min, r.max));
  return passive
    ? `${displayFn(fn)} is ${article(role)} ${role}: called at ${at}, or at PASSIVE_LEVEL for objects created with WdfExecutionLevelPassive (which these files do)`
    : `${displayFn(fn)} is ${article(role)} ${role}, called at ${at}`;
}

/** `a` or `an` before a role type's name, as it is read aloud (`an IO_WORKITEM_ROUTINE`, `an EVT_WDF_DPC`, `a DRIVER_DISPATCH`). */
function article(name: string): string {
  return /^[AEIOU]/i.test(name) ? 'an' : 'a';
}

/** Keep, per entry level, the IRQLs for which the branch condition has this truth value. */
/**
 * The parts of a branch condition whose truth this side of the branch decides, each with that truth: through
 * `!`, and both operands of `&&` on its true side and of `||` on its false side; any other part as it is.
 */
function decidedParts(cond: SyntaxNode, truth: boolean, out: [SyntaxNode, boolean][] = []): [SyntaxNode, boolean][] {
  const c = unparen(cond);
  if (c.type === 'unary_expression' && c.text.trimStart().startsWith('!')) {
    const a = c.childForFieldName('argument');
    if (a) decidedParts(a, !truth, out);
    return out;
  }
  if (c.type === 'binary_expression') {
    const op = c.childForFieldName('operator')?.text;
    if ((op === '&&' && truth) || (op === '||' && !truth)) {
      const l = c.childForFieldName('left');
      const r = c.childForFieldName('right');
      if (l) decidedParts(l, truth, out);
      if (r) decidedParts(r, truth, out);
      return out;
    }
  }
  out.push([c, truth]);
  return out;
}

function refine(s: State, cond: SyntaxNode, truth: boolean): void {
  for (const [c, t] of decidedParts(cond, truth)) refinePart(s, c, t);
}

/** `refine` of one decided part. */
function refinePart(s: State, c: SyntaxNode, truth: boolean): void {
  if (c.type === 'binary_expression') {
    const t = irqlTest(c);
    if (t) {
      const keep = levelsWhere(t.op, t.level, truth);
      for (let e = 0; e < NE; e++) s.m[e] = (s.m[e]! & keep) >>> 0;
      return;
    }
    // a saved IRQL compared with a level (`if (oldIrql == HIGH_LEVEL)`, System Informer's sentinel for "taken
    // at DISPATCH_LEVEL"): per entry level, the values it may hold there decide the branch
    const sv = savedTest(s, c);
    if (!sv) return;
    const keep = levelsWhere(sv.op, sv.level, truth);
    let narrowed: Mask[] | undefined;
    for (let e = 0; e < NE; e++) {
      const v = sv.values[e]!;
      if (!s.m[e] || !v) continue;
      const left = (v & keep) >>> 0;
      if (left === 0) s.m[e] = 0;
      else if (left !== v) (narrowed ??= [...sv.values])[e] = left;
    }
    if (narrowed) s.saved = s.saved.set(sv.name, narrowed);
  }
}

/** The levels l for which `l OP level` has this truth value. */
function levelsWhere(op: string, level: number, truth: boolean): Mask {
  let keep = 0;
  for (let l2 = 0; l2 < ALL_LEVELS; l2++) {
    const v = op === '<' ? l2 < level : op === '<=' ? l2 <= level : op === '>' ? l2 > level : op === '>=' ? l2 >= level : op === '==' ? l2 === level : l2 !== level;
    if (v === truth) keep = (keep | bit(l2)) >>> 0;
  }
  return keep;
}

/** `saved OP LEVEL` (either side) with `saved` a variable holding a saved IRQL: the comparison, the variable on the left. */
function savedTest(s: State, n: SyntaxNode): { name: string; op: string; level: number; values: readonly Mask[] } | undefined {
  if (!s.saved.size) return undefined;
  const op = n.childForFieldName('operator')?.text;
  const flip: Record<string, string> = { '<': '>', '>': '<', '<=': '>=', '>=': '<=', '==': '==', '!=': '!=' };
  if (!op || !(op in flip)) return undefined;
  const l = unparen(n.childForFieldName('left')!);
  const r = unparen(n.childForFieldName('right')!);
  for (const [x, y, o] of [[l, r, op], [r, l, flip[op]!]] as const) {
    if (x.type !== 'identifier') continue;
    const values = s.saved.get(x.text);
    const level = values ? namedLevel(y) : undefined;
    if (values && level !== undefined) return { name: x.text, op: o, level, values };
  }
  return undefined;
}

/** An IRQL written by its name (`HIGH_LEVEL`, `DISPATCH_LEVEL`), not a bare number (which a flag compares with too). */
function namedLevel(n: SyntaxNode | undefined): number | undefined {
  const e = n ? unparen(n) : undefined;
  return e?.type === 'identifier' ? irqlLevelByName(e.text) : undefined;
}

/**
 * `x = HIGH_LEVEL;` (a sentinel a saved IRQL is compared with later) and `x = KeGetCurrentIrql();` (`KIRQL x =
 * KeGetCurrentIrql();`) in a statement: the variable, and the level or 'current'.
 */
function levelWrites(stmt: SyntaxNode): { name: string; level: number | 'current' }[] {
  const out: { name: string; level: number | 'current' }[] = [];
  const one = (l: SyntaxNode | null | undefined, r: SyntaxNode | null | undefined) => {
    if (l?.type !== 'identifier' || !r) return;
    const x = unparen(r);
    if (x.type === 'call_expression' && CURRENT_IRQL.has(calleeOf(x) ?? '')) out.push({ name: l.text, level: 'current' });
    else {
      const level = namedLevel(x);
      if (level !== undefined) out.push({ name: l.text, level });
    }
  };
  // (a statement node of the CFG is the expression itself, or its statement)
  const e = stmt.type === 'expression_statement' ? stmt.namedChildren[0] : stmt;
  if (e?.type === 'assignment_expression') {
    if (e.childForFieldName('operator')?.text === '=') one(e.childForFieldName('left'), e.childForFieldName('right'));
  } else if (stmt.type === 'declaration') {
    for (const d of stmt.namedChildren) if (d.type === 'init_declarator') one(d.childForFieldName('declarator'), d.childForFieldName('value'));
  }
  return out;
}

const fresh = (): State => ({ flags: ImmutableMap<string, number>(), locks: ImmutableMap(), qh: ImmutableMap(), ret: NO_RETURN, pr: -1, m: [...ENTRY_LEVELS], saved: ImmutableMap(), why: new Array<Why | null>(NE).fill(null) });
const copy = (s: State): State => ({
  // persistent maps: shared until changed (a copy per edge was quadratic in the nesting depth, and in the
  // number of locks, handles and saved IRQLs a function had used)
  flags: s.flags,
  locks: s.locks,
  qh: s.qh,
  ret: s.ret,
  pr: s.pr,
  m: [...s.m],
  saved: s.saved,
  why: [...s.why],
});

const FLAG_CONST: Record<string, number> = { TRUE: 1, FALSE: 0, true: 1, false: 0, '0': 0, '1': 1, STATUS_SUCCESS: 0 };
/** Error statuses (NT_SUCCESS false), kept as the flag value -1; small decimal constants as themselves (loop counters). */
const ERROR_STATUS = /^STATUS_(UNSUCCESSFUL|INSUFFICIENT_RESOURCES|INVALID_PARAMETER|BUFFER_TOO_SMALL|ACCESS_VIOLATION|NOT_SUPPORTED|INVALID_DEVICE_REQUEST|CANCELLED|NO_MEMORY|DEVICE_NOT_READY|INVALID_DEVICE_STATE|NOT_FOUND|ACCESS_DENIED|INVALID_USER_BUFFER|DATA_ERROR|IO_DEVICE_ERROR)$/;
const flagValue = (t: string): number | undefined => FLAG_CONST[t] ?? (ERROR_STATUS.test(t) ? -1 : /^\d{1,6}[uUlL]*$/.test(t) ? Number.parseInt(t, 10) : undefined);

/** The variables a statement writes (assignments, `++`/`--`, declarations): their roots. */
function writtenRoots(stmt: SyntaxNode): string[] {
  const out: string[] = [];
  for (const n of nodesOf(stmt)) {
    if (n.type === 'assignment_expression') out.push(rootOf(n.childForFieldName('left')?.text ?? '') ?? '');
    else if (n.type === 'update_expression') out.push(rootOf(n.childForFieldName('argument')?.text ?? '') ?? '');
    else if (n.type === 'init_declarator') out.push(declName(n.childForFieldName('declarator')) ?? '');
  }
  return out.filter(Boolean);
}

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
    pushNamedChildren(stack, n);
  }
}

/** A branch on a flag (`if (locked)`, `if (!locked)`, `locked == TRUE`): false when the flag's known value rules it out; records the value otherwise. */
function refineFlag(s: State, cond: SyntaxNode, truth: boolean): boolean {
  return decidedParts(cond, truth).every(([c, t]) => refineFlagPart(s, c, t));
}

/** `refineFlag` of one decided part. */
function refineFlagPart(s: State, c: SyntaxNode, truth: boolean): boolean {
  if (c.type === 'binary_expression') {
    const op = c.childForFieldName('operator')?.text;
    const l = c.childForFieldName('left');
    const r = c.childForFieldName('right');
    if ((op === '==' || op === '!=') && l?.type === 'identifier' && r && FLAG_CONST[unparen(r).text] !== undefined) {
      const k = FLAG_CONST[unparen(r).text]!;
      const isOne = op === '==' ? (k === 1) === truth : (k === 1) !== truth;
      return refineFlagPart(s, l, isOne);
    }
    // a counter compared with a constant (`for (i = 0; i < 2; i++)`: the first test is true)
    const n = r ? /^\d{1,6}[uUlL]*$/.exec(unparen(r).text) : null;
    if (op && l?.type === 'identifier' && n && ['<', '<=', '>', '>=', '==', '!='].includes(op)) {
      const v = s.flags.get(l.text);
      if (v === undefined) return true;
      const k = Number.parseInt(n[0], 10);
      const holds = op === '<' ? v < k : op === '<=' ? v <= k : op === '>' ? v > k : op === '>=' ? v >= k : op === '==' ? v === k : v !== k;
      return holds === truth;
    }
    return condFlag(s, c, truth);
  }
  if (c.type === 'call_expression' && /^NT_SUCCESS$/.test(calleeOf(c) ?? '')) {
    // NT_SUCCESS(status) with the status known to be STATUS_SUCCESS or an error
    const a = argsOf(c)[0];
    const x = a ? unparen(a) : undefined;
    if (x?.type !== 'identifier') return true;
    const v = s.flags.get(x.text);
    if (v !== undefined && (v >= 0) !== truth) return false;
    if (v === undefined) s.flags = s.flags.set(x.text, truth ? 0 : -1);
    return true;
  }
  if (c.type === 'identifier') {
    const v = s.flags.get(c.text);
    if (v !== undefined && (v !== 0) !== truth) return false;
    s.flags = s.flags.set(c.text, truth ? 1 : 0);
    return true;
  }
  return condFlag(s, c, truth);
}

/**
 * Any other condition without side effects (`pFilter->context & EXAMINE_UNDER_LOCK`, `(x & 8) != 0`) is a
 * flag of its own, by its text, until something writes a variable it reads: a lock taken under it and
 * released under the same test stays paired.
 */
function condFlag(s: State, c: SyntaxNode, truth: boolean): boolean {
  for (const n of nodesOf(c)) if (n.type === 'call_expression' || n.type === 'assignment_expression' || n.type === 'update_expression') return true;
  const key = `?${c.text.replace(/\s+/g, '')}`;
  const v = s.flags.get(key);
  if (v !== undefined && (v !== 0) !== truth) return false;
  if (v === undefined && !remembersMore(s.flags)) return true;
  s.flags = s.flags.set(key, truth ? 1 : 0);
  return true;
}

/** Forget the condition flags that read one of these variables (written by the statement). */
function forgetConds(s: State, roots: readonly string[]): void {
  if (!roots.length) return;
  for (const k of [...s.flags.keys()]) {
    if (!k.startsWith('?')) continue;
    if (condVariables(k).some((x) => roots.includes(x))) s.flags = s.flags.delete(k);
  }
}

/** The variable an lvalue or argument starts from: `pFilter` of `&pFilter->context`. */
const rootOf = (t: string): string | undefined => /^[\s(&*]*([A-Za-z_]\w*)/.exec(t)?.[1];

function join(a: State, b: State): { s: State; changed: boolean } {
  let changed = false;
  const s = copy(a);
  if (a.flags !== b.flags) for (const [k, v] of a.flags) {
    if (b.flags.get(k) !== v) {
      s.flags = s.flags.delete(k);
      changed = true;
    }
  }
  if (a.locks !== b.locks) for (const [k, v] of a.locks) {
    if (b.locks.get(k)?.held !== v.held) {
      s.locks = s.locks.delete(k);
      changed = true;
    }
  }
  if (a.qh !== b.qh) for (const [k, v] of a.qh) {
    if (b.qh.get(k) !== v) {
      s.qh = s.qh.delete(k);
      changed = true;
    }
  }
  if (s.ret !== b.ret && s.ret !== MIXED_RETURNS) {
    s.ret = MIXED_RETURNS;
    changed = true;
  }
  if (s.pr !== b.pr && s.pr !== -2) {
    s.pr = -2;
    changed = true;
  }
  for (let e = 0; e < NE; e++) {
    const u = (s.m[e]! | b.m[e]!) >>> 0;
    if (u !== s.m[e]) {
      s.m[e] = u;
      changed = true;
      if (!s.why[e]) s.why[e] = b.why[e]!;
    }
  }
  if (a.saved !== b.saved) for (const [k, v] of b.saved) {
    const cur = s.saved.get(k);
    if (!cur) {
      s.saved = s.saved.set(k, v);
      changed = true;
    } else if (cur !== v) {
      let joined: Mask[] | undefined;
      for (let e = 0; e < NE; e++) {
        const u = (cur[e]! | v[e]!) >>> 0;
        if (u !== cur[e]) (joined ??= [...cur])[e] = u;
      }
      if (joined) {
        s.saved = s.saved.set(k, joined);
        changed = true;
      }
    }
  }
  return { s, changed };
}


/** Per-function data of one analysis run. */
interface FnCtx {
  file: SourceFile;
  /** The function analysed, as the program knows it. */
  self: ProjectFunction | undefined;
  zero: ReadonlySet<string>;
  other: ReadonlySet<string>;
  /** The function's own MDLs, by the kind of buffer they describe. */
  buffers: Map<string, BufferKind>;
  /** Variables that only ever hold paged-pool blocks this function allocated. */
  pagedBlocks: Set<string>;
  /** Locals that only ever hold one named constant (`PagedPool`, `TRUE`). */
  consts: ReadonlyMap<string, string>;
  calls: Map<string, IrqlCallObservation>;
  callSites: Map<string, { target: string; line: number; m: Mask[]; why: (Why | null)[] }>;
  /** By position and lock facts of the state that shows it. */
  lockIssues: Map<string, LockIssue>;
  /** Locks acquired or released here or by callees, by path. */
  touched: Map<string, { kind: LockKind; line: number; via: string }>;
  /** Queued-lock handles acquired or released through (here or by callees), by path: the last such call. */
  handleTouched: Map<string, { kind: LockKind; line: number; via: string }>;
  /** A callee did something to locks the analysis cannot name here. */
  unknownLocks: boolean;
  /** The function's parameters (a restore of one is its callers' saved value). */
  params: string[];
  /** Locals that only ever hold one path of a parameter or global (`PAD ad = Lu->AdapterExtension;`), expanded (`aliasLocals`). */
  aliases: ReadonlyMap<string, string>;
}

/** The identifier naming a function in its definition (`Foo` of `NTSTATUS\nFoo(PIRP Irp)`). */
function functionNameNode(def: SyntaxNode): SyntaxNode | undefined {
  let d: SyntaxNode | undefined = def.childForFieldName('declarator') ?? undefined;
  while (d && d.type !== 'identifier' && d.type !== 'field_identifier' && d.type !== 'qualified_identifier' && d.type !== 'destructor_name') {
    d = d.childForFieldName('declarator') ?? d.namedChildren.find((c) => /declarator|identifier/.test(c.type)) ?? undefined;
  }
  return d ?? undefined;
}

/** Pool allocation routines whose first argument is the pool type or flags. */
const POOL_ALLOC = /^ExAllocatePool(?:WithTag|WithQuotaTag|WithTagPriority|Zero|Uninitialized|2|3)?$/;

/** The pool allocations of a function, by variable: the kinds of pool assigned to it, and whether anything else (not NULL) is. */
type PoolVars = Map<string, { kinds: Set<BufferKind>; other: boolean }>;

function poolVars(body: SyntaxNode): PoolVars {
  const out: PoolVars = new Map();
  for (const n of nodesOf(body)) {
    const a = assignmentOf(n);
    if (!a?.target) continue;
    const v = unparen(a.value);
    let e = out.get(a.target);
    if (!e) out.set(a.target, (e = { kinds: new Set(), other: false }));
    if (v.type === 'call_expression' && POOL_ALLOC.test(calleeOf(v) ?? '')) {
      const t = argsOf(v)[0]?.text ?? '';
      e.kinds.add(PAGED.test(t) ? 'pageable' : NONPAGED.test(t) ? 'nonpageable' : 'unknown');
    } else if (!/^(NULL|0|nullptr)$/.test(v.text)) e.other = true;
  }
  return out;
}

/** Variables every assignment of which is a paged-pool allocation (or NULL). */
function pagedBlocks(pools: PoolVars): Set<string> {
  const paged = new Set<string>();
  for (const [k, e] of pools) if (!e.other && e.kinds.size === 1 && e.kinds.has('pageable')) paged.add(k);
  return paged;
}

/**
 * A file's pageable code sections: `#pragma alloc_text(PAGE, A, B)` names, `#pragma code_seg("PAGE")` regions,
 * and the functions declared `__declspec(code_seg("PAGE"))`. Read once per file (the command line reads it
 * while the text is at hand: `readIrqlTexts`).
 */
interface PageableSections {
  named: Map<string, { section: string; line: number }>;
  regions: { from: number; to: number; section: string; line: number }[];
  declared: Map<FunctionInfo, string>;
}
const sectionsMemo = new WeakMap<SourceFile, PageableSections>();
function pageableSections(file: SourceFile): PageableSections {
  let out = sectionsMemo.get(file);
  if (out) return out;
  out = { named: new Map(), regions: [], declared: new Map() };
  sectionsMemo.set(file, out);
  const { named, regions, declared } = out;
  const text = file.text;
  const codeSeg = text.includes('code_seg');
  if (!codeSeg && !text.includes('alloc_text')) return out;
  // (`__declspec(code_seg("PAGE"))` heads: only in a text that names code_seg)
  if (codeSeg) for (const fn of file.functions) {
    // the declaration's head: from the end of the statement before it to its body
    const before = text.slice(Math.max(0, fn.start - 300), fn.start);
    const header = before.slice(Math.max(before.lastIndexOf(';'), before.lastIndexOf('}')) + 1) + text.slice(fn.start, fn.bodyStart);
    const ds = /code_seg\s*\(\s*"(PAGE\w*)"\s*\)/.exec(header);
    if (ds) declared.set(fn, ownCopy(ds[1]!));
  }
  if (!/#\s*pragma\s+(alloc_text|code_seg)/.test(text)) return out;
  const lineOf = lineIndex(text);
  for (const m of text.matchAll(/#\s*pragma\s+alloc_text\s*\(\s*"?(\w+)"?\s*,([^)]*)\)/g)) {
    if (!/^PAGE/i.test(m[1]!)) continue;
    const line = lineOf(m.index);
    // (copies: the index is kept for the run, the text is built again from a patch: see source-text.ts)
    for (const n of m[2]!.split(',')) if (n.trim()) named.set(ownCopy(n.trim()), { section: ownCopy(m[1]!), line });
  }
  let open: { from: number; section: string; line: number } | undefined;
  for (const m of text.matchAll(/#\s*pragma\s+code_seg\s*\(([^)]*)\)/g)) {
    if (open) regions.push({ ...open, to: m.index });
    open = undefined;
    const sec = /"(\w+)"/.exec(m[1]!)?.[1];
    if (sec && /^PAGE/i.test(sec) && !/^\s*pop\b/.test(m[1]!)) open = { from: m.index, section: ownCopy(sec), line: lineOf(m.index) };
  }
  if (open) regions.push({ ...open, to: text.length });
  return out;
}

/**
 * Read now what the IRQL analysis reads of every file's text for the whole program (annotations, role
 * declarations and registrations: `fileIrqlFacts`; pageable sections; the program-wide flags are `textScan`'s,
 * read with the program view's), while the text is at
 * hand: the command line calls it before the file holds its text compressed (see `readWhileHeld`), so that
 * these passes do not inflate every file again. `table`: the program's IRQL table (`Project.irqlTable`).
 */
export function readIrqlTexts(file: SourceFile, table: IrqlTable): void {
  fileIrqlFacts(file, table);
  pageableSections(file);
}

/** Offset -> 1-based line of a text. */
function lineIndex(text: string): (off: number) => number {
  const src = new LiteSource(text);
  return (off) => src.lineOf(off);
}

/** Locals whose every assignment (and initializer) is the same named constant: `POOL_TYPE t = PagedPool;`. */
function constLocals(body: SyntaxNode): Map<string, string> {
  const seen = new Map<string, string | null>();
  for (const n of nodesOf(body)) {
    let name: string | undefined;
    let value: string | undefined;
    const a = assignmentOf(n);
    if (a) {
      name = a.target;
      const v = unparen(a.value);
      value = v.type === 'identifier' && /^[A-Z][A-Za-z0-9_]*$/.test(v.text) ? v.text : undefined;
    } else if ((n.type === 'update_expression' || (n.type === 'pointer_expression' && n.text.trimStart().startsWith('&'))) && n.childForFieldName('argument')?.type === 'identifier') {
      name = n.childForFieldName('argument')!.text;
    } else continue;
    if (!name) continue;
    const prev = seen.get(name);
    seen.set(name, value !== undefined && (prev === undefined || prev === value) ? value : null);
  }
  // only locals initialized where they are declared (a parameter or an uninitialized local holds something else first)
  const initialized = new Set<string>();
  for (const n of nodesOf(body)) if (n.type === 'init_declarator') initialized.add(declName(n.childForFieldName('declarator')) ?? '');
  const out = new Map<string, string>();
  for (const [k, v] of seen) if (v && initialized.has(k)) out.set(k, v);
  return out;
}

/**
 * Locals initialized where they are declared with a path (`PAD ad = LogicalUnit->AdapterExtension;`,
 * `PEXT ext = (PEXT)DeviceObject->DeviceExtension;`) and never assigned again nor passed by address: the
 * local names that path for the whole function. Each maps to its expansion down to a parameter or a global
 * (another such local expanded in turn), so that a lock taken through `&Lu->AdapterExtension->SpinLock`
 * and released through `&ad->SpinLock` is one lock, and a helper's lock through a local is its callers'.
 */
function aliasLocals(body: SyntaxNode, params: readonly string[]): Map<string, string> {
  const init = new Map<string, string>();
  const written = new Map<string, number>();
  for (const n of nodesOf(body)) {
    if (n.type === 'init_declarator') {
      const name = declName(n.childForFieldName('declarator'));
      const v = n.childForFieldName('value');
      const path = v ? pathValue(v) : undefined;
      if (name) {
        written.set(name, (written.get(name) ?? 0) + 1);
        if (path) init.set(name, path);
      }
    } else if (n.type === 'assignment_expression' || n.type === 'update_expression' || isAddressOf(n)) {
      const x = n.childForFieldName(n.type === 'assignment_expression' ? 'left' : 'argument');
      const e = x ? unparen(x) : undefined;
      if (e?.type === 'identifier') written.set(e.text, (written.get(e.text) ?? 0) + 2);
    }
  }
  const out = new Map<string, string>();
  for (const [name, path] of init) if (written.get(name) === 1 && !params.includes(name)) out.set(name, path);
  // expand through each other (a chain of at most 8; a cycle is left as it is)
  for (const [name, path] of out) {
    let p = path;
    for (let k = 0; k < 8; k++) {
      // (an identifier may have any letter: MSVC takes `ꖇtack` as a name)
      const root = /^[\p{L}_$][\p{L}\p{N}_$]*/u.exec(p)?.[0];
      if (root === undefined) break;
      const next = out.get(root);
      if (next === undefined || root === name) break;
      p = next + p.slice(root.length);
    }
    out.set(name, p);
  }
  return out;
}

/** An initializer that is a plain path (`Lu->AdapterExtension`, `(PEXT)Dev->DeviceExtension`, `&Ext->Queue`), without spaces. */
function pathValue(v: SyntaxNode): string | undefined {
  let e = unparen(v);
  for (let k = 0; k < 4 && e.type === 'cast_expression'; k++) e = unparen(e.childForFieldName('value') ?? e);
  if (e.type !== 'field_expression') return undefined;
  // (a call, a subscript or an arithmetic expression anywhere in it: not one path)
  for (const n of nodesOf(e)) if (n.type !== 'field_expression' && n.type !== 'identifier' && n.type !== 'field_identifier' && n.type !== 'parenthesized_expression') return undefined;
  return e.text.replace(/\s+/g, '');
}

/** A lock's state after an operation; `key` is the path it is tracked under, `written` the path as the code wrote it (named by messages when they differ, see `lockPath`). */
function lockFact(held: boolean, line: number, via: string, kind: LockKind, key: string, written: string | undefined): LockFact {
  const fact: LockFact = { held, line, via, kind };
  if (written !== undefined && written !== key) fact.name = written;
  return fact;
}

/**
 * A function name that says it takes a lock: among its words (split at `::`, `_` and lower-to-upper case
 * changes) `Acquire` or `Lock`, and none of `Release`, `Unlock`, `Free` (`TcpipAcquireSpinLock`,
 * `NdisAcquireReadWriteLock`, `LockQueue`; not `ReleaseLock`).
 */
export function namesAcquirer(name: string): boolean {
  const words = shortName(name)
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_]+/)
    .map((w) => w.toLowerCase());
  return words.some((w) => w === 'acquire' || w === 'lock') && !words.some((w) => w === 'release' || w === 'unlock' || w === 'free');
}

/** The path starts from one of these parameters (`Handle`, `Dev->Lock` of parameter `Dev`). */
function isParamPath(params: readonly string[], p: string): boolean {
  const root = rootOf(p);
  return root !== undefined && params.includes(root);
}

/** A lock argument's path, with a local of `aliasLocals` at its root expanded (`ad->SpinLock` → `Lu->AdapterExtension->SpinLock`). */
function lockPath(fx: FnCtx, n: SyntaxNode | undefined): string | undefined {
  const p = slotPath(n);
  return p === undefined ? p : expandAlias(fx, p);
}

/** A path with a local of `aliasLocals` at its root expanded. */
function expandAlias(fx: FnCtx, p: string): string {
  if (!fx.aliases.size) return p;
  const root = /^[A-Za-z_]\w*/.exec(p)?.[0];
  const to = root ? fx.aliases.get(root) : undefined;
  return to === undefined ? p : to + p.slice(root!.length);
}

/**
 * The locals of a body that are, or point at, the function's own storage: its arrays (`EXT locals[2];`), and
 * the locals an assignment or initializer points at a local (`p = &local`, `(PEXT)&local.Field`,
 * `b ? &x : &y`; not `&ctx->Lock` through a local pointer) or at a local array (`p = locals`).
 */
function ownStorage(body: SyntaxNode, locals: ReadonlySet<string>, params: readonly string[]): Set<string> {
  const arrays = new Set<string>();
  for (const n of nodesOf(body)) {
    if (n.type !== 'declaration') continue;
    for (const c of n.namedChildren) {
      const d = c.type === 'init_declarator' ? c.childForFieldName('declarator') : c;
      const name = d?.type === 'array_declarator' ? declName(d) : undefined;
      if (name) arrays.add(name);
    }
  }
  const local = (name: string) => locals.has(name) && !params.includes(name);
  /** The variable whose own storage `e` is (`local`, `local.Field`, `local[1]`), if any. */
  const storageOf = (e: SyntaxNode): string | undefined => {
    let x = stripCasts(e);
    while ((x.type === 'field_expression' && x.childForFieldName('operator')?.text !== '->') || x.type === 'subscript_expression') x = stripCasts(x.childForFieldName('argument') ?? x);
    return x.type === 'identifier' ? x.text : undefined;
  };
  const out = new Set<string>(arrays);
  for (const n of nodesOf(body)) {
    const a = assignmentOf(n);
    if (!a?.target || out.has(a.target)) continue;
    for (const v of nodesOf(a.value)) {
      const of = isAddressOf(v)
        ? storageOf(v.childForFieldName('argument') ?? v)
        : castAddress(v)
          ? storageOf(v.childForFieldName('right') ?? v)
          : v.type === 'identifier' && arrays.has(v.text)
            ? v.text
            : undefined;
      if (of !== undefined && local(of)) {
        out.add(a.target);
        break;
      }
    }
  }
  return out;
}

/** `(PEXT)&local`, which C's grammar reads as `(PEXT) & local`: a parenthesized name, then `&`. */
function castAddress(n: SyntaxNode): boolean {
  if (n.type !== 'binary_expression' || n.childForFieldName('operator')?.text !== '&') return false;
  const l = n.childForFieldName('left');
  return l?.type === 'parenthesized_expression' && l.namedChildCount === 1 && /^(identifier|type_identifier)$/.test(l.namedChild(0)!.type);
}

/** Names declared in a function body (its locals). */
function localNames(body: SyntaxNode): Set<string> {
  const out = new Set<string>();
  for (const n of nodesOf(body)) {
    if (n.type !== 'declaration') continue;
    for (const d of n.namedChildren.filter((c) => c.type === 'identifier' || /declarator$/.test(c.type))) {
      const name = declName(d.type === 'init_declarator' ? d.childForFieldName('declarator') : d);
      if (name) out.add(name);
    }
  }
  return out;
}

/**
 * A callee's lock path in the caller's terms: `Ext->Lock` with the parameter `Ext` bound to `dev->Ext`
 * is `dev->Ext->Lock`, bound to `&ext` it is `ext.Lock`; a global's path is the same. Undefined when
 * the argument is not a plain path.
 */
function mapCalleePath(path: string, params: string[], args: SyntaxNode[]): string | undefined {
  const root = /^[A-Za-z_]\w*/.exec(path)?.[0];
  if (!root) return undefined;
  const k = params.indexOf(root);
  if (k < 0) return path;
  const a = args[k] ? unparen(args[k]!) : undefined;
  if (!a) return undefined;
  const rest = path.slice(root.length);
  const t = a.text.replace(/\s+/g, '');
  if (a.type === 'identifier' || a.type === 'field_expression' || a.type === 'subscript_expression') return rest.startsWith('->') ? `${t}${rest}` : rest === '' ? `*${t}` : undefined;
  if (a.type === 'pointer_expression' && t.startsWith('&')) {
    const inner = slotPath(a);
    if (!inner) return undefined;
    if (rest === '') return inner;
    return rest.startsWith('->') ? `${inner}.${rest.slice(2)}` : undefined;
  }
  return undefined;
}

/** The IRQL engine of one run: analyses and contexts per function, computed once, on demand. */
/**
 * What one file contributes to the IRQL engine's program-wide indexes: IRQL annotations and the
 * functions they belong to, role-type declarations and assignments, callback registrations (by the
 * registered name, resolved by the engine), functions annotated to change the IRQL. Kept per parsed file
 * and table, so that a program rebuilt after an edit (the language server) rescans only the edited file.
 */
interface FileIrqlFacts {
  table: IrqlTable;
  changes: string[];
  annotations: [string, IrqlAnnotation][];
  roles: [string, { role: string; path: string; line: number }][];
  registrations: { fname: string; via: string; path: string; line: number; min: number; max: number; role?: string }[];
  /** What the annotations of a declaration say the function does to the IRQL (see `ProtoEffect`). */
  protoEffects: [string, ProtoEffect][];
}

/**
 * `_IRQL_raises_(L)`, `_IRQL_saves_` (of the function: the result; of a parameter: where it points) and
 * `_IRQL_restores_` (of a parameter) as written on a function's declaration: for a function the program only
 * declares (a library's, another module's), its call raises, saves and restores as they say.
 */
interface ProtoEffect {
  raises?: number;
  saves?: 'return' | number;
  restores?: number;
}

/** A level written in an annotation's argument: a name (`DISPATCH_LEVEL`) or a number 0..31. */
function irqlLevelOfText(t: string | undefined): number | undefined {
  const x = t?.trim();
  if (!x) return undefined;
  if (/^\d+$/.test(x)) return Number(x) <= 31 ? Number(x) : undefined;
  return irqlLevelByName(x);
}

/** `name(` ... with `offset` inside its parentheses, at top level of them: the name and the index of the parameter there. */
function enclosingParam(text: string, offset: number): { name: string; index: number } | undefined {
  let depth = 0;
  let commas = 0;
  for (let k = offset - 1; k >= 0 && offset - k < 2000; k--) {
    const c = text[k];
    if (c === ')' || c === ']') depth++;
    else if (c === '[') depth--;
    else if (c === '(') {
      if (depth > 0) {
        depth--;
        continue;
      }
      const m = /([A-Za-z_]\w*)\s*$/.exec(text.slice(Math.max(0, k - 200), k));
      return m ? { name: m[1]!, index: commas } : undefined;
    } else if (c === ',' && depth === 0) commas++;
    else if (c === ';' || c === '{' || c === '}') return undefined;
  }
  return undefined;
}
const fileIrqlFactsMemo = new WeakMap<SourceFile, FileIrqlFacts>();
let roleDeclRe: RegExp | undefined;
let memberRoleRe: RegExp | undefined;
const MEMBER_ROLES = memberRoles();

/** An IRQL annotation of a function named in `FileIrqlFacts.annotations`: of a member of `cls`, when it is one. */
interface IrqlAnnotation {
  text: string;
  path: string;
  line: number;
  cls?: string;
}

const classRangesMemo = new WeakMap<SourceFile, [start: number, end: number, name: string][]>();

/**
 * The innermost class (`class`, `struct`) whose body holds `offset` in a C++ file's text, by its braces (the
 * preprocessed text's: comments and strings are skipped).
 */
function classAt(file: SourceFile, offset: number): string | undefined {
  let ranges = classRangesMemo.get(file);
  if (!ranges) {
    ranges = [];
    const t = file.parsedText;
    // (a comment that does not end runs to the end of the text)
    const endOf = (found: number) => (found < 0 ? t.length : found);
    for (const m of t.matchAll(/\b(?:class|struct)\s+(?:__declspec\s*\([^()]*\)\s*|alignas\s*\([^()]*\)\s*)*([A-Za-z_]\w*)\s*(?:final\s*)?(?::[^{};()]*)?\{/g)) {
      const open = m.index + m[0].length - 1;
      let depth = 0;
      let k = open;
      for (; k < t.length; k++) {
        const c = t[k];
        if (c === '{') depth++;
        else if (c === '}' && --depth === 0) break;
        else if (c === '/' && t[k + 1] === '/') k = endOf(t.indexOf('\n', k));
        else if (c === '/' && t[k + 1] === '*') k = endOf(t.indexOf('*/', k + 2)) + 1;
        else if (c === '"' || c === "'") {
          for (k++; k < t.length && t[k] !== c && t[k] !== '\n'; k++) if (t[k] === '\\') k++;
        }
      }
      ranges.push([open, k, ownCopy(m[1]!)]);
    }
    classRangesMemo.set(file, ranges);
  }
  let best: [number, number, string] | undefined;
  for (const r of ranges) if (r[0] < offset && offset < r[1] && (!best || r[0] > best[0])) best = r;
  return best?.[2];
}

/** The class a function is a member of: `Class::Name`, else (C++) the class body its definition is in. */
function classOf(pf: ProjectFunction): string | undefined {
  const parts = pf.name.split('::');
  if (parts.length > 1) return parts[parts.length - 2]!.trim();
  return pf.file && pf.fn && pf.file.lang === 'cpp' ? classAt(pf.file, pf.fn.start) : undefined;
}

function fileIrqlFacts(file: SourceFile, table: IrqlTable): FileIrqlFacts {
  const cached = fileIrqlFactsMemo.get(file);
  if (cached && cached.table === table) return cached;
  const facts: FileIrqlFacts = { table, changes: [], annotations: [], roles: [], registrations: [], protoEffects: [] };
  roleDeclRe ??= new RegExp(`\\b(${allRoleNames().join('|')})\\s+([A-Za-z_]\\w*(?:\\s*,\\s*[A-Za-z_]\\w*)*)\\s*;`, 'g');
  let lineOf: ((off: number) => number) | undefined;
  const lineAt = (off: number) => (lineOf ??= lineIndex(file.text))(off);
  for (const a of file.annotations) {
    if (CHANGES_IRQL.test(a.name)) {
      const m = /^[\s\w*:&<>,~]*?\b([A-Za-z_]\w*)\s*\(/.exec(file.parsedText.slice(a.end, a.end + 400).replace(/\b_\w+_\s*\([^()]*(?:\([^()]*\)[^()]*)*\)/g, ''));
      // written on a parameter (`_Inout_ _Acquires_exclusive_lock_(*SpinLock) PKSPIN_LOCK SpinLock`,
      // `__deref __drv_acquiresExclusiveResource(KeSpinLockType) PKSPIN_LOCK SpinLock`): the function whose
      // parameter list it is in (not an annotation it is an argument of: `__drv_when(c, __drv_setsIRQL(2))`)
      const param = enclosingParam(file.parsedText, a.start);
      if (param && !param.name.startsWith('_')) facts.changes.push(ownCopy(param.name));
      else if (m) facts.changes.push(ownCopy(m[1]!));
      // (a class member's annotations are its class's: `FxSpinLock::AcquireLock` raises, `FxWaitLock`'s does not)
      const member = file.lang === 'cpp' && (classAt(file, a.start) !== undefined || /::\s*[A-Za-z_]\w*\s*$/.test(file.parsedText.slice(a.end, a.end + 400).split('(')[0] ?? ''));
      const kind = member ? undefined : /raises/i.test(a.name) ? 'raises' : /^(_IRQL_saves_|__drv_savesIRQL)$/.test(a.name) ? 'saves' : /^(_IRQL_restores_|__drv_restoresIRQL)$/.test(a.name) ? 'restores' : undefined;
      if (kind === 'raises' && m) {
        const level = irqlLevelOfText(/\(([^()]*)\)/.exec(a.text)?.[1]);
        if (level !== undefined) facts.protoEffects.push([ownCopy(m[1]!), { raises: level }]);
      } else if (kind === 'saves' && m) facts.protoEffects.push([ownCopy(m[1]!), { saves: 'return' }]);
      else if (kind === 'saves' || kind === 'restores') {
        // written on a parameter: the function whose parameter list it is in
        if (param) facts.protoEffects.push([ownCopy(param.name), kind === 'saves' ? { saves: param.index } : { restores: param.index }]);
      }
    }
    if (!IRQL_RANGE_ANNOTATION.test(a.name)) continue;
    // the function it belongs to: the next `name(` after it, with only types and annotations between
    const rest = file.parsedText.slice(a.end, a.end + 400);
    const m = /^[\s\w*:&<>,~]*?\b((?:[A-Za-z_]\w*\s*::\s*)*)([A-Za-z_]\w*)\s*\(/.exec(rest);
    if (!m) continue;
    const ann: IrqlAnnotation = { text: ownCopy(a.text.replace(/\s+/g, '')), path: file.path, line: lineAt(a.start) };
    // the class it belongs to: `Class::Name(`, else the class body it is declared in
    const cls = m[1] ? m[1].split('::').map((x) => x.trim()).filter(Boolean).pop() : file.lang === 'cpp' ? classAt(file, a.end) : undefined;
    if (cls) ann.cls = ownCopy(cls);
    facts.annotations.push([ownCopy(m[2]!), ann]);
  }
  // (the names read of the original text are copies: the facts are kept for the run, the text may be built
  // again from a patch, see source-text.ts)
  for (const m of file.text.matchAll(roleDeclRe)) {
    for (const n of m[2]!.split(',')) facts.roles.push([ownCopy(n.trim()), { role: ownCopy(m[1]!), path: file.path, line: lineAt(m.index) }]);
  }
  // a routine stored in the member of a structure that gives it its role: `DriverObject->DriverStartIo = Fn`,
  // `FastIoDispatch->FastIoRead = Fn` (the table's `member`), not on a line commented out
  memberRoleRe ??= new RegExp(`(?:->|\\.)\\s*(${[...MEMBER_ROLES.keys()].join('|')})\\s*=\\s*(?:\\(\\s*P?[A-Z_]+\\s*\\)\\s*)?&?\\s*([A-Za-z_]\\w*)\\s*;`, 'g');
  for (const m of file.text.matchAll(memberRoleRe)) {
    if (file.text.slice(file.text.lastIndexOf('\n', m.index) + 1, m.index).includes('//')) continue;
    facts.roles.push([ownCopy(m[2]!), { role: MEMBER_ROLES.get(m[1]!)!, path: file.path, line: lineAt(m.index) }]);
  }
  if (REGISTRATION_WORDS.test(file.parsedText)) {
    for (const fn of file.functions) {
      if (!REGISTRATION_WORDS.test(parsedSlice(file, fn.bodyStart, fn.bodyEnd))) continue;
      const stack: SyntaxNode[] = [liteBody(file, fn)];
      while (stack.length) {
        const n = stack.pop()!;
        if (n.type === 'call_expression') {
          const name = calleeOf(n);
          const reg = name ? table.registration(name) : undefined;
          if (reg) {
            const args = argsOf(n);
            const fname = routineArgument(args[reg.fnArg]);
            if (fname) {
              // (copies: read while the text is at hand, a slice of it would keep the whole text for the run)
              const r: FileIrqlFacts['registrations'][number] = { fname: ownCopy(fname), via: ownCopy(name!), path: file.path, line: n.startPosition.row + 1, min: reg.min, max: reg.max };
              if (reg.role) r.role = reg.role;
              facts.registrations.push(r);
            }
            // the other routines the call registers, with the roles they take (IoCsqInitialize's CsqReleaseLock)
            for (const [k, role] of Object.entries(reg.roleArgs ?? {})) {
              const other = routineArgument(args[Number(k)]);
              if (other) facts.roles.push([ownCopy(other), { role, path: file.path, line: n.startPosition.row + 1 }]);
            }
          }
        }
        pushNamedChildren(stack, n);
      }
    }
  }
  fileIrqlFactsMemo.set(file, facts);
  return facts;
}

/** The routine a registration's argument names (`Fn`, `&Fn`), if it is a name. */
function routineArgument(a: SyntaxNode | undefined): string | undefined {
  const t = a ? unparen(a) : undefined;
  return t?.type === 'identifier' ? t.text : t?.type === 'pointer_expression' ? t.childForFieldName('argument')?.text : undefined;
}

/**
 * With an explicit stack, visit what `start` reaches through `next`, each node after the nodes it reaches
 * (post-order), every `id` once, skipping the nodes `done` says need no visit; `start` itself is left to
 * the caller. The IRQL analysis's walks of the call graph (callees first, callers first) are this walk.
 */
function visitReachedFirst<T>(start: T, next: (t: T) => readonly T[], id: (t: T) => string, done: (t: T) => boolean, visit: (t: T) => void): void {
  const seen = new Set<string>([id(start)]);
  const stack: { node: T; next: readonly T[]; i: number }[] = [{ node: start, next: next(start), i: 0 }];
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    if (top.i < top.next.length) {
      const g = top.next[top.i++]!;
      if (done(g)) continue;
      const k = id(g);
      if (seen.has(k)) continue;
      seen.add(k);
      stack.push({ node: g, next: next(g), i: 0 });
      continue;
    }
    stack.pop();
    if (stack.length) visit(top.node);
  }
}

export class IrqlEngine {
  private readonly analyses = new Map<string, FunctionIrql | null>();
  private readonly contextCache = new Map<string, IrqlContext[]>();
  private readonly inProgress = new Set<string>();
  /** `analyzeCalleesFirst` or `contextsOfCallersFirst` is running: the functions it asks for need no walk of their own. */
  private preparing = false;
  private preparingContexts = false;
  private annotationIndex: Map<string, IrqlAnnotation[]> | undefined;
  private roleIndex: Map<string, { role: string; path: string; line: number }[]> | undefined;
  /** Functions annotated to return at another IRQL or holding / releasing a lock (by unqualified name). */
  private changeIndex: Set<string> | undefined;
  private protoIndex: Map<string, ProtoEffect> | undefined;
  private readonly protoContracts = new Map<string, IrqlContract | null>();

  private annotatedNames: Set<string> | undefined;
  /** The text calls a function whose declaration has IRQL annotations (see `prototypeContract`). */
  private callsAnnotatedDeclaration(openers: readonly string[]): boolean {
    if (!this.annotatedNames) {
      this.buildIndexes();
      this.annotatedNames = new Set([...this.annotationIndex!.keys(), ...this.protoIndex!.keys()]);
    }
    if (!this.annotatedNames.size) return false;
    return openers.some((n) => this.annotatedNames!.has(n));
  }

  /**
   * The contract of a function the program only declares, from its declarations' annotations: the range
   * (`_IRQL_requires_max_`...) its calls are checked against, and what it does to the IRQL (`_IRQL_raises_`,
   * `_IRQL_saves_`, `_IRQL_restores_`). Undefined: no such annotation.
   */
  prototypeContract(name: string): IrqlContract | undefined {
    const cached = this.protoContracts.get(name);
    if (cached !== undefined) return cached ?? undefined;
    this.buildIndexes();
    let lo: number | undefined;
    let hi: number | undefined;
    for (const a of this.annotationIndex!.get(name) ?? []) {
      if (a.cls !== undefined) continue;
      const m = /^(_IRQL_requires_|_IRQL_requires_max_|_IRQL_requires_min_|__drv_maxIRQL|__drv_minIRQL|__drv_requiresIRQL)\((\w+)\)$/.exec(a.text);
      const v = m ? irqlLevelOfText(m[2]) : undefined;
      if (!m || v === undefined) continue;
      if (m[1] === '_IRQL_requires_' || m[1] === '__drv_requiresIRQL') {
        lo = Math.max(lo ?? 0, v);
        hi = Math.min(hi ?? 31, v);
      } else if (m[1] === '_IRQL_requires_max_' || m[1] === '__drv_maxIRQL') hi = Math.min(hi ?? 31, v);
      else lo = Math.max(lo ?? 0, v);
    }
    const fx = this.protoIndex!.get(name);
    let c: IrqlContract | undefined;
    if ((lo !== undefined || hi !== undefined) && (lo ?? 0) <= (hi ?? 31)) c = { min: lo ?? 0, max: hi ?? 31 };
    const effects: IrqlEffect[] = [];
    if (fx?.raises !== undefined) {
      effects.push(fx.saves === undefined ? { op: 'raise', level: fx.raises } : { op: 'raise', level: fx.raises, savedTo: fx.saves === 'return' ? 'return' : { arg: fx.saves } });
    }
    if (fx?.restores !== undefined) effects.push({ op: 'lower', levelArg: fx.restores });
    if (effects.length) c = { ...(c ?? {}), effect: effects };
    this.protoContracts.set(name, c ?? null);
    return c;
  }
  private registrationIndex: Map<string, { via: string; path: string; line: number; min: number; max: number; role?: string }> | undefined;


  constructor(private readonly project: Project) {}

  /** Run `walk` with the flag set, unless it is set already (the walk in progress covers what it would do). */
  private whileUnset(flag: 'preparing' | 'preparingContexts', walk: () => void): void {
    if (this[flag]) return;
    this[flag] = true;
    try {
      walk();
    } finally {
      this[flag] = false;
    }
  }

  // ---- per-function analysis ----------------------------------------------------------------

  analysisOf(file: SourceFile, fn: FunctionInfo): FunctionIrql | undefined {
    const key = functionKeyOf(file, fn);
    if (this.analyses.has(key)) return this.analyses.get(key) ?? undefined;
    if (this.inProgress.has(key)) return undefined; // recursion: the callee's effect is unknown (unchanged)
    if (this.inProgress.size === 0) this.whileUnset('preparing', () => this.analyzeCalleesFirst(file, fn));
    this.inProgress.add(key);
    let r: FunctionIrql | null = null;
    try {
      r = this.analyze(file, fn);
    } finally {
      this.inProgress.delete(key);
    }
    // (a function whose file was linted for the last time keeps only what other functions read of it)
    this.analyses.set(key, r && this.linted.has(key) ? this.stripped(key, r) : r);
    return r ?? undefined;
  }

  /**
   * The analysis of a function for its own findings (`irqlViolations`, `returnViolations`, `lockIssues`):
   * those of a function whose file was linted for the last time (`fileLinted`) are gone, and reading them
   * would report nothing instead of the findings, so it fails loudly.
   */
  ownAnalysis(file: SourceFile, fn: FunctionInfo): FunctionIrql | undefined {
    const key = functionKeyOf(file, fn);
    if (this.linted.has(key)) throw new Error(`the IRQL analysis of '${fn.name}' was dropped after its file was linted (a file linted twice in a run that lints each once)`);
    return this.analysisOf(file, fn);
  }

  // ---- a run that lints each file once (the command line) -------------------------------------
  //
  // Each function's analysis and contexts are kept for the whole run, as other functions read them, but
  // not all of their parts are read by others: a function's observations (its calls with their IRQLs, its
  // returns, its lock issues) are read only by its own lint, and its contexts and call sites only by the
  // contexts of the functions it calls. Once its file is linted for the last time, the former are dropped;
  // the latter once every function it calls has its contexts. On Windows-driver-samples this is most of
  // what the IRQL analysis holds at the end of a run.

  /** Functions (by key) whose file has been linted for the last time (`fileLinted`). */
  private readonly linted = new Set<string>();
  /** Functions whose contexts have been computed (they may since have been dropped). */
  private readonly contextsDone = new Set<string>();
  /** Linted functions whose contexts and call sites have been dropped (`dropIfDone`). */
  private readonly dropped = new Set<string>();

  /**
   * The file has been linted and will not be again with this engine (the command line, which lints each
   * file of the program once; not the language server, which lints a file again after each edit).
   */
  fileLinted(file: SourceFile): void {
    for (const fn of file.functions) {
      const pf = this.project.functionOf(file, fn);
      if (!pf || pf.fn !== fn) continue;
      this.linted.add(pf.key);
      const a = this.analyses.get(pf.key);
      if (a) this.analyses.set(pf.key, this.stripped(pf.key, a));
      this.dropIfDone(pf);
    }
  }

  /** What the other functions read of a linted function's analysis: its exit levels and lock effects (callers), its call sites until dropped (callees' contexts). */
  private stripped(key: string, a: FunctionIrql): FunctionIrql {
    return { ...a, calls: NONE, returns: NONE, lockIssues: NONE, ...(this.dropped.has(key) ? { callSites: NO_CALL_SITES } : {}) };
  }

  /**
   * Drop a linted function's contexts and call sites once every function it calls has its contexts: the
   * contexts of a function are read only by its own lint and by the contexts of its callees (`contextsFrom`,
   * through the callees' `callersOf`, the inverse of `calleesOf`), its call sites only by the latter.
   */
  private dropIfDone(pf: ProjectFunction): void {
    if (this.dropped.has(pf.key) || !this.linted.has(pf.key)) return;
    for (const g of this.project.calleesOf(pf)) if (!this.contextsDone.has(g.key)) return;
    this.dropped.add(pf.key);
    this.contextCache.delete(pf.key);
    const a = this.analyses.get(pf.key);
    if (a && a.callSites !== NO_CALL_SITES) this.analyses.set(pf.key, { ...a, callSites: NO_CALL_SITES });
  }

  /** The contexts of `pf` are computed: its linted callers may now drop theirs. */
  private contextsComputed(pf: ProjectFunction): void {
    if (this.contextsDone.has(pf.key)) return;
    this.contextsDone.add(pf.key);
    if (this.linted.size === 0) return;
    for (const c of this.project.callersOf(pf)) if (this.linted.has(c.key)) this.dropIfDone(c);
  }

  /**
   * Analyse the functions this one reaches through calls, callees first: each analysis then finds its
   * callees' done, instead of recursing into them (a chain of 650 functions each calling the next
   * overflowed the stack, and the failure, never recorded, was met again by every rule). A function's
   * analysis does not depend on the order (calls within a recursive group are unknown).
   */
  private analyzeCalleesFirst(file: SourceFile, fn: FunctionInfo): void {
    const start = this.project.functionOf(file, fn);
    if (!start) return;
    visitReachedFirst(
      start,
      (f) => this.project.calleesOf(f),
      (f) => f.key,
      (g) => !g.fn || !g.file || this.analyses.has(g.key),
      (f) => this.analysisOf(f.file!, f.fn!),
    );
  }

  private analyze(file: SourceFile, fn: FunctionInfo): FunctionIrql | null {
    // a function that names no routine with an IRQL contract and calls no function of the linted files
    // neither changes the IRQL nor makes a call to check: no CFG needed
    // (what is read of the body's text was read when the file was parsed: `bodyFacts`)
    const facts = bodyFacts(file, fn);
    if (nestsTooDeep(file, fn)) return null; // not analyzed (the linter says so once)
    const pageSection = this.pageableSection(file, fn);
    const entryObs: IrqlCallObservation[] = [];
    if (pageSection && !facts.pagedCodeCall && !this.lockedSections().has(pageSection.section)) {
      // code placed in a pageable section: the function's own instructions may be paged out
      const whole = liteFunction(file, fn);
      const at = functionNameNode(whole) ?? whole;
      entryObs.push({
        kind: 'page-section', callee: `${fn.name} (section ${pageSection.section}, ${pageSection.how})`, line: at.startPosition.row + 1, column: at.startPosition.column + 1,
        endLine: at.endPosition.row + 1, endColumn: at.endPosition.column + 1, allowed: levelRange(0, 1), min: 0, max: 1, contractFrom: pageSection.how, m: [...ENTRY_LEVELS], why: new Array<Why | null>(NE).fill(null),
      });
    }
    if (!namesIrqlWord(file, fn, this.project.irqlWords) && !facts.pagedCode && !this.project.bodyCallsDefinedFunction(file, fn) && !this.callsAnnotatedDeclaration(facts.openers)) {
      return { fn, file, calls: entryObs.length ? entryObs : NONE, callSites: NO_CALL_SITES, exit: ALL_ENTRY_LEVELS, returns: NONE, lockIssues: NONE, lockEffects: NO_LOCK_EFFECTS };
    }
    // (the copy of the syntax tree is made only here, for the functions that need the analysis)
    if (tooDeep(file, fn) !== undefined) return null;
    const text = parsedSlice(file, fn.bodyStart, fn.bodyEnd);
    const { node, body, cfg } = functionCfg(file, fn, this.project);
    if (cfg.truncated) return null;
    const { zero, other } = timeoutAssignments(body);
    const fx: FnCtx = {
      file,
      self: this.project.functionOf(file, fn),
      zero,
      other,
      pagedBlocks: new Set<string>(),
      buffers: new Map(),
      consts: constLocals(body),
      calls: new Map(),
      callSites: new Map(),
      lockIssues: new Map(),
      touched: new Map(),
      handleTouched: new Map(),
      unknownLocks: false,
      params: fn.params,
      aliases: /Acquire|Release|Lock/.test(text) ? aliasLocals(body, fn.params) : NO_ALIASES,
    };
    const pools = /\bExAllocatePool/.test(text) ? poolVars(body) : new Map() as PoolVars;
    fx.pagedBlocks = pagedBlocks(pools);
    if (/\bIoAllocateMdl\b/.test(text)) fx.buffers = mdlBuffers(body, pools, fx.pagedBlocks);
    for (const o of entryObs) fx.calls.set(`entry:${o.line}:${o.column}`, o);
    // per node, the states of the paths reaching it, kept apart by what they know of the locks (a lock held
    // on one path and free on another stays so: a `goto cleanup` that skips a release, a loop that takes a
    // lock on each turn); the flags and IRQLs of the paths with the same lock facts are joined
    const states: (State[] | undefined)[] = cfg.nodes.map(() => undefined);
    states[cfg.entry] = [fresh()];
    const work = [cfg.entry];
    const queued = new Uint8Array(cfg.nodes.length);
    queued[cfg.entry] = 1;
    // the state at the exit, per return statement it came through and lock facts
    const exits = new Map<string, State>();
    const enqueue = (to: number) => {
      if (!queued[to]) {
        work.push(to);
        queued[to] = 1;
      }
    };
    const merge = (to: number, out: State) => {
      const list = states[to];
      if (!list) {
        states[to] = [copy(out)];
        return enqueue(to);
      }
      const sig = lockSignature(out);
      const k = list.findIndex((v) => lockSignature(v) === sig);
      const at = k >= 0 ? k : list.length < MAX_VARIANTS ? -1 : list.length - 1;
      if (at < 0) {
        list.push(copy(out));
        return enqueue(to);
      }
      const j = join(list[at]!, out);
      if (j.changed) {
        list[at] = j.s;
        enqueue(to);
      }
    };
    let steps = 0;
    // KeBugCheckEx, ExRaiseStatus...: nothing follows the statement but its exceptional edge (per node, once)
    const stopsAt = new Int8Array(cfg.nodes.length);
    const stops = (n: (typeof cfg.nodes)[number]): boolean => {
      if (stopsAt[n.id] === 0) stopsAt[n.id] = n.kind === 'stmt' && n.calls.some((c) => this.project.noReturn(file, calleeOf(c) ?? '')) ? 1 : -1;
      return stopsAt[n.id] === 1;
    };
    while (work.length) {
      const id = work.shift()!;
      queued[id] = 0;
      const n = cfg.nodes[id]!;
      const stopped = stops(n);
      for (const v of states[id]!) {
        if (++steps > 200_000) return null;
        const s = copy(v);
        // (a condition is taken to keep its value across calls: pairing a lock with its condition can only
        // remove findings, and a callee that changes the tested field is rare)
        for (const call of n.calls) this.transferCall(fx, call, n.ast, s);
        if (n.kind === 'return') s.ret = id;
        if (n.kind === 'stmt' && n.ast) {
          const w = new Map<string, number | undefined>();
          flagWrites(n.ast, w);
          for (const [k, val] of w) {
            if (val === undefined) s.flags = s.flags.delete(k);
            else s.flags = s.flags.set(k, val);
          }
          if (s.flags.size) forgetConds(s, writtenRoots(n.ast));
          for (const lw of levelWrites(n.ast)) s.saved = s.saved.set(lw.name, lw.level === 'current' ? [...s.m] : s.m.map((m) => (m ? bit(lw.level as number) : 0)));
        }
        for (const edge of n.succs) {
          if (stopped && edge.kind !== 'exception') continue;
          let out = s;
          if (edge.pp) {
            // the same preprocessor condition tested again: the build that took it one way takes it the same way
            const k = `#${edge.pp.key}`;
            const want = edge.pp.truth ? 1 : 0;
            const had = s.flags.get(k);
            if (had !== undefined && had !== want) continue;
            if (had === undefined) {
              out = copy(s);
              out.flags = out.flags.set(k, want);
            }
          }
          if (edge.cond && (edge.kind === 'true' || edge.kind === 'false')) {
            out = copy(s);
            refine(out, edge.cond, edge.kind === 'true');
            if (out.m.every((x) => x === 0)) continue; // this branch is never taken at any reachable IRQL
            if (!refineFlag(out, edge.cond, edge.kind === 'true')) continue; // the flag's value rules it out
            this.refineTry(fx, out, edge.cond, edge.kind === 'true', n.ast);
          }
          if (edge.to === cfg.exit) {
            const key = `${out.ret}|${lockSignature(out)}`;
            const prev = exits.get(key);
            exits.set(key, prev ? join(prev, out).s : copy(out));
          }
          merge(edge.to, out);
        }
      }
    }
    const exitStates = states[cfg.exit] ?? [];
    const exitState = exitStates.length ? exitStates.reduce((a, b) => join(a, b).s) : undefined;
    const exit = exitState ? exitState.m : new Array<Mask>(NE).fill(0);
    const exitParam = exitState && exitState.pr >= 0 ? exitState.pr : undefined;
    // per return: where it is (the `return`, or the closing brace), the IRQL and the locks held there, per lock facts
    const returns: ReturnObservation[] = [];
    let bodyLocals: Set<string> | undefined;
    /**
     * A lock that outlives the function: rooted at a parameter or at a name that is not a local, or reached
     * through a local pointer (`Granter->Lock` of `PXENVIF_GRANTER Granter = Argument;`, the context a callback
     * receives as a PVOID; `p[0].Lock`), unless that local is, or points at, storage of the function's own
     * (`ownStorage`).
     */
    let own: Set<string> | undefined;
    const outlives = (path: string) => {
      const bare = path.replace(/^[(\s]+/, '');
      const root = /^[A-Za-z_]\w*/.exec(bare.replace(/^[*&(\s]+/, ''))?.[0];
      if (!root) return false;
      if (fn.params.includes(root) || !(bodyLocals ??= localNames(body)).has(root)) return true;
      own ??= ownStorage(body, bodyLocals, fn.params);
      const rest = bare.slice(bare.indexOf(root) + root.length);
      // (through the local as a pointer, `*p`, `p->Lock`, `p[0].Lock`, unless it is or points at storage of its own)
      return (bare.startsWith('*') || rest.includes('->') || rest.startsWith('[')) && !own.has(root);
    };
    for (const [key, st] of exits) {
      const ret = Number(key.slice(0, key.indexOf('|')));
      if (ret === MIXED_RETURNS) continue;
      const at = ret >= 0 ? cfg.nodes[ret]!.ast : body.lastChild ?? undefined;
      if (!at) continue;
      const held: ReturnObservation['held'] = [];
      for (const [lock, f] of st.locks) if (f.held && EXIT_CHECKED_LOCKS.has(f.kind)) held.push({ lock: f.name ?? lock, line: f.line, via: f.via, outlives: outlives(lock) });
      returns.push({ line: at.startPosition.row + 1, column: at.startPosition.column + 1, m: st.m, why: st.why, held });
    }
    // what the function does to locks its callers can name (parameters' and globals' locks)
    let lockEffects: Map<string, LockEffect> | null = new Map();
    if (fx.unknownLocks) lockEffects = null;
    else if (fx.touched.size) {
      const locals = localNames(body);
      for (const [path, t] of fx.touched) {
        const root = /^[A-Za-z_]\w*/.exec(path)?.[0];
        if (!root || (locals.has(root) && !fn.params.includes(root))) continue;
        const f = exitState?.locks.get(path);
        lockEffects.set(path, { held: f?.held, kind: t.kind, line: f?.line ?? t.line, via: f?.via ?? t.via });
      }
    }
    // what the function leaves in its parameters' queued-lock handles (the same on every path)
    let handleEffects: Map<string, LockEffect & { lock: string }> | undefined;
    if (lockEffects && exitState?.qh.size) {
      const locals = localNames(body);
      const outside = (p: string) => {
        const root = rootOf(p);
        return !!root && (!locals.has(root) || fn.params.includes(root));
      };
      for (const [h, lock] of exitState.qh) {
        if (!isParamPath(fn.params, h) || (lock !== RELEASED_BY_HANDLE && !outside(lock))) continue;
        const t = fx.handleTouched.get(h);
        if (t) (handleEffects ??= new Map()).set(h, { lock, held: lock === RELEASED_BY_HANDLE ? false : exitState.locks.get(lock)?.held, kind: t.kind, line: t.line, via: t.via });
      }
    }
    const shared = new SharedEntries();
    for (const o of [...fx.calls.values(), ...fx.callSites.values(), ...returns]) {
      o.m = shared.masks(o.m);
      o.why = shared.why(o.why);
    }
    const r: FunctionIrql = {
      fn,
      file,
      calls: [...fx.calls.values()],
      callSites: fx.callSites.size ? fx.callSites : NO_CALL_SITES,
      exit,
      returns,
      lockIssues: [...fx.lockIssues.values()],
      lockEffects: lockEffects?.size === 0 ? NO_LOCK_EFFECTS : lockEffects,
    };
    if (exitParam !== undefined) r.exitParam = exitParam;
    if (handleEffects) r.handleEffects = handleEffects;
    return r;
  }

  private locked: Set<string> | undefined;
  /**
   * The pageable sections the program locks in memory: `MmLockPagableCodeSection(Function)` makes the section
   * holding that function resident until `MmUnlockPagableImageSection`, and the driver runs that section's code at
   * DISPATCH_LEVEL while it is (a SCSI port driver's verifier routines, locked when the verifier starts). Whether
   * each entry point runs inside that window is not followed: the section's functions are not reported for being
   * pageable (a PAGED_CODE() in them still is).
   */
  private lockedSections(): Set<string> {
    if (this.locked) return this.locked;
    this.locked = new Set();
    this.scanTexts();
    for (const [f, name] of this.codeSectionLocks!) {
      const pf = this.project.resolve(f, name);
      const sec = pf?.file && pf.fn ? this.pageableSection(pf.file, pf.fn) : undefined;
      if (sec) this.locked.add(sec.section);
    }
    return this.locked;
  }

  /** The pageable code section a function is placed in, if any (alloc_text, code_seg region, __declspec(code_seg)). */
  private pageableSection(file: SourceFile, fn: FunctionInfo): { section: string; how: string } | undefined {
    const idx = pageableSections(file);
    const short = shortName(fn.name);
    const named = idx.named.get(short);
    if (named) return { section: named.section, how: `#pragma alloc_text(${named.section}, ...) at line ${named.line}` };
    const ds = idx.declared.get(fn);
    if (ds) return { section: ds, how: `__declspec(code_seg("${ds}"))` };
    for (const r of idx.regions) if (fn.start >= r.from && fn.start < r.to) return { section: r.section, how: `#pragma code_seg("${r.section}") at line ${r.line}` };
    return undefined;
  }

  private transferCall(fx: FnCtx, call: SyntaxNode, stmt: SyntaxNode | undefined, s: State): void {
    const file = fx.file;
    const name = calleeOf(call);
    if (!name) return;
    const args = argsOf(call);
    const line = call.startPosition.row + 1;
    const column = call.startPosition.column + 1;
    const pos = `${line}:${column}`;
    const end = call.endPosition;
    const observe = (kind: ObservationKind, a: { allowed: Mask; min: number; max: number; allowedPer?: Mask[]; targetPer?: Mask[]; ifPageable?: Mask }, from: string) => {
      const prev = fx.calls.get(pos);
      if (prev) {
        for (let e = 0; e < NE; e++) {
          prev.m[e] = (prev.m[e]! | s.m[e]!) >>> 0;
          prev.why[e] ??= s.why[e]!;
          if (prev.allowedPer && a.allowedPer) prev.allowedPer[e] = (prev.allowedPer[e]! | a.allowedPer[e]!) >>> 0;
          if (prev.targetPer && a.targetPer) prev.targetPer[e] = (prev.targetPer[e]! | a.targetPer[e]!) >>> 0;
        }
      } else {
        const o: IrqlCallObservation = { kind, callee: name, line, column, endLine: end.row + 1, endColumn: end.column + 1, allowed: a.allowed, min: a.min, max: a.max, contractFrom: from, m: [...s.m], why: [...s.why] };
        if (a.allowedPer) o.allowedPer = [...a.allowedPer];
        if (a.targetPer) o.targetPer = [...a.targetPer];
        if (a.ifPageable !== undefined) o.ifPageable = a.ifPageable;
        fx.calls.set(pos, o);
      }
    };
    if (name === 'PAGED_CODE') {
      observe('paged-code', { allowed: levelRange(0, 1), min: 0, max: 1 }, 'PAGED_CODE');
      return;
    }
    let ddi = this.project.irqlTable.contract(name);
    const target = ddi ? undefined : this.project.resolve(file, name, args.length);
    // a function the program declares, with IRQL annotations, and does not define (a library's)
    let contractFrom = 'the DDI table';
    const member = call.childForFieldName('function')?.type === 'field_expression';
    if (!ddi && !target && !member && !name.includes('::') && !this.project.isDefined(name)) {
      ddi = this.prototypeContract(name);
      if (ddi) contractFrom = 'its declaration';
    }
    // the contract of the call: the DDI table's (a function of the linted files is not checked at its call:
    // its own body is, in this caller's context)
    if (ddi) {
      const r = allowedMask(ddi, args, fx.zero, fx.other, fx.buffers, fx.consts);
      let kind: ObservationKind = ddi.wait ? 'wait' : 'call';
      // a paged-pool allocation (pool type known paged), or the free of a block this function allocated from it
      if (ddi.when?.some((w) => w.is === 'paged-pool' && testCondition(w, args, fx.zero, fx.other, fx.consts) === true)) kind = 'paged-pool';
      if (/^ExFreePool/.test(name) && ddi.pageableArgs?.some((k) => fx.pagedBlocks.has(slotPath(args[k]) ?? ''))) {
        kind = 'paged-pool';
        r.max = Math.min(r.max, 1);
        r.allowed = (r.allowed & levelRange(r.min, r.max)) >>> 0;
      }
      observe(kind, r, contractFrom);
      // KeRaiseIrql below the current IRQL, KeLowerIrql above it (the table's routines: a declaration's
      // `_IRQL_restores_` keeps the range check of its annotations)
      for (const eff of contractFrom === 'the DDI table' ? effectsOf(ddi) : []) {
        if (eff.op === 'raise' && eff.levelArg !== undefined) {
          const lvl = constLevel(args[eff.levelArg]);
          if (lvl !== undefined) {
            fx.calls.delete(pos);
            observe('raise-below', { allowed: levelRange(0, lvl), min: 0, max: lvl, targetPer: ENTRY_LEVELS.map(() => bit(lvl)) }, 'KeRaiseIrql');
          }
        } else if (eff.op === 'lower') {
          const a = args[eff.levelArg];
          const lvl = constLevel(a);
          const v = lvl !== undefined ? undefined : s.saved.get(slotPath(a) ?? '');
          if (lvl !== undefined || v) {
            // lowering to L needs a current IRQL of at least L: for a saved value, at least its lowest level
            const per = ENTRY_LEVELS.map((_x, e) => (lvl !== undefined ? levelRange(lvl, 31) : v![e] ? levelRange(31 - Math.clz32(v![e]! & -v![e]!), 31) : levelRange(0, 31)));
            const tgt = ENTRY_LEVELS.map((_x, e) => (lvl !== undefined ? bit(lvl) : v![e]!));
            fx.calls.delete(pos);
            observe('lower-above', { allowed: levelRange(0, 31), min: 0, max: 31, allowedPer: per, targetPer: tgt }, 'KeLowerIrql');
          }
        }
      }
    }
    // `obj->Method()` / `obj.Method()` of another object: a C++ member found by its unqualified name
    // may be another class's; it neither gives the callee a context nor changes the IRQL here
    const f = call.childForFieldName('function');
    const viaOtherObject = f?.type === 'field_expression' && !/^\(?\*?this\)?$/.test((f.childForFieldName('argument')?.text ?? '').replace(/\s+/g, ''));
    // (a method defined in its class's body counts as one of that class, as `Class::Method` does: `SpinMutex.Unlock()`
    // of a member `SpinLock SpinMutex;` is not the `FastMutex::Unlock` defined first in the file)
    if (target?.fn && target.file && !(viaOtherObject && (target.name.includes('::') || classOf(target) !== undefined))) {
      const prev = fx.callSites.get(pos);
      if (prev) for (let e = 0; e < NE; e++) prev.m[e] = (prev.m[e]! | s.m[e]!) >>> 0;
      else fx.callSites.set(pos, { target: target.key, line, m: [...s.m], why: [...s.why] });
      // the callee's exit IRQL for each IRQL it is entered at (unknown for a call within a recursive group:
      // which of its functions is analysed first must not change the results)
      const callee = this.inOneComponent(fx, target) ? undefined : this.analysisOf(target.file, target.fn);
      if (callee) {
        // a callee that returns at the IRQL a parameter holds (a release helper given the saved IRQL): the
        // argument's saved value, when this function saved it
        const p = callee.exitParam !== undefined ? args[callee.exitParam] : undefined;
        const saved = p ? s.saved.get(slotPath(p) ?? '') : undefined;
        for (let e = 0; e < NE; e++) {
          let out = 0;
          if (saved && s.m[e]) out = saved[e]!;
          else for (const k of entriesOf(s.m[e]!)) out = (out | (callee.exit[k] || (s.m[e]! & ENTRY_LEVELS[k]!))) >>> 0;
          if (out !== s.m[e]) s.why[e] = { line, text: `${name} returns at ${describeMask(out)}` };
          s.m[e] = out;
        }
        s.pr = -1;
        if (!saved && p && p.type === 'identifier' && fx.params.includes(p.text)) s.pr = fx.params.indexOf(p.text);
      }
      this.applyCalleeLocks(fx, callee, target.fn.params, args, name, call, line, s);
      return;
    }
    if (ddi) for (const eff of effectsOf(ddi)) this.applyEffect(fx, eff, name, call, stmt, args, s, line);
  }

  /** A callee's effect on locks, in the caller's terms: its parameters' locks become the arguments'. */
  private applyCalleeLocks(fx: FnCtx, callee: FunctionIrql | undefined, params: string[], args: SyntaxNode[], name: string, call: SyntaxNode, line: number, s: State): void {
    const effects = callee ? callee.lockEffects : null;
    const forget = () => {
      s.locks = s.locks.clear();
      s.qh = s.qh.clear();
      fx.unknownLocks = true;
    };
    if (!effects) return forget();
    for (const [path, eff] of effects) {
      const written = mapCalleePath(path, params, args);
      if (!written) return forget();
      const mapped = expandAlias(fx, written);
      fx.touched.set(mapped, { kind: eff.kind, line, via: name });
      if (eff.held === undefined) s.locks = s.locks.delete(mapped);
      else s.locks = s.locks.set(mapped, lockFact(eff.held, line, `${name} (${eff.via} at its line ${eff.line})`, eff.kind, mapped, written));
    }
    if (callee?.handleEffects) this.applyCalleeHandles(fx, callee.handleEffects, params, args, name, call, line, s);
  }

  /**
   * A callee's effect on the queued-lock handles its caller passes: an acquire wrapper fills the handle
   * (`DevLock(Dev, &h)`: `h` names `Dev->Lock`), a release wrapper gives back the lock the handle names here
   * (`DevUnlock(&h)`). The handle, as this function writes it: `h` for `&h`, `pHandle` for a pointer.
   */
  private applyCalleeHandles(fx: FnCtx, effects: ReadonlyMap<string, LockEffect & { lock: string }>, params: string[], args: SyntaxNode[], name: string, call: SyntaxNode, line: number, s: State): void {
    for (const [path, eff] of effects) {
      const h = mapCalleePath(path, params, args)?.replace(/^\*/, '');
      if (!h) continue;
      fx.handleTouched.set(h, { kind: eff.kind, line, via: name });
      const via = `${name} (${eff.via} at its line ${eff.line})`;
      if (eff.lock !== RELEASED_BY_HANDLE) {
        const written = mapCalleePath(eff.lock, params, args);
        if (written) s.qh = s.qh.set(h, expandAlias(fx, written));
        else s.qh = s.qh.delete(h);
        continue;
      }
      const lock = s.qh.get(h);
      if (lock === undefined || lock === RELEASED_BY_HANDLE) {
        // not filled here: a parameter's handle is this function's callers' to name
        s.qh = isParamPath(fx.params, h) ? s.qh.set(h, RELEASED_BY_HANDLE) : s.qh.delete(h);
        continue;
      }
      fx.touched.set(lock, { kind: eff.kind, line, via: name });
      const prev = s.locks.get(lock);
      // (the release through the handle of a lock this function released already: a release of a free lock)
      if (prev && !prev.held) this.noteLockIssue(fx, 'notHeld', eff.kind, name, prev.name ?? lock, call, line, s, prev);
      s.locks = s.locks.set(lock, lockFact(false, line, via, eff.kind, lock, prev?.name));
    }
  }

  /**
   * The paths of this state hold (or released) the lock: on them the call is a double acquire (release);
   * recorded per position and lock facts (the states of other facts reaching the call are other paths).
   */
  private noteLockIssue(fx: FnCtx, kind: 'doubleAcquire' | 'notHeld', lockKind: LockKind, callee: string, lock: string, call: SyntaxNode, line: number, s: State, prev: LockFact): void {
    const pos = `${line}:${call.startPosition.column + 1}`;
    const key = `${pos}|${lockSignature(s)}`;
    const old = fx.lockIssues.get(key);
    const end = call.endPosition;
    const m = old ? old.m.map((x, e) => (x | s.m[e]!) >>> 0) : [...s.m];
    fx.lockIssues.set(key, { kind, lockKind, callee, lock, line, column: call.startPosition.column + 1, endLine: end.row + 1, endColumn: end.column + 1, prevLine: prev.line, prevVia: prev.via, m });
  }

  /** A tracked lock acquired or released: double acquires and releases of a free lock, per path. */
  private trackLock(fx: FnCtx, eff: Extract<IrqlEffect, { op: 'acquire' | 'release' }>, name: string, call: SyntaxNode, args: SyntaxNode[], s: State, line: number): void {
    const handle = eff.handleArg !== undefined ? slotPath(args[eff.handleArg]) : undefined;
    let lock = eff.lockArg !== undefined ? lockPath(fx, args[eff.lockArg]) : undefined;
    // (as written, when a local of the path was expanded: what the messages name)
    const written = eff.lockArg !== undefined ? slotPath(args[eff.lockArg]) : undefined;
    const shown = written !== lock ? written : undefined;
    if (eff.op === 'release' && !lock && handle) lock = s.qh.get(handle);
    if (handle) fx.handleTouched.set(handle, { kind: eff.kind, line, via: name });
    if (!lock) {
      // a release through a handle this function did not fill: whose lock is not known here; through a
      // parameter's handle, the caller's (a wrapper that takes only the handle), whose callers name it
      if (handle) s.qh = eff.op === 'release' && isParamPath(fx.params, handle) ? s.qh.set(handle, RELEASED_BY_HANDLE) : s.qh.delete(handle);
      return;
    }
    fx.touched.set(lock, { kind: eff.kind, line, via: name });
    const prev = s.locks.get(lock);
    if (eff.op === 'acquire' && eff.onReturn) {
      // a try-acquire: held on one outcome only
      s.locks = s.locks.delete(lock);
      return;
    }
    const issue = eff.op === 'acquire' ? (prev?.held ? 'doubleAcquire' : undefined) : prev && !prev.held ? 'notHeld' : undefined;
    if (issue && prev) this.noteLockIssue(fx, issue, eff.kind, name, shown ?? lock, call, line, s, prev);
    s.locks = s.locks.set(lock, lockFact(eff.op === 'acquire', line, name, eff.kind, lock, written));
    // (after a release the handle still names its lock: releasing it again is a release of a free lock)
    if (handle) s.qh = s.qh.set(handle, lock);
  }

  private savedKey(fx: FnCtx, slot: IrqlSlot | undefined, call: SyntaxNode, stmt: SyntaxNode | undefined, args: SyntaxNode[], lockArg?: number, handleArg?: number): string | undefined {
    if (!slot) return undefined;
    if (slot === 'return') return resultTarget(call, stmt);
    if ('arg' in slot) return slotPath(args[slot.arg]);
    // saved in the lock object (fast mutex) or in the per-acquisition handle (in-stack queued lock)
    const p = lockPath(fx, args[handleArg ?? lockArg ?? -1]);
    return p ? `lock:${p}` : undefined;
  }

  /**
   * A branch on a try-acquire's result (`if (ExTryToAcquireFastMutex(&m))`, `if (!KeTryToAcquireSpinLockAtDpcLevel(&l))`,
   * `... == FALSE`): on the side where it returned TRUE, the lock is held and the IRQL raised as by the acquire.
   * At the call itself neither is known (see `applyEffect`).
   */
  private refineTry(fx: FnCtx, s: State, cond: SyntaxNode, truth: boolean, stmt: SyntaxNode | undefined): void {
    for (const [c, t] of decidedParts(cond, truth)) this.refineTryPart(fx, s, c, t, stmt);
  }

  /** `refineTry` of one decided part. */
  private refineTryPart(fx: FnCtx, s: State, c: SyntaxNode, truth: boolean, stmt: SyntaxNode | undefined): void {
    if (c.type === 'binary_expression') {
      const op = c.childForFieldName('operator')?.text;
      const l = c.childForFieldName('left');
      const r = c.childForFieldName('right');
      if ((op === '==' || op === '!=') && l && r) {
        // `Try(...) == FALSE`, `TRUE != Try(...)`
        for (const [x, k] of [[l, r], [r, l]] as const) {
          const v = FLAG_CONST[unparen(k).text];
          if (v === undefined || unparen(x).type !== 'call_expression') continue;
          this.refineTryPart(fx, s, unparen(x), op === '==' ? (v === 1) === truth : (v === 1) !== truth, stmt);
          return;
        }
      }
      return;
    }
    if (c.type !== 'call_expression') return;
    const name = calleeOf(c);
    const ddi = name ? this.project.irqlTable.contract(name) : undefined;
    if (!name || !ddi) return;
    const args = argsOf(c);
    const line = c.startPosition.row + 1;
    for (const eff of effectsOf(ddi)) {
      if (eff.op !== 'acquire' || eff.onReturn !== 'true') continue;
      if (!truth) {
        // the side where it failed: the IRQL it did not raise is the one an explanation should name
        if (eff.raiseTo !== undefined && !eff.atLevel) for (let e = 0; e < NE; e++) if (s.m[e]) s.why[e] = { line, text: `${name} at line ${line} returned FALSE (not acquired, the IRQL not raised)` };
        continue;
      }
      // (a try-acquire of a lock already held fails: this side does not double-acquire)
      const lock = TRACKED_LOCKS.has(eff.kind) && eff.lockArg !== undefined ? lockPath(fx, args[eff.lockArg]) : undefined;
      if (lock) {
        fx.touched.set(lock, { kind: eff.kind, line, via: name });
        s.locks = s.locks.set(lock, lockFact(true, line, name, eff.kind, lock, slotPath(args[eff.lockArg!])));
      }
      this.applyEffect(fx, { ...eff, onReturn: undefined }, name, c, stmt, args, s, line, false);
    }
  }

  private applyEffect(fx: FnCtx, eff: IrqlEffect, name: string, call: SyntaxNode, stmt: SyntaxNode | undefined, args: SyntaxNode[], s: State, line: number, track = true): void {
    if (track && (eff.op === 'acquire' || eff.op === 'release') && TRACKED_LOCKS.has(eff.kind)) this.trackLock(fx, eff, name, call, args, s, line);
    const set = (to: (e: number, cur: Mask) => Mask, text: string) => {
      s.pr = -1;
      for (let e = 0; e < NE; e++) {
        if (!s.m[e]) continue;
        const n = to(e, s.m[e]!);
        if (n !== s.m[e]) s.why[e] = { line, text: text.endsWith(' it') ? `${text} to ${describeMask(n)}` : text };
        s.m[e] = n;
      }
    };
    const save = (key: string | undefined) => {
      if (key) s.saved = s.saved.set(key, [...s.m]);
    };
    const restore = (key: string | undefined, what: string) => {
      const v = key ? s.saved.get(key) : undefined;
      if (v) set((e) => v[e]!, what);
      // a value saved where the analysis cannot see (a field another function filled, a parameter): the
      // IRQL goes back to some level not above the current one, which one is not known here
      else {
        set((_e, cur) => levelRange(0, 31 - Math.clz32(cur)), what);
        // a parameter's value: the IRQL the caller saved and handed in (see the callee exit at the call)
        if (key && fx.params.includes(key)) s.pr = fx.params.indexOf(key);
      }
    };
    switch (eff.op) {
      case 'raise': {
        const lvl = eff.level ?? constLevel(args[eff.levelArg ?? -1]);
        save(this.savedKey(fx, eff.savedTo, call, stmt, args));
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
        save(this.savedKey(fx, eff.savedTo, call, stmt, args, eff.lockArg, eff.handleArg));
        // 'DIRQL': the interrupt's SynchronizeIrql, some device level
        const to = eff.raiseTo === 'DIRQL' ? levelRange(3, 26) : bit(eff.raiseTo);
        // 'DIRQL' locks (interrupt locks) of passive-level interrupts do not raise: the current level stays possible
        const passive = eff.raiseTo === 'DIRQL' && this.passiveInterrupts();
        set((_e, cur) => (passive ? (to | cur) >>> 0 : to), `${name} at line ${line}${lock ? ` holds '${lock}'` : ''} (${describeMask(to)})`);
        return;
      }
      case 'release': {
        if (eff.atLevel || !eff.restoreFrom) return;
        const lvl = typeof eff.restoreFrom === 'object' && 'arg' in eff.restoreFrom ? constLevel(args[eff.restoreFrom.arg]) : undefined;
        if (lvl !== undefined) {
          set(() => bit(lvl), `${name} at line ${line} lowered it to ${irqlLevelName(lvl)}`);
          return;
        }
        restore(this.savedKey(fx, eff.restoreFrom, call, stmt, args, eff.lockArg, eff.handleArg), `${name} at line ${line} restored it`);
        return;
      }
      default:
        return;
    }
  }

  // ---- contexts -----------------------------------------------------------------------------

  private buildIndexes(): void {
    if (this.annotationIndex) return;
    const ann = new Map<string, IrqlAnnotation[]>();
    const roles = new Map<string, { role: string; path: string; line: number }[]>();
    const regs = new Map<string, { via: string; path: string; line: number; min: number; max: number; role?: string }>();
    const changes = new Set<string>();
    const protos = new Map<string, ProtoEffect>();
    for (const file of this.project.allFiles()) {
      const facts = fileIrqlFacts(file, this.project.irqlTable);
      for (const n of facts.changes) changes.add(n);
      for (const [n, e] of facts.protoEffects) protos.set(n, { ...protos.get(n), ...e });
      for (const [name, a] of facts.annotations) {
        const list = ann.get(name) ?? [];
        list.push(a);
        ann.set(name, list);
      }
      for (const [name, r] of facts.roles) {
        const list = roles.get(name) ?? [];
        list.push(r);
        roles.set(name, list);
        // a role whose contract changes the lock state (a cancel-safe queue's CsqAcquireLock returns holding its lock)
        if (roleIrql(r.role)?.changesLockState) changes.add(name);
      }
      for (const r of facts.registrations) {
        if (r.role && roleIrql(r.role)?.changesLockState) changes.add(r.fname);
        // keyed by the function the name resolves to from this file (a static `CompletionRoutine` of
        // another file is another function)
        const key = this.project.resolve(file, r.fname)?.key ?? r.fname;
        if (!regs.has(key)) {
          const { fname: _, ...reg } = r;
          regs.set(key, reg);
        }
      }
    }
    this.annotationIndex = ann;
    this.changeIndex = changes;
    this.protoIndex = protos;
    this.roleIndex = roles;
    this.registrationIndex = regs;
  }

  private readonly dead = new Map<string, Set<string>>();
  /**
   * Calls and returns of a function that no execution reaches by the MDL analysis, which follows the values
   * the IRQL analysis does not (an MDL's state in `MdlFlags & MDL_PAGES_LOCKED`, a status, NULL-ness): by
   * position (`line:column`, returns `ret:line:column`). Empty when that analysis did not run to the end.
   */
  deadPositions(file: SourceFile, fn: FunctionInfo, paramVals?: ReadonlyMap<string, number>): Set<string> {
    let key = functionKeyOf(file, fn);
    if (paramVals) key += `|${[...paramVals].map(([p, v]) => `${p}=${v}`).join(',')}`;
    let d = this.dead.get(key);
    if (d) return d;
    d = new Set<string>();
    try {
      const a = analyzeFunction(file, fn, this.project, paramVals ? { record: false, paramVals } : { record: false });
      if (!a.skipped && a.reachable.size) {
        const live = new Set<string>();
        const all = new Set<string>();
        for (const n of a.cfg.nodes) {
          const at = (x: SyntaxNode, pre = '') => `${pre}${x.startPosition.row + 1}:${x.startPosition.column + 1}`;
          const ps = n.calls.map((c) => at(c));
          if (n.kind === 'return' && n.ast) ps.push(at(n.ast, 'ret:'));
          for (const p of ps) {
            all.add(p);
            if (a.reachable.has(n.id)) live.add(p);
          }
        }
        for (const p of all) if (!live.has(p)) d.add(p);
      }
    } catch {
      // no pruning for a function the MDL analysis cannot handle
    }
    this.dead.set(key, d);
    return d;
  }

  /** A context from a call site no execution reaches (by the MDL analysis of the callers on its chain). */
  unreachableContext(c: IrqlContext): boolean {
    for (let s = c.sites; s; s = s.prev) {
      if (this.deadPositions(s.file, s.fn).has(s.pos)) return true;
      // the caller of this link entered with the constants its own caller passes (npcap: NPF_DoTap calls
      // NPF_StartUsingOpenInstance(pOpen, OpenDetached, TRUE), whose `if (AtDispatchLevel)` never reaches
      // the call of NPF_EnableOps that would wait)
      const vals = s.prev ? this.siteArguments(s.prev, s.fn) : undefined;
      if (vals && this.deadPositions(s.file, s.fn, vals).has(s.pos)) return true;
    }
    return false;
  }

  /** The context, or the first of its same-level alternatives, that some execution reaches (undefined: none). */
  reachableContext(c: IrqlContext): IrqlContext | undefined {
    if (!this.unreachableContext(c)) return c;
    return c.alternatives?.find((a) => !this.unreachableContext(a));
  }

  /**
   * The context, or the first of its same-level alternatives, in which some execution reaches position `pos`
   * of the function (`line:column` of a call, `ret:line:column` of a return): its call site is reached, and
   * so is `pos` with the parameters bound to the constants that call passes (tap-windows6's
   * `tapAdapterAcquireLock(Adapter, FALSE)` never takes its `if (DispatchLevel)` branch).
   */
  contextReaching(c: IrqlContext, file: SourceFile, fn: FunctionInfo, pos: string): IrqlContext | undefined {
    const reaches = (x: IrqlContext): boolean => {
      if (this.unreachableContext(x)) return false;
      const vals = this.constantArguments(x, fn);
      return !vals || !this.deadPositions(file, fn, vals).has(pos);
    };
    if (reaches(c)) return c;
    return c.alternatives?.find(reaches);
  }

  /**
   * The constant arguments of each call of a function, by position (`line:column`): the values only, read
   * once per function (keeping its call nodes would keep its whole syntax tree alive: 48 MiB of peak memory
   * on the benchmark corpus).
   */
  private readonly callConstants = new Map<string, Map<string, (number | string | undefined)[]>>();
  /** `siteArguments` of a site (sites are shared by the contexts down a chain: each link is bound once). */
  private readonly siteBindings = new WeakMap<ContextSite, Map<string, number> | null>();
  /** The arguments a context's call passes as constants, by the callee's parameter names (see `siteArguments`). */
  private constantArguments(c: IrqlContext, callee: FunctionInfo): Map<string, number> | undefined {
    return c.sites ? this.siteArguments(c.sites, callee) : undefined;
  }

  /**
   * The arguments the call at `site` passes as constants (`TRUE`, `FALSE`, `NULL`, integers, constants its
   * file or the program's headers define), by the callee's parameter names. An argument that is a parameter
   * of the caller, which the caller never assigns nor takes the address of, passes on what the caller's own
   * caller bound it to (NDAS's `Reg_OpenDeviceInst(&key, slot, FALSE, root)` hands its `DeleteExisting` to
   * `Reg_OpenChildKey`, whose `if (... && DeleteExisting)` that chain never takes).
   */
  private siteArguments(site: ContextSite, callee: FunctionInfo): Map<string, number> | undefined {
    if (!callee.params.length) return undefined;
    const known = this.siteBindings.get(site);
    if (known !== undefined) return known ?? undefined;
    // the links up the chain whose bindings this one needs (a parameter handed on through 3,000 callers:
    // bound from the top down, without recursion)
    const pending: [ContextSite, FunctionInfo][] = [];
    let s: ContextSite | undefined = site;
    let c = callee;
    while (s && !this.siteBindings.has(s)) {
      pending.push([s, c]);
      if (!this.callArguments(s)?.some((v) => typeof v === 'string')) break;
      c = s.fn;
      s = s.prev;
    }
    for (let k = pending.length - 1; k >= 0; k--) {
      const [at, fn] = pending[k]!;
      this.siteBindings.set(at, this.bindSite(at, fn) ?? null);
    }
    return this.siteBindings.get(site) ?? undefined;
  }

  /** `siteArguments` of one link, once the links above it that it reads are bound. */
  private bindSite(site: ContextSite, callee: FunctionInfo): Map<string, number> | undefined {
    const vals = this.callArguments(site);
    if (!vals || !callee.params.length) return undefined;
    let out: Map<string, number> | undefined;
    const callerVals = site.prev ? this.siteBindings.get(site.prev) : undefined;
    vals.forEach((v, i) => {
      const p = callee.params[i];
      if (p === undefined || v === undefined) return;
      const value = typeof v === 'string' ? callerVals?.get(v) : v;
      if (value !== undefined) (out ??= new Map()).set(p, value);
    });
    // C++: the parameters the call leaves out take the defaults of the function's declaration
    if (vals.length < callee.params.length) {
      const short = shortName(callee.name);
      for (let i = vals.length; i < callee.params.length; i++) {
        const d = this.project.defaultArgument(short, callee.params.length, i);
        if (d !== undefined && callee.params[i]) (out ??= new Map()).set(callee.params[i]!, d);
      }
    }
    return out;
  }

  /**
   * The arguments of the call at `site`: a constant's value (`ADDRESS_ARGUMENT` for an address, `&x`), the name
   * of a parameter of the caller that the caller hands on unchanged, or undefined.
   */
  private callArguments(site: ContextSite): (number | string | undefined)[] | undefined {
    const key = functionKeyOf(site.file, site.fn);
    let calls = this.callConstants.get(key);
    if (!calls) {
      calls = new Map();
      const consts = fileConstants(site.file);
      const body = liteBody(site.file, site.fn);
      const forwarded = unchangedParams(body, site.fn.params);
      const stack: SyntaxNode[] = [body];
      while (stack.length) {
        const n = stack.pop()!;
        if (n.type === 'call_expression') {
          const vals = argsOf(n).map((a): number | string | undefined => {
            const x = unparen(a);
            if (x.type === 'identifier' && forwarded.has(x.text)) return x.text;
            // `&open->SecCtx`: an address, never NULL (the callee's `if (ClientCtx == NULL)` is not this call's)
            if (isAddressOf(a)) return ADDRESS_ARGUMENT;
            return constantArgument(a) ?? (x.type === 'identifier' ? consts.get(x.text) ?? this.project.headerConstant(x.text) : undefined);
          });
          // (a call with no constant argument binds nothing, unless it leaves out parameters a declaration gives defaults)
          const name = calleeName(n);
          if (vals.some((v) => v !== undefined) || (name !== undefined && this.project.hasDefaultArguments(shortName(name)))) calls.set(`${n.startPosition.row + 1}:${n.startPosition.column + 1}`, vals);
        }
        pushNamedChildren(stack, n);
      }
      this.callConstants.set(key, calls);
    }
    return calls.get(site.pos);
  }

  /** Annotated to change the IRQL or to hold / release a lock on return (`_IRQL_raises_`, `_Acquires_lock_`...). */
  changesIrqlByAnnotation(pf: ProjectFunction): boolean {
    this.buildIndexes();
    return this.changeIndex!.has(shortName(pf.name));
  }

  private passiveExec: boolean | undefined;
  /** Some file of the program creates KMDF objects that run their callbacks at PASSIVE_LEVEL. */
  private passiveExecution(): boolean {
    if (this.passiveExec === undefined) this.scanTexts();
    return this.passiveExec!;
  }

  /**
   * What the engine reads of every file's text, in one pass (a file held compressed is inflated once for
   * it): KMDF passive execution, passive-level interrupts, routines made resident by `MmLockPagableCodeSection`.
   */
  private scanTexts(): void {
    if (this.passiveExec !== undefined) return;
    this.passiveExec = false;
    this.passive = false;
    this.codeSectionLocks = [];
    for (const f of this.project.allFiles()) {
      const scan = textScan(f);
      if (scan.passiveExec) this.passiveExec = true;
      if (scan.passive) this.passive = true;
      for (const name of scan.codeSectionLocks) this.codeSectionLocks.push([f, name]);
    }
  }
  /** The routines named in `MmLockPagableCodeSection(Routine)` calls, with the file of each call (`scanTexts`). */
  private codeSectionLocks: [SourceFile, string][] | undefined;

  /** Called by functions of the linted files and not by the system (no role, registration or dispatch slot): a helper, whose exits its callers account for. */
  isHelper(pf: ProjectFunction): boolean {
    return !this.systemCalled(pf) && this.project.callersOf(pf).length > 0;
  }

  /** `DriverEntry`, or a function with a role type, a registration or a dispatch slot: the system calls it. */
  private systemCalled(pf: ProjectFunction): boolean {
    this.buildIndexes();
    const short = shortName(pf.name);
    if (short === 'DriverEntry' || this.roleIndex!.has(short) || this.registrationIndex!.has(pf.key)) return true;
    return !!pf.file && this.project.isDispatchRoutine(pf.file, short);
  }

  /**
   * An acquire routine of an interface the linted files do not use: nothing in them calls it, the system
   * does not, and its name says it takes a lock (`namesAcquirer`). Returning with a lock its caller can name
   * (a parameter's, a global) may be its job (ReactOS's exported `NdisAcquireReadWriteLock`; a wrapper whose
   * calls do not resolve because a test mock defines it too): still reported, unannotated, as Code Analysis
   * reports it (C28167), with a message that says so (spinlock-unbalanced's `acquiredForCaller`).
   */
  isAcquireRoutine(pf: ProjectFunction): boolean {
    return namesAcquirer(pf.name) && !this.systemCalled(pf) && this.project.callersOf(pf).length === 0;
  }

  private passive: boolean | undefined;
  /** Some file of the program creates a passive-level interrupt (`PassiveHandling = TRUE`). */
  private passiveInterrupts(): boolean {
    if (this.passive === undefined) this.scanTexts();
    return this.passive!;
  }

  /** The IRQL range a function declares: its annotation, else its role type, else its registration. */
  declaredContext(pf: ProjectFunction): IrqlContext | undefined {
    this.buildIndexes();
    const short = shortName(pf.name);
    // a member's annotations, or those of a function of no class: not those of another class's member of
    // that name (WDF's MxLockNoDynam::Release requires DISPATCH_LEVEL, MxPagedLockNoDynam::Release APC_LEVEL)
    const cls = classOf(pf);
    // (in a file that defines the name more than once, static functions of two namespaces, an annotation written
    // there is that of the definition it precedes)
    const here = this.project.definitionsOf(short).filter((d) => d.path === pf.path);
    const precedes = (a: IrqlAnnotation) => here.filter((d) => d.line >= a.line).reduce<ProjectFunction | undefined>((best, d) => (!best || d.line < best.line ? d : best), undefined);
    const own = (this.annotationIndex!.get(short) ?? []).filter((a) => (a.cls === undefined || a.cls === cls) && (here.length < 2 || a.path !== pf.path || precedes(a) === pf));
    let lo: number | undefined;
    let hi: number | undefined;
    const texts: string[] = [];
    const roleTexts: string[] = [];
    /** A KMDF role of `_Function_class_` whose object may be created at WdfExecutionLevelPassive, as the program does. */
    let passiveToo = false;
    for (const a of own) {
      const m = /^(_IRQL_requires_|_IRQL_requires_max_|_IRQL_requires_min_|__drv_maxIRQL|__drv_minIRQL|__drv_requiresIRQL|_Function_class_)\((\w+)\)$/.exec(a.text);
      if (!m) continue;
      if (m[1] === '_Function_class_') {
        const r = this.project.irqlTable.role(m[2]!);
        if (r) {
          lo = Math.max(lo ?? 0, r.min);
          hi = Math.min(hi ?? 31, r.max);
          // (as for a role declared by its type name: an EVT_WDF_TIMER of a timer created at WdfExecutionLevelPassive runs at PASSIVE_LEVEL)
          const passive = !!r.passiveExecutionLevel && this.passiveExecution();
          if (passive) passiveToo = true;
          roleTexts.push(roleSentence(pf.name, m[2]!, r, passive));
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
      if (l <= h) {
        const because = anns.length ? `${displayFn(pf.name)} is annotated ${anns.join(' ')} (${describeMask(levelRange(l, h))})` : roleTexts[0]!;
        const at = own.find((a) => texts.includes(a.text));
        // (an IRQL annotation besides the role says which of the two applies)
        const entry = passiveToo && !anns.length ? (levelRange(l, h) | bit(0)) >>> 0 : levelRange(l, h);
        return { entry, because, chain: [{ file: at?.path ?? pf.path, line: at?.line ?? pf.line, column: 1, function: pf.name, message: because }] };
      }
    }
    // a role declared in the function's own file, else one every declaration of that name agrees on
    const roleList = this.roleIndex!.get(short) ?? [];
    const role =
      roleList.find((r) => r.path === pf.path) ??
      (roleList.length && roleList.every((r) => r.role === roleList[0]!.role) ? roleList[0] : undefined) ??
      // assigned to DriverObject->MajorFunction[...] (the project's index of dispatch routines)
      (pf.file && this.project.isDispatchRoutine(pf.file, short) ? { role: 'DRIVER_DISPATCH', path: pf.path, line: pf.line } : undefined);
    const r = role ? this.project.irqlTable.role(role.role) : undefined;
    if (role && r?.passiveExecutionLevel && this.passiveExecution()) {
      const because = roleSentence(pf.name, role.role, r, true);
      return { entry: (levelRange(r.min, r.max) | bit(0)) >>> 0, because, chain: [{ file: role.path, line: role.line, column: 1, message: because }] };
    }
    if (role && r) {
      // a KMDF interrupt with PassiveHandling = TRUE calls its ISR at PASSIVE_LEVEL (SPB, GPIO devices)
      if (role.role === 'EVT_WDF_INTERRUPT_ISR' && this.passiveInterrupts()) {
        const because = `${displayFn(pf.name)} is ${article(role.role)} ${role.role}: called at DIRQL, or at PASSIVE_LEVEL for an interrupt with PassiveHandling = TRUE (which these files create)`;
        return { entry: levelRange(0, r.max), because, chain: [{ file: role.path, line: role.line, column: 1, message: because }] };
      }
      const because = roleSentence(pf.name, role.role, r, false);
      return { entry: levelRange(r.min, r.max), because, chain: [{ file: role.path, line: role.line, column: 1, message: because }] };
    }
    const reg = this.registrationIndex!.get(pf.key);
    if (reg) {
      const rr = reg.role ? this.project.irqlTable.role(reg.role) : undefined;
      const lo2 = rr ? rr.min : reg.min;
      const hi2 = rr ? rr.max : reg.max;
      const because = `${displayFn(pf.name)} is registered with ${reg.via} (${this.project.displayName(reg.path)}:${reg.line}), called at ${describeMask(levelRange(lo2, hi2))}`;
      return { entry: levelRange(lo2, hi2), because, chain: [{ file: reg.path, line: reg.line, column: 1, message: because }] };
    }
    return undefined;
  }

  /** The ways a function is entered (see the module comment). */
  /** Caller and callee are one function or in one recursive group. */
  private inOneComponent(fx: FnCtx, target: ProjectFunction): boolean {
    if (!fx.self) return false;
    const c = this.project.componentOf(fx.self);
    return c.recursive && c.members.some((m) => m.key === target.key);
  }

  /**
   * The IRQL contexts a function runs in: its declared one, and one per IRQL its callers call it at (with
   * the chain of callers that explains it). The functions of a recursive group are computed together, to a
   * fixpoint over the group in a fixed order, so the result does not depend on which function was asked
   * about first (a lint thread, a shard and the language server ask in different orders).
   */
  contextsOf(pf: ProjectFunction): IrqlContext[] {
    const cached = this.contextCache.get(pf.key);
    if (cached) return cached;
    // (computed again, they would miss the call sites already dropped: see `dropIfDone`, by which nothing asks)
    if (this.dropped.has(pf.key)) throw new Error(`the IRQL contexts of '${pf.name}' were asked for after they were dropped`);
    this.whileUnset('preparingContexts', () => this.contextsOfCallersFirst(pf));
    const comp = this.project.componentOf(pf);
    if (!comp.recursive) {
      const out = this.contextsFrom(pf, (caller) => this.contextsOf(caller));
      this.contextCache.set(pf.key, out);
      this.contextsComputed(pf);
      return out;
    }
    const inGroup = new Set(comp.members.map((m) => m.key));
    let cur = new Map<string, IrqlContext[]>(comp.members.map((m) => [m.key, this.declaredList(m)]));
    const masks = (m: Map<string, IrqlContext[]>) => comp.members.map((x) => (m.get(x.key) ?? []).map((c) => c.entry).join(',')).join(';');
    for (let round = 0; round < 8; round++) {
      const next = new Map<string, IrqlContext[]>();
      for (const m of comp.members) next.set(m.key, this.contextsFrom(m, (caller) => (inGroup.has(caller.key) ? (cur.get(caller.key) ?? []) : this.contextsOf(caller)), true));
      const stable = masks(next) === masks(cur);
      cur = next;
      if (stable) break;
    }
    for (const m of comp.members) this.contextCache.set(m.key, this.withDefault(m, cur.get(m.key) ?? []));
    const mine = this.contextCache.get(pf.key)!;
    for (const m of comp.members) this.contextsComputed(m);
    return mine;
  }

  /**
   * Compute the contexts of the functions that call this one (transitively), callers first, so that each
   * finds its callers' done instead of recursing into them (a chain of a thousand callers overflowed the
   * stack). A recursive group is one node: its callers from outside.
   */
  private contextsOfCallersFirst(start: ProjectFunction): void {
    visitReachedFirst(
      start,
      (f) => {
        const comp = this.project.componentOf(f);
        if (!comp.recursive) return this.project.callersOf(f);
        const inGroup = new Set(comp.members.map((m) => m.key));
        return comp.members.flatMap((m) => this.project.callersOf(m)).filter((c) => !inGroup.has(c.key));
      },
      (f) => {
        const comp = this.project.componentOf(f);
        return comp.recursive ? `#${comp.id}` : f.key;
      },
      (g) => this.contextCache.has(g.key),
      (f) => this.contextsOf(f),
    );
  }

  private declaredList(pf: ProjectFunction): IrqlContext[] {
    const d = this.declaredContext(pf);
    return d ? [d] : [];
  }

  private withDefault(pf: ProjectFunction, out: IrqlContext[]): IrqlContext[] {
    if (out.length) return out;
    const unknown = `nothing says at which IRQL ${displayFn(pf.name)} runs (no annotation, role type, registration or caller in the linted files)`;
    if (this.assertsPassiveOrApc(pf)) return [{ entry: APC_OR_BELOW, because: `${unknown}; it starts with PAGED_CODE(): assumed at most APC_LEVEL`, assumed: true }];
    return [{ entry: DEFAULT_ENTRY, because: `${unknown}: assumed at most DISPATCH_LEVEL`, assumed: true }];
  }

  /**
   * The function starts with `PAGED_CODE()`: the driver asserts that it runs at APC_LEVEL or below. An
   * entry level that is only assumed (no annotation, role, registration or caller up the chain says it) is
   * narrowed to that (NDAS lfsfilter's SpyCreateContext, called by a function nothing describes: the
   * `if (KeGetCurrentIrql() > APC_LEVEL)` branch of its callee is not taken).
   */
  private assertsPassiveOrApc(pf: ProjectFunction): boolean {
    if (!pf.file || !pf.fn) return false;
    // (a body whose text never names PAGED_CODE, as `bodyFacts` read it, is not rebuilt to look)
    if (!bodyFacts(pf.file, pf.fn).pagedCode) return false;
    let v = this.pagedCodeFirst.get(pf.key);
    if (v === undefined) this.pagedCodeFirst.set(pf.key, (v = startsWithPagedCode(liteBody(pf.file, pf.fn))));
    return v;
  }
  private readonly pagedCodeFirst = new Map<string, boolean>();

  /** The declared context and those its callers' contexts give (`ofCaller`), in callers' order; with `partial`, no default. */
  private contextsFrom(pf: ProjectFunction, ofCaller: (caller: ProjectFunction) => IrqlContext[], partial = false): IrqlContext[] {
    // its declared IRQL (annotation, role type, registration), and every call from the linted files: a
    // function called at DISPATCH_LEVEL runs there, whatever its annotation promises
    const out: IrqlContext[] = this.declaredList(pf);
    const sites: { caller: ProjectFunction & { file: SourceFile; fn: FunctionInfo }; at: { line: number; pos: string; m: Mask[]; why: (Why | null)[] } }[] = [];
    for (const caller of this.project.callersOf(pf)) {
      if (!caller.fn || !caller.file) continue;
      const a = this.analysisOf(caller.file, caller.fn);
      for (const [pos, at] of a?.callSites ?? []) if (at.target === pf.key) sites.push({ caller: caller as ProjectFunction & { file: SourceFile; fn: FunctionInfo }, at: { ...at, pos } });
    }
    for (const { caller, at } of sites) {
      const site = { line: at.line };
      // (the caller's contexts with their same-level alternatives: a level reached only through a later
      // caller stays known when the first one's call is unreachable)
      for (const c of ofCaller(caller).flatMap((x) => [x, ...(x.alternatives ?? [])])) {
        let mask = 0;
        for (const e of entriesOf(c.entry)) mask = (mask | at.m[e]!) >>> 0;
        if (!mask) continue;
        // an assumed level meets the driver's assertion (see `assertsPassiveOrApc`)
        if (c.assumed && (mask & APC_OR_BELOW) !== 0 && (mask & ~APC_OR_BELOW) !== 0 && this.assertsPassiveOrApc(pf)) mask = (mask & APC_OR_BELOW) >>> 0;
        const same = out.find((o) => o.entry === mask);
        if (same && (same.alternatives?.length ?? 0) >= MAX_ALTERNATIVES) continue;
        const why = entriesOf(c.entry).map((e) => (at.m[e] ? at.why[e] : null)).find((w) => w);
        const where = `${displayFn(pf.name)} is called by ${displayFn(caller.name)} at ${this.project.displayName(caller.path)}:${site.line}`;
        const depth = (c.depth ?? 0) + 1;
        const origin = c.origin ?? c.because;
        const ctx: IrqlContext = {
          sites: { file: caller.file, fn: caller.fn, pos: at.pos, ...(c.sites ? { prev: c.sites } : {}) },
          entry: mask,
          because: why ? `${where}, where ${why.text}` : depth <= MAX_EXPLAINED_CALLERS ? `${where} (${c.because})` : `${where} (${depth - 1} callers up the chain: ${origin})`,
          ...(why ? {} : { depth, origin }),
          chain: [...(c.chain ?? []).slice(-7), ...(why && /at line \d+/.test(why.text) ? [{ file: caller.path, line: Number(/at line (\d+)/.exec(why.text)![1]), column: 1, function: caller.name, message: why.text }] : []), { file: caller.path, line: site.line, column: 1, function: caller.name, message: `${displayFn(caller.name)} calls ${displayFn(pf.name)}` }],
        };
        if (c.assumed) ctx.assumed = true;
        if (same) {
          (same.alternatives ??= []).push(ctx);
          continue;
        }
        out.push(ctx);
        if (out.length >= 8) break;
      }
    }
    return partial ? out : this.withDefault(pf, out);
  }
}

const engines = new WeakMap<Project, IrqlEngine>();

/** The file has been linted for the last time in this program (the command line): see `IrqlEngine.fileLinted`. */
export function irqlFileLinted(project: Project, file: SourceFile): void {
  engines.get(project)?.fileLinted(file);
}

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
  /** For lower-above / raise-below: the levels the call goes to, in that context. */
  target: Mask;
  direction: 'high' | 'low';
  /** Why the IRQL is what it is there. */
  why: string;
  /** A violation only if the buffer of the call's MDL is pageable (its kind is not known here). */
  ifPageable?: boolean;
}

/** The entry levels of a context at which a point is reached, with the IRQLs there and the first reason. */
function inContext(c: IrqlContext, m: Mask[], why: (Why | null)[]): { entries: number[]; actual: Mask; why: Why | null } {
  const entries: number[] = [];
  let actual = 0;
  let w: Why | null = null;
  for (const e of entriesOf(c.entry)) {
    if (!m[e]) continue;
    entries.push(e);
    actual = (actual | m[e]!) >>> 0;
    w ??= why[e] ?? null;
  }
  return { entries, actual, why: w };
}

export function irqlViolations(project: Project, file: SourceFile, fn: FunctionInfo): IrqlViolation[] {
  const engine = irqlEngine(project);
  // (a function of a file outside the program has no contexts: nothing to report, and no analysis to
  // cache, which would keep the file's native syntax tree alive: about 100 MiB on Windows-driver-samples)
  const pf = project.functionOf(file, fn);
  if (!pf) return [];
  const a = engine.ownAnalysis(file, fn);
  if (!a) return [];
  const contexts = engine.contextsOf(pf);
  const out: IrqlViolation[] = [];
  for (const obs of a.calls) {
    for (const c of contexts) {
      const r = inContext(c, obs.m, obs.why);
      if (!r.entries.length) continue;
      // violated at every entry level of the context that reaches the call
      let ifPageable = false;
      if (r.entries.some((e) => (obs.m[e]! & (obs.allowedPer ? obs.allowedPer[e]! : obs.allowed)) !== 0)) {
        if (obs.ifPageable === undefined || r.entries.some((e) => (obs.m[e]! & obs.ifPageable!) !== 0)) continue;
        ifPageable = true;
      }
      const direction = obs.kind === 'lower-above' ? 'low' : obs.kind === 'raise-below' || ifPageable ? 'high' : levelsOf(r.actual).some((l) => l > obs.max) ? 'high' : 'low';
      const target = r.entries.reduce((t, e) => (t | (obs.targetPer?.[e] ?? 0)) >>> 0, 0);
      const v: IrqlViolation = { obs, context: c, actual: r.actual, target, direction, why: r.why ? r.why.text : c.because };
      if (ifPageable) v.ifPageable = true;
      // (the MDL analysis's values, asked only for a violation: a call or a caller's call no execution reaches)
      if (obs.kind !== 'page-section' && engine.deadPositions(file, fn).has(`${obs.line}:${obs.column}`)) break;
      const reached = obs.kind === 'page-section' ? engine.reachableContext(c) : engine.contextReaching(c, file, fn, `${obs.line}:${obs.column}`);
      if (!reached) continue;
      if (reached !== c) {
        v.context = reached;
        if (!r.why) v.why = reached.because;
      }
      out.push(v);
      break;
    }
  }
  return out;
}

/** A return at an IRQL other than the function's entry level, or with a spin lock it took still held. */
export interface ReturnViolation {
  ret: ReturnObservation;
  context: IrqlContext;
  kind: 'notRestored' | 'heldAtExit';
  /** notRestored: the IRQLs at the return, and the entry levels. */
  actual: Mask;
  entry: Mask;
  why: string;
  /** heldAtExit in an acquire routine nothing calls (`isAcquireRoutine`): a held lock that outlives it may be its caller's to release. */
  acquireRoutine?: boolean;
}

export function returnViolations(project: Project, file: SourceFile, fn: FunctionInfo): ReturnViolation[] {
  const engine = irqlEngine(project);
  const pf = project.functionOf(file, fn);
  if (!pf) return []; // (see irqlViolations)
  const a = engine.ownAnalysis(file, fn);
  // a helper's exits are its callers' business: its IRQL and locks at return flow into them and are checked there
  if (!a || !pf || !a.returns.length || engine.changesIrqlByAnnotation(pf) || engine.isHelper(pf)) return [];
  const contexts = engine.contextsOf(pf);
  const out: ReturnViolation[] = [];
  // (one finding per return and kind; a return reached with other lock facts is one more observation of it)
  const seen = new Set<string>();
  for (const ret of a.returns) {
    for (const c of contexts) {
      const r = inContext(c, ret.m, ret.why);
      if (!r.entries.length) continue;
      let entry = 0;
      for (const e of r.entries) entry = (entry | (c.entry & ENTRY_LEVELS[e]!)) >>> 0;
      if (!ret.held.length && r.entries.some((e) => (ret.m[e]! & ENTRY_LEVELS[e]!) !== 0)) continue;
      // (a return no execution reaches, by the MDL analysis's values; a context from such a call)
      if (engine.deadPositions(file, fn).has(`ret:${ret.line}:${ret.column}`)) break;
      const reached = engine.contextReaching(c, file, fn, `ret:${ret.line}:${ret.column}`);
      if (!reached) continue;
      const kind = ret.held.length ? 'heldAtExit' : 'notRestored';
      const k = `${ret.line}:${ret.column}:${kind}:${ret.held.map((h) => h.lock).join(',')}`;
      if (!seen.has(k)) out.push({ ret, context: reached, kind, actual: r.actual, entry, why: r.why ? r.why.text : reached.because, ...(kind === 'heldAtExit' && engine.isAcquireRoutine(pf) ? { acquireRoutine: true } : {}) });
      seen.add(k);
      break;
    }
  }
  return out;
}

/** Double acquires and releases of free locks, reachable in some context of the function. */
export function lockIssues(project: Project, file: SourceFile, fn: FunctionInfo): LockIssue[] {
  const engine = irqlEngine(project);
  const pf = project.functionOf(file, fn);
  if (!pf) return []; // (see irqlViolations)
  const a = engine.ownAnalysis(file, fn);
  if (!a || !pf || !a.lockIssues.length) return [];
  const contexts = engine.contextsOf(pf);
  const dead = engine.deadPositions(file, fn);
  const seen = new Set<string>();
  return a.lockIssues.filter((i) => {
    const k = `${i.line}:${i.column}`;
    if (seen.has(k) || dead.has(k) || !contexts.some((c) => inContext(c, i.m, []).entries.length > 0 && engine.contextReaching(c, file, fn, k) !== undefined)) return false;
    seen.add(k);
    return true;
  });
}
