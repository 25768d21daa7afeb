/**
 * Preprocessor conditions in function bodies are decided by what the program's own text defines
 * (`src/analysis/pp-macros.ts`, `src/cfg/pp-conditions.ts`): `#if !MINI_PORT` with `#define MINI_PORT 1`
 * is dead code. A name the program does not define for certain (defined under a condition, redefined,
 * `#undef`ined, or not at all) leaves the condition undecided: both sides are followed.
 */
import { describe, expect, it } from 'vitest';
import { ppMacroFacts } from '../../src/analysis/pp-macros.js';
import { lintText, prepareProject } from '../../src/lint/linter.js';

const facts = (text: string) => Object.fromEntries(ppMacroFacts(text));

describe('ppMacroFacts', () => {
  it('reads unconditional constants, empty and non-constant bodies', () => {
    expect(facts('#define A 1\n#define B (A << 4)\n#define C\n#define D SomeCall()\n#define F(x) (x)\n')).toEqual({ A: 1, B: 16, C: 'defined', D: 'defined' });
  });

  it('counts the include guard as no condition', () => {
    expect(facts('#ifndef _X_H_\n#define _X_H_\n#define A 1\n#endif\n')).toEqual({ _X_H_: 'defined', A: 1 });
    expect(facts('#if !defined(_X_H_)\n#define _X_H_\n#define A 0\n#endif // _X_H_\n')).toEqual({ _X_H_: 'defined', A: 0 });
  });

  it('leaves names defined under a condition, redefined or #undef-ined not certain', () => {
    expect(facts('#if DBG\n#define T 3\n#else\n#define T 0\n#endif\n')).toEqual({ T: 'unknown' });
    expect(facts('#define R 1\n#define R 2\n')).toEqual({ R: 'unknown' });
    expect(facts('#define R 1\n#define R 1\n')).toEqual({ R: 1 });
    expect(facts('#define U 1\n#undef U\n')).toEqual({ U: 'unknown' });
    // a commented-out definition defines nothing
    expect(facts('/*\n#define Z 1\n*/\n#define Y 0 // comment\n')).toEqual({ Y: 0 });
  });
});

// (a use of the freed MDL inside the condition under test, on the 10th line after the definitions: `useLine`)
const free = (cond: string, defs = '') => `${defs}
typedef struct _R { PMDL Mdl; } R, *PR;
VOID Teardown(PR r)
{
    if (r->Mdl == NULL) {
        return;
    }
    MmUnlockPages(r->Mdl);
    IoFreeMdl(r->Mdl);
${cond}
    MmUnlockPages(r->Mdl);
#endif
}
`;

const lint = (files: Record<string, string>, target: string) => {
  const inputs = Object.entries(files).map(([path, text]) => ({ path: `/drv/${path}`, text }));
  const project = prepareProject(inputs, '/drv');
  return lintText(files[target]!, `/drv/${target}`, { project }).messages.map((m) => `${m.line} ${m.ruleId}`);
};
const useLine = (defs: string) => defs.split('\n').length + 10;
const one = (cond: string, defs: string) => {
  const got = lint({ 'a.c': free(cond, defs) }, 'a.c');
  // the only finding a test expects is the use inside the condition
  return got.map((m) => (m === `${useLine(defs)} mdl-use-after-free` ? 'UAF' : m));
};
const UAF = ['UAF'];

