import { mdlUncheckedSystemAddress } from '../../rules/mdl-unchecked-system-address.js';
import { runRuleTests } from '../support/rule-tester.js';

/** Lock `mdl` over Buf/Len for writing, leaving the function on failure (lines 2-10 of every case that uses it). */
const LOCKED_PROLOGUE = `{
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    PVOID va;
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }`;
const LOCKED_EPILOGUE = `    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`;

/** A helper that maps Irp->MdlAddress when the IRP has one, else returns the system buffer (lines 1-5 of the cases that use it). */
const MAP_HELPER = `PVOID Map(PIRP Irp)
{
    if (Irp->MdlAddress != NULL) return MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority);
    return Irp->AssociatedIrp.SystemBuffer;
}
`;

/** A case of a switch on the request's major function that reads its input through MAP_HELPER without a check (line 12). */
const MAJOR_CASE = (major: string) => `${MAP_HELPER}NTSTATUS F(PIRP Irp, PULONG Out)
{
    PIO_STACK_LOCATION irpSp = IoGetCurrentIrpStackLocation(Irp);
    switch (irpSp->MajorFunction) {
    case ${major}: {
        PULONG p = (PULONG)Map(Irp);
        *Out = *p;
        break;
    }
    default:
        break;
    }
    return STATUS_SUCCESS;
}`;

/**
 * A wrapper of MmGetSystemAddressForMdlSafe (eBPF for Windows' ebpf_memory_descriptor_get_base_address) and a page
 * allocator that maps its pages (`MAP`) or not, before the function `F` that maps them through the wrapper (lines 1-23).
 */
const WRAPPED_MAPPING = (map: boolean) => `PVOID GetBase(PMDL Mdl)
{
    PVOID address = MmGetSystemAddressForMdlSafe(Mdl, NormalPagePriority);
    if (address == NULL) {
        DbgPrint("mapping failed\\n");
    }
    return address;
}
PMDL AllocatePages(SIZE_T Length)
{
    PHYSICAL_ADDRESS low, high, skip;
    PMDL mdl;
    low.QuadPart = 0;
    high.QuadPart = -1;
    skip.QuadPart = PAGE_SIZE;
    mdl = MmAllocatePagesForMdlEx(low, high, skip, Length, MmCached, 0);
    if (mdl != NULL && ${map ? 'MmMapLockedPagesSpecifyCache(mdl, KernelMode, MmCached, NULL, FALSE, NormalPagePriority) == NULL' : 'FALSE'}) {
        MmFreePagesFromMdl(mdl);
        ExFreePool(mdl);
        mdl = NULL;
    }
    return mdl;
}
`;

/** F maps the allocator's pages through the wrapper and copies into them unchecked (line 30). */
const WRAPPED_CALLER = (map: boolean) => `${WRAPPED_MAPPING(map)}NTSTATUS F(PUCHAR Code, SIZE_T Size)
{
    PMDL mdl = AllocatePages(Size);
    PUCHAR va;
    if (mdl == NULL) return STATUS_NO_MEMORY;
    va = (PUCHAR)GetBase(mdl);
    RtlCopyMemory(va, Code, Size);
    return STATUS_SUCCESS;
}`;

