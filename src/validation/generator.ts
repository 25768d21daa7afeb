/**
 * Seeded, deterministic generator of driver-like functions for differential testing of the linter
 * against the simulator. A program is a small statement tree (so it can be shrunk) rendered to C.
 *
 * Half of the programs are "clean" (`GenCtx.clean`): their statements keep the MDL discipline (lock state
 * tracked by flag variables, exits through the cleanup label, mappings checked, helpers called on the right
 * state), so most functions have no fault and the linter's precision is measured on the rules' traps:
 * retries that unlock first or retry only after a raising probe, chain walks that unlock each MDL, IRPs
 * freed after their MDL is detached or unlocked, RequestorMode guards, `op`-selected writes, mappings that
 * cannot fail. The other half draw statements at random, each defect construct at a few percent: double
 * locks (sequence, loop, retry, `Irp->MdlAddress` of a `DRIVER_DISPATCH` routine), probes / unlocks /
 * rebuilds of nonpaged-built, partial and MmAllocatePagesForMdlEx MDLs, IoFreeMdl / IoFreeIrp of locked
 * MDLs, chain heads, use after free and double free (directly, through fields, through helpers),
 * KernelMode probes of caller-supplied addresses, swapped or illegal probe arguments, writes through the
 * system address of a read-locked MDL, unchecked mappings and mappings of unlocked MDLs. Same-file helpers
 * (`HELPER_TEXT`: lock and return / lock into `PMDL *Out`, unlock, free, unlock+free, probe a parameter,
 * build for nonpaged pool, rebuild a parameter) measure the cross-function summaries.
 *
 * The four IRQL rules of session 4 (spinlock-unbalanced, irql-not-restored, irql-pageable-at-dispatch,
 * irql-wait-at-dispatch) have their own statements (`lock-x`: spin-lock regions with early exits, double acquires,
 * double releases and their traps; `raise-x`: raises left unrestored, raised below, lowered out of order, and their
 * traps; `paged-call` / `paged-free`: pageable helpers and paged pool outside regions; waits and pageable calls are
 * `RegionItem`s inside the regions). They are drawn from a second random stream (`GenCtx.rng2`) and inserted before
 * a statement of any block with a small chance (`IRQL_X_CHANCE`), clean programs getting the traps only: every other
 * statement of a program is the one the main stream drew before these kinds existed. Some programs with raises get
 * a PASSIVE_LEVEL annotation (`GenProgram.entry`), without which returning raised is not a finding.
 *
 * Extending for a new rule: add a statement kind to `GStmt`, a case to `genStmt` (with a weight in
 * `KINDS`; and to `genCleanStmt` if it has a correct form) and to `renderStmt`, and name its variants in
 * `features` so `known.ts` can classify; shrinking works on any kind (it removes or flattens statements).
 * (Or draw it from the second stream as `genIrqlX` does, to leave the existing programs as they are.)
 */

/** What an MDL variable describes (its IoAllocateMdl VirtualAddress): `embedded` = a pointer read out of the METHOD_BUFFERED input. */
export type Buf = 'Buffer' | 'Irp->UserBuffer' | 'pool' | 'Type3InputBuffer' | 'SystemBuffer' | 'embedded';
/**
 * How an MDL variable is first made: `alloc` IoAllocateMdl; `nonpaged` IoAllocateMdl + MmBuildMdlForNonPagedPool;
 * `pages` MmAllocatePagesForMdlEx (released with MmFreePagesFromMdl + ExFreePool); `helper-*` by a helper of the file.
 */
export type Origin = 'alloc' | 'nonpaged' | 'pages' | 'helper-lock' | 'helper-lock-out' | 'helper-nonpaged';
/** AccessMode of the probes of an MDL; `guard` = KernelMode under `if (Irp->RequestorMode == KernelMode)`, else UserMode. */
export type Mode = 'UserMode' | 'KernelMode' | 'Irp->RequestorMode' | 'ExGetPreviousMode()' | 'accessMode' | 'guard';
export interface MdlSpec {
  buf: Buf;
  origin: Origin;
  mode: Mode;
}
/** The (AccessMode, Operation) arguments of a probe; `mode` undefined = the MDL's mode. */
export interface ProbeArgs {
  kind: 'IoReadAccess' | 'IoWriteAccess' | 'IoModifyAccess' | 'op' | 'swapped' | 'bad-op' | 'bad-mode';
  op: string;
  mode?: string;
}
export type Exit = { k: 'return'; status: string } | { k: 'goto' } | { k: 'none' };
export type Filter = 'execute' | 'av-only' | 'continue-search' | 'two-codes';
export type Cond =
  | { k: 'status-failed' }
  | { k: 'status-ok' }
  | { k: 'flag'; i: number }
  | { k: 'not-flag'; i: number }
  | { k: 'length'; n: number }
  | { k: 'ctx-flag'; bit: number }
  | { k: 'mdl-locked'; i: number }
  | { k: 'mdl-nonnull'; i: number };

export type MapCall = 'safe' | 'specify-false' | 'specify-true';
export type MapCheck = 'else' | 'early' | 'not-null' | 'ternary' | 'none' | 'assert';
export type MapUse = 'consume' | 'read' | 'copy-out' | 'write' | 'write-deref' | 'write-op';
export type HelperOp = 'GenUnlockMdl' | 'GenFreeMdl' | 'GenProbeMdl' | 'GenRebuild';

export type GStmt =
  | { k: 'alloc'; i: number; onNull: Exit }
  | { k: 'probe-try'; i: number; flag: boolean; filter: Filter; freeInHandler: boolean; exit: Exit; args: ProbeArgs }
  | { k: 'probe-bare'; i: number; flag: boolean }
  | { k: 'unlock'; i: number; clearFlag: boolean }
  /** `after`: `null` clears the variable; `keep` leaves it dangling; `realloc` allocates a new MDL into it. */
  | { k: 'free'; i: number; guarded: boolean; after: 'null' | 'keep' | 'realloc' }
  | { k: 'build'; i: number }
  | { k: 'partial'; src: number; dst: number }
  | { k: 'reuse'; i: number }
  | { k: 'map'; i: number; exit: Exit; call: MapCall; check: MapCheck; use: MapUse }
  | { k: 'status-op' }
  | { k: 'set-status'; status: string }
  | { k: 'if'; c: Cond; then: GStmt[]; else?: GStmt[] }
  | { k: 'exit'; e: Exit }
  | { k: 'loop'; n: number; body: GStmt[] }
  | { k: 'spin'; body: GStmt[]; queued: boolean }
  | { k: 'raise-irql'; body: GStmt[] }
  | { k: 'try-finally'; body: GStmt[]; fin: GStmt[]; outerExcept: boolean }
  | { k: 'leave' }
  | { k: 'store-irp'; i: number; clear: boolean }
  | { k: 'complete-irp' }
  /** A probe of `Irp->MdlAddress` (in a dispatch routine the I/O manager locked it already). */
  | { k: 'probe-irp-mdl'; exit: Exit }
  /** Probe retried: in a loop after a failed operation (with or without unlocking first), or after a probe that raised. */
  | { k: 'retry'; i: number; how: 'loop-unlock' | 'loop-no-unlock' | 'after-raise'; args: ProbeArgs }
  /** The MDL attached to an IRP this function allocates, then IoFreeIrp. */
  | { k: 'own-irp'; i: number; unlock: boolean; detach: boolean }
  /** mdl1 chained on mdl0->Next, then the chain released. */
  | { k: 'chain'; how: 'walk-unlock' | 'head-only' | 'walk-after-free' | 'walk-no-unlock' }
  /** A read of an MDL field (or MmGetMdlByteCount). */
  | { k: 'field'; i: number; f: 'ByteCount' | 'MdlFlags' | 'MmGetMdlByteCount' }
  | { k: 'helper-lock'; i: number; out: boolean }
  | { k: 'helper-release'; i: number; nullAfter: boolean }
  | { k: 'helper-op'; i: number; fn: HelperOp; nullAfter: boolean }
  /** The MDL handed to an external function (not defined in the file): it escapes. */
  | { k: 'pass-mdl'; i: number }
  /** A call of a routine with an IRQL contract (irql-too-high / irql-too-low), anywhere: under a spin lock, raised, or not. */
  | { k: 'irql-call'; call: IrqlCall }
  | { k: 'noise' }
  /** spinlock-unbalanced: a region of `Ctx->Lock` in one of its defect or trap shapes (see `LockShape`). */
  | { k: 'lock-x'; shape: LockShape; queued: boolean; body: RegionItem[]; c: Cond; exit: Exit }
  /** irql-not-restored: KeRaiseIrql / KeLowerIrql in one of its defect or trap shapes (see `RaiseShape`). */
  | { k: 'raise-x'; shape: RaiseShape; queued: boolean; body: RegionItem[]; c: Cond; exit: Exit; kf: boolean }
  /** irql-pageable-at-dispatch: a pageable helper of the file called outside any region (in a region it is a `RegionItem`). */
  | { k: 'paged-call'; fn: 'GenPagedHelper' | 'GenPagedWork' }
  /** irql-pageable-at-dispatch: a block of paged pool allocated here and freed inside (defect) or after (trap) a spin-lock region. */
  | { k: 'paged-free'; inside: boolean; queued: boolean };

/**
 * The shapes of spin-lock regions (`lock-x`), all on `Ctx->Lock` (plain or in-stack queued):
 * defects: `exit-return` (a return inside the region on some condition), `exit-goto` (a `goto cleanup` that skips the
 * release), `nested-cond` (KeAcquireSpinLockAtDpcLevel of the held lock on some condition), `nested-pair` (an inner
 * AtDpcLevel acquire / FromDpcLevel release pair, then the region's own release of the now free lock), `loop-acquire`
 * (KeAcquireSpinLockAtDpcLevel in every iteration of a loop under a raise, released once after it), `release-twice` (released again on a
 * status-failure branch after the region);
 * traps: `flag` (acquired on a condition, released under the flag that records it), `finally` (released in a
 * __finally, the body leaving early), `goto-local` (an early `goto` to a label that releases), `helper-release`
 * (released by a helper of the file, GenReleaseCtxLock), `try-lock` (KeTryToAcquireSpinLockAtDpcLevel of another
 * lock inside), `plain` (a correct region; its exit, if any, after the release).
 */
export type LockShape =
  | 'exit-return'
  | 'exit-goto'
  | 'nested-cond'
  | 'nested-pair'
  | 'loop-acquire'
  | 'release-twice'
  | 'flag'
  | 'finally'
  | 'goto-local'
  | 'helper-release'
  | 'try-lock'
  | 'plain';
/**
 * The shapes of raises (`raise-x`): defects: `raise-return` (a return between KeRaiseIrql(DISPATCH_LEVEL) and
 * KeLowerIrql: notRestored when the entry IRQL is known to be below DISPATCH_LEVEL, nothing otherwise),
 * `raise-below` (KeRaiseIrql / KfRaiseIrql to APC_LEVEL under a spin lock, lowered back: raiseBelow and the
 * lowerAbove that follows), `lower-above` (an error path with two nested raises lowered in the wrong order, then a
 * return: lowerAbove, and notRestored at the return, at a known entry IRQL below DISPATCH_LEVEL); traps: `nested-ok` (the same raises lowered in order), `raise-flag` (a
 * conditional raise lowered under the flag that records it), `raise-plain` (raise, body, lower; an exit after).
 */
export type RaiseShape = 'raise-return' | 'raise-below' | 'lower-above' | 'nested-ok' | 'raise-flag' | 'raise-plain';
/**
 * A statement inside a region of `lock-x` / `raise-x` (at DISPATCH_LEVEL there): neutral ones, waits
 * (irql-wait-at-dispatch: NULL or nonzero timeout, KeDelayExecutionThread; a zero timeout is legal) and calls of
 * the pageable helpers (irql-pageable-at-dispatch: PAGED_CODE(), `#pragma alloc_text(PAGE, ...)`).
 */
