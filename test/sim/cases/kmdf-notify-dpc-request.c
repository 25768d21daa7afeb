/* IRQL entries and contracts taken from the DDI reference (src/sim/irql-model.ts, ROLE_LEVELS in simulate.ts):
   IoGetDeviceProperty / IoOpenDeviceRegistryKey (PASSIVE_LEVEL), IoRequestDpc (any level: an inline KeInsertQueueDpc), process-notify routines
   (PASSIVE_LEVEL), KMDF callbacks (EVT_WDF_*) and the KMDF locks. `// @ kind` marks each faulting line; a function
   without markers must not fault. Nothing here creates passive-level KMDF objects (see kmdf-passive.c). */

typedef struct _EXT {
    KSPIN_LOCK Lock;
    FAST_MUTEX Mutex;
    PDEVICE_OBJECT Self;
    PDEVICE_OBJECT Pdo;
    PIRP CurrentIrp;
    HANDLE Handle;
    WDFSPINLOCK WdfLock;
    WDFWAITLOCK WaitLock;
    WDFINTERRUPT Interrupt;
    WDFREQUEST Pending;
    WCHAR Name[64];
    PVOID Buffer;
    ULONG Count;
} EXT, *PEXT;

KDEFERRED_ROUTINE PropertyDpc;
IO_DPC_ROUTINE RegistryDpcForIsr;
KSERVICE_ROUTINE RequestingIsr;
KDEFERRED_ROUTINE RequestingDpc;
DRIVER_DISPATCH RequestingDispatch;
DRIVER_DISPATCH PropertyUnderLock;
DRIVER_DISPATCH PropertyAtPassive;
PCREATE_PROCESS_NOTIFY_ROUTINE_EX NotifyAtDpcLevelLock;
EVT_WDF_DPC WdfDpcZw;
EVT_WDF_INTERRUPT_DPC WdfInterruptDpcWait;
EVT_WDF_INTERRUPT_ISR WdfIsrComplete;
EVT_WDF_INTERRUPT_ISR WdfIsrQueueOnly;
EVT_WDF_INTERRUPT_ISR WdfIsrSpinLock;
EVT_WDF_WORKITEM WdfWorkItemLocked;
EVT_WDF_WORKITEM WdfWorkItemDoubleRelease;
EVT_WDF_WORKITEM WdfWorkItemInterruptLock;
EVT_WDF_WORKITEM WdfWorkItemBalanced;
EVT_WDF_IO_QUEUE_IO_READ WdfReadZw;
EVT_WDF_IO_QUEUE_IO_WRITE WdfWriteCompletes;
EVT_WDF_DEVICE_PREPARE_HARDWARE WdfPrepareHardware;

PEXT g_Ext;

/* IoGetDeviceProperty (PASSIVE_LEVEL) in a DPC. */
VOID PropertyDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PEXT ext = (PEXT)Context;
    ULONG length;
    IoGetDeviceProperty(ext->Pdo, DevicePropertyDriverKeyName, sizeof(ext->Name), ext->Name, &length); // @ irql-api-too-high
}

/* IoOpenDeviceRegistryKey (PASSIVE_LEVEL) in a DpcForIsr. */
VOID RegistryDpcForIsr(PKDPC Dpc, PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    PEXT ext = (PEXT)Context;
    HANDLE key;
    if (NT_SUCCESS(IoOpenDeviceRegistryKey(ext->Pdo, PLUGPLAY_REGKEY_DEVICE, KEY_READ, &key))) { // @ irql-api-too-high
        ext->Count++;
    }
}

/* IoGetDeviceProperty under a spin lock in a dispatch routine. */
NTSTATUS PropertyUnderLock(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PEXT ext = (PEXT)DeviceObject->DeviceExtension;
    KIRQL oldIrql;
    ULONG length;
    NTSTATUS status;
    KeAcquireSpinLock(&ext->Lock, &oldIrql);
    status = IoGetDeviceProperty(ext->Pdo, DevicePropertyDriverKeyName, sizeof(ext->Name), ext->Name, &length); // @ irql-api-too-high
    KeReleaseSpinLock(&ext->Lock, oldIrql);
    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

/* Correct: both PASSIVE_LEVEL routines in a dispatch routine. */
NTSTATUS PropertyAtPassive(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PEXT ext = (PEXT)DeviceObject->DeviceExtension;
    ULONG length;
    HANDLE key;
    NTSTATUS status = IoGetDeviceProperty(ext->Pdo, DevicePropertyDriverKeyName, sizeof(ext->Name), ext->Name, &length);
    if (NT_SUCCESS(status)) {
        status = IoOpenDeviceRegistryKey(ext->Pdo, PLUGPLAY_REGKEY_DRIVER, KEY_READ, &key);
        if (NT_SUCCESS(status)) {
            ZwClose(key);
        }
    }
    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

/* Correct: IoRequestDpc from an ISR (DIRQL). */
BOOLEAN RequestingIsr(PKINTERRUPT Interrupt, PVOID Context)
{
    PEXT ext = (PEXT)Context;
    IoRequestDpc(ext->Self, ext->CurrentIrp, ext);
    return TRUE;
}

/* Correct: IoRequestDpc at DISPATCH_LEVEL (its page says DIRQL; KeInsertQueueDpc runs at any level). */
VOID RequestingDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PEXT ext = (PEXT)Context;
    IoRequestDpc(ext->Self, ext->CurrentIrp, ext);
}

/* Correct: IoRequestDpc at PASSIVE_LEVEL. */
NTSTATUS RequestingDispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    IoMarkIrpPending(Irp);
    IoRequestDpc(DeviceObject, Irp, NULL);
    return STATUS_PENDING;
}

