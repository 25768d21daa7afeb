/**
 * Shapes of public drivers that once gave false findings (each case names its driver): a `static inline`
 * helper of a header that raises the IRQL (wireguard-nt), annotations of another class's method of the same
 * name (Windows-Driver-Frameworks), a path that ends in KeBugCheckEx (Sandboxie). Each has its true twin.
 */
import { describe, expect, it } from 'vitest';
import { lintText, prepareProject } from '../../src/lint/linter.js';

const lint = (files: Record<string, string>, target: string) => {
  const inputs = Object.entries(files).map(([path, text]) => ({ path: `/drv/${path}`, text }));
  const project = prepareProject(inputs, '/drv');
  return lintText(files[target]!, `/drv/${target}`, { project }).messages.map((m) => `${m.line} ${m.ruleId}`);
};

// wireguard-nt driver/rcu.h: the RCU read lock raises to DISPATCH_LEVEL, in a header every file includes
const RCU_H = `#pragma once
_IRQL_requires_max_(DISPATCH_LEVEL)
_IRQL_saves_
_IRQL_raises_(DISPATCH_LEVEL)
static inline KIRQL RcuReadLock(VOID)
{
    return KeRaiseIrqlToDpcLevel();
}

_IRQL_requires_(DISPATCH_LEVEL)
static inline VOID RcuReadUnlock(_In_ _IRQL_restores_ KIRQL Irql)
{
    KeLowerIrql(Irql);
}

static inline VOID RcuNothing(VOID)
{
}
`;
const CONTAINERS_H = `#pragma once
#include "rcu.h"
typedef struct _ENTRY { KSPIN_LOCK Lock; ULONG64 Tokens; } ENTRY;
`;
const RATELIMITER_C = `#include "containers.h"

_IRQL_requires_max_(PASSIVE_LEVEL)
BOOLEAN RatelimiterAllow(ENTRY *Entry)
{
    KIRQL Irql;
    BOOLEAN Ret;

    Irql = RcuReadLock();
    KeAcquireSpinLockAtDpcLevel(&Entry->Lock);
    Ret = Entry->Tokens > 0;
    KeReleaseSpinLockFromDpcLevel(&Entry->Lock);
    RcuReadUnlock(Irql);
    return Ret;
}

_IRQL_requires_max_(PASSIVE_LEVEL)
BOOLEAN WithoutTheReadLock(ENTRY *Entry)
{
    BOOLEAN Ret;

    RcuNothing();
    KeAcquireSpinLockAtDpcLevel(&Entry->Lock);
    Ret = Entry->Tokens > 0;
    KeReleaseSpinLockFromDpcLevel(&Entry->Lock);
    return Ret;
}
`;

describe('a static inline helper of an included header is the callee', () => {
  it('through the headers the file includes (wireguard-nt RatelimiterAllow); a helper that does not raise leaves the IRQL', () => {
    expect(lint({ 'rcu.h': RCU_H, 'containers.h': CONTAINERS_H, 'ratelimiter.c': RATELIMITER_C }, 'ratelimiter.c')).toEqual(['23 irql-too-low', '25 irql-too-low']);
  });
  it('not when two headers define a static function of that name (which one a file includes is not known)', () => {
    const other = RCU_H.replace('return KeRaiseIrqlToDpcLevel();', 'return KeGetCurrentIrql();');
    expect(lint({ 'rcu.h': RCU_H, 'legacy/rcu.h': other, 'containers.h': CONTAINERS_H, 'ratelimiter.c': RATELIMITER_C }, 'ratelimiter.c')).toEqual(['10 irql-too-low', '12 irql-too-low', '23 irql-too-low', '25 irql-too-low']);
  });
});

// Windows-Driver-Frameworks src/framework/shared/inc/primitives: two lock classes with a Release each
const MXLOCK_CPP = `class MxLockNoDynam
{
protected:
    KSPIN_LOCK m_Lock;
public:
    _Releases_lock_(this->m_Lock)
    __drv_requiresIRQL(DISPATCH_LEVEL)
    VOID Release(__drv_restoresIRQL KIRQL NewIrql);
};

_Releases_lock_(this->m_Lock)
__drv_requiresIRQL(DISPATCH_LEVEL)
__inline
VOID
MxLockNoDynam::Release(
    __drv_restoresIRQL KIRQL NewIrql
    )
{
    KeReleaseSpinLock(&m_Lock, NewIrql);
}

class MxPagedLockNoDynam
{
protected:
    FAST_MUTEX m_Lock;
public:
    __drv_requiresIRQL(APC_LEVEL)
    _Releases_lock_(this->m_Lock)
    VOID
    Release(
        )
    {
        KeReleaseSpinLock(&m_Other, m_Irql);
    }
    KSPIN_LOCK m_Other;
    KIRQL m_Irql;
};
`;

describe("a method's IRQL annotations are its class's", () => {
  it("not those of another class's method of the same name (WDF MxLockNoDynam::Release)", () => {
    // the spin lock class's Release runs at DISPATCH_LEVEL (no finding); the paged lock's, defined in its
    // class body, at APC_LEVEL, where KeReleaseSpinLock is too low
    expect(lint({ 'mxlock.cpp': MXLOCK_CPP }, 'mxlock.cpp')).toEqual(['33 irql-too-low']);
  });
});

// Sandboxie core/drv/api.c: a debug check that bug-checks unless the IRQL is PASSIVE_LEVEL
const BUGCHECK_C = `_IRQL_requires_(PASSIVE_LEVEL)
VOID CheckedCall(ULONG x)
{
    KIRQL irql;
    KeRaiseIrql(APC_LEVEL, &irql);
    if (x) {
        KeBugCheckEx(0xDEAD, 0, 0, 0, 0);
    }
    KeLowerIrql(irql);
}

_IRQL_requires_(PASSIVE_LEVEL)
VOID RaisedThenBugCheck(VOID)
{
    KIRQL irql;
    KeRaiseIrql(APC_LEVEL, &irql);
    KeBugCheckEx(0xDEAD, 0, 0, 0, 0);
}

_IRQL_requires_(PASSIVE_LEVEL)
VOID RaisedOnOnePath(ULONG x)
{
    KIRQL irql;
    KeRaiseIrql(APC_LEVEL, &irql);
    if (x) {
        KeBugCheckEx(0xDEAD, 0, 0, 0, 0);
    }
}
`;

