#include <ntddk.h>

typedef struct _XFER_CONTEXT {
    PMDL Mdl;
    union {
        ULONG Flags;
        struct {
            ULONG PagesLocked : 1;
            ULONG Mapped : 1;
            ULONG Cancelled : 1;
        };
    };
    ULONG Length;
} XFER_CONTEXT, *PXFER_CONTEXT;

/* Bug: a cancelled transfer has its flags cleared before the unlock test. */
VOID
XferRelease(
    _Inout_ PXFER_CONTEXT Context,
    _In_ BOOLEAN Cancel
    )
{
    if (Cancel) {
        Context->Flags = 0;
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
    Context->Flags = 0;
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
