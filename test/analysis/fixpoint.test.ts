/**
 * The MDL analysis's fixpoint grows with the function's size, not with its square, on control flow
 * that no loop statement shapes: a maze of labels each jumping to another (irreducible flow, where
 * no node is a loop head). Without widening at the targets of backward jumps, the tested value of
 * `x` climbed one constant per round (x in 0..1, 0..2, ...), and 10,000 labels took 32 s.
 */
import { describe, expect, it } from 'vitest';
import { parseSource } from '../../src/parse/parser.js';
import { analyzeFunction } from '../../src/analysis/mdl-analysis.js';
import { lintSource } from '../../src/lint/linter.js';

function maze(n: number): string {
  const lines = Array.from({ length: n }, (_, i) => `L${i}: if (x == ${i}) goto L${(i * 7919) % n};`);
  return `#include <wdm.h>\nint Maze(PMDL Mdl, int x) {\n  int y = 0;\n${lines.join('\n')}\n  MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess);\n  return y;\n}\n`;
}

function steps(n: number): number {
  const file = parseSource(`maze${n}.c`, maze(n));
  const fn = file.functions.find((f) => f.name === 'Maze')!;
  const a = analyzeFunction(file, fn);
  expect(a.skipped).toBeUndefined();
  return a.steps!;
}

describe('fixpoint on irreducible control flow', () => {
  it('visits nodes in proportion to the number of labels', () => {
    const small = steps(200);
    const large = steps(800);
    // four times the labels: about four times the steps (it was sixteen)
    expect(large / small).toBeLessThan(5);
    expect(large).toBeLessThan(800 * 40);
  });

  it('still reports what follows the maze (the probe outside __try)', () => {
    const messages = lintSource(parseSource('maze.c', maze(300))).messages.map((m) => `${m.line}:${m.ruleId}`);
    expect(messages).toEqual(['304:mdl-probe-outside-try']);
  });

  it('keeps a value a retry loop made of goto tests', () => {
    // the count of tries is widened only after several rounds: the unlock on the last path still pairs with its lock
    const text = `#include <wdm.h>
NTSTATUS Retry(PMDL Mdl) {
  int tries = 0;
  BOOLEAN locked = FALSE;
again:
  __try {
    MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess);
    locked = TRUE;
  } __except (EXCEPTION_EXECUTE_HANDLER) {
    if (++tries < 3) goto again;
  }
  if (locked) MmUnlockPages(Mdl);
  return locked ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
}
`;
    expect(lintSource(parseSource('retry.c', text)).messages).toEqual([]);
  });
});
