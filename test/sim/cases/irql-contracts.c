/* IRQL contracts of common DDIs (docs/kernel-semantics.md §3, §4a). `// @ kind` marks each faulting line;
   a function without markers must not fault. */

typedef struct _EXT {
    KSPIN_LOCK Lock;
    KEVENT Event;
    KSEMAPHORE Semaphore;
    KDPC Dpc;
    HANDLE File;
    LONG Count;
    FAST_MUTEX Mutex;
    ERESOURCE Resource;
    EX_SPIN_LOCK RwLock;
    PIO_WORKITEM WorkItem;
    PKINTERRUPT Interrupt;
    PIRP Irp;
} EXT, *PEXT;

KDEFERRED_ROUTINE PollDpc;
KDEFERRED_ROUTINE WaitDpc;
KDEFERRED_ROUTINE SleepyDpc;
KDEFERRED_ROUTINE LogDpc;
KDEFERRED_ROUTINE LockedDpc;
IO_COMPLETION_ROUTINE ReadDone;
IO_COMPLETION_ROUTINE SignalDone;
DRIVER_CANCEL CancelRead;
DRIVER_STARTIO StartIo;

/* A DPC may poll with a zero timeout: KeWait* at DISPATCH_LEVEL is legal then. */
VOID PollDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PEXT ext = (PEXT)Context;
    LARGE_INTEGER timeout;
    timeout.QuadPart = 0;
    if (KeWaitForSingleObject(&ext->Event, Executive, KernelMode, FALSE, &timeout) == STATUS_SUCCESS) {
        InterlockedIncrement(&ext->Count);
    }
}

/* An unbounded wait (NULL timeout) in a DPC. */
VOID WaitDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PEXT ext = (PEXT)Context;
    KeWaitForSingleObject(&ext->Event, Executive, KernelMode, FALSE, NULL); // @ irql-api-too-high
}

/* A nonzero timeout in a DPC: still a wait at DISPATCH_LEVEL. */
VOID SleepyDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PEXT ext = (PEXT)Context;
    LARGE_INTEGER timeout;
    timeout.QuadPart = -10 * 1000 * 10;
    KeWaitForSingleObject(&ext->Event, Executive, KernelMode, FALSE, &timeout); // @ irql-api-too-high
}

/* A zero timeout written with an initializer, under a spin lock. */
VOID PollUnderLock(PEXT Ext)
{
    KIRQL oldIrql;
    LARGE_INTEGER zero = {0};
    KeAcquireSpinLock(&Ext->Lock, &oldIrql);
    KeWaitForSingleObject(&Ext->Event, Executive, KernelMode, FALSE, &zero);
    KeReleaseSpinLock(&Ext->Lock, oldIrql);
}

/* Waiting forever at PASSIVE_LEVEL is fine. */
NTSTATUS WaitAtPassive(PEXT Ext)
{
    return KeWaitForSingleObject(&Ext->Event, Executive, KernelMode, FALSE, NULL);
}

/* KeWaitForMultipleObjects with a NULL timeout under a spin lock. */
VOID WaitManyUnderLock(PEXT Ext, PVOID *Objects, PKWAIT_BLOCK WaitBlocks)
{
    KIRQL oldIrql;
    KeAcquireSpinLock(&Ext->Lock, &oldIrql);
    KeWaitForMultipleObjects(2, Objects, WaitAny, Executive, KernelMode, FALSE, NULL, WaitBlocks); // @ irql-api-too-high
    KeReleaseSpinLock(&Ext->Lock, oldIrql);
}

/* KeSetEvent with Wait TRUE must be followed by a wait: ≤ APC_LEVEL. */
VOID SignalAndWaitAtDispatch(PEXT Ext)
{
    KIRQL oldIrql;
    KeRaiseIrql(DISPATCH_LEVEL, &oldIrql);
    KeSetEvent(&Ext->Event, IO_NO_INCREMENT, TRUE); // @ irql-api-too-high
    KeLowerIrql(oldIrql);
}

