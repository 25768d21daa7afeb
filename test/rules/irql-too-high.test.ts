import { irqlTooHigh } from '../../rules/irql-too-high.js';
import { runRuleTests } from '../support/rule-tester.js';
import { DECLARED_LIBRARY } from '../support/declared-library.js';

const EXT = 'typedef struct _EXT { KSPIN_LOCK Lock; KDPC Dpc; HANDLE File; KEVENT Event; FAST_MUTEX Mutex; } EXT, *PEXT;\n';

runRuleTests(irqlTooHigh, {
  valid: [
    {
      name: "a method called through a member of another class is that class's, not the first method of its name in the file",
      filename: 'locks.cpp',
      code: `class FastMutex {
public:
    VOID Unlock() { ExReleaseFastMutex(&Mutex); }
    FAST_MUTEX Mutex;
};
class SpinLock {
public:
    VOID Unlock() { KeReleaseSpinLock(&Lock, OldIrql); }
    KSPIN_LOCK Lock;
    KIRQL OldIrql;
};
class SpinSection {
public:
    _IRQL_requires_(DISPATCH_LEVEL)
    VOID Leave() { SpinMutex.Unlock(); }
    SpinLock SpinMutex;
};`,
    },
    {
      name: 'an annotation on one of two same-named static functions of a file (two namespaces) is not the other one\'s',
      filename: 'hv.cpp',
      code: `namespace Svm {
    static bool Virtualize() {
        PVOID p = MmAllocateContiguousMemory(PAGE_SIZE, PHYSICAL_ADDRESS{});
        return p != NULL;
    }
    bool VirtualizeAll() { return Virtualize(); }
}
namespace Vmx {
    _IRQL_requires_(IPI_LEVEL)
    static bool Virtualize(PVOID Shared) {
        UNREFERENCED_PARAMETER(Shared);
        return true;
    }
    ULONG_PTR Ipi(ULONG_PTR Arg) { return Virtualize((PVOID)Arg); }
}`,
    },
    {
      name: 'ZwClose after the spin lock is released',
      code: `${EXT}DRIVER_DISPATCH Dispatch;
NTSTATUS Dispatch(PDEVICE_OBJECT Dev, PIRP Irp)
{
    PEXT ext = (PEXT)Dev->DeviceExtension;
    KIRQL old;
    HANDLE h;
    KeAcquireSpinLock(&ext->Lock, &old);
    h = ext->File;
    ext->File = NULL;
    KeReleaseSpinLock(&ext->Lock, old);
    ZwClose(h);
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'a wait with a zero timeout at DISPATCH_LEVEL',
      code: `${EXT}KDEFERRED_ROUTINE Dpc;
VOID Dpc(PKDPC D, PVOID Context, PVOID A, PVOID B)
{
    PEXT ext = (PEXT)Context;
    LARGE_INTEGER zero;
    zero.QuadPart = 0;
    KeWaitForSingleObject(&ext->Event, Executive, KernelMode, FALSE, &zero);
}`,
    },
    {
      name: 'a function with no annotation, role or caller: its IRQL is not known',
      code: `${EXT}VOID CloseFile(PEXT Ext)
{
    ZwClose(Ext->File);
}`,
    },
    {
      name: 'a branch on KeGetCurrentIrql() before waiting',
      code: `${EXT}VOID MaybeWait(PEXT Ext)
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
      name: 'the lock taken on one branch only: the IRQL at the later call may be PASSIVE_LEVEL',
      code: `${EXT}DRIVER_DISPATCH Dispatch;
NTSTATUS Dispatch(PDEVICE_OBJECT Dev, PIRP Irp)
{
    PEXT ext = (PEXT)Dev->DeviceExtension;
    KIRQL old;
    BOOLEAN locked = FALSE;
    if (Irp->Flags) { KeAcquireSpinLock(&ext->Lock, &old); locked = TRUE; }
    if (locked) KeReleaseSpinLock(&ext->Lock, old);
    ZwClose(ext->File);
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'nonpaged allocation and IoCompleteRequest under a spin lock',
      code: `${EXT}DRIVER_DISPATCH Dispatch;
NTSTATUS Dispatch(PDEVICE_OBJECT Dev, PIRP Irp)
{
    PEXT ext = (PEXT)Dev->DeviceExtension;
    KIRQL old;
    PVOID p;
    KeAcquireSpinLock(&ext->Lock, &old);
    p = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, 'txeT');
    KeReleaseSpinLock(&ext->Lock, old);
    if (p) ExFreePoolWithTag(p, 'txeT');
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'a wait forever in a DPC is irql-wait-at-dispatch\'s, not this rule\'s',
      code: `${EXT}KDEFERRED_ROUTINE Dpc;
VOID Dpc(PKDPC D, PVOID Context, PVOID A, PVOID B)
{
    KeWaitForSingleObject(&((PEXT)Context)->Event, Executive, KernelMode, FALSE, NULL);
}`,
    },
    {
      name: 'paged pool under a spin lock is irql-pageable-at-dispatch\'s, not this rule\'s',
      code: `${EXT}DRIVER_DISPATCH Dispatch;
NTSTATUS Dispatch(PDEVICE_OBJECT Dev, PIRP Irp)
{
    PEXT ext = (PEXT)Dev->DeviceExtension;
    KIRQL old;
    PVOID p;
    KeAcquireSpinLock(&ext->Lock, &old);
    p = ExAllocatePoolWithTag(PagedPool, 64, 'txeT');
    KeReleaseSpinLock(&ext->Lock, old);
    if (p) ExFreePoolWithTag(p, 'txeT');
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'a probe under a spin lock of an MDL over a buffer of unknown kind, with unknownBuffers off',
      options: { unknownBuffers: false },
      code: `${EXT}DRIVER_DISPATCH Dispatch;
NTSTATUS Dispatch(PDEVICE_OBJECT Dev, PIRP Irp)
{
    PEXT ext = (PEXT)Dev->DeviceExtension;
    KIRQL old;
    PMDL mdl = IoAllocateMdl(Irp->Tail.Overlay.DriverContext[0], 64, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    KeAcquireSpinLock(&ext->Lock, &old);
    __try {
        MmProbeAndLockPages(mdl, KernelMode, IoReadAccess);
        MmUnlockPages(mdl);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
    }
    KeReleaseSpinLock(&ext->Lock, old);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'a probe under a spin lock of an MDL over nonpaged pool',
      code: `${EXT}DRIVER_DISPATCH Dispatch;
NTSTATUS Dispatch(PDEVICE_OBJECT Dev, PIRP Irp)
{
    PEXT ext = (PEXT)Dev->DeviceExtension;
    KIRQL old;
    PVOID buf = ExAllocatePoolWithTag(NonPagedPoolNx, 64, 'txeT');
    PMDL mdl;
    if (buf == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    mdl = IoAllocateMdl(buf, 64, FALSE, FALSE, NULL);
    if (mdl == NULL) { ExFreePoolWithTag(buf, 'txeT'); return STATUS_INSUFFICIENT_RESOURCES; }
    KeAcquireSpinLock(&ext->Lock, &old);
    __try {
        MmProbeAndLockPages(mdl, KernelMode, IoReadAccess);
        MmUnlockPages(mdl);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
    }
    KeReleaseSpinLock(&ext->Lock, old);
    IoFreeMdl(mdl);
    ExFreePoolWithTag(buf, 'txeT');
    return STATUS_SUCCESS;
}`,
    },
    {
      name: "a helper's NULL branch is not the branch of a caller that passes an address (`&open->Context` is never NULL)",
      code: `typedef struct _CTX { HANDLE Token; } CTX, *PCTX;
typedef struct _OPEN { CTX Context; LIST_ENTRY Link; } OPEN, *POPEN;
FAST_MUTEX Lock;
HANDLE Anonymous;
static VOID Send(PCTX Context)
{
    if (Context == NULL) {
        ZwClose(Anonymous);
    }
}
VOID Refresh(POPEN Open)
{
    ExAcquireFastMutex(&Lock);
    Send(&Open->Context);
    ExReleaseFastMutex(&Lock);
}`,
    },
    {
      name: 'a C++ default argument given on the definition itself, through SAL annotations, binds the parameter a call leaves out',
      filename: 'translate.cpp',
      code: `static PVOID Translate(_In_reads_opt_(1) PVOID Address, _In_opt_ PEPROCESS Process = NULL)
{
    if (!Process) {
        return Address;
    }
    KAPC_STATE apcState;
    KeStackAttachProcess(Process, &apcState);
    KeUnstackDetachProcess(&apcState);
    return Address;
}
typedef struct _RING { KSPIN_LOCK Lock; PVOID E; } RING, *PRING;
VOID RingPublish(_Inout_ PRING Ring)
{
    KIRQL oldIrql;
    KeAcquireSpinLock(&Ring->Lock, &oldIrql);
    Ring->E = Translate(Ring->E);
    KeReleaseSpinLock(&Ring->Lock, oldIrql);
}`,
    },
  ],
  invalid: [
    {
      name: 'a library routine the driver only declares, annotated _IRQL_requires_max_(PASSIVE_LEVEL), called after the library lock raised (both from their declarations)',
      code: `${DECLARED_LIBRARY}
_IRQL_requires_max_(PASSIVE_LEVEL)
VOID Worker(PVOID Ctx)
{
    KIRQL irql = LibLock(Ctx);
    LibPassiveOnly(Ctx);
    LibUnlock(Ctx, irql);
    LibPassiveOnly(Ctx);
}`,
      errors: [{ messageId: 'tooHigh', line: 16, column: 5, data: { callee: 'LibPassiveOnly', required: 'PASSIVE_LEVEL', actual: 'DISPATCH_LEVEL' } }],
    },
    {
      name: 'a probe under a spin lock of an MDL over a buffer of unknown kind: "if the buffer is pageable"',
      code: `${EXT}DRIVER_DISPATCH Dispatch;
NTSTATUS Dispatch(PDEVICE_OBJECT Dev, PIRP Irp)
{
    PEXT ext = (PEXT)Dev->DeviceExtension;
    KIRQL old;
    PMDL mdl = IoAllocateMdl(Irp->Tail.Overlay.DriverContext[0], 64, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    KeAcquireSpinLock(&ext->Lock, &old);
    __try {
        MmProbeAndLockPages(mdl, KernelMode, IoReadAccess);
        MmUnlockPages(mdl);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
    }
    KeReleaseSpinLock(&ext->Lock, old);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'tooHighIfPageable', line: 11, column: 9, data: { callee: 'MmProbeAndLockPages', required: 'APC_LEVEL or below', actual: 'DISPATCH_LEVEL' } }],
    },
    {
      name: 'ZwClose under a spin lock',
      code: `${EXT}DRIVER_DISPATCH Dispatch;
NTSTATUS Dispatch(PDEVICE_OBJECT Dev, PIRP Irp)
{
    PEXT ext = (PEXT)Dev->DeviceExtension;
    KIRQL old;
    KeAcquireSpinLock(&ext->Lock, &old);
    ZwClose(ext->File);
    KeReleaseSpinLock(&ext->Lock, old);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'tooHigh', line: 8, column: 5, data: { callee: 'ZwClose', required: 'PASSIVE_LEVEL', actual: 'DISPATCH_LEVEL' } }],
    },
    {
      name: 'a helper called from a DPC routine closes a handle',
      code: `${EXT}KDEFERRED_ROUTINE Dpc;
VOID CloseIt(PEXT Ext)
{
    ZwClose(Ext->File);
}
VOID Dpc(PKDPC D, PVOID Context, PVOID A, PVOID B)
{
    CloseIt((PEXT)Context);
}`,
      errors: [{ messageId: 'tooHigh', line: 5, column: 5, data: { callee: 'ZwClose', actual: 'DISPATCH_LEVEL' } }],
    },
    {
      name: 'a DPC registered with KeInitializeDpc closes a handle',
      code: `${EXT}VOID MyDpc(PKDPC D, PVOID Context, PVOID A, PVOID B)
{
    PEXT ext = (PEXT)Context;
    NTSTATUS s = ZwClose(ext->File);
    if (NT_SUCCESS(s)) ext->File = NULL;
}
VOID Setup(PEXT Ext)
{
    KeInitializeDpc(&Ext->Dpc, MyDpc, Ext);
}`,
      errors: [{ messageId: 'tooHigh', line: 5, column: 18 }],
    },
    {
      name: 'KeRaiseIrql to DISPATCH_LEVEL, then a fast mutex',
      code: `${EXT}_IRQL_requires_(PASSIVE_LEVEL)
VOID Update(PEXT Ext)
{
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    ExAcquireFastMutex(&Ext->Mutex);
    ExReleaseFastMutex(&Ext->Mutex);
    KeLowerIrql(old);
}`,
      errors: [{ messageId: 'tooHigh', line: 7, column: 5, data: { callee: 'ExAcquireFastMutex' } }],
    },
    {
      name: 'WdfWaitLockAcquire with a NULL timeout under a fast mutex (APC_LEVEL) stays irql-too-high',
      code: `typedef struct _CTX { FAST_MUTEX Mutex; WDFWAITLOCK Lock; ULONG Value; } CTX, *PCTX;
_IRQL_requires_(PASSIVE_LEVEL)
VOID Update(PCTX Ctx)
{
    ExAcquireFastMutex(&Ctx->Mutex);
    WdfWaitLockAcquire(Ctx->Lock, NULL);
    Ctx->Value++;
    WdfWaitLockRelease(Ctx->Lock);
    ExReleaseFastMutex(&Ctx->Mutex);
}`,
      errors: [{ messageId: 'tooHigh', line: 6, column: 5, data: { callee: 'WdfWaitLockAcquire', actual: 'APC_LEVEL' } }],
    },
    {
      name: 'KeSetEvent with Wait TRUE under an in-stack queued spin lock',
      code: `${EXT}DRIVER_DISPATCH Dispatch;
NTSTATUS Dispatch(PDEVICE_OBJECT Dev, PIRP Irp)
{
    PEXT ext = (PEXT)Dev->DeviceExtension;
    KLOCK_QUEUE_HANDLE h;
    KeAcquireInStackQueuedSpinLock(&ext->Lock, &h);
    KeSetEvent(&ext->Event, IO_NO_INCREMENT, TRUE);
    KeReleaseInStackQueuedSpinLock(&h);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'tooHigh', line: 8, column: 5, data: { callee: 'KeSetEvent' } }],
    },
  ],
});