describe('KeBugCheckEx ends the path for the IRQL rules', () => {
  it('a return after it is not reached (Sandboxie Api_FastIo_DEVICE_CONTROL); one it does not guard is', () => {
    expect(lint({ 'api.c': BUGCHECK_C }, 'api.c')).toEqual(['28 irql-not-restored']);
  });
});

// wireguard-nt driver/selftest/chacha20poly1305.c: three MDLs in a local array, each freed once
const ARRAYS_C = `VOID DistinctElements(PVOID Input)
{
    PMDL LinkedMdls[3];
    LinkedMdls[0] = IoAllocateMdl(Input, 4096, FALSE, FALSE, NULL);
    LinkedMdls[1] = IoAllocateMdl(Input, 4096, FALSE, FALSE, NULL);
    if (LinkedMdls[0])
        IoFreeMdl(LinkedMdls[0]);
    if (LinkedMdls[1])
        IoFreeMdl(LinkedMdls[1]);
}

VOID SameElementTwice(PVOID Input)
{
    PMDL m[2];
    m[0] = IoAllocateMdl(Input, 4096, FALSE, FALSE, NULL);
    if (!m[0]) return;
    IoFreeMdl(m[0]);
    IoFreeMdl(m[0]);
}

VOID LockedInALoopUnlockedByIndex(PVOID *Bufs)
{
    PMDL m[2];
    ULONG i;
    for (i = 0; i < 2; i++) {
        m[i] = IoAllocateMdl(Bufs[i], 4096, FALSE, FALSE, NULL);
        if (!m[i]) return;
        __try { MmProbeAndLockPages(m[i], KernelMode, IoReadAccess); } __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(m[i]); return; }
    }
    MmUnlockPages(m[0]);
    MmUnlockPages(m[1]);
    IoFreeMdl(m[0]);
    IoFreeMdl(m[1]);
}

VOID LockedByIndexUnlockedInALoop(PVOID Buf)
{
    PMDL m[1];
    ULONG i;
    m[0] = IoAllocateMdl(Buf, 4096, FALSE, FALSE, NULL);
    if (!m[0]) return;
    __try { MmProbeAndLockPages(m[0], KernelMode, IoReadAccess); } __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(m[0]); return; }
    for (i = 0; i < 1; i++) {
        MmUnlockPages(m[i]);
        IoFreeMdl(m[i]);
    }
}

VOID SecondElementFreedLocked(PVOID Buf)
{
    PMDL m[2];
    m[0] = IoAllocateMdl(Buf, 4096, FALSE, FALSE, NULL);
    m[1] = IoAllocateMdl(Buf, 4096, FALSE, FALSE, NULL);
    if (!m[0] || !m[1]) return;
    __try { MmProbeAndLockPages(m[0], KernelMode, IoReadAccess); } __except (EXCEPTION_EXECUTE_HANDLER) { return; }
    __try { MmProbeAndLockPages(m[1], KernelMode, IoReadAccess); } __except (EXCEPTION_EXECUTE_HANDLER) { MmUnlockPages(m[0]); return; }
    MmUnlockPages(m[0]);
    IoFreeMdl(m[0]);
    IoFreeMdl(m[1]);
}
`;

describe('MDLs in arrays: a constant index is an element of its own, any other index some element', () => {
  it('each element freed once is no double free; one freed twice, or freed locked, is found (and named)', () => {
    const inputs = [{ path: '/drv/arrays.c', text: ARRAYS_C }];
    const r = lintText(ARRAYS_C, '/drv/arrays.c', { project: prepareProject(inputs, '/drv') });
    expect(r.messages.map((m) => `${m.line} ${m.ruleId} ${/MDL '([^']+)'/.exec(m.message)?.[1]}`)).toEqual(['18 mdl-use-after-free m[0]', '59 mdl-free-while-locked m[1]']);
  });
});

// maharmstone/btrfs btrfs_drv.h: the user buffer, or the mapping of the IRP's MDL when it has one
const MAP_USER_BUFFER_C = `static __inline void* map_user_buffer(PIRP Irp, ULONG priority) {
    if (!Irp->MdlAddress) {
        return Irp->UserBuffer;
    } else {
        return MmGetSystemAddressForMdlSafe(Irp->MdlAddress, priority);
    }
}

NTSTATUS ReadChecked(PIRP Irp, ULONG length)
{
    UCHAR* data = map_user_buffer(Irp, NormalPagePriority);
    if (Irp->MdlAddress && !data) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    RtlZeroMemory(data, length);
    return STATUS_SUCCESS;
}

NTSTATUS ReadUnchecked(PIRP Irp, ULONG length)
{
    UCHAR* data = map_user_buffer(Irp, NormalPagePriority);
    if (Irp->MdlAddress) {
        RtlZeroMemory(data, length);
    }
    return STATUS_SUCCESS;
}
`;

describe("a helper's cases keep the caller's MDL NULL or not as they found it", () => {
  it('the mapping of map_user_buffer is NULL only when the IRP has an MDL (btrfs read.c, dirctrl.c)', () => {
    expect(lint({ 'read.c': MAP_USER_BUFFER_C }, 'read.c')).toEqual(['23 mdl-unchecked-system-address']);
  });
});

// maharmstone/btrfs write.c write_file: the lock state of the IRP's MDL kept in a local
const FLAG_LOCAL_C = `DRIVER_DISPATCH DrvWrite;
NTSTATUS DrvWrite(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    NTSTATUS Status = STATUS_SUCCESS;
    if (Irp->MdlAddress) {
        bool locked = Irp->MdlAddress->MdlFlags & (MDL_PAGES_LOCKED | MDL_PARTIAL);
        if (!locked) {
            __try {
                MmProbeAndLockPages(Irp->MdlAddress, KernelMode, IoReadAccess);
            } __except (EXCEPTION_EXECUTE_HANDLER) {
                Status = GetExceptionCode();
            }
            if (!NT_SUCCESS(Status)) return Status;
        }
        if (!locked) MmUnlockPages(Irp->MdlAddress);
    }
    return Status;
}

VOID LocalFlag(PVOID Buf, ULONG Len)
{
    BOOLEAN locked;
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (!mdl) return;
    __try { MmProbeAndLockPages(mdl, KernelMode, IoReadAccess); } __except (EXCEPTION_EXECUTE_HANDLER) { }
    locked = mdl->MdlFlags & MDL_PAGES_LOCKED;
    if (locked) MmUnlockPages(mdl);
    IoFreeMdl(mdl);
}

VOID LocalFlagInverted(PVOID Buf, ULONG Len)
{
    BOOLEAN locked;
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (!mdl) return;
    __try { MmProbeAndLockPages(mdl, KernelMode, IoReadAccess); } __except (EXCEPTION_EXECUTE_HANDLER) { }
    locked = mdl->MdlFlags & MDL_PAGES_LOCKED;
    if (!locked) MmUnlockPages(mdl);
    IoFreeMdl(mdl);
}
`;

