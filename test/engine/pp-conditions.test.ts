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
