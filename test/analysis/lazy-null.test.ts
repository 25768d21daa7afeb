/**
 * A call that may return NULL does not split the MDL analysis's state where it is made.
 *
 * Mappings (MmGetSystemAddressForMdlSafe & co.): the address is one value that may be NULL, and the test
 * of where it is stored (or a use, past which it was not NULL) settles the mapping, mapped or failed
 * (mdl-analysis.ts, settleMapping).
 *
 * Allocations (IoAllocateMdl & co.) stored in a local: the state parts, failed or not, before the first
 * node that mentions the local (settleAllocations).
 *
 * Split at each call, n of them made 2^n states: past 96 a label merged them and the merged state was
 * imprecise, so 7 unchecked mappings used after a few branches gave no finding at all (6 gave 6), and a
 * leak after 7 allocations checked together was not reported (6: reported).
 */
import { describe, expect, it } from 'vitest';
import { parseSource } from '../../src/parse/parser.js';
import { analyzeFunction } from '../../src/analysis/mdl-analysis.js';
import { lintText } from '../../src/lint/linter.js';

const HDR = '#include <wdm.h>\ntypedef struct _CTX { PMDL Mdl[32]; ULONG Counters[32]; ULONG Flags; } CTX, *PCTX;\n';

/** `name` allocated over Buf/Len and locked, leaving the function on failure (8 lines). */
const locked = (name: string) => `    PMDL ${name} = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (${name} == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(${name}, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(${name});
        return GetExceptionCode();
    }`;

/** `n` mappings, none tested, then `n` branches, then a use of each address. */
function uncheckedLate(n: number): string {
  const maps = Array.from({ length: n }, (_, k) => `    PULONG va${k} = (PULONG)MmGetSystemAddressForMdlSafe(Ctx->Mdl[${k}], NormalPagePriority);`);
  const branches = Array.from({ length: n }, (_, k) => `    if (Ctx->Counters[${k}] > ${k}) {\n        Ctx->Flags |= ${1 << k % 16};\n    }`);
  const uses = Array.from({ length: n }, (_, k) => `    va${k}[0] = ${k};`);
  return `${HDR}VOID F(PCTX Ctx)\n{\n${maps.join('\n')}\n${branches.join('\n')}\n${uses.join('\n')}\n}\n`;
}

/** `n` mappings, each tested with a way out that releases what is locked. */
function checkedEach(n: number): string {
  const maps = Array.from(
    { length: n },
    (_, k) => `    va[${k}] = MmGetSystemAddressForMdlSafe(Ctx->Mdl[${k}], NormalPagePriority);\n    if (va[${k}] == NULL) {\n        status = STATUS_INSUFFICIENT_RESOURCES;\n        goto Exit;\n    }`,
  );
  return `${HDR}NTSTATUS F(PCTX Ctx, PVOID *va)\n{\n    NTSTATUS status = STATUS_SUCCESS;\n${maps.join('\n')}\nExit:\n    return status;\n}\n`;
}

/**
 * The leak reported at the return of line 19 explains the call of line 14 as failed (`failure`), before
 * the branch of line 15 and the test of line 18 that came after it. Returns the explanation's steps.
 */
function expectFailureBeforeBranches(text: string, failure: string): string[] {
  const leak = lint(text).find((m) => m.ruleId === 'mdl-unmatched-lock' && m.line === 19);
  expect(leak, JSON.stringify(lint(text).map((m) => `${m.ruleId}:${m.line}`))).toBeDefined();
  const steps = leak!.path!.map((s) => `${s.line} ${s.message}`);
  const failed = steps.indexOf(failure);
  expect(failed, steps.join(' | ')).toBeGreaterThan(0);
  expect(steps.findIndex((s) => s.startsWith('15 '))).toBeGreaterThan(failed);
  expect(steps.findIndex((s) => s.startsWith('18 '))).toBeGreaterThan(failed);
  return steps;
}

function analyze(text: string) {
  const file = parseSource('map.c', text);
  const fn = file.functions.find((f) => f.name === 'F')!;
  return analyzeFunction(file, fn);
}

