/**
 * The IRQL contract of common DDIs, as the simulator checks it at each call.
 *
 * Written from docs/kernel-semantics.md §3 ("IRQL requirements of common DDIs": the DDI reference's
 * `req.irql` and Remarks) and §1a (the WDM IRQL rules, with the Driver Verifier DDI-compliance rule id
 * each raises at run time), and §4a for the run-time outcomes. It shares nothing with the linter's
 * tables (src/ddi): only interp.ts imports it.
 *
 * Where §3 and §1a disagree, §3 (the DDI reference) wins: IoCreateDevice ≤ APC_LEVEL (SDV: PASSIVE),
 * IoWriteErrorLogEntry ≤ DISPATCH_LEVEL (SDV: = DISPATCH), MmAllocatePagesForMdl / MmFreePagesFromMdl /
 * MmFreeContiguousMemory ≤ DISPATCH_LEVEL ("D allowed since Server 2008"). DDIs the document does not
 * settle (PoCallDriver "see Remarks", IoSetCancelRoutine, the Rtl string routines) are left out: no fault
 * is claimed for them. A few routines the document does not list (IoGetDeviceProperty, IoOpenDeviceRegistryKey,
 * IoRequestDpc, the KMDF locks, WdfRequestComplete...) are taken from the DDI reference, each entry citing its page.
 */

export const PASSIVE = 0;
export const APC = 1;
export const DISPATCH = 2;
/** The device IRQL the simulator uses for DIRQL (interrupt service and synchronize routines). */
export const DIRQL = 5;
/** Any IRQL (HIGH_LEVEL). */
export const ANY = 31;

/** How a violation of the maximum shows at run time (§4a). */
export type IrqlClass =
  /** Zw* (system services): DV 0xC4/0xE6; plain kernel: pageable code and data, 0xA at ≥ DISPATCH_LEVEL. */
  | 'zw'
  /** A wait (the thread would have to be switched): DV 0xC4/0x120..0x122; plain 0xB8 in a DPC, else 0xA. */
  | 'wait'
  /** Anything else: the DV DDI-compliance rule when §1a lists one; 0xA when the routine or its data is pageable. */
  | 'generic';

/** A maximum that depends on an argument: `narrow` applies when the condition holds, `max` otherwise. */
export type IrqlCondition =
  /** KeWait*: Timeout (argument `arg`) NULL or `*Timeout != 0` → ≤ APC_LEVEL; a zero timeout → ≤ DISPATCH_LEVEL. */
  | { t: 'nonzero-timeout'; arg: number; narrow: number }
  /** KeSetEvent / KeReleaseSemaphore: Wait (argument `arg`) TRUE → ≤ APC_LEVEL. */
  | { t: 'wait-true'; arg: number; narrow: number }
  /** MmMapLockedPages(SpecifyCache): AccessMode (argument `arg`) UserMode → ≤ APC_LEVEL. */
  | { t: 'user-mode'; arg: number; narrow: number };

export interface IrqlContract {
  /** Highest IRQL at which the routine may be called (ANY: no maximum). */
  max: number;
  /** Lowest IRQL (undefined: PASSIVE_LEVEL). */
  min?: number;
  cls: IrqlClass;
  /** The routine runs pageable code or touches pageable data: at ≥ DISPATCH_LEVEL the page fault is fatal (0xA). */
  pageable: boolean;
  /** Driver Verifier DDI-compliance rule (0xC4 Parameter 1) and its name (§1a), when the rule has a run-time check. */
  dv?: number;
  dvRule?: string;
  /** Driver Verifier 0xC4 Parameter 1 when the routine is called above DISPATCH_LEVEL (KeSetEvent: 0x80). */
  dvAboveDispatch?: number;
  cond?: IrqlCondition;
  /**
   * The IRQL is checked by a specialised fault kind of the interpreter (spin locks, fast mutexes, probes,
   * unlock, pool, raise / lower): the generic check skips it, so a call is never reported twice.
   */
  special?: string;
  /** Where the contract comes from. */
  src: string;
}

