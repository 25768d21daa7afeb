import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import raw from '../../src/ddi/irql-contracts.json' with { type: 'json' };
import {
  APC_LEVEL,
  BUILTIN_IRQL_TABLE,
  CONDITION_PREDICATES,
  DIRQL_MAX,
  DIRQL_MIN,
  DISPATCH_LEVEL,
  EFFECT_OPS,
  HIGH_LEVEL,
  IRQL_CONTRACT_SCHEMA,
  LOCK_KINDS,
  PASSIVE_LEVEL,
  allIrqlDdiNames,
  allRegistrationNames,
  allRoleNames,
  contractBounds,
  effectsOf,
  irqlContract,
  irqlLevelByName,
  irqlLevelName,
  irqlWordsPattern,
  registration,
  roleIrql,
  validateIrqlContract,
  withOverrides,
  type IrqlCondition,
  type IrqlContract,
  type IrqlEffect,
} from '../../src/ddi/irql.js';
import { IRQL_WORDS, Project } from '../../src/analysis/project.js';
import { prepareProject } from '../../src/lint/linter.js';

const json = raw as unknown as {
  functions: Record<string, Record<string, unknown>>;
  roles: Record<string, Record<string, unknown>>;
  registrations: Record<string, Record<string, unknown>>;
};

const isLevel = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 31;

/** Bounds for a call whose arguments satisfy exactly the listed conditions. */
function boundsWhen(name: string, holds: (c: IrqlCondition) => boolean = () => false) {
  const c = irqlContract(name);
  if (!c) throw new Error(`no contract for ${name}`);
  return contractBounds(c, holds);
}
const is = (arg: number, pred: string) => (c: IrqlCondition) => c.arg === arg && c.is === pred;
const effect = (name: string, i = 0): IrqlEffect => {
  const e = effectsOf(irqlContract(name))[i];
  if (!e) throw new Error(`no effect ${i} for ${name}`);
  return e;
};