/* KeSetEvent with Wait FALSE is fine at DISPATCH_LEVEL; so is KeReleaseSemaphore without a wait. */
VOID SignalUnderLock(PEXT Ext)
{
    KIRQL oldIrql;
    KeAcquireSpinLock(&Ext->Lock, &oldIrql);
    KeSetEvent(&Ext->Event, IO_NO_INCREMENT, FALSE);
    KeReleaseSemaphore(&Ext->Semaphore, IO_NO_INCREMENT, 1, FALSE);
    KeReleaseSpinLock(&Ext->Lock, oldIrql);
}

/* KeReleaseSemaphore with Wait TRUE at DISPATCH_LEVEL. */
VOID ReleaseAndWaitUnderLock(PEXT Ext)
{
    KIRQL oldIrql;
    KeAcquireSpinLock(&Ext->Lock, &oldIrql);
    KeReleaseSemaphore(&Ext->Semaphore, IO_NO_INCREMENT, 1, TRUE); // @ irql-api-too-high
    KeReleaseSpinLock(&Ext->Lock, oldIrql);
}

/* Zw* under a spin lock. */
VOID CloseUnderLock(PEXT Ext)
{
    KIRQL oldIrql;
    KeAcquireSpinLock(&Ext->Lock, &oldIrql);
    ZwClose(Ext->File); // @ irql-api-too-high
    Ext->File = NULL;
    KeReleaseSpinLock(&Ext->Lock, oldIrql);
}

/* Zw* while holding a fast mutex (APC_LEVEL). */
NTSTATUS OpenUnderFastMutex(PEXT Ext, POBJECT_ATTRIBUTES Attributes)
{
    IO_STATUS_BLOCK iosb;
    NTSTATUS status;
    ExAcquireFastMutex(&Ext->Mutex);
    status = ZwCreateFile(&Ext->File, GENERIC_READ, Attributes, &iosb, NULL, FILE_ATTRIBUTE_NORMAL, 0, FILE_OPEN, 0, NULL, 0); // @ irql-api-too-high
    ExReleaseFastMutex(&Ext->Mutex);
    return status;
}

/* The handle is taken under the lock and closed after the release. */
VOID CloseAfterRelease(PEXT Ext)
{
    KIRQL oldIrql;
    HANDLE file;
    KeAcquireSpinLock(&Ext->Lock, &oldIrql);
    file = Ext->File;
    Ext->File = NULL;
    KeReleaseSpinLock(&Ext->Lock, oldIrql);
    if (file != NULL) ZwClose(file);
}

/* The AtDpcLevel variants at PASSIVE_LEVEL: below their minimum. */
_IRQL_requires_(PASSIVE_LEVEL)
VOID AtDpcLevelAtPassive(PEXT Ext)
{
    KeAcquireSpinLockAtDpcLevel(&Ext->Lock); // @ irql-spinlock-acquire
    Ext->Count++;
    KeReleaseSpinLockFromDpcLevel(&Ext->Lock); // @ irql-spinlock-release
}

/* The AtDpcLevel variants in a DPC routine are right. */
VOID LockedDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PEXT ext = (PEXT)Context;
    KLOCK_QUEUE_HANDLE handle;
    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    ext->Count++;
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);
    KeAcquireInStackQueuedSpinLockAtDpcLevel(&ext->Lock, &handle);
    ext->Count--;
    KeReleaseInStackQueuedSpinLockFromDpcLevel(&handle);
}

/* = DISPATCH_LEVEL routine after the release restored the entry IRQL, which is not known here (no role,
   annotation or caller): wrong at PASSIVE_LEVEL and APC_LEVEL, right at DISPATCH_LEVEL, so not claimed. */
VOID DispatchOnlyAtPassive(PDEVICE_OBJECT DeviceObject, PEXT Ext)
{
    KIRQL old = ExAcquireSpinLockExclusive(&Ext->RwLock);
    Ext->Count++;
    ExReleaseSpinLockExclusive(&Ext->RwLock, old);
    IoStartNextPacket(DeviceObject, FALSE);
}

/* ExReleaseSpinLockExclusive with no lock held: at PASSIVE_LEVEL and at APC_LEVEL (where it also leaves the
   function at PASSIVE_LEVEL, not at its entry IRQL). */
_IRQL_requires_max_(APC_LEVEL)
VOID ReleaseExclusiveAtPassive(PEXT Ext)
{
    ExReleaseSpinLockExclusive(&Ext->RwLock, PASSIVE_LEVEL); // @ irql-api-too-low
} // @ irql-not-restored

