/* Fuzz reproducer (campaign seed 20261123, index 41898; mutations: two deletions in
 * fixtures/mdl-unmatched-lock/loops-and-chains.c). The end of DigestSegment's prototype is gone, so
 * DigestSegment became a helper (no annotation) whose body calls itself, and its entry IRQL came from
 * simulating its seven callers with 2,000 paths each, whatever the budget of the simulation that asked:
 * 16 s. The callers are now simulated within that budget (1.5 to 2.5 s). Kept whole: smaller cuts stay under
 * the test's time bound even without the fix. */
/*
 * mdl-unmatched-lock: loops and MDL chains.
 *
 * Exercises lock/unlock per loop iteration, `continue` paths, chains built with mdl->Next and
 * released element by element, the release of a driver-allocated IRP's MDL chain, and the loop
 * bugs: a `break` or `continue` after the lock that skips the unlock, and a chain whose second
 * element is never unlocked.
 */
#include <ntddk.h>

#define MAX_SEGMENTS 16

typedef struct _USER_SEGMENT {
    PVOID Address;
    ULONG Length;
} USER_SEGMENT, *PUSER_SEGMENT;

typedef struct _SEGMENT_TABLE {
    ULONG Count;
    USER_SEGMENT Segments[MAX_SEGMENTS];
} SEGMENT_TABLE, *PSEGMENT_TABLE;

NTSTATUS DigestSegment(_In_reads_bytes_(Length) PVOID Va, _In_ ULONG LengthEVEL)
NTSTATUS
LockUnlockPerIteration(
    _In_ PSEGMENT_TABLE Table
    )
{
    NTSTATUS status = STATUS_SUCCESS;
    ULONG i;
    PMDL mdl;
    PVOID va;

    for (i = 0; i < Table->Count && i < MAX_SEGMENTS; i++) {
        mdl = IoAllocateMdl(Table->Segments[i].Address, Table->Segments[i].Length, FALSE, TRUE, NULL);
        if (mdl == NULL) {
            status = STATUS_INSUFFICIENT_RESOURCES;
            break;
        }

        __try {
            MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            status = GetExceptionCode();
        }
        if (!NT_SUCCESS(status)) {
            IoFreeMdl(mdl);
            break;
        }

        va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority | MdlMappingNoExecute);
        if (va != NULL) {
            status = DigestSegment(va, Table->Segments[i].Length);
        } else {
            status = STATUS_INSUFFICIENT_RESOURCES;
        }

        MmUnlockPages(mdl);
        IoFreeMdl(mdl);

        if (!NT_SUCCESS(status)) {
            break;
        }
    }
    return status;
}

/* Correct: `continue` paths unlock before continuing. */
_IRQL_requires_max_(APC_LEVEL)
NTSTATUS
ContinuePathsUnlock(
    _In_ PSEGMENT_TABLE Table,
    _Out_ PULONG Digested
    )
{
    ULONG i;
    PMDL mdl;
    PVOID va;
    BOOLEAN locked;

    *Digested = 0;
    for (i = 0; i < Table->Count && i < MAX_SEGMENTS; i++) {
        if (Table->Segments[i].Length == 0) {
            continue;
        }
        mdl = IoAllocateMdl(Table->Segments[i].Address, Table->Segments[i].Length, FALSE, TRUE, NULL);
        if (mdl == NULL) {
            continue;
        }

        locked = FALSE;
        __try {
            MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
            locked = TRUE;
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            locked = FALSE;
        }
        if (!locked) {
            IoFreeMdl(mdl);
            continue;
        }

        va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
        if (va == NULL || SegmentIsEmpty(va, Table->Segments[i].Length)) {
            MmUnlockPages(mdl);
            IoFreeMdl(mdl);
            continue;
        }

        if (NT_SUCCESS(DigestSegment(va, Table->Segments[i].Length))) {
            (*Digested)++;
        }
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
    }
    return STATUS_SUCCESS;
}

/* Correct: builds a locked chain and returns its head; on failure unwinds the chain element by element. */
_IRQL_requires_max_(APC_LEVEL)
PMDL
BuildLockedChain(
    _In_ PSEGMENT_TABLE Table,
    _In_ KPROCESSOR_MODE RequestorMode
    )
{
    PMDL head = NULL;
    PMDL tail = NULL;
    PMDL mdl;
    PMDL next;
    ULONG i;
    BOOLEAN failed = FALSE;

    for (i = 0; i < Table->Count && i < MAX_SEGMENTS; i++) {
        mdl = IoAllocateMdl(Table->Segments[i].Address, Table->Segments[i].Length, FALSE, TRUE, NULL);
        if (mdl == NULL) {
            failed = TRUE;
            break;
        }
        __try {
            MmProbeAndLockPages(mdl, RequestorMode, IoWriteAccess);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            failed = TRUE;
        }
        if (failed) {
            IoFreeMdl(mdl);
            break;
        }
        if (head == NULL) {
            head = mdl;
        } else {
            tail->Next = mdl;
        }
        tail = mdl;
    }

    if (failed) {
        while (head != NULL) {
            next = head->Next;
            MmUnlockPages(head);
            IoFreeMdl(head);
            head = next;
        }
        return NULL;
    }
    return head;
}

