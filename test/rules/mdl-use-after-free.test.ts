import { mdlUseAfterFree } from '../../rules/mdl-use-after-free.js';
import { runRuleTests } from '../support/rule-tester.js';

runRuleTests(mdlUseAfterFree, {
  valid: [
    {
      name: 'the variable is reset to NULL after the free; the exit frees only a live MDL',
      code: `NTSTATUS F(PVOID Buf, ULONG Len)
{
    NTSTATUS status = STATUS_SUCCESS;
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
        IoFreeMdl(mdl);
        mdl = NULL;
    }
    if (mdl != NULL) {
        MmUnlockPages(mdl);
    }
    if (mdl) IoFreeMdl(mdl);
    return status;
}`,
    },
    {
      name: 'next is read before the free',
      code: `VOID F(PMDL Head)
{
    PMDL m;
    PMDL next;
    for (m = Head; m != NULL; m = next) {
        next = m->Next;
        IoFreeMdl(m);
    }
}`,
    },
    {
      name: 'free in one branch, use in the other',
      code: `ULONG F(PVOID Buf, ULONG Len, BOOLEAN Cancel)
{
    ULONG n = 0;
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return 0;
    MmBuildMdlForNonPagedPool(mdl);
    if (Cancel) {
        IoFreeMdl(mdl);
    } else {
        n = MmGetMdlByteCount(mdl);
        IoFreeMdl(mdl);
    }
    return n;
}`,
    },
    {
      name: 'a new MDL is allocated into the same variable after the free',
      code: `VOID F(PVOID A, PVOID B, ULONG Len)
{
    PMDL mdl = IoAllocateMdl(A, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return;
    MmBuildMdlForNonPagedPool(mdl);
    Consume(A, Len);
    IoFreeMdl(mdl);
    mdl = IoAllocateMdl(B, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return;
    MmBuildMdlForNonPagedPool(mdl);
    Consume(B, Len);
    IoFreeMdl(mdl);
}`,
    },
    {
      name: 'a fresh MDL per loop iteration, freed at the end of each',
      code: `VOID F(PVOID *Bufs, ULONG Len, ULONG Count)
{
    ULONG i;
    PMDL mdl;
    for (i = 0; i < Count; i++) {
        mdl = IoAllocateMdl(Bufs[i], Len, FALSE, FALSE, NULL);
        if (mdl == NULL) break;
        __try {
            MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            IoFreeMdl(mdl);
            continue;
        }
        Consume(Bufs[i], MmGetMdlByteCount(mdl));
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
    }
}`,
    },
    {
      name: 'a flag records the free; the teardown skips it',
      code: `VOID F(PVOID Buf, ULONG Len, BOOLEAN Cancel)
{
    BOOLEAN released = FALSE;
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return;
    MmBuildMdlForNonPagedPool(mdl);
    if (Cancel) {
        IoFreeMdl(mdl);
        released = TRUE;
    }
    Consume(Buf, Len);
    if (!released) {
        IoFreeMdl(mdl);
    }
}`,
    },
    {
      name: 'a release helper called once',
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
    Consume(Buf, MmGetMdlByteCount(mdl));
    UnlockAndFree(mdl);
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'the handler frees and returns; the success path frees once',
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
      name: 'the partial MDL is prepared for reuse in the loop and freed once after it',
      code: `VOID F(PMDL LockedSource, PVOID Buf, ULONG Len, ULONG Chunk)
{
    ULONG done;
    PMDL partial = IoAllocateMdl(Buf, Chunk, FALSE, FALSE, NULL);
    if (partial == NULL) return;
    for (done = 0; done < Len; done += Chunk) {
        IoBuildPartialMdl(LockedSource, partial, (PUCHAR)Buf + done, Chunk);
        Consume((PUCHAR)Buf + done, Chunk);
        MmPrepareMdlForReuse(partial);
    }
    IoFreeMdl(partial);
}`,
    },
    {
      name: 'ExFreePool of pool blocks that are not MDLs, one per loop iteration',
      code: `typedef struct _PACKET { LIST_ENTRY Link; PVOID Data; } PACKET, *PPACKET;
VOID FreePacket(PPACKET Packet)
{
    ExFreePoolWithTag(Packet->Data, 'tkpP');
    ExFreePoolWithTag(Packet, 'tkpP');
}
VOID Drain(PLIST_ENTRY Queue)
{
    while (!IsListEmpty(Queue)) {
        PPACKET packet = CONTAINING_RECORD(RemoveHeadList(Queue), PACKET, Link);
        FreePacket(packet);
    }
}`,
    },
  ],
  invalid: [
    {
      name: 'a macro that reads memory is no value of its arguments: its test after an unknown call may differ from the one before',
      code: `typedef struct _CTX { ULONG Stopped; PMDL Mdl; } CTX, *PCTX;
#define CTX_STOPPED(c) ((c)->Stopped != 0)
VOID Poll(PCTX ctx);
VOID UseMacro(PCTX ctx, PVOID buf, ULONG len)
{
    PMDL mdl = IoAllocateMdl(buf, len, FALSE, FALSE, NULL);
    if (!mdl) return;
    if (CTX_STOPPED(ctx)) { IoFreeMdl(mdl); return; }
    Poll(ctx);
    if (CTX_STOPPED(ctx)) { IoFreeMdl(mdl); }
    IoFreeMdl(mdl);
}`,
      errors: [{ messageId: 'doubleFree', line: 11, column: 5 }],
    },
    {
      name: 'an allocated MDL stored through a union member of a typedef of PMDL stays an MDL',
      code: `typedef PMDL PNDIS_BUFFER;
typedef struct _REQ { ULONG Flags; union { PMDL Mdl; PNDIS_BUFFER Buffer; } U; } REQ, *PREQ;
VOID Uaf2(PREQ r, PVOID va, ULONG len)
{
    PMDL m = IoAllocateMdl(va, len, FALSE, FALSE, NULL);
    if (m == NULL) return;
    r->U.Buffer = m;
    IoFreeMdl(m);
    MmBuildMdlForNonPagedPool(r->U.Mdl);
}`,
      errors: [{ messageId: 'useAfterFree', line: 9, column: 5 }],
    },
    {
      name: 'the byte count is read after the free',
      code: `ULONG F(PVOID Buf, ULONG Len)
{
    ULONG n;
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return 0;
    MmBuildMdlForNonPagedPool(mdl);
    Consume(Buf, Len);
    IoFreeMdl(mdl);
    n = MmGetMdlByteCount(mdl);
    return n;
}`,
      errors: [{ messageId: 'useAfterFree', line: 9, column: 9, data: { callee: 'MmGetMdlByteCount', name: 'mdl', freeLine: 8 } }],
    },
    {
      name: 'the release order is swapped: unlock after the free',
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
    IoFreeMdl(mdl);
    MmUnlockPages(mdl);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'useAfterFree', line: 13, column: 5, data: { callee: 'MmUnlockPages', freeLine: 12 } }],
    },
    {
      name: 'the partial MDL is built from a source already freed',
      code: `VOID F(PVOID Buf, ULONG Len, ULONG Chunk)
{
    PMDL source = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    PMDL partial;
    if (source == NULL) return;
    partial = IoAllocateMdl(Buf, Chunk, FALSE, FALSE, NULL);
    if (partial == NULL) { IoFreeMdl(source); return; }
    MmBuildMdlForNonPagedPool(source);
    IoFreeMdl(source);
    IoBuildPartialMdl(source, partial, Buf, Chunk);
    IoFreeMdl(partial);
}`,
      errors: [{ messageId: 'useAfterFree', line: 10, column: 5, data: { callee: 'IoBuildPartialMdl', name: 'source' } }],
    },
    {
      name: 'MmPrepareMdlForReuse on a partial MDL the error branch freed',
      code: `VOID F(PMDL LockedSource, PVOID Buf, ULONG Len)
{
    PVOID va;
    PMDL partial = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (partial == NULL) return;
    IoBuildPartialMdl(LockedSource, partial, Buf, Len);
    va = MmGetSystemAddressForMdlSafe(partial, NormalPagePriority);
    if (va == NULL) {
        IoFreeMdl(partial);
    } else {
        Consume(va, Len);
    }
    MmPrepareMdlForReuse(partial);
    if (va != NULL) IoFreeMdl(partial);
}`,
      errors: [{ messageId: 'useAfterFree', line: 13, column: 5, data: { callee: 'MmPrepareMdlForReuse' } }],
    },
    {
      name: 'the for-loop increment reads Next from the freed MDL',
      code: `VOID F(PMDL Head)
{
    PMDL m;
    for (m = Head; m != NULL; m = m->Next) {
        IoFreeMdl(m);
    }
}`,
      errors: [{ messageId: 'fieldAfterFree', line: 4, column: 35, data: { expr: 'm->Next' } }],
    },
    {
      name: 'MdlFlags read after the free',
      code: `BOOLEAN F(PVOID Buf, ULONG Len)
{
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return FALSE;
    MmBuildMdlForNonPagedPool(mdl);
    IoFreeMdl(mdl);
    return (mdl->MdlFlags & MDL_SOURCE_IS_NONPAGED_POOL) != 0;
}`,
      errors: [{ messageId: 'fieldAfterFree', line: 7, column: 13, data: { name: 'mdl', freeLine: 6 } }],
    },
    {
      name: 'the error path frees, then the cleanup label frees again',
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
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
        status = STATUS_INVALID_PARAMETER;
        goto Free;
    }
    Consume(Buf, Len);
    MmUnlockPages(mdl);
Free:
    IoFreeMdl(mdl);
    return status;
}`,
      errors: [{ messageId: 'doubleFree', line: 21, column: 5, data: { name: 'mdl', freeLine: 14 } }],
    },
    {
      name: 'the __try body frees, the __finally frees again',
      code: `NTSTATUS F(PVOID Buf, ULONG Len, BOOLEAN Abort)
{
    NTSTATUS status = STATUS_SUCCESS;
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmBuildMdlForNonPagedPool(mdl);
        if (Abort) {
            IoFreeMdl(mdl);
            status = STATUS_CANCELLED;
            __leave;
        }
        Consume(Buf, Len);
    } __finally {
        IoFreeMdl(mdl);
    }
    return status;
}`,
      errors: [{ messageId: 'doubleFree', line: 15, column: 9 }],
    },
    {
      name: 'an alias is freed after the original',
      code: `VOID F(PVOID Buf, ULONG Len)
{
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    PMDL alias;
    if (mdl == NULL) return;
    alias = mdl;
    MmBuildMdlForNonPagedPool(alias);
    IoFreeMdl(mdl);
    IoFreeMdl(alias);
}`,
      errors: [{ messageId: 'doubleFree', line: 9, column: 5 }],
    },
    {
      name: 'a context field freed twice',
      code: `typedef struct _CTX { PMDL Mdl; PVOID Buffer; ULONG Length; } CTX, *PCTX;

