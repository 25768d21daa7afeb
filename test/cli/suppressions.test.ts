import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyDirectives, parseDirectives, parsePragmaDirectives, scanComments, unusedDirectiveMessages } from '../../src/lint/suppressions.js';
import type { LintMessage } from '../../src/lint/types.js';
import { CA_WARNING_NAMES, caWarningNames, caWarningNumber } from '../../src/lint/ca-warnings.js';

const A = 'mdl-unmatched-lock';
const B = 'mdl-probe-outside-try';

function msg(ruleId: string | null, line: number, column = 5): LintMessage {
  return { ruleId, severity: 2, message: `${ruleId} at ${line}`, line, column };
}

function kept(text: string, messages: LintMessage[]): string[] {
  return applyDirectives(text, messages).messages.map((m) => `${m.ruleId}@${m.line}`);
}
function suppressed(text: string, messages: LintMessage[]): string[] {
  return applyDirectives(text, messages).suppressedMessages.map((m) => `${m.ruleId}@${m.line}`);
}

describe('scanComments', () => {
  it('finds line and block comments with 1-based positions', () => {
    const text = 'int a; // one\n/* two\n three */ int b;\n  // four';
    const cs = scanComments(text);
    expect(cs.map((c) => [c.value, c.block, c.line, c.column, c.endLine])).toEqual([
      [' one', false, 1, 8, 1],
      [' two\n three ', true, 2, 1, 3],
      [' four', false, 4, 3, 4],
    ]);
  });

  it('ignores comment markers inside string and character literals', () => {
    const text = 'char *s = "// ddi-lint-disable-line";\nchar c = \'/\'; char d = \'"\';\nchar *t = "a\\"/* x */"; // real';
    const cs = scanComments(text);
    expect(cs.map((c) => c.value)).toEqual([' real']);
    expect(cs[0]!.line).toBe(3);
  });

  it('skips C++ raw strings', () => {
    const text = 'auto s = R"x(// not a comment )" /* nor */ )x"; // yes\nauto t = LR"(/*)"; /* yes2 */';
    expect(scanComments(text).map((c) => c.value)).toEqual([' yes', ' yes2 ']);
  });

  it('does not treat an identifier ending in R as a raw-string prefix', () => {
    const text = '#define STR(x) #x\nFOOR"(" // c1\n;';
    expect(scanComments(text).map((c) => c.value)).toEqual([' c1']);
  });

  it('follows backslash-newline continuation of a line comment (CRLF too)', () => {
    const text = 'a; // first \\\r\n  continued\nb; // second\r\n';
    const cs = scanComments(text);
    expect(cs.map((c) => [c.line, c.endLine])).toEqual([
      [1, 2],
      [3, 3],
    ]);
    expect(cs[1]!.value).toBe(' second');
  });

  it('handles an unterminated block comment', () => {
    expect(scanComments('int a; /* open\n never closed').map((c) => [c.line, c.endLine])).toEqual([[1, 2]]);
  });
});

describe('parseDirectives', () => {
  it('parses kinds, rule lists and justifications', () => {
    const text = [
      `// ddi-lint-disable-next-line ${A}, ${B} -- the caller probed already`,
      `x; // ddi-lint-disable-line ${A}`,
      `/* ddi-lint-disable */`,
      `/* ddi-lint-enable ${B} ${A} */`,
      `// ddi-lint-disable-line -- generated code`,
      `/** ddi-lint-disable ${A} -- doc style */`,
      `// ddi-lint-disabled ${A}`,
      `// see ddi-lint-disable ${A}`,
    ].join('\n');
    const ds = parseDirectives(text);
    expect(ds.map((d) => [d.kind, d.rules, d.justification, d.line])).toEqual([
      ['disable-next-line', [A, B], 'the caller probed already', 1],
      ['disable-line', [A], '', 2],
      ['disable', [], '', 3],
      ['enable', [B, A], '', 4],
      ['disable-line', [], 'generated code', 5],
      ['disable', [A], 'doc style', 6],
    ]);
  });

  it('is empty for text without directives', () => {
    expect(parseDirectives('int main(void) { return 0; } // nothing')).toEqual([]);
  });
});

