#include <ntddk.h>

typedef struct _XFER_CONTEXT {
    PMDL Mdl;
    BOOLEAN PagesLocked;
    ULONG Length;
} XFER_CONTEXT, *PXFER_CONTEXT;

typedef struct _XFER_CANCEL {
    PXFER_CONTEXT Xfer;
    NTSTATUS Status;
} XFER_CANCEL, *PXFER_CANCEL;

/* Cancels the transfer a request names (bug: marks it idle with its pages still locked). */
VOID
XferCancel(
    _Inout_ PXFER_CANCEL Request
    )
{
    Request->Xfer->PagesLocked = FALSE;
    Request->Status = STATUS_CANCELLED;
}

VOID
XferRelease(
    _Inout_ PXFER_CONTEXT Context,
    _In_ BOOLEAN Cancel
    )
{
    if (Cancel) {
        XFER_CANCEL request = { Context, STATUS_SUCCESS };
        XferCancel(&request);
    }
    if (Context->PagesLocked) {
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
    Context->PagesLocked = FALSE;
    Context->Mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    if (Context->Mdl == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    __try {
        MmProbeAndLockPages(Context->Mdl, UserMode, IoWriteAccess);
        Context->PagesLocked = TRUE;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(Context->Mdl);
        return GetExceptionCode();
    }
    XferRelease(Context, TRUE);
    return STATUS_SUCCESS;
}
