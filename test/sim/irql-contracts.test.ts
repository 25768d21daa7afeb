import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { irqlContractNames, irqlContractOf } from '../../src/sim/irql-model.js';
import { formatBugCheck } from '../../src/sim/faults.js';
import { SimProgram, simulateFunction } from '../../src/sim/simulate.js';
import { parseSource } from '../../src/parse/parser.js';
import { rulesForFault } from '../../src/validation/mapping.js';
import { faultSet, simulate } from './helpers.js';

const byName = (code: string, name: string, opts = {}) => {
  const prog = new SimProgram(parseSource('irql.c', code));
  return simulateFunction(prog, prog.defs.find((d) => d.name === name)!, opts);
};

describe('IRQL contracts of DDIs', () => {
  it('models at least 80 DDIs with a bound, and every Zw* routine', () => {
    const bounded = irqlContractNames().filter((n) => {
      const c = irqlContractOf(n)!;
      return c.max < 31 || c.min !== undefined;
    });
    expect(bounded.length).toBeGreaterThanOrEqual(80);
    expect(irqlContractOf('ZwMapViewOfSection')).toMatchObject({ max: 0, cls: 'zw' });
    expect(irqlContractOf('KeWaitForSingleObject')?.cond).toMatchObject({ t: 'nonzero-timeout', arg: 4 });
    expect(irqlContractOf('IoStartNextPacket')).toMatchObject({ min: 2, max: 2 });
  });

  it('bug checks by routine class (§4a)', () => {
    const code = `
KDEFERRED_ROUTINE Dpc;
VOID Dpc(PKDPC D, PVOID C, PVOID A1, PVOID A2)
{
    LARGE_INTEGER t;
    t.QuadPart = -1;
    KeWaitForSingleObject((PKEVENT)C, Executive, KernelMode, FALSE, NULL);
    KeWaitForSingleObject((PKEVENT)C, Executive, KernelMode, FALSE, &t);
    ZwClose((HANDLE)A1);
}
VOID ApcZw(PFAST_MUTEX M, HANDLE H) { ExAcquireFastMutex(M); ZwClose(H); ExReleaseFastMutex(M); }`;
    const dpc = byName(code, 'Dpc');
    const at = (line: number) => dpc.faults.find((f) => f.line === line)!;
    expect(formatBugCheck(at(7).plainBugCheck)).toMatch(/^0xB8 ATTEMPTED_SWITCH_FROM_DPC/);
    expect(at(7).verifierBugCheck?.params[0]).toBe(0x121);
    expect(at(8).verifierBugCheck?.params[0]).toBe(0x122);
    expect(at(9).plainBugCheck?.code).toBe(0xa);
    expect(at(9).verifierBugCheck?.params[0]).toBe(0xe6);
    // Zw* at APC_LEVEL: Driver Verifier only
    const apc = byName(code, 'ApcZw');
    expect(apc.faults.map((f) => [f.kind, f.plainBugCheck, f.verifierBugCheck?.params[0]])).toEqual([['irql-api-too-high', null, 0xe6]]);
  });

  it('paged pool freed at DISPATCH_LEVEL is 0xC2/0x09 (DV 0xC4/0x11)', () => {
    const code = `
VOID F(PKSPIN_LOCK L, PVOID P)
{
    KIRQL o;
    PVOID p = ExAllocatePoolWithTag(PagedPool, 16, 'x');
    if (!p) return;
    KeAcquireSpinLock(L, &o);
    ExFreePoolWithTag(p, 'x');
    KeReleaseSpinLock(L, o);
}`;
    const r = simulate(code)[0]!;
    const f = r.faults.find((x) => x.kind === 'irql-pool')!;
    expect(f.line).toBe(8);
    expect(f.plainBugCheck).toMatchObject({ code: 0xc2, params: [9, 2, 'pool address', 0] });
    expect(f.verifierBugCheck?.params[0]).toBe(0x11);
  });

  it('an entry range forks lazily, only where the level matters, and records the level as a decision', () => {
    const code = `
IO_COMPLETION_ROUTINE Done;
NTSTATUS Done(PDEVICE_OBJECT D, PIRP Irp, PVOID C)
{
    ((PLONG)C)[0]++;
    IoFreeIrp(Irp);
    return STATUS_MORE_PROCESSING_REQUIRED;
}
IO_COMPLETION_ROUTINE DoneZw;
NTSTATUS DoneZw(PDEVICE_OBJECT D, PIRP Irp, PVOID C)
{
    ZwClose((HANDLE)C);
    return STATUS_MORE_PROCESSING_REQUIRED;
}`;
    const quiet = byName(code, 'Done');
    expect(quiet.entryIrqls).toEqual([0, 1, 2]);
    expect(quiet.paths).toBe(1);
    const zw = byName(code, 'DoneZw');
    expect(zw.paths).toBe(3);
    const f = zw.faults[0]!;
    expect(f.kind).toBe('irql-api-too-high');
    expect(f.path.decisions.map((d) => d.label)).toContain('entered at APC_LEVEL or DISPATCH_LEVEL');
    // --irql fixes the level
    expect(byName(code, 'DoneZw', { irql: 0 }).faults).toEqual([]);
  });

  it('a helper is entered at the IRQLs its callers call it at; a function nothing places does not claim too-low faults', () => {
    const code = `
VOID Helper(HANDLE H) { ZwClose(H); }
KDEFERRED_ROUTINE Dpc;
VOID Dpc(PKDPC D, PVOID C, PVOID A1, PVOID A2) { Helper((HANDLE)C); }
VOID Unplaced(PKSPIN_LOCK L) { KeAcquireSpinLockAtDpcLevel(L); KeReleaseSpinLockFromDpcLevel(L); }
_IRQL_requires_(PASSIVE_LEVEL)
VOID Passive(PKSPIN_LOCK L) { KeAcquireSpinLockAtDpcLevel(L); KeReleaseSpinLockFromDpcLevel(L); }`;
    const helper = byName(code, 'Helper');
    expect(helper.entryIrqls).toEqual([2]);
    expect(faultSet(helper)).toEqual(['irql-api-too-high@2']);
    // the DPC shows it at its call (the fault's stack: helper line, then the call)
    const dpc = byName(code, 'Dpc');
    expect(faultSet(dpc)).toEqual(['irql-api-too-high@4']);
    expect(dpc.faults[0]!.stack).toEqual([{ fn: 'Helper', line: 2 }, { fn: 'Dpc', line: 4 }]);
    expect(byName(code, 'Unplaced').faults).toEqual([]);
    expect(faultSet(byName(code, 'Passive'))).toEqual(['irql-spinlock-acquire@7', 'irql-spinlock-release@7']);
  });

  it("annotations of other functions' prototypes are not the function's own; its prototype's are", () => {
    const code = `
_IRQL_requires_max_(DISPATCH_LEVEL) VOID Other(VOID);
_IRQL_requires_(DISPATCH_LEVEL) VOID Declared(HANDLE H);
NTSTATUS DriverEntry(PDRIVER_OBJECT D, PUNICODE_STRING R) { ZwClose(NULL); return STATUS_SUCCESS; }
_Use_decl_annotations_
VOID Declared(HANDLE H) { ZwClose(H); }`;
    expect(byName(code, 'DriverEntry').entryIrqls).toEqual([0]);
    expect(byName(code, 'Declared').entryIrqls).toEqual([2]);
  });

  it('maps the faults to irql-too-high / irql-too-low by direction', () => {
    const code = `
VOID Isr(PKSPIN_LOCK L) { KIRQL o; KeAcquireSpinLock(L, &o); KeReleaseSpinLock(L, o); }
_IRQL_requires_(PASSIVE_LEVEL)
VOID Low(PKSPIN_LOCK L, PFAST_MUTEX M) { KeReleaseSpinLock(L, PASSIVE_LEVEL); ExReleaseFastMutex(M); IoStartNextPacket(NULL, FALSE); }`;
    const isr = byName(code, 'Isr', { irql: 5 });
    // the acquire above DISPATCH_LEVEL sets DISPATCH_LEVEL: the release is not a second fault
    expect(isr.faults.map((f) => [f.kind, rulesForFault(f.kind, f)])).toEqual([['irql-spinlock-acquire', ['irql-too-high']]]);
    const low = byName(code, 'Low');
    expect(low.faults.filter((f) => f.kind.startsWith('irql-')).map((f) => [f.kind, rulesForFault(f.kind, f)])).toEqual([
      ['irql-spinlock-release', ['irql-too-low']],
      ['irql-fast-mutex', ['irql-too-low']],
      ['irql-api-too-low', ['irql-too-low']],
    ]);
  });

  it('the case file has at least 25 functions', () => {
    const text = readFileSync(join(import.meta.dirname, 'cases', 'irql-contracts.c'), 'utf8');
    expect(simulate(text, {}, 'irql-contracts.c').length).toBeGreaterThanOrEqual(25);
  });
});
