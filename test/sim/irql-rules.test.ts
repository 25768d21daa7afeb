/**
 * The simulator side of the four IRQL rules of session 4 (.spec-irql-rules.md): spin-lock state unknown at entry
 * (a caller's lock), spinlock-held-at-exit without irql-not-restored, the raising DDI in irql-raise-lower /
 * irql-lower-higher, pageable-code-at-dispatch (alloc_text, code_seg regions, __declspec(code_seg)), and the
 * fault -> rule mapping of the new rules.
 */
import { describe, expect, it } from 'vitest';
import { parseSource } from '../../src/parse/parser.js';
import { formatBugCheck } from '../../src/sim/faults.js';
import { SimProgram, simulateFunction, type FunctionSimResult } from '../../src/sim/simulate.js';
import { RULE_FAULTS, rulesForFault } from '../../src/validation/mapping.js';

const EXT = `typedef struct _EXT { KSPIN_LOCK Lock; KIRQL Old; ULONG Count; FAST_MUTEX Mutex; WDFSPINLOCK WdfLock; KEVENT Event; } EXT, *PEXT;\n`;

function sim(code: string, name: string, path = 'rules.c'): FunctionSimResult {
  const prog = new SimProgram(parseSource(path, code));
  const def = prog.defs.find((d) => d.name === name);
  if (!def) throw new Error(`no ${name}`);
  return simulateFunction(prog, def);
}

/** `kind@line` of the faults (line of the fault itself, in whichever function it is). */
const at = (r: FunctionSimResult) => [...new Set(r.faults.map((f) => `${f.kind}@${f.line}`))].sort();
/** The 1-based line of the first line of `code` containing `text`. */
const lineOf = (code: string, text: string, from = 0) => code.split('\n').findIndex((l, i) => i >= from && l.includes(text)) + 1;

