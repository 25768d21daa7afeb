/**
 * Cross-function summaries (issue 4): helpers defined in other files of the same run are applied at
 * their call sites; recursion settles; a probe in a helper is exempt when every caller protects it.
 */
import { describe, expect, it } from 'vitest';
import { lintText, prepareProject } from '../../src/lint/linter.js';

const HELPERS = `#include <ntddk.h>
NTSTATUS LockUserBuffer(PVOID Buffer, ULONG Length, PMDL *MdlOut)
{
    PMDL mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    *MdlOut = NULL;
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    *MdlOut = mdl;
    return STATUS_SUCCESS;
}
VOID UnlockAndFree(PMDL Mdl)
{
    MmUnlockPages(Mdl);
    IoFreeMdl(Mdl);
}
`;

const DISPATCH = `#include <ntddk.h>
NTSTATUS LockUserBuffer(PVOID Buffer, ULONG Length, PMDL *MdlOut);
VOID UnlockAndFree(PMDL Mdl);
NTSTATUS Consume(PVOID Va, ULONG Length);
NTSTATUS Leaks(PVOID Buffer, ULONG Length)
{
    PMDL mdl;
    NTSTATUS status = LockUserBuffer(Buffer, Length, &mdl);
    if (!NT_SUCCESS(status)) return status;
    if (Length > 4096) {
        return STATUS_INVALID_PARAMETER;
    }
    UnlockAndFree(mdl);
    return status;
}
NTSTATUS Correct(PVOID Buffer, ULONG Length)
{
    PMDL mdl;
    NTSTATUS status = LockUserBuffer(Buffer, Length, &mdl);
    if (!NT_SUCCESS(status)) return status;
    UnlockAndFree(mdl);
    return status;
}
NTSTATUS FreesTwice(PVOID Buffer, ULONG Length)
{
    PMDL mdl;
    NTSTATUS status = LockUserBuffer(Buffer, Length, &mdl);
    if (!NT_SUCCESS(status)) return status;
    UnlockAndFree(mdl);
    UnlockAndFree(mdl);
    return status;
}
`;

function findings(project: ReturnType<typeof prepareProject> | undefined, path: string, text: string) {
  return lintText(text, path, project ? { project } : {}).messages.map((m) => `${m.line} ${m.ruleId} ${m.messageId}`);
}

describe('cross-file summaries', () => {
  const inputs = [
    { path: '/drv/helpers.c', text: HELPERS },
    { path: '/drv/dispatch.c', text: DISPATCH },
  ];
  const project = prepareProject(inputs, '/drv');

  it('applies a helper of another file at its call sites', () => {
    expect(findings(project, '/drv/dispatch.c', DISPATCH)).toEqual(['11 mdl-unmatched-lock stillLocked', '30 mdl-use-after-free useAfterFree']);
  });

  it('says in the message that the lock was taken in the helper, and where', () => {
    const m = lintText(DISPATCH, '/drv/dispatch.c', { project }).messages.find((x) => x.line === 11)!;
    expect(m.message).toContain('(in LockUserBuffer, helpers.c:8)');
    const uaf = lintText(DISPATCH, '/drv/dispatch.c', { project }).messages.find((x) => x.line === 30)!;
    expect(uaf.message).toContain('(in UnlockAndFree, helpers.c:18)');
  });

  it('without the other file, the helpers are unknown code: no finding', () => {
    expect(findings(undefined, '/drv/dispatch.c', DISPATCH)).toEqual([]);
  });

  it('the helpers themselves are clean', () => {
    expect(findings(project, '/drv/helpers.c', HELPERS)).toEqual([]);
  });

  it('the file-local (static) definition wins over another file\'s', () => {
    const local = `static VOID UnlockAndFree(PMDL Mdl) { MmUnlockPages(Mdl); }\n${DISPATCH.replace('VOID UnlockAndFree(PMDL Mdl);\n', '')}`;
    const p = prepareProject([inputs[0]!, { path: '/drv/dispatch.c', text: local }], '/drv');
    // this file's UnlockAndFree only unlocks: calling it twice unlocks twice (nothing is freed)
    expect(findings(p, '/drv/dispatch.c', local)).toEqual(['11 mdl-unmatched-lock stillLocked', '30 mdl-unmatched-lock unlockTwice']);
  });
});

describe('recursion', () => {
  it('summaries of mutually recursive helpers settle, and are applied', () => {
    const text = `#include <ntddk.h>
VOID ReleaseChain(PMDL Mdl, ULONG Depth);
VOID ReleaseOne(PMDL Mdl, ULONG Depth)
{
    MmUnlockPages(Mdl);
    if (Depth > 0) ReleaseChain(Mdl->Next, Depth - 1);
    IoFreeMdl(Mdl);
}
VOID ReleaseChain(PMDL Mdl, ULONG Depth)
{
    if (Mdl != NULL) ReleaseOne(Mdl, Depth);
}
VOID Caller(PVOID Va, ULONG Len)
{
    PMDL mdl = IoAllocateMdl(Va, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return;
    }
    ReleaseOne(mdl, 0);
    MmUnlockPages(mdl);
}
`;
    expect(findings(undefined, '/r.c', text)).toEqual(['24 mdl-use-after-free useAfterFree']);
  });
});

describe('mdl-probe-outside-try across functions', () => {
  const helper = `#include <ntddk.h>
VOID LockRaising(PMDL Mdl)
{
    MmProbeAndLockPages(Mdl, UserMode, IoReadAccess);
}
`;
  const protectedCaller = `#include <ntddk.h>
VOID LockRaising(PMDL Mdl);
NTSTATUS Protected(PMDL Mdl)
{
    __try {
        LockRaising(Mdl);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}
`;
  const unprotectedCaller = `#include <ntddk.h>
VOID LockRaising(PMDL Mdl);
VOID Unprotected(PMDL Mdl)
{
    LockRaising(Mdl);
}
`;
  it('a helper whose every caller (in any file) protects the call is not reported', () => {
    const p = prepareProject([{ path: '/d/h.c', text: helper }, { path: '/d/a.c', text: protectedCaller }], '/d');
    expect(findings(p, '/d/h.c', helper)).toEqual([]);
  });

  it('a helper called both ways is reported, naming the unprotected caller', () => {
    const p = prepareProject(
      [{ path: '/d/h.c', text: helper }, { path: '/d/a.c', text: protectedCaller }, { path: '/d/b.c', text: unprotectedCaller }],
      '/d',
    );
    const ms = lintText(helper, '/d/h.c', { project: p }).messages;
    expect(ms.map((m) => `${m.line} ${m.messageId}`)).toEqual(['4 notInTry']);
    expect(ms[0]!.message).toContain('but not by Unprotected (b.c:5)');
  });

  it('a helper nobody calls is an entry point: reported', () => {
    expect(findings(undefined, '/d/h.c', helper)).toEqual(['4 mdl-probe-outside-try notInTry']);
  });
});

describe('summaries check more than the first operation', () => {
  it('a helper that uses the MDL before unlocking it is still checked as an unlock', () => {
    const text = `#include <ntddk.h>
VOID FinishTransfer(PMDL Mdl)
{
    KeFlushIoBuffers(Mdl, TRUE, FALSE);
    MmUnlockPages(Mdl);
}
VOID Twice(PVOID Va, ULONG Len)
{
    PMDL mdl = IoAllocateMdl(Va, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return;
    }
    FinishTransfer(mdl);
    FinishTransfer(mdl);
    IoFreeMdl(mdl);
}
`;
    expect(findings(undefined, '/t.c', text)).toEqual(['18 mdl-unmatched-lock unlockTwice']);
  });
});
