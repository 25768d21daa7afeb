/**
 * Fault kinds and the bug checks a real machine shows for them, plain kernel and Driver Verifier.
 * Written from docs/kernel-semantics.md §4a (scenario table) and §5c (MDL state machine); shares
 * nothing with the linter's tables.
 */

export type FaultKind =
  /** An exception raised by MmProbeAndLockPages / …ProcessPages / …SelectedPages that no `__except` filter takes. */
  | 'probe-unhandled-exception'
  /** Any other unhandled exception (ProbeForRead/Write, ExRaiseStatus). */
  | 'unhandled-exception'
  | 'double-lock'
  /** MmProbeAndLockPages on a nonpaged-built, partial or MmAllocatePagesForMdl MDL. */
  | 'lock-prebuilt'
  /** MmUnlockPages on an MDL that is not locked: never locked, already unlocked, or its probe raised. */
  | 'unlock-not-locked'
  | 'unlock-nonpaged'
  | 'unlock-partial'
  | 'unlock-allocated-pages'
  /** Pages locked by a probe in this function are still locked when it returns and no one else can reach the MDL. */
  | 'locked-at-exit'
  | 'free-while-locked'
  | 'free-while-mapped'
  | 'wrong-free'
  | 'double-free'
  | 'use-after-free'
  | 'map-unlocked'
  | 'unmap-not-mapped'
  | 'unmap-partial'
  | 'build-nonpaged-bad-state'
  | 'partial-from-unlocked'
  | 'irp-completion-unlock-not-locked'
  | 'irp-completion-nonpaged'
  | 'irp-completion-partial'
  | 'irp-double-complete'
  | 'irql-probe-too-high'
  | 'irql-pageable-at-dispatch'
  | 'irql-unlock-too-high'
  | 'irql-raise-lower'
  | 'irql-lower-higher'
  | 'irql-spinlock-acquire'
  | 'irql-spinlock-release'
  | 'spinlock-not-held'
  | 'spinlock-double-acquire'
  | 'irql-fast-mutex'
  | 'irql-pool'
  /** A DDI called above the maximum IRQL of its contract (the specialised kinds above cover their own DDIs). */
  | 'irql-api-too-high'
  /** A DDI called below the minimum IRQL of its contract (= DISPATCH_LEVEL routines at PASSIVE / APC_LEVEL). */
  | 'irql-api-too-low'
  | 'irql-not-restored'
  | 'spinlock-held-at-exit'
  /**
   * A function placed in a pageable code section (`#pragma alloc_text(PAGE*, Fn)`, a `#pragma code_seg("PAGE*")`
   * region, `__declspec(code_seg("PAGE*"))`) entered at IRQL >= DISPATCH_LEVEL, whose body has no PAGED_CODE().
   */
  | 'pageable-code-at-dispatch'
  | 'null-deref'
  /** MmProbeAndLock*Pages with AccessMode KernelMode on an MDL describing a caller-supplied address (security hole, no bug check). */
  | 'kernelmode-probe-user-address'
  /** MmProbeAndLock*Pages with an Operation / AccessMode outside its enum, or a constant of the other enum (swapped arguments). */
  | 'probe-invalid-argument'
  /** A write through the system address of an MDL locked with IoReadAccess. */
  | 'write-to-read-locked'
  /** IoFreeIrp of a driver-allocated IRP whose Irp->MdlAddress chain still holds a locked MDL that nothing else unlocks. */
  | 'free-irp-with-locked-mdl'
  /** IoFreeMdl(head) while an MDL chained on head->Next is locked and nothing else unlocks it. */
  | 'free-chain-head'
  /** IoBuildPartialMdl into a target MDL that a probe locked: the lock is overwritten, its page references leak. */
  | 'partial-target-locked';

