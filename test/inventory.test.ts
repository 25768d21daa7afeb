/**
 * Inventory: every rule comes with everything a rule needs, and nothing exists without its rule.
 *
 * For every rule in `allRules` (rules/index.ts):
 * - its module is rules/<id>.ts and its id is unique;
 * - a doc page docs/rules/<id>.md, and `meta.docs.url` ends in `docs/rules/<id>.md`;
 * - a README rule-table link to docs/rules/<id>.md;
 * - a RuleTester-style test file test/rules/<id>.test.ts that imports the rule and uses every
 *   messageId of `meta.messages` in an expected error (`messageId: '<id>'`);
 * - a fixture directory fixtures/<id>/ whose C/C++ files hold defective functions (a line with
 *   `// expect: <id>`) and correct ones (no `expect:` line at all), at least FIXTURE_MINIMUM of
 *   each (issue 2 asks 25 of each for the first two rules, issue 4 asks 20 for every later one);
 * - a `simulator` entry in meta: the bug checks the runtime simulator validates findings against,
 *   or the reason no execution can show the rule's findings.
 * Conversely: every page in docs/rules/, every fixture directory (other than fixtures/samples/)
 * and every test file in test/rules/ belongs to a rule, and every `expect:` comment in fixtures/
 * names a rule.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allRules } from '../rules/index.js';
import { parseSource } from '../src/parse/parser.js';
import { listSourceFiles, readExpectations } from './support/expectations.js';

const ROOT = new URL('..', import.meta.url).pathname;
const p = (...parts: string[]) => join(ROOT, ...parts);

/** Minimum number of defective and of correct fixture functions per rule. */
const FIXTURE_MINIMUM: Record<string, number> = { 'mdl-unmatched-lock': 25, 'mdl-probe-outside-try': 25 };
const DEFAULT_FIXTURE_MINIMUM = 20;