describe('IRQL contract table: shape', () => {
  it('has at least 150 functions', () => {
    expect(allIrqlDdiNames().length).toBeGreaterThanOrEqual(150);
  });

  it('every function entry is well formed and cites a source', () => {
    const bad: string[] = [];
    for (const [name, entry] of Object.entries(json.functions)) {
      for (const p of validateIrqlContract(entry, true)) bad.push(`${name}: ${p}`);
    }
    expect(bad).toEqual([]);
  });

  it('every function entry validates against the exported JSON schema', () => {
    const validate = new Ajv({ strict: false, allErrors: true }).compile(IRQL_CONTRACT_SCHEMA);
    const bad = Object.entries(json.functions)
      .filter(([, e]) => !validate(e))
      .map(([n]) => `${n}: ${JSON.stringify(validate.errors)}`);
    expect(bad).toEqual([]);
  });

  it('levels are integers 0..31 with min <= max, in contracts and their conditions', () => {
    for (const [name, e] of Object.entries(json.functions)) {
      const c = e as IrqlContract;
      for (const v of [c.min, c.max, c.maxIfPageable]) if (v !== undefined) expect(isLevel(v), name).toBe(true);
      expect(c.min ?? 0, name).toBeLessThanOrEqual(c.max ?? 31);
      for (const w of c.when ?? []) {
        for (const v of [w.min, w.max]) if (v !== undefined) expect(isLevel(v), name).toBe(true);
        expect(w.min ?? c.min ?? 0, name).toBeLessThanOrEqual(w.max ?? c.max ?? 31);
      }
    }
  });

  it('every condition has a legal form and a plausible argument index', () => {
    for (const [name, e] of Object.entries(json.functions)) {
      for (const w of (e as IrqlContract).when ?? []) {
        expect(Number.isInteger(w.arg) && w.arg >= 0 && w.arg <= 12, `${name} arg ${w.arg}`).toBe(true);
        const forms = [w.is !== undefined, w.in !== undefined].filter(Boolean).length;
        expect(forms, name).toBe(1);
        if (w.is !== undefined) expect(CONDITION_PREDICATES as readonly string[], name).toContain(w.is);
        if (w.in !== undefined) expect(w.in.length, name).toBeGreaterThan(0);
        expect(w.min !== undefined || w.max !== undefined, name).toBe(true);
      }
      for (const a of (e as IrqlContract).pageableArgs ?? []) expect(a >= 0 && a <= 12, name).toBe(true);
    }
  });

  it('every effect has a legal op and lock kind', () => {
    let acquires = 0;
    for (const name of allIrqlDdiNames()) {
      for (const e of effectsOf(irqlContract(name))) {
        expect(EFFECT_OPS as readonly string[], name).toContain(e.op);
        if (e.op === 'acquire' || e.op === 'release') {
          expect(LOCK_KINDS as readonly string[], name).toContain(e.kind);
          if (e.op === 'acquire') acquires++;
        }
      }
    }
    expect(acquires).toBeGreaterThanOrEqual(30);
  });

  it('every acquire kind has a release somewhere in the table', () => {
    const acquired = new Set<string>();
    const released = new Set<string>();
    for (const name of allIrqlDdiNames()) {
      for (const e of effectsOf(irqlContract(name))) {
        if (e.op === 'acquire') acquired.add(e.kind);
        if (e.op === 'release') released.add(e.kind);
      }
    }
    expect([...acquired].filter((k) => !released.has(k))).toEqual([]);
  });

  it('every role and registration has levels 0..31 with min <= max and a source', () => {
    expect(allRoleNames().length).toBeGreaterThanOrEqual(40);
    expect(allRegistrationNames().length).toBeGreaterThanOrEqual(15);
    for (const [name, r] of [...Object.entries(json.roles), ...Object.entries(json.registrations)]) {
      expect(isLevel(r.min) && isLevel(r.max), name).toBe(true);
      expect(r.min as number, name).toBeLessThanOrEqual(r.max as number);
      expect(typeof r.source === 'string' && r.source.trim().length > 0, name).toBe(true);
    }
    for (const [name, r] of Object.entries(json.registrations)) {
      expect(Number.isInteger(r.fnArg) && (r.fnArg as number) >= 0 && (r.fnArg as number) <= 10, name).toBe(true);
      if (r.role !== undefined) {
        const role = roleIrql(r.role as string);
        expect(role, `${name} → ${String(r.role)}`).toBeDefined();
        expect([role!.min, role!.max], name).toEqual([r.min, r.max]);
      }
    }
  });

  it('sources cite the DDI reference, the IFS documentation (file systems) or kernel-semantics.md', () => {
    for (const [name, e] of [...Object.entries(json.functions), ...Object.entries(json.roles), ...Object.entries(json.registrations)]) {
      expect(e.source as string, name).toMatch(/DDI ref [a-z0-9_]+\/n[cf]-|IFS docs: .*\(ifs\/[a-z0-9-]+\)|kernel-semantics\.md §/);
    }
  });
});