export const FAULT_KINDS: FaultKind[] = [
  'probe-unhandled-exception', 'unhandled-exception', 'double-lock', 'lock-prebuilt', 'unlock-not-locked', 'unlock-nonpaged',
  'unlock-partial', 'unlock-allocated-pages', 'locked-at-exit', 'free-while-locked', 'free-while-mapped', 'wrong-free',
  'double-free', 'use-after-free', 'map-unlocked', 'unmap-not-mapped', 'unmap-partial', 'build-nonpaged-bad-state',
  'partial-from-unlocked', 'irp-completion-unlock-not-locked', 'irp-completion-nonpaged', 'irp-completion-partial',
  'irp-double-complete', 'irql-probe-too-high', 'irql-pageable-at-dispatch', 'irql-unlock-too-high', 'irql-raise-lower',
  'irql-lower-higher', 'irql-spinlock-acquire', 'irql-spinlock-release', 'spinlock-not-held', 'spinlock-double-acquire',
  'irql-fast-mutex', 'irql-pool', 'irql-api-too-high', 'irql-api-too-low', 'irql-not-restored', 'spinlock-held-at-exit', 'pageable-code-at-dispatch', 'null-deref',
  'kernelmode-probe-user-address', 'probe-invalid-argument', 'write-to-read-locked', 'free-irp-with-locked-mdl', 'free-chain-head',
  'partial-target-locked',
];

export interface BugCheck {
  code: number;
  name: string;
  /** Parameters 1..4 as far as the model knows them (symbolic where the value is an address). */
  params: (number | string)[];
}

export interface BugCheckPair {
  /** What a machine without Driver Verifier shows (null: silent corruption / undefined, no immediate bug check). */
  plain: BugCheck | null;
  verifier: BugCheck | null;
  /** One-line explanation. */
  note: string;
}

export type ThreadContext = 'system-service' | 'system-thread' | 'arbitrary';

export interface FaultContext {
  /** Symbolic MDL name for parameters. */
  mdl?: string;
  /** Exception code (for unhandled exceptions). */
  code?: number;
  irql?: number;
  /** User (process) pages vs kernel pages. */
  userPages?: boolean;
  thread?: ThreadContext;
  /** Name of the DDI involved. */
  ddi?: string;
  newIrql?: number;
  /** The process's locked-page count at the fault. */
  lockedPages?: number;
  /** Pages the MDL describes. */
  pages?: number;
  /**
   * For a NULL dereference: where the NULL came from (`MmGetSystemAddressForMdlSafe`,
   * `MmMapLockedPagesSpecifyCache`, `NULL MDL` for a NULL MDL handed to a DDI, `NULL` otherwise).
   */
  nullSource?: string;
  /** Line of the call that produced the NULL. */
  nullLine?: number;
  /** For kernelmode-probe-user-address: the caller-supplied expression the MDL's address came from. */
  source?: string;
  /** For probe-invalid-argument: which argument, as written, and how the kernel reads it. */
  argument?: string;
  written?: string;
  /** The MDL was locked (free-while-mapped: the spec's freeLockedMapped). */
  locked?: boolean;
  /** For chain / IRP leaks: how many locked MDLs were lost. */
  count?: number;
  /** Free text appended to the note (probe-invalid-argument: how the kernel reads the value). */
  note?: string;
  /** IRQL contract faults: the bound the call violated. */
  maxIrql?: number;
  minIrql?: number;
  /** How a violation of the routine's maximum shows (see `irql-model.ts`): Zw*, a wait, anything else. */
  irqlClass?: 'zw' | 'wait' | 'generic';
  /** The routine (or the data it touches) is pageable: at ≥ DISPATCH_LEVEL the page fault is fatal (0xA). */
  pageable?: boolean;
  /** Driver Verifier DDI-compliance rule the violation trips (0xC4 Parameter 1) and its name. */
  dvRule?: number;
  dvRuleName?: string;
  /** The argument-dependent condition that narrowed the maximum (`Timeout NULL`, `Wait TRUE`, `UserMode`). */
  condition?: string;
  /** KeWait*: the timeout the call passed. */
  timeout?: 'NULL' | 'nonzero' | 'zero';
  /** The path runs in a DPC (a wait there is 0xB8). */
  inDpc?: boolean;
  /** irql-pool: the pool is paged. */
  paged?: boolean;
  /** irql-pageable-at-dispatch: the buffer's kind is not known; the path assumes it pageable and not resident. */
  assumedPageable?: boolean;
  /** pageable-code-at-dispatch: the function entered and the code section it is placed in. */
  function?: string;
  section?: string;
}

