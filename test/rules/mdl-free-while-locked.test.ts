import { mdlFreeWhileLocked } from '../../rules/mdl-free-while-locked.js';
import { runRuleTests } from '../support/rule-tester.js';
import { HEX_MASK_AROUND_CALL } from '../support/shared-cases.js';

runRuleTests(mdlFreeWhileLocked, {
  valid: [
    {
      name: 'IoFreeIrp of an IRP whose MDL was handed earlier to code that keeps it (it unlocks it later)',
      code: `VOID KeepMdl(PCONTEXT Ctx, PMDL Mdl);
NTSTATUS SendLocked(PDEVICE_OBJECT D, PCONTEXT Ctx, PVOID Buffer, ULONG Length)
{
    NTSTATUS status = STATUS_SUCCESS;
    PIRP irp;
    PMDL mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    KeepMdl(Ctx, mdl);
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    irp = IoAllocateIrp(D->StackSize, FALSE);
    if (irp != NULL) {
        irp->MdlAddress = mdl;
        status = SendOperation(Ctx, Length);
        IoFreeIrp(irp);
    }
    return status;
}`,
    },
    {
      name: 'the unlock under the same hex-mask test as the lock, after a call to an unknown routine',
      code: HEX_MASK_AROUND_CALL,
    },
    {
      name: 'unlock, then free',
      code: `NTSTATUS F(PVOID Buf, ULONG Len)
{
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    Consume(Buf, Len);
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'MDL_PAGES_LOCKED guards the unlock before the free',
      code: `VOID F(PVOID Buf, ULONG Len)
{
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (!mdl) return;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
    }
    if (mdl->MdlFlags & MDL_PAGES_LOCKED) {
        MmUnlockPages(mdl);
    }
    IoFreeMdl(mdl);
}`,
    },
    {
      name: 'a flag set after the probe guards the unlock at the shared exit',
      code: `NTSTATUS F(PVOID Buf, ULONG Len)
{
    NTSTATUS status = STATUS_SUCCESS;
    BOOLEAN locked = FALSE;
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
        locked = TRUE;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
        goto Exit;
    }
    if (Len > 4096) {
        status = STATUS_INVALID_PARAMETER;
        goto Exit;
    }
    Consume(Buf, Len);
Exit:
    if (locked) MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return status;
}`,
    },
    {
      name: 'a status that only a successful probe leaves successful',
      code: `NTSTATUS F(PVOID Buf, ULONG Len)
{
    NTSTATUS status = STATUS_SUCCESS;
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    if (NT_SUCCESS(status)) {
        MmUnlockPages(mdl);
    }
    IoFreeMdl(mdl);
    return status;
}`,
    },
    {
      name: 'a chain released element by element, Next read first',
      code: `VOID F(PMDL Head)
{
    PMDL m = Head;
    PMDL next;
    while (m != NULL) {
        next = m->Next;
        MmUnlockPages(m);
        IoFreeMdl(m);
        m = next;
    }
}`,
    },
    {
      name: "a completion routine releases its own IRP's MDLs, then the IRP",
      code: `NTSTATUS Completion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    PMDL mdl = Irp->MdlAddress;
    PMDL next;
    while (mdl != NULL) {
        next = mdl->Next;
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
        mdl = next;
    }
    Irp->MdlAddress = NULL;
    IoFreeIrp(Irp);
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}`,
    },
    {
      name: 'a partial MDL is freed while its source stays locked',
      code: `NTSTATUS F(PVOID Buf, ULONG Len, ULONG Chunk)
{
    PMDL source = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    PMDL partial;
    if (source == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    partial = IoAllocateMdl(Buf, Chunk, FALSE, FALSE, NULL);
    if (partial == NULL) { IoFreeMdl(source); return STATUS_INSUFFICIENT_RESOURCES; }
    __try {
        MmProbeAndLockPages(source, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(partial);
        IoFreeMdl(source);
        return GetExceptionCode();
    }
    IoBuildPartialMdl(source, partial, Buf, Chunk);
    Consume(Buf, Chunk);
    IoFreeMdl(partial);
    MmUnlockPages(source);
    IoFreeMdl(source);
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'an MDL built for nonpaged pool is never locked',
      code: `VOID F(PVOID NonPagedBuf, ULONG Len)
{
    PMDL mdl = IoAllocateMdl(NonPagedBuf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return;
    MmBuildMdlForNonPagedPool(mdl);
    Consume(NonPagedBuf, Len);
    IoFreeMdl(mdl);
}`,
    },
    {
      name: 'an unlock-and-free helper releases the locked MDL',
      code: `static VOID UnlockAndFree(PMDL Mdl)
{
    MmUnlockPages(Mdl);
    IoFreeMdl(Mdl);
}

NTSTATUS F(PVOID Buf, ULONG Len)
{
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    Consume(Buf, Len);
    UnlockAndFree(mdl);
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'a received MDL of unknown state is freed',
      code: `VOID F(PMDL Mdl)
{
    IoFreeMdl(Mdl);
}`,
    },
    {
      name: 'IoFreeIrp after the attached MDL was unlocked and freed',
      code: `NTSTATUS F(PDEVICE_OBJECT Lower, PVOID Buf, ULONG Len)
{
    PIRP irp = IoAllocateIrp(Lower->StackSize, FALSE);
    PMDL mdl;
    if (irp == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, irp);
    if (mdl == NULL) { IoFreeIrp(irp); return STATUS_INSUFFICIENT_RESOURCES; }
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        irp->MdlAddress = NULL;
        IoFreeIrp(irp);
        return GetExceptionCode();
    }
    if (Len > 65536) {
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
        irp->MdlAddress = NULL;
        IoFreeIrp(irp);
        return STATUS_INVALID_PARAMETER;
    }
    return IoCallDriver(Lower, irp);
}`,
    },
  ],
  invalid: [
    {
      name: 'IoFreeIrp of an IRP whose MDL only this function held',
      code: `VOID KeepMdl(PCONTEXT Ctx, PMDL Mdl);
NTSTATUS SendLocked(PDEVICE_OBJECT D, PCONTEXT Ctx, PVOID Buffer, ULONG Length)
{
    NTSTATUS status = STATUS_SUCCESS;
    PIRP irp;
    PMDL mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    irp = IoAllocateIrp(D->StackSize, FALSE);
    if (irp != NULL) {
        irp->MdlAddress = mdl;
        status = SendOperation(Ctx, Length);
        IoFreeIrp(irp);
    }
    return status;
}`,
      errors: [{ messageId: 'freeIrpLocked', line: 17, column: 9 }],
    },
    {
      name: 'a validation error jumps past the unlock to the free',
      code: `NTSTATUS F(PVOID Buf, ULONG Len)
{
    NTSTATUS status = STATUS_SUCCESS;
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
        goto Free;
    }
    if (Len > 4096) {
        status = STATUS_BUFFER_OVERFLOW;
        goto Free;
    }
    Consume(Buf, Len);
    MmUnlockPages(mdl);
Free:
    IoFreeMdl(mdl);
    return status;
}`,
      errors: [{ messageId: 'freeLocked', line: 19, column: 5, data: { name: 'mdl', lockLine: 7 } }],
    },
    {
      name: 'the handler of a later raising call frees the locked MDL',
      code: `NTSTATUS F(PVOID Buf, ULONG Len, PULONG UserHeader)
{
    ULONG header;
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
        ProbeForRead(UserHeader, sizeof(ULONG), sizeof(ULONG));
        header = *UserHeader;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    Consume(Buf, header);
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'freeLocked', line: 11, column: 9 }],
    },
    {
      name: '__leave skips the unlock; the __finally frees',
      code: `NTSTATUS F(PVOID Buf, ULONG Len, BOOLEAN Abort)
{
    NTSTATUS status = STATUS_SUCCESS;
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        __try {
            MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            status = GetExceptionCode();
            __leave;
        }
        if (Abort) {
            status = STATUS_CANCELLED;
            __leave;
        }
        MmUnlockPages(mdl);
    } __finally {
        IoFreeMdl(mdl);
    }
    return status;
}`,
      errors: [{ messageId: 'freeLocked', line: 19, column: 9 }],
    },
    {
      name: 'the routine locks the MDL it received, then frees it locked',
      code: `NTSTATUS F(PMDL Mdl, ULONG Max)
{
    __try {
        MmProbeAndLockPages(Mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    if (MmGetMdlByteCount(Mdl) > Max) {
        IoFreeMdl(Mdl);
        return STATUS_INVALID_PARAMETER;
    }
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'freeLocked', line: 9, column: 9, data: { name: 'Mdl' } }],
    },
    {
      name: 'freed while locked and mapped',
      code: `NTSTATUS F(PVOID Buf, ULONG Len)
{
    PULONG va;
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    va = (PULONG)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority | MdlMappingNoExecute);
    if (va == NULL) {
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    if (va[0] != 0x4D444C21) {
        IoFreeMdl(mdl);
        return STATUS_INVALID_PARAMETER;
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'freeLockedMapped', line: 19, column: 9, data: { name: 'mdl', lockLine: 7 } }],
    },
    {
      name: 'MmUnmapLockedPages is not MmUnlockPages',
      code: `NTSTATUS F(PVOID Buf, ULONG Len)
{
    PVOID va;
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    va = MmMapLockedPagesSpecifyCache(mdl, KernelMode, MmCached, NULL, FALSE, NormalPagePriority);
    if (va != NULL) {
        Consume(va, Len);
        MmUnmapLockedPages(va, mdl);
    }
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'freeLocked', line: 17, column: 5 }],
    },
    {
      name: 'IoFreeIrp of a driver-allocated IRP with a locked MDL on MdlAddress',
      code: `NTSTATUS F(PDEVICE_OBJECT Lower, PVOID Buf, ULONG Len)
{
    PIRP irp = IoAllocateIrp(Lower->StackSize, FALSE);
    PMDL mdl;
    if (irp == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) { IoFreeIrp(irp); return STATUS_INSUFFICIENT_RESOURCES; }
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        IoFreeIrp(irp);
        return GetExceptionCode();
    }
    irp->MdlAddress = mdl;
    if (Len > 65536) {
        IoFreeIrp(irp);
        return STATUS_INVALID_PARAMETER;
    }
    return IoCallDriver(Lower, irp);
}`,
      errors: [{ messageId: 'freeIrpLocked', line: 17, column: 9, data: { irp: 'irp', name: 'mdl' } }],
    },
    {
      name: 'IoFreeIrp after IoAllocateMdl(..., irp) attached the locked MDL',
      code: `NTSTATUS F(PDEVICE_OBJECT Lower, PVOID Buf, ULONG Len)
{
    PIRP irp = IoAllocateIrp(Lower->StackSize, FALSE);
    PMDL mdl;
    if (irp == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, irp);
    if (mdl == NULL) { IoFreeIrp(irp); return STATUS_INSUFFICIENT_RESOURCES; }
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        irp->MdlAddress = NULL;
        IoFreeIrp(irp);
        return GetExceptionCode();
    }
    if (Len > 65536) {
        IoFreeIrp(irp);
        return STATUS_INVALID_PARAMETER;
    }
    return IoCallDriver(Lower, irp);
}`,
      errors: [{ messageId: 'freeIrpLocked', line: 17, column: 9 }],
    },
    {
      name: 'only the head of a chain is released',
      code: `NTSTATUS F(PVOID HeaderBuf, PVOID DataBuf, ULONG Len)
{
    PMDL head = IoAllocateMdl(HeaderBuf, Len, FALSE, FALSE, NULL);
    PMDL data;
    if (head == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    MmBuildMdlForNonPagedPool(head);
    data = IoAllocateMdl(DataBuf, Len, FALSE, FALSE, NULL);
    if (data == NULL) { IoFreeMdl(head); return STATUS_INSUFFICIENT_RESOURCES; }
    __try {
        MmProbeAndLockPages(data, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(data);
        IoFreeMdl(head);
        return GetExceptionCode();
    }
    head->Next = data;
    Consume(DataBuf, Len);
    IoFreeMdl(head);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'freeChainHead', line: 18, column: 5, data: { name: 'head', member: 'data', lockLine: 10 } }],
    },
    {
      name: 'a free-only helper called on the locked MDL: reported at the call',
      code: `static VOID ReleaseMdl(PMDL Mdl)
{
    IoFreeMdl(Mdl);
}

NTSTATUS F(PVOID Buf, ULONG Len)
{
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        ReleaseMdl(mdl);
        return GetExceptionCode();
    }
    Consume(Buf, Len);
    ReleaseMdl(mdl);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'freeLocked', line: 17, column: 5, data: { name: 'mdl', lockLine: 11 } }],
    },
    {
      name: 'the MDL a helper returned locked is freed without unlocking',
      code: `static PMDL AllocateAndLock(PVOID Buf, ULONG Len)
{
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return NULL;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        mdl = NULL;
    }
    return mdl;
}