describe('IRQL contract table: facts (kernel-semantics.md §1–§3)', () => {
  it('spin locks: KeAcquireSpinLock ≤ D raising to D saved through arg 1; KeReleaseSpinLock = D restoring arg 1', () => {
    expect(boundsWhen('KeAcquireSpinLock')).toEqual({ min: 0, max: DISPATCH_LEVEL });
    expect(effect('KeAcquireSpinLock')).toEqual({ op: 'acquire', kind: 'spinlock', lockArg: 0, raiseTo: 2, savedTo: { arg: 1 } });
    expect(boundsWhen('KeReleaseSpinLock')).toEqual({ min: 2, max: 2 });
    expect(effect('KeReleaseSpinLock')).toEqual({ op: 'release', kind: 'spinlock', lockArg: 0, restoreFrom: { arg: 1 } });
  });

  it('KeAcquireSpinLockRaiseToDpc returns the old IRQL', () => {
    expect(effect('KeAcquireSpinLockRaiseToDpc')).toMatchObject({ op: 'acquire', raiseTo: 2, savedTo: 'return' });
  });

  it('AtDpcLevel / FromDpcLevel forms need DISPATCH_LEVEL and neither raise nor restore', () => {
    expect(boundsWhen('KeAcquireSpinLockAtDpcLevel').min).toBe(DISPATCH_LEVEL);
    expect(effect('KeAcquireSpinLockAtDpcLevel')).toEqual({ op: 'acquire', kind: 'spinlock', lockArg: 0, atLevel: true });
    expect(boundsWhen('KeReleaseSpinLockFromDpcLevel')).toEqual({ min: 2, max: 2 });
    expect(effect('KeReleaseSpinLockFromDpcLevel')).toMatchObject({ op: 'release', atLevel: true });
    expect(boundsWhen('KeAcquireInStackQueuedSpinLockAtDpcLevel').min).toBe(2);
  });

  it('in-stack queued spin locks keep the old IRQL in the lock handle', () => {
    expect(boundsWhen('KeAcquireInStackQueuedSpinLock').max).toBe(2);
    expect(effect('KeAcquireInStackQueuedSpinLock')).toMatchObject({ kind: 'queued-spinlock', lockArg: 0, handleArg: 1, raiseTo: 2, savedTo: { lockField: true } });
    expect(boundsWhen('KeReleaseInStackQueuedSpinLock')).toEqual({ min: 2, max: 2 });
    expect(effect('KeReleaseInStackQueuedSpinLock')).toMatchObject({ op: 'release', handleArg: 0, restoreFrom: { lockField: true } });
  });

  it('KeRaiseIrql / KeLowerIrql / KeRaiseIrqlToDpcLevel', () => {
    expect(effect('KeRaiseIrql')).toEqual({ op: 'raise', levelArg: 0, savedTo: { arg: 1 } });
    expect(effect('KeLowerIrql')).toEqual({ op: 'lower', levelArg: 0 });
    expect(boundsWhen('KeRaiseIrqlToDpcLevel').max).toBe(2);
    expect(effect('KeRaiseIrqlToDpcLevel')).toEqual({ op: 'raise', level: 2, savedTo: 'return' });
  });

  it('fast mutexes: ExAcquireFastMutex ≤ A, raises to A, saved in the mutex; release exactly at A', () => {
    expect(boundsWhen('ExAcquireFastMutex').max).toBe(APC_LEVEL);
    expect(effect('ExAcquireFastMutex')).toMatchObject({ kind: 'fast-mutex', raiseTo: 1, savedTo: { lockField: true } });
    expect(boundsWhen('ExReleaseFastMutex')).toEqual({ min: 1, max: 1 });
    expect(effect('ExAcquireFastMutexUnsafe')).toEqual({ op: 'acquire', kind: 'fast-mutex', lockArg: 0 });
    expect(effect('ExTryToAcquireFastMutex')).toMatchObject({ onReturn: 'true' });
  });

  it('guarded mutexes and critical regions are ≤ A without changing the IRQL', () => {
    expect(boundsWhen('KeAcquireGuardedMutex').max).toBe(1);
    expect(effect('KeAcquireGuardedMutex')).toEqual({ op: 'acquire', kind: 'guarded-mutex', lockArg: 0 });
    expect(boundsWhen('KeEnterCriticalRegion').max).toBe(1);
    expect(effect('KeEnterCriticalRegion')).toEqual({ op: 'acquire', kind: 'critical-region' });
    expect(effect('KeLeaveCriticalRegion')).toEqual({ op: 'release', kind: 'critical-region' });
    expect(boundsWhen('ExAcquireResourceExclusiveLite').max).toBe(1);
    expect(boundsWhen('ExReleaseResourceLite').max).toBe(2);
  });

  it('executive, interrupt and cancel spin locks', () => {
    expect(effect('ExAcquireSpinLockExclusive')).toMatchObject({ kind: 'executive-spinlock', raiseTo: 2, savedTo: 'return' });
    expect(effect('ExReleaseSpinLockShared')).toMatchObject({ restoreFrom: { arg: 1 } });
    expect(boundsWhen('KeAcquireInterruptSpinLock').max).toBe(DIRQL_MAX);
    expect(effect('KeAcquireInterruptSpinLock')).toMatchObject({ kind: 'interrupt-spinlock', raiseTo: 'DIRQL', savedTo: 'return' });
    expect(effect('KeSynchronizeExecution')).toEqual({ op: 'callback-at', fnArg: 1, level: 'DIRQL' });
    expect(effect('IoAcquireCancelSpinLock')).toEqual({ op: 'acquire', kind: 'cancel-spinlock', raiseTo: 2, savedTo: { arg: 0 } });
    expect(boundsWhen('IoReleaseCancelSpinLock')).toEqual({ min: 2, max: 2 });
  });

  it('KMDF and NDIS locks', () => {
    expect(effect('WdfSpinLockAcquire')).toMatchObject({ kind: 'wdf-spinlock', lockArg: 0, raiseTo: 2 });
    expect(boundsWhen('WdfSpinLockRelease')).toEqual({ min: 2, max: 2 });
    expect(effect('WdfWaitLockAcquire')).toEqual({ op: 'acquire', kind: 'wdf-waitlock', lockArg: 0 });
    expect(boundsWhen('WdfWaitLockAcquire').max).toBe(PASSIVE_LEVEL);
    expect(boundsWhen('WdfWaitLockAcquire', is(1, 'zero-timeout')).max).toBe(APC_LEVEL);
    expect(effect('NdisAcquireSpinLock')).toMatchObject({ kind: 'ndis-spinlock', raiseTo: 2, savedTo: { lockField: true } });
    expect(boundsWhen('NdisReleaseSpinLock')).toEqual({ min: 2, max: 2 });
    expect(boundsWhen('NdisDprAcquireSpinLock')).toEqual({ min: 2, max: 2 });
    expect(effect('NdisDprAcquireSpinLock')).toMatchObject({ atLevel: true });
  });

  it('Zw* routines are exactly PASSIVE_LEVEL', () => {
    for (const n of ['ZwCreateFile', 'ZwClose', 'ZwReadFile', 'ZwWriteFile', 'ZwOpenKey', 'ZwQueryValueKey', 'ZwSetValueKey']) {
      expect(boundsWhen(n), n).toEqual({ min: 0, max: 0 });
    }
    const zw = allIrqlDdiNames().filter((n) => n.startsWith('Zw'));
    expect(zw.length).toBeGreaterThanOrEqual(20);
    for (const n of zw) expect(boundsWhen(n), n).toEqual({ min: 0, max: 0 });
  });

  it('pool allocation: paged pool ≤ A, nonpaged ≤ D', () => {
    expect(boundsWhen('ExAllocatePoolWithTag').max).toBe(2);
    expect(boundsWhen('ExAllocatePoolWithTag', is(0, 'paged-pool')).max).toBe(1);
    expect(boundsWhen('ExAllocatePool2').max).toBe(2);
    expect(boundsWhen('ExAllocatePool2', is(0, 'paged-pool')).max).toBe(1);
    expect(irqlContract('ExFreePoolWithTag')?.pageableArgs).toEqual([0]);
    expect(boundsWhen('WdfMemoryCreate', is(1, 'paged-pool')).max).toBe(1);
  });

  it('waits and events: zero timeout at D; KeSetEvent with Wait TRUE ≤ A', () => {
    expect(boundsWhen('KeWaitForSingleObject').max).toBe(1);
    expect(boundsWhen('KeWaitForSingleObject', is(4, 'zero-timeout')).max).toBe(2);
    expect(boundsWhen('KeWaitForMultipleObjects', is(6, 'zero-timeout')).max).toBe(2);
    expect(boundsWhen('KeWaitForMultipleObjects', is(4, 'zero-timeout')).max).toBe(1);
    expect(boundsWhen('KeSetEvent').max).toBe(2);
    expect(boundsWhen('KeSetEvent', is(2, 'true')).max).toBe(1);
    expect(boundsWhen('KeDelayExecutionThread').max).toBe(1);
    expect(boundsWhen('KeClearEvent').max).toBe(2);
  });

  it('MDL routines', () => {
    const probe = irqlContract('MmProbeAndLockPages')!;
    expect(probe.max).toBe(2);
    expect(probe.pageableBufferOfMdlArg).toBe(0);
    expect(probe.maxIfPageable).toBe(1);
    expect(boundsWhen('MmUnlockPages').max).toBe(2);
    expect(boundsWhen('IoAllocateMdl').max).toBe(2);
    expect(boundsWhen('IoFreeMdl').max).toBe(2);
    expect(boundsWhen('MmBuildMdlForNonPagedPool').max).toBe(2);
    expect(boundsWhen('MmMapLockedPagesSpecifyCache').max).toBe(2);
    expect(boundsWhen('MmMapLockedPagesSpecifyCache', is(1, 'user-mode')).max).toBe(1);
    expect(boundsWhen('MmAllocatePagesForMdlEx').max).toBe(2);
    expect(boundsWhen('MmFreePagesFromMdl').max).toBe(2);
    expect(boundsWhen('ProbeForRead').max).toBe(1);
    expect(boundsWhen('MmProbeAndLockProcessPages').max).toBe(1);
  });

  it('misc. DDIs from §1/§3', () => {
    expect(boundsWhen('IoCompleteRequest').max).toBe(2);
    expect(boundsWhen('IoCallDriver').max).toBe(2);
    expect(boundsWhen('ObReferenceObjectByHandle')).toEqual({ min: 0, max: 0 });
    expect(boundsWhen('ObDereferenceObject').max).toBe(2);
    expect(boundsWhen('PsCreateSystemThread')).toEqual({ min: 0, max: 0 });
    expect(boundsWhen('IoStartNextPacket')).toEqual({ min: 2, max: 2 });
    expect(boundsWhen('IoBuildDeviceIoControlRequest').max).toBe(1);
    expect(boundsWhen('IoGetDmaAdapter')).toEqual({ min: 0, max: 0 });
    expect(boundsWhen('RtlUnicodeStringToAnsiString')).toEqual({ min: 0, max: 0 });
    expect(boundsWhen('RtlCopyMemory').max).toBe(HIGH_LEVEL);
    expect(irqlContract('RtlCopyMemory')?.pageableArgs).toEqual([0, 1]);
    expect(boundsWhen('KeStallExecutionProcessor')).toEqual({ min: 0, max: 31 });
    expect(boundsWhen('WdfRequestComplete').max).toBe(2);
    expect(boundsWhen('WdfIoQueueCreate').max).toBe(2);
    expect(boundsWhen('WdfTimerStop', is(1, 'true')).max).toBe(0);
    expect(boundsWhen('WdfIoTargetStop', (c) => c.arg === 1 && c.in?.includes('WdfIoTargetLeaveSentIoPending') === true).max).toBe(2);
  });

  it('roles', () => {
    expect(roleIrql('KDEFERRED_ROUTINE')).toMatchObject({ min: 2, max: 2 });
    expect(roleIrql('KSERVICE_ROUTINE')).toMatchObject({ min: DIRQL_MIN, max: DIRQL_MAX });
    expect(roleIrql('KSYNCHRONIZE_ROUTINE')).toMatchObject({ min: 3, max: 26 });
    expect(roleIrql('DRIVER_STARTIO')).toMatchObject({ min: 2, max: 2 });
    expect(roleIrql('DRIVER_CANCEL')).toMatchObject({ min: 2, max: 2 });
    expect(roleIrql('IO_COMPLETION_ROUTINE')).toMatchObject({ min: 0, max: 2 });
    expect(roleIrql('IO_WORKITEM_ROUTINE')).toMatchObject({ min: 0, max: 0 });
    expect(roleIrql('DRIVER_UNLOAD')).toMatchObject({ min: 0, max: 0 });
    expect(roleIrql('DRIVER_DISPATCH')).toMatchObject({ min: 0, max: 0 });
    expect(roleIrql('EVT_WDF_DRIVER_DEVICE_ADD')).toMatchObject({ min: 0, max: 0 });
    expect(roleIrql('EVT_WDF_IO_QUEUE_IO_READ')).toMatchObject({ min: 0, max: 2 });
    expect(roleIrql('EVT_WDF_INTERRUPT_ISR')).toMatchObject({ min: 3, max: 26 });
    expect(roleIrql('EVT_WDF_INTERRUPT_DPC')).toMatchObject({ min: 2, max: 2 });
    expect(roleIrql('EVT_WDF_TIMER')).toMatchObject({ min: 2, max: 2, passiveExecutionLevel: true });
    expect(roleIrql('EVT_WDF_WORKITEM')).toMatchObject({ min: 0, max: 0 });
    expect(roleIrql('NO_SUCH_ROLE')).toBeUndefined();
  });

  it('registrations', () => {
    expect(registration('KeInitializeDpc')).toMatchObject({ fnArg: 1, min: 2, max: 2 });
    expect(registration('IoSetCompletionRoutine')).toMatchObject({ fnArg: 1, min: 0, max: 2 });
    expect(registration('IoSetCompletionRoutineEx')).toMatchObject({ fnArg: 2 });
    expect(registration('IoQueueWorkItem')).toMatchObject({ fnArg: 1, min: 0, max: 0 });
    expect(registration('PsCreateSystemThread')).toMatchObject({ fnArg: 5, min: 0, max: 0 });
    expect(registration('IoConnectInterrupt')).toMatchObject({ fnArg: 1, min: 3, max: 26 });
    expect(registration('KeSynchronizeExecution')).toMatchObject({ fnArg: 1, min: 3, max: 26 });
    expect(registration('IoSetCancelRoutine')).toMatchObject({ fnArg: 1, min: 2, max: 2 });
    expect(registration('KeInsertQueueDpc')).toBeUndefined();
  });

  it('unknown names are undefined, including inherited object keys', () => {
    expect(irqlContract('NoSuchRoutine')).toBeUndefined();
    expect(irqlContract('toString')).toBeUndefined();
    expect(irqlContract('__proto__')).toBeUndefined();
  });
});