VOID F(PCTX Ctx, BOOLEAN Cancel)
{
    Ctx->Mdl = IoAllocateMdl(Ctx->Buffer, Ctx->Length, FALSE, FALSE, NULL);
    if (Ctx->Mdl == NULL) return;
    MmBuildMdlForNonPagedPool(Ctx->Mdl);
    if (Cancel) {
        IoFreeMdl(Ctx->Mdl);
    }
    IoFreeMdl(Ctx->Mdl);
    Ctx->Mdl = NULL;
}`,
      errors: [{ messageId: 'doubleFree', line: 11, column: 5 }],
    },
    {
      name: 'a release helper called twice: reported at the second call',
      code: `static VOID UnlockAndFree(PMDL Mdl)
{
    MmUnlockPages(Mdl);
    IoFreeMdl(Mdl);
}

NTSTATUS F(PVOID Buf, ULONG Len)
{
    NTSTATUS status = STATUS_SUCCESS;
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    if (Len > 4096) {
        UnlockAndFree(mdl);
        status = STATUS_INVALID_PARAMETER;
    }
    UnlockAndFree(mdl);
    return status;
}`,
      errors: [{ messageId: 'useAfterFree', line: 22, column: 5, data: { name: 'mdl', freeLine: 19 } }],
    },
    {
      name: 'an accessor helper used after the free: reported at the call',
      code: `static ULONG LengthOf(PMDL Mdl)
{
    return MmGetMdlByteCount(Mdl);
}

ULONG F(PVOID Buf, ULONG Len)
{
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return 0;
    MmBuildMdlForNonPagedPool(mdl);
    IoFreeMdl(mdl);
    return LengthOf(mdl);
}`,
      errors: [{ messageId: 'useAfterFree', line: 12, column: 12, data: { name: 'mdl', freeLine: 11 } }],
    },
    {
      name: 'a freed MDL handed to an unknown function stays freed',
      code: `VOID Remember(PVOID Ctx, PMDL Mdl);
VOID F(PVOID Ctx, PVOID Buffer, ULONG Len)
{
    PMDL mdl = IoAllocateMdl(Buffer, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return;
    IoFreeMdl(mdl);
    Remember(Ctx, mdl);
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return;
    }
}`,
      errors: [{ messageId: 'useAfterFree', line: 9, column: 9, data: { freeCallee: 'IoFreeMdl', freeLine: 6 } }],
    },
  ],
});