type Opt = Partial<Omit<IrqlContract, 'max'>>;

const table = new Map<string, IrqlContract>();

function def(names: string[], max: number, o: Opt = {}): void {
  for (const n of names) {
    table.set(n, {
      max,
      min: o.min,
      cls: o.cls ?? 'generic',
      // Routines limited to PASSIVE_LEVEL run pageable code (I/O, object, process managers, Zw*, Rtl registry).
      pageable: o.pageable ?? max === PASSIVE,
      dv: o.dv,
      dvRule: o.dvRule,
      dvAboveDispatch: o.dvAboveDispatch,
      cond: o.cond,
      special: o.special,
      src: o.src ?? '§3',
    });
  }
}

// --- MDLs and memory manager (§3) ---
def(['MmProbeAndLockPages'], DISPATCH, { special: 'irql-probe-too-high / irql-pageable-at-dispatch (≤ APC for pageable addresses)' });
def(['MmProbeAndLockProcessPages', 'MmProbeAndLockSelectedPages'], APC, { special: 'irql-probe-too-high' });
def(['MmUnlockPages'], DISPATCH, { special: 'irql-unlock-too-high' });
def(['IoAllocateMdl', 'IoFreeMdl', 'MmBuildMdlForNonPagedPool', 'IoBuildPartialMdl', 'MmPrepareMdlForReuse', 'MmGetSystemAddressForMdlSafe'], DISPATCH);
// The obsolete macro: MmMapLockedPages(Mdl, KernelMode).
def(['MmGetSystemAddressForMdl'], DISPATCH, { src: '§3 (MmMapLockedPages, KernelMode)' });
def(['MmMapLockedPagesSpecifyCache', 'MmMapLockedPages'], DISPATCH, { cond: { t: 'user-mode', arg: 1, narrow: APC } });
// System mapping ≤ D, user mapping ≤ A: which one an address is, is not tracked (the wider bound).
def(['MmUnmapLockedPages'], DISPATCH);
def(['MmAllocatePagesForMdl', 'MmAllocatePagesForMdlEx', 'MmFreePagesFromMdl'], DISPATCH, { src: '§3 (DISPATCH_LEVEL allowed since Server 2008)' });
def(['MmMapIoSpace', 'MmUnmapIoSpace', 'MmAllocateContiguousMemory', 'MmAllocateContiguousMemorySpecifyCache', 'MmMapLockedPagesWithReservedMapping'], DISPATCH);
def(['MmFreeContiguousMemory'], DISPATCH, { dv: 0x2001a, dvRule: 'IrqlMmDispatch', src: '§3, §1a IrqlMmDispatch' });
def(['MmAllocateNonCachedMemory', 'MmFreeNonCachedMemory', 'MmLockPagableDataSection', 'MmUnlockPagableImageSection', 'MmSecureVirtualMemory', 'MmUnsecureVirtualMemory'], APC, {
  pageable: true,
  dv: 0x20019,
  dvRule: 'IrqlMmApcLte',
  src: '§3, §1a IrqlMmApcLte',
});
def(['MmLockPagableCodeSection', 'MmAllocateMappingAddress', 'MmFreeMappingAddress'], APC, { pageable: true });
def(['MmPageEntireDriver', 'MmResetDriverPaging', 'MmLockPagableSectionByHandle'], APC, { pageable: true, dv: 0x20019, dvRule: 'IrqlMmApcLte', src: '§1a IrqlMmApcLte' });
def(['MmProtectMdlSystemAddress', 'MmInitializeMdl', 'MmIsAddressValid'], DISPATCH);
def(['MmSizeOfMdl', 'MmGetMdlVirtualAddress', 'MmGetMdlByteCount', 'MmGetPhysicalAddress'], ANY);
def(['ProbeForRead', 'ProbeForWrite'], APC, { pageable: true, dv: 0x20006, dvRule: 'IrqlExApcLte2', src: '§3, §1a IrqlExApcLte2' });
def(['RtlCopyMemory'], ANY, { src: '§3 (buffers must be resident above APC_LEVEL)' });

