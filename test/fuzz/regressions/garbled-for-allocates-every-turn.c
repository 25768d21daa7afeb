/* ddi-lint fuzz regression (seed 20261121, index 16566, reduced by hand): a byte flip turned the `;` of a
 * `for` header into a letter; the loop then allocates an MDL on every turn, and the simulator's path merging
 * canonicalized a state that grew with every step (27 s to simulate before the fix, reduced). */
#define MAX_SEGMENTS 16
typedef struct _SEGMENT { PVOID Address; ULONG Length; } SEGMENT;
typedef struct _SEGMENT_TABLE { ULONG Count; SEGMENT Segments[MAX_SEGMENTS]; } SEGMENT_TABLE, *PSEGMENT_TABLE;
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