describe('applyDirectives', () => {
  it('disable-next-line suppresses only the named rule on the next line, with justification', () => {
    const text = `void f(void) {\n  // ddi-lint-disable-next-line ${B} -- probe of a kernel-mode buffer\n  MmProbeAndLockPages(m, KernelMode, IoReadAccess);\n}\n`;
    const messages = [msg(B, 3), msg(A, 3), msg(B, 4)];
    const r = applyDirectives(text, messages);
    expect(r.messages.map((m) => `${m.ruleId}@${m.line}`)).toEqual([`${A}@3`, `${B}@4`]);
    expect(r.suppressedMessages).toHaveLength(1);
    expect(r.suppressedMessages[0]).toMatchObject({
      ruleId: B,
      line: 3,
      suppressions: [{ kind: 'directive', justification: 'probe of a kernel-mode buffer' }],
    });
    // the input messages are not mutated
    expect(messages[0]!.suppressions).toBeUndefined();
  });

  it('disable-line applies to its own line; no rule list means all rules', () => {
    const text = `a;\nMmUnlockPages(m); // ddi-lint-disable-line\nb;`;
    expect(suppressed(text, [msg(A, 2), msg(B, 2), msg(A, 1), msg(A, 3)])).toEqual([`${A}@2`, `${B}@2`]);
    expect(kept(text, [msg(A, 2), msg(A, 1), msg(A, 3)])).toEqual([`${A}@1`, `${A}@3`]);
  });

  it('line forms also work in block comments', () => {
    const text = `/* ddi-lint-disable-next-line ${A} */\nx;\ny; /* ddi-lint-disable-line ${A} -- why */`;
    const r = applyDirectives(text, [msg(A, 2), msg(A, 3), msg(A, 1)]);
    expect(r.suppressedMessages.map((m) => [m.line, m.suppressions?.[0]?.justification])).toEqual([
      [2, ''],
      [3, 'why'],
    ]);
    expect(r.messages.map((m) => m.line)).toEqual([1]);
  });

  it('disable-next-line in a multi-line block comment applies to the line after the comment', () => {
    const text = `/* ddi-lint-disable-next-line ${A}\n   -- long reason */\nx;`;
    expect(suppressed(text, [msg(A, 2), msg(A, 3)])).toEqual([`${A}@3`]);
  });

  it('disable/enable ranges are positional and per rule', () => {
    const text = [
      'l1;', //                           1
      `/* ddi-lint-disable ${A} -- legacy */`, // 2
      'l3;', //                           3
      `x; /* ddi-lint-enable ${A} */ y;`, //   4
      'l5;', //                           5
    ].join('\n');
    const messages = [msg(A, 1), msg(A, 2, 40), msg(A, 3), msg(B, 3), msg(A, 4, 1), msg(A, 4, 30), msg(A, 5)];
    expect(suppressed(text, messages)).toEqual([`${A}@2`, `${A}@3`, `${A}@4`]);
    const r = applyDirectives(text, messages);
    expect(r.suppressedMessages[1]!.suppressions).toEqual([{ kind: 'directive', justification: 'legacy' }]);
    expect(r.messages.map((m) => `${m.ruleId}@${m.line}:${m.column}`)).toEqual([`${A}@1:5`, `${B}@3:5`, `${A}@4:30`, `${A}@5:5`]);
  });

  it('enable of one rule after disable of all keeps the others disabled', () => {
    const text = `/* ddi-lint-disable */\na;\n/* ddi-lint-enable ${A} */\nb;\n/* ddi-lint-enable */\nc;`;
    const messages = [msg(A, 2), msg(B, 2), msg(A, 4), msg(B, 4), msg(A, 6), msg(B, 6)];
    expect(suppressed(text, messages)).toEqual([`${A}@2`, `${B}@2`, `${B}@4`]);
  });

  it('a disable without enable lasts to the end of the file, and line comments work for ranges', () => {
    const text = `a;\n// ddi-lint-disable ${B}\nb;\nc;`;
    expect(suppressed(text, [msg(B, 1), msg(B, 3), msg(B, 4), msg(A, 4)])).toEqual([`${B}@3`, `${B}@4`]);
  });

  it('records every directive that suppresses a message', () => {
    const text = `/* ddi-lint-disable ${A} -- range */\n// ddi-lint-disable-next-line ${A} -- line\nx;`;
    const r = applyDirectives(text, [msg(A, 3)]);
    expect(r.suppressedMessages[0]!.suppressions).toEqual([
      { kind: 'directive', justification: 'range' },
      { kind: 'directive', justification: 'line' },
    ]);
  });

  it('never suppresses messages without a rule id (internal errors) or fatal ones', () => {
    const text = `// ddi-lint-disable\nx;`;
    const internal: LintMessage = { ruleId: null, severity: 2, fatal: true, message: 'internal error', line: 2, column: 1 };
    expect(applyDirectives(text, [internal]).messages).toEqual([internal]);
  });

  it('directive text in a string literal does not suppress', () => {
    const text = `const char *s = "// ddi-lint-disable-line";\n`;
    expect(kept(text, [msg(A, 1)])).toEqual([`${A}@1`]);
  });

  it('a directive naming another rule does not suppress', () => {
    const text = `x; // ddi-lint-disable-line some-other-rule`;
    expect(kept(text, [msg(A, 1)])).toEqual([`${A}@1`]);
  });
});

