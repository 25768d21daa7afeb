/**
 * Path-by-path interpreter of driver C against the kernel model.
 *
 * Exploration is a stateless depth-first search over fork decisions: every path is a fresh run of
 * the entry function that replays a prefix of decisions and takes the first alternative at each new
 * fork. No state is ever cloned, which keeps a run cheap and the interpreter a plain recursive
 * evaluator; the price is re-executing the prefix, which is small for driver functions.
 */
import type { Expr, FnDef, FileScope, Stmt, ValueMacro } from './ast.js';
import { exprHasEffects, namesNamespaceFunction, ppEval, substituteIds } from './ast.js';
import { bugCheckFor, type BugCheckPair, type FaultContext, type FaultKind, type ThreadContext } from './faults.js';
import { BUILTIN_CONSTANTS, STATUS } from './constants.js';
import { irqlContractOf, levelName, type IrqlCondition, type IrqlContract } from './irql-model.js';

// ---------------------------------------------------------------------------------------------
// Values and memory

export type Val =
  | { k: 'i'; v: number }
  /** Pointer to an object (`f` undefined) or to a slot (field `f`) of an object. */
  | { k: 'p'; o: number; f?: string }
  /** Unknown scalar or pointer, resolved lazily (see {@link Unk}). */
  | { k: 'u'; id: number }
  /** Uninitialized. */
  | { k: 'x' };

export type MemKind = 'user' | 'paged' | 'nonpaged' | 'stack' | 'sysva' | 'unknown';
/**
 * 'U': undefined. An operation the kernel does not define was done on it (a probe or unlock of a
 * nonpaged-built, partial or MmAllocatePagesForMdl MDL, a rebuild of a locked MDL, a mapping of an
 * unlocked one): Driver Verifier stops the machine at that call (0xC4/0xB0, 0x7D, 0xB4...), a free
 * build leaves flags and page counts that nothing documents. The fault is shown at that call; nothing
 * later on this MDL is claimed (no fault depends on its flags) until it is freed.
 */
export type MdlState = 'F' | 'L' | 'LM' | 'NP' | 'PT' | 'PTM' | 'AP' | 'APF' | 'U' | 'X' | '?';

export interface MdlRec {
  st: MdlState;
  origin: string;
  line: number;
  mem: MemKind;
  /** Locked by a successful probe during this execution. */
  lockedHere: boolean;
  lockLine?: number;
  /** Freed while its pages were locked: the pages stay locked. */
  pagesLeaked?: boolean;
  /** The I/O manager's MDL on an IRP it created. */
  ioMgr?: boolean;
  /** Reached the function from outside (parameter, global, external call): state concretized lazily. */
  caller?: boolean;
  /** Its leak was already reported at the exit of the function that dropped it. */
  leakReported?: boolean;
  /** Frame (its variables object) of the function that locked it. */
  lockFrame?: number;
  /** Pages it describes (from the length when known, else 1). */
  pages?: number;
  /** The memory object it describes (pages of one region can be locked by several MDLs). */
  region?: number;
  /** Its VirtualAddress came from a caller-supplied value (the expression, e.g. `Irp->UserBuffer`). */
  supplied?: string;
  /** Locked by a probe with Operation IoReadAccess (0). */
  readOnly?: boolean;
  /**
   * Its lock was lost by another operation (IoFreeMdl of the chain head, IoFreeIrp of the IRP holding it):
   * if nothing unlocks it before it becomes unreachable, that operation is the fault, not the exit.
   */
  lostBy?: { kind: FaultKind; line: number; column: number; stack: StackEntry[]; ctx: FaultContext };
  /** Order of its lock among frame entries and locks of the run (see `Run.seq`). */
  lockSeq?: number;
  /**
   * Its state was assumed, not established: an MDL from outside (a parameter's, one handed to external
   * code) concretized by the first operation that needed a state ("locked", for a mapping; it could as
   * well be built for nonpaged pool). A fault that holds only under that assumption (a free or second
   * probe of an MDL assumed locked) is not claimed; operations of this run make the state known again.
   */
  assumed?: boolean;
  /**
   * What the assumption was for: 'locked' when a mapping concretized an MDL of unknown state as locked.
   * A mapped MDL may as well be built for nonpaged pool (or partial), which has no MDL_PAGES_LOCKED: the
   * first read of its flags forks on that (see `mdlFlags`).
   */
  assumedFor?: 'locked' | 'unlocked' | 'nonpaged';
  /** MmAllocatePagesForMdl pages mapped into system space (MDL_MAPPED_TO_SYSTEM_VA; the state stays AP). */
  sysVa?: boolean;
  /** Handed to external code, which keeps it: what the function reads of its flags may change at any time. */
  external?: boolean;
}

/** One frame of a fault's location: the function and the line in it (innermost first). */
export interface StackEntry {
  fn: string;
  line: number;
  /** The file defining `fn` (programs of several files; undefined for a program built without paths). */
  file?: string;
}

export interface Obj {
  id: number;
  fields: Map<string, Val>;
  kind: 'frame' | 'global' | 'local' | 'ext' | 'irp' | 'stackloc' | 'devobj' | 'pool' | 'mdl' | 'sysva';
  /** Reachable by code that outlives the function (parameters' objects, globals, external results). */
  ext: boolean;
  mem?: MemKind;
  mdl?: MdlRec;
  /** Fields read before being written default to 0. */
  zeroed?: boolean;
  freed?: number;
  label: string;
  irp?: { ioMgr: boolean; completed?: number; stackLoc?: number; driver?: boolean; freed?: number };
  /** The current stack location of this IRP (`IoGetCurrentIrpStackLocation`). */
  stackOf?: number;
  /** An input buffer (system buffer, user buffer): pointers read out of it are caller-supplied. */
  inbuf?: string;
  /** A system address: the MDL object it maps. */
  sysvaOf?: number;
}

interface Unk {
  /** An error status (an exception code): never a success value. */
  err?: boolean;
  /** Finite candidate set (a known value when of length 1). */
  dom?: number[];
  /** Otherwise an interval (inclusive) minus the excluded values `ne`. */
  lo?: number;
  hi?: number;
  ne?: number[];
  obj?: number;
  hint?: 'user' | 'nonpaged' | 'mdl';
  label: string;
  /** A caller-supplied address (Irp->UserBuffer, Type3InputBuffer, a pointer read out of an input buffer). */
  src?: string;
  /** The object it designates is an input buffer (pointers read from it are caller-supplied). */
  inbuf?: string;
  /** A NULL returned by this call (provenance of a NULL dereference). */
  nullSrc?: { ddi: string; line: number };
}

// ---------------------------------------------------------------------------------------------
// Signals (thrown)

class BreakSig {}
class ContinueSig {}
class LeaveSig {}
class ReturnSig {
  constructor(public v: Val | undefined, public line: number) {}
}
/** `x op y` for the integer operators a derived unknown may stand for (undefined: not computed here). */
function constOp(op: string, x: number, y: number): number | undefined {
  const big = (f: (a: bigint, b: bigint) => bigint) => {
    if (!Number.isSafeInteger(x) || !Number.isSafeInteger(y) || x < 0 || y < 0) return undefined;
    const r = Number(f(BigInt(x), BigInt(y)));
    return Number.isSafeInteger(r) ? r : undefined;
  };
  switch (op) {
    case '&':
      return big((a, b) => a & b);
    case '|':
      return big((a, b) => a | b);
    case '^':
      return big((a, b) => a ^ b);
    case '+':
      return Number.isSafeInteger(x + y) ? x + y : undefined;
    case '-':
      return Number.isSafeInteger(x - y) ? x - y : undefined;
    case '==':
      return x === y ? 1 : 0;
    case '!=':
      return x !== y ? 1 : 0;
    default:
      return undefined;
  }
}

class GotoSig {
  constructor(public label: string) {}
}
class UnwindSig {
  constructor(public target: number, public code: Val) {}
}
/** The path ends here: bug check, abandoned (bounds), or infeasible. */
/** Above this many objects a state is not canonicalized for merging (see `checkpoint`). */
const MAX_CANONICAL_OBJECTS = 64;
/**
 * Above this many unknowns and memoized expressions over them, a state is rendered for merging only while
 * merging such states pays (see `checkpoint`): once an exploration has rendered `LARGE_RENDER_BUDGET`
 * characters of them without merging a path, it renders no more of them.
 */
const MAX_CANONICAL_UNKNOWNS = 128;
const LARGE_RENDER_BUDGET = 4_000_000;

/** What the paths of one exploration share (see `checkpoint`). */
export interface Exploration {
  /**
   * States already explored from a program point (loop heads, after branches): a path reaching one of
   * them again has the same future and stops.
   */
  readonly visited: Map<string, string>;
  /** Characters of large states rendered for merging, and the paths they merged. */
  largeChars: number;
  largeMerges: number;
}

export function newExploration(): Exploration {
  return { visited: new Map(), largeChars: 0, largeMerges: 0 };
}

export class EndSig {
  constructor(public reason: 'fault' | 'loop-bound' | 'step-bound' | 'aborted' | 'merged' | 'exception') {}
}
const BREAK = new BreakSig();
const CONTINUE = new ContinueSig();
const LEAVE = new LeaveSig();

// ---------------------------------------------------------------------------------------------
// Results

export interface Decision {
  line: number;
  label: string;
}

export interface TraceStep {
  line: number;
  function: string;
  /** The function's file, in a program of several files. */
  file?: string;
  event: string;
  irql: number;
  mdls: string;
}

export interface RawFault {
  kind: FaultKind;
  line: number;
  column: number;
  /** Function the faulting statement is in. */
  function: string;
  /** Line in the entry function: the fault's own line, or the outermost call leading to it. */
  entryLine: number;
  message: string;
  bugChecks: BugCheckPair;
  /** The DDI or construct. */
  ddi?: string;
  /** Fault ends the path (unhandled exception). */
  fatal: boolean;
  /** Where it happened, innermost first: `stack[0]` is (function, line), the last entry is (entry, entryLine). */
  stack: StackEntry[];
  /** The fault's context (MDL, DDI, where a NULL came from...). */
  context: FaultContext;
}

export interface PathRecord {
  choices: number[];
  decisions: Decision[];
  steps: number;
  faults: RawFault[];
  /** 'merged': the path reached a program point in a state already explored from there. */
  end: 'return' | 'fault' | 'loop-bound' | 'step-bound' | 'aborted' | 'merged' | 'exception';
  /** Helper entries: exceptions that escape the function (not faults: its callers show them). */
  escapes?: RawFault[];
  exitLine?: number;
  trace?: TraceStep[];
  /** Lines of the entry function executed. */
  covered?: Set<number>;
  /** `if` outcomes of the entry function (line * 2 + taken), with `logBranches`. */
  branchLog?: number[];
  /** Characters of the states rendered for merging (`checkpoint`): the work merging cost this path. */
  rendered?: number;
}

export interface InterpOptions {
  entryIrql: number;
  /**
   * The levels the entry may be entered at, when it is a range (`_IRQL_requires_max_(DISPATCH_LEVEL)`,
   * IO_COMPLETION_ROUTINE...): the run forks between them only where the code makes them matter.
   */
  entryIrqls?: number[];
  /** The entry runs in a DPC (KDEFERRED_ROUTINE, DpcForIsr, registered with KeInitializeDpc...). */
  inDpc?: boolean;
  /**
   * Nothing tells the entry's IRQL (no annotation, role type, registration or caller in the file): the run
   * uses PASSIVE_LEVEL, but while the IRQL is still the entry's, an IRQL-contract fault is claimed only if
   * it holds at every level a caller could use (PASSIVE, APC and DISPATCH).
   */
  entryUnknown?: boolean;
  /**
   * With `entryUnknown`: the levels the entry may be called at (default PASSIVE, APC and DISPATCH_LEVEL). A
   * KMDF queue callback of a program that creates passive-level objects: {PASSIVE, APC, DISPATCH}; an ISR of
   * a program that requests passive-level interrupt handling: {PASSIVE, DIRQL}.
   */
  entryUnknownLevels?: number[];
  /**
   * A helper entered as its callers call it: the parameters (by index) every call the callers make passes the
   * same constant (`FALSE`, a C++ default argument's `NULL`), bound to it at the entry.
   */
  entryParams?: ReadonlyMap<number, number | 'address'>;
  /**
   * The program requests passive-level handling for some KMDF interrupt object (`PassiveHandling`):
   * WdfInterruptAcquireLock may take a passive-level lock, so it is not taken to raise the IRQL.
   */
  passiveInterrupts?: boolean;
  /**
   * A program of several files: the functions visible from a function's file (its own first, then the other
   * files' non-static ones) and the file-scope facts (#defines, globals) of its file. Without it every
   * frame uses the tables given to the constructor.
   */
  program?: ProgramView;
  /** The IRQL annotations of a function the program declares and does not define (see `DeclaredIrql`). */
  declaredIrql?: (name: string) => DeclaredIrql | undefined;
  verifier: boolean;
  loopBound: number;
  callDepth: number;
  maxSteps: number;
  trace: boolean;
  thread: ThreadContext;
  /** The exploration this path belongs to (merging paths that reach an explored state), if any. */
  exploration?: Exploration;
  /** The entry is annotated to change the IRQL / hold a lock at exit (`_IRQL_raises_`, `_Acquires_lock_`...). */
  changesIrql?: boolean;
  /** Record the outcomes of the entry function's `if` statements. */
  logBranches?: boolean;
  /** Called at each call of a function of the file with the IRQLs it may be called at (helpers' entry context). */
  onCall?: (callee: string, levels: number[], inDpc: boolean, unknown: boolean, args: (number | 'address' | undefined)[]) => void;
  /**
   * The entry is a dispatch routine (role type DRIVER_DISPATCH, or assigned to MajorFunction[]): its IRP
   * comes from the I/O manager, `Irp->MdlAddress` is NULL or the I/O manager's locked MDL.
   */
  dispatch?: boolean;
  /** The entry is a helper (called by other functions of the file, not a callback): exceptions escaping it are its callers' business. */
  helper?: boolean;
}

/**
 * What the SAL annotations of a declaration say of a function the program only declares (a library's):
 * the IRQL range of its callers (`_IRQL_requires_max_`, `_min_`, `_IRQL_requires_`), the level it raises
 * to (`_IRQL_raises_`), where it saves the previous IRQL (`_IRQL_saves_`: the result, or the parameter
 * it is written on) and the parameter whose saved value it restores (`_IRQL_restores_`).
 */
export interface DeclaredIrql {
  min?: number;
  max?: number;
  raises?: number;
  saves?: 'return' | number;
  restores?: number;
  text: string;
}

/** What a run needs of a program of several files (see `SimProgram`). */
export interface ProgramView {
  /** Functions a call in `def`'s file resolves to. */
  fnsOf(def: FnDef): Map<string, FnDef>;
  /** `def`'s file-scope facts. */
  scopeOf(def: FnDef): FileScope;
}

// ---------------------------------------------------------------------------------------------

/**
 * The major functions (wdm.h: IRP_MJ_*, 0 to 0x1b) an IRP from the I/O manager can carry, and those it always
 * sends buffered, with its data in Irp->AssociatedIrp.SystemBuffer and Irp->MdlAddress NULL whatever the
 * device's flags: IRP_MJ_QUERY_INFORMATION (5), IRP_MJ_SET_INFORMATION (6), IRP_MJ_QUERY_VOLUME_INFORMATION
 * (0xa), IRP_MJ_SET_VOLUME_INFORMATION (0xb) (the IFS pages of each request; kernel-semantics.md §4b: an
 * IRP's MDL is the I/O manager's for direct I/O only). Kept apart from the linter's table on purpose.
 */
const IRP_MAJORS = Array.from({ length: 0x1c }, (_, k) => k);
const BUFFERED_MAJORS: ReadonlySet<number> = new Set([5, 6, 0xa, 0xb]);

const PROBE_DDIS = new Set(['MmProbeAndLockPages', 'MmProbeAndLockProcessPages', 'MmProbeAndLockSelectedPages']);
/**
 * What MmProbeAndLock*Pages can raise: an access violation (bad range, no access, write to a
 * read-only page), an in-page error (the page cannot be read in), a misaligned access, and a
 * working-set quota failure when the pages cannot be locked (§3, §6.10).
 */
const PROBE_CODES = [STATUS.ACCESS_VIOLATION, STATUS.IN_PAGE_ERROR, STATUS.DATATYPE_MISALIGNMENT, STATUS.WORKING_SET_QUOTA];
/** ProbeForRead / ProbeForWrite: range not user / not writable, or misaligned (§3). */
const PROBE_FOR_CODES = [STATUS.ACCESS_VIOLATION, STATUS.DATATYPE_MISALIGNMENT];
const SAMPLE_CODES = PROBE_CODES;
const D = 2;
const A = 1;
/** The levels a function whose entry IRQL nothing tells may be called at. */
const UNKNOWN_ENTRY_LEVELS = [0, 1, 2];
/** Iterations of a loop whose condition never forks (a known trip count). */
const CONCRETE_LOOP_CAP = 256;

const MDL_MAPPED_TO_SYSTEM_VA = 0x1;
const MDL_PAGES_LOCKED = 0x2;
const MDL_SOURCE_IS_NONPAGED_POOL = 0x4;
const MDL_PARTIAL = 0x10;
const MDL_PARTIAL_HAS_BEEN_MAPPED = 0x20;

function flagsOf(st: MdlState): number {
  switch (st) {
    case 'L':
    case 'AP':
      return MDL_PAGES_LOCKED;
    case 'LM':
      return MDL_PAGES_LOCKED | MDL_MAPPED_TO_SYSTEM_VA;
    case 'NP':
      return MDL_SOURCE_IS_NONPAGED_POOL;
    case 'PT':
      return MDL_PARTIAL;
    case 'PTM':
      return MDL_PARTIAL | MDL_PARTIAL_HAS_BEEN_MAPPED | MDL_MAPPED_TO_SYSTEM_VA;
    default:
      return 0;
  }
}

interface Frame {
  def: FnDef;
  vars: Obj;
  /** Call site (line:column) in the caller; undefined for the entry. */
  callSite?: string;
  aggs?: Set<string>;
  /** C++ reference parameters: their slot holds the address of the referenced object. */
  refs?: Set<string>;
  /** Line in the entry function of the call that led here (entry frame: undefined). */
  entryCallLine?: number;
  /** `Run.seq` when the frame was entered. */
  entrySeq?: number;
}

interface Handler {
  id: number;
  filter: Expr;
  frame: Frame;
}

/** An IRQL written as a constant (`PASSIVE_LEVEL`, `0`), not a value saved in a variable. */
function isLevelConstant(a: Expr | undefined): boolean {
  return !!a && (a.t === 'num' || (a.t === 'id' && /_LEVEL$/.test(a.name)));
}

type CallExpr = Expr & { t: 'call' };
/** The model of a routine (a method of Run): the call's value, its faults and forks made on the run. */
type KernelModel = (this: Run, name: string, e: CallExpr) => Val | undefined;

/** One run = one path. */
export class Run {
  objs: Obj[] = [];
  unks: Unk[] = [];
  derived = new Map<string, number>();
  derivedInfo: { op: string; a: Val; b?: Val; id: number }[] = [];
  loopStack: number[] = [];
  escaped = new Set<number>();
  /** Counter ordering frame entries and locks (which locks a callee took during its activation). */
  seq = 0;
  frames: Frame[] = [];
  handlers: Handler[] = [];
  handlerSeq = 0;
  excStack: Val[] = [];
  abnormal: boolean[] = [];
  /** The current IRQL once known (see {@link irql}). */
  private irqlNow: number;
  /**
   * Candidate entry levels not told apart yet (an entry whose IRQL is a range): a question about the
   * IRQL forks only between the candidates it separates (`irqlIs`), reading the exact value picks one
   * (`irql`, `entryIrql`). Undefined once the entry level is known.
   */
  private entryCands: number[] | undefined;
  private entryLevel: number;
  /** Nothing changed the IRQL since the entry: the current IRQL is the entry level. */
  private atEntryLevel = true;
  spinLocks = new Map<string, number>();
  dpcLocks = new Set<string>();
  /**
   * Locks this path knows to be free: released by the run (after its own acquire, or a first release of a lock
   * a caller holds). A lock neither acquired nor released on the path is unknown, assumed held at entry: its
   * release is not a fault. Keys: spin locks as `spinLocks` / `dpcLocks`, `wdf…` KMDF spin locks, `fm…` fast
   * mutexes, `q…` in-stack queued handles the run never saw acquire.
   */
  freeLocks = new Set<string>();
  savedIrql = new Map<string, number>();
  /** In-stack queued lock handle → the lock it holds. */
  qmap = new Map<string, string>();
  globals: Obj;
  steps = 0;
  pos = 0;
  decisions: Decision[] = [];
  faults: RawFault[] = [];
  trace: TraceStep[] | undefined;
  faultKeys = new Set<string>();

  constructor(
    private readonly baseFns: Map<string, FnDef>,
    private readonly baseScope: FileScope,
    private readonly opts: InterpOptions,
    private readonly choices: number[],
    private readonly counts: number[],
  ) {
    const cands = opts.entryIrqls && opts.entryIrqls.length > 1 ? [...opts.entryIrqls] : undefined;
    this.entryCands = cands;
    this.entryLevel = cands ? cands[0]! : opts.entryIrql;
    this.irqlNow = this.entryLevel;
    this.globals = this.newObj('global', true, 'globals');
    if (opts.trace) this.trace = [];
    if (opts.logBranches) this.branchLog = [];
  }

  // --- forks ---------------------------------------------------------------------------------

  choose(n: number, line: number, labels: string[] | ((i: number) => string)): number {
    if (n <= 1) return 0;
    let c: number;
    if (this.pos < this.choices.length) {
      c = this.choices[this.pos]!;
      if (this.counts[this.pos] === undefined) this.counts[this.pos] = n;
      else if (this.counts[this.pos] !== n) throw new Error(`non-deterministic replay at line ${line}`);
    } else {
      c = 0;
      this.choices.push(0);
      this.counts.push(n);
    }
    this.pos++;
    const label = typeof labels === 'function' ? labels(c) : labels[c] ?? String(c);
    this.decisions.push({ line, label });
    return c;
  }

  // --- IRQL ----------------------------------------------------------------------------------

  /** The exact current IRQL (picks the entry level among the candidates when it is still open). */
  get irql(): number {
    if (this.atEntryLevel && this.entryCands) this.resolveEntry();
    return this.irqlNow;
  }

  /** The exact entry IRQL. */
  get entryIrql(): number {
    if (this.entryCands) this.resolveEntry();
    return this.entryLevel;
  }

  /** The current IRQL for display (traces, contexts of faults that do not depend on it): never forks. */
  get irqlView(): number {
    return this.irqlNow;
  }

  /** Does the current IRQL satisfy `pred`? Forks only between entry levels the predicate separates. */
  irqlIs(pred: (level: number) => boolean): boolean {
    if (this.atEntryLevel && this.entryCands) return this.entryIs(pred);
    return pred(this.irqlNow);
  }

  /**
   * Is an IRQL-contract violation certain? Like `irqlIs`, except at an unknown entry level (see
   * `InterpOptions.entryUnknown`), where it must hold at PASSIVE, APC and DISPATCH_LEVEL alike.
   */
  irqlFault(pred: (level: number) => boolean): boolean {
    if (this.atEntryLevel && this.opts.entryUnknown) return (this.opts.entryUnknownLevels ?? UNKNOWN_ENTRY_LEVELS).every(pred);
    return this.irqlIs(pred);
  }

  /** Does the entry IRQL satisfy `pred`? */
  private entryIs(pred: (level: number) => boolean): boolean {
    const c = this.entryCands;
    if (!c) return pred(this.entryLevel);
    const yes = c.filter(pred);
    const no = c.filter((l) => !pred(l));
    if (!yes.length) return false;
    if (!no.length) return true;
    const names = (ls: number[]) => ls.map(levelName).join(' or ');
    const ch = this.choose(2, this.entryDeclLine(), [`entered at ${names(yes)}`, `entered at ${names(no)}`]);
    this.narrowEntry(ch === 0 ? yes : no);
    return ch === 0;
  }

  private resolveEntry(): void {
    const c = this.entryCands!;
    const ch = this.choose(c.length, this.entryDeclLine(), (i) => `entered at ${levelName(c[i]!)}`);
    this.narrowEntry([c[ch]!]);
  }

  private narrowEntry(keep: number[]): void {
    this.entryCands = keep.length > 1 ? keep : undefined;
    this.entryLevel = keep[0]!;
    if (this.atEntryLevel) this.irqlNow = this.entryLevel;
  }

