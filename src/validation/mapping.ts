/**
 * Which simulated faults correspond to which rule. This file belongs to the validation harness:
 * it may know the linter's rule ids; the simulator proper (src/sim/*.ts) does not.
 */
import type { FaultContext, FaultKind } from '../sim/faults.js';

export const RULE_FAULTS: Record<string, FaultKind[]> = {
  // (a) pages locked by a successful probe still locked at a function exit; (b) unlock of an MDL that is not locked.
  'mdl-unmatched-lock': ['locked-at-exit', 'unlock-not-locked'],
  // an exception from MmProbeAndLock*Pages that no __except filter takes.
  'mdl-probe-outside-try': ['probe-unhandled-exception'],
  // a probe of an MDL that is already locked (by this path, a previous iteration, or the I/O manager).
  'mdl-double-lock': ['double-lock'],
  // probe / unlock / rebuild of an MDL whose pages were not locked by a probe (nonpaged-built, partial, MmAllocatePagesForMdl).
  'mdl-lock-prebuilt': ['lock-prebuilt', 'unlock-nonpaged', 'unlock-partial', 'unlock-allocated-pages', 'build-nonpaged-bad-state', 'partial-target-locked'],
  // IoFreeMdl / IoFreeIrp that leaves pages locked forever.
  'mdl-free-while-locked': ['free-while-locked', 'free-while-mapped', 'free-irp-with-locked-mdl', 'free-chain-head'],
  // any use of an MDL after IoFreeMdl (DDI, field read), and a second IoFreeMdl.
  'mdl-use-after-free': ['use-after-free', 'double-free'],
  // KernelMode probe of a caller-supplied address.
  'mdl-kernelmode-probe-of-user-buffer': ['kernelmode-probe-user-address'],
  // Operation / AccessMode outside their enums (or swapped); a write through the system address of a read-locked MDL.
  'mdl-probe-access-mismatch': ['probe-invalid-argument', 'write-to-read-locked'],
  // a NULL system address dereferenced; mapping an MDL whose pages are not locked.
  'mdl-unchecked-system-address': ['null-deref', 'map-unlocked'],
  // a DDI called above its maximum IRQL: the contract check, and the specialised kinds of the DDIs the kernel
  // model checks itself (probe, unlock, pool, fast mutex / spin lock acquire above their maximum).
  // MmProbeAndLockPages of pageable memory at DISPATCH_LEVEL is above its maximum for such addresses (≤ APC_LEVEL, §3).
  // Not: a wait at ≥ DISPATCH_LEVEL (irql-wait-at-dispatch), PAGED_CODE() and paged pool (irql-pageable-at-dispatch);
  // KeRaiseIrqlToDpcLevel above DISPATCH_LEVEL is (its maximum), KeRaiseIrql / KfRaiseIrql below the current IRQL is not.
  'irql-too-high': [
    'irql-api-too-high',
    'irql-probe-too-high',
    'irql-pageable-at-dispatch',
    'irql-unlock-too-high',
    'irql-pool',
    'irql-fast-mutex',
    'irql-spinlock-acquire',
    'irql-spinlock-release',
    'irql-raise-lower',
  ],
  // a DDI called below its minimum IRQL (AtDpcLevel / FromDpcLevel below DISPATCH_LEVEL, KeReleaseSpinLock below
  // DISPATCH_LEVEL, ExReleaseFastMutex below APC_LEVEL, = DISPATCH_LEVEL routines).
  'irql-too-low': ['irql-api-too-low', 'irql-spinlock-acquire', 'irql-spinlock-release', 'irql-fast-mutex'],
  // a waiting routine (KeWait* with a NULL or nonzero timeout, KeDelayExecutionThread, WdfWaitLockAcquire with a
  // NULL timeout, WdfWorkItemFlush) called at ≥ DISPATCH_LEVEL: the contract fault of a wait-class DDI at irql ≥ 2.
  'irql-wait-at-dispatch': ['irql-api-too-high'],
  // pageable code or data at ≥ DISPATCH_LEVEL: PAGED_CODE() reached (pagedCode), a function of a pageable section
  // entered (pageSection), a paged-pool allocation / free (pagedPool).
  'irql-pageable-at-dispatch': ['irql-api-too-high', 'pageable-code-at-dispatch', 'irql-pool'],
  // a function that returns at another IRQL than it was entered at (notRestored), KeLowerIrql above the current
  // IRQL (lowerAbove), KeRaiseIrql / KfRaiseIrql below it (raiseBelow).
  'irql-not-restored': ['irql-not-restored', 'irql-lower-higher', 'irql-raise-lower'],
  // a spin lock (or fast mutex) released when not held, acquired twice, or held at a function exit.
  'spinlock-unbalanced': ['spinlock-not-held', 'spinlock-double-acquire', 'spinlock-held-at-exit'],
};

/** What the mapping needs to know of a fault beyond its kind. */
export interface FaultForMapping {
  kind: FaultKind;
  context?: FaultContext;
}

/** The raises whose target below the current IRQL is irql-not-restored's `raiseBelow`. */
const RAISE_DDIS = new Set(['KeRaiseIrql', 'KfRaiseIrql']);

