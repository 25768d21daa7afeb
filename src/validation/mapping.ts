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
};

/** What the mapping needs to know of a fault beyond its kind. */
export interface FaultForMapping {
  kind: FaultKind;
  context?: FaultContext;
}

/** Routines whose NULL result is the `unchecked` finding of mdl-unchecked-system-address. */
const SYSTEM_ADDRESS_SOURCES = new Set(['MmGetSystemAddressForMdlSafe', 'MmMapLockedPagesSpecifyCache']);

/**
 * Refinements of the kind-level table: a fault kind that covers more than the rule's defect.
 * `null-deref` is mdl-unchecked-system-address only when the NULL is a failed system-address mapping
 * (a NULL MDL handed to a DDI, or any other NULL pointer, is a different defect); `free-while-mapped` is
 * mdl-free-while-locked only for IoFreeMdl of a locked MDL (freeLockedMapped), not MmPrepareMdlForReuse.
 */
function applies(rule: string, f: FaultForMapping): boolean {
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
