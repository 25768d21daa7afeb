/*
 * What a mapping tells of an MDL's state (session 17).
 *
 * An MDL of unknown state that the code maps was assumed locked; a mapped MDL may as well be built for
 * nonpaged pool, which has no MDL_PAGES_LOCKED: the first test of that flag forks on it, so the probe
 * on the "not locked" side is reached (and, outside a __try, its exception is unhandled). No fault is
 * claimed on that assumption itself (a probe of an MDL assumed nonpaged-built is no lock-prebuilt).
 *
 * Pages from MmAllocatePagesForMdl, once mapped, are MDL_MAPPED_TO_SYSTEM_VA: the macro returns the same
 * address again and cannot fail, so the second mapping's unchecked result is no NULL dereference.
 */
typedef struct _CTX { ULONG Count; PMDL Kept; } CTX, *PCTX;
VOID KeepMdl(PCTX Ctx, PMDL Mdl);

VOID MappedThenProbedOutsideTry(PCTX Ctx, PVOID Pool, ULONG Length)
{
    PVOID va;
    PMDL mdl = IoAllocateMdl(Pool, Length, FALSE, FALSE, NULL);
    if (mdl == NULL) return;
    MmBuildMdlForNonPagedPool(mdl);
    KeepMdl(Ctx, mdl);
    va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority | MdlMappingNoExecute);
    if (va != NULL) Ctx->Count += *(PULONG)va;
    if (mdl->MdlFlags & MDL_PAGES_LOCKED) {
        return;
    }
    MmProbeAndLockPages(mdl, KernelMode, IoReadAccess); // @ probe-unhandled-exception
}

VOID MappedTwiceThenProbedOutsideTry(PCTX Ctx, PVOID Pool, ULONG Length)
{
    PVOID va;
    PMDL mdl = IoAllocateMdl(Pool, Length, FALSE, FALSE, NULL);
    if (mdl == NULL) return;
    MmBuildMdlForNonPagedPool(mdl);
    KeepMdl(Ctx, mdl);
    va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority | MdlMappingNoExecute);
    if (va != NULL) Ctx->Count += *(PULONG)va;
    va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority | MdlMappingNoExecute);
    if (va != NULL) Ctx->Count += *(PULONG)va;
    if (mdl->MdlFlags & MDL_PAGES_LOCKED) {
        return;
    }
    MmProbeAndLockPages(mdl, KernelMode, IoReadAccess); // @ probe-unhandled-exception
}

VOID MappedThenProbedInTry(PCTX Ctx, PVOID Pool, ULONG Length)
{
    PVOID va;
    PMDL mdl = IoAllocateMdl(Pool, Length, FALSE, FALSE, NULL);
    if (mdl == NULL) return;
    MmBuildMdlForNonPagedPool(mdl);
    KeepMdl(Ctx, mdl);
    va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority | MdlMappingNoExecute);
    if (va != NULL) Ctx->Count += *(PULONG)va;
    if (mdl->MdlFlags & MDL_PAGES_LOCKED) {
        return;
    }
    __try {
        MmProbeAndLockPages(mdl, KernelMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return;
    }
}

VOID AllocatedPagesMappedTwice(PCTX Ctx, ULONG Length)
{
    PHYSICAL_ADDRESS low, high, skip;
    PVOID va;
    PMDL mdl;
    low.QuadPart = 0;
    high.QuadPart = -1;
    skip.QuadPart = 0;
    mdl = MmAllocatePagesForMdlEx(low, high, skip, Length, MmCached, MM_ALLOCATE_FULLY_REQUIRED);
    if (mdl == NULL) return;
    va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority | MdlMappingNoExecute);
    if (va == NULL) {
        MmFreePagesFromMdl(mdl);
        ExFreePool(mdl);
        return;
    }
    Ctx->Count += *(PULONG)va;
    va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority | MdlMappingNoExecute);
    Ctx->Count += *(PULONG)va;
    MmUnmapLockedPages(va, mdl);
    MmFreePagesFromMdl(mdl);
    ExFreePool(mdl);
}

VOID AllocatedPagesRemappedAfterUnmap(PCTX Ctx, ULONG Length)
{
    PHYSICAL_ADDRESS low, high, skip;
    PVOID va;
    PMDL mdl;
    low.QuadPart = 0;
    high.QuadPart = -1;
    skip.QuadPart = 0;
    mdl = MmAllocatePagesForMdlEx(low, high, skip, Length, MmCached, MM_ALLOCATE_FULLY_REQUIRED);
    if (mdl == NULL) return;
    va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority | MdlMappingNoExecute);
    if (va == NULL) {
        MmFreePagesFromMdl(mdl);
        ExFreePool(mdl);
        return;
    }
    Ctx->Count += *(PULONG)va;
    MmUnmapLockedPages(va, mdl);
    va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority | MdlMappingNoExecute);
    Ctx->Count += *(PULONG)va; // @ null-deref
    MmFreePagesFromMdl(mdl);
    ExFreePool(mdl);
}

/* Flags the driver writes itself: the state machine no longer knows the MDL's state (nothing claimed). */
VOID HandBuiltPartialMapped(PVOID Data, ULONG Length, PUCHAR Out)
{
    PUCHAR va;
    PMDL mdl = IoAllocateMdl(NULL, Length, FALSE, FALSE, NULL);
    if (mdl == NULL) return;
    mdl->MdlFlags |= MDL_PARTIAL;
    va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    if (va != NULL) *Out = *va;
    IoFreeMdl(mdl);
}

VOID NeverLockedMapped(PVOID Data, ULONG Length, PUCHAR Out)
{
    PUCHAR va;
    PMDL mdl = IoAllocateMdl(Data, Length, FALSE, FALSE, NULL);
    if (mdl == NULL) return;
    va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority); // @ map-unlocked
    if (va != NULL) *Out = *va;
    IoFreeMdl(mdl);
}
