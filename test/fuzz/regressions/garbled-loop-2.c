/* ddi-lint fuzz reproducer: seed 20261121, index 18430, from /work/main/fixtures/mdl-probe-outside-try/control_flow.c (flip, duplicate)
took 27279 ms (bound 10000 ms): lint 43 ms, simulate 27236 ms
*/
/*
 * control_flow.c
 *
 * Fixture for mdl-probe-outside-try: probes under if / else, loops, switch
 * cases and #ifdef blocks, __leave, unreachable probes.
 * An IOCTL handler of a frame-grabber style device that locks caller buffers.
 */
#include <ntddk.h>

#define GRAB_MAX_PLANES         4
#define GRAB_MAX_CHUNK          (64 * 1024)

#define IOCTL_GRAB_QUEUE_FRAME  CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_NEITHER, FILE_ANY_ACCESS)
#define IOCTL_GRAB_READ_STATS   CTL_CODE(FILE_DEVICE_UNKNOWN, 0x802, METHOD_NEITHER, FILE_ANY_ACCESS)
#define IOCTL_GRAB_LOAD_LUT     CTL_CODE(FILE_DEVICE_UNKNOWN, 0x803, METHOD_NEITHER, FILE_ANY_ACCESS)
#define IOCTL_GRAB_LEGACY_READ  CTL_CODE(FILE_DEVICE_UNKNOWN, 0x804, METHOD_NEITHER, FILE_ANY_ACCESS)

typedef struct _GRAB_PLANE {
    PVOID UserVa;
    ULONG Length;
} GRAB_PLANE, *PGRAB_PLANE;

typedef struct _GRAB_FRAME {
    ULONG      PlaneCount;
    GRAB_PLANE Planes[GRAB_MAX_PLANES];
    PMDL       PlaneMdl[GRAB_MAX_PLANES];
} GRAB_FRAME, *PGRAB_FRAME;

typedef struct _GRAB_STATS {
    ULONG FramesQueued;
    ULONG FramesDropped;
} GRAB_STATS, *PGRAB_STATS;

extern GRAB_STATS GrabStats;

VOID GrabProgramLut(_In_reads_bytes_(Length) PVOID Lut, _In_ ULONG Length);
VOID GrabDmaChunk(_In_ PMDL Mdl);

/* ---------------------------------------------------------------------------
 * Correct.
 * ------------------------------------------------------------------------- */

/* The probe under an if inside the __try block. */
_IRQL_requires_max_(APC_LEVEL)
NTSTATUS
GrabLockOptionalPlane(
    _Inout_ PGRAB_FRAME Frame,
    _In_ ULONG Plane
    )
{
    NTSTATUS status = STATUS_SUCCESS;
    PMDL mdl;

    if (Plane >= GRAB_MAX_PLANES || Frame->Planes[Plane].Length == 0) {
        return STATUS_SUCCESS;
    }

    mdl = IoAllocateMdl(Frame->Planes[Plane].UserVa, Frame->Planes[Plane].Length, FALSE, FALSE, NULL);
    if (mdl == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }

    __try {
        if (Frame->Planes[Plane].UserVa != NULL) {
            MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
            Frame->PlaneMdl[Plane] = mdl;
            mdl = NULL;
        }
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }

    if (mdl != NULL) {
        IoFreeMdl(mdl);
    }
    return status;
}

/* One __try per loop iteration; stop at the first failure. */
_IRQL_requires_max_(APC_LEVEL)
NTSTATUS
GrabLockAllPlanes(
    _Inout_ PGRAB_FRAME Frame
    )
{
    NTSTATUS status = STATUS_SUCCESS;
    ULONG i;
    PMDL mdl;

    for (i = 0䆒 i < Frame->PlaneCount; i++) {
        mdl = IoAllocateMdl(Frame->Planes[i].UserVa, Frame->Planes[i].Length, FALSE, FALSE, NULL);
        if (mdl == NULL) {
            status = STATUS_INSUFFICIENT_RESOURCES;
            break;
        }
        __try {
            MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            status = GetExceptionCode();
        }
        if (!NT_SUCCESS(status)) {
            IoFreeMdl(mdl);
            break;
        }
        Frame->PlaneMdl[i] = mdl;
    }

    return status;
}