  private entryDeclLine(): number {
    return this.frames[0]?.def.line ?? 0;
  }

  // --- objects -------------------------------------------------------------------------------

  newObj(kind: Obj['kind'], ext: boolean, label: string, mem?: MemKind): Obj {
    const o: Obj = { id: this.objs.length, fields: new Map(), kind, ext, label, mem };
    this.objs.push(o);
    return o;
  }

  newUnk(label: string, hint?: Unk['hint'], dom?: number[]): Val {
    this.unks.push({ label, hint, dom });
    return { k: 'u', id: this.unks.length - 1 };
  }

  /** An exception code: one of `codes`, which one decided by the filters that test it. */
  newExceptionCode(label: string, codes: number[]): Val {
    this.unks.push({ label, err: true, dom: codes.slice() });
    return { k: 'u', id: this.unks.length - 1 };
  }

  private get frame(): Frame {
    return this.frames[this.frames.length - 1]!;
  }

  /** The functions a call resolves to from the current function's file. */
  private get fns(): Map<string, FnDef> {
    const p = this.opts.program;
    return p && this.frames.length ? p.fnsOf(this.frame.def) : this.baseFns;
  }

  /** The current function's file-scope facts (#defines, globals, role declarations). */
  private get scope(): FileScope {
    const p = this.opts.program;
    return p && this.frames.length ? p.scopeOf(this.frame.def) : this.baseScope;
  }

  private get curLineCtx(): number | undefined {
    return this.frames.length > 1 ? this.frames[1]!.entryCallLine : undefined;
  }

  // --- faults --------------------------------------------------------------------------------

  fault(kind: FaultKind, line: number, column: number, ctx: FaultContext, fatal = false, where?: { fn: string; file?: string; entryLine: number; stack?: StackEntry[] }): void {
    const f = this.makeFault(kind, line, column, ctx, fatal, where);
    const key = `${kind}|${line}|${f.entryLine}|${f.function}`;
    if (this.faultKeys.has(key)) return;
    this.faultKeys.add(key);
    this.faults.push(f);
    this.event(line, `FAULT ${kind}: ${f.message}`);
  }

  private makeFault(kind: FaultKind, line: number, column: number, ctx: FaultContext, fatal: boolean, where?: { fn: string; file?: string; entryLine: number; stack?: StackEntry[] }): RawFault {
    // The IRQL of an IRQL fault (or of a NULL dereference, whose outcome depends on it) is exact; other
    // faults show the current one without telling the entry levels apart.
    const exact = kind.startsWith('irql-') || kind === 'null-deref' || kind === 'pageable-code-at-dispatch';
    const full = { ...ctx, irql: ctx.irql ?? (exact ? this.irql : this.irqlView), thread: ctx.thread ?? this.opts.thread };
    const bugChecks = bugCheckFor(kind, full);
    const entryLine = where?.entryLine ?? this.curLineCtx ?? line;
    let stack: StackEntry[];
    if (where?.stack) stack = where.stack;
    else if (where) {
      stack = [{ fn: where.fn, line, file: where.file }];
      if (entryLine !== line) stack.push({ fn: this.frames[0]?.def.name ?? where.fn, line: entryLine, file: this.frames[0]?.def.file });
    } else stack = this.stackAt(line);
    const fnName = where?.fn ?? stack[0]!.fn;
    return { kind, line, column, function: fnName, entryLine, message: bugChecks.note, bugChecks, ddi: ctx.ddi, fatal, stack, context: full };
  }

