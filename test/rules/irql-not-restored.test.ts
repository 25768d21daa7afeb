import { irqlNotRestored } from '../../rules/irql-not-restored.js';
import { runRuleTests } from '../support/rule-tester.js';
import { DECLARED_LIBRARY } from '../support/declared-library.js';

const EXT = 'typedef struct _EXT { KSPIN_LOCK Lock; FAST_MUTEX Mutex; PULONG Registers; KIRQL Saved; ULONG Count; BOOLEAN Stopped; } EXT, *PEXT;\n';

runRuleTests(irqlNotRestored, {
  valid: [
    {
      name: 'a library lock and unlock the driver only declares (_IRQL_raises_ / _IRQL_saves_ / _IRQL_restores_): restored',
      code: `${DECLARED_LIBRARY}
_IRQL_requires_max_(PASSIVE_LEVEL)
VOID Worker(PVOID Ctx)
{
    KIRQL irql = LibLock(Ctx);
    LibUnlock(Ctx, irql);
}`,
    },
    {
      name: 'KeRaiseIrql and KeLowerIrql with the saved value',
      code: `${EXT}DRIVER_DISPATCH Dispatch;
NTSTATUS Dispatch(PDEVICE_OBJECT Dev, PIRP Irp)
{
    PEXT ext = (PEXT)Dev->DeviceExtension;
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    ext->Count = READ_REGISTER_ULONG(ext->Registers);
    KeLowerIrql(old);
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'every error path goes through the cleanup label, which lowers',
      code: `${EXT}DRIVER_DISPATCH Dispatch;
NTSTATUS Dispatch(PDEVICE_OBJECT Dev, PIRP Irp)
{
    PEXT ext = (PEXT)Dev->DeviceExtension;
    NTSTATUS status = STATUS_SUCCESS;
    KIRQL old = KeRaiseIrqlToDpcLevel();
    if (ext->Stopped) { status = STATUS_DEVICE_NOT_READY; goto Cleanup; }
    ext->Count++;
Cleanup:
    KeLowerIrql(old);
    return status;
}`,
    },
    {
      name: 'nested raises lowered in order',
      code: `${EXT}_IRQL_requires_(PASSIVE_LEVEL)
VOID Sample(PEXT Ext)
{
    KIRQL passive;
    KIRQL apc;
    KeRaiseIrql(APC_LEVEL, &passive);
    KeRaiseIrql(DISPATCH_LEVEL, &apc);
    Ext->Count++;
    KeLowerIrql(apc);
    KeLowerIrql(passive);
}`,
    },
    {
      name: 'the lower in a __finally runs on the __leave path',
      code: `${EXT}_IRQL_requires_(PASSIVE_LEVEL)
VOID Guarded(PEXT Ext)
{
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    __try {
        if (Ext->Stopped) __leave;
        Ext->Count++;
    } __finally {
        KeLowerIrql(old);
    }
}`,
    },
    {
      name: 'a function annotated _IRQL_raises_ returns raised by contract',
      code: `${EXT}_IRQL_raises_(DISPATCH_LEVEL)
_IRQL_saves_global_(Saved, Ext)
VOID AcquireHardware(PEXT Ext)
{
    Ext->Saved = KeRaiseIrqlToDpcLevel();
}`,
    },
    {
      name: 'a function with no context that raises to DISPATCH_LEVEL may have been entered there',
      code: `${EXT}VOID Latch(PEXT Ext)
{
    Ext->Saved = KeRaiseIrqlToDpcLevel();
    Ext->Count = READ_REGISTER_ULONG(Ext->Registers);
}`,
    },
    {
      name: 'KeRaiseIrql(DISPATCH_LEVEL) in a DPC is not below the current IRQL',
      code: `${EXT}KDEFERRED_ROUTINE Dpc;
VOID Dpc(PKDPC D, PVOID Context, PVOID A, PVOID B)
{
    PEXT ext = (PEXT)Context;
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    ext->Count++;
    KeLowerIrql(old);
}`,
    },
    {
      name: 'a raise guarded by KeGetCurrentIrql() and lowered under the same flag',
      code: `${EXT}_IRQL_requires_max_(DISPATCH_LEVEL)
VOID AddOne(PEXT Ext)
{
    BOOLEAN raised = FALSE;
    KIRQL old = DISPATCH_LEVEL;
    if (KeGetCurrentIrql() < DISPATCH_LEVEL) { KeRaiseIrql(DISPATCH_LEVEL, &old); raised = TRUE; }
    Ext->Count++;
    if (raised) KeLowerIrql(old);
}`,
    },
    {
      name: 'a cancel routine releases the cancel spin lock with Irp->CancelIrql',
      code: `${EXT}DRIVER_CANCEL Cancel;
VOID Cancel(PDEVICE_OBJECT Dev, PIRP Irp)
{
    RemoveEntryList(&Irp->Tail.Overlay.ListEntry);
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}`,
    },
    {
      name: 'a spin lock still held at the return is spinlock-unbalanced, not this rule',
      code: `${EXT}DRIVER_DISPATCH Dispatch;
NTSTATUS Dispatch(PDEVICE_OBJECT Dev, PIRP Irp)
{
    PEXT ext = (PEXT)Dev->DeviceExtension;
    KIRQL old;
    KeAcquireSpinLock(&ext->Lock, &old);
    if (ext->Stopped) return STATUS_DEVICE_NOT_READY;
    KeReleaseSpinLock(&ext->Lock, old);
    return STATUS_SUCCESS;
}`,
    },
  ],
  invalid: [
    {
      name: 'the library lock taken and not released on one path',
      code: `${DECLARED_LIBRARY}
_IRQL_requires_max_(PASSIVE_LEVEL)
NTSTATUS Worker(PVOID Ctx, ULONG Length)
{
    KIRQL irql = LibLock(Ctx);
    if (Length == 0) return STATUS_INVALID_PARAMETER;
    LibUnlock(Ctx, irql);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'notRestored', line: 16, column: 22 }],
    },
    {
      name: 'a dispatch routine returns at DISPATCH_LEVEL after KeRaiseIrqlToDpcLevel',
      code: `${EXT}DRIVER_DISPATCH Dispatch;
NTSTATUS Dispatch(PDEVICE_OBJECT Dev, PIRP Irp)
{
    PEXT ext = (PEXT)Dev->DeviceExtension;
    KIRQL old = KeRaiseIrqlToDpcLevel();
    ext->Count = READ_REGISTER_ULONG(ext->Registers);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'notRestored', line: 8, column: 5, data: { fn: 'Dispatch', actual: 'DISPATCH_LEVEL', entry: 'PASSIVE_LEVEL' } }],
    },
    {
      name: 'the early error return skips the KeLowerIrql',
      code: `${EXT}DRIVER_DISPATCH Dispatch;
NTSTATUS Dispatch(PDEVICE_OBJECT Dev, PIRP Irp)
{
    PEXT ext = (PEXT)Dev->DeviceExtension;
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    if (ext->Stopped) {
        return STATUS_DEVICE_NOT_READY;
    }
    ext->Count++;
    KeLowerIrql(old);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'notRestored', line: 9, column: 9 }],
    },
    {
      name: 'a VOID function falls off its end raised: reported at the closing brace',
      code: `${EXT}_IRQL_requires_(PASSIVE_LEVEL)
VOID Flush(PEXT Ext)
{
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    if (Ext->Stopped) {
        KeLowerIrql(old);
        return;
    }
    Ext->Count = 0;
}`,
      errors: [{ messageId: 'notRestored', line: 12, column: 1 }],
    },
    {
      name: 'a DPC lowers to PASSIVE_LEVEL and returns there',
      code: `${EXT}KDEFERRED_ROUTINE Dpc;
VOID Dpc(PKDPC D, PVOID Context, PVOID A, PVOID B)
{
    PEXT ext = (PEXT)Context;
    KeLowerIrql(PASSIVE_LEVEL);
    ext->Count++;
}`,
      errors: [{ messageId: 'notRestored', line: 8, column: 1, data: { actual: 'PASSIVE_LEVEL', entry: 'DISPATCH_LEVEL' } }],
    },
    {
      name: 'KeRaiseIrql(APC_LEVEL) in a DPC, then KeLowerIrql back to DISPATCH_LEVEL',
      code: `${EXT}KDEFERRED_ROUTINE Dpc;
VOID Dpc(PKDPC D, PVOID Context, PVOID A, PVOID B)
{
    PEXT ext = (PEXT)Context;
    KIRQL old;
    KeRaiseIrql(APC_LEVEL, &old);
    ext->Count++;
    KeLowerIrql(old);
}`,
      errors: [
        { messageId: 'raiseBelow', line: 7, column: 5, data: { callee: 'KeRaiseIrql', target: 'APC_LEVEL', actual: 'DISPATCH_LEVEL' } },
        { messageId: 'lowerAbove', line: 9, column: 5, data: { callee: 'KeLowerIrql', target: 'DISPATCH_LEVEL', actual: 'APC_LEVEL' } },
      ],
    },
    {
      name: 'nested raises lowered out of order: the second lower goes back up',
      code: `${EXT}_IRQL_requires_(PASSIVE_LEVEL)
VOID Sample(PEXT Ext)
{
    KIRQL passive;
    KIRQL apc;
    KeRaiseIrql(APC_LEVEL, &passive);
    KeRaiseIrql(DISPATCH_LEVEL, &apc);
    Ext->Count++;
    KeLowerIrql(passive);
    KeLowerIrql(apc);
}`,
      errors: [
        { messageId: 'lowerAbove', line: 11, column: 5, data: { target: 'APC_LEVEL', actual: 'PASSIVE_LEVEL' } },
        { messageId: 'notRestored', line: 12, column: 1, data: { actual: 'APC_LEVEL' } },
      ],
    },
    {
      name: 'a fast mutex held at a return: the dispatch routine returns at APC_LEVEL',
      code: `${EXT}DRIVER_DISPATCH Dispatch;
NTSTATUS Dispatch(PDEVICE_OBJECT Dev, PIRP Irp)
{
    PEXT ext = (PEXT)Dev->DeviceExtension;
    ExAcquireFastMutex(&ext->Mutex);
    if (ext->Stopped) return STATUS_DEVICE_NOT_READY;
    ext->Count++;
    ExReleaseFastMutex(&ext->Mutex);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'notRestored', line: 7, column: 23, data: { actual: 'APC_LEVEL' } }],
    },
    {
      name: 'a helper called only under a spin lock raises to APC_LEVEL',
      code: `${EXT}DRIVER_DISPATCH Dispatch;
VOID Bump(PEXT Ext)
{
    KIRQL old;
    KeRaiseIrql(APC_LEVEL, &old);
    Ext->Count++;
    KeLowerIrql(old);
}
NTSTATUS Dispatch(PDEVICE_OBJECT Dev, PIRP Irp)
{
    PEXT ext = (PEXT)Dev->DeviceExtension;
    KIRQL old;
    KeAcquireSpinLock(&ext->Lock, &old);
    Bump(ext);
    KeReleaseSpinLock(&ext->Lock, old);
    return STATUS_SUCCESS;
}`,
      errors: [
        { messageId: 'raiseBelow', line: 6, column: 5 },
        { messageId: 'lowerAbove', line: 8, column: 5 },
      ],
    },
    {
      name: 'a function with no context raised to HIGH_LEVEL returns above every level it may be entered at',
      code: `${EXT}VOID Poke(PEXT Ext)
{
    KIRQL old;
    KeRaiseIrql(HIGH_LEVEL, &old);
    WRITE_REGISTER_ULONG(Ext->Registers, 1);
}`,
      errors: [{ messageId: 'notRestored', line: 7, column: 1, data: { actual: 'HIGH_LEVEL' } }],
    },
    {
      name: 'the caller of an _IRQL_raises_ wrapper returns without the matching lower',
      code: `${EXT}DRIVER_DISPATCH Dispatch;
_IRQL_raises_(DISPATCH_LEVEL)
VOID AcquireHardware(PEXT Ext)
{
    Ext->Saved = KeRaiseIrqlToDpcLevel();
}
NTSTATUS Dispatch(PDEVICE_OBJECT Dev, PIRP Irp)
{
    PEXT ext = (PEXT)Dev->DeviceExtension;
    AcquireHardware(ext);
    if (ext->Stopped) return STATUS_DEVICE_NOT_READY;
    KeLowerIrql(ext->Saved);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'notRestored', line: 12, column: 23, data: { fn: 'Dispatch', actual: 'DISPATCH_LEVEL' } }],
    },
    {
      name: 'the cancel spin lock still held at a return',
      code: `${EXT}DRIVER_DISPATCH Dispatch;
NTSTATUS Dispatch(PDEVICE_OBJECT Dev, PIRP Irp)
{
    KIRQL cancelIrql;
    IoAcquireCancelSpinLock(&cancelIrql);
    if (Irp->Cancel) {
        return STATUS_CANCELLED;
    }
    IoReleaseCancelSpinLock(cancelIrql);
    return STATUS_PENDING;
}`,
      errors: [{ messageId: 'notRestored', line: 8, column: 9 }],
    },
  ],
});