export type RegionItem = 'noise' | 'status-op' | 'stall' | 'set-event' | 'wait-zero' | 'wait-null' | 'wait-timeout' | 'delay' | 'paged-helper' | 'paged-work';
const NEUTRAL_ITEMS: readonly (readonly [RegionItem, number])[] = [
  ['noise', 4],
  ['status-op', 2],
  ['stall', 0.4],
  ['set-event', 0.3],
  ['wait-zero', 0.5],
];
const REGION_ITEMS: readonly (readonly [RegionItem, number])[] = [
  ...NEUTRAL_ITEMS,
  ['wait-null', 0.5],
  ['wait-timeout', 0.9],
  ['delay', 0.7],
  ['paged-helper', 1.2],
  ['paged-work', 1.1],
];
const LOCK_SHAPES: readonly (readonly [LockShape, number])[] = [
  ['exit-return', 3],
  ['exit-goto', 0.5],
  ['nested-cond', 1.2],
  ['nested-pair', 0.8],
  ['loop-acquire', 0.4],
  ['release-twice', 2],
  ['flag', 1.2],
  ['finally', 1],
  ['goto-local', 1],
  ['helper-release', 1],
  ['try-lock', 0.8],
  ['plain', 2.5],
];
const CLEAN_LOCK_SHAPES: readonly (readonly [LockShape, number])[] = LOCK_SHAPES.filter(([k]) => ['flag', 'finally', 'goto-local', 'helper-release', 'try-lock', 'plain'].includes(k));
const RAISE_SHAPES: readonly (readonly [RaiseShape, number])[] = [
  ['raise-return', 2.5],
  ['raise-below', 2],
  ['lower-above', 1.5],
  ['nested-ok', 1],
  ['raise-flag', 1],
  ['raise-plain', 1.5],
];
const CLEAN_RAISE_SHAPES: readonly (readonly [RaiseShape, number])[] = RAISE_SHAPES.filter(([k]) => ['nested-ok', 'raise-flag', 'raise-plain'].includes(k));
/** Chance that a statement of the four IRQL rules is inserted before a statement of a block (second stream). */
const IRQL_X_CHANCE = { defects: 0.08, clean: 0.06 };

export type IrqlCall = 'zw-close' | 'wait-null' | 'wait-zero' | 'paged-alloc' | 'nonpaged-alloc' | 'set-event-wait' | 'set-event' | 'dpc-lock' | 'stall';
const IRQL_CALLS: readonly (readonly [IrqlCall, number])[] = [
  ['zw-close', 1],
  ['wait-null', 1],
  ['wait-zero', 0.7],
  ['paged-alloc', 0.8],
  ['nonpaged-alloc', 0.6],
  ['set-event-wait', 0.6],
  ['set-event', 0.5],
  ['dpc-lock', 2.5],
  ['stall', 0.4],
];

export interface GenProgram {
  name: string;
  /** Number of MDL variables. */
  mdls: number;
  /** What each MDL variable describes, how it is made and probed. */
  specs: MdlSpec[];
  body: GStmt[];
  cleanup: GStmt[];
  /** Declared `DRIVER_DISPATCH Name;` with the (DeviceObject, Irp) signature. */
  dispatch: boolean;
  /** Initial value of the `accessMode` local. */
  accessModeInit: 'KernelMode' | 'Irp->RequestorMode';
  /** Generated to keep the MDL discipline (see GenCtx.clean): few faults, mostly traps. */
  clean: boolean;
  /**
   * An IRQL annotation of the function (not a DRIVER_DISPATCH one), given to some programs with `raise-x`
   * statements: their entry IRQL is then known, which irql-not-restored's defects need (with none, a function is
   * entered at PASSIVE_LEVEL..DISPATCH_LEVEL and returning at DISPATCH_LEVEL is not a finding). Exactly
   * PASSIVE_LEVEL either way: with a range (`_IRQL_requires_max_(APC_LEVEL)`) the simulator explores each level of
   * it and faults where one is wrong (ZwClose at APC_LEVEL), where the linter needs every level of the range wrong.
   */
  entry?: 'passive' | 'max-passive';
}

/** mulberry32 */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  weighted<T>(xs: readonly (readonly [T, number])[]): T {
    const total = xs.reduce((a, [, w]) => a + w, 0);
    let r = this.next() * total;
    for (const [x, w] of xs) {
      r -= w;
      if (r < 0) return x;
    }
    return xs[xs.length - 1]![0];
  }
}

const STATUSES = ['STATUS_UNSUCCESSFUL', 'STATUS_INVALID_PARAMETER', 'STATUS_BUFFER_TOO_SMALL', 'STATUS_INSUFFICIENT_RESOURCES'];

interface GenCtx {
  rng: Rng;
  mdls: number;
  specs: MdlSpec[];
  depth: number;
  budget: number;
  inFinallyTry: boolean;
  inLoop: boolean;
  usesGoto: boolean;
  /** The IRP is either completed here or given an MDL, once (a second store would drop the first MDL). */
  irpUsed: boolean;
  irpCompleted: boolean;
  /**
   * A correct-ish program: statements keep the MDL discipline (lock state tracked by the flag variables,
   * exits through the cleanup label), so most functions have no fault and precision is meaningful; the
   * variants are the rules' traps (checked mappings, retries that unlock, chain walks, helpers used right).
   */
  clean: boolean;
  /** The Operation each MDL was locked with by the skeleton (or its helper). */
  ops: ProbeArgs['kind'][];
  /** How each MDL is mapped (one way per MDL: a MmMapLockedPagesSpecifyCache of an MDL already mapped by the macro is another contract). */
  mapCalls: MapCall[];
  /**
   * The second stream: the statements of the four IRQL rules of session 4 (`lock-x`, `raise-x`, `paged-call`,
   * `paged-free`) are drawn from it only, and inserted between the statements drawn from `rng`, so that the other
   * statements of every program are the ones they were before these kinds existed.
   */
  rng2: Rng;
  /** Context flag bits used by the conditions of the second stream's statements (one each, see genCond2). */
  condBits: number;
}

/** Origins released by IoFreeMdl whose MDL a probe may legitimately lock. */
export const lockable = (o: Origin) => o === 'alloc' || o === 'helper-lock' || o === 'helper-lock-out';
const USER_BUFS: readonly Buf[] = ['Buffer', 'Irp->UserBuffer', 'Type3InputBuffer', 'embedded'];
export const isUserBuf = (b: Buf) => USER_BUFS.includes(b);

function genExit(g: GenCtx, allowNone = true): Exit {
  const r = g.rng.next();
  if (g.clean) {
    if (g.inFinallyTry || g.inLoop) return { k: 'none' };
    g.usesGoto = true;
    return { k: 'goto' };
  }
  if (r < 0.45) return { k: 'return', status: g.rng.pick(STATUSES) };
  if (r < 0.8 || !allowNone) {
    if (g.inFinallyTry || g.inLoop) return { k: 'return', status: g.rng.pick(STATUSES) };
    g.usesGoto = true;
    return { k: 'goto' };
  }
  return { k: 'none' };
}

function genCond(g: GenCtx): Cond {
  const i = g.rng.int(g.mdls);
  return g.rng.weighted<Cond>([
    [{ k: 'status-failed' }, 4],
    [{ k: 'status-ok' }, 2],
    [{ k: 'flag', i }, 3],
    [{ k: 'not-flag', i }, 1],
    [{ k: 'length', n: g.rng.pick([16, 64, 4096]) }, 3],
    [{ k: 'ctx-flag', bit: g.rng.pick([1, 2, 4]) }, 3],
    [{ k: 'mdl-locked', i }, 2],
    [{ k: 'mdl-nonnull', i }, 2],
  ]);
}

/** Probe arguments: mostly a legal Operation; rarely the two arguments swapped or an illegal value. */
function genProbeArgs(rng: Rng): ProbeArgs {
  const kind = rng.weighted<ProbeArgs['kind']>([
    ['IoReadAccess', 6],
    ['IoWriteAccess', 3],
    ['IoModifyAccess', 1],
    ['op', 0.6],
    ['swapped', 0.25],
    ['bad-op', 0.2],
    ['bad-mode', 0.2],
  ]);
  switch (kind) {
    case 'op':
      return { kind, op: 'op' };
    case 'swapped':
      return { kind, op: 'KernelMode', mode: rng.pick(['IoWriteAccess', 'IoReadAccess']) };
    case 'bad-op':
      return { kind, op: rng.pick(['KernelMode', 'UserMode', 'TRUE', 'FALSE', '3']) };
    case 'bad-mode':
      return { kind, op: rng.pick(['IoReadAccess', 'IoWriteAccess']), mode: rng.pick(['IoReadAccess', 'IoWriteAccess', 'IoModifyAccess', 'TRUE', '2']) };
    default:
      return { kind, op: kind };
  }
}

type Kind = GStmt['k'];
const KINDS: (readonly [Kind, number])[] = [
  ['alloc', 0], // emitted by the skeleton
  ['probe-try', 3],
  ['probe-bare', 0.4],
  ['unlock', 2.5],
  ['free', 1.8],
  ['build', 0.35],
  ['partial', 0.6],
  ['reuse', 0.15],
  ['map', 1.8],
  ['status-op', 2],
  ['set-status', 0.6],
  ['if', 3],
  ['exit', 0.8],
  ['loop', 0.6],
  ['spin', 0.7],
  ['raise-irql', 0.4],
  ['try-finally', 0.6],
  ['store-irp', 0.4],
  ['complete-irp', 0.3],
  ['probe-irp-mdl', 0.35],
  ['retry', 0.4],
  ['own-irp', 0.35],
  ['chain', 0.35],
  ['field', 0.5],
  ['helper-lock', 0.5],
  ['helper-release', 0.4],
  ['helper-op', 0.6],
  ['pass-mdl', 0.4],
  ['irql-call', 1.2],
  ['noise', 1],
];

function genBlock(g: GenCtx, n: number): GStmt[] {
  const out: GStmt[] = [];
  for (let k = 0; k < n && g.budget > 0; k++) {
    if (g.rng2.chance(g.clean ? IRQL_X_CHANCE.clean : IRQL_X_CHANCE.defects)) out.push(genIrqlX(g));
    out.push(genStmt(g));
  }
  return out;
}

/** An exit of a `lock-x` / `raise-x` statement, from the second stream (clean programs leave through the cleanup label). */
function genExit2(g: GenCtx, kinds: readonly ('return' | 'goto' | 'none')[] = ['return', 'goto', 'none']): Exit {
  const rng = g.rng2;
  const canGoto = !g.inLoop && !g.inFinallyTry && kinds.includes('goto');
  if (g.clean) return canGoto ? { k: 'goto' } : { k: 'none' };
  const r = rng.next();
  if (kinds.includes('return') && (r < 0.55 || (!canGoto && r < 0.85))) return { k: 'return', status: rng.pick(STATUSES) };
  if (canGoto && r < 0.85) return { k: 'goto' };
  if (kinds.includes('none')) return { k: 'none' };
  return kinds.includes('return') ? { k: 'return', status: rng.pick(STATUSES) } : { k: 'none' };
}

/**
 * The condition of an early exit or of a conditional acquire / raise: the status of a GenOperation in the region,
 * or a context flag bit no other condition of the program tests (a repeated test, or `Length > 64` after an exit
 * on `Length > 16`, would make code after the exit unreachable, which the IRQL and MDL analyses do not see).
 */
function genCond2(g: GenCtx, status: boolean): Cond {
  if (status && g.rng2.chance(0.5)) return { k: 'status-failed' };
  return { k: 'ctx-flag', bit: 0x10 << g.condBits++ % 20 };
}

function genItems(g: GenCtx, neutral: boolean, n = 1 + g.rng2.int(2)): RegionItem[] {
  const out: RegionItem[] = [];
  for (let k = 0; k < n; k++) out.push(g.rng2.weighted(neutral || g.clean ? NEUTRAL_ITEMS : REGION_ITEMS));
  return out;
}

/** A statement of the four IRQL rules of session 4 (drawn from the second stream; clean programs get the traps only). */
function genIrqlX(g: GenCtx): GStmt {
  const rng = g.rng2;
  const kind = rng.weighted<'lock-x' | 'raise-x' | 'paged-call' | 'paged-free'>(
    g.clean ? [['lock-x', 3], ['raise-x', 1.5], ['paged-call', 0.6], ['paged-free', 0.6]] : [['lock-x', 4], ['raise-x', 2.5], ['paged-call', 0.5], ['paged-free', 1.2]],
  );
  switch (kind) {
    case 'paged-call':
      return { k: 'paged-call', fn: rng.chance(0.5) ? 'GenPagedHelper' : 'GenPagedWork' };
    case 'paged-free':
      return { k: 'paged-free', inside: !g.clean && rng.chance(0.6), queued: rng.chance(0.3) };
    case 'raise-x': {
      const shape = rng.weighted(g.clean ? CLEAN_RAISE_SHAPES : RAISE_SHAPES);
      // IRQL-neutral bodies where the IRQL depends on the path (the rules are about every IRQL possible there)
      const body = genItems(g, shape === 'raise-flag');
      const exit =
        shape === 'raise-return' || shape === 'lower-above' ? genExit2(g, ['return']) : shape === 'raise-plain' ? genExit2(g) : { k: 'none' as const };
      return { k: 'raise-x', shape, queued: rng.chance(0.3), body, c: genCond2(g, body.includes('status-op')), exit, kf: rng.chance(0.15) };
    }
    case 'lock-x': {
      let shape = rng.weighted(g.clean ? CLEAN_LOCK_SHAPES : LOCK_SHAPES);
      if (shape === 'exit-goto' && (g.inLoop || g.inFinallyTry)) shape = 'exit-return';
      const queued = rng.chance(0.3) && shape !== 'helper-release' && shape !== 'loop-acquire';
      const body = genItems(g, shape === 'flag');
      let exit: Exit = { k: 'none' };
      if (shape === 'exit-return') exit = genExit2(g, ['return']);
      else if (shape === 'exit-goto') exit = { k: 'goto' };
      else if (shape === 'release-twice') exit = genExit2(g);
      else if (shape === 'finally') exit = g.clean || g.rng2.chance(0.5) ? { k: 'none' } : genExit2(g, ['return']);
      else if (shape === 'plain') exit = rng.chance(0.4) ? genExit2(g) : { k: 'none' };
      const c = shape === 'release-twice' ? ({ k: 'status-failed' } as const) : genCond2(g, body.includes('status-op'));
      return { k: 'lock-x', shape, queued, body, c, exit };
    }
  }
}