const hex = (n: number) => '0x' + (n >>> 0).toString(16).toUpperCase();
export { hex as hexCode };

const BC = (code: number, name: string, ...params: (number | string)[]): BugCheck => ({ code, name, params });
const DV = (p1: number, ...rest: (number | string)[]): BugCheck => BC(0xc4, 'DRIVER_VERIFIER_DETECTED_VIOLATION', p1, ...rest);

export function bugCheckFor(kind: FaultKind, ctx: FaultContext): BugCheckPair {
  const mdl = ctx.mdl ?? 'Mdl';
  const irql = ctx.irql ?? 0;
  switch (kind) {
    case 'probe-unhandled-exception':
    case 'unhandled-exception': {
      const code = ctx.code ?? 0xc0000005;
      const plain =
        ctx.thread === 'system-service'
          ? BC(0x3b, 'SYSTEM_SERVICE_EXCEPTION', hex(code), 'faulting address', 'context record', 0)
          : ctx.thread === 'system-thread'
            ? BC(0x7e, 'SYSTEM_THREAD_EXCEPTION_NOT_HANDLED', hex(code), 'faulting address', 'exception record', 'context record')
            : BC(0x1e, 'KMODE_EXCEPTION_NOT_HANDLED', hex(code), 'faulting address', 0, 0);
      return { plain, verifier: plain, note: `exception ${hex(code)} raised by ${ctx.ddi ?? 'the call'} is not handled by any __except filter` };
    }
    case 'double-lock':
      return {
        plain: BC(0x76, 'PROCESS_HAS_LOCKED_PAGES', 0, 'process', 'locked pages', 0),
        verifier: DV(0xb0, mdl, 'MdlFlags', 0),
        note: `${mdl} is already locked: the first lock's page references leak (0x76/0 at process exit; 0xD9/1 with TrackLockedPages)`,
      };
    case 'lock-prebuilt':
      return { plain: null, verifier: DV(0xb0, mdl, 'MdlFlags', 0), note: `MmProbeAndLockPages on ${mdl}, built by MmBuildMdlForNonPagedPool / IoBuildPartialMdl / MmAllocatePagesForMdl: undefined behaviour` };
    case 'unlock-not-locked':
      return {
        plain: ctx.userPages === false ? BC(0x4e, 'PFN_LIST_CORRUPT', 7, 'page frame', 'share count', 0) : BC(0x76, 'PROCESS_HAS_LOCKED_PAGES', 1, mdl, ctx.lockedPages ?? 'locked pages', 0),
        verifier: DV(0x7c, mdl, 'MdlFlags', 0),
        note: `MmUnlockPages on ${mdl}, which is not locked`,
      };
    case 'unlock-nonpaged':
      return { plain: BC(0x4e, 'PFN_LIST_CORRUPT', 7, 'page frame', 'share count', 0), verifier: DV(0x7d, mdl, 'MdlFlags', 0), note: `MmUnlockPages on ${mdl}, built by MmBuildMdlForNonPagedPool` };
    case 'unlock-partial':
      return { plain: null, verifier: DV(0xb4, mdl, 'MdlFlags', 0), note: `MmUnlockPages on the partial MDL ${mdl}` };
    case 'unlock-allocated-pages':
      return { plain: BC(0x4e, 'PFN_LIST_CORRUPT', 7, 'page frame', 'share count', 0), verifier: DV(0x7c, mdl, 'MdlFlags', 0), note: `MmUnlockPages on ${mdl} from MmAllocatePagesForMdl (release it with MmFreePagesFromMdl)` };
    case 'locked-at-exit':
      return {
        plain: BC(0x76, 'PROCESS_HAS_LOCKED_PAGES', 0, 'process', ctx.lockedPages ?? 'locked pages', 0),
        verifier: BC(0xcb, 'DRIVER_LEFT_LOCKED_PAGES_IN_PROCESS', 'caller', 'caller of caller', mdl, ctx.pages ?? 'pages'),
        note: `pages of ${mdl} are still locked when the function returns and nothing that outlives it refers to the MDL`,
      };
    case 'free-while-locked':
      return {
        plain: BC(0x76, 'PROCESS_HAS_LOCKED_PAGES', 0, 'process', 'locked pages', 0),
        verifier: BC(0xcb, 'DRIVER_LEFT_LOCKED_PAGES_IN_PROCESS', 'caller', 'caller of caller', mdl, 'pages'),
        note: `IoFreeMdl on ${mdl} while its pages are locked: they stay locked forever`,
      };
    case 'free-while-mapped':
      return { plain: null, verifier: DV(0xb8, mdl, 'MdlFlags', 0), note: `IoFreeMdl on ${mdl} while it is mapped to system VA` };
    case 'wrong-free':
      return { plain: BC(0x4e, 'PFN_LIST_CORRUPT', 7, 'page frame', 'share count', 0), verifier: DV(0xb8, mdl, 'MdlFlags', 0), note: `${mdl} from MmAllocatePagesForMdl released with the wrong routine` };
    case 'double-free':
      return { plain: BC(0xc2, 'BAD_POOL_CALLER', 7, 0, 'pool address', 0), verifier: DV(0x13, 'pool address', 0, 0), note: `${mdl} freed twice` };
    case 'use-after-free':
      return { plain: BC(0x50, 'PAGE_FAULT_IN_NONPAGED_AREA', mdl, 0, 'faulting address', 2), verifier: BC(0xd5, 'DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL', mdl, 0, 'faulting address', 0), note: `${ctx.ddi ?? 'use'} of ${mdl} after IoFreeMdl` };
    case 'map-unlocked':
      return { plain: BC(0x1a, 'MEMORY_MANAGEMENT', 0x1233, mdl, 0, 0), verifier: DV(0x85, mdl, 'MdlFlags', 0), note: `mapping ${mdl}, whose pages are not locked` };
    case 'unmap-not-mapped':
      return { plain: BC(0xda, 'SYSTEM_PTE_MISUSE', 6, 'PTE tracking', 0, 0), verifier: DV(0xb6, mdl, 'MdlFlags', 0), note: `MmUnmapLockedPages on ${mdl}, which is not mapped` };
    case 'unmap-partial':
      return { plain: null, verifier: DV(0xb5, mdl, 'MdlFlags', 0), note: `MmUnmapLockedPages on the partial MDL ${mdl} (use MmPrepareMdlForReuse)` };
    case 'build-nonpaged-bad-state':
      return { plain: null, verifier: DV(0xb0, mdl, 'MdlFlags', 0), note: `MmBuildMdlForNonPagedPool on ${mdl}, which is locked, mapped, partial or already built` };
    case 'partial-from-unlocked':
      return { plain: BC(0x1a, 'MEMORY_MANAGEMENT', 0x1236, mdl, 0, 0), verifier: null, note: `IoBuildPartialMdl from ${mdl}, whose pages are not locked` };
    case 'irp-completion-unlock-not-locked':
      return { plain: BC(0x76, 'PROCESS_HAS_LOCKED_PAGES', 1, mdl, 'locked pages', 0), verifier: DV(0x7c, mdl, 'MdlFlags', 0), note: `IRP completion unlocks ${mdl} on Irp->MdlAddress, which is not locked` };
    case 'irp-completion-nonpaged':
      return { plain: BC(0x4e, 'PFN_LIST_CORRUPT', 7, 'page frame', 'share count', 0), verifier: DV(0x7d, mdl, 'MdlFlags', 0), note: `IRP completion unlocks ${mdl} on Irp->MdlAddress, built by MmBuildMdlForNonPagedPool` };
    case 'irp-completion-partial':
      return { plain: null, verifier: DV(0xb4, mdl, 'MdlFlags', 0), note: `IRP completion unlocks the partial MDL ${mdl} on Irp->MdlAddress` };
    case 'irp-double-complete':
      return { plain: BC(0x44, 'MULTIPLE_IRP_COMPLETE_REQUESTS', 'Irp', 0, 0, 0), verifier: BC(0x44, 'MULTIPLE_IRP_COMPLETE_REQUESTS', 'Irp', 0, 0, 0), note: 'IRP completed twice' };
    case 'irql-probe-too-high':
      return { plain: BC(0xa, 'IRQL_NOT_LESS_OR_EQUAL', 'address', irql, 0, 'IP'), verifier: DV(0x70, irql, mdl, 'AccessMode'), note: `MmProbeAndLockPages at IRQL ${irql} (> DISPATCH_LEVEL)` };
    case 'irql-pageable-at-dispatch':
      return { plain: BC(0xd1, 'DRIVER_IRQL_NOT_LESS_OR_EQUAL', 'address', irql, 0, 'IP'), verifier: BC(0xd1, 'DRIVER_IRQL_NOT_LESS_OR_EQUAL', 'address', irql, 0, 'IP'), note: `pageable memory (${mdl}) touched at IRQL ${irql}${ctx.assumedPageable ? ' (a buffer of unknown kind, on the path where it is pageable and not resident)' : ''}` };
    case 'irql-unlock-too-high':
      return { plain: null, verifier: DV(0x78, irql, mdl, 0), note: `MmUnlockPages at IRQL ${irql} (> DISPATCH_LEVEL)` };
    case 'irql-raise-lower':
      return { plain: BC(0x9, 'IRQL_NOT_GREATER_OR_EQUAL', irql, ctx.newIrql ?? 0, 0, 0), verifier: DV(0x30, irql, ctx.newIrql ?? 0, 0), note: `KeRaiseIrql to ${ctx.newIrql} below the current IRQL ${irql}` };
    case 'irql-lower-higher':
      return { plain: BC(0x9, 'IRQL_NOT_GREATER_OR_EQUAL', irql, ctx.newIrql ?? 0, 0, 0), verifier: DV(0x31, irql, ctx.newIrql ?? 0, 0), note: `KeLowerIrql to ${ctx.newIrql} above the current IRQL ${irql}` };
    case 'irql-spinlock-acquire':
      return { plain: null, verifier: DV(ctx.ddi?.includes('AtDpc') ? 0x40 : 0x42, irql, 'lock', 0), note: `${ctx.ddi ?? 'spin lock acquire'} at IRQL ${irql}` };
    case 'irql-spinlock-release':
      return { plain: null, verifier: DV(ctx.ddi?.includes('FromDpc') ? 0x41 : 0x32, irql, 'lock', 0), note: `${ctx.ddi ?? 'spin lock release'} at IRQL ${irql}` };
    case 'spinlock-not-held':
      return { plain: BC(0x10, 'SPIN_LOCK_NOT_OWNED', 0, 0, 0, 0), verifier: DV(0x4000b, 'SpinlockRelease', 0, 0), note: `${ctx.ddi ?? 'release'} of a spin lock that is not held` };
    case 'spinlock-double-acquire':
      return { plain: BC(0xf, 'SPIN_LOCK_ALREADY_OWNED', 0, 0, 0, 0), verifier: DV(0x40009, 'SpinLock', 0, 0), note: 'spin lock acquired twice: deadlock' };
    case 'irql-fast-mutex':
      return { plain: null, verifier: DV(ctx.ddi?.startsWith('ExRelease') ? 0x34 : 0x33, irql, 0, 0), note: `${ctx.ddi} at IRQL ${irql}` };
    case 'irql-pool': {
      // §4a: paged pool alloc / free above APC_LEVEL, nonpaged above DISPATCH_LEVEL: 0xC2/0x08 (alloc) or
      // 0x09 (free); Driver Verifier 0xC4/0x01 (paged alloc), 0x02 (nonpaged alloc), 0x11 / 0x12 (free).
      // (A block whose pool type is not known here is claimed only above DISPATCH_LEVEL: `paged` undefined.)
      const free = /Free/.test(ctx.ddi ?? '');
      const paged = ctx.paged === true;
      const what = ctx.paged === undefined ? 'pool' : paged ? 'paged pool' : 'nonpaged pool';
      return {
        plain: BC(0xc2, 'BAD_POOL_CALLER', free ? 9 : 8, irql, free ? 'pool address' : 'pool type', 0),
        verifier: DV(free ? (paged ? 0x11 : 0x12) : paged ? 0x1 : 0x2, irql, free ? 'pool address' : 'pool type', 0),
        note: `${ctx.ddi} of ${what} at IRQL ${irql} (above ${paged ? 'APC_LEVEL' : 'DISPATCH_LEVEL'})`,
      };
    }
    case 'irql-api-too-high':
      return irqlTooHigh(ctx, irql);
    case 'irql-api-too-low':
      return irqlTooLow(ctx, irql);
    case 'irql-not-restored':
      return { plain: null, verifier: DV(0x2001d, 'IrqlReturn', 0, 0), note: `function returns at IRQL ${irql}, not at its entry IRQL ${ctx.newIrql}` };
    case 'spinlock-held-at-exit':
      return { plain: null, verifier: DV(0x40009, 'SpinLock', 0, 0), note: 'spin lock still held when the function returns' };
    case 'pageable-code-at-dispatch': {
      // §4a: pageable code run at >= DISPATCH_LEVEL: an instruction fetch from a paged-out page (execute, P3 = 8)
      // cannot be served; Driver Verifier's Force IRQL Checking trims pageable code on every raise.
      const exec = BC(0xd1, 'DRIVER_IRQL_NOT_LESS_OR_EQUAL', 'address', irql, 8, 'IP');
      return { plain: exec, verifier: exec, note: `pageable code of ${ctx.function ?? 'the function'} (section ${ctx.section ?? 'PAGE'}) run at IRQL ${irql}` };
    }
    case 'null-deref': {
      // A NULL (user-range) access at IRQL < DISPATCH_LEVEL is an access violation dispatched as an
      // exception (a __try/__except can take it); unhandled, the thread context picks the bug check.
      // At DISPATCH_LEVEL or above the page fault cannot be resolved: 0xD1, never an exception.
      const av = hex(0xc0000005);
      const plain =
        irql >= 2
          ? BC(0xd1, 'DRIVER_IRQL_NOT_LESS_OR_EQUAL', 0, irql, 0, 'IP')
          : ctx.thread === 'system-service'
            ? BC(0x3b, 'SYSTEM_SERVICE_EXCEPTION', av, 'IP', 'context record', 0)
            : ctx.thread === 'system-thread'
              ? BC(0x7e, 'SYSTEM_THREAD_EXCEPTION_NOT_HANDLED', av, 'IP', 'exception record', 'context record')
              : BC(0x1e, 'KMODE_EXCEPTION_NOT_HANDLED', av, 'IP', 0, 0);
      const from = ctx.nullSource && ctx.nullSource !== 'NULL' ? ` (NULL from ${ctx.nullSource}${ctx.nullLine ? ' at line ' + ctx.nullLine : ''})` : '';
      return {
        plain,
        verifier: plain,
        note: `NULL pointer ${ctx.mdl ?? ''} dereferenced${ctx.ddi ? ' by ' + ctx.ddi : ''}${from}`,
      };
    }
    case 'kernelmode-probe-user-address':
      return {
        plain: null,
        verifier: null,
        note:
          `${ctx.ddi ?? 'MmProbeAndLockPages'}(${mdl}, KernelMode, ...) on an address the caller chose (${ctx.source ?? 'caller-supplied'}): ` +
          'KernelMode skips the user-range check, so a kernel address is locked and the driver then reads or writes kernel memory for an untrusted caller',
      };
    case 'probe-invalid-argument':
      return { plain: null, verifier: null, note: `${ctx.ddi ?? 'MmProbeAndLockPages'}: ${ctx.argument ?? 'argument'} written as ${ctx.written ?? '?'}: ${ctx.note ?? ''}`.trim() };
    case 'write-to-read-locked':
      return {
        plain: null,
        verifier: null,
        note: `write through the system address of ${mdl}, locked with IoReadAccess: the pages were probed for read only; read-only and copy-on-write pages (a mapped image, shared sections) are modified for every process sharing them`,
      };
    case 'free-irp-with-locked-mdl':
      return {
        plain: BC(0x76, 'PROCESS_HAS_LOCKED_PAGES', 0, 'process', 'locked pages', 0),
        verifier: BC(0xcb, 'DRIVER_LEFT_LOCKED_PAGES_IN_PROCESS', 'caller', 'caller of caller', mdl, 'pages'),
        note: `IoFreeIrp frees the IRP only: ${mdl} on its MdlAddress chain stays locked (and allocated) forever`,
      };
    case 'free-chain-head':
      return {
        plain: BC(0x76, 'PROCESS_HAS_LOCKED_PAGES', 0, 'process', 'locked pages', 0),
        verifier: BC(0xcb, 'DRIVER_LEFT_LOCKED_PAGES_IN_PROCESS', 'caller', 'caller of caller', mdl, 'pages'),
        note: `IoFreeMdl frees only the head of the chain: ${mdl}, chained on its Next, stays locked (and allocated) forever`,
      };
    case 'partial-target-locked':
      return {
        plain: BC(0x76, 'PROCESS_HAS_LOCKED_PAGES', 0, 'process', 'locked pages', 0),
        verifier: DV(0xb0, mdl, 'MdlFlags', 0),
        note: `IoBuildPartialMdl into ${mdl}, which a probe locked: the flags are overwritten and the probe's page references are never released`,
      };
  }
}