describe('an MdlFlags test kept in a local, and masks of several flags', () => {
  it('the probe it guards is not a second lock of the IRP MDL; the local follows the state it was read in', () => {
    expect(lint({ 'write.c': FLAG_LOCAL_C }, 'write.c')).toEqual(['38 mdl-unmatched-lock', '39 mdl-free-while-locked']);
  });
});

// OpenVPN tap-windows6 src/adapter.c: a helper takes the DPC form of the lock only when its caller says it
// runs at DISPATCH_LEVEL (`tapAdapterAcquireLock(adapter, FALSE)` from a dispatch routine)
const TAP_C = `typedef struct _TAP_ADAPTER_CONTEXT { NDIS_SPIN_LOCK AdapterLock; LONG State; } TAP_ADAPTER_CONTEXT, *PTAP_ADAPTER_CONTEXT;
DRIVER_DISPATCH TapDeviceControl;
DRIVER_DISPATCH TapDeviceRead;

VOID tapAdapterAcquireLock(PTAP_ADAPTER_CONTEXT Adapter, BOOLEAN DispatchLevel)
{
    if (DispatchLevel)
        NdisDprAcquireSpinLock(&Adapter->AdapterLock);
    else
        NdisAcquireSpinLock(&Adapter->AdapterLock);
}

VOID tapAdapterReleaseLock(PTAP_ADAPTER_CONTEXT Adapter, BOOLEAN DispatchLevel)
{
    if (DispatchLevel)
        NdisDprReleaseSpinLock(&Adapter->AdapterLock);
    else
        NdisReleaseSpinLock(&Adapter->AdapterLock);
}

NTSTATUS TapDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PTAP_ADAPTER_CONTEXT adapter = (PTAP_ADAPTER_CONTEXT)DeviceObject->DeviceExtension;
    LONG state;
    tapAdapterAcquireLock(adapter, FALSE);
    state = adapter->State;
    tapAdapterReleaseLock(adapter, FALSE);
    Irp->IoStatus.Status = state ? STATUS_SUCCESS : STATUS_DEVICE_NOT_READY;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}
`;
// the same helpers, and a second dispatch routine that claims to run at DISPATCH_LEVEL when it does not
const TAP_WRONG_C = `${TAP_C}
NTSTATUS TapDeviceRead(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PTAP_ADAPTER_CONTEXT adapter = (PTAP_ADAPTER_CONTEXT)DeviceObject->DeviceExtension;
    tapAdapterAcquireLock(adapter, TRUE);
    adapter->State = 0;
    tapAdapterReleaseLock(adapter, TRUE);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}
`;

describe('a constant argument that decides which lock a helper takes', () => {
  it('FALSE from a dispatch routine: the DPC form in the helper is not reached', () => {
    expect(lint({ 'adapter.c': TAP_C }, 'adapter.c')).toEqual([]);
  });
  it('TRUE from a dispatch routine at PASSIVE_LEVEL: the DPC form is reported, for that caller', () => {
    expect(lint({ 'adapter.c': TAP_WRONG_C }, 'adapter.c')).toEqual(['8 irql-too-low']);
    const project = prepareProject([{ path: '/drv/adapter.c', text: TAP_WRONG_C }], '/drv');
    const [m] = lintText(TAP_WRONG_C, '/drv/adapter.c', { project }).messages;
    // (it named the first caller, TapDeviceControl, which passes FALSE)
    expect(m!.message).toContain('tapAdapterAcquireLock is called by TapDeviceRead at adapter.c:36');
  });
});

// System Informer KSystemInformer/comms.c (KphGetConnectedClientCount): the saved IRQL is HIGH_LEVEL, a
// sentinel, when the lock was taken at DISPATCH_LEVEL; the test of it picks the matching release
const SENTINEL_C = (test: string) => `static EX_SPIN_LOCK ClientsLock = 0;
static ULONG ClientsCount = 0;

_IRQL_requires_max_(HIGH_LEVEL)
ULONG GetClientCount(VOID)
{
    ULONG count;
    KIRQL oldIrql;

    if (KeGetCurrentIrql() >= DISPATCH_LEVEL)
    {
        oldIrql = HIGH_LEVEL;
        ExAcquireSpinLockSharedAtDpcLevel(&ClientsLock);
    }
    else
    {
        oldIrql = ExAcquireSpinLockShared(&ClientsLock);
    }

    count = ClientsCount;

    if (${test})
    {
        ExReleaseSpinLockSharedFromDpcLevel(&ClientsLock);
    }
    else
    {
        ExReleaseSpinLockShared(&ClientsLock, oldIrql);
    }

    return count;
}
`;

describe('a saved IRQL compared with a level', () => {
  it('oldIrql == HIGH_LEVEL (the sentinel) picks the matching release on every path', () => {
    expect(lint({ 'comms.c': SENTINEL_C('oldIrql == HIGH_LEVEL') }, 'comms.c')).toEqual([]);
    expect(lint({ 'comms.c': SENTINEL_C('HIGH_LEVEL == oldIrql') }, 'comms.c')).toEqual([]);
  });
  it('the test inverted releases at DPC level what was acquired at PASSIVE_LEVEL: the return is not restored', () => {
    expect(lint({ 'comms.c': SENTINEL_C('oldIrql != HIGH_LEVEL') }, 'comms.c')).toEqual(['31 irql-not-restored']);
  });
});