describe('spin locks: a lock the run never touched is a caller\'s', () => {
  const code =
    EXT +
    `
VOID Unlock(PEXT e) { KeReleaseSpinLock(&e->Lock, e->Old); }

VOID LockAndCallUnlock(PEXT e)
{
    KIRQL o;
    KeAcquireSpinLock(&e->Lock, &o);
    e->Old = o;
    e->Count++;
    Unlock(e);
}

VOID ReleaseTwice(PEXT e)
{
    KIRQL o;
    KeAcquireSpinLock(&e->Lock, &o);
    KeReleaseSpinLock(&e->Lock, o);
    KeReleaseSpinLock(&e->Lock, o);
}

VOID CallersLockReleasedTwice(PEXT e)
{
    KeReleaseSpinLock(&e->Lock, e->Old);
    KeReleaseSpinLock(&e->Lock, e->Old);
}

VOID AcquireTwice(PEXT e)
{
    KIRQL o, o2;
    KeAcquireSpinLock(&e->Lock, &o);
    KeAcquireSpinLock(&e->Lock, &o2);
    KeReleaseSpinLock(&e->Lock, o);
}

VOID ReturnsHolding(PEXT e)
{
    KIRQL o;
    KeAcquireSpinLock(&e->Lock, &o);
    e->Count++;
}

VOID DpcForms(PEXT e)
{
    KeReleaseSpinLockFromDpcLevel(&e->Lock);
    KeReleaseSpinLockFromDpcLevel(&e->Lock);
}

VOID Queued(PEXT e, PKLOCK_QUEUE_HANDLE Caller)
{
    KLOCK_QUEUE_HANDLE h;
    KeReleaseInStackQueuedSpinLock(Caller);
    KeAcquireInStackQueuedSpinLock(&e->Lock, &h);
    KeReleaseInStackQueuedSpinLock(&h);
    KeReleaseInStackQueuedSpinLock(&h);
}

VOID Mutexes(PEXT e)
{
    ExReleaseFastMutex(&e->Mutex);
    ExReleaseFastMutex(&e->Mutex);
}

VOID WdfLocks(PEXT e)
{
    WdfSpinLockRelease(e->WdfLock);
    WdfSpinLockAcquire(e->WdfLock);
    WdfSpinLockRelease(e->WdfLock);
    WdfSpinLockRelease(e->WdfLock);
}
`;

  it('a release helper does not fault, on its own or called under the lock', () => {
    expect(at(sim(code, 'Unlock'))).toEqual([]);
    expect(at(sim(code, 'LockAndCallUnlock'))).toEqual([]);
  });

  it('a second release faults spinlock-not-held at the second release', () => {
    const second = lineOf(code, 'KeReleaseSpinLock(&e->Lock, o);', lineOf(code, 'KeReleaseSpinLock(&e->Lock, o);'));
    expect(at(sim(code, 'ReleaseTwice'))).toEqual([`spinlock-not-held@${second}`]);
    // a caller's lock released twice: the first release is not a fault, it makes the lock known free
    const start = lineOf(code, 'VOID CallersLockReleasedTwice');
    expect(at(sim(code, 'CallersLockReleasedTwice'))).toEqual([`spinlock-not-held@${start + 3}`]);
    const f = sim(code, 'CallersLockReleasedTwice').faults[0]!;
    expect(f.context?.ddi).toBe('KeReleaseSpinLock');
    expect(formatBugCheck(f.plainBugCheck)).toMatch(/^0x10 SPIN_LOCK_NOT_OWNED/);
  });

  it('the DPC-level, in-stack queued, fast-mutex and KMDF forms follow the same rule', () => {
    const s = (fn: string) => lineOf(code, `VOID ${fn}(`);
    expect(at(sim(code, 'DpcForms'))).toEqual([`spinlock-not-held@${s('DpcForms') + 3}`]);
    // the caller's handle (never seen) is not a fault; the run's own handle released twice is
    expect(at(sim(code, 'Queued')).filter((k) => k.startsWith('spinlock'))).toEqual([`spinlock-not-held@${s('Queued') + 6}`]);
    expect(at(sim(code, 'Mutexes')).filter((k) => k.startsWith('spinlock'))).toEqual([`spinlock-not-held@${s('Mutexes') + 3}`]);
    expect(at(sim(code, 'WdfLocks')).filter((k) => k.startsWith('spinlock'))).toEqual([`spinlock-not-held@${s('WdfLocks') + 5}`]);
  });

  it('an acquire of a lock acquired on the path and not released is spinlock-double-acquire', () => {
    const start = lineOf(code, 'VOID AcquireTwice');
    expect(at(sim(code, 'AcquireTwice'))).toEqual([`spinlock-double-acquire@${start + 4}`]);
  });

  it('a return with a lock held is spinlock-held-at-exit, not irql-not-restored too', () => {
    const end = lineOf(code, '}', lineOf(code, 'VOID ReturnsHolding'));
    expect(at(sim(code, 'ReturnsHolding'))).toEqual([`spinlock-held-at-exit@${end}`]);
  });

  it('irql-not-restored stays for a raise that is not lowered, and _IRQL_raises_ still excuses it', () => {
    const src = `
_IRQL_requires_(PASSIVE_LEVEL)
VOID Raises(VOID)
{
    KIRQL o;
    KeRaiseIrql(DISPATCH_LEVEL, &o);
}
VOID RaisesUnknownEntry(VOID)
{
    KIRQL o;
    KeRaiseIrql(DISPATCH_LEVEL, &o);
}
_IRQL_raises_(DISPATCH_LEVEL)
VOID RaisesAnnotated(VOID)
{
    KIRQL o;
    KeRaiseIrql(DISPATCH_LEVEL, &o);
}
__drv_savesIRQLGlobal(OldIrql, g)
VOID SavesGlobal(VOID)
{
    KIRQL o;
    KeRaiseIrql(DISPATCH_LEVEL, &o);
}`;
    expect(at(sim(src, 'Raises'))).toEqual(['irql-not-restored@7']);
    // entered at an IRQL nothing tells (PASSIVE..DISPATCH_LEVEL): at DISPATCH_LEVEL it returns where it was entered
    expect(at(sim(src, 'RaisesUnknownEntry'))).toEqual([]);
    expect(at(sim(src, 'RaisesAnnotated'))).toEqual([]);
    expect(at(sim(src, 'SavesGlobal'))).toEqual([]);
  });
});