  /** The current location, innermost first: (function, line), then each caller at its call line. */
  stackAt(line: number): StackEntry[] {
    const out: StackEntry[] = [];
    let l = line;
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const fr = this.frames[i]!;
      out.push({ fn: fr.def.name, line: l, file: fr.def.file });
      if (fr.callSite) l = Number(fr.callSite.split(':')[0]);
    }
    return out.length ? out : [{ fn: '', line }];
  }

  event(line: number, event: string): void {
    if (!this.trace) return;
    const file = this.frames.length ? this.frame.def.file : undefined;
    this.trace.push({ line, function: this.frames.length ? this.frame.def.name : '', ...(file !== undefined ? { file } : {}), event, irql: this.irqlView, mdls: this.mdlSummary() });
  }

  mdlSummary(): string {
    const parts: string[] = [];
    for (const o of this.objs) if (o.mdl) parts.push(`${o.label}=${o.mdl.st}`);
    return parts.join(' ');
  }

  // --- unknown resolution --------------------------------------------------------------------

  /** Known numeric value, or undefined. */
  num(v: Val): number | undefined {
    switch (v.k) {
      case 'i':
        return v.v;
      case 'p':
        return 0x10000 + v.o * 0x100;
      case 'u': {
        const u = this.unks[v.id]!;
        if (u.obj !== undefined) return 0x10000 + u.obj * 0x100;
        if (u.dom && u.dom.length === 1) return u.dom[0];
        if (u.lo !== undefined && u.lo === u.hi) return u.lo;
        return undefined;
      }
      case 'x':
        return undefined;
    }
  }

  /**
   * Resolve the truth of a test over an unknown, forking when both outcomes are possible. `split`
   * cuts the unknown's interval into the part where the test holds and the part where it fails.
   */
  private forkCompare(id: number, test: (x: number) => boolean, split: (lo: number, hi: number) => [Range | null, Range | null], line: number, text: string): boolean {
    const u = this.unks[id]!;
    if (u.obj !== undefined) return test(0x10000 + u.obj * 0x100);
    if (u.dom) {
      const yes = u.dom.filter(test);
      const no = u.dom.filter((x) => !test(x));
      if (!yes.length) return false;
      if (!no.length) return true;
      const c = this.choose(2, line, [`${text}: true`, `${text}: false`]);
      u.dom = c === 0 ? yes : no;
      return c === 0;
    }
    const lo = u.lo ?? -BIG;
    const hi = u.hi ?? BIG;
    const ok = (r: Range | null): r is Range => !!r && r[0] <= r[1] && !(r[0] === r[1] && u.ne?.includes(r[0]));
    const [yes, no] = split(lo, hi);
    const set = (r: Range) => {
      u.lo = r[0];
      u.hi = r[1];
      if (r[0] === r[1]) u.dom = [r[0]];
    };
    if (!ok(yes)) {
      if (ok(no)) set(no);
      return false;
    }
    if (!ok(no)) {
      set(yes);
      return true;
    }
    const c = this.choose(2, line, [`${text}: true`, `${text}: false`]);
    set(c === 0 ? yes : no);
    return c === 0;
  }

  /** Truth of a value (`if (x)`). */
  truth(v: Val, line: number, text: string): boolean {
    switch (v.k) {
      case 'i':
        return v.v !== 0;
      case 'p':
        return true;
      case 'x':
        return this.truth(this.materializeUnknown(v, 'uninitialized'), line, text);
      case 'u': {
        const u = this.unks[v.id]!;
        if (u.obj !== undefined) return true;
        return !this.eqFork(v.id, 0, line, text, true);
      }
    }
  }

  private materializeUnknown(_v: Val, label: string): Val {
    return this.newUnk(label);
  }

  /** `a == b` with forking on unknowns. */
  equals(a: Val, b: Val, line: number, text: string): boolean {
    if (a.k === 'x') a = this.newUnk('uninitialized');
    if (b.k === 'x') b = this.newUnk('uninitialized');
    if (a.k === 'p' && b.k === 'p') return a.o === b.o && a.f === b.f;
    if (a.k === 'u' && b.k === 'u') {
      if (a.id === b.id) return true;
      const ua = this.unks[a.id]!;
      const ub = this.unks[b.id]!;
      if (ua.obj !== undefined && ub.obj !== undefined) return ua.obj === ub.obj;
      const nb = this.num(b);
      if (nb !== undefined) return this.equals(a, { k: 'i', v: nb }, line, text);
      const na = this.num(a);
      if (na !== undefined) return this.equals({ k: 'i', v: na }, b, line, text);
      return this.truth(this.derivedUnk('==', a, b), line, text);
    }
    if (a.k === 'u' && b.k === 'p') return this.unks[a.id]!.obj === b.o && !b.f;
    if (a.k === 'p' && b.k === 'u') return this.unks[b.id]!.obj === a.o && !a.f;
    if (a.k === 'p' || b.k === 'p') return false; // pointer vs integer: pointers are never 0
    const na = this.num(a);
    const nb = this.num(b);
    if (na !== undefined && nb !== undefined) return na === nb;
    if (a.k === 'u' && nb !== undefined) return this.eqFork(a.id, nb, line, text);
    if (b.k === 'u' && na !== undefined) return this.eqFork(b.id, na, line, text);
    return false;
  }

  /** `u == c` (with `truthTest`, the labels read as `if (u)`). */
  private eqFork(id: number, c: number, line: number, text: string, truthTest = false): boolean {
    const u = this.unks[id]!;
    if (u.obj !== undefined) return c === 0x10000 + u.obj * 0x100;
    if (u.dom) {
      if (!truthTest) return this.forkCompare(id, (x) => x === c, () => [null, null], line, text);
      return !this.forkCompare(id, (x) => x !== c, () => [null, null], line, text);
    }
    const lo = u.lo ?? -BIG;
    const hi = u.hi ?? BIG;
    if (u.ne?.includes(c) || c < lo || c > hi || (u.err && (c | 0) >= 0)) return false;
    if (lo === hi) return true;
    // an expression over it already tested (`(code & 3) == METHOD_IN_DIRECT`) that `c` contradicts: not `c`
    if (!this.derivedAllow(id, c)) {
      (u.ne ??= []).push(c);
      return false;
    }
    const labels = truthTest
      ? [`${text}: false (${u.label} == 0)`, `${text}: true (${u.label} != 0)`]
      : [`${text}: true (${u.label} == ${fmtNum(c)})`, `${text}: false (${u.label} != ${fmtNum(c)})`];
    // For a truth test, "nonzero" is explored first.
    const ch = this.choose(2, line, truthTest ? [labels[1]!, labels[0]!] : labels);
    const equal = truthTest ? ch === 1 : ch === 0;
    if (equal) {
      u.dom = [c];
      u.lo = u.hi = c;
    } else (u.ne ??= []).push(c);
    return equal;
  }

  private relational(op: string, a: Val, b: Val, line: number, text: string): boolean {
    const test = (x: number, y: number) => (op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y);
    const na = this.num(a);
    const nb = this.num(b);
    if (na !== undefined && nb !== undefined) return test(na, nb);
    if (a.k === 'u' && nb !== undefined) return this.forkCompare(a.id, (x) => test(x, nb), (lo, hi) => splitRange(op, nb, lo, hi), line, text);
    if (b.k === 'u' && na !== undefined) {
      const flipped = op === '<' ? '>' : op === '<=' ? '>=' : op === '>' ? '<' : '<=';
      return this.forkCompare(b.id, (y) => test(na, y), (lo, hi) => splitRange(flipped, na, lo, hi), line, text);
    }
    return this.truth(this.derivedUnk(op, a, b), line, text);
  }

  private valKey(v: Val): string {
    switch (v.k) {
      case 'i':
        return 'i' + v.v;
      case 'p':
        return 'p' + v.o + '.' + (v.f ?? '');
      case 'u':
        return 'u' + v.id;
      case 'x':
        return 'x';
    }
  }

  /**
   * Can unknown `id` be `c`, given what the path decided of the expressions computed from it and a constant
   * (`code & 3` decided 1 rules out every `code` whose low bits are not 01)?
   */
  private derivedAllow(id: number, c: number): boolean {
    for (const d of this.derivedInfo) {
      const other = d.a.k === 'u' && d.a.id === id ? d.b : d.b?.k === 'u' && d.b.id === id ? d.a : undefined;
      if (!other || other.k !== 'i') continue;
      const [x, y] = d.a.k === 'u' && d.a.id === id ? [c, other.v] : [other.v, c];
      const r = constOp(d.op, x, y);
      if (r === undefined) continue;
      const du = this.unks[d.id]!;
      if ((du.dom && !du.dom.includes(r)) || du.ne?.includes(r) || (du.lo !== undefined && r < du.lo) || (du.hi !== undefined && r > du.hi)) return false;
    }
    return true;
  }

  /** The same operation on the same unknown operands yields the same unknown within a path. */
  derivedUnk(op: string, a: Val, b?: Val): Val {
    const key = op + '|' + this.valKey(a) + '|' + (b ? this.valKey(b) : '');
    let id = this.derived.get(key);
    if (id === undefined) {
      const la = a.k === 'u' ? this.unks[a.id]!.label : a.k === 'i' ? fmtNum(a.v) : '?';
      const lb = b ? (b.k === 'u' ? this.unks[b.id]!.label : b.k === 'i' ? fmtNum(b.v) : '?') : '';
      const v = this.newUnk(b ? `(${la} ${op} ${lb})` : `${op}${la}`);
      id = (v as { id: number }).id;
      this.derived.set(key, id);
      this.derivedInfo.push({ op, a, b, id });
    }
    return { k: 'u', id };
  }

  /** Object a pointer value designates, materializing lazily; `null` for a NULL pointer. */
  objOf(v: Val, line: number, what: string, nullIsFault = true): Obj | null {
    switch (v.k) {
      case 'p': {
        if (v.f === undefined) return this.objs[v.o]!;
        // Pointer to a slot used as a structure: the slot holds the structure.
        const host = this.objs[v.o]!;
        const cur = this.readField(host, v.f, line);
        if (cur.k === 'p') return this.objOf(cur, line, what, nullIsFault);
        if (cur.k === 'u') {
          const u = this.unks[cur.id]!;
          if (host.ext || u.obj !== undefined || u.dom || u.ne || u.lo !== undefined) return this.objOf(cur, line, what, nullIsFault);
          // An embedded structure of a local (`&small.Mdl`): local storage, not external.
          const lo = this.newObj('local', false, `${host.label}.${v.f}`, 'stack');
          u.obj = lo.id;
          return lo;
        }
        const o = this.newObj(host.ext ? 'ext' : 'local', host.ext, `${host.label}.${v.f}`);
        host.fields.set(v.f, { k: 'p', o: o.id });
        return o;
      }
      case 'u': {
        const u = this.unks[v.id]!;
        if (u.obj !== undefined) return this.objs[u.obj]!;
        if (u.dom && u.dom.length === 1 && u.dom[0] === 0) {
          if (nullIsFault) this.nullDeref(line, 1, { mdl: u.label, ddi: what, nullSource: u.nullSrc?.ddi ?? 'NULL', nullLine: u.nullSrc?.line });
          return null;
        }
        const mem: MemKind = u.hint === 'user' ? 'user' : u.hint === 'nonpaged' ? 'nonpaged' : 'unknown';
        const o = this.newObj('ext', true, u.label, mem);
        if (u.inbuf || u.src) o.inbuf = u.inbuf ?? u.src;
        u.obj = o.id;
        u.dom = undefined;
        return o;
      }
      case 'i':
        if (v.v === 0) {
          if (nullIsFault) this.nullDeref(line, 1, { mdl: 'NULL', ddi: what, nullSource: 'NULL' });
          return null;
        }
        return this.newObj('ext', true, `*${fmtNum(v.v)}`);
      case 'x':
        return this.newObj('local', false, 'uninitialized');
    }
  }

  /**
   * A dereference of NULL by the driver. Below DISPATCH_LEVEL the access violation is dispatched as an
   * exception (STATUS_ACCESS_VIOLATION): an `__except` filter can take it, like on a real machine;
   * unhandled it is the NULL-dereference fault. At DISPATCH_LEVEL or above it is a bug check (0xD1).
   */
  private nullDeref(line: number, col: number, ctx: FaultContext): never {
    if (!this.inFilter && this.irqlIs((l) => l < D)) {
      this.event(line, `NULL dereference: access violation`);
      this.raise({ k: 'i', v: STATUS.ACCESS_VIOLATION }, line, col, ctx.ddi ?? 'dereference', { kind: 'null-deref', ctx });
    }
    this.fault('null-deref', line, col, ctx, true);
    throw new EndSig('fault');
  }

  /** The caller-supplied source of an address value, if any. */
  private suppliedSrc(v: Val): string | undefined {
    if (v.k !== 'u') return undefined;
    return this.unks[v.id]!.src;
  }

  /** Is this value a definite NULL? */
  private isNull(v: Val): boolean {
    if (v.k === 'i') return v.v === 0;
    if (v.k === 'u') {
      const u = this.unks[v.id]!;
      return u.obj === undefined && !!u.dom && u.dom.length === 1 && u.dom[0] === 0;
    }
    return false;
  }

  /** A write into object `o` (a store, or the destination of a copy / fill routine). */
  private checkWrite(o: Obj, line: number, col: number, what: string): void {
    if (o.sysvaOf !== undefined) {
      const mo = this.objs[o.sysvaOf]!;
      const m = mo.mdl;
      if (m && m.readOnly && (m.st === 'L' || m.st === 'LM')) this.fault('write-to-read-locked', line, col, { mdl: mo.label, ddi: what });
    }
    if (o.mdl && o.mdl.st === 'X') this.fault('use-after-free', line, col, { mdl: o.label, ddi: what });
  }

  /** The object a pointer argument designates, without materializing anything. */
  private pointee(v: Val): Obj | undefined {
    if (v.k === 'p') return v.f === undefined ? this.objs[v.o] : undefined;
    if (v.k === 'u' && this.unks[v.id]!.obj !== undefined) return this.objs[this.unks[v.id]!.obj!];
    return undefined;
  }

  // --- fields --------------------------------------------------------------------------------

  readField(o: Obj, f: string, line: number): Val {
    if (!o.mdl && f === 'MdlFlags' && o.ext) {
      o.kind = 'mdl';
      o.mdl = { st: '?', origin: 'caller', line, mem: o.mem ?? 'unknown', lockedHere: false, caller: true };
    }
    // Undefined flags: any value (a test of them may go either way).
    if (o.mdl && f === 'MdlFlags' && o.mdl.st === 'U') return this.derivedUnk('MdlFlags', { k: 'p', o: o.id });
    if (o.mdl && f === 'MdlFlags') return { k: 'i', v: this.mdlFlags(o, line) };
    let v = o.fields.get(f);
    if (v !== undefined && v.k !== 'x') return v;
    if (v?.k === 'x' && o.kind === 'frame') {
      v = this.newUnk(`uninitialized ${f}`);
      o.fields.set(f, v);
      return v;
    }
    v = this.defaultField(o, f, line);
    o.fields.set(f, v);
    return v;
  }

  private defaultField(o: Obj, f: string, line: number): Val {
    if (o.zeroed) return { k: 'i', v: 0 };
    const label = `${o.label}->${f}`;
    // A copy of an input buffer: what it holds is what the caller wrote.
    if (o.inbuf && (o.kind === 'local' || o.kind === 'pool')) return this.srcUnk(label, undefined, `a pointer read out of ${o.inbuf}`);
    switch (o.kind) {
      case 'irp':
        if (f === 'MdlAddress') {
          if (!o.irp?.ioMgr) return { k: 'i', v: 0 };
          // the request's major function, when the path has read it: a buffered request carries no MDL
          const majors = this.majorsOf(o);
          if (majors && majors.every((m) => BUFFERED_MAJORS.has(m))) return { k: 'i', v: 0 };
          const c = this.choose(
            2,
            line,
            this.opts.dispatch ? [`${label} != NULL (I/O manager locked the user buffer)`, `${label} == NULL (zero-length transfer)`] : [`${label} != NULL`, `${label} == NULL`],
          );
          if (c === 1) return { k: 'i', v: 0 };
          // an MDL: the request is not one the I/O manager sends buffered
          this.notBuffered(o);
          const m = this.newObj('mdl', true, label, 'user');
          if (this.opts.dispatch) {
            m.mdl = { st: 'L', origin: 'I/O manager (direct I/O)', line, mem: 'user', lockedHere: false, ioMgr: true, pages: 1 };
            this.countLock(m.mdl, +1);
          } else {
            // Not a dispatch routine: what this IRP's MDL is, is not known here: its state is lazy, like a caller's MDL.
            m.mdl = { st: '?', origin: 'caller', line, mem: 'user', lockedHere: false, ioMgr: true, caller: true, pages: 1 };
          }
          m.fields.set('Next', { k: 'i', v: 0 });
          return { k: 'p', o: m.id };
        }
        if (f === 'RequestorMode') return this.newUnk(label, undefined, [0, 1]);
        if (f === 'UserBuffer') return this.srcUnk(label, 'user', label);
        if (f === 'AssociatedIrp' || f === 'IoStatus' || f === 'Tail' || f === 'Overlay') {
          const s = this.newObj(o.ext ? 'ext' : 'local', o.ext, label);
          if (f === 'AssociatedIrp') s.kind = 'irp';
          s.irp = { ioMgr: false };
          return { k: 'p', o: s.id };
        }
        if (f === 'SystemBuffer') return this.inbufUnk(label);
        if (f === 'CurrentStackLocation') return { k: 'p', o: this.stackLocOf(o).id };
        return this.newUnk(label);
      case 'stackloc':
        if (f === 'Type3InputBuffer') return this.srcUnk(label, 'user', 'Type3InputBuffer');
        if (f === 'MajorFunction' && o.stackOf !== undefined && this.objs[o.stackOf]!.irp?.ioMgr) {
          // one of the major functions; not a buffered one if the IRP's MDL was read and is there
          const irp = this.objs[o.stackOf]!;
          const mdl = irp.fields.get('MdlAddress');
          const dom = mdl && mdl.k === 'p' ? IRP_MAJORS.filter((m) => !BUFFERED_MAJORS.has(m)) : IRP_MAJORS.slice();
          return this.newUnk(label, undefined, dom);
        }
        if (f === 'Parameters' || f === 'DeviceIoControl' || f === 'Read' || f === 'Write' || f === 'Others') {
          const s = this.newObj('stackloc', true, label);
          return { k: 'p', o: s.id };
        }
        return this.newUnk(label);
      case 'devobj':
        if (f === 'DeviceExtension') return { k: 'p', o: this.newObj('ext', true, label).id };
        return this.newUnk(label);
      case 'mdl':
        if (f === 'Next' && !o.mdl?.caller) return { k: 'i', v: 0 };
        if (f === 'MappedSystemVa') {
          const sv = this.newObj('sysva', false, label, 'sysva');
          sv.sysvaOf = o.id;
          return { k: 'p', o: sv.id };
        }
        if (f === 'Next') return this.newUnk(label, 'mdl');
        return this.newUnk(label);
      case 'ext':
        if (f === 'UserBuffer' || f === 'Type3InputBuffer') return this.srcUnk(label, 'user', f === 'UserBuffer' ? label : 'Type3InputBuffer');
        if (f === 'SystemBuffer') return this.inbufUnk(label);
        // A value read out of an input buffer: a pointer there is whatever the caller wrote.
        if (o.inbuf) return this.srcUnk(label, undefined, `a pointer read out of ${o.inbuf}`);
        return this.newUnk(label, /Mdl/.test(f) ? 'mdl' : undefined);
      case 'frame':
        return this.newUnk(f);
      case 'global':
        return this.newUnk(f);
      default:
        return this.newUnk(label);
    }
  }

  private srcUnk(label: string, hint: Unk['hint'], src: string): Val {
    const v = this.newUnk(label, hint) as { k: 'u'; id: number };
    this.unks[v.id]!.src = src;
    return v;
  }

  private inbufUnk(label: string): Val {
    const v = this.newUnk(label, 'nonpaged') as { k: 'u'; id: number };
    this.unks[v.id]!.inbuf = label;
    return v;
  }

  private stackLocOf(irp: Obj): Obj {
    if (irp.irp?.stackLoc !== undefined) return this.objs[irp.irp.stackLoc]!;
    const s = this.newObj('stackloc', irp.ext, `IoGetCurrentIrpStackLocation(${irp.label})`);
    s.stackOf = irp.id;
    irp.irp = { ...(irp.irp ?? { ioMgr: false }), stackLoc: s.id };
    return s;
  }

  /** The major functions an I/O manager's IRP may still carry on this path, once its current stack location's `MajorFunction` was read (else undefined). */
  private majorsOf(irp: Obj): number[] | undefined {
    const sl = irp.irp?.stackLoc;
    const v = sl !== undefined ? this.objs[sl]!.fields.get('MajorFunction') : undefined;
    if (!v) return undefined;
    if (v.k === 'i') return [v.v];
    if (v.k !== 'u') return undefined;
    const u = this.unks[v.id]!;
    if (u.dom) return u.dom;
    if (u.lo !== undefined && u.lo === u.hi) return [u.lo];
    return undefined;
  }

  /** The IRP holds an MDL from its sender: its major function, read or not yet, is not one sent buffered. */
  private notBuffered(irp: Obj): void {
    const sl = irp.irp?.stackLoc;
    const v = sl !== undefined ? this.objs[sl]!.fields.get('MajorFunction') : undefined;
    if (v?.k !== 'u') return; // not read yet: read later, it is one of the others (defaultField)
    const u = this.unks[v.id]!;
    if (u.dom) u.dom = u.dom.filter((m) => !BUFFERED_MAJORS.has(m));
    else for (const m of BUFFERED_MAJORS) if (!u.ne?.includes(m)) (u.ne ??= []).push(m);
  }

  writeField(o: Obj, f: string, v: Val): void {
    if (o.mdl && f === 'MdlFlags') {
      // the driver writes the flags itself (`Mdl->MdlFlags |= MDL_PARTIAL` over pages another MDL locked):
      // the state machine no longer knows the MDL's state (undefined, nothing claimed)
      if (o.mdl.st !== 'X') o.mdl.st = 'U';
      return;
    }
    o.fields.set(f, v);
  }

  private mdlFlags(o: Obj, line: number): number {
    const m = o.mdl!;
    if (m.st === '?') {
      const c = this.choose(2, line, [`${o.label} is locked by the caller`, `${o.label} is not locked`]);
      // read, not assumed: the flags the code tests are the state from here (unless external code holds
      // the MDL and may change them at any time)
      m.st = c === 0 ? 'L' : 'F';
      if (m.external && !m.ioMgr) m.assumed = true;
      m.assumedFor = undefined;
      if (m.st === 'L') this.countLock(m, +1);
    } else if (m.assumed && m.assumedFor === 'locked' && (m.st === 'L' || m.st === 'LM')) {
      // a mapping assumed it locked; mapped, it may as well be built for nonpaged pool (no MDL_PAGES_LOCKED)
      const c = this.choose(2, line, [`${o.label} is locked (as its mapping assumed)`, `${o.label} is built for nonpaged pool (mapped, not locked)`]);
      m.assumedFor = undefined;
      if (c === 1) {
        this.countLock(m, -1);
        m.st = 'NP';
        m.assumedFor = 'nonpaged';
      }
    }
    return flagsOf(m.st) | (m.st === 'AP' && m.sysVa ? MDL_MAPPED_TO_SYSTEM_VA : 0);
  }

  // --- lvalues -------------------------------------------------------------------------------

  /** Resolve an lvalue to (object, field). */
  private lval(e: Expr): { o: Obj; f: string } {
    switch (e.t) {
      case 'id': {
        const fr = this.frame;
        if (fr.refs?.has(e.name)) return this.refTarget(fr.vars.fields.get(e.name)!);
        if (fr.vars.fields.has(e.name)) return { o: fr.vars, f: e.name };
        return { o: this.globals, f: e.name };
      }
      case 'field': {
        const base = this.baseObj(e.obj, e.name);
        return { o: base, f: e.name };
      }
      case 'index': {
        const base = this.baseObj(e.obj, '[]');
        const idx = this.num(this.eval(e.idx));
        return { o: base, f: `[${idx ?? '?'}]` };
      }
      case 'deref': {
        const p = this.eval(e.e);
        if (p.k === 'p' && p.f !== undefined) return { o: this.objs[p.o]!, f: p.f };
        const o = this.objOf(p, this.lineOf(e), 'dereference')!;
        return { o, f: '*' };
      }
      default: {
        // Not an lvalue we model: a scratch slot.
        this.eval(e);
        return { o: this.newObj('local', false, 'scratch'), f: 'v' };
      }
    }
  }

  private lineOf(e: Expr): number {
    if (e.t === 'call' || e.t === 'id') return e.line;
    return this.curLine;
  }

  curLine = 0;

  /** Object for a field access base (`base->f` / `base.f`). */
  private baseObj(base: Expr, field: string): Obj {
    // Aggregate locals and uninitialized structure variables materialize as local objects.
    if (base.t === 'id') {
      const { o, f } = this.lval(base);
      const cur = o.fields.get(f);
      if (cur === undefined || cur.k === 'x') {
        if (o.kind === 'frame' && cur?.k === 'x') {
          const lo = this.newObj('local', false, f);
          o.fields.set(f, { k: 'p', o: lo.id });
          return lo;
        }
      }
    }
    const v = this.eval(base);
    return this.objOf(v, this.curLine, `->${field}`)!;
  }

  // --- expressions ---------------------------------------------------------------------------

  eval(e: Expr): Val {
    switch (e.t) {
      case 'num':
        return { k: 'i', v: e.v };
      case 'str':
        return { k: 'p', o: this.newObj('local', false, 'string', 'nonpaged').id };
      case 'sizeof':
        return { k: 'i', v: 64 };
      case 'id':
        return this.evalId(e.name, e.line);
      case 'call':
        this.curLine = e.line;
        return this.evalCall(e);
      case 'field': {
        const o = this.baseObj(e.obj, e.name);
        if (o.mdl && o.mdl.st === 'X') this.fault('use-after-free', this.curLine, 1, { mdl: o.label, ddi: `->${e.name}` });
        return this.readField(o, e.name, this.curLine);
      }
      case 'index': {
        const o = this.baseObj(e.obj, '[]');
        const idx = this.num(this.eval(e.idx));
        return this.readField(o, `[${idx ?? '?'}]`, this.curLine);
      }
      case 'assign': {
        if (e.op === '=') {
          const v = this.eval(e.right);
          const { o, f } = this.lval(e.left);
          this.checkWrite(o, this.curLine, 1, e.left.t === 'field' ? `->${e.left.name} =` : 'store');
          this.writeField(o, f, v);
          return v;
        }
        const { o, f } = this.lval(e.left);
        this.checkWrite(o, this.curLine, 1, 'store');
        const cur = this.readField(o, f, this.curLine);
        const r = this.eval(e.right);
        const v = this.arith(e.op.slice(0, -1), cur, r);
        this.writeField(o, f, v);
        return v;
      }
      case 'bin':
        return this.evalBin(e.op, e.l, e.r);
      case 'un': {
        const v = this.eval(e.e);
        if (e.op === '!') return { k: 'i', v: this.truth(v, this.curLine, exprText(e.e)) ? 0 : 1 };
        const n = this.num(v);
        if (n === undefined) return this.derivedUnk(e.op, v);
        if (e.op === '-') return { k: 'i', v: -n | 0 };
        if (e.op === '~') return fits32(n) ? { k: 'i', v: ~n } : this.derivedUnk(e.op, v);
        return { k: 'i', v: n };
      }
      case 'deref': {
        const p = this.eval(e.e);
        if (p.k === 'p' && p.f !== undefined) return this.readField(this.objs[p.o]!, p.f, this.curLine);
        const o = this.objOf(p, this.curLine, 'dereference')!;
        return this.readField(o, '*', this.curLine);
      }
      case 'addr': {
        if (e.e.t === 'id') {
          const { o, f } = this.lval(e.e);
          const cur = o.fields.get(f);
          if (cur && cur.k === 'p' && this.objs[cur.o]!.kind === 'local' && o.kind === 'frame' && this.frame.vars === o && this.aggregates().has(f)) return cur;
          return { k: 'p', o: o.id, f };
        }
        if (e.e.t === 'deref') return this.eval(e.e.e);
        const { o, f } = this.lval(e.e);
        return { k: 'p', o: o.id, f };
      }
      case 'upd': {
        const { o, f } = this.lval(e.e);
        this.checkWrite(o, this.curLine, 1, 'store');
        const cur = this.readField(o, f, this.curLine);
        const nv = this.arith(e.op === '++' ? '+' : '-', cur, { k: 'i', v: 1 });
        this.writeField(o, f, nv);
        return e.prefix ? nv : cur;
      }
      case 'cond':
        return this.truth(this.eval(e.c), this.curLine, exprText(e.c)) ? this.eval(e.a) : this.eval(e.b);
      case 'comma':
        this.eval(e.a);
        return this.eval(e.b);
      case 'init': {
        const o = this.newObj('local', false, 'initializer');
        o.zeroed = true;
        e.items.forEach((it, i) => o.fields.set(`[${i}]`, this.eval(it)));
        return { k: 'p', o: o.id };
      }
      case 'unk':
        for (const s of e.sub) this.eval(s);
        return this.newUnk('expression');
      case 'lcall':
        return this.callLambda(e);
    }
  }

  /** A call of one of the function's lambdas (see the `lcall` expression). */
  private callLambda(e: Expr & { t: 'lcall' }): Val {
    this.curLine = e.line;
    const vals = e.args.map((a) => this.eval(a));
    // the parameters, bound for the call (they hide the caller's variables of those names until it ends)
    const vars = this.frame.vars.fields;
    const hidden = new Map<string, Val | undefined>();
    e.params.forEach((name, k) => {
      if (!name) return;
      if (!hidden.has(name)) hidden.set(name, vars.get(name));
      vars.set(name, vals[k] ?? { k: 'x' });
    });
    try {
      this.exec(e.body);
      return { k: 'x' };
    } catch (x) {
      if (!(x instanceof ReturnSig)) throw x;
      return x.v ?? { k: 'x' };
    } finally {
      for (const [name, old] of hidden) {
        if (old === undefined) vars.delete(name);
        else vars.set(name, old);
      }
    }
  }

  private aggregates(): Set<string> {
    return this.frame.aggs ?? new Set();
  }

  private refTarget(p: Val): { o: Obj; f: string } {
    if (p.k === 'p' && p.f !== undefined) return { o: this.objs[p.o]!, f: p.f };
    const o = this.objOf(p, this.curLine, 'reference')!;
    return { o, f: '*' };
  }

  private evalId(name: string, line: number): Val {
    const fr = this.frame;
    if (fr.refs?.has(name)) {
      const { o, f } = this.refTarget(fr.vars.fields.get(name)!);
      return this.readField(o, f, line);
    }
    const slot = fr.vars.fields.get(name);
    if (slot !== undefined) {
      if (slot.k === 'x') {
        const v = this.newUnk(`uninitialized ${name}`);
        fr.vars.fields.set(name, v);
        return v;
      }
      return slot;
    }
    const def = this.scope.defines.get(name);
    if (def) {
      if (def.t === 'id' && def.name === name) return this.newUnk(name);
      return this.eval(def);
    }
    const c = BUILTIN_CONSTANTS.get(name);
    if (c !== undefined) return { k: 'i', v: c };
    if (name.startsWith('STATUS_')) {
      // An NTSTATUS not in the table: an error code, distinct per name.
      let h = 0;
      for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) & 0xfff;
      return { k: 'i', v: (0xc0001000 + h) | 0 };
    }
    if (this.fns.has(name)) return { k: 'p', o: this.fnObj(name).id };
    if (this.globals.fields.has(name) || this.scope.globals.has(name)) return this.readField(this.globals, name, line);
    const q = name.lastIndexOf('::');
    if (q >= 0) {
      const last = name.slice(q + 2);
      if (this.scope.defines.has(last) || BUILTIN_CONSTANTS.has(last)) return this.evalId(last, line);
      return { k: 'i', v: symbolicConstant(name) };
    }
    // A macro from a header (upper-case name): a constant, distinct per name.
    if (/^[A-Z][A-Z0-9_]{2,}$/.test(name)) return { k: 'i', v: symbolicConstant(name) };
    return this.readField(this.globals, name, line);
  }

  private fnObjs = new Map<string, Obj>();
  private fnObj(name: string): Obj {
    let o = this.fnObjs.get(name);
    if (!o) {
      o = this.newObj('global', true, `&${name}`);
      this.fnObjs.set(name, o);
    }
    return o;
  }

  private evalBin(op: string, le: Expr, re: Expr): Val {
    if (op === '&&') {
      if (!this.truth(this.eval(le), this.curLine, exprText(le))) return { k: 'i', v: 0 };
      return { k: 'i', v: this.truth(this.eval(re), this.curLine, exprText(re)) ? 1 : 0 };
    }
    if (op === '||') {
      if (this.truth(this.eval(le), this.curLine, exprText(le))) return { k: 'i', v: 1 };
      return { k: 'i', v: this.truth(this.eval(re), this.curLine, exprText(re)) ? 1 : 0 };
    }
    if (op === '&') {
      // `Mdl->MdlFlags & X` on an MDL whose state is not known here (a caller's, or handed to external
      // code), X without MDL_PAGES_LOCKED: some other bit, unknown; it says nothing about the lock.
      const fe = le.t === 'field' && le.name === 'MdlFlags' ? le : re.t === 'field' && re.name === 'MdlFlags' ? re : undefined;
      if (fe && fe.t === 'field') {
        const o = this.baseObj(fe.obj, 'MdlFlags');
        if (!o.mdl && o.ext) {
          o.kind = 'mdl';
          o.mdl = { st: '?', origin: 'caller', line: this.curLine, mem: o.mem ?? 'unknown', lockedHere: false, caller: true };
        }
        if (o.mdl && o.mdl.st === 'X') this.fault('use-after-free', this.curLine, 1, { mdl: o.label, ddi: '->MdlFlags' });
        const mv = this.eval(fe === le ? re : le);
        const mask = this.num(mv);
        if (o.mdl?.st === '?' && mask !== undefined && (mask & MDL_PAGES_LOCKED) === 0) return this.derivedUnk('&MdlFlags', { k: 'p', o: o.id }, { k: 'i', v: mask });
        if (o.mdl?.st === 'U') return this.derivedUnk('&MdlFlags', { k: 'p', o: o.id }, mv);
        return this.arith('&', this.readField(o, 'MdlFlags', this.curLine), mv);
      }
    }
    const a = this.eval(le);
    const b = this.eval(re);
    const text = `${exprText(le)} ${op} ${exprText(re)}`;
    switch (op) {
      case '==':
        return { k: 'i', v: this.equals(a, b, this.curLine, text) ? 1 : 0 };
      case '!=':
        // (the decision is the equality's: labelled as such, `b == 1: false (b != 1)`, not `b != 1: false` on
        // the path where `b != 1` holds)
        return { k: 'i', v: this.equals(a, b, this.curLine, `${exprText(le)} == ${exprText(re)}`) ? 0 : 1 };
      case '<':
      case '<=':
      case '>':
      case '>=':
        return { k: 'i', v: this.relational(op, a, b, this.curLine, text) ? 1 : 0 };
      default:
        return this.arith(op, a, b);
    }
  }

  private derivedOrNum(op: '~', v: Val): Val {
    const n = this.num(v);
    return n === undefined || !fits32(n) ? this.derivedUnk(op, v) : { k: 'i', v: ~n };
  }

  arith(op: string, a: Val, b: Val): Val {
    if (a.k === 'x') a = this.newUnk('uninitialized');
    if (b.k === 'x') b = this.newUnk('uninitialized');
    // Pointer arithmetic keeps the object (a region of the same memory).
    if ((op === '+' || op === '-') && a.k === 'p' && (b.k === 'i' || b.k === 'u')) return a;
    if (op === '+' && b.k === 'p' && (a.k === 'i' || a.k === 'u')) return b;
    if ((op === '+' || op === '-') && a.k === 'u' && this.unks[a.id]!.obj !== undefined && b.k !== 'p') return a;
    const x = this.num(a);
    const y = this.num(b);
    if (x === undefined || y === undefined) {
      if (op === '&' && (x === 0 || y === 0)) return { k: 'i', v: 0 };
      if (op === '*' && (x === 0 || y === 0)) return { k: 'i', v: 0 };
      const r = this.derivedUnk(op, a, b);
      // An offset into a caller-supplied buffer is caller-supplied too.
      if ((op === '+' || op === '-') && r.k === 'u') {
        const src = this.suppliedSrc(a) ?? (op === '+' ? this.suppliedSrc(b) : undefined);
        if (src) this.unks[r.id]!.src ??= src;
      }
      return r;
    }
    const r = exactInt(op, x, y);
    if (r !== undefined) return { k: 'i', v: r };
    if ((op === '/' || op === '%') && y === 0) return this.newUnk('division by zero');
    return this.derivedUnk(op, a, b);
  }

  // --- state merging -------------------------------------------------------------------------

  /** Characters of the states this path rendered for merging. */
  rendered = 0;

  /** Stop this path if the state at this program point was already explored (same future). */
  private checkpoint(s: Stmt, kind: string): void {
    const ex = this.opts.exploration;
    // Only in the entry function, outside filters: a callee's caller may hold partly evaluated
    // expressions (argument values, operands) that the state does not record.
    if (!ex || s.id === undefined || this.frames.length !== 1 || this.inFilter) return;
    // Joins outside loops rarely meet an equal state; canonicalizing there costs more than it saves.
    if (kind === 'J' && this.loopStack.length === 0) return;
    // A state of hundreds of objects (a loop that allocates on every turn and never meets its bound) is
    // not canonicalized: the cost would grow with every step, and merging is only a shortcut.
    if (this.objs.length > MAX_CANONICAL_OBJECTS) return;
    // Nor, once it does not pay, a path that has made hundreds of unknowns: a loop reading fresh values on
    // every turn that never meets an explored state renders them all at each checkpoint, so the path's cost
    // grows with the square of its length (on a mutated fixture, 49,000 checkpoints took 6 of its 8
    // seconds); a polling loop that reads a register each turn does meet them, and needs the merging
    // (without it its paths exceed the path bound: fixtures/irql-too-high/waits.c, WtWorkerThread).
    const large = this.unks.length + this.derivedInfo.length > MAX_CANONICAL_UNKNOWNS;
    if (large && ex.largeMerges === 0 && ex.largeChars >= LARGE_RENDER_BUDGET) return;
    const state = this.canonicalState();
    this.rendered += state.length;
    if (large) ex.largeChars += state.length;
    const key = `${kind}${s.id}#${state}`;
    // The exploration re-runs a path's prefix to try the other alternatives of its later decisions:
    // the path that first reached this state (identified by its decisions so far) goes on; any other
    // path reaching the same state has the same future, explored under that first prefix.
    const prefix = this.choices.slice(0, this.pos).join(',');
    const first = ex.visited.get(key);
    if (first === undefined) ex.visited.set(key, prefix);
    else if (first !== prefix) {
      if (large) ex.largeMerges++;
      throw new EndSig('merged');
    }
  }

  /**
   * A canonical rendering of everything the rest of the path depends on: the active frames and
   * their variables, every object reachable from them, from globals, external objects and
   * escaped objects (numbered by discovery), the constraints of the reachable unknowns and the
   * memoized expressions over them, locked pages nobody can reach any more, IRQL and locks, and
   * the SEH / loop context. Equal renderings mean isomorphic states.
   */
  canonicalState(): string {
    const objNum = new Map<number, number>();
    const unkNum = new Map<number, number>();
    const queue: number[] = [];
    const unkQueue: number[] = [];
    const obj = (id: number): number => {
      let n = objNum.get(id);
      if (n === undefined) {
        n = objNum.size;
        objNum.set(id, n);
        queue.push(id);
      }
      return n;
    };
    const unk = (id: number): number => {
      let n = unkNum.get(id);
      if (n === undefined) {
        n = unkNum.size;
        unkNum.set(id, n);
        unkQueue.push(id);
        const u = this.unks[id]!;
        if (u.obj !== undefined) obj(u.obj);
      }
      return n;
    };
    const val = (v: Val): string => (v.k === 'i' ? 'i' + v.v : v.k === 'p' ? 'p' + obj(v.o) + (v.f !== undefined ? '.' + v.f : '') : v.k === 'u' ? 'u' + unk(v.id) : 'x');
    const out: string[] = [];
    const frameIndex = new Map<number, number>();
    this.frames.forEach((f, i) => frameIndex.set(f.vars.id, i));
    out.push(this.frames.map((f) => `${f.def.name}@${f.callSite ?? ''}:${obj(f.vars.id)}:${[...(f.refs ?? [])].join(',')}:${[...(f.aggs ?? [])].sort().join(',')}`).join('/'));
    out.push('g' + obj(this.globals.id));
    if (this.prevMode) out.push('m' + val(this.prevMode));
    if (this.ppTaken.size) out.push('#' + [...this.ppTaken].map(([k, t]) => `${k}=${t ? 1 : 0}`).sort().join(','));
    for (const id of [...this.escaped].sort((a, b) => a - b)) out.push('e' + obj(id));
    for (const o of this.objs) if (o.ext) obj(o.id);
    const serializeObjects = (from: number): number => {
      let qi = from;
      for (; qi < queue.length; qi++) {
        const o = this.objs[queue[qi]!]!;
        let str = `${o.kind}${o.ext ? 'E' : ''}${o.zeroed ? 'Z' : ''}${o.freed !== undefined ? 'F' : ''}${o.mem ?? ''}`;
        if (o.mdl) {
          const m = o.mdl;
          str += `<${m.st}${m.lockedHere ? 'h' : ''}${m.pagesLeaked ? 'k' : ''}${m.caller ? 'c' : ''}${m.leakReported ? 'r' : ''}${m.ioMgr ? 'i' : ''}${m.mem}${m.lockFrame !== undefined ? 'f' + (frameIndex.get(m.lockFrame) ?? -1) : ''}`;
          str += `${m.supplied !== undefined ? 's' : ''}${m.readOnly ? 'o' : ''}${m.sysVa ? 'v' : ''}${m.assumedFor === 'locked' ? 'a' : m.assumedFor === 'nonpaged' ? 'n' : ''}${m.lostBy ? `l${m.lostBy.kind}@${m.lostBy.line}` : ''}>`;
        }
        if (o.irp) str += `{${o.irp.ioMgr ? 1 : 0}${o.irp.completed !== undefined ? 'c' : ''}${o.irp.driver ? 'd' : ''}${o.irp.freed !== undefined ? 'x' : ''}${o.irp.stackLoc !== undefined ? 's' + obj(o.irp.stackLoc) : ''}}`;
        if (o.inbuf !== undefined) str += 'B';
        if (o.sysvaOf !== undefined) str += 'v' + obj(o.sysvaOf);
        for (const k of [...o.fields.keys()].sort()) str += `|${k}=${val(o.fields.get(k)!)}`;
        out.push(str);
      }
      return qi;
    };
    let done = serializeObjects(0);
    // Memoized expressions over reachable operands, to a fixpoint (their results may reach more).
    const usedDerived = new Set<number>();
    for (let changed = true; changed; ) {
      changed = false;
      for (let i = 0; i < this.derivedInfo.length; i++) {
        if (usedDerived.has(i)) continue;
        const d = this.derivedInfo[i]!;
        const known = (v: Val | undefined) =>
          v === undefined || v.k === 'i' || v.k === 'x' || (v.k === 'u' && unkNum.has(v.id)) || (v.k === 'p' && objNum.has(v.o));
        if (!known(d.a) || !known(d.b)) continue;
        usedDerived.add(i);
        changed = true;
        out.push(`D${d.op}(${val(d.a)},${d.b ? val(d.b) : ''})=u${unk(d.id)}`);
      }
      done = serializeObjects(done);
    }
    for (const id of unkQueue) {
      const u = this.unks[id]!;
      out.push(
        `U${unkNum.get(id)}:${u.dom ? u.dom.join(',') : ''}|${u.lo ?? ''},${u.hi ?? ''}|${u.ne ? [...u.ne].sort((a, b) => a - b).join(',') : ''}|${u.err ? 'e' : ''}${u.hint ?? ''}|${u.obj !== undefined ? objNum.get(u.obj) : ''}` +
          `${u.src !== undefined ? '|s' : ''}${u.inbuf !== undefined ? '|b' : ''}${u.nullSrc ? `|n${u.nullSrc.line}` : ''}`,
      );
    }
    // Locked pages nobody can reach: the exit checks will report them.
    const leaked: string[] = [];
    for (const o of this.objs) {
      const m = o.mdl;
      if (!m || objNum.has(o.id) || !m.lockedHere || m.leakReported) continue;
      if (m.st === 'L' || m.st === 'LM' || (m.pagesLeaked && m.st === 'X')) leaked.push(`${m.lockLine}:${m.lockFrame !== undefined ? frameIndex.get(m.lockFrame) ?? -1 : ''}:${m.st}`);
    }
    out.push('K' + leaked.sort().join(','));
    const lockKey = (k: string) => k.replace(/^(wdf)?(\d+)\./, (_, p: string | undefined, o: string) => `${p ?? ''}${objNum.has(Number(o)) ? `#${objNum.get(Number(o))}.` : `?${o}.`}`);
    out.push(`N${this.processLockedPages}|I${this.atEntryLevel && this.entryCands ? 'e' : this.irqlNow}|E${this.entryCands?.join('/') ?? this.entryLevel}|S${[...this.spinLocks].map(([k, v]) => `${lockKey(k)}=${v}`).sort().join(',')}|P${[...this.dpcLocks].map(lockKey).sort().join(',')}`);
    out.push(`V${[...this.savedIrql].map(([k, v]) => `${k.replace(/^(q|fm|wdfint)(\d+)\./, (_, p: string, o: string) => `${p}#${objNum.get(Number(o)) ?? '?' + o}.`)}=${v}`).sort().join(',')}`);
    out.push(`Q${[...this.qmap].map(([h, l]) => `${lockKey(h)}>${lockKey(l)}`).sort().join(',')}`);
    out.push(`R${[...this.freeLocks].map((k) => k.replace(/^(wdf|fm|q)?(\d+)\./, (_, p: string | undefined, o: string) => `${p ?? ''}${objNum.has(Number(o)) ? `#${objNum.get(Number(o))}.` : `?${o}.`}`)).sort().join(',')}`);
    out.push(`H${this.handlers.map((h) => `${h.id}:${h.frame.def.name}`).join(',')}|X${this.excStack.map(val).join(',')}|A${this.abnormal.join(',')}|L${this.loopStack.join(',')}|P${this.pendingText(val)}`);
    return out.join('\n');
  }

  // --- statements ----------------------------------------------------------------------------

  /** Lines of the entry function's file executed on this path. */
  covered = new Set<number>();
  /**
   * When requested, the entry function's steps in order: `line * 4 + 2` per statement, `line * 4 + taken`
   * per `if` outcome, `line * 4 + 3` per successful probe.
   */
  branchLog: number[] | undefined;

  private step(line: number, what: string): void {
    this.curLine = line;
    if (this.frames.length === 1) {
      this.covered.add(line);
      if (this.branchLog) this.branchLog.push(line * 4 + 2);
    }
    if (++this.steps > this.opts.maxSteps) throw new EndSig('step-bound');
    if (this.trace) this.event(line, what);
  }

  exec(s: Stmt, seek?: string): void {
    switch (s.t) {
      case 'block':
        this.execList(s.body, 0, seek);
        return;
      case 'expr':
        if (seek) return;
        this.step(s.line, 'statement');
        this.eval(s.e);
        return;
      case 'decl':
        if (seek) return;
        this.step(s.line, 'declaration');
        for (const it of s.items) {
          if (it.aggregate) {
            // C++ construction (`Guard g(mdl);`): the constructor runs (external unless defined here).
            if (it.init && it.init.t === 'call') this.eval(it.init);
            const lo = this.newObj('local', false, it.name);
            if (it.init && it.init.t === 'init') lo.zeroed = true;
            this.frame.vars.fields.set(it.name, { k: 'p', o: lo.id });
            (this.frame.aggs ??= new Set()).add(it.name);
            continue;
          }
          const v = it.init ? this.eval(it.init) : ({ k: 'x' } as Val);
          this.frame.vars.fields.set(it.name, v);
        }
        return;
      case 'if': {
        if (seek) {
          if (s.a.labels?.has(seek) || (s.a.t === 'label' && s.a.name === seek)) this.exec(s.a, seek);
          else if (s.b) this.exec(s.b, seek);
          return;
        }
        this.step(s.line, 'if');
        const c = this.truth(this.eval(s.c), s.line, exprText(s.c));
        if (this.trace) this.event(s.line, `condition ${exprText(s.c)} is ${c ? 'true' : 'false'}`);
        if (this.branchLog && this.frames.length === 1) this.branchLog.push(s.line * 4 + (c ? 1 : 0));
        if (c) this.exec(s.a);
        else if (s.b) this.exec(s.b);
        this.checkpoint(s, 'J');
        return;
      }
      case 'while':
      case 'for':
      case 'do':
        this.execLoop(s, seek);
        return;
      case 'switch':
        this.execSwitch(s, seek);
        return;
      case 'case':
      case 'nop':
        return;
      case 'break':
        if (seek) return;
        this.step(s.line, 'break');
        throw BREAK;
      case 'continue':
        if (seek) return;
        this.step(s.line, 'continue');
        throw CONTINUE;
      case 'return': {
        if (seek) return;
        this.step(s.line, 'return');
        const v = s.e ? this.eval(s.e) : undefined;
        throw new ReturnSig(v, s.line);
      }
      case 'goto':
        if (seek) return;
        this.step(s.line, `goto ${s.label}`);
        throw new GotoSig(s.label);
      case 'label':
        if (seek && seek !== s.name) {
          this.exec(s.stmt, seek);
          return;
        }
        this.exec(s.stmt);
        return;
      case 'leave':
        if (seek) return;
        this.step(s.line, '__leave');
        throw LEAVE;
      case 'pp': {
        if (seek) {
          if (s.a.labels?.has(seek)) this.exec(s.a, seek);
          else this.exec(s.b, seek);
          return;
        }
        let useA: boolean;
        // a condition the file's macros decide (`#if !MINI_PORT` with `#define MINI_PORT 1`) runs one side only
        const v = s.mode === 'fork' && s.cond ? ppEval(s.cond, this.scope.ppMacros) : undefined;
        // the same condition tested before on this path: the build that took it then takes it again
        const before = s.same ? this.ppTaken.get(s.same.key) : undefined;
        if (s.mode === 'a' || (v !== undefined && v !== 0)) useA = true;
        else if (s.mode === 'b' || v === 0) useA = false;
        else if (before !== undefined) useA = before === s.same!.truth;
        else useA = this.choose(2, s.line, [`#if ${s.text}: taken`, `#if ${s.text}: not taken`]) === 0;
        if (s.same && v === undefined && s.mode === 'fork') this.ppTaken.set(s.same.key, useA === s.same.truth);
        this.exec(useA ? s.a : s.b);
        this.checkpoint(s, 'J');
        return;
      }
      case 'try':
        this.execTry(s, seek);
        return;
    }
  }

  private execList(body: Stmt[], start: number, seek?: string): void {
    let i = start;
    let sk = seek;
    for (;;) {
      try {
        for (; i < body.length; i++) {
          const st = body[i]!;
          if (sk) {
            if (!(st.labels?.has(sk) || (st.t === 'label' && st.name === sk))) continue;
            const l = sk;
            sk = undefined;
            this.exec(st, l);
            continue;
          }
          this.exec(st);
        }
        return;
      } catch (e) {
        if (e instanceof GotoSig) {
          const idx = body.findIndex((st) => st.labels?.has(e.label) || (st.t === 'label' && st.name === e.label));
          if (idx >= 0) {
            if (idx <= i) this.backwardJump(e.label, body[idx]!);
            i = idx;
            sk = e.label;
            continue;
          }
        }
        throw e;
      }
    }
  }

  /** Per path: backward jumps to each label (a loop made of `goto`), and the decision count at the last one. */
  private jumps = new Map<string, { n: number; symbolic: number; pos: number }>();

  /** A backward `goto` is a loop iteration: bounded like one (unroll count when decisions happened since the last jump). */
  private backwardJump(label: string, target: Stmt): void {
    const key = `${this.frames.length}:${label}`;
    const j = this.jumps.get(key) ?? { n: 0, symbolic: 0, pos: -1 };
    j.n++;
    if (j.pos >= 0 && this.pos !== j.pos) j.symbolic++;
    j.pos = this.pos;
    this.jumps.set(key, j);
    if (j.symbolic > this.opts.loopBound || j.n > CONCRETE_LOOP_CAP) throw new EndSig('loop-bound');
    this.checkpoint(target, 'G');
  }

  private execLoop(s: Stmt & ({ t: 'while' } | { t: 'for' } | { t: 'do' }), seek?: string): void {
    const depth = this.loopStack.length;
    this.loopStack.push(0);
    try {
      this.execLoop0(s, seek, depth);
    } finally {
      this.loopStack.length = depth;
    }
  }

  private execLoop0(s: Stmt & ({ t: 'while' } | { t: 'for' } | { t: 'do' }), seek: string | undefined, depth: number): void {
    // Iterations entered on an unknown condition (a fork) are bounded by the unroll count;
    // iterations of a loop whose condition is known (`for (i = 0; i < 4; i++)`) by a larger cap.
    let iter = 0;
    let symbolic = 0;
    let first = true;
    if (s.t === 'for' && s.init && !seek) this.exec(s.init);
    for (;;) {
      this.loopStack[depth] = iter;
      if (!(first && seek)) this.checkpoint(s, 'L');
      const entering = first && seek !== undefined;
      let forked = false;
      if (!entering && !(s.t === 'do' && first)) {
        this.step(s.line, 'loop condition');
        if (s.t !== 'do' && s.c) {
          const before = this.pos;
          const cv = this.eval(s.c);
          if (!this.truth(cv, s.line, exprText(s.c))) return;
          // symbolic: decided by a fork, or by an unknown value (even one known to be nonzero)
          forked = this.pos !== before || cv.k === 'u';
        }
      }
      if (forked && ++symbolic > this.opts.loopBound) throw new EndSig('loop-bound');
      if (++iter > CONCRETE_LOOP_CAP) throw new EndSig('loop-bound');
      const sk = first ? seek : undefined;
      first = false;
      try {
        this.exec(s.body, sk);
      } catch (e) {
        if (e === BREAK) return;
        if (e !== CONTINUE) throw e;
      }
      if (s.t === 'for' && s.upd) {
        this.curLine = s.line;
        this.eval(s.upd);
      }
      if (s.t === 'do') {
        this.step(s.line, 'loop condition');
        const before = this.pos;
        const cv = this.eval(s.c);
        if (!this.truth(cv, s.line, exprText(s.c))) return;
        if ((this.pos !== before || cv.k === 'u') && ++symbolic > this.opts.loopBound) throw new EndSig('loop-bound');
      }
    }
  }

  private execSwitch(s: Stmt & { t: 'switch' }, seek?: string): void {
    let start = 0;
    let sk = seek;
    if (!seek) {
      this.step(s.line, 'switch');
      const v = this.eval(s.e);
      const text = exprText(s.e);
      const values = s.cases.map((c) => (c.value ? this.num(this.eval(c.value)) : undefined));
      const defIdx = s.cases.findIndex((c) => !c.value);
      let chosen = -1;
      const known = this.num(v);
      if (known !== undefined) {
        chosen = values.findIndex((x) => x === known);
        if (chosen < 0) chosen = defIdx;
      } else {
        // Each case in turn, then "none of them".
        for (let i = 0; i < s.cases.length && chosen < 0; i++) {
          const cv = values[i];
          if (cv === undefined) continue;
          if (this.equals(v, { k: 'i', v: cv }, s.cases[i]!.line, `${text} == ${fmtNum(cv)}`)) chosen = i;
        }
        if (chosen < 0) chosen = defIdx;
      }
      if (chosen < 0) return;
      start = s.cases[chosen]!.index;
      sk = undefined;
    }
    try {
      this.execList(s.body, start, sk);
    } catch (e) {
      if (e !== BREAK) throw e;
    }
    this.checkpoint(s, 'J');
  }

  private execTry(s: Stmt & { t: 'try' }, seek?: string): void {
    if (!seek) this.step(s.line, '__try');
    if (s.except) {
      const h: Handler = { id: ++this.handlerSeq, filter: s.except.filter, frame: this.frame };
      this.handlers.push(h);
      const depth = this.handlers.length;
      try {
        this.exec(s.body, seek);
      } catch (e) {
        this.handlers.length = depth - 1;
        if (e === LEAVE) return;
        if (e instanceof UnwindSig && e.target === h.id) {
          this.step(s.except.line, '__except handler');
          this.excStack.push(e.code);
          try {
            this.exec(s.except.body);
          } finally {
            this.excStack.pop();
          }
          return;
        }
        throw e;
      }
      this.handlers.length = depth - 1;
      return;
    }
    // __try/__finally
    const fin = s.fin;
    try {
      this.exec(s.body, seek);
    } catch (e) {
      if (e instanceof EndSig) throw e;
      if (e === LEAVE) {
        if (fin) this.runFinally(fin, false);
        return;
      }
      if (fin) this.runFinally(fin, true, e);
      throw e;
    }
    if (fin) this.runFinally(fin, false);
  }

  /** Transfers of control waiting for a __finally to finish (part of the state: they decide what follows). */
  pending: unknown[] = [];
  inFilter = 0;
  /** The process's locked-page count (user-range MDLs) and per-region lock counts. */
  processLockedPages = 0;
  pageLocks = new Map<number, number>();

  private countLock(m: MdlRec, delta: 1 | -1): void {
    const pages = m.pages ?? 1;
    if (m.mem === 'user' || m.mem === 'unknown') this.processLockedPages += delta * pages;
    if (m.region !== undefined) this.pageLocks.set(m.region, (this.pageLocks.get(m.region) ?? 0) + delta);
  }

  private runFinally(fin: Stmt, abnormal: boolean, sig?: unknown): void {
    this.step(fin.line, abnormal ? '__finally (abnormal termination)' : '__finally');
    this.abnormal.push(abnormal);
    this.pending.push(sig);
    try {
      this.exec(fin);
    } finally {
      this.abnormal.pop();
      this.pending.pop();
    }
  }

  private pendingText(val: (v: Val) => string): string {
    return this.pending
      .map((p) =>
        p === undefined
          ? '-'
          : p instanceof ReturnSig
            ? `R${p.line}:${p.v ? val(p.v) : ''}`
            : p instanceof GotoSig
              ? `G${p.label}`
              : p instanceof UnwindSig
                ? `W${p.target}:${val(p.code)}`
                : p === BREAK
                  ? 'B'
                  : p === CONTINUE
                    ? 'C'
                    : p === LEAVE
                      ? 'V'
                      : '?',
      )
      .join(',');
  }

  // --- SEH ------------------------------------------------------------------------------------

  /** Raise an exception: phase 1 evaluates the filters, innermost first; phase 2 unwinds. */
  raise(code: Val, line: number, column: number, ddi: string, unhandled?: { kind: FaultKind; ctx: FaultContext }): void {
    this.event(line, `${ddi} raises ${this.codeText(code)}`);
    for (let i = this.handlers.length - 1; i >= 0; i--) {
      const h = this.handlers[i]!;
      const saved = this.frames;
      // Evaluate the filter in the handler's frame.
      const idx = this.frames.indexOf(h.frame);
      this.frames = this.frames.slice(0, idx + 1);
      this.excStack.push(code);
      let disp: number;
      this.inFilter++;
      try {
        const fv = this.eval(h.filter);
        const n = this.num(fv);
        if (n === undefined) {
          // An unknown filter value (an external filter function): it takes the exception.
          disp = fv.k === 'u' && this.unks[fv.id]!.dom ? (this.truth(fv, line, 'filter') ? 1 : 0) : 1;
        } else disp = n;
      } finally {
        this.inFilter--;
        this.excStack.pop();
        this.frames = saved;
      }
      if (disp > 0) {
        this.event(line, `__except filter at line ${h.filter.t === 'call' ? h.filter.line : line} takes the exception`);
        throw new UnwindSig(h.id, code);
      }
      if (disp < 0) {
        // EXCEPTION_CONTINUE_EXECUTION: exceptions raised by the kernel's probes (RtlRaiseStatus) are
        // not continuable: dispatching raises STATUS_NONCONTINUABLE_EXCEPTION, which the same filter
        // cannot take either: the exception is never handled.
        this.event(line, `__except filter returns EXCEPTION_CONTINUE_EXECUTION for a noncontinuable exception`);
        this.unhandled(unhandled?.kind ?? (PROBE_DDIS.has(ddi) ? 'probe-unhandled-exception' : 'unhandled-exception'), line, column, { ...unhandled?.ctx, code: STATUS.NONCONTINUABLE_EXCEPTION, ddi });
      }
    }
    this.unhandled(unhandled?.kind ?? (PROBE_DDIS.has(ddi) ? 'probe-unhandled-exception' : 'unhandled-exception'), line, column, { ...unhandled?.ctx, code: this.sampleCode(code), ddi: unhandled?.ctx.ddi ?? ddi });
  }

  /** ExGetPreviousMode() (one value per path). */
  prevMode: Val | undefined;
  /** The preprocessor conditions this path has decided (by `same` key): the truth it took for each. */
  ppTaken = new Map<string, boolean>();

  /** Helper entries' escaping exceptions (not faults: they propagate to the callers, simulated too). */
  escapes: RawFault[] = [];

  /** No handler takes the exception: a fault, or, in a helper simulated as its own entry, an exception escaping to its callers. */
  private unhandled(kind: FaultKind, line: number, column: number, ctx: FaultContext): never {
    if (this.opts.helper) {
      this.escapes.push(this.makeFault(kind, line, column, ctx, true));
      this.event(line, `exception escapes ${this.frames[0]?.def.name ?? 'the function'} (a helper: its callers handle it or fault)`);
      throw new EndSig('exception');
    }
    this.fault(kind, line, column, ctx, true);
    throw new EndSig('fault');
  }

  private sampleCode(code: Val): number {
    const n = this.num(code);
    if (n !== undefined) return n;
    if (code.k === 'u') {
      const u = this.unks[code.id]!;
      return u.dom?.[0] ?? SAMPLE_CODES.find((c) => !u.ne?.includes(c)) ?? STATUS.UNSUCCESSFUL;
    }
    return STATUS.ACCESS_VIOLATION;
  }

  private codeText(code: Val): string {
    const n = this.num(code);
    if (n !== undefined) return fmtNum(n);
    if (code.k === 'u') {
      const d = this.unks[code.id]!.dom;
      if (d) return d.map(fmtNum).join(' or ');
      if (this.unks[code.id]!.err) return 'an exception (some error status)';
    }
    return 'an exception';
  }

  // --- calls ---------------------------------------------------------------------------------

  private evalCall(e: Expr & { t: 'call' }): Val {
    let name = e.fn;
    if (name && name.startsWith('.')) {
      // obj->Method(...): evaluate the receiver, then the method if the file defines it.
      if (e.callee.t === 'field') this.eval(e.callee.obj);
      name = name.slice(1);
      const def = this.resolveMethod(name);
      if (def && this.frames.length <= this.opts.callDepth) return this.callInternal(def, e);
      return this.externalCall(name, e.args, e.line);
    }
    if (name) {
      // The IRQL contract of a DDI (not of a function of the file that happens to share its name): checked
      // here, at the IRQL of the call, unless a specialised check of the kernel model covers it, or it
      // depends on the arguments (then where they are evaluated).
      const contract = this.fns.has(name) ? undefined : irqlContractOf(name);
      if (contract && !contract.special && !contract.cond) this.checkContract(name, contract, e);
      const handled = this.kernelCall(name, e);
      if (handled !== undefined) return handled;
      if (contract?.cond) return this.contractCall(name, contract, e);
      const def = this.fns.get(name) ?? (name.includes('::') ? this.namespaceFunction(name) : this.resolveMethod(name));
      if (def && this.frames.length <= this.opts.callDepth) return this.callInternal(def, e);
      const mac = !def && !contract ? this.scope.macros.get(name) : undefined;
      if (mac) return this.expandMacro(name, mac, e);
      const declared = !def && !contract && !name.includes('::') ? this.opts.declaredIrql?.(name) : undefined;
      if (declared) return this.declaredCall(name, declared, e);
    } else if (e.callee.t !== 'id') {
      this.eval(e.callee);
    }
    return this.externalCall(name ?? exprText(e.callee), e.args, e.line);
  }

  /**
   * A use of one of the program's function-like macros whose body is an expression without effects: the body,
   * evaluated where the macro is written, each parameter standing for the value of its argument (the
   * arguments have no effects of their own to repeat when the body names a parameter twice; a use whose
   * arguments do is code of unknown effect, as before).
   */
  private expandMacro(name: string, mac: ValueMacro, e: Expr & { t: 'call' }): Val {
    const body = mac.body();
    if (!body || e.args.some(exprHasEffects)) return this.externalCall(name, e.args, e.line);
    if (this.trace) this.event(e.line, `expand ${name}(${mac.params.join(', ')}) ${mac.text}`);
    // the arguments written in place of the parameters, as the preprocessor does (they have no effects to repeat)
    const args = new Map<string, Expr>();
    mac.params.forEach((p, k) => args.set(p, e.args[k] ?? { t: 'num', v: 0 }));
    return this.eval(substituteIds(body, args));
  }

  /** A call of a function the program only declares, with IRQL annotations: checked and applied as they say. */
  private declaredCall(name: string, d: DeclaredIrql, e: Expr & { t: 'call' }): Val {
    const line = e.line;
    if (d.min !== undefined || d.max !== undefined) {
      this.checkContract(name, { max: d.max ?? 31, ...(d.min !== undefined ? { min: d.min } : {}), cls: 'generic', pageable: false, src: `its declaration (${d.text})` }, e);
    }
    const vals = e.args.map((a) => this.eval(a));
    const old = this.irql;
    if (d.restores !== undefined) {
      const n = this.num(vals[d.restores] ?? { k: 'x' });
      if (e.args[d.restores] && isLevelConstant(e.args[d.restores]!)) this.setIrql(n!, line, name);
      else this.restoreIrql(n ?? this.entryIrql, line, name);
    }
    if (d.raises !== undefined) this.setIrql(d.raises, line, `${name} (${d.text})`);
    if (typeof d.saves === 'number' && vals[d.saves]) this.writeThrough(vals[d.saves]!, { k: 'i', v: old }, line);
    for (const [k, v] of vals.entries()) if (k !== d.saves) this.escape(v, line);
    if (this.trace) this.event(line, `call ${name} (declared only: ${d.text})`);
    return d.saves === 'return' ? { k: 'i', v: old } : this.newUnk(`${name}()`);
  }

  /**
   * `Memory::Lookup(...)` of a function defined inside `namespace Memory { ... }` (whose name is `Lookup`): the
   * program's one definition of that name that is no class's method, if there is one.
   */
  private namespaceFunction(name: string): FnDef | undefined {
    const d = this.fns.get(name.slice(name.lastIndexOf('::') + 2));
    return d && namesNamespaceFunction(name, d) ? d : undefined;
  }

  private methodCache = new Map<string, FnDef | undefined>();
  private resolveMethod(name: string): FnDef | undefined {
    // Calls resolve from the current function's file (a program of several files).
    const key = `${this.frames.length ? (this.frame.def.file ?? '') : ''}\0${name}`;
    if (this.methodCache.has(key)) return this.methodCache.get(key);
    let found: FnDef | undefined = this.fns.get(name);
    if (!found) {
      const cands = [...this.fns.values()].filter((d) => d.name.endsWith('::' + name));
      if (cands.length === 1) found = cands[0];
    }
    this.methodCache.set(key, found);
    return found;
  }

  private externalCall(name: string, argExprs: Expr[], line: number): Val {
    for (const a of argExprs) {
      const v = this.eval(a);
      this.escape(v, line);
    }
    if (this.trace) this.event(line, `call ${name} (not modelled: result unknown, pointer arguments kept by external code)`);
    return this.newUnk(`${name}()`);
  }

  /**
   * A value handed to external code: the objects it reaches are kept alive elsewhere, and the MDLs
   * among them may be locked or unlocked there: their state becomes unknown to checks (concretized
   * lazily, like a caller's MDL).
   */
  private escape(v: Val, line: number): void {
    let start: number | undefined;
    if (v.k === 'p') {
      if (v.f !== undefined) {
        // &slot: external code may read and overwrite it.
        const host = this.objs[v.o]!;
        const cur = host.fields.get(v.f);
        if (cur) this.escape(cur, line);
        if (host.kind === 'frame' || host.kind === 'local') {
          host.fields.set(v.f, this.newUnk(`*&${v.f} (written by external code)`));
          return;
        }
        start = host.id;
      } else start = v.o;
    } else if (v.k === 'u') start = this.unks[v.id]!.obj;
    if (start === undefined) return;
    const stack = [start];
    const seen = new Set<number>();
    while (stack.length) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      this.escaped.add(id);
      const o = this.objs[id]!;
      if (o.mdl && o.mdl.st !== 'X') {
        o.mdl.st = '?';
        o.mdl.caller = true;
        o.mdl.lockedHere = false;
        o.mdl.readOnly = undefined;
        o.mdl.external = true;
        if (this.trace) this.event(line, `${o.label} handed to external code: its state is unknown from here`);
      }
      for (const fv of o.fields.values()) {
        if (fv.k === 'p') stack.push(fv.o);
        else if (fv.k === 'u' && this.unks[fv.id]!.obj !== undefined) stack.push(this.unks[fv.id]!.obj!);
      }
    }
  }

  private callInternal(def: FnDef, e: Expr & { t: 'call' }): Val {
    let refs: Set<string> | undefined;
    const args = e.args.map((a, i) => {
      const p = def.params[i];
      if (p?.ref && p.name) {
        (refs ??= new Set()).add(p.name);
        const { o, f } = this.lval(a);
        return { k: 'p', o: o.id, f } as Val;
      }
      return this.eval(a);
    });
    // C++: a parameter the call leaves out takes its default (the definition's, else a declaration's), evaluated here
    if (args.length < def.params.length) {
      const declared = this.scope.defaults.get(`${def.name.split('::').pop()}/${def.params.length}`);
      for (let i = args.length; i < def.params.length; i++) {
        const d = def.params[i]!.dflt ?? declared?.[i];
        if (!d) break;
        args.push(this.eval(d));
      }
    }
    const vars = this.newObj('frame', false, def.name);
    def.params.forEach((p, i) => {
      if (p.name) vars.fields.set(p.name, args[i] ?? this.newUnk(p.name));
    });
    const entryCallLine = this.frames.length === 1 ? e.line : this.frames[this.frames.length - 1]!.entryCallLine;
    const callerStack = this.stackAt(e.line);
    const entrySeq = ++this.seq;
    // Without telling the entry levels apart: the callee may be called at any of them.
    this.opts.onCall?.(
      def.name,
      this.atEntryLevel && this.entryCands ? [...this.entryCands] : [this.irqlNow],
      !!this.opts.inDpc,
      this.atEntryLevel && !!this.opts.entryUnknown,
      def.params.map((_, i) => (args[i]?.k === 'p' ? 'address' : args[i] ? this.num(args[i]!) : undefined)),
    );
    this.frames.push({ def, vars, entryCallLine, refs, callSite: `${e.line}:${e.col}`, entrySeq });
    const hdepth = this.handlers.length;
    if (this.trace) this.event(e.line, `call ${def.name}`);
    let ret: Val | undefined;
    let retLine = def.endLine;
    try {
      this.pageableEntry(def);
      this.exec(def.body);
    } catch (x) {
      if (!(x instanceof ReturnSig)) {
        this.frames.pop();
        this.handlers.length = Math.min(this.handlers.length, hdepth);
        throw x;
      }
      ret = x.v;
      retLine = x.line;
    }
    this.frames.pop();
    this.handlers.length = Math.min(this.handlers.length, hdepth);
    // Pages the callee locked and nobody can reach any more leaked at the callee's exit.
    this.leakCheck(retLine, ret, { fn: def.name, file: def.file, entryLine: entryCallLine ?? e.line, stack: [{ fn: def.name, line: retLine, file: def.file }, ...callerStack] }, false, entrySeq);
    return ret ?? this.newUnk(`${def.name}()`);
  }

  /**
   * Entering a function placed in a pageable code section (`FnDef.pageSection`) at IRQL >= DISPATCH_LEVEL: its
   * code may be paged out (0xD1). A body with PAGED_CODE() faults there instead (`irql-api-too-high`). At the
   * line of the function's name in its definition; at an unknown entry IRQL only if certain at every level.
   */
  private pageableEntry(def: FnDef): void {
    if (def.pageSection === undefined || def.pagedCode || def.sectionLocked) return;
    if (this.irqlFault((l) => l >= D)) this.fault('pageable-code-at-dispatch', def.nameLine, def.nameCol, { function: def.name, section: def.pageSection });
  }

  // --- the kernel model ----------------------------------------------------------------------

  private arg(e: Expr & { t: 'call' }, i: number): Val {
    const a = e.args[i];
    return a ? this.eval(a) : this.newUnk(`argument ${i + 1}`);
  }

  /** The MDL object an argument designates (NULL → fault). */
  private mdlArg(v: Val, line: number, col: number, ddi: string): Obj {
    const o = this.objOf(v, line, ddi, false);
    if (!o) {
      this.fault('null-deref', line, col, { mdl: 'NULL MDL', ddi, nullSource: 'NULL MDL' });
      throw new EndSig('fault');
    }
    if (!o.mdl) {
      if (o.ext || o.kind === 'irp' || o.kind === 'stackloc' || o.kind === 'devobj') {
        o.kind = 'mdl';
        o.mdl = { st: '?', origin: 'caller', line, mem: o.mem ?? 'unknown', lockedHere: false, caller: true };
      } else {
        o.kind = 'mdl';
        o.mdl = { st: 'F', origin: 'local structure', line, mem: 'unknown', lockedHere: false };
      }
    }
    return o;
  }

  private memOf(v: Val): MemKind {
    if (v.k === 'p') {
      const o = this.objs[v.o]!;
      if (v.f !== undefined && (o.kind === 'frame' || o.kind === 'local')) return 'stack';
      if (o.kind === 'local' || o.kind === 'frame') return 'stack';
      return o.mem ?? 'unknown';
    }
    if (v.k === 'u') {
      const u = this.unks[v.id]!;
      if (u.obj !== undefined) return this.objs[u.obj]!.mem ?? 'unknown';
      return u.hint === 'user' ? 'user' : u.hint === 'nonpaged' ? 'nonpaged' : 'unknown';
    }
    return 'unknown';
  }

  private newMdl(label: string, origin: string, line: number, mem: MemKind, st: MdlState): Obj {
    const o = this.newObj('mdl', false, label, mem);
    o.mdl = { st, origin, line, mem, lockedHere: false };
    o.fields.set('Next', { k: 'i', v: 0 });
    return o;
  }

  /** Region and page count of the buffer an MDL describes. */
  private describe(m: MdlRec, va: Val, len: Val): void {
    const n = this.num(len);
    m.pages = n !== undefined && n > 0 ? Math.ceil(n / 4096) : 1;
    if (va.k === 'p') m.region = va.o;
    else if (va.k === 'u' && this.unks[va.id]!.obj !== undefined) m.region = this.unks[va.id]!.obj;
  }

  private mdlLabelSeq = 0;
  private mdlLabel(e: Expr & { t: 'call' }, ddi: string): string {
    return `mdl#${++this.mdlLabelSeq}(${ddi}@${e.line})`;
  }

  private touchMdl(o: Obj, ddi: string, line: number, col: number, expect: 'locked' | 'unlocked'): void {
    const m = o.mdl!;
    if (m.assumed && (expect === 'locked' ? m.st === 'F' : m.st === 'L' || m.st === 'LM' || (m.st === 'NP' && m.assumedFor === 'nonpaged'))) {
      // The state an earlier operation assumed is not the one this operation needs: the other assumption
      // was as good (the caller's or the external code's MDL may be either), so no fault is claimed.
      if (m.st === 'L' || m.st === 'LM') this.countLock(m, -1);
      m.st = '?';
    }
    if (m.st !== '?') m.assumedFor = undefined;
    else {
      m.st = expect === 'locked' ? 'L' : 'F';
      m.assumedFor = expect;
      if (!m.ioMgr) m.assumed = true;
      if (m.st === 'L') this.countLock(m, +1); // the caller's lock is in the process's count
      if (this.trace) this.event(line, `${o.label} (from the caller) assumed ${expect} by ${ddi}`);
    }
    if (m.st === 'X' && ddi !== 'IoFreeMdl') this.fault('use-after-free', line, col, { mdl: o.label, ddi });
  }

  /**
   * AccessMode and Operation of a probe, as written: a value outside the enum, a BOOLEAN, or a constant
   * of the other enum (the swapped-arguments bug: legal numbers, wrong meaning).
   */
  private checkProbeArgs(e: Expr & { t: 'call' }, ddi: string, modeIdx: number, mode: number | undefined, op: number | undefined, label: string): void {
    // The type an argument was written with: an enum constant's name, a BOOLEAN literal, a parameter's
    // declared type, or a KPROCESSOR_MODE-valued expression (Irp->RequestorMode, ExGetPreviousMode()).
    const written = (i: number): string | undefined => {
      const a = e.args[i];
      if (!a) return undefined;
      if (a.t === 'num' && a.text) return /^(true|TRUE)$/.test(a.text) ? 'TRUE' : 'FALSE';
      if (a.t === 'id') {
        const p = this.frame.def.params.find((q) => q.name === a.name);
        if (p && p.pointerDepth === 0) {
          const t = p.type.replace(/\b(const|volatile|enum)\b/g, '').trim();
          if (t === 'KPROCESSOR_MODE' || t === 'MODE') return 'UserMode';
          if (t === 'LOCK_OPERATION') return 'IoReadAccess';
        }
        return a.name;
      }
      if (a.t === 'field' && a.name === 'RequestorMode') return 'UserMode';
      if (a.t === 'call' && (a.fn === 'ExGetPreviousMode' || a.fn === 'KeGetPreviousMode')) return 'UserMode';
      return undefined;
    };
    const modeText = e.args[modeIdx] ? exprText(e.args[modeIdx]!) : '?';
    const opText = e.args[modeIdx + 1] ? exprText(e.args[modeIdx + 1]!) : '?';
    const modeName = written(modeIdx);
    const opName = written(modeIdx + 1);
    const LOCK_OPS = new Set(['IoReadAccess', 'IoWriteAccess', 'IoModifyAccess']);
    const MODES = new Set(['KernelMode', 'UserMode']);
    const BOOLS = new Set(['TRUE', 'FALSE', 'true', 'false']);
    const modeMeaning = (v: number | undefined) => (v === undefined ? 'an unknown mode' : v === 0 ? 'KernelMode (no user-range check: any address is accepted)' : 'UserMode (a kernel-space buffer always fails the probe)');
    const opMeaning = (v: number | undefined) => (v === undefined ? 'an unknown operation' : v === 0 ? 'IoReadAccess (the pages are probed for read only)' : 'a write access (any value other than IoReadAccess probes for write)');
    if ((modeName && (LOCK_OPS.has(modeName) || BOOLS.has(modeName))) || (mode !== undefined && mode !== 0 && mode !== 1)) {
      this.fault('probe-invalid-argument', e.line, e.col, {
        mdl: label,
        ddi,
        argument: 'AccessMode (a KPROCESSOR_MODE)',
        written: modeText,
        note: `the kernel reads ${modeText}${mode !== undefined ? ` (${mode})` : ''} as ${modeMeaning(mode)}`,
      });
    }
    if ((opName && (MODES.has(opName) || BOOLS.has(opName))) || (op !== undefined && (op < 0 || op > 2))) {
      this.fault('probe-invalid-argument', e.line, e.col, {
        mdl: label,
        ddi,
        argument: 'Operation (a LOCK_OPERATION)',
        written: opText,
        note: `the kernel reads ${opText}${op !== undefined ? ` (${op})` : ''} as ${opMeaning(op)}`,
      });
    }
  }

  /** The path established that the request comes from kernel mode (Irp->RequestorMode / ExGetPreviousMode() == KernelMode). */
  private trustedKernelCaller(): boolean {
    for (const o of this.objs) {
      if (o.kind !== 'irp') continue;
      const rm = o.fields.get('RequestorMode');
      if (rm && this.num(rm) === 0) return true;
    }
    return !!this.prevMode && this.num(this.prevMode) === 0;
  }

  /**
   * `host.field` starts a chain of MDLs (linked by Next) that an operation drops (IoFreeMdl of the head,
   * IoFreeIrp): the locked members lose their owner. Whether that leaks is decided when they become
   * unreachable with their pages still locked (then this operation is the fault, once for the chain).
   */
  private markChainLost(host: Obj, field: string, kind: FaultKind, line: number, col: number, what: string): void {
    let cur = host.fields.get(field);
    const stack = this.stackAt(line);
    for (let g = 0; g < 16 && cur; g++) {
      const o = this.pointee(cur);
      if (!o || !o.mdl || o === host) break;
      const m = o.mdl;
      if ((m.st === 'L' || m.st === 'LM') && m.lockedHere && !m.leakReported) {
        m.lostBy = { kind, line, column: col, stack, ctx: { mdl: o.label, ddi: kind === 'free-chain-head' ? 'IoFreeMdl' : 'IoFreeIrp' } };
        if (this.trace) this.event(line, `${o.label} (on ${what}) stays locked unless unlocked elsewhere`);
      }
      cur = o.fields.get('Next');
    }
  }

  /**
   * The IRQL contract of a DDI (irql-model.ts) at a call: above the maximum (narrowed by an argument
   * when the contract has a condition and `vals` are given) is `irql-api-too-high`, below the minimum
   * `irql-api-too-low`. Conditions are evaluated only when the IRQL makes them matter.
   */
  private checkContract(name: string, c: IrqlContract, e: Expr & { t: 'call' }, vals?: Val[]): void {
    const line = e.line;
    const col = e.col;
    let max = c.max;
    const extra: FaultContext = {};
    const cond = c.cond;
    if (cond && vals && this.irqlIs((l) => l > cond.narrow && l <= c.max)) {
      const r = this.irqlCondition(cond, name, e, vals);
      if (r.timeout) extra.timeout = r.timeout;
      if (r.holds) {
        max = cond.narrow;
        extra.condition = r.text;
      }
    }
    if (this.irqlFault((l) => l > max)) {
      const irql = this.irql;
      const dvRule = irql > D && c.dvAboveDispatch !== undefined ? c.dvAboveDispatch : c.dv;
      this.fault('irql-api-too-high', line, col, {
        ddi: name,
        irql,
        maxIrql: max,
        irqlClass: c.cls,
        pageable: c.pageable,
        dvRule,
        dvRuleName: dvRule === c.dv ? c.dvRule : undefined,
        inDpc: this.opts.inDpc,
        ...extra,
      });
    } else if (c.min !== undefined && this.irqlFault((l) => l < c.min!)) {
      const irql = this.irql;
      this.fault('irql-api-too-low', line, col, { ddi: name, irql, minIrql: c.min, dvRule: c.dv, dvRuleName: c.dvRule });
    }
  }

  /** Whether the argument-dependent condition of a contract holds (it narrows the maximum). */
  private irqlCondition(cond: IrqlCondition, name: string, e: Expr & { t: 'call' }, vals: Val[]): { holds: boolean; text: string; timeout?: FaultContext['timeout'] } {
    const v = vals[cond.arg] ?? this.newUnk(`argument ${cond.arg + 1}`);
    const text = e.args[cond.arg] ? exprText(e.args[cond.arg]!) : `argument ${cond.arg + 1}`;
    switch (cond.t) {
      case 'wait-true':
        return { holds: this.truth(v, e.line, `${text} (Wait)`), text: 'Wait TRUE' };
      case 'user-mode':
        // The kernel reads any AccessMode other than KernelMode (0) as UserMode.
        return { holds: !this.equals(v, { k: 'i', v: 0 }, e.line, `${text} == KernelMode`), text: 'AccessMode UserMode' };
      case 'nonzero-timeout': {
        const t = this.timeoutOf(v, e.line, text, name);
        return { holds: t !== 'zero', text: t === 'NULL' ? 'Timeout NULL: an unbounded wait' : 'a nonzero Timeout', timeout: t };
      }
    }
  }

  /** A KeWait* timeout argument: NULL, a LARGE_INTEGER holding 0, or a nonzero interval (forks on unknowns). */
  private timeoutOf(v: Val, line: number, text: string, ddi: string): 'NULL' | 'zero' | 'nonzero' {
    if (this.isNull(v)) return 'NULL';
    if (v.k === 'x' || (v.k === 'u' && this.unks[v.id]!.obj === undefined)) {
      if (!this.truth(v.k === 'x' ? this.newUnk(text) : v, line, `${text} != NULL`)) return 'NULL';
      if (v.k === 'x') return 'nonzero';
    }
    if (v.k === 'p' && v.f !== undefined) {
      // A pointer to a scalar (WdfWaitLockAcquire's PLONGLONG: `LONGLONG t = 0; ...(&t)`) holding a known value.
      const cur = this.objs[v.o]!.fields.get(v.f);
      if (cur?.k === 'i') return cur.v === 0 ? 'zero' : 'nonzero';
    }
    const o = this.objOf(v, line, ddi, false);
    if (!o) return 'NULL';
    let q: Val | undefined = o.fields.get('QuadPart') ?? o.fields.get('*');
    if (!q || q.k === 'x') {
      const lo = o.fields.get('LowPart');
      const hi = o.fields.get('HighPart');
      const nl = lo ? this.num(lo) : undefined;
      const nh = hi ? this.num(hi) : undefined;
      if (nl !== undefined && nh !== undefined) q = { k: 'i', v: nl !== 0 || nh !== 0 ? 1 : 0 };
    }
    if (!q || q.k === 'x') q = o.zeroed ? { k: 'i', v: 0 } : this.readField(o, 'QuadPart', line);
    return this.equals(q, { k: 'i', v: 0 }, line, `${text}->QuadPart == 0`) ? 'zero' : 'nonzero';
  }

  /** A DDI the kernel model does not otherwise simulate, whose IRQL contract reads its arguments (KeWait*, KeSetEvent...). */
  private contractCall(name: string, c: IrqlContract, e: Expr & { t: 'call' }): Val {
    // All arguments are evaluated before the call (C), then checked, then handed to external code.
    const vals = e.args.map((a) => this.eval(a));
    this.checkContract(name, c, e, vals);
    for (const v of vals) this.escape(v, e.line);
    if (this.trace) this.event(e.line, `call ${name} (IRQL contract checked; result unknown, pointer arguments kept by external code)`);
    return this.newUnk(`${name}()`);
  }

  /**
   * A lower or release that restores a saved IRQL: back at the entry level of a function whose entry is
   * not known, the IRQL is the entry's again (not the PASSIVE_LEVEL assumed for simulating it), so an
   * IRQL-contract fault there must again hold at every level the entry may be.
   */
  private restoreIrql(n: number, line: number, why: string): void {
    if (this.opts.entryUnknown && n === this.entryLevel && !this.entryCands) {
      this.irqlNow = n;
      this.atEntryLevel = true;
      if (this.trace) this.event(line, `IRQL back to the entry's (${why})`);
      return;
    }
    this.setIrql(n, line, why);
  }

  private setIrql(n: number, line: number, why: string): void {
    this.irqlNow = n;
    this.atEntryLevel = false;
    if (this.trace) this.event(line, `IRQL ${n} (${why})`);
  }

  /**
   * The ownership side of a release of lock `key`: held by this run (acquired on the path) → it becomes free;
   * known free (the run released it and did not re-acquire it) → `spinlock-not-held`; unknown (neither
   * acquired nor released on this path) → assumed held by a caller at entry: no fault, and free from here.
   */
  private releaseLock(key: string, line: number, col: number, ddi: string): 'held' | 'free' | 'unknown' {
    const state = this.spinLocks.has(key) || this.dpcLocks.has(key) ? 'held' : this.freeLocks.has(key) ? 'free' : 'unknown';
    if (state === 'free') this.fault('spinlock-not-held', line, col, { ddi });
    else if (state === 'unknown' && this.trace) this.event(line, `${ddi} of a lock this path never acquired: assumed held by a caller`);
    this.freeLocks.add(key);
    return state;
  }

  private lockKey(v: Val): string {
    if (v.k === 'p') return `${v.o}.${v.f ?? ''}`;
    if (v.k === 'u') {
      const u = this.unks[v.id]!;
      if (u.obj !== undefined) return `${u.obj}.`;
      return `u${v.id}`;
    }
    return this.valKey(v);
  }

  private writeThrough(p: Val, v: Val, line: number): void {
    if (p.k === 'p' && p.f !== undefined) {
      this.writeField(this.objs[p.o]!, p.f, v);
      return;
    }
    const o = this.objOf(p, line, 'output parameter', false);
    if (o) this.writeField(o, '*', v);
  }

  /** The routines the kernel model covers, each with its model (the `model…` methods below). */
  private static readonly kernelModels: ReadonlyMap<string, KernelModel> = new Map(
    (
      [
        [['NT_SUCCESS', 'NT_ERROR', 'NT_WARNING', 'NT_INFORMATION'], Run.prototype.modelStatusTest],
        [['ARGUMENT_PRESENT'], Run.prototype.modelArgumentPresent],
        [['FlagOn', 'BooleanFlagOn'], Run.prototype.modelFlagOn],
        [['SetFlag', 'ClearFlag'], Run.prototype.modelSetFlag],
        [['FsRtlIsNtstatusExpected'], Run.prototype.modelFsRtlIsNtstatusExpected],
        [['MmGetMdlByteCount', 'MmGetMdlByteOffset', 'MmGetMdlVirtualAddress', 'MmGetMdlBaseVa', 'MmGetMdlPfnArray', 'MmGetMdlStartVa'], Run.prototype.modelMdlAccessor],
        [['MmProtectMdlSystemAddress'], Run.prototype.modelMmProtectMdlSystemAddress],
        [['MmSizeOfMdl', 'ADDRESS_AND_SIZE_TO_SPAN_PAGES', 'BYTES_TO_PAGES', 'ROUND_TO_PAGES', 'BYTE_OFFSET', 'PAGE_ALIGN', 'min', 'max', 'RTL_NUMBER_OF', 'ARRAYSIZE', 'FIELD_OFFSET', 'InterlockedIncrement', 'InterlockedDecrement', 'InterlockedExchange', 'InterlockedCompareExchange', 'InterlockedExchangeAdd', 'InterlockedOr', 'InterlockedAnd'], Run.prototype.modelValueMacro],
        [['CTL_CODE'], Run.prototype.modelCTL_CODE],
        [['METHOD_FROM_CTL_CODE', 'DEVICE_TYPE_FROM_CTL_CODE', 'IoGetFunctionCodeFromCtlCode'], Run.prototype.modelCtlCodeField],
        [['likely', 'unlikely', '__builtin_expect'], Run.prototype.modelBranchHint],
        [['GetExceptionCode', '_exception_code', 'exception_code'], Run.prototype.modelGetExceptionCode],
        [['GetExceptionInformation', '_exception_info'], Run.prototype.modelGetExceptionInformation],
        [['AbnormalTermination', '_abnormal_termination'], Run.prototype.modelAbnormalTermination],
        [['UNREFERENCED_PARAMETER', 'PAGED_CODE', 'ASSERT', 'NT_ASSERT', 'NT_VERIFY', 'ASSERT3P', 'ASSERT3U', 'ASSERT3S', 'DBG_UNREFERENCED_LOCAL_VARIABLE', 'KdPrint', 'KdPrintEx', 'DbgPrint', 'DbgPrintEx', 'TraceEvents', 'KeEnterCriticalRegion', 'KeLeaveCriticalRegion', 'IoMarkIrpPending', 'IoSkipCurrentIrpStackLocation', 'IoCopyCurrentIrpStackLocationToNext', 'KeInitializeSpinLock', 'KeInitializeEvent', 'ExInitializeFastMutex', 'KeFlushIoBuffers'], Run.prototype.modelNoEffect],
        [['RtlCopyMemory', 'RtlMoveMemory', 'RtlCopyBytes', 'memcpy', 'memmove', 'RtlZeroMemory', 'RtlSecureZeroMemory', 'RtlFillMemory', 'memset', 'RtlCompareMemory', 'RtlEqualMemory', 'memcmp'], Run.prototype.modelMemoryRoutine],
        [['ExGetPreviousMode'], Run.prototype.modelExGetPreviousMode],
        [['IoGetCurrentIrpStackLocation', 'IoGetNextIrpStackLocation'], Run.prototype.modelIoGetCurrentIrpStackLocation],
        [['KeGetCurrentIrql'], Run.prototype.modelKeGetCurrentIrql],
        [['IoAllocateMdl'], Run.prototype.modelIoAllocateMdl],
        [['MmCreateMdl'], Run.prototype.modelMmCreateMdl],
        [['MmInitializeMdl'], Run.prototype.modelMmInitializeMdl],
        [['IoFreeMdl'], Run.prototype.modelIoFreeMdl],
        [['IoAllocateIrp', 'IoBuildDeviceIoControlRequest', 'IoBuildAsynchronousFsdRequest', 'IoBuildSynchronousFsdRequest'], Run.prototype.modelIrpAllocation],
        [['IoFreeIrp'], Run.prototype.modelIoFreeIrp],
        [['MmProbeAndLockPages', 'MmProbeAndLockProcessPages', 'MmProbeAndLockSelectedPages'], Run.prototype.modelMmProbeAndLockPages],
        [['MmUnlockPages'], Run.prototype.modelMmUnlockPages],
        [['MmBuildMdlForNonPagedPool'], Run.prototype.modelMmBuildMdlForNonPagedPool],
        [['IoBuildPartialMdl'], Run.prototype.modelIoBuildPartialMdl],
        [['MmPrepareMdlForReuse'], Run.prototype.modelMmPrepareMdlForReuse],
        [['MmGetSystemAddressForMdlSafe', 'MmGetSystemAddressForMdl', 'MmMapLockedPagesSpecifyCache', 'MmMapLockedPages'], Run.prototype.modelMmGetSystemAddressForMdlSafe],
        [['MmUnmapLockedPages'], Run.prototype.modelMmUnmapLockedPages],
        [['MmAllocatePagesForMdl', 'MmAllocatePagesForMdlEx'], Run.prototype.modelMmAllocatePagesForMdl],
        [['MmFreePagesFromMdl'], Run.prototype.modelMmFreePagesFromMdl],
        [['ExAllocatePool', 'ExAllocatePoolWithTag', 'ExAllocatePoolWithTagPriority', 'ExAllocatePoolZero', 'ExAllocatePoolWithQuotaTag', 'ExAllocatePool2', 'ExAllocatePool3', 'ExAllocatePoolUninitialized'], Run.prototype.modelPoolAllocation],
        [['ExFreePool', 'ExFreePoolWithTag', 'ExFreeToNPagedLookasideList'], Run.prototype.modelPoolFree],
        [['IoCompleteRequest', 'IofCompleteRequest'], Run.prototype.modelIoCompleteRequest],
        [['IoCallDriver', 'IofCallDriver', 'PoCallDriver'], Run.prototype.modelIoCallDriver],
        [['KeRaiseIrql'], Run.prototype.modelKeRaiseIrql],
        [['KfRaiseIrql', 'KeRaiseIrqlToDpcLevel', 'KeRaiseIrqlToSynchLevel'], Run.prototype.modelKfRaiseIrql],
        [['KeLowerIrql', 'KfLowerIrql'], Run.prototype.modelKeLowerIrql],
        [['KeAcquireSpinLock', 'KeAcquireSpinLockRaiseToDpc', 'KeAcquireSpinLockForDpc'], Run.prototype.modelKeAcquireSpinLock],
        [['KeReleaseSpinLock', 'KeReleaseSpinLockForDpc'], Run.prototype.modelKeReleaseSpinLock],
        [['KeAcquireSpinLockAtDpcLevel', 'KeTryToAcquireSpinLockAtDpcLevel'], Run.prototype.modelKeAcquireSpinLockAtDpcLevel],
        [['KeReleaseSpinLockFromDpcLevel'], Run.prototype.modelKeReleaseSpinLockFromDpcLevel],
        [['KeAcquireInStackQueuedSpinLock', 'KeAcquireInStackQueuedSpinLockAtDpcLevel'], Run.prototype.modelKeAcquireInStackQueuedSpinLock],
        [['KeReleaseInStackQueuedSpinLock', 'KeReleaseInStackQueuedSpinLockFromDpcLevel'], Run.prototype.modelKeReleaseInStackQueuedSpinLock],
        [['IoAcquireCancelSpinLock'], Run.prototype.modelIoAcquireCancelSpinLock],
        [['ExAcquireSpinLockExclusive', 'ExAcquireSpinLockShared', 'KeAcquireInterruptSpinLock'], Run.prototype.modelIrqlSavingAcquire],
        [['IoReleaseCancelSpinLock', 'ExReleaseSpinLockExclusive', 'ExReleaseSpinLockShared', 'KeReleaseInterruptSpinLock'], Run.prototype.modelIrqlRestoringRelease],
        [['WdfSpinLockAcquire'], Run.prototype.modelWdfSpinLockAcquire],
        [['WdfSpinLockRelease'], Run.prototype.modelWdfSpinLockRelease],
        [['WdfInterruptAcquireLock'], Run.prototype.modelWdfInterruptAcquireLock],
        [['WdfInterruptReleaseLock'], Run.prototype.modelWdfInterruptReleaseLock],
        [['ExAcquireFastMutex'], Run.prototype.modelExAcquireFastMutex],
        [['ExTryToAcquireFastMutex'], Run.prototype.modelExTryToAcquireFastMutex],
        [['ExReleaseFastMutex'], Run.prototype.modelExReleaseFastMutex],
        [['ExRaiseStatus', 'RtlRaiseStatus'], Run.prototype.modelExRaiseStatus],
        [['ExRaiseAccessViolation'], Run.prototype.modelExRaiseAccessViolation],
        [['ProbeForRead', 'ProbeForWrite'], Run.prototype.modelProbeForRead],
      ] as [string[], KernelModel][]
    ).flatMap(([names, model]) => names.map((n): [string, KernelModel] => [n, model])),
  );

  /** A call of a routine the kernel model covers (undefined for any other routine). */
  private kernelCall(name: string, e: CallExpr): Val | undefined {
    return Run.kernelModels.get(name)?.call(this, name, e);
  }

  // --- status macros ---

  /** The model of `NT_SUCCESS`, `NT_ERROR`, `NT_WARNING`, `NT_INFORMATION`. */
  private modelStatusTest(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const v = this.arg(e, 0);
    const test =
      name === 'NT_SUCCESS'
        ? (x: number) => (x | 0) >= 0
        : name === 'NT_ERROR'
          ? (x: number) => x >>> 30 === 3
          : name === 'NT_WARNING'
            ? (x: number) => x >>> 30 === 2
            : (x: number) => x >>> 30 === 1;
    const n = this.num(v);
    if (n !== undefined) return { k: 'i', v: test(n) ? 1 : 0 };
    if (v.k === 'u') {
      const text = `${name}(${exprText(e.args[0]!)})`;
      const range: Range = name === 'NT_SUCCESS' ? [0, BIG] : name === 'NT_ERROR' ? [-0x40000000, -1] : name === 'NT_WARNING' ? [-0x80000000, -0x40000001] : [0x40000000, 0x7fffffff];
      const split = (lo: number, hi: number): [Range | null, Range | null] => {
        const yes: Range = [Math.max(lo, range[0]), Math.min(hi, range[1])];
        // The complement, approximated by its larger side (statuses are tested one way per path).
        const below: Range = [lo, Math.min(hi, range[0] - 1)];
        const above: Range = [Math.max(lo, range[1] + 1), hi];
        const no = below[0] <= below[1] ? below : above;
        return [yes, no];
      };
      return { k: 'i', v: this.forkCompare(v.id, test, split, line, text) ? 1 : 0 };
    }
    return { k: 'i', v: name === 'NT_SUCCESS' ? 1 : 0 };
  }

  /** The model of `ARGUMENT_PRESENT` (wdm.h: `((CHAR *)((ULONG_PTR)(ArgumentPointer)) != (CHAR *)(NULL))`). */
  private modelArgumentPresent(name: string, e: CallExpr): Val | undefined {
    const a = e.args[0];
    if (!a) return this.newUnk(`${name}()`);
    return { k: 'i', v: this.truth(this.eval(a), e.line, exprText(a)) ? 1 : 0 };
  }

  /** The model of `FlagOn`, `BooleanFlagOn`. */
  private modelFlagOn(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const v = e.args.length >= 2 ? this.evalBin('&', e.args[0]!, e.args[1]!) : this.arith('&', this.arg(e, 0), this.arg(e, 1));
    if (name === 'FlagOn') return v;
    return { k: 'i', v: this.truth(v, line, exprText(e)) ? 1 : 0 };
  }

  /** The model of `SetFlag`, `ClearFlag`. */
  private modelSetFlag(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const target = e.args[0];
    if (!target) return { k: 'i', v: 0 };
    const { o, f } = this.lval(target);
    const cur = this.readField(o, f, line);
    const flag = this.arg(e, 1);
    const nv = name === 'SetFlag' ? this.arith('|', cur, flag) : this.arith('&', cur, this.derivedOrNum('~', flag));
    this.writeField(o, f, nv);
    return nv;
  }

  /** The model of `FsRtlIsNtstatusExpected`. */
  private modelFsRtlIsNtstatusExpected(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    // FALSE for the statuses that indicate a bug (ReactOS fsrtl/filtrcb.c, as documented).
    const v = this.arg(e, 0);
    const bad = [STATUS.DATATYPE_MISALIGNMENT, STATUS.ACCESS_VIOLATION, STATUS.ILLEGAL_INSTRUCTION, STATUS.INSTRUCTION_MISALIGNMENT];
    let expected = true;
    for (const b of bad) {
      if (this.equals(v, { k: 'i', v: b }, line, `${exprText(e.args[0]!)} == ${fmtNum(b)}`)) {
        expected = false;
        break;
      }
    }
    return { k: 'i', v: expected ? 1 : 0 };
  }

  /** The model of `MmGetMdlByteCount`, `MmGetMdlByteOffset`, `MmGetMdlVirtualAddress`, `MmGetMdlBaseVa`, `MmGetMdlPfnArray`, `MmGetMdlStartVa`. */
  private modelMdlAccessor(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const col = e.col;
    // Accessor macros: read the MDL, keep nothing.
    const v = this.arg(e, 0);
    const o = this.objOf(v, line, name, false);
    if (o?.mdl?.st === 'X') this.fault('use-after-free', line, col, { mdl: o.label, ddi: name });
    return this.derivedUnk(name, v);
  }

  /**
   * The model of `MmProtectMdlSystemAddress` (wdm.h): it sets the protection of the MDL's system-space mapping,
   * reading the MDL (its mapped address and pages); the status it returns is not modelled.
   */
  private modelMmProtectMdlSystemAddress(name: string, e: CallExpr): Val | undefined {
    const v = this.arg(e, 0);
    this.arg(e, 1);
    const o = this.objOf(v, e.line, name, false);
    if (o?.mdl?.st === 'X') this.fault('use-after-free', e.line, e.col, { mdl: o.label, ddi: name });
    return this.newUnk(`${name}()`);
  }

  /** The model of `MmSizeOfMdl`, `ADDRESS_AND_SIZE_TO_SPAN_PAGES`, `BYTES_TO_PAGES`, `ROUND_TO_PAGES`, `BYTE_OFFSET`, `PAGE_ALIGN`, `min`, `max`, `RTL_NUMBER_OF`, `ARRAYSIZE`, `FIELD_OFFSET`, `InterlockedIncrement`, `InterlockedDecrement`, `InterlockedExchange`, `InterlockedCompareExchange`, `InterlockedExchangeAdd`, `InterlockedOr`, `InterlockedAnd`. */
  private modelValueMacro(name: string, e: CallExpr): Val | undefined {
    const vals = e.args.map((a) => this.eval(a));
    if (name === 'min' || name === 'max') {
      const [x, y] = vals.map((v) => this.num(v));
      if (x !== undefined && y !== undefined) return { k: 'i', v: name === 'min' ? Math.min(x, y) : Math.max(x, y) };
    }
    return this.derivedUnk(name, vals[0] ?? { k: 'i', v: 0 }, vals[1]);
  }

  /** The branch hints of code ported from Linux, `likely(x)`, `unlikely(x)`, `__builtin_expect(x, c)`: the value of `x`. */
  private modelBranchHint(name: string, e: CallExpr): Val | undefined {
    const vals = e.args.map((a) => this.eval(a));
    return vals[0] ?? { k: 'i', v: 0 };
  }

  /** The model of `CTL_CODE`. */
  private modelCTL_CODE(name: string, e: CallExpr): Val | undefined {
    const [dt, fn, m, acc] = [0, 1, 2, 3].map((i) => this.num(this.arg(e, i)));
    if (dt === undefined || fn === undefined || m === undefined || acc === undefined) return this.newUnk('CTL_CODE()');
    return { k: 'i', v: ((dt << 16) | (acc << 14) | (fn << 2) | m) >>> 0 };
  }

  /**
   * The fields of a control code (devioctl.h, wdm.h): `METHOD_FROM_CTL_CODE(c)` is `c & 3`, `DEVICE_TYPE_FROM_CTL_CODE(c)`
   * is `(c >> 16) & 0xffff`, `IoGetFunctionCodeFromCtlCode(c)` is `(c >> 2) & 0xfff`: the bits of the code's value,
   * as the macros expand.
   */
  private modelCtlCodeField(name: string, e: CallExpr): Val | undefined {
    const code = e.args[0] ?? { t: 'num', v: 0 };
    const num = (v: number): Expr => ({ t: 'num', v });
    const bits: Expr =
      name === 'METHOD_FROM_CTL_CODE'
        ? { t: 'bin', op: '&', l: code, r: num(3) }
        : name === 'DEVICE_TYPE_FROM_CTL_CODE'
          ? { t: 'bin', op: '&', l: { t: 'bin', op: '>>', l: code, r: num(16) }, r: num(0xffff) }
          : { t: 'bin', op: '&', l: { t: 'bin', op: '>>', l: code, r: num(2) }, r: num(0xfff) };
    return this.eval(bits);
  }

  /** The model of `GetExceptionCode`, `_exception_code`, `exception_code`. */
  private modelGetExceptionCode(name: string, e: CallExpr): Val | undefined {
    return this.excStack[this.excStack.length - 1] ?? this.newUnk('GetExceptionCode()');
  }

  /** The model of `GetExceptionInformation`, `_exception_info`. */
  private modelGetExceptionInformation(name: string, e: CallExpr): Val | undefined {
    return this.newUnk('GetExceptionInformation()');
  }

  /** The model of `AbnormalTermination`, `_abnormal_termination`. */
  private modelAbnormalTermination(name: string, e: CallExpr): Val | undefined {
    return { k: 'i', v: this.abnormal[this.abnormal.length - 1] ? 1 : 0 };
  }

  /** The model of `UNREFERENCED_PARAMETER`, `PAGED_CODE`, `ASSERT`, `NT_ASSERT`, `NT_VERIFY`, `ASSERT3P`, `ASSERT3U`, `ASSERT3S` (Xen's and Solaris-derived drivers' three-argument assertions), `DBG_UNREFERENCED_LOCAL_VARIABLE`, `KdPrint`, `KdPrintEx`, `DbgPrint`, `DbgPrintEx`, `TraceEvents`, `KeEnterCriticalRegion`, `KeLeaveCriticalRegion`, `IoMarkIrpPending`, `IoSkipCurrentIrpStackLocation`, `IoCopyCurrentIrpStackLocationToNext`, `KeInitializeSpinLock`, `KeInitializeEvent`, `ExInitializeFastMutex`, `KeFlushIoBuffers`. */
  private modelNoEffect(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const col = e.col;
    for (const a of e.args) this.eval(a);
    if (name === 'PAGED_CODE' && this.irqlFault((l) => l > A)) this.fault('irql-api-too-high', line, col, { ddi: 'PAGED_CODE', maxIrql: A });
    return { k: 'i', v: 0 };
  }

  // --- memory routines: pointer arguments are dereferenced (unless the length is 0) ---

  /** The model of `RtlCopyMemory`, `RtlMoveMemory`, `RtlCopyBytes`, `memcpy`, `memmove`, `RtlZeroMemory`, `RtlSecureZeroMemory`, `RtlFillMemory`, `memset`, `RtlCompareMemory`, `RtlEqualMemory`, `memcmp`. */
  private modelMemoryRoutine(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const col = e.col;
    const vals = e.args.map((a) => this.eval(a));
    const twoPtr = /Copy|Move|memcpy|memmove|Compare|Equal|memcmp/.test(name);
    const lenIdx = twoPtr || name === 'memset' ? 2 : 1;
    const len = vals[lenIdx];
    if (len && this.num(len) === 0) return { k: 'i', v: 0 };
    const ptrs = twoPtr ? [0, 1] : [0];
    const writes = !/Compare|Equal|memcmp/.test(name);
    for (const i of ptrs) {
      const v = vals[i];
      if (!v) continue;
      if (this.isNull(v)) {
        const u = v.k === 'u' ? this.unks[v.id]! : undefined;
        this.nullDeref(line, col, { mdl: u?.label ?? 'NULL', ddi: `${name} (argument ${i + 1})`, nullSource: u?.nullSrc?.ddi ?? 'NULL', nullLine: u?.nullSrc?.line });
      }
      const o = this.pointee(v);
      if (o && i === 0 && writes) this.checkWrite(o, line, col, `${name} destination`);
      else if (o && o.mdl && o.mdl.st === 'X') this.fault('use-after-free', line, col, { mdl: o.label, ddi: name });
    }
    // A copy of an input buffer (captured parameters): the pointers in the copy are still the caller's.
    if (twoPtr && writes && vals[0] && vals[1]) {
      // `&local` of a structure variable designates the structure held in the slot.
      const dst = vals[0].k === 'p' && vals[0].f !== undefined ? this.objOf(vals[0], line, name, false) ?? undefined : this.pointee(vals[0]);
      const from = this.pointee(vals[1]);
      const srcLabel = from?.inbuf ?? (vals[1].k === 'u' ? this.unks[vals[1].id]!.inbuf ?? this.unks[vals[1].id]!.src : undefined);
      if (dst && srcLabel && (dst.kind === 'local' || dst.kind === 'pool' || dst.kind === 'ext') && !dst.mdl) {
        dst.fields.clear();
        dst.zeroed = false;
        dst.inbuf = srcLabel;
      }
    }
    if (name === 'RtlCompareMemory' || name === 'RtlEqualMemory' || name === 'memcmp') return this.derivedUnk(name, vals[0] ?? { k: 'i', v: 0 }, vals[1]);
    return { k: 'i', v: 0 };
  }

  /** The model of `ExGetPreviousMode`. */
  private modelExGetPreviousMode(name: string, e: CallExpr): Val | undefined {
    this.prevMode ??= this.newUnk('ExGetPreviousMode()', undefined, [0, 1]);
    return this.prevMode;
  }

  /** The model of `IoGetCurrentIrpStackLocation`, `IoGetNextIrpStackLocation`. */
  private modelIoGetCurrentIrpStackLocation(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const irp = this.objOf(this.arg(e, 0), line, name)!;
    if (name === 'IoGetNextIrpStackLocation') return { k: 'p', o: this.newObj('stackloc', irp.ext, `IoGetNextIrpStackLocation(${irp.label})`).id };
    return { k: 'p', o: this.stackLocOf(irp).id };
  }

  /** The model of `KeGetCurrentIrql`. */
  private modelKeGetCurrentIrql(name: string, e: CallExpr): Val | undefined {
    return { k: 'i', v: this.irql };
  }

  // --- MDL lifecycle ---

  /** The model of `IoAllocateMdl`. */
  private modelIoAllocateMdl(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const va = this.arg(e, 0);
    const lenV = this.arg(e, 1);
    const secondary = this.arg(e, 2);
    this.arg(e, 3);
    const irpV = this.arg(e, 4);
    const c = this.choose(2, line, [`IoAllocateMdl succeeds`, `IoAllocateMdl fails (returns NULL)`]);
    if (c === 1) return { k: 'i', v: 0 };
    const m = this.newMdl(this.mdlLabel(e, 'IoAllocateMdl'), 'IoAllocateMdl', line, this.memOf(va), 'F');
    this.describe(m.mdl!, va, lenV);
    const supplied = this.suppliedSrc(va);
    if (supplied) m.mdl!.supplied = supplied;
    this.event(line, `${m.label} allocated`);
    const irp = this.objOf(irpV, line, name, false);
    if (irp) {
      if (this.truth(secondary, line, 'SecondaryBuffer')) {
        // append to the chain
        let cur = this.readField(irp, 'MdlAddress', line);
        let host: Obj = irp;
        let field = 'MdlAddress';
        for (let g = 0; g < 16; g++) {
          const co = cur.k === 'i' && cur.v === 0 ? null : this.objOf(cur, line, name, false);
          if (!co) break;
          host = co;
          field = 'Next';
          cur = this.readField(co, 'Next', line);
        }
        this.writeField(host, field, { k: 'p', o: m.id });
      } else {
        this.writeField(irp, 'MdlAddress', { k: 'p', o: m.id });
      }
    }
    return { k: 'p', o: m.id };
  }

  /** The model of `MmCreateMdl`. */
  private modelMmCreateMdl(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    this.arg(e, 0);
    const va = this.arg(e, 1);
    this.arg(e, 2);
    const c = this.choose(2, line, [`MmCreateMdl succeeds`, `MmCreateMdl fails (returns NULL)`]);
    if (c === 1) return { k: 'i', v: 0 };
    return { k: 'p', o: this.newMdl(this.mdlLabel(e, name), name, line, this.memOf(va), 'F').id };
  }

  /** The model of `MmInitializeMdl`. */
  private modelMmInitializeMdl(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const mv = this.arg(e, 0);
    const va = this.arg(e, 1);
    this.arg(e, 2);
    const o = this.objOf(mv, line, name)!;
    const caller = o.ext;
    o.kind = 'mdl';
    o.mdl = { st: 'F', origin: name, line, mem: this.memOf(va), lockedHere: false, caller };
    o.fields.set('Next', { k: 'i', v: 0 });
    if (!o.label.startsWith('mdl#')) o.label = `mdl#${++this.mdlLabelSeq}(${o.label})`;
    return { k: 'i', v: 0 };
  }

  /** The model of `IoFreeMdl`. */
  private modelIoFreeMdl(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const col = e.col;
    const o = this.mdlArg(this.arg(e, 0), line, col, name);
    const m = o.mdl!;
    this.touchMdl(o, name, line, col, 'unlocked');
    switch (m.st) {
      case 'X':
        this.fault('double-free', line, col, { mdl: o.label, ddi: name });
        return { k: 'i', v: 0 };
      // One defect, one fault: the pages this IoFreeMdl leaves locked are not reported again at the exit.
      case 'L':
      case 'LM':
        if (m.assumed) break;
        if (m.st === 'LM') {
          this.fault('free-while-mapped', line, col, { mdl: o.label, ddi: name, locked: true });
          this.fault('free-while-locked', line, col, { mdl: o.label, ddi: name });
          m.pagesLeaked = true;
          m.leakReported = true;
          break;
        }
        this.fault('free-while-locked', line, col, { mdl: o.label, ddi: name, userPages: m.mem !== 'paged' && m.mem !== 'nonpaged' });
        m.pagesLeaked = true;
        m.leakReported = true;
        break;
      case 'AP':
      case 'APF':
        this.fault('wrong-free', line, col, { mdl: o.label, ddi: name });
        break;
      default:
        break;
    }
    // The rest of the chain (head->Next...) is not freed: locked members stay locked unless something
    // else unlocks them (a chain loop saves `next` first): decided when they become unreachable.
    this.markChainLost(o, 'Next', 'free-chain-head', line, col, `${o.label}->Next`);
    m.st = 'X';
    o.freed = line;
    this.event(line, `${o.label} freed`);
    return { k: 'i', v: 0 };
  }

  /** The model of `IoAllocateIrp`, `IoBuildDeviceIoControlRequest`, `IoBuildAsynchronousFsdRequest`, `IoBuildSynchronousFsdRequest`. */
  private modelIrpAllocation(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    for (let i = 0; i < e.args.length; i++) this.escape(this.arg(e, i), line);
    const c = this.choose(2, line, [`${name} succeeds`, `${name} fails (returns NULL)`]);
    if (c === 1) return { k: 'i', v: 0 };
    const irp = this.newObj('irp', false, `irp#${line}(${name})`, 'nonpaged');
    irp.irp = { ioMgr: false, driver: true };
    // The driver's MDLs go on MdlAddress (the builders' own buffer MDLs are not modelled: none here).
    irp.fields.set('MdlAddress', { k: 'i', v: 0 });
    return { k: 'p', o: irp.id };
  }

  /** The model of `IoFreeIrp`. */
  private modelIoFreeIrp(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const col = e.col;
    const irp = this.objOf(this.arg(e, 0), line, name, false);
    if (!irp) return { k: 'i', v: 0 };
    if (irp.irp?.driver) {
      // IoFreeIrp neither unlocks nor frees the MDLs on Irp->MdlAddress (§4b).
      this.markChainLost(irp, 'MdlAddress', 'free-irp-with-locked-mdl', line, col, `${irp.label}->MdlAddress`);
      irp.irp.freed = line;
      irp.irp.completed ??= line;
    } else if (irp.irp) {
      irp.irp.completed ??= line;
    }
    return { k: 'i', v: 0 };
  }

  /** The model of `MmProbeAndLockPages`, `MmProbeAndLockProcessPages`, `MmProbeAndLockSelectedPages`. */
  private modelMmProbeAndLockPages(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const col = e.col;
    const o = this.mdlArg(this.arg(e, 0), line, col, name);
    const argVals: Val[] = [];
    for (let i = 1; i < e.args.length; i++) argVals.push(this.arg(e, i));
    const modeIdx = name === 'MmProbeAndLockPages' ? 1 : 2;
    const mode = this.num(argVals[modeIdx - 1] ?? { k: 'x' });
    const op = this.num(argVals[modeIdx] ?? { k: 'x' });
    this.checkProbeArgs(e, name, modeIdx, mode, op, o.label);
    const m = o.mdl!;
    // KernelMode on a caller-chosen address: no user-range check (unless the request came from kernel mode).
    if (mode === 0 && m.supplied && !this.trustedKernelCaller()) {
      this.fault('kernelmode-probe-user-address', line, col, { mdl: o.label, ddi: name, source: m.supplied });
    }
    const maxIrql = name === 'MmProbeAndLockPages' ? D : A;
    // Pageable pages probed at DISPATCH_LEVEL fault only if they are not resident: not claimed for an MDL
    // from outside whose state is not known (its pages may be locked already), like a double lock.
    const stateKnown = m.st !== '?' && !m.assumed;
    if (this.irqlFault((l) => l > maxIrql)) this.fault('irql-probe-too-high', line, col, { mdl: o.label, ddi: name, maxIrql });
    else if ((m.mem === 'user' || m.mem === 'paged') && stateKnown && this.irqlFault((l) => l >= D)) this.fault('irql-pageable-at-dispatch', line, col, { mdl: o.label, ddi: name });
    // Memory of unknown kind (a buffer from a parameter or a field): the path where it is pageable and not
    // resident faults; shown as such (the fault says it assumes a pageable buffer).
    else if (m.mem === 'unknown' && m.origin !== 'caller' && stateKnown && this.irqlFault((l) => l >= D)) this.fault('irql-pageable-at-dispatch', line, col, { mdl: o.label, ddi: name, assumedPageable: true });
    this.touchMdl(o, name, line, col, 'unlocked');
    // The probe requires an unlocked MDL: from here its state is this run's, whether it locks or raises.
    m.assumed = false;
    switch (m.st) {
      case 'L':
      case 'LM':
        this.fault('double-lock', line, col, { mdl: o.label, ddi: name });
        break;
      case 'NP':
      case 'PT':
      case 'PTM':
      case 'AP':
      case 'APF':
        this.fault('lock-prebuilt', line, col, { mdl: o.label, ddi: name });
        m.st = 'U';
        break;
      default:
        break;
    }
    // UserMode probe of a kernel-space range: the range check fails before any page is touched (§5b).
    const kernelRange = m.mem === 'paged' || m.mem === 'nonpaged' || m.mem === 'stack' || m.mem === 'sysva';
    // Any AccessMode other than KernelMode (0) is treated as UserMode by the kernel.
    if (mode !== undefined && mode !== 0 && kernelRange) {
      this.event(line, `${name}(${o.label}, UserMode): kernel-space range, the probe raises STATUS_ACCESS_VIOLATION`);
      this.raise({ k: 'i', v: STATUS.ACCESS_VIOLATION }, line, col, name);
      return { k: 'i', v: 0 };
    }
    const c = this.choose(2, line, [`${name}(${o.label}) succeeds`, `${name}(${o.label}) raises`]);
    if (c === 1) {
      this.raise(this.newExceptionCode(`exception code from ${name}`, PROBE_CODES), line, col, name);
      return { k: 'i', v: 0 };
    }
    // A successful probe locks the pages. On a nonpaged-built, partial or MmAllocatePagesForMdl MDL
    // that is the undefined case above: the MDL stays undefined ('U').
    if (m.st === 'F') {
      m.st = 'L';
      m.assumed = false;
      m.lockedHere = true;
      m.lockLine = line;
      m.lockFrame = this.frame.vars.id;
      m.lockSeq = ++this.seq;
      m.lostBy = undefined;
    }
    // Operation: IoReadAccess (0) probes for read only; any other value probes for write.
    m.readOnly = op === 0;
    if (m.st === 'L' || m.st === 'LM') this.countLock(m, +1);
    if (this.branchLog && this.frames.length === 1) this.branchLog.push(line * 4 + 3);
    this.event(line, `${o.label} locked (${this.processLockedPages} page(s) locked in the process)`);
    return { k: 'i', v: 0 };
  }

  /** The model of `MmUnlockPages`. */
  private modelMmUnlockPages(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const col = e.col;
    const o = this.mdlArg(this.arg(e, 0), line, col, name);
    const m = o.mdl!;
    if (this.irqlFault((l) => l > D)) this.fault('irql-unlock-too-high', line, col, { mdl: o.label, ddi: name, maxIrql: D });
    this.touchMdl(o, name, line, col, 'locked');
    switch (m.st) {
      case 'L':
      case 'LM':
        m.st = 'F';
        m.assumed = false;
        m.lockedHere = false;
        this.countLock(m, -1);
        this.event(line, `${o.label} unlocked`);
        break;
      case 'F':
        // A free build drops the page references anyway: the counts go wrong (0x76/1, 0x4E/7).
        this.countLock(m, -1);
        this.fault('unlock-not-locked', line, col, { mdl: o.label, userPages: m.mem !== 'paged' && m.mem !== 'nonpaged' && m.mem !== 'stack', lockedPages: this.processLockedPages });
        break;
      case 'NP':
        this.fault('unlock-nonpaged', line, col, { mdl: o.label });
        m.st = 'U';
        break;
      case 'PT':
      case 'PTM':
        this.fault('unlock-partial', line, col, { mdl: o.label });
        m.st = 'U';
        break;
      case 'AP':
      case 'APF':
        this.fault('unlock-allocated-pages', line, col, { mdl: o.label });
        m.st = 'U';
        break;
      default:
        break;
    }
    return { k: 'i', v: 0 };
  }

  /** The model of `MmBuildMdlForNonPagedPool`. */
  private modelMmBuildMdlForNonPagedPool(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const col = e.col;
    const o = this.mdlArg(this.arg(e, 0), line, col, name);
    this.touchMdl(o, name, line, col, 'unlocked');
    const m = o.mdl!;
    // Over a locked MDL: the flags are overwritten and the probe's page references are never
    // released (undefined from here). Over an MDL that is built already (nonpaged, partial, from
    // MmAllocatePagesForMdl) a free build rebuilds the description: nothing documented breaks.
    if (m.st === 'L' || m.st === 'LM') {
      this.fault('build-nonpaged-bad-state', line, col, { mdl: o.label });
      m.st = 'U';
    }
    if (m.st === 'F') m.st = 'NP';
    this.event(line, `${o.label} built for nonpaged pool`);
    return { k: 'i', v: 0 };
  }

  /** The model of `IoBuildPartialMdl`. */
  private modelIoBuildPartialMdl(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const col = e.col;
    const src = this.mdlArg(this.arg(e, 0), line, col, name);
    const tgt = this.mdlArg(this.arg(e, 1), line, col, name);
    this.arg(e, 2);
    this.arg(e, 3);
    this.touchMdl(src, name, line, col, 'locked');
    const s = src.mdl!.st;
    if (s === 'F') this.fault('partial-from-unlocked', line, col, { mdl: src.label });
    this.touchMdl(tgt, name, line, col, 'unlocked');
    if (tgt.mdl!.st !== 'X' && tgt.mdl!.st !== 'U') {
      if (tgt.mdl!.st === 'L' || tgt.mdl!.st === 'LM') {
        // Rebuilding over a locked MDL loses its lock (the flags are overwritten): its references
        // leak, and the MDL is undefined from here.
        this.fault('partial-target-locked', line, col, { mdl: tgt.label, ddi: name });
        tgt.mdl!.st = 'U';
      } else tgt.mdl!.st = 'PT';
    }
    this.event(line, `${tgt.label} built as a partial MDL of ${src.label}`);
    return { k: 'i', v: 0 };
  }

  /** The model of `MmPrepareMdlForReuse`. */
  private modelMmPrepareMdlForReuse(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const col = e.col;
    const o = this.mdlArg(this.arg(e, 0), line, col, name);
    this.touchMdl(o, name, line, col, 'unlocked');
    if (o.mdl!.st === 'PTM') o.mdl!.st = 'PT';
    else if (o.mdl!.st === 'LM') this.fault('free-while-mapped', line, col, { mdl: o.label });
    return { k: 'i', v: 0 };
  }

  /** The model of `MmGetSystemAddressForMdlSafe`, `MmGetSystemAddressForMdl`, `MmMapLockedPagesSpecifyCache`, `MmMapLockedPages`. */
  private modelMmGetSystemAddressForMdlSafe(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const col = e.col;
    const v0 = this.arg(e, 0);
    const o = this.mdlArg(v0, line, col, name);
    const rest: Val[] = [];
    for (let i = 1; i < e.args.length; i++) rest.push(this.arg(e, i));
    // MmMapLockedPages(SpecifyCache): the maximum depends on AccessMode (the macros are checked before the call).
    const contract = irqlContractOf(name);
    if (contract?.cond) this.checkContract(name, contract, e, [v0, ...rest]);
    // a mapping again of an MDL an earlier mapping assumed locked (or a flags test found nonpaged-built)
    // establishes nothing new: the assumption stands for the flags test that may follow
    const assumedFor = o.mdl!.assumedFor;
    this.touchMdl(o, name, line, col, 'locked');
    const m = o.mdl!;
    if ((assumedFor === 'locked' || assumedFor === 'nonpaged') && m.assumed) m.assumedFor = assumedFor;
    const va = (): Val => {
      let cur = o.fields.get('MappedSystemVa');
      if (!cur || cur.k !== 'p') {
        const sv = this.newObj('sysva', false, `system VA of ${o.label}`, 'sysva');
        sv.sysvaOf = o.id;
        cur = { k: 'p', o: sv.id };
        o.fields.set('MappedSystemVa', cur);
      }
      return cur;
    };
    // A failed mapping: NULL, remembered as coming from this call (for the NULL dereference it may cause).
    const nullVa = (): Val => {
      const v = this.newUnk(`${name}(${o.label}) result`, undefined, [0]) as { k: 'u'; id: number };
      this.unks[v.id]!.nullSrc = { ddi: name, line };
      return v;
    };
    // MmMapLockedPagesSpecifyCache returns NULL only for KernelMode (its 2nd argument: for UserMode a failure
    // raises, whatever the 5th) with BugCheckOnFailure FALSE (its 5th argument); otherwise a failure is bug
    // check 0x3F. An argument whose value is not known (`Irp->RequestorMode`, a parameter) is decided here, as
    // a test of it would be. MmGetSystemAddressForMdl / MmMapLockedPages never return NULL.
    const zero = (v: Val | undefined, what: string): boolean => v !== undefined && (this.num(v) !== undefined ? this.num(v) === 0 : this.equals(v, { k: 'i', v: 0 }, line, `${name} ${what}`));
    // (decided where a failure is possible at all: an MDL already mapped needs no decision)
    let failing: boolean | undefined;
    const canFail = (): boolean =>
      (failing ??=
        name === 'MmGetSystemAddressForMdlSafe' ||
        (name === 'MmMapLockedPagesSpecifyCache' && zero(rest[0], 'AccessMode == KernelMode') && zero(rest[3], 'BugCheckOnFailure == FALSE')));
    const macro = name.startsWith('MmGetSystemAddress');
    switch (m.st) {
      case 'F': {
        // 0x1A/0x1233 on a plain kernel; the path continues (as after every non-fatal fault), and the
        // mapping may fail like any other. Its flags are undefined from here.
        this.fault('map-unlocked', line, col, { mdl: o.label, ddi: name });
        m.st = 'U';
        if (canFail()) {
          const c = this.choose(2, line, [`${name}(${o.label}) maps it`, `${name}(${o.label}) returns NULL (no system PTEs)`]);
          if (c === 1) return nullVa();
        }
        return va();
      }
      case 'NP':
        return va();
      case 'LM':
      case 'PTM':
        if (!macro) this.fault('unmap-not-mapped', line, col, { mdl: o.label, ddi: name });
        return va();
      case 'AP':
        // mapped already: the macro returns MappedSystemVa (MDL_MAPPED_TO_SYSTEM_VA), it cannot fail
        if (m.sysVa && macro) return va();
        break;
      case 'X':
        // (the use of freed memory is the fault; what the call then returns is some address, and NULL only
        // where the routine may return NULL at all: not MmMapLockedPagesSpecifyCache with BugCheckOnFailure
        // TRUE, which bug-checks rather than fail, nor MmGetSystemAddressForMdl / MmMapLockedPages)
        if (!canFail()) return { k: 'p', o: this.newObj('sysva', false, `address ${name} returned for freed ${o.label}`, 'sysva').id };
        return this.newUnk('address');
      default:
        break;
    }
    if (canFail()) {
      const c = this.choose(2, line, [`${name}(${o.label}) maps it`, `${name}(${o.label}) returns NULL (no system PTEs)`]);
      if (c === 1) return nullVa();
    }
    if (m.st === 'L') m.st = 'LM';
    else if (m.st === 'PT') m.st = 'PTM';
    else if (m.st === 'AP') m.sysVa = true;
    return va();
  }

  /** The model of `MmUnmapLockedPages`. */
  private modelMmUnmapLockedPages(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const col = e.col;
    this.arg(e, 0);
    const o = this.mdlArg(this.arg(e, 1), line, col, name);
    this.touchMdl(o, name, line, col, 'locked');
    const m = o.mdl!;
    if (m.st === 'LM') m.st = 'L';
    else if (m.st === 'AP' && m.sysVa) m.sysVa = undefined;
    else if (m.st === 'U') return { k: 'i', v: 0 };
    else if (m.st === 'PTM' || m.st === 'PT') this.fault('unmap-partial', line, col, { mdl: o.label });
    else if (m.st === 'L' || m.st === 'F') this.fault('unmap-not-mapped', line, col, { mdl: o.label });
    return { k: 'i', v: 0 };
  }

  /** The model of `MmAllocatePagesForMdl`, `MmAllocatePagesForMdlEx`. */
  private modelMmAllocatePagesForMdl(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    for (let i = 0; i < e.args.length; i++) this.arg(e, i);
    const c = this.choose(2, line, [`${name} succeeds`, `${name} fails (returns NULL)`]);
    if (c === 1) return { k: 'i', v: 0 };
    const m = this.newMdl(this.mdlLabel(e, name), name, line, 'nonpaged', 'AP');
    return { k: 'p', o: m.id };
  }

  /** The model of `MmFreePagesFromMdl`. */
  private modelMmFreePagesFromMdl(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const col = e.col;
    const o = this.mdlArg(this.arg(e, 0), line, col, name);
    this.touchMdl(o, name, line, col, 'locked');
    if (o.mdl!.st === 'AP') o.mdl!.st = 'APF';
    return { k: 'i', v: 0 };
  }

  // --- pool ---

  /** The model of `ExAllocatePool`, `ExAllocatePoolWithTag`, `ExAllocatePoolWithTagPriority`, `ExAllocatePoolZero`, `ExAllocatePoolWithQuotaTag`, `ExAllocatePool2`, `ExAllocatePool3`, `ExAllocatePoolUninitialized`. */
  private modelPoolAllocation(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const col = e.col;
    const t = this.num(this.arg(e, 0));
    for (let i = 1; i < e.args.length; i++) this.arg(e, i);
    let paged: boolean;
    if (name === 'ExAllocatePool2' || name === 'ExAllocatePool3') paged = t !== undefined && (t & 0x100) !== 0;
    else paged = t !== undefined && (t & 1) === 1;
    if (this.irqlFault((l) => l > (paged ? A : D))) this.fault('irql-pool', line, col, { ddi: name, paged, maxIrql: paged ? A : D });
    const c = this.choose(2, line, [`${name} succeeds`, `${name} fails (returns NULL)`]);
    if (c === 1) return { k: 'i', v: 0 };
    const o = this.newObj('pool', false, `pool@${line}`, paged ? 'paged' : 'nonpaged');
    if (name === 'ExAllocatePool2' || name === 'ExAllocatePool3' || name === 'ExAllocatePoolZero') o.zeroed = true;
    return { k: 'p', o: o.id };
  }

  /** The model of `ExFreePool`, `ExFreePoolWithTag`, `ExFreeToNPagedLookasideList`. */
  private modelPoolFree(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const col = e.col;
    const v = this.arg(e, name === 'ExFreeToNPagedLookasideList' ? 1 : 0);
    for (let i = 1; i < e.args.length; i++) this.arg(e, i);
    const o = this.objOf(v, line, name, false);
    if (!o) return { k: 'i', v: 0 };
    if (name !== 'ExFreeToNPagedLookasideList') {
      // §3: ≤ DISPATCH_LEVEL, and ≤ APC_LEVEL for paged pool (a block of unknown kind: only above DISPATCH_LEVEL).
      const paged = o.mem === 'paged';
      if (this.irqlFault((l) => l > (paged ? A : D))) this.fault('irql-pool', line, col, { ddi: name, paged: paged || (o.kind === 'pool' ? false : undefined), maxIrql: paged ? A : D });
    }
    if (o.freed !== undefined) this.fault('double-free', line, col, { mdl: o.label, ddi: name });
    if (o.mdl) {
      if ((o.mdl.st === 'L' || o.mdl.st === 'LM') && !o.mdl.assumed) {
        this.fault('free-while-locked', line, col, { mdl: o.label, ddi: name });
        o.mdl.pagesLeaked = true;
        o.mdl.leakReported = true;
      }
      o.mdl.st = 'X';
    }
    o.freed = line;
    return { k: 'i', v: 0 };
  }

  // --- IRP ---

  /** The model of `IoCompleteRequest`, `IofCompleteRequest`. */
  private modelIoCompleteRequest(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const col = e.col;
    const irpV = this.arg(e, 0);
    this.arg(e, 1);
    const irp = this.objOf(irpV, line, name)!;
    this.completeIrp(irp, line, col);
    return { k: 'i', v: 0 };
  }

  /** The model of `IoCallDriver`, `IofCallDriver`, `PoCallDriver`. */
  private modelIoCallDriver(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const col = e.col;
    this.arg(e, 0);
    const irpV = this.arg(e, 1);
    const irp = this.objOf(irpV, line, name, false);
    if (irp) {
      this.escaped.add(irp.id);
      if (irp.irp?.ioMgr && !irp.irp.completed) this.completeIrp(irp, line, col, true);
    }
    return this.newUnk(`${name}()`);
  }

  // --- IRQL ---

  /** The model of `KeRaiseIrql`. */
  private modelKeRaiseIrql(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const col = e.col;
    const nv = this.num(this.arg(e, 0));
    const out = this.arg(e, 1);
    const n = nv ?? D;
    if (this.irqlFault((l) => n < l)) this.fault('irql-raise-lower', line, col, { ddi: name, newIrql: n });
    this.writeThrough(out, { k: 'i', v: this.irql }, line);
    this.setIrql(n, line, name);
    return { k: 'i', v: 0 };
  }

  /** The model of `KfRaiseIrql`, `KeRaiseIrqlToDpcLevel`, `KeRaiseIrqlToSynchLevel`. */
  private modelKfRaiseIrql(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const col = e.col;
    const n = name === 'KfRaiseIrql' ? this.num(this.arg(e, 0)) ?? D : name === 'KeRaiseIrqlToDpcLevel' ? D : 12;
    const old = this.irql;
    if (this.irqlFault((l) => n < l)) this.fault('irql-raise-lower', line, col, { ddi: name, newIrql: n });
    this.setIrql(n, line, name);
    return { k: 'i', v: old };
  }

  /** The model of `KeLowerIrql`, `KfLowerIrql`. */
  private modelKeLowerIrql(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const col = e.col;
    const nv = this.num(this.arg(e, 0));
    const n = nv ?? this.entryIrql;
    if (this.irqlFault((l) => n > l)) this.fault('irql-lower-higher', line, col, { ddi: name, newIrql: n });
    if (isLevelConstant(e.args[0])) this.setIrql(n, line, name);
    else this.restoreIrql(n, line, name);
    return { k: 'i', v: 0 };
  }

  /** The model of `KeAcquireSpinLock`, `KeAcquireSpinLockRaiseToDpc`, `KeAcquireSpinLockForDpc`. */
  private modelKeAcquireSpinLock(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const col = e.col;
    const key = this.lockKey(this.arg(e, 0));
    const out = name === 'KeAcquireSpinLock' ? this.arg(e, 1) : undefined;
    if (this.irqlFault((l) => l > D)) this.fault('irql-spinlock-acquire', line, col, { ddi: name, maxIrql: D });
    if (this.spinLocks.has(key) || this.dpcLocks.has(key)) this.fault('spinlock-double-acquire', line, col, { ddi: name });
    const old = this.irql;
    this.spinLocks.set(key, old);
    this.freeLocks.delete(key);
    if (out) this.writeThrough(out, { k: 'i', v: old }, line);
    // KfRaiseIrql(DISPATCH_LEVEL) sets the level: above DISPATCH_LEVEL (the fault above) it lowers it.
    this.setIrql(D, line, name);
    return { k: 'i', v: old };
  }

  /** The model of `KeReleaseSpinLock`, `KeReleaseSpinLockForDpc`. */
  private modelKeReleaseSpinLock(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const col = e.col;
    const key = this.lockKey(this.arg(e, 0));
    const nv = this.num(this.arg(e, 1));
    if (this.irqlFault((l) => l !== D)) this.fault('irql-spinlock-release', line, col, { ddi: name, minIrql: D, maxIrql: D });
    // Not held by this run: a fault only when the run knows it is free (an unknown lock is the caller's).
    this.releaseLock(key, line, col, name);
    const saved = this.spinLocks.get(key);
    this.spinLocks.delete(key);
    this.dpcLocks.delete(key);
    if (isLevelConstant(e.args[1])) this.setIrql(nv!, line, name);
    else this.restoreIrql(nv ?? saved ?? this.entryIrql, line, name);
    return { k: 'i', v: 0 };
  }

  /** The model of `KeAcquireSpinLockAtDpcLevel`, `KeTryToAcquireSpinLockAtDpcLevel`. */
  private modelKeAcquireSpinLockAtDpcLevel(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const col = e.col;
    const key = this.lockKey(this.arg(e, 0));
    if (this.irqlFault((l) => l < D)) this.fault('irql-spinlock-acquire', line, col, { ddi: name, minIrql: D });
    if (this.spinLocks.has(key) || this.dpcLocks.has(key)) this.fault('spinlock-double-acquire', line, col, { ddi: name });
    this.dpcLocks.add(key);
    this.freeLocks.delete(key);
    return { k: 'i', v: 1 };
  }

  /** The model of `KeReleaseSpinLockFromDpcLevel`. */
  private modelKeReleaseSpinLockFromDpcLevel(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const col = e.col;
    const key = this.lockKey(this.arg(e, 0));
    if (this.irqlFault((l) => l < D)) this.fault('irql-spinlock-release', line, col, { ddi: name, minIrql: D });
    this.releaseLock(key, line, col, name);
    this.dpcLocks.delete(key);
    this.spinLocks.delete(key);
    return { k: 'i', v: 0 };
  }

  /** The model of `KeAcquireInStackQueuedSpinLock`, `KeAcquireInStackQueuedSpinLockAtDpcLevel`. */
  private modelKeAcquireInStackQueuedSpinLock(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const col = e.col;
    const lock = this.lockKey(this.arg(e, 0));
    const handle = this.lockKey(this.arg(e, 1));
    const atDpc = name.endsWith('AtDpcLevel');
    if (atDpc ? this.irqlFault((l) => l < D) : this.irqlFault((l) => l > D)) this.fault('irql-spinlock-acquire', line, col, atDpc ? { ddi: name, minIrql: D } : { ddi: name, maxIrql: D });
    if (this.spinLocks.has(lock) || this.dpcLocks.has(lock)) this.fault('spinlock-double-acquire', line, col, { ddi: name });
    this.savedIrql.set('q' + handle, this.irql);
    this.dpcLocks.add(lock);
    this.freeLocks.delete(lock);
    this.freeLocks.delete('q' + handle);
    this.qmap.set(handle, lock);
    if (!atDpc) this.setIrql(D, line, name);
    return { k: 'i', v: 0 };
  }

  /** The model of `KeReleaseInStackQueuedSpinLock`, `KeReleaseInStackQueuedSpinLockFromDpcLevel`. */
  private modelKeReleaseInStackQueuedSpinLock(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const col = e.col;
    const handle = this.lockKey(this.arg(e, 0));
    const qmap = this.qmap;
    const lock = qmap.get(handle);
    if (this.irqlFault((l) => l < D)) this.fault('irql-spinlock-release', line, col, { ddi: name, minIrql: D });
    // The handle names a lock only if the run acquired it (the mapping is kept after the release, so that a
    // second release by the same handle is known); a handle the run never saw is a caller's: not a fault.
    this.releaseLock(lock ?? 'q' + handle, line, col, name);
    if (lock !== undefined) {
      this.dpcLocks.delete(lock);
      this.spinLocks.delete(lock);
    }
    if (!name.endsWith('FromDpcLevel')) this.restoreIrql(this.savedIrql.get('q' + handle) ?? this.entryIrql, line, name);
    this.savedIrql.delete('q' + handle);
    return { k: 'i', v: 0 };
  }

  /** The model of `IoAcquireCancelSpinLock`. */
  // Locks whose only modelled effect is the IRQL (their contract is checked before the call).
  private modelIoAcquireCancelSpinLock(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    // Raises to DISPATCH_LEVEL and stores the previous IRQL through its argument.
    const out = this.arg(e, 0);
    const old = this.irql;
    this.writeThrough(out, { k: 'i', v: old }, line);
    this.setIrql(Math.max(D, old), line, name);
    return { k: 'i', v: 0 };
  }

  /** The model of `ExAcquireSpinLockExclusive`, `ExAcquireSpinLockShared`, `KeAcquireInterruptSpinLock`. */
  private modelIrqlSavingAcquire(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    // Returns the previous IRQL; raises to DISPATCH_LEVEL (to the interrupt's DIRQL, modelled as 5).
    this.arg(e, 0);
    const old = this.irql;
    this.setIrql(Math.max(name === 'KeAcquireInterruptSpinLock' ? 5 : D, old), line, name);
    return { k: 'i', v: old };
  }

  /** The model of `IoReleaseCancelSpinLock`, `ExReleaseSpinLockExclusive`, `ExReleaseSpinLockShared`, `KeReleaseInterruptSpinLock`. */
  private modelIrqlRestoringRelease(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    // Restores the IRQL it is given (a DRIVER_CANCEL's Irp->CancelIrql is not known here: the entry IRQL).
    if (name !== 'IoReleaseCancelSpinLock') this.arg(e, 0);
    const nv = this.num(this.arg(e, name === 'IoReleaseCancelSpinLock' ? 0 : 1));
    if (isLevelConstant(e.args[name === 'IoReleaseCancelSpinLock' ? 0 : 1])) this.setIrql(nv!, line, name);
    else this.restoreIrql(nv ?? this.entryIrql, line, name);
    return { k: 'i', v: 0 };
  }

  // --- KMDF locks (the DDI reference: WdfSpinLockAcquire ≤ DISPATCH_LEVEL, returns at DISPATCH_LEVEL;

  /** The model of `WdfSpinLockAcquire`. */
  // WdfSpinLockRelease at DISPATCH_LEVEL, restores the IRQL WdfSpinLockAcquire found) ---
  private modelWdfSpinLockAcquire(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const col = e.col;
    const key = 'wdf' + this.lockKey(this.arg(e, 0));
    if (this.irqlFault((l) => l > D)) this.fault('irql-spinlock-acquire', line, col, { ddi: name, maxIrql: D });
    if (this.spinLocks.has(key)) this.fault('spinlock-double-acquire', line, col, { ddi: name });
    const old = this.irql;
    // The previous IRQL is kept in the lock object (released by handle, not by a saved value).
    this.spinLocks.set(key, old);
    this.freeLocks.delete(key);
    this.setIrql(D, line, name);
    return { k: 'i', v: 0 };
  }

  /** The model of `WdfSpinLockRelease`. */
  private modelWdfSpinLockRelease(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const col = e.col;
    const key = 'wdf' + this.lockKey(this.arg(e, 0));
    if (this.irqlFault((l) => l !== D)) this.fault('irql-spinlock-release', line, col, { ddi: name, minIrql: D, maxIrql: D });
    const saved = this.spinLocks.get(key);
    const known = this.releaseLock(key, line, col, name);
    this.spinLocks.delete(key);
    // Known not held: nothing is restored (the IRQL stays). Held by a caller: the IRQL it found is not known
    // here (restored as an unknown saved value is, to the entry IRQL).
    if (saved !== undefined) this.restoreIrql(saved, line, name);
    else if (known === 'unknown') this.restoreIrql(this.entryIrql, line, name);
    return { k: 'i', v: 0 };
  }

  /** The model of `WdfInterruptAcquireLock`. */
  private modelWdfInterruptAcquireLock(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    // A DIRQL interrupt object: raises to the device's DIRQL (modelled as 5) until WdfInterruptReleaseLock,
    // which returns to the previous level. A program that requests passive-level interrupt handling may be
    // taking a passive-level lock instead (at PASSIVE_LEVEL, IRQL unchanged): the IRQL is left as it is.
    const key = 'wdfint' + this.lockKey(this.arg(e, 0));
    const old = this.irql;
    this.savedIrql.set(key, old);
    if (!this.opts.passiveInterrupts) this.setIrql(Math.max(5, old), line, name);
    return { k: 'i', v: 0 };
  }

  /** The model of `WdfInterruptReleaseLock`. */
  private modelWdfInterruptReleaseLock(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const key = 'wdfint' + this.lockKey(this.arg(e, 0));
    const saved = this.savedIrql.get(key);
    this.savedIrql.delete(key);
    if (saved !== undefined && !this.opts.passiveInterrupts) this.restoreIrql(saved, line, name);
    return { k: 'i', v: 0 };
  }

  /**
   * The model of `ExTryToAcquireFastMutex` (§3: "returns TRUE and sets APC_LEVEL when acquired"): the mutex may be
   * owned by another thread, so both outcomes are explored; owned on this path, it is not acquired again (FALSE).
   */
  private modelExTryToAcquireFastMutex(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const col = e.col;
    const key = this.lockKey(this.arg(e, 0));
    if (this.irqlFault((l) => l > A)) this.fault('irql-fast-mutex', line, col, { ddi: name, maxIrql: A });
    if (this.savedIrql.has('fm' + key)) return { k: 'i', v: 0 };
    if (this.choose(2, line, [`${name} acquires the mutex`, `${name} fails (another thread owns it)`]) === 1) return { k: 'i', v: 0 };
    this.savedIrql.set('fm' + key, this.irql);
    this.freeLocks.delete('fm' + key);
    this.setIrql(A, line, name);
    return { k: 'i', v: 1 };
  }

  /** The model of `ExAcquireFastMutex`. */
  private modelExAcquireFastMutex(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const col = e.col;
    const key = this.lockKey(this.arg(e, 0));
    if (this.irqlFault((l) => l > A)) this.fault('irql-fast-mutex', line, col, { ddi: name, maxIrql: A });
    if (this.savedIrql.has('fm' + key)) this.fault('spinlock-double-acquire', line, col, { ddi: name });
    this.savedIrql.set('fm' + key, this.irql);
    this.freeLocks.delete('fm' + key);
    // §3: "sets IRQL to A" (from DISPATCH_LEVEL too: the fault above), the previous level saved in the mutex.
    this.setIrql(A, line, name);
    return { k: 'i', v: 1 };
  }

  /** The model of `ExReleaseFastMutex`. */
  private modelExReleaseFastMutex(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const col = e.col;
    const key = this.lockKey(this.arg(e, 0));
    if (this.irqlFault((l) => l !== A)) this.fault('irql-fast-mutex', line, col, { ddi: name, minIrql: A, maxIrql: A });
    const saved = this.savedIrql.get('fm' + key);
    if (saved === undefined) this.releaseLock('fm' + key, line, col, name);
    else this.freeLocks.add('fm' + key);
    this.savedIrql.delete('fm' + key);
    this.restoreIrql(saved ?? this.entryIrql, line, name);
    return { k: 'i', v: 0 };
  }

  // --- exceptions ---

  /** The model of `ExRaiseStatus`, `RtlRaiseStatus`. */
  private modelExRaiseStatus(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const col = e.col;
    const code = this.arg(e, 0);
    this.raise(code, line, col, name);
    return { k: 'i', v: 0 };
  }

  /** The model of `ExRaiseAccessViolation`. */
  private modelExRaiseAccessViolation(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const col = e.col;
    this.raise({ k: 'i', v: STATUS.ACCESS_VIOLATION }, line, col, name);
    return { k: 'i', v: 0 };
  }

  /** The model of `ProbeForRead`, `ProbeForWrite`. */
  private modelProbeForRead(name: string, e: CallExpr): Val | undefined {
    const line = e.line;
    const col = e.col;
    const addr = this.arg(e, 0);
    const len = this.arg(e, 1);
    this.arg(e, 2);
    if (this.num(len) === 0) return { k: 'i', v: 0 };
    const mem = this.memOf(addr);
    if (mem === 'paged' || mem === 'nonpaged' || mem === 'stack' || mem === 'sysva') {
      // a kernel address always fails the user-range check
      this.raise({ k: 'i', v: STATUS.ACCESS_VIOLATION }, line, col, name);
      return { k: 'i', v: 0 };
    }
    const c = this.choose(2, line, [`${name} succeeds`, `${name} raises`]);
    if (c === 1) this.raise(this.newExceptionCode(`exception code from ${name}`, PROBE_FOR_CODES), line, col, name);
    return { k: 'i', v: 0 };
  }

  /** IofCompleteRequest: unlock every MDL on Irp->MdlAddress, then (later) free them (§4b). */
  completeIrp(irp: Obj, line: number, col: number, passedDown = false, where?: { fn: string; file?: string; entryLine: number }): void {
    if (irp.irp?.completed !== undefined) {
      if (!passedDown) this.fault('irp-double-complete', line, col, { ddi: 'IoCompleteRequest' }, false, where);
      return;
    }
    if (this.spinLocks.size && this.trace) this.event(line, 'IoCompleteRequest while holding a spin lock');
    let cur = this.readField(irp, 'MdlAddress', line);
    for (let g = 0; g < 16; g++) {
      if (cur.k === 'i' && cur.v === 0) break;
      if (cur.k === 'u') {
        const u = this.unks[cur.id]!;
        if (u.obj === undefined) {
          if (!this.truth(cur, line, `${u.label} != NULL`)) break;
        }
      }
      const o = this.objOf(cur, line, 'IoCompleteRequest', false);
      if (!o) break;
      if (!o.mdl) o.mdl = { st: '?', origin: 'caller', line, mem: 'unknown', lockedHere: false, caller: true };
      const m = o.mdl;
      if (m.st === '?') {
        m.st = 'L';
        this.countLock(m, +1);
      }
      switch (m.st) {
        case 'L':
        case 'LM':
          this.countLock(m, -1);
          m.st = 'X';
          break;
        case 'F':
          this.fault('irp-completion-unlock-not-locked', line, col, { mdl: o.label }, false, where);
          m.st = 'X';
          break;
        case 'NP':
          this.fault('irp-completion-nonpaged', line, col, { mdl: o.label }, false, where);
          m.st = 'X';
          break;
        case 'PT':
        case 'PTM':
          this.fault('irp-completion-partial', line, col, { mdl: o.label }, false, where);
          m.st = 'X';
          break;
        case 'X':
          this.fault('use-after-free', line, col, { mdl: o.label, ddi: 'IoCompleteRequest' }, false, where);
          break;
        default:
          m.st = 'X';
          break;
      }
      cur = this.readField(o, 'Next', line);
    }
    irp.irp = { ...(irp.irp ?? { ioMgr: false }), completed: line };
    this.event(line, passedDown ? `IRP passed down: its MDLs will be unlocked and freed at completion` : `IRP completed: MDLs on Irp->MdlAddress unlocked and freed`);
  }

  // --- entry ---------------------------------------------------------------------------------

  runEntry(def: FnDef): { end: PathRecord['end']; exitLine?: number } {
    const vars = this.newObj('frame', false, def.name);
    const frame: Frame = { def, vars };
    this.frames.push(frame);
    const params: Val[] = [];
    for (const [i, p] of def.params.entries()) {
      const bound = p.ref ? undefined : this.opts.entryParams?.get(i);
      if (bound !== undefined) {
        // (an address every call passes, `&open->SecCtx`: the object it points to, never NULL)
        const v: Val = typeof bound === 'number' ? { k: 'i', v: bound } : this.bindParam(p.name, p.type, p.pointerDepth);
        if (v.k === 'u' && this.unks[v.id]!.hint !== 'mdl') this.unks[v.id]!.ne = [...(this.unks[v.id]!.ne ?? []), 0];
        params.push(v);
        if (p.name) vars.fields.set(p.name, v);
        continue;
      }
      if (p.ref && p.name) {
        // A reference parameter designates the caller's object.
        const target = this.newObj('ext', true, `&${p.name}`);
        target.fields.set('*', this.bindParam(p.name, p.type, p.pointerDepth));
        (frame.refs ??= new Set()).add(p.name);
        vars.fields.set(p.name, { k: 'p', o: target.id, f: '*' });
        continue;
      }
      const v = this.bindParam(p.name, p.type, p.pointerDepth);
      params.push(v);
      if (p.name) vars.fields.set(p.name, v);
    }
    let exitLine = def.endLine;
    let ret: Val | undefined;
    try {
      this.pageableEntry(def);
      try {
        this.exec(def.body);
      } catch (e) {
        if (e instanceof ReturnSig) {
          exitLine = e.line;
          ret = e.v;
        } else if (e instanceof UnwindSig || e instanceof GotoSig || e === BREAK || e === CONTINUE || e === LEAVE) {
          // stray control transfer: treat as falling off the end
        } else throw e;
      }
      this.curLine = exitLine;
      this.exitChecks(def, exitLine, ret);
      return { end: 'return', exitLine };
    } catch (e) {
      if (e instanceof EndSig) return { end: e.reason === 'fault' ? 'fault' : e.reason };
      throw e;
    }
  }

  private bindParam(name: string, type: string, depth: number): Val {
    const t = type.replace(/\b(const|volatile|struct|_In_|_Inout_)\b/g, '').replace(/\s+/g, '').trim();
    const isIrp = (t === 'PIRP' && depth === 0) || ((t === 'IRP' || t === '_IRP') && depth === 1);
    if (isIrp) {
      const o = this.newObj('irp', true, name || 'Irp');
      o.irp = { ioMgr: true };
      return { k: 'p', o: o.id };
    }
    const isDev = (t === 'PDEVICE_OBJECT' && depth === 0) || ((t === 'DEVICE_OBJECT' || t === '_DEVICE_OBJECT') && depth === 1);
    if (isDev) return { k: 'p', o: this.newObj('devobj', true, name || 'DeviceObject').id };
    const isMdl = (t === 'PMDL' && depth === 0) || ((t === 'MDL' || t === '_MDL') && depth === 1);
    return this.newUnk(name || 'parameter', isMdl ? 'mdl' : undefined);
  }

  private exitChecks(def: FnDef, line: number, ret: Val | undefined): void {
    const where = { fn: def.name, file: def.file, entryLine: line };
    this.leakCheck(line, ret, where, true);
    // A completion routine returning STATUS_MORE_PROCESSING_REQUIRED stops the completion of its IRP.
    const smpr = ret !== undefined && this.num(ret) === STATUS.MORE_PROCESSING_REQUIRED;
    // IRPs the I/O manager will complete later (passed down / pending / completed elsewhere).
    for (const o of this.objs) {
      if (smpr) break;
      if (o.kind === 'irp' && o.irp?.ioMgr && o.irp.completed === undefined && o.fields.has('MdlAddress')) {
        this.completeIrp(o, line, 1, true, where);
      }
    }
    // A helper's exits are its callers': the IRQL and the locks it returns with flow into them and are checked there.
    if (!this.opts.changesIrql && !this.opts.helper) {
      // A spin lock still held explains the IRQL at the exit: irql-not-restored is not shown there too.
      if (this.spinLocks.size || this.dpcLocks.size) this.fault('spinlock-held-at-exit', line, 1, {}, false, where);
      else {
        const now = this.irqlNow;
        // (an entry level nothing in the program tells: a fault only if the exit differs from every candidate)
        const differs = () => (this.opts.entryUnknown ? (this.opts.entryUnknownLevels ?? UNKNOWN_ENTRY_LEVELS).every((l) => l !== now) : this.entryIs((l) => l !== now));
        if (!this.atEntryLevel && differs()) this.fault('irql-not-restored', line, 1, { newIrql: this.entryIrql }, false, where);
      }
    }
  }

  /**
   * Locked pages no one can reach: roots are external objects (parameters' objects, globals,
   * results of external calls), objects handed to external code, the return value and the
   * variables of the frames still active (callers).
   */
  private leakCheck(line: number, ret: Val | undefined, where: { fn: string; file?: string; entryLine: number; stack?: StackEntry[] }, exitingTop = false, sinceSeq?: number): void {
    const live = exitingTop ? this.frames.slice(0, -1) : this.frames;
    // At a callee's exit, only the pages it (or its callees) locked: a caller's lock is the caller's.
    const liveFrames = new Set(live.map((f) => f.vars.id));
    // The MDLs this exit may report, first: the walk of what is still reachable is needed only when one of
    // them is locked (a function exit without such an MDL, the common case, costs a pass over the objects).
    const candidates: Obj[] = [];
    let anyLocked = false;
    for (const o of this.objs) {
      const m = o.mdl;
      if (!m || !m.lockedHere || m.leakReported) continue;
      if (!exitingTop && m.lockFrame !== undefined && liveFrames.has(m.lockFrame)) continue;
      // A lock taken before this callee was entered (by an earlier helper, whose result the caller
      // held) is the caller's: if the callee drops its last reference (`*Out = NULL`), the caller's
      // exit shows the leak, where the function that owns it returns.
      if (!exitingTop && sinceSeq !== undefined && (m.lockSeq ?? 0) < sinceSeq) continue;
      const locked = m.st === 'L' || m.st === 'LM';
      if (!locked && !(m.pagesLeaked && m.st === 'X')) continue;
      candidates.push(o);
      anyLocked ||= locked;
    }
    if (!candidates.length) return;
    const reach = new Set<number>();
    if (anyLocked) {
      const stack: number[] = [];
      const push = (id: number | undefined) => {
        if (id === undefined || reach.has(id)) return;
        reach.add(id);
        stack.push(id);
      };
      const pushVal = (v: Val | undefined) => {
        if (!v) return;
        if (v.k === 'p') push(v.o);
        else if (v.k === 'u') push(this.unks[v.id]!.obj);
      };
      for (const o of this.objs) if (o.ext || o.kind === 'global') push(o.id);
      for (const id of this.escaped) push(id);
      for (const f of live) push(f.vars.id);
      pushVal(ret);
      while (stack.length) {
        const o = this.objs[stack.pop()!]!;
        // A freed MDL / IRP / pool block holds no one: what only it pointed to is lost.
        if (o.freed !== undefined || o.mdl?.st === 'X' || o.irp?.freed !== undefined) continue;
        for (const v of o.fields.values()) pushVal(v);
      }
    }
    for (const o of candidates) {
      const m = o.mdl!;
      const locked = m.st === 'L' || m.st === 'LM';
      if ((locked && !reach.has(o.id)) || (m.pagesLeaked && m.st === 'X')) {
        this.curLine = line;
        m.leakReported = true;
        if (locked && m.lostBy) {
          // Dropped with its chain head / IRP and never unlocked since: that operation is the defect.
          const lb = m.lostBy;
          this.fault(lb.kind, lb.line, lb.column, { ...lb.ctx, lockedPages: this.processLockedPages, pages: m.pages }, false, {
            fn: lb.stack[0]!.fn,
            entryLine: lb.stack[lb.stack.length - 1]!.line,
            stack: lb.stack,
          });
          continue;
        }
        this.fault('locked-at-exit', line, 1, { mdl: o.label, userPages: m.mem !== 'paged' && m.mem !== 'nonpaged', lockedPages: this.processLockedPages, pages: m.pages }, false, where);
      }
    }
  }
}

