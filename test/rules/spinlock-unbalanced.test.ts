import { spinlockUnbalanced } from '../../rules/spinlock-unbalanced.js';
import { runRuleTests } from '../support/rule-tester.js';

/** An in-stack queued lock's acquire helper that fills the caller's handle, and a release helper that takes only the handle (lines 2 to 9). */
const HANDLE_HELPERS = `static VOID LockExt(PEXT Ext, PKLOCK_QUEUE_HANDLE Handle)
{
    KeAcquireInStackQueuedSpinLock(&Ext->Lock, Handle);
}
static VOID UnlockExt(PKLOCK_QUEUE_HANDLE Handle)
{
    KeReleaseInStackQueuedSpinLock(Handle);
}
`;
const EXT = 'typedef struct _EXT { KSPIN_LOCK Lock; KSPIN_LOCK Stats; FAST_MUTEX Mutex; WDFSPINLOCK WdfLock; PIRP Current; ULONG Count; BOOLEAN Stopped; } EXT, *PEXT;\n';

runRuleTests(spinlockUnbalanced, {
  valid: [
    {
      name: 'released before each return',
      code: `${EXT}DRIVER_DISPATCH Dispatch;
NTSTATUS Dispatch(PDEVICE_OBJECT Dev, PIRP Irp)
{
    PEXT ext = (PEXT)Dev->DeviceExtension;
    KIRQL old;
    KeAcquireSpinLock(&ext->Lock, &old);
    if (ext->Stopped) {
        KeReleaseSpinLock(&ext->Lock, old);
        return STATUS_DEVICE_NOT_READY;
    }
    ext->Count++;
    KeReleaseSpinLock(&ext->Lock, old);
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'a release guarded by the flag that records the acquire',
      code: `${EXT}_IRQL_requires_(PASSIVE_LEVEL)
VOID CountIfRunning(PEXT Ext)
{
    BOOLEAN locked = FALSE;
    KIRQL old = PASSIVE_LEVEL;
    if (!Ext->Stopped) { KeAcquireSpinLock(&Ext->Lock, &old); locked = TRUE; }
    Ext->Count++;
    if (locked) KeReleaseSpinLock(&Ext->Lock, old);
}`,
    },
    {
      name: 'the release in a __finally also runs for a return inside the __try',
      code: `${EXT}_IRQL_requires_(PASSIVE_LEVEL)
NTSTATUS Take(PEXT Ext)
{
    KIRQL old;
    KeAcquireSpinLock(&Ext->Lock, &old);
    __try {
        if (Ext->Stopped) return STATUS_DEVICE_NOT_READY;
        Ext->Count++;
    } __finally {
        KeReleaseSpinLock(&Ext->Lock, old);
    }
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'goto cleanup releases on every path',
      code: `${EXT}_IRQL_requires_(PASSIVE_LEVEL)
NTSTATUS Take(PEXT Ext)
{
    NTSTATUS status = STATUS_SUCCESS;
    KIRQL old;
    KeAcquireSpinLock(&Ext->Lock, &old);
    if (Ext->Stopped) { status = STATUS_DEVICE_NOT_READY; goto Cleanup; }
    Ext->Count++;
Cleanup:
    KeReleaseSpinLock(&Ext->Lock, old);
    return status;
}`,
    },
    {
      name: 'a lock taken by the caller and released here: its state at entry is unknown',
      code: `${EXT}VOID FinishLocked(PEXT Ext)
{
    Ext->Current = NULL;
    KeReleaseSpinLockFromDpcLevel(&Ext->Lock);
}`,
    },
    {
      name: 'a release helper called by a caller that took the lock',
      code: `${EXT}KDEFERRED_ROUTINE Dpc;
VOID FinishLocked(PEXT Ext)
{
    Ext->Current = NULL;
    KeReleaseSpinLockFromDpcLevel(&Ext->Lock);
}
VOID Dpc(PKDPC D, PVOID Context, PVOID A, PVOID B)
{
    PEXT ext = (PEXT)Context;
    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    FinishLocked(ext);
}`,
    },
    {
      name: 'KeTryToAcquireSpinLockAtDpcLevel is not tracked',
      code: `${EXT}KDEFERRED_ROUTINE Dpc;
VOID Dpc(PKDPC D, PVOID Context, PVOID A, PVOID B)
{
    PEXT ext = (PEXT)Context;
    if (!KeTryToAcquireSpinLockAtDpcLevel(&ext->Lock)) return;
    ext->Count++;
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);
}`,
    },
    {
      name: 'an _Acquires_lock_ wrapper returns with the lock held by contract',
      code: `${EXT}_Acquires_lock_(Ext->Lock)
_IRQL_raises_(DISPATCH_LEVEL)
VOID LockQueue(PEXT Ext, PKIRQL Old)
{
    KeAcquireSpinLock(&Ext->Lock, Old);
}`,
    },
    {
      name: 'a drain loop drops the lock and takes it again',
      code: `${EXT}_IRQL_requires_(PASSIVE_LEVEL)
VOID Drain(PEXT Ext)
{
    KIRQL old;
    KeAcquireSpinLock(&Ext->Lock, &old);
    while (Ext->Count != 0) {
        Ext->Count--;
        KeReleaseSpinLock(&Ext->Lock, old);
        KeAcquireSpinLock(&Ext->Lock, &old);
    }
    KeReleaseSpinLock(&Ext->Lock, old);
}`,
    },
    {
      name: 'an in-stack queued lock released through its handle on both paths',
      code: `${EXT}_IRQL_requires_(PASSIVE_LEVEL)
NTSTATUS Next(PEXT Ext)
{
    KLOCK_QUEUE_HANDLE h;
    KeAcquireInStackQueuedSpinLock(&Ext->Lock, &h);
    if (Ext->Stopped) {
        KeReleaseInStackQueuedSpinLock(&h);
        return STATUS_DEVICE_NOT_READY;
    }
    Ext->Count++;
    KeReleaseInStackQueuedSpinLock(&h);
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'an in-stack queued lock released through a helper that takes only the handle',
      code: `${EXT}static VOID UnlockExt(PKLOCK_QUEUE_HANDLE Handle)
{
    KeReleaseInStackQueuedSpinLock(Handle);
}
_IRQL_requires_(PASSIVE_LEVEL)
VOID Bump(PEXT Ext)
{
    KLOCK_QUEUE_HANDLE h;
    KeAcquireInStackQueuedSpinLock(&Ext->Lock, &h);
    Ext->Count++;
    UnlockExt(&h);
}`,
    },
    {
      name: 'an in-stack queued lock on one side, a plain acquire on the other, each released its own way',
      code: `${EXT}_IRQL_requires_(PASSIVE_LEVEL)
VOID Bump(PEXT Ext, BOOLEAN Queued)
{
    KLOCK_QUEUE_HANDLE h;
    KIRQL old;
    if (Queued) KeAcquireInStackQueuedSpinLock(&Ext->Lock, &h);
    else KeAcquireSpinLock(&Ext->Lock, &old);
    Ext->Count++;
    if (Queued) KeReleaseInStackQueuedSpinLock(&h);
    else KeReleaseSpinLock(&Ext->Lock, old);
}`,
    },
    {
      name: 'KeTryToAcquireSpinLockAtDpcLevel: released where it returned TRUE, nothing to release where it did not',
      code: `${EXT}KDEFERRED_ROUTINE Dpc;
VOID Dpc(PKDPC D, PVOID Context, PVOID A, PVOID B)
{
    PEXT ext = (PEXT)Context;
    if (!KeTryToAcquireSpinLockAtDpcLevel(&ext->Lock)) {
        return;
    }
    ext->Count++;
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);
}`,
    },
  ],
  invalid: [
    {
      name: 'an exported acquire routine nothing calls, unannotated: reported as taking the lock for its caller (a parameter\'s, a global)',
      code: `${EXT}VOID ExtAcquireStatsLock(PEXT Ext, PKIRQL Old)
{
    KeAcquireSpinLock(&Ext->Stats, Old);
}
KSPIN_LOCK TableLock;
KIRQL TableIrql;
VOID Lock_Table(VOID)
{
    KeAcquireSpinLock(&TableLock, &TableIrql);
}`,
      errors: [
        { messageId: 'acquiredForCaller', line: 5, column: 1, data: { fn: 'ExtAcquireStatsLock', lock: 'Ext->Stats', via: 'KeAcquireSpinLock', line: '4' } },
        { messageId: 'acquiredForCaller', line: 11, column: 1, data: { fn: 'Lock_Table', lock: 'TableLock' } },
      ],
    },
    {
      name: 'an acquire routine given its context as a PVOID: the lock reached through the local pointer is its caller\'s',
      code: `${EXT}static VOID ExtAcquireLock(PVOID Argument)
{
    PEXT Ext = Argument;
    KeAcquireSpinLockAtDpcLevel(&Ext->Lock);
}
static VOID ExtAcquireLockFromDpc(PVOID Argument)
{
    KeAcquireSpinLockAtDpcLevel(&((PEXT)Argument)->Stats);
}
static VOID ExtAcquireFirstLock(PVOID Argument)
{
    PEXT exts = Argument;
    PKSPIN_LOCK lock = &exts->Lock; /* p = &local would be the function's own */
    KeAcquireSpinLockAtDpcLevel(&exts[0].Stats);
}`,
      errors: [
        { messageId: 'acquiredForCaller', line: 6, column: 1, data: { fn: 'ExtAcquireLock', lock: 'Ext->Lock' } },
        { messageId: 'acquiredForCaller', line: 10, column: 1, data: { fn: 'ExtAcquireLockFromDpc' } },
        { messageId: 'acquiredForCaller', line: 16, column: 1, data: { fn: 'ExtAcquireFirstLock', lock: 'exts[0].Stats' } },
      ],
    },
    {
      name: 'an acquire routine that takes a lock of its own (a local, or a local pointer at a local) returns holding it: no caller can release it',
      code: `${EXT}VOID ExtAcquireLocal(VOID)
{
    EXT local;
    PEXT p = &local;
    KeAcquireSpinLockAtDpcLevel(&p->Lock);
}
VOID ExtLockLocal(VOID)
{
    KSPIN_LOCK lock;
    KeAcquireSpinLockAtDpcLevel(&lock);
}
VOID ExtAcquireCast(VOID) { EXT local; PEXT p = (PEXT)&local; KeAcquireSpinLockAtDpcLevel(&p->Lock); }
VOID ExtAcquireArray(VOID) { EXT locals[2]; PEXT p = locals; KeAcquireSpinLockAtDpcLevel(&p->Lock); }
VOID ExtAcquireEither(BOOLEAN b) { EXT x, y; PEXT p = b ? &x : &y; KeAcquireSpinLockAtDpcLevel(&p->Lock); }
VOID ExtAcquireElement(VOID) { EXT locals[2]; KeAcquireSpinLockAtDpcLevel(&locals[1].Lock); }`,
      errors: [
        { messageId: 'heldAtExit', line: 7, column: 1 },
        { messageId: 'heldAtExit', line: 12, column: 1 },
        { messageId: 'heldAtExit', line: 13, column: 102 },
        { messageId: 'heldAtExit', line: 14, column: 101 },
        { messageId: 'heldAtExit', line: 15, column: 107 },
        { messageId: 'heldAtExit', line: 16, column: 93 },
      ],
    },
    {
      name: 'an uncalled routine whose name does not say it acquires (nor one that says it releases) returns holding the lock',
      code: `${EXT}VOID ExtTouch(PEXT Ext, PKIRQL Old)
{
    KeAcquireSpinLock(&Ext->Stats, Old);
}
VOID ExtReleaseAndLock(PEXT Ext, PKIRQL Old)
{
    KeAcquireSpinLock(&Ext->Lock, Old);
}`,
      errors: [
        { messageId: 'heldAtExit', line: 5, column: 1 },
        { messageId: 'heldAtExit', line: 9, column: 1 },
      ],
    },
    {
      name: 'an acquire routine that some function calls is a helper: its caller returns holding the lock',
      code: `${EXT}VOID ExtAcquire(PEXT Ext, PKIRQL Old)
{
    KeAcquireSpinLock(&Ext->Lock, Old);
}
DRIVER_DISPATCH Dispatch;
NTSTATUS Dispatch(PDEVICE_OBJECT Dev, PIRP Irp)
{
    KIRQL old;
    ExtAcquire((PEXT)Dev->DeviceExtension, &old);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'heldAtExit', line: 11, column: 5 }],
    },
    {
      name: 'KeTryToAcquireSpinLockAtDpcLevel: a return on the side where it returned TRUE keeps the lock',
      code: `${EXT}KDEFERRED_ROUTINE Dpc;
VOID Dpc(PKDPC D, PVOID Context, PVOID A, PVOID B)
{
    PEXT ext = (PEXT)Context;
    if (KeTryToAcquireSpinLockAtDpcLevel(&ext->Lock) == FALSE) {
        return;
    }
    if (ext->Stopped) {
        return;
    }
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);
}`,
      errors: [{ messageId: 'heldAtExit', line: 10, column: 9, data: { lock: 'ext->Lock', via: 'KeTryToAcquireSpinLockAtDpcLevel', line: 6 } }],
    },
    {
      name: 'an acquire helper fills the handle; the error return skips the release helper',
      code: `${EXT}${HANDLE_HELPERS}_IRQL_requires_(PASSIVE_LEVEL)
NTSTATUS Next(PEXT Ext)
{
    KLOCK_QUEUE_HANDLE h;
    LockExt(Ext, &h);
    if (Ext->Stopped) {
        return STATUS_DEVICE_NOT_READY;
    }
    Ext->Count++;
    UnlockExt(&h);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'heldAtExit', line: 16, column: 9, data: { lock: 'Ext->Lock', via: 'LockExt (KeAcquireInStackQueuedSpinLock at its line 4)', line: 14 } }],
    },
    {
      name: 'a release helper that takes only the handle, called twice',
      code: `${EXT}${HANDLE_HELPERS}_IRQL_requires_(PASSIVE_LEVEL)
VOID Twice(PEXT Ext)
{
    KLOCK_QUEUE_HANDLE h;
    LockExt(Ext, &h);
    Ext->Count++;
    UnlockExt(&h);
    UnlockExt(&h);
}`,
      errors: [{ messageId: 'notHeld', line: 17, column: 5, data: { callee: 'UnlockExt', lock: 'Ext->Lock', line: 16 } }],
    },
    {
      name: 'an early return inside the locked region',
      code: `${EXT}DRIVER_DISPATCH Dispatch;
NTSTATUS Dispatch(PDEVICE_OBJECT Dev, PIRP Irp)
{
    PEXT ext = (PEXT)Dev->DeviceExtension;
    KIRQL old;
    KeAcquireSpinLock(&ext->Lock, &old);
    if (ext->Stopped) {
        return STATUS_DEVICE_NOT_READY;
    }
    KeReleaseSpinLock(&ext->Lock, old);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'heldAtExit', line: 9, column: 9, data: { lock: 'ext->Lock', via: 'KeAcquireSpinLock', line: 7, fn: 'Dispatch' } }],
    },
    {
      name: 'a DPC falls off its end holding the lock: reported at the closing brace',
      code: `${EXT}KDEFERRED_ROUTINE Dpc;
VOID Dpc(PKDPC D, PVOID Context, PVOID A, PVOID B)
{
    PEXT ext = (PEXT)Context;
    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    ext->Count++;
}`,
      errors: [{ messageId: 'heldAtExit', line: 8, column: 1 }],
    },
    {
      name: 'an error exit reached only with the lock held',
      code: `${EXT}_IRQL_requires_(PASSIVE_LEVEL)
NTSTATUS Take(PEXT Ext)
{
    KIRQL old;
    KeAcquireSpinLock(&Ext->Lock, &old);
    if (Ext->Stopped) goto Fail;
    Ext->Count++;
    KeReleaseSpinLock(&Ext->Lock, old);
    return STATUS_SUCCESS;
Fail:
    Ext->Count = 0;
    return STATUS_DEVICE_NOT_READY;
}`,
      errors: [{ messageId: 'heldAtExit', line: 13, column: 5 }],
    },
    {
      name: 'the same lock acquired twice',
      code: `${EXT}_IRQL_requires_(PASSIVE_LEVEL)
VOID Count(PEXT Ext)
{
    KIRQL old;
    KIRQL inner;
    KeAcquireSpinLock(&Ext->Lock, &old);
    KeAcquireSpinLock(&Ext->Lock, &inner);
    Ext->Count++;
    KeReleaseSpinLock(&Ext->Lock, old);
}`,
      errors: [{ messageId: 'doubleAcquire', line: 8, column: 5, data: { callee: 'KeAcquireSpinLock', lock: 'Ext->Lock', line: 7 } }],
    },
    {
      name: 'a loop takes the lock again at the end of each iteration without dropping it',
      code: `${EXT}KDEFERRED_ROUTINE Dpc;
VOID Dpc(PKDPC D, PVOID Context, PVOID A, PVOID B)
{
    PEXT ext = (PEXT)Context;
    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    while (ext->Count != 0) {
        ext->Count--;
        KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    }
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);
}`,
      errors: [{ messageId: 'doubleAcquire', line: 9, column: 9 }],
    },
    {
      name: 'a release on the error path after the lock was already released',
      code: `${EXT}KDEFERRED_ROUTINE Dpc;
VOID Dpc(PKDPC D, PVOID Context, PVOID A, PVOID B)
{
    PEXT ext = (PEXT)Context;
    KeAcquireSpinLockAtDpcLevel(&ext->Stats);
    ext->Count++;
    KeReleaseSpinLockFromDpcLevel(&ext->Stats);
    if (ext->Stopped) {
        KeReleaseSpinLockFromDpcLevel(&ext->Stats);
    }
}`,
      errors: [{ messageId: 'notHeld', line: 10, column: 9, data: { callee: 'KeReleaseSpinLockFromDpcLevel', lock: 'ext->Stats', line: 8 } }],
    },
    {
      name: 'the lock acquired by an _Acquires_lock_ wrapper, then directly again',
      code: `${EXT}DRIVER_DISPATCH Dispatch;
_Acquires_lock_(Ext->Lock)
_IRQL_raises_(DISPATCH_LEVEL)
VOID LockQueue(PEXT Ext, PKIRQL Old)
{
    KeAcquireSpinLock(&Ext->Lock, Old);
}
_Releases_lock_(Ext->Lock)
_IRQL_requires_(DISPATCH_LEVEL)
VOID UnlockQueue(PEXT Ext, KIRQL Old)
{
    KeReleaseSpinLock(&Ext->Lock, Old);
}
NTSTATUS Dispatch(PDEVICE_OBJECT Dev, PIRP Irp)
{
    PEXT ext = (PEXT)Dev->DeviceExtension;
    KIRQL old;
    KIRQL inner;
    LockQueue(ext, &old);
    KeAcquireSpinLock(&ext->Lock, &inner);
    ext->Count++;
    UnlockQueue(ext, old);
    if (ext->Stopped) {
        LockQueue(ext, &old);
        return STATUS_DEVICE_NOT_READY;
    }
    return STATUS_SUCCESS;
}`,
      errors: [
        { messageId: 'doubleAcquire', line: 21, column: 5, data: { lock: 'ext->Lock' } },
        { messageId: 'heldAtExit', line: 26, column: 9, data: { lock: 'ext->Lock' } },
      ],
    },
    {
      name: 'a release after an _Releases_lock_ wrapper already released the lock',
      code: `${EXT}KDEFERRED_ROUTINE Dpc;
_Releases_lock_(Ext->Lock)
_IRQL_requires_(DISPATCH_LEVEL)
VOID UnlockAtDpc(PEXT Ext)
{
    KeReleaseSpinLockFromDpcLevel(&Ext->Lock);
}
VOID Dpc(PKDPC D, PVOID Context, PVOID A, PVOID B)
{
    PEXT ext = (PEXT)Context;
    KeAcquireSpinLockAtDpcLevel(&ext->Lock);
    UnlockAtDpc(ext);
    KeReleaseSpinLockFromDpcLevel(&ext->Lock);
}`,
      errors: [{ messageId: 'notHeld', line: 14, column: 5 }],
    },
    {
      name: 'an in-stack queued lock left held on an early return',
      code: `${EXT}_IRQL_requires_(PASSIVE_LEVEL)
NTSTATUS Next(PEXT Ext)
{
    KLOCK_QUEUE_HANDLE h;
    KeAcquireInStackQueuedSpinLock(&Ext->Lock, &h);
    if (Ext->Stopped) return STATUS_DEVICE_NOT_READY;
    KeReleaseInStackQueuedSpinLock(&h);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'heldAtExit', line: 7, column: 23, data: { via: 'KeAcquireInStackQueuedSpinLock' } }],
    },
    {
      name: 'a fast mutex acquired twice',
      code: `${EXT}_IRQL_requires_(PASSIVE_LEVEL)
VOID SetMode(PEXT Ext)
{
    ExAcquireFastMutex(&Ext->Mutex);
    Ext->Count = 0;
    ExAcquireFastMutex(&Ext->Mutex);
    ExReleaseFastMutex(&Ext->Mutex);
}`,
      errors: [{ messageId: 'doubleAcquire', line: 7, column: 5, data: { callee: 'ExAcquireFastMutex' } }],
    },
    {
      name: 'a KMDF spin lock released twice',
      code: `${EXT}EVT_WDF_DPC EvtDpc;
VOID EvtDpc(WDFDPC Dpc)
{
    PEXT ext = (PEXT)WdfDpcGetParentObject(Dpc);
    WdfSpinLockAcquire(ext->WdfLock);
    ext->Count++;
    WdfSpinLockRelease(ext->WdfLock);
    WdfSpinLockRelease(ext->WdfLock);
}`,
      errors: [{ messageId: 'notHeld', line: 9, column: 5, data: { callee: 'WdfSpinLockRelease' } }],
    },
  ],
});