function lint(text: string) {
  return lintText(text, 'map.c').messages;
}

describe('mappings that may fail', () => {
  it('report every unchecked address used after branches, however many there are', () => {
    for (const n of [6, 7, 12]) {
      const a = analyze(uncheckedLate(n));
      expect(a.imprecise, `${n} mappings`).toBe(false);
      const found = lint(uncheckedLate(n)).filter((m) => m.ruleId === 'mdl-unchecked-system-address');
      expect(found.map((m) => m.line)).toEqual(Array.from({ length: n }, (_, k) => 4 + 2 * n + k + 2 * n + 1));
    }
  });

  it('take steps in proportion to the number of mappings, tested or not', () => {
    const s = (text: string) => analyze(text).steps!;
    expect(s(uncheckedLate(24)) / s(uncheckedLate(12))).toBeLessThan(2.5);
    expect(s(checkedEach(40)) / s(checkedEach(20))).toBeLessThan(2.5);
  });

  it('settle a mapping at its test: a second mapping of the mapped MDL cannot fail', () => {
    const tested = `${HDR}NTSTATUS F(PMDL Mdl)
{
    PULONG va = (PULONG)MmGetSystemAddressForMdlSafe(Mdl, NormalPagePriority);
    PULONG again;
    if (va == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    again = (PULONG)MmGetSystemAddressForMdlSafe(Mdl, NormalPagePriority);
    again[0] = 1;
    return STATUS_SUCCESS;
}
`;
    expect(lint(tested).filter((m) => m.ruleId === 'mdl-unchecked-system-address')).toEqual([]);
  });

  it('know a second mapping made before the first was tested succeeds when the first did, and copies share the outcome', () => {
    const twice = `${HDR}NTSTATUS F(PMDL Mdl)
{
    PULONG va = (PULONG)MmGetSystemAddressForMdlSafe(Mdl, NormalPagePriority);
    PULONG again = (PULONG)MmGetSystemAddressForMdlSafe(Mdl, NormalPagePriority);
    if (va == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    again[0] = 1;
    return STATUS_SUCCESS;
}
`;
    // the first succeeded, so the MDL was mapped when the second call was made: it returned that address
    expect(lint(twice)).toEqual([]);
    // the second tested, the first not: the first may have failed and the second succeeded
    const reversed = twice.replace('if (va == NULL)', 'if (again == NULL)').replace('again[0] = 1;', 'va[0] = 1;');
    expect(lint(reversed).map((m) => `${m.ruleId}:${m.line}:${m.column}`)).toEqual(['mdl-unchecked-system-address:10:5']);
    const copied = twice.replace('PULONG again = (PULONG)MmGetSystemAddressForMdlSafe(Mdl, NormalPagePriority);', 'PULONG again = va;');
    expect(lint(copied)).toEqual([]);
  });

  it('settle a mapping at a use: past it the address was not NULL, so the MDL is mapped', () => {
    const text = `${HDR}NTSTATUS F(PVOID Buf, ULONG Len)
{
    PULONG va;
${locked('mdl')}
    va = (PULONG)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    va[0] = 1;
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}
`;
    const ids = lint(text).map((m) => `${m.ruleId}:${m.line}:${m.messageId}`);
    expect(ids).toContain('mdl-unchecked-system-address:15:unchecked');
    expect(ids).toContain('mdl-free-while-locked:16:freeLockedMapped');
  });

  it('explain a failed mapping where it happened, not where it was tested', () => {
    const text = `${HDR}NTSTATUS F(PCTX Ctx, PVOID Buf, ULONG Len)
{
    PULONG va;
${locked('mdl')}
    va = (PULONG)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    if (Ctx->Flags != 0) {
        Ctx->Counters[0]++;
    }
    if (va == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    va[0] = 1;
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}
`;
    expectFailureBeforeBranches(text, '14 MmGetSystemAddressForMdlSafe fails (NULL)');
  });

  it('let a helper that returns the address give its caller both outcomes', () => {
    const text = `${HDR}static PVOID MapIt(PMDL Mdl)
{
    return MmGetSystemAddressForMdlSafe(Mdl, NormalPagePriority);
}

NTSTATUS F(PVOID Buf, ULONG Len)
{
    PULONG va;
${locked('mdl')}
    va = (PULONG)MapIt(mdl);
    if (va == NULL) {
        IoFreeMdl(mdl);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    va[0] = 1;
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}
`;
    const ids = lint(text).map((m) => `${m.ruleId}:${m.line}:${m.messageId}`);
    // the failed mapping left the MDL locked, not mapped; the successful one mapped it
    expect(ids).toEqual(['mdl-free-while-locked:21:freeLocked', 'mdl-free-while-locked:25:freeLockedMapped']);
  });
});

