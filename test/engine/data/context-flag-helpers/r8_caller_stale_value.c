#include <ntddk.h>

typedef struct _XFER_CONTEXT {
    PMDL Mdl;
    BOOLEAN PagesLocked;
    ULONG Length;
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

/* Defect: the flag is cleared (through a copy of the pointer) while the pages are still locked; the helper frees them locked. */
NTSTATUS
XferDoAlias(
    _Inout_ PXFER_CONTEXT Context,
    _In_ PVOID Buffer,
    _In_ ULONG Length
    )
{
    PXFER_CONTEXT pending = Context;
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
    pending->PagesLocked = FALSE;
    XferRelease(Context);
    return STATUS_SUCCESS;
}

/* Defect: the flag is cleared (spelled (*Context).PagesLocked) while the pages are still locked; the helper frees them locked. */
NTSTATUS
XferDoDeref(
    _Inout_ PXFER_CONTEXT Context,
    _In_ PVOID Buffer,
    _In_ ULONG Length
    )
{
    PXFER_CONTEXT pending = Context;
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
    (*Context).PagesLocked = FALSE;
    XferRelease(Context);
    return STATUS_SUCCESS;
}

/* Defect: the flag is cleared (by RtlZeroMemory of the field) while the pages are still locked; the helper frees them locked. */
NTSTATUS
XferDoZero(
    _Inout_ PXFER_CONTEXT Context,
    _In_ PVOID Buffer,
    _In_ ULONG Length
    )
{
    PXFER_CONTEXT pending = Context;
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
    RtlZeroMemory(&Context->PagesLocked, sizeof(Context->PagesLocked));
    XferRelease(Context);
    return STATUS_SUCCESS;
}