function genMap(g: GenCtx, i: number): GStmt {
  const rng = g.rng;
  const call = g.mapCalls[i]!;
  let check = rng.weighted<MapCheck>([['else', 6], ['early', 2], ['not-null', 2], ['ternary', 0.5], ['none', 2], ['assert', 0.8]]);
  let use = rng.weighted<MapUse>([['consume', 5], ['read', 2], ['copy-out', 1.5], ['write', 1.5], ['write-deref', 0.7], ['write-op', 0.7]]);
  let exit = genExit(g);
  if (check === 'early' && exit.k === 'none') exit = genExit(g, false);
  if (check === 'ternary') {
    use = 'read';
    if (call !== 'safe') check = 'not-null';
  }
  return { k: 'map', i, exit, call, check, use };
}

/** Statements of a clean program (see GenCtx.clean). */
function genCleanStmt(g: GenCtx): GStmt {
  const rng = g.rng;
  const i = rng.int(g.mdls);
  const spec = g.specs[i]!;
  const ifFlag = (then: GStmt[], neg = false): GStmt => ({ k: 'if', c: { k: neg ? 'not-flag' : 'flag', i }, then });
  const nested = g.depth < 2;
  const kind = rng.weighted<string>([
    ['status-op', 2],
    ['set-status', 0.5],
    ['if', nested ? 2.5 : 0],
    ['exit', 0.6],
    ['loop', nested ? 0.5 : 0],
    ['spin', 0.4],
    ['try-finally', nested ? 0.4 : 0],
    ['map', 2.5],
    ['field', 0.5],
    ['unlock', 0.6],
    ['retry', 0.5],
    ['own-irp', 0.4],
    ['chain', 0.4],
    ['helper', 0.8],
    ['store-irp', 0.3],
    ['complete-irp', 0.2],
    ['noise', 1],
  ]);
  switch (kind) {
    case 'status-op':
      return { k: 'status-op' };
    case 'set-status':
      return { k: 'set-status', status: rng.pick(STATUSES) };
    case 'if': {
      g.depth++;
      const c = genCond(g);
      const s: GStmt = { k: 'if', c, then: genBlock(g, 1 + rng.int(3)), else: rng.chance(0.3) ? genBlock(g, 1 + rng.int(2)) : undefined };
      g.depth--;
      return s;
    }
    case 'exit':
      if (g.inLoop || g.inFinallyTry) return { k: 'noise' };
      return { k: 'exit', e: genExit(g, false) };
    case 'loop': {
      g.depth++;
      const wasLoop = g.inLoop;
      g.inLoop = true;
      const s: GStmt = { k: 'loop', n: 1 + rng.int(3), body: genBlock(g, 1 + rng.int(3)) };
      g.inLoop = wasLoop;
      g.depth--;
      return s;
    }
    case 'spin':
      return { k: 'spin', body: [{ k: 'noise' }], queued: rng.chance(0.3) };
    case 'try-finally': {
      g.depth++;
      const was = g.inFinallyTry;
      g.inFinallyTry = true;
      const body = genBlock(g, 1 + rng.int(2));
      if (rng.chance(0.3)) body.splice(rng.int(body.length + 1), 0, { k: 'if', c: genCond(g), then: [{ k: 'leave' }] });
      g.inFinallyTry = was;
      g.depth--;
      return { k: 'try-finally', body, fin: [{ k: 'if', c: { k: 'flag', i }, then: [{ k: 'unlock', i, clearFlag: true }] }], outerExcept: true };
    }
    case 'map': {
      const m = genMap(g, i) as GStmt & { k: 'map' };
      const op = g.ops[i];
      const writable = op === 'IoWriteAccess' || op === 'IoModifyAccess';
      if ((m.use === 'write' || m.use === 'write-deref') && !writable) m.use = 'copy-out';
      if (m.use === 'write-op' && !(writable || op === 'op')) m.use = 'read';
      const neverNull = spec.origin === 'nonpaged' || spec.origin === 'helper-nonpaged' || m.call === 'specify-true';
      if ((m.check === 'none' || m.check === 'assert') && !neverNull) m.check = 'else';
      if (m.exit.k === 'return') m.exit = genExit(g);
      if (m.check === 'early' && m.exit.k === 'none') m.check = 'else';
      return lockable(spec.origin) ? ifFlag([m]) : m;
    }
    case 'field':
      return { k: 'field', i, f: rng.pick(['ByteCount', 'MdlFlags', 'MmGetMdlByteCount'] as const) };
    case 'unlock':
      if (!lockable(spec.origin)) return { k: 'noise' };
      return ifFlag([{ k: 'unlock', i, clearFlag: true }]);
    case 'retry':
      if (!lockable(spec.origin) || g.inFinallyTry) return { k: 'noise' };
      return { k: 'if', c: { k: 'mdl-nonnull', i }, then: [ifFlag([{ k: 'unlock', i, clearFlag: true }]), { k: 'retry', i, how: rng.chance(0.5) ? 'loop-unlock' : 'after-raise', args: legalArgs(g, i) }] };
    case 'own-irp': {
      if (!lockable(spec.origin)) return { k: 'noise' };
      const unlock = rng.chance(0.6);
      return { k: 'own-irp', i, unlock, detach: !unlock || rng.chance(0.4) };
    }
    case 'chain':
      if (g.mdls < 2 || !g.specs.every((x) => lockable(x.origin))) return { k: 'noise' };
      return { k: 'chain', how: 'walk-unlock' };
    case 'helper': {
      if (!lockable(spec.origin)) return { k: 'noise' };
      const which = rng.pick(['probe', 'unlock', 'release'] as const);
      if (which === 'probe') return ifFlag([{ k: 'helper-op', i, fn: 'GenProbeMdl', nullAfter: true }], true);
      if (which === 'unlock') return ifFlag([{ k: 'helper-op', i, fn: 'GenUnlockMdl', nullAfter: true }]);
      return ifFlag([{ k: 'helper-release', i, nullAfter: true }]);
    }
    case 'pass-mdl':
      return { k: 'pass-mdl', i };
    case 'store-irp':
      if (g.irpUsed || g.inLoop || !lockable(spec.origin)) return { k: 'noise' };
      g.irpUsed = true;
      // The I/O manager unlocks and frees the MDL at completion: hand over only a locked one.
      return ifFlag([{ k: 'store-irp', i, clear: true }]);
    case 'complete-irp':
      if (g.irpUsed || g.inLoop) return { k: 'noise' };
      g.irpUsed = true;
      g.irpCompleted = true;
      return { k: 'complete-irp' };
    default:
      return { k: 'noise' };
  }
}

/** Probe arguments a clean program uses for MDL i: the Operation it was first locked with. */
function legalArgs(g: GenCtx, i: number): ProbeArgs {
  const k = g.ops[i]!;
  return k === 'op' || k === 'IoReadAccess' || k === 'IoWriteAccess' || k === 'IoModifyAccess' ? { kind: k, op: k } : { kind: 'IoReadAccess', op: 'IoReadAccess' };
}

function genStmt(g: GenCtx): GStmt {
  g.budget--;
  if (g.clean) return genCleanStmt(g);
  const rng = g.rng;
  const i = rng.int(g.mdls);
  const spec = g.specs[i]!;
  const nested = g.depth < 2;
  let kind = rng.weighted(KINDS.filter(([k]) => nested || !['if', 'loop', 'spin', 'raise-irql', 'try-finally'].includes(k)));
  if (kind === 'leave' && !g.inFinallyTry) kind = 'noise';
  switch (kind) {
    case 'probe-try':
      return {
        k: 'probe-try',
        i,
        flag: rng.chance(0.6),
        filter: rng.weighted<Filter>([['execute', 12], ['av-only', 1], ['continue-search', 0.5], ['two-codes', 0.5]]),
        freeInHandler: rng.chance(0.4),
        exit: genExit(g),
        args: genProbeArgs(rng),
      };
    case 'probe-bare':
      return { k: 'probe-bare', i, flag: rng.chance(0.5) };
    case 'unlock':
      return { k: 'unlock', i, clearFlag: rng.chance(0.5) };
    case 'free':
      return { k: 'free', i, guarded: rng.chance(0.6), after: lockable(spec.origin) ? rng.weighted<'null' | 'keep' | 'realloc'>([['null', 70], ['keep', 23], ['realloc', 7]]) : 'null' };
    case 'build':
      return { k: 'build', i };
    case 'partial':
      return g.mdls > 1 ? { k: 'partial', src: 0, dst: 1 } : { k: 'noise' };
    case 'reuse':
      return g.mdls > 1 ? { k: 'reuse', i: 1 } : { k: 'noise' };
    case 'map':
      return genMap(g, i);
    case 'status-op':
      return { k: 'status-op' };
    case 'set-status':
      return { k: 'set-status', status: rng.pick(STATUSES) };
    case 'if': {
      g.depth++;
      const s: GStmt = { k: 'if', c: genCond(g), then: genBlock(g, 1 + rng.int(3)), else: rng.chance(0.3) ? genBlock(g, 1 + rng.int(2)) : undefined };
      g.depth--;
      return s;
    }
    case 'exit':
      return { k: 'exit', e: genExit(g, false) };
    case 'loop': {
      g.depth++;
      const wasLoop = g.inLoop;
      g.inLoop = true;
      const s: GStmt = { k: 'loop', n: 1 + rng.int(3), body: genBlock(g, 1 + rng.int(4)) };
      g.inLoop = wasLoop;
      g.depth--;
      return s;
    }
    case 'spin': {
      g.depth++;
      const body: GStmt[] = [];
      const n = 1 + rng.int(2);
      for (let k = 0; k < n; k++) {
        const r = rng.int(3);
        body.push(r === 0 ? { k: 'unlock', i: rng.int(g.mdls), clearFlag: rng.chance(0.5) } : r === 1 ? { k: 'irql-call', call: rng.weighted(IRQL_CALLS) } : { k: 'noise' });
      }
      g.depth--;
      return { k: 'spin', body, queued: rng.chance(0.3) };
    }
    case 'raise-irql': {
      const r = rng.int(3);
      return { k: 'raise-irql', body: [r === 0 ? { k: 'unlock', i, clearFlag: true } : r === 1 ? { k: 'irql-call', call: rng.weighted(IRQL_CALLS) } : { k: 'noise' }] };
    }
    case 'irql-call':
      return { k: 'irql-call', call: rng.weighted(IRQL_CALLS) };
    case 'try-finally': {
      g.depth++;
      const was = g.inFinallyTry;
      g.inFinallyTry = true;
      const body = genBlock(g, 1 + rng.int(3));
      if (rng.chance(0.3)) body.splice(rng.int(body.length + 1), 0, { k: 'if', c: genCond(g), then: [{ k: 'leave' }] });
      g.inFinallyTry = was;
      const fin: GStmt[] = [{ k: 'if', c: { k: 'flag', i }, then: [{ k: 'unlock', i, clearFlag: true }] }];
      g.depth--;
      return { k: 'try-finally', body, fin, outerExcept: rng.chance(0.7) };
    }
    case 'store-irp':
      // Ownership moves to the IRP: the local reference is dropped (keeping and freeing it too is a
      // use-after-free at completion, outside both rules).
      if (g.irpUsed || g.inLoop || !lockable(spec.origin)) return { k: 'noise' };
      g.irpUsed = true;
      return { k: 'store-irp', i, clear: true };
    case 'complete-irp':
      if (g.irpUsed || g.inLoop) return { k: 'noise' };
      g.irpUsed = true;
      g.irpCompleted = true;
      return { k: 'complete-irp' };
    case 'probe-irp-mdl':
      if (g.irpCompleted) return { k: 'noise' };
      return { k: 'probe-irp-mdl', exit: genExit(g) };
    case 'retry':
      if (g.inFinallyTry) return { k: 'noise' };
      return { k: 'retry', i, how: rng.weighted<'loop-unlock' | 'loop-no-unlock' | 'after-raise'>([['loop-unlock', 2], ['loop-no-unlock', 1], ['after-raise', 1.5]]), args: genProbeArgs(rng) };
    case 'own-irp':
      if (!lockable(spec.origin)) return { k: 'noise' };
      return { k: 'own-irp', i, unlock: rng.chance(0.5), detach: rng.chance(0.4) };
    case 'chain':
      if (g.mdls < 2 || !g.specs.every((x) => lockable(x.origin))) return { k: 'noise' };
      return { k: 'chain', how: rng.weighted<'walk-unlock' | 'head-only' | 'walk-after-free' | 'walk-no-unlock'>([['walk-unlock', 4], ['head-only', 2], ['walk-after-free', 1], ['walk-no-unlock', 1]]) };
    case 'field':
      return { k: 'field', i, f: rng.pick(['ByteCount', 'MdlFlags', 'MmGetMdlByteCount'] as const) };
    case 'helper-lock':
      if (!lockable(spec.origin)) return { k: 'noise' };
      return { k: 'helper-lock', i, out: rng.chance(0.4) };
    case 'helper-release':
      if (!lockable(spec.origin)) return { k: 'noise' };
      return { k: 'helper-release', i, nullAfter: rng.chance(0.85) };
    case 'helper-op': {
      const fn = rng.weighted<HelperOp>([['GenUnlockMdl', 3], ['GenFreeMdl', 2], ['GenProbeMdl', 3], ['GenRebuild', 0.7]]);
      if (fn === 'GenFreeMdl' && !lockable(spec.origin)) return { k: 'noise' };
      return { k: 'helper-op', i, fn, nullAfter: rng.chance(0.75) };
    }
    case 'pass-mdl':
      return { k: 'pass-mdl', i };
    default:
      return { k: 'noise' };
  }
}

