/* Simulator cases for the MDL rules of issue 4: each faulting line carries `// @ fault-kind`;
   every other function (the traps) has no fault. */

NTSTATUS DoWork(PVOID Va, ULONG Length);
DRIVER_DISPATCH DispatchRead;
DRIVER_DISPATCH DispatchWrite;
DRIVER_DISPATCH DispatchIoctl;
IO_COMPLETION_ROUTINE FreeOwnIrpCompletion;

typedef struct _INPUT { PVOID Address; ULONG Length; } INPUT, *PINPUT;

/* ---- double lock ---- */

/* The I/O manager locked Irp->MdlAddress for this direct-I/O dispatch routine. */
NTSTATUS DispatchRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PMDL mdl = Irp->MdlAddress;
    if (mdl == NULL) return STATUS_SUCCESS;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoWriteAccess); // @ double-lock
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}

/* Not a dispatch routine: the IRP's MDL state is not known here (lazy): no double lock. (When the probe
   raises, the IRP, completed later, carries an MDL this function assumed unlocked: the completion's unlock.) */
NTSTATUS LockIrpMdlInHelperContext(PIRP Irp)
{
    if (Irp->MdlAddress == NULL) return STATUS_SUCCESS;
    __try {
        MmProbeAndLockPages(Irp->MdlAddress, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode(); // @ irp-completion-unlock-not-locked
    }
    return STATUS_SUCCESS;
}

/* Trap: a retry after a probe that raised (the raising probe left the MDL unlocked). */
NTSTATUS RetryAfterRaise(PVOID Buffer, ULONG Length)
{
    PMDL mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    if (!mdl) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        __try {
            MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            IoFreeMdl(mdl);
            return GetExceptionCode();
        }
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}

/* Trap: lock only when MDL_PAGES_LOCKED is clear. */
VOID LockIfNotLocked(PMDL Mdl)
{
    if (!(Mdl->MdlFlags & MDL_PAGES_LOCKED)) {
        __try { MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess); }
        __except (EXCEPTION_EXECUTE_HANDLER) { return; }
    }
}

/* ---- lock-prebuilt ---- */

VOID RebuildLockedAsPartial(PVOID Buffer, PMDL Source)
{
    PMDL mdl = IoAllocateMdl(Buffer, 64, FALSE, FALSE, NULL);
    if (!mdl) return;
    __try { MmProbeAndLockPages(mdl, UserMode, IoReadAccess); }
    __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(mdl); return; }
    IoBuildPartialMdl(Source, mdl, Buffer, 64); // @ partial-target-locked
    IoFreeMdl(mdl);
}

/* Trap: MmPrepareMdlForReuse, then the same partial target again; MmInitializeMdl resets a built MDL. */
VOID PartialReuse(PMDL Source, PVOID Va, PMDL Partial, PVOID Pool)
{
    IoBuildPartialMdl(Source, Partial, Va, 64);
    MmPrepareMdlForReuse(Partial);
    IoBuildPartialMdl(Source, Partial, Va, 64);
    MmPrepareMdlForReuse(Partial);
    MmInitializeMdl(Partial, Pool, 64);
    __try { MmProbeAndLockPages(Partial, KernelMode, IoReadAccess); }
    __except (EXCEPTION_EXECUTE_HANDLER) { return; }
    MmUnlockPages(Partial);
}

/* ---- free while locked: one defect, one fault ---- */

VOID FreeLockedMapped(PVOID Buffer)
{
    PVOID va;
    PMDL mdl = IoAllocateMdl(Buffer, 64, FALSE, FALSE, NULL);
    if (!mdl) return;
    __try { MmProbeAndLockPages(mdl, UserMode, IoReadAccess); }
    __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(mdl); return; }
    va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    if (va == NULL) { MmUnlockPages(mdl); IoFreeMdl(mdl); return; }
    DoWork(NULL, 0);
    IoFreeMdl(mdl); // @ free-while-mapped, free-while-locked
}

/* IoFreeMdl(head) frees the head only: the chained MDL stays locked. */
VOID FreeChainHead(PVOID A, PVOID B)
{
    PMDL head = IoAllocateMdl(A, 64, FALSE, FALSE, NULL);
    PMDL second;
    if (!head) return;
    second = IoAllocateMdl(B, 64, FALSE, FALSE, NULL);
    if (!second) { IoFreeMdl(head); return; }
    head->Next = second;
    __try { MmProbeAndLockPages(second, UserMode, IoReadAccess); }
    __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(second); IoFreeMdl(head); return; }
    IoFreeMdl(head); // @ free-chain-head
}