// --- IRQL and locks (§3) ---
def(['KeRaiseIrql', 'KfRaiseIrql', 'KeLowerIrql', 'KfLowerIrql'], ANY, { special: 'irql-raise-lower / irql-lower-higher' });
def(['KeRaiseIrqlToDpcLevel'], DISPATCH, { special: 'irql-raise-lower' });
def(['KeGetCurrentIrql'], ANY);
def(['KeAcquireSpinLock', 'KeAcquireSpinLockRaiseToDpc', 'KeAcquireSpinLockForDpc', 'KeAcquireInStackQueuedSpinLock'], DISPATCH, { special: 'irql-spinlock-acquire' });
def(['KeReleaseSpinLock', 'KeReleaseSpinLockForDpc', 'KeReleaseInStackQueuedSpinLock'], DISPATCH, { min: DISPATCH, special: 'irql-spinlock-release' });
def(['KeAcquireSpinLockAtDpcLevel', 'KeAcquireInStackQueuedSpinLockAtDpcLevel'], ANY, { min: DISPATCH, special: 'irql-spinlock-acquire' });
def(['KeTryToAcquireSpinLockAtDpcLevel'], DISPATCH, { min: DISPATCH, special: 'irql-spinlock-acquire' });
def(['KeReleaseSpinLockFromDpcLevel', 'KeReleaseInStackQueuedSpinLockFromDpcLevel'], ANY, { min: DISPATCH, special: 'irql-spinlock-release' });
def(['KeAcquireInterruptSpinLock', 'KeReleaseInterruptSpinLock', 'KeSynchronizeExecution'], ANY, { src: '§3 (≤ DIRQL of the interrupt object)' });
def(['ExAcquireSpinLockExclusive', 'ExAcquireSpinLockShared'], DISPATCH);
def(['ExReleaseSpinLockExclusive', 'ExReleaseSpinLockShared', 'ExReleaseSpinLockExclusiveFromDpcLevel', 'ExReleaseSpinLockSharedFromDpcLevel'], DISPATCH, {
  min: DISPATCH,
  src: '§3 (ExReleaseSpinLock* = DISPATCH_LEVEL)',
});
// Not named in §3: the AtDpcLevel forms read as KeAcquireSpinLockAtDpcLevel does (≥ DISPATCH_LEVEL, no raise).
def(['ExAcquireSpinLockExclusiveAtDpcLevel', 'ExAcquireSpinLockSharedAtDpcLevel'], ANY, { min: DISPATCH, src: '§3 by analogy with KeAcquireSpinLockAtDpcLevel' });
def(['ExAcquireFastMutex', 'ExTryToAcquireFastMutex'], APC, { special: 'irql-fast-mutex', dv: 0x20005, dvRule: 'IrqlExApcLte1' });
def(['ExReleaseFastMutex'], APC, { min: APC, special: 'irql-fast-mutex' });
// "= APC_LEVEL or inside a critical region": the header says ≤ APC_LEVEL; no minimum is claimed.
def(['ExAcquireFastMutexUnsafe', 'ExReleaseFastMutexUnsafe'], APC);
def(['KeAcquireGuardedMutex', 'KeReleaseGuardedMutex', 'KeTryToAcquireGuardedMutex', 'KeAcquireGuardedMutexUnsafe', 'KeReleaseGuardedMutexUnsafe'], APC, {
  dv: 0x2000f,
  dvRule: 'IrqlKeApcLte1',
  src: '§3, §1a IrqlKeApcLte1',
});
def(['ExAcquireResourceExclusiveLite', 'ExAcquireResourceSharedLite', 'ExAcquireSharedStarveExclusive', 'ExAcquireSharedWaitForExclusive', 'ExConvertExclusiveToSharedLite', 'ExDeleteResourceLite'], APC, {
  dv: 0x20007,
  dvRule: 'IrqlExApcLte3',
  src: '§3, §1a IrqlExApcLte3',
});
def(['ExReleaseResourceLite'], DISPATCH);
def(['KeEnterCriticalRegion', 'KeLeaveCriticalRegion', 'KeEnterGuardedRegion', 'KeLeaveGuardedRegion'], APC, { dv: 0x20010, dvRule: 'IrqlKeApcLte2', src: '§3, §1a IrqlKeApcLte2' });
def(['KeAreApcsDisabled', 'KeAreAllApcsDisabled', 'KeRegisterNmiCallback', 'KeDeregisterNmiCallback'], APC, { dv: 0x20010, dvRule: 'IrqlKeApcLte2', src: '§1a IrqlKeApcLte2' });
def(['KeQueryActiveProcessors'], APC, { dv: 0x2000f, dvRule: 'IrqlKeApcLte1', src: '§1a IrqlKeApcLte1' });

