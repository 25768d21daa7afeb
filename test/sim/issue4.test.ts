/**
 * The simulator's side of issue 4 (the seven new MDL rules): bug checks and notes of the new fault
 * kinds, NULL system addresses under SEH and at DISPATCH_LEVEL, entry roles (dispatch routines,
 * helpers), fault attribution for the fixture harness, and the fault → rule mapping.
 * The per-line fault kinds and the traps are in cases/issue4.c (cases.test.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSource } from '../../src/parse/parser.js';
import { SimProgram, simulateFunction, type FunctionSimResult } from '../../src/sim/simulate.js';
import { attributeFault } from '../../src/validation/fixtures.js';
import { RULE_FAULTS, rulesForFault } from '../../src/validation/mapping.js';
import { faultSet, simulate } from './helpers.js';

const casesFile = join(import.meta.dirname, 'cases', 'issue4.c');
const cases = readFileSync(casesFile, 'utf8');
const lineOf = (marker: string, from = 0): number => {
  const i = cases.indexOf(marker, from);
  if (i < 0) throw new Error(`no ${marker}`);
  return cases.slice(0, i).split('\n').length;
};
const run = (entry: string, opts: Parameters<typeof simulate>[1] = {}): FunctionSimResult => simulate(cases, { ...opts, entry }, 'issue4.c')[0]!;

describe('bug checks of the new fault kinds', () => {
  it('KernelMode probe of a caller-supplied address: no bug check, the note names the source', () => {
    const f = run('DispatchIoctl').faults.filter((x) => x.kind === 'kernelmode-probe-user-address');
    expect(f.map((x) => x.line)).toEqual([lineOf('MmProbeAndLockPages(user, KernelMode'), lineOf('MmProbeAndLockPages(embedded, KernelMode')]);
    expect(f[0]!.plainBugCheck).toBeNull();
    expect(f[0]!.verifierBugCheck).toBeNull();
    expect(f[0]!.message).toMatch(/Type3InputBuffer/);
    expect(f[1]!.message).toMatch(/pointer read out of .*SystemBuffer/);
  });
  it('swapped probe arguments: one fault per call line, the note says how the kernel reads each value', () => {
    const r = run('SwappedArguments');
    expect(faultSet(r)).toEqual([`probe-invalid-argument@${lineOf('MmProbeAndLockPages(mdl, IoWriteAccess, KernelMode)')}`]);
    const f = r.faults[0]!;
    expect(f.plainBugCheck).toBeNull();
    // the first of the two arguments checked: AccessMode = IoWriteAccess (1) is UserMode
    expect(f.message).toMatch(/IoWriteAccess \(1\) as UserMode/);
  });
  it('write through a read-locked MDL: no bug check', () => {
    const f = run('WriteReadLocked').faults;
    expect(f.every((x) => x.kind === 'write-to-read-locked' && x.plainBugCheck === null && x.verifierBugCheck === null)).toBe(true);
    expect(f[0]!.message).toMatch(/IoReadAccess/);
  });
  it('IoFreeIrp / IoFreeMdl of a chain head leaving pages locked: 0x76/0, 0xCB with tracking', () => {
    for (const [fn, kind] of [
      ['FreeIrpWithLockedMdl', 'free-irp-with-locked-mdl'],
      ['FreeChainHead', 'free-chain-head'],
    ] as const) {
      const r = run(fn);
      expect(r.faults.map((x) => x.kind)).toEqual([kind]);
      expect(r.faults[0]!.plainBugCheck).toMatchObject({ code: 0x76, params: [0, 'process', expect.anything(), 0] });
      expect(r.faults[0]!.verifierBugCheck?.code).toBe(0xcb);
    }
  });
  it('one defect, one fault: IoFreeMdl of a locked MDL is not reported again as locked-at-exit', () => {
    expect(faultSet(run('FreeLockedMapped'))).toEqual([
      `free-while-locked@${lineOf('@ free-while-mapped, free-while-locked')}`,
      `free-while-mapped@${lineOf('@ free-while-mapped, free-while-locked')}`,
    ]);
    const mapped = run('FreeLockedMapped').faults.find((x) => x.kind === 'free-while-mapped')!;
    expect(mapped.context).toMatchObject({ ddi: 'IoFreeMdl', locked: true });
    expect(mapped.verifierBugCheck).toMatchObject({ code: 0xc4, params: [0xb8, expect.any(String), 'MdlFlags', 0] });
  });
});

describe('NULL system addresses', () => {
  it('an unchecked MmGetSystemAddressForMdlSafe result dereferenced: the NULL access bug check by thread context', () => {
    const r = run('UncheckedDeref');
    const f = r.faults[0]!;
    expect(f.kind).toBe('null-deref');
    expect(f.context).toMatchObject({ nullSource: 'MmGetSystemAddressForMdlSafe', nullLine: lineOf('va = (PUCHAR)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);\n    ASSERT') });
    // no IRP parameter, no role: arbitrary thread context
    expect(f.plainBugCheck).toMatchObject({ code: 0x1e, params: ['0xC0000005', 'IP', 0, 0] });
    expect(f.verifierBugCheck?.code).toBe(0x1e);
    // ASSERT(va) is compiled out: the path went through it
    expect(f.path.decisions.some((d) => d.label.includes('returns NULL'))).toBe(true);
  });
  it('a NULL dereference below DISPATCH_LEVEL inside __try/__except(EXCEPTION_EXECUTE_HANDLER) is caught (STATUS_ACCESS_VIOLATION), as on Windows', () => {
    const r = run('DerefInsideTry');
    expect(r.faults).toEqual([]);
    expect(r.nullReturnLines.has(lineOf('PULONG va = (PULONG)MmGetSystemAddressForMdlSafe'))).toBe(true);
    // at DISPATCH_LEVEL the page fault is a bug check (0xD1), no exception: the __except does not help
    const d = run('DerefInsideTry', { irql: 2 });
    expect(faultSet(d)).toEqual([`null-deref@${lineOf('*va = 0;', cases.indexOf('DerefInsideTry'))}`]);
    expect(d.faults[0]!.plainBugCheck).toMatchObject({ code: 0xd1, params: [0, 2, 0, 'IP'] });
  });
  it('the exception code a filter sees for a NULL dereference is STATUS_ACCESS_VIOLATION', () => {
    const src = `
NTSTATUS OnlyInPage(PMDL Locked)
{
    PULONG va = (PULONG)MmGetSystemAddressForMdlSafe(Locked, NormalPagePriority);
    __try {
        *va = 0;
    } __except (GetExceptionCode() == STATUS_IN_PAGE_ERROR ? EXCEPTION_EXECUTE_HANDLER : EXCEPTION_CONTINUE_SEARCH) {
        return STATUS_UNSUCCESSFUL;
    }
    return STATUS_SUCCESS;
}`;
    expect(faultSet(simulate(src)[0]!)).toEqual(['null-deref@6']);
    expect(faultSet(simulate(src.replace('STATUS_IN_PAGE_ERROR', 'STATUS_ACCESS_VIOLATION'))[0]!)).toEqual([]);
  });
  it('a NULL MDL handed to a DDI is a NULL dereference of another origin', () => {
    const src = `
VOID NoCheck(PVOID Buffer)
{
    PMDL mdl = IoAllocateMdl(Buffer, 8, FALSE, FALSE, NULL);
    MmBuildMdlForNonPagedPool(mdl);
    IoFreeMdl(mdl);
}`;
    const [r] = simulate(src);
    expect(faultSet(r!)).toEqual(['null-deref@5']);
    expect(r!.faults[0]!.context.nullSource).toBe('NULL MDL');
  });
  it('MmMapLockedPagesSpecifyCache fails with NULL only when BugCheckOnFailure is FALSE', () => {
    const src = `
VOID Map(PMDL Locked, BOOLEAN Flag)
{
    PUCHAR a = (PUCHAR)MmMapLockedPagesSpecifyCache(Locked, KernelMode, MmCached, NULL, TRUE, NormalPagePriority);
    a[0] = 0;
}`;
    expect(simulate(src)[0]!.faults).toEqual([]);
    expect(faultSet(simulate(src.replace('TRUE', 'FALSE'))[0]!)).toEqual(['null-deref@5']);
    expect(faultSet(simulate(src.replace('MmMapLockedPagesSpecifyCache', 'MmGetSystemAddressForMdlSafe').replace('KernelMode, MmCached, NULL, TRUE, ', ''))[0]!)).toEqual([
      'null-deref@5',
    ]);
    // a BugCheckOnFailure the function is given may be FALSE: decided as a test of it would be
    expect(faultSet(simulate(src.replace('TRUE', 'Flag'))[0]!)).toEqual(['null-deref@5']);
    // for UserMode a failure raises, whatever the 5th argument: no NULL
    expect(simulate(src.replace('KernelMode', 'UserMode').replace('TRUE', 'FALSE'))[0]!.faults.filter((f) => f.kind === 'null-deref')).toEqual([]);
  });
  it('a freed MDL mapped: the use after free is the fault, and the mapping returns NULL only where the routine may fail', () => {
    const src = `
VOID MapFreed(PVOID Buffer, ULONG Length)
{
    PMDL Locked = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    PMDL mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    PUCHAR a;
    if (mdl == NULL || Locked == NULL) return;
    IoFreeMdl(mdl);
    __try { MmProbeAndLockPages(Locked, KernelMode, IoReadAccess); } __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(Locked); return; }
    a = (PUCHAR)MmMapLockedPagesSpecifyCache(mdl, KernelMode, MmCached, NULL, TRUE, NormalPagePriority);
    if (a == NULL) return;
    MmUnlockPages(Locked);
    IoFreeMdl(Locked);
}`;
    // BugCheckOnFailure TRUE: the routine bug-checks rather than return NULL, freed MDL or not (the return that
    // leaves Locked locked is never taken)
    expect(faultSet(simulate(src)[0]!)).toEqual(['use-after-free@10']);
    expect(faultSet(simulate(src.replace('NULL, TRUE,', 'NULL, FALSE,'))[0]!)).toEqual(['locked-at-exit@11', 'use-after-free@10']);
  });
});

describe('compilation', () => {
  it('compiling the same tree twice gives the same program (#ifdef groups compared by node id)', () => {
    const src = parseSource(
      'pp.c',
      `
VOID Lock(PMDL Mdl)
{
    __try {
#ifdef WRITEBACK
        MmProbeAndLockPages(Mdl, UserMode, IoModifyAccess);
#else
        MmProbeAndLockPages(Mdl, UserMode, IoReadAccess);
#endif
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return;
    }
}`,
    );
    for (let i = 0; i < 3; i++) {
      const prog = new SimProgram(src);
      const r = simulateFunction(prog, prog.defs[0]!, { merge: false });
      expect(r.faults).toEqual([]);
      expect(r.paths).toBe(4);
    }
  });
});

describe('entry roles', () => {
  it('dispatch routines: role type DRIVER_DISPATCH or assignment to MajorFunction[]', () => {
    const src = `
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    DriverObject->MajorFunction[IRP_MJ_CREATE] = DriverObject->MajorFunction[IRP_MJ_CLOSE] = CreateClose;
    DriverObject->MajorFunction[IRP_MJ_READ] = (PDRIVER_DISPATCH)ReadDirect;
    return STATUS_SUCCESS;
}
NTSTATUS ReadDirect(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    if (Irp->MdlAddress) MmProbeAndLockPages(Irp->MdlAddress, UserMode, IoWriteAccess);
    return STATUS_SUCCESS;
}
NTSTATUS CreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp) { return STATUS_SUCCESS; }
NTSTATUS NotDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    if (Irp->MdlAddress) MmProbeAndLockPages(Irp->MdlAddress, UserMode, IoWriteAccess);
    return STATUS_SUCCESS;
}`;
    const prog = new SimProgram(parseSource('d.c', src));
    expect([...prog.dispatch].sort()).toEqual(['CreateClose', 'ReadDirect']);
    const byName = (n: string) => simulateFunction(prog, prog.defs.find((d) => d.name === n)!);
    expect(byName('ReadDirect').dispatch).toBe(true);
    expect(faultSet(byName('ReadDirect'))).toContain('double-lock@10');
    expect(faultSet(byName('NotDispatch')).filter((k) => k.startsWith('double-lock'))).toEqual([]);
  });
  it('helpers: called by other functions of the file, not registered anywhere', () => {
    const src = `
VOID Helper(PMDL Mdl) { MmProbeAndLockPages(Mdl, UserMode, IoReadAccess); }
NTSTATUS Completion(PDEVICE_OBJECT D, PIRP Irp, PVOID C) { if (Irp->MdlAddress) Helper(Irp->MdlAddress); return STATUS_SUCCESS; }
VOID Dpc(PKDPC Dpc, PVOID C, PVOID A, PVOID B) { Helper((PMDL)C); }
VOID Setup(PIRP Irp, PKDPC D) { IoSetCompletionRoutine(Irp, Completion, NULL, TRUE, TRUE, TRUE); KeInitializeDpc(D, Dpc, NULL); Completion(NULL, Irp, NULL); }`;
    const prog = new SimProgram(parseSource('h.c', src));
    expect(prog.defs.filter((d) => prog.isHelper(d.name)).map((d) => d.name)).toEqual(['Helper']);
    const helper = simulateFunction(prog, prog.defs[0]!);
    // the exception escaping the helper is not a fault: its callers show it
    expect(helper.faults).toEqual([]);
    expect(helper.escapes.map((f) => `${f.kind}@${f.line}`)).toEqual(['probe-unhandled-exception@2']);
    expect(helper.ends.exception).toBe(1);
    // a registered callback that calls it without a handler faults (at its call line)
    expect(faultSet(simulateFunction(prog, prog.defs[1]!))).toEqual(['probe-unhandled-exception@3']);
  });
});

describe('attribution of faults inside callees (src/validation/fixtures.ts)', () => {
  const prog = new SimProgram(parseSource('issue4.c', cases));
  const own = new Map<string, FunctionSimResult>();
  for (const d of prog.defs) own.set(d.name, simulateFunction(prog, d));
  it('the caller passed the state: the caller line of the call', () => {
    const r = own.get('CallsHelperTwice')!;
    const second = lineOf('UnlockAndFree(mdl); // @ use-after-free, double-free');
    for (const f of r.faults) expect(attributeFault(f, 'CallsHelperTwice', own)).toEqual({ function: 'CallsHelperTwice', line: second });
  });
  it('an unhandled exception: the line that raised it, in the callee', () => {
    const f = own.get('UnguardedCaller')!.faults[0]!;
    expect(f.kind).toBe('probe-unhandled-exception');
    expect(attributeFault(f, 'UnguardedCaller', own)).toEqual({ function: 'LockHelper', line: lineOf('MmProbeAndLockPages(Mdl, UserMode, IoReadAccess);\n}') });
  });
  it("the callee's own defect: the callee's line", () => {
    const src = `
VOID UnlockTwice(PMDL Mdl)
{
    MmUnlockPages(Mdl);
    MmUnlockPages(Mdl);
}
VOID Caller(PMDL Mdl) { UnlockTwice(Mdl); }`;
    const p = new SimProgram(parseSource('u.c', src));
    const m = new Map(p.defs.map((d) => [d.name, simulateFunction(p, d)] as const));
    const f = m.get('Caller')!.faults;
    expect(f.map((x) => `${x.kind}@${x.line}/${x.entryLine}`)).toEqual(['unlock-not-locked@5/7']);
    expect(attributeFault(f[0]!, 'Caller', m)).toEqual({ function: 'UnlockTwice', line: 5 });
  });
});

describe('fault → rule mapping (src/validation/mapping.ts)', () => {
  it('maps the new kinds to the seven rules', () => {
    expect(rulesForFault('double-lock')).toEqual(['mdl-double-lock']);
    expect(rulesForFault('unlock-nonpaged')).toEqual(['mdl-lock-prebuilt']);
    expect(rulesForFault('partial-target-locked')).toEqual(['mdl-lock-prebuilt']);
    expect(rulesForFault('free-chain-head')).toEqual(['mdl-free-while-locked']);
    expect(rulesForFault('free-irp-with-locked-mdl')).toEqual(['mdl-free-while-locked']);
    expect(rulesForFault('double-free')).toEqual(['mdl-use-after-free']);
    expect(rulesForFault('kernelmode-probe-user-address')).toEqual(['mdl-kernelmode-probe-of-user-buffer']);
    expect(rulesForFault('write-to-read-locked')).toEqual(['mdl-probe-access-mismatch']);
    expect(rulesForFault('map-unlocked')).toEqual(['mdl-unchecked-system-address']);
    expect(RULE_FAULTS['mdl-unmatched-lock']).toEqual(['locked-at-exit', 'unlock-not-locked']);
  });
  it('null-deref is mdl-unchecked-system-address only for a NULL system address', () => {
    expect(rulesForFault('null-deref', { context: { nullSource: 'MmGetSystemAddressForMdlSafe' } })).toEqual(['mdl-unchecked-system-address']);
    expect(rulesForFault('null-deref', { context: { nullSource: 'MmMapLockedPagesSpecifyCache' } })).toEqual(['mdl-unchecked-system-address']);
    expect(rulesForFault('null-deref', { context: { nullSource: 'NULL MDL' } })).toEqual([]);
    // callers that pass only the kind get the kind-level table
    expect(rulesForFault('null-deref')).toEqual(['mdl-unchecked-system-address']);
  });
  it('free-while-mapped is mdl-free-while-locked only for IoFreeMdl of a locked MDL', () => {
    expect(rulesForFault('free-while-mapped', { context: { ddi: 'IoFreeMdl', locked: true } })).toEqual(['mdl-free-while-locked']);
    expect(rulesForFault('free-while-mapped', { context: { ddi: 'MmPrepareMdlForReuse' } })).toEqual([]);
  });
});