/* Trap: the chain loop saves next, unlocks and frees each element. */
VOID FreeChainLoop(PVOID A, PVOID B)
{
    PMDL head = IoAllocateMdl(A, 64, FALSE, FALSE, NULL);
    PMDL m, next;
    if (!head) return;
    head->Next = IoAllocateMdl(B, 64, FALSE, FALSE, NULL);
    if (!head->Next) { IoFreeMdl(head); return; }
    __try {
        MmProbeAndLockPages(head, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(head->Next); IoFreeMdl(head); return; }
    __try {
        MmProbeAndLockPages(head->Next, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) { MmUnlockPages(head); IoFreeMdl(head->Next); IoFreeMdl(head); return; }
    for (m = head; m != NULL; m = next) {
        next = m->Next;
        MmUnlockPages(m);
        IoFreeMdl(m);
    }
}

/* IoFreeIrp neither unlocks nor frees the MDLs of a driver-allocated IRP. */
NTSTATUS FreeIrpWithLockedMdl(PDEVICE_OBJECT Target, PVOID Buffer)
{
    PIRP irp = IoAllocateIrp(Target->StackSize, FALSE);
    PMDL mdl;
    if (!irp) return STATUS_INSUFFICIENT_RESOURCES;
    mdl = IoAllocateMdl(Buffer, 64, FALSE, FALSE, irp);
    if (!mdl) { IoFreeIrp(irp); return STATUS_INSUFFICIENT_RESOURCES; }
    __try { MmProbeAndLockPages(mdl, UserMode, IoReadAccess); }
    __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(mdl); IoFreeIrp(irp); return GetExceptionCode(); }
    IoFreeIrp(irp); // @ free-irp-with-locked-mdl
    return STATUS_SUCCESS;
}

/* Trap: a completion routine that unlocks and frees every MDL of its own IRP, then IoFreeIrp. */
NTSTATUS FreeOwnIrpCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    PMDL m, next;
    for (m = Irp->MdlAddress; m != NULL; m = next) {
        next = m->Next;
        MmUnlockPages(m);
        IoFreeMdl(m);
    }
    Irp->MdlAddress = NULL;
    IoFreeIrp(Irp);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* ---- use after free ---- */

VOID FreeListForLoop(PMDL Head)
{
    PMDL m;
    for (m = Head; m != NULL; m = m->Next) { // @ use-after-free
        IoFreeMdl(m);
    }
}

VOID FreeTwice(PVOID Buffer)
{
    PMDL mdl = IoAllocateMdl(Buffer, 64, FALSE, FALSE, NULL);
    if (!mdl) return;
    IoFreeMdl(mdl);
    if (mdl->ByteCount) DoWork(NULL, 0); // @ use-after-free
    IoFreeMdl(mdl); // @ double-free
}

/* Trap: mdl = NULL after the free guards the second free. */
VOID FreeThenNull(PVOID Buffer)
{
    PMDL mdl = IoAllocateMdl(Buffer, 64, FALSE, FALSE, NULL);
    if (!mdl) return;
    IoFreeMdl(mdl);
    mdl = NULL;
    if (mdl) IoFreeMdl(mdl);
}

/* ---- KernelMode probe of a caller-supplied address ---- */

NTSTATUS DispatchIoctl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    PINPUT in = (PINPUT)Irp->AssociatedIrp.SystemBuffer;
    PMDL user, embedded, sys;
    user = IoAllocateMdl(sp->Parameters.DeviceIoControl.Type3InputBuffer, 64, FALSE, FALSE, NULL);
    if (!user) return STATUS_INSUFFICIENT_RESOURCES;
    __try { MmProbeAndLockPages(user, KernelMode, IoReadAccess); } // @ kernelmode-probe-user-address
    __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(user); return GetExceptionCode(); }
    MmUnlockPages(user);
    IoFreeMdl(user);
    embedded = IoAllocateMdl(in->Address, in->Length, FALSE, FALSE, NULL);
    if (!embedded) return STATUS_INSUFFICIENT_RESOURCES;
    __try { MmProbeAndLockPages(embedded, KernelMode, IoWriteAccess); } // @ kernelmode-probe-user-address
    __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(embedded); return GetExceptionCode(); }
    MmUnlockPages(embedded);
    IoFreeMdl(embedded);
    /* the system buffer itself is kernel memory: fine */
    sys = IoAllocateMdl(in, sizeof(INPUT), FALSE, FALSE, NULL);
    if (!sys) return STATUS_INSUFFICIENT_RESOURCES;
    __try { MmProbeAndLockPages(sys, KernelMode, IoReadAccess); }
    __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(sys); return GetExceptionCode(); }
    MmUnlockPages(sys);
    IoFreeMdl(sys);
    return STATUS_SUCCESS;
}