NTSTATUS F(PVOID Buf, ULONG Len)
{
    PMDL mdl = AllocateAndLock(Buf, Len);
    if (mdl == NULL) return STATUS_UNSUCCESSFUL;
    Consume(Buf, Len);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'freeLocked', line: 19, column: 5, data: { name: 'mdl' } }],
    },
    {
      name: 'LockUserBuffer(Irp, &mdl) out parameter: the early exit frees it locked',
      code: `static NTSTATUS LockUserBuffer(PIRP Irp, ULONG Len, PMDL *MdlOut)
{
    PMDL mdl;
    *MdlOut = NULL;
    mdl = IoAllocateMdl(Irp->UserBuffer, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, Irp->RequestorMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    *MdlOut = mdl;
    return STATUS_SUCCESS;
}

NTSTATUS F(PIRP Irp, ULONG Len, ULONG Max)
{
    PMDL mdl;
    NTSTATUS status = LockUserBuffer(Irp, Len, &mdl);
    if (!NT_SUCCESS(status)) return status;
    if (Len > Max) {
        IoFreeMdl(mdl);
        return STATUS_INVALID_PARAMETER;
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'freeLocked', line: 23, column: 9 }],
    },
    {
      name: 'ExFreePool of a locked MDL',
      code: `VOID F(PVOID Buffer, ULONG Len)
{
    PMDL mdl = IoAllocateMdl(Buffer, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return;
    }
    ExFreePoolWithTag(mdl, 'ldmM');
}`,
      errors: [{ messageId: 'freeLocked', line: 11, column: 5, data: { callee: 'ExFreePoolWithTag', lockLine: 6 } }],
    },
  ],
});