function genSpec(rng: Rng, clean: boolean): MdlSpec {
  const origin = rng.weighted<Origin>([['alloc', 82], ['nonpaged', 5], ['pages', 4], ['helper-lock', 3], ['helper-lock-out', 3], ['helper-nonpaged', 3]]);
  if (origin === 'nonpaged' || origin === 'pages' || origin === 'helper-nonpaged') return { buf: 'pool', origin, mode: 'KernelMode' };
  const buf: Buf =
    origin === 'alloc'
      ? rng.weighted<Buf>([['Buffer', 4], ['Irp->UserBuffer', 2], ['pool', 1], ['Type3InputBuffer', 0.6], ['SystemBuffer', 0.4], ['embedded', 0.4]])
      : rng.pick(['Buffer', 'Irp->UserBuffer'] as const);
  // A UserMode probe of a kernel (pool) buffer always raises: kernel buffers are probed with KernelMode.
  const mode: Mode = isUserBuf(buf)
    ? rng.weighted<Mode>([['UserMode', 6], ['Irp->RequestorMode', 2], ['ExGetPreviousMode()', 0.8], ['KernelMode', clean ? 0 : 0.9], ['accessMode', 0.5], ['guard', 0.5]])
    : 'KernelMode';
  return { buf, origin, mode };
}

export function generateProgram(seed: number, index: number): GenProgram {
  const rng = new Rng((seed * 0x9e3779b1 + index * 0x85ebca6b) >>> 0);
  const mdls = rng.chance(0.3) ? 2 : 1;
  const clean = rng.chance(0.5);
  const specs: MdlSpec[] = [];
  for (let i = 0; i < mdls; i++) specs.push(genSpec(rng, clean));
  const dispatch = rng.chance(0.15);
  const accessModeInit = rng.chance(0.5) ? 'KernelMode' : 'Irp->RequestorMode';
  if (clean && accessModeInit === 'KernelMode') for (const sp of specs) if (sp.mode === 'accessMode') sp.mode = 'UserMode';
  const g: GenCtx = {
    rng,
    mdls,
    specs,
    depth: 0,
    budget: 4 + rng.int(9),
    inFinallyTry: false,
    inLoop: false,
    usesGoto: false,
    irpUsed: false,
    irpCompleted: false,
    clean,
    ops: specs.map((sp) => (sp.origin === 'helper-lock-out' ? 'IoWriteAccess' : 'IoReadAccess')),
    mapCalls: specs.map(() => rng.weighted<MapCall>([['safe', 8], ['specify-false', 1], ['specify-true', 1]])),
    rng2: new Rng(((seed * 0x9e3779b1 + index * 0x85ebca6b) ^ 0x5bd1e995) >>> 0),
    condBits: 0,
  };
  const body: GStmt[] = [];
  for (let i = 0; i < mdls; i++) {
    body.push({ k: 'alloc', i, onNull: genExit(g, false) });
    // The usual shape: a probe right after the allocation, most of the time (rarely for MDLs that must not be probed).
    const origin = specs[i]!.origin;
    const p = origin === 'alloc' ? (clean ? 0.9 : 0.75) : clean ? 0 : lockable(origin) ? 0.04 : 0.1;
    if (rng.chance(p)) {
      let args = genProbeArgs(rng);
      if (clean && !['IoReadAccess', 'IoWriteAccess', 'IoModifyAccess', 'op'].includes(args.kind)) args = { kind: 'IoReadAccess', op: 'IoReadAccess' };
      g.ops[i] = args.kind;
      body.push({
        k: 'probe-try',
        i,
        flag: clean || rng.chance(0.6),
        filter: clean || rng.chance(0.93) ? 'execute' : 'av-only',
        freeInHandler: rng.chance(0.5),
        exit: genExit(g),
        args,
      });
    }
  }
  body.push(...genBlock(g, g.budget));
  const cleanup: GStmt[] = [];
  if (g.usesGoto || clean || rng.chance(0.5)) {
    for (let i = 0; i < mdls; i++) {
      const r = rng.next();
      if (lockable(specs[i]!.origin)) {
        if (r < 0.5 || (clean && r >= 0.65)) cleanup.push({ k: 'if', c: { k: 'flag', i }, then: [{ k: 'unlock', i, clearFlag: true }] });
        else if (r < 0.65) cleanup.push({ k: 'if', c: { k: 'mdl-locked', i }, then: [{ k: 'unlock', i, clearFlag: true }] });
        else if (r < 0.8) cleanup.push({ k: 'unlock', i, clearFlag: false });
      } else if (r < 0.05 && !clean) cleanup.push({ k: 'unlock', i, clearFlag: false });
      if (clean || rng.chance(0.8)) cleanup.push({ k: 'free', i, guarded: true, after: 'null' });
    }
  }
  const p: GenProgram = { name: `Gen_${seed}_${index}`, mdls, specs, body, cleanup, dispatch, accessModeInit, clean };
  // a known entry IRQL for some of the functions that raise (irql-not-restored's findings need one)
  if (!dispatch && containsKind(body, 'raise-x') && g.rng2.chance(0.5)) p.entry = g.rng2.chance(0.5) ? 'max-passive' : 'passive';
  return p;
}

export function containsKind(stmts: GStmt[], kind: Kind): boolean {
  for (const s of stmts) {
    if (s.k === kind) return true;
    for (const sub of children(s)) if (containsKind(sub, kind)) return true;
  }
  return false;
}

function children(s: GStmt): GStmt[][] {
  switch (s.k) {
    case 'if':
      return s.else ? [s.then, s.else] : [s.then];
    case 'loop':
    case 'spin':
    case 'raise-irql':
      return [s.body];
    case 'try-finally':
      return [s.body, s.fin];
    default:
      return [];
  }
}

/** Helper functions of the file a program calls (rendered before it, in this order). */
export function helpersUsed(p: GenProgram): string[] {
  const used = new Set<string>();
  for (const sp of p.specs) {
    if (sp.origin === 'helper-lock') used.add('GenLockMdl');
    if (sp.origin === 'helper-lock-out') used.add('GenLockMdlOut');
    if (sp.origin === 'helper-nonpaged') used.add('GenBuildNonPaged');
  }
  const walk = (ss: GStmt[]) => {
    for (const s of ss) {
      if (s.k === 'helper-lock') used.add(s.out ? 'GenLockMdlOut' : 'GenLockMdl');
      if (s.k === 'helper-release') used.add('GenReleaseMdl');
      if (s.k === 'helper-op') used.add(s.fn);
      if (s.k === 'lock-x' && s.shape === 'helper-release') used.add('GenReleaseCtxLock');
      if (s.k === 'paged-call') used.add(s.fn);
      if (s.k === 'lock-x' || s.k === 'raise-x') {
        if (s.body.includes('paged-helper')) used.add('GenPagedHelper');
        if (s.body.includes('paged-work')) used.add('GenPagedWork');
      }
      for (const c of children(s)) walk(c);
    }
  };
  walk(p.body);
  walk(p.cleanup);
  return Object.keys(HELPER_TEXT).filter((h) => used.has(h));
}

/** Features of a program (statement kinds and variants), for the allow-list. */
export function features(p: GenProgram): Set<string> {
  const f = new Set<string>();
  const bits = new Set<number>();
  const walk = (ss: GStmt[]) => {
    for (const s of ss) {
      if (s.k === 'build' && f.has('build')) f.add('build-repeated');
      f.add(s.k);
      if (s.k === 'probe-try') f.add(`filter:${s.filter}`);
      if (s.k === 'probe-try' || s.k === 'retry') f.add(`op:${s.args.kind}`);
      if (s.k === 'if') f.add(`cond:${s.c.k}`);
      if (s.k === 'if' && s.c.k === 'ctx-flag') {
        if (bits.has(s.c.bit)) f.add('ctx-flag-repeated');
        bits.add(s.c.bit);
      }
      if (s.k === 'try-finally' && !s.outerExcept) f.add('finally-without-except');
      if (s.k === 'free') f.add(`free:${s.after}`);
      if (s.k === 'map') {
        f.add(`map:${s.call}`);
        f.add(`check:${s.check}`);
        f.add(`use:${s.use}`);
      }
      if (s.k === 'retry') f.add(`retry:${s.how}`);
      if (s.k === 'chain') f.add(`chain:${s.how}`);
      if (s.k === 'field') f.add(`field:${s.f}`);
      if (s.k === 'irql-call') f.add(`irql:${s.call}`);
      if (s.k === 'helper-release' && !s.nullAfter) f.add('helper-release:keep');
      if (s.k === 'helper-op' && s.fn === 'GenFreeMdl' && !s.nullAfter) f.add('GenFreeMdl:keep');
      if (s.k === 'own-irp') f.add(`own-irp:${s.unlock ? 'unlock' : 'no-unlock'}:${s.detach ? 'detach' : 'attached'}`);
      if (s.k === 'lock-x' || s.k === 'raise-x') {
        f.add(`${s.k === 'lock-x' ? 'lock' : 'raise'}:${s.shape}`);
        if (s.queued) f.add(`${s.k}:queued`);
        if (s.exit.k !== 'none') f.add(`${s.k}-exit:${s.exit.k}`);
        for (const it of s.body) f.add(`item:${it}`);
      }
      if (s.k === 'raise-x' && s.kf) f.add('raise-x:KfRaiseIrql');
      if (s.k === 'paged-call') f.add(`paged-call:${s.fn}`);
      if (s.k === 'paged-free') f.add(`paged-free:${s.inside ? 'inside' : 'outside'}`);
      for (const c of children(s)) walk(c);
    }
  };
  walk(p.body);
  walk(p.cleanup);
  if (p.mdls > 1) f.add('two-mdls');
  for (const sp of p.specs) {
    f.add(`origin:${sp.origin}`);
    f.add(`buf:${sp.buf}`);
    f.add(`mode:${sp.mode}`);
  }
  for (const h of helpersUsed(p)) f.add(`helper:${h}`);
  if (p.dispatch) f.add('dispatch');
  if (p.clean) f.add('clean');
  if (p.entry) f.add(`entry:${p.entry}`);
  return f;
}

// ---------------------------------------------------------------------------------------------
// Rendering

const HEADER = `/* Generated by ddi-lint's differential validator. */
typedef struct _GEN_CONTEXT { ULONG Flags; KSPIN_LOCK Lock; ULONG Count; PMDL Kept; KSPIN_LOCK Lock2; HANDLE Handle; KEVENT Event; } GEN_CONTEXT, *PGEN_CONTEXT;
typedef struct _GEN_REQUEST { PVOID Address; ULONG Length; } GEN_REQUEST, *PGEN_REQUEST;
NTSTATUS GenOperation(PGEN_CONTEXT Ctx, ULONG Length);
VOID GenConsume(PVOID Va, ULONG Length);
VOID GenKeepMdl(PGEN_CONTEXT Ctx, PMDL Mdl);
`;