/** Value of a constant whose definition the simulator does not see: deterministic, distinct per name. */
export function symbolicConstant(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619) >>> 0;
  return 0x100000 + (h % 0x3fffffff);
}

type Range = [number, number];
const BIG = 2 ** 52;

function splitRange(op: string, c: number, lo: number, hi: number): [Range, Range] {
  switch (op) {
    case '<':
      return [[lo, Math.min(hi, c - 1)], [Math.max(lo, c), hi]];
    case '<=':
      return [[lo, Math.min(hi, c)], [Math.max(lo, c + 1), hi]];
    case '>':
      return [[Math.max(lo, c + 1), hi], [lo, Math.min(hi, c)]];
    default:
      return [[Math.max(lo, c), hi], [lo, Math.min(hi, c - 1)]];
  }
}

export function fmtNum(n: number): string {
  if (n < 0 || n > 0xffff) return '0x' + (n >>> 0).toString(16).toUpperCase();
  return String(n);
}

/** Short source-like rendering of an expression for decision labels. */
const exprTexts = new WeakMap<Expr, string>();

/**
 * An expression as source-like text, for fault messages and path decisions. Memoized: a condition
 * is described each time a path tests it, and each operand of a chain `a0 && a1 && ...` is a prefix
 * of the chain, so describing them afresh cost the square of the chain's length on every path.
 */
