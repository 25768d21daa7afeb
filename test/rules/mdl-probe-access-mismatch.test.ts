import { mdlProbeAccessMismatch } from '../../rules/mdl-probe-access-mismatch.js';
import { runRuleTests } from '../support/rule-tester.js';

runRuleTests(mdlProbeAccessMismatch, {
  valid: [
    {
      name: 'IoWriteAccess, then a write through the system address',
      code: `NTSTATUS F(PVOID Buf, ULONG Len)
{
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    PUCHAR va;
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    va = (PUCHAR)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    if (va != NULL) {
        va[0] = 1;
        RtlZeroMemory(va, Len);
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'IoModifyAccess, then a write',
      code: `NTSTATUS F(PVOID Buf)
{
    PMDL mdl = IoAllocateMdl(Buf, sizeof(ULONG), FALSE, FALSE, NULL);
    PULONG va;
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoModifyAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    va = (PULONG)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    if (va != NULL) {
        *va = *va + 1;
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'IoReadAccess, then the system address only as a copy source',
      code: `NTSTATUS F(PVOID Buf, ULONG Len, PUCHAR Local)
{
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    PVOID va;
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    if (va != NULL) {
        RtlCopyMemory(Local, va, Len);
        Local[0] = ((PUCHAR)va)[1];
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'the operation chosen by a flag, writes only under that flag',
      code: `NTSTATUS F(PVOID Buf, ULONG Len, BOOLEAN Write, PUCHAR Local)
{
    LOCK_OPERATION op = Write ? IoWriteAccess : IoReadAccess;
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    PVOID va;
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, op);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    if (va != NULL) {
        if (Write) {
            RtlCopyMemory(va, Local, Len);
        } else {
            RtlCopyMemory(Local, va, Len);
        }
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'typed KPROCESSOR_MODE and LOCK_OPERATION parameters in the documented order',
      code: `NTSTATUS F(PMDL Mdl, KPROCESSOR_MODE Mode, LOCK_OPERATION Operation)
{
    __try {
        MmProbeAndLockPages(Mdl, Mode, Operation);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'Irp->RequestorMode and ExGetPreviousMode() as the access mode',
      code: `NTSTATUS F(PIRP Irp, PMDL A, PMDL B)
{
    __try {
        MmProbeAndLockPages(A, Irp->RequestorMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    __try {
        MmProbeAndLockPages(B, ExGetPreviousMode(), IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        MmUnlockPages(A);
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'literals inside the enumerations: mode 1, operation 2',
      code: `NTSTATUS F(PMDL Mdl)
{
    __try {
        MmProbeAndLockPages(Mdl, 1, 2);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'a conditional between two legal operations',
      code: `NTSTATUS F(PMDL Mdl, BOOLEAN IsRead)
{
    __try {
        MmProbeAndLockPages(Mdl, UserMode, IsRead ? IoWriteAccess : IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'read lock, unlock, write lock, then write',
      code: `NTSTATUS F(PVOID Buf)
{
    PMDL mdl = IoAllocateMdl(Buf, sizeof(ULONG), FALSE, FALSE, NULL);
    PULONG va;
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    MmUnlockPages(mdl);
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    va = (PULONG)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    if (va != NULL) {
        *va = 0;
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
    },
  ],
  invalid: [
    {
      name: 'KernelMode as the operation',
      code: `NTSTATUS F(PMDL Mdl)
{
    __try {
        MmProbeAndLockPages(Mdl, KernelMode, KernelMode);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'badOperation', line: 4, column: 46, data: { value: 'KernelMode' } }],
    },
    {
      name: 'TRUE as the operation',
      code: `NTSTATUS F(PMDL Mdl)
{
    __try {
        MmProbeAndLockPages(Mdl, UserMode, TRUE);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'badOperation', line: 4, column: 44, data: { value: 'TRUE' } }],
    },
    {
      name: 'the literal 3 as the operation',
      code: `NTSTATUS F(PMDL Mdl)
{
    __try {
        MmProbeAndLockPages(Mdl, UserMode, 3);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'badOperation', line: 4, column: 44, data: { value: '3' } }],
    },
    {
      name: 'IoWriteAccess as the access mode',
      code: `NTSTATUS F(PMDL Mdl)
{
    __try {
        MmProbeAndLockPages(Mdl, IoWriteAccess, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'badAccessMode', line: 4, column: 34, data: { value: 'IoWriteAccess' } }],
    },
    {
      name: 'the literal 2 as the access mode',
      code: `NTSTATUS F(PMDL Mdl)
{
    __try {
        MmProbeAndLockPages(Mdl, 2, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'badAccessMode', line: 4, column: 34, data: { value: '2' } }],
    },
    {
      name: 'the classic swap gives both findings on the same line',
      code: `NTSTATUS F(PMDL Mdl)
{
    __try {
        MmProbeAndLockPages(Mdl, IoWriteAccess, KernelMode);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}`,
      errors: [
        { messageId: 'badAccessMode', line: 4, column: 34, data: { value: 'IoWriteAccess' } },
        { messageId: 'badOperation', line: 4, column: 49, data: { value: 'KernelMode' } },
      ],
    },
    {
      name: 'MmProbeAndLockProcessPages: the mode and operation are its third and fourth arguments',
      code: `NTSTATUS F(PMDL Mdl, PEPROCESS Process)
{
    __try {
        MmProbeAndLockProcessPages(Mdl, Process, IoReadAccess, UserMode);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}`,
      errors: [
        { messageId: 'badAccessMode', line: 4, column: 50, data: { value: 'IoReadAccess' } },
        { messageId: 'badOperation', line: 4, column: 64, data: { value: 'UserMode' } },
      ],
    },
    {
      name: 'typed parameters passed in the wrong order',
      code: `NTSTATUS F(PMDL Mdl, KPROCESSOR_MODE Mode, LOCK_OPERATION Operation)
{
    __try {
        MmProbeAndLockPages(Mdl, Operation, Mode);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}`,
      errors: [
        { messageId: 'badAccessMode', line: 4, column: 34 },
        { messageId: 'badOperation', line: 4, column: 45 },
      ],
    },
    {
      name: 'IoReadAccess, then a store through the system address',
      code: `NTSTATUS F(PVOID Buf)
{
    PMDL mdl = IoAllocateMdl(Buf, sizeof(ULONG), FALSE, FALSE, NULL);
    PULONG va;
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    va = (PULONG)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    if (va != NULL) {
        *va = 0;
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'writeAfterReadLock', line: 14, column: 9 }],
    },
    {
      name: 'IoReadAccess, then RtlCopyMemory with the system address as destination',
      code: `NTSTATUS F(PVOID Buf, ULONG Len, PUCHAR Local)
{
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    PVOID va;
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    if (va != NULL) {
        RtlCopyMemory(va, Local, Len);
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
      // reported at the destination argument
      errors: [{ messageId: 'writeAfterReadLock', line: 14, column: 23 }],
    },
    {
      name: 'IoReadAccess, then a field written through a cast',
      code: `typedef struct _REPLY { ULONG Magic; ULONG Status; } REPLY, *PREPLY;
NTSTATUS F(PVOID Buf)
{
    PMDL mdl = IoAllocateMdl(Buf, sizeof(REPLY), FALSE, FALSE, NULL);
    PVOID va;
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    if (va != NULL) {
        ((PREPLY)va)->Status = 1;
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'writeAfterReadLock', line: 15, column: 9 }],
    },
    {
      name: 'IoReadAccess, then memset through a local copy of the address',
      code: `NTSTATUS F(PVOID Buf, ULONG Len)
{
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    PVOID va;
    PUCHAR p;
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    if (va != NULL) {
        p = (PUCHAR)va;
        memset(p, 0, Len);
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'writeAfterReadLock', line: 16, column: 16 }],
    },
    {
      name: 'the operation chosen by a flag, but the write is unconditional',
      code: `NTSTATUS F(PVOID Buf, ULONG Len, BOOLEAN Write)
{
    LOCK_OPERATION op = Write ? IoWriteAccess : IoReadAccess;
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    PVOID va;
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, op);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    if (va != NULL) {
        RtlFillMemory(va, Len, 0xFF);
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'writeAfterReadLock', line: 15, column: 23 }],
    },
  ],
});
