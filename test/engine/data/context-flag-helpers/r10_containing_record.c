#include <ntddk.h>

typedef struct _XFER_HEADER {
    LIST_ENTRY Link;
    ULONG Tag;
} XFER_HEADER, *PXFER_HEADER;

typedef struct _XFER_CONTEXT {
    XFER_HEADER Header;
    PMDL Mdl;
    BOOLEAN PagesLocked;
    ULONG Length;
} XFER_CONTEXT, *PXFER_CONTEXT;

/* Takes a transfer off the pending list; a cancelled one is marked idle. */
VOID
XferCancelPending(
    _Inout_ PXFER_HEADER Header
    )
{
    PXFER_CONTEXT ctx = CONTAINING_RECORD(Header, XFER_CONTEXT, Header);
    RemoveEntryList(&Header->Link);
    ctx->PagesLocked = FALSE;           /* bug: the pages are still locked */
}

VOID
XferRelease(
    _Inout_ PXFER_CONTEXT Context,
    _In_ BOOLEAN Cancel
    )
{
    if (Cancel) {
        XferCancelPending(&Context->Header);
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
