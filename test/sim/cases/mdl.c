/* Simulator cases: each faulting line carries `// @ fault-kind`; every other function has no fault. */

NTSTATUS DoWork(PVOID Va, ULONG Length);

/* Early return after a failed status leaves the pages locked. */
NTSTATUS LeakOnMapFailure(PVOID Buffer, ULONG Length)
{
    PMDL mdl;
    PVOID va;
    NTSTATUS status;
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
    va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    if (va == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES; // @ locked-at-exit
    }
    status = DoWork(va, Length);
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return status;
}

/* Flag variable set right after the probe guards the unlock. */
NTSTATUS FlagGuarded(PVOID Buffer, ULONG Length)
{
    PMDL mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    BOOLEAN locked = FALSE;
    NTSTATUS status = STATUS_SUCCESS;
    if (!mdl) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
        locked = TRUE;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
        goto Cleanup;
    }
    status = DoWork(MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority), Length);
Cleanup:
    if (locked) MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return status;
}

/* The shared exit unlocks after a probe that raised. */
NTSTATUS UnlockAfterFailedProbe(PVOID Buffer, ULONG Length)
{
    PMDL mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    NTSTATUS status = STATUS_SUCCESS;
    if (!mdl) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    MmUnlockPages(mdl); // @ unlock-not-locked
    IoFreeMdl(mdl);
    return status;
}

/* Status that only a successful probe leaves successful guards the unlock. */
NTSTATUS StatusGuarded(PVOID Buffer, ULONG Length)
{
    PMDL mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    NTSTATUS status = STATUS_SUCCESS;
    if (!mdl) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    if (NT_SUCCESS(status)) {
        MmUnlockPages(mdl);
    }
    IoFreeMdl(mdl);
    return status;
}

VOID ProbeNoTry(PMDL Mdl)
{
    MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess); // @ probe-unhandled-exception
}

/* __try/__finally alone does not catch. */
VOID ProbeFinallyOnly(PMDL Mdl)
{
    __try {
        MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess); // @ probe-unhandled-exception
    } __finally {
        DoWork(NULL, 0);
    }
}

NTSTATUS FilterOneCode(PMDL Mdl)
{
    __try {
        MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess); // @ probe-unhandled-exception
    } __except (GetExceptionCode() == STATUS_ACCESS_VIOLATION ? EXCEPTION_EXECUTE_HANDLER : EXCEPTION_CONTINUE_SEARCH) {
        return STATUS_ACCESS_VIOLATION;
    }
    return STATUS_SUCCESS;
}

NTSTATUS FilterContinueSearch(PMDL Mdl)
{
    __try {
        MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess); // @ probe-unhandled-exception
    } __except (EXCEPTION_CONTINUE_SEARCH) {
        return STATUS_ACCESS_VIOLATION;
    }
    return STATUS_SUCCESS;
}

LONG MyFilter(NTSTATUS Code)
{
    return EXCEPTION_EXECUTE_HANDLER;
}

NTSTATUS FilterFunction(PMDL Mdl)
{
    __try {
        MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess);
    } __except (MyFilter(GetExceptionCode())) {
        return STATUS_ACCESS_VIOLATION;
    }
    return STATUS_SUCCESS;
}

/* A caller-owned MDL: one unlock releases the caller's lock; two fault. */
VOID UnlockParam(PMDL Mdl)
{
    MmUnlockPages(Mdl);
}

VOID UnlockParamTwice(PMDL Mdl)
{
    MmUnlockPages(Mdl);
    MmUnlockPages(Mdl); // @ unlock-not-locked
}