/* Traps: UserMode / RequestorMode; KernelMode only when the request came from kernel mode. */
NTSTATUS ProbeUserBufferModes(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PMDL mdl = IoAllocateMdl(Irp->UserBuffer, 64, FALSE, FALSE, NULL);
    if (!mdl) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        if (Irp->RequestorMode == KernelMode) MmProbeAndLockPages(mdl, KernelMode, IoWriteAccess);
        else MmProbeAndLockPages(mdl, Irp->RequestorMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(mdl); return GetExceptionCode(); }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}

/* ---- probe arguments ---- */

VOID SwappedArguments(PVOID Buffer)
{
    PMDL mdl = IoAllocateMdl(Buffer, 64, FALSE, FALSE, NULL);
    if (!mdl) return;
    __try { MmProbeAndLockPages(mdl, IoWriteAccess, KernelMode); } // @ probe-invalid-argument
    __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(mdl); return; }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
}

VOID BooleanAndOutOfRange(PVOID Buffer, KPROCESSOR_MODE Mode, LOCK_OPERATION Op)
{
    PMDL mdl = IoAllocateMdl(Buffer, 64, FALSE, FALSE, NULL);
    if (!mdl) return;
    __try { MmProbeAndLockPages(mdl, UserMode, TRUE); } // @ probe-invalid-argument
    __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(mdl); return; }
    MmUnlockPages(mdl);
    __try { MmProbeAndLockPages(mdl, 2, IoReadAccess); } // @ probe-invalid-argument
    __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(mdl); return; }
    MmUnlockPages(mdl);
    __try { MmProbeAndLockPages(mdl, Op, Mode); } // @ probe-invalid-argument
    __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(mdl); return; }
    MmUnlockPages(mdl);
    /* typed variables in their right places: fine */
    __try { MmProbeAndLockPages(mdl, Mode, Op); }
    __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(mdl); return; }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
}

/* ---- write through a read-locked MDL ---- */

VOID WriteReadLocked(PVOID Buffer, PVOID Local, BOOLEAN Write)
{
    PUCHAR va;
    PMDL mdl = IoAllocateMdl(Buffer, 64, FALSE, FALSE, NULL);
    if (!mdl) return;
    __try { MmProbeAndLockPages(mdl, UserMode, IoReadAccess); }
    __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(mdl); return; }
    va = (PUCHAR)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    if (va != NULL) {
        RtlCopyMemory(Local, va, 64);
        if (va[0] == 0) va[1] = 1; // @ write-to-read-locked
        RtlZeroMemory(va + 8, 8); // @ write-to-read-locked
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
}

/* Trap: the operation follows the direction; writes only when locked for write. */
VOID WriteByDirection(PVOID Buffer, BOOLEAN Write)
{
    PUCHAR va;
    LOCK_OPERATION op = Write ? IoWriteAccess : IoReadAccess;
    PMDL mdl = IoAllocateMdl(Buffer, 64, FALSE, FALSE, NULL);
    if (!mdl) return;
    __try { MmProbeAndLockPages(mdl, UserMode, op); }
    __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(mdl); return; }
    va = (PUCHAR)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    if (va != NULL && Write) *va = 0;
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
}

/* ---- unchecked system address ---- */

VOID UncheckedDeref(PVOID Buffer)
{
    PUCHAR va;
    PMDL mdl = IoAllocateMdl(Buffer, 64, FALSE, FALSE, NULL);
    if (!mdl) return;
    __try { MmProbeAndLockPages(mdl, UserMode, IoWriteAccess); }
    __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(mdl); return; }
    va = (PUCHAR)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    ASSERT(va != NULL);
    va[0] = 1; // @ null-deref
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
}

