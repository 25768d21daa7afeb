/**
 * Constants a driver defines in its own headers (`#define` flag bits, enumerators) are known to its `.c`
 * files (`Project.headerConstants`): the state bits of the flag-variable idiom decide the unlock, and an
 * enumerator passed to a helper binds its parameter. A name two headers define differently stays unknown,
 * and a `.c` file's own constants are its own.
 */
import { describe, expect, it } from 'vitest';
import { textConstants } from '../../src/analysis/constants.js';
import { lintText, prepareProject } from '../../src/lint/linter.js';

const lint = (files: Record<string, string>, target: string) => {
  const inputs = Object.entries(files).map(([path, text]) => ({ path: `/drv/${path}`, text }));
  const project = prepareProject(inputs, '/drv');
  return lintText(files[target]!, `/drv/${target}`, { project }).messages.map((m) => `${m.line} ${m.ruleId}`);
};

const STATE_H = `#pragma once
#define REQ_LOCKED 0x2
#define REQ_MAPPED (REQ_LOCKED << 1)
`;
// the unlock after the cleanup label is guarded by the bit the probe set (lines 14-16)
const XFER_C = (bit: string) => `#include "state.h"
NTSTATUS Xfer(PVOID Buffer, ULONG Length)
{
    ULONG state = 0;
    NTSTATUS status = STATUS_SUCCESS;
    PMDL mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
        state |= REQ_LOCKED;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
    }
    if (state & ${bit}) {
        MmUnlockPages(mdl);
    }
    IoFreeMdl(mdl);
    return status;
}
`;

describe('constants of the program\'s headers', () => {
  it('are read from the text: #define values that fold, enumerators, not function-like macros, comments or lists with #if', () => {
    const text = `#define A 0x2
#define B (A << 1) // comment
#define F(x) 1
#define S "str"
/* #define C 5 */
typedef enum _X { X0, X1 = 4, X2, /* c */ X3 = B | 1, } X;
enum { Y0 = 1,
#if FOO
  Y1,
#endif
};
`;
    expect(textConstants(text)).toEqual([
      ['A', 2],
      ['B', 4],
      ['X0', 0],
      ['X1', 4],
      ['X2', 5],
      ['X3', 5],
    ]);
  });

  it('decide a state bit: the unlock guarded by the bit the probe set is not after a failed probe', () => {
    expect(lint({ 'state.h': STATE_H, 'xfer.c': XFER_C('REQ_LOCKED') }, 'xfer.c')).toEqual([]);
    // the bit that is never set: the pages are freed locked
    expect(lint({ 'state.h': STATE_H, 'xfer.c': XFER_C('REQ_MAPPED') }, 'xfer.c')).toEqual(['17 mdl-free-while-locked']);
  });

  it('a bit two headers define differently is unknown (an unlock may follow a failed probe, as without the header)', () => {
    const other = '#define REQ_LOCKED 0x8\n';
    const got = lint({ 'state.h': STATE_H, 'other.h': other, 'xfer.c': XFER_C('REQ_LOCKED') }, 'xfer.c');
    expect(got).toEqual(lint({ 'xfer.c': XFER_C('REQ_LOCKED') }, 'xfer.c'));
    // (after a failed probe `state` is 0, and 0 & REQ_LOCKED is 0 whatever the bit; after a successful one the
    // unknown bit may test clear: the pages may be freed locked)
    expect(got).toContain('17 mdl-free-while-locked');
  });

  it('a .c file\'s constants are not another .c file\'s', () => {
    const got = lint({ 'state.c': STATE_H, 'xfer.c': XFER_C('REQ_LOCKED') }, 'xfer.c');
    expect(got).toContain('17 mdl-free-while-locked');
  });

  it('an enumerator of a header passed to a helper binds its parameter (the branch that waits is not reached under the spin lock)', () => {
    const modes = '#pragma once\ntypedef enum _CALL_MODE { CallMayWait = 0, CallAtDispatch = 1 } CALL_MODE;\ntypedef struct _CTX { KSPIN_LOCK Lock; } CTX, *PCTX;\n';
    const helper = `#include "modes.h"
VOID Process(PCTX c, CALL_MODE Mode)
{
    UNREFERENCED_PARAMETER(c);
    if (Mode == CallMayWait) {
        KeDelayExecutionThread(KernelMode, FALSE, NULL);
    }
}
`;
    const user = (mode: string) => `#include "modes.h"
VOID Process(PCTX c, CALL_MODE Mode);
_IRQL_requires_max_(PASSIVE_LEVEL)
VOID Flush(PCTX c)
{
    KIRQL old;
    KeAcquireSpinLock(&c->Lock, &old);
    Process(c, ${mode});
    KeReleaseSpinLock(&c->Lock, old);
}
`;
    expect(lint({ 'modes.h': modes, 'helper.c': helper, 'user.c': user('CallAtDispatch') }, 'helper.c')).toEqual([]);
    expect(lint({ 'modes.h': modes, 'helper.c': helper, 'user.c': user('CallMayWait') }, 'helper.c')).toEqual(['6 irql-wait-at-dispatch']);
    // without the header's value the branch may be taken
    expect(lint({ 'modes.h': modes.replace('CallAtDispatch = 1', 'CallAtDispatch = CALL_BASE'), 'helper.c': helper, 'user.c': user('CallAtDispatch') }, 'helper.c')).toEqual(['6 irql-wait-at-dispatch']);
  });
});