const ruleIds = allRules.map((r) => r.meta.id);

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Defective (holding an `expect:` line naming the rule) and correct (no `expect:` line) functions of a fixture directory. */
function fixtureFunctions(dir: string, id: string): { defective: string[]; correct: string[] } {
  const defective: string[] = [];
  const correct: string[] = [];
  for (const file of listSourceFiles(dir)) {
    const text = readFileSync(file, 'utf8');
    const expectations = readExpectations(text);
    const anyExpect = new Set<number>();
    text.split(/\r?\n/).forEach((l, i) => {
      if (/\/[/*]\s*expect:/.test(l)) anyExpect.add(i + 1);
    });
    const source = parseSource(file, text);
    for (const fn of source.functions) {
      const first = fn.node.startPosition.row + 1;
      const last = fn.node.endPosition.row + 1;
      const name = `${relative(ROOT, file)}:${fn.line} ${fn.name}`;
      if (expectations.some((e) => e.ruleId === id && e.line >= first && e.line <= last)) defective.push(name);
      else if (![...anyExpect].some((l) => l >= first && l <= last)) correct.push(name);
    }
  }
  return { defective, correct };
}

describe('rule inventory', () => {
  it('has rules, with unique ids', () => {
    expect(ruleIds.length).toBeGreaterThan(0);
    expect(new Set(ruleIds).size).toBe(ruleIds.length);
  });

  for (const rule of allRules) {
    const { id } = rule.meta;
    describe(id, () => {
      it('lives in rules/<id>.ts', () => {
        expect(existsSync(p('rules', `${id}.ts`)), `rules/${id}.ts`).toBe(true);
        expect(id).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
      });

      it('has a doc page that its meta and the README link to', () => {
        expect(existsSync(p('docs', 'rules', `${id}.md`)), `docs/rules/${id}.md`).toBe(true);
        expect(rule.meta.docs.url.endsWith(`docs/rules/${id}.md`), `meta.docs.url = ${rule.meta.docs.url}`).toBe(true);
        expect(rule.meta.docs.description.trim().length).toBeGreaterThan(0);
        const readme = readFileSync(p('README.md'), 'utf8');
        expect(readme, `README.md links docs/rules/${id}.md`).toMatch(new RegExp(`\\]\\((\\./)?docs/rules/${escapeRegExp(id)}\\.md\\)`));
      });

      it('has a test file that uses every messageId', () => {
        const testFile = p('test', 'rules', `${id}.test.ts`);
        expect(existsSync(testFile), `test/rules/${id}.test.ts`).toBe(true);
        const text = readFileSync(testFile, 'utf8');
        expect(text, 'imports the rule module').toContain(`rules/${id}.js`);
        const messageIds = Object.keys(rule.meta.messages);
        expect(messageIds.length).toBeGreaterThan(0);
        const unused = messageIds.filter((m) => !new RegExp(`messageId:\\s*['"\`]${escapeRegExp(m)}['"\`]`).test(text));
        expect(unused, `messageIds never expected in test/rules/${id}.test.ts`).toEqual([]);
      });

      it('has fixtures with defective and correct functions', () => {
        const dir = p('fixtures', id);
        expect(existsSync(dir) && statSync(dir).isDirectory(), `fixtures/${id}/`).toBe(true);
        const files = listSourceFiles(dir);
        expect(files.length, `C/C++ files in fixtures/${id}/`).toBeGreaterThan(0);
        const { defective, correct } = fixtureFunctions(dir, id);
        const min = FIXTURE_MINIMUM[id] ?? DEFAULT_FIXTURE_MINIMUM;
        expect(defective.length, `functions with an "expect: ${id}" line in fixtures/${id}/`).toBeGreaterThanOrEqual(min);
        expect(correct.length, `functions without any "expect:" line in fixtures/${id}/`).toBeGreaterThanOrEqual(min);
      });

      it('says how the runtime simulator validates it', () => {
        const sim = rule.meta.simulator;
        expect(sim, 'meta.simulator').toBeDefined();
        if (sim.validates === 'fault') {
          // a defect without a bug check (a security hole, a silent corruption) says what the simulator shows instead
          if (sim.bugChecks.length === 0) expect(sim.noBugCheck?.trim().length ?? 0, 'meta.simulator.noBugCheck').toBeGreaterThan(0);
          for (const bc of sim.bugChecks) expect(bc).toMatch(/^0x[0-9A-F]+(\/0x[0-9A-F]+)?$/);
        } else {
          expect(sim.validates).toBe('none');
          expect(sim.reason.trim().length, 'meta.simulator.reason').toBeGreaterThan(0);
        }
      });
    });
  }

  it('has no orphan doc page', () => {
    const pages = readdirSync(p('docs', 'rules')).filter((f) => f.endsWith('.md'));
    expect(pages.filter((f) => !ruleIds.includes(basename(f, '.md')))).toEqual([]);
  });

  it('has no orphan fixture directory', () => {
    const dirs = readdirSync(p('fixtures')).filter((d) => statSync(p('fixtures', d)).isDirectory() && d !== 'samples');
    expect(dirs.filter((d) => !ruleIds.includes(d))).toEqual([]);
  });

  it('has no orphan rule test file', () => {
    const tests = readdirSync(p('test', 'rules')).filter((f) => f.endsWith('.test.ts'));
    expect(tests.filter((f) => !ruleIds.includes(basename(f, '.test.ts')))).toEqual([]);
  });

  it('has no fixture expectation naming an unknown rule', () => {
    const unknown: string[] = [];
    for (const file of listSourceFiles(p('fixtures'))) {
      for (const e of readExpectations(readFileSync(file, 'utf8'))) {
        if (!ruleIds.includes(e.ruleId)) unknown.push(`${relative(ROOT, file)}:${e.line} ${e.ruleId}`);
      }
    }
    expect(unknown).toEqual([]);
  });

  it('has a sample driver with findings for the README quick start', () => {
    const samples = listSourceFiles(p('fixtures', 'samples'));
    expect(samples.length).toBeGreaterThan(0);
    const flagged = samples.flatMap((f) => readExpectations(readFileSync(f, 'utf8')));
    expect(flagged.length, 'expect: lines in fixtures/samples/').toBeGreaterThan(0);
  });
});