// --- dispatcher objects, DPCs, timers (§3) ---
def(['KeWaitForSingleObject', 'KeWaitForMutexObject'], DISPATCH, { cls: 'wait', cond: { t: 'nonzero-timeout', arg: 4, narrow: APC }, src: '§3, §1a IrqlKeWaitForMutexObject' });
def(['KeWaitForMultipleObjects'], DISPATCH, { cls: 'wait', cond: { t: 'nonzero-timeout', arg: 6, narrow: APC }, src: '§3, §1a IrqlKeWaitForMultipleObjects' });
// §3 gives no zero-interval exception for KeDelayExecutionThread: ≤ APC_LEVEL.
def(['KeDelayExecutionThread'], APC, { cls: 'wait', dv: 0x2000f, dvRule: 'IrqlKeApcLte1', src: '§3, §1a IrqlKeApcLte1' });
def(['KeSetEvent'], DISPATCH, { cond: { t: 'wait-true', arg: 2, narrow: APC }, dv: 0x20016, dvRule: 'IrqlKeSetEvent', dvAboveDispatch: 0x80, src: '§3, §1a IrqlKeSetEvent, §4a' });
def(['KeReleaseSemaphore'], DISPATCH, { cond: { t: 'wait-true', arg: 3, narrow: APC } });
def(['KeClearEvent', 'KeResetEvent', 'KeReleaseMutex', 'KeSetTimer', 'KeSetTimerEx', 'KeCancelTimer', 'KeFlushIoBuffers'], DISPATCH, { dv: 0x20011, dvRule: 'IrqlKeDispatchLte', src: '§3, §1a IrqlKeDispatchLte' });
def(
  ['KePulseEvent', 'KeReadStateEvent', 'KeReadStateTimer', 'KeInitializeDeviceQueue', 'KeInitializeTimer', 'KeInitializeTimerEx', 'KeInitializeSemaphore', 'KeRemoveEntryDeviceQueue', 'KeSaveFloatingPointState'],
  DISPATCH,
  { dv: 0x20011, dvRule: 'IrqlKeDispatchLte', src: '§1a IrqlKeDispatchLte' },
);
def(['KeInitializeEvent', 'KeInitializeSpinLock', 'KeInsertQueueDpc', 'KeStallExecutionProcessor', 'KeQuerySystemTime'], ANY);
def(['KeStackAttachProcess', 'KeUnstackDetachProcess'], APC, { src: '§3 (< DISPATCH_LEVEL)' });
def(['KeInsertDeviceQueue', 'KeInsertByKeyDeviceQueue', 'KeRemoveDeviceQueue', 'KeRemoveByKeyDeviceQueue'], DISPATCH, { min: DISPATCH, dv: 0x20003, dvRule: 'IrqlDispatch', src: '§1a IrqlDispatch' });

