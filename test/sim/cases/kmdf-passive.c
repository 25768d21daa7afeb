/* A KMDF program that creates passive-level objects (WdfExecutionLevelPassive) and requests passive-level interrupt
   handling (PassiveHandling = TRUE). Which object a callback belongs to is not tracked: queue and timer callbacks may
   run at PASSIVE_LEVEL, interrupt callbacks at PASSIVE_LEVEL or DIRQL, so an IRQL-contract fault at the entry IRQL is
   claimed only if it holds at each of those levels; once the code sets the IRQL (a spin lock) the check is exact.
   `// @ kind` marks each faulting line; a function without markers must not fault. */

typedef struct _CTX {
    WDFSPINLOCK Lock;
    WDFINTERRUPT Interrupt;
    HANDLE File;
    PVOID History;
    ULONG Count;
} CTX, *PCTX;

EVT_WDF_IO_QUEUE_IO_READ PassiveRead;
EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL PassiveIoctlLocked;
EVT_WDF_TIMER PassiveTimer;
EVT_WDF_INTERRUPT_ISR PassiveIsr;
EVT_WDF_INTERRUPT_ISR PassiveIsrAtDpcLevel;
EVT_WDF_DRIVER_DEVICE_ADD PassiveDeviceAdd;

PCTX g_Ctx;

/* Correct: EvtIoRead of a passive-level queue may read a file (PASSIVE_LEVEL is one of the levels possible). */
VOID PassiveRead(WDFQUEUE Queue, WDFREQUEST Request, size_t Length)
{
    IO_STATUS_BLOCK iosb;
    NTSTATUS status = ZwReadFile(g_Ctx->File, NULL, NULL, NULL, &iosb, g_Ctx->History, (ULONG)Length, NULL, NULL);
    WdfRequestComplete(Request, status);
}

/* Paged pool under a framework spin lock: DISPATCH_LEVEL whatever the queue's level. */
VOID PassiveIoctlLocked(WDFQUEUE Queue, WDFREQUEST Request, size_t OutLength, size_t InLength, ULONG Code)
{
    WdfSpinLockAcquire(g_Ctx->Lock);
    if (g_Ctx->History == NULL) {
        g_Ctx->History = ExAllocatePoolWithTag(PagedPool, 64, 'tsaP'); // @ irql-pool
    }
    WdfSpinLockRelease(g_Ctx->Lock);
    WdfRequestComplete(Request, STATUS_SUCCESS);
}

/* Correct: a timer of a passive-level program may use paged pool (PASSIVE_LEVEL is possible). */
VOID PassiveTimer(WDFTIMER Timer)
{
    g_Ctx->History = ExAllocatePoolWithTag(PagedPool, 64, 'tsaP');
}

/* Correct: an ISR with passive-level handling may call a Zw routine; the interrupt lock is then a passive lock. */
BOOLEAN PassiveIsr(WDFINTERRUPT Interrupt, ULONG MessageID)
{
    ZwClose(g_Ctx->File);
    return TRUE;
}

/* Correct for the simulator: the AtDpcLevel forms need DISPATCH_LEVEL or above, and DIRQL is one of the levels possible. */
BOOLEAN PassiveIsrAtDpcLevel(WDFINTERRUPT Interrupt, ULONG MessageID)
{
    KSPIN_LOCK local;
    KeInitializeSpinLock(&local);
    KeAcquireSpinLockAtDpcLevel(&local);
    g_Ctx->Count++;
    KeReleaseSpinLockFromDpcLevel(&local);
    return TRUE;
}

/* Correct: the device is created at WdfExecutionLevelPassive, the interrupt with passive-level handling. */
NTSTATUS PassiveDeviceAdd(WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit)
{
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_INTERRUPT_CONFIG interruptConfig;
    WDFDEVICE device;
    NTSTATUS status;

    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    attributes.ExecutionLevel = WdfExecutionLevelPassive;
    status = WdfDeviceCreate(&DeviceInit, &attributes, &device);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    WDF_INTERRUPT_CONFIG_INIT(&interruptConfig, PassiveIsr, NULL);
    interruptConfig.PassiveHandling = TRUE;
    return WdfInterruptCreate(device, &interruptConfig, WDF_NO_OBJECT_ATTRIBUTES, &g_Ctx->Interrupt);
}