// maharmstone/btrfs write.c (xor_parity-like): a partial MDL built by hand over the pages another MDL
// locked (`MdlFlags |= MDL_PARTIAL` and the page list copied), then mapped
const HAND_PARTIAL_C = (flags: string) => `NTSTATUS CopyParity(void* data, ULONG length, UCHAR* parity, ULONG priority)
{
    NTSTATUS Status = STATUS_SUCCESS;
    PMDL master_mdl, mdl;
    UCHAR* ss;

    master_mdl = IoAllocateMdl(data, length, FALSE, FALSE, NULL);
    if (!master_mdl)
        return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(master_mdl, KernelMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        Status = GetExceptionCode();
    }
    if (!NT_SUCCESS(Status)) {
        IoFreeMdl(master_mdl);
        return Status;
    }
    mdl = IoAllocateMdl(NULL, length, FALSE, FALSE, NULL);
    if (!mdl) {
        Status = STATUS_INSUFFICIENT_RESOURCES;
        goto end;
    }
    ${flags}
    RtlCopyMemory(mdl + 1, master_mdl + 1, (length >> PAGE_SHIFT) * sizeof(PFN_NUMBER));
    ss = MmGetSystemAddressForMdlSafe(mdl, priority);
    if (ss)
        RtlCopyMemory(parity, ss, length);
    else
        Status = STATUS_INSUFFICIENT_RESOURCES;
    IoFreeMdl(mdl);
end:
    MmUnlockPages(master_mdl);
    IoFreeMdl(master_mdl);
    return Status;
}
`;

describe('an MDL whose flags the driver writes itself', () => {
  it('a partial MDL built by hand is mapped without a finding (the driver owns its state)', () => {
    expect(lint({ 'write.c': HAND_PARTIAL_C('mdl->MdlFlags |= MDL_PARTIAL;') }, 'write.c')).toEqual([]);
    expect(lint({ 'write.c': HAND_PARTIAL_C('SetFlag(mdl->MdlFlags, MDL_PARTIAL);') }, 'write.c')).toEqual([]);
  });
  it('without the flag, the same mapping is of an MDL never locked', () => {
    expect(lint({ 'write.c': HAND_PARTIAL_C('') }, 'write.c')).toEqual(['26 mdl-unchecked-system-address']);
  });
});

// maharmstone/btrfs write.c: drv_write -> write_file -> write_file2, which probes Irp->MdlAddress only when
// its flags say it is not locked; the inner helper's assumption is the outer helper's too
const NESTED_FLAG_C = (test: string) => `NTSTATUS write_file2(PIRP Irp, BOOLEAN no_buf)
{
    NTSTATUS Status = STATUS_SUCCESS;
    if (Irp->MdlAddress && no_buf) {
        BOOLEAN locked = Irp->MdlAddress->MdlFlags & (MDL_PAGES_LOCKED | MDL_PARTIAL);
        if (${test}) {
            __try {
                MmProbeAndLockPages(Irp->MdlAddress, KernelMode, IoReadAccess);
            } __except (EXCEPTION_EXECUTE_HANDLER) {
                Status = GetExceptionCode();
            }
            if (!NT_SUCCESS(Status)) return Status;
        }
    }
    return Status;
}

NTSTATUS write_file(PIRP Irp, BOOLEAN wait)
{
    PVOID va = Irp->MdlAddress ? MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority) : NULL;
    if (!wait && va == NULL) return STATUS_PENDING;
    return write_file2(Irp, TRUE);
}

DRIVER_DISPATCH drv_write;
NTSTATUS drv_write(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    NTSTATUS Status = write_file(Irp, TRUE);
    Irp->IoStatus.Status = Status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}
`;

describe("a helper's MDL_PAGES_LOCKED test, through a helper that calls it", () => {
  it("the I/O manager's locked MDL does not take the inner helper's probe branch", () => {
    expect(lint({ 'write.c': NESTED_FLAG_C('!locked') }, 'write.c')).toEqual([]);
  });
  it('an unconditional probe of it is a double lock, reported at the dispatch routine\'s call', () => {
    expect(lint({ 'write.c': NESTED_FLAG_C('TRUE') }, 'write.c')).toEqual(['28 mdl-double-lock']);
  });
});

// System Informer KSystemInformer/ringbuff.c (KphReserveRingBuffer): the current IRQL read into a variable,
// whose test picks the DPC-level or the raising form of the lock
const RING_C = (test: string) => `typedef struct _RING { KSPIN_LOCK_QUEUE ProducerLock; ULONG Pos; } RING, *PRING;
_IRQL_requires_max_(DISPATCH_LEVEL)
ULONG Reserve(PRING Ring)
{
    KLOCK_QUEUE_HANDLE lockHandle;
    ULONG pos;
    KIRQL previousIrql = KeGetCurrentIrql();
    if (${test})
        KeAcquireInStackQueuedSpinLockAtDpcLevel(&Ring->ProducerLock, &lockHandle);
    else
        KeAcquireInStackQueuedSpinLock(&Ring->ProducerLock, &lockHandle);
    pos = Ring->Pos++;
    if (${test})
        KeReleaseInStackQueuedSpinLockFromDpcLevel(&lockHandle);
    else
        KeReleaseInStackQueuedSpinLock(&lockHandle);
    return pos;
}
_IRQL_requires_max_(APC_LEVEL)
VOID Caller(PRING Ring)
{
    Reserve(Ring);
}
`;

describe('the current IRQL kept in a variable', () => {
  it('its test rules out the DPC-level forms for a caller at APC_LEVEL or below', () => {
    expect(lint({ 'ringbuff.c': RING_C('previousIrql >= DISPATCH_LEVEL') }, 'ringbuff.c')).toEqual([]);
  });
  it('the test inverted takes them at PASSIVE_LEVEL: reported', () => {
    expect(lint({ 'ringbuff.c': RING_C('previousIrql < DISPATCH_LEVEL') }, 'ringbuff.c')).toEqual(['9 irql-too-low', '14 irql-too-low']);
  });
});

// nmap/npcap Read.c -> Openclos.c: a packet callback holding an RW lock calls a helper with the constant
// TRUE (at DISPATCH_LEVEL), whose `if (AtDispatch)` never reaches the call of the helper that waits
const NPCAP_C = (flag: string) => `typedef enum _STATE { StRunning, StInit, StAttached, StDetached } STATE;
typedef struct _OPEN { STATE Status; } OPEN, *POPEN;
typedef struct _MOD { PNDIS_RW_LOCK_EX ProgLock; OPEN Open; } MOD, *PMOD;

static void EnableOps(void)
{
    NDIS_EVENT ev;
    NdisInitializeEvent(&ev);
    NdisWaitEvent(&ev, 1);
}

static BOOLEAN StartUsing(POPEN o, BOOLEAN AtDispatch)
{
    if (AtDispatch) {
        return FALSE;
    } else if (o->Status == StAttached) {
        EnableOps();
    }
    return o->Status <= StDetached;
}

void DoTap(PMOD m)
{
    LOCK_STATE_EX ls;
    NdisAcquireRWLockRead(m->ProgLock, &ls, 0);
    StartUsing(&m->Open, ${flag});
    NdisReleaseRWLock(m->ProgLock, &ls);
}
`;

