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
