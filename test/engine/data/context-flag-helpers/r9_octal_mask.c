#include <ntddk.h>

typedef struct _XFER_CONTEXT {
    PMDL Mdl;
    ULONG State;      /* bits: 01 allocated, 02 mapped, 010 pages locked */
    ULONG Length;
} XFER_CONTEXT, *PXFER_CONTEXT;

VOID
XferRelease(
    _Inout_ PXFER_CONTEXT Context
    )
{
    if (Context->State & 010) {
        MmUnlockPages(Context->Mdl);
    }
    IoFreeMdl(Context->Mdl);
}

/* Defect: the wrong bit (02, mapped) is recorded after the probe: the helper frees the pages locked. */
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
    __try {
        MmProbeAndLockPages(Context->Mdl, UserMode, IoWriteAccess);
        Context->State = 02;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(Context->Mdl);
        return GetExceptionCode();
    }
    XferRelease(Context);
    return STATUS_SUCCESS;
}