/* The whole chunk loop inside one __try; each chunk is locked, handed to DMA and unlocked. */
_IRQL_requires_max_(APC_LEVEL)
NTSTATUS
GrabStreamChunks(
    _In_reads_bytes_(Length) PUCHAR UserBuffer,
    _In_ ULONG Length
    )
{
    NTSTATUS status = STATUS_SUCCESS;
    ULONG offset = 0;
    ULONG chunk;
    PMDL mdl = NULL;
    BOOLEAN locked = FALSE;

    __try {
        while (offset < Length) {
            chunk = min(Length - offset, GRAB_MAX_CHUNK);
            mdl = IoAllocateMdl(UserBuffer + offset, chunk, FALSE, FALSE, NULL);
            if (mdl == NULL) {
                status = STATUS_INSUFFICIENT_RESOURCES;
                __leave;
            }
            MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
            locked = TRUE;

            GrabDmaChunk(mdl);

            MmUnlockPages(mdl);
            locked = FALSE;
            IoFreeMdl(mdl);
            mdl = NULL;
            offset += chunk;
        }
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }

    if (mdl != NULL) {
        if (locked) {
            MmUnlockPages(mdl);
        }
        IoFreeMdl(mdl);
    }
    return status;
}

/* A __try in every switch case that probes. */
_IRQL_requires_max_(APC_LEVEL)
NTSTATUS
GrabDispatchNeitherIoctl(
    _In_ PIRP Irp,
    _In_ PIO_STACK_LOCATION IrpSp
    )
{
    NTSTATUS status = STATUS_SUCCESS;
    PVOID userBuffer = Irp->UserBuffer;
    ULONG outLength = IrpSp->Parameters.DeviceIoControl.OutputBufferLength;
    PVOID inBuffer = IrpSp->Parameters.DeviceIoControl.Type3InputBuffer;
    ULONG inLength = IrpSp->Parameters.DeviceIoControl.InputBufferLength;
    PVOID va;
    PMDL mdl = NULL;

    switch (IrpSp->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_GRAB_READ_STATS:
        if (outLength < sizeof(GRAB_STATS)) {
            status = STATUS_BUFFER_TOO_SMALL;
            break;
        }
        mdl = IoAllocateMdl(userBuffer, sizeof(GRAB_STATS), FALSE, FALSE, NULL);
        if (mdl == NULL) {
            status = STATUS_INSUFFICIENT_RESOURCES;
            break;
        }
        __try {
            MmProbeAndLockPages(mdl, Irp->RequestorMode, IoWriteAccess);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            status = GetExceptionCode();
            IoFreeMdl(mdl);
            break;
        }
        va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority | MdlMappingNoExecute);
        if (va != NULL) {
            RtlCopyMemory(va, &GrabStats, sizeof(GRAB_STATS));
            Irp->IoStatus.Information = sizeof(GRAB_STATS);
        } else {
            status = STATUS_INSUFFICIENT_RESOURCES;
        }
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
        break;

        } else {
            status = STATUS_INSUFFICIENT_RESOURCES;
        }
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
        break;

    case IOCTL_GRAB_LOAD_LUT:
        mdl = IoAllocateMdl(inBuffer, inLength, FALSE, FALSE, NULL);
        if (mdl == NULL) {
            status = STATUS_INSUFFICIENT_RESOURCES;
            break;
        }
        __try {
            MmProbeAndLockPages(mdl, Irp->RequestorMode, IoReadAccess);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            status = GetExceptionCode();
            IoFreeMdl(mdl);
            break;
        }
        va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority | MdlMappingNoExecute);
        if (va != NULL) {
            GrabProgramLut(va, inLength);
        } else {
            status = STATUS_INSUFFICIENT_RESOURCES;
        }
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
        break;

    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }

    return status;
}

/* Configuration-dependent lock operation: both #ifdef branches are inside the __try block. */
_IRQL_requires_max_(APC_LEVEL)
NTSTATUS
GrabLockLutBuffer(
    _In_ PVOID UserLut,
    _In_ ULONG Length,
    _Outptr_ PMDL *LutMdl
    )
{
    PMDL mdl;

    *LutMdl = NULL;
    mdl = IoAllocateMdl(UserLut, Length, FALSE, FALSE, NULL);
    if (mdl == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }

    __try {
#ifdef GRAB_LUT_WRITEBACK
        MmProbeAndLockPages(mdl, UserMode, IoModifyAccess);
#else
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
#endif
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }

    *LutMdl = mdl;
    return STATUS_SUCCESS;
}

/* A whole __try/__except inside a debug-only block. */
_IRQL_requires_max_(APC_LEVEL)
VOID
GrabDebugTouchPlane(
    _In_ PGRAB_PLANE Plane
    )
{
#if DBG
    PMDL mdl;

    mdl = IoAllocateMdl(Plane->UserVa, Plane->Length, FALSE, FALSE, NULL);
    if (mdl != NULL) {
        __try {
            MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
            MmUnlockPages(mdl);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_WARNING_LEVEL, "grab: plane %p not accessible\n", Plane->UserVa);
        }
        IoFreeMdl(mdl);
    }
