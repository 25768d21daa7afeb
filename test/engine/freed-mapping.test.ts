/**
 * A mapping of a freed MDL (`Analyzer.systemAddress` in src/analysis/mdl-analysis.ts): the use after free is
 * reported at the call and is the one report of that mapping; what the call returns may be NULL where the
 * routine may return NULL (MmGetSystemAddressForMdlSafe), and the paths on which it is go on with the other
 * MDLs' states. The linter took that address never to be NULL, and missed a leak and a double free on those
 * paths, which the simulator shows (differential validation, seed 1: indices 7909 and 4082).
 */
import { describe, expect, it } from 'vitest';
import { faults, findings } from '../support/side-by-side.js';

const program = (map: string) => `#include <wdm.h>
NTSTATUS F(PVOID Buffer, ULONG Length)
{
    PMDL held = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    PMDL mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    PUCHAR va;
    if (held == NULL || mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try { MmProbeAndLockPages(held, UserMode, IoReadAccess); } __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(held); IoFreeMdl(mdl); return GetExceptionCode(); }
    IoFreeMdl(mdl);
    va = ${map};
    if (va == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    va[0] = 0;
    MmUnlockPages(held);
    IoFreeMdl(held);
    return STATUS_SUCCESS;
}
`;


describe('a mapping of a freed MDL', () => {
  it('MmGetSystemAddressForMdlSafe may return NULL: the leak on that branch is reported, and no unchecked address', () => {
    const text = program('MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority)');
    expect(findings(text)).toEqual(['10 mdl-use-after-free', '12 mdl-unmatched-lock']);
    expect(faults(text)).toEqual(['10 use-after-free', '12 locked-at-exit']);
  });
  it('MmMapLockedPagesSpecifyCache with BugCheckOnFailure TRUE never returns NULL: no path takes that branch', () => {
    const text = program('MmMapLockedPagesSpecifyCache(mdl, KernelMode, MmCached, NULL, TRUE, NormalPagePriority)');
    expect(findings(text)).toEqual(['10 mdl-use-after-free']);
    expect(faults(text)).toEqual(['10 use-after-free']);
  });
});
