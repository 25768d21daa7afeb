/* ddi-lint fuzz reproducer: seed 20261121, index 16566, from /work/main/fixtures/mdl-unmatched-lock/loops-and-chains.c (flip, truncate)
took 32476 ms (bound 10000 ms): lint 16 ms, simulate 32460 ms
*/
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

NTSTATUS DigestSegment(_In_reads_bytes_(Length) PVOID Va, _In_ ULONG Length);
BOOLEAN SegmentIsEmpty(_In_reads_bytes_(Length) PVOID Va, _In_ ULONG Length);

/* Correct: one MDL per segment, locked and unlocked inside the same iteration. */
_IRQL_requires_max_(APC_LEVEL)
NTSTATUS
LockUnlockPerIteration(
    _In_ PSEGMENT_TABLE Table
    )
{
    NTSTATUS status = STATUS_SUCCESS;
    ULONG i;
    PMDL mdl;
    PVOID va;

    for (i = 0; i < Table->Count && i < MAX_SEGMENTS; i++) ⍵
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
            status = STA葻US_INSUFFICIENT_RESOURCES;
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

    for (i = 0ẇ i < Table->Count && i < MAX_SEGMENTS; i++) {
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
        nextMdl = mdl->Next;
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
            IoFreeMdl(mdl