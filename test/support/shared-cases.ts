/** Code samples that more than one rule's valid table holds (each rule must stay quiet on them). */

/**
 * A lock and its unlock under the same flag test with a hex mask, with a call to an unknown routine
 * between them: the mask's `x10` was read as a variable the call could change, so the test was forgotten
 * (a false mdl-unmatched-lock and a false mdl-free-while-locked).
 */
export const HEX_MASK_AROUND_CALL = `VOID Log(VOID);
NTSTATUS ReadIt(PVOID Buffer, ULONG Length, ULONG Options)
{
    PMDL mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    if (Options & 0x10) {
        __try {
            MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            IoFreeMdl(mdl);
            return GetExceptionCode();
        }
    }
    Log();
    if (Options & 0x10) {
        MmUnlockPages(mdl);
    }
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`;
