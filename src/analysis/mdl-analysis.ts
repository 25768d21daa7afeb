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
import { pushNamedChildren } from '../parse/lite.js';
import type { FunctionInfo, SourceFile } from '../parse/parser.js';
import type { AstNode } from '../parse/lite.js';
import { functionCfg, tooDeep } from './function-cfg.js';

type SyntaxNode = AstNode;

/**
 * The known values of a world, by path: a persistent map, so that a world derived from another (every
 * statement, every branch condition) shares the entries it does not change instead of copying them;
 * a copy per step made the analysis quadratic in the nesting depth.
 */
type Vals = ImmutableMap<string, V.Val>;
const NO_VALS: Vals = ImmutableMap<string, V.Val>();
import { buildCfg, calleeName, unparen, type Cfg, type CfgEdge, type CfgFunction, type CfgNode, type TryCtx } from '../cfg/cfg.js';
import { fileConstants } from './constants.js';
import { MAX_REMEMBERED_CONDS, condIdentifiers } from './conds.js';
import { identifiersIn, liveness, type Liveness } from './liveness.js';
import { Objs, Pts, type Dropped } from './world-maps.js';
import { ddiEffect, irpMajorsWithoutMdl, isIdentity, isPure, isValueMacro, raises, type DdiEffect, type MdlOp } from '../ddi/table.js';
import * as V from './values.js';
import { Map as ImmutableMap } from 'immutable';
import { MAX_CASES, type ExitCase, type HandedBack, type NewObj, type ObjState, type SlotEffect, type Summary } from './summary.js';

/** What the analysis of one function may ask about the rest of the linted files. */
export interface ProjectContext {
  /** The summary of the function `name` as called from `file` (a function of the linted files), if any. */
  summaryFor(file: SourceFile, name: string): Summary | undefined;
  /** The call reaches a definition of the program whose body does nothing: it leaves every MDL as it is. */
  doesNothing?(file: SourceFile, name: string): boolean;
  /** `name` is a dispatch routine (DRIVER_DISPATCH role type, or assigned to a MajorFunction entry). */
  isDispatchRoutine(file: SourceFile, name: string): boolean;
  /** The call of `name` from `file` may raise an exception (a helper with an unprotected raising call). */
  mayRaise(file: SourceFile, name: string): boolean;
  /** The call of `name` never returns normally (a raise wrapper: macro or helper). */
  noReturn(file: SourceFile, name: string): boolean;
  /** Display name of a file in cross-function explanations. */
  displayName(file: string): string;
  /** A constant the program's headers define (see `Project.headerConstants`). */
  headerConstant?(name: string): number | undefined;
  /** The argument a returning macro returns (`EBPF_RETURN_POINTER(type, pointer)`: 1), if it returns one. */
  returnedArgument?(name: string): number | undefined;
  /** A function-like macro of the program whose body is an expression without assignments or calls (see `valueMacros` in project.ts). */
  valueMacro?(name: string): boolean;
  /** The members of the program's union fields (see unions.ts). */
  readonly unions?: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

/**
 * The union fields of the program being analysed (set by `MdlAnalyzer` from its project): `pathOf` names a
 * union member by the storage it shares, so that `Ctx->Union.NtfsIoContext = NULL` clears
 * `Ctx->Union.MdlToCleanup`.
 */
let currentUnions: ReadonlyMap<string, ReadonlyMap<string, string>> | undefined;

/**
 * 'undefined': an operation the kernel does not define was done on the MDL (a probe or unlock of a
 * nonpaged-built, partial or MmAllocatePagesForMdl MDL, a rebuild of a locked MDL, a mapping of an
 * unlocked one). The rule that reports that call says so; Driver Verifier stops the machine there and
 * a free build leaves flags and page counts that nothing documents, so no later finding on the MDL is
 * made (until it is freed): one defect, one report.
 */
export type Typestate = 'unknown' | 'null' | 'allocated' | 'locked' | 'unlocked' | 'nonpaged' | 'partial' | 'freed' | 'pages' | 'undefined';

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
  /** Where it came from ('irp': the MDL the I/O manager built and locked for a dispatch routine's IRP; 'helper': returned by a helper). */
  readonly origin: { kind: 'alloc' | 'pages' | 'memory' | 'null' | 'init' | 'irp' | 'helper'; site?: Site; callee?: string };
  /** Site of the call that locked it (state locked), or that last locked it; `via` when a helper did it. */
  readonly lockSite?: Site & { callee: string; via?: Via };
  /** Operation the probe locked it for (IoReadAccess = 'read'). */
  readonly lockOp?: 'read' | 'write' | 'unknown';
  /** IoFreeMdl freed it here (state freed). */
  readonly freeSite?: Site & { callee: string; via?: Via };
  /** The buffer it describes is an address the caller supplied (the expression it came from). */
  readonly userVa?: string;
  /** Summary bookkeeping for MDLs reached from parameters: what the function assumed of it on entry... */
  readonly entry?: 'locked' | 'not-locked' | 'null';
  /** ...that it was not NULL (a `!= NULL` test taken before anything else)... */
  readonly entryNotNull?: boolean;
  /** ...the first MDL operation applied to it that depends on its state (not a mere use)... */
  readonly firstOp?: { op: MdlOp; callee: string; site: Site; mode?: ProbeMode };
  /** ...a use (KeFlushIoBuffers, MmGetMdlByteCount...) before that operation... */
  readonly firstUse?: { op: MdlOp; callee: string; site: Site };
  /** ...and whether it was handed to code the analysis cannot see. */
  readonly escaped?: boolean;
  /** Allocated attached to an IRP (IoAllocateMdl with an IRP argument): the IRP owns it. */
  readonly attached?: boolean;
  /** Summary bookkeeping: the buffer it describes is this parameter (IoAllocateMdl(Param, ...)). */
  readonly vaParam?: string;
  /**
   * Handed to code the analysis cannot see, which may keep it (`GenKeepMdl(Ctx, Mdl)`): whatever this
   * function does with it later, it is not the only holder (an IRP it is attached to is not its owner).
   */
  readonly kept?: boolean;
  /** The driver-allocated IRP it was attached to was freed here (IoFreeIrp) while it was locked: it is the function's again. */
  readonly irpFreed?: Site & { irp: string };
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
  /**
   * A mapping of it is pending: MmGetSystemAddressForMdlSafe was called and its result, which may be
   * NULL, is not tested yet. The test (or a use, past which the address was not NULL) settles it:
   * mapped, or not (see `settleMapping`). States are not split at the call, so n mappings are one state.
   * The value is the mapping's encoded origin (as `$sva:` entries hold it).
   */
  readonly mapPending?: string;
  /**
   * A fresh allocation (IoAllocateMdl & co.) that may have returned NULL, held by this local only and
   * not read since: the states part (it failed, or it did not) before the first node that mentions the
   * local (`settleAllocations`), so n allocations before their checks are one state, not 2^n.
   */
  readonly nullable?: string;
  /** The undefined operation that made its state undefined (state undefined). */
  readonly undefinedAt?: Site & { callee: string };
  /** It describes kernel memory (a pool allocation, the system buffer, a local): a probe with any mode but KernelMode raises. */
  readonly kernelVa?: boolean;
  /** Not NULL although of unknown state: a helper operated on it (its summary's case did), or this path mapped it. */
  readonly notNull?: boolean;
}

/** A helper (a function of the linted files) did it, at this line of its own body. */
export interface Via {
  fn: string;
  file: string;
  line: number;
}

export interface Step {
  site: Site;
  /** What happens here; a function for branch steps, rendered only when a finding needs it. */
  message: string | (() => string);
  kind: 'alloc' | 'lock' | 'unlock' | 'branch' | 'goto' | 'return' | 'exception' | 'exit' | 'map';
  obj?: string;
}

export interface Trace {
  readonly step: Step;
  readonly prev: Trace | null;
  readonly len: number;
  /**
   * This step takes the place of the newest step before it with this key (`replaceableKey`), or
   * stands here when there is none (`traceSteps`): a failed mapping or allocation is told where the
   * call was, without copying the path since (which made each test of n pending results cost n).
   */
  readonly replaces?: string;
}

export interface World {
  readonly pts: Pts;
  readonly objs: Objs<MdlObj>;
  readonly vals: Vals;
  /**
   * Tested conditions the path remembers, by their text (`?Ctx->Flags&4` → 1): the same side-effect-free
   * test again has the same outcome until something it reads is written. Apart from `vals`, so that
   * forgetting them at each write walks them (at most MAX_REMEMBERED_CONDS), not every tracked value.
   */
  readonly conds: Vals;
  readonly trace: Trace | null;
  readonly returnSite: Site | null;
  readonly imprecise: boolean;
  key?: string;
}

export type Observation =
  | {
      kind: 'mdl-op';
      op: MdlOp;
      callee: string;
      call: SyntaxNode;
      node: CfgNode;
      before: MdlObj;
      trace: Trace | null;
      imprecise: boolean;
      /** The operation happens inside this helper, called at `call`. */
      via?: Via;
      /** Known constant values of the call's arguments (by index). */
      argVals?: (number | undefined)[];
      /** The path establishes that the request came from kernel mode (`Irp->RequestorMode == KernelMode`). */
      kernelRequestor?: boolean;
      /** MDLs chained after this one (`Next`) in their state at the call (IoFreeMdl of a chain head). */
      chained?: MdlObj[];
      /** A helper probes, with KernelMode, an MDL over the address this call passes it (`before.userVa`). */
      helperProbe?: boolean;
    }
  | { kind: 'leak'; obj: MdlObj; exit: Site; explicitReturn: boolean; trace: Trace | null; imprecise: boolean }
  /** A field of a freed MDL is read (`m->Next` after IoFreeMdl(m)). */
  | { kind: 'field-read'; obj: MdlObj; node: SyntaxNode; trace: Trace | null; imprecise: boolean }
  /** IoFreeIrp of an IRP whose MdlAddress chain holds this MDL. */
  | { kind: 'irp-free'; obj: MdlObj; call: SyntaxNode; irp: string; trace: Trace | null; imprecise: boolean }
  /**
   * A use of a system address (the result of MmGetSystemAddressForMdlSafe & co.): a dereference or a
   * copy routine's pointer argument. `canBeNull`: the value can be NULL on this path.
   */
  | {
      kind: 'sva-use';
      node: SyntaxNode;
      /** The use sits inside a __try whose __except takes an access violation (a NULL access is caught there below DISPATCH_LEVEL). */
      caught: boolean;
      path: string;
      write: boolean;
      canBeNull: boolean;
      map: { line: number; column: number; callee: string };
      obj: MdlObj | undefined;
      trace: Trace | null;
      imprecise: boolean;
    };

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
  /** What callers need to know of this function (when asked for). */
  summary?: Summary;
  /** Declared type text of each parameter and local. */
  localTypes?: ReadonlyMap<string, string>;
  /** Nodes the fixpoint visited (absent when the analysis did not run). */
  steps?: number;
  /** The most points-to entries and objects one state held (what each step's cost grows with). */
  peakEntries?: number;
  /** The most states one node held. */
  peakStates?: number;
  /** Entries looked at to merge the states of nodes that had too many (see `mergeStates`). */
  mergeWork?: number;
  /** Paths and values looked at to forget what lay below an assigned path (`killBelow`). */
  belowWork?: number;
  /** Locals and entries dropped states looked at (see `Analyzer.addLazy`). */
  dropWork?: number;
  /** Candidates for collection looked at (see `Analyzer.gc`). */
  gcWork?: number;
  /** Remembered conditions read again after a test pinned a path (see `Analyzer.recheckConds`). */
  recheckWork?: number;
}

const MAX_WORLDS = 96;
/** Deepest parameter-rooted access path a summary describes. */
const MAX_SLOT_DEPTH = 2;
/** Pseudo-path of the returned value (for summaries). */
const RET = '$ret';
const RET_OWNED = '$retOwned';

const WIDEN_AFTER = 6;
const MAX_STEPS = 2_000_000;
const CXX_CASTS = new Set(['static_cast', 'reinterpret_cast', 'const_cast', 'dynamic_cast']);

/** The operand of a C++ named cast (`reinterpret_cast<T*>(x)` → `x`), if `e` is one. */
export function cxxCastOperand(e: SyntaxNode): SyntaxNode | undefined {
  if (e.type !== 'call_expression') return undefined;
  const f = e.childForFieldName('function');
  if (f?.type !== 'template_function' || !CXX_CASTS.has(f.childForFieldName('name')?.text ?? '')) return undefined;
  const args = e.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment') ?? [];
  return args.length === 1 ? args[0] : undefined;
}

/**
 * The index of `a[0]`, `a[1]`, `a[0x2]`: a small integer literal (an element of its own), else undefined
 * (`a[i]`: some element, `[*]`).
 */
function constantIndex(e: SyntaxNode): number | undefined {
  const idx = e.childForFieldName('index') ?? e.childForFieldName('indices')?.namedChildren[0];
  if (!idx || idx.type !== 'number_literal') return undefined;
  const v = V.parseIntLiteral(idx.text);
  return v !== undefined && v >= 0 && v < 4096 ? v : undefined;
}

/** Two access paths that may name the same place: equal but where one has `[*]` and the other an index. */
function mayAlias(a: string, b: string): boolean {
  if (a === b) return true;
  const pa = a.split(/(\[[^\]]*\])/);
  const pb = b.split(/(\[[^\]]*\])/);
  if (pa.length !== pb.length) return false;
  for (let k = 0; k < pa.length; k++) {
    const x = pa[k]!;
    const y = pb[k]!;
    if (x === y) continue;
    if (x.startsWith('[') && y.startsWith('[') && (x === '[*]' || y === '[*]')) continue;
    return false;
  }
  return true;
}

