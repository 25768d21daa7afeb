/**
 * A helper that probes the caller's MDL when the caller has it locked and mapped already: the double lock is
 * reported at the call, and the caller's mapping stands, as after a second probe written in the caller. The
 * helper's summary does not know the MDL was mapped, and its exit state took the mapping away, so a second
 * MmGetSystemAddressForMdlSafe was taken to fail (differential validation, seed 11, index 806). Checked against
 * the simulator, which shares only the parser with the analysis.
 */
import { describe, expect, it } from 'vitest';
import { faults, findings } from '../support/side-by-side.js';

const program = (second: string) => `#include <wdm.h>
NTSTATUS LockUserPages(PMDL Mdl, KPROCESSOR_MODE Mode)
{
    __try {
        MmProbeAndLockPages(Mdl, Mode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}
NTSTATUS F(PVOID Buffer, ULONG Length, PULONG Out)
{
    PUCHAR va;
    PMDL mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    if (va == NULL) { MmUnlockPages(mdl); IoFreeMdl(mdl); return STATUS_INSUFFICIENT_RESOURCES; }
    *Out = va[0];
${second}
    va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    *Out += va[1];
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}
`;

describe('a second probe of a locked, mapped MDL', () => {
  it('through a helper: the double lock at the call, and the mapping after it stands', () => {
    const text = program('    LockUserPages(mdl, UserMode);');
    expect(findings(text)).toEqual(['25 mdl-double-lock']);
    // (the simulator's fault in the helper, attributed to the call)
    expect(faults(text)).toEqual(['25 double-lock']);
  });
  it('in the function itself: the same', () => {
    const text = program('    __try { MmProbeAndLockPages(mdl, UserMode, IoWriteAccess); } __except (EXCEPTION_EXECUTE_HANDLER) { }');
    expect(findings(text)).toEqual(['25 mdl-double-lock']);
    expect(faults(text)).toEqual(['25 double-lock']);
  });
});