/* Under an executive spin lock the IRQL is DISPATCH_LEVEL. */
VOID QueryUnderExclusiveLock(PEXT Ext, HANDLE Key, PUNICODE_STRING Name, PVOID Buffer, ULONG Length)
{
    ULONG needed;
    KIRQL old = ExAcquireSpinLockExclusive(&Ext->RwLock);
    ZwQueryValueKey(Key, Name, KeyValuePartialInformation, Buffer, Length, &needed); // @ irql-api-too-high
    ExReleaseSpinLockExclusive(&Ext->RwLock, old);
}

/* A StartIo routine runs at DISPATCH_LEVEL: IoStartNextPacket is right there. */
VOID StartIo(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    IoStartNextPacket(DeviceObject, FALSE);
}

/* A helper without annotations, called from a DPC: it runs at DISPATCH_LEVEL. */
NTSTATUS OpenLog(PEXT Ext, POBJECT_ATTRIBUTES Attributes)
{
    IO_STATUS_BLOCK iosb;
    return ZwCreateFile(&Ext->File, GENERIC_WRITE, Attributes, &iosb, NULL, FILE_ATTRIBUTE_NORMAL, 0, FILE_OPEN_IF, 0, NULL, 0); // @ irql-api-too-high
}

VOID LogDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    OpenLog((PEXT)Context, (POBJECT_ATTRIBUTES)Arg1); // @ irql-api-too-high
}

/* Registered with KeInitializeDpc (no role type): entered at DISPATCH_LEVEL. */
VOID ReferenceDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PVOID object;
    ObReferenceObjectByHandle((HANDLE)Arg1, 0, NULL, KernelMode, &object, NULL); // @ irql-api-too-high
}

VOID SetupDpc(PEXT Ext)
{
    KeInitializeDpc(&Ext->Dpc, ReferenceDpc, Ext);
    KeInsertQueueDpc(&Ext->Dpc, NULL, NULL);
}

/* A completion routine runs at ≤ DISPATCH_LEVEL: a PASSIVE-only routine faults on the APC / DISPATCH levels. */
NTSTATUS ReadDone(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    PEXT ext = (PEXT)Context;
    ZwClose(ext->File); // @ irql-api-too-high
    return STATUS_CONTINUE_COMPLETION;
}