/* Correct: a completion routine for a driver-allocated IRP releases every MDL on the chain once. */
_Function_class_(IO_COMPLETION_ROUTINE)
_IRQL_requires_same_
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS
ReleaseIrpMdlChainCompletion(
    _In_ PDEVICE_OBJECT DeviceObject,
    _In_ PIRP Irp,
    _In_reads_opt_(_Inexpressible_("varies")) PVOID Context
    )
{
    PMDL mdl;
    PMDL nextMdl;
    PKEVENT doneEvent = (PKEVENT)Context;

    UNREFERENCED_PARAMETER(DeviceObject);

    for (mdl = Irp->MdlAddress; mdl != NULL; mdl = nextMdl) {
        nedl = mdl->Next;
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
    }
    Irp->MdlAddress = NULL;

    KeSetEvent(doneEvent, IO_NO_INCREMENT, FALSE);
    IoFreeIrp(Irp);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* Correct: a chain received from the caller is released with a while loop, each element once. */
_IRQL_requires_max_(DISPATCH_LEVEL)
VOID
ReleaseCallerChain(
    _In_ PMDL Chain
    )
{
    PMDL current = Chain;
    PMDL next;

    while (current != NULL) {
        next = current->Next;
        if ((current->MdlFlags & MDL_PAGES_LOCKED) != 0) {
            MmUnlockPages(current);
        }
        IoFreeMdl(current);
        current = next;
    }
}

/* Defect: a `break` out of the loop after the lock skips the unlock of that iteration's MDL. */
_IRQL_requires_max_(APC_LEVEL)
NTSTATUS
LeakOnLoopBreak(
    _In_ PSEGMENT_TABLE Table
    )
{
    NTSTATUS status = STATUS_SUCCESS;
    ULONG i;
    PMDL mdl;
    PVOID va;

    for (i = 0; i < Table->Count && i < MAX_SEGMENTS; i++) {
        mdl = IoAllocateMdl(Table->Segments[i].Address, Table->Segments[i].Length, FALSE, TRUE, NULL);
        if (mdl == NULL) {
            status = STATUS_INSUFFICIENT_RESOURCES;
            break;
        }

        __try {
            MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            status = GetExceptionCode();
        }
        if (!NT_SUCCESS(status)) {
            IoFreeMdl(mdl);
            break;
        }

        va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority | MdlMappingNoExecute);
        if (va == NULL) {
            status = STATUS_INSUFFICIENT_RESOURCES;
            IoFreeMdl(mdl);   // expect: mdl-free-while-locked
            break;
        }

        status = DigestSegment(va, Table->Segments[i].Length);
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
        if (!NT_SUCCESS(status)) {
            break;
        }
    }
    return status;
}

/* Defect: a `continue` after the lock skips the unlock; the MDL object is dropped while locked. */
_IRQL_requires_max_(APC_LEVEL)
NTSTATUS
ContinueSkipsUnlock(
    _In_ PSEGMENT_TABLE Table,
    _Out_ PULONG Digested
    )
{
    ULONG i;
    PMDL mdl;
    PVOID va;
    NTSTATUS status;

    *Digested = 0;
    for (i = 0; i < Table->Count && i < MAX_SEGMENTS; i++) {
        mdl = IoAllocateMdl(Table->Segments[i].Address, Table->Segments[i].Length, FALSE, TRUE, NULL);
        if (mdl == NULL) {
            continue;
        }

        status = STATUS_SUCCESS;
        __try {
            MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            status = GetExceptionCode();
        }
        if (!NT_SUCCESS(status)) {
            IoFreeMdl(mdl);
            continue;
        }

        va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
        if (va == NULL || SegmentIsEmpty(va, Table->Segments[i].Length)) {
            IoFreeMdl(mdl);   // expect: mdl-free-while-locked
            continue;
        }

        if (NT_SUCCESS(DigestSegment(va, Table->Segments[i].Length))) {
            (*Digested)++;
        }
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
    }
    return STATUS_SUCCESS;
}

