/**
 * The nesting guards (src/parse/depth.ts). The text's: braces, parentheses and brackets outside comments
 * and literals, and conditional directives, each of which wraps what it holds in one more syntax-tree
 * node (2,000 nested #ifdef lines exhausted the analyses' stack before they were counted). The syntax
 * tree's: chains of operators, assignments, conditions (a function of 1,300 chained additions or 3,000
 * `else if` branches exhausted the stack; the analyses now walk those two in loops, and the guard
 * reports the others as not analyzed).
 */
import { describe, expect, it } from 'vitest';
import { MAX_NESTING, MAX_SYNTAX_DEPTH, nestingDepth } from '../../src/parse/depth.js';
import { compactSize, functionSyntaxDepth } from '../../src/parse/compact.js';
import { parseSource, reparseSource } from '../../src/parse/parser.js';
import { depthStats, tooDeep } from '../../src/analysis/function-cfg.js';
import { functionTooDeep } from '../../src/parse/depth.js';
import { lintText, prepareProject } from '../../src/lint/linter.js';
import { SimProgram, simulateFunction } from '../../src/sim/simulate.js';

const fn = (body: string) => `#include <wdm.h>\nint F(PMDL Mdl, int x) {\n  int y = 0;\n${body}\n  MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess);\n  return y;\n}\n`;
const terms = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));
/** Each shape an analysis walks by recursion, `n` deep. */
const shapes: Record<string, (n: number) => string> = {
  and: (n) => `  if (${terms(n, (i) => `a${i}`).join(' && ')}) { y = 1; }`,
  or: (n) => `  if (${terms(n, (i) => `a${i} == ${i}`).join(' || ')}) { y = 1; }`,
  assign: (n) => `  ${terms(n, (i) => `a${i} =`).join(' ')} 0;`,
  comma: (n) => `  y = (${terms(n, (i) => `a${i}`).join(', ')});`,
  not: (n) => `  y = ${'!'.repeat(n)}x;`,
  negate: (n) => `  y = ${'- '.repeat(n)}x;`,
  ternary: (n) => `  y = ${terms(n, (i) => `x == ${i} ? ${i} :`).join(' ')} 0;`,
  member: (n) => `  y = s${terms(n, (i) => `->f${i}`).join('')};`,
  calls: (n) => `  y = ${'G('.repeat(n / 2)}x${')'.repeat(n / 2)};`,
  ifs: (n) => `${'if (x) {\n'.repeat(n)}  y++;\n${'}\n'.repeat(n)}`,
  fors: (n) => `${'for (; x; ) {\n'.repeat(n)}  y++;\n${'}\n'.repeat(n)}`,
  dos: (n) => `${'do {\n'.repeat(n)}  y++;\n${'} while (x);\n'.repeat(n)}`,
  tries: (n) => `${'__try {\n'.repeat(n)}  MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess);\n${'} __finally { x++; }\n'.repeat(n)}`,
  excepts: (n) => `${'__try {\n'.repeat(n)}  MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess);\n${'} __except (EXCEPTION_EXECUTE_HANDLER) { x++; }\n'.repeat(n)}`,
};
const depthOf = (text: string) => {
  const file = parseSource('f.c', text);
  return functionSyntaxDepth(file, file.functions[0]!);
};

/** tooDeep's reason measured afresh (no memo). */
function functionTooDeepReason(file: ReturnType<typeof parseSource>, f: ReturnType<typeof parseSource>['functions'][number]): string | undefined {
  const d = functionTooDeep(file, f);
  return d && (d.what === 'nesting' ? `nests ${d.depth} levels deep (more than ${d.limit})` : `has a syntax tree ${d.depth} levels deep (more than ${d.limit})`);
}

describe('nestingDepth', () => {
  it('counts brackets, not those in comments or literals', () => {
    expect(nestingDepth('{ if (a[1]) { x = "{{{"; /* ((( */ } // [[[\n}')).toBe(3);
  });
  it('counts conditional directives as levels, and only at the start of a line', () => {
    const text = '{\n#ifdef A\n  #if B\n# ifndef C\n  x = 1;\n#endif\n#else\n#endif\n#endif\n  y = "#if";\n}';
    expect(nestingDepth(text)).toBe(4);
    expect(nestingDepth('{ x = 1; } #if\n')).toBe(1);
  });
  it('reports a function under 2,000 nested #ifdef lines as not analyzed, once', () => {
    const n = 2000;
    const text = `void F(PMDL Mdl) {\n${'#ifdef A\n'.repeat(n)}  MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess);\n${'#endif\n'.repeat(n)}}\n`;
    const messages = lintText(text, 'deep.c').messages;
    expect(messages.map((m) => m.message)).toEqual([`function 'F' nests ${n + 2} levels deep (more than ${MAX_NESTING}): not analyzed`]);
  });
});