/** Helpers of the file (correct themselves): the callers' use of them measures the cross-function summaries. */
const HELPER_TEXT: Record<string, string> = {
  GenLockMdl: `
PMDL GenLockMdl(PVOID Buffer, ULONG Length)
{
    PMDL mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    if (mdl == NULL) {
        return NULL;
    }
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return NULL;
    }
    return mdl;
}
`,
  GenLockMdlOut: `
NTSTATUS GenLockMdlOut(PVOID Buffer, ULONG Length, PMDL *Out)
{
    PMDL mdl;

    *Out = NULL;
    mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    if (mdl == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    *Out = mdl;
    return STATUS_SUCCESS;
}
`,
  GenBuildNonPaged: `
PMDL GenBuildNonPaged(PVOID Pool, ULONG Length)
{
    PMDL mdl = IoAllocateMdl(Pool, Length, FALSE, FALSE, NULL);
    if (mdl != NULL) {
        MmBuildMdlForNonPagedPool(mdl);
    }
    return mdl;
}
`,
  GenReleaseMdl: `
VOID GenReleaseMdl(PMDL Mdl)
{
    MmUnlockPages(Mdl);
    IoFreeMdl(Mdl);
}
`,
  GenUnlockMdl: `
VOID GenUnlockMdl(PMDL Mdl)
{
    MmUnlockPages(Mdl);
}
`,
  GenFreeMdl: `
VOID GenFreeMdl(PMDL Mdl)
{
    IoFreeMdl(Mdl);
}
`,
  GenProbeMdl: `
NTSTATUS GenProbeMdl(PMDL Mdl, KPROCESSOR_MODE Mode)
{
    __try {
        MmProbeAndLockPages(Mdl, Mode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}
`,
  GenRebuild: `
VOID GenRebuild(PMDL Mdl)
{
    MmBuildMdlForNonPagedPool(Mdl);
}
`,
  // Releases the lock its caller took (spinlock-unbalanced's cross-function trap).
  GenReleaseCtxLock: `
VOID GenReleaseCtxLock(PGEN_CONTEXT Ctx, KIRQL OldIrql)
{
    Ctx->Count++;
    KeReleaseSpinLock(&Ctx->Lock, OldIrql);
}
`,
  // Pageable code: PAGED_CODE() (irql-pageable-at-dispatch's pagedCode when called at DISPATCH_LEVEL).
  GenPagedHelper: `
VOID GenPagedHelper(PGEN_CONTEXT Ctx)
{
    PAGED_CODE();
    Ctx->Count += 2;
}
`,
  // Placed in the PAGE section without PAGED_CODE() (pageSection when called at DISPATCH_LEVEL).
  GenPagedWork: `
VOID GenPagedWork(PGEN_CONTEXT Ctx);
#pragma alloc_text(PAGE, GenPagedWork)

VOID GenPagedWork(PGEN_CONTEXT Ctx)
{
    Ctx->Count += 3;
}
`,
};

const LOOP_VARS = ['i', 'j', 'k'];
let loopDepth = 0;
/** The program being rendered. */
let cur: GenProgram | undefined;
const specOf = (i: number): MdlSpec => cur?.specs[i] ?? { buf: 'Buffer', origin: 'alloc', mode: 'UserMode' };

function bufText(b: Buf): string {
  switch (b) {
    case 'Type3InputBuffer':
      return 'irpSp->Parameters.DeviceIoControl.Type3InputBuffer';
    case 'SystemBuffer':
      return 'Irp->AssociatedIrp.SystemBuffer';
    case 'embedded':
      return 'request->Address';
    default:
      return b;
  }
}

/** The MmProbeAndLockPages call(s) of MDL i, one per line (two under a RequestorMode guard). */
function probeLines(i: number, args: ProbeArgs, ind: string, out: string[]): void {
  const m = specOf(i).mode;
  if (args.mode === undefined && m === 'guard') {
    out.push(`${ind}if (Irp->RequestorMode == KernelMode) {`);
    out.push(`${ind}    MmProbeAndLockPages(mdl${i}, KernelMode, ${args.op});`);
    out.push(`${ind}} else {`);
    out.push(`${ind}    MmProbeAndLockPages(mdl${i}, UserMode, ${args.op});`);
    out.push(`${ind}}`);
    return;
  }
  out.push(`${ind}MmProbeAndLockPages(mdl${i}, ${args.mode ?? m}, ${args.op});`);
}

/** The mode a helper probing MDL i is given: the caller's mode, never KernelMode on a caller-supplied buffer. */
function helperMode(i: number): string {
  const sp = specOf(i);
  if (!isUserBuf(sp.buf)) return 'KernelMode';
  return sp.mode === 'Irp->RequestorMode' || sp.mode === 'ExGetPreviousMode()' ? sp.mode : 'UserMode';
}

const helperBuf = (i: number) => (isUserBuf(specOf(i).buf) ? bufText(specOf(i).buf) : 'Buffer');

function condText(c: Cond): string {
  switch (c.k) {
    case 'status-failed':
      return '!NT_SUCCESS(status)';
    case 'status-ok':
      return 'NT_SUCCESS(status)';
    case 'flag':
      return `locked${c.i}`;
    case 'not-flag':
      return `!locked${c.i}`;
    case 'length':
      return `Length > ${c.n}`;
    case 'ctx-flag':
      return `(Ctx->Flags & ${c.bit >= 16 ? `0x${c.bit.toString(16)}` : c.bit}) != 0`;
    case 'mdl-locked':
      return `mdl${c.i} != NULL && (mdl${c.i}->MdlFlags & MDL_PAGES_LOCKED)`;
    case 'mdl-nonnull':
      return `mdl${c.i} != NULL`;
  }
}

function exitText(e: Exit, ind: string, statusFirst?: string): string[] {
  const pre = statusFirst ? [`${ind}status = ${statusFirst};`] : [];
  switch (e.k) {
    case 'return':
      return [...pre, `${ind}return ${statusFirst ? 'status' : e.status};`];
    case 'goto':
      return [...pre, `${ind}goto cleanup;`];
    case 'none':
      return pre;
  }
}

function renderStmts(ss: GStmt[], ind: string, out: string[]): void {
  for (const s of ss) renderStmt(s, ind, out);
}

/**
 * MDL operations are rendered under `if (mdlN != NULL)`: a variable may be NULL after a free or a
 * failed helper, and a NULL dereference (a crash neither rule is about) would end the simulated
 * path before the exit the rules talk about.
 */
function guarded(i: number | number[], ind: string, out: string[], body: (ind: string) => void): void {
  const is = Array.isArray(i) ? i : [i];
  out.push(`${ind}if (${is.map((x) => `mdl${x} != NULL`).join(' && ')}) {`);
  body(ind + '    ');
  out.push(`${ind}}`);
}

/** The release of MDL i as its origin requires. */
function freeLines(i: number, ind: string, out: string[]): void {
  if (specOf(i).origin === 'pages') {
    out.push(`${ind}MmFreePagesFromMdl(mdl${i});`);
    out.push(`${ind}ExFreePool(mdl${i});`);
  } else out.push(`${ind}IoFreeMdl(mdl${i});`);
}

function renderAlloc(s: GStmt & { k: 'alloc' }, ind: string, out: string[]): void {
  const i2 = ind + '    ';
  const sp = specOf(s.i);
  const onNull = () => {
    const e = exitText(s.onNull, i2, 'STATUS_INSUFFICIENT_RESOURCES');
    out.push(...(e.length > 1 ? e : [...e, `${i2}return STATUS_INSUFFICIENT_RESOURCES;`]));
    out.push(`${ind}}`);
  };
  switch (sp.origin) {
    case 'alloc':
    case 'nonpaged':
      out.push(`${ind}mdl${s.i} = IoAllocateMdl(${bufText(sp.buf)}, Length, FALSE, FALSE, NULL);`);
      out.push(`${ind}if (mdl${s.i} == NULL) {`);
      onNull();
      if (sp.origin === 'nonpaged') out.push(`${ind}MmBuildMdlForNonPagedPool(mdl${s.i});`);
      return;
    case 'pages':
      out.push(`${ind}mdl${s.i} = MmAllocatePagesForMdlEx(lowAddress, highAddress, skipBytes, Length, MmCached, MM_ALLOCATE_FULLY_REQUIRED);`);
      out.push(`${ind}if (mdl${s.i} == NULL) {`);
      onNull();
      return;
    case 'helper-nonpaged':
      out.push(`${ind}mdl${s.i} = GenBuildNonPaged(pool, Length);`);
      out.push(`${ind}if (mdl${s.i} == NULL) {`);
      onNull();
      return;
    case 'helper-lock':
      out.push(`${ind}mdl${s.i} = GenLockMdl(${bufText(sp.buf)}, Length);`);
      out.push(`${ind}if (mdl${s.i} == NULL) {`);
      onNull();
      out.push(`${ind}locked${s.i} = TRUE;`);
      return;
    case 'helper-lock-out': {
      out.push(`${ind}status = GenLockMdlOut(${bufText(sp.buf)}, Length, &mdl${s.i});`);
      out.push(`${ind}if (!NT_SUCCESS(status)) {`);
      const e = exitText(s.onNull, i2);
      out.push(...(e.length ? e : [`${i2}return status;`]));
      out.push(`${ind}}`);
      out.push(`${ind}locked${s.i} = TRUE;`);
      return;
    }
  }
}

function renderStmt(s: GStmt, ind: string, out: string[]): void {
  switch (s.k) {
    case 'alloc':
      renderAlloc(s, ind, out);
      return;
    case 'probe-try':
      guarded(s.i, ind, out, (ind2) => renderProbeTry(s, ind2, out));
      return;
    case 'probe-bare':
      guarded(s.i, ind, out, (ind2) => {
        out.push(`${ind2}MmProbeAndLockPages(mdl${s.i}, KernelMode, IoReadAccess);`);
        if (s.flag) out.push(`${ind2}locked${s.i} = TRUE;`);
      });
      return;
    case 'unlock':
      guarded(s.i, ind, out, (ind2) => {
        out.push(`${ind2}MmUnlockPages(mdl${s.i});`);
        if (s.clearFlag) out.push(`${ind2}locked${s.i} = FALSE;`);
      });
      return;
    case 'build':
      guarded(s.i, ind, out, (ind2) => out.push(`${ind2}MmBuildMdlForNonPagedPool(mdl${s.i});`));
      return;
    case 'partial':
      guarded([s.src, s.dst], ind, out, (ind2) => out.push(`${ind2}IoBuildPartialMdl(mdl${s.src}, mdl${s.dst}, MmGetMdlVirtualAddress(mdl${s.src}), 16);`));
      return;
    case 'reuse':
      guarded(s.i, ind, out, (ind2) => out.push(`${ind2}MmPrepareMdlForReuse(mdl${s.i});`));
      return;
    case 'map':
      guarded(s.i, ind, out, (ind2) => renderMap(s, ind2, out));
      return;
    default:
      renderOther(s, ind, out);
  }
}

function filterText(f: Filter): string {
  return f === 'execute'
    ? 'EXCEPTION_EXECUTE_HANDLER'
    : f === 'av-only'
      ? 'GetExceptionCode() == STATUS_ACCESS_VIOLATION ? EXCEPTION_EXECUTE_HANDLER : EXCEPTION_CONTINUE_SEARCH'
      : f === 'two-codes'
        ? '(GetExceptionCode() == STATUS_ACCESS_VIOLATION || GetExceptionCode() == STATUS_IN_PAGE_ERROR) ? EXCEPTION_EXECUTE_HANDLER : EXCEPTION_CONTINUE_SEARCH'
        : 'EXCEPTION_CONTINUE_SEARCH';
}

function renderProbeTry(s: GStmt & { k: 'probe-try' }, ind: string, out: string[]): void {
  const i2 = ind + '    ';
  out.push(`${ind}__try {`);
  probeLines(s.i, s.args, i2, out);
  if (s.flag) out.push(`${i2}locked${s.i} = TRUE;`);
  out.push(`${ind}} __except (${filterText(s.filter)}) {`);
  out.push(`${i2}status = GetExceptionCode();`);
  if (s.freeInHandler) {
    freeLines(s.i, i2, out);
    out.push(`${i2}mdl${s.i} = NULL;`);
  }
  out.push(...exitText(s.exit, i2));
  out.push(`${ind}}`);
}