/* A process-notify routine (role type) runs at PASSIVE_LEVEL: the AtDpcLevel forms are below their minimum. */
VOID NotifyAtDpcLevelLock(PEPROCESS Process, HANDLE ProcessId, PPS_CREATE_NOTIFY_INFO CreateInfo)
{
    KeAcquireSpinLockAtDpcLevel(&g_Ext->Lock); // @ irql-spinlock-acquire
    g_Ext->Count++;
    KeReleaseSpinLockFromDpcLevel(&g_Ext->Lock); // @ irql-spinlock-release
}

/* A process-notify routine known only from its registration (PsSetCreateProcessNotifyRoutine): PASSIVE_LEVEL. */
VOID NotifyRegistered(HANDLE ParentId, HANDLE ProcessId, BOOLEAN Create)
{
    ExReleaseFastMutex(&g_Ext->Mutex); // @ irql-fast-mutex
}

/* A Zw routine in a framework DPC (DISPATCH_LEVEL). */
VOID WdfDpcZw(WDFDPC Dpc)
{
    ZwClose(g_Ext->Handle); // @ irql-api-too-high
}

/* WdfWaitLockAcquire with a NULL timeout (PASSIVE_LEVEL only) in EvtInterruptDpc. */
VOID WdfInterruptDpcWait(WDFINTERRUPT Interrupt, WDFOBJECT Device)
{
    WdfWaitLockAcquire(g_Ext->WaitLock, NULL); // @ irql-api-too-high
    g_Ext->Count++;
    WdfWaitLockRelease(g_Ext->WaitLock);
}

/* WdfRequestComplete (<= DISPATCH_LEVEL) in EvtInterruptIsr (DIRQL). */
BOOLEAN WdfIsrComplete(WDFINTERRUPT Interrupt, ULONG MessageID)
{
    if (g_Ext->Pending != NULL) {
        WdfRequestComplete(g_Ext->Pending, STATUS_SUCCESS); // @ irql-api-too-high
    }
    return TRUE;
}

/* Correct: an ISR that queues its DPC (<= DIRQL). */
BOOLEAN WdfIsrQueueOnly(WDFINTERRUPT Interrupt, ULONG MessageID)
{
    g_Ext->Count++;
    WdfInterruptQueueDpcForIsr(Interrupt);
    return TRUE;
}

/* WdfSpinLockAcquire (<= DISPATCH_LEVEL) at DIRQL; it sets DISPATCH_LEVEL, so the release is at its level. */
BOOLEAN WdfIsrSpinLock(WDFINTERRUPT Interrupt, ULONG MessageID)
{
    WdfSpinLockAcquire(g_Ext->WdfLock); // @ irql-spinlock-acquire
    g_Ext->Count++;
    WdfSpinLockRelease(g_Ext->WdfLock);
    return TRUE;
}

/* A Zw routine under a framework spin lock in a work item callback (PASSIVE_LEVEL, raised to DISPATCH_LEVEL). */
VOID WdfWorkItemLocked(WDFWORKITEM WorkItem)
{
    IO_STATUS_BLOCK iosb;
    WdfSpinLockAcquire(g_Ext->WdfLock);
    ZwWriteFile(g_Ext->Handle, NULL, NULL, NULL, &iosb, g_Ext->Name, sizeof(g_Ext->Name), NULL, NULL); // @ irql-api-too-high
    WdfSpinLockRelease(g_Ext->WdfLock);
}

/* A second WdfSpinLockRelease: the first one restored PASSIVE_LEVEL, and the lock is no longer held. */
VOID WdfWorkItemDoubleRelease(WDFWORKITEM WorkItem)
{
    WdfSpinLockAcquire(g_Ext->WdfLock);
    g_Ext->Count++;
    WdfSpinLockRelease(g_Ext->WdfLock);
    WdfSpinLockRelease(g_Ext->WdfLock); // @ irql-spinlock-release, spinlock-not-held
}