describe('a constant argument two calls up the chain', () => {
  it('TRUE under the lock: the wait two calls down is not reached', () => {
    expect(lint({ 'read.c': NPCAP_C('TRUE') }, 'read.c')).toEqual([]);
  });
  it('FALSE under the lock: the wait is reported, for that chain', () => {
    expect(lint({ 'read.c': NPCAP_C('FALSE') }, 'read.c')).toEqual(['9 irql-too-high']);
  });
});

// NDAS ndasbus register.c: Reg_OpenDeviceInst only hands its DeleteExisting on to Reg_OpenChildKey, and the
// remove path calls it with FALSE under the bus's fast mutex: the delete branch (ZwDeleteKey, ZwClose: lines
// 16 and 17) is never taken on that chain; the ZwCreateKey every call makes (line 11) is a real bug
const NDAS_REG_C = (flag: string, wrapperBody = 'return OpenChild(Key, Slot, DeleteExisting, Root);') => `typedef struct _BUS { FAST_MUTEX Mutex; HANDLE Root; ULONG Slot; } BUS, *PBUS;

NTSTATUS OpenChild(PHANDLE Key, ULONG Slot, BOOLEAN DeleteExisting, HANDLE Parent)
{
    NTSTATUS status;
    HANDLE child;
    ULONG dispos;
    OBJECT_ATTRIBUTES oa;
    UNREFERENCED_PARAMETER(Slot);
    InitializeObjectAttributes(&oa, NULL, OBJ_KERNEL_HANDLE, Parent, NULL);
    status = ZwCreateKey(&child, KEY_ALL_ACCESS, &oa, 0, NULL, REG_OPTION_NON_VOLATILE, &dispos);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    if (dispos == REG_OPENED_EXISTING_KEY && DeleteExisting) {
        status = ZwDeleteKey(child);
        ZwClose(child);
        return status;
    }
    *Key = child;
    return STATUS_SUCCESS;
}

NTSTATUS OpenDeviceInst(PHANDLE Key, ULONG Slot, BOOLEAN DeleteExisting, HANDLE Root)
{
    ${wrapperBody}
}

VOID RemoveDevice(PBUS Bus)
{
    HANDLE key;
    ExAcquireFastMutex(&Bus->Mutex);
    OpenDeviceInst(&key, Bus->Slot, ${flag}, Bus->Root);
    ExReleaseFastMutex(&Bus->Mutex);
}
`;

describe('a constant handed on through a wrapper\'s parameter', () => {
  it('FALSE two calls up, forwarded unchanged: the branch it decides is not reached under the mutex', () => {
    expect(lint({ 'register.c': NDAS_REG_C('FALSE') }, 'register.c')).toEqual(['11 irql-too-high']);
  });
  it('TRUE forwarded: the delete is reported, for that chain', () => {
    expect(lint({ 'register.c': NDAS_REG_C('TRUE') }, 'register.c')).toEqual(['11 irql-too-high', '16 irql-too-high', '17 irql-too-high']);
  });
  it('a wrapper that changes the parameter, or takes its address, before it hands it on: the caller\'s FALSE decides nothing', () => {
    const changed = NDAS_REG_C('FALSE', 'if (Slot == 0) DeleteExisting = TRUE;\n    return OpenChild(Key, Slot, DeleteExisting, Root);');
    expect(lint({ 'register.c': changed }, 'register.c')).toEqual(['11 irql-too-high', '16 irql-too-high', '17 irql-too-high']);
    const escaped = NDAS_REG_C('FALSE', 'AdjustFlag(&DeleteExisting);\n    return OpenChild(Key, Slot, DeleteExisting, Root);');
    expect(lint({ 'register.c': escaped }, 'register.c')).toEqual(['11 irql-too-high', '16 irql-too-high', '17 irql-too-high']);
  });
});

// NDAS lfsfilter namelookup.c (FileSpy's): a defensive `if (KeGetCurrentIrql() > APC_LEVEL)` branch calls a
// pageable helper (its PAGED_CODE: line 3); the create path asserts PAGED_CODE() (its own line 18), and the
// function that calls it (LogIrp) has no annotation, role or caller: assumed at PASSIVE_LEVEL to DISPATCH_LEVEL
const DEFENSIVE_C = (createFirstLines: string, logRole = '') => `NTSTATUS Grow(PUNICODE_STRING Name)
{
    PAGED_CODE();
    Name->MaximumLength = 512;
    return STATUS_SUCCESS;
}

NTSTATUS GetName(PUNICODE_STRING Name)
{
    if (KeGetCurrentIrql() > APC_LEVEL) {
        return Grow(Name);
    }
    return STATUS_SUCCESS;
}

NTSTATUS CreateContext(PUNICODE_STRING Name)
{
    ${createFirstLines}
    return GetName(Name);
}

${logRole}
VOID LogIrp(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    CreateContext((PUNICODE_STRING)Context);
}
`;

describe('a function that starts with PAGED_CODE(), entered at an assumed level, is entered at APC_LEVEL or below', () => {
  it('a caller assumed at up to DISPATCH_LEVEL: the defensive branch below the assertion is not reached', () => {
    expect(lint({ 'namelookup.c': DEFENSIVE_C('PAGED_CODE();') }, 'namelookup.c')).toEqual([]);
  });
  it('without the assertion, the assumption is DISPATCH_LEVEL and the branch is reported', () => {
    expect(lint({ 'namelookup.c': DEFENSIVE_C('Name->Length = 0;') }, 'namelookup.c')).toEqual(['3 irql-pageable-at-dispatch']);
  });
  it('a DPC caller (a level not assumed): the assertion itself is reported, and the path below it stays at DISPATCH_LEVEL', () => {
    expect(lint({ 'namelookup.c': DEFENSIVE_C('PAGED_CODE();', 'KDEFERRED_ROUTINE LogIrp;') }, 'namelookup.c')).toEqual(['3 irql-pageable-at-dispatch', '18 irql-pageable-at-dispatch']);
  });
});