// --- pool (§3; the IRQL depends on the pool type: the interpreter's irql-pool) ---
def(['ExAllocatePool', 'ExAllocatePoolWithTag', 'ExAllocatePoolWithTagPriority', 'ExAllocatePool2', 'ExAllocatePool3', 'ExFreePool', 'ExFreePoolWithTag'], DISPATCH, {
  special: 'irql-pool (paged pool ≤ APC_LEVEL)',
  dv: 0x20004,
  dvRule: 'IrqlExAllocatePool',
});
def(['ExAllocateFromNPagedLookasideList', 'ExFreeToNPagedLookasideList'], DISPATCH);
def(['ExAllocateFromPagedLookasideList', 'ExFreeToPagedLookasideList'], APC, { pageable: true });
def(['ExInitializePagedLookasideList', 'ExDeletePagedLookasideList', 'ExRegisterCallback', 'ExUnregisterCallback', 'ExSetTimerResolution', 'CmRegisterCallback', 'CmRegisterCallbackEx', 'CmUnRegisterCallback'], APC, {
  pageable: true,
  dv: 0x20006,
  dvRule: 'IrqlExApcLte2',
  src: '§1a IrqlExApcLte2',
});
// RtlRaiseStatus: the interpreter's earlier model, kept with ExRaiseStatus.
def(['ExRaiseStatus', 'RtlRaiseStatus'], APC, { dv: 0x20008, dvRule: 'IrqlExPassive', src: '§3, §1a IrqlExPassive' });
def(['ExRaiseAccessViolation', 'ExRaiseDatatypeMisalignment', 'ExCreateCallback', 'ExIsProcessorFeaturePresent', 'ExUuidCreate'], PASSIVE, {
  pageable: false,
  dv: 0x20008,
  dvRule: 'IrqlExPassive',
  src: '§3, §1a IrqlExPassive',
});
def(['ExGetPreviousMode'], DISPATCH);

// --- Zw* (§3: "Zw* generally = PASSIVE_LEVEL"; any other Zw name matches the pattern below) ---
def(
  ['ZwCreateFile', 'ZwOpenFile', 'ZwReadFile', 'ZwWriteFile', 'ZwQueryInformationFile', 'ZwSetInformationFile', 'ZwAllocateVirtualMemory', 'ZwFreeVirtualMemory'],
  PASSIVE,
  { cls: 'zw', pageable: true },
);
def(['ZwClose', 'ZwCreateKey', 'ZwDeleteKey', 'ZwEnumerateKey', 'ZwEnumerateValueKey', 'ZwFlushKey', 'ZwOpenKey', 'ZwQueryKey', 'ZwQueryValueKey', 'ZwSetValueKey'], PASSIVE, {
  cls: 'zw',
  pageable: true,
  src: '§3, §1a IrqlZwPassive',
});