const LEVEL = (l: number | undefined) => (l === 0 ? 'PASSIVE_LEVEL' : l === 1 ? 'APC_LEVEL' : l === 2 ? 'DISPATCH_LEVEL' : l === 31 ? 'HIGH_LEVEL' : `IRQL ${l ?? '?'}`);

/** A DDI called above its maximum IRQL (§4a by routine class). */
function irqlTooHigh(ctx: FaultContext, irql: number): BugCheckPair {
  const ddi = ctx.ddi ?? 'the routine';
  const cond = ctx.condition ? ` (${ctx.condition})` : '';
  const head = `${ddi} called at ${LEVEL(irql)}, above its maximum ${LEVEL(ctx.maxIrql)}${cond}`;
  // A page fault that cannot be served: in ntoskrnl, so 0xA (not 0xD1, which is for references in the driver).
  const pageFault = BC(0xa, 'IRQL_NOT_LESS_OR_EQUAL', 'address', irql, 0, 'IP');
  // A DDI-compliance rule: P2 is the rule's condition; another DV check (KeSetEvent above DISPATCH: 0x80): the IRQL.
  const rule = ctx.dvRule !== undefined ? (ctx.dvRuleName ? DV(ctx.dvRule, `${ctx.dvRuleName} condition`, 0, 0) : DV(ctx.dvRule, irql, 0, 0)) : null;
  if (ctx.ddi === 'PAGED_CODE') {
    // §4a: pageable code run at ≥ DISPATCH_LEVEL: 0xD1 (execute) when the page is not resident; Force IRQL
    // checking trims pageable memory on every raise, which makes it deterministic.
    const exec = BC(0xd1, 'DRIVER_IRQL_NOT_LESS_OR_EQUAL', 'address', irql, 8, 'IP');
    return { plain: exec, verifier: exec, note: `PAGED_CODE() reached at ${LEVEL(irql)}: pageable code run above APC_LEVEL` };
  }
  switch (ctx.irqlClass) {
    case 'zw':
      // §3 / §4a: Zw* = PASSIVE_LEVEL with special kernel APCs enabled (DV 0xC4/0xE6). A plain kernel shows
      // nothing at APC_LEVEL; at ≥ DISPATCH_LEVEL the system service touches pageable code and data (0xA).
      return {
        plain: irql >= 2 ? pageFault : null,
        verifier: DV(0xe6, irql, 0, 0),
        note: `${head}: system services run at PASSIVE_LEVEL with special kernel APCs enabled` + (irql >= 2 ? '; pageable code and data above APC_LEVEL' : '; no immediate bug check on a plain kernel'),
      };
    case 'wait': {
      // §4a: KeWait* at ≥ DISPATCH_LEVEL with a NULL or nonzero timeout: fatal (0xB8 in a DPC); DV 0x120
      // (above DISPATCH), 0x121 (= DISPATCH, NULL timeout), 0x122 (= DISPATCH, nonzero timeout).
      const plain =
        irql < 2 ? null : ctx.inDpc ? BC(0xb8, 'ATTEMPTED_SWITCH_FROM_DPC', 'original thread', 'new thread', 'DPC routine', 0) : pageFault;
      const verifier = rule ?? (irql < 2 ? null : DV(irql > 2 ? 0x120 : ctx.timeout === 'NULL' ? 0x121 : 0x122, irql, 'object', ctx.timeout === 'NULL' ? 0 : 'timeout'));
      return { plain, verifier, note: `${head}: the thread would have to wait${irql >= 2 ? ', and no thread switch is possible at or above DISPATCH_LEVEL' : ''}` };
    }
    default: {
      const plain = ctx.pageable && irql >= 2 ? pageFault : null;
      const verifier = rule ?? plain;
      // MmMapLockedPages(SpecifyCache): §4a lists Driver Verifier's IRQL checks as 0xC4/0x74–0x77 without saying which is which.
      const map = /^MmMapLockedPages/.test(ctx.ddi ?? '') ? ' (Driver Verifier: one of 0xC4/0x74–0x77)' : '';
      return {
        plain,
        verifier,
        note: head + (plain ? ': the routine or its data is pageable' : verifier ? '' : ': no immediate bug check on a plain kernel (undefined behaviour)') + map,
      };
    }
  }
}

