import { irqlWaitAtDispatch } from '../../rules/irql-wait-at-dispatch.js';
import { runRuleTests } from '../support/rule-tester.js';

const EXT =
  'typedef struct _EXT { KSPIN_LOCK Lock; KDPC Dpc; KEVENT Event; KEVENT Other; KMUTEX Mutex; FAST_MUTEX FastMutex; PIO_WORKITEM WorkItem; ULONG Count; } EXT, *PEXT;\n';
const WDF =
  'typedef struct _CTX { WDFWAITLOCK WaitLock; WDFSPINLOCK SpinLock; WDFWORKITEM WorkItem; FAST_MUTEX FastMutex; ULONG Count; } CTX, *PCTX;\nWDF_DECLARE_CONTEXT_TYPE_WITH_NAME(CTX, GetCtx)\n';

runRuleTests(irqlWaitAtDispatch, {
  valid: [
    {
      name: 'a zero timeout (assigned) in a DPC only polls',
      code: `${EXT}KDEFERRED_ROUTINE Dpc;
VOID Dpc(PKDPC D, PVOID Context, PVOID A, PVOID B)
{
    PEXT ext = (PEXT)Context;
    LARGE_INTEGER zero;
    zero.QuadPart = 0;
    if (KeWaitForSingleObject(&ext->Event, Executive, KernelMode, FALSE, &zero) == STATUS_SUCCESS) ext->Count++;
}`,
    },
    {
      name: 'a zero timeout (initializer) with KeWaitForMultipleObjects in a DPC',
      code: `${EXT}KDEFERRED_ROUTINE Dpc;
VOID Dpc(PKDPC D, PVOID Context, PVOID A, PVOID B)
{
    PEXT ext = (PEXT)Context;
    PVOID objects[2];
    LARGE_INTEGER zero = { 0 };
    objects[0] = &ext->Event;
    objects[1] = &ext->Other;
    KeWaitForMultipleObjects(2, objects, WaitAny, Executive, KernelMode, FALSE, &zero, NULL);
}`,
    },
    {
      name: 'the wait comes after the spin lock is released',
      code: `${EXT}DRIVER_DISPATCH Dispatch;
NTSTATUS Dispatch(PDEVICE_OBJECT Dev, PIRP Irp)
{
    PEXT ext = (PEXT)Dev->DeviceExtension;
    KIRQL old;
    KeAcquireSpinLock(&ext->Lock, &old);
    ext->Count++;
    KeReleaseSpinLock(&ext->Lock, old);
    KeWaitForSingleObject(&ext->Event, Executive, KernelMode, FALSE, NULL);
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'a work item routine (PASSIVE_LEVEL) waits and sleeps',
      code: `${EXT}IO_WORKITEM_ROUTINE WorkItem;
VOID WorkItem(PDEVICE_OBJECT Dev, PVOID Context)
{
    PEXT ext = (PEXT)Context;
    LARGE_INTEGER interval;
    interval.QuadPart = -10000;
    KeWaitForSingleObject(&ext->Event, Executive, KernelMode, FALSE, NULL);
    KeDelayExecutionThread(KernelMode, FALSE, &interval);
}`,
    },
    {
      name: 'a wait guarded by KeGetCurrentIrql() < DISPATCH_LEVEL',
      code: `${EXT}_IRQL_requires_max_(DISPATCH_LEVEL)
VOID MaybeWait(PEXT Ext)
{
    KIRQL old;
    KeAcquireSpinLock(&Ext->Lock, &old);
    if (KeGetCurrentIrql() < DISPATCH_LEVEL) {
        KeWaitForSingleObject(&Ext->Event, Executive, KernelMode, FALSE, NULL);
    }
    KeReleaseSpinLock(&Ext->Lock, old);
}`,
    },
    {
      name: 'a function with no annotation, role or caller: PASSIVE_LEVEL is possible',
      code: `${EXT}VOID WaitForIt(PEXT Ext)
{
    KeWaitForSingleObject(&Ext->Event, Executive, KernelMode, FALSE, NULL);
}`,
    },
    {
      name: 'a completion routine (PASSIVE_LEVEL to DISPATCH_LEVEL) that waits is not certain to be at DISPATCH_LEVEL',
      code: `${EXT}IO_COMPLETION_ROUTINE Completion;
NTSTATUS Completion(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
    KeWaitForSingleObject(&((PEXT)Context)->Event, Executive, KernelMode, FALSE, NULL);
    return STATUS_CONTINUE_COMPLETION;
}`,
    },
    {
      name: 'a fast mutex raises to APC_LEVEL only: a wait forever is allowed there',
      code: `${EXT}_IRQL_requires_(PASSIVE_LEVEL)
VOID Update(PEXT Ext)
{
    ExAcquireFastMutex(&Ext->FastMutex);
    KeWaitForSingleObject(&Ext->Event, Executive, KernelMode, FALSE, NULL);
    ExReleaseFastMutex(&Ext->FastMutex);
}`,
    },
    {
      name: 'WdfWaitLockAcquire at APC_LEVEL is irql-too-high\'s (below DISPATCH_LEVEL)',
      code: `${WDF}_IRQL_requires_(PASSIVE_LEVEL)
VOID Update(PCTX Ctx)
{
    ExAcquireFastMutex(&Ctx->FastMutex);
    WdfWaitLockAcquire(Ctx->WaitLock, NULL);
    Ctx->Count++;
    WdfWaitLockRelease(Ctx->WaitLock);
    ExReleaseFastMutex(&Ctx->FastMutex);
}`,
    },
    {
      name: 'the lock taken on one branch only: the wait may run at PASSIVE_LEVEL',
      code: `${EXT}DRIVER_DISPATCH Dispatch;
NTSTATUS Dispatch(PDEVICE_OBJECT Dev, PIRP Irp)
{
    PEXT ext = (PEXT)Dev->DeviceExtension;
    KIRQL old;
    BOOLEAN locked = FALSE;
    if (Irp->Flags) { KeAcquireSpinLock(&ext->Lock, &old); locked = TRUE; }
    KeWaitForSingleObject(&ext->Event, Executive, KernelMode, FALSE, NULL);
    if (locked) KeReleaseSpinLock(&ext->Lock, old);
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'a timeout received as a parameter: its value is not known here',
      code: `${EXT}KDEFERRED_ROUTINE Dpc;
NTSTATUS WaitWithTimeout(PEXT Ext, PLARGE_INTEGER Timeout)
{
    return KeWaitForSingleObject(&Ext->Event, Executive, KernelMode, FALSE, Timeout);
}
VOID Dpc(PKDPC D, PVOID Context, PVOID A, PVOID B)
{
    LARGE_INTEGER zero;
    zero.QuadPart = 0;
    (VOID)WaitWithTimeout((PEXT)Context, &zero);
}`,
    },
    {
      name: 'WdfWorkItemFlush and the wait lock in a PASSIVE_LEVEL callback',
      code: `${WDF}EVT_WDF_DEVICE_RELEASE_HARDWARE ReleaseHardware;
NTSTATUS ReleaseHardware(WDFDEVICE Device, WDFCMRESLIST Resources)
{
    PCTX ctx = GetCtx(Device);
    WdfWorkItemFlush(ctx->WorkItem);
    WdfWaitLockAcquire(ctx->WaitLock, NULL);
    ctx->Count = 0;
    WdfWaitLockRelease(ctx->WaitLock);
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'an EvtTimerFunc in a program that creates timers with WdfExecutionLevelPassive may run at PASSIVE_LEVEL',
      code: `${WDF}EVT_WDF_TIMER EvtTimer;
VOID EvtTimer(WDFTIMER Timer)
{
    PCTX ctx = GetCtx(WdfTimerGetParentObject(Timer));
    WdfWorkItemFlush(ctx->WorkItem);
}
VOID CreateTimer(WDFDEVICE Device, WDF_OBJECT_ATTRIBUTES *attributes)
{
    attributes->ExecutionLevel = WdfExecutionLevelPassive;
}`,
    },
  ],
  invalid: [
    {
      name: 'a DPC waits forever',
      code: `${EXT}KDEFERRED_ROUTINE Dpc;
VOID Dpc(PKDPC D, PVOID Context, PVOID A, PVOID B)
{
    PEXT ext = (PEXT)Context;
    KeWaitForSingleObject(&ext->Event, Executive, KernelMode, FALSE, NULL);
}`,
      errors: [{ messageId: 'waitAtDispatch', line: 6, column: 5, data: { callee: 'KeWaitForSingleObject', actual: 'DISPATCH_LEVEL' } }],
    },
    {
      name: 'KeDelayExecutionThread under a spin lock in a dispatch routine',
      code: `${EXT}DRIVER_DISPATCH Dispatch;
NTSTATUS Dispatch(PDEVICE_OBJECT Dev, PIRP Irp)
{
    PEXT ext = (PEXT)Dev->DeviceExtension;
    LARGE_INTEGER interval;
    KIRQL old;
    interval.QuadPart = -10000;
    KeAcquireSpinLock(&ext->Lock, &old);
    KeDelayExecutionThread(KernelMode, FALSE, &interval);
    KeReleaseSpinLock(&ext->Lock, old);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'waitAtDispatch', line: 10, column: 5, data: { callee: 'KeDelayExecutionThread' } }],
    },
    {
      name: 'KeWaitForMutexObject after KeRaiseIrql(DISPATCH_LEVEL)',
      code: `${EXT}_IRQL_requires_max_(APC_LEVEL)
VOID Update(PEXT Ext)
{
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeWaitForMutexObject(&Ext->Mutex, Executive, KernelMode, FALSE, NULL);
    KeReleaseMutex(&Ext->Mutex, FALSE);
    KeLowerIrql(old);
}`,
      errors: [{ messageId: 'waitAtDispatch', line: 7, column: 5, data: { callee: 'KeWaitForMutexObject' } }],
    },
    {
      name: 'KeWaitForMultipleObjects with a nonzero timeout in StartIo, as an assigned value',
      code: `${EXT}DRIVER_STARTIO StartIo;
VOID StartIo(PDEVICE_OBJECT Dev, PIRP Irp)
{
    PEXT ext = (PEXT)Dev->DeviceExtension;
    PVOID objects[2];
    LARGE_INTEGER timeout;
    NTSTATUS status;
    objects[0] = &ext->Event;
    objects[1] = &ext->Other;
    timeout.QuadPart = -10 * 1000 * 10;
    status = KeWaitForMultipleObjects(2, objects, WaitAll, Executive, KernelMode, FALSE, &timeout, NULL);
    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}`,
      errors: [{ messageId: 'waitAtDispatch', line: 12, column: 14, data: { callee: 'KeWaitForMultipleObjects' } }],
    },
    {
      name: 'WdfWaitLockAcquire with a NULL timeout in an EvtDpcFunc',
      code: `${WDF}EVT_WDF_DPC EvtDpc;
VOID EvtDpc(WDFDPC Dpc)
{
    PCTX ctx = GetCtx(WdfDpcGetParentObject(Dpc));
    WdfWaitLockAcquire(ctx->WaitLock, NULL);
    ctx->Count++;
    WdfWaitLockRelease(ctx->WaitLock);
}`,
      errors: [{ messageId: 'waitAtDispatch', line: 7, column: 5, data: { callee: 'WdfWaitLockAcquire', actual: 'DISPATCH_LEVEL' } }],
    },
    {
      name: 'WdfWorkItemFlush in an EvtTimerFunc (DISPATCH_LEVEL: the program creates no passive-level objects)',
      code: `${WDF}EVT_WDF_TIMER EvtTimer;
VOID EvtTimer(WDFTIMER Timer)
{
    PCTX ctx = GetCtx(WdfTimerGetParentObject(Timer));
    WdfWorkItemFlush(ctx->WorkItem);
}`,
      errors: [{ messageId: 'waitAtDispatch', line: 7, column: 5, data: { callee: 'WdfWorkItemFlush', actual: 'DISPATCH_LEVEL' } }],
    },
    {
      name: 'WdfWorkItemFlush in an EvtInterruptDpc',
      code: `${WDF}EVT_WDF_INTERRUPT_DPC EvtInterruptDpc;
VOID EvtInterruptDpc(WDFINTERRUPT Interrupt, WDFOBJECT Device)
{
    PCTX ctx = GetCtx(Device);
    ctx->Count++;
    WdfWorkItemFlush(ctx->WorkItem);
}`,
      errors: [{ messageId: 'waitAtDispatch', line: 8, column: 5, data: { callee: 'WdfWorkItemFlush' } }],
    },
    {
      name: 'a helper called only from a DPC waits (reported in the helper)',
      code: `${EXT}KDEFERRED_ROUTINE Dpc;
NTSTATUS WaitForIt(PEXT Ext)
{
    return KeWaitForSingleObject(&Ext->Event, Executive, KernelMode, FALSE, NULL);
}
VOID Dpc(PKDPC D, PVOID Context, PVOID A, PVOID B)
{
    (VOID)WaitForIt((PEXT)Context);
}`,
      errors: [{ messageId: 'waitAtDispatch', line: 5, column: 12, data: { callee: 'KeWaitForSingleObject' } }],
    },
    {
      name: 'a DPC known from its KeInitializeDpc registration waits 1 ms in a condition',
      code: `${EXT}VOID RetryDpc(PKDPC D, PVOID Context, PVOID A, PVOID B)
{
    PEXT ext = (PEXT)Context;
    LARGE_INTEGER timeout;
    timeout.QuadPart = -10000;
    if (KeWaitForSingleObject(&ext->Event, Executive, KernelMode, FALSE, &timeout) == STATUS_TIMEOUT) {
        ext->Count++;
    }
}
VOID Setup(PEXT Ext)
{
    KeInitializeDpc(&Ext->Dpc, RetryDpc, Ext);
}`,
      errors: [{ messageId: 'waitAtDispatch', line: 7, column: 9 }],
    },
    {
      name: 'a helper called from a dispatch routine and from a DPC: the DPC\'s call is one way it is entered',
      code: `${EXT}DRIVER_DISPATCH Dispatch;
KDEFERRED_ROUTINE Dpc;
VOID WaitForIt(PEXT Ext)
{
    KeWaitForSingleObject(&Ext->Event, Executive, KernelMode, FALSE, NULL);
}
NTSTATUS Dispatch(PDEVICE_OBJECT Dev, PIRP Irp)
{
    WaitForIt((PEXT)Dev->DeviceExtension);
    return STATUS_SUCCESS;
}
VOID Dpc(PKDPC D, PVOID Context, PVOID A, PVOID B)
{
    WaitForIt((PEXT)Context);
}`,
      errors: [{ messageId: 'waitAtDispatch', line: 6, column: 5, data: { callee: 'KeWaitForSingleObject', actual: 'DISPATCH_LEVEL' } }],
    },
    {
      name: 'two waits under an in-stack queued spin lock, in order',
      code: `${EXT}_IRQL_requires_max_(DISPATCH_LEVEL)
VOID Drain(PEXT Ext)
{
    KLOCK_QUEUE_HANDLE h;
    LARGE_INTEGER interval;
    interval.QuadPart = -10000;
    KeAcquireInStackQueuedSpinLock(&Ext->Lock, &h);
    KeWaitForSingleObject(&Ext->Event, Executive, KernelMode, FALSE, NULL);
    KeDelayExecutionThread(KernelMode, FALSE, &interval);
    KeReleaseInStackQueuedSpinLock(&h);
}`,
      errors: [
        { messageId: 'waitAtDispatch', line: 9, column: 5, data: { callee: 'KeWaitForSingleObject' } },
        { messageId: 'waitAtDispatch', line: 10, column: 5, data: { callee: 'KeDelayExecutionThread' } },
      ],
    },
  ],
});