// --- I/O manager (§3) ---
def(['IoCallDriver', 'IofCallDriver'], DISPATCH);
def(['IoCompleteRequest', 'IofCompleteRequest'], DISPATCH);
def(['IoAllocateIrp', 'IoFreeIrp', 'IoInitializeIrp', 'IoReuseIrp', 'IoCancelIrp', 'IoSetCompletionRoutine', 'IoCopyCurrentIrpStackLocationToNext'], DISPATCH);
def(['IoBuildDeviceIoControlRequest', 'IoBuildSynchronousFsdRequest', 'IoBuildAsynchronousFsdRequest'], APC);
def(['IoMarkIrpPending', 'IoGetCurrentIrpStackLocation', 'IoSkipCurrentIrpStackLocation'], ANY);
def(['IoAcquireCancelSpinLock'], DISPATCH);
def(['IoReleaseCancelSpinLock'], DISPATCH, { min: DISPATCH });
def(['IoAllocateWorkItem', 'IoQueueWorkItem'], DISPATCH);
def(['IoStartNextPacket'], DISPATCH, { min: DISPATCH, dv: 0x20003, dvRule: 'IrqlDispatch', src: '§3, §1a IrqlDispatch' });
def(['IoAllocateController', 'IoFreeController', 'IoAllocateAdapterChannel'], DISPATCH, { min: DISPATCH, dv: 0x20003, dvRule: 'IrqlDispatch', src: '§1a IrqlDispatch' });
def(['IoCreateDevice'], APC, { src: '§3 (SDV IrqlIoPassive1 says PASSIVE_LEVEL)' });
def(['IoDeleteDevice'], APC, { dv: 0x20009, dvRule: 'IrqlIoApcLte', src: '§3, §1a IrqlIoApcLte' });
def(['IoGetInitialStack', 'IoRaiseHardError', 'IoRaiseInformationalHardError'], APC, { dv: 0x20009, dvRule: 'IrqlIoApcLte', src: '§1a IrqlIoApcLte' });
def(['IoAttachDeviceToDeviceStack', 'IoGetRelatedDeviceObject', 'IoWriteErrorLogEntry'], DISPATCH);
def(['IoGetDeviceToVerify', 'IoSetDeviceToVerify'], DISPATCH, { dv: 0x20022, dvRule: 'IrqlIoDispatch', src: '§1a IrqlIoDispatch' });
def(['IoAttachDevice', 'IoSetDeviceInterfaceState'], PASSIVE, { dv: 0x2000a, dvRule: 'IrqlIoPassive1', src: '§1a IrqlIoPassive1' });
def(['IoCheckShareAccess', 'IoConnectInterrupt', 'IoCreateController'], PASSIVE, { dv: 0x2000b, dvRule: 'IrqlIoPassive2', src: '§1a IrqlIoPassive2' });
def(['IoCreateSymbolicLink', 'IoDetachDevice', 'IoRegisterDeviceInterface'], PASSIVE, { dv: 0x2000c, dvRule: 'IrqlIoPassive3', src: '§1a IrqlIoPassive3' });
def(['IoCreateFile', 'IoCreateNotificationEvent', 'IoCreateSynchronizationEvent', 'IoDeleteSymbolicLink', 'IoDisconnectInterrupt'], PASSIVE, { dv: 0x2000d, dvRule: 'IrqlIoPassive4', src: '§1a IrqlIoPassive4' });
def(
  ['IoGetDeviceObjectPointer', 'IoGetDmaAdapter', 'IoInitializeTimer', 'IoRegisterShutdownNotification', 'IoSetShareAccess', 'IoRemoveShareAccess', 'IoUpdateShareAccess', 'IoWMIRegistrationControl'],
  PASSIVE,
  { dv: 0x2000e, dvRule: 'IrqlIoPassive5', src: '§3, §1a IrqlIoPassive5' },
);

// --- object and process managers, Rtl (§3, §1a) ---
def(['ObReferenceObjectByHandle'], PASSIVE, { dv: 0x2001b, dvRule: 'IrqlObPassive', src: '§3, §1a IrqlObPassive' });
def(['ObReferenceObjectByPointer', 'ObDereferenceObject', 'ObfDereferenceObject'], DISPATCH);
def(['ObGetObjectSecurity', 'ObReleaseObjectSecurity'], APC, { dv: 0x20002, dvRule: 'IrqlApcLte', src: '§1a IrqlApcLte' });
def(['PsCreateSystemThread', 'PsTerminateSystemThread', 'PsSetCreateProcessNotifyRoutine', 'PsSetCreateThreadNotifyRoutine', 'PsSetLoadImageNotifyRoutine', 'PsGetVersion'], PASSIVE, {
  dv: 0x2001c,
  dvRule: 'IrqlPsPassive',
  src: '§3, §1a IrqlPsPassive',
});
def(['RtlDeleteRegistryValue'], PASSIVE, { dv: 0x2001e, dvRule: 'IrqlRtlPassive', src: '§1a IrqlRtlPassive' });

// --- Not in kernel-semantics.md: from the DDI reference (learn.microsoft.com/windows-hardware/drivers/ddi/...,
// the page's `req.irql` and Remarks), one page per entry ---

