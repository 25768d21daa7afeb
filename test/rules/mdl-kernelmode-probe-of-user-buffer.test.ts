import { mdlKernelmodeProbeOfUserBuffer } from '../../rules/mdl-kernelmode-probe-of-user-buffer.js';
import { runRuleTests } from '../support/rule-tester.js';

runRuleTests(mdlKernelmodeProbeOfUserBuffer, {
  valid: [
    {
      name: "a helper probes the caller's MDL with the mode its caller passes: Irp->RequestorMode",
      code: `NTSTATUS ProbeMdl(PMDL Mdl, KPROCESSOR_MODE Mode)
{
    __try {
        MmProbeAndLockPages(Mdl, Mode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}
NTSTATUS Dispatch(PDEVICE_OBJECT D, PIRP Irp)
{
    NTSTATUS status;
    PMDL mdl = IoAllocateMdl(Irp->UserBuffer, 16, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    status = ProbeMdl(mdl, Irp->RequestorMode);
    if (!NT_SUCCESS(status)) { IoFreeMdl(mdl); return status; }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
    },
    {
      name: "a helper probes the caller's MDL with the mode its caller passes: UserMode",
      code: `NTSTATUS ProbeMdl(PMDL Mdl, KPROCESSOR_MODE Mode)
{
    __try {
        MmProbeAndLockPages(Mdl, Mode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}
NTSTATUS Dispatch(PDEVICE_OBJECT D, PIRP Irp)
{
    NTSTATUS status;
    PMDL mdl = IoAllocateMdl(Irp->UserBuffer, 16, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    status = ProbeMdl(mdl, UserMode);
    if (!NT_SUCCESS(status)) { IoFreeMdl(mdl); return status; }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
    },
    {
      name: "a helper probes, with KernelMode, the caller's MDL over pool memory",
      code: `NTSTATUS LockIt(PMDL Mdl)
{
    __try {
        MmProbeAndLockPages(Mdl, KernelMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}
NTSTATUS Fill(PVOID Pool)
{
    NTSTATUS status;
    PMDL mdl = IoAllocateMdl(Pool, 16, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    status = LockIt(mdl);
    if (!NT_SUCCESS(status)) { IoFreeMdl(mdl); return status; }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'the same helper called after a RequestorMode == KernelMode check',
      code: `NTSTATUS LockBuffer(PVOID Va, ULONG Len, PMDL *Out)
{
    PMDL mdl = IoAllocateMdl(Va, Len, FALSE, FALSE, NULL);
    *Out = NULL;
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, KernelMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    *Out = mdl;
    return STATUS_SUCCESS;
}
NTSTATUS Trusted(PDEVICE_OBJECT D, PIRP Irp)
{
    PMDL mdl;
    NTSTATUS status;
    if (Irp->RequestorMode != KernelMode) return STATUS_ACCESS_DENIED;
    status = LockBuffer(Irp->UserBuffer, 16, &mdl);
    if (NT_SUCCESS(status)) { MmUnlockPages(mdl); IoFreeMdl(mdl); }
    return status;
}`,
    },
    {
      name: 'UserMode on Irp->UserBuffer',
      code: `NTSTATUS F(PIRP Irp, ULONG Len)
{
    PMDL mdl = IoAllocateMdl(Irp->UserBuffer, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'Irp->RequestorMode on Type3InputBuffer',
      code: `NTSTATUS F(PIRP Irp, PIO_STACK_LOCATION IrpSp)
{
    ULONG len = IrpSp->Parameters.DeviceIoControl.InputBufferLength;
    PMDL mdl = IoAllocateMdl(IrpSp->Parameters.DeviceIoControl.Type3InputBuffer, len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, Irp->RequestorMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'ExGetPreviousMode() through a local',
      code: `NTSTATUS F(PIRP Irp, ULONG Len)
{
    KPROCESSOR_MODE mode = ExGetPreviousMode();
    PMDL mdl = IoAllocateMdl(Irp->UserBuffer, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, mode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'KernelMode on the METHOD_BUFFERED system buffer itself',
      code: `NTSTATUS F(PIRP Irp, ULONG Len)
{
    PMDL mdl = IoAllocateMdl(Irp->AssociatedIrp.SystemBuffer, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, KernelMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'KernelMode on a pool allocation',
      code: `NTSTATUS F(ULONG Len)
{
    PVOID buf = ExAllocatePoolWithTag(PagedPool, Len, 'tseT');
    PMDL mdl;
    if (buf == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    mdl = IoAllocateMdl(buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) { ExFreePoolWithTag(buf, 'tseT'); return STATUS_INSUFFICIENT_RESOURCES; }
    __try {
        MmProbeAndLockPages(mdl, KernelMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        ExFreePoolWithTag(buf, 'tseT');
        return GetExceptionCode();
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    ExFreePoolWithTag(buf, 'tseT');
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'KernelMode on a user address inside if (Irp->RequestorMode == KernelMode)',
      code: `NTSTATUS F(PIRP Irp, ULONG Len)
{
    PMDL mdl;
    if (Irp->RequestorMode == KernelMode) {
        mdl = IoAllocateMdl(Irp->UserBuffer, Len, FALSE, FALSE, NULL);
        if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
        __try {
            MmProbeAndLockPages(mdl, KernelMode, IoWriteAccess);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            IoFreeMdl(mdl);
            return GetExceptionCode();
        }
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
        return STATUS_SUCCESS;
    }
    return STATUS_ACCESS_DENIED;
}`,
    },
    {
      name: 'Irp->MdlAddress contents: no probe at all',
      code: `NTSTATUS F(PIRP Irp, PVOID Src, ULONG Len)
{
    PVOID va;
    if (Irp->MdlAddress == NULL) return STATUS_INVALID_PARAMETER;
    va = MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority);
    if (va == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    RtlCopyMemory(va, Src, Len);
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'a length (not a pointer) read out of the system buffer sizes a lock of driver pool',
      code: `typedef struct _REQ { PVOID Data; ULONG Length; } REQ, *PREQ;
NTSTATUS F(PIRP Irp, PUCHAR Scratch)
{
    PREQ req = (PREQ)Irp->AssociatedIrp.SystemBuffer;
    PMDL mdl = IoAllocateMdl(Scratch, req->Length, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, KernelMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'a pointer read out of the system buffer, probed with UserMode',
      code: `typedef struct _REQ { PVOID Data; ULONG Length; } REQ, *PREQ;
NTSTATUS F(PIRP Irp)
{
    PREQ req = (PREQ)Irp->AssociatedIrp.SystemBuffer;
    PMDL mdl = IoAllocateMdl(req->Data, req->Length, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'a kernel stack buffer locked with KernelMode',
      code: `NTSTATUS F(VOID)
{
    UCHAR local[32];
    PMDL mdl = IoAllocateMdl(local, sizeof(local), FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, KernelMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
    },
  ],
  invalid: [
    {
      name: "a helper probes the caller's MDL with the mode its caller passes, and the caller passes KernelMode",
      code: `NTSTATUS ProbeMdl(PMDL Mdl, KPROCESSOR_MODE Mode)
{
    __try {
        MmProbeAndLockPages(Mdl, Mode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}
NTSTATUS Dispatch(PDEVICE_OBJECT D, PIRP Irp)
{
    NTSTATUS status;
    PMDL mdl = IoAllocateMdl(Irp->UserBuffer, 16, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    status = ProbeMdl(mdl, KernelMode);
    if (!NT_SUCCESS(status)) { IoFreeMdl(mdl); return status; }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'kernelModeUserBuffer', line: 15, column: 14 }],
    },
    {
      name: "a helper probes, with KernelMode, the caller's MDL over Irp->UserBuffer; through a second helper that passes its own mode on",
      code: `NTSTATUS ProbeMdl(PMDL Mdl, KPROCESSOR_MODE Mode)
{
    __try {
        MmProbeAndLockPages(Mdl, Mode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}
NTSTATUS LockWith(PMDL Mdl, KPROCESSOR_MODE Mode)
{
    return ProbeMdl(Mdl, Mode);
}
NTSTATUS LockKernel(PMDL Mdl)
{
    __try {
        MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}
NTSTATUS Dispatch(PDEVICE_OBJECT D, PIRP Irp)
{
    NTSTATUS status;
    PMDL mdl = IoAllocateMdl(Irp->UserBuffer, 16, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    status = LockWith(mdl, KernelMode);
    if (!NT_SUCCESS(status)) { IoFreeMdl(mdl); return status; }
    MmUnlockPages(mdl);
    status = LockKernel(mdl);
    if (NT_SUCCESS(status)) MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return status;
}`,
      errors: [
        { messageId: 'kernelModeUserBuffer', line: 28, column: 14 },
        { messageId: 'kernelModeUserBuffer', line: 31, column: 14 },
      ],
    },
    {
      name: 'a helper of the file probes, with KernelMode, the buffer its caller passes: reported at the call',
      code: `NTSTATUS LockBuffer(PVOID Va, ULONG Len, PMDL *Out)
{
    PMDL mdl = IoAllocateMdl(Va, Len, FALSE, FALSE, NULL);
    *Out = NULL;
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, KernelMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    *Out = mdl;
    return STATUS_SUCCESS;
}
NTSTATUS Dispatch(PDEVICE_OBJECT D, PIRP Irp)
{
    PMDL mdl;
    NTSTATUS status = LockBuffer(Irp->UserBuffer, 16, &mdl);
    if (NT_SUCCESS(status)) { MmUnlockPages(mdl); IoFreeMdl(mdl); }
    return status;
}`,
      errors: [{ messageId: 'kernelModeUserBuffer', line: 18, column: 23 }],
    },
    {
      name: 'KernelMode on Irp->UserBuffer',
      code: `NTSTATUS F(PIRP Irp, ULONG Len)
{
    PMDL mdl = IoAllocateMdl(Irp->UserBuffer, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, KernelMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'kernelModeUserBuffer', line: 6, column: 9, data: { name: 'mdl', source: 'Irp->UserBuffer' } }],
    },
    {
      name: 'KernelMode on Type3InputBuffer',
      code: `NTSTATUS F(PIO_STACK_LOCATION IrpSp)
{
    ULONG len = IrpSp->Parameters.DeviceIoControl.InputBufferLength;
    PMDL mdl = IoAllocateMdl(IrpSp->Parameters.DeviceIoControl.Type3InputBuffer, len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, KernelMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'kernelModeUserBuffer', line: 7, column: 9, data: { name: 'mdl', source: 'IrpSp->Parameters.DeviceIoControl.Type3InputBuffer' } }],
    },
    {
      name: 'Type3InputBuffer through a local variable',
      code: `NTSTATUS F(PIO_STACK_LOCATION IrpSp)
{
    PVOID in = IrpSp->Parameters.DeviceIoControl.Type3InputBuffer;
    ULONG len = IrpSp->Parameters.DeviceIoControl.InputBufferLength;
    PMDL mdl = IoAllocateMdl(in, len, FALSE, FALSE, NULL);
    if (!mdl) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, KernelMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'kernelModeUserBuffer', line: 8, column: 9, data: { name: 'mdl' } }],
    },
    {
      name: 'a KPROCESSOR_MODE variable holding KernelMode',
      code: `NTSTATUS F(PIRP Irp, ULONG Len)
{
    KPROCESSOR_MODE mode = KernelMode;
    PMDL mdl = IoAllocateMdl(Irp->UserBuffer, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, mode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'kernelModeUserBuffer', line: 7, column: 9 }],
    },
    {
      name: 'the literal 0 as the access mode',
      code: `NTSTATUS F(PIRP Irp, ULONG Len)
{
    PMDL mdl = IoAllocateMdl(Irp->UserBuffer, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, 0, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'kernelModeUserBuffer', line: 6, column: 9 }],
    },
    {
      name: 'an address computed from Irp->UserBuffer',
      code: `NTSTATUS F(PIRP Irp, ULONG Offset)
{
    PUCHAR p = (PUCHAR)Irp->UserBuffer + Offset;
    PMDL mdl = IoAllocateMdl(p, sizeof(ULONG), FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, KernelMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'kernelModeUserBuffer', line: 7, column: 9 }],
    },
    {
      name: 'a pointer read out of the METHOD_BUFFERED system buffer',
      code: `typedef struct _REQ { PVOID Data; ULONG Length; } REQ, *PREQ;
NTSTATUS F(PIRP Irp)
{
    PREQ req = (PREQ)Irp->AssociatedIrp.SystemBuffer;
    PMDL mdl = IoAllocateMdl(req->Data, req->Length, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, KernelMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'kernelModeUserBuffer', line: 8, column: 9, data: { name: 'mdl' } }],
    },
    {
      name: 'a pointer read out of Type3InputBuffer',
      code: `typedef struct _REQ { PVOID Data; ULONG Length; } REQ, *PREQ;
NTSTATUS F(PIO_STACK_LOCATION IrpSp)
{
    PREQ req = (PREQ)IrpSp->Parameters.DeviceIoControl.Type3InputBuffer;
    PVOID data;
    ULONG len;
    PMDL mdl;
    __try {
        ProbeForRead(req, sizeof(REQ), sizeof(ULONG));
        data = req->Data;
        len = req->Length;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    mdl = IoAllocateMdl(data, len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, KernelMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'kernelModeUserBuffer', line: 18, column: 9 }],
    },
    {
      name: 'inside if (Irp->RequestorMode == UserMode)',
      code: `NTSTATUS F(PIRP Irp, ULONG Len)
{
    PMDL mdl;
    if (Irp->RequestorMode == UserMode) {
        mdl = IoAllocateMdl(Irp->UserBuffer, Len, FALSE, FALSE, NULL);
        if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
        __try {
            MmProbeAndLockPages(mdl, KernelMode, IoWriteAccess);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            IoFreeMdl(mdl);
            return GetExceptionCode();
        }
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
    }
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'kernelModeUserBuffer', line: 8, column: 13 }],
    },
    {
      name: 'WDK try/except spelling, goto cleanup with a flag',
      code: `NTSTATUS F(PIRP Irp, ULONG Len)
{
    NTSTATUS status = STATUS_SUCCESS;
    BOOLEAN locked = FALSE;
    PMDL mdl = IoAllocateMdl(Irp->UserBuffer, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) { status = STATUS_INSUFFICIENT_RESOURCES; goto Exit; }
    try {
        MmProbeAndLockPages(mdl, KernelMode, IoReadAccess);
        locked = TRUE;
    } except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
Exit:
    if (locked) MmUnlockPages(mdl);
    if (mdl != NULL) IoFreeMdl(mdl);
    return status;
}`,
      errors: [{ messageId: 'kernelModeUserBuffer', line: 8, column: 9 }],
    },
    {
      name: 'C++ member: the IRP held in a field',
      filename: 'test.cpp',
      code: `class Ctx {
public:
    NTSTATUS Lock(ULONG Len)
    {
        PMDL mdl = IoAllocateMdl(m_Irp->UserBuffer, Len, FALSE, FALSE, nullptr);
        if (mdl == nullptr) return STATUS_INSUFFICIENT_RESOURCES;
        __try {
            MmProbeAndLockPages(mdl, KernelMode, IoWriteAccess);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            IoFreeMdl(mdl);
            return GetExceptionCode();
        }
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
        return STATUS_SUCCESS;
    }
private:
    PIRP m_Irp;
};`,
      errors: [{ messageId: 'kernelModeUserBuffer', line: 8, column: 13 }],
    },
  ],
});