describe('withOverrides', () => {
  it('adds a user API and overrides a built-in one, leaving the rest alone', () => {
    const t = withOverrides({
      MyDriverLockAcquire: { max: 2, effect: { op: 'acquire', kind: 'spinlock', lockArg: 0, raiseTo: 2, savedTo: 'return' } },
      KeSetEvent: { max: 1 },
    });
    expect(t.contract('MyDriverLockAcquire')).toMatchObject({ max: 2 });
    expect(t.contract('KeSetEvent')).toEqual({ max: 1 });
    expect(irqlContract('KeSetEvent')?.max).toBe(2); // the built-in table is untouched
    expect(t.contract('KeAcquireSpinLock')).toBe(irqlContract('KeAcquireSpinLock'));
    expect(t.contract('NoSuchRoutine')).toBeUndefined();
    expect(t.role('KDEFERRED_ROUTINE')).toMatchObject({ min: 2, max: 2 });
    expect(t.registration('KeInitializeDpc')?.fnArg).toBe(1);
    expect(t.names()).toContain('MyDriverLockAcquire');
    expect(t.names()).toContain('ZwClose');
  });

  it('accepts entries without a source', () => {
    expect(() => withOverrides({ MyPassiveOnly: { min: 0, max: 0 } })).not.toThrow();
  });

  it('rejects a malformed entry with a message naming it', () => {
    expect(() => withOverrides({ Good: { max: 2 }, MyBadApi: { max: 40 } })).toThrow(/"MyBadApi".*max: must be an IRQL 0\.\.31/);
    expect(() => withOverrides({ MyBadWhen: { max: 2, when: [{ arg: 0, is: 'sometimes' as never, max: 1 }] } })).toThrow(/"MyBadWhen".*when\[0\]\.is/);
    expect(() => withOverrides({ MyBadKind: { effect: { op: 'acquire', kind: 'mutex' as never, lockArg: 0 } } })).toThrow(/"MyBadKind".*effect\.kind/);
    expect(() => withOverrides({ MyNoLock: { effect: { op: 'acquire', kind: 'spinlock' } } })).toThrow(/"MyNoLock".*needs "lockArg"/);
    expect(() => withOverrides({ MyRange: { min: 2, max: 1 } })).toThrow(/"MyRange".*min 2 > max 1/);
    expect(() => withOverrides({ MyTypo: { maxx: 2 } as never })).toThrow(/"MyTypo".*unknown key "maxx"/);
  });

  it('the exported schema agrees with the validator on user entries', () => {
    const validate = new Ajv({ strict: false }).compile(IRQL_CONTRACT_SCHEMA);
    const cases: unknown[] = [
      { max: 2 },
      { min: 0, max: 0, when: [{ arg: 1, in: ['FOO'], max: 2 }] },
      { effect: [{ op: 'acquire', kind: 'critical-region' }, { op: 'callback-at', fnArg: 2, level: 'DIRQL' }] },
      { max: 40 },
      { when: [{ arg: 1, is: 'true' }] },
      { effect: { op: 'acquire', kind: 'spinlock' } },
      { effect: { op: 'raise', levelArg: 0, level: 2 } },
      { pageableBufferOfMdlArg: 0 },
      { maxx: 1 },
    ];
    for (const c of cases) expect(validate(c), JSON.stringify(c)).toBe(validateIrqlContract(c, false).length === 0);
  });
});