/* WdfInterruptAcquireLock raises to DIRQL until WdfInterruptReleaseLock: a Zw routine in between. */
VOID WdfWorkItemInterruptLock(WDFWORKITEM WorkItem)
{
    WdfInterruptAcquireLock(g_Ext->Interrupt);
    ZwClose(g_Ext->Handle); // @ irql-api-too-high
    WdfInterruptReleaseLock(g_Ext->Interrupt);
    ZwClose(g_Ext->Handle);
}

/* Correct: a work item callback copies under the spin lock, waits for the wait lock (NULL timeout, PASSIVE_LEVEL). */
VOID WdfWorkItemBalanced(WDFWORKITEM WorkItem)
{
    ULONG count;
    WdfSpinLockAcquire(g_Ext->WdfLock);
    count = g_Ext->Count;
    WdfSpinLockRelease(g_Ext->WdfLock);
    WdfWaitLockAcquire(g_Ext->WaitLock, NULL);
    g_Ext->Count = count + 1;
    WdfWaitLockRelease(g_Ext->WaitLock);
    ZwClose(g_Ext->Handle);
}

/* A wait lock taken with a zero timeout is legal below DISPATCH_LEVEL (here APC_LEVEL). */
_IRQL_requires_(APC_LEVEL)
VOID WaitLockPollAtApc(PEXT Ext)
{
    LONGLONG zero = 0;
    if (NT_SUCCESS(WdfWaitLockAcquire(Ext->WaitLock, &zero))) {
        Ext->Count++;
        WdfWaitLockRelease(Ext->WaitLock);
    }
}

/* ... but not with a NULL timeout (PASSIVE_LEVEL only). */
_IRQL_requires_(APC_LEVEL)
VOID WaitLockBlockAtApc(PEXT Ext)
{
    WdfWaitLockAcquire(Ext->WaitLock, NULL); // @ irql-api-too-high
    Ext->Count++;
    WdfWaitLockRelease(Ext->WaitLock);
}

/* EvtIoRead may be called at DISPATCH_LEVEL (no passive-level object in this program): a Zw routine there. */
VOID WdfReadZw(WDFQUEUE Queue, WDFREQUEST Request, size_t Length)
{
    IO_STATUS_BLOCK iosb;
    NTSTATUS status = ZwReadFile(g_Ext->Handle, NULL, NULL, NULL, &iosb, g_Ext->Buffer, (ULONG)Length, NULL, NULL); // @ irql-api-too-high
    WdfRequestComplete(Request, status);
}

/* Correct: EvtIoWrite completes its request (<= DISPATCH_LEVEL at every level of the role). */
VOID WdfWriteCompletes(WDFQUEUE Queue, WDFREQUEST Request, size_t Length)
{
    WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, Length);
}

/* Correct: EvtDevicePrepareHardware runs at PASSIVE_LEVEL. */
NTSTATUS WdfPrepareHardware(WDFDEVICE Device, WDFCMRESLIST Raw, WDFCMRESLIST Translated)
{
    ULONG length;
    return IoGetDeviceProperty(g_Ext->Pdo, DevicePropertyLocationInformation, sizeof(g_Ext->Name), g_Ext->Name, &length);
}

/* A timer callback known from WDF_TIMER_CONFIG_INIT (DISPATCH_LEVEL by default): paged pool. */
VOID TimerFromConfig(WDFTIMER Timer)
{
    g_Ext->Buffer = ExAllocatePoolWithTag(PagedPool, 64, 'mitK'); // @ irql-pool
}

/* An EvtIoDeviceControl known from the queue configuration (<= DISPATCH_LEVEL): a Zw routine. */
VOID DeviceControlFromConfig(WDFQUEUE Queue, WDFREQUEST Request, size_t OutLength, size_t InLength, ULONG Code)
{
    ZwClose(g_Ext->Handle); // @ irql-api-too-high
    WdfRequestComplete(Request, STATUS_SUCCESS);
}

/* Correct: the PASSIVE_LEVEL registration of the callbacks above. */
_IRQL_requires_(PASSIVE_LEVEL)
NTSTATUS RegisterCallbacks(WDFDEVICE Device)
{
    WDF_TIMER_CONFIG timerConfig;
    WDF_IO_QUEUE_CONFIG queueConfig;
    WDFTIMER timer;
    WDFQUEUE queue;
    NTSTATUS status;

    WDF_TIMER_CONFIG_INIT(&timerConfig, TimerFromConfig);
    status = WdfTimerCreate(&timerConfig, WDF_NO_OBJECT_ATTRIBUTES, &timer);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&queueConfig, WdfIoQueueDispatchParallel);
    queueConfig.EvtIoDeviceControl = DeviceControlFromConfig;
    status = WdfIoQueueCreate(Device, &queueConfig, WDF_NO_OBJECT_ATTRIBUTES, &queue);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    return PsSetCreateProcessNotifyRoutine(NotifyRegistered, FALSE);
}