VOID LockParam(PMDL Mdl)
{
    __try {
        MmProbeAndLockPages(Mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return;
    }
}

VOID UnlockGuardedByFlags(PMDL Mdl)
{
    if (Mdl->MdlFlags & MDL_PAGES_LOCKED) {
        MmUnlockPages(Mdl);
    }
}

VOID UnlockInvertedFlags(PMDL Mdl)
{
    if (!(Mdl->MdlFlags & MDL_PAGES_LOCKED)) {
        MmUnlockPages(Mdl); // @ unlock-not-locked
    }
}

/* __finally unlocks on every exit, an outer __except catches. */
NTSTATUS FinallyCleanup(PVOID Buffer, ULONG Length)
{
    PMDL mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    BOOLEAN locked = FALSE;
    if (!mdl) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        __try {
            MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
            locked = TRUE;
            ExRaiseStatus(STATUS_DATATYPE_MISALIGNMENT);
        } __finally {
            if (locked) MmUnlockPages(mdl);
            IoFreeMdl(mdl);
        }
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}

/* __leave skips the rest of the __try body; the __finally still runs. */
NTSTATUS LeaveFinally(PVOID Buffer, ULONG Length, BOOLEAN Skip)
{
    PMDL mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    BOOLEAN locked = FALSE;
    if (!mdl) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        __try {
            MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
            locked = TRUE;
            if (Skip) __leave;
            DoWork(NULL, Length);
        } __finally {
            if (locked) MmUnlockPages(mdl);
            IoFreeMdl(mdl);
        }
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return STATUS_ACCESS_VIOLATION;
    }
    return STATUS_SUCCESS;
}

/* Lock and unlock under the same condition. */
NTSTATUS SameCondition(PCONTEXT_BLOCK Ctx, PVOID Buffer)
{
    PMDL mdl = IoAllocateMdl(Buffer, 64, FALSE, FALSE, NULL);
    if (!mdl) return STATUS_INSUFFICIENT_RESOURCES;
    if (Ctx->Flags & 4) {
        __try { MmProbeAndLockPages(mdl, UserMode, IoReadAccess); }
        __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(mdl); return STATUS_ACCESS_VIOLATION; }
    }
    DoWork(NULL, 64);
    if (Ctx->Flags & 4) MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}

/* Storing the locked MDL where the caller can reach it is not a leak. */
NTSTATUS StoreInContext(PCONTEXT_BLOCK Ctx, PVOID Buffer)
{
    PMDL mdl = IoAllocateMdl(Buffer, 64, FALSE, FALSE, NULL);
    if (!mdl) return STATUS_INSUFFICIENT_RESOURCES;
    __try { MmProbeAndLockPages(mdl, UserMode, IoReadAccess); }
    __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(mdl); return STATUS_ACCESS_VIOLATION; }
    Ctx->Mdl = mdl;
    return STATUS_SUCCESS;
}

NTSTATUS OutParameter(PVOID Buffer, PMDL *OutMdl)
{
    PMDL mdl = IoAllocateMdl(Buffer, 64, FALSE, FALSE, NULL);
    if (!mdl) return STATUS_INSUFFICIENT_RESOURCES;
    __try { MmProbeAndLockPages(mdl, UserMode, IoReadAccess); }
    __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(mdl); return STATUS_ACCESS_VIOLATION; }
    *OutMdl = mdl;
    return STATUS_SUCCESS;
}

PMDL LockHelper(PVOID Buffer, ULONG Length)
{
    PMDL mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    if (!mdl) return NULL;
    __try { MmProbeAndLockPages(mdl, UserMode, IoReadAccess); }
    __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(mdl); return NULL; }
    return mdl;
}

/* The helper's lock is the caller's now: dropping it leaks. */
NTSTATUS UsesHelperAndLeaks(PVOID Buffer)
{
    PMDL mdl = LockHelper(Buffer, 16);
    if (!mdl) return STATUS_UNSUCCESSFUL;
    return STATUS_SUCCESS; // @ locked-at-exit
}

NTSTATUS UsesHelperAndUnlocks(PVOID Buffer)
{
    PMDL mdl = LockHelper(Buffer, 16);
    if (!mdl) return STATUS_UNSUCCESSFUL;
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}

/* Falling off the end: reported at the closing brace. */
VOID FallOffEnd(PVOID Buffer)
{
    PMDL mdl = IoAllocateMdl(Buffer, 10, FALSE, FALSE, NULL);
    if (!mdl) return;
    __try { MmProbeAndLockPages(mdl, UserMode, IoReadAccess); }
    __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(mdl); return; }
    DoWork(NULL, 10);
} // @ locked-at-exit

/* Freeing while locked: the pages stay locked. */
VOID FreeWhileLocked(PVOID Buffer)
{
    PMDL mdl = IoAllocateMdl(Buffer, 10, FALSE, FALSE, NULL);
    if (!mdl) return;
    __try { MmProbeAndLockPages(mdl, UserMode, IoReadAccess); }
    __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(mdl); return; }
    IoFreeMdl(mdl); // @ free-while-locked
} /* one defect, one fault: no locked-at-exit for the pages IoFreeMdl left locked */

