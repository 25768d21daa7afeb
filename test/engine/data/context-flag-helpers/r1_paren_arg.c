#include <ntddk.h>

typedef struct _XFER_CONTEXT {
    PMDL Mdl;
    BOOLEAN PagesLocked;
    ULONG Length;
} XFER_CONTEXT, *PXFER_CONTEXT;

/* Returns the context to its initial state. */
VOID
XferResetState(
    _Out_ PXFER_CONTEXT Ctx
    )
{
    Ctx->PagesLocked = FALSE;
    Ctx->Length = 0;
}


/* Bug: on abort the state is reset before the pages are unlocked, so the unlock is skipped. */
VOID
XferRelease(
    _Inout_ PXFER_CONTEXT Context,
    _In_ BOOLEAN Abort
    )
{
    if (Abort) {
        XferResetState((Context));
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
    XferRelease(Context, TRUE);    /* frees the MDL with its pages locked */
    return STATUS_SUCCESS;
}
