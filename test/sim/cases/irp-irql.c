/* IRP-owned MDLs (§4b) and IRQL. `// @ kind` marks each faulting line. */

NTSTATUS Forward(PVOID Va, ULONG Length);

/* Direct I/O: the I/O manager locked Irp->MdlAddress and unlocks it at completion. */
NTSTATUS DirectIoRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PVOID va;
    if (Irp->MdlAddress == NULL) {
        Irp->IoStatus.Status = STATUS_SUCCESS;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return STATUS_SUCCESS;
    }
    va = MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority);
    if (va != NULL) Forward(va, 16);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

/* The driver also unlocks the I/O manager's MDL: completion unlocks it again. */
NTSTATUS DirectIoDoubleUnlock(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    if (Irp->MdlAddress != NULL) {
        MmUnlockPages(Irp->MdlAddress);
    }
    IoCompleteRequest(Irp, IO_NO_INCREMENT); // @ irp-completion-unlock-not-locked
    return STATUS_SUCCESS;
}

/* A driver MDL stored into Irp->MdlAddress is the I/O manager's to unlock. */
NTSTATUS AttachToIrp(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    PVOID buffer = stack->Parameters.DeviceIoControl.Type3InputBuffer;
    PMDL mdl = IoAllocateMdl(buffer, 64, FALSE, FALSE, NULL);
    if (!mdl) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    Irp->MdlAddress = mdl;
    return STATUS_PENDING;
}

/* A nonpaged-built MDL left on Irp->MdlAddress: completion unlocks it. */
NTSTATUS NonPagedOnIrp(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PMDL mdl = IoAllocateMdl(Irp->AssociatedIrp.SystemBuffer, 64, FALSE, FALSE, Irp);
    if (!mdl) return STATUS_INSUFFICIENT_RESOURCES;
    MmBuildMdlForNonPagedPool(mdl);
    IoCompleteRequest(Irp, IO_NO_INCREMENT); // @ irp-completion-nonpaged
    return STATUS_SUCCESS;
}

/* Probing at DISPATCH_LEVEL under a spin lock. */
VOID ProbeUnderSpinLock(PDEVICE_OBJECT DeviceObject, PMDL Mdl)
{
    KIRQL oldIrql;
    PDEVICE_EXTENSION ext = DeviceObject->DeviceExtension;
    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    __try {
        MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        KeReleaseSpinLock(&ext->Lock, oldIrql);
        return;
    }
    MmUnlockPages(Mdl);
    KeReleaseSpinLock(&ext->Lock, oldIrql);
}

/* Unlock at DISPATCH_LEVEL is legal. */
VOID UnlockAtDispatch(PDEVICE_EXTENSION Ext, PMDL Mdl)
{
    KLOCK_QUEUE_HANDLE handle;
    KeAcquireInStackQueuedSpinLock(&Ext->Lock, &handle);
    MmUnlockPages(Mdl);
    KeReleaseInStackQueuedSpinLock(&handle);
}

VOID ProbeAboveDispatch(PMDL Mdl)
{
    KIRQL old;
    KeRaiseIrql(HIGH_LEVEL, &old);
    __try {
        MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess); // @ irql-probe-too-high
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        KeLowerIrql(old);
        return;
    }
    KeLowerIrql(old);
}

VOID ForgetsRelease(PDEVICE_EXTENSION Ext)
{
    KIRQL old;
    KeAcquireSpinLock(&Ext->Lock, &old);
    Ext->Count++;
} // @ spinlock-held-at-exit

VOID RaiseLower(PDEVICE_EXTENSION Ext)
{
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    Ext->Count++;
    KeLowerIrql(old);
}

_IRQL_requires_(DISPATCH_LEVEL)
VOID DpcProbe(PIRP Irp)
{
    PMDL mdl = IoAllocateMdl(Irp->UserBuffer, 16, FALSE, FALSE, NULL);
    if (!mdl) return;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess); // @ irql-pageable-at-dispatch
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return;
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
}