// NDAS's NTFS port: NtfsCompleteRequest (ntfsdata.c) frees the IRP context's MDL through
// NtfsCleanupIrpContext (strucsup.c); the note named ntfsdata.c with a line of strucsup.c
describe('the note of a helper that frees through another helper', () => {
  it('names the line of the outer helper\'s own file: its call of the inner one', () => {
    const files = {
      'inner.c': 'VOID InnerCleanup(PMDL Mdl)\n{\n    MmUnlockPages(Mdl);\n    IoFreeMdl(Mdl);\n}\n',
      'outer.c': 'VOID InnerCleanup(PMDL Mdl);\n\n\nVOID OuterComplete(PMDL Mdl)\n{\n    InnerCleanup(Mdl);\n}\n',
      'main.c': `VOID OuterComplete(PMDL Mdl);
NTSTATUS Run(PVOID Buffer, ULONG Length)
{
    PMDL mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    OuterComplete(mdl);
    OuterComplete(mdl);
    return STATUS_SUCCESS;
}
`,
    };
    const inputs = Object.entries(files).map(([path, text]) => ({ path: `/drv/${path}`, text }));
    const msgs = lintText(files['main.c'], '/drv/main.c', { project: prepareProject(inputs, '/drv') }).messages;
    expect(msgs.map((m) => `${m.line} ${m.ruleId}`)).toEqual(['13 mdl-use-after-free']);
    expect(msgs[0]!.message).toContain('MmUnlockPages (in OuterComplete, outer.c:6)');
    expect(msgs[0]!.message).toContain('freed at line 12 (in OuterComplete, outer.c:6)');
  });
});

// NDAS ndasntfs (NTFS's NtfsCompleteRequest style): a helper releases an optional context's resources behind
// `ARGUMENT_PRESENT(Context)`, and a caller under the volume's fast mutex passes NULL (ZwClose: line 8)
const OPTIONAL_CONTEXT_C = (arg: string) => `typedef struct _OC { HANDLE Log; } OC, *POC;
typedef struct _VOL { FAST_MUTEX Mutex; POC Context; } VOL, *PVOL;
VOID ReleaseContext(POC Context)
{
    if (!ARGUMENT_PRESENT(Context)) {
        return;
    }
    ZwClose(Context->Log);
}
VOID CompleteRequest(POC Context, PIRP Irp)
{
    if (ARGUMENT_PRESENT(Context)) ReleaseContext(Context);
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}
DRIVER_DISPATCH Flush;
NTSTATUS Flush(PDEVICE_OBJECT Dev, PIRP Irp)
{
    PVOL v = (PVOL)Dev->DeviceExtension;
    ExAcquireFastMutex(&v->Mutex);
    CompleteRequest(${arg}, Irp);
    ExReleaseFastMutex(&v->Mutex);
    return STATUS_SUCCESS;
}
`;

describe('ARGUMENT_PRESENT(x) is a NULL test', () => {
  it('NULL passed under a fast mutex: the PASSIVE_LEVEL call behind ARGUMENT_PRESENT is not reached', () => {
    expect(lint({ 'a.c': OPTIONAL_CONTEXT_C('NULL') }, 'a.c')).toEqual([]);
  });
  it('the context passed under the mutex: ZwClose at APC_LEVEL is reported', () => {
    expect(lint({ 'a.c': OPTIONAL_CONTEXT_C('v->Context') }, 'a.c')).toEqual(['8 irql-too-high']);
  });
});

// xenserver/win-xenvif include/util.h: a page allocated and mapped by a helper whose assertions pass a
// comparison operator as a macro argument (`ASSERT3P(Va, ==, Mdl->MappedSystemVa)`): the statement was an
// ERROR node, so the helper got no summary and its caller's second mapping looked as if it could fail
const XEN_PAGE_C = (assertion: string) => `#include <ntddk.h>
static FORCEINLINE PMDL AllocatePage(VOID)
{
    PHYSICAL_ADDRESS Low, High;
    LARGE_INTEGER Skip;
    PMDL Mdl;
    PUCHAR Va;
    Low.QuadPart = 0ull;
    High.QuadPart = ~0ull;
    Skip.QuadPart = 0ull;
    Mdl = MmAllocatePagesForMdlEx(Low, High, Skip, PAGE_SIZE, MmCached, 0);
    if (Mdl == NULL)
        goto fail1;
    Va = MmMapLockedPagesSpecifyCache(Mdl, KernelMode, MmCached, NULL, FALSE, NormalPagePriority);
    if (Va == NULL)
        goto fail2;
    ${assertion}
    RtlZeroMemory(Va, PAGE_SIZE);
    return Mdl;
fail2:
    MmFreePagesFromMdl(Mdl);
    ExFreePool(Mdl);
fail1:
    return NULL;
}
NTSTATUS BufferCtor(PMDL *Out)
{
    PMDL Mdl = AllocatePage();
    PUCHAR Va;
    if (Mdl == NULL)
        return STATUS_NO_MEMORY;
    Va = MmGetSystemAddressForMdlSafe(Mdl, NormalPagePriority);
    RtlFillMemory(Va, PAGE_SIZE, 0xAA);
    *Out = Mdl;
    return STATUS_SUCCESS;
}
`;

