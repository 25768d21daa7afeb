/**
 * A RuleTester in ESLint's style: `valid` cases must produce no finding of the rule under test,
 * `invalid` cases exactly the listed findings (messageId, line, column), in order.
 */
import { describe, expect, it } from 'vitest';
import { lintText, type LintOptions } from '../../src/lint/linter.js';
import type { Rule } from '../../src/lint/rule.js';
import { allRules } from '../../rules/index.js';

export interface ValidCase {
  code: string;
  name?: string;
  filename?: string;
  /** The rule's options (as in the config file's `[severity, options]`). */
  options?: Record<string, unknown>;
}
export interface ExpectedError {
  messageId: string;
  line: number;
  column?: number;
  data?: Record<string, string | number>;
}
export interface InvalidCase extends ValidCase {
  errors: ExpectedError[];
}

function only(rule: Rule, options?: Record<string, unknown>) {
  const rules: Record<string, { severity: 0 | 2; options?: Record<string, unknown> }> = {};
  for (const r of allRules) rules[r.meta.id] = r !== rule ? { severity: 0 } : options ? { severity: 2, options } : { severity: 2 };
  return { rules } as unknown as LintOptions;
}

function title(c: ValidCase, index: number): string {
  if (c.name) return c.name;
  const firstFn = /\b([A-Z][A-Za-z0-9_]*)\s*\(/.exec(c.code)?.[1];
  return `#${index}${firstFn ? ` ${firstFn}` : ''}`;
}

export function runRuleTests(rule: Rule, tests: { valid: (ValidCase | string)[]; invalid: InvalidCase[] }): void {
  describe(rule.meta.id, () => {
    describe('valid', () => {
      tests.valid.forEach((raw, i) => {
        const c = typeof raw === 'string' ? { code: raw } : raw;
        it(title(c, i), () => {
          const r = lintText(c.code, c.filename ?? 'test.c', only(rule, c.options));
          const fatal = r.messages.filter((m) => m.fatal);
          expect(fatal, 'no internal errors').toEqual([]);
          expect(r.messages.map((m) => `${m.line}:${m.column} ${m.messageId}: ${m.message}`)).toEqual([]);
        });
      });
    });
    describe('invalid', () => {
      tests.invalid.forEach((c, i) => {
        it(title(c, i), () => {
          const r = lintText(c.code, c.filename ?? 'test.c', only(rule, c.options));
          expect(r.messages.filter((m) => m.fatal)).toEqual([]);
          const actual = r.messages.map((m) => {
            const e: ExpectedError = { messageId: m.messageId ?? '', line: m.line };
            return e;
          });
          const expected = c.errors.map((e) => ({ messageId: e.messageId, line: e.line }));
          expect(actual).toEqual(expected);
          c.errors.forEach((e, k) => {
            const m = r.messages[k]!;
            if (e.column !== undefined) expect(m.column, `column of error ${k}`).toBe(e.column);
            for (const [key, value] of Object.entries(e.data ?? {})) expect(m.data?.[key], `data.${key} of error ${k}`).toBe(String(value));
            expect(m.message).not.toMatch(/\{\{/);
          });
        });
      });
    });
  });
}
