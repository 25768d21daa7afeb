/*
 * Session 3 semantics: an MDL's state is undefined after an operation the kernel does not define (state U);
 * an MDL from outside (a parameter, one handed to external code) has an assumed state, and a fault that
 * holds only under that assumption is not claimed; leaks of a helper's MDL are shown where the owner returns.
 */
VOID KeepMdl(PVOID Ctx, PMDL Mdl);

PMDL LockHelper(PVOID Buffer, ULONG Length)
{
    PMDL mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    if (mdl == NULL) return NULL;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return NULL;
    }
    return mdl;
}

/* Probing a nonpaged-built MDL is the fault; the unlock and free after it claim nothing more. */
VOID ProbeNonPagedThenRelease(PVOID Pool, ULONG Length)
{
    PMDL mdl = IoAllocateMdl(Pool, Length, FALSE, FALSE, NULL);
    if (mdl == NULL) return;
    MmBuildMdlForNonPagedPool(mdl);
    __try {
        MmProbeAndLockPages(mdl, KernelMode, IoReadAccess); // @ lock-prebuilt
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return;
    }
    MmUnlockPages(mdl);
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
}

/* Rebuilding a locked MDL as nonpaged: one fault, no leak claimed at the exit. */
VOID RebuildLocked(PVOID Buffer, ULONG Length)
{
    PMDL mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    if (mdl == NULL) return;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return;
    }
    MmBuildMdlForNonPagedPool(mdl); // @ build-nonpaged-bad-state
    IoFreeMdl(mdl);
}

/* Rebuilding an MDL that is built already is not claimed. */
VOID RebuildBuilt(PVOID Pool, ULONG Length)
{
    PMDL mdl = IoAllocateMdl(Pool, Length, FALSE, FALSE, NULL);
    if (mdl == NULL) return;
    MmBuildMdlForNonPagedPool(mdl);
    MmBuildMdlForNonPagedPool(mdl);
    IoFreeMdl(mdl);
}

/* Handed to external code, then mapped and freed: "locked" is only an assumption (it may be nonpaged). */
VOID EscapedMappedFreed(PVOID Ctx, PVOID Buffer, ULONG Length)
{
    PVOID va;
    PMDL mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    if (mdl == NULL) return;
    KeepMdl(Ctx, mdl);
    va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    if (va == NULL) {
        IoFreeMdl(mdl);
        return;
    }
}

/* A parameter MDL: after the function's own probe its state is known, so a failed probe's unlock faults. */
VOID ParamUnlockAfterFailedProbe(PMDL Mdl)
{
    __try {
        MmProbeAndLockPages(Mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        MmUnlockPages(Mdl); // @ unlock-not-locked
        return;
    }
    MmUnlockPages(Mdl);
}

/* A locked MDL freed with ExFreePool: the pages stay locked. */
VOID ExFreePoolLocked(PVOID Buffer, ULONG Length)
{
    PMDL mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    if (mdl == NULL) return;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return;
    }
    ExFreePool(mdl); // @ free-while-locked
}

/* The helper's locked MDL is overwritten by a second call: the leak shows at this function's return. */
NTSTATUS OverwriteHelperResult(PVOID Buffer, ULONG Length)
{
    PMDL mdl = LockHelper(Buffer, Length);
    if (mdl == NULL) return STATUS_UNSUCCESSFUL;
    mdl = LockHelper(Buffer, Length);
    if (mdl == NULL) return STATUS_UNSUCCESSFUL; // @ locked-at-exit
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS; // @ locked-at-exit
}