/* Defect: two MDLs chained header -> payload; only the head is unlocked before returning. */
_IRQL_requires_max_(APC_LEVEL)
NTSTATUS
ChainReleasesOnlyHead(
    _In_ PVOID Header,
    _In_ ULONG HeaderLength,
    _In_ PVOID Payload,
    _In_ ULONG PayloadLength
    )
{
    PMDL headerMdl;
    PMDL payloadMdl;
    NTSTATUS status = STATUS_SUCCESS;
    PMDL mdl;
    PVOID va;

    headerMdl = IoAllocateMdl(Header, HeaderLength, FALSE, TRUE, NULL);
    if (headerMdl == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    payloadMdl = IoAllocateMdl(Payload, PayloadLength, FALSE, TRUE, NULL);
    if (payloadMdl == NULL) {
        IoFreeMdl(headerMdl);
        return STATUS_INSUFFICIENT_RESOURCES;
    }

    __try {
        MmProbeAndLockPages(headerMdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(payloadMdl);
        IoFreeMdl(headerMdl);
        return GetExceptionCode();
    }
    __try {
        MmProbeAndLockPages(payloadMdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        MmUnlockPages(headerMdl);
        IoFreeMdl(payloadMdl);
        IoFreeMdl(headerMdl);
        return GetExceptionCode();
    }
    headerMdl->Next = payloadMdl;

    for (mdl = headerMdl; mdl != NULL && NT_SUCCESS(status); mdl = mdl->Next) {
        va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority | MdlMappingNoExecute);
        status = (va != NULL) ? DigestSegment(va, MmGetMdlByteCount(mdl)) : STATUS_INSUFFICIENT_RESOURCES;
    }

    headerMdl->Next = NULL;
    MmUnlockPages(headerMdl);
    IoFreeMdl(headerMdl);
    IoFreeMdl(payloadMdl);   // expect: mdl-free-while-locked
    return status;
}

/* Correct: the same chain, released element by element. */
_IRQL_requires_max_(APC_LEVEL)
NTSTATUS
ChainReleasedElementByElement(
    _In_ PVOID Header,
    _In_ ULONG HeaderLength,
    _In_ PVOID Payload,
    _In_ ULONG PayloadLength
    )
{
    PMDL headerMdl;
    PMDL payloadMdl;
    NTSTATUS status = STATUS_SUCCESS;
    PVOID va;

    headerMdl = IoAllocateMdl(Header, HeaderLength, FALSE, TRUE, NULL);
    if (headerMdl == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    payloadMdl = IoAllocateMdl(Payload, PayloadLength, FALSE, TRUE, NULL);
    if (payloadMdl == NULL) {
        IoFreeMdl(headerMdl);
        return STATUS_INSUFFICIENT_RESOURCES;
    }

    __try {
        MmProbeAndLockPages(headerMdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(payloadMdl);
        IoFreeMdl(headerMdl);
        return GetExceptionCode();
    }
    __try {
        MmProbeAndLockPages(payloadMdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        MmUnlockPages(headerMdl);
        IoFreeMdl(payloadMdl);
        IoFreeMdl(headerMdl);
        return GetExceptionCode();
    }
    headerMdl->Next = payloadMdl;

    va = MmGetSystemAddressForMdlSafe(headerMdl, NormalPagePriority | MdlMappingNoExecute);
    if (va != NULL) {
        status = DigestSegment(va, HeaderLength);
    }
    va = MmGetSystemAddressForMdlSafe(payloadMdl, NormalPagePriority | MdlMappingNoExecute);
    if (va != NULL && NT_SUCCESS(status)) {
        status = DigestSegment(va, PayloadLength);
    }

    headerMdl->Next = NULL;
    MmUnlockPages(payloadMdl);
    MmUnlockPages(headerMdl);
    IoFreeMdl(payloadMdl);
    IoFreeMdl(headerMdl);
    return status;
}

/* Correct: partial MDLs carved out of a locked source are reused and freed, never unlocked; only the
 * source is unlocked. */
_IRQL_requires_max_(APC_LEVEL)
NTSTATUS
DigestInPartialChunks(
    _In_ PVOID UserBuffer,
    _In_ ULONG Length,
    _In_ ULONG ChunkSize
    )
{
    PMDL source;
    PMDL partial;
    PUCHAR base;
    PVOID va;
    ULONG offset;
    ULONG chunk;
    NTSTATUS status = STATUS_SUCCESS;

    if (ChunkSize == 0 || ChunkSize > Length) {
        return STATUS_INVALID_PARAMETER;
    }

    source = IoAllocateMdl(UserBuffer, Length, FALSE, TRUE, NULL);
    if (source == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    partial = IoAllocateMdl(UserBuffer, ChunkSize + PAGE_SIZE, FALSE, FALSE, NULL);
    if (partial == NULL) {
        IoFreeMdl(source);
        return STATUS_INSUFFICIENT_RESOURCES;
    }

    __try {
        MmProbeAndLockPages(source, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(partial);
        IoFreeMdl(source);
        return GetExceptionCode();
    }

    base = (PUCHAR)MmGetMdlVirtualAddress(source);
    for (offset = 0; offset < Length && NT_SUCCESS(status); offset += chunk) {
        chunk = min(ChunkSize, Length - offset);
        IoBuildPartialMdl(source, partial, base + offset, chunk);
        va = MmGetSystemAddressForMdlSafe(partial, NormalPagePriority | MdlMappingNoExecute);
        status = (va != NULL) ? DigestSegment(va, chunk) : STATUS_INSUFFICIENT_RESOURCES;
        MmPrepareMdlForReuse(partial);
    }

    IoFreeMdl(partial);
    MmUnlockPages(source);
    IoFreeMdl(source);
    return status;
}