/** A wait-class DDI (KeWait*, KeDelayExecutionThread, WdfWaitLockAcquire, WdfWorkItemFlush) called at ≥ DISPATCH_LEVEL. */
function isWaitAtDispatch(c: FaultContext): boolean {
  return c.irqlClass === 'wait' && (c.irql ?? 0) >= 2;
}

/** Routines whose NULL result is the `unchecked` finding of mdl-unchecked-system-address. */
const SYSTEM_ADDRESS_SOURCES = new Set(['MmGetSystemAddressForMdlSafe', 'MmMapLockedPagesSpecifyCache']);

/**
 * The specialised IRQL kinds cover both directions (a spin-lock release at an IRQL other than DISPATCH_LEVEL,
 * ExReleaseFastMutex not at APC_LEVEL): the fault's bounds and IRQL say which one it is.
 */
const SHARED_IRQL_KINDS = new Set<FaultKind>(['irql-spinlock-acquire', 'irql-spinlock-release', 'irql-fast-mutex']);

function irqlDirection(f: FaultForMapping): 'high' | 'low' | undefined {
  const c = f.context;
  if (!c || c.irql === undefined) return undefined;
  if (c.maxIrql !== undefined && c.irql > c.maxIrql) return 'high';
  if (c.minIrql !== undefined && c.irql < c.minIrql) return 'low';
  return undefined;
}

/**
 * Refinements of the kind-level table: a fault kind that covers more than the rule's defect.
 * `null-deref` is mdl-unchecked-system-address only when the NULL is a failed system-address mapping
 * (a NULL MDL handed to a DDI, or any other NULL pointer, is a different defect); `free-while-mapped` is
 * mdl-free-while-locked only for IoFreeMdl of a locked MDL (freeLockedMapped), not MmPrepareMdlForReuse.
 */
function applies(rule: string, f: FaultForMapping): boolean {
  if (SHARED_IRQL_KINDS.has(f.kind) && (rule === 'irql-too-high' || rule === 'irql-too-low')) {
    // Without the context the kind-level table applies.
    if (!f.context) return true;
    return irqlDirection(f) === (rule === 'irql-too-high' ? 'high' : 'low');
  }
  if (f.kind === 'irql-api-too-high') {
    // Without the context the kind-level table applies.
    if (!f.context) return true;
    const pagedCode = f.context.ddi === 'PAGED_CODE';
    const waitAtDispatch = !pagedCode && isWaitAtDispatch(f.context);
    // PAGED_CODE() above APC_LEVEL is pageable code run at DISPATCH_LEVEL, not a call above a DDI's maximum; a
    // wait at ≥ DISPATCH_LEVEL is irql-wait-at-dispatch's (below DISPATCH_LEVEL it stays irql-too-high).
    if (rule === 'irql-too-high') return !pagedCode && !waitAtDispatch;
    if (rule === 'irql-pageable-at-dispatch') return pagedCode;
    if (rule === 'irql-wait-at-dispatch') return waitAtDispatch;
  }
  if (f.kind === 'irql-pool' && (rule === 'irql-too-high' || rule === 'irql-pageable-at-dispatch')) {
    if (!f.context) return true;
    // Paged pool at ≥ DISPATCH_LEVEL is irql-pageable-at-dispatch's; nonpaged (or unknown) pool above DISPATCH_LEVEL irql-too-high's.
    return (f.context.paged === true) === (rule === 'irql-pageable-at-dispatch');
  }
  if (f.kind === 'irql-raise-lower' && (rule === 'irql-too-high' || rule === 'irql-not-restored')) {
    if (!f.context) return true;
    // KeRaiseIrql / KfRaiseIrql to a level below the current one: raiseBelow; KeRaiseIrqlToDpcLevel above
    // DISPATCH_LEVEL: a call above its maximum (KeRaiseIrqlToSynchLevel: neither).
    const ddi = f.context.ddi ?? '';
    return rule === 'irql-not-restored' ? RAISE_DDIS.has(ddi) : ddi === 'KeRaiseIrqlToDpcLevel';
  }
  if (f.kind === 'null-deref' && rule === 'mdl-unchecked-system-address') {
    // Without the context (a caller that passes only the kind) the kind-level table applies: pass the
    // fault (`rulesForFault(f.kind, f)`) to tell a NULL system address from other NULL dereferences.
    if (!f.context) return true;
    return SYSTEM_ADDRESS_SOURCES.has(f.context.nullSource ?? '');
  }
  if (f.kind === 'use-after-free' && rule === 'mdl-use-after-free') {
    // The I/O manager's completion of an IRP whose MDL the driver freed (the MDL is still on
    // Irp->MdlAddress) is outside the rule's scope.
    return f.context?.ddi !== 'IoCompleteRequest';
  }
  if (f.kind === 'free-while-mapped' && rule === 'mdl-free-while-locked') {
    // (IoFreeMdl of a locked+mapped MDL also shows free-while-locked at the same line.)
    if (!f.context) return true;
    return f.context.ddi === 'IoFreeMdl' && f.context.locked === true;
  }
  return true;
}

/** Rules a fault validates: by kind, refined by the fault's context when given. */
export function rulesForFault(kind: FaultKind, fault?: Omit<FaultForMapping, 'kind'>): string[] {
  const f: FaultForMapping = { kind, context: fault?.context };
  return Object.entries(RULE_FAULTS)
    .filter(([rule, kinds]) => kinds.includes(kind) && applies(rule, f))
    .map(([rule]) => rule);
}