describe('functionSyntaxDepth', () => {
  it('counts nested constructs, not the links of an arithmetic chain or of an else-if chain', () => {
    expect(depthOf(fn(`  y = ${terms(3000, (i) => `a${i}`).join(' + ')};`))).toBeLessThan(10);
    expect(depthOf(fn(terms(3000, (i) => `  ${i ? 'else ' : ''}if (x == ${i}) { y = ${i}; }`).join('\n')))).toBeLessThan(12);
    expect(depthOf(fn(shapes.and!(3000)))).toBeGreaterThan(3000);
    expect(depthOf(fn(shapes.ifs!(600)))).toBeGreaterThan(600);
    expect(depthOf(fn(shapes.ifs!(500)))).toBeLessThan(MAX_SYNTAX_DEPTH); // the benchmark's 500-deep nesting is analyzed
  });
  it('every shape the analyses and the simulator walk by recursion is analyzed at the guard, and reported once as not analyzed beyond it', () => {
    for (const [name, shape] of Object.entries(shapes)) {
      // the largest size under the guard (depth grows with n: a search by halves), then one over it
      let lo = 2;
      let hi = 2 * MAX_SYNTAX_DEPTH;
      while (hi - lo > 2) {
        const mid = 2 * Math.floor((lo + hi) / 4);
        if (depthOf(fn(shape(mid))) <= MAX_SYNTAX_DEPTH) lo = mid;
        else hi = mid;
      }
      const n = lo;
      const at = fn(shape(n));
      expect(depthOf(at), name).toBeGreaterThan(MAX_SYNTAX_DEPTH - 5);
      const under = lintText(at, `${name}.c`).messages;
      expect(under.filter((m) => m.ruleId === null), name).toEqual([]);
      expect(under.length, name).toBeGreaterThan(0);
      const prog = new SimProgram(parseSource(`${name}.c`, at));
      expect(prog.tooDeep, name).toEqual([]);
      expect(() => simulateFunction(prog, prog.defs[0]!, { maxPaths: 20 }), name).not.toThrow();
      const over = fn(shape(n + 4));
      const deep = depthOf(over);
      expect(lintText(over, `${name}.c`).messages.map((m) => m.message), name).toEqual([`function 'F' has a syntax tree ${deep} levels deep (more than ${MAX_SYNTAX_DEPTH}): not analyzed`]);
      expect(new SimProgram(parseSource(`${name}.c`, over)).tooDeep.map((d) => d.depth), name).toEqual([deep]);
    }
  }, 120000);
  it('a function whose text did not change is not copied out of a reparsed tree again to measure its depth (the language server)', () => {
    const deepBody = shapes.and!(3000);
    const text = [fn(deepBody), 'int G(int x) {\n  return x + 1;\n}\n', 'int H(int x) {\n  return x * 2;\n}\n'].join('\n');
    const first = parseSource('memo.c', text);
    const before = first.functions.map((f) => tooDeep(first, f));
    expect(before[0]).toMatch(/^has a syntax tree \d+ levels deep/);
    expect(before.slice(1)).toEqual([undefined, undefined]);
    // an edit inside H: F and G keep their text, at other offsets (a line added above them); the language
    // server's reparse measures H only (and carries F's and G's compact copies over: compact.test.ts)
    const edited = '\n' + text.replace('return x * 2;', 'return x * 3;');
    const measured = depthStats.measured;
    const again = reparseSource(first, edited);
    expect(again.functions.map((f) => tooDeep(again, f))).toEqual(before);
    expect(depthStats.measured - measured).toBe(1);
    expect(again.functions.map((f, k) => f.textId === first.functions[k]!.textId)).toEqual([true, true, false]);
    // another parse of the same text is measured afresh, with the same answers
    const other = parseSource('other.c', edited);
    expect(other.functions.map((f) => tooDeep(other, f))).toEqual(before);
    expect(depthStats.measured - measured).toBe(4);
    // the memo is per language: the C and C++ grammars can build trees of different depths from one text
    // (found in review: `a < b > (...)` nested 298 times measures 599 as C, 601 as C++)
    let chain = 'c';
    for (let i = 0; i < 298; i++) chain = `a < b > (${chain})`;
    const both = `int f(int a, int b, int c) { return ${chain}; }\n`;
    for (const order of [['x.c', 'x.cpp'], ['x.cpp', 'x.c']]) {
      for (const p of order) {
        const f = parseSource(p, both + `// ${order.join(' ')}\n`);
        expect(tooDeep(f, f.functions[0]!), `${p} after ${order[0]}`).toBe(functionTooDeepReason(f, f.functions[0]!));
      }
    }
    expect(functionTooDeepReason(parseSource('x.cpp', both), parseSource('x.cpp', both).functions[0]!)).toMatch(/601 levels/);
    // and the answers are those of a fresh parse of the same text
    const fresh = parseSource('fresh.c', edited + ' ');
    expect(fresh.functions.map((f) => functionTooDeepReason(fresh, f))).toEqual(before);
  });
  it('an arithmetic chain of 5,000 operands and an else-if chain of 5,000 branches are analyzed (and not simulated: the simulator recurses on them)', () => {
    for (const body of [`  y = ${terms(5000, (i) => `a${i}`).join(' + ')};`, terms(5000, (i) => `  ${i ? 'else ' : ''}if (x == ${i}) { y = ${i}; }`).join('\n')]) {
      expect(lintText(fn(body), 'chain.c').messages.map((m) => m.ruleId)).toEqual(['mdl-probe-outside-try']);
      const prog = new SimProgram(parseSource('chain.c', fn(body)));
      expect(prog.tooDeep.length).toBe(1);
      expect(prog.defs).toEqual([]);
    }
    // and under the guard, simulated (found in review: 2,000 operands exhausted the simulator's stack)
    for (const body of [`  y = ${terms(580, (i) => `a${i}`).join(' + ')};`, terms(580, (i) => `  ${i ? 'else ' : ''}if (x == ${i}) { y = ${i}; }`).join('\n')]) {
      const prog = new SimProgram(parseSource('chain.c', fn(body)));
      expect(prog.tooDeep).toEqual([]);
      expect(() => simulateFunction(prog, prog.defs[0]!, { maxPaths: 20 })).not.toThrow();
    }
  }, 60000);
  it('a path tracking hundreds of locals still knows a test it made before (found in review)', () => {
    // 300 locals, then the same test guarding the lock and the unlock: the second test has the first's value
    const locals = terms(300, (i) => `v${i}`);
    const body = `  int ${locals.join(', ')};\n${locals.map((v, i) => `  ${v} = ${i};`).join('\n')}
  PMDL M = IoAllocateMdl(Buf, 64, FALSE, FALSE, NULL);
  if (M == NULL) return;
  __try { if (p->Flags & 4) MmProbeAndLockPages(M, KernelMode, IoReadAccess); } __except (EXCEPTION_EXECUTE_HANDLER) { IoFreeMdl(M); return; }
  y = v0 + v299;
  if (p->Flags & 4) MmUnlockPages(M);
  IoFreeMdl(M);`;
    const text = `#include <wdm.h>\ntypedef struct _S { int Flags; } S;\nint y;\nvoid F(PVOID Buf, S *p) {\n${body}\n}\n`;
    expect(lintText(text, 'locals.c').messages).toEqual([]);
  });
  it('a helper too deep to analyze is unknown code to its callers: the other cross-file findings stay', () => {
    const inputs = [
      { path: '/p/deep.c', text: `#include <wdm.h>\nvoid DeepHelper(PMDL Mdl) {\n  int y = (${terms(3000, (i) => `a${i}`).join(', ')});\n  MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess);\n}\n` },
      { path: '/p/lock.c', text: '#include <wdm.h>\nvoid LockIt(PMDL Mdl) {\n  __try { MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess); } __except (EXCEPTION_EXECUTE_HANDLER) { return; }\n}\n' },
      { path: '/p/caller.c', text: '#include <wdm.h>\nvoid Caller(PMDL Mdl) {\n  LockIt(Mdl);\n  LockIt(Mdl);\n  DeepHelper(Mdl);\n}\n' },
    ];
    const project = prepareProject(inputs, '/p');
    const found = inputs.flatMap((i) => lintText(i.text, i.path, { project }).messages.map((m) => `${i.path}:${m.line} ${m.ruleId ?? m.message}`));
    expect(found).toContain(`/p/deep.c:2 function 'DeepHelper' has a syntax tree 3004 levels deep (more than ${MAX_SYNTAX_DEPTH}): not analyzed`);
    // the lock taken through LockIt in another file is still seen (the summaries were computed)
    expect(found).toContain('/p/caller.c:4 mdl-double-lock');
  });
});