describe('conditions in a body', () => {
  it('follows only the side the file\'s macros keep', () => {
    expect(one('#if !MINI', '#define MINI 1')).toEqual([]);
    expect(one('#if MINI', '#define MINI 1')).toEqual(UAF);
    expect(one('#ifndef MINI', '#define MINI 1')).toEqual([]);
    expect(one('#ifdef MINI', '#define MINI 1')).toEqual(UAF);
    expect(one('#if MINI == 0', '#define MINI 1')).toEqual([]);
    expect(one('#if defined(MINI) && !TRACE', '#define MINI 1\n#define TRACE 0')).toEqual(UAF);
    expect(one('#if TRACE || VERSION < 0x200', '#define TRACE 0\n#define VERSION 0x0300')).toEqual([]);
  });

  it('follows both sides of a name the program does not define for certain', () => {
    expect(one('#ifdef VERIFY', '')).toEqual(UAF);
    expect(one('#if VERIFY', '')).toEqual(UAF);
    expect(one('#if TRACE', '#if DBG\n#define TRACE 1\n#else\n#define TRACE 0\n#endif')).toEqual(UAF);
    expect(one('#if TRACE', '#define TRACE 0\n#undef TRACE')).toEqual(UAF);
    // one side decides `||` and `&&`
    expect(one('#if VERIFY || ON', '#define ON 1')).toEqual(UAF);
    expect(one('#if VERIFY && OFF', '#define OFF 0')).toEqual([]);
  });

  it('reads the macros of the headers, and leaves a name two headers define differently undecided', () => {
    const c = free('#if !MINI', '#include "cfg.h"');
    expect(lint({ 'cfg.h': '#pragma once\n#define MINI 1\n', 'a.c': c }, 'a.c')).toEqual([]);
    expect(lint({ 'cfg.h': '#define MINI 1\n', 'other.h': '#define MINI 0\n', 'a.c': c }, 'a.c')).toEqual([`${useLine('#include "cfg.h"')} mdl-use-after-free`]);
    // the file's own definition comes first
    expect(lint({ 'cfg.h': '#define MINI 0\n', 'a.c': free('#if !MINI', '#include "cfg.h"\n#define MINI 1') }, 'a.c')).toEqual([]);
    // and an #undef in the file makes it not certain
    const undefs = '#include "cfg.h"\n#undef MINI\n#define MINI 1';
    expect(lint({ 'cfg.h': '#define MINI 1\n', 'a.c': free('#if !MINI', undefs) }, 'a.c')).toEqual([`${useLine(undefs)} mdl-use-after-free`]);
  });
});

// a function that returns with its MDL locked (a finding where it is compiled), under `guard`
const leaking = (name: string) => `NTSTATUS ${name}(PVOID Va, ULONG Len)
{
    PMDL m = IoAllocateMdl(Va, Len, FALSE, FALSE, NULL);
    if (m == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try { MmProbeAndLockPages(m, UserMode, IoReadAccess); } __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(m); return GetExceptionCode(); }
    return STATUS_SUCCESS;
}
`;
const leaks = (files: Record<string, string>, target: string) => lint(files, target).filter((m) => m.endsWith('mdl-unmatched-lock')).length;

