import { irqlTooLow } from '../../rules/irql-too-low.js';
import { runRuleTests } from '../support/rule-tester.js';
import { DECLARED_LIBRARY } from '../support/declared-library.js';

const EXT = 'typedef struct _EXT { KSPIN_LOCK Lock; KDPC Dpc; FAST_MUTEX Mutex; LONG Count; } EXT, *PEXT;\n';

runRuleTests(irqlTooLow, {
  valid: [
    {
      name: 'a library lock the driver only declares, annotated _IRQL_raises_(DISPATCH_LEVEL): the DPC-level forms under it',
      code: `${DECLARED_LIBRARY}
_IRQL_requires_max_(PASSIVE_LEVEL)
VOID Worker(PVOID Ctx, PKSPIN_LOCK Lock)
{
    KIRQL irql = LibLock(Ctx);
    KeAcquireSpinLockAtDpcLevel(Lock);
    KeReleaseSpinLockFromDpcLevel(Lock);
    LibUnlock(Ctx, irql);
}`,
    },
    {
      name: 'the AtDpcLevel forms in a DPC routine',
      code: `${EXT}KDEFERRED_ROUTINE Dpc;
VOID Dpc(PKDPC D, PVOID Context, PVOID A, PVOID B)
{
    PEXT ext = (PEXT)Context;
    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    ext->Count++;
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);
}`,
    },
    {
      name: 'the AtDpcLevel forms after KeRaiseIrql',
      code: `${EXT}DRIVER_DISPATCH Dispatch;
NTSTATUS Dispatch(PDEVICE_OBJECT Dev, PIRP Irp)
{
    PEXT ext = (PEXT)Dev->DeviceExtension;
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    ext->Count++;
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);
    KeLowerIrql(old);
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'a helper of unknown IRQL may be called at DISPATCH_LEVEL',
      code: `${EXT}VOID Bump(PEXT Ext)
{
    KeAcquireSpinLockAtDpcLevel(&Ext->Lock);
    Ext->Count++;
    KeReleaseSpinLockFromDpcLevel(&Ext->Lock);
}`,
    },
    {
      name: 'a fast mutex released at APC_LEVEL',
      code: `${EXT}_IRQL_requires_max_(APC_LEVEL)
VOID Update(PEXT Ext)
{
    ExAcquireFastMutex(&Ext->Mutex);
    Ext->Count++;
    ExReleaseFastMutex(&Ext->Mutex);
}`,
    },
    {
      name: 'ExTryToAcquireFastMutex tested with == FALSE: the release after it runs at APC_LEVEL',
      code: `${EXT}IO_WORKITEM_ROUTINE Work;
VOID Work(PDEVICE_OBJECT Dev, PVOID Context)
{
    PEXT ext = (PEXT)Context;
    if (ExTryToAcquireFastMutex(&ext->Mutex) == FALSE) {
        return;
    }
    ext->Count++;
    ExReleaseFastMutex(&ext->Mutex);
}`,
    },
    {
      name: 'ExTryToAcquireFastMutex in a condition joined with &&: released inside the block',
      code: `${EXT}IO_WORKITEM_ROUTINE Work;
VOID Work(PDEVICE_OBJECT Dev, PVOID Context)
{
    PEXT ext = (PEXT)Context;
    if (ext->Count > 0 && ExTryToAcquireFastMutex(&ext->Mutex)) {
        ext->Count--;
        ExReleaseFastMutex(&ext->Mutex);
    }
}`,
    },
  ],
  invalid: [
    {
      name: 'ExReleaseFastMutex where ExTryToAcquireFastMutex returned FALSE',
      code: `${EXT}IO_WORKITEM_ROUTINE Work;
VOID Work(PDEVICE_OBJECT Dev, PVOID Context)
{
    PEXT ext = (PEXT)Context;
    if (!ExTryToAcquireFastMutex(&ext->Mutex)) {
        ExReleaseFastMutex(&ext->Mutex);
        return;
    }
    ExReleaseFastMutex(&ext->Mutex);
}`,
      errors: [{ messageId: 'tooLow', line: 7, column: 9, data: { callee: 'ExReleaseFastMutex', actual: 'PASSIVE_LEVEL' } }],
    },
    {
      name: 'a library routine the driver only declares, annotated _IRQL_requires_(DISPATCH_LEVEL), called at PASSIVE_LEVEL',
      code: `${DECLARED_LIBRARY}
_IRQL_requires_max_(PASSIVE_LEVEL)
VOID Worker(PVOID Ctx)
{
    LibUnlock(Ctx, PASSIVE_LEVEL);
}`,
      errors: [{ messageId: 'tooLow', line: 15, column: 5 }],
    },
    {
      name: 'KeAcquireSpinLockAtDpcLevel in a dispatch routine',
      code: `${EXT}DRIVER_DISPATCH Dispatch;
NTSTATUS Dispatch(PDEVICE_OBJECT Dev, PIRP Irp)
{
    PEXT ext = (PEXT)Dev->DeviceExtension;
    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    ext->Count++;
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);
    return STATUS_SUCCESS;
}`,
      errors: [
        { messageId: 'tooLow', line: 6, column: 5, data: { callee: 'KeAcquireSpinLockAtDpcLevel', actual: 'PASSIVE_LEVEL' } },
        { messageId: 'tooLow', line: 8, column: 5, data: { callee: 'KeReleaseSpinLockFromDpcLevel' } },
      ],
    },
    {
      name: 'a helper using the AtDpcLevel form, called from a work item',
      code: `${EXT}IO_WORKITEM_ROUTINE Work;
VOID Bump(PEXT Ext)
{
    KeAcquireSpinLockAtDpcLevel(&Ext->Lock);
    Ext->Count++;
    KeReleaseSpinLockFromDpcLevel(&Ext->Lock);
}
VOID Work(PDEVICE_OBJECT Dev, PVOID Context)
{
    Bump((PEXT)Context);
}`,
      errors: [
        { messageId: 'tooLow', line: 5, column: 5 },
        { messageId: 'tooLow', line: 7, column: 5 },
      ],
    },
    {
      name: 'KeReleaseSpinLock after KeLowerIrql already lowered',
      code: `${EXT}_IRQL_requires_(PASSIVE_LEVEL)
VOID Twice(PEXT Ext)
{
    KIRQL old;
    KeAcquireSpinLock(&Ext->Lock, &old);
    KeLowerIrql(old);
    KeReleaseSpinLock(&Ext->Lock, old);
}`,
      errors: [{ messageId: 'tooLow', line: 8, column: 5, data: { callee: 'KeReleaseSpinLock' } }],
    },
  ],
});