describe('level names', () => {
  it('maps WDK names, numbers and DIRQL', () => {
    expect(irqlLevelByName('PASSIVE_LEVEL')).toBe(PASSIVE_LEVEL);
    expect(irqlLevelByName('APC_LEVEL')).toBe(APC_LEVEL);
    expect(irqlLevelByName('DISPATCH_LEVEL')).toBe(DISPATCH_LEVEL);
    expect(irqlLevelByName('DPC_LEVEL')).toBe(2);
    expect(irqlLevelByName('HIGH_LEVEL')).toBe(HIGH_LEVEL);
    expect(irqlLevelByName('CLOCK_LEVEL')).toBe(28);
    expect(irqlLevelByName('IPI_LEVEL')).toBe(29);
    expect(irqlLevelByName('SYNCH_LEVEL')).toBe(27);
    expect(irqlLevelByName('2')).toBe(2);
    expect(irqlLevelByName(' 0x1f ')).toBe(31);
    expect(irqlLevelByName('32')).toBeUndefined();
    expect(irqlLevelByName('DIRQL')).toBeUndefined();
    expect(irqlLevelByName('NOT_A_LEVEL')).toBeUndefined();
    expect(irqlLevelName(0)).toBe('PASSIVE_LEVEL');
    expect(irqlLevelName(1)).toBe('APC_LEVEL');
    expect(irqlLevelName(2)).toBe('DISPATCH_LEVEL');
    expect(irqlLevelName(5)).toBe('DIRQL (5)');
    expect(irqlLevelName(31)).toBe('HIGH_LEVEL');
  });

  it('round-trips every level 0..31', () => {
    for (let n = 0; n <= 31; n++) expect(irqlLevelByName(irqlLevelName(n)), String(n)).toBe(n);
  });
});