runRuleTests(mdlUncheckedSystemAddress, {
  valid: [
    {
      name: 'a copy inside __try/__except (EXCEPTION_EXECUTE_HANDLER): a NULL access is caught below DISPATCH_LEVEL',
      code: `NTSTATUS F(PIRP Irp, PVOID Src, SIZE_T Len)
{
    NTSTATUS status = STATUS_SUCCESS;
    PVOID va = MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority);
    __try {
        RtlCopyMemory(va, Src, Len);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    return status;
}`,
    },
    {
      name: '`if (va == NULL)` with an early return',
      code: `NTSTATUS F(PVOID Buf, ULONG Len)
${LOCKED_PROLOGUE}
    va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority | MdlMappingNoExecute);
    if (va == NULL) {
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    RtlZeroMemory(va, Len);
${LOCKED_EPILOGUE}`,
    },
    {
      name: '`if (!va)` with a goto to the cleanup',
      code: `NTSTATUS F(PVOID Buf, ULONG Len)
${LOCKED_PROLOGUE}
    NTSTATUS status = STATUS_SUCCESS;
    va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    if (!va) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto Cleanup;
    }
    *(PULONG)va = 0;
Cleanup:
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return status;
}`,
    },
    {
      name: '`if (NULL == va)`, then `if (va != NULL) { use }`',
      code: `NTSTATUS F(PVOID Buf, ULONG Len)
${LOCKED_PROLOGUE}
    PUCHAR bytes;
    va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    if (NULL == va) {
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    RtlFillMemory(va, Len, 0xA5);
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    bytes = (PUCHAR)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    if (bytes != NULL) {
        bytes[0] = 1;
    }
${LOCKED_EPILOGUE}`,
    },
    {
      name: 'a conditional expression guards the read',
      code: `ULONG F(PVOID Buf, ULONG Len, PULONG Out)
{
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    PULONG va;
    if (mdl == NULL) return 0;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return 0;
    }
    va = (PULONG)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    *Out = va ? va[0] : 0;
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return 1;
}`,
    },
    {
      name: 'an MDL built for nonpaged pool: the macro returns MappedSystemVa, never NULL',
      code: `NTSTATUS F(PRING Ring)
{
    PVOID buffer = ExAllocatePoolWithTag(NonPagedPoolNx, PAGE_SIZE, 'gniR');
    PMDL mdl;
    PUCHAR va;
    if (buffer == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    mdl = IoAllocateMdl(buffer, PAGE_SIZE, FALSE, FALSE, NULL);
    if (mdl == NULL) {
        ExFreePoolWithTag(buffer, 'gniR');
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    MmBuildMdlForNonPagedPool(mdl);
    va = (PUCHAR)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    RtlZeroMemory(va, PAGE_SIZE);
    va[0] = 0xFF;
    Ring->Mdl = mdl;
    Ring->Buffer = buffer;
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'a second MmGetSystemAddressForMdlSafe after a successful first one',
      code: `NTSTATUS F(PMDL Mdl, PUCHAR Expected)
{
    PUCHAR data;
    if (MmGetSystemAddressForMdlSafe(Mdl, NormalPagePriority) == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    data = (PUCHAR)MmGetSystemAddressForMdlSafe(Mdl, NormalPagePriority);
    return RtlCompareMemory(data, Expected, 16) == 16 ? STATUS_SUCCESS : STATUS_DATA_ERROR;
}`,
    },
    {
      name: 'MmMapLockedPagesSpecifyCache with BugCheckOnFailure TRUE cannot return NULL',
      code: `NTSTATUS F(PVOID Buf, ULONG Len)
${LOCKED_PROLOGUE}
    va = MmMapLockedPagesSpecifyCache(mdl, KernelMode, MmCached, NULL, TRUE, NormalPagePriority);
    memset(va, 0, Len);
    MmUnmapLockedPages(va, mdl);
${LOCKED_EPILOGUE}`,
    },
    {
      name: 'storing the address or passing it to an unseen function is not a use',
      code: `NTSTATUS F(PDEVICE_EXTENSION DevExt, PIRP Irp)
{
    PVOID va;
    if (Irp->MdlAddress == NULL) return STATUS_INVALID_PARAMETER;
    va = MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority);
    DevExt->CurrentVa = va;
    HwStartTransfer(DevExt, va, MmGetMdlByteCount(Irp->MdlAddress));
    IoMarkIrpPending(Irp);
    return STATUS_PENDING;
}`,
    },
    {
      name: 'mapping a received MDL or Irp->MdlAddress: unknown state, no mapUnlocked',
      code: `NTSTATUS F(PMDL Mdl, PIRP Irp, PUCHAR Out)
{
    PUCHAR a;
    PUCHAR b;
    if (Irp->MdlAddress == NULL) return STATUS_INVALID_PARAMETER;
    a = (PUCHAR)MmGetSystemAddressForMdlSafe(Mdl, NormalPagePriority);
    b = (PUCHAR)MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority);
    if (a == NULL || b == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    Out[0] = a[0];
    Out[1] = b[0];
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'a partial MDL of a locked source, and pages from MmAllocatePagesForMdlEx, are mappable',
      code: `NTSTATUS F(PUCHAR Buf, ULONG Len, PUCHAR Out)
{
    PHYSICAL_ADDRESS low, high, skip;
    PMDL source, part, pages;
    PUCHAR va;
    NTSTATUS status = STATUS_SUCCESS;
    if (Len < 32) return STATUS_INVALID_PARAMETER;
    source = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (source == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    part = IoAllocateMdl(Buf + 16, 16, FALSE, FALSE, NULL);
    if (part == NULL) { IoFreeMdl(source); return STATUS_INSUFFICIENT_RESOURCES; }
    __try {
        MmProbeAndLockPages(source, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(part);
        IoFreeMdl(source);
        return GetExceptionCode();
    }
    IoBuildPartialMdl(source, part, Buf + 16, 16);
    va = (PUCHAR)MmGetSystemAddressForMdlSafe(part, NormalPagePriority);
    if (va != NULL) Out[0] = va[0]; else status = STATUS_INSUFFICIENT_RESOURCES;
    IoFreeMdl(part);
    MmUnlockPages(source);
    IoFreeMdl(source);
    low.QuadPart = 0;
    high.QuadPart = -1;
    skip.QuadPart = 0;
    pages = MmAllocatePagesForMdlEx(low, high, skip, PAGE_SIZE, MmCached, 0);
    if (pages == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    va = (PUCHAR)MmMapLockedPagesSpecifyCache(pages, KernelMode, MmCached, NULL, FALSE, NormalPagePriority);
    if (va != NULL) {
        Out[1] = va[0];
        MmUnmapLockedPages(va, pages);
    }
    MmFreePagesFromMdl(pages);
    ExFreePool(pages);
    return status;
}`,
    },
    {
      name: 'mapping only when MDL_PAGES_LOCKED says the probe locked it',
      code: `NTSTATUS F(PVOID Buf, ULONG Len, PUCHAR Out)
{
    NTSTATUS status = STATUS_ACCESS_VIOLATION;
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    PUCHAR va;
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
    }
    if (mdl->MdlFlags & MDL_PAGES_LOCKED) {
        va = (PUCHAR)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
        if (va != NULL) {
            Out[0] = va[0];
            status = STATUS_SUCCESS;
        }
        MmUnlockPages(mdl);
    }
    IoFreeMdl(mdl);
    return status;
}`,
    },
    {
      name: 'a lock helper locks, the caller maps after checking its status',
      code: `static NTSTATUS LockUserBuffer(PIRP Irp, ULONG Len, PMDL *Mdl)
{
    PMDL mdl;
    *Mdl = NULL;
    mdl = IoAllocateMdl(Irp->UserBuffer, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, Irp->RequestorMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    *Mdl = mdl;
    return STATUS_SUCCESS;
}

NTSTATUS Caller(PIRP Irp, PULONG Out)
{
    PMDL mdl;
    PULONG va;
    NTSTATUS status = LockUserBuffer(Irp, sizeof(ULONG), &mdl);
    if (!NT_SUCCESS(status)) return status;
    va = (PULONG)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    if (va == NULL) {
        status = STATUS_INSUFFICIENT_RESOURCES;
    } else {
        *Out = *va;
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return status;
}`,
    },
    {
      name: 'a set-information request (sent buffered: no MDL) read through a helper that maps Irp->MdlAddress when there is one',
      code: MAJOR_CASE('IRP_MJ_SET_INFORMATION'),
    },
    {
      name: 'the request kind tested after the helper mapped: a query of volume information never took the mapping',
      code: `${MAP_HELPER}NTSTATUS F(PIRP Irp, PULONG Out)
{
    PIO_STACK_LOCATION irpSp = IoGetCurrentIrpStackLocation(Irp);
    PULONG p = (PULONG)Map(Irp);
    if (irpSp->MajorFunction == IRP_MJ_QUERY_VOLUME_INFORMATION) *Out = *p;
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'a wrapper of MmGetSystemAddressForMdlSafe given an MDL its allocator mapped: the mapping cannot fail',
      code: WRAPPED_CALLER(true),
    },
  ],
  invalid: [
    {
      name: 'the same wrapper given pages nothing mapped: the first mapping can fail',
      code: WRAPPED_CALLER(false),
      errors: [{ messageId: 'unchecked', line: 30, column: 19 }],
    },
    {
      name: 'a query of extended attributes (its MDL follows the device flags) read through the same helper',
      code: MAJOR_CASE('IRP_MJ_QUERY_EA'),
      errors: [{ messageId: 'unchecked', line: 12, column: 16 }],
    },
    {
      name: 'the stack location local also assigned the next stack location: its MajorFunction says nothing of Irp->MdlAddress',
      code: `${MAP_HELPER}NTSTATUS F(PIRP Irp, PULONG Out, BOOLEAN Next)
{
    PIO_STACK_LOCATION irpSp = IoGetCurrentIrpStackLocation(Irp);
    PULONG p;
    if (Next) irpSp = IoGetNextIrpStackLocation(Irp);
    p = (PULONG)Map(Irp);
    if (irpSp->MajorFunction == IRP_MJ_SET_INFORMATION) *Out = *p;
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'unchecked', line: 12, column: 64 }],
    },
    {
      name: 'RtlCopyMemory into the unchecked address of Irp->MdlAddress',
      code: `NTSTATUS F(PDEVICE_EXTENSION DevExt, PIRP Irp, ULONG Len)
{
    PVOID buffer;
    if (Irp->MdlAddress == NULL) return STATUS_INVALID_PARAMETER;
    buffer = MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority);
    RtlCopyMemory(buffer, DevExt->Data, Len);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'unchecked', line: 6, column: 19, data: { name: 'buffer', callee: 'MmGetSystemAddressForMdlSafe', mapLine: 5 } }],
    },
    {
      name: '*va written without a check',
      code: `NTSTATUS F(PVOID Buf, ULONG Len)
${LOCKED_PROLOGUE}
    PULONG p;
    p = (PULONG)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    *p = 0;
${LOCKED_EPILOGUE}`,
      errors: [{ messageId: 'unchecked', line: 14, column: 5, data: { name: 'p', callee: 'MmGetSystemAddressForMdlSafe', mapLine: 13 } }],
    },
    {
      name: 'va[i] in a loop',
      code: `NTSTATUS F(PVOID Buf, ULONG Len, PULONG Src)
${LOCKED_PROLOGUE}
    PULONG words;
    ULONG i;
    words = (PULONG)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    for (i = 0; i < Len / sizeof(ULONG); i++) {
        words[i] = Src[i];
    }
${LOCKED_EPILOGUE}`,
      errors: [{ messageId: 'unchecked', line: 16, column: 9 }],
    },
    {
      name: 'va->Field on a structure pointer',
      code: `NTSTATUS F(PVOID Buf, ULONG Len)
${LOCKED_PROLOGUE}
    PHEADER hdr = (PHEADER)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    hdr->Signature = 0x52444448;
${LOCKED_EPILOGUE}`,
      errors: [{ messageId: 'unchecked', line: 13, column: 5, data: { name: 'hdr' } }],
    },
    {
      name: '((PHEADER)va)->Field through a cast',
      code: `NTSTATUS F(PVOID Buf, ULONG Len)
${LOCKED_PROLOGUE}
    va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    ((PHEADER)va)->Length = Len;
${LOCKED_EPILOGUE}`,
      errors: [{ messageId: 'unchecked', line: 13, column: 5, data: { name: 'va' } }],
    },
    {
      name: 'memcpy with the address as the source',
      code: `NTSTATUS F(PVOID Buf, ULONG Len, PUCHAR Dst)
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
    memcpy(Dst, va, Len);
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'unchecked', line: 13, column: 17 }],
    },
    {
      name: 'NT_ASSERT is not a check',
      code: `NTSTATUS F(PVOID Buf, ULONG Len)
${LOCKED_PROLOGUE}
    va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    NT_ASSERT(va != NULL);
    RtlZeroMemory(va, Len);
${LOCKED_EPILOGUE}`,
      errors: [{ messageId: 'unchecked', line: 14, column: 19 }],
    },
    {
      name: 'MmMapLockedPagesSpecifyCache with BugCheckOnFailure FALSE',
      code: `NTSTATUS F(PVOID Buf, ULONG Len)
${LOCKED_PROLOGUE}
    va = MmMapLockedPagesSpecifyCache(mdl, KernelMode, MmCached, NULL, FALSE, NormalPagePriority);
    RtlFillMemory(va, Len, 0);
    MmUnmapLockedPages(va, mdl);
${LOCKED_EPILOGUE}`,
      errors: [{ messageId: 'unchecked', line: 13, column: 19, data: { name: 'va', callee: 'MmMapLockedPagesSpecifyCache', mapLine: 12 } }],
    },
    {
      name: 'used before the check',
      code: `NTSTATUS F(PVOID Buf, ULONG Len)
${LOCKED_PROLOGUE}
    va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    RtlZeroMemory(va, Len);
    if (va == NULL) {
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
${LOCKED_EPILOGUE}`,
      errors: [{ messageId: 'unchecked', line: 13, column: 19 }],
    },
    {
      name: 'a check that lets NULL through on one branch',
      code: `NTSTATUS F(PVOID Buf, ULONG Len)
${LOCKED_PROLOGUE}
    NTSTATUS status = STATUS_SUCCESS;
    PUCHAR bytes = (PUCHAR)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    if (bytes == NULL && Len > PAGE_SIZE) {
        status = STATUS_INSUFFICIENT_RESOURCES;
    } else {
        bytes[0] = 0;
    }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return status;
}`,
      errors: [{ messageId: 'unchecked', line: 17, column: 9 }],
    },
    {
      name: 'the check tests the MDL, not the address',
      code: `NTSTATUS F(PIRP Irp)
{
    PMDL mdl = Irp->MdlAddress;
    PULONG va;
    if (mdl == NULL) return STATUS_INVALID_PARAMETER;
    va = (PULONG)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    va[0] = 0;
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'unchecked', line: 8, column: 5 }],
    },
    {
      name: 'a first mapping that failed without leaving: the second one can fail too',
      code: `NTSTATUS F(PVOID Buf, ULONG Len, PULONG Failures)
${LOCKED_PROLOGUE}
    PULONG p;
    if (MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority) == NULL) {
        (*Failures)++;
    }
    p = (PULONG)MmGetSystemAddressForMdlSafe(mdl, HighPagePriority);
    *p |= 1;
${LOCKED_EPILOGUE}`,
      errors: [{ messageId: 'unchecked', line: 17, column: 5, data: { name: 'p', mapLine: 16 } }],
    },
    {
      name: 'mapUnlocked: MmBuildMdlForNonPagedPool is missing',
      code: `NTSTATUS F(PRING Ring)
{
    PVOID buffer = ExAllocatePoolWithTag(NonPagedPoolNx, PAGE_SIZE, 'gniR');
    PMDL mdl;
    PVOID va;
    if (buffer == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    mdl = IoAllocateMdl(buffer, PAGE_SIZE, FALSE, FALSE, NULL);
    if (mdl == NULL) {
        ExFreePoolWithTag(buffer, 'gniR');
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    if (va == NULL) {
        IoFreeMdl(mdl);
        ExFreePoolWithTag(buffer, 'gniR');
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    Ring->Mdl = mdl;
    Ring->Buffer = buffer;
    Ring->Va = va;
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'mapUnlocked', line: 12, column: 10 }],
    },
    {
      name: 'mapUnlocked: mapping again after MmUnlockPages',
      code: `NTSTATUS F(PVOID Buf, ULONG Len)
${LOCKED_PROLOGUE}
    va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    if (va != NULL) RtlZeroMemory(va, Len);
    MmUnlockPages(mdl);
    va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    if (va != NULL) LogBytes(va, Len);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'mapUnlocked', line: 15, column: 10 }],
    },
    {
      name: 'mapUnlocked: MmMapLockedPages on a fresh MDL, MmMapLockedPagesSpecifyCache on a stack MDL',
      code: `ULONG F(PVOID Buffer, PVOID Paged, ULONG Len, PUCHAR Out)
{
    UCHAR storage[sizeof(MDL) + 2 * sizeof(PFN_NUMBER)];
    PMDL local = (PMDL)storage;
    PMDL mdl;
    PULONG head;
    PUCHAR bytes;
    ULONG value;
    mdl = IoAllocateMdl(Buffer, sizeof(ULONG), FALSE, FALSE, NULL);
    if (mdl == NULL) return 0;
    head = (PULONG)MmMapLockedPages(mdl, KernelMode);
    value = *head;
    IoFreeMdl(mdl);
    MmInitializeMdl(local, Paged, Len);
    bytes = (PUCHAR)MmMapLockedPagesSpecifyCache(local, KernelMode, MmCached, NULL, FALSE, NormalPagePriority);
    if (bytes != NULL) Out[0] = bytes[0];
    return value;
}`,
      errors: [
        { messageId: 'mapUnlocked', line: 11, column: 20 },
        { messageId: 'mapUnlocked', line: 15, column: 21 },
      ],
    },
    {
      name: 'mapUnlocked and unchecked on the same MDL: a conditional lock, an unconditional map and use',
      code: `NTSTATUS F(PVOID Buf, ULONG Len, PUCHAR Out)
{
    BOOLEAN locked = FALSE;
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    PUCHAR va;
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    if (Len >= 4) {
        __try {
            MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
            locked = TRUE;
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            IoFreeMdl(mdl);
            return GetExceptionCode();
        }
    }
    va = (PUCHAR)MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    Out[0] = va[0];
    if (locked) MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
      errors: [
        { messageId: 'mapUnlocked', line: 16, column: 18 },
        { messageId: 'unchecked', line: 17, column: 14 },
      ],
    },
    {
      name: 'mapUnlocked through a helper: reported at the caller\'s call',
      code: `static PVOID MapForCpu(PMDL Mdl)
{
    return MmGetSystemAddressForMdlSafe(Mdl, NormalPagePriority);
}

NTSTATUS Attach(PRING Ring)
{
    PMDL mdl;
    PVOID va;
    mdl = IoAllocateMdl(Ring->Buffer, PAGE_SIZE, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    va = MapForCpu(mdl);
    if (va == NULL) {
        IoFreeMdl(mdl);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    Ring->Mdl = mdl;
    Ring->Va = va;
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'mapUnlocked', line: 12, column: 10 }],
    },
    {
      name: 'mapping an unlocked MDL, then using the address unchecked: both reported',
      code: `VOID F(PVOID Buffer, ULONG Len, PULONG Out)
{
    PVOID va;
    PMDL mdl = IoAllocateMdl(Buffer, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return;
    va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
    *Out = *(PULONG)va;
    IoFreeMdl(mdl);
}`,
      errors: [
        { messageId: 'mapUnlocked', line: 6, column: 10 },
        { messageId: 'unchecked', line: 7, column: 12 },
      ],
    },
  ],
});
