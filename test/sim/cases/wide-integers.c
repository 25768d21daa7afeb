/*
 * Integers wider than 32 bits (ULONGLONG flags and masks): JavaScript's bitwise operators cut their
 * operands to 32 bits, so `want & 0x100000000` was 0 and the unlock below was never simulated; a literal
 * past 2^53 is no exact number at all (unknown).
 */
NTSTATUS WideFlagUnlocks(PVOID Buf, ULONG Len)
{
    ULONGLONG want = 0x100000000;
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, KernelMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    if (want & 0x100000000) {
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
        return STATUS_SUCCESS;
    }
    return STATUS_UNSUCCESSFUL;
}

NTSTATUS WideFlagMissesTheBit(PVOID Buf, ULONG Len)
{
    ULONGLONG want = 0x100000000;
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, KernelMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    if ((want << 1) & 0x100000000) {
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
        return STATUS_SUCCESS;
    }
    return STATUS_UNSUCCESSFUL; // @ locked-at-exit
}

NTSTATUS HugeMaskIsUnknown(ULONGLONG Id, PMDL Mdl)
{
    if (Id >= 0x100 && !(Id & 0xf000000000000000)) {
        return STATUS_SUCCESS;
    }
    return STATUS_UNSUCCESSFUL;
}
