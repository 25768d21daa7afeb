#include <ntddk.h>

#define XFER_FLAG_ALLOCATED 0x001
#define XFER_FLAG_LOCKED    0x100

typedef struct _XFER_CONTEXT {
    PMDL Mdl;
    ULONG Flags;
    BOOLEAN PagesLocked;
} XFER_CONTEXT, *PXFER_CONTEXT;

VOID
XferRelease(
    _Inout_ PXFER_CONTEXT Context
    )
{
    if (Context->PagesLocked) {
        MmUnlockPages(Context->Mdl);
    }
    IoFreeMdl(Context->Mdl);
}

/* Defect: (BOOLEAN)(Flags & 0x100) is 0: the helper frees the MDL with its pages locked. */
NTSTATUS
XferDo(
    _Inout_ PXFER_CONTEXT Context,
    _In_ PVOID Buffer,
    _In_ ULONG Length
    )
{
    Context->Flags = 0;
    Context->PagesLocked = FALSE;
    Context->Mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    if (Context->Mdl == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    Context->Flags = XFER_FLAG_ALLOCATED;
    __try {
        MmProbeAndLockPages(Context->Mdl, UserMode, IoWriteAccess);
        Context->Flags |= XFER_FLAG_LOCKED;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(Context->Mdl);
        return GetExceptionCode();
    }
    Context->PagesLocked = (BOOLEAN)XFER_FLAG_LOCKED;
    XferRelease(Context);
    return STATUS_SUCCESS;
}