describe('Code Analysis pragmas (#pragma warning) for rules with meta.caWarnings', () => {
  // B corresponds to C28125 (function must be called inside try/except); A has no CA warning.
  const ca = (id: string) => (id === B ? [28125] : undefined);
  const sup = (text: string, messages: LintMessage[]) => applyDirectives(text, messages, ca).suppressedMessages.map((m) => `${m.ruleId}@${m.line}`);

  it('#pragma warning(suppress: N) suppresses the next line only, for the rules mapped to N', () => {
    const text = [
      'void f(PMDL m) {', // 1
      '#pragma warning(suppress: 28125) // probe of a kernel-mode MDL', // 2
      '    MmProbeAndLockPages(m, KernelMode, IoReadAccess);', // 3
      '    MmProbeAndLockPages(m, KernelMode, IoReadAccess);', // 4
      '}',
    ].join('\n');
    const r = applyDirectives(text, [msg(B, 3), msg(A, 3), msg(B, 4)], ca);
    expect(r.suppressedMessages.map((m) => [m.ruleId, m.line, m.suppressions])).toEqual([[B, 3, [{ kind: 'directive', justification: 'probe of a kernel-mode MDL' }]]]);
    expect(r.messages.map((m) => `${m.ruleId}@${m.line}`)).toEqual([`${A}@3`, `${B}@4`]);
  });

  it('handles several numbers and specifiers, and stacked suppress lines', () => {
    const text = ['  #  pragma warning( suppress : 6001 28125 )', '#pragma warning(suppress: 4127)', 'x;', '#pragma warning(suppress: 6001; disable: 4101)', 'y;'].join('\n');
    expect(sup(text, [msg(B, 2), msg(B, 3), msg(B, 5)])).toEqual([`${B}@3`]);
  });

  it('a warning number not mapped to the rule does not suppress it', () => {
    expect(sup('#pragma warning(suppress: 6387)\nx;', [msg(B, 2)])).toEqual([]);
  });

  it('disable ... default, and push/pop, are ranges', () => {
    const text = [
      'a;', // 1
      '#pragma warning(push)', // 2
      '#pragma warning(disable: 28125) // legacy code, reviewed', // 3
      'b;', // 4
      '#pragma warning(pop)', // 5
      'c;', // 6
      '#pragma warning(disable: 28125 28118)', // 7
      'd;', // 8
      '#pragma warning(default: 28125)', // 9
      'e;', // 10
    ].join('\n');
    const r = applyDirectives(text, [1, 4, 6, 8, 10].map((l) => msg(B, l)), ca);
    expect(r.suppressedMessages.map((m) => [m.line, m.suppressions![0]!.justification])).toEqual([
      [4, 'legacy code, reviewed'],
      [8, ''],
    ]);
  });

  it('operator forms __pragma and _Pragma apply to their line and the next', () => {
    const text = ['#define PROBE(m) __pragma(warning(suppress: 28125)) MmProbeAndLockPages(m, UserMode, IoReadAccess)', 'x;', 'y;', '_Pragma("warning(suppress: 28125)")', 'z;'].join('\n');
    expect(sup(text, [msg(B, 1), msg(B, 2), msg(B, 3), msg(B, 5)])).toEqual([`${B}@1`, `${B}@2`, `${B}@5`]);
  });

  it('pragmas in comments, strings or #if-less text are not pragmas', () => {
    const text = ['/*', '#pragma warning(disable: 28125)', '*/', 'const char *s = "__pragma(warning(suppress: 28125))";', 'x;'].join('\n');
    expect(sup(text, [msg(B, 4), msg(B, 5)])).toEqual([]);
    expect(parsePragmaDirectives(text)).toEqual([]);
  });

  it("by default the registered rules' caWarnings apply; null ignores pragmas", () => {
    const text = '#pragma warning(suppress: 28125)\nx;';
    expect(applyDirectives(text, [msg(B, 2), msg(A, 2)]).suppressedMessages.map((m) => m.ruleId)).toEqual([B]);
    expect(applyDirectives(text, [msg(B, 2)], null).suppressedMessages).toEqual([]);
  });

  it('parses the directives with their position and source', () => {
    expect(parsePragmaDirectives('int a;\n#pragma warning(suppress: 28125)\nx;')).toEqual([
      { kind: 'suppress', warnings: [28125], line: 2, column: 1, lines: [3], justification: '', source: '#pragma warning(suppress: 28125)' },
    ]);
  });
});

