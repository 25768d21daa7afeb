/**
 * A run that lints each file of the program once (the command line, `LintOptions.once`): the IRQL analysis
 * drops what only a linted file's own lint reads, and a linted function's contexts and call sites once
 * every function it calls has its contexts (`IrqlEngine.fileLinted`). The findings are those of a run that
 * keeps everything, whatever order the files are linted in; a file linted a second time is an internal
 * error, not a silent lack of findings.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintText, prepareProject } from '../../src/lint/linter.js';
import type { LintResult } from '../../src/lint/types.js';
import { listSourceFiles } from '../support/expectations.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures');

type Input = { path: string; text: string };

function lintAll(inputs: Input[], order: Input[], once: boolean): Map<string, LintResult> {
  const project = prepareProject(inputs, '/w');
  const out = new Map<string, LintResult>();
  for (const i of order) out.set(i.path, lintText(i.text, i.path, { project, once }));
  return out;
}

function expectSame(inputs: Input[], orders: Input[][]): number {
  const reference = lintAll(inputs, inputs, false);
  let irql = 0;
  for (const r of reference.values()) irql += r.messages.filter((m) => m.ruleId?.startsWith('irql-')).length;
  for (const order of orders) {
    const once = lintAll(inputs, order, true);
    for (const i of inputs) expect(once.get(i.path), i.path).toEqual(reference.get(i.path));
  }
  return irql;
}

/** A chain of callers across files: a DPC calls a helper, which calls a helper..., the last waits. */
function chain(n: number): Input[] {
  const decls = Array.from({ length: n }, (_, i) => `VOID H${i}(PKEVENT e);`).join('\n');
  return Array.from({ length: n }, (_, i) => ({
    path: `/w/h${i}.c`,
    text:
      `#include <ntddk.h>\n${decls}\n` +
      (i === 0 ? 'KDEFERRED_ROUTINE Dpc;\nVOID Dpc(PKDPC d, PVOID c, PVOID a1, PVOID a2) { H1((PKEVENT)c); }\n' : '') +
      `VOID H${i}(PKEVENT e)\n{\n` +
      (i + 1 < n ? `    H${i + 1}(e);\n` : '    KeWaitForSingleObject(e, Executive, KernelMode, FALSE, NULL);\n') +
      (i % 3 === 1 ? `    H${(i + 2) % n}(e);\n` : '') +
      '}\n',
  }));
}

/** A recursive group across two files, its members raising the IRQL, and callers of every member. */
function ring(n: number): Input[] {
  const decls = Array.from({ length: n }, (_, i) => `VOID R${i}(PVOID c, int d);\nVOID C${i}(PVOID c);\n`).join('');
  const members = Array.from({ length: n }, (_, i) => `VOID R${i}(PVOID c, int d)\n{\n    KIRQL old;\n    KeRaiseIrql(DISPATCH_LEVEL, &old);\n    if (d > 0) R${(i + 1) % n}(c, d - 1);\n    KeLowerIrql(old);\n    PAGED_CODE();\n}\n`).join('');
  const callers = Array.from({ length: n }, (_, i) => `_IRQL_requires_(PASSIVE_LEVEL)\nVOID C${i}(PVOID c)\n{\n${Array.from({ length: n }, (_, k) => `    R${k}(c, ${i});`).join('\n')}\n    KeWaitForSingleObject(c, Executive, KernelMode, FALSE, NULL);\n}\n`).join('');
  return [
    { path: '/w/ring.c', text: `#include <ntddk.h>\n${decls}${members}` },
    { path: '/w/callers.c', text: `#include <ntddk.h>\n${decls}${callers}` },
  ];
}

const reversed = <T>(a: T[]) => [...a].reverse();
/** A fixed shuffle (every third, then the rest). */
const shuffled = <T>(a: T[]) => [...a.filter((_, k) => k % 3 === 0), ...a.filter((_, k) => k % 3 !== 0).reverse()];

describe('linting each file once (the command line)', () => {
  it('gives the findings of a run that keeps every analysis: all fixture files as one program, in three orders', () => {
    const inputs = listSourceFiles(FIXTURES).map((path) => ({ path, text: readFileSync(path, 'utf8') }));
    expect(expectSame(inputs, [inputs, reversed(inputs), shuffled(inputs)])).toBeGreaterThan(20);
  });

  it('gives the same findings along a chain of callers across files, in three orders', () => {
    const inputs = chain(12);
    expect(expectSame(inputs, [inputs, reversed(inputs), shuffled(inputs)])).toBeGreaterThan(0);
  });

  it('gives the same findings for a recursive group and its callers, in both orders', () => {
    const inputs = ring(6);
    expect(expectSame(inputs, [inputs, reversed(inputs)])).toBeGreaterThan(0);
  });

  it('reports a file linted a second time as an internal error, not as a file without findings', () => {
    const inputs = chain(3);
    const project = prepareProject(inputs, '/w');
    for (const i of inputs) lintText(i.text, i.path, { project, once: true });
    const last = inputs[inputs.length - 1]!;
    const again = lintText(last.text, last.path, { project, once: true });
    expect(again.messages.some((m) => m.fatal && /dropped after its file was linted/.test(m.message))).toBe(true);
  });
});
