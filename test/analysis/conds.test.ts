/** Remembered conditions (src/analysis/conds.ts): the names a condition reads, and the bound on how many a path keeps. */
import { describe, expect, it } from 'vitest';
import { condIdentifiers, condVariables, MAX_REMEMBERED_CONDS, remembersMore } from '../../src/analysis/conds.js';
import { parseSource } from '../../src/parse/parser.js';
import { lintSource } from '../../src/lint/linter.js';
import { elseIfChain } from '../../src/bench/corpus.js';

describe('names a remembered condition reads', () => {
  it('are not read inside numbers (0x10, 10UL)', () => {
    expect(condIdentifiers('?Code==0x22200c')).toEqual(['Code']);
    expect(condIdentifiers('?(Options&0x10)!=0')).toEqual(['Options']);
    expect(condIdentifiers('?Length>10UL')).toEqual(['Length']);
    expect(condIdentifiers('?$x==1&&y_2')).toEqual(['$x', 'y_2']);
  });

  it('are variables, not the fields after -> and .', () => {
    expect(condIdentifiers('?Ctx->Flags&4')).toEqual(['Ctx', 'Flags']);
    expect(condVariables('?Ctx->Flags&4')).toEqual(['Ctx']);
    expect(condVariables('?s.Mode==KernelMode&&p->Next->Count')).toEqual(['s', 'KernelMode', 'p']);
  });
});

describe('the bound on remembered conditions', () => {
  it('counts conditions only, not other tracked values', () => {
    const m = new Map<string, number>();
    for (let k = 0; k < MAX_REMEMBERED_CONDS * 2; k++) m.set(`v${k}`, 0);
    expect(remembersMore(m)).toBe(true);
    for (let k = 0; k < MAX_REMEMBERED_CONDS - 1; k++) m.set(`?c${k}`, 0);
    expect(remembersMore(m)).toBe(true);
    m.set('?last', 1);
    expect(remembersMore(m)).toBe(false);
  });

  it('lets a long else-if chain of calls be analysed with its findings', () => {
    // each branch calls an unknown routine: the IRQL analysis kept every tested code on the paths that
    // went on and read them all at each call, so 6,000 branches took over 5 s in that analysis alone
    const text = elseIfChain(1200).replace('__try { MmProbeAndLockPages(mdl, UserMode, IoReadAccess); MmUnlockPages(mdl); } __except (EXCEPTION_EXECUTE_HANDLER) { }', 'MmProbeAndLockPages(mdl, UserMode, IoReadAccess);');
    const messages = lintSource(parseSource('chain.c', text)).messages.map((m) => m.ruleId);
    expect(messages).toContain('mdl-probe-outside-try');
  });
});