describe('raise and lower faults name the DDI', () => {
  it('KeRaiseIrql(APC_LEVEL, &o) under a spin lock is irql-raise-lower with ddi KeRaiseIrql', () => {
    const code =
      EXT +
      `VOID RaiseBelow(PEXT e)
{
    KIRQL o, o2;
    KeAcquireSpinLock(&e->Lock, &o);
    KeRaiseIrql(APC_LEVEL, &o2);
    KeLowerIrql(o2);
    KeReleaseSpinLock(&e->Lock, o);
}
VOID KfRaiseBelow(PEXT e)
{
    KIRQL o, o2;
    KeAcquireSpinLock(&e->Lock, &o);
    o2 = KfRaiseIrql(PASSIVE_LEVEL);
    KeReleaseSpinLock(&e->Lock, o);
}
VOID LowerAbove(VOID)
{
    KIRQL o;
    KeRaiseIrql(DISPATCH_LEVEL, &o);
    KeLowerIrql(HIGH_LEVEL);
}`;
    const r = sim(code, 'RaiseBelow');
    const raise = r.faults.find((f) => f.kind === 'irql-raise-lower')!;
    expect(raise.line).toBe(6);
    expect(raise.context?.ddi).toBe('KeRaiseIrql');
    expect(raise.context).toMatchObject({ irql: 2, newIrql: 1 });
    expect(rulesForFault(raise.kind, raise)).toEqual(['irql-not-restored']);
    const kf = sim(code, 'KfRaiseBelow').faults.find((f) => f.kind === 'irql-raise-lower')!;
    expect(kf.context?.ddi).toBe('KfRaiseIrql');
    const lower = sim(code, 'LowerAbove').faults.find((f) => f.kind === 'irql-lower-higher')!;
    expect(lower.context?.ddi).toBe('KeLowerIrql');
    expect(rulesForFault(lower.kind, lower)).toEqual(['irql-not-restored']);
  });
});