export function exprText(e: Expr): string {
  let text = exprTexts.get(e);
  if (text === undefined) {
    text = describeExpr(e);
    exprTexts.set(e, text);
  }
  return text;
}

function describeExpr(e: Expr): string {
  switch (e.t) {
    case 'num':
      return fmtNum(e.v);
    case 'str':
      return '"…"';
    case 'id':
      return e.name;
    case 'call':
      return `${e.fn ?? exprText(e.callee)}(${e.args.map(exprText).join(', ')})`;
    case 'field':
      return `${exprText(e.obj)}->${e.name}`;
    case 'index':
      return `${exprText(e.obj)}[${exprText(e.idx)}]`;
    case 'assign':
      return `${exprText(e.left)} ${e.op} ${exprText(e.right)}`;
    case 'bin':
      return `${exprText(e.l)} ${e.op} ${exprText(e.r)}`;
    case 'un':
      return `${e.op}${exprText(e.e)}`;
    case 'deref':
      return `*${exprText(e.e)}`;
    case 'addr':
      return `&${exprText(e.e)}`;
    case 'upd':
      return e.prefix ? `${e.op}${exprText(e.e)}` : `${exprText(e.e)}${e.op}`;
    case 'cond':
      return `${exprText(e.c)} ? ${exprText(e.a)} : ${exprText(e.b)}`;
    case 'comma':
      return `${exprText(e.a)}, ${exprText(e.b)}`;
    case 'sizeof':
      return 'sizeof(…)';
    case 'init':
      return '{…}';
    case 'unk':
      return '…';
    case 'lcall':
      return 'lambda(…)';
  }
}

