/**
 * A remembered test of an MDL's flags (`Mdl->MdlFlags & MDL_PAGES_LOCKED` true) no longer holds once an
 * operation changes the MDL (`Analyzer.forgetFlags` in src/analysis/mdl-analysis.ts): the state answers the
 * next test. A second test after an unlock read the remembered "locked" and ruled out the path where the
 * MDL was unlocked, so a later double unlock on that path was missed (differential validation, seed 15,
 * index 1712). Checked against the simulator, which shares only the parser with the analysis.
 */
import { describe, expect, it } from 'vitest';
import { faults, findings } from '../support/side-by-side.js';


const program = (between: string, guard: string) => `#include <wdm.h>
NTSTATUS F(PVOID Buffer, ULONG Length)
{
    NTSTATUS status = STATUS_SUCCESS;
    BOOLEAN locked = FALSE;
    PMDL mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
        locked = TRUE;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    if (mdl->MdlFlags & MDL_PAGES_LOCKED) {
        MmUnlockPages(mdl);
    }
${between}
    if (${guard}) {
        MmUnlockPages(mdl);
    }
    IoFreeMdl(mdl);
    return status;
}
`;

describe('a test of MdlFlags after an operation on the MDL', () => {
  it('a second test after the unlock: the double unlock the flag local leads to is reported', () => {
    const text = program('    if (mdl->MdlFlags & MDL_PAGES_LOCKED) { status = STATUS_UNSUCCESSFUL; }', 'locked');
    expect(findings(text)).toEqual(['19 mdl-unmatched-lock']);
    expect(faults(text)).toEqual(['19 unlock-not-locked']);
  });
  it('the same without the second test (it was reported before too)', () => {
    const text = program('', 'locked');
    expect(findings(text)).toEqual(['19 mdl-unmatched-lock']);
    expect(faults(text)).toEqual(['19 unlock-not-locked']);
  });
  it('an unlock guarded by a second flags test after the first unlock: never taken, no finding', () => {
    const text = program('', 'mdl->MdlFlags & MDL_PAGES_LOCKED');
    expect(findings(text)).toEqual([]);
    expect(faults(text)).toEqual([]);
  });
});