/** `n` allocations, checked together, locked in one __try; all unlocked but the first (a leak, twice). */
function allocLeak(n: number): string {
  const allocs = Array.from({ length: n }, (_, k) => `    PMDL m${k} = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);`);
  const test = Array.from({ length: n }, (_, k) => `m${k} == NULL`).join(' || ');
  const locks = Array.from({ length: n }, (_, k) => `        MmProbeAndLockPages(m${k}, UserMode, IoReadAccess);`);
  const unlocks = Array.from({ length: n - 1 }, (_, k) => `    MmUnlockPages(m${k + 1});`);
  return `${HDR}NTSTATUS F(PVOID Buf, ULONG Len)\n{\n${allocs.join('\n')}\n    if (${test}) {\n        return STATUS_INSUFFICIENT_RESOURCES;\n    }\n    __try {\n${locks.join('\n')}\n    } __except (EXCEPTION_EXECUTE_HANDLER) {\n        return STATUS_ACCESS_VIOLATION;\n    }\n${unlocks.join('\n')}\n    return STATUS_SUCCESS;\n}\n`;
}

/** `n` allocations, then a check of each that returns. */
function allocThenCheck(n: number): string {
  const allocs = Array.from({ length: n }, (_, k) => `    PMDL m${k} = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);`);
  const checks = Array.from({ length: n }, (_, k) => `    if (m${k} == NULL) {\n        return STATUS_INSUFFICIENT_RESOURCES;\n    }`);
  const frees = Array.from({ length: n }, (_, k) => `    IoFreeMdl(m${k});`);
  return `${HDR}NTSTATUS F(PVOID Buf, ULONG Len)\n{\n${allocs.join('\n')}\n${checks.join('\n')}\n${frees.join('\n')}\n    return STATUS_SUCCESS;\n}\n`;
}

describe('allocations that may fail', () => {
  it('report a leak however many allocations were made before their checks', () => {
    for (const n of [6, 7, 12]) {
      expect(analyze(allocLeak(n)).imprecise, `${n} allocations`).toBe(false);
      const leaks = lint(allocLeak(n)).filter((m) => m.ruleId === 'mdl-unmatched-lock');
      // the exception's return (two above the end) and the last return, each leaving m0 locked
      expect(leaks.map((m) => m.line), `${n} allocations`).toEqual([10 + 2 * n, 11 + 3 * n]);
    }
  });

  it('keep one state until each allocation is read', () => {
    const a = analyze(allocThenCheck(12));
    expect(a.imprecise).toBe(false);
    // the exit keeps one state per return (12 failed allocations, and the end): split at the calls, 2^12
    // states met the bound of 96 before the first check
    expect(a.peakStates).toBe(13);
  });

  it('explain a failed allocation where it was made, not where it was tested', () => {
    const text = `${HDR}NTSTATUS F(PCTX Ctx, PVOID Buf, ULONG Len)
{
    PMDL spare;
${locked('held')}
    spare = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (Ctx->Flags != 0) {
        Ctx->Counters[0]++;
    }
    if (spare == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    IoFreeMdl(spare);
    MmUnlockPages(held);
    IoFreeMdl(held);
    return STATUS_SUCCESS;
}
`;
    const steps = expectFailureBeforeBranches(text, '14 IoAllocateMdl fails (NULL)');
    expect(steps.some((s) => s.startsWith('14 IoAllocateMdl succeeds'))).toBe(false);
  });
});
