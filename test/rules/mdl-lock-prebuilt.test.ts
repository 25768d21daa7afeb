import { mdlLockPrebuilt } from '../../rules/mdl-lock-prebuilt.js';
import { runRuleTests } from '../support/rule-tester.js';

runRuleTests(mdlLockPrebuilt, {
  valid: [
    {
      name: 'a nonpaged-pool MDL released with IoFreeMdl alone',
      code: `NTSTATUS F(PVOID Pool, ULONG Len)
{
    NTSTATUS status;
    PMDL mdl = IoAllocateMdl(Pool, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    MmBuildMdlForNonPagedPool(mdl);
    status = ProgramRing(MmGetMdlPfnArray(mdl), Len);
    IoFreeMdl(mdl);
    return status;
}`,
    },
    {
      name: 'a fresh MDL probed while another MDL is built for nonpaged pool',
      code: `NTSTATUS F(PVOID Pool, PVOID UserVa, ULONG Len)
{
    PMDL ring = IoAllocateMdl(Pool, Len, FALSE, FALSE, NULL);
    PMDL user;
    if (ring == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    MmBuildMdlForNonPagedPool(ring);
    user = IoAllocateMdl(UserVa, Len, FALSE, FALSE, NULL);
    if (user == NULL) { IoFreeMdl(ring); return STATUS_INSUFFICIENT_RESOURCES; }
    __try {
        MmProbeAndLockPages(user, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(user);
        IoFreeMdl(ring);
        return GetExceptionCode();
    }
    MmUnlockPages(user);
    IoFreeMdl(user);
    IoFreeMdl(ring);
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'MmPrepareMdlForReuse between two IoBuildPartialMdl calls',
      code: `VOID F(PMDL Source, ULONG Len)
{
    PUCHAR va = (PUCHAR)MmGetMdlVirtualAddress(Source);
    PMDL part = IoAllocateMdl(va, Len, FALSE, FALSE, NULL);
    if (part == NULL) return;
    IoBuildPartialMdl(Source, part, va, Len);
    Send(MmGetMdlPfnArray(part), Len);
    MmPrepareMdlForReuse(part);
    IoBuildPartialMdl(Source, part, va + Len, Len);
    Send(MmGetMdlPfnArray(part), Len);
    IoFreeMdl(part);
}`,
    },
    {
      name: 'MmFreePagesFromMdl then ExFreePool',
      code: `NTSTATUS F(SIZE_T Bytes)
{
    PHYSICAL_ADDRESS low, high, skip;
    PMDL mdl;
    NTSTATUS status;
    low.QuadPart = 0;
    high.QuadPart = -1;
    skip.QuadPart = 0;
    mdl = MmAllocatePagesForMdl(low, high, skip, Bytes);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    status = Program(MmGetMdlPfnArray(mdl), Bytes);
    MmFreePagesFromMdl(mdl);
    ExFreePool(mdl);
    return status;
}`,
    },
    {
      name: 'unlock of the SOURCE after the partial MDL is freed',
      code: `NTSTATUS F(PVOID UserVa, ULONG Len, ULONG Head)
{
    PMDL part;
    PMDL src = IoAllocateMdl(UserVa, Len, FALSE, FALSE, NULL);
    if (src == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(src, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(src);
        return GetExceptionCode();
    }
    part = IoAllocateMdl(UserVa, Head, FALSE, FALSE, NULL);
    if (part != NULL) {
        IoBuildPartialMdl(src, part, UserVa, Head);
        Send(MmGetMdlPfnArray(part), Head);
        IoFreeMdl(part);
    }
    MmUnlockPages(src);
    IoFreeMdl(src);
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'MmInitializeMdl resets a built MDL before it is probed',
      code: `NTSTATUS F(PMDL Mdl, PVOID Pool, PVOID Paged, ULONG Len)
{
    MmInitializeMdl(Mdl, Pool, Len);
    MmBuildMdlForNonPagedPool(Mdl);
    Program(MmGetMdlPfnArray(Mdl), Len);
    MmInitializeMdl(Mdl, Paged, Len);
    __try {
        MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    Program(MmGetMdlPfnArray(Mdl), Len);
    MmUnlockPages(Mdl);
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'build and probe in mutually exclusive branches',
      code: `NTSTATUS F(PVOID Buf, ULONG Len, BOOLEAN NonPaged, PMDL *Out)
{
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    *Out = NULL;
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    if (NonPaged) {
        MmBuildMdlForNonPagedPool(mdl);
    } else {
        __try {
            MmProbeAndLockPages(mdl, KernelMode, IoWriteAccess);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            IoFreeMdl(mdl);
            return GetExceptionCode();
        }
    }
    *Out = mdl;
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'unlock before rebuilding for nonpaged pool',
      code: `NTSTATUS F(PVOID Pool, ULONG Len, PMDL *Out)
{
    PMDL mdl = IoAllocateMdl(Pool, Len, FALSE, FALSE, NULL);
    *Out = NULL;
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, KernelMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    MmUnlockPages(mdl);
    MmBuildMdlForNonPagedPool(mdl);
    *Out = mdl;
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'a received MDL of unknown origin unlocked',
      code: `VOID F(PMDL Mdl)
{
    MmUnlockPages(Mdl);
    IoFreeMdl(Mdl);
}`,
    },
    {
      name: 'unlock only when MDL_SOURCE_IS_NONPAGED_POOL is clear',
      code: `VOID F(PVOID Buf, ULONG Len, BOOLEAN NonPaged)
{
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return;
    if (NonPaged) {
        MmBuildMdlForNonPagedPool(mdl);
    } else {
        __try {
            MmProbeAndLockPages(mdl, KernelMode, IoReadAccess);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            IoFreeMdl(mdl);
            return;
        }
    }
    Program(MmGetMdlPfnArray(mdl), Len);
    if (!(mdl->MdlFlags & MDL_SOURCE_IS_NONPAGED_POOL)) {
        MmUnlockPages(mdl);
    }
    IoFreeMdl(mdl);
}`,
    },
  ],
  invalid: [
    {
      name: 'probe of a nonpaged-pool MDL',
      code: `NTSTATUS F(PVOID Pool, ULONG Len, PMDL *Out)
{
    PMDL mdl = IoAllocateMdl(Pool, Len, FALSE, FALSE, NULL);
    *Out = NULL;
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    MmBuildMdlForNonPagedPool(mdl);
    __try {
        MmProbeAndLockPages(mdl, KernelMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    *Out = mdl;
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'lockNonpaged', line: 8, column: 9, data: { name: 'mdl', buildLine: 6 } }],
    },
    {
      name: 'probe of a nonpaged-pool MDL through an alias',
      code: `NTSTATUS F(PVOID Pool, ULONG Len, PMDL *Out)
{
    PMDL mdl = IoAllocateMdl(Pool, Len, FALSE, FALSE, NULL);
    PMDL pinned;
    *Out = NULL;
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    MmBuildMdlForNonPagedPool(mdl);
    pinned = mdl;
    __try {
        MmProbeAndLockPages(pinned, KernelMode, IoModifyAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    *Out = pinned;
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'lockNonpaged', line: 10, column: 9, data: { buildLine: 7 } }],
    },
    {
      name: 'probe of an MDL a helper built for nonpaged pool and returned',
      code: `static PMDL BuildNonPaged(PVOID Pool, ULONG Len)
{
    PMDL mdl = IoAllocateMdl(Pool, Len, FALSE, FALSE, NULL);
    if (mdl != NULL) MmBuildMdlForNonPagedPool(mdl);
    return mdl;
}
NTSTATUS F(PVOID Pool, ULONG Len, PMDL *Out)
{
    PMDL mdl = BuildNonPaged(Pool, Len);
    *Out = NULL;
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, KernelMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    *Out = mdl;
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'lockNonpaged', line: 13, column: 9 }],
    },
    {
      name: 'unlock of a nonpaged-pool MDL in a context field',
      code: `typedef struct _CTX { PMDL Mdl; PVOID Ring; ULONG Len; } CTX, *PCTX;
NTSTATUS F(PCTX Ctx)
{
    NTSTATUS status;
    Ctx->Mdl = IoAllocateMdl(Ctx->Ring, Ctx->Len, FALSE, FALSE, NULL);
    if (Ctx->Mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    MmBuildMdlForNonPagedPool(Ctx->Mdl);
    status = Program(MmGetMdlPfnArray(Ctx->Mdl), Ctx->Len);
    if (!NT_SUCCESS(status)) {
        MmUnlockPages(Ctx->Mdl);
        IoFreeMdl(Ctx->Mdl);
        Ctx->Mdl = NULL;
    }
    return status;
}`,
      errors: [{ messageId: 'unlockNonpaged', line: 10, column: 9, data: { name: 'Ctx->Mdl', buildLine: 7 } }],
    },
    {
      name: 'probe of a partial MDL',
      code: `NTSTATUS F(PMDL Source, ULONG Len, PMDL *Out)
{
    PUCHAR va = (PUCHAR)MmGetMdlVirtualAddress(Source);
    PMDL part = IoAllocateMdl(va, Len, FALSE, FALSE, NULL);
    *Out = NULL;
    if (part == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    IoBuildPartialMdl(Source, part, va, Len);
    __try {
        MmProbeAndLockPages(part, KernelMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(part);
        return GetExceptionCode();
    }
    *Out = part;
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'lockPartial', line: 9, column: 9, data: { name: 'part', buildLine: 7 } }],
    },
    {
      name: 'unlock of a partial MDL between chunks',
      code: `VOID F(PMDL Source, ULONG Chunk)
{
    PUCHAR va = (PUCHAR)MmGetMdlVirtualAddress(Source);
    ULONG total = MmGetMdlByteCount(Source);
    ULONG off;
    PMDL part = IoAllocateMdl(va, Chunk, FALSE, FALSE, NULL);
    if (part == NULL) return;
    for (off = 0; off < total; off += Chunk) {
        IoBuildPartialMdl(Source, part, va + off, Chunk);
        Send(MmGetMdlPfnArray(part), Chunk);
        MmUnlockPages(part);
    }
    IoFreeMdl(part);
}`,
      errors: [{ messageId: 'unlockPartial', line: 11, column: 9, data: { buildLine: 9 } }],
    },
    {
      name: 'an unlocking helper called on a partial MDL (reported at the call)',
      code: `static VOID UnlockAndFree(PMDL Mdl)
{
    MmUnlockPages(Mdl);
    IoFreeMdl(Mdl);
}
VOID F(PMDL Source, ULONG Len)
{
    PVOID va = MmGetMdlVirtualAddress(Source);
    PMDL part = IoAllocateMdl(va, Len, FALSE, FALSE, NULL);
    if (part == NULL) return;
    IoBuildPartialMdl(Source, part, va, Len);
    Send(MmGetMdlPfnArray(part), Len);
    UnlockAndFree(part);
}`,
      errors: [{ messageId: 'unlockPartial', line: 13, column: 5 }],
    },
    {
      name: 'probe of MmAllocatePagesForMdlEx pages',
      code: `NTSTATUS F(SIZE_T Bytes, PMDL *Out)
{
    PHYSICAL_ADDRESS low, high, skip;
    PMDL mdl;
    *Out = NULL;
    low.QuadPart = 0;
    high.QuadPart = -1;
    skip.QuadPart = 0;
    mdl = MmAllocatePagesForMdlEx(low, high, skip, Bytes, MmCached, 0);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, KernelMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        MmFreePagesFromMdl(mdl);
        ExFreePool(mdl);
        return GetExceptionCode();
    }
    *Out = mdl;
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'lockPages', line: 12, column: 9, data: { name: 'mdl' } }],
    },
    {
      name: 'unlock of MmAllocatePagesForMdl pages',
      code: `NTSTATUS F(SIZE_T Bytes)
{
    PHYSICAL_ADDRESS low, high, skip;
    PMDL mdl;
    NTSTATUS status;
    low.QuadPart = 0;
    high.QuadPart = -1;
    skip.QuadPart = 0;
    mdl = MmAllocatePagesForMdl(low, high, skip, Bytes);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    status = Program(MmGetMdlPfnArray(mdl), Bytes);
    MmUnlockPages(mdl);
    MmFreePagesFromMdl(mdl);
    ExFreePool(mdl);
    return status;
}`,
      errors: [{ messageId: 'unlockPages', line: 12, column: 5, data: { name: 'mdl' } }],
    },
    {
      name: 'MmBuildMdlForNonPagedPool over a locked MDL',
      code: `NTSTATUS F(PVOID Pool, ULONG Len, PMDL *Out)
{
    PMDL mdl = IoAllocateMdl(Pool, Len, FALSE, FALSE, NULL);
    *Out = NULL;
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, KernelMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    MmBuildMdlForNonPagedPool(mdl);
    *Out = mdl;
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'rebuildLocked', line: 12, column: 5, data: { name: 'mdl', lockLine: 7 } }],
    },
    {
      name: 'IoBuildPartialMdl into a locked target',
      code: `NTSTATUS F(PMDL Source, PVOID Buf, ULONG Len, PMDL *Out)
{
    PMDL target = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    *Out = NULL;
    if (target == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(target, KernelMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(target);
        return GetExceptionCode();
    }
    IoBuildPartialMdl(Source, target, MmGetMdlVirtualAddress(Source), Len);
    *Out = target;
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'rebuildLocked', line: 12, column: 5, data: { name: 'target', lockLine: 7 } }],
    },
    {
      name: 'C++: a member function probes the MDL it built for nonpaged pool',
      filename: 'test.cpp',
      code: `class Ring {
public:
    NTSTATUS Pin(PVOID Pool, ULONG Len);
private:
    PMDL m_Mdl;
};
NTSTATUS Ring::Pin(PVOID Pool, ULONG Len)
{
    PMDL mdl = IoAllocateMdl(Pool, Len, FALSE, FALSE, nullptr);
    if (mdl == nullptr) return STATUS_INSUFFICIENT_RESOURCES;
    MmBuildMdlForNonPagedPool(mdl);
    __try {
        MmProbeAndLockPages(mdl, KernelMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    m_Mdl = mdl;
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'lockNonpaged', line: 13, column: 9 }],
    },
    {
      name: 'one defect, one report: the unlock after probing a nonpaged-pool MDL is not reported again',
      code: `VOID F(PVOID Pool, ULONG Len)
{
    PMDL mdl = IoAllocateMdl(Pool, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return;
    MmBuildMdlForNonPagedPool(mdl);
    __try {
        MmProbeAndLockPages(mdl, KernelMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return;
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
}`,
      errors: [{ messageId: 'lockNonpaged', line: 7, column: 9 }],
    },
    {
      name: 'a helper probes an MmAllocatePagesForMdl MDL; the probe raising does not excuse it',
      code: `NTSTATUS ProbeIt(PMDL Mdl)
{
    __try {
        MmProbeAndLockPages(Mdl, KernelMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    return STATUS_SUCCESS;
}
NTSTATUS F(SIZE_T Bytes)
{
    PHYSICAL_ADDRESS lo, hi, skip;
    PMDL mdl;
    lo.QuadPart = 0; hi.QuadPart = -1; skip.QuadPart = 0;
    mdl = MmAllocatePagesForMdlEx(lo, hi, skip, Bytes, MmCached, 0);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    ProbeIt(mdl);
    ProbeIt(mdl);
    MmFreePagesFromMdl(mdl);
    ExFreePool(mdl);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'lockPages', line: 17, column: 5 }],
    },
  ],
});