describe('Code Analysis pragmas with <CodeAnalysis/warnings.h> names', () => {
  // H stands for irql-too-high (C28121, C28123), L for irql-too-low (C28120, C28122).
  const H = 'rule-high';
  const L = 'rule-low';
  const ca = (id: string) => (id === H ? [28121, 28123] : id === L ? [28120, 28122] : undefined);
  const sup = (text: string, messages: LintMessage[]) => applyDirectives(text, messages, ca).suppressedMessages.map((m) => `${m.ruleId}@${m.line}`);

  it('the names table: known names and their numbers, nothing else', () => {
    expect(caWarningNumber('__WARNING_IRQ_TOO_LOW')).toBe(28120);
    expect(caWarningNumber('__WARNING_IRQ_TOO_HIGH')).toBe(28121);
    expect(caWarningNumber('__WARNING_IRQ_SET_TOO_LOW')).toBe(28124);
    expect(caWarningNumber('__WARNING_IRQ_SET_TOO_HIGH')).toBe(28150);
    expect(caWarningNumber('__WARNING_IRQL_NOT_USED')).toBe(28157);
    expect(caWarningNumber('__WARNING_IRQL_NOT_SET')).toBe(28158);
    expect(caWarningNumber('__WARNING_UNEXPECTED_IRQL_CHANGE')).toBe(28167);
    expect(caWarningNumber('__WARNING_NO_PAGED_CODE')).toBe(28170);
    expect(caWarningNumber('__WARNING_NO_PAGING_SEGMENT')).toBe(28172);
    expect(caWarningNames(28121)).toEqual(['__WARNING_IRQ_TOO_HIGH']);
    expect(caWarningNumber('__WARNING_NO_SUCH_THING')).toBeUndefined();
    expect(caWarningNumber('toString')).toBeUndefined();
    expect(caWarningNumber('__proto__')).toBeUndefined();
    for (const [name, n] of Object.entries(CA_WARNING_NAMES)) {
      expect(name).toMatch(/^__WARNING_[A-Z0-9_]+$/);
      expect(Number.isInteger(n) && n >= 28000 && n < 29000, name).toBe(true);
    }
  });

  it('#pragma warning(suppress: NAME) suppresses the next line for the rules mapped to its number', () => {
    const text = [
      'void f(void) {', // 1
      '#pragma warning(suppress: __WARNING_IRQ_TOO_HIGH) // called with the lock dropped', // 2
      '    KeWaitForSingleObject(&e, Executive, KernelMode, FALSE, NULL);', // 3
      '    KeWaitForSingleObject(&e, Executive, KernelMode, FALSE, NULL);', // 4
      '}',
    ].join('\n');
    const r = applyDirectives(text, [msg(H, 3), msg(L, 3), msg(H, 4)], ca);
    expect(r.suppressedMessages.map((m) => [m.ruleId, m.line, m.suppressions])).toEqual([[H, 3, [{ kind: 'directive', justification: 'called with the lock dropped' }]]]);
    expect(r.messages.map((m) => `${m.ruleId}@${m.line}`)).toEqual([`${L}@3`, `${H}@4`]);
    expect(parsePragmaDirectives(text)[0]).toMatchObject({ kind: 'suppress', warnings: [28121], lines: [3] });
  });

  it('#pragma warning(disable: NAME) ... default: NAME, and push/pop, are ranges', () => {
    const text = [
      'a;', // 1
      '#pragma warning(push)', // 2
      '#pragma warning(disable: __WARNING_IRQ_TOO_LOW) // legacy DPC path', // 3
      'b;', // 4
      '#pragma warning(pop)', // 5
      'c;', // 6
      '#pragma warning(disable: __WARNING_IRQ_TOO_LOW)', // 7
      'd;', // 8
      '#pragma warning(default: 28120)', // 9
      'e;', // 10
      '#pragma warning(disable: 28120)', // 11
      'f;', // 12
      '#pragma warning(default: __WARNING_IRQ_TOO_LOW)', // 13
      'g;', // 14
    ].join('\n');
    const r = applyDirectives(text, [1, 4, 6, 8, 10, 12, 14].flatMap((l) => [msg(L, l), msg(H, l)]), ca);
    expect(r.suppressedMessages.map((m) => [m.ruleId, m.line, m.suppressions![0]!.justification])).toEqual([
      [L, 4, 'legacy DPC path'],
      [L, 8, ''],
      [L, 12, ''],
    ]);
  });

  it('names and numbers mix in one list, separated by spaces (or commas), and across specifiers', () => {
    const text = [
      '#pragma warning(suppress: 6001 __WARNING_IRQ_TOO_HIGH)', // 1
      'x;', // 2
      '#pragma warning(suppress: __WARNING_IRQ_TOO_LOW 28121)', // 3
      'y;', // 4
      '#pragma warning(suppress: __WARNING_IRQ_SET_TOO_HIGH; suppress: __WARNING_IRQ_TOO_HIGH)', // 5
      'z;', // 6
      '#pragma warning(suppress: __WARNING_IRQ_TOO_LOW, __WARNING_IRQ_TOO_HIGH)', // 7
      'w;', // 8
    ].join('\n');
    expect(sup(text, [2, 4, 6, 8].flatMap((l) => [msg(H, l), msg(L, l)]))).toEqual([`${H}@2`, `${H}@4`, `${L}@4`, `${H}@6`, `${H}@8`, `${L}@8`]);
    expect(parsePragmaDirectives(text).map((p) => p.warnings)).toEqual([[6001, 28121], [28120, 28121], [28150], [28121], [28120, 28121]]);
  });

  it('an unknown name suppresses nothing, the other warnings of its list still apply', () => {
    expect(sup('#pragma warning(suppress: __WARNING_INFERRED_IRQ_TOO_HIGH)\nx;', [msg(H, 2)])).toEqual([]);
    expect(parsePragmaDirectives('#pragma warning(suppress: __WARNING_INFERRED_IRQ_TOO_HIGH)\nx;')).toEqual([]);
    expect(sup('#pragma warning(suppress: __WARNING_INFERRED_IRQ_TOO_HIGH 28123)\nx;', [msg(H, 2)])).toEqual([`${H}@2`]);
    // a name of another warning does not suppress the rule
    expect(sup('#pragma warning(suppress: __WARNING_IRQL_NOT_USED)\nx;', [msg(H, 2), msg(L, 2)])).toEqual([]);
    // not a warning list at all
    expect(parsePragmaDirectives('#pragma warning(suppress: __WARNING_IRQ_TOO_HIGH+1)\nx;')).toEqual([]);
  });

  it('operator forms take names too', () => {
    const text = ['#define WAIT(e) __pragma(warning(suppress: __WARNING_IRQ_TOO_HIGH)) KeWaitForSingleObject(e, Executive, KernelMode, FALSE, NULL)', 'x;', 'y;', '_Pragma("warning(suppress: __WARNING_IRQ_TOO_LOW)")', 'z;'].join('\n');
    expect(sup(text, [msg(H, 1), msg(H, 2), msg(H, 3), msg(L, 5)])).toEqual([`${H}@1`, `${H}@2`, `${L}@5`]);
  });

  it("the registered IRQL rules' caWarnings apply to the names by default", () => {
    const text = '#pragma warning(suppress: __WARNING_IRQ_TOO_HIGH)\nx;\n#pragma warning(disable: __WARNING_IRQ_TOO_LOW)\ny;';
    const r = applyDirectives(text, [msg('irql-too-high', 2), msg('irql-too-low', 2), msg('irql-too-low', 4), msg('irql-too-high', 4)]);
    expect(r.suppressedMessages.map((m) => `${m.ruleId}@${m.line}`)).toEqual(['irql-too-high@2', 'irql-too-low@4']);
  });
});

