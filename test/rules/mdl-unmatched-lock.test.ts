import { mdlUnmatchedLock } from '../../rules/mdl-unmatched-lock.js';
import { runRuleTests } from '../support/rule-tester.js';
import { HEX_MASK_AROUND_CALL } from '../support/shared-cases.js';

runRuleTests(mdlUnmatchedLock, {
  valid: [
    {
      // maharmstone/btrfs (add_root): the values of r->Id were enumerated one by one from 0xf000000000000000,
      // where x++ is x, until the process died growing an array (V8's "invalid size error")
      name: 'a mask past 2^53 in a condition: unknown, never enumerated',
      code: `NTSTATUS AddRoot(PDEVICE_EXTENSION Vcb, PROOT r)
{
    if (!r) {
        ExFreePool(r);
    }
    if (!Vcb->ReadOnly && (r->Id == 1 || r->Id == 5 || (r->Id >= 0x100 && !(r->Id & 0xf000000000000000)))) {
        return STATUS_SUCCESS;
    }
    return STATUS_UNSUCCESSFUL;
}`,
    },
    {
      name: 'a flag test with a hex mask, repeated after a call to an unknown routine (its operand is a local: the call cannot change it)',
      code: HEX_MASK_AROUND_CALL,
    },
    {
      name: 'goto to a cleanup label that skips the unlock (mdl-free-while-locked reports the IoFreeMdl, not this rule)',
      code: `NTSTATUS F(PVOID Buf, ULONG Len)
{
    NTSTATUS status = STATUS_SUCCESS;
    PVOID va;
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) { status = STATUS_INSUFFICIENT_RESOURCES; goto Exit; }
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
        goto FreeMdl;
    }
    va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    if (va == NULL) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto FreeMdl;
    }
    Fill(va, Len);
    MmUnlockPages(mdl);
FreeMdl:
    IoFreeMdl(mdl);
Exit:
    return status;
}`,
    },
    {
      name: '__finally that forgets the unlock on a return path (mdl-free-while-locked reports the IoFreeMdl, not this rule)',
      code: `NTSTATUS F(PVOID Buf, ULONG Len, BOOLEAN Fail)
{
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (!mdl) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    __try {
        if (Fail) return STATUS_UNSUCCESSFUL;
        Work(Buf);
        MmUnlockPages(mdl);
    } __finally {
        IoFreeMdl(mdl);
    }
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'leak after __leave (mdl-free-while-locked reports the IoFreeMdl, not this rule)',
      code: `NTSTATUS F(PVOID Buf, ULONG Len, BOOLEAN Fail)
{
    NTSTATUS status = STATUS_SUCCESS;
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (!mdl) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
        if (Fail) {
            status = STATUS_UNSUCCESSFUL;
            __leave;
        }
        MmUnlockPages(mdl);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    IoFreeMdl(mdl);
    return status;
}`,
    },
    {
      name: 'unlock of an MDL built for nonpaged pool (mdl-lock-prebuilt reports it, not this rule)',
      code: `VOID F(ULONG Len)
{
    PVOID buf = ExAllocatePool2(POOL_FLAG_NON_PAGED, Len, 'tseT');
    PMDL mdl;
    if (buf == NULL) return;
    mdl = IoAllocateMdl(buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) { ExFreePoolWithTag(buf, 'tseT'); return; }
    MmBuildMdlForNonPagedPool(mdl);
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    ExFreePoolWithTag(buf, 'tseT');
}`,
    },
    {
      name: 'unlock of a partial MDL (mdl-lock-prebuilt reports it, not this rule)',
      code: `VOID F(PMDL Source, PVOID Va, ULONG Len)
{
    PMDL partial = IoAllocateMdl(Va, Len, FALSE, FALSE, NULL);
    if (partial == NULL) return;
    IoBuildPartialMdl(Source, partial, Va, Len);
    Transfer(Va, Len);
    MmUnlockPages(partial);
    IoFreeMdl(partial);
}`,
    },
    {
      name: 'flag set after the probe guards the unlock',
      code: `NTSTATUS F(PVOID Buf, ULONG Len)
{
    PMDL mdl;
    BOOLEAN locked = FALSE;
    NTSTATUS status = STATUS_SUCCESS;
    mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) { status = STATUS_INSUFFICIENT_RESOURCES; goto Exit; }
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
        locked = TRUE;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    if (!NT_SUCCESS(status)) goto Exit;
    Consume(Buf, Len);
Exit:
    if (locked) MmUnlockPages(mdl);
    if (mdl != NULL) IoFreeMdl(mdl);
    return status;
}`,
    },
    {
      name: 'MDL_PAGES_LOCKED test guards the unlock',
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
      name: 'status that only a successful probe leaves successful',
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
      name: 'early return from the handler, unlock on the success path',
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
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'ownership handed to Irp->MdlAddress',
      code: `NTSTATUS F(PIRP Irp, PVOID Buf, ULONG Len)
{
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (!mdl) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, Irp->RequestorMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    Irp->MdlAddress = mdl;
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'a helper that locks and returns the MDL to its caller',
      code: `PMDL LockUserBuffer(PVOID Buf, ULONG Len)
{
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return NULL;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        mdl = NULL;
    }
    return mdl;
}`,
    },
    {
      name: 'out parameter receives the locked MDL',
      code: `NTSTATUS F(PVOID Buf, ULONG Len, PMDL *OutMdl)
{
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    *OutMdl = NULL;
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    *OutMdl = mdl;
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'lock and unlock under the same condition',
      code: `VOID F(PVOID Buf, ULONG Len, BOOLEAN NeedLock)
{
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    BOOLEAN ok = FALSE;
    if (mdl == NULL) return;
    if (NeedLock) {
        __try { MmProbeAndLockPages(mdl, UserMode, IoReadAccess); ok = TRUE; }
        __except (EXCEPTION_EXECUTE_HANDLER) { ok = FALSE; }
    }
    Touch(Buf);
    if (NeedLock && ok) MmUnlockPages(mdl);
    IoFreeMdl(mdl);
}`,
    },
    {
      name: 'lock and unlock once per loop iteration',
      code: `VOID F(PVOID *Bufs, ULONG *Lens, ULONG Count)
{
    ULONG i;
    for (i = 0; i < Count; i++) {
        PMDL mdl = IoAllocateMdl(Bufs[i], Lens[i], FALSE, FALSE, NULL);
        if (mdl == NULL) continue;
        __try {
            MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            IoFreeMdl(mdl);
            continue;
        }
        Use(mdl);
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
    }
}`,
    },
    {
      name: '__finally unlocks on every exit when a caller handles the exception',
      code: `NTSTATUS F(PMDL Mdl, BOOLEAN Fail)
{
    BOOLEAN locked = FALSE;
    __try {
        MmProbeAndLockPages(Mdl, UserMode, IoReadAccess);
        locked = TRUE;
        if (Fail) return STATUS_UNSUCCESSFUL;
        Work(Mdl);
    } __finally {
        if (locked) MmUnlockPages(Mdl);
    }
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'an MDL received as a parameter, unlocked once',
      code: `VOID ReleaseBuffer(PMDL Mdl)
{
    MmUnlockPages(Mdl);
    IoFreeMdl(Mdl);
}`,
    },
    {
      name: 'walking an MDL chain, unlocking each element',
      code: `VOID F(PIRP Irp)
{
    PMDL mdl, next;
    for (mdl = Irp->MdlAddress; mdl != NULL; mdl = next) {
        next = mdl->Next;
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
    }
    Irp->MdlAddress = NULL;
}`,
    },
    {
      name: 'IoAllocateMdl with an IRP attaches the MDL to it',
      code: `NTSTATUS F(PIRP Irp, PVOID Buf, ULONG Len)
{
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, Irp);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'switch with the unlock in every case that locked',
      code: `NTSTATUS F(PVOID Buf, ULONG Len, ULONG Code)
{
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    NTSTATUS status = STATUS_SUCCESS;
    if (!mdl) return STATUS_INSUFFICIENT_RESOURCES;
    __try { MmProbeAndLockPages(mdl, UserMode, IoReadAccess); }
    __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(mdl); return GetExceptionCode(); }
    switch (Code) {
    case 1:
        status = DoOne(Buf);
        break;
    case 2:
        status = DoTwo(Buf);
        break;
    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return status;
}`,
    },
    {
      name: 'MDL handed to an unknown routine is no longer ours',
      code: `VOID F(PVOID Buf, ULONG Len)
{
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (!mdl) return;
    __try { MmProbeAndLockPages(mdl, UserMode, IoReadAccess); }
    __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(mdl); return; }
    QueueForCompletion(mdl);
}`,
    },
    {
      name: 'WDK try/except spelling in a C file',
      code: `NTSTATUS F(PVOID Buf, ULONG Len)
{
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'unreachable unlock after return is not analyzed',
      code: `VOID F(PMDL Mdl)
{
    return;
    MmUnlockPages(Mdl);
    MmUnlockPages(Mdl);
}`,
    },
    {
      name: 'a helper\'s second probe of a locked MDL raises: the first lock stands, its unlock is right',
      code: `NTSTATUS ProbeIt(PMDL Mdl)
{
    __try {
        MmProbeAndLockPages(Mdl, UserMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}
VOID F(PVOID Buffer, ULONG Len)
{
    PMDL mdl = IoAllocateMdl(Buffer, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return;
    if (!NT_SUCCESS(ProbeIt(mdl))) { IoFreeMdl(mdl); return; }
    ProbeIt(mdl);
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
}`,
    },
  ],
  invalid: [
    {
      // review of session 27: every flag local in the partition key made 2^6 states of six flags unrelated to
      // the MDL (a file system's FcbAcquired, PagingIoAcquired...), past MAX_WORLDS: the node collapsed, no report
      name: 'a leak in a function of many flags that guard other releases (they do not split its states)',
      code: `#define try_return(S)   { S; goto try_exit; }
BOOLEAN AcquireA(ULONG); BOOLEAN AcquireB(ULONG); BOOLEAN AcquireC(ULONG);
BOOLEAN AcquireD(ULONG); BOOLEAN AcquireE(ULONG); BOOLEAN AcquireF(ULONG);
VOID ReleaseAll(ULONG);
NTSTATUS FsCommonRead(PIRP Irp, ULONG Length, ULONG Wait)
{
    NTSTATUS Status = STATUS_SUCCESS;
    PMDL Mdl = NULL;
    BOOLEAN AAcquired = FALSE, BAcquired = FALSE, CAcquired = FALSE;
    BOOLEAN DAcquired = FALSE, EAcquired = FALSE, FAcquired = FALSE;
    __try {
        if (AcquireA(Wait)) AAcquired = TRUE;
        if (AcquireB(Wait)) BAcquired = TRUE;
        if (AcquireC(Wait)) CAcquired = TRUE;
        if (AcquireD(Wait)) DAcquired = TRUE;
        if (AcquireE(Wait)) EAcquired = TRUE;
        if (AcquireF(Wait)) FAcquired = TRUE;
        Mdl = IoAllocateMdl(Irp->UserBuffer, Length, FALSE, FALSE, NULL);
        if (Mdl == NULL) try_return(Status = STATUS_INSUFFICIENT_RESOURCES);
        __try {
            MmProbeAndLockPages(Mdl, UserMode, IoWriteAccess);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            IoFreeMdl(Mdl);
            Mdl = NULL;
            try_return(Status = GetExceptionCode());
        }
        if (Length > 0x10000) try_return(Status = STATUS_INVALID_PARAMETER);
        MmUnlockPages(Mdl);
        IoFreeMdl(Mdl);
        Mdl = NULL;
    try_exit: ;
    } __finally {
        if (AAcquired) ReleaseAll(1);
        if (BAcquired) ReleaseAll(2);
        if (CAcquired) ReleaseAll(3);
        if (DAcquired) ReleaseAll(4);
        if (EAcquired) ReleaseAll(5);
        if (FAcquired) ReleaseAll(6);
    }
    return Status;
}`,
      errors: [{ messageId: 'stillLocked', line: 40, column: 5 }],
    },
    {
      name: 'a pool page locked for good (Sandboxie trampolines): no process is charged, the message names no 0x76',
      code: `PVOID TrampPage(ULONG Size)
{
    NTSTATUS status = STATUS_SUCCESS;
    PVOID page = ExAllocatePoolWithTag(PagedPool, Size, 'pmrT');
    PMDL mdl;
    if (page == NULL) return NULL;
    mdl = IoAllocateMdl(page, Size, FALSE, FALSE, NULL);
    if (mdl == NULL) return NULL;
    __try {
        MmProbeAndLockPages(mdl, KernelMode, IoModifyAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    if (!NT_SUCCESS(status)) {
        IoFreeMdl(mdl);
        return NULL;
    }
    return page;
}`,
      errors: [
        {
          messageId: 'stillLocked',
          line: 18,
          column: 5,
          data: { consequence: 'kernel memory: no process is charged for the lock, so no bug check follows; they stay resident until reboot' },
        },
      ],
    },
    {
      name: 'the same leak of a buffer the caller passed: 0x76 at the process exit',
      code: `PVOID TrampPage(PIRP Irp, ULONG Size)
{
    NTSTATUS status = STATUS_SUCCESS;
    PVOID page = Irp->UserBuffer;
    PMDL mdl;
    if (page == NULL) return NULL;
    mdl = IoAllocateMdl(page, Size, FALSE, FALSE, NULL);
    if (mdl == NULL) return NULL;
    __try {
        MmProbeAndLockPages(mdl, KernelMode, IoModifyAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    if (!NT_SUCCESS(status)) {
        IoFreeMdl(mdl);
        return NULL;
    }
    return page;
}`,
      errors: [{ messageId: 'stillLocked', line: 18, column: 5, data: { consequence: 'bug check 0x76 PROCESS_HAS_LOCKED_PAGES, or 0xCB with locked-page tracking' } }],
    },
    {
      name: 'leak on an early error return',
      code: `NTSTATUS F(PVOID Buf, ULONG Len, BOOLEAN Fail)
{
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    if (Fail) {
        return STATUS_UNSUCCESSFUL;
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'stillLocked', line: 12, column: 9, data: { name: 'mdl', lockLine: 6, exitLine: 12 } }],
    },
    {
      name: 'falling off the end of the function while locked',
      code: `VOID F(PVOID Buf, ULONG Len)
{
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return;
    }
    Use(Buf);
}`,
      errors: [{ messageId: 'stillLocked', line: 12, column: 1 }],
    },
    {
      name: 'unlock in the __except handler',
      code: `NTSTATUS F(PVOID Buf, ULONG Len)
{
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (!mdl) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'unlockAfterFailedProbe', line: 8, column: 9, data: { probeLine: 6 } }],
    },
    {
      name: 'unconditional unlock at a shared exit after a failed probe',
      code: `NTSTATUS F(PVOID Buf, ULONG Len)
{
    NTSTATUS status = STATUS_SUCCESS;
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (!mdl) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
        goto Exit;
    }
    Work(Buf);
Exit:
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return status;
}`,
      errors: [{ messageId: 'unlockAfterFailedProbe', line: 14, column: 5 }],
    },
    {
      name: 'double unlock on the cleanup path',
      code: `NTSTATUS F(PVOID Buf, ULONG Len, BOOLEAN Fail)
{
    NTSTATUS status = STATUS_SUCCESS;
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (!mdl) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    if (Fail) {
        MmUnlockPages(mdl);
        status = STATUS_UNSUCCESSFUL;
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return status;
}`,
      errors: [{ messageId: 'unlockTwice', line: 16, column: 5, data: { unlockLine: 13 } }],
    },
    {
      name: 'unlock of an MDL that was never locked',
      code: `VOID F(PVOID Buf, ULONG Len)
{
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return;
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
}`,
      errors: [{ messageId: 'unlockNeverLocked', line: 5, column: 5 }],
    },
    {
      name: 'inverted flag test',
      code: `VOID F(PVOID Buf, ULONG Len)
{
    BOOLEAN locked = FALSE;
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
        locked = TRUE;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
    }
    if (!locked) {
        MmUnlockPages(mdl);
    }
    IoFreeMdl(mdl);
}`,
      errors: [
        { messageId: 'unlockAfterFailedProbe', line: 12, column: 9 },
      ],
    },
    {
      name: 'a parameter MDL unlocked twice',
      code: `VOID F(PMDL Mdl)
{
    MmUnlockPages(Mdl);
    MmUnlockPages(Mdl);
}`,
      errors: [{ messageId: 'unlockTwice', line: 4, column: 5 }],
    },
    {
      name: 'leak in one switch case',
      code: `NTSTATUS F(PVOID Buf, ULONG Len, ULONG Code)
{
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (!mdl) return STATUS_INSUFFICIENT_RESOURCES;
    __try { MmProbeAndLockPages(mdl, UserMode, IoReadAccess); }
    __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(mdl); return GetExceptionCode(); }
    switch (Code) {
    case 1:
        DoOne(Buf);
        break;
    case 2:
        return STATUS_NOT_SUPPORTED;
    default:
        break;
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'stillLocked', line: 12, column: 9 }],
    },
    {
      name: 'locked MDL overwritten by the next allocation in a loop',
      code: `VOID F(PVOID *Bufs, ULONG Len, ULONG Count)
{
    PMDL mdl = NULL;
    ULONG i;
    for (i = 0; i < Count; i++) {
        mdl = IoAllocateMdl(Bufs[i], Len, FALSE, FALSE, NULL);
        if (mdl == NULL) break;
        __try { MmProbeAndLockPages(mdl, UserMode, IoReadAccess); }
        __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(mdl); mdl = NULL; break; }
    }
    if (mdl != NULL) {
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
    }
}`,
      errors: [{ messageId: 'lostWhileLocked', line: 15, column: 1, data: { line: 6 } }],
    },
    {
      name: 'C++ member function with an early return',
      filename: 'test.cpp',
      code: `NTSTATUS Buffer::Lock(PVOID Va, ULONG Len)
{
    PMDL mdl = IoAllocateMdl(Va, Len, FALSE, FALSE, nullptr);
    if (mdl == nullptr) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    if (!Validate(Va)) return STATUS_INVALID_PARAMETER;
    m_Mdl = mdl;
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'stillLocked', line: 11, column: 24 }],
    },
  ],
});