function mapUseLines(s: GStmt & { k: 'map' }, ind: string, out: string[]): void {
  switch (s.use) {
    case 'consume':
      out.push(`${ind}GenConsume(va, Length);`);
      break;
    case 'read':
      out.push(`${ind}Ctx->Count += *(PULONG)va;`);
      break;
    case 'copy-out':
      out.push(`${ind}RtlCopyMemory(&Ctx->Count, va, sizeof(ULONG));`);
      break;
    case 'write':
      out.push(`${ind}RtlZeroMemory(va, Length);`);
      break;
    case 'write-deref':
      out.push(`${ind}*(PULONG)va = Ctx->Count;`);
      break;
    case 'write-op':
      out.push(`${ind}if (op == IoWriteAccess) {`);
      out.push(`${ind}    RtlCopyMemory(va, &Ctx->Count, sizeof(ULONG));`);
      out.push(`${ind}}`);
      break;
  }
  if (s.call !== 'safe') out.push(`${ind}MmUnmapLockedPages(va, mdl${s.i});`);
}

function renderMap(s: GStmt & { k: 'map' }, ind: string, out: string[]): void {
  const i2 = ind + '    ';
  const call =
    s.call === 'safe'
      ? `MmGetSystemAddressForMdlSafe(mdl${s.i}, NormalPagePriority | MdlMappingNoExecute)`
      : `MmMapLockedPagesSpecifyCache(mdl${s.i}, KernelMode, MmCached, NULL, ${s.call === 'specify-true' ? 'TRUE' : 'FALSE'}, NormalPagePriority)`;
  out.push(`${ind}va = ${call};`);
  switch (s.check) {
    case 'else':
      out.push(`${ind}if (va == NULL) {`);
      out.push(...exitText(s.exit, i2, 'STATUS_INSUFFICIENT_RESOURCES'));
      out.push(`${ind}} else {`);
      mapUseLines(s, i2, out);
      out.push(`${ind}}`);
      return;
    case 'early':
      out.push(`${ind}if (va == NULL) {`);
      out.push(...exitText(s.exit, i2, 'STATUS_INSUFFICIENT_RESOURCES'));
      out.push(`${ind}}`);
      mapUseLines(s, ind, out);
      return;
    case 'not-null':
      out.push(`${ind}if (va != NULL) {`);
      mapUseLines(s, i2, out);
      out.push(`${ind}}`);
      return;
    case 'ternary':
      out.push(`${ind}Ctx->Count += (va != NULL) ? *(PULONG)va : 0;`);
      return;
    case 'assert':
      out.push(`${ind}NT_ASSERT(va != NULL);`);
      mapUseLines(s, ind, out);
      return;
    case 'none':
      mapUseLines(s, ind, out);
      return;
  }
}

function renderRetry(s: GStmt & { k: 'retry' }, ind: string, out: string[]): void {
  const i2 = ind + '    ';
  const i3 = i2 + '    ';
  const tryProbe = (at: string, onRaise: string[]) => {
    out.push(`${at}__try {`);
    probeLines(s.i, s.args, at + '    ', out);
    out.push(`${at}    locked${s.i} = TRUE;`);
    out.push(`${at}} __except (EXCEPTION_EXECUTE_HANDLER) {`);
    out.push(`${at}    status = GetExceptionCode();`);
    for (const l of onRaise) out.push(`${at}    ${l}`);
    out.push(`${at}}`);
  };
  if (s.how === 'after-raise') {
    // Retry only when the first probe raised (it left the MDL unlocked).
    tryProbe(ind, []);
    out.push(`${ind}if (!locked${s.i}) {`);
    tryProbe(i2, []);
    out.push(`${ind}}`);
    return;
  }
  out.push(`${ind}for (attempt = 0; attempt < 2; attempt++) {`);
  tryProbe(i2, ['break;']);
  out.push(`${i2}status = GenOperation(Ctx, Length);`);
  out.push(`${i2}if (NT_SUCCESS(status)) {`);
  out.push(`${i3}break;`);
  out.push(`${i2}}`);
  if (s.how === 'loop-unlock') {
    out.push(`${i2}MmUnlockPages(mdl${s.i});`);
    out.push(`${i2}locked${s.i} = FALSE;`);
  }
  out.push(`${ind}}`);
}

function renderChain(s: GStmt & { k: 'chain' }, ind: string, out: string[]): void {
  const i2 = ind + '    ';
  const i3 = i2 + '    ';
  out.push(`${ind}if (mdl0 != NULL && mdl1 != NULL) {`);
  out.push(`${i2}mdl0->Next = mdl1;`);
  switch (s.how) {
    case 'walk-unlock':
      out.push(`${i2}for (m = mdl0; m != NULL; m = next) {`);
      out.push(`${i3}next = m->Next;`);
      out.push(`${i3}if (m->MdlFlags & MDL_PAGES_LOCKED) {`);
      out.push(`${i3}    MmUnlockPages(m);`);
      out.push(`${i3}}`);
      out.push(`${i3}IoFreeMdl(m);`);
      out.push(`${i2}}`);
      break;
    case 'walk-no-unlock':
      out.push(`${i2}for (m = mdl0; m != NULL; m = next) {`);
      out.push(`${i3}next = m->Next;`);
      out.push(`${i3}IoFreeMdl(m);`);
      out.push(`${i2}}`);
      break;
    case 'walk-after-free':
      out.push(`${i2}for (m = mdl0; m != NULL; m = m->Next) {`);
      out.push(`${i3}if (m->MdlFlags & MDL_PAGES_LOCKED) {`);
      out.push(`${i3}    MmUnlockPages(m);`);
      out.push(`${i3}}`);
      out.push(`${i3}IoFreeMdl(m);`);
      out.push(`${i2}}`);
      break;
    case 'head-only':
      out.push(`${i2}if (mdl0->MdlFlags & MDL_PAGES_LOCKED) {`);
      out.push(`${i3}MmUnlockPages(mdl0);`);
      out.push(`${i2}}`);
      out.push(`${i2}IoFreeMdl(mdl0);`);
      break;
  }
  out.push(`${i2}mdl0 = NULL;`);
  out.push(`${i2}mdl1 = NULL;`);
  out.push(`${i2}locked0 = FALSE;`);
  out.push(`${i2}locked1 = FALSE;`);
  out.push(`${ind}}`);
}

function renderOther(s: GStmt, ind: string, out: string[]): void {
  const i2 = ind + '    ';
  switch (s.k) {
    case 'free':
      // Always under a NULL test (see `guarded`); `guarded: false` also forgets the flag.
      out.push(`${ind}if (mdl${s.i} != NULL) {`);
      freeLines(s.i, i2, out);
      if (s.after === 'null') out.push(`${i2}mdl${s.i} = NULL;`);
      else if (s.after === 'realloc') out.push(`${i2}mdl${s.i} = IoAllocateMdl(${bufText(specOf(s.i).buf)}, Length, FALSE, FALSE, NULL);`);
      if (s.guarded || s.after === 'realloc') out.push(`${i2}locked${s.i} = FALSE;`);
      out.push(`${ind}}`);
      return;
    case 'status-op':
      out.push(`${ind}status = GenOperation(Ctx, Length);`);
      return;
    case 'set-status':
      out.push(`${ind}status = ${s.status};`);
      return;
    case 'if':
      out.push(`${ind}if (${condText(s.c)}) {`);
      renderStmts(s.then, i2, out);
      if (s.else) {
        out.push(`${ind}} else {`);
        renderStmts(s.else, i2, out);
      }
      out.push(`${ind}}`);
      return;
    case 'exit':
      out.push(...exitText(s.e, ind));
      return;
    case 'loop': {
      // One counter per nesting depth (a shared counter would make the outer loop's trip count depend on the inner's).
      const v = LOOP_VARS[Math.min(loopDepth, LOOP_VARS.length - 1)]!;
      loopDepth++;
      out.push(`${ind}for (${v} = 0; ${v} < ${s.n}; ${v}++) {`);
      renderStmts(s.body, i2, out);
      out.push(`${ind}}`);
      loopDepth--;
      return;
    }
    case 'spin':
      if (s.queued) out.push(`${ind}KeAcquireInStackQueuedSpinLock(&Ctx->Lock, &lockHandle);`);
      else out.push(`${ind}KeAcquireSpinLock(&Ctx->Lock, &oldIrql);`);
      renderStmts(s.body, ind, out);
      if (s.queued) out.push(`${ind}KeReleaseInStackQueuedSpinLock(&lockHandle);`);
      else out.push(`${ind}KeReleaseSpinLock(&Ctx->Lock, oldIrql);`);
      return;
    case 'raise-irql':
      out.push(`${ind}KeRaiseIrql(DISPATCH_LEVEL, &oldIrql);`);
      renderStmts(s.body, ind, out);
      out.push(`${ind}KeLowerIrql(oldIrql);`);
      return;
    case 'try-finally': {
      const inner = s.outerExcept ? i2 : ind;
      const inner2 = inner + '    ';
      if (s.outerExcept) out.push(`${ind}__try {`);
      out.push(`${inner}__try {`);
      renderStmts(s.body, inner2, out);
      out.push(`${inner}} __finally {`);
      renderStmts(s.fin, inner2, out);
      out.push(`${inner}}`);
      if (s.outerExcept) {
        out.push(`${ind}} __except (EXCEPTION_EXECUTE_HANDLER) {`);
        out.push(`${i2}status = GetExceptionCode();`);
        out.push(`${ind}}`);
      }
      return;
    }
    case 'leave':
      out.push(`${ind}__leave;`);
      return;
    case 'store-irp':
      guarded(s.i, ind, out, (ind2) => {
        out.push(`${ind2}Irp->MdlAddress = mdl${s.i};`);
        if (s.clear) {
          out.push(`${ind2}mdl${s.i} = NULL;`);
          out.push(`${ind2}locked${s.i} = FALSE;`);
        }
      });
      return;
    case 'complete-irp':
      out.push(`${ind}Irp->IoStatus.Status = status;`);
      out.push(`${ind}IoCompleteRequest(Irp, IO_NO_INCREMENT);`);
      return;
    case 'probe-irp-mdl':
      out.push(`${ind}if (Irp->MdlAddress != NULL) {`);
      out.push(`${i2}__try {`);
      out.push(`${i2}    MmProbeAndLockPages(Irp->MdlAddress, Irp->RequestorMode, IoWriteAccess);`);
      out.push(`${i2}} __except (EXCEPTION_EXECUTE_HANDLER) {`);
      out.push(`${i2}    status = GetExceptionCode();`);
      out.push(...exitText(s.exit, i2 + '    '));
      out.push(`${i2}}`);
      out.push(`${ind}}`);
      return;
    case 'retry':
      guarded(s.i, ind, out, (ind2) => renderRetry(s, ind2, out));
      return;
    case 'own-irp':
      guarded(s.i, ind, out, (ind2) => {
        const i3 = ind2 + '    ';
        out.push(`${ind2}subIrp = IoAllocateIrp(DeviceObject->StackSize, FALSE);`);
        out.push(`${ind2}if (subIrp != NULL) {`);
        out.push(`${i3}subIrp->MdlAddress = mdl${s.i};`);
        out.push(`${i3}status = GenOperation(Ctx, Length);`);
        if (s.unlock) {
          out.push(`${i3}if (subIrp->MdlAddress->MdlFlags & MDL_PAGES_LOCKED) {`);
          out.push(`${i3}    MmUnlockPages(subIrp->MdlAddress);`);
          out.push(`${i3}    locked${s.i} = FALSE;`);
          out.push(`${i3}}`);
        }
        if (s.detach) out.push(`${i3}subIrp->MdlAddress = NULL;`);
        out.push(`${i3}IoFreeIrp(subIrp);`);
        out.push(`${ind2}}`);
      });
      return;
    case 'chain':
      renderChain(s, ind, out);
      return;
    case 'field':
      guarded(s.i, ind, out, (ind2) => {
        if (s.f === 'ByteCount') out.push(`${ind2}Ctx->Count += mdl${s.i}->ByteCount;`);
        else if (s.f === 'MmGetMdlByteCount') out.push(`${ind2}Ctx->Count += MmGetMdlByteCount(mdl${s.i});`);
        else out.push(`${ind2}Ctx->Flags |= (mdl${s.i}->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA) ? 16 : 0;`);
      });
      return;
    case 'helper-lock':
      // The helpers probe with UserMode: they are given a caller-supplied buffer.
      if (s.out) {
        out.push(`${ind}status = GenLockMdlOut(${helperBuf(s.i)}, Length, &mdl${s.i});`);
        out.push(`${ind}locked${s.i} = NT_SUCCESS(status);`);
      } else {
        out.push(`${ind}mdl${s.i} = GenLockMdl(${helperBuf(s.i)}, Length);`);
        out.push(`${ind}locked${s.i} = (mdl${s.i} != NULL);`);
      }
      return;
    case 'helper-release':
      out.push(`${ind}if (mdl${s.i} != NULL) {`);
      out.push(`${i2}GenReleaseMdl(mdl${s.i});`);
      if (s.nullAfter) out.push(`${i2}mdl${s.i} = NULL;`);
      out.push(`${i2}locked${s.i} = FALSE;`);
      out.push(`${ind}}`);
      return;
    case 'helper-op':
      guarded(s.i, ind, out, (ind2) => {
        switch (s.fn) {
          case 'GenUnlockMdl':
            out.push(`${ind2}GenUnlockMdl(mdl${s.i});`);
            out.push(`${ind2}locked${s.i} = FALSE;`);
            break;
          case 'GenFreeMdl':
            out.push(`${ind2}GenFreeMdl(mdl${s.i});`);
            if (s.nullAfter) out.push(`${ind2}mdl${s.i} = NULL;`);
            break;
          case 'GenProbeMdl':
            out.push(`${ind2}status = GenProbeMdl(mdl${s.i}, ${helperMode(s.i)});`);
            out.push(`${ind2}if (NT_SUCCESS(status)) {`);
            out.push(`${ind2}    locked${s.i} = TRUE;`);
            out.push(`${ind2}}`);
            break;
          case 'GenRebuild':
            out.push(`${ind2}GenRebuild(mdl${s.i});`);
            break;
        }
      });
      return;
    case 'pass-mdl':
      guarded(s.i, ind, out, (ind2) => out.push(`${ind2}GenKeepMdl(Ctx, mdl${s.i});`));
      return;
    case 'noise':
      out.push(`${ind}Ctx->Count++;`);
      return;
    case 'lock-x':
      renderLockX(s, ind, out);
      return;
    case 'raise-x':
      renderRaiseX(s, ind, out);
      return;
    case 'paged-call':
      out.push(`${ind}${s.fn}(Ctx);`);
      return;
    case 'paged-free': {
      out.push(`${ind}pagedBuf = ExAllocatePoolWithTag(PagedPool, Length, 'gPnG');`);
      out.push(`${ind}if (pagedBuf != NULL) {`);
      out.push(`${i2}${acquireText(s.queued)}`);
      out.push(`${i2}Ctx->Count++;`);
      if (s.inside) out.push(`${i2}ExFreePoolWithTag(pagedBuf, 'gPnG');`);
      out.push(`${i2}${releaseText(s.queued)}`);
      if (!s.inside) out.push(`${i2}ExFreePoolWithTag(pagedBuf, 'gPnG');`);
      out.push(`${i2}pagedBuf = NULL;`);
      out.push(`${ind}}`);
      return;
    }
    case 'irql-call':
      switch (s.call) {
        case 'zw-close':
          out.push(`${ind}ZwClose(Ctx->Handle);`);
          return;
        case 'wait-null':
          out.push(`${ind}KeWaitForSingleObject(&Ctx->Event, Executive, KernelMode, FALSE, NULL);`);
          return;
        case 'wait-zero':
          out.push(`${ind}KeWaitForSingleObject(&Ctx->Event, Executive, KernelMode, FALSE, &zeroTimeout);`);
          return;
        case 'paged-alloc':
          out.push(`${ind}pool2 = ExAllocatePoolWithTag(PagedPool, 16, 'neGG'); if (pool2 != NULL) ExFreePoolWithTag(pool2, 'neGG');`);
          return;
        case 'nonpaged-alloc':
          out.push(`${ind}pool2 = ExAllocatePool2(POOL_FLAG_NON_PAGED, 16, 'neGG'); if (pool2 != NULL) ExFreePoolWithTag(pool2, 'neGG');`);
          return;
        case 'set-event-wait':
          out.push(`${ind}KeSetEvent(&Ctx->Event, IO_NO_INCREMENT, TRUE);`);
          return;
        case 'set-event':
          out.push(`${ind}KeSetEvent(&Ctx->Event, IO_NO_INCREMENT, FALSE);`);
          return;
        case 'dpc-lock':
          out.push(`${ind}KeAcquireSpinLockAtDpcLevel(&Ctx->Lock2); Ctx->Count++; KeReleaseSpinLockFromDpcLevel(&Ctx->Lock2);`);
          return;
        case 'stall':
          out.push(`${ind}KeStallExecutionProcessor(10);`);
          return;
      }
      return;
    default:
      return;
  }
}