describe('unusedDirectiveMessages', () => {
  const known = new Set([A, B]);
  it('reports directives that suppressed nothing, per named rule, and unknown rule ids', () => {
    const text = [
      `// ddi-lint-disable-next-line ${A}, ${B}`, // 1: suppresses A on line 2 only
      'x;', // 2
      `y; // ddi-lint-disable-line`, // 3: suppresses nothing
      `/* ddi-lint-disable mdl-unmatched-lok */`, // 4: typo
      `/* ddi-lint-enable mdl-unmatched-lok */`, // 5: enable directives are not reported
      `#pragma warning(suppress: 28125)`, // 6: pragmas are not reported
      'z;',
    ].join('\n');
    const { suppressedMessages } = applyDirectives(text, [msg(A, 2)]);
    const out = unusedDirectiveMessages(text, suppressedMessages, known, 2);
    expect(out.map((m) => [m.line, m.column, m.ruleId, m.severity, m.message])).toEqual([
      [1, 1, null, 2, `Unused ddi-lint-disable-next-line directive (no problems were reported from '${B}').`],
      [3, 4, null, 2, 'Unused ddi-lint-disable-line directive (no problems were reported).'],
      [4, 1, null, 2, `Unknown rule 'mdl-unmatched-lok' in ddi-lint-disable directive (known rules: ${A}, ${B}).`],
    ]);
  });

  it('a range directive is used when it is the one that suppressed; a repeated one is not', () => {
    const text = `/* ddi-lint-disable ${A} */\n/* ddi-lint-disable ${A} */\nx;`;
    const { suppressedMessages } = applyDirectives(text, [msg(A, 3)]);
    expect(unusedDirectiveMessages(text, suppressedMessages, known, 1).map((m) => [m.line, m.severity])).toEqual([[1, 1]]);
  });

  it('nothing to report when every directive is used', () => {
    const text = `x; // ddi-lint-disable-line ${B} -- why`;
    const { suppressedMessages } = applyDirectives(text, [msg(B, 1)]);
    expect(unusedDirectiveMessages(text, suppressedMessages, known, 2)).toEqual([]);
  });
});