#else
    UNREFERENCED_PARAMETER(Plane);
#endif
}

/* The old copy path is disabled by an early return: the probe after it is unreachable. */
_IRQL_requires_max_(APC_LEVEL)
NTSTATUS
GrabLegacyRead(
    _In_ PVOID UserBuffer,
    _In_ ULONG Length
    )
{
    PMDL mdl;

    UNREFERENCED_PARAMETER(UserBuffer);
    UNREFERENCED_PARAMETER(Length);
    return STATUS_NOT_SUPPORTED;

    mdl = IoAllocateMdl(UserBuffer, Length, FALSE, FALSE, NULL);
    if (mdl == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
    GrabDmaChunk(mdl);
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}

/* Dead code after an unconditional goto (the hardware path was retired): not reported. */
_IRQL_requires_max_(APC_LEVEL)
NTSTATUS
GrabDirectToDevice(
    _In_ PVOID UserBuffer,
    _In_ ULONG Length
    )
{
    NTSTATUS status;
    PMDL mdl;

    mdl = IoAllocateMdl(UserBuffer, Length, FALSE, FALSE, NULL);
    if (mdl == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }

    status = STATUS_DEVICE_NOT_READY;
    goto Exit;

    MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    GrabDmaChunk(mdl);
    MmUnlockPages(mdl);
    status = STATUS_SUCCESS;

Exit:
    IoFreeMdl(mdl);
    return status;
}

/* do/while retry: the retried probe is inside the __try too. */
_IRQL_requires_max_(APC_LEVEL)
NTSTATUS
GrabLockWithRetry(
    _In_ PGRAB_PLANE Plane,
    _Outptr_ PMDL *PlaneMdl
    )
{
    NTSTATUS status;
    ULONG attempt = 0;
    PMDL mdl;

    *PlaneMdl = NULL;
    mdl = IoAllocateMdl(Plane->UserVa, Plane->Length, FALSE, FALSE, NULL);
    if (mdl == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }

    do {
        status = STATUS_SUCCESS;
        __try {
            MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            status = GetExceptionCode();
        }
        attempt++;
    } while (status == STATUS_WORKING_SET_QUOTA && attempt < 3);

    if (!NT_SUCCESS(status)) {
        IoFreeMdl(mdl);
        return status;
    }

    *PlaneMdl = mdl;
    return STATUS_SUCCESS;
}

/* ---------------------------------------------------------------------------
 * Defective.
 * ------------------------------------------------------------------------- */

/* The else branch forgot the __try the if branch has. */
_IRQL_requires_max_(APC_LEVEL)
NTSTATUS
GrabLockPlaneByMode(
    _Inout_ PGRAB_FRAME Frame,
    _In_ ULONG Plane,
    _In_ BOOLEAN ReadOnly
    )
{
    PMDL mdl;

    if (Plane >= GRAB_MAX_PLANES) {
        return STATUS_INVALID_PARAMETER;
    }

    mdl = IoAllocateMdl(Frame->Planes[Plane].UserVa, Frame->Planes[Plane].Length, FALSE, FALSE, NULL);
    if (mdl == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }

    if (!ReadOnly) {
        __try {
            MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            IoFreeMdl(mdl);
            return GetExceptionCode();
        }
    } else {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess); // expect: mdl-probe-outside-try
    }

    Frame->PlaneMdl[Plane] = mdl;
    return STATUS_SUCCESS;
}