// ---- the four IRQL rules of session 4 ----

const acquireText = (queued: boolean) => (queued ? 'KeAcquireInStackQueuedSpinLock(&Ctx->Lock, &lockHandle);' : 'KeAcquireSpinLock(&Ctx->Lock, &oldIrql);');
const releaseText = (queued: boolean) => (queued ? 'KeReleaseInStackQueuedSpinLock(&lockHandle);' : 'KeReleaseSpinLock(&Ctx->Lock, oldIrql);');
/** Local labels (`unlock_1:`) of the program being rendered. */
let labelSeq = 0;

function itemLines(items: RegionItem[], ind: string, out: string[]): void {
  for (const it of items) {
    switch (it) {
      case 'noise':
        out.push(`${ind}Ctx->Count++;`);
        break;
      case 'status-op':
        out.push(`${ind}status = GenOperation(Ctx, Length);`);
        break;
      case 'stall':
        out.push(`${ind}KeStallExecutionProcessor(10);`);
        break;
      case 'set-event':
        out.push(`${ind}KeSetEvent(&Ctx->Event, IO_NO_INCREMENT, FALSE);`);
        break;
      case 'wait-zero':
        out.push(`${ind}KeWaitForSingleObject(&Ctx->Event, Executive, KernelMode, FALSE, &zeroTimeout);`);
        break;
      case 'wait-null':
        out.push(`${ind}KeWaitForSingleObject(&Ctx->Event, Executive, KernelMode, FALSE, NULL);`);
        break;
      case 'wait-timeout':
        out.push(`${ind}KeWaitForSingleObject(&Ctx->Event, Executive, KernelMode, FALSE, &interval);`);
        break;
      case 'delay':
        out.push(`${ind}KeDelayExecutionThread(KernelMode, FALSE, &interval);`);
        break;
      case 'paged-helper':
        out.push(`${ind}GenPagedHelper(Ctx);`);
        break;
      case 'paged-work':
        out.push(`${ind}GenPagedWork(Ctx);`);
        break;
    }
  }
}

/** `return STATUS_X;` / `status = STATUS_X; goto cleanup;` of a `lock-x` / `raise-x` exit. */
function exit2Lines(e: Exit, ind: string, out: string[], keepStatus = false): void {
  if (e.k === 'return') out.push(keepStatus ? `${ind}return status;` : `${ind}return ${e.status};`);
  else if (e.k === 'goto') {
    if (!keepStatus) out.push(`${ind}status = STATUS_UNSUCCESSFUL;`);
    out.push(`${ind}goto cleanup;`);
  }
}

function renderLockX(s: GStmt & { k: 'lock-x' }, ind: string, out: string[]): void {
  const i2 = ind + '    ';
  const acq = acquireText(s.queued);
  const rel = releaseText(s.queued);
  const cond = condText(s.c);
  switch (s.shape) {
    case 'exit-return':
    case 'exit-goto':
      out.push(`${ind}${acq}`);
      itemLines(s.body, ind, out);
      out.push(`${ind}if (${cond}) {`);
      exit2Lines(s.exit, i2, out);
      out.push(`${ind}}`);
      out.push(`${ind}Ctx->Count++;`);
      out.push(`${ind}${rel}`);
      return;
    case 'nested-cond':
      out.push(`${ind}${acq}`);
      itemLines(s.body, ind, out);
      out.push(`${ind}if (${cond}) {`);
      out.push(`${i2}KeAcquireSpinLockAtDpcLevel(&Ctx->Lock);`);
      out.push(`${i2}Ctx->Count++;`);
      out.push(`${ind}}`);
      out.push(`${ind}${rel}`);
      return;
    case 'nested-pair':
      out.push(`${ind}${acq}`);
      itemLines(s.body, ind, out);
      out.push(`${ind}KeAcquireSpinLockAtDpcLevel(&Ctx->Lock);`);
      out.push(`${ind}Ctx->Count++;`);
      out.push(`${ind}KeReleaseSpinLockFromDpcLevel(&Ctx->Lock);`);
      out.push(`${ind}${rel}`);
      return;
    case 'loop-acquire': {
      // The DPC-level forms under a raise: the second iteration's acquire does not overwrite a saved IRQL, so the
      // IRQL after the region is the entry's on both sides (only the double acquire is compared).
      const v = LOOP_VARS[Math.min(loopDepth, LOOP_VARS.length - 1)]!;
      out.push(`${ind}KeRaiseIrql(DISPATCH_LEVEL, &oldIrql);`);
      out.push(`${ind}for (${v} = 0; ${v} < 2; ${v}++) {`);
      out.push(`${i2}KeAcquireSpinLockAtDpcLevel(&Ctx->Lock);`);
      itemLines(s.body, i2, out);
      out.push(`${ind}}`);
      out.push(`${ind}KeReleaseSpinLockFromDpcLevel(&Ctx->Lock);`);
      out.push(`${ind}KeLowerIrql(oldIrql);`);
      return;
    }
    case 'release-twice':
      out.push(`${ind}${acq}`);
      out.push(`${ind}status = GenOperation(Ctx, Length);`);
      itemLines(s.body.filter((x) => x !== 'status-op'), ind, out);
      out.push(`${ind}${rel}`);
      out.push(`${ind}if (!NT_SUCCESS(status)) {`);
      out.push(`${i2}${rel}`);
      exit2Lines(s.exit, i2, out, true);
      out.push(`${ind}}`);
      return;
    case 'flag':
      out.push(`${ind}lockHeld = FALSE;`);
      out.push(`${ind}if (${cond}) {`);
      out.push(`${i2}${acq}`);
      out.push(`${i2}lockHeld = TRUE;`);
      out.push(`${ind}}`);
      itemLines(s.body, ind, out);
      out.push(`${ind}if (lockHeld) {`);
      out.push(`${i2}lockHeld = FALSE;`);
      out.push(`${i2}${rel}`);
      out.push(`${ind}}`);
      return;
    case 'finally':
      out.push(`${ind}${acq}`);
      out.push(`${ind}__try {`);
      itemLines(s.body, i2, out);
      out.push(`${i2}if (${cond}) {`);
      if (s.exit.k === 'return') out.push(`${i2}    return ${s.exit.status};`);
      else out.push(`${i2}    __leave;`);
      out.push(`${i2}}`);
      out.push(`${i2}Ctx->Count++;`);
      out.push(`${ind}} __finally {`);
      out.push(`${i2}${rel}`);
      out.push(`${ind}}`);
      return;
    case 'goto-local': {
      const label = `unlock_${++labelSeq}`;
      out.push(`${ind}${acq}`);
      itemLines(s.body, ind, out);
      out.push(`${ind}if (${cond}) {`);
      out.push(`${i2}status = STATUS_UNSUCCESSFUL;`);
      out.push(`${i2}goto ${label};`);
      out.push(`${ind}}`);
      out.push(`${ind}Ctx->Count++;`);
      out.push(`${label}:`);
      out.push(`${ind}${rel}`);
      return;
    }
    case 'helper-release':
      out.push(`${ind}KeAcquireSpinLock(&Ctx->Lock, &oldIrql);`);
      itemLines(s.body, ind, out);
      out.push(`${ind}GenReleaseCtxLock(Ctx, oldIrql);`);
      return;
    case 'try-lock':
      out.push(`${ind}${acq}`);
      itemLines(s.body, ind, out);
      out.push(`${ind}if (KeTryToAcquireSpinLockAtDpcLevel(&Ctx->Lock2)) {`);
      out.push(`${i2}Ctx->Count++;`);
      out.push(`${i2}KeReleaseSpinLockFromDpcLevel(&Ctx->Lock2);`);
      out.push(`${ind}}`);
      out.push(`${ind}${rel}`);
      return;
    case 'plain':
      out.push(`${ind}${acq}`);
      itemLines(s.body, ind, out);
      out.push(`${ind}${rel}`);
      if (s.exit.k !== 'none') {
        out.push(`${ind}if (${cond}) {`);
        exit2Lines(s.exit, i2, out);
        out.push(`${ind}}`);
      }
      return;
  }
}