/* A completion routine that only signals: fine at every level of its range. */
NTSTATUS SignalDone(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* Registered with IoSetCompletionRoutine (no role type): ≤ DISPATCH_LEVEL too. */
NTSTATUS FreeDone(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    PEXT ext = (PEXT)Context;
    IoFreeIrp(Irp);
    KeDelayExecutionThread(KernelMode, FALSE, NULL); // @ irql-api-too-high
    return STATUS_MORE_PROCESSING_REQUIRED;
}

NTSTATUS SendOwnIrp(PDEVICE_OBJECT Target, PEXT Ext)
{
    PIRP irp = IoAllocateIrp(Target->StackSize, FALSE);
    if (irp == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    IoSetCompletionRoutine(irp, FreeDone, Ext, TRUE, TRUE, TRUE);
    return IoCallDriver(Target, irp);
}

/* A range that a KeGetCurrentIrql test splits: the Zw call is reached only at PASSIVE_LEVEL. */
_IRQL_requires_max_(DISPATCH_LEVEL)
VOID CloseWhenPassive(PEXT Ext)
{
    if (KeGetCurrentIrql() == PASSIVE_LEVEL) {
        ZwClose(Ext->File);
    } else {
        IoQueueWorkItem(Ext->WorkItem, CloseWorker, DelayedWorkQueue, Ext);
    }
}

/* A work item runs at PASSIVE_LEVEL in a system thread. */
VOID CloseWorker(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    PEXT ext = (PEXT)Context;
    ZwClose(ext->File);
    ext->File = NULL;
}

/* `_IRQL_requires_max_(APC_LEVEL)`: a PASSIVE-only routine faults on the APC_LEVEL entry. */
_IRQL_requires_max_(APC_LEVEL)
NTSTATUS CreateLink(PUNICODE_STRING Link, PUNICODE_STRING Target)
{
    return IoCreateSymbolicLink(Link, Target); // @ irql-api-too-high
}

/* `_IRQL_requires_max_(APC_LEVEL)` and routines allowed up to APC_LEVEL: no fault at either level. */
_IRQL_requires_max_(APC_LEVEL)
VOID UpdateShared(PEXT Ext)
{
    KeEnterCriticalRegion();
    ExAcquireResourceExclusiveLite(&Ext->Resource, TRUE);
    Ext->Count++;
    ExReleaseResourceLite(&Ext->Resource);
    KeLeaveCriticalRegion();
}

/* A critical region entered at DISPATCH_LEVEL. */
VOID CriticalRegionUnderLock(PEXT Ext)
{
    KIRQL oldIrql;
    KeAcquireSpinLock(&Ext->Lock, &oldIrql);
    KeEnterCriticalRegion(); // @ irql-api-too-high
    Ext->Count++;
    KeLeaveCriticalRegion(); // @ irql-api-too-high
    KeReleaseSpinLock(&Ext->Lock, oldIrql);
}

/* A system thread's start routine runs at PASSIVE_LEVEL. */
VOID ThreadMain(PVOID Context)
{
    PEXT ext = (PEXT)Context;
    LARGE_INTEGER interval;
    interval.QuadPart = -10 * 1000 * 1000;
    KeDelayExecutionThread(KernelMode, FALSE, &interval);
    ZwClose(ext->File);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

NTSTATUS StartThread(PEXT Ext)
{
    HANDLE thread;
    NTSTATUS status = PsCreateSystemThread(&thread, THREAD_ALL_ACCESS, NULL, NULL, NULL, ThreadMain, Ext);
    if (NT_SUCCESS(status)) ZwClose(thread);
    return status;
}

/* An interrupt service routine (IoConnectInterrupt) runs at DIRQL: only KeInsertQueueDpc and the like. */
BOOLEAN GoodIsr(PKINTERRUPT Interrupt, PVOID Context)
{
    PEXT ext = (PEXT)Context;
    KeInsertQueueDpc(&ext->Dpc, NULL, NULL);
    return TRUE;
}

BOOLEAN BadIsr(PKINTERRUPT Interrupt, PVOID Context)
{
    PEXT ext = (PEXT)Context;
    KeSetEvent(&ext->Event, IO_NO_INCREMENT, FALSE); // @ irql-api-too-high
    return TRUE;
}

NTSTATUS ConnectInterrupts(PEXT Ext, ULONG Vector, KIRQL Irql, KAFFINITY Affinity)
{
    NTSTATUS status = IoConnectInterrupt(&Ext->Interrupt, GoodIsr, Ext, NULL, Vector, Irql, Irql, LevelSensitive, TRUE, Affinity, FALSE);
    if (!NT_SUCCESS(status)) return status;
    return IoConnectInterrupt(&Ext->Interrupt, BadIsr, Ext, NULL, Vector, Irql, Irql, LevelSensitive, TRUE, Affinity, FALSE);
}

/* A KeSynchronizeExecution routine runs at DIRQL too. */
BOOLEAN SyncCount(PVOID Context)
{
    PEXT ext = (PEXT)Context;
    ext->Count++;
    KeStallExecutionProcessor(5);
    return TRUE;
}

BOOLEAN SyncComplete(PVOID Context)
{
    PEXT ext = (PEXT)Context;
    IoCompleteRequest(ext->Irp, IO_NO_INCREMENT); // @ irql-api-too-high
    return TRUE;
}

VOID Synchronize(PEXT Ext)
{
    KeSynchronizeExecution(Ext->Interrupt, SyncCount, Ext);
    KeSynchronizeExecution(Ext->Interrupt, SyncComplete, Ext);
}

/* Correct code under a spin lock: nothing here has a maximum below DISPATCH_LEVEL. */
VOID CompleteUnderLock(PEXT Ext, PIRP Irp)
{
    KIRQL oldIrql;
    KeAcquireSpinLock(&Ext->Lock, &oldIrql);
    KeStallExecutionProcessor(10);
    InterlockedIncrement(&Ext->Count);
    KeQuerySystemTime(NULL);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    KeReleaseSpinLock(&Ext->Lock, oldIrql);
}

/* Paged pool at DISPATCH_LEVEL; nonpaged pool is fine there. */
VOID PoolUnderLock(PEXT Ext)
{
    KIRQL oldIrql;
    PVOID a;
    PVOID b;
    KeAcquireSpinLock(&Ext->Lock, &oldIrql);
    a = ExAllocatePoolWithTag(PagedPool, 64, 'tseT'); // @ irql-pool
    b = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, 'tseT');
    if (a) ExFreePoolWithTag(a, 'tseT'); // @ irql-pool
    if (b) ExFreePoolWithTag(b, 'tseT');
    KeReleaseSpinLock(&Ext->Lock, oldIrql);
}

/* A user-mode mapping is ≤ APC_LEVEL; a kernel-mode mapping ≤ DISPATCH_LEVEL. */
VOID MapUnderLock(PEXT Ext, PMDL Mdl)
{
    KIRQL oldIrql;
    PVOID kernelVa;
    PVOID userVa;
    KeAcquireSpinLock(&Ext->Lock, &oldIrql);
    kernelVa = MmMapLockedPagesSpecifyCache(Mdl, KernelMode, MmCached, NULL, FALSE, NormalPagePriority);
    if (kernelVa) MmUnmapLockedPages(kernelVa, Mdl);
    userVa = MmMapLockedPagesSpecifyCache(Mdl, UserMode, MmCached, NULL, FALSE, NormalPagePriority); // @ irql-api-too-high
    KeReleaseSpinLock(&Ext->Lock, oldIrql);
}

/* The cancel spin lock raises to DISPATCH_LEVEL: a PASSIVE-only routine under it faults. */
VOID ReferenceUnderCancelLock(HANDLE Handle)
{
    KIRQL cancelIrql;
    PVOID object;
    IoAcquireCancelSpinLock(&cancelIrql);
    ObReferenceObjectByHandle(Handle, 0, NULL, KernelMode, &object, NULL); // @ irql-api-too-high
    IoReleaseCancelSpinLock(cancelIrql);
}

/* A cancel routine is entered at DISPATCH_LEVEL holding the cancel lock, and releases it. */
VOID CancelRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

/* Releasing the cancel spin lock that is not held, in a work item (PASSIVE_LEVEL). */
IO_WORKITEM_ROUTINE StrayCancelRelease;
VOID StrayCancelRelease(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    IoReleaseCancelSpinLock(PASSIVE_LEVEL); // @ irql-api-too-low
}

/* Nothing tells this function's IRQL (no annotation, role type, registration or caller): the AtDpcLevel
   forms are right if its callers are at DISPATCH_LEVEL, so no fault is claimed. */
VOID CountUnknownLevel(PEXT Ext)
{
    KeAcquireSpinLockAtDpcLevel(&Ext->Lock);
    Ext->Count++;
    KeReleaseSpinLockFromDpcLevel(&Ext->Lock);
}

/* A = DISPATCH_LEVEL routine after the code set the IRQL below it is certain, whatever the entry level. */
VOID KickAfterLower(PDEVICE_OBJECT DeviceObject, PEXT Ext)
{
    KIRQL oldIrql;
    KeAcquireSpinLock(&Ext->Lock, &oldIrql);
    KeReleaseSpinLock(&Ext->Lock, PASSIVE_LEVEL);
    IoStartNextPacket(DeviceObject, FALSE); // @ irql-api-too-low
}

/* A helper called only from a function whose IRQL is not known: its own is not known either. */
VOID TouchAtDpcLevel(PEXT Ext)
{
    KeAcquireSpinLockAtDpcLevel(&Ext->Lock);
    Ext->Count++;
    KeReleaseSpinLockFromDpcLevel(&Ext->Lock);
}

VOID CallsTouch(PEXT Ext)
{
    TouchAtDpcLevel(Ext);
}

/* A StartIo routine stored in the driver object runs at DISPATCH_LEVEL: no unbounded wait there. */
VOID StartIoByAssignment(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PEXT ext = (PEXT)DeviceObject->DeviceExtension;
    KeWaitForSingleObject(&ext->Event, Executive, KernelMode, FALSE, NULL); // @ irql-api-too-high
    IoStartNextPacket(DeviceObject, FALSE);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    DriverObject->DriverStartIo = StartIoByAssignment;
    return STATUS_SUCCESS;
}