/** Access path of an lvalue-ish expression: `a[0]` for a constant index, `a[*]` for any other. */
export function pathOf(e: SyntaxNode | null | undefined): string | undefined {
  if (!e) return undefined;
  switch (e.type) {
    case 'call_expression': {
      const x = cxxCastOperand(e);
      return x ? pathOf(x) : undefined;
    }
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
      let field = e.childForFieldName('field')?.text;
      const op = e.childForFieldName('operator')?.text ?? (e.text.includes('->') ? '->' : '.');
      if (currentUnions && base && field) {
        const shared = currentUnions.get(lastSegment(base))?.get(field);
        if (shared !== undefined) field = shared;
      }
      return base && field ? `${base}${op}${field}` : undefined;
    }
    case 'subscript_expression': {
      const base = pathOf(e.childForFieldName('argument'));
      return base ? `${base}[${constantIndex(e) ?? '*'}]` : undefined;
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

/** The last name of a path: its last field, or the variable. */
function lastSegment(path: string): string {
  const m = /([A-Za-z_$][A-Za-z0-9_$]*)$/.exec(path);
  return m ? m[1]! : path;
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

/**
 * `Ctx->Union.AuxiliaryBuffer` of a union (see unions.ts) whose storage is named after its MDL member
 * (`MdlToCleanup`), written through a member that is not one (by its name, as `MdlPaths` reads fields).
 */
function otherUnionMember(left: SyntaxNode): boolean {
  const l = unparen(left);
  if (l.type !== 'field_expression' || !currentUnions) return false;
  const base = pathOf(l.childForFieldName('argument'));
  const field = l.childForFieldName('field')?.text;
  const shared = base && field ? currentUnions.get(lastSegment(base))?.get(field) : undefined;
  return shared !== undefined && shared !== field && /mdl/i.test(shared) && !/mdl/i.test(field!);
}

/**
 * The value an evaluation gives is an object read from memory of unknown kind (`Irp->Tail.Overlay.AuxiliaryBuffer`),
 * not one the analysis knows to be an MDL (allocated, locked, NULL...): through another member of a union it is
 * taken for what that member's type says (`otherUnionMember`).
 */
function readFromMemory(r: EvalResult): boolean {
  const o = r.obj !== undefined ? r.w.objs.get(r.obj) : undefined;
  return !!o && o.origin.kind === 'memory' && o.state === 'unknown';
}

/** A value stored or read through another member of a union (`otherUnionMember`): no MDL when it was read from memory. */
function asOtherMember(r: EvalResult): EvalResult {
  if (!readFromMemory(r)) return r;
  return r.v ? { w: r.w, v: r.v } : { w: r.w };
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
          if (m.ifMdl) continue;
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
      pushNamedChildren(stack, n);
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
    const element = /\[(?:\*|\d+)\]$/.exec(path);
    if (element) return this.has(path.slice(0, element.index)) || (!path.endsWith('[*]') && this.has(`${path.slice(0, element.index)}[*]`));
    return false;
  }
}

/** The identifier a declarator declares (`*p`, `p[4]`, `&r` unwrapped). */
export function declName(d: SyntaxNode | null | undefined): string | undefined {
  let cur = d;
  for (let g = 0; cur && g < 20; g++) {
    if (cur.type === 'identifier') return cur.text;
    const next: SyntaxNode | null = cur.childForFieldName('declarator') ?? (cur.type === 'reference_declarator' ? cur.namedChild(0) : null);
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
    if (n.type === 'parameter_declaration' || n.type === 'optional_parameter_declaration') {
      const name = declName(n.childForFieldName('declarator'));
      const d = n.childForFieldName('declarator');
      if (name) {
        params.add(name);
        locals.set(name, `${n.childForFieldName('type')?.text ?? ''} ${d?.type === 'pointer_declarator' ? '*' : d?.type === 'reference_declarator' ? '&' : ''}`);
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
    pushNamedChildren(body, n);
  }
  return { locals, params };
}

interface EvalResult {
  w: World;
  v?: V.Val;
  obj?: string;
  path?: string;
  addrOf?: string;
  /** The value is a system address of an MDL, from this call. */
  sva?: SvaOrigin;
}

interface SvaOrigin {
  line: number;
  column: number;
  callee: string;
  obj: string | undefined;
}

/** Pseudo-paths in `pts` that remember which variables hold a system address (`$sva:va` -> encoded origin). */
/**
 * The part of an object that keeps states apart (property simulation): its state, ownership, lock site
 * and the facts rules correlate with them. Objects alike in this part let their states merge.
 */
/** A node whose states are added with their dead locals (see `Analyzer.addLazy`). */
interface LazyNode {
  /** Per return site, the keys of the states held with their locals (each of a partition of its own). */
  held: Map<string, string[]>;
  /** The return sites whose states are dropped of their locals as they come. */
  dropped: Set<string>;
  /** Every state is (the node's states were merged). */
  all: boolean;
  /** The key a state held with its locals was under, by its partition key once they were dropped. */
  alias: Map<string, string>;
  /** The locals dropped on the way from the entry to the node. */
  range: { lo: number; hi: number };
  /** States held so far (for their keys). */
  made: number;
}

/** The most states of one return site a node holds with their locals (see `Analyzer.addLazy`). */
const MAX_HELD = 8;

/** The entries of a variable `x` that `dropDead` removes: x, *x and its pseudo-paths. */
function variableKeys(x: string): string[] {
  return [x, `*${x}`, USER + x, CONT + x, SVA + x];
}

/** The variable an entry's key names (`$sva:va` → `va`, `*p` → `p`); a path's key is itself. */
function keyVariable(key: string): string {
  return key.startsWith('$') ? key.slice(key.indexOf(':') + 1) : key.startsWith('*') ? key.slice(1) : key;
}

/** The return site a state reached an exit from (`none`: the end of the body, or a raise). */
function siteKey(w: World): string {
  return w.returnSite ? `${w.returnSite.line}:${w.returnSite.column}` : 'none';
}

function objFragment(o: MdlObj): string {
  let k = `${o.id}:${o.state}${o.owned ? '!' : ''}${o.lockSite ? `@${o.lockSite.line}:${o.lockSite.column}` : ''}${o.failedProbe ? 'F' : ''}${o.mapped ? 'M' : o.mapPending ? `P${o.mapPending}` : ''}${o.nullable ? '?' : ''}`;
  if (o.lockOp === 'read') k += 'R';
  if (o.entry) k += `<${o.entry}`;
  if (o.firstOp) k += `^${o.firstOp.op}`;
  if (o.firstUse) k += '^u';
  if (o.irpFreed) k += 'I';
  if (o.escaped) k += 'E';
  if (o.kept) k += 'K';
  if (o.notNull) k += 'N';
  return k;
}

/** A locked MDL the function owns: what an exit reports as still locked. */
function lockedOwned(o: MdlObj): boolean {
  return o.state === 'locked' && o.owned;
}

/**
 * The trace with the mapping at `origin` failed: its 'map' mark (the newest for that site) becomes the
 * step "… fails (NULL)", in the order things happened; without a mark the step is added last.
 */
function failedMapping(trace: Trace | null, origin: SvaOrigin): Trace {
  const step: Step = { site: { line: origin.line, column: origin.column }, kind: 'branch', message: `${origin.callee} fails (NULL)` };
  // (a mark counts for no step, the failure for one)
  return { step, prev: trace, len: (trace?.len ?? 0) + 1, replaces: `map:${origin.line}:${origin.column}` };
}

/**
 * The trace with the allocation of `o` failed: its step "… succeeds" becomes "… fails (NULL)", where it
 * was (see `settleAllocations`).
 */
function failedAllocation(trace: Trace | null, o: MdlObj): Trace {
  const site = o.origin.site!;
  const step: Step = { site, kind: 'alloc', message: `${o.origin.callee} fails (NULL)` };
  // (the allocation's step is on every path that holds its object: the length stays)
  return { step, prev: trace, len: trace?.len ?? 0, replaces: `alloc:${o.id}:${site.line}:${site.column}` };
}

/** The key of a step a later step of a trace can replace (`Trace.replaces`). */
export function replaceableKey(s: Step): string | undefined {
  if (s.kind === 'map') return `map:${s.site.line}:${s.site.column}`;
  if (s.kind === 'alloc' && s.obj !== undefined) return `alloc:${s.obj}:${s.site.line}:${s.site.column}`;
  return undefined;
}

/** A system address that may be NULL (the value of a mapping not tested yet). */
function maybeNullAddress(r: EvalResult): r is EvalResult & { sva: SvaOrigin; v: V.Val } {
  return r.sva !== undefined && r.v !== undefined && undecided(r.v);
}

/**
 * The call whose value an assignment, an initialization or a return stores (`va = MmGetSystemAddressForMdlSafe(...)`):
 * a system address that may be NULL stays one state until a test of where it is stored settles it (settledResult),
 * and an allocation stored in a local (`to`, not a parameter; undefined for a field or a return) until the local is
 * first read (settleAllocations).
 */
interface Store {
  /** The id of the call node (storedNode of the stored value). */
  call: number;
  to: string | undefined;
}

/** The node whose value an assignment, an initialization or a return stores, through parentheses and casts (C's and C++'s). */
function storedNode(e: SyntaxNode): SyntaxNode {
  let n = e;
  for (;;) {
    if (n.type === 'parenthesized_expression') {
      const c = n.namedChildren.find((x) => x.type !== 'comment');
      if (!c) return n;
      n = c;
    } else if (n.type === 'cast_expression') {
      const v = n.childForFieldName('value');
      if (!v) return n;
      n = v;
    } else {
      // C++ `static_cast<PUCHAR>(...)` and its kind
      const x = cxxCastOperand(n);
      if (!x) return n;
      n = x;
    }
  }
}

const SVA = '$sva:';
/** A system address that may be NULL (a mapping not tested yet): addresses are read as non-negative. */
const MAYBE_NULL: V.Val = [[0, Infinity]];
/** The value may be zero and may be something else (a system address whose mapping is not settled). */
function undecided(v: V.Val): boolean {
  return V.canBe(v, '==', 0, true) && V.canBe(v, '!=', 0, true);
}
function encodeSva(s: SvaOrigin): string {
  return `${SVA}${s.line}:${s.column}:${s.callee}:${s.obj ?? ''}`;
}
function decodeSva(v: string): SvaOrigin {
  const [line, column, callee, ...obj] = v.slice(SVA.length).split(':');
  const o = obj.join(':');
  return { line: Number(line), column: Number(column), callee: callee!, obj: o === '' ? undefined : o };
}

/** Copy and fill routines: their pointer arguments are dereferenced (the first one written), unless the length (argument `len`) is 0. */
const COPY_ROUTINES = new Map<string, { ptrs: number[]; dest: number | undefined; len: number }>([
  ['RtlCopyMemory', { ptrs: [0, 1], dest: 0, len: 2 }],
  ['RtlMoveMemory', { ptrs: [0, 1], dest: 0, len: 2 }],
  ['memcpy', { ptrs: [0, 1], dest: 0, len: 2 }],
  ['memmove', { ptrs: [0, 1], dest: 0, len: 2 }],
  ['RtlZeroMemory', { ptrs: [0], dest: 0, len: 1 }],
  ['RtlFillMemory', { ptrs: [0], dest: 0, len: 1 }],
  ['memset', { ptrs: [0], dest: 0, len: 2 }],
  ['RtlCompareMemory', { ptrs: [0, 1], dest: undefined, len: 2 }],
  ['RtlEqualMemory', { ptrs: [0, 1], dest: undefined, len: 2 }],
  ['memcmp', { ptrs: [0, 1], dest: undefined, len: 2 }],
]);

/** Routines that fill memory with zeros (`value`: the argument that must be 0 for it; none: always zeros). */
const ZERO_ROUTINES = new Map<string, { value?: number }>([
  ['RtlZeroMemory', {}],
  ['RtlSecureZeroMemory', {}],
  ['memset', { value: 1 }],
  ['RtlFillMemory', { value: 2 }],
]);

/** Pseudo-paths in `pts`: locals holding a caller-supplied address / pointing to an input buffer. */
const USER = '$user:';
const CONT = '$cont:';

/** Strip parentheses, C casts and C++ named casts. */
/** A probe's AccessMode as a summary keeps it: a value, or the parameter of the function it is. */
export type ProbeMode = number | string;

/** Index of the AccessMode argument of a probe routine. */
function accessModeArg(callee: string): number {
  return callee === 'MmProbeAndLockPages' ? 1 : 2;
}

export function stripCasts(e: SyntaxNode): SyntaxNode {
  let x = unparen(e);
  for (let g = 0; g < 8; g++) {
    if (x.type === 'cast_expression') x = unparen(x.childForFieldName('value') ?? x);
    else {
      const c = cxxCastOperand(x);
      if (!c) break;
      x = unparen(c);
    }
  }
  return x;
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
  readonly keyVars = new Set<string>();
  private readonly noReturnNodes = new Map<number, boolean>();
  /** Summary bookkeeping: parameters whose buffer this function probes with KernelMode. */
  readonly kernelModeProbes: { param: string; line: number; callee: string }[] = [];
  /** Value of the branch condition a world just evaluated (read by the edges of that branch node). */
  private readonly condVals = new WeakMap<World, V.Val>();
  /** The condition node of each remembered condition key of this function (see `recheckConds`). */
  private readonly condNodes = new Map<string, SyntaxNode>();
  /**
   * The expression of each remembered value of one (`?=code&3`: the method bits of a control code, from
   * `switch (code & 3)` or `(code & 3) == METHOD_IN_DIRECT`; see `rememberValue`).
   */
  private readonly valueConds = new Map<string, SyntaxNode>();
  /** The paths each remembered condition reads, by its node (null: it calls something; see `mayRead`). */
  private readonly condReads = new WeakMap<SyntaxNode, readonly string[] | null>();
  /** Some system address or freed MDL exists: dereferences must be looked at. */
  private derefsMatter = false;
  /** Record what a summary needs (entry assumptions, first operations, escapes of received MDLs). */
  summaryMode = false;
  /**
   * Summary mode: the out parameters whose writes the analysis sees (`*Locked`, of a parameter used only as
   * `*Locked`), each marked in the entry state (`KEPT`); a write drops the mark, and a case that exits with it
   * tells its callers their variable keeps its value.
   */
  private keptOuts: string[] = [];

  /**
   * A callee's remembered condition (`?flags&VALIDVA`) in this caller's terms: each parameter replaced by the
   * argument's access path as written (`?hinfo->flags&VALIDVA`); undefined when an argument is not a path.
   */
  private callerCond(cond: string, params: string[], args: SyntaxNode[]): string | undefined {
    let ok = true;
    const text = cond.replace(/[A-Za-z_]\w*/g, (id) => {
      const k = params.indexOf(id);
      if (k < 0) return id;
      const a = args[k] ? unparen(args[k]!) : undefined;
      if (!a || pathOf(a) === undefined) ok = false;
      return a ? a.text.replace(/\s+/g, '') : id;
    });
    return ok ? text : undefined;
  }

  /** A macro whose value depends on its arguments alone: the WDK's (`METHOD_FROM_CTL_CODE`), or one of the program's (`ProjectContext.valueMacro`). */
  readonly valueMacro = (name: string): boolean => isValueMacro(name) || !!this.project?.valueMacro?.(name);

  private nothing = new Map<string, boolean>();
  /** A call of `name` reaches a function of the program that does nothing (`ProjectContext.doesNothing`), by name. */
  private doesNothing(name: string): boolean {
    let d = this.nothing.get(name);
    if (d === undefined) this.nothing.set(name, (d = !!this.project?.doesNothing?.(this.file, name)));
    return d;
  }

  private returned: Map<string, string> | undefined;
  /**
   * The returns of a parameter's value as the caller passed it (`return nr_pages;` of a parameter the body
   * never assigns nor takes the address of), by the return's position (a world's `returnSite`).
   */
  private returnedParams(): Map<string, string> {
    if (this.returned) return this.returned;
    this.returned = new Map();
    const body = this.cfg.fn.body;
    const assigned = assignedNames(body);
    const returned = new Map<string, string>();
    for (const n of this.cfg.nodes) {
      if (n.kind !== 'return' || n.ast?.type !== 'return_statement' || n.returnsLambda) continue;
      const v = n.ast.namedChildren.find((c) => c.type !== 'comment');
      const x = v ? unparen(v) : undefined;
      if (x?.type === 'identifier' && this.params.has(x.text) && !assigned.has(x.text)) returned.set(`${n.line}:${n.column}`, x.text);
    }
    if (!returned.size) return this.returned;
    // (nor one whose address the body takes: `&count` may be written through)
    const addressed = new Set<string>();
    const stack: SyntaxNode[] = [body];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.type === 'pointer_expression' && n.childForFieldName('operator')?.text === '&') {
        const a = n.childForFieldName('argument');
        const x = a ? unparen(a) : undefined;
        if (x?.type === 'identifier') addressed.add(x.text);
      }
      pushNamedChildren(stack, n);
    }
    for (const [site, p] of returned) if (!addressed.has(p)) this.returned.set(site, p);
    return this.returned;
  }
  /** The body mentions a caller-supplied buffer: track which locals hold one. */
  readonly userSources: boolean;
  /** The function is a dispatch routine: its IRP's MdlAddress is the I/O manager's (locked, or NULL). */
  readonly dispatchIrp: string | undefined;
  /** Locals holding the current stack location of an IRP (`irpSp = IoGetCurrentIrpStackLocation(Irp)`): the IRP's name. */
  private readonly stackLocals: ReadonlyMap<string, string>;

  constructor(
    readonly cfg: Cfg,
    readonly file: SourceFile,
    readonly project?: ProjectContext,
  ) {
    this.fileConsts = fileConstants(file);
    currentUnions = project?.unions && project.unions.size > 0 ? project.unions : undefined;
    const { locals, params } = collectLocals(cfg.fn);
    this.locals = locals;
    this.params = params;
    this.mdl = new MdlPaths(cfg.fn, locals);
    this.userSources = /\b(?:UserBuffer|Type3InputBuffer|SystemBuffer)\b/.test(cfg.fn.body.text);
    // variables passed as a probe's Operation: worlds stay apart by their value, so that what the
    // buffer was locked for stays correlated with the flag that chose it
    for (const call of collectCallsIn(cfg.fn.body)) {
      const name = calleeName(call);
      if (name !== 'MmProbeAndLockPages' && name !== 'MmProbeAndLockProcessPages' && name !== 'MmProbeAndLockSelectedPages') continue;
      const args = call.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment') ?? [];
      const op = args[name === 'MmProbeAndLockPages' ? 2 : 3];
      if (op?.type === 'identifier' && locals.has(op.text)) this.keyVars.add(op.text);
    }
    // flag locals (`BOOLEAN locked = FALSE; ... locked = TRUE;` and tested): worlds stay apart by their
    // value too, so that a flag stays correlated with the MDL state it records across a join of paths
    // whose MDLs are in the same state for different reasons (a probe that failed after one that succeeded,
    // and one that succeeded after one that failed)
    for (const v of flagLocals(cfg.fn.body, locals)) this.keyVars.add(v);
    let irp: string | undefined;
    if (project?.isDispatchRoutine(file, cfg.fn.name)) {
      for (const p of params) if (/\bPIRP\b|\bIRP\s*\*/.test(locals.get(p) ?? '') && !assignedNames(cfg.fn.body).has(p)) irp = p;
    }
    this.dispatchIrp = irp;
    this.stackLocals = /\bMajorFunction\b/.test(cfg.fn.body.text) ? stackLocationLocals(cfg.fn.body, locals) : NO_STACK_LOCALS;
  }

  /**
   * `path` is `L->MajorFunction` of a local holding the current stack location of an IRP: that IRP's
   * name (see `stackLocationLocals`).
   */
  private majorFunctionOf(path: string): string | undefined {
    if (!this.stackLocals.size || !path.endsWith('->MajorFunction')) return undefined;
    return this.stackLocals.get(path.slice(0, -'->MajorFunction'.length));
  }

  /**
   * The IRP's major function is one the I/O manager sends buffered (`irpMajorsWithoutMdl`): its
   * `MdlAddress` holds no MDL of the I/O manager or of a caller. The MDL there is NULL, as on the NULL side of
   * `Irp->MdlAddress == NULL`; a path on which it was mapped or used (not NULL) does not go on. An MDL this
   * function attached itself is left as it is.
   */
  private irpWithoutMdl(w: World, irp: string): World | null {
    const p = `${irp}->MdlAddress`;
    const m = this.materialize(w, p);
    const obj = m.w.objs.get(m.id);
    if (!obj || obj.state === 'null') return m.w;
    if (obj.owned || (obj.state !== 'unknown' && obj.origin.kind !== 'irp')) return m.w;
    return this.nullSide(m.w, p, obj);
  }

  /**
   * The side of a path on which the MDL it received at `p` (of unknown state, or the I/O manager's) is NULL:
   * none when the path mapped it or a helper operated on it (the call dereferenced it).
   */
  private nullSide(w: World, p: string, obj: MdlObj): World | null {
    if (obj.mapped || obj.notNull) return null;
    if (this.summaryMode && obj.origin.kind === 'memory' && !obj.firstOp) {
      // remembered for the function's summary: this path assumed the MDL it received is NULL
      return this.setObj(w, { ...obj, state: 'null', entry: 'null' });
    }
    const withNull = this.withNullObj(w);
    return this.gc(this.with(withNull, { pts: this.put(withNull.pts, p, '#null') }), { line: 0, column: 0 });
  }

  /** Points to an input buffer the caller filled (`Irp->AssociatedIrp.SystemBuffer`, a local holding it). */
  inputContainer(w: World, e: SyntaxNode): boolean {
    const x = stripCasts(e);
    if (x.type === 'identifier') return w.pts.has(CONT + x.text);
    if (x.type === 'field_expression') {
      const f = x.childForFieldName('field')?.text ?? '';
      return f === 'SystemBuffer' || f === 'Type3InputBuffer' || f === 'UserBuffer';
    }
    return false;
  }

  /** The caller-supplied address this expression holds on this path (its source text), if any. */
  /** The statement calls a routine that never returns (decided once per node: transfer runs once per world). */
  stopsHere(node: CfgNode): boolean {
    let v = this.noReturnNodes.get(node.id);
    if (v === undefined) {
      v = node.calls.some((c) => {
        const name = calleeName(c) ?? '';
        return !!ddiEffect(name)?.noreturn || !!this.project?.noReturn(this.file, name);
      });
      this.noReturnNodes.set(node.id, v);
    }
    return v;
  }

  userAddress(w: World, e: SyntaxNode): string | undefined {
    const x = stripCasts(e);
    const p = pathOf(x);
    if (p !== undefined && w.pts.has(USER + p)) return w.pts.get(USER + p);
    if (x.type === 'identifier') return undefined;
    if (x.type === 'field_expression' || x.type === 'subscript_expression') {
      const f = x.type === 'field_expression' ? x.childForFieldName('field')?.text ?? '' : '';
      if (f === 'UserBuffer' || f === 'Type3InputBuffer') return short(x.text, 60);
      // a value read out of the input buffer's memory: `in->Address`, `in->Segments[i].Address`
      for (let cur: SyntaxNode | null = x, g = 0; cur && g < 8; g++) {
        const arg: SyntaxNode | null = cur.childForFieldName('argument');
        if (!arg) break;
        const deref = cur.type === 'subscript_expression' || (cur.childForFieldName('operator')?.text ?? (cur.text.includes('->') ? '->' : '.')) === '->';
        if (deref && this.inputContainer(w, arg)) return short(x.text, 60);
        const next = stripCasts(arg);
        if (next.type !== 'field_expression' && next.type !== 'subscript_expression') break;
        cur = next;
      }
      return undefined;
    }
    if (x.type === 'binary_expression' && /^[+-]$/.test(x.childForFieldName('operator')?.text ?? '')) {
      const l = x.childForFieldName('left');
      return l ? this.userAddress(w, l) : undefined;
    }
    return undefined;
  }

  /** After `name = value`: does `name` now hold a caller-supplied address, or point to an input buffer? */
  trackUser(w: World, name: string, value: SyntaxNode, before: World): World {
    if (!this.userSources) return w;
    const user = this.userAddress(before, value);
    const cont = this.inputContainer(before, value);
    if (user === w.pts.get(USER + name) && cont === w.pts.has(CONT + name)) return w;
    let pts = w.pts;
    pts = user ? this.put(pts, USER + name, user) : pts.delete(USER + name);
    pts = cont ? this.put(pts, CONT + name, '1') : pts.delete(CONT + name);
    return this.with(w, { pts });
  }

  // ---- world helpers -------------------------------------------------------------------------

  static empty(): World {
    return { pts: Pts.EMPTY, objs: new Objs<MdlObj>(objFragment, lockedOwned), vals: NO_VALS, conds: NO_VALS, trace: null, returnSite: null, imprecise: false };
  }

  /**
   * Every proper prefix of a path some state ever held (`ctx` and `ctx->Req` for `ctx->Req->Mdl`), with
   * the order in which they were first seen: `killBelow` walks a state's paths only for a path that has
   * something below it somewhere (`hasBelow`).
   */
  private readonly parents = new Map<string, number>();
  private readonly noted = new Set<string>();
  private parentsSeen = 0;
  /**
   * While `record` re-runs a node: the prefixes seen when the fixpoint last ran it. Its states are those
   * it had then, so nothing lies below a prefix first seen later; and without this limit every prefix of
   * the function counts, and each assignment to one walks the whole state (a function assigning n
   * pointers later written through, `va[0] = ...`, recorded in time n²).
   */
  private parentsLimit = Infinity;

  noteKey(key: string): void {
    if (this.noted.has(key)) return;
    this.noted.add(key);
    for (let i = 1; i < key.length; i++) {
      const c = key.charCodeAt(i);
      if (c === 45 /* - */ || c === 46 /* . */ || c === 91 /* [ */) {
        const p = key.slice(0, i);
        if (!this.parents.has(p)) this.parents.set(p, ++this.parentsSeen);
      }
    }
  }

  /** Some state may hold a path below `path` (see `parents`). */
  private hasBelow(path: string): boolean {
    const seen = this.parents.get(path);
    return seen !== undefined && seen <= this.parentsLimit;
  }

  /** `pts` with `key` → `value` (every insertion goes through here, for `parents`). */
  put(pts: Pts, key: string, value: string, tag?: string): Pts {
    this.noteKey(key);
    return pts.set(key, value, tag);
  }

  /** Whether the system address in `path` is known to be NULL, known not to be, or may be either. */
  nullness(w: World, path: string): string | undefined {
    const x = w.vals.get(path);
    if (!x) return undefined;
    return V.canBe(x, '==', 0, true) ? (V.singleton(x) === 0 ? '=0' : '?0') : '!0';
  }

  /**
   * The partition key: states with equal keys merge (their values join). It covers the points-to
   * entries and the objects' partition-relevant parts through the maps' running hashes (which include,
   * for each system address, whether it is known to be NULL: a tag on its entry), the values of the
   * probe-operation variables, the return site and imprecision. `run` compares the maps themselves when
   * two keys agree, so a hash collision never merges different states.
   */
  keyOf(w: World): string {
    if (w.key !== undefined) return w.key;
    let key = `${w.pts.h1 >>> 0}.${w.pts.h2 >>> 0}.${w.objs.h1 >>> 0}.${w.objs.h2 >>> 0}`;
    for (const v of this.keyVars) {
      const x = w.vals.get(v);
      if (x) key += `;${v}=${JSON.stringify(x)}`;
    }
    if (w.returnSite) key += `;ret@${w.returnSite.line}:${w.returnSite.column}`;
    if (w.imprecise) key += ';~';
    (w as { key?: string }).key = key;
    return key;
  }

  /** Same partition (the keys agree): the maps are equal too. */
  samePartition(a: World, b: World): boolean {
    return a.pts.sameEntries(b.pts) && a.objs.sameFragments(b.objs);
  }

  with(w: World, patch: Partial<Omit<World, 'key'>>): World {
    const next: World = { pts: w.pts, objs: w.objs, vals: w.vals, conds: w.conds, trace: w.trace, returnSite: w.returnSite, imprecise: w.imprecise, ...patch };
    // the partition key covers pts, objs, returnSite and imprecise: a trace or value update keeps it
    if (w.key !== undefined && next.pts === w.pts && next.objs === w.objs && next.returnSite === w.returnSite && next.imprecise === w.imprecise) {
      next.key = w.key;
    }
    return next;
  }

  /** The locals a lazy allocation was stored in (until one is, `settleAllocations` has nothing to do). */
  private lazyHolders = new Set<string>();
  /** Per node, the locals its syntax mentions, and those of them that held a lazy allocation (for `lazyHolders.size`). */
  private mentioned = new Map<number, { locals: string[]; holders: string[]; size: number }>();

  /**
   * The states that reach `node`, with each allocation that may have failed and is held by a local the
   * node mentions decided: it succeeded (the object as it is) or failed (the local NULL, the object never
   * made, the path's step saying so where the call was). Splitting at the call gave the same states; here
   * n allocations before their checks are one state until each is read, not 2^n.
   */
  settleAllocations(node: CfgNode, input: World[]): World[] {
    if (this.lazyHolders.size === 0 || !node.ast) return input;
    let m = this.mentioned.get(node.id);
    if (!m) {
      m = { locals: [...new Set(identifiersIn(node.ast))].filter((x) => this.isLocal(x)), holders: [], size: 0 };
      this.mentioned.set(node.id, m);
    }
    if (m.size !== this.lazyHolders.size) {
      // (the holders only grow: the list is made again when they did)
      m.holders = m.locals.filter((x) => this.lazyHolders.has(x));
      m.size = this.lazyHolders.size;
    }
    const names = m.holders;
    if (names.length === 0) return input;
    let out: World[] | undefined;
    for (let i = 0; i < input.length; i++) {
      let ws = [input[i]!];
      for (const x of names) {
        ws = ws.flatMap((w) => {
          const id = w.pts.get(x);
          const o = id !== undefined ? w.objs.get(id) : undefined;
          return o && o.nullable === x ? this.settleAllocation(w, x, o) : [w];
        });
      }
      if (!out && (ws.length !== 1 || ws[0] !== input[i])) out = input.slice(0, i);
      if (out) out.push(...ws);
    }
    return out ?? input;
  }

  private settleAllocation(w: World, x: string, o: MdlObj): World[] {
    const ok = this.setObj(w, { ...o, nullable: undefined });
    const failed = this.withNullObj(this.with(w, { objs: w.objs.delete(o.id), pts: this.put(w.pts, x, '#null'), trace: failedAllocation(w.trace, o) }));
    return [ok, this.gc(failed, o.origin.site!)];
  }

  /** Mark the trace where a mapping that may fail was made (the failure's step goes there: failedMapping). */
  mapMark(w: World, site: Site): World {
    return this.with(w, { trace: { step: { site, kind: 'map', message: '' }, prev: w.trace, len: w.trace?.len ?? 0 } });
  }

  step(w: World, site: Site, kind: Step['kind'], message: string | (() => string), obj?: string): World {
    const s: Step = { site, kind, message };
    if (obj) s.obj = obj;
    return this.with(w, { trace: { step: s, prev: w.trace, len: (w.trace?.len ?? 0) + 1 } });
  }

  setObj(w: World, o: MdlObj): World {
    if (o.state === 'freed') this.derefsMatter = true;
    // an object no path holds yet is a candidate for collection (unless a path comes to hold it)
    const pts = w.objs.has(o.id) ? w.pts : w.pts.noteUnreferenced(o.id);
    return this.with(w, { objs: w.objs.set(o), pts });
  }

  setVal(w: World, path: string, v: V.Val | undefined): World {
    // a write of an out parameter the summary follows: no longer kept (see `keptOuts`)
    if (this.keptOuts.length && path.charCodeAt(0) === 42 /* * */ && w.vals.has(KEPT + path)) w = this.with(w, { vals: w.vals.delete(KEPT + path) });
    const cur = w.vals.get(path);
    if (v === undefined || V.isTop(v)) {
      if (cur === undefined) return w;
      return this.rekey(this.with(w, { vals: w.vals.delete(path) }), path);
    }
    if (cur && V.equal(cur, v)) return w;
    this.noteKey(path);
    return this.rekey(this.with(w, { vals: w.vals.set(path, v) }), path);
  }

  /**
   * Remember the outcome of a tested condition (`ck`: its key), unless the path already remembers as
   * many as it may (MAX_REMEMBERED_CONDS; a condition it already remembers is updated).
   */
  setCond(w: World, ck: string, v: 0 | 1): World {
    const cur = w.conds.get(ck);
    if (cur === undefined && w.conds.size >= MAX_REMEMBERED_CONDS) return w;
    if (cur !== undefined && V.singleton(cur) === v) return w;
    return this.with(w, { conds: w.conds.set(ck, V.constant(v)) });
  }

  /**
   * `path` now holds one value: each remembered condition that reads it (`(code & 3) == METHOD_IN_DIRECT`,
   * remembered true) is read again in `w`; one that now has the other value rules the path out (an IOCTL whose
   * method bits the earlier test saw cannot be a control code with other method bits).
   */
  recheckConds(w: World, path: string, except: string | undefined): World | null {
    if (w.conds.size === 0) return w;
    const v = w.vals.get(path);
    if (!v || V.singleton(v) === undefined) return w;
    const base = baseOf(path);
    for (const [ck, known] of w.conds) {
      if (ck === except) continue;
      const node = this.condNodes.get(ck);
      const valued = node ? undefined : this.valueConds.get(ck);
      if ((!node && !valued) || !condIdentifiers(ck).includes(base)) continue;
      if (!this.mayRead(node ?? valued!, path)) continue;
      this.recheckWork++;
      if (valued) {
        // the expression had one of these values
        const got = this.valueOf(w, valued);
        if (got && V.meet(got, known).length === 0) return null;
        continue;
      }
      const want = V.singleton(known);
      if (want === undefined) continue;
      const got = this.valueOf(w, node!);
      if (!got) continue;
      if (want === 1 ? !V.canBe(got, '!=', 0, true) : !V.canBe(got, '==', 0, true)) return null;
    }
    return w;
  }

  /**
   * May the value of `cond` depend on the value of `path`? A condition is evaluated by the values of the paths it
   * reads (`evalPath` reads each by its exact key), so one whose paths are neither `path` nor a prefix or an
   * extension of it keeps its value when `path` is pinned (`DevExt->Counters[7] != 7` does not read
   * `DevExt->Counters[5]`). A condition that calls something (a macro of the program, whose body may read more
   * than its arguments) may read anything of its base.
   */
  private mayRead(cond: SyntaxNode, path: string): boolean {
    let reads = this.condReads.get(cond);
    if (reads === undefined) {
      const found: string[] = [];
      const stack: SyntaxNode[] = [cond];
      let calls = false;
      while (stack.length && !calls) {
        const n = stack.pop()!;
        if (n.type === 'call_expression') calls = true;
        const p = n.type === 'call_expression' ? undefined : pathOf(n);
        if (p !== undefined) found.push(p);
        else for (const c of n.namedChildren) stack.push(c);
      }
      reads = calls ? null : found;
      this.condReads.set(cond, reads);
    }
    return reads === null || reads.some((r) => r === path || hasPrefix(path, r) || hasPrefix(r, path));
  }

  /**
   * Remember that an expression that is not a path (`code & 3`), without effects, has a value in `v`
   * (a case of `switch (code & 3)`, either side of `(code & 3) == METHOD_IN_DIRECT`): the two direct
   * methods tested one after the other (`== METHOD_OUT_DIRECT || == METHOD_IN_DIRECT`), or two cases
   * of one body, join into {1, 2} where the conditions remembered one by one joined into nothing. It is
   * forgotten like a condition when something it reads is written, and read again when a later test
   * pins one of its variables (`recheckConds`: `code == FSCTL_MARK_HANDLE`, a METHOD_BUFFERED code,
   * rules out a path on which `code & 3` was a direct method). Null: the path already knew it could
   * not have a value in `v`.
   */
  rememberValue(w: World, expr: SyntaxNode, v: V.Val): World | null {
    const ck = condKey(expr, this.valueMacro);
    if (!ck) return w;
    const key = `?=${ck.slice(1)}`;
    const cur = w.conds.get(key);
    const next = cur ? V.meet(cur, v) : v;
    if (next.length === 0) return null;
    if (cur && V.equal(cur, next)) return w;
    if (!cur && w.conds.size >= MAX_REMEMBERED_CONDS) return w;
    this.valueConds.set(key, expr);
    return this.with(w, { conds: w.conds.set(key, next) });
  }

  /** A value that is part of the partition key changed: the world's key must be recomputed. */
  rekey(w: World, path: string): World {
    if (w.pts.has(SVA + path)) {
      // a system address known to be NULL, or known not to be, stays apart from one that may be
      // either (a failed mapping of an MDL whose state is the same on both sides would otherwise join them)
      const pts = w.pts.retag(SVA + path, this.nullness(w, path));
      if (pts !== w.pts) return this.with(w, { pts });
    }
    if (this.keyVars.has(path) && w.key !== undefined) delete (w as { key?: string }).key;
    return w;
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

  /** `path` is a field of an MDL that was freed (`Freed->Next`). */
  intoFreed(w: World, path: string): boolean {
    const parent = parentPath(path);
    const id = parent !== undefined ? w.pts.get(parent) : undefined;
    return id !== undefined && w.objs.get(id)?.state === 'freed';
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
    let o: MdlObj = { id, state: 'unknown', owned: false, name: path, origin: { kind: 'memory' } };
    if (this.dispatchIrp !== undefined && path === `${this.dispatchIrp}->MdlAddress`) {
      // a dispatch routine's IRP: the I/O manager built and locked this MDL for a direct-I/O request (or it is NULL)
      const fnSite = { line: this.cfg.fn.node.startPosition.row + 1, column: 1 };
      o = { id, state: 'locked', owned: false, name: path, origin: { kind: 'irp', site: fnSite }, lockSite: { ...fnSite, callee: 'the I/O manager' } };
    }
    return { w: this.with(w, { objs: objs.set(o), pts: this.put(pts, path, id) }), id };
  }

  /** Move an object out of the way of a new one with the same id (allocation site in a loop). */
  retire(w: World, id: string): { objs: Objs<MdlObj>; pts: Pts } {
    let objs = w.objs;
    let pts = w.pts;
    const old = objs.get(id)!;
    objs = objs.delete(id);
    const oldId = `${id}#prev`;
    const prev = objs.get(oldId);
    let moved: MdlObj = { ...old, id: oldId };
    if (prev && (prev.state !== old.state || prev.owned !== old.owned)) {
      moved = { ...moved, state: 'unknown', owned: false };
    }
    objs = objs.set(moved);
    if (!pts.refersTo(oldId)) pts = pts.noteUnreferenced(oldId);
    for (const [p, o] of w.pts) {
      if (o === id) pts = pts.set(p, oldId, pts.tagOf(p));
    }
    return { objs, pts };
  }

  /**
   * Drop objects no path refers to. An owned, locked one is kept (marked lost) for the exit check:
   * its pages stay locked although nothing can unlock them any more.
   */
  gc(w: World, at: Site): World {
    // only objects that lost their last path (or never had one) since the last collection can be
    // unreferenced: the points-to map lists them
    if (w.pts.dropped === null) return w;
    let objs = w.objs;
    for (let d: Dropped | null = w.pts.dropped; d; d = d.next) {
      this.gcWork++;
      const o = objs.get(d.id);
      if (!o || w.pts.refersTo(d.id)) continue;
      if (o.state === 'locked' && o.owned) {
        if (!o.lostAt) objs = objs.set({ ...o, lostAt: at });
      } else if (!(this.summaryMode && o.id.startsWith('m:') && carriesSummaryFacts(o))) objs = objs.delete(d.id);
      // (a caller's MDL the function did something to stays, unreferenced, for the summary: a release helper that
      // clears its field, `Ctx->Mdl = NULL`, after the free still freed the caller's MDL)
    }
    return this.with(w, { objs, pts: w.pts.clearDropped() });
  }

  /**
   * Forget local variables no path names again (see liveness.ts): their entries, and the objects only
   * they referred to. A locked MDL this function owns keeps its entry: the exit reports it as still
   * locked (dropping the entry would say its last reference was overwritten). An object that carries
   * what a summary reports (entry assumption, first operation, escape) is kept, unreferenced.
   */
  dropDead(w: World, live: Liveness, lo: number, hi: number): World {
    let pts: Pts | undefined;
    let vals: Vals | undefined;
    let gone: string[] | undefined;
    // the variables of ranks [lo, hi) that this world holds: walk the range or the world, the smaller
    let names: Iterable<string>;
    if (hi - lo <= w.pts.size + w.vals.size) {
      const list: string[] = [];
      for (let k = lo; k < hi; k++) list.push(live.nameAt(k));
      names = list;
    } else {
      const held = new Set<string>();
      const consider = (key: string) => {
        const x = keyVariable(key);
        const r = live.rankOf(x);
        if (r >= lo && r < hi) held.add(x);
      };
      for (const key of w.pts.keys()) consider(key);
      for (const key of w.vals.keys()) consider(key);
      names = held;
    }
    this.dropWork += hi - lo <= w.pts.size + w.vals.size ? hi - lo : w.pts.size + w.vals.size;
    for (const x of names) {
      for (const key of variableKeys(x)) {
        const id = (pts ?? w.pts).get(key);
        if (id === undefined) continue;
        if (!key.startsWith('$')) {
          const o = w.objs.get(id);
          if (o && o.state === 'locked' && o.owned) continue;
          if (o) (gone ??= []).push(id);
        }
        pts = (pts ?? w.pts).delete(key);
      }
      for (const key of [x, `*${x}`]) if ((vals ?? w.vals).has(key)) vals = (vals ?? w.vals).delete(key);
    }
    if (!pts && !vals) return w;
    let objs: Objs<MdlObj> | undefined;
    if (gone && pts) {
      for (const id of gone) {
        const o = (objs ?? w.objs).get(id);
        if (!o || pts.refersTo(id) || carriesSummaryFacts(o)) continue;
        objs = (objs ?? w.objs).delete(id);
      }
    }
    if (pts && pts.dropped) {
      // the candidates for collection (`gc`) that are gone, or that a path holds again, are no longer
      // candidates (one that becomes unreferenced again is listed again): the list would otherwise grow
      // along the function, and each collection walk it
      const o = objs ?? w.objs;
      const p = pts;
      pts = pts.keepDropped((id) => o.has(id) && !p.refersTo(id));
    }
    const next = this.with(w, { pts: pts ?? w.pts, objs: objs ?? w.objs, vals: vals ?? w.vals });
    // a dropped key variable's value was part of the key
    if (vals && next.key !== undefined) delete (next as { key?: string }).key;
    return next;
  }

  /** Objects at `path` and below it are handed to code we cannot see. */
  escapeBelow(w: World, path: string): World {
    for (const [p, o] of w.pts) if (p === path || hasPrefix(p, path)) w = this.escapeObj(w, o);
    return w;
  }

  /** Remove what is known about paths below `path` (its fields): they now refer to another object (`valuesOnly`: forget the values, keep the points-to entries). */
  killBelow(w: World, path: string, valuesOnly = false): World {
    // nothing was ever stored below this path: no walk
    if (!this.hasBelow(path)) return w;
    this.belowWork += (valuesOnly ? 0 : w.pts.size) + w.vals.size;
    let pts: Pts | undefined;
    if (!valuesOnly) {
      for (const p of w.pts.keys()) {
        if (hasPrefix(p, path)) pts = (pts ?? w.pts).delete(p);
      }
    }
    let vals: Vals | undefined;
    for (const p of w.vals.keys()) {
      if (hasPrefix(p, path)) {
        vals = (vals ?? w.vals).delete(p);
      }
    }
    if (!pts && !vals) return w;
    return this.with(w, { pts: pts ?? w.pts, vals: vals ?? w.vals });
  }

  /** An unknown function received this object: its state is no longer known and it is not ours to release. */
  escapeObj(w: World, id: string): World {
    const o = w.objs.get(id);
    // a freed MDL stays freed: no code can bring it back (handing the dangling pointer over is not a use
    // of the MDL; what that code does with it is its own business)
    if (!o || o.state === 'null' || o.state === 'freed') return w;
    if (o.state === 'unknown' && !o.owned && (o.escaped || o.origin.kind !== 'memory' || !this.summaryMode)) return w;
    return this.setObj(w, this.summaryMode ? { ...o, state: 'unknown', owned: false, escaped: true, kept: true } : { ...o, state: 'unknown', owned: false, kept: true });
  }

  // ---- assignment ---------------------------------------------------------------------------

  assign(w: World, path: string, r: EvalResult, at: Site): World {
    // (a variable the analysis found holding an MDL, whatever its declared type, holds what is stored now: NDIS's
    // `PNDIS_BUFFER Buf` freed by a helper, then `Buf = Next` from an unknown call's out parameter)
    const isMdl = r.obj !== undefined || this.mdl.has(path) || w.pts.has(path);
    if (lastField(path) === 'Next') {
      // the same link under another name of the same MDL is now stale
      const parent = parentPath(path);
      const id = parent !== undefined ? w.pts.get(parent) : undefined;
      if (id !== undefined) {
        let pts: Pts | undefined;
        for (const q of w.pts.keys()) {
          if (q === path || !q.endsWith('->Next')) continue;
          const qp = parentPath(q);
          if (qp !== undefined && qp !== parent && w.pts.get(qp) === id) pts = (pts ?? w.pts).delete(q);
        }
        if (pts) w = this.with(w, { pts });
      }
    }
    w = this.forgetConds(w, path);
    w = this.killBelow(w, path);
    {
      // which variables hold a system address
      const key = SVA + path;
      const from = r.sva ? encodeSva(r.sva) : r.path !== undefined ? w.pts.get(SVA + r.path) : undefined;
      if (from) this.derefsMatter = true;
      if (from !== w.pts.get(key)) {
        w = this.with(w, { pts: from === undefined ? w.pts.delete(key) : this.put(w.pts, key, from, this.nullness(w, path)) });
      }
    }
    if (isMdl) {
      let target = r.obj;
      if (target === undefined && r.v && V.singleton(r.v) === 0) target = '#null';
      if (path.includes('[')) {
        // a store to an array element (`a[i]`, `a[0]`): the MDL `a[i]` held before is another element's when
        // the index moved (a loop filling the array), and what another name of the element holds may be
        // overwritten or not: of unknown state either way, never lost
        for (const [p, o] of w.pts) {
          if (o !== target && (p === path ? path.includes('[*]') : p.includes('[') && mayAlias(p, path))) w = this.escapeObj(w, o);
        }
      }
      w = this.with(w, { pts: target === undefined ? w.pts.delete(path) : this.put(w.pts, path, target) });
      if (target === '#null') w = this.withNullObj(w);
      if (target !== undefined) {
        const o = w.objs.get(target);
        // a fresh MDL is named after the first variable or field it is stored in
        if (o && o.origin.kind !== 'memory' && o.origin.kind !== 'null' && o.name === o.origin.callee) w = this.setObj(w, { ...o, name: path });
        const o2 = w.objs.get(target);
        // (a store into a freed MDL, `Freed->Next = Mdl`, hands nothing off: that memory is no longer the
        // driver's, and what it held is lost with it)
        if (o2 && o2.state !== 'null' && this.escapes(path) && !this.intoFreed(w, path) && (o2.owned || (this.summaryMode && !o2.escaped))) {
          w = this.setObj(w, this.summaryMode ? { ...o2, owned: false, escaped: true } : { ...o2, owned: false });
        }
      }
      w = this.gc(w, at);
    }
    return this.setVal(w, path, r.obj !== undefined ? undefined : r.v);
  }

  /** The world with the NULL object (`#null`), which paths known to be NULL refer to. */
  withNullObj(w: World): World {
    return w.objs.has('#null') ? w : this.setObj(w, { id: '#null', state: 'null', owned: false, name: 'NULL', origin: { kind: 'null' } });
  }

  // ---- expression evaluation ----------------------------------------------------------------

  /** The value of `e` in `w`, one result per way it can go (`store`: what an assignment stores, see evalStored). */
  /** The value of a side-effect-free expression in `w`, when its evaluation does not split the world. */
  valueOf(w: World, e: SyntaxNode): V.Val | undefined {
    const rs = this.eval(w, e);
    return rs.length === 1 ? rs[0]!.v : undefined;
  }

  eval(w: World, e: SyntaxNode, store?: Store): EvalResult[] {
    switch (e.type) {
      case 'parenthesized_expression':
        return e.namedChildCount === 1 ? this.eval(w, e.namedChild(0)!, store) : [{ w }];
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
        return value ? this.eval(w, value, store) : [{ w }];
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
        const ck = condKey(cond, this.valueMacro);
        for (const r of this.eval(w, cond)) {
          let t = r.v && !V.canBe(r.v, '!=', 0, true) ? null : this.refine(r.w, cond, true);
          let f = r.v && !V.canBe(r.v, '==', 0, true) ? null : this.refine(r.w, cond, false);
          if (ck) {
            // remembered like a branch: `op = write ? IoWriteAccess : IoReadAccess; ... if (write) ...`
            const known = r.w.conds.get(ck);
            if (t && known && V.singleton(known) === 0) t = null;
            if (f && known && V.singleton(known) === 1) f = null;
            if (t) t = this.setCond(t, ck, 1);
            if (f) f = this.setCond(f, ck, 0);
          }
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
      case 'call_expression': {
        const x = cxxCastOperand(e);
        if (x) return this.eval(w, x, store);
        const stored = store?.call === e.id ? store : undefined;
        const rs = this.evalCall(w, e, stored);
        return stored || !rs.some(maybeNullAddress) ? rs : rs.flatMap((r) => this.settledResult(r));
      }
      case 'declaration':
        return this.evalDeclaration(w, e).map((x) => ({ w: x }));
      case 'return_statement': {
        const value = e.namedChildren.find((c) => c.type !== 'comment');
        if (!value) return [{ w }];
        return this.evalReturn(w, value);
      }
      case 'sizeof_expression':
      case 'alignof_expression':
      case 'string_literal':
      case 'concatenated_string':
      case 'offsetof_expression':
      // (a lambda's body runs where the lambda is called: the CFG puts it there, see cfg.ts `localLambda`)
      case 'lambda_expression':
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

  /** The MDL chained after the MDL `path`'s parent designates, recorded under another name of that MDL. */
  nextThroughAlias(w: World, path: string): string | undefined {
    const parent = parentPath(path);
    if (parent === undefined) return undefined;
    const id = w.pts.get(parent);
    if (id === undefined || id === '#null') return undefined;
    for (const [q, t] of w.pts) {
      if (q === path || q.startsWith('$') || !q.endsWith('->Next')) continue;
      const qp = parentPath(q);
      if (qp !== undefined && w.pts.get(qp) === id) return t;
    }
    return undefined;
  }

  /**
   * Dereferences in an lvalue-ish expression (`va->x`, `va[i]`, `*va`, `m->Next`): record uses of a
   * system address and reads of a freed MDL's fields.
   */
  derefs(w: World, e: SyntaxNode, write: boolean): World {
    if (!this.derefsMatter) return w;
    let cur: SyntaxNode | null = e;
    let outermost = true;
    for (let g = 0; cur && g < 16; g++) {
      let base: SyntaxNode | null = null;
      if (cur.type === 'field_expression') {
        const op = cur.childForFieldName('operator')?.text ?? (cur.text.includes('->') ? '->' : '.');
        base = cur.childForFieldName('argument');
        if (op !== '->') {
          cur = base;
          continue;
        }
      } else if (cur.type === 'subscript_expression') base = cur.childForFieldName('argument');
      else if (cur.type === 'pointer_expression' && cur.childForFieldName('operator')?.text === '*') base = cur.childForFieldName('argument');
      else if (cur.type === 'parenthesized_expression' || cur.type === 'cast_expression') {
        cur = cur.type === 'cast_expression' ? cur.childForFieldName('value') : cur.namedChild(0);
        continue;
      } else if (cxxCastOperand(cur)) {
        cur = cxxCastOperand(cur)!;
        continue;
      } else return w;
      if (!base) return w;
      const bp = pathOf(base);
      if (bp) {
        w = this.svaUse(w, bp, cur, write && outermost);
        const id = w.pts.get(bp);
        const o = id !== undefined ? w.objs.get(id) : undefined;
        if (this.recording && o && o.state === 'freed' && this.mdl.has(bp)) this.observations.push({ kind: 'field-read', obj: o, node: cur, trace: w.trace, imprecise: w.imprecise });
      }
      outermost = false;
      cur = base;
    }
    return w;
  }

  /** Pointer arguments of a copy or fill routine that hold a system address. */
  copyUses(w: World, name: string, args: SyntaxNode[]): World {
    const spec = COPY_ROUTINES.get(name)!;
    // a length of 0 on this path touches no byte (`len = 0` where the mapping failed, then one copy)
    const len = args[spec.len];
    if (len && !hasEffects(len)) {
      const v = this.valueOf(w, len);
      if (v && !V.canBe(v, '!=', 0, true)) return w;
    }
    for (const k of spec.ptrs) {
      const a = args[k];
      if (!a) continue;
      let x = stripCasts(a);
      // &va[3], va + off: the pointer is still va
      if (x.type === 'binary_expression' && /^[+-]$/.test(x.childForFieldName('operator')?.text ?? '')) x = unparen(x.childForFieldName('left') ?? x);
      if (x.type === 'pointer_expression' && x.childForFieldName('operator')?.text === '&') {
        const inner = x.childForFieldName('argument');
        if (inner && (inner.type === 'subscript_expression' || inner.type === 'field_expression')) {
          w = this.derefs(w, inner, k === spec.dest);
        }
        continue;
      }
      const bp = pathOf(x);
      if (bp) w = this.svaUse(w, bp, a, k === spec.dest);
    }
    return w;
  }

  /**
   * `RtlZeroMemory(Ctx, sizeof(*Ctx))`, `memset(&ctx, 0, sizeof(ctx))`: the MDL pointers in the structure are NULL
   * now (an MDL whose last reference that was is lost).
   */
  zeroFill(w: World, name: string, args: SyntaxNode[], at: Site): World {
    const v = ZERO_ROUTINES.get(name)!.value;
    if (v !== undefined) {
      const a = args[v];
      const c = a ? this.constValue(a) : undefined;
      if (c !== 0) return w;
    }
    const dst = args[0] ? stripCasts(args[0]) : undefined;
    if (!dst) return w;
    const base = dst.type === 'pointer_expression' && dst.childForFieldName('operator')?.text === '&' ? pathOf(dst.childForFieldName('argument')) : pathOf(dst);
    if (!base) return w;
    let pts: Pts | undefined;
    for (const [p, id] of w.pts) {
      if (id !== '#null' && p.charCodeAt(0) !== 36 /* $ */ && hasPrefix(p, base)) pts = this.put(pts ?? w.pts, p, '#null');
    }
    if (!pts) return w;
    return this.gc(this.withNullObj(this.with(w, { pts })), at);
  }

  /**
   * `path` is dereferenced at `node`: if it holds a system address, record the use (when recording);
   * past it the address was not NULL (else the machine stopped there).
   */
  svaUse(w: World, path: string, node: SyntaxNode, write: boolean): World {
    const enc = w.pts.get(SVA + path);
    if (!enc) return w;
    const v = w.vals.get(path);
    const canBeNull = v !== undefined && V.canBe(v, '==', 0, true);
    const maybe = canBeNull && undecided(v!);
    if (this.recording) {
      const origin = decodeSva(enc);
      const obj = origin.obj !== undefined ? w.objs.get(origin.obj) : undefined;
      // the path on which it is NULL: the mapping failed (the trace settleOrigin gives that side)
      const trace = maybe ? failedMapping(w.trace, origin) : w.trace;
      this.observations.push({
        kind: 'sva-use', node, caught: catchesAccessViolation(this.currentNode.ctx), path, write, canBeNull,
        map: { line: origin.line, column: origin.column, callee: origin.callee }, obj, trace, imprecise: w.imprecise,
      });
    }
    if (!canBeNull) return w;
    // past the use the address was not NULL (else the machine stopped there)
    return this.setVal(maybe ? this.settleMapping(w, path, true) : w, path, V.minus(v!, 0));
  }

  evalPath(w: World, e: SyntaxNode): EvalResult {
    const p = pathOf(e);
    w = this.derefs(w, e, false);
    if (!p) return { w };
    if (e.type === 'identifier') {
      const k = this.constant(p);
      if (k !== undefined && !this.locals.has(p)) return { w, v: V.constant(k) };
      const st = V.unknownStatusRange(p);
      if (st && !this.locals.has(p)) return { w, v: st };
    }
    const o = w.pts.get(p);
    if (o !== undefined) return { w, obj: o, path: p };
    if (lastField(p) === 'Next') {
      // `m->Next` where `m` designates the same MDL as `head`: the chain link recorded as `head->Next`
      const alias = this.nextThroughAlias(w, p);
      if (alias !== undefined) return { w, obj: alias, path: p };
    }
    if (this.mdl.has(p)) {
      const m = this.materialize(w, p);
      return { w: m.w, obj: m.id, path: p };
    }
    const v = w.vals.get(p);
    const r: EvalResult = { w, path: p };
    if (v) r.v = v;
    return r;
  }

  /** Evaluate the value an assignment, an initialization or a return stores (`to`: the local it goes to). */
  evalStored(w: World, value: SyntaxNode, to?: string): EvalResult[] {
    return this.eval(w, value, { call: storedNode(value).id, to: to !== undefined && this.isLocal(to) ? to : undefined });
  }

  evalAssign(w: World, e: SyntaxNode): EvalResult[] {
    const left = e.childForFieldName('left');
    const right = e.childForFieldName('right');
    const op = e.childForFieldName('operator')?.text ?? '=';
    const p = pathOf(left);
    if (!right) return [{ w }];
    const at = siteOf(e);
    // a store through another member of a union whose storage holds an MDL (NTFS's
    // `IrpContext->Union.AuxiliaryBuffer = Irp->Tail.Overlay.AuxiliaryBuffer` over `Union.MdlToCleanup`): what is
    // stored is no MDL, and the storage no longer holds one
    // (read through such a member, `OplockCleanup = IrpContext->Union.OplockCleanup`, it is no MDL either)
    const notMdl = op === '=' && !!p && ((!!left && otherUnionMember(left)) || otherUnionMember(right));
    return (op === '=' && p ? this.evalStored(w, right, p) : this.eval(w, right)).map((r) => {
      if (notMdl) r = asOtherMember(r);
      if (left) r = { ...r, w: this.derefs(r.w, left, true) };
      if (!p) return { w: r.w };
      if (lastField(p) === 'MdlFlags') r = { ...r, w: this.handWrittenFlags(r.w, p) };
      if (op === '=') {
        const w2 = this.assign(r.w, p, r, at);
        // a local (or a field of a local structure) now holding a caller-supplied address
        return { ...r, w: !p.includes('->') && !p.startsWith('*') && this.locals.has(baseOf(p)) ? this.trackUser(w2, p, right, w) : w2 };
      }
      // compound assignment: compute on singletons, else unknown
      const cur = r.w.vals.get(p);
      const a = cur ? V.singleton(cur) : undefined;
      const b = r.v ? V.singleton(r.v) : undefined;
      let v: V.Val | undefined;
      if (a !== undefined && b !== undefined) {
        const res = V.fold(op.slice(0, -1), a, b);
        if (res !== undefined) v = V.constant(res);
      } else if (cur && r.v) {
        v = V.mapPairs(cur, r.v, (x, y) => V.fold(op.slice(0, -1), x, y));
      }
      return { w: this.assign(r.w, p, v ? { w: r.w, v } : { w: r.w }, at) };
    });
  }

  /**
   * `Mdl->MdlFlags |= MDL_PARTIAL` (btrfs builds a partial MDL by hand over another MDL's locked pages),
   * `&= ~MDL_PAGES_LOCKED`, `= 0`: the driver sets the MDL's state itself; the analysis claims nothing about it from here.
   */
  handWrittenFlags(w: World, flagsPath: string): World {
    const parent = parentPath(flagsPath);
    const id = parent !== undefined ? w.pts.get(parent) : undefined;
    const o = id !== undefined ? w.objs.get(id) : undefined;
    if (!o || o.state === 'null' || o.state === 'freed' || o.state === 'unknown') return w;
    return this.setObj(w, { ...o, state: 'unknown', mapped: false, mapPending: undefined });
  }

  evalBinary(w: World, e: SyntaxNode): EvalResult[] {
    // `Mdl->MdlFlags & MDL_PAGES_LOCKED` as a value (`locked = ...; if (!locked) probe`): nonzero on the
    // paths where the flag test holds, 0 where it does not (btrfs's write_file keeps it in a local)
    if (e.childForFieldName('operator')?.text === '&') {
      const l = e.childForFieldName('left');
      const r = e.childForFieldName('right');
      if (l && r && isFlagMask(l, r)) {
        // (the operand is read first: a read of a freed MDL's flags is a use after free)
        const out: EvalResult[] = [];
        for (const x of this.eval(w, l)) {
          const set = this.flagTest(x.w, l, r, true);
          const clear = this.flagTest(x.w, l, r, false);
          if (set) out.push({ w: set, v: [[1, Infinity]] });
          if (clear) out.push({ w: clear, v: V.constant(0) });
        }
        return out;
      }
    }
    // a left-nested chain (`a0 + a1 + ... + an`, thousands long in generated code) in a loop, from its
    // innermost operand out, not by recursion
    const spine: SyntaxNode[] = [e];
    for (let l = e.childForFieldName('left'); l?.type === 'binary_expression' && l.childForFieldName('right'); l = l.childForFieldName('left')) spine.push(l);
    const innermost = spine[spine.length - 1]!;
    const first = innermost.childForFieldName('left');
    if (!first || !innermost.childForFieldName('right')) return spine.length === 1 ? [{ w }] : this.evalBinaryTail(spine.slice(0, -1), [{ w }]);
    return this.evalBinaryTail(spine, this.eval(w, first));
  }

  /** Apply the operators of `spine` (outermost first) from the innermost out, starting from the values of the innermost left operand. */
  private evalBinaryTail(spine: readonly SyntaxNode[], lefts: EvalResult[]): EvalResult[] {
    let cur = lefts;
    for (let k = spine.length - 1; k >= 0; k--) {
      const e = spine[k]!;
      const op = e.childForFieldName('operator')?.text ?? '';
      const right = e.childForFieldName('right')!;
      cur = this.combine(cur, op, right);
    }
    return cur;
  }

  /** The values of `left op right` for each value of the left operand. */
  private combine(lefts: EvalResult[], op: string, right: SyntaxNode): EvalResult[] {
    const out: EvalResult[] = [];
    // an MDL pointer compared as a value: NULL, or known not to be NULL
    const ptrVal = (x: EvalResult): EvalResult => {
      if (x.v || x.obj === undefined) return x;
      const o = x.w.objs.get(x.obj);
      if (!o) return x;
      if (o.state === 'null') return { ...x, v: V.constant(0) };
      if (o.state !== 'unknown' && o.origin.kind !== 'irp') return { ...x, v: V.minus(V.TOP, 0) };
      return x;
    };
    for (const l0 of lefts) {
      const l = isCmp(op) ? ptrVal(l0) : l0;
      for (const r0 of this.eval(l.w, right)) {
        const r = isCmp(op) ? ptrVal(r0) : r0;
        const a = l.v ? V.singleton(l.v) : undefined;
        const b = r.v ? V.singleton(r.v) : undefined;
        let v: V.Val | undefined;
        if (isCmp(op)) {
          const k = this.decideCmp(r.w, l, op, r);
          v = k === undefined ? ([[0, 1]] as V.Val) : V.constant(k ? 1 : 0);
        } else if (op === '&&' || op === '||') {
          v = [[0, 1]];
        } else if (a !== undefined && b !== undefined) {
          const res = V.fold(op, a, b);
          if (res !== undefined) v = V.constant(res);
        } else if ((op === '&' || op === '*') && (a === 0 || b === 0)) {
          // `Flags & MEM_NONCACHED` with Flags 0: 0, whatever the other operand (a macro of a header the run does not see)
          v = V.constant(0);
        } else if (l.v && r.v) {
          v = V.mapPairs(l.v, r.v, (x, y) => V.fold(op, x, y));
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
        // (`POPLOCK_CLEANUP OplockCleanup = IrpContext->Union.OplockCleanup;`: no MDL, see `otherUnionMember`)
        const notMdl = otherUnionMember(value);
        ws = ws.flatMap((x) =>
          this.evalStored(x, value, name).map((r0) => {
            const r = notMdl ? asOtherMember(r0) : r0;
            return this.trackUser(this.assign(r.w, name, r, at), name, value, x);
          }),
        );
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

  /** The object an MDL argument designates (materialized when read from memory); `&mdlStruct` too. */
  argObj(w: World, r: EvalResult | undefined): { w: World; id?: string } {
    if (!r) return { w };
    if (r.obj !== undefined) return { w, id: r.obj };
    if (r.addrOf) {
      // &localMdl (an MDL structure on the stack or in an extension)
      const p = r.addrOf;
      const existing = w.pts.get(`&${p}`);
      if (existing) return { w, id: existing };
      const mm = this.materialize(w, `&${p}`);
      return { w: mm.w, id: mm.id };
    }
    return { w };
  }

  /**
   * The AccessMode of a probe, as a summary keeps it: a constant (KernelMode 0, UserMode 1), or the name of
   * the parameter it is (`MmProbeAndLockPages(Mdl, Mode, ...)`), which each call site supplies.
   */
  probeMode(call: SyntaxNode, callee: string, rs: EvalResult[] | undefined): ProbeMode | undefined {
    const k = accessModeArg(callee);
    const v = rs?.[k]?.v ? V.singleton(rs[k]!.v!) : undefined;
    if (v !== undefined) return v;
    const a = call.childForFieldName('arguments')?.namedChildren.filter((x) => x.type !== 'comment')[k];
    const sa = a ? stripCasts(a) : undefined;
    return sa?.type === 'identifier' && this.params.has(sa.text) ? sa.text : undefined;
  }

  /** A summary's probe mode at a call: the constant, or the value (or, in a summary, the parameter) the call passes. */
  modeAtCall(mode: ProbeMode, params: string[], args: SyntaxNode[], rs: EvalResult[]): ProbeMode | undefined {
    if (typeof mode === 'number') return mode;
    const idx = params.indexOf(mode);
    if (idx < 0) return undefined;
    const v = rs[idx]?.v ? V.singleton(rs[idx]!.v!) : undefined;
    if (v !== undefined) return v;
    const a = args[idx] ? stripCasts(args[idx]!) : undefined;
    return this.summaryMode && a?.type === 'identifier' && this.params.has(a.text) ? a.text : undefined;
  }

  /**
   * Record an MDL operation (when recording) and apply its transition; what tests of the MDL's `MdlFlags`
   * remembered before it no longer holds (`forgetFlags`).
   */
  applyOp(w: World, id: string, op: MdlOp, callee: string, call: SyntaxNode, at: Site, extra: { via?: Via; rs?: EvalResult[]; argPath?: string; mode?: ProbeMode }): World {
    return this.forgetFlags(this.applyOpTo(w, id, op, callee, call, at, extra), id);
  }

  /**
   * After an operation on the MDL `id`, the remembered tests of its `MdlFlags` under any of its names go
   * (`Mdl->MdlFlags & MDL_PAGES_LOCKED` true before an unlock would rule out the unlocked state after it):
   * the state itself answers the next test (`flagTestOf`).
   */
  forgetFlags(w: World, id: string): World {
    let flagConds: string[] | undefined;
    for (const k of w.conds.keys()) if (k.includes('MdlFlags')) (flagConds ??= []).push(k);
    if (!flagConds) return w;
    const bases = new Set<string>();
    for (const [p, o] of w.pts) if (o === id) bases.add(baseOf(p));
    let conds: Vals | undefined;
    for (const k of flagConds) if (condIdentifiers(k).some((x) => bases.has(x))) conds = (conds ?? w.conds).delete(k);
    return conds ? this.with(w, { conds }) : w;
  }

  private applyOpTo(w: World, id: string, op: MdlOp, callee: string, call: SyntaxNode, at: Site, extra: { via?: Via; rs?: EvalResult[]; argPath?: string; mode?: ProbeMode }): World {
    const before = w.objs.get(id);
    if (!before || before.state === 'null') return w;
    if (this.recording) {
      const obs: Observation & { kind: 'mdl-op' } = { kind: 'mdl-op', op, callee, call, node: this.currentNode, before, trace: w.trace, imprecise: w.imprecise };
      if (extra.via) obs.via = extra.via;
      if (extra.rs) obs.argVals = extra.rs.map((r) => (r.v ? V.singleton(r.v) : undefined));
      else if (op === 'lock' && typeof extra.mode === 'number') {
        // a helper's probe of this MDL, with the AccessMode its summary gives (or this call passes it)
        obs.argVals = [];
        obs.argVals[accessModeArg(callee)] = extra.mode;
        if (extra.mode === 0) obs.helperProbe = true;
      }
      if (op === 'lock') obs.kernelRequestor = this.kernelRequestor(w);
      if (op === 'free' && extra.argPath) {
        const chained = this.chainedObjs(w, extra.argPath);
        if (chained.length) obs.chained = chained;
      }
      this.observations.push(obs);
    }
    if (this.summaryMode && op === 'lock' && before.vaParam && extra.rs && !extra.via) {
      const k = callee === 'MmProbeAndLockPages' ? 1 : 2;
      const mode = extra.rs[k]?.v ? V.singleton(extra.rs[k]!.v!) : undefined;
      if (mode === 0 && !this.kernelModeProbes.some((p) => p.param === before.vaParam)) {
        this.kernelModeProbes.push({ param: before.vaParam, line: at.line, callee });
      }
    }
    // an element of an array (`a[0]`, `a[i]`): what another name of it may designate (`a[*]`, `a[1]` for
    // `a[i]`) is now of unknown state (the same element, or another)
    if (extra.argPath?.includes('[')) {
      for (const [p, o] of w.pts) if (o !== id && p !== extra.argPath && p.includes('[') && mayAlias(p, extra.argPath)) w = this.escapeObj(w, o);
    }
    if (id.includes('[*]') || extra.argPath?.includes('[*]')) {
      // an array element path (`a[*]`) stands for every element: after this operation the next access
      // (another index, the next iteration) designates an element whose state is not known; the element
      // this one designated is no longer the function's to account for (a loop that locks each element)
      let w2 = this.transition(w, before, op, callee, at, extra.via);
      const after = w2.objs.get(id);
      if (after && after.owned && after.state !== 'freed') w2 = this.escapeObj(w2, id);
      let pts: Pts | undefined;
      for (const [p, o] of w2.pts) {
        if (o === id && p.includes('[*]')) pts = (pts ?? w2.pts).delete(p);
      }
      return pts ? this.with(w2, { pts }) : w2;
    }
    if (this.summaryMode && before.origin.kind === 'memory' && !before.firstOp && before.state !== 'freed') {
      // (at: the operation, or the call of the helper that does it, in this function: see `describe`)
      const first: { op: MdlOp; callee: string; site: Site; mode?: ProbeMode } = { op, callee, site: at };
      if (op === 'lock') {
        const mode = extra.via ? extra.mode : this.probeMode(call, callee, extra.rs);
        if (mode !== undefined) first.mode = mode;
      }
      if (op !== 'use') w = this.setObj(w, { ...before, firstOp: first });
      else if (!before.firstUse) w = this.setObj(w, { ...before, firstUse: first });
    }
    const cur = w.objs.get(id)!;
    let w2 = this.transition(w, cur, op, callee, at, extra.via);
    if (op === 'lock' && extra.rs) {
      const o = w2.objs.get(id);
      const k = extra.rs[2]?.v ? V.singleton(extra.rs[2].v) : undefined;
      if (o && o.state === 'locked') w2 = this.setObj(w2, { ...o, lockOp: k === 0 ? 'read' : k === 1 || k === 2 ? 'write' : 'unknown' });
    }
    return w2;
  }

  /** The path says the request came from kernel mode (`Irp->RequestorMode == KernelMode`, `ExGetPreviousMode() == KernelMode`). */
  kernelRequestor(w: World): boolean {
    for (const [p, v] of w.vals) {
      if ((p.endsWith('RequestorMode') || /PreviousMode$/.test(p)) && V.singleton(v) === 0) return true;
    }
    for (const [p, v] of w.conds) {
      if (p === '?ExGetPreviousMode()==KernelMode' && V.singleton(v) === 0) return true;
      if (/RequestorMode==KernelMode|KernelMode==.*RequestorMode|ExGetPreviousMode\(\)==KernelMode/.test(p) && V.singleton(v) === 1) return true;
      if (/RequestorMode!=KernelMode|ExGetPreviousMode\(\)!=KernelMode/.test(p) && V.singleton(v) === 0) return true;
    }
    return false;
  }

  /** Objects chained after the MDL at `path` (`path->Next`, `path->Next->Next`...). */
  chainedObjs(w: World, path: string): MdlObj[] {
    const out: MdlObj[] = [];
    // (no state ever held a path below it: nothing to walk the state for)
    if (!this.hasBelow(path)) return out;
    for (const [p, id] of w.pts) {
      if (hasPrefix(p, path) && /^(->Next)+$/.test(p.slice(path.length))) {
        const o = w.objs.get(id);
        if (o) out.push(o);
      }
    }
    return out;
  }

  /** A call's results (`stored`: its value is stored, see evalStored). */
  evalCall(w: World, call: SyntaxNode, stored?: Store): EvalResult[] {
    const name = calleeName(call) ?? '';
    const args = call.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment') ?? [];
    const eff = name ? ddiEffect(name) : undefined;
    const out: EvalResult[] = [];
    const at = siteOf(call);
    const helper = !eff && name ? this.project?.summaryFor(this.file, name) : undefined;
    // SetFlag(Mdl->MdlFlags, MDL_PARTIAL), ClearFlag(...): the WDK's macros for `|=` and `&= ~`
    const flagsPath = (name === 'SetFlag' || name === 'ClearFlag') && args[0] ? pathOf(args[0]) : undefined;
    for (const { w: w0, rs } of this.evalArgs(w, args)) {
      let w1 = w0;
      if (flagsPath !== undefined && lastField(flagsPath) === 'MdlFlags') w1 = this.handWrittenFlags(w1, flagsPath);
      if (helper) {
        out.push(...this.applySummary(w1, helper, call, args, rs, at, false));
        continue;
      }
      if (eff) {
        // a probe with a mode other than KernelMode of an MDL over kernel memory: the user-range check fails
        // before any page is touched, so the probe always raises and never returns normally
        // (the call is still observed: a double lock or a probe of a prebuilt MDL is checked before the range)
        let alwaysRaises = false;
        const lockArg = eff.requiresTry ? eff.mdl?.find((m) => m.op === 'lock') : undefined;
        if (lockArg) {
          const modeIdx = name === 'MmProbeAndLockPages' ? 1 : 2;
          const mode = rs[modeIdx]?.v ? V.singleton(rs[modeIdx]!.v!) : undefined;
          const p0 = pathOf(args[lockArg.arg]);
          const id0 = p0 !== undefined ? w1.pts.get(p0) : rs[lockArg.arg]?.obj;
          const o0 = id0 !== undefined ? w1.objs.get(id0) : undefined;
          alwaysRaises = mode !== undefined && mode !== 0 && !!o0?.kernelVa && o0.state !== 'null' && o0.state !== 'freed';
        }
        for (const m of eff.mdl ?? []) {
          const argPath = pathOf(args[m.arg]);
          if (m.ifMdl) {
            // ExFreePool & co. free any pool block: an MDL only when it is known to be one
            const id0 = argPath !== undefined ? w1.pts.get(argPath) : rs[m.arg]?.obj;
            const o0 = id0 !== undefined ? w1.objs.get(id0) : undefined;
            const known = o0 !== undefined && o0.state !== 'unknown' && o0.state !== 'null';
            if (!known && !(argPath !== undefined && this.mdl.has(argPath))) continue;
          }
          const got = this.argObj(w1, rs[m.arg]);
          w1 = got.w;
          if (got.id === undefined) continue;
          w1 = this.applyOp(w1, got.id, m.op, name, call, at, argPath ? { rs, argPath } : { rs });
        }
        if (alwaysRaises) continue;
        if (eff.freesIrpArg !== undefined) {
          const irp = pathOf(args[eff.freesIrpArg]);
          if (irp) {
            for (const [p, id] of w1.pts) {
              if (p === `${irp}->MdlAddress` || (hasPrefix(p, `${irp}->MdlAddress`) && /^(->Next)+$/.test(p.slice(irp.length + 12)))) {
                const o = w1.objs.get(id);
                // an MDL the function still holds elsewhere (a local) can still be unlocked and freed after the IRP:
                // it is the function's own again, and a leak of it at an exit is reported at this IoFreeIrp
                const heldElsewhere = [...w1.pts].some(([q, t]) => t === id && q !== p && !q.startsWith('$') && !(q === irp || hasPrefix(q, irp)));
                if (o && heldElsewhere && o.state === 'locked') {
                  // ...if it was: an MDL handed to code that keeps it (or the caller's) has another owner, for
                  // whom the IRP's end changes nothing
                  if (!o.kept) w1 = this.setObj(w1, { ...o, owned: true, irpFreed: { ...at, irp } });
                  continue;
                }
                // an MDL the function allocated, not locked now (unlocked through the IRP, or never locked), is its
                // own again too: a lock taken after the IRP's end is the function's to release
                if (o && heldElsewhere && !o.kept && !o.owned && o.origin.kind === 'alloc' && (o.state === 'allocated' || o.state === 'unlocked')) {
                  w1 = this.setObj(w1, { ...o, owned: true });
                  continue;
                }
                if (o && this.recording && o.state === 'locked' && !o.kept) {
                  this.observations.push({ kind: 'irp-free', obj: o, call, irp, trace: w1.trace, imprecise: w1.imprecise });
                }
              }
            }
            w1 = this.killBelow(w1, irp);
          }
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
          const user = eff.returns === 'mdl-alloc' && args[0] ? this.userAddress(w0, args[0]) : undefined;
          // a helper's MDL over a buffer its caller passes: its summary says whether it probes it with KernelMode
          const vaArg = this.summaryMode && eff.returns === 'mdl-alloc' && args[0] ? stripCasts(args[0]) : undefined;
          const vaParam = vaArg?.type === 'identifier' && this.params.has(vaArg.text) ? vaArg.text : undefined;
          const kernelVa = eff.returns === 'mdl-alloc' && !user && args[0] !== undefined && this.kernelAddress(args[0]);
          let ok = this.setObj(base, { ...o, ...(user ? { userVa: user } : {}), ...(attached ? { attached: true } : {}), ...(vaParam ? { vaParam } : {}), ...(kernelVa ? { kernelVa: true } : {}) });
          if (attached && irpArg !== undefined) {
            // IoAllocateMdl(..., SecondaryBuffer FALSE, ..., Irp) makes it Irp->MdlAddress
            const irp = pathOf(args[irpArg]);
            const secondary = rs[2]?.v ? V.singleton(rs[2].v) : undefined;
            if (irp && secondary === 0) {
              ok = this.with(ok, { pts: this.put(ok.pts, `${irp}->MdlAddress`, id) });
            }
          }
          ok = this.step(ok, at, 'alloc', `${name} succeeds`, id);
          const to = stored?.to;
          if (!attached && to !== undefined) {
            // one state: it failed or not is decided before the local is first read (settleAllocations)
            this.lazyHolders.add(to);
            out.push({ w: this.setObj(ok, { ...ok.objs.get(id)!, nullable: to }), obj: id });
            continue;
          }
          const failed = this.step(this.withNullObj(base), at, 'alloc', `${name} fails (NULL)`);
          out.push({ w: ok, obj: id }, { w: failed, obj: '#null' });
          continue;
        }
        if (eff.returns === 'exception-code') {
          out.push({ w: w1, v: V.NT_FAILURE_RANGE });
          continue;
        }
        if (eff.returns === 'system-address') {
          out.push(...this.systemAddress(w1, name, eff, args, rs, at));
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
      if (isPure(name) || this.valueMacro(name)) {
        if (COPY_ROUTINES.has(name)) w1 = this.copyUses(w1, name, args);
        if (ZERO_ROUTINES.has(name)) w1 = this.zeroFill(w1, name, args, at);
        out.push(this.pureValue(w1, name, rs));
        continue;
      }
      // a lambda of this function the graph did not put in place (`status = release();`): code that may do
      // anything to the MDLs it captures, as to those passed to it
      if (name && this.cfg.lambdas?.has(name)) {
        let w2 = w1;
        for (const o of w1.objs.values()) w2 = this.escapeObj(w2, o.id);
        out.push({ w: w2 });
        continue;
      }
      // a function of the program that does nothing (an empty `kunmap(page)`): the MDL passed stays the caller's
      if (name && this.doesNothing(name)) {
        out.push({ w: w1 });
        continue;
      }
      out.push({ w: this.unknownCall(w1, rs) });
    }
    return out;
  }

  /**
   * MmGetSystemAddressForMdlSafe & co. An MDL already mapped, or built for nonpaged pool, gives its
   * address again and cannot fail; a first mapping can fail (NULL), except MmMapLockedPagesSpecifyCache
   * with BugCheckOnFailure TRUE (it bug-checks instead) or for user mode (it raises instead).
   */
  systemAddress(w1: World, name: string, eff: DdiEffect, args: SyntaxNode[], rs: EvalResult[], at: Site): EvalResult[] {
    const m = eff.mdl?.[0];
    const mdlArg = m ? m.arg : 0;
    const got = this.argObj(w1, rs[mdlArg]);
    w1 = got.w;
    const id = got.id;
    const o = id !== undefined ? w1.objs.get(id) : undefined;
    const nonNull = V.minus(V.TOP, 0);
    const sva = { line: at.line, column: at.column, callee: name, obj: id };
    let canFail = true;
    if (eff.bugCheckOnFailureArg !== undefined) {
      const k = rs[eff.bugCheckOnFailureArg]?.v ? V.singleton(rs[eff.bugCheckOnFailureArg]!.v!) : undefined;
      if (k !== undefined && k !== 0) canFail = false;
    }
    if (eff.mapModeArg !== undefined) {
      const k = rs[eff.mapModeArg]?.v ? V.singleton(rs[eff.mapModeArg]!.v!) : undefined;
      if (k === 1) canFail = false;
    }
    if (eff.neverNull) canFail = false;
    if (o && o.state === 'null') return [{ w: w1 }];
    // Mapping an MDL that is neither locked nor built (mdl-unchecked-system-address, mapUnlocked):
    // undefined from here (0x1A/0x1233 on a plain kernel). And an MDL whose state an operation left undefined
    // (this one or an earlier one): whether a mapping of it set MDL_MAPPED_TO_SYSTEM_VA is not known, so each
    // mapping may fail, even after one that did not.
    const unlocked = !!o && id !== undefined && (o.state === 'allocated' || o.state === 'unlocked') && !o.mapped;
    if (unlocked && o) w1 = this.setObj(w1, { ...o, state: 'undefined', undefinedAt: { ...at, callee: name } });
    if (unlocked || o?.state === 'undefined') return [canFail ? { w: this.mapMark(w1, at), v: MAYBE_NULL, sva } : { w: w1, v: nonNull, sva }];
    if (o && (o.mapped || o.state === 'nonpaged')) return [{ w: w1, v: nonNull, sva }];
    // (a freed MDL: the use after free is reported at the call, and is the one report of that mapping; what the
    // call returns is some address, NULL only from a routine that may return NULL, and no system address of an MDL
    // the analysis follows: the paths on which it was NULL go on with the other MDLs' states)
    if (o && o.state === 'freed') return [{ w: w1, v: canFail ? MAYBE_NULL : nonNull }];
    if (!canFail) return [{ w: o && id !== undefined ? this.setObj(w1, { ...o, mapped: true, mapPending: undefined }) : w1, v: nonNull, sva }];
    // it may fail: one state, whose address may be NULL; a test of it settles the mapping (settleMapping)
    if (o && id !== undefined && o.state !== 'allocated' && o.state !== 'unlocked') {
      if (o.mapPending) {
        // mapped again before the first mapping was tested: that one succeeded (this one returns its
        // address) or failed (this one may fail too)
        const first = decodeSva(o.mapPending);
        const failed = this.settleOrigin(w1, first, false);
        const o2 = failed.objs.get(id) ?? o;
        return [
          { w: this.settleOrigin(w1, first, true), v: nonNull, sva },
          { w: this.mapMark(this.setObj(failed, { ...o2, mapPending: encodeSva(sva) }), at), v: MAYBE_NULL, sva },
        ];
      }
      w1 = this.setObj(w1, { ...o, mapPending: encodeSva(sva) });
    }
    return [{ w: this.mapMark(w1, at), v: MAYBE_NULL, sva }];
  }

  /**
   * The system address in `path`, which may have been NULL, is now known to be NULL (`ok` false) or not
   * (`ok` true): the mapping it came from failed or succeeded on this path. A failure is a step of the
   * path (explanations show it); a success maps the MDL (a second call returns the same address).
   */
  settleMapping(w: World, path: string, ok: boolean): World {
    const enc = w.pts.get(SVA + path);
    return enc ? this.settleOrigin(w, decodeSva(enc), ok, path) : w;
  }

  /**
   * `settleMapping` for the mapping at `origin`: every path holding its address (copies: `va2 = va`) is
   * NULL or not NULL from here. `holder`: a path known to hold it (no walk when it is the only one).
   */
  settleOrigin(w: World, origin: SvaOrigin, ok: boolean, holder?: string): World {
    if (!ok) w = this.with(w, { trace: failedMapping(w.trace, origin) });
    const enc = encodeSva(origin);
    const count = w.pts.refCount(enc);
    let held: string[] = [];
    if (holder !== undefined && count === 1) held = [holder];
    else if (count > 0) for (const [k, e] of w.pts) if (e === enc && k.startsWith(SVA)) held.push(k.slice(SVA.length));
    for (const path of held) {
      const v = w.vals.get(path);
      if (v && undecided(v)) w = this.setVal(w, path, ok ? V.minus(v, 0) : V.constant(0));
    }
    const o = origin.obj !== undefined ? w.objs.get(origin.obj) : undefined;
    if (o && o.mapPending === enc) w = this.setObj(w, ok ? { ...o, mapped: true, mapPending: undefined } : { ...o, mapPending: undefined });
    return w;
  }

  /**
   * A system address that may be NULL and is used where it is not stored (`if (MmGetSystemAddressForMdlSafe(...) == NULL)`,
   * a copy routine's argument): no test of a variable can settle it later, so the states part here.
   */
  settledResult(r: EvalResult): EvalResult[] {
    if (!maybeNullAddress(r)) return [r];
    return [
      { ...r, w: this.settleOrigin(r.w, r.sva, true), v: V.minus(r.v, 0) },
      { ...r, w: this.settleOrigin(r.w, r.sva, false), v: V.constant(0) },
    ];
  }

  /**
   * Exit states as a summary sees them: a returned system address that may be NULL gives two cases,
   * the mapping failed (NULL) and it succeeded (the MDL mapped), which the caller's test tells apart.
   */
  private *settledExits(worlds: Iterable<World>): Iterable<World> {
    for (const w of worlds) {
      const v = w.vals.get(RET);
      if (v && w.pts.has(SVA + RET) && undecided(v)) {
        yield this.settleMapping(w, RET, true);
        yield this.settleMapping(w, RET, false);
      } else {
        yield w;
      }
    }
  }

  /** The poolVars of the function: locals assigned from a pool allocation (`pool = ExAllocatePool2(...)`). */
  private poolVarsCache: Set<string> | undefined;
  private poolVars(): Set<string> {
    if (this.poolVarsCache) return this.poolVarsCache;
    const out = new Set<string>();
    const other = new Set<string>();
    const stack: SyntaxNode[] = [this.cfg.fn.body];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.type === 'assignment_expression' || n.type === 'init_declarator') {
        const l = n.type === 'assignment_expression' ? pathOf(n.childForFieldName('left')) : declName(n.childForFieldName('declarator'));
        const r = n.childForFieldName(n.type === 'assignment_expression' ? 'right' : 'value');
        if (l && r) {
          const c = stripCasts(r);
          if (c.type === 'call_expression' && /^ExAllocatePool/.test(calleeName(c) ?? '')) out.add(l);
          else if (!/^(NULL|0|nullptr)$/.test(c.text.trim())) other.add(l);
        }
      }
      pushNamedChildren(stack, n);
    }
    for (const v of other) out.delete(v);
    this.poolVarsCache = out;
    return out;
  }

  /** The address is kernel memory: a pool block of this function, the IRP's system buffer, or a local's address. */
  kernelAddress(a: SyntaxNode): boolean {
    const e = stripCasts(a);
    if (/->\s*AssociatedIrp\s*\.\s*SystemBuffer$/.test(e.text.replace(/\s+/g, ''))) return true;
    if (e.type === 'pointer_expression' && e.text.trimStart().startsWith('&')) {
      const arg = e.childForFieldName('argument');
      return arg?.type === 'identifier' && this.isLocal(arg.text);
    }
    const p = pathOf(e);
    return p !== undefined && this.isLocal(p) && this.poolVars().has(p);
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
          if (w1.pts.has(p)) w1 = this.with(w1, { pts: w1.pts.delete(p) });
          w1 = this.setVal(w1, p, undefined);
        } else if (r.path) {
          // a pointer handed over: what hangs below it may change
          for (const [p, o] of w1.pts) if (hasPrefix(p, r.path)) w1 = this.escapeObj(w1, o);
          w1 = this.killBelow(w1, r.path, true);
        }
      }
      w1 = this.forgetMemoryVals(w1);
    }
    return w1;
  }

  /** Drop remembered condition values that read `path` (it was just written). */
  forgetConds(w: World, path: string): World {
    if (w.conds.size === 0) return w;
    const base = baseOf(path);
    let conds: Vals | undefined;
    for (const k of w.conds.keys()) {
      if (k.charCodeAt(0) !== 35 /* # a preprocessor condition */ && condIdentifiers(k).includes(base)) conds = (conds ?? w.conds).delete(k);
    }
    return conds ? this.with(w, { conds }) : w;
  }

  /** After an unknown call: values held in memory (globals, through pointers) may have changed. */
  forgetMemoryVals(w: World): World {
    let vals: Vals | undefined;
    for (const p of w.vals.keys()) {
      // (the marks of out parameters no call can write: `keptOuts` are never handed to one)
      if (p.charCodeAt(0) === 36 /* $ */ || p.charCodeAt(0) === 35 /* # */) continue;
      // (nor the value stored in one: the function never hands its pointer on)
      if (this.keptOuts.length && this.keptOuts.includes(p)) continue;
      const base = baseOf(p);
      if (p.startsWith('*') || p.includes('->') || !this.locals.has(base)) {
        vals = (vals ?? w.vals).delete(p);
      }
    }
    let conds: Vals | undefined;
    for (const p of w.conds.keys()) {
      // (a preprocessor condition, `#defined _M_IX86`: no call changes it)
      if (p.charCodeAt(0) === 35 /* # */) continue;
      // a remembered condition over memory (fields through pointers, globals) may have changed
      // (a name written like a macro, `FSCTL_MOVE_FILE`, `IRP_MJ_WRITE`, is a constant of a header the program does
      // not include: no call changes it)
      if (p.includes('->') || p.includes('*') || p.includes('[') || condIdentifiers(p).some((id) => !this.locals.has(id) && this.constant(id) === undefined && !MACRO_NAME.test(id) && !this.valueMacro(id))) {
        conds = (conds ?? w.conds).delete(p);
      }
    }
    return vals || conds ? this.with(w, { vals: vals ?? w.vals, conds: conds ?? w.conds }) : w;
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
    if (isIdentity(name) && rs[0]) return { w, ...(v ? { v } : {}) };
    if (FLAG_MACROS.has(name) && rs.length === 2) {
      const a = rs[0]?.v ? V.singleton(rs[0].v) : undefined;
      const b = rs[1]?.v ? V.singleton(rs[1].v) : undefined;
      if (a !== undefined && b !== undefined) return { w, v: V.constant(a & b ? 1 : 0) };
    }
    return { w };
  }

  transition(w: World, o: MdlObj, op: MdlOp, callee: string, at: Site, via?: Via): World {
    // (o is rebound below when a stale IoFreeIrp mark is dropped)
    // a freed MDL stays freed (mdl-use-after-free reports the operation); nothing more is learnt from it
    if (o.state === 'freed') return w;
    if (o.irpFreed && (op === 'unlock' || op === 'free')) {
      // the lock that outlived its IRP is released: a later leak is an ordinary one
      const { irpFreed: _i, ...rest } = o;
      void _i;
      o = rest;
    }
    switch (op) {
      case 'lock': {
        // probing an MDL built for nonpaged pool, a partial MDL or an MmAllocatePagesForMdl MDL is a defect
        // (mdl-lock-prebuilt): its state is undefined from here
        if (o.state === 'pages' || o.state === 'nonpaged' || o.state === 'partial') return this.setObj(w, { ...o, state: 'undefined', undefinedAt: { ...at, callee } });
        if (o.state === 'undefined') return w;
        const { failedProbe: _f, unlockSite: _u, ...rest } = o;
        void _f;
        void _u;
        const n: MdlObj = { ...rest, state: 'locked', lockSite: via ? { ...at, callee, via } : { ...at, callee } };
        return this.step(this.setObj(w, n), at, 'lock', via ? `'${o.name}' locked by ${callee} in ${via.fn} (${via.file}:${via.line})` : `'${o.name}' locked by ${callee}`, o.id);
      }
      case 'unlock': {
        // unlocking a prebuilt MDL is a defect (mdl-lock-prebuilt): undefined from here
        if (o.state === 'pages' || o.state === 'nonpaged' || o.state === 'partial') return this.setObj(w, { ...o, state: 'undefined', undefinedAt: { ...at, callee } });
        if (o.state === 'undefined') return w;
        // MmUnlockPages also releases a system mapping
        const n: MdlObj = { ...o, state: 'unlocked', unlockSite: at, mapped: false, mapPending: undefined };
        return this.step(this.setObj(w, n), at, 'unlock', via ? `'${o.name}' unlocked in ${via.fn} (${via.file}:${via.line})` : `'${o.name}' unlocked`, o.id);
      }
      case 'free': {
        this.derefsMatter = true;
        // IoFreeMdl does not check MDL_PAGES_LOCKED: a locked MDL's pages stay locked after the free
        // (mdl-free-while-locked reports it at the free); the MDL itself is gone either way.
        const n: MdlObj = { ...o, state: 'freed', owned: false, mapped: false, mapPending: undefined, freeSite: via ? { ...at, callee, via } : { ...at, callee } };
        return this.setObj(w, o.state === 'locked' ? { ...n, freedWhileLocked: at } : n);
      }
      case 'build-nonpaged':
      case 'partial-target': {
        // Rebuilding a locked MDL is a defect (mdl-lock-prebuilt): the page references the probe took are
        // never released, and the MDL is undefined from here.
        if (o.state === 'locked') return this.setObj(w, { ...o, state: 'undefined', undefinedAt: { ...at, callee } });
        if (o.state === 'undefined') return w;
        // MmBuildMdlForNonPagedPool over an MDL that is built already (partial, from MmAllocatePagesForMdl)
        // rebuilds its description and keeps what it is
        if (op === 'build-nonpaged' && (o.state === 'partial' || o.state === 'pages')) return w;
        return this.setObj(w, { ...o, state: op === 'build-nonpaged' ? 'nonpaged' : 'partial', builtAt: { ...at, callee } });
      }
      case 'unmap':
        return o.mapped || o.mapPending ? this.setObj(w, { ...o, mapped: false, mapPending: undefined }) : w;
      case 'init':
        // MmInitializeMdl over memory this function owns (a local buffer) makes an MDL it must release
        return this.setObj(w, { ...o, state: 'allocated', owned: o.owned || (o.origin.kind === 'memory' && !this.escapes(o.name)) });
      case 'use':
        return w;
    }
  }

  // ---- summaries ----------------------------------------------------------------------------

  /** The summary of this function, from the worlds reaching its exits. */
  summarize(states: Map<string, World>[]): Summary {
    const params = this.cfg.fn.params;
    const assigned = assignedNames(this.cfg.fn.body);
    // C++ reference parameters (`PMDL& Out`): assigning them writes the caller's variable
    const refParams = params.filter((p) => (this.locals.get(p) ?? '').trimEnd().endsWith('&'));
    const stable = new Set(params.filter((p) => !assigned.has(p) || refParams.includes(p)));
    const rooted = (path: string) => {
      if (path.startsWith('$')) return false;
      const b = baseOf(path);
      return stable.has(b);
    };
    const cases = new Map<string, ExitCase>();
    let touchesGlobals = false;
    let mayRaise = false;
    let overflow = false;
    const fnName = this.cfg.fn.name;
    const describe = (o: MdlObj): ObjState => {
      const st: ObjState = { state: o.state };
      if (o.mapped) st.mapped = true;
      if (o.lockOp) st.lockOp = o.lockOp;
      // (the line in this function: the lock or free itself, or the call of the helper that does it; a
      // caller's note names this function and its file, so a line of the helper's file would be wrong there)
      if (o.lockSite) {
        st.lockLine = o.lockSite.line;
        st.lockCallee = o.lockSite.callee;
      }
      if (o.freeSite) {
        st.freeLine = o.freeSite.line;
        if (o.freeSite.callee !== 'IoFreeMdl') st.freeCallee = o.freeSite.callee;
      }
      if (o.builtAt) {
        st.builtLine = o.builtAt.line;
        st.builtCallee = o.builtAt.callee;
      }
      if (o.userVa) st.userVa = o.userVa;
      if (o.vaParam) st.vaParam = o.vaParam;
      if (o.failedProbe) st.failedProbeLine = o.failedProbe.line;
      return st;
    };
    const handedBack = (w: World, id: string, via: string): HandedBack | undefined => {
      const o = w.objs.get(id);
      if (!o) return undefined;
      if (o.state === 'null') return { kind: 'null' };
      if (id.startsWith('m:') && !id.endsWith('#prev')) {
        const p = id.slice(2);
        return rooted(p) ? { kind: 'slot', path: p } : undefined;
      }
      if (o.origin.kind === 'memory' || o.origin.kind === 'irp') return undefined;
      // held elsewhere too (a global, another parameter's field): not the caller's alone
      let others = 0;
      for (const [p, t] of w.pts) if (t === id && p !== via && !p.startsWith('$') && !this.isLocal(baseOf(p))) others++;
      const ownedBefore = via === RET ? V.singleton(w.vals.get(RET_OWNED) ?? V.TOP) === 1 : o.origin.kind !== 'helper' || o.owned || !!o.escaped;
      const n: NewObj = {
        ...describe(o),
        originKind: o.origin.kind === 'alloc' || o.origin.kind === 'pages' || o.origin.kind === 'init' ? o.origin.kind : 'helper',
        ownedByCaller: others === 0 && ownedBefore && !o.attached,
      };
      if (o.origin.callee) n.originCallee = o.origin.callee;
      return { kind: 'new', obj: n };
    };
    for (const exitNode of this.cfg.nodes) {
      if (exitNode.kind !== 'exit' && exitNode.kind !== 'raise-exit') continue;
      const raise = exitNode.kind === 'raise-exit';
      const worlds = states[exitNode.id]!;
      if (worlds.size > MAX_WORLDS) {
        // more states than the analysis keeps apart elsewhere (the exits keep them all, for the leaks
        // each return site shows): as many cases as that is no summary; assume the worst of globals
        overflow = true;
        touchesGlobals = true;
        if (raise) mayRaise = true;
        continue;
      }
      for (const w of this.settledExits(worlds.values())) {
        if (raise) mayRaise = true;
        if (w.imprecise) overflow = true;
        const c: ExitCase = { raise, slots: [], outs: [], paramVals: [], outVals: [] };
        const kept = this.keptOuts.filter((p) => w.vals.has(KEPT + p));
        if (kept.length) c.kept = kept;
        const retParam = !raise && w.returnSite ? this.returnedParams().get(`${w.returnSite.line}:${w.returnSite.column}`) : undefined;
        for (const o of w.objs.values()) {
          if (!o.id.startsWith('m:') || o.id.endsWith('#prev')) continue;
          const p = o.id.slice(2);
          if (!carriesSummaryFacts(o)) continue;
          if (!rooted(p)) {
            touchesGlobals = true;
            continue;
          }
          // bound the depth of access paths (`Mdl->Next->Next...`): recursion over a chain must settle
          if ((p.match(/->|\./g)?.length ?? 0) > MAX_SLOT_DEPTH) continue;
          const slot: SlotEffect = { path: p, ...describe(o) };
          if (o.entry) slot.entry = o.entry;
          if (o.entryNotNull) slot.entryNotNull = true;
          if (w.pts.get(p) === o.id) slot.held = true;
          if (o.firstOp) {
            slot.firstOp = { op: o.firstOp.op, callee: o.firstOp.callee, line: o.firstOp.site.line };
            if (o.firstOp.mode !== undefined) slot.firstOp.mode = o.firstOp.mode;
          }
          if (o.firstUse) slot.firstUse = { op: o.firstUse.op, callee: o.firstUse.callee, line: o.firstUse.site.line };
          if (o.escaped) slot.escaped = true;
          c.slots.push(slot);
        }
        if (!raise) {
          for (const [p, id] of w.pts) {
            if (p === RET) {
              const h = handedBack(w, id, RET);
              if (h) c.ret = h;
              continue;
            }
            if (!rooted(p) || id === `m:${p}`) continue;
            const isRef = refParams.includes(p);
            if (!isRef && !/->|^\*|\./.test(p)) continue;
            const h = handedBack(w, id, p);
            if (h) c.outs.push({ path: isRef ? `*${p}` : p, value: h });
          }
          const rv = w.vals.get(RET);
          if (rv && !w.pts.has(RET)) c.retVal = rv;
          if (retParam !== undefined && !w.pts.has(RET)) c.retParam = retParam;
          const retSva = w.pts.get(SVA + RET);
          if (retSva) {
            c.retSva = true;
            // the mapping of an MDL the caller handed in (`return MmGetSystemAddressForMdlSafe(Mdl, ...)`)
            const of = decodeSva(retSva).obj;
            if (of?.startsWith('m:') && c.slots.some((sl) => `m:${sl.path}` === of)) c.retSvaOf = of.slice(2);
          }
          for (const [p, v] of w.vals) {
            if (p.startsWith('$') || p.startsWith('?')) continue;
            if (stable.has(p)) c.paramVals.push({ param: p, val: v });
            else if (p.startsWith('*') && stable.has(p.slice(1))) c.outVals.push({ path: p, val: v });
          }
          // the tests of parameters' bits the case took (`flags & VALIDVA`), over parameters and constants only
          for (const [ck, v] of w.conds) {
            if (ck.charCodeAt(0) !== 63 /* ? */ || /->|\.|\[|\*/.test(ck)) continue;
            const t = V.singleton(v);
            const ids = condIdentifiers(ck);
            if ((t !== 0 && t !== 1) || !ids.some((id) => stable.has(id)) || !ids.every((id) => stable.has(id) || this.constant(id) !== undefined || MACRO_NAME.test(id))) continue;
            (c.paramConds ??= []).push({ cond: ck, val: t });
          }
          c.paramConds?.sort((a, b) => (a.cond < b.cond ? -1 : 1));
        }
        // the preprocessor conditions the case decided (`#ifndef POST_LOCK_PAGES`), for its callers' own
        for (const [ck, v] of w.conds) {
          if (ck.charCodeAt(0) !== 35 /* # */) continue;
          const t = V.singleton(v);
          if (t === 0 || t === 1) (c.pp ??= []).push({ key: ck, val: t });
        }
        c.pp?.sort((a, b) => (a.key < b.key ? -1 : 1));
        c.slots.sort((a, b) => (a.path < b.path ? -1 : 1));
        c.outs.sort((a, b) => (a.path < b.path ? -1 : 1));
        // (in a canonical order: a state's values are in the order of its history)
        c.paramVals.sort((a, b) => (a.param < b.param ? -1 : 1));
        c.outVals.sort((a, b) => (a.path < b.path ? -1 : 1));
        // (cases that differ only in the tests of parameters' bits they took are one case, with the tests they
        // share: the tests narrow which caller takes a case, they never make more cases)
        // (and in the preprocessor decisions they took: a case applies to the builds of the decisions they share)
        const { paramConds, pp, ...rest } = c;
        const key = JSON.stringify(rest);
        const same = cases.get(key);
        if (!same) cases.set(key, c);
        else {
          if (same.paramConds) {
            const shared = paramConds ? same.paramConds.filter((a) => paramConds.some((b) => b.cond === a.cond && b.val === a.val)) : [];
            if (shared.length) same.paramConds = shared;
            else delete same.paramConds;
          }
          if (same.pp) {
            const shared = pp ? same.pp.filter((a) => pp.some((b) => b.key === a.key && b.val === a.val)) : [];
            if (shared.length) same.pp = shared;
            else delete same.pp;
          }
        }
      }
    }
    const list = [...cases.values()];
    const trivial = list.every((c) => c.slots.length === 0 && c.outs.length === 0 && (!c.ret || c.ret.kind === 'null'));
    const summary: Summary = {
      name: fnName,
      file: this.file.path,
      line: this.cfg.fn.line,
      params,
      refParams,
      kernelModeProbes: this.kernelModeProbes,
      cases: overflow || list.length > MAX_CASES ? [] : list,
      mayRaise,
      touchesGlobals,
      trivial: trivial && !overflow && list.length <= MAX_CASES,
    };
    return summary;
  }

  /** A callee path (rooted at one of its parameters) in the caller's terms, given the call's arguments. */
  substitute(calleePath: string, params: string[], args: SyntaxNode[], rs: EvalResult[], refParams?: string[]): string | undefined {
    const m = /^([*&]*)([A-Za-z_$][A-Za-z0-9_$]*)(.*)$/.exec(calleePath);
    if (!m) return undefined;
    const [, prefix, base, rest] = m as unknown as [string, string, string, string];
    const idx = params.indexOf(base);
    if (idx < 0) return undefined;
    const r = rs[idx];
    const a = args[idx];
    if (!r || !a) return undefined;
    if (r.addrOf) {
      const x = r.addrOf;
      if (prefix.endsWith('*')) return prefix.slice(0, -1) + x + rest;
      if (rest.startsWith('->')) return `${prefix}${x}.${rest.slice(2)}`;
      if (rest === '' && prefix === '') return `&${x}`;
      return undefined;
    }
    const pa = r.path ?? pathOf(a);
    if (!pa) return undefined;
    // a C++ reference parameter: `*Out` in the callee's terms is the caller's variable itself
    if (refParams?.includes(base) && prefix.endsWith('*')) return prefix.slice(0, -1) + pa + rest;
    return prefix + pa + rest;
  }

  /** The caller's object for a callee slot path (materialized when the caller has not seen it yet). */
  slotObj(w: World, path: string): { w: World; id?: string } {
    if (path.startsWith('&')) {
      const existing = w.pts.get(path);
      if (existing) return { w, id: existing };
      const mm = this.materialize(w, path);
      return { w: mm.w, id: mm.id };
    }
    const existing = w.pts.get(path);
    if (existing !== undefined) return { w, id: existing };
    const mm = this.materialize(w, path);
    return { w: mm.w, id: mm.id };
  }

  newObjFrom(n: NewObj, id: string, s: Summary, at: Site, name: string): MdlObj {
    const via: Via = { fn: s.name, file: this.project?.displayName(s.file) ?? s.file, line: n.lockLine ?? s.line };
    const o: MdlObj = {
      id,
      state: n.state,
      owned: n.ownedByCaller && (n.state !== 'unknown'),
      name,
      origin: { kind: 'helper', site: at, callee: s.name },
    };
    const x: { -readonly [K in keyof MdlObj]: MdlObj[K] } = { ...o };
    if (n.mapped) x.mapped = true;
    if (n.lockOp) x.lockOp = n.lockOp;
    if (n.state === 'locked' && n.lockLine !== undefined) x.lockSite = { ...at, callee: n.lockCallee ?? 'MmProbeAndLockPages', via };
    if ((n.state === 'nonpaged' || n.state === 'partial') && n.builtLine !== undefined) x.builtAt = { ...at, callee: n.builtCallee ?? s.name };
    if (n.state === 'freed' && n.freeLine !== undefined) x.freeSite = { ...at, callee: n.freeCallee ?? 'IoFreeMdl', via: { ...via, line: n.freeLine } };
    if (n.userVa) x.userVa = n.userVa;
    return x;
  }

  /** Apply a helper's summary at a call: one result per feasible exit case (normal or exceptional). */
  applySummary(w: World, s: Summary, call: SyntaxNode, args: SyntaxNode[], rs: EvalResult[], at: Site, raising: boolean): EvalResult[] {
    if (s.cases.length === 0 && !s.trivial) return raising ? [{ w }] : [{ w: this.unknownCall(w, rs) }];
    const out: EvalResult[] = [];
    const file = this.project?.displayName(s.file) ?? s.file;
    for (const c of s.cases) {
      if (c.raise !== raising) continue;
      let w1 = w;
      let feasible = true;
      // scalar parameters this case is restricted to
      for (const pv of c.paramVals) {
        const idx = s.params.indexOf(pv.param);
        const r = rs[idx];
        if (isAddressOf(args[idx]) && V.meet(pv.val, V.constraint('!=', 0)).length === 0) feasible = false;
        if (!r?.v) continue;
        if (V.meet(r.v, pv.val).length === 0) feasible = false;
      }
      // a test of a parameter's bits the case took, which this caller remembers of its argument the other way
      if (c.paramConds && w1.conds.size) {
        for (const pc of c.paramConds) {
          const mine = this.callerCond(pc.cond, s.params, args);
          const known = mine !== undefined ? w1.conds.get(mine) : undefined;
          if (known && V.singleton(known) === 1 - pc.val) feasible = false;
        }
      }
      // a preprocessor condition the case decided: the build of this path decided it the same way, here and there
      if (c.pp) {
        for (const d of c.pp) {
          const known = w1.conds.get(d.key);
          if (known && V.singleton(known) === 1 - d.val) feasible = false;
          else if (!known || V.singleton(known) !== d.val) w1 = this.setCond(w1, d.key, d.val);
        }
      }
      if (!feasible) continue;
      // what the case assumed of the MDLs passed in
      const slotIds: (string | undefined)[] = [];
      const slotPaths: (string | undefined)[] = [];
      for (const sl of c.slots) {
        // `&local`, `&Ctx->Field` for a parameter the case took NULL (`if (ARGUMENT_PRESENT(MdlOut))`): an
        // address is never NULL, so the case is not this call's
        if (sl.entry === 'null' && isAddressOf(args[s.params.indexOf(sl.path)])) {
          feasible = false;
          break;
        }
        const cp = this.substitute(sl.path, s.params, args, rs, s.refParams);
        let id: string | undefined;
        if (cp !== undefined) {
          const got = this.slotObj(w1, cp);
          w1 = got.w;
          id = got.id;
        }
        slotIds.push(id);
        slotPaths.push(cp);
        const o = id !== undefined ? w1.objs.get(id) : undefined;
        if (!o) continue;
        const locked = o.state === 'locked' || o.state === 'pages';
        if (sl.entry === 'null' && o.state !== 'null' && o.state !== 'unknown') feasible = false;
        if (sl.entry === 'locked' && !locked && o.state !== 'unknown') feasible = false;
        if (sl.entry === 'not-locked' && locked) feasible = false;
        if (sl.entry !== 'null' && (sl.firstOp || sl.firstUse || sl.entry || sl.entryNotNull) && o.state === 'null') feasible = false;
      }
      if (!feasible) continue;
      // the helper returns the mapping of an MDL this caller has mapped already (or built for nonpaged pool):
      // that mapping cannot fail, so the case where it returned NULL is not this call's, and the address is not NULL
      let mappedAlready = false;
      if (c.retSvaOf !== undefined) {
        const k = c.slots.findIndex((sl) => sl.path === c.retSvaOf);
        const id = k >= 0 ? slotIds[k] : undefined;
        const o = id !== undefined ? w1.objs.get(id) : undefined;
        mappedAlready = !!o && (!!o.mapped || o.state === 'nonpaged');
        if (mappedAlready && c.retVal && V.singleton(c.retVal) === 0) continue;
      }
      // a case that assumed the caller's MDL NULL (btrfs's map_user_buffer returns Irp->UserBuffer when
      // Irp->MdlAddress is NULL, else the mapping): in it, the caller's MDL of unknown state is NULL (when
      // summarizing, only an MDL this function received is marked so, as its own test of it would: taking in
      // the callee's paths would name ever deeper paths of a recursive helper's chain)
      c.slots.forEach((sl, k) => {
        const id = slotIds[k];
        const cp = slotPaths[k];
        const o = id !== undefined ? w1.objs.get(id) : undefined;
        if (sl.entry !== 'null' || cp === undefined || !o || o.state !== 'unknown' || o.owned) return;
        if (this.summaryMode) {
          // (summarizing: the MDL this function received, assumed NULL in this case as a test of it here would:
          // a NULL-tolerant release helper called through a wrapper does nothing only to a NULL MDL)
          if (o.origin.kind === 'memory' && !o.firstOp && !o.entry) {
            w1 = this.setObj(w1, { ...o, state: 'null', entry: 'null' });
            slotIds[k] = undefined;
          }
          return;
        }
        const withNull = this.withNullObj(w1);
        w1 = this.with(withNull, { pts: this.put(withNull.pts, cp, '#null') });
        slotIds[k] = undefined;
      });
      // apply each slot's effect: its first operation (checked against the caller's state), then its exit state
      c.slots.forEach((sl, k) => {
        const id = slotIds[k];
        if (id === undefined) return;
        const via: Via = { fn: s.name, file, line: sl.firstOp?.line ?? s.line };
        const before = w1.objs.get(id);
        if (!before || before.state === 'null') return;
        // the helper used or operated on it: not NULL in this case (btrfs's map_user_buffer maps Irp->MdlAddress
        // only when it is not NULL)
        if ((sl.firstUse || sl.firstOp) && before.state === 'unknown' && !before.owned && !before.notNull) w1 = this.setObj(w1, { ...before, notNull: true });
        // what the case assumed of it on entry (an MDL_PAGES_LOCKED test in the helper) is this function's
        // assumption too, when the MDL is its caller's: btrfs's write_file calls write_file2, which probes
        // Irp->MdlAddress only when its flags say it is not locked; a dispatch routine calling write_file
        // hands it the I/O manager's locked MDL, and that case is not its case
        if (this.summaryMode && (sl.entry === 'locked' || sl.entry === 'not-locked')) {
          const o = w1.objs.get(id);
          if (o && o.origin.kind === 'memory' && o.state === 'unknown' && !o.entry && !o.firstOp) {
            w1 = this.setObj(w1, sl.entry === 'locked' ? { ...o, state: 'locked', entry: 'locked' } : { ...o, entry: 'not-locked' });
          }
        }
        if (sl.firstUse) w1 = this.applyOp(w1, id, sl.firstUse.op, sl.firstUse.callee, call, at, { via: { ...via, line: sl.firstUse.line } });
        if (sl.firstOp) {
          const mode = sl.firstOp.mode === undefined ? undefined : this.modeAtCall(sl.firstOp.mode, s.params, args, rs);
          w1 = this.applyOp(w1, id, sl.firstOp.op, sl.firstOp.callee, call, at, mode === undefined ? { via } : { via, mode });
        }
        const o = w1.objs.get(id);
        if (!o || before.state === 'freed') return;
        if (sl.escaped) {
          w1 = this.escapeObj(w1, id);
          return;
        }
        if (!sl.firstOp) {
          let n = o;
          if (sl.entry === 'locked' && o.state === 'unknown') n = { ...n, state: 'locked' };
          // a use may have mapped it (MmGetSystemAddressForMdlSafe in the helper)
          if (sl.firstUse && !!sl.mapped !== !!o.mapped) n = { ...n, mapped: !!sl.mapped };
          if (n !== o) w1 = this.setObj(w1, n);
          return;
        }
        // its first operation was undefined on the caller's MDL (a probe of a prebuilt MDL, a rebuild of a
        // locked one): undefined, whatever the callee did next, unless it freed it
        if (o.state === 'undefined' && sl.state !== 'freed') return;
        // a probe of the caller's locked MDL that raised in the callee: the second probe failed, the first
        // lock stands (the double lock is reported at the call)
        if (sl.failedProbeLine !== undefined && sl.state === 'unlocked' && before.state === 'locked') return;
        // the exit state the callee left it in
        const n: { -readonly [K in keyof MdlObj]: MdlObj[K] } = { ...o, state: sl.state };
        // (a probe of the caller's locked and mapped MDL, the double lock reported at the call, leaves the caller's
        // mapping as a probe in the caller does: the callee's summary does not know the MDL was mapped)
        n.mapped = !!sl.mapped || (before.state === 'locked' && !!before.mapped && sl.firstOp.op === 'lock' && sl.state === 'locked');
        if (sl.state === 'locked') {
          if (!o.lockSite || o.state !== 'locked' || sl.firstOp.op !== 'lock') n.lockSite = { ...at, callee: sl.lockCallee ?? 'MmProbeAndLockPages', via: { ...via, line: sl.lockLine ?? via.line } };
          if (sl.lockOp) n.lockOp = sl.lockOp;
        }
        if (sl.state === 'freed') {
          n.owned = false;
          n.freeSite = { ...at, callee: sl.freeCallee ?? 'IoFreeMdl', via: { ...via, line: sl.freeLine ?? via.line } };
        }
        if ((sl.state === 'nonpaged' || sl.state === 'partial') && !o.builtAt) n.builtAt = { ...at, callee: sl.builtCallee ?? s.name };
        if (sl.state === 'unlocked') n.unlockSite = at;
        w1 = this.setObj(w1, n);
      });
      // a caller's MDL the callee freed and no longer names by that path at its return (it wrote over the path or
      // an ancestor of it: `IrpContext->FatIoContext = NULL` after `IoFreeMdl(IrpContext->FatIoContext->ZeroMdl)`):
      // the caller's path holds something else now, not the freed MDL
      c.slots.forEach((sl, k) => {
        const id = slotIds[k];
        const cp = slotPaths[k];
        if (sl.held || sl.state !== 'freed' || id === undefined || cp === undefined || w1.pts.get(cp) !== id) return;
        w1 = this.with(w1, { pts: w1.pts.delete(cp) });
      });
      // scalars the caller lets the callee write (&status, &locked): unknown unless the case says (a value
      // it stored, or that it left them alone)
      const kept = c.kept?.map((k) => this.substitute(k, s.params, args, rs, s.refParams));
      for (const r of rs) {
        if (r.addrOf && !w1.pts.has(r.addrOf) && !this.mdl.has(r.addrOf) && !kept?.includes(r.addrOf)) {
          w1 = this.forgetConds(w1, r.addrOf);
          w1 = this.setVal(w1, r.addrOf, undefined);
          // (the fields whose MDL the case says what it did to, its slots, still hold it: `&context` handed to a
          // helper that probes `Context->Mdl` leaves `context.Mdl` the MDL it locked; what the case wrote over
          // them, its outs, is assigned below)
          const held: [string, string][] = [];
          slotPaths.forEach((p, k) => {
            const id = slotIds[k];
            if (c.slots[k]!.held && p !== undefined && id !== undefined && hasPrefix(p, r.addrOf!) && w1.pts.get(p) === id) held.push([p, id]);
          });
          w1 = this.killBelow(w1, r.addrOf);
          for (const [p, id] of held) if (w1.objs.has(id)) w1 = this.with(w1, { pts: this.put(w1.pts, p, id) });
        }
      }
      for (const ov of c.outVals) {
        const cp = this.substitute(ov.path, s.params, args, rs, s.refParams);
        if (cp !== undefined && !cp.startsWith('&')) w1 = this.setVal(w1, cp, ov.val);
      }
      // MDLs handed back through parameters
      for (const o of c.outs) {
        const cp = this.substitute(o.path, s.params, args, rs, s.refParams);
        if (cp === undefined || cp.startsWith('&')) continue;
        const r = this.handBack(w1, o.value, s, c, args, rs, at, cp);
        w1 = this.assign(r.w, cp, r, at);
      }
      if (s.touchesGlobals) {
        for (const [p, id] of w1.pts) if (!p.startsWith('$') && !this.locals.has(baseOf(p))) w1 = this.escapeObj(w1, id);
      }
      // the helper probes, with KernelMode, an MDL over an address this call passes it: is it the caller's?
      if (!raising) {
        for (const kp of s.kernelModeProbes ?? []) {
          const idx = s.params.indexOf(kp.param);
          const a = args[idx];
          // passed on from this function's own parameter: this function's summary says so too
          const sa = a ? stripCasts(a) : undefined;
          if (this.summaryMode && sa?.type === 'identifier' && this.params.has(sa.text) && !this.kernelModeProbes.some((p) => p.param === sa.text)) {
            this.kernelModeProbes.push({ param: sa.text, line: kp.line, callee: kp.callee });
          }
          if (!this.recording) continue;
          const source = a ? this.userAddress(w, a) : undefined;
          if (!source || this.kernelRequestor(w)) continue;
          const before: MdlObj = { id: `h:${at.line}:${at.column}:km`, state: 'allocated', owned: false, name: `${s.name}'s MDL`, origin: { kind: 'helper', site: at, callee: s.name }, userVa: source };
          const argVals: (number | undefined)[] = [];
          argVals[kp.callee === 'MmProbeAndLockPages' ? 1 : 2] = 0;
          this.observations.push({ kind: 'mdl-op', op: 'lock', callee: kp.callee, call, node: this.currentNode, before, trace: w.trace, imprecise: w.imprecise, via: { fn: s.name, file, line: kp.line }, argVals, kernelRequestor: false, helperProbe: true });
        }
      }
      w1 = this.forgetMemoryVals(w1);
      if (raising) {
        out.push({ w: w1 });
        continue;
      }
      if (c.ret) {
        const r = this.handBack(w1, c.ret, s, c, args, rs, at, '$ret');
        out.push(r);
      } else {
        const r: EvalResult = { w: w1 };
        if (c.retVal) r.v = c.retVal;
        if (c.retParam !== undefined) {
          // the caller's own argument, as it passed it (`gup_fast(va, 1, &mdl) != 1`)
          const av = rs[s.params.indexOf(c.retParam)]?.v;
          if (av) {
            const v = r.v ? V.meet(r.v, av) : av;
            if (v.length === 0) continue;
            r.v = v;
          }
        }
        if (c.retSva && !mappedAlready) r.sva = { line: at.line, column: at.column, callee: s.name, obj: undefined };
        else if (c.retSva) r.v = c.retVal ? V.meet(c.retVal, V.minus(V.TOP, 0)) : V.minus(V.TOP, 0);
        out.push(r);
      }
    }
    if (out.length === 0) return raising ? [] : [{ w: this.unknownCall(w, rs) }];
    return out;
  }

  handBack(w: World, h: HandedBack, s: Summary, _c: ExitCase, args: SyntaxNode[], rs: EvalResult[], at: Site, slot: string): EvalResult {
    if (h.kind === 'null') {
      return { w: this.withNullObj(w), obj: '#null', v: V.constant(0) };
    }
    if (h.kind === 'slot') {
      const cp = this.substitute(h.path, s.params, args, rs, s.refParams);
      if (cp === undefined) return { w };
      const got = this.slotObj(w, cp);
      return got.id !== undefined ? { w: got.w, obj: got.id } : { w: got.w };
    }
    const id = `h:${at.line}:${at.column}:${slot}`;
    if (w.objs.has(id)) {
      const { objs, pts } = this.retire(w, id);
      w = this.with(w, { objs, pts });
    }
    let o = this.newObjFrom(h.obj, id, s, at, s.name);
    if (h.obj.vaParam !== undefined && !o.userVa) {
      // the helper built it over a buffer this call passes: a caller-supplied address?
      const a = args[s.params.indexOf(h.obj.vaParam)];
      const user = a ? this.userAddress(w, a) : undefined;
      if (user) o = { ...o, userVa: user };
    }
    w = this.setObj(w, o);
    if (o.state === 'locked') w = this.step(w, at, 'lock', `${s.name} returns an MDL it locked (${o.lockSite?.via?.file}:${o.lockSite?.via?.line})`, id);
    else w = this.step(w, at, 'alloc', `${s.name} returns an MDL`, id);
    return { w, obj: id };
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
      if (name === 'ARGUMENT_PRESENT') {
        // wdm.h: `((CHAR *)((ULONG_PTR)(ArgumentPointer)) != (CHAR *)(NULL))`
        const a = e.childForFieldName('arguments')?.namedChildren.find((x) => x.type !== 'comment');
        return a ? this.refineCmp(w, a, '!=', 0, truth) : w;
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

  /** `return value;`: the value evaluated, and kept for the function's summary. */
  evalReturn(w: World, value: SyntaxNode): EvalResult[] {
    return this.evalStored(w, value).map((r) => {
      let w2 = r.w;
      // the returned value, for the function's summary
      let pts = r.obj !== undefined ? this.put(w2.pts, RET, r.obj) : w2.pts.delete(RET);
      // a system address handed back (it can be NULL like the mapping it came from)
      const sva = r.sva ? encodeSva(r.sva) : r.path !== undefined ? w2.pts.get(SVA + r.path) : undefined;
      pts = sva ? this.put(pts, SVA + RET, sva, this.nullness(w2, RET)) : pts.delete(SVA + RET);
      w2 = this.with(w2, { pts });
      w2 = this.setVal(w2, RET, r.obj === undefined ? r.v : undefined);
      if (r.obj) {
        const o = w2.objs.get(r.obj);
        w2 = this.setVal(w2, RET_OWNED, V.constant(o?.owned ? 1 : 0));
        if (o && o.owned) w2 = this.setObj(w2, { ...o, owned: false });
      }
      return { w: w2 };
    });
  }

  /** The statement calls a returning macro that returns one of its arguments: that argument. */
  private macroReturnValue(ast: SyntaxNode | undefined): SyntaxNode | undefined {
    if (ast?.type !== 'expression_statement' || !this.project?.returnedArgument) return undefined;
    const call = ast.namedChildren.find((c) => c.type !== 'comment');
    const name = call?.type === 'call_expression' ? calleeName(call) : undefined;
    const k = name ? this.project.returnedArgument(name) : undefined;
    if (k === undefined) return undefined;
    return call!.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment')[k];
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
      if (!p || lastField(p) !== 'MdlFlags') return undefined;
      const flags = flagNames(b);
      return flags ? { mdlPath: parentPath(p)!, flags } : undefined;
    };
    const m = pick(l, r) ?? pick(r, l);
    if (!m) return undefined;
    if (m.flags.length === 1) return this.flagTestOf(w, m.mdlPath, m.flags[0]!, truth);
    // a mask of several flags (MDL_PAGES_LOCKED | MDL_PARTIAL): clear, each flag is; set, some flag is
    // (known when the MDL's state is: otherwise nothing is learnt)
    const tests = m.flags.map((f) => (at: World, t: boolean) => this.flagTestOf(at, m.mdlPath, f, t));
    if (!m.flags.some((f) => MODELLED_FLAGS.has(f))) return undefined;
    if (!truth) {
      let at: World | null = w;
      for (const t of tests) {
        if (!at) break;
        const next = t(at, false);
        if (next !== undefined) at = next;
      }
      return at;
    }
    const id = w.pts.get(m.mdlPath);
    const o = id !== undefined ? w.objs.get(id) : undefined;
    if (!o || o.state === 'unknown' || o.state === 'undefined') return w;
    return tests.some((t) => t(w, true) !== null) ? w : null;
  }

  /** `Mdl->MdlFlags & flag` is nonzero (`truth`) or zero: the world where it is, null where it cannot be, undefined for a flag not modelled. */
  flagTestOf(w: World, mdlPath: string, flag: string, truth: boolean): World | null | undefined {
    const m = { mdlPath, flag };
    if (m.flag === 'MDL_SOURCE_IS_NONPAGED_POOL' || m.flag === 'MDL_PARTIAL' || m.flag === 'MDL_MAPPED_TO_SYSTEM_VA') {
      const id = w.pts.get(m.mdlPath);
      const o = id !== undefined ? w.objs.get(id) : undefined;
      if (!o || o.state === 'unknown' || o.state === 'undefined') return w;
      if (o.state === 'null') return null;
      const set = m.flag === 'MDL_SOURCE_IS_NONPAGED_POOL' ? o.state === 'nonpaged' : m.flag === 'MDL_PARTIAL' ? o.state === 'partial' : !!o.mapped;
      return set === truth ? w : null;
    }
    if (m.flag !== 'MDL_PAGES_LOCKED') return undefined;
    let w1 = w;
    let id = w1.pts.get(m.mdlPath);
    if (id === undefined) {
      const mm = this.materialize(w1, m.mdlPath);
      w1 = mm.w;
      id = mm.id;
    }
    const o = w1.objs.get(id)!;
    if (o.state === 'null') return null;
    if (o.state === 'undefined') return w1;
    if (o.state === 'unknown') {
      // MDL_PAGES_LOCKED set: it is locked. Clear on an MDL of unknown origin (a parameter, a helper's
      // result) proves less: it may be an MDL that is not ours to unlock, so it stays unknown.
      if (this.summaryMode && o.origin.kind === 'memory' && !o.firstOp) return this.setObj(w1, truth ? { ...o, state: 'locked', entry: 'locked' } : { ...o, entry: 'not-locked' });
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
      if ((ntRange(name) || name === 'ARGUMENT_PRESENT') && c === 0 && (op === '==' || op === '!=')) {
        // NT_SUCCESS(x) == FALSE, ARGUMENT_PRESENT(x) == FALSE
        return this.refine(w, s, (op === '!=') === truth);
      }
      // (a macro of its arguments' values, `METHOD_FROM_CTL_CODE(code)`, is narrowed below like `code & 3`)
      if (!this.valueMacro(name)) return w;
    }
    if (s.type === 'binary_expression' && s.childForFieldName('operator')?.text === '&' && c === 0 && (op === '==' || op === '!=')) {
      const f = this.flagTest(w, s.childForFieldName('left')!, s.childForFieldName('right')!, (op === '!=') === truth);
      if (f !== undefined) return f;
    }
    const p = pathOf(s);
    if (!p) {
      // (state & REQ_STATE_PAGES_LOCKED) != 0: prune when the value is known in this world
      if (hasEffects(s, this.valueMacro)) return w;
      const v = this.valueOf(w, s);
      if (v && !V.canBe(v, op, c, truth)) return null;
      // a value remembered for the expression (`switch (code & 3)`) is narrowed by the test: the default case
      // of a later switch on it rules out each value its cases name
      const ck = condKey(s, this.valueMacro);
      if (ck && w.conds.has(`?=${ck.slice(1)}`)) return this.rememberValue(w, s, V.constraint(truth ? op : V.negateOp(op), c));
      return w;
    }
    const o = w.pts.get(p);
    if (o !== undefined && c === 0 && (op === '==' || op === '!=')) {
      const obj = w.objs.get(o);
      const isNull = obj?.state === 'null';
      const wantNull = (op === '==') === truth;
      if (!obj || obj.state === 'unknown' || obj.origin.kind === 'irp') {
        // unknown pointer: on the NULL side it holds no MDL
        if (!wantNull) {
          // (summarizing: an MDL this function received, taken not NULL before anything else was done to it: a
          // caller whose MDL there is NULL does not take the case, `if (Ctx->SavedMdl != NULL)` in a helper)
          if (this.summaryMode && obj && obj.origin.kind === 'memory' && !obj.entry && !obj.firstOp && !obj.firstUse && !obj.entryNotNull) return this.setObj(w, { ...obj, entryNotNull: true });
          return w;
        }
        if (!obj || obj.owned) return w;
        return this.nullSide(w, p, obj);
      }
      return isNull === wantNull ? w : null;
    }
    if (o !== undefined) return w;
    const cur = w.vals.get(p) ?? this.constRange(p) ?? V.TOP;
    const next = V.meet(cur, V.constraint(truth ? op : V.negateOp(op), c));
    if (next.length === 0) return null;
    if (this.constRange(p) && !this.locals.has(baseOf(p))) return w;
    const stored = w.vals.get(p);
    if (stored && undecided(stored)) {
      // a system address that may be NULL, tested: the mapping failed, or succeeded
      const isNull = V.singleton(next) === 0;
      if (isNull || !V.canBe(next, '==', 0, true)) w = this.settleMapping(w, p, !isNull);
    }
    // `irpSp->MajorFunction == IRP_MJ_SET_INFORMATION`: a request sent buffered, without an MDL
    const irp = this.majorFunctionOf(p);
    if (irp !== undefined && onlyValuesIn(next, MAJORS_WITHOUT_MDL)) {
      const r = this.irpWithoutMdl(w, irp);
      if (!r) return null;
      w = r;
    }
    return this.setVal(w, p, next);
  }

  /** Value of a named constant: the file's own #defines and enumerators, the program's headers', then well-known WDK names. */
  constant(name: string): number | undefined {
    const own = this.fileConsts.get(name) ?? this.project?.headerConstant?.(name);
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
        let objs = w.objs;
        for (const o of w.objs.values()) objs = objs.set({ ...o, state: o.state === 'null' ? 'null' : 'unknown', owned: false });
        return [this.with(w, { objs, vals: NO_VALS, conds: NO_VALS, imprecise: true })];
      }
      default: {
        if (!node.ast) return [w];
        if (node.kind === 'branch') {
          // the condition's value as evaluated here (calls included): the edges are pruned by it
          return this.eval(w, node.ast).map((r) => {
            if (r.obj !== undefined || !r.v) return r.w;
            const x = this.with(r.w, {});
            this.condVals.set(x, r.v);
            return x;
          });
        }
        // a returning macro that returns one of its arguments (`EBPF_RETURN_POINTER(MDL*, mdl);`): `return mdl;`
        const returned = node.kind === 'return' ? this.macroReturnValue(node.ast) : undefined;
        // (a `return lam(...)` whose lambda's body ran before it: nothing left to evaluate)
        let rs = node.returnsLambda
          ? [w]
          : node.bind !== undefined
            ? // an inlined lambda's argument: its parameter's value for the body
              this.eval(w, node.ast).map((r) => this.setVal(r.w, node.bind!, r.v))
            : (returned ? this.evalReturn(w, returned) : this.eval(w, node.ast)).map((r) => r.w);
        // ExRaiseStatus, KeBugCheckEx...: nothing follows normally (the exceptional edge starts from the input)
        if (node.kind === 'stmt' && this.stopsHere(node)) return [];
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
        // the end of a `__finally` run during unwinding: the exception goes on to the next handler, with the
        // state the block left (its last statement done: `locked = FALSE;` after the unlock)
        if (!edge.raiser) return output.map((w) => this.step(w, { line: node.line, column: node.column }, 'exception', 'the exception propagates'));
        const callee = calleeName(edge.raiser) ?? 'call';
        const site = edge.raiser ? siteOf(edge.raiser) : { line: node.line, column: node.column };
        const helper = edge.raiser && !ddiEffect(callee) ? this.project?.summaryFor(this.file, callee) : undefined;
        if (helper && edge.raiser) {
          // a helper that raises: what it did to the caller's MDLs before the exception left it
          const raiser = edge.raiser;
          const args = raiser.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment') ?? [];
          const at = siteOf(raiser);
          return input.flatMap((w) =>
            this.evalArgs(w, args).flatMap(({ w: w0, rs }) =>
              this.applySummary(w0, helper, raiser, args, rs, at, true).map((r) => this.step(r.w, site, 'exception', `${callee} raises an exception`)),
            ),
          );
        }
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
              let o = id !== undefined ? w1.objs.get(id) : undefined;
              if (o && id !== undefined && this.summaryMode && o.origin.kind === 'memory' && !o.firstOp && o.state !== 'freed' && o.state !== 'null') {
                // the summary's first operation on a caller's MDL: a probe, even when it raised (the
                // caller's state decides whether the attempt itself was a defect)
                o = { ...o, firstOp: { op: 'lock', callee, site } };
                w1 = this.setObj(w1, o);
              }
              if (o && (o.state === 'nonpaged' || o.state === 'partial' || o.state === 'pages')) {
                // a probe of a prebuilt MDL is undefined whether it returns or raises (Driver Verifier
                // stops at the call, before the probe)
                w1 = this.setObj(w1, { ...o, state: 'undefined', undefinedAt: { ...site, callee } });
              } else if (o && o.state !== 'null' && o.state !== 'locked' && o.state !== 'undefined') {
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
        const ck = condKey(edge.cond!, this.valueMacro);
        for (const w0 of output) {
          const cv = this.condVals.get(w0);
          if (cv && !V.canBe(cv, truth ? '!=' : '==', 0, true)) continue;
          const w = w0;
          let r = this.refine(w, edge.cond!, truth);
          if (r && ck) {
            // the same side-effect-free condition tested again (with nothing it reads assigned since) has the same value
            const known = r.conds.get(ck);
            if (known && V.singleton(known) === (truth ? 0 : 1)) r = null;
            else if (r) {
              this.condNodes.set(ck, edge.cond!);
              r = this.setCond(r, ck, truth ? 1 : 0);
            }
          }
          // `(code & 3) == METHOD_IN_DIRECT`: the value of `code & 3` (see `rememberValue`)
          if (r) {
            const tested = valueTest(edge.cond!, truth, (e) => this.constValue(e));
            if (tested) r = this.rememberValue(r, tested.expr, tested.val);
          }
          // `code == FSCTL_MOVE_FILE` after `(code & 3) == METHOD_IN_DIRECT`: the earlier test, read again with the value
          if (r) {
            const pinned = pinnedPath(edge.cond!, truth, (e) => this.constValue(e));
            if (pinned) r = this.recheckConds(r, pinned, ck);
          }
          if (r) out.push(this.step(r, { line: node.line, column: node.column }, 'branch', () => describeCond(edge.cond!, truth, (p) => this.mdl.has(p))));
        }
        return out;
      }
      case 'case':
      case 'default': {
        const out: World[] = [];
        const site = { line: node.line, column: node.column };
        for (const w0 of output) {
          const w = w0;
          let r: World | null = w;
          if (edge.kind === 'case' && edge.caseValues?.[0]) {
            const c = this.constValue(edge.caseValues[0]);
            if (c !== undefined && edge.discriminant) r = this.refineCmp(w, edge.discriminant, '==', c, true);
            const dp = edge.discriminant ? pathOf(edge.discriminant) : undefined;
            if (r && c !== undefined && dp) r = this.recheckConds(r, dp, undefined);
            // `switch (code & 3)`: the case taken is remembered (see `rememberValue`)
            if (r && c !== undefined && edge.discriminant && !dp) r = this.rememberValue(r, edge.discriminant, V.constant(c));
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
      case 'pp': {
        // the same preprocessor condition tested again: the build that took it one way takes it the same way
        const pp = edge.pp;
        if (!pp) return output;
        const key = `#${pp.key}`;
        const want = pp.truth ? 1 : 0;
        const out: World[] = [];
        for (const w of output) {
          const known = w.conds.get(key);
          if (known && V.singleton(known) === 1 - want) continue;
          out.push(known && V.singleton(known) === want ? w : this.setCond(w, key, want));
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
    const vals = joinVals(a.vals, b.vals, widen);
    const conds = joinVals(a.conds, b.conds, widen);
    const trace = b.trace && (!a.trace || b.trace.len < a.trace.len) ? b.trace : a.trace;
    if (vals === a.vals && conds === a.conds && trace === a.trace) return a;
    const r = this.with(a, { vals, conds, trace });
    r.key = a.key;
    return r;
  }

  /** A node's states merged into one (see `mergeStates`): the analysis is no longer exact. */
  collapse(worlds: Map<string, World>, earlier?: StateMerge): StateMerge {
    this.imprecise = true;
    const m = mergeStates([...worlds.values()], earlier);
    this.mergeWork += m.work;
    return m;
  }

  /** Entries the merges of states looked at (what `mergeStates` keeps in proportion to the differences). */
  mergeWork = 0;

  /** Candidates for collection `gc` looked at (what `dropDead` keeps from growing with the function). */
  gcWork = 0;

  /** Remembered conditions `recheckConds` evaluated again (what `mayRead` keeps from growing with their number). */
  recheckWork = 0;

  /** Drop dead locals on every edge, exits included: the reference `addLazy` is tested against. */
  eagerDrops = false;

  /** Locals and entries `dropDead` looked at (what `addLazy` keeps from growing with returns times locals). */
  dropWork = 0;

  /** Paths and values `killBelow` looked at (what `parentsLimit` keeps from growing with the square of the function). */
  belowWork = 0;

  /** Per node, how many prefixes had been seen when the fixpoint last ran it (see `parentsLimit`). */
  private parentsAt = new Float64Array(0);

  /** Nodes visited by the last fixpoint (the figure that grows with the function's size). */
  steps = 0;
  /** The most points-to entries and objects a state reaching a node held. */
  peakEntries = 0;
  /** The most states one node held (n calls that may return NULL, split where they are made: 2^n). */
  peakStates = 0;

  /**
   * Add a state to a node's states: under its partition key, joined with a state of the same
   * partition (see `keyOf`). True when the node's states changed. `alias` maps a partition key to
   * the key a state of that partition is held under (see `addLazy`).
   */
  private addState(target: Map<string, World>, w: World, widen: boolean, alias?: Map<string, string>): boolean {
    if (w.pts.size + w.objs.size > this.peakEntries) this.peakEntries = w.pts.size + w.objs.size;
    const { k, cur } = this.slotOf(target, w, alias);
    if (!cur) {
      target.set(k, w);
      return true;
    }
    const j = this.joinWorld(cur, w, widen);
    if (j === cur) return false;
    target.set(k, j);
    return !sameVals(j, cur);
  }

  /**
   * Where `w` goes among `target`'s states: under the first of its partition keys (`keyOf`, then `#1`, `#2`...
   * for equal keys of different maps, a hash collision) whose state is of its partition, or the first free
   * one. `pk` is that partition key, `k` the key it is held under (`alias`: a state `addLazy` held before it
   * was dropped keeps its own key), `cur` the state there, if any.
   */
  private slotOf(target: Map<string, World>, w: World, alias?: Map<string, string>): { pk: string; k: string; cur: World | undefined } {
    const base = this.keyOf(w);
    for (let n = 0; ; n++) {
      const pk = n ? `${base}#${n}` : base;
      const k = alias?.get(pk) ?? pk;
      const cur = target.get(k);
      if (!cur || this.samePartition(cur, w)) return { pk, k, cur };
    }
  }

  /**
   * The nodes where a state is added with its dead locals (`addLazy`), by id: the exits, and the
   * returns that lead only to them.
   */
  private lazyAt = new Map<number, LazyNode>();

  /**
   * Add a state to the states of an exit, or of a return that leads only to exits. Such a node drops
   * every local dead there (`dyingOn(entry, node)`: the locals dropped on the edges of any path to it,
   * since each is last named before the node's `minReach`; see liveness.ts), including one an edge
   * kept when it died for the locked MDL it held then, unless it still holds one. Dropping them is
   * what lets two states that differ only in them join; nothing there reads them (an exit's leaks
   * are the locked MDLs the function owns, which keep their entries; a summary reads what its callers
   * see). So the states of a return site are held as they come, with their locals, as long as each
   * can be told to be of a partition of its own once they are dropped (`partitionWithout`, from the
   * entries changed since the states parted); when one cannot, the site's states are dropped (each
   * taking its partition key, in its place in the node's order) and those that follow are dropped as
   * they come. A function of n early returns, each passing n live locals, costs n and not n squared.
   * The node's states are those of dropping on every edge (`eagerDrops`, the reference of
   * test/analysis/lazy-drops.test.ts).
   */
  private addLazy(t: number, target: Map<string, World>, w: World, live: Liveness, widen: boolean): boolean {
    const toExit = this.cfg.nodes[t]!.kind !== 'return';
    let ln = this.lazyAt.get(t);
    if (!ln) this.lazyAt.set(t, (ln = { held: new Map(), dropped: new Set(), all: false, alias: new Map(), range: live.dyingOn(this.cfg.entry, t), made: 0 }));
    const range = ln.range;
    const drop = (x: World) => this.dropDead(x, live, range.lo, range.hi);
    const site = toExit ? siteKey(w) : '';
    if (ln.all || ln.dropped.has(site)) return this.addState(target, drop(w), widen, ln.alias);
    let keys = ln.held.get(site);
    if (!keys) ln.held.set(site, (keys = []));
    let unknown = keys.length >= MAX_HELD;
    for (const key of unknown ? [] : keys) {
      const cur = target.get(key)!;
      const same = this.keyOf(cur) === this.keyOf(w) && this.samePartition(cur, w) ? 'same' : this.partitionWithout(cur, w, live, range);
      if (same === 'same') {
        // one partition once the dead locals are dropped: joined, the held state's maps are kept, as
        // they would be if both had been dropped
        const j = this.joinWorld(cur, w, widen);
        if (j === cur) return false;
        target.set(key, j);
        return !sameVals(j, cur);
      }
      if (same === 'unknown') {
        unknown = true;
        break;
      }
    }
    if (!unknown) {
      // a partition of its own with its locals dropped too
      const k = `lazy:${site}#${ln.made++}`;
      keys.push(k);
      target.set(k, w);
      return true;
    }
    // from now on the states of this site are dropped as they come; those held are dropped and take
    // their partition keys, each in its place in the node's order (one that falls into the partition
    // of a state before it joins it, as it would have on arriving)
    ln.held.delete(site);
    ln.dropped.add(site);
    for (const key of keys) {
      const d = this.dropDead(target.get(key)!, live, range.lo, range.hi);
      target.set(key, d);
      const { pk, k, cur } = this.slotOf(target, d, ln.alias);
      if (!cur) ln.alias.set(pk, key);
      else {
        target.set(k, this.joinWorld(cur, d, widen));
        target.delete(key);
      }
    }
    return this.addState(target, drop(w), widen, ln.alias);
  }

  /**
   * Whether two states are of one partition once the locals of ranks `dead` are dropped (`dropDead`):
   * `same`, `different`, or `unknown` when that cannot be told from the entries changed since they
   * parted (a few, for two states that parted a few statements ago). Each changed path must be a dead
   * local's entry that `dropDead` removes (another path that changed stays, and differs), and each
   * object that changed or that such an entry held must be removed with them in both states, or kept
   * in both and alike in its partition-relevant part; the flags that key partitions must agree.
   */
  private partitionWithout(a: World, b: World, live: Liveness, dead: { lo: number; hi: number }): 'same' | 'different' | 'unknown' {
    if (a.imprecise !== b.imprecise || a.returnSite?.line !== b.returnSite?.line || a.returnSite?.column !== b.returnSite?.column) return 'different';
    const isDead = (name: string) => {
      const r = live.rankOf(name);
      return r >= dead.lo && r < dead.hi;
    };
    for (const v of this.keyVars) {
      if (isDead(v)) continue;
      const x = a.vals.get(v);
      const y = b.vals.get(v);
      if (x !== y && JSON.stringify(x) !== JSON.stringify(y)) return 'different';
    }
    const BUDGET = 64;
    const paths = a.pts.changedSince(b.pts, BUDGET);
    const ids = paths && a.objs.changedSince(b.objs, BUDGET);
    if (!paths || !ids) return 'unknown';
    // per state, how many of its dropped paths hold each object
    const goes = [new Map<string, number>(), new Map<string, number>()];
    for (const k of new Set(paths)) {
      if (a.pts.get(k) === b.pts.get(k) && a.pts.tagOf(k) === b.pts.tagOf(k)) continue;
      // the entries `dropDead` removes (`variableKeys`)
      const name = keyVariable(k);
      if (!isDead(name) || !variableKeys(name).includes(k)) return 'different';
      if (k.startsWith('$')) continue;
      for (const [i, w] of [a, b].entries()) {
        const id = w.pts.get(k);
        if (id === undefined) continue;
        const o = w.objs.get(id);
        // a locked MDL the function owns keeps the entry of its dead local
        if (o && o.state === 'locked' && o.owned) return 'different';
        goes[i]!.set(id, (goes[i]!.get(id) ?? 0) + 1);
      }
    }
    // an object after the drop: null when removed, undefined when that cannot be told
    const after = (i: number, w: World, id: string): MdlObj | null | undefined => {
      const o = w.objs.get(id);
      if (!o) return null;
      if (carriesSummaryFacts(o) || (o.state === 'locked' && o.owned)) return o;
      // an MDL the function received, still under its own path
      if (id.startsWith('m:') && w.pts.get(id.slice(2)) === id) return o;
      const n = goes[i]!.get(id);
      return n !== undefined && w.pts.refCount(id) === n ? null : undefined;
    };
    let unknown = false;
    for (const id of new Set([...ids, ...goes[0]!.keys(), ...goes[1]!.keys()])) {
      if (a.objs.get(id) === b.objs.get(id) && !goes[0]!.has(id) && !goes[1]!.has(id)) continue;
      const x = after(0, a, id);
      const y = after(1, b, id);
      if (x === undefined || y === undefined) unknown = true;
      else if (x !== y && (!x || !y || objFragment(x) !== objFragment(y))) return 'different';
    }
    return unknown ? 'unknown' : 'same';
  }

  /**
   * `paramVals`: values the parameters are entered with (a caller's constant arguments; `ADDRESS_ARGUMENT`: an
   * address, some value but 0), else unknown.
   */
  run(paramVals?: ReadonlyMap<string, number>): { states: Map<string, World>[]; reachable: Set<number> } {
    const nodes = this.cfg.nodes;
    const states: Map<string, World>[] = nodes.map(() => new Map());
    const visits = new Int32Array(nodes.length);
    const order = rpo(this.cfg);
    const widenAt = wideningPoints(this.cfg, order);
    const live = liveness(this.cfg, new Set([...this.locals.keys()].filter((x) => !this.params.has(x))));
    this.lazyAt = new Map();
    // the exits, and the returns that lead only to them (see `addLazy`)
    const exitKind = (id: number) => nodes[id]!.kind === 'exit' || nodes[id]!.kind === 'raise-exit';
    const terminal = nodes.map((n) => exitKind(n.id) || (n.kind === 'return' && n.succs.length > 0 && n.succs.every((e) => exitKind(e.to))));
    const queued = new Uint8Array(nodes.length);
    this.parentsAt = new Float64Array(nodes.length);
    /** Each node's last merge of its states, with the state it took in last (see `collapse`). */
    const merges = new Map<number, StateMerge>();
    const heap = new MinHeap((a: number, b: number) => order[a]! - order[b]!);
    let start = Analyzer.empty();
    if (paramVals) for (const [p, v] of paramVals) if (this.params.has(p)) start = this.setVal(start, p, v === ADDRESS_ARGUMENT ? V.minus(V.TOP, 0) : V.constant(v));
    if (this.summaryMode) {
      this.keptOuts = keptOutParams(this.cfg.fn.body, this.params);
      for (const p of this.keptOuts) start = this.with(start, { vals: start.vals.set(KEPT + p, V.constant(1)) });
    }
    states[this.cfg.entry]!.set('', start);
    heap.push(this.cfg.entry);
    queued[this.cfg.entry] = 1;
    let steps = 0;
    while (heap.size) {
      const id = heap.pop()!;
      queued[id] = 0;
      this.steps = ++steps;
      if (steps > MAX_STEPS) throw new BudgetError();
      const node = nodes[id]!;
      const held = [...states[id]!.values()];
      if (held.length === 0) continue;
      if (held.length > this.peakStates) this.peakStates = held.length;
      const input = this.settleAllocations(node, held);
      const output = input.flatMap((w) => this.transfer(node, w));
      for (const edge of node.succs) {
        let flowing = this.along(node, edge, input, output);
        if (flowing.length === 0) continue;
        const dying = live.dyingOn(id, edge.to);
        const target = states[edge.to]!;
        const widen = widenAt[edge.to] === 1 && visits[edge.to]! > WIDEN_AFTER;
        let changed = false;
        if (terminal[edge.to] && !this.eagerDrops) {
          for (const w of flowing) if (this.addLazy(edge.to, target, w, live, widen)) changed = true;
        } else {
          // at an exit or a return, every local dead there goes, even one kept when it died for the
          // locked MDL it held then (see `addLazy`)
          const d = terminal[edge.to] ? live.dyingOn(this.cfg.entry, edge.to) : dying;
          if (d.hi > d.lo) flowing = flowing.map((w) => this.dropDead(w, live, d.lo, d.hi));
          for (const w of flowing) if (this.addState(target, w, widen)) changed = true;
        }
        // the exits keep every state: nothing flows on from them, so their number costs no work, and
        // each return site keeps its own state (a function of more than MAX_WORLDS returns would
        // otherwise merge them and drop the leaks it finds at its exits as imprecise)
        if (target.size > MAX_WORLDS && nodes[edge.to]!.kind !== 'exit' && nodes[edge.to]!.kind !== 'raise-exit') {
          const m = this.collapse(target, merges.get(edge.to));
          merges.set(edge.to, m);
          const c = m.merged;
          target.clear();
          target.set(this.keyOf(c), c);
          // (a return that held a state with its locals holds one no longer: see `addLazy`)
          const ln = this.lazyAt.get(edge.to);
          if (ln) this.lazyAt.set(edge.to, { ...ln, held: new Map(), all: true, alias: new Map() });
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
      this.parentsAt[id] = this.parentsSeen;
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
          for (const o of w.objs.markedValues()) {
            const exit = w.returnSite ?? { line: node.line, column: node.column };
            this.observations.push({ kind: 'leak', obj: o, exit, explicitReturn: !!w.returnSite, trace: w.trace, imprecise: w.imprecise });
          }
        }
        continue;
      }
      this.parentsLimit = this.parentsAt[node.id]!;
      for (const w of this.settleAllocations(node, input)) this.transfer(node, w);
    }
    this.parentsLimit = Infinity;
    this.recording = false;
  }
}

/** A node's merged state, with the state taken in last (the merge agrees with it on each of its entries). */
export interface StateMerge {
  merged: World;
  last: World;
  /** Paths and objects looked at. */
  work: number;
}

/**
 * The states of a node with too many, merged into one (imprecise): the paths on which every state
 * agrees (a system address's NULL tag where every state agrees on it), each object with its state and
 * ownership where every state agrees on them and unknown and not owned elsewhere; no remembered values
 * or conditions; the shortest trace.
 *
 * A node can collapse many times (each time MAX_WORLDS more states reach it), and each state may track
 * every MDL of the function, so the merge does not walk the states: it starts from the node's earlier
 * merge (`earlier`, which the node's map keeps first) or its first state, and takes in each other state
 * through the paths and objects changed between it and the state taken in before it (`changedSince`),
 * a few for states that parted a few statements ago; past the merge's size, it walks the merge's own
 * entries and the state's objects. `worlds`: the node's states, in the order they reached it.
 */
export function mergeStates(worlds: readonly World[], earlier?: StateMerge): StateMerge {
  const first = worlds[0]!;
  let prev = earlier && earlier.merged.pts === first.pts && earlier.merged.objs === first.objs ? earlier.last : first;
  let pts = first.pts;
  let objs = first.objs;
  let trace = first.trace;
  let work = 0;
  const madeUnknown: string[] = [];
  for (let i = 1; i < worlds.length; i++) {
    const w = worlds[i]!;
    const budget = 16 + pts.size + objs.size;
    // the merge agrees with `prev` on each of its entries: only what changed between `prev` and `w` can
    // disagree with `w`
    const paths = prev.pts.changedSince(w.pts, budget) ?? [...pts.keys()];
    work += paths.length;
    for (const p of paths) {
      const o = pts.get(p);
      if (o === undefined) continue;
      if (w.pts.get(p) !== o) pts = pts.delete(p);
      else if (pts.tagOf(p) !== undefined && w.pts.tagOf(p) !== pts.tagOf(p)) pts = pts.retag(p, undefined);
    }
    const ids = prev.objs.changedSince(w.objs, budget) ?? [...objs.keys(), ...w.objs.keys()];
    work += ids.length;
    for (const id of ids) {
      const mine = objs.get(id);
      const theirs = w.objs.get(id);
      if (mine) {
        if (mine.state === 'unknown' && !mine.owned) continue;
        if (theirs && theirs.state === mine.state && theirs.owned === mine.owned) continue;
        objs = objs.set({ ...mine, state: 'unknown', owned: false });
        madeUnknown.push(id);
      } else if (theirs) {
        // an object some state has and the merge has not
        objs = objs.set({ ...theirs, state: 'unknown', owned: false });
        madeUnknown.push(id);
      }
    }
    if (w.trace && (!trace || w.trace.len < trace.len)) trace = w.trace;
    prev = w;
  }
  // what no path holds any more is collected (an object a path let go of is listed already)
  for (const id of madeUnknown) if (!pts.refersTo(id)) pts = pts.noteUnreferenced(id);
  return { merged: { pts, objs, vals: NO_VALS, conds: NO_VALS, trace, returnSite: first.returnSite, imprecise: true }, last: prev, work };
}

class BudgetError extends Error {}

/** The join of two maps of values: a path keeps a value both know (widened: only an unchanged one). */
function joinVals(a: Vals, b: Vals, widen: boolean): Vals {
  let vals = a;
  for (const [p, va] of a) {
    const vb = b.get(p);
    const j = vb === undefined ? undefined : V.join(va, vb);
    if (j === undefined || V.isTop(j) || (widen && !V.equal(j, va))) {
      vals = vals.delete(p);
    } else if (!V.equal(j, va)) {
      vals = vals.set(p, j);
    }
  }
  return vals;
}

/** Some enclosing __except takes STATUS_ACCESS_VIOLATION (every exception, a filter we cannot decide, or a list naming it). */
export function catchesAccessViolation(ctx: TryCtx | null): boolean {
  for (let c = ctx; c; c = c.parent) {
    const f = c.frame;
    if (f.kind !== 'except') continue;
    const cls = f.filterClass ?? { kind: 'unknown' };
    if (cls.kind === 'all' || cls.kind === 'unknown') return true;
    if (cls.kind === 'narrow' && /\bSTATUS_ACCESS_VIOLATION\b/.test(cls.code)) return true;
  }
  return false;
}

function collectCallsIn(body: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const stack: SyntaxNode[] = [body];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'call_expression') out.push(n);
    pushNamedChildren(stack, n);
  }
  return out;
}

const assignedCache = new WeakMap<object, Set<string>>();

const NO_STACK_LOCALS: ReadonlyMap<string, string> = new Map();

/** The values of the major functions sent without an MDL (`irpMajorsWithoutMdl` of the DDI table). */
const MAJORS_WITHOUT_MDL: ReadonlySet<number> = new Set(irpMajorsWithoutMdl().map((n) => V.KNOWN_CONSTANTS[n]!));

/** Every value `v` allows is one of `set` (a few small intervals: `v` is the result of a test against constants). */
function onlyValuesIn(v: V.Val, set: ReadonlySet<number>): boolean {
  if (v.length === 0) return false;
  for (const [lo, hi] of v) {
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi - lo > 64) return false;
    for (let k = lo; k <= hi; k++) if (!set.has(k)) return false;
  }
  return true;
}

/**
 * The locals that hold the current stack location of an IRP, by the IRP's name: every assignment of the
 * local (its initializer included) is `IoGetCurrentIrpStackLocation(Irp)` for one `Irp` that the function
 * never assigns. A local also assigned anything else, incremented, or whose address is taken is not one.
 */
function stackLocationLocals(body: SyntaxNode, locals: ReadonlyMap<string, string>): ReadonlyMap<string, string> {
  const of = new Map<string, string | null>();
  const note = (name: string, value: SyntaxNode | null | undefined) => {
    const v = value ? stripCasts(value) : undefined;
    let irp: string | null = null;
    if (v?.type === 'call_expression' && calleeName(v) === 'IoGetCurrentIrpStackLocation') {
      const a = v.childForFieldName('arguments')?.namedChildren.filter((x) => x.type !== 'comment') ?? [];
      const arg = a.length === 1 ? stripCasts(a[0]!) : undefined;
      if (arg?.type === 'identifier') irp = arg.text;
    }
    const had = of.get(name);
    of.set(name, had === undefined || had === irp ? irp : null);
  };
  const stack: SyntaxNode[] = [body];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'init_declarator') {
      const d = n.childForFieldName('declarator');
      const name = d?.type === 'pointer_declarator' ? d.childForFieldName('declarator') : d;
      if (name?.type === 'identifier') note(name.text, n.childForFieldName('value'));
    } else if (n.type === 'assignment_expression') {
      const l = n.childForFieldName('left');
      if (l?.type === 'identifier') note(l.text, n.childForFieldName('operator')?.text === '=' ? n.childForFieldName('right') : undefined);
    } else if (n.type === 'update_expression') {
      const a = n.childForFieldName('argument');
      if (a?.type === 'identifier') of.set(a.text, null);
    } else if (n.type === 'pointer_expression' && n.childForFieldName('operator')?.text === '&') {
      const a = n.childForFieldName('argument');
      if (a?.type === 'identifier') of.set(a.text, null);
    }
    pushNamedChildren(stack, n);
  }
  const assigned = assignedNames(body);
  const out = new Map<string, string>();
  for (const [name, irp] of of) if (irp && locals.has(name) && !assigned.has(irp) && !of.has(irp)) out.set(name, irp);
  return out.size ? out : NO_STACK_LOCALS;
}
/**
 * An MDL object that carries what a summary reports of a caller's MDL (an entry assumption, a first
 * operation or use, an escape, an assumption that it was not NULL): kept when no path names it any more.
 */
function carriesSummaryFacts(o: MdlObj): boolean {
  return !!(o.entry || o.firstOp || o.firstUse || o.escaped || o.entryNotNull);
}

/**
 * The locals that only ever hold a constant flag value and guard an MDL operation: every write is a plain `=`
 * (or an initializer) of `TRUE`, `FALSE`, `true`, `false`, 0 or 1, the address is never taken, and the
 * condition of some `if`, loop or `?:` whose statement calls an MDL routine names it (`locked`, `mdlLocked`,
 * `pagesLocked`); the first `MAX_FLAG_KEYS` of them.
 */
function flagLocals(body: SyntaxNode, locals: ReadonlyMap<string, string>): string[] {
  const constant = (n: SyntaxNode | null | undefined): boolean => {
    const v = n ? stripCasts(n) : undefined;
    return !!v && (v.type === 'true' || v.type === 'false' || /^(TRUE|FALSE|[01])$/.test(v.text));
  };
  const bad = new Set<string>();
  const written = new Set<string>();
  const tests: SyntaxNode[] = [];
  const stack: SyntaxNode[] = [body];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'assignment_expression') {
      const l = n.childForFieldName('left');
      if (l?.type === 'identifier' && locals.has(l.text)) {
        if (n.childForFieldName('operator')?.type === '=' && constant(n.childForFieldName('right'))) written.add(l.text);
        else bad.add(l.text);
      }
    } else if (n.type === 'init_declarator') {
      const d = n.childForFieldName('declarator');
      if (d?.type === 'identifier') (constant(n.childForFieldName('value')) ? written : bad).add(d.text);
    } else if (n.type === 'update_expression') {
      const a = n.childForFieldName('argument');
      if (a?.type === 'identifier') bad.add(a.text);
    } else if (n.type === 'pointer_expression' && n.childForFieldName('operator')?.type === '&') {
      const a = n.childForFieldName('argument');
      if (a?.type === 'identifier') bad.add(a.text);
    } else if (n.type === 'if_statement' || n.type === 'while_statement' || n.type === 'do_statement' || n.type === 'for_statement' || n.type === 'conditional_expression') {
      tests.push(n);
    }
    pushNamedChildren(stack, n);
  }
  const candidates = new Set([...written].filter((v) => !bad.has(v) && locals.has(v)));
  if (candidates.size === 0) return [];
  // (a test that guards an MDL operation: `if (locked) MmUnlockPages(mdl);`, not `if (FcbAcquired)
  // ExReleaseResourceLite(...)`; read in what the test guards, not in the `else if` chain after it, whose
  // links would each read the rest of the chain again)
  const mdlCall = (n: SyntaxNode | null | undefined) => !!n && collectCallsIn(n).some((call) => !!ddiEffect(calleeName(call) ?? '')?.mdl);
  const tested = new Set<string>();
  for (const n of tests) {
    const c = n.childForFieldName('condition');
    const names = c ? identifiersIn(c).filter((id) => candidates.has(id) && !tested.has(id)) : [];
    if (!names.length) continue;
    const alt = n.childForFieldName('alternative');
    const altBody = alt?.type === 'else_clause' ? alt.namedChildren.find((x) => x.type !== 'comment') : alt;
    const guards =
      n.type === 'if_statement' || n.type === 'conditional_expression'
        ? mdlCall(n.childForFieldName('consequence')) || (altBody?.type !== 'if_statement' && mdlCall(altBody))
        : mdlCall(n.childForFieldName('body'));
    if (guards) for (const id of names) tested.add(id);
  }
  // (each one may double the states that reach a point: past MAX_FLAG_KEYS, a function's many flags would
  // pass MAX_WORLDS, and a collapsed node reports nothing)
  return [...candidates].filter((v) => tested.has(v)).slice(0, MAX_FLAG_KEYS);
}

/** The most flag locals that keep paths apart in one function (`flagLocals`). */
const MAX_FLAG_KEYS = 4;

/** Identifiers assigned anywhere in a body (`x = ...`, `x += ...`, `x++`). */
export function assignedNames(body: SyntaxNode): Set<string> {
  const cached = assignedCache.get(body);
  if (cached) return cached;
  const out = new Set<string>();
  const stack: SyntaxNode[] = [body];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'assignment_expression') {
      const l = n.childForFieldName('left');
      if (l?.type === 'identifier') out.add(l.text);
    } else if (n.type === 'update_expression') {
      const a = n.childForFieldName('argument');
      if (a?.type === 'identifier') out.add(a.text);
    }
    pushNamedChildren(stack, n);
  }
  assignedCache.set(body, out);
  return out;
}

/**
 * Key under which a side-effect-free compound condition's value is remembered (`?Ctx->Flags&4`).
 * Plain variables are tracked as values already; constants need nothing.
 */
/** The path a branch condition pins to one constant on this side (`x == K` true, `x != K` false). */
function pinnedPath(cond: SyntaxNode, truth: boolean, constValue: (e: SyntaxNode) => number | undefined): string | undefined {
  const t = equality(cond);
  if (!t || t.eq !== truth) return undefined;
  // (written either way round: `MY_CODE == s->Code` pins `s->Code`, not the constant's name)
  const l = constValue(t.l) === undefined ? pathOf(t.l) : undefined;
  return l ?? (constValue(t.r) === undefined ? pathOf(t.r) : undefined);
}

/** `a == b` or `a != b` (parentheses aside): its operands, and whether it is `==`. */
function equality(cond: SyntaxNode): { eq: boolean; l: SyntaxNode; r: SyntaxNode } | undefined {
  const e = unparen(cond);
  if (e.type !== 'binary_expression') return undefined;
  const op = e.childForFieldName('operator')?.text;
  if (op !== '==' && op !== '!=') return undefined;
  const l = e.childForFieldName('left');
  const r = e.childForFieldName('right');
  return l && r ? { eq: op === '==', l, r } : undefined;
}

/**
 * The value a branch says an expression that is not a path has (`(code & 3) == METHOD_IN_DIRECT`
 * true: `code & 3` is 1; false: anything but 1), by the constants `constValue` knows.
 */
function valueTest(cond: SyntaxNode, truth: boolean, constValue: (e: SyntaxNode) => number | undefined): { expr: SyntaxNode; val: V.Val } | undefined {
  const t = equality(cond);
  if (!t) return undefined;
  const cl = constValue(t.l);
  const cr = cl === undefined ? constValue(t.r) : undefined;
  const c = cl ?? cr;
  const expr = cl !== undefined ? t.r : t.l;
  if (c === undefined || pathOf(expr) !== undefined || unparen(expr).type === 'number_literal') return undefined;
  return { expr: unparen(expr), val: t.eq === truth ? V.constant(c) : V.minus(V.TOP, c) };
}

/**
 * The key under which a branch's condition, or an expression's value, is remembered: its text, for an
 * expression without effects. `valueMacro`: the calls that have none (a macro whose value depends on its
 * arguments alone: `switch (METHOD_FROM_CTL_CODE(code))` read twice is the same value).
 */
function condKey(cond: SyntaxNode, valueMacro?: (name: string) => boolean): string | undefined {
  const e = unparen(cond);
  if (e.type === 'identifier' || e.type === 'number_literal' || e.type === 'field_expression') return undefined;
  if (hasEffects(e, valueMacro)) return undefined;
  const text = e.text.replace(/\s+/g, '');
  return text.length > 200 ? undefined : `?${text}`;
}

/** A name written like a preprocessor constant (upper case, words joined by `_`: `FSCTL_MOVE_FILE`), not like a variable. */
const MACRO_NAME = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;

/** WDK flag-test macros: FlagOn(F, SF) is ((F) & (SF)). */
const FLAG_MACROS = new Set(['FlagOn', 'BooleanFlagOn', 'TestFlag', 'FLAG_ON']);

/** Does evaluating this expression call or assign anything? (`valueMacro`: calls that do not count, see `condKey`) */
function hasEffects(e: SyntaxNode, valueMacro?: (name: string) => boolean): boolean {
  const stack = [e];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'call_expression') {
      const f = n.childForFieldName('function');
      if (!valueMacro || f?.type !== 'identifier' || !valueMacro(f.text)) return true;
    }
    if (n.type === 'assignment_expression' || n.type === 'update_expression') return true;
    for (const c of n.namedChildren) stack.push(c);
  }
  return false;
}

/** The same values and remembered conditions (a join that changed neither needs no new round). */
function sameVals(a: World, b: World): boolean {
  return sameValues(a.vals, b.vals) && sameValues(a.conds, b.conds);
}

function sameValues(a: Vals, b: Vals): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  for (const [p, v] of a) {
    const w = b.get(p);
    if (!w || !V.equal(v, w)) return false;
  }
  return true;
}

/** A caller's argument that is an address (`&x`) among the constants a call binds its callee's parameters to (`run`). */
export const ADDRESS_ARGUMENT = Number.MIN_SAFE_INTEGER;

/** `&x`, `&Ctx->Field` (an address: never NULL). */
export function isAddressOf(arg: SyntaxNode | undefined): boolean {
  const a = arg ? unparen(arg) : undefined;
  return a?.type === 'pointer_expression' && a.text.trimStart().startsWith('&');
}

function isCmp(op: string): op is V.CmpOp {
  return op === '==' || op === '!=' || op === '<' || op === '<=' || op === '>' || op === '>=';
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
    if (name === 'ARGUMENT_PRESENT' && arg) return `${short(arg.text, 40)} is ${truth ? 'not NULL' : 'NULL'}`;
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

/**
 * Where values are widened after WIDEN_AFTER changes: loop heads, and the target of every edge
 * that goes back in reverse postorder (a `goto` upwards, or into a loop: irreducible flow has no
 * loop head, and without widening a value such as `x` in `L1: if (x == 1) goto L7;` climbs one
 * constant per round, so a maze of n labels took n rounds of n nodes).
 */
function wideningPoints(cfg: Cfg, order: Int32Array): Uint8Array {
  const at = new Uint8Array(cfg.nodes.length);
  for (const node of cfg.nodes) {
    if (node.loopHead) at[node.id] = 1;
    if (order[node.id]! >= cfg.nodes.length) continue; // unreachable
    for (const e of node.succs) if (order[e.to]! <= order[node.id]!) at[e.to] = 1;
  }
  return at;
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
export function analyzeFunction(
  file: SourceFile,
  fn: FunctionInfo,
  project?: ProjectContext,
  want: { summary?: boolean; record?: boolean; paramVals?: ReadonlyMap<string, number>; eagerDrops?: boolean } = {},
): FunctionAnalysis {
  const deep = tooDeep(file, fn);
  if (deep !== undefined) {
    // too deep to walk recursively: nothing is claimed (the linter reports the function as not analyzed)
    const cfg = { fn, nodes: [], entry: 0, exit: 0, raiseExit: 0, hasErrors: true, truncated: true } as unknown as Cfg;
    return { fn, cfg, observations: [], reachable: new Set(), imprecise: true, skipped: `the function ${deep}` };
  }
  const { cfg } = functionCfg(file, fn, project);
  const result: FunctionAnalysis = { fn, cfg, observations: [], reachable: new Set(), imprecise: false };
  if (cfg.truncated) {
    result.skipped = 'control-flow graph over budget';
    return result;
  }
  const a = new Analyzer(cfg, file, project);
  a.summaryMode = !!want.summary;
  a.eagerDrops = !!want.eagerDrops;
  result.localTypes = a.locals;
  try {
    const { states, reachable } = a.run(want.paramVals);
    result.reachable = reachable;
    result.steps = a.steps;
    result.peakEntries = a.peakEntries;
    result.peakStates = a.peakStates;
    result.mergeWork = a.mergeWork;
    if (cfg.hasErrors) {
      result.skipped = 'function body has parse errors';
      return result;
    }
    if (want.summary) result.summary = a.summarize(states);
    if (want.record === false) return result;
    a.record(states);
    result.belowWork = a.belowWork;
    result.dropWork = a.dropWork;
    result.gcWork = a.gcWork;
    result.recheckWork = a.recheckWork;
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
  const nodes: Trace[] = [];
  for (let t = trace; t; t = t.prev) nodes.push(t);
  const all: Step[] = [];
  const at = new Map<string, number[]>();
  for (let k = nodes.length - 1; k >= 0; k--) {
    const t = nodes[k]!;
    const i = t.replaces !== undefined ? at.get(t.replaces)?.pop() : undefined;
    if (i !== undefined) {
      all[i] = t.step;
      continue;
    }
    const key = replaceableKey(t.step);
    if (key !== undefined) {
      const list = at.get(key);
      if (list) list.push(all.length);
      else at.set(key, [all.length]);
    }
    all.push(t.step);
  }
  // a 'map' step only marks where a mapping's failure goes once a test settles it (settleOrigin)
  const steps = all.filter((s) => s.kind !== 'map');
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

/** The prefix of the marks of the out parameters a summary follows (see `Analyzer.keptOuts`). */
const KEPT = '#kept:';

/**
 * The out parameters (`*Locked`) whose every write the analysis sees as a write of `*P`: parameters the body
 * names only dereferenced (`*Locked = TRUE`, `if (*Locked)`) or tested against NULL (`if (Locked)`,
 * `Locked != NULL`). One copied, passed on (itself, or `*P` as an argument) or indexed could be written
 * through another name.
 */
function keptOutParams(body: SyntaxNode, params: ReadonlySet<string>): string[] {
  if (!params.size) return [];
  const text = body.text;
  const candidates = [...params].filter((p) => new RegExp(`\\*\\s*${p}\\b`).test(text));
  if (!candidates.length) return [];
  const ok = new Set(candidates);
  // each node with its parent and grandparent, parentheses skipped
  const stack: [SyntaxNode, SyntaxNode | undefined, SyntaxNode | undefined][] = [[body, undefined, undefined]];
  while (stack.length && ok.size) {
    const [n, up, upup] = stack.pop()!;
    if (n.type === 'identifier' && ok.has(n.text)) {
      const op = up?.childForFieldName('operator')?.text;
      // (`*P` passed to a call or macro, `SetFlag(*State, X)` or a C++ reference parameter, may be written there)
      const deref = up?.type === 'pointer_expression' && op === '*' && upup?.type !== 'pointer_expression' && upup?.type !== 'argument_list';
      const other = up?.type === 'binary_expression' ? (up.childForFieldName('left')?.id === n.id ? up.childForFieldName('right') : up.childForFieldName('left')) : undefined;
      const nullTest =
        up?.type === 'condition_clause' ||
        (up?.type === 'unary_expression' && op === '!') ||
        (up?.type === 'binary_expression' && (op === '==' || op === '!=') && /^(NULL|nullptr|0)$/.test(other?.text ?? ''));
      if (!deref && !nullTest) ok.delete(n.text);
      continue;
    }
    const paren = n.type === 'parenthesized_expression';
    for (const c of n.namedChildren) stack.push(paren ? [c, up, upup] : [c, n, up]);
  }
  return [...ok].map((p) => `*${p}`);
}

/** The MdlFlags names of a mask: `MDL_PAGES_LOCKED`, or `(MDL_PAGES_LOCKED | MDL_PARTIAL)`. */
function flagNames(e: SyntaxNode): string[] | undefined {
  const x = unparen(e);
  if (x.type === 'identifier') return /^MDL_[A-Z_]+$/.test(x.text) ? [x.text] : undefined;
  if (x.type === 'binary_expression' && x.childForFieldName('operator')?.text === '|') {
    const a = flagNames(x.childForFieldName('left')!);
    const b = a && flagNames(x.childForFieldName('right')!);
    return a && b ? [...a, ...b] : undefined;
  }
  return undefined;
}

/** The MdlFlags bits `flagTestOf` knows: a test of a mask with one of them is never undefined. */
const MODELLED_FLAGS = new Set(['MDL_PAGES_LOCKED', 'MDL_SOURCE_IS_NONPAGED_POOL', 'MDL_PARTIAL', 'MDL_MAPPED_TO_SYSTEM_VA']);

/** `X->MdlFlags & mask` (either order), where the mask names MDL flags, one of them modelled. */
function isFlagMask(l: SyntaxNode, r: SyntaxNode): boolean {
  const one = (a: SyntaxNode, b: SyntaxNode) => {
    const p = pathOf(unparen(a));
    return !!p && lastField(p) === 'MdlFlags' && !!flagNames(b)?.some((f) => MODELLED_FLAGS.has(f));
  };
  return one(l, r) || one(r, l);
}
