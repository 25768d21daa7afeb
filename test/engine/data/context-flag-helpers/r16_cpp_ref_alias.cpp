#include <ntddk.h>

struct XferContext {
    PMDL Mdl;
    BOOLEAN PagesLocked;
    ULONG Length;


};

/* Bug: a cancelled context is reset before the unlock test. */
VOID
XferRelease(
    _Inout_ XferContext* Context,
    _In_ BOOLEAN Cancel
    )
{
    if (Cancel) {
        BOOLEAN& locked = Context->PagesLocked;
        locked = FALSE;
    }
    if (Context->PagesLocked) {
        MmUnlockPages(Context->Mdl);
    }
    IoFreeMdl(Context->Mdl);
}

NTSTATUS
XferDo(
    _Inout_ XferContext* Context,
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