VOID DoubleLock(PVOID Buffer)
{
    PMDL mdl = IoAllocateMdl(Buffer, 10, FALSE, FALSE, NULL);
    if (!mdl) return;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess); // @ double-lock
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl); // @ free-while-locked
        return;
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
}

VOID NonPagedBuilt(PVOID Pool)
{
    PMDL mdl = IoAllocateMdl(Pool, 10, FALSE, FALSE, NULL);
    if (!mdl) return;
    MmBuildMdlForNonPagedPool(mdl);
    __try {
        MmProbeAndLockPages(mdl, KernelMode, IoReadAccess); // @ lock-prebuilt
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return;
    }
    /* the probe locked it anyway (a free build only asserts the flags): this unlock balances it */
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
}

VOID NonPagedUnlocked(PVOID Pool)
{
    PMDL mdl = IoAllocateMdl(Pool, 10, FALSE, FALSE, NULL);
    if (!mdl) return;
    MmBuildMdlForNonPagedPool(mdl);
    MmUnlockPages(mdl); // @ unlock-nonpaged
    IoFreeMdl(mdl);
}

VOID PartialMdl(PMDL Source, PVOID Va)
{
    PMDL part = IoAllocateMdl(Va, 16, FALSE, FALSE, NULL);
    if (!part) return;
    IoBuildPartialMdl(Source, part, Va, 16);
    MmUnlockPages(part); // @ unlock-partial
    IoFreeMdl(part);
}

VOID UseAfterFree(PVOID Buffer)
{
    PMDL mdl = IoAllocateMdl(Buffer, 10, FALSE, FALSE, NULL);
    if (!mdl) return;
    IoFreeMdl(mdl);
    IoFreeMdl(mdl); // @ double-free
}

/* Chains released element by element. */
VOID ReleaseChain(PMDL Head)
{
    PMDL m = Head;
    PMDL next;
    while (m != NULL) {
        next = m->Next;
        MmUnlockPages(m);
        IoFreeMdl(m);
        m = next;
    }
}

/* One MDL per iteration. */
VOID PerIteration(PVOID *Buffers)
{
    ULONG i;
    for (i = 0; i < 3; i++) {
        PMDL mdl = IoAllocateMdl(Buffers[i], 10, FALSE, FALSE, NULL);
        if (!mdl) continue;
        __try { MmProbeAndLockPages(mdl, UserMode, IoReadAccess); }
        __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(mdl); continue; }
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
    }
}

/* Switch with a leaking case. */
NTSTATUS SwitchLeak(ULONG Code, PVOID Buffer)
{
    PMDL mdl = IoAllocateMdl(Buffer, 10, FALSE, FALSE, NULL);
    if (!mdl) return STATUS_INSUFFICIENT_RESOURCES;
    __try { MmProbeAndLockPages(mdl, UserMode, IoReadAccess); }
    __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(mdl); return STATUS_ACCESS_VIOLATION; }
    switch (Code) {
    case 1:
        break;
    case 2:
        return STATUS_NOT_SUPPORTED; // @ locked-at-exit
    default:
        DoWork(NULL, Code);
        break;
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}

/* #if alternatives are both explored; #if 0 never. */
VOID PreprocessorBranches(PVOID Buffer)
{
    PMDL mdl = IoAllocateMdl(Buffer, 10, FALSE, FALSE, NULL);
    if (!mdl) return;
    __try { MmProbeAndLockPages(mdl, UserMode, IoReadAccess); }
    __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(mdl); return; }
#if 0
    IoFreeMdl(mdl);
#endif
#ifdef DBG
    DoWork(NULL, 1);
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
#else
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
#endif
}

/* A do/while(0) error ladder with break. */
NTSTATUS BreakLadder(PVOID Buffer, ULONG Length)
{
    NTSTATUS status = STATUS_SUCCESS;
    PMDL mdl = NULL;
    BOOLEAN locked = FALSE;
    do {
        mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
        if (mdl == NULL) { status = STATUS_INSUFFICIENT_RESOURCES; break; }
        __try {
            MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
            locked = TRUE;
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            status = GetExceptionCode();
            break;
        }
        status = DoWork(NULL, Length);
    } while (0);
    if (locked) MmUnlockPages(mdl);
    if (mdl) IoFreeMdl(mdl);
    return status;
}
