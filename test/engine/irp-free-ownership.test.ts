/**
 * An MDL the function allocated and attached to an IRP of its own (`Irp->MdlAddress = Mdl`) is handed off
 * while the IRP lives; `IoFreeIrp` does not free the MDL, so the MDL is the function's again, whatever its
 * state. It was only when locked: an MDL not locked at IoFreeIrp (never locked, or unlocked through the IRP)
 * and locked after it was nobody's, and its leak was missed (differential validation, seed 6, index 1250).
 * Checked against the simulator, which shares only the parser with the analysis.
 */
import { describe, expect, it } from 'vitest';
import { faults, findings } from '../support/side-by-side.js';


const program = (beforeFree: string, release: string) => `#include <wdm.h>
NTSTATUS F(PDEVICE_OBJECT DeviceObject, PVOID Pool, ULONG Length)
{
    PIRP irp;
    PMDL mdl = IoAllocateMdl(Pool, Length, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    irp = IoAllocateIrp(DeviceObject->StackSize, FALSE);
    if (irp == NULL) {
        IoFreeMdl(mdl);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    irp->MdlAddress = mdl;
${beforeFree}
    IoFreeIrp(irp);
    __try {
        MmProbeAndLockPages(mdl, KernelMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
${release}
    return STATUS_SUCCESS;
}
`;

describe('an MDL attached to an IRP the function frees', () => {
  it('never locked while attached: locked after IoFreeIrp and not unlocked, it leaks', () => {
    const text = program('', '');
    expect(findings(text)).toEqual(['22 mdl-unmatched-lock']);
    expect(faults(text)).toEqual(['22 locked-at-exit']);
  });
  it('locked and unlocked through the IRP, then locked again and not unlocked: it leaks', () => {
    const text = program(
      '    __try { MmProbeAndLockPages(mdl, KernelMode, IoReadAccess); } __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeIrp(irp); IoFreeMdl(mdl); return GetExceptionCode(); }\n' +
        '    if (irp->MdlAddress->MdlFlags & MDL_PAGES_LOCKED) MmUnlockPages(irp->MdlAddress);',
      '',
    );
    expect(findings(text)).toEqual(['23 mdl-unmatched-lock']);
    expect(faults(text)).toEqual(['23 locked-at-exit']);
  });
  it('released after IoFreeIrp: no finding', () => {
    const text = program('', '    MmUnlockPages(mdl);\n    IoFreeMdl(mdl);');
    expect(findings(text)).toEqual([]);
    expect(faults(text)).toEqual([]);
  });
});
