import { irqlPageableAtDispatch } from '../../rules/irql-pageable-at-dispatch.js';
import { runRuleTests } from '../support/rule-tester.js';

const EXT =
  'typedef struct _EXT { KSPIN_LOCK Lock; KDPC Dpc; PIO_WORKITEM WorkItem; PVOID Cache; PVOID Block; ULONG Count; UCHAR Record[64]; } EXT, *PEXT;\n';

runRuleTests(irqlPageableAtDispatch, {
  valid: [
    {
      name: 'PAGED_CODE() in a PAGE dispatch routine (PASSIVE_LEVEL)',
      code: `${EXT}DRIVER_DISPATCH Dispatch;
#pragma alloc_text(PAGE, Dispatch)
NTSTATUS Dispatch(PDEVICE_OBJECT Dev, PIRP Irp)
{
    PAGED_CODE();
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'a PAGE helper called only from a work item routine',
      code: `${EXT}IO_WORKITEM_ROUTINE WorkItem;
VOID Refresh(PEXT Ext);
#pragma alloc_text(PAGE, Refresh)
VOID Refresh(PEXT Ext)
{
    PAGED_CODE();
    Ext->Count = 0;
}
VOID WorkItem(PDEVICE_OBJECT Dev, PVOID Context)
{
    Refresh((PEXT)Context);
}`,
    },
    {
      name: 'an INIT function called under a spin lock from DriverEntry: INIT is not pageable',
      code: `${EXT}DRIVER_INITIALIZE DriverEntry;
VOID InitDefaults(PEXT Ext);
#pragma alloc_text(INIT, DriverEntry)
#pragma alloc_text(INIT, InitDefaults)
VOID InitDefaults(PEXT Ext)
{
    Ext->Count = 16;
}
NTSTATUS DriverEntry(PDRIVER_OBJECT Driver, PUNICODE_STRING Path)
{
    static EXT defaults;
    KIRQL old;
    KeInitializeSpinLock(&defaults.Lock);
    KeAcquireSpinLock(&defaults.Lock, &old);
    InitDefaults(&defaults);
    KeReleaseSpinLock(&defaults.Lock, old);
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'a function of a code_seg("PAGE") region called from a dispatch routine',
      code: `${EXT}DRIVER_DISPATCH Dispatch;
#pragma code_seg("PAGE")
ULONG ReadConfig(PEXT Ext)
{
    return Ext->Count;
}
#pragma code_seg()
NTSTATUS Dispatch(PDEVICE_OBJECT Dev, PIRP Irp)
{
    Irp->IoStatus.Information = ReadConfig((PEXT)Dev->DeviceExtension);
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'a function defined after #pragma code_seg() is nonpaged: called from a DPC',
      code: `${EXT}KDEFERRED_ROUTINE Dpc;
#pragma code_seg("PAGE")
VOID Unused(PEXT Ext)
{
    Ext->Count = 1;
}
#pragma code_seg()
VOID Snapshot(PEXT Ext)
{
    Ext->Count++;
}
VOID Dpc(PKDPC D, PVOID Context, PVOID A, PVOID B)
{
    Snapshot((PEXT)Context);
}`,
    },
    {
      name: 'nonpaged allocations under a spin lock',
      code: `${EXT}_IRQL_requires_max_(DISPATCH_LEVEL)
VOID Grow(PEXT Ext)
{
    KIRQL old;
    KeAcquireSpinLock(&Ext->Lock, &old);
    Ext->Cache = ExAllocatePoolWithTag(NonPagedPoolNx, 64, 'hcaC');
    Ext->Block = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, 'hcaC');
    KeReleaseSpinLock(&Ext->Lock, old);
}`,
    },
    {
      name: 'a paged allocation in a dispatch routine (PASSIVE_LEVEL)',
      code: `${EXT}DRIVER_DISPATCH Dispatch;
NTSTATUS Dispatch(PDEVICE_OBJECT Dev, PIRP Irp)
{
    PVOID p = ExAllocatePool2(POOL_FLAG_PAGED, 64, 'hcaC');
    if (p == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    ExFreePoolWithTag(p, 'hcaC');
    return STATUS_SUCCESS;
}`,
    },
    {
      name: 'ExFreePool of a nonpaged block in a DPC',
      code: `${EXT}KDEFERRED_ROUTINE Dpc;
VOID Dpc(PKDPC D, PVOID Context, PVOID A, PVOID B)
{
    PEXT ext = (PEXT)Context;
    PUCHAR scratch = (PUCHAR)ExAllocatePoolWithTag(NonPagedPoolNx, 64, 'hcaC');
    if (scratch == NULL) return;
    RtlCopyMemory(scratch, ext->Record, 64);
    ExFreePool(scratch);
}`,
    },
    {
      name: 'the free under a spin lock of a block the function did not allocate (pool type not known)',
      code: `${EXT}_IRQL_requires_max_(DISPATCH_LEVEL)
VOID Drop(PEXT Ext)
{
    KIRQL old;
    KeAcquireSpinLock(&Ext->Lock, &old);
    if (Ext->Block != NULL) {
        ExFreePoolWithTag(Ext->Block, 'hcaC');
        Ext->Block = NULL;
    }
    KeReleaseSpinLock(&Ext->Lock, old);
}`,
    },
    {
      name: 'a PAGE function with no annotation, role or caller: PASSIVE_LEVEL is possible',
      code: `${EXT}VOID Orphan(PEXT Ext);
#pragma alloc_text(PAGE, Orphan)
VOID Orphan(PEXT Ext)
{
    Ext->Count = 0;
}`,
    },
    {
      name: 'a paged block allocated before the lock, freed after the release',
      code: `${EXT}_IRQL_requires_(PASSIVE_LEVEL)
VOID Replace(PEXT Ext)
{
    PVOID fresh = ExAllocatePoolWithTag(PagedPool, 64, 'hcaC');
    PVOID old;
    KIRQL irql;
    if (fresh == NULL) return;
    KeAcquireSpinLock(&Ext->Lock, &irql);
    old = Ext->Cache;
    Ext->Cache = fresh;
    KeReleaseSpinLock(&Ext->Lock, irql);
    if (old != NULL) ExFreePoolWithTag(old, 'hcaC');
}`,
    },
  ],
  invalid: [
    {
      name: 'PAGED_CODE() in a PAGE helper called only from a DPC',
      code: `${EXT}KDEFERRED_ROUTINE Dpc;
VOID Refresh(PEXT Ext);
#pragma alloc_text(PAGE, Refresh)
VOID Refresh(PEXT Ext)
{
    PAGED_CODE();
    Ext->Count = 0;
}
VOID Dpc(PKDPC D, PVOID Context, PVOID A, PVOID B)
{
    Refresh((PEXT)Context);
}`,
      errors: [{ messageId: 'pagedCode', line: 7, column: 5, data: { fn: 'Refresh', actual: 'DISPATCH_LEVEL' } }],
    },
    {
      name: 'a DPC placed in PAGE runs its own PAGED_CODE() at DISPATCH_LEVEL',
      code: `${EXT}KDEFERRED_ROUTINE Dpc;
#pragma alloc_text(PAGE, Dpc)
VOID Dpc(PKDPC D, PVOID Context, PVOID A, PVOID B)
{
    PAGED_CODE();
    ((PEXT)Context)->Count++;
}`,
      errors: [{ messageId: 'pagedCode', line: 6, column: 5, data: { fn: 'Dpc' } }],
    },
    {
      name: 'a PAGE helper without PAGED_CODE() called under a spin lock (reported at its name)',
      code: `${EXT}DRIVER_DISPATCH Dispatch;
VOID ClearCounters(PEXT Ext);
#pragma alloc_text(PAGE, ClearCounters)
VOID ClearCounters(PEXT Ext)
{
    Ext->Count = 0;
}
NTSTATUS Dispatch(PDEVICE_OBJECT Dev, PIRP Irp)
{
    PEXT ext = (PEXT)Dev->DeviceExtension;
    KIRQL old;
    KeAcquireSpinLock(&ext->Lock, &old);
    ClearCounters(ext);
    KeReleaseSpinLock(&ext->Lock, old);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'pageSection', line: 5, column: 6, data: { fn: 'ClearCounters', section: 'PAGE', actual: 'DISPATCH_LEVEL' } }],
    },
    {
      name: 'a code_seg("PAGE") region function called only from StartIo',
      code: `${EXT}DRIVER_STARTIO StartIo;
#pragma code_seg("PAGE")
VOID
Compact(PEXT Ext)
{
    Ext->Count = 0;
}
#pragma code_seg()
VOID StartIo(PDEVICE_OBJECT Dev, PIRP Irp)
{
    Compact((PEXT)Dev->DeviceExtension);
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    IoStartNextPacket(Dev, FALSE);
}`,
      errors: [{ messageId: 'pageSection', line: 5, column: 1, data: { fn: 'Compact', section: 'PAGE' } }],
    },
    {
      name: 'a __declspec(code_seg("PAGE")) function called only from StartIo',
      code: `${EXT}DRIVER_STARTIO StartIo;
__declspec(code_seg("PAGE"))
VOID
Compact(PEXT Ext)
{
    Ext->Count = 0;
}
VOID StartIo(PDEVICE_OBJECT Dev, PIRP Irp)
{
    Compact((PEXT)Dev->DeviceExtension);
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    IoStartNextPacket(Dev, FALSE);
}`,
      errors: [{ messageId: 'pageSection', line: 5, column: 1, data: { fn: 'Compact', section: 'PAGE' } }],
    },
    {
      name: 'an IoTimer routine placed in PAGE by a quoted alloc_text',
      code: `${EXT}IO_TIMER_ROUTINE Tick;
#pragma alloc_text("PAGE", Tick)
VOID Tick(PDEVICE_OBJECT Dev, PVOID Context)
{
    ((PEXT)Context)->Count++;
}`,
      errors: [{ messageId: 'pageSection', line: 4, column: 6, data: { fn: 'Tick' } }],
    },
    {
      name: 'ExAllocatePoolWithTag(PagedPool) in a DPC',
      code: `${EXT}KDEFERRED_ROUTINE Dpc;
VOID Dpc(PKDPC D, PVOID Context, PVOID A, PVOID B)
{
    PEXT ext = (PEXT)Context;
    if (ext->Cache == NULL) ext->Cache = ExAllocatePoolWithTag(PagedPool, 64, 'hcaC');
}`,
      errors: [{ messageId: 'pagedPool', line: 6, column: 42, data: { callee: 'ExAllocatePoolWithTag', actual: 'DISPATCH_LEVEL' } }],
    },
    {
      name: 'ExAllocatePool2(POOL_FLAG_PAGED) under a spin lock',
      code: `${EXT}_IRQL_requires_(PASSIVE_LEVEL)
PVOID Snapshot(PEXT Ext)
{
    PVOID p;
    KIRQL old;
    KeAcquireSpinLock(&Ext->Lock, &old);
    p = ExAllocatePool2(POOL_FLAG_PAGED, 64, 'panS');
    KeReleaseSpinLock(&Ext->Lock, old);
    return p;
}`,
      errors: [{ messageId: 'pagedPool', line: 8, column: 9, data: { callee: 'ExAllocatePool2' } }],
    },
    {
      name: 'the free, under a spin lock, of a block the function allocated from paged pool',
      code: `${EXT}_IRQL_requires_(PASSIVE_LEVEL)
NTSTATUS Load(PEXT Ext)
{
    PUCHAR record = (PUCHAR)ExAllocatePoolWithTag(PagedPool, 64, 'droR');
    KIRQL old;
    if (record == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    KeAcquireSpinLock(&Ext->Lock, &old);
    ExFreePoolWithTag(record, 'droR');
    KeReleaseSpinLock(&Ext->Lock, old);
    return STATUS_SUCCESS;
}`,
      errors: [{ messageId: 'pagedPool', line: 9, column: 5, data: { callee: 'ExFreePoolWithTag' } }],
    },
    {
      name: 'ExAllocatePoolZero(PagedPool) after KeRaiseIrql(DISPATCH_LEVEL)',
      code: `${EXT}_IRQL_requires_max_(APC_LEVEL)
VOID Raised(PEXT Ext)
{
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    Ext->Block = ExAllocatePoolZero(PagedPool, 64, 'desR');
    KeLowerIrql(old);
}`,
      errors: [{ messageId: 'pagedPool', line: 7, column: 18, data: { callee: 'ExAllocatePoolZero' } }],
    },
    {
      name: 'PagedPoolCacheAligned in StartIo, and a PAGE helper it calls: two findings in order',
      code: `${EXT}DRIVER_STARTIO StartIo;
VOID Log(PEXT Ext);
#pragma alloc_text(PAGE, Log)
VOID Log(PEXT Ext)
{
    PAGED_CODE();
    Ext->Count++;
}
VOID StartIo(PDEVICE_OBJECT Dev, PIRP Irp)
{
    PEXT ext = (PEXT)Dev->DeviceExtension;
    ext->Cache = ExAllocatePoolWithTag(PagedPoolCacheAligned, 64, 'hcaC');
    Log(ext);
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    IoStartNextPacket(Dev, FALSE);
}`,
      errors: [
        { messageId: 'pagedCode', line: 7, column: 5, data: { fn: 'Log' } },
        { messageId: 'pagedPool', line: 13, column: 18, data: { callee: 'ExAllocatePoolWithTag' } },
      ],
    },
    {
      name: 'a PAGE helper called from a dispatch routine and from a DPC: the DPC\'s call is one way it is entered',
      code: `${EXT}DRIVER_DISPATCH Dispatch;
KDEFERRED_ROUTINE Dpc;
VOID Refresh(PEXT Ext);
#pragma alloc_text(PAGE, Refresh)
VOID Refresh(PEXT Ext)
{
    Ext->Count = 0;
}
NTSTATUS Dispatch(PDEVICE_OBJECT Dev, PIRP Irp)
{
    Refresh((PEXT)Dev->DeviceExtension);
    return STATUS_SUCCESS;
}
VOID Dpc(PKDPC D, PVOID Context, PVOID A, PVOID B)
{
    Refresh((PEXT)Context);
}`,
      errors: [{ messageId: 'pageSection', line: 6, column: 6, data: { fn: 'Refresh' } }],
    },
  ],
});