describe('the table of a run: Project.irqlTable and irqlWords', () => {
  const user = withOverrides({ MyDrvWaitForDevice: { max: 1, source: 'our header' }, KeSetEvent: { max: 1 } });

  it('IRQL_WORDS matches the built-in names, role types, registrations and annotations (and nothing else)', () => {
    for (const n of [...allIrqlDdiNames(), ...allRoleNames(), ...allRegistrationNames()]) expect(IRQL_WORDS.test(`x = ${n}(a);`), n).toBe(true);
    expect(IRQL_WORDS.test('_IRQL_requires_max_(DISPATCH_LEVEL) void f(void);')).toBe(true);
    expect(IRQL_WORDS.test('__drv_maxIRQL(2) void f(void);')).toBe(true);
    expect(IRQL_WORDS.test('MyDrvWaitForDevice(x);')).toBe(false);
    expect(IRQL_WORDS.test('KeAcquireSpinLockX(x);')).toBe(false);
    expect(irqlWordsPattern()).toBe(IRQL_WORDS);
  });

  it('irqlWordsPattern(table) adds the user names', () => {
    const re = irqlWordsPattern(user);
    expect(re.test('MyDrvWaitForDevice(x);')).toBe(true);
    expect(re.test('KeAcquireSpinLock(&l, &old);')).toBe(true);
    expect(re.test('MyDrvWaitForDeviceEx(x);')).toBe(false);
    expect(irqlWordsPattern(user)).toBe(re); // built once per table
  });

  it('a Project has the built-in table by default, or the one it is given', () => {
    const p = new Project([]);
    expect(p.irqlTable).toBe(BUILTIN_IRQL_TABLE);
    expect(p.irqlTable.contract('KeSetEvent')).toBe(irqlContract('KeSetEvent'));
    expect(p.irqlWords).toBe(IRQL_WORDS);
    const q = prepareProject([{ path: '/d/a.c', text: 'void f(void) { MyDrvWaitForDevice(); }\n' }], '/d', { irqlTable: user });
    expect(q.irqlTable).toBe(user);
    expect(q.irqlTable.contract('MyDrvWaitForDevice')).toEqual({ max: 1, source: 'our header' });
    expect(q.irqlTable.contract('KeSetEvent')).toEqual({ max: 1 });
    expect(q.irqlWords.test('MyDrvWaitForDevice(')).toBe(true);
    expect(q.allFiles().map((f) => f.path)).toEqual(['/d/a.c']);
    expect(prepareProject([{ path: '/d/a.c', text: 'void f(void) { MyDrvWaitForDevice(); }\n' }], '/d').irqlTable).toBe(BUILTIN_IRQL_TABLE);
  });

  it('a user routine named like an Object.prototype member is an ordinary entry', () => {
    const t = withOverrides(JSON.parse('{"__proto__": {"max": 1}, "toString": {"max": 2}}') as Record<string, IrqlContract>);
    expect(t.contract('__proto__')).toEqual({ max: 1 });
    expect(t.contract('toString')).toEqual({ max: 2 });
    expect(t.contract('valueOf')).toBeUndefined();
    expect(t.names()).toEqual(expect.arrayContaining(['__proto__', 'toString']));
  });
});