describe('pageable-code-at-dispatch', () => {
  it('a #pragma alloc_text(PAGE, F) function called under a spin lock faults at the line of its name', () => {
    const code =
      EXT +
      `VOID PagedWork(PEXT e);
#ifdef ALLOC_PRAGMA
#pragma alloc_text(PAGE, PagedWork)
#endif

VOID
PagedWork(
    PEXT e
    )
{
    e->Count++;
}

VOID Caller(PEXT e)
{
    KIRQL o;
    KeAcquireSpinLock(&e->Lock, &o);
    PagedWork(e);
    KeReleaseSpinLock(&e->Lock, o);
}
`;
    const name = lineOf(code, 'PagedWork(', lineOf(code, '#endif'));
    const call = lineOf(code, '    PagedWork(e);');
    const caller = sim(code, 'Caller');
    const f = caller.faults.find((x) => x.kind === 'pageable-code-at-dispatch')!;
    expect(f).toBeDefined();
    expect(f.line).toBe(name);
    expect(f.function).toBe('PagedWork');
    expect(f.entryLine).toBe(call);
    expect(f.context).toMatchObject({ irql: 2, function: 'PagedWork', section: 'PAGE' });
    expect(formatBugCheck(f.plainBugCheck)).toBe('0xD1 DRIVER_IRQL_NOT_LESS_OR_EQUAL (address, 0x2, 0x8, IP)');
    expect(formatBugCheck(f.verifierBugCheck)).toBe('0xD1 DRIVER_IRQL_NOT_LESS_OR_EQUAL (address, 0x2, 0x8, IP)');
    expect(f.message).toBe('pageable code of PagedWork (section PAGE) run at IRQL 2');
    expect(rulesForFault(f.kind, f)).toEqual(['irql-pageable-at-dispatch']);
    // simulated as its own entry (a helper entered at its callers' DISPATCH_LEVEL): the same fault, at its name
    expect(at(sim(code, 'PagedWork'))).toEqual([`pageable-code-at-dispatch@${name}`]);
  });

  it('section names: quoted, PAGE-prefixed; not INIT, nor a function called at PASSIVE_LEVEL', () => {
    const code = `
#pragma alloc_text("PAGEwmi", Wmi)
#pragma alloc_text(PAGESER, Ser)
#pragma alloc_text(INIT, Init)
VOID Wmi(VOID) { }
VOID Ser(VOID) { }
VOID Init(VOID) { }
VOID Passive(VOID) { }
/* #pragma alloc_text(PAGE, Passive) in a comment is nothing */
_IRQL_requires_(DISPATCH_LEVEL)
VOID Dpc(VOID)
{
    Wmi();
    Ser();
    Init();
}
_IRQL_requires_(PASSIVE_LEVEL)
VOID Low(VOID)
{
    Wmi();
}`;
    expect(at(sim(code, 'Dpc')).sort()).toEqual(['pageable-code-at-dispatch@5', 'pageable-code-at-dispatch@6']);
    const sections = sim(code, 'Dpc').faults.map((f) => f.context?.section).sort();
    expect(sections).toEqual(['PAGESER', 'PAGEwmi']);
    expect(at(sim(code, 'Low'))).toEqual([]);
  });

  it('functions between #pragma code_seg("PAGE") and #pragma code_seg() / pop, and __declspec(code_seg("PAGE"))', () => {
    const code = `
#pragma code_seg("PAGE")
VOID InRegion(VOID) { }
#pragma code_seg()
VOID AfterRegion(VOID) { }
#pragma code_seg(push, "PAGE")
VOID Pushed(VOID) { }
#pragma code_seg(pop)
VOID AfterPop(VOID) { }
#pragma code_seg("PAGE")
VOID BeforeInit(VOID) { }
#pragma code_seg("INIT")
VOID InInit(VOID) { }
#pragma code_seg()
__declspec(code_seg("PAGE"))
VOID Declspec(VOID) { }
#pragma code_seg("PAGE")
VOID WithPagedCode(VOID)
{
    PAGED_CODE();
}
#pragma code_seg()

_IRQL_requires_(DISPATCH_LEVEL)
VOID Dpc(VOID)
{
    InRegion();
    AfterRegion();
    Pushed();
    AfterPop();
    BeforeInit();
    InInit();
    Declspec();
    WithPagedCode();
}`;
    expect(at(sim(code, 'Dpc'))).toEqual([
      'irql-api-too-high@20',
      'pageable-code-at-dispatch@11',
      'pageable-code-at-dispatch@16',
      'pageable-code-at-dispatch@3',
      'pageable-code-at-dispatch@7',
    ]);
    // with PAGED_CODE() the fault is PAGED_CODE's (irql-api-too-high, ddi PAGED_CODE), not the section's
    const paged = sim(code, 'Dpc').faults.find((f) => f.kind === 'irql-api-too-high')!;
    expect(paged.context?.ddi).toBe('PAGED_CODE');
    expect(rulesForFault(paged.kind, paged)).toEqual(['irql-pageable-at-dispatch']);
  });

  it('the top-level entry: at DISPATCH_LEVEL it faults; at an unknown IRQL only if certain at every level', () => {
    const code = `
KDEFERRED_ROUTINE PagedDpc;
#pragma alloc_text(PAGE, PagedDpc, Unknown, Ranged)
VOID PagedDpc(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    UNREFERENCED_PARAMETER(Dpc);
}
VOID Unknown(VOID)
{
}
_IRQL_requires_max_(DISPATCH_LEVEL)
VOID Ranged(VOID)
{
}`;
    expect(at(sim(code, 'PagedDpc'))).toEqual(['pageable-code-at-dispatch@4']);
    expect(at(sim(code, 'Unknown'))).toEqual([]);
    // a range: the path entered at DISPATCH_LEVEL faults
    const ranged = sim(code, 'Ranged');
    expect(at(ranged)).toEqual(['pageable-code-at-dispatch@12']);
    expect(ranged.faults[0]!.path.decisions.map((d) => d.label)).toEqual(['entered at DISPATCH_LEVEL']);
  });

  it('a callee in another file faults at its name in its own file', () => {
    const a = `#pragma alloc_text(PAGE, Helper)
VOID Helper(VOID)
{
}`;
    const b = `VOID Helper(VOID);
_IRQL_requires_(DISPATCH_LEVEL)
VOID Dpc(VOID)
{
    Helper();
}`;
    const prog = SimProgram.fromFiles([parseSource('a.c', a), parseSource('b.c', b)]);
    const r = simulateFunction(prog, prog.defs.find((d) => d.name === 'Dpc')!);
    expect(r.faults.map((f) => [f.kind, f.line, f.stack[0]!.file, f.entryLine])).toEqual([['pageable-code-at-dispatch', 2, 'a.c', 5]]);
  });
});