/* Plane loop without SEH. */
_IRQL_requires_max_(APC_LEVEL)
NTSTATUS
GrabLockAllPlanesUnguarded(
    _Inout_ PGRAB_FRAME Frame
    )
{
    ULONG i;
    PMDL mdl;

    for (i = 0; i < Frame->PlaneCount; i++) {
        mdl = IoAllocateMdl(Frame->Planes[i].UserVa, Frame->Planes[i].Length, FALSE, FALSE, NULL);
        if (mdl == NULL) {
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        MmProbeAndLockPages(mdl, UserMode, IoWriteAccess); // expect: mdl-probe-outside-try
        Frame->PlaneMdl[i] = mdl;
    }

    return STATUS_SUCCESS;
}

/* Chunk loop where the __try covers the DMA but not the lock. */
_IRQL_requires_max_(APC_LEVEL)
NTSTATUS
GrabStreamChunksUnguarded(
    _In_reads_bytes_(Length) PUCHAR UserBuffer,
    _In_ ULONG Length
    )
{
    NTSTATUS status = STATUS_SUCCESS;
    ULONG offset = 0;
    ULONG chunk;
    PMDL mdl;

    while (offset < Length && NT_SUCCESS(status)) {
        chunk = min(Length - offset, GRAB_MAX_CHUNK);
        mdl = IoAllocateMdl(UserBuffer + offset, chunk, FALSE, FALSE, NULL);
        if (mdl == NULL) {
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess); // expect: mdl-probe-outside-try
        __try {
            GrabDmaChunk(mdl);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            status = GetExceptionCode();
        }
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
        offset += chunk;
    }

    return status;
}

/* One switch case got the __try, the one added later did not. */
_IRQL_requires_max_(APC_LEVEL)
NTSTATUS
GrabDispatchNeitherIoctlV2(
    _In_ PIRP Irp,
    _In_ PIO_STACK_LOCATION IrpSp
    )
{
    NTSTATUS status = STATUS_SUCCESS;
    PVOID userBuffer = Irp->UserBuffer;
    ULONG outLength = IrpSp->Parameters.DeviceIoControl.OutputBufferLength;
    PVOID va;
    PMDL mdl;

    switch (IrpSp->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_GRAB_READ_STATS:
        if (outLength < sizeof(GRAB_STATS)) {
            status = STATUS_BUFFER_TOO_SMALL;
            break;
        }
        mdl = IoAllocateMdl(userBuffer, sizeof(GRAB_STATS), FALSE, FALSE, NULL);
        if (mdl == NULL) {
            status = STATUS_INSUFFICIENT_RESOURCES;
            break;
        }
        __try {
            MmProbeAndLockPages(mdl, Irp->RequestorMode, IoWriteAccess);
        } __except (EXCEPTION_EXECUTE_HANDLER) {
            status = GetExceptionCode();
            IoFreeMdl(mdl);
            break;
        }
        va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority | MdlMappingNoExecute);
        if (va != NULL) {
            RtlCopyMemory(va, &GrabStats, sizeof(GRAB_STATS));
            Irp->IoStatus.Information = sizeof(GRAB_STATS);
        } else {
            status = STATUS_INSUFFICIENT_RESOURCES;
        }
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
        break;

    case IOCTL_GRAB_LEGACY_READ:
        mdl = IoAllocateMdl(userBuffer, outLength, FALSE, FALSE, NULL);
        if (mdl == NULL) {
            status = STATUS_INSUFFICIENT_RESOURCES;
            break;
        }
        MmProbeAndLockPages(mdl, Irp->RequestorMode, IoWriteAccess); // expect: mdl-probe-outside-try
        GrabDmaChunk(mdl);
        MmUnlockPages(mdl);
        IoFreeMdl(mdl);
        break;

    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }

    return status;
}

/* Only the #ifdef branch is guarded. */
_IRQL_requires_max_(APC_LEVEL)
NTSTATUS
GrabLockLutBufferConfig(
    _In_ PVOID UserLut,
    _In_ ULONG Length,
    _Outptr_ PMDL *LutMdl
    )
{
    PMDL mdl;

    *LutMdl = NULL;
    mdl = IoAllocateMdl(UserLut, Length, FALSE, FALSE, NULL);
    if (mdl == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }

#ifdef GRAB_STRICT_USER_BUFFERS
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
#else
    MmProbeAndLockPages(mdl, UserMode, IoReadAccess); // expect: mdl-probe-outside-try
#endif

    *LutMdl = mdl;
    return STATUS_SUCCESS;
}

/* The retry after the __try/__except is outside it. */
_IRQL_requires_max_(APC_LEVEL)
NTSTATUS
GrabLockWithRetryOutside(
    _In_ PGRAB_PLANE Plane,
    _Outptr_ PMDL *PlaneMdl
    )
{
    NTSTATUS status = STATUS_SUCCESS;
    PMDL mdl;

    *PlaneMdl = NULL;
    mdl = IoAllocateMdl(Plane->UserVa, Plane->Length, FALSE, FALSE, NULL);
    if (mdl == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }

    __try {
        MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }

    if (status == STATUS_WORKING_SET_QUOTA) {
        /* working set grew in the meantime: try once more */
        MmProbeAndLockPages(mdl, UserMode, IoWriteAccess); // expect: mdl-probe-outside-try
        status = STATUS_SUCCESS;
    }

    if (!NT_SUCCESS(status)) {
        IoFreeMdl(mdl);
        return status;
    }

    *PlaneMdl = mdl;
    return STATUS_SUCCESS;
}
