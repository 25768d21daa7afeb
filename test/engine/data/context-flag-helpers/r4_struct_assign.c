#include <ntddk.h>

typedef struct _XFER_CONTEXT {
    PMDL Mdl;
    BOOLEAN PagesLocked;
    ULONG Length;
} XFER_CONTEXT, *PXFER_CONTEXT;

static const XFER_CONTEXT XferIdle = { NULL, FALSE, 0 };

/* Bug: a cancelled context is re-initialised from the idle template, keeping only its MDL,
   before the unlock test: the locked pages are then freed. */
VOID
XferRelease(
    _Inout_ PXFER_CONTEXT Context,
    _In_ BOOLEAN Cancel
    )
{
    PMDL mdl = Context->Mdl;
    if (Cancel) {
        *Context = XferIdle;
        Context->Mdl = mdl;
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
