import { mdlDoubleLock } from '../../rules/mdl-double-lock.js';
import { runRuleTests } from '../support/rule-tester.js';

runRuleTests(mdlDoubleLock, {
  valid: [
    {
      name: 'unlock before locking again',
      code: `NTSTATUS F(PVOID Buf, ULONG Len)
{
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
        MmUnlockPages(mdl);
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
      name: 'one lock and one unlock per loop iteration',
      code: `VOID F(PMDL Mdl, ULONG Passes)
{
    ULONG i;
    for (i = 0; i < Passes; i++) {
        __try {
            MmProbeAndLockPages(Mdl, UserMode, IoReadAccess);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            return;
        }
        Touch(Mdl);
        MmUnlockPages(Mdl);
    }
}`,
    },
    {
      name: 'retry only after the probe raised',
      code: `NTSTATUS F(PVOID Buf, ULONG Len)
{
    NTSTATUS status = STATUS_UNSUCCESSFUL;
    ULONG attempt;
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    for (attempt = 0; attempt < 3; attempt++) {
        status = STATUS_SUCCESS;
        __try {
            MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            status = GetExceptionCode();
        }
        if (NT_SUCCESS(status)) break;
    }
    if (NT_SUCCESS(status)) MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return status;
}`,
    },
    {
      name: 'MDL_PAGES_LOCKED test guards the second probe',
      code: `VOID F(PVOID Buf, ULONG Len, BOOLEAN Pre)
{
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (!mdl) return;
    __try {
        if (Pre) MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
        if (!(mdl->MdlFlags & MDL_PAGES_LOCKED)) MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
    }
    if (mdl->MdlFlags & MDL_PAGES_LOCKED) MmUnlockPages(mdl);
    IoFreeMdl(mdl);
}`,
    },
    {
      name: 'locks in mutually exclusive branches',
      code: `NTSTATUS F(PVOID Buf, ULONG Len, BOOLEAN ForWrite)
{
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        if (ForWrite) {
            MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
        } else {
            MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
        }
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
      name: 'two different MDLs',
      code: `VOID F(PVOID A, PVOID B, ULONG Len)
{
    PMDL a = IoAllocateMdl(A, Len, FALSE, FALSE, NULL);
    PMDL b = IoAllocateMdl(B, Len, FALSE, FALSE, NULL);
    if (a == NULL || b == NULL) return;
    __try {
        MmProbeAndLockPages(a, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return;
    }
    __try {
        MmProbeAndLockPages(b, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        MmUnlockPages(a);
        return;
    }
    MmUnlockPages(b);
    MmUnlockPages(a);
}`,
    },
    {
      name: 'helper locks, caller unlocks, helper locks again',
      code: `static NTSTATUS LockIt(PMDL Mdl)
{
    __try {
        MmProbeAndLockPages(Mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}
NTSTATUS F(PVOID Buf, ULONG Len)
{
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    if (!NT_SUCCESS(LockIt(mdl))) { IoFreeMdl(mdl); return STATUS_ACCESS_VIOLATION; }
    MmUnlockPages(mdl);
    if (!NT_SUCCESS(LockIt(mdl))) { IoFreeMdl(mdl); return STATUS_ACCESS_VIOLATION; }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'Irp->MdlAddress of an IRP this non-dispatch routine allocated',
      code: `PIRP F(PDEVICE_OBJECT Target, PVOID Buf, ULONG Len)
{
    PIRP irp = IoAllocateIrp(Target->StackSize, FALSE);
    if (irp == NULL) return NULL;
    if (IoAllocateMdl(Buf, Len, FALSE, FALSE, irp) == NULL) { IoFreeIrp(irp); return NULL; }
    __try {
        MmProbeAndLockPages(irp->MdlAddress, KernelMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(irp->MdlAddress);
        irp->MdlAddress = NULL;
        IoFreeIrp(irp);
        return NULL;
    }
    return irp;
}`,
    },
    {
      name: 'a dispatch routine that only maps the I/O manager MDL',
      code: `DRIVER_DISPATCH DispatchRead;
NTSTATUS DispatchRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PVOID va = NULL;
    if (Irp->MdlAddress != NULL) va = MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority);
    Irp->IoStatus.Status = va ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'a dispatch routine that replaced Irp->MdlAddress with an MDL it allocated',
      code: `DRIVER_DISPATCH DispatchWrite;
NTSTATUS DispatchWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = STATUS_SUCCESS;
    if (IoAllocateMdl(Irp->UserBuffer, sp->Parameters.Write.Length, FALSE, FALSE, Irp) == NULL) {
        status = STATUS_INSUFFICIENT_RESOURCES;
    } else {
        __try {
            MmProbeAndLockPages(Irp->MdlAddress, Irp->RequestorMode, IoReadAccess);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            status = GetExceptionCode();
            IoFreeMdl(Irp->MdlAddress);
            Irp->MdlAddress = NULL;
        }
    }
    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}`,
    },
    {
      name: 'a dispatch routine that stored its own MDL into Irp->MdlAddress',
      code: `DRIVER_DISPATCH DispatchWrite;
NTSTATUS DispatchWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = STATUS_SUCCESS;
    PMDL mdl = IoAllocateMdl(Irp->UserBuffer, sp->Parameters.Write.Length, FALSE, FALSE, NULL);
    if (mdl == NULL) {
        status = STATUS_INSUFFICIENT_RESOURCES;
    } else {
        Irp->MdlAddress = mdl;
        __try {
            MmProbeAndLockPages(Irp->MdlAddress, Irp->RequestorMode, IoReadAccess);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            status = GetExceptionCode();
            Irp->MdlAddress = NULL;
            IoFreeMdl(mdl);
        }
    }
    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}`,
    },
    {
      name: 'one lock per element of an array of MDLs',
      code: `typedef struct _SEG { PMDL Mdl; ULONG Length; } SEG;
NTSTATUS F(SEG *Segs, ULONG Count, PULONG Locked)
{
    NTSTATUS status = STATUS_SUCCESS;
    ULONG i;
    *Locked = 0;
    for (i = 0; i < Count; i++) {
        __try {
            MmProbeAndLockPages(Segs[i].Mdl, UserMode, IoReadAccess);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            status = GetExceptionCode();
            break;
        }
        *Locked = i + 1;
    }
    return status;
}`,
    },
  ],
  invalid: [
    {
      name: 'read probe then write probe',
      code: `NTSTATUS F(PVOID Buf, ULONG Len)
{
    NTSTATUS status = STATUS_SUCCESS;
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
        MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    if (mdl->MdlFlags & MDL_PAGES_LOCKED) MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return status;
}`,
      errors: [{ messageId: 'lockedTwice', line: 8, column: 9, data: { name: 'mdl', lockLine: 7 } }],
    },
    {
      name: 'second probe through an alias',
      code: `VOID F(PVOID Buf, ULONG Len)
{
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    PMDL cur;
    if (mdl == NULL) return;
    cur = mdl;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
        MmProbeAndLockPages(cur, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
    }
    if (mdl->MdlFlags & MDL_PAGES_LOCKED) MmUnlockPages(mdl);
    IoFreeMdl(mdl);
}`,
      errors: [{ messageId: 'lockedTwice', line: 9, column: 9, data: { lockLine: 8 } }],
    },
    {
      name: 'switch case falls through into a second lock',
      code: `NTSTATUS F(PVOID Buf, ULONG Len, ULONG Mode)
{
    NTSTATUS status = STATUS_SUCCESS;
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        switch (Mode) {
        case 0:
            MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
        case 1:
            MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
            break;
        default:
            status = STATUS_INVALID_PARAMETER;
            break;
        }
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    if (mdl->MdlFlags & MDL_PAGES_LOCKED) MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return status;
}`,
      errors: [{ messageId: 'lockedTwice', line: 11, column: 13, data: { lockLine: 9 } }],
    },
    {
      name: 'inverted MDL_PAGES_LOCKED test',
      code: `VOID F(PVOID Buf, ULONG Len, BOOLEAN Pre)
{
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (!mdl) return;
    __try {
        if (Pre) MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
        if (mdl->MdlFlags & MDL_PAGES_LOCKED) MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
    }
    if (mdl->MdlFlags & MDL_PAGES_LOCKED) MmUnlockPages(mdl);
    IoFreeMdl(mdl);
}`,
      errors: [{ messageId: 'lockedTwice', line: 7, column: 47, data: { lockLine: 6 } }],
    },
    {
      name: 'MmProbeAndLockProcessPages after MmProbeAndLockPages',
      code: `NTSTATUS F(PEPROCESS Process, PVOID Buf, ULONG Len)
{
    NTSTATUS status = STATUS_SUCCESS;
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
        MmProbeAndLockProcessPages(mdl, Process, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    if (mdl->MdlFlags & MDL_PAGES_LOCKED) MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return status;
}`,
      errors: [{ messageId: 'lockedTwice', line: 8, column: 9, data: { callee: 'MmProbeAndLockProcessPages' } }],
    },
    {
      name: 'a locking helper called twice (reported at the second call)',
      code: `static NTSTATUS LockIt(PMDL Mdl)
{
    __try {
        MmProbeAndLockPages(Mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}
NTSTATUS F(PVOID Buf, ULONG Len)
{
    NTSTATUS status;
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    status = LockIt(mdl);
    if (!NT_SUCCESS(status)) { IoFreeMdl(mdl); return status; }
    status = LockIt(mdl);
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return status;
}`,
      errors: [{ messageId: 'lockedTwice', line: 17, column: 14, data: { name: 'mdl', lockLine: 15 } }],
    },
    {
      name: 'a received MDL locked twice',
      code: `NTSTATUS F(PMDL Mdl)
{
    __try {
        MmProbeAndLockPages(Mdl, UserMode, IoReadAccess);
        MmProbeAndLockPages(Mdl, UserMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'lockedTwice', line: 5, column: 9, data: { name: 'Mdl', lockLine: 4 } }],
    },
    {
      name: 'the whole buffer probed again for every chunk',
      code: `NTSTATUS F(PVOID Buf, ULONG Len, ULONG Chunk)
{
    NTSTATUS status = STATUS_SUCCESS;
    ULONG off;
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    for (off = 0; off < Len; off += Chunk) {
        __try {
            MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            status = GetExceptionCode();
            break;
        }
        SendChunk(Buf, off, Chunk);
    }
    if (mdl->MdlFlags & MDL_PAGES_LOCKED) MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return status;
}`,
      errors: [{ messageId: 'lockedInLoop', line: 9, column: 13, data: { name: 'mdl' } }],
    },
    {
      name: 'a continue that skips the unlock',
      code: `NTSTATUS F(PVOID Buf, ULONG Len)
{
    NTSTATUS status = STATUS_UNSUCCESSFUL;
    ULONG attempt;
    PVOID va;
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    for (attempt = 0; attempt < 3; attempt++) {
        __try {
            MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            status = GetExceptionCode();
            break;
        }
        va = MmGetSystemAddressForMdlSafe(mdl, LowPagePriority);
        if (va == NULL) continue;
        status = STATUS_SUCCESS;
        break;
    }
    if (mdl->MdlFlags & MDL_PAGES_LOCKED) MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return status;
}`,
      errors: [{ messageId: 'lockedInLoop', line: 10, column: 13 }],
    },
    {
      name: 'a dispatch routine declared with DRIVER_DISPATCH probes Irp->MdlAddress',
      code: `DRIVER_DISPATCH DispatchRead;
NTSTATUS DispatchRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    NTSTATUS status = STATUS_SUCCESS;
    if (Irp->MdlAddress != NULL) {
        __try {
            MmProbeAndLockPages(Irp->MdlAddress, Irp->RequestorMode, IoWriteAccess);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            status = GetExceptionCode();
        }
    }
    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}`,
      errors: [{ messageId: 'ioManagerLocked', line: 7, column: 13 }],
    },
    {
      name: 'a routine assigned to MajorFunction probes an alias of Irp->MdlAddress',
      code: `NTSTATUS RingWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PMDL userMdl = Irp->MdlAddress;
    NTSTATUS status = STATUS_SUCCESS;
    if (userMdl != NULL) {
        __try {
            MmProbeAndLockPages(userMdl, Irp->RequestorMode, IoReadAccess);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            status = GetExceptionCode();
        }
    }
    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    DriverObject->MajorFunction[IRP_MJ_WRITE] = RingWrite;
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'ioManagerLocked', line: 7, column: 13 }],
    },
    {
      name: 'C++: a PMDL& parameter locked twice',
      filename: 'test.cpp',
      code: `NTSTATUS F(PMDL& Active, bool ForWrite)
{
    __try {
        MmProbeAndLockPages(Active, UserMode, IoReadAccess);
        if (ForWrite) {
            MmProbeAndLockPages(Active, UserMode, IoWriteAccess);
        }
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'lockedTwice', line: 6, column: 13 }],
    },
  ],
});
