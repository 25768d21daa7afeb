/**
 * The IRQL analysis's pre-passes (callees analysed first, callers' contexts first) walk the call graph once
 * per question, not once per function the walk reaches: an early version started a new walk from each
 * function the walk analysed, and in a program with recursive groups the walks nested without end (22
 * million walks for 100 files of the benchmark corpus). Counted through `Project.calleesOf`.
 */
import { describe, expect, it, vi } from 'vitest';
import { lintText, prepareProject } from '../../src/lint/linter.js';
import { Project } from '../../src/analysis/project.js';

describe('IRQL pre-pass walks', () => {
  it('stay in proportion to the call graph in a program of recursive groups', () => {
    const n = 24;
    // a ring of n functions (each calls the next and raises the IRQL), and n callers that each call every member
    const ring = Array.from({ length: n }, (_, i) => `VOID R${i}(PVOID c, int d)\n{\n    KIRQL old;\n    KeRaiseIrql(DISPATCH_LEVEL, &old);\n    if (d > 0) R${(i + 1) % n}(c, d - 1);\n    KeLowerIrql(old);\n}\n`).join('');
    const callers = Array.from({ length: n }, (_, i) => `VOID C${i}(PVOID c)\n{\n${Array.from({ length: n }, (_, k) => `    R${k}(c, ${i});`).join('\n')}\n    C${(i + 1) % n}(c);\n}\n`).join('');
    const decls = Array.from({ length: n }, (_, i) => `VOID R${i}(PVOID c, int d);\nVOID C${i}(PVOID c);\n`).join('');
    const inputs = [
      { path: '/w/ring.c', text: `#include <ntddk.h>\n${decls}${ring}` },
      { path: '/w/callers.c', text: `#include <ntddk.h>\n${decls}${callers}` },
    ];
    const project = prepareProject(inputs, '/w');
    const spy = vi.spyOn(Project.prototype, 'calleesOf');
    for (const i of inputs) lintText(i.text, i.path, { project });
    const edges = n + n * (n + 1);
    expect(spy.mock.calls.length).toBeLessThan(4 * (2 * n + edges));
    spy.mockRestore();
  });
});
