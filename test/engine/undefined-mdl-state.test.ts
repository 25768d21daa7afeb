/**
 * What the MDL analysis keeps after an operation the kernel does not define, or a use of freed memory, checked
 * against the simulator (they share only the parser). Differential validation (seed 1) found each:
 * - a mapping of an MDL whose state an earlier operation left undefined (an unlock of a nonpaged-built MDL, a
 *   mapping of one never locked) may fail each time: whether an earlier mapping set MDL_MAPPED_TO_SYSTEM_VA is
 *   not known. The linter took the second mapping after a successful one to return the same address, and missed
 *   its unchecked use (indices 6586, 8029);
 * - a store into a freed MDL (`Freed->Next = Mdl`) hands nothing off: the linter took the locked MDL stored
 *   there as chained to a head that would release it, and missed its leak (index 1586).
 */
import { describe, expect, it } from 'vitest';
import { faults, findings } from '../support/side-by-side.js';


describe('mappings of an MDL of undefined state', () => {
  const program = (undefinedBy: string) => `#include <wdm.h>
VOID F(PVOID Pool, ULONG Length, PULONG Out)
{
    PUCHAR va;
    PMDL mdl = IoAllocateMdl(Pool, Length, FALSE, FALSE, NULL);
    if (mdl == NULL) return;
${undefinedBy}
    va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    if (va == NULL) {
        IoFreeMdl(mdl);
        return;
    }
    *Out = va[0];
    va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    *Out += va[1];
    IoFreeMdl(mdl);
}
`;
  it('after an unlock of a nonpaged-built MDL, a second mapping may fail too', () => {
    const text = program('    MmBuildMdlForNonPagedPool(mdl);\n    MmUnlockPages(mdl);');
    expect(findings(text)).toEqual(['8 mdl-lock-prebuilt', '16 mdl-unchecked-system-address']);
    expect(faults(text)).toEqual(['16 null-deref', '8 unlock-nonpaged']);
  });
  it('after a mapping of an MDL never locked, a second mapping may fail too', () => {
    const text = program('');
    expect(findings(text)).toEqual(['8 mdl-unchecked-system-address', '15 mdl-unchecked-system-address']);
    expect(faults(text)).toEqual(['15 null-deref', '8 map-unlocked']);
  });
  it('a mapping of a nonpaged-built MDL, or a second one of a locked MDL, cannot fail (no finding)', () => {
    const built = program('    MmBuildMdlForNonPagedPool(mdl);');
    expect(findings(built)).toEqual([]);
    expect(faults(built)).toEqual([]);
  });
});

describe('a store into a freed MDL', () => {
  const program = (store: string) => `#include <wdm.h>
NTSTATUS F(PVOID Buffer, ULONG Length)
{
    PMDL head = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    PMDL mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    if (head == NULL || mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        IoFreeMdl(head);
        return GetExceptionCode();
    }
${store}
    mdl = NULL;
    return STATUS_SUCCESS;
}
`;
  it('hands nothing off: the locked MDL stored there leaks', () => {
    const text = program('    IoFreeMdl(head);\n    head->Next = mdl;');
    expect(findings(text)).toEqual(['15 mdl-use-after-free', '17 mdl-unmatched-lock']);
    expect(faults(text)).toEqual(['15 use-after-free', '17 locked-at-exit']);
  });
  it('into a live head, the chain is the head\'s: freeing only the head is the report', () => {
    const text = program('    head->Next = mdl;\n    IoFreeMdl(head);');
    expect(findings(text)).toEqual(['15 mdl-free-while-locked']);
    expect(faults(text)).toEqual(['15 free-chain-head']);
  });
});