/** A value JavaScript's bitwise operators take as C takes a 32-bit integer (signed or not). */
function fits32(x: number): boolean {
  return Number.isInteger(x) && x >= -0x80000000 && x <= 0xffffffff;
}

/**
 * C's result of `x op y` where a JavaScript number holds it exactly, or undefined (the simulator makes an
 * unknown): a result past 2^53, a division by zero, a shift by a negative count or of a negative value to
 * the right, a negative operand of a bitwise operation wider than 32 bits. JavaScript's bitwise operators
 * cut their operands to 32 bits; a value wider than that is computed here as a 64-bit integer instead,
 * and a 32-bit one keeps the simulator's reading (0x80000000 to 0xFFFFFFFF negative, as NTSTATUS codes).
 */
function exactInt(op: string, x: number, y: number): number | undefined {
  if (!Number.isSafeInteger(x) || !Number.isSafeInteger(y)) return undefined;
  let r: number;
  if (op === '+') r = x + y;
  else if (op === '-') r = x - y;
  else if (op === '*') r = x * y;
  else if (op === '/' || op === '%') {
    if (y === 0) return undefined;
    r = op === '/' ? Math.trunc(x / y) : x % y;
  } else if (op === '&' || op === '|' || op === '^') {
    if (fits32(x) && fits32(y)) r = op === '&' ? x & y : op === '|' ? x | y : x ^ y;
    else if (x < 0 || y < 0) return undefined;
    else {
      const [bx, by] = [BigInt(x), BigInt(y)];
      r = Number(op === '&' ? bx & by : op === '|' ? bx | by : bx ^ by);
    }
  } else if (op === '<<') {
    if (y < 0 || y > 63) return undefined;
    if (x < 0) {
      if (!fits32(x) || y > 31) return undefined;
      r = x << y;
    } else {
      const wide = BigInt(x) << BigInt(y);
      if (wide <= 0xffffffffn) r = Number(BigInt.asIntN(32, wide));
      else if (y < 32 && x <= 0xffffffff) return undefined; // 32 bits overflowed: int or ULONGLONG?
      else r = Number(wide);
    }
  } else if (op === '>>') {
    if (x < 0 || y < 0) return undefined;
    r = y > 63 ? 0 : Number(BigInt(x) >> BigInt(y));
  } else return undefined;
  return Number.isSafeInteger(r) ? r : undefined;
}
