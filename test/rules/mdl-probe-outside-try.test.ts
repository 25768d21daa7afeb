import { mdlProbeOutsideTry } from '../../rules/mdl-probe-outside-try.js';
import { runRuleTests } from '../support/rule-tester.js';

runRuleTests(mdlProbeOutsideTry, {
  valid: [
    {
      name: 'probe inside __try/__except(EXCEPTION_EXECUTE_HANDLER)',
      code: `VOID F(PMDL Mdl)
{
    __try {
        MmProbeAndLockPages(Mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return;
    }
    MmUnlockPages(Mdl);
}`,
    },
    {
      name: 'numeric filter 1',
      code: `VOID F(PMDL Mdl) { __try { MmProbeAndLockPages(Mdl, UserMode, IoReadAccess); } __except (1) { return; } MmUnlockPages(Mdl); }`,
    },
    {
      name: '__try/__finally nested inside __try/__except',
      code: `VOID F(PMDL Mdl)
{
    __try {
        __try {
            MmProbeAndLockPages(Mdl, UserMode, IoReadAccess);
            MmUnlockPages(Mdl);
        } __finally {
            Log();
        }
    } __except (EXCEPTION_EXECUTE_HANDLER) {
    }
}`,
    },
    {
      name: 'filter function',
      code: `VOID F(PMDL Mdl)
{
    __try { MmProbeAndLockPages(Mdl, UserMode, IoReadAccess); }
    __except (MyFilter(GetExceptionInformation())) { return; }
    MmUnlockPages(Mdl);
}`,
    },
    {
      name: 'filter that excludes one code only',
      code: `VOID F(PMDL Mdl)
{
    __try { MmProbeAndLockPages(Mdl, UserMode, IoReadAccess); }
    __except (GetExceptionCode() != STATUS_BREAKPOINT ? EXCEPTION_EXECUTE_HANDLER : EXCEPTION_CONTINUE_SEARCH) { return; }
    MmUnlockPages(Mdl);
}`,
    },
    {
      name: 'WDK try/except spelling',
      code: `VOID F(PMDL Mdl)
{
    try {
        MmProbeAndLockPages(Mdl, UserMode, IoReadAccess);
    } except (EXCEPTION_EXECUTE_HANDLER) {
        return;
    }
    MmUnlockPages(Mdl);
}`,
    },
    {
      name: 'probe in a loop, a switch and an #ifdef inside the __try',
      code: `VOID F(PMDL *Mdls, ULONG n, ULONG mode)
{
    ULONG i;
    __try {
        for (i = 0; i < n; i++) {
            switch (mode) {
            case 1:
#ifdef USE_WRITE
                MmProbeAndLockPages(Mdls[i], UserMode, IoWriteAccess);
#else
                MmProbeAndLockPages(Mdls[i], UserMode, IoReadAccess);
#endif
                break;
            default:
                MmProbeAndLockProcessPages(Mdls[i], Process, UserMode, IoReadAccess);
                break;
            }
        }
    } __except (EXCEPTION_EXECUTE_HANDLER) {
    }
}`,
    },
    {
      name: 'handler of a __try whose body cannot raise is unreachable',
      code: `VOID F(PMDL Mdl)
{
    __try {
        Prepare(Mdl);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        MmProbeAndLockPages(Mdl, UserMode, IoReadAccess);
    }
}`,
    },
    {
      name: 'unreachable probe after return',
      code: `VOID F(PMDL Mdl)
{
    return;
    MmProbeAndLockPages(Mdl, UserMode, IoReadAccess);
}`,
    },
    {
      name: 'narrow inner filter, catch-all outer handler',
      code: `VOID F(PMDL Mdl)
{
    __try {
        __try { MmProbeAndLockPages(Mdl, UserMode, IoReadAccess); }
        __except (GetExceptionCode() == STATUS_ACCESS_VIOLATION ? EXCEPTION_EXECUTE_HANDLER : EXCEPTION_CONTINUE_SEARCH) { }
    } __except (EXCEPTION_EXECUTE_HANDLER) { }
}`,
    },
    {
      name: 'C++ member function',
      filename: 'test.cpp',
      code: `NTSTATUS Buffer::Lock()
{
    __try { MmProbeAndLockPages(m_Mdl, UserMode, IoReadAccess); }
    __except (EXCEPTION_EXECUTE_HANDLER) { return GetExceptionCode(); }
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'function with a parse error that contains a __try is not judged',
      code: `VOID F(PMDL Mdl)
{
    __try {
        MmProbeAndLockPages(Mdl, UserMode, IoReadAccess);
        x = = 3;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
    }
}`,
    },
  ],
  invalid: [
    {
      name: 'bare probe',
      code: `VOID F(PMDL Mdl)
{
    MmProbeAndLockPages(Mdl, UserMode, IoReadAccess);
    MmUnlockPages(Mdl);
}`,
      errors: [{ messageId: 'notInTry', line: 3, column: 5, data: { callee: 'MmProbeAndLockPages' } }],
    },
    {
      name: '__try/__finally alone',
      code: `VOID F(PMDL Mdl)
{
    __try {
        MmProbeAndLockPages(Mdl, UserMode, IoReadAccess);
    } __finally {
        Log();
    }
}`,
      errors: [{ messageId: 'onlyFinally', line: 4, column: 9 }],
    },
    {
      name: 'EXCEPTION_CONTINUE_SEARCH filter',
      code: `VOID F(PMDL Mdl)
{
    __try {
        MmProbeAndLockPages(Mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_CONTINUE_SEARCH) {
    }
}`,
      errors: [{ messageId: 'filterNeverCatches', line: 4, column: 9, data: { filterLine: 5, why: 'EXCEPTION_CONTINUE_SEARCH' } }],
    },
    {
      name: 'EXCEPTION_CONTINUE_EXECUTION filter',
      code: `VOID F(PMDL Mdl)
{
    __try { MmProbeAndLockPages(Mdl, UserMode, IoReadAccess); } __except (EXCEPTION_CONTINUE_EXECUTION) { }
}`,
      errors: [{ messageId: 'filterNeverCatches', line: 3, column: 13 }],
    },
    {
      name: 'filter that takes only STATUS_ACCESS_VIOLATION',
      code: `VOID F(PMDL Mdl)
{
    __try {
        MmProbeAndLockPages(Mdl, UserMode, IoReadAccess);
    } __except (GetExceptionCode() == STATUS_ACCESS_VIOLATION ? EXCEPTION_EXECUTE_HANDLER : EXCEPTION_CONTINUE_SEARCH) {
    }
}`,
      errors: [{ messageId: 'filterTooNarrow', line: 4, column: 9, data: { code: 'STATUS_ACCESS_VIOLATION' } }],
    },
    {
      name: 'boolean comparison filter',
      code: `VOID F(PMDL Mdl)
{
    __try { MmProbeAndLockPages(Mdl, UserMode, IoReadAccess); }
    __except (GetExceptionCode() == STATUS_ACCESS_VIOLATION) { }
}`,
      errors: [{ messageId: 'filterTooNarrow', line: 3, column: 13 }],
    },
    {
      name: 'probe inside the __except handler itself',
      code: `VOID F(PMDL Mdl, PVOID Buf, ULONG Len)
{
    __try {
        ProbeForRead(Buf, Len, 1);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        MmProbeAndLockPages(Mdl, UserMode, IoReadAccess);
    }
}`,
      errors: [{ messageId: 'notInTry', line: 6, column: 9 }],
    },
    {
      name: 'probe inside the __finally block',
      code: `VOID F(PMDL Mdl)
{
    __try {
        Prepare(Mdl);
    } __finally {
        MmProbeAndLockPages(Mdl, UserMode, IoReadAccess);
    }
}`,
      errors: [{ messageId: 'notInTry', line: 6, column: 9 }],
    },
    {
      name: 'each probe variant',
      code: `VOID F(PMDL Mdl, PEPROCESS Process)
{
    MmProbeAndLockProcessPages(Mdl, Process, UserMode, IoReadAccess);
    MmProbeAndLockSelectedPages(Mdl, Segments, UserMode, IoReadAccess);
}`,
      errors: [
        { messageId: 'notInTry', line: 3, column: 5, data: { callee: 'MmProbeAndLockProcessPages' } },
        { messageId: 'notInTry', line: 4, column: 5, data: { callee: 'MmProbeAndLockSelectedPages' } },
      ],
    },
    {
      name: 'probe after the __try block ended',
      code: `VOID F(PMDL Mdl, PVOID Buf, ULONG Len)
{
    __try {
        ProbeForRead(Buf, Len, 1);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return;
    }
    MmProbeAndLockPages(Mdl, UserMode, IoReadAccess);
}`,
      errors: [{ messageId: 'notInTry', line: 8, column: 5 }],
    },
    {
      name: 'probe in an #if branch',
      code: `VOID F(PMDL Mdl)
{
#if DBG
    MmProbeAndLockPages(Mdl, UserMode, IoReadAccess);
#endif
}`,
      errors: [{ messageId: 'notInTry', line: 4, column: 5 }],
    },
    {
      name: 'function with a parse error but no __try anywhere',
      code: `VOID F(PMDL Mdl)
{
    MmProbeAndLockPages(Mdl, UserMode, IoReadAccess);
    x = = 3;
}`,
      errors: [{ messageId: 'notInTry', line: 3, column: 5 }],
    },
    {
      name: 'SAL-annotated dispatch routine',
      code: `_Use_decl_annotations_
NTSTATUS
DispatchRead(
    _In_ PDEVICE_OBJECT DeviceObject,
    _Inout_ PIRP Irp
    )
{
    PAGED_CODE();
    UNREFERENCED_PARAMETER(DeviceObject);
    MmProbeAndLockPages(Irp->MdlAddress, Irp->RequestorMode, IoWriteAccess);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'notInTry', line: 10, column: 5 }],
    },
  ],
});