// IoGetDeviceProperty (wdm.h), req.irql PASSIVE_LEVEL: ddi/wdm/nf-wdm-iogetdeviceproperty
def(['IoGetDeviceProperty'], PASSIVE, { src: 'DDI reference nf-wdm-iogetdeviceproperty (PASSIVE_LEVEL)' });
// IoOpenDeviceRegistryKey (wdm.h): "Callers ... must be running at IRQL = PASSIVE_LEVEL in the context of a system
// thread": ddi/wdm/nf-wdm-ioopendeviceregistrykey
def(['IoOpenDeviceRegistryKey'], PASSIVE, { src: 'DDI reference nf-wdm-ioopendeviceregistrykey (PASSIVE_LEVEL)' });
// IoRequestDpc (wdm.h): the page's req.irql is DIRQL ("Callers of IoRequestDpc must be running at DIRQL", the ISR
// that queues its DpcForIsr), but the routine is the header's inline `KeInsertQueueDpc(&DeviceObject->Dpc, Irp,
// Context)`: ddi/wdm/nf-wdm-iorequestdpc. KeInsertQueueDpc runs at any level (nf-wdm-keinsertqueuedpc), so nothing
// faults when a DPC or a dispatch routine calls it: no minimum is modelled.
def(['IoRequestDpc'], ANY, { src: 'DDI reference nf-wdm-iorequestdpc (an inline KeInsertQueueDpc: any level)' });
// PsSetCreateProcessNotifyRoutineEx / Ex2 (ntddk.h), req.irql PASSIVE_LEVEL: ddi/ntddk/nf-ntddk-pssetcreateprocessnotifyroutineex,
// ddi/ntddk/nf-ntddk-pssetcreateprocessnotifyroutineex2
def(['PsSetCreateProcessNotifyRoutineEx', 'PsSetCreateProcessNotifyRoutineEx2'], PASSIVE, { src: 'DDI reference nf-ntddk-pssetcreateprocessnotifyroutineex(2) (PASSIVE_LEVEL)' });