describe('properties', () => {
  // Text built from C fragments that stress the lexer: quotes, escapes, comment markers, splices, raw strings.
  const fragment = fc.constantFrom(
    '//', '/*', '*/', '"', "'", '\\', '\n', '\r\n', ' ', 'R"x(', ')x"', 'a', '0', ';', '#pragma warning(suppress: 28125)',
    `ddi-lint-disable-next-line ${B}`, 'ddi-lint-disable', 'ddi-lint-enable', ' -- why', '__pragma(warning(disable: 28125))',
  );
  const text = fc.array(fragment, { maxLength: 60 }).map((parts) => parts.join(''));

  it('comments are ordered, disjoint, inside the text, and their positions agree with their offsets', () => {
    fc.assert(
      fc.property(text, (t) => {
        let prevEnd = 0;
        for (const c of scanComments(t)) {
          expect(c.start).toBeGreaterThanOrEqual(prevEnd);
          expect(c.end).toBeLessThanOrEqual(t.length);
          expect(t.startsWith(c.block ? '/*' : '//', c.start)).toBe(true);
          const before = t.slice(0, c.start);
          expect(c.line).toBe(before.split('\n').length);
          expect(c.column).toBe(c.start - before.lastIndexOf('\n'));
          expect(c.endLine).toBeGreaterThanOrEqual(c.line);
          prevEnd = c.end;
        }
      }),
      { numRuns: 500 },
    );
  });

  it('applyDirectives partitions the messages: none lost, none invented, fatal ones always kept', () => {
    const message = fc.record({
      ruleId: fc.constantFrom(A, B, null),
      line: fc.integer({ min: 1, max: 12 }),
      column: fc.integer({ min: 1, max: 40 }),
      fatal: fc.boolean(),
    });
    fc.assert(
      fc.property(text, fc.array(message, { maxLength: 8 }), (t, raw) => {
        const messages: LintMessage[] = raw.map((r, i) => ({ ...r, severity: 2, message: `m${i}`, ...(r.fatal ? {} : { fatal: undefined }) }));
        const { messages: kept, suppressedMessages } = applyDirectives(t, messages);
        expect(kept.length + suppressedMessages.length).toBe(messages.length);
        const names = [...kept, ...suppressedMessages].map((m) => m.message).sort();
        expect(names).toEqual(messages.map((m) => m.message).sort());
        for (const m of suppressedMessages) {
          expect(m.ruleId).not.toBeNull();
          expect(m.fatal).toBeFalsy();
          expect(m.suppressions!.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('NOLINT comments (clang-tidy style)', () => {
  it('NOLINT(ddi-lint/rule) is a disable-line, NOLINTNEXTLINE(ddi-lint/*) a disable-next-line for all rules', () => {
    const text = [
      'MmProbeAndLockPages(m, UserMode, IoReadAccess); // NOLINT(ddi-lint/mdl-probe-outside-try) the caller wraps it',
      '// NOLINTNEXTLINE(ddi-lint/*)',
      'ZwClose(h);',
      'ZwClose(h); // NOLINT(bugprone-foo, ddi-lint/irql-too-high, ddi-lint/irql-too-low)',
    ].join('\n');
    const ds = parseDirectives(text).map((d) => ({ kind: d.kind, rules: d.rules, line: d.line, justification: d.justification }));
    expect(ds).toEqual([
      { kind: 'disable-line', rules: ['mdl-probe-outside-try'], line: 1, justification: 'the caller wraps it' },
      { kind: 'disable-next-line', rules: [], line: 2, justification: '' },
      { kind: 'disable-line', rules: ['irql-too-high', 'irql-too-low'], line: 4, justification: '' },
    ]);
  });

  it('a NOLINT for other tools only, or a bare NOLINT, does not suppress ddi-lint', () => {
    expect(parseDirectives('x(); // NOLINT(bugprone-foo)\ny(); // NOLINT\n/* ddi-lint mentioned */')).toEqual([]);
  });

  it('the findings of the named rule on that line are suppressed, other rules still reported', () => {
    const text = 'a();\nZwClose(h); // NOLINT(ddi-lint/irql-too-high)\n';
    const msg = (ruleId: string, line: number): LintMessage => ({ ruleId, severity: 2, message: 'm', line, column: 1 });
    const r = applyDirectives(text, [msg('irql-too-high', 2), msg('spinlock-unbalanced', 2)]);
    expect(r.messages.map((m) => m.ruleId)).toEqual(['spinlock-unbalanced']);
    expect(r.suppressedMessages.map((m) => m.ruleId)).toEqual(['irql-too-high']);
  });
});

describe('applying directives: the index agrees with matching every message against every directive', () => {
  // the matching before the index (each message against each directive), kept as the reference
  type Any = ReturnType<typeof parseDirectives>[number] | ReturnType<typeof parsePragmaDirectives>[number];
  const isBefore = (d: { line: number; column: number }, m: LintMessage) => d.line < m.line || (d.line === m.line && d.column <= m.column);
  function reference(text: string, m: LintMessage, numbers: readonly number[]): Any[] {
    const directives = parseDirectives(text);
    const pragmas = parsePragmaDirectives(text);
    const applies = (d: (typeof directives)[number]) => d.rules.length === 0 || d.rules.includes(m.ruleId!);
    const found: Any[] = [];
    let range: Any | undefined;
    for (const d of directives) {
      if (d.kind !== 'disable' && d.kind !== 'enable') continue;
      if (!isBefore(d, m)) break;
      if (!applies(d)) continue;
      range = d.kind === 'disable' ? d : undefined;
    }
    if (range) found.push(range);
    for (const d of directives) {
      if (!applies(d)) continue;
      if (d.kind === 'disable-line' && m.line >= d.line && m.line <= d.endLine) found.push(d);
      else if (d.kind === 'disable-next-line' && m.line === d.endLine + 1) found.push(d);
    }
    if (numbers.length > 0 && pragmas.length > 0) {
      for (const w of numbers) {
        let last: Any | undefined;
        for (const p of pragmas) {
          if (p.kind === 'suppress' || !p.warnings.includes(w)) continue;
          if (!isBefore(p, m)) break;
          last = p.kind === 'disable' ? p : undefined;
        }
        if (last) {
          found.push(last);
          break;
        }
      }
      for (const p of pragmas) if (p.kind === 'suppress' && p.lines!.includes(m.line) && p.warnings.some((w) => numbers.includes(w))) found.push(p);
    }
    return found;
  }

  const LINES = [
    'x++;',
    `x++; // ddi-lint-disable-line ${A}`,
    `x++; // ddi-lint-disable-line ${B} -- why`,
    'x++; // ddi-lint-disable-line',
    `// ddi-lint-disable-next-line ${A}, ${B}`,
    `/* ddi-lint-disable ${B} */`,
    `/* ddi-lint-enable ${B} */`,
    '/* ddi-lint-disable */',
    '/* ddi-lint-enable */',
    `/* ddi-lint-disable-line ${A}\n   spanning two lines */ x++;`,
    '#pragma warning(disable: 28125)',
    '#pragma warning(default: 28125)',
    '#pragma warning(push)',
    '#pragma warning(pop)',
    '#pragma warning(suppress: 28125)',
    '#pragma warning(suppress: 28121) // not this rule',
  ];

  it('on random files of directives and findings', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: LINES.length - 1 }), { minLength: 1, maxLength: 40 }), fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 12 })), { maxLength: 30 }), (picks, found) => {
        const text = picks.map((k) => LINES[k]).join('\n');
        const messages = found.map(([a, line, column]) => msg(a ? A : B, line, column));
        const got = applyDirectives(text, messages);
        const expected = messages.filter((m) => reference(text, m, m.ruleId === B ? [28125] : []).length > 0);
        expect(got.suppressedMessages.map((m) => `${m.ruleId}@${m.line}:${m.column}`)).toEqual(expected.map((m) => `${m.ruleId}@${m.line}:${m.column}`));
        for (const m of got.suppressedMessages) {
          const ref = reference(text, m, m.ruleId === B ? [28125] : []);
          expect(m.suppressions!.map((s) => s.justification)).toEqual(ref.map((d) => d.justification));
        }
      }),
      { numRuns: 400, seed: 20261122 },
    );
  });
});
