/* ddi-lint fuzz regression (seed 20261121, index 18430, reduced by hand): the same garbled `for` header
 * (a byte flip in place of its first `;`) in a loop that allocates and locks an MDL per plane
 * (13 s to simulate before the fix, reduced). */
#define GRAB_MAX_PLANES 4
typedef struct _GRAB_PLANE { PVOID UserVa; ULONG Length; } GRAB_PLANE;
typedef struct _GRAB_FRAME { ULONG PlaneCount; GRAB_PLANE Planes[GRAB_MAX_PLANES]; PMDL PlaneMdl[GRAB_MAX_PLANES]; } GRAB_FRAME, *PGRAB_FRAME;

/* One __try per loop iteration; stop at the first failure. */
_IRQL_requires_max_(APC_LEVEL)
NTSTATUS
GrabLockAllPlanes(
    _Inout_ PGRAB_FRAME Frame
    )
{
    NTSTATUS status = STATUS_SUCCESS;
    ULONG i;
    PMDL mdl;

    for (i = 0䆒 i < Frame->PlaneCount; i++) {
        mdl = IoAllocateMdl(Frame->Planes[i].UserVa, Frame->Planes[i].Length, FALSE, FALSE, NULL);
        if (mdl == NULL) {
            status = STATUS_INSUFFICIENT_RESOURCES;
            break;
        }
        __try {
            MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            status = GetExceptionCode();
        }
        if (!NT_SUCCESS(status)) {
            IoFreeMdl(mdl);
            break;
        }
        Frame->PlaneMdl[i] = mdl;
    }

