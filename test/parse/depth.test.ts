/**
 * The nesting guard (src/parse/depth.ts): braces, parentheses and brackets outside comments and
 * literals, and conditional directives, each of which wraps what it holds in one more syntax-tree node
 * (2,000 nested #ifdef lines exhausted the analyses' stack before they were counted).
 */
import { describe, expect, it } from 'vitest';
import { MAX_NESTING, nestingDepth } from '../../src/parse/depth.js';
import { lintText } from '../../src/lint/linter.js';

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