describe('a comparison operator as a macro argument (ASSERT3P(a, ==, b))', () => {
  it('the helper that mapped the page is summarized: mapping it again cannot fail', () => {
    expect(lint({ 'a.c': XEN_PAGE_C('ASSERT3P(Va, ==, Mdl->MappedSystemVa);') }, 'a.c')).toEqual([]);
  });
  it('its twin without the first mapping: the caller\'s mapping can fail', () => {
    expect(lint({ 'a.c': XEN_PAGE_C('ASSERT3P(Va, ==, Mdl->MappedSystemVa);').replace(/Va = MmMapLockedPagesSpecifyCache\([^;]*;/, 'Va = (PUCHAR)1;') }, 'a.c')).toEqual(['33 mdl-unchecked-system-address']);
  });
});

// Microsoft's file systems (FastFat's fatprocs.h, CDFS's cdprocs.h, ReactOS's udffs.h): `try_return(S)` runs S and
// jumps to `try_exit`; the macro in a header of the program, in each form a driver writes it
describe('macros that run their argument and jump to a label (try_return)', () => {
  // the handler frees the MDL and jumps past the unlock to the common free: a double free at line 16 on
  // that path only; a macro taken for a call that returns goes on to the unlock instead (lines 13 and 16)
  const body = (macro: string, label = 'try_exit') => `#include "fs.h"
NTSTATUS Read(PIRP Irp, ULONG Length)
{
    NTSTATUS Status = STATUS_SUCCESS;
    PMDL Mdl = IoAllocateMdl(Irp->UserBuffer, Length, FALSE, FALSE, NULL);
    if (Mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(Mdl, UserMode, IoWriteAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(Mdl);
        ${macro};
    }
    MmUnlockPages(Mdl);
    Status = STATUS_SUCCESS;
${label}: ;
    IoFreeMdl(Mdl);
    return Status;
}
`;
  const JUMPED = ['16 mdl-use-after-free'];
  const WENT_ON = ['13 mdl-use-after-free', '16 mdl-use-after-free'];
  it.each([
    ['#define try_return(S) { S; goto try_exit; }', 'try_return(Status = GetExceptionCode())'],
    ['#define try_return(S) do { S; goto try_exit; } while (0)', 'try_return(Status = GetExceptionCode())'],
    ['#define LEAVE_NOW() goto try_exit', 'LEAVE_NOW()'],
    // the label a parameter (`HLPR_BAIL_WITH_LABEL(label)` of the WFP samples)
    ['#define bail(S, L) { S; goto L; }', 'bail(Status = GetExceptionCode(), try_exit)'],
    // a test of an exception code, which is never 0: always taken
    ['#define try_return(S) { if (S) goto try_exit; }', 'try_return(Status = GetExceptionCode())'],
  ])('%s: the path jumps to the label', (define, call) => {
    expect(lint({ 'fs.h': `${define}\n`, 'read.c': body(call) }, 'read.c')).toEqual(JUMPED);
  });

  it('not a jump: an unbraced one, one not under its test, a test with an else, a label the function lacks, two definitions, a member call', () => {
    const cases: [string, string, string?][] = [
      ['#define try_return(S) (S); goto try_exit', 'try_return(Status = GetExceptionCode())'],
      ['#define try_return(S) { if (S) Status = 1; goto try_exit; }', 'try_return(Status = GetExceptionCode())'],
      ['#define try_return(S) { if (S) goto try_exit; else Status = 1; }', 'try_return(Status = GetExceptionCode())'],
      ['#define bail(S, L) { S; goto L; }', 'bail(Status = GetExceptionCode(), done)'],
      ['#define bail(S, L) { S; goto L; }', 'bail(Status = GetExceptionCode(), Irp->Tail)'],
      ['#define try_return(S) { S; goto try_exit; }', 'try_return(Status = GetExceptionCode())', 'done'],
      ['#define try_return(S) { S; goto try_exit; }\n#define try_return(S) { S; goto done; }', 'try_return(Status = GetExceptionCode())'],
    ];
    for (const [define, call, label] of cases) expect(lint({ 'fs.h': `${define}\n`, 'read.c': body(call, label) }, 'read.c'), define).toEqual(WENT_ON);
  });

  it('a .c file\'s macro is its own: another file that defines the name otherwise, or only calls a member of that name, is not affected', () => {
    const own = body('try_return(Status = GetExceptionCode())').replace('#include "fs.h"', '#define try_return(S) { S; }');
    const member = body('g->try_return(Status = GetExceptionCode())').replace('#include "fs.h"', 'typedef struct _G { VOID (*try_return)(NTSTATUS); } *PG; extern PG g;');
    const a = body('try_return(Status = GetExceptionCode())').replace('#include "fs.h"', '#define try_return(S) { S; goto try_exit; }');
    const files = { 'a.c': a, 'b.c': own, 'm.c': member };
    expect(lint(files, 'a.c')).toEqual(JUMPED);
    expect(lint(files, 'b.c')).toEqual(WENT_ON);
    expect(lint(files, 'm.c')).toEqual(WENT_ON);
  });
});

// Windows-driver-samples' audio drivers (`IF_FAILED_JUMP(ntStatus, label)`: `if (!NT_SUCCESS(ntStatus)) { goto
// label; }`) and WFP samples (`HLPR_BAIL_ON_FAILURE_WITH_LABEL(status, label)`: `if(status != STATUS_SUCCESS) goto
// label`): the macro's test, with the call's arguments, decides the jump
describe('macros that test, then jump to a label they are given (IF_FAILED_JUMP)', () => {
  // the probe's failure jumps past the unlock (no unlock of an unlocked MDL at line 11); Use's failure jumps
  // to the free with the pages locked (line 13); taken for calls that return, the paths went on to the unlock
  const body = (call: (status: string, label: string) => string) => `#include "macros.h"
NTSTATUS LockUser(PIRP Irp, ULONG Length)
{
    NTSTATUS ntStatus = STATUS_SUCCESS;
    PMDL Mdl = IoAllocateMdl(Irp->UserBuffer, Length, FALSE, FALSE, NULL);
    if (Mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try { MmProbeAndLockPages(Mdl, UserMode, IoWriteAccess); } __except (EXCEPTION_EXECUTE_HANDLER) { ntStatus = GetExceptionCode(); }
    ${call('ntStatus', 'Done')};
    ntStatus = Use(Irp);
    ${call('ntStatus', 'Done')};
    MmUnlockPages(Mdl);
Done:
    IoFreeMdl(Mdl);
    return ntStatus;
}
`;
  const TESTED = ['13 mdl-free-while-locked'];
  const WENT_ON = ['11 mdl-unmatched-lock'];
  it.each([
    ['#define IF_FAILED_JUMP(ntStatus, label) \\\n    if (!NT_SUCCESS(ntStatus)) \\\n    { \\\n        goto label; \\\n    }', (st: string, l: string) => `IF_FAILED_JUMP(${st}, ${l})`],
    ['#define IF_FAILED_JUMP(result, tag) do {if (!NT_SUCCESS(result)) {goto tag;}} while(false)', (st: string, l: string) => `IF_FAILED_JUMP(${st}, ${l})`],
    ['#define BAIL(status, label) if(status != STATUS_SUCCESS) goto label', (st: string, l: string) => `BAIL(${st}, ${l})`],
    ['#define IF_TRUE_JUMP(condition, label) if (condition) { goto label; }', (st: string, l: string) => `IF_TRUE_JUMP(!NT_SUCCESS(${st}), ${l})`],
    ['#define IF_FAILED_ACTION_JUMP(s, action, label) if (!NT_SUCCESS(s)) { action; goto label; }', (st: string, l: string) => `IF_FAILED_ACTION_JUMP(${st}, Log(${st}), ${l})`],
    ['#define CHECK(s) if (!NT_SUCCESS(s)) { goto Done; }', (st: string) => `CHECK(${st})`],
    // a macro that calls one of these with a label of its own (the WFP samples' HLPR_BAIL_ON_FAILURE(status)),
    // through two calls
    ['#define BAIL_TO(s, label) if (s != STATUS_SUCCESS) goto label\n#define BAIL(s) BAIL_TO(s, Done)', (st: string) => `BAIL(${st})`],
    ['#define BAIL_TO(s, label) if (s != STATUS_SUCCESS) goto label\n#define BAIL2(s, l) BAIL_TO(s, l)\n#define BAIL(s) BAIL2(s, Done)', (st: string) => `BAIL(${st})`],
  ])('%s: the jump is taken when the test holds', (define, call) => {
    expect(lint({ 'macros.h': `${define}\n`, 'read.c': body(call) }, 'read.c')).toEqual(TESTED);
  });

  it('not followed: a test the grammar does not take, or a label the call does not name: the call returns, as before', () => {
    const cases: [string, (st: string, l: string) => string][] = [
      ['#define IF_FAILED_JUMP(s, label) if (!NT_SUCCESS(s) { goto label; }', (st, l) => `IF_FAILED_JUMP(${st}, ${l})`],
      ['#define IF_FAILED_JUMP(s, label) if (!NT_SUCCESS(s)) { goto label; }', (st) => `IF_FAILED_JUMP(${st}, Elsewhere)`],
      ['#define IF_FAILED_JUMP(s, label) if (!NT_SUCCESS(s)) { goto label; }', (st) => `IF_FAILED_JUMP(${st})`],
    ];
    for (const [define, call] of cases) expect(lint({ 'macros.h': `${define}\n`, 'read.c': body(call) }, 'read.c'), define).toEqual(WENT_ON);
  });

  it('a macro that calls an unbraced one inside `do { } while (0)` is followed under an `if` with an else (the else stays the caller\'s)', () => {
    const code = (bail: string) => `#define BAIL_TO(s, label) if (s != STATUS_SUCCESS) goto label
#define BAIL(s) do { BAIL_TO(s, Done); } while (0)
NTSTATUS Use(PIRP Irp);
NTSTATUS WithMacro(PIRP Irp, ULONG Length)
{
    NTSTATUS st = STATUS_SUCCESS;
    PMDL Mdl = IoAllocateMdl(Irp->UserBuffer, Length, FALSE, FALSE, NULL);
    if (Mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try { MmProbeAndLockPages(Mdl, UserMode, IoWriteAccess); } __except (EXCEPTION_EXECUTE_HANDLER) { return GetExceptionCode(); }
    st = Use(Irp);
    if (Length > 16)
        ${bail};
    else
        MmUnlockPages(Mdl);
    if (Length <= 16 || st == STATUS_SUCCESS) MmUnlockPages(Mdl);
    IoFreeMdl(Mdl);
    return st;
Done:
    MmUnlockPages(Mdl);
    IoFreeMdl(Mdl);
    return st;
}
`;
    const expanded = lint({ 'a.c': code('do { if (st != STATUS_SUCCESS) goto Done; } while (0)') }, 'a.c');
    // (a failed Use with Length > 16 jumps to Done: no free of the locked MDL at line 16 on that path)
    expect(expanded).toEqual(['15 mdl-unmatched-lock']);
    expect(lint({ 'a.c': code('BAIL(st)') }, 'a.c')).toEqual(expanded);
  });

  it('not followed through a call that passes an expression, or another number of arguments, or in a circle', () => {
    const cases: [string, (st: string, l: string) => string][] = [
      ['#define BAIL_TO(s, label) if (s != STATUS_SUCCESS) goto label\n#define BAIL(s) BAIL_TO(s + 0, Done)', (st) => `BAIL(${st})`],
      ['#define BAIL_TO(s, label) if (s != STATUS_SUCCESS) goto label\n#define BAIL(s) BAIL_TO(s)', (st) => `BAIL(${st})`],
      ['#define GO(l) goto l\n#define A(s) B(s)\n#define B(s) A(s)', (st) => `A(${st})`],
    ];
    for (const [define, call] of cases) expect(lint({ 'macros.h': `${define}\n`, 'read.c': body(call) }, 'read.c'), define).toEqual(WENT_ON);
  });

  it('an unbraced `if` macro as the consequence of an `if` with an else (which C gives to the macro\'s `if`) is not followed there', () => {
    const code = (define: string) => `${define}
NTSTATUS Use(PIRP Irp);
NTSTATUS WithMacro(PIRP Irp, ULONG Length)
{
    NTSTATUS st = STATUS_SUCCESS;
    PMDL Mdl = IoAllocateMdl(Irp->UserBuffer, Length, FALSE, FALSE, NULL);
    if (Mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try { MmProbeAndLockPages(Mdl, UserMode, IoWriteAccess); } __except (EXCEPTION_EXECUTE_HANDLER) { return GetExceptionCode(); }
    st = Use(Irp);
    if (Length > 16)
        BAIL(st, Done);
    else
        MmUnlockPages(Mdl);
    BAIL(st, Done);
    if (Length <= 16) MmUnlockPages(Mdl);
    IoFreeMdl(Mdl);
    return st;
Done:
    IoFreeMdl(Mdl);
    return st;
}
`;
    const jumping = lint({ 'a.c': code('#define BAIL(s, L) if (s != STATUS_SUCCESS) goto L') }, 'a.c');
    const plain = lint({ 'a.c': code('#define BAIL(s, L) Bail(s)') }, 'a.c');
    // the second BAIL, a statement of its own, is followed (its jump frees the locked MDL at line 19)
    expect(plain).not.toContain('19 mdl-free-while-locked');
    expect(jumping).toEqual([...plain, '19 mdl-free-while-locked'].sort());
  });
});