describe('fault -> rule mapping of the new rules', () => {
  const ctx = (c: object) => ({ context: c });
  it('a wait at DISPATCH_LEVEL or above is irql-wait-at-dispatch only; below it stays irql-too-high', () => {
    expect(rulesForFault('irql-api-too-high', ctx({ ddi: 'KeWaitForSingleObject', irqlClass: 'wait', irql: 2, maxIrql: 1 }))).toEqual(['irql-wait-at-dispatch']);
    expect(rulesForFault('irql-api-too-high', ctx({ ddi: 'KeDelayExecutionThread', irqlClass: 'wait', irql: 5, maxIrql: 1 }))).toEqual(['irql-wait-at-dispatch']);
    expect(rulesForFault('irql-api-too-high', ctx({ ddi: 'WdfWaitLockAcquire', irqlClass: 'wait', irql: 1, maxIrql: 0 }))).toEqual(['irql-too-high']);
    expect(rulesForFault('irql-api-too-high', ctx({ ddi: 'ZwClose', irqlClass: 'zw', irql: 2, maxIrql: 0 }))).toEqual(['irql-too-high']);
  });

  it('a wait simulated in a DPC maps to irql-wait-at-dispatch', () => {
    const code = `
KDEFERRED_ROUTINE Dpc;
VOID Dpc(PKDPC D, PVOID C, PVOID A1, PVOID A2)
{
    KeWaitForSingleObject((PKEVENT)C, Executive, KernelMode, FALSE, NULL);
}`;
    const f = sim(code, 'Dpc').faults[0]!;
    expect(f.kind).toBe('irql-api-too-high');
    expect(rulesForFault(f.kind, f)).toEqual(['irql-wait-at-dispatch']);
  });

  it('PAGED_CODE, pageable code and paged pool are irql-pageable-at-dispatch; nonpaged pool stays irql-too-high', () => {
    expect(rulesForFault('irql-api-too-high', ctx({ ddi: 'PAGED_CODE', irql: 2, maxIrql: 1 }))).toEqual(['irql-pageable-at-dispatch']);
    expect(rulesForFault('pageable-code-at-dispatch', ctx({ irql: 2, function: 'F', section: 'PAGE' }))).toEqual(['irql-pageable-at-dispatch']);
    expect(rulesForFault('irql-pool', ctx({ ddi: 'ExAllocatePoolWithTag', irql: 2, paged: true }))).toEqual(['irql-pageable-at-dispatch']);
    expect(rulesForFault('irql-pool', ctx({ ddi: 'ExAllocatePoolWithTag', irql: 5, paged: false }))).toEqual(['irql-too-high']);
    expect(rulesForFault('irql-pool', ctx({ ddi: 'ExFreePool', irql: 5 }))).toEqual(['irql-too-high']);
    // the pageable probe of MmProbeAndLockPages is still irql-too-high's
    expect(rulesForFault('irql-pageable-at-dispatch', ctx({ irql: 2 }))).toEqual(['irql-too-high']);
  });

  it('a simulated paged-pool allocation under a spin lock maps to irql-pageable-at-dispatch only', () => {
    const code =
      EXT +
      `VOID F(PEXT e)
{
    KIRQL o;
    PVOID p;
    KeAcquireSpinLock(&e->Lock, &o);
    p = ExAllocatePoolWithTag(PagedPool, 16, 'x');
    KeReleaseSpinLock(&e->Lock, o);
    if (p) ExFreePoolWithTag(p, 'x');
}`;
    const f = sim(code, 'F').faults.find((x) => x.kind === 'irql-pool')!;
    expect(f.context?.paged).toBe(true);
    expect(rulesForFault(f.kind, f)).toEqual(['irql-pageable-at-dispatch']);
  });

  it('irql-not-restored takes irql-not-restored, irql-lower-higher and the raises below the current IRQL', () => {
    expect(rulesForFault('irql-not-restored', ctx({ irql: 2, newIrql: 0 }))).toEqual(['irql-not-restored']);
    expect(rulesForFault('irql-lower-higher', ctx({ ddi: 'KeLowerIrql', irql: 0, newIrql: 2 }))).toEqual(['irql-not-restored']);
    expect(rulesForFault('irql-raise-lower', ctx({ ddi: 'KeRaiseIrql', irql: 2, newIrql: 1 }))).toEqual(['irql-not-restored']);
    expect(rulesForFault('irql-raise-lower', ctx({ ddi: 'KfRaiseIrql', irql: 2, newIrql: 0 }))).toEqual(['irql-not-restored']);
    // KeRaiseIrqlToDpcLevel above DISPATCH_LEVEL stays irql-too-high; KeRaiseIrqlToSynchLevel is neither
    expect(rulesForFault('irql-raise-lower', ctx({ ddi: 'KeRaiseIrqlToDpcLevel', irql: 5, newIrql: 2 }))).toEqual(['irql-too-high']);
    expect(rulesForFault('irql-raise-lower', ctx({ ddi: 'KeRaiseIrqlToSynchLevel', irql: 15, newIrql: 12 }))).toEqual([]);
  });

  it('the spin-lock kinds are spinlock-unbalanced', () => {
    for (const k of ['spinlock-not-held', 'spinlock-double-acquire', 'spinlock-held-at-exit'] as const) {
      expect(rulesForFault(k, ctx({ ddi: 'KeReleaseSpinLock', irql: 2 }))).toEqual(['spinlock-unbalanced']);
      expect(rulesForFault(k)).toEqual(['spinlock-unbalanced']);
    }
  });

  it('every new rule is mapped, and the kind-level table (no context) keeps every candidate', () => {
    for (const r of ['irql-wait-at-dispatch', 'irql-pageable-at-dispatch', 'irql-not-restored', 'spinlock-unbalanced']) expect(RULE_FAULTS[r]?.length).toBeGreaterThan(0);
    expect(rulesForFault('irql-api-too-high').sort()).toEqual(['irql-pageable-at-dispatch', 'irql-too-high', 'irql-wait-at-dispatch']);
    expect(rulesForFault('irql-pool').sort()).toEqual(['irql-pageable-at-dispatch', 'irql-too-high']);
  });
});
