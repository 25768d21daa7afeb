#include <ntddk.h>

#define REQ_STATE_ALLOCATED 0x1
#define REQ_STATE_LOCKED    0x2

typedef struct _XFER_CONTEXT {
    PMDL Mdl;
    ULONG State;
    ULONG Length;
} XFER_CONTEXT, *PXFER_CONTEXT;

/* Bug: a cancelled request has its LOCKED bit cleared before the unlock test. */
VOID
XferRelease(
    _Inout_ PXFER_CONTEXT Context,
    _In_ BOOLEAN Cancel
    )
{
    if (Cancel) {
        ClearFlag(Context->State, REQ_STATE_LOCKED);
    }
    if (Context->State & REQ_STATE_LOCKED) {
        MmUnlockPages(Context->Mdl);
    }
    IoFreeMdl(Context->Mdl);
}

NTSTATUS
XferDo(
    _Inout_ PXFER_CONTEXT Context,
    _In_ PVOID Buffer,
    _In_ ULONG Length
    )
{
    Context->State = 0;
    Context->Mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    if (Context->Mdl == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    Context->State = REQ_STATE_ALLOCATED;
    __try {
        MmProbeAndLockPages(Context->Mdl, UserMode, IoWriteAccess);
        Context->State = REQ_STATE_ALLOCATED | REQ_STATE_LOCKED;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(Context->Mdl);
        return GetExceptionCode();
    }
    XferRelease(Context, TRUE);
    return STATUS_SUCCESS;
}