function renderRaiseX(s: GStmt & { k: 'raise-x' }, ind: string, out: string[]): void {
  const i2 = ind + '    ';
  const raise = (level: string, to: string) => (s.kf ? `${to} = KfRaiseIrql(${level});` : `KeRaiseIrql(${level}, &${to});`);
  const cond = condText(s.c);
  switch (s.shape) {
    case 'raise-return':
      out.push(`${ind}${raise('DISPATCH_LEVEL', 'irqlA')}`);
      itemLines(s.body, ind, out);
      out.push(`${ind}if (${cond}) {`);
      exit2Lines(s.exit, i2, out);
      out.push(`${ind}}`);
      out.push(`${ind}KeLowerIrql(irqlA);`);
      return;
    case 'raise-below':
      out.push(`${ind}${acquireText(s.queued)}`);
      itemLines(s.body, ind, out);
      out.push(`${ind}${raise('APC_LEVEL', 'irqlA')}`);
      out.push(`${ind}Ctx->Count++;`);
      out.push(`${ind}KeLowerIrql(irqlA);`);
      out.push(`${ind}${releaseText(s.queued)}`);
      return;
    case 'nested-ok':
      out.push(`${ind}${raise('DISPATCH_LEVEL', 'irqlA')}`);
      itemLines(s.body, ind, out);
      out.push(`${ind}${raise('HIGH_LEVEL', 'irqlB')}`);
      out.push(`${ind}Ctx->Count++;`);
      out.push(`${ind}KeLowerIrql(irqlB);`);
      out.push(`${ind}KeLowerIrql(irqlA);`);
      return;
    case 'lower-above':
      // An error path that lowers out of order and returns (at DISPATCH_LEVEL): the rest of the function does not
      // run raised (a raised fall-through would reach the shared final return with the normal path, where no
      // IRQL is certain any more).
      out.push(`${ind}if (${cond}) {`);
      out.push(`${i2}${raise('DISPATCH_LEVEL', 'irqlA')}`);
      itemLines(s.body, i2, out);
      out.push(`${i2}${raise('HIGH_LEVEL', 'irqlB')}`);
      out.push(`${i2}Ctx->Count++;`);
      out.push(`${i2}KeLowerIrql(irqlA);`);
      out.push(`${i2}KeLowerIrql(irqlB);`);
      exit2Lines(s.exit, i2, out);
      out.push(`${ind}}`);
      return;
    case 'raise-flag':
      out.push(`${ind}raised = FALSE;`);
      out.push(`${ind}if (${cond}) {`);
      out.push(`${i2}${raise('DISPATCH_LEVEL', 'irqlA')}`);
      out.push(`${i2}raised = TRUE;`);
      out.push(`${ind}}`);
      itemLines(s.body, ind, out);
      out.push(`${ind}if (raised) {`);
      out.push(`${i2}KeLowerIrql(irqlA);`);
      out.push(`${i2}raised = FALSE;`);
      out.push(`${ind}}`);
      return;
    case 'raise-plain':
      out.push(`${ind}${raise('DISPATCH_LEVEL', 'irqlA')}`);
      itemLines(s.body, ind, out);
      out.push(`${ind}KeLowerIrql(irqlA);`);
      if (s.exit.k !== 'none') {
        out.push(`${ind}if (${cond}) {`);
        exit2Lines(s.exit, i2, out);
        out.push(`${ind}}`);
      }
      return;
  }
}

/** Locals the statements of the four IRQL rules need (declared only in the programs that use them). */
function extraLocals(p: GenProgram): { decls: string[]; init: string[] } {
  const has = { irql: false, lockHeld: false, raised: false, paged: false, interval: false };
  const walk = (ss: GStmt[]) => {
    for (const s of ss) {
      if (s.k === 'raise-x') has.irql = true;
      if (s.k === 'raise-x' && s.shape === 'raise-flag') has.raised = true;
      if (s.k === 'lock-x' && s.shape === 'flag') has.lockHeld = true;
      if (s.k === 'paged-free') has.paged = true;
      if ((s.k === 'lock-x' || s.k === 'raise-x') && s.body.some((x) => x === 'wait-timeout' || x === 'delay')) has.interval = true;
      for (const c of children(s)) walk(c);
    }
  };
  walk(p.body);
  walk(p.cleanup);
  const decls: string[] = [];
  const init: string[] = [];
  if (has.irql) decls.push('KIRQL irqlA, irqlB;');
  if (has.lockHeld) decls.push('BOOLEAN lockHeld = FALSE;');
  if (has.raised) decls.push('BOOLEAN raised = FALSE;');
  if (has.paged) decls.push('PVOID pagedBuf = NULL;');
  if (has.interval) {
    decls.push('LARGE_INTEGER interval;');
    init.push('interval.QuadPart = -10000;');
  }
  return { decls, init };
}

export interface Rendered {
  text: string;
  /** Function names defined in the text, and the line range of the main one. */
  functions: string[];
}

export function render(p: GenProgram): Rendered {
  loopDepth = 0;
  labelSeq = 0;
  cur = p;
  try {
    return renderProgram(p);
  } finally {
    cur = undefined;
  }
}

function renderProgram(p: GenProgram): Rendered {
  const out: string[] = [HEADER];
  const functions: string[] = [];
  for (const h of helpersUsed(p)) {
    out.push(HELPER_TEXT[h]!);
    functions.push(h);
  }
  const ind = '    ';
  if (p.dispatch) {
    out.push(`DRIVER_DISPATCH ${p.name};`);
    out.push('');
    out.push(`NTSTATUS ${p.name}(PDEVICE_OBJECT DeviceObject, PIRP Irp)`);
    out.push('{');
    out.push(`${ind}PGEN_CONTEXT Ctx = (PGEN_CONTEXT)DeviceObject->DeviceExtension;`);
    out.push(`${ind}PIO_STACK_LOCATION irpSp = IoGetCurrentIrpStackLocation(Irp);`);
    out.push(`${ind}PVOID Buffer = Irp->UserBuffer;`);
    out.push(`${ind}ULONG Length = irpSp->Parameters.DeviceIoControl.OutputBufferLength;`);
  } else {
    if (p.entry) out.push(p.entry === 'passive' ? '_IRQL_requires_(PASSIVE_LEVEL)' : '_IRQL_requires_max_(PASSIVE_LEVEL)');
    out.push(`NTSTATUS ${p.name}(PDEVICE_OBJECT DeviceObject, PIRP Irp, PGEN_CONTEXT Ctx, PVOID Buffer, ULONG Length)`);
    out.push('{');
    out.push(`${ind}PIO_STACK_LOCATION irpSp = IoGetCurrentIrpStackLocation(Irp);`);
  }
  out.push(`${ind}NTSTATUS status = STATUS_SUCCESS;`);
  for (let i = 0; i < p.mdls; i++) {
    out.push(`${ind}PMDL mdl${i} = NULL;`);
    out.push(`${ind}BOOLEAN locked${i} = FALSE;`);
  }
  out.push(`${ind}PMDL m, next;`);
  out.push(`${ind}PIRP subIrp;`);
  out.push(`${ind}PVOID va = NULL;`);
  out.push(`${ind}PVOID pool = NULL;`);
  out.push(`${ind}PGEN_REQUEST request = (PGEN_REQUEST)Irp->AssociatedIrp.SystemBuffer;`);
  out.push(`${ind}KPROCESSOR_MODE accessMode = ${p.accessModeInit};`);
  out.push(`${ind}LOCK_OPERATION op = (Ctx->Flags & 8) ? IoWriteAccess : IoReadAccess;`);
  out.push(`${ind}PHYSICAL_ADDRESS lowAddress, highAddress, skipBytes; LARGE_INTEGER zeroTimeout; PVOID pool2;`);
  out.push(`${ind}KIRQL oldIrql;`);
  out.push(`${ind}KLOCK_QUEUE_HANDLE lockHandle;`);
  out.push(`${ind}ULONG i, j, k, attempt;`);
  const extra = extraLocals(p);
  if (extra.decls.length) out.push(`${ind}${extra.decls.join(' ')}`);
  out.push('');
  out.push(`${ind}UNREFERENCED_PARAMETER(DeviceObject);`);
  out.push(`${ind}lowAddress.QuadPart = 0;`);
  out.push(`${ind}highAddress.QuadPart = -1;`);
  out.push(`${ind}skipBytes.QuadPart = 0; zeroTimeout.QuadPart = 0;`);
  if (extra.init.length) out.push(`${ind}${extra.init.join(' ')}`);
  if (p.specs.some((sp) => sp.buf === 'embedded')) {
    out.push(`${ind}if (request == NULL || irpSp->Parameters.DeviceIoControl.InputBufferLength < sizeof(GEN_REQUEST)) {`);
    out.push(`${ind}    return STATUS_INVALID_PARAMETER;`);
    out.push(`${ind}}`);
  }
  if (usesPool(p)) {
    out.push(`${ind}pool = ExAllocatePool2(POOL_FLAG_NON_PAGED, Length, 'neGG');`);
    out.push(`${ind}if (pool == NULL) {`);
    out.push(`${ind}    return STATUS_INSUFFICIENT_RESOURCES;`);
    out.push(`${ind}}`);
  }
  renderStmts(p.body, ind, out);
  if (p.cleanup.length || containsGoto(p.body)) {
    out.push('');
    out.push('cleanup:');
    renderStmts(p.cleanup, ind, out);
  }
  if (usesPool(p)) out.push(`${ind}ExFreePoolWithTag(pool, 'neGG');`);
  out.push(`${ind}return status;`);
  out.push('}');
  functions.push(p.name);
  return { text: out.join('\n') + '\n', functions };
}

function usesPool(p: GenProgram): boolean {
  return p.specs.slice(0, p.mdls).some((sp) => sp.buf === 'pool');
}

function containsGoto(ss: GStmt[]): boolean {
  for (const s of ss) {
    if ((s.k === 'exit' && s.e.k === 'goto') || ((s.k === 'probe-try' || s.k === 'map' || s.k === 'probe-irp-mdl' || s.k === 'lock-x' || s.k === 'raise-x') && s.exit.k === 'goto') || (s.k === 'alloc' && s.onNull.k === 'goto')) return true;
    if (children(s).some(containsGoto)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Shrinking

/** Smaller variants of a program: one statement removed, or a compound statement flattened. */
export function* shrinkCandidates(p: GenProgram): Generator<GenProgram> {
  const lists: ('body' | 'cleanup')[] = ['body', 'cleanup'];
  for (const which of lists) {
    for (const variant of shrinkList(p[which])) yield { ...p, [which]: variant };
  }
  if (p.mdls > 1 && !mentionsMdl(p, p.mdls - 1)) yield { ...p, mdls: p.mdls - 1 };
}

function* shrinkList(ss: GStmt[]): Generator<GStmt[]> {
  for (let k = 0; k < ss.length; k++) {
    if (ss[k]!.k === 'alloc') continue; // keep the MDLs allocated (and checked)
    yield [...ss.slice(0, k), ...ss.slice(k + 1)];
  }
  for (let k = 0; k < ss.length; k++) {
    const s = ss[k]!;
    const kids = children(s);
    // flatten: replace the compound statement by one of its blocks
    for (const kid of kids) yield [...ss.slice(0, k), ...kid, ...ss.slice(k + 1)];
    // simplify inside
    if (s.k === 'if') {
      for (const v of shrinkList(s.then)) yield [...ss.slice(0, k), { ...s, then: v }, ...ss.slice(k + 1)];
      if (s.else) {
        yield [...ss.slice(0, k), { ...s, else: undefined }, ...ss.slice(k + 1)];
        for (const v of shrinkList(s.else)) yield [...ss.slice(0, k), { ...s, else: v }, ...ss.slice(k + 1)];
      }
    } else if (s.k === 'loop' || s.k === 'spin' || s.k === 'raise-irql') {
      for (const v of shrinkList(s.body)) yield [...ss.slice(0, k), { ...s, body: v }, ...ss.slice(k + 1)];
    } else if (s.k === 'try-finally') {
      for (const v of shrinkList(s.body)) yield [...ss.slice(0, k), { ...s, body: v }, ...ss.slice(k + 1)];
    } else if (s.k === 'probe-try') {
      if (s.exit.k !== 'none') yield [...ss.slice(0, k), { ...s, exit: { k: 'none' } }, ...ss.slice(k + 1)];
      if (s.freeInHandler) yield [...ss.slice(0, k), { ...s, freeInHandler: false }, ...ss.slice(k + 1)];
    }
  }
}

function mentionsMdl(p: GenProgram, i: number): boolean {
  const walk = (ss: GStmt[]): boolean =>
    ss.some((s) => ('i' in s && s.i === i) || (s.k === 'partial' && (s.src === i || s.dst === i)) || s.k === 'chain' || (s.k === 'if' && 'i' in s.c && s.c.i === i) || children(s).some(walk));
  return walk(p.body) || walk(p.cleanup);
}
