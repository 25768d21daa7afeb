/**
 * What a summary case records of its parameters, and where it must not: the out parameters it left alone
 * (`kept`), the parameter it returns as passed (`retParam`), the tests of parameters' bits it took
 * (`paramConds`), each with a shape where recording it would be wrong.
 */
import { describe, expect, it } from 'vitest';
import { lintText, prepareProject } from '../../src/lint/linter.js';

function summaryCases(text: string, name: string) {
  const project = prepareProject([{ path: '/s/t.c', text }], '/s');
  const file = project.allFiles()[0]!;
  return { project, cases: project.summaryFor(file, name)?.cases };
}

function findings(text: string): string[] {
  const project = prepareProject([{ path: '/s/t.c', text }], '/s');
  return lintText(text, '/s/t.c', { project }).messages.map((m) => `${m.line} ${m.ruleId}`);
}

const LOCK_HELPER = (write: string) => `#include <ntddk.h>
NTSTATUS LockBuf(PMDL Mdl, BOOLEAN *Locked) {
    __try { MmProbeAndLockPages(Mdl, UserMode, IoWriteAccess); } __except (EXCEPTION_EXECUTE_HANDLER) { return GetExceptionCode(); }
    ${write}
    return STATUS_SUCCESS;
}
NTSTATUS Caller(PMDL Mdl) {
    BOOLEAN locked = FALSE;
    NTSTATUS status = LockBuf(Mdl, &locked);
    if (locked) MmUnlockPages(Mdl);
    return status;
}
`;

describe('summary cases', () => {
  it('an out parameter written only as *P = value is kept on the paths that do not write it', () => {
    const { cases } = summaryCases(LOCK_HELPER('*Locked = TRUE;'), 'LockBuf');
    expect(cases?.some((c) => c.kept?.includes('*Locked'))).toBe(true);
    expect(cases?.some((c) => c.outVals.some((o) => o.path === '*Locked'))).toBe(true);
  });

  it('*P passed to a macro or call (SetFlag(*State, X), a reference parameter) is never taken as kept', () => {
    const { cases } = summaryCases(LOCK_HELPER('SetFlag(*Locked, 1);'), 'LockBuf');
    expect(cases?.length).toBeGreaterThan(0);
    expect(cases?.some((c) => c.kept?.includes('*Locked'))).toBe(false);
  });

  it('a parameter returned as passed is the call\'s value; one whose address is taken is not', () => {
    const helper = (extra: string) => `#include <ntddk.h>
int Gup(PVOID Va, int Count, PMDL *Out) {
    PMDL m = IoAllocateMdl(Va, Count * PAGE_SIZE, FALSE, FALSE, NULL);
    if (!m) return 0;
    ${extra}
    __try { MmProbeAndLockPages(m, UserMode, IoWriteAccess); } __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(m); return 0; }
    *Out = m;
    return Count;
}
int Caller(PVOID Va) {
    PMDL m;
    if (Gup(Va, 1, &m) != 1) return -1;
    MmUnlockPages(m);
    IoFreeMdl(m);
    return 0;
}
`;
    expect(summaryCases(helper(''), 'Gup').cases?.some((c) => c.retParam === 'Count')).toBe(true);
    expect(summaryCases(helper('Bump(&Count);'), 'Gup').cases?.some((c) => c.retParam !== undefined)).toBe(false);
  });

  it('tests of a parameter\'s bits narrow which case a caller takes, and never make more cases than the summary keeps', () => {
    const checks = Array.from({ length: 16 }, (_, k) => `    if (Flags & 0x${(1 << k).toString(16)}) return STATUS_INVALID_PARAMETER;`).join('\n');
    const text = `#include <ntddk.h>
NTSTATUS RelChecked(PMDL mdl, ULONG Flags) {
${checks}
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}
NTSTATUS Caller(PVOID buf, ULONG len, ULONG flags) {
    PMDL mdl = IoAllocateMdl(buf, len, FALSE, FALSE, NULL);
    if (!mdl) return STATUS_INSUFFICIENT_RESOURCES;
    __try { MmProbeAndLockPages(mdl, UserMode, IoReadAccess); } __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(mdl); return GetExceptionCode(); }
    NTSTATUS status = RelChecked(mdl, flags);
    IoFreeMdl(mdl);
    return status;
}
`;
    const { cases } = summaryCases(text, 'RelChecked');
    // (one case per way out: the 16 early returns are one case, whatever bit each tested)
    expect(cases?.length).toBeGreaterThan(0);
    expect(cases!.length).toBeLessThanOrEqual(4);
    // the caller's free after the helper: a free of a locked MDL (an early return) or a second free
    expect(findings(text)).toEqual(expect.arrayContaining(['28 mdl-free-while-locked', '28 mdl-use-after-free']));
  });
});