// --- KMDF methods (wdfsync.h, wdfinterrupt.h, wdfrequest.h, wdfworkitem.h, wdfdpc.h; the DDI reference) ---
// WdfSpinLockAcquire, req.irql <=DISPATCH_LEVEL, "returns at IRQL = DISPATCH_LEVEL": ddi/wdfsync/nf-wdfsync-wdfspinlockacquire.
// WdfSpinLockRelease, req.irql DISPATCH_LEVEL, "restores the driver's IRQL to the value that it had before the driver
// called WdfSpinLockAcquire": ddi/wdfsync/nf-wdfsync-wdfspinlockrelease. The interpreter checks and models both.
def(['WdfSpinLockAcquire'], DISPATCH, { special: 'irql-spinlock-acquire', src: 'DDI reference nf-wdfsync-wdfspinlockacquire (<= DISPATCH_LEVEL)' });
def(['WdfSpinLockRelease'], DISPATCH, { min: DISPATCH, special: 'irql-spinlock-release', src: 'DDI reference nf-wdfsync-wdfspinlockrelease (DISPATCH_LEVEL)' });
// WdfWaitLockAcquire (req.irql "See Remarks"): "If the Timeout pointer is NULL, or if the time-out value is not zero,
// WdfWaitLockAcquire must be called at IRQL = PASSIVE_LEVEL. If the time-out value is zero, ... at IRQL <
// DISPATCH_LEVEL" (the page notes the header's DISPATCH_LEVEL disagrees; the page wins). A wait: a thread switch.
// ddi/wdfsync/nf-wdfsync-wdfwaitlockacquire
def(['WdfWaitLockAcquire'], APC, { cls: 'wait', cond: { t: 'nonzero-timeout', arg: 1, narrow: PASSIVE }, src: 'DDI reference nf-wdfsync-wdfwaitlockacquire (see Remarks)' });
// WdfWaitLockRelease, req.irql <=DISPATCH_LEVEL: ddi/wdfsync/nf-wdfsync-wdfwaitlockrelease
def(['WdfWaitLockRelease'], DISPATCH, { src: 'DDI reference nf-wdfsync-wdfwaitlockrelease (<= DISPATCH_LEVEL)' });
// WdfInterruptAcquireLock, req.irql <= DIRQL, raises to the device's DIRQL (DIRQL interrupt objects):
// ddi/wdfinterrupt/nf-wdfinterrupt-wdfinterruptacquirelock. WdfInterruptReleaseLock "must be called at the DIRQL that
// was set by WdfInterruptAcquireLock" and returns to the previous level: ddi/wdfinterrupt/nf-wdfinterrupt-wdfinterruptreleaselock.
// The device's DIRQL is not known here: no bound is claimed; the interpreter models the raise and the restore.
def(['WdfInterruptAcquireLock', 'WdfInterruptReleaseLock'], ANY, { special: 'IRQL set by the interpreter (DIRQL)', src: 'DDI reference nf-wdfinterrupt-wdfinterruptacquirelock / releaselock' });
// WdfInterruptQueueDpcForIsr, req.irql <=DIRQL: ddi/wdfinterrupt/nf-wdfinterrupt-wdfinterruptqueuedpcforisr.
// WdfDpcEnqueue, req.irql Any level: ddi/wdfdpc/nf-wdfdpc-wdfdpcenqueue.
def(['WdfInterruptQueueDpcForIsr', 'WdfDpcEnqueue'], ANY, { src: 'DDI reference (<= DIRQL / any level)' });
// WdfRequestComplete / WithInformation / WithPriorityBoost, req.irql <=DISPATCH_LEVEL:
// ddi/wdfrequest/nf-wdfrequest-wdfrequestcomplete (and -wdfrequestcompletewithinformation, -wdfrequestcompletewithpriorityboost)
def(['WdfRequestComplete', 'WdfRequestCompleteWithInformation', 'WdfRequestCompleteWithPriorityBoost'], DISPATCH, { src: 'DDI reference nf-wdfrequest-wdfrequestcomplete (<= DISPATCH_LEVEL)' });
// WdfWorkItemEnqueue, req.irql <= DISPATCH_LEVEL: ddi/wdfworkitem/nf-wdfworkitem-wdfworkitemenqueue.
def(['WdfWorkItemEnqueue'], DISPATCH, { src: 'DDI reference nf-wdfworkitem-wdfworkitemenqueue (<= DISPATCH_LEVEL)' });
// WdfWorkItemFlush, req.irql PASSIVE_LEVEL (it waits for the callback): ddi/wdfworkitem/nf-wdfworkitem-wdfworkitemflush.
def(['WdfWorkItemFlush'], PASSIVE, { cls: 'wait', pageable: false, src: 'DDI reference nf-wdfworkitem-wdfworkitemflush (PASSIVE_LEVEL)' });

const ZW_PATTERN = /^Zw[A-Z]\w*$/;
const ZW_GENERIC: IrqlContract = { max: PASSIVE, cls: 'zw', pageable: true, src: '§3 (Zw* generally)' };

/** The IRQL contract of a DDI, if modelled. */
export function irqlContractOf(name: string): IrqlContract | undefined {
  return table.get(name) ?? (ZW_PATTERN.test(name) ? ZW_GENERIC : undefined);
}

/** Names of the modelled DDIs (the Zw* pattern covers further system services). */
export function irqlContractNames(): string[] {
  return [...table.keys()];
}

export function levelName(l: number): string {
  return l === PASSIVE ? 'PASSIVE_LEVEL' : l === APC ? 'APC_LEVEL' : l === DISPATCH ? 'DISPATCH_LEVEL' : l === ANY ? 'HIGH_LEVEL' : `IRQL ${l}`;
}