/** A DDI called below its minimum IRQL (§4a). */
function irqlTooLow(ctx: FaultContext, irql: number): BugCheckPair {
  const ddi = ctx.ddi ?? 'the routine';
  let verifier: BugCheck | null = null;
  if (ctx.dvRule !== undefined) verifier = DV(ctx.dvRule, ctx.dvRuleName ? `${ctx.dvRuleName} condition` : 'rule condition', 0, 0);
  else if (/AcquireSpinLockAtDpcLevel|AcquireInStackQueuedSpinLockAtDpcLevel/.test(ddi)) verifier = DV(0x40, irql, 'lock', 0);
  else if (/FromDpcLevel/.test(ddi)) verifier = DV(0x41, irql, 'lock', 0);
  else if (ddi === 'KeReleaseSpinLock') verifier = DV(0x32, irql, 'lock', 0);
  else if (ddi === 'ExReleaseFastMutex') verifier = DV(0x34, irql, 0, 0);
  return {
    plain: null,
    verifier,
    // A minimum above DISPATCH_LEVEL is a device's DIRQL (a routine written for interrupt service or synchronize routines).
    note: `${ddi} called at ${LEVEL(irql)}, below its minimum ${ctx.minIrql !== undefined && ctx.minIrql > 2 && ctx.minIrql < 31 ? 'DIRQL' : LEVEL(ctx.minIrql)}: no immediate bug check on a plain kernel`,
  };
}

export function formatBugCheck(b: BugCheck | null): string {
  if (!b) return 'no immediate bug check (undefined behaviour / later corruption)';
  const ps = b.params.map((p) => (typeof p === 'number' ? hex(p) : p)).join(', ');
  return `0x${b.code.toString(16).toUpperCase().padStart(2, '0')} ${b.name} (${ps})`;
}