describe('functions in #if branches around their definitions', () => {
  it('does not lint a function of a branch the program\'s macros rule out, in #if, #elif, #else and #ifdef forms', () => {
    const defs = '#define USE_X 0\n#define MINI 1\n';
    expect(leaks({ 'a.c': `${defs}#if USE_X\n${leaking('A')}#endif\n` }, 'a.c')).toBe(0);
    expect(leaks({ 'a.c': `${defs}#if USE_X\n${leaking('A')}#else\n${leaking('B')}#endif\n` }, 'a.c')).toBe(1);
    expect(leaks({ 'a.c': `${defs}#if !USE_X\n${leaking('A')}#elif MINI\n${leaking('B')}#else\n${leaking('C')}#endif\n` }, 'a.c')).toBe(1);
    expect(leaks({ 'a.c': `${defs}#ifndef MINI\n${leaking('A')}#endif\n#ifdef MINI\n${leaking('B')}#endif\n` }, 'a.c')).toBe(1);
    // nested: the outer branch rules it out whatever the inner one says
    expect(leaks({ 'a.c': `${defs}#if USE_X\n#ifdef WHATEVER\n${leaking('A')}#endif\n#endif\n` }, 'a.c')).toBe(0);
  });

  it('reads the macro from a header of the program, and lints what a name the program does not define guards', () => {
    const files = { 'cfg.h': '#ifndef CFG_H\n#define CFG_H\n#define USE_X 0\n#endif\n', 'a.c': `#include "cfg.h"\n#if USE_X\n${leaking('A')}#endif\n#ifdef DBG\n${leaking('B')}#endif\n#if !defined(NDIS60)\n${leaking('C')}#endif\n` };
    // B and C: a build may define DBG or NDIS60 on its command line
    expect(leaks(files, 'a.c')).toBe(2);
  });

  it('keeps the functions of a header inside its include guard, and one under a macro defined only conditionally', () => {
    expect(leaks({ 'x.h': `#ifndef X_H\n#define X_H\n${leaking('A')}#endif\n` }, 'x.h')).toBe(1);
    expect(leaks({ 'a.c': `#if DBG\n#define USE_X 1\n#else\n#define USE_X 0\n#endif\n#if USE_X\n${leaking('A')}#endif\n` }, 'a.c')).toBe(1);
  });

  it('binds a call to the definition the build compiles, not to one of a branch ruled out', () => {
    const helper = (unlock: boolean) => `VOID Release(PMDL M)\n{\n${unlock ? '    MmUnlockPages(M);\n' : ''}    IoFreeMdl(M);\n}\n`;
    const caller = `NTSTATUS Use(PVOID Va, ULONG Len)
{
    PMDL m = IoAllocateMdl(Va, Len, FALSE, FALSE, NULL);
    if (m == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try { MmProbeAndLockPages(m, UserMode, IoReadAccess); } __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(m); return GetExceptionCode(); }
    Release(m);
    return STATUS_SUCCESS;
}
`;
    // the compiled Release frees a locked MDL (mdl-free-while-locked) when it is the one without the unlock
    const rules = (useX: number) => lint({ 'a.c': `#define USE_X ${useX}\n#if USE_X\n${helper(false)}#else\n${helper(true)}#endif\n${caller}` }, 'a.c').map((m) => m.split(' ')[1]);
    expect(rules(0)).toEqual([]);
    expect(rules(1)).toContain('mdl-free-while-locked');
  });
});

describe('a condition tested again in one function takes the side the path took first', () => {
  const lint1 = (text: string) => lintText(text, '/drv/a.c').messages.map((m) => `${m.line} ${m.ruleId}`);
  const RAISE_LOWER = (first: string, second: string) => `#include <ntddk.h>
_IRQL_requires_max_(DISPATCH_LEVEL)
VOID F(PUCHAR p)
{
    KIRQL old = PASSIVE_LEVEL;
${first}
    KeRaiseIrql(HIGH_LEVEL, &old);
#endif
    p[0] = 1;
${second}
    KeLowerIrql(old);
#endif
}
`;
  it('#ifdef X twice, and its spellings #if defined(X), #if (defined X)', () => {
    expect(lint1(RAISE_LOWER('#ifdef _M_IX86', '#ifdef _M_IX86'))).toEqual([]);
    expect(lint1(RAISE_LOWER('#ifdef _M_IX86', '#if defined(_M_IX86)'))).toEqual([]);
    expect(lint1(RAISE_LOWER('#if (defined _M_IX86)', '#ifdef _M_IX86'))).toEqual([]);
    expect(lint1(RAISE_LOWER('#ifndef NO_FPU', '#if !defined(NO_FPU)'))).toEqual([]);
    expect(lint1(RAISE_LOWER('#if DBG', '#if  DBG'))).toEqual([]);
  });
  it('the opposite condition, or another one: both reported as before', () => {
    expect(lint1(RAISE_LOWER('#ifdef _M_IX86', '#ifndef _M_IX86'))).toEqual(['13 irql-not-restored']);
    expect(lint1(RAISE_LOWER('#if DBG', '#if !DBG'))).toEqual(['13 irql-not-restored']);
    expect(lint1(RAISE_LOWER('#if DBG', '#if DEBUG_IRQL'))).toEqual(['13 irql-not-restored']);
  });
});