/* Traps: nonpaged-built MDLs, the second mapping, BugCheckOnFailure TRUE, checks spelt several ways. */
VOID CheckedOrNeverNull(PVOID Pool, PMDL Locked, PMDL Other)
{
    PUCHAR va, again, mapped;
    PMDL np = IoAllocateMdl(Pool, 64, FALSE, FALSE, NULL);
    if (!np) return;
    MmBuildMdlForNonPagedPool(np);
    va = (PUCHAR)MmGetSystemAddressForMdlSafe(np, NormalPagePriority);
    va[0] = 1;
    IoFreeMdl(np);
    va = (PUCHAR)MmGetSystemAddressForMdlSafe(Locked, NormalPagePriority);
    if (NULL == va) return;
    again = (PUCHAR)MmGetSystemAddressForMdlSafe(Locked, NormalPagePriority);
    again[0] = 1;
    mapped = (PUCHAR)MmMapLockedPagesSpecifyCache(Other, KernelMode, MmCached, NULL, TRUE, NormalPagePriority);
    RtlZeroMemory(mapped, 8);
    MmUnmapLockedPages(mapped, Other);
}

VOID UncheckedCopySpecifyCache(PMDL Locked, PVOID Local)
{
    PVOID va = MmMapLockedPagesSpecifyCache(Locked, KernelMode, MmCached, NULL, FALSE, NormalPagePriority);
    RtlCopyMemory(Local, va, 16); // @ null-deref
    MmUnmapLockedPages(va, Locked);
}

/* A NULL dereference below DISPATCH_LEVEL is an access violation a __try/__except takes (as on Windows). */
NTSTATUS DerefInsideTry(PMDL Locked)
{
    PULONG va = (PULONG)MmGetSystemAddressForMdlSafe(Locked, NormalPagePriority);
    __try {
        *va = 0;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}

/* Mapping an MDL that is not locked. */
VOID MapUnlocked(PVOID Buffer)
{
    PVOID va;
    PMDL mdl = IoAllocateMdl(Buffer, 64, FALSE, FALSE, NULL);
    if (!mdl) return;
    va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority); // @ map-unlocked
    if (va) DoWork(va, 64);
    IoFreeMdl(mdl);
}

/* ---- helpers and callers ---- */

VOID UnlockAndFree(PMDL Mdl)
{
    MmUnlockPages(Mdl);
    IoFreeMdl(Mdl);
}

VOID CallsHelperTwice(PVOID Buffer)
{
    PMDL mdl = IoAllocateMdl(Buffer, 64, FALSE, FALSE, NULL);
    if (!mdl) return;
    __try { MmProbeAndLockPages(mdl, UserMode, IoReadAccess); }
    __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(mdl); return; }
    UnlockAndFree(mdl);
    UnlockAndFree(mdl); // @ use-after-free, double-free
}

/* A helper whose probe is outside any __try: its callers decide (this one guards the call). */
VOID LockHelper(PMDL Mdl)
{
    MmProbeAndLockPages(Mdl, UserMode, IoReadAccess);
}

NTSTATUS GuardedCaller(PVOID Buffer)
{
    PMDL mdl = IoAllocateMdl(Buffer, 64, FALSE, FALSE, NULL);
    if (!mdl) return STATUS_INSUFFICIENT_RESOURCES;
    __try { LockHelper(mdl); }
    __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(mdl); return GetExceptionCode(); }
    UnlockAndFree(mdl);
    return STATUS_SUCCESS;
}

NTSTATUS UnguardedCaller(PVOID Buffer)
{
    PMDL mdl = IoAllocateMdl(Buffer, 64, FALSE, FALSE, NULL);
    if (!mdl) return STATUS_INSUFFICIENT_RESOURCES;
    LockHelper(mdl); // @ probe-unhandled-exception
    UnlockAndFree(mdl);
    return STATUS_SUCCESS;
}

/* Captured parameters: a copy of the system buffer still holds the caller's pointer. */
NTSTATUS DispatchWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    INPUT captured;
    PMDL mdl;
    RtlCopyMemory(&captured, Irp->AssociatedIrp.SystemBuffer, sizeof(INPUT));
    mdl = IoAllocateMdl(captured.Address, captured.Length, FALSE, FALSE, NULL);
    if (!mdl) return STATUS_INSUFFICIENT_RESOURCES;
    __try { MmProbeAndLockPages(mdl, KernelMode, IoWriteAccess); } // @ kernelmode-probe-user-address
    __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(mdl); return GetExceptionCode(); }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}
