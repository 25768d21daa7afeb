/** Explanation paths (src/analysis/explain.ts): bounded, whatever the length of the function before the finding. */
import { describe, expect, it } from 'vitest';
import { lintText } from '../../src/lint/linter.js';

describe('explanation paths', () => {
  it('keep the first 8 and the last 32 steps of a long path, and say how many were left out', () => {
    // 300 tests, then an unlock after the unlock: the path ran from the first unlock through every branch
    const tests = Array.from({ length: 300 }, (_, i) => `    if (Ctx->Flags${i}) Ctx->Count++;`).join('\n');
    const text = `VOID F(PMDL Mdl, PCTX Ctx)\n{\n    MmUnlockPages(Mdl);\n${tests}\n    MmUnlockPages(Mdl);\n}\n`;
    const found = lintText(text, 'long.c').messages.filter((m) => m.ruleId === 'mdl-unmatched-lock');
    expect(found.map((m) => m.line)).toEqual([304]);
    const path = found[0]!.path!;
    expect(path.length).toBe(8 + 1 + 32 + 1);
    expect(path[0]!.line).toBe(3);
    expect(path[8]!.message).toMatch(/^… \d+ steps left out$/);
    expect(path[path.length - 1]).toMatchObject({ line: 304, message: 'MmUnlockPages' });
    expect(found[0]!.message).toContain('already unlocked at line 3');
  });

  it('a short path is kept whole', () => {
    const text = 'VOID F(PMDL Mdl, BOOLEAN b)\n{\n    MmUnlockPages(Mdl);\n    if (b) b = FALSE;\n    MmUnlockPages(Mdl);\n}\n';
    const found = lintText(text, 'short.c').messages.filter((m) => m.ruleId === 'mdl-unmatched-lock');
    expect(found[0]!.path!.every((s) => !s.message.startsWith('…'))).toBe(true);
  });
});
