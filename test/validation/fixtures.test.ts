import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allRules } from '../../rules/index.js';
import { faultValidatedRules, listSourceFiles, validateFixtureProgram } from '../../src/validation/fixtures.js';
import { RULE_FAULTS } from '../../src/validation/mapping.js';
import { KNOWN_FIXTURE_DISAGREEMENTS } from '../../src/validation/known.js';

const root = resolve(import.meta.dirname, '../..');

describe('every rule is validated by the simulator, or says why it cannot be', () => {
  for (const rule of allRules) {
    it(rule.meta.id, () => {
      const sim = rule.meta.simulator;
      if (sim.validates === 'fault') {
        expect(RULE_FAULTS[rule.meta.id], `no fault kinds mapped to ${rule.meta.id} in src/validation/mapping.ts`).toBeDefined();
        expect(RULE_FAULTS[rule.meta.id]!.length).toBeGreaterThan(0);
      } else {
        expect(sim.validates).toBe('none');
        expect(sim.reason.length).toBeGreaterThan(20);
        expect(RULE_FAULTS[rule.meta.id]).toBeUndefined();
      }
    });
  }
});

describe('fixtures: expectations = simulated faults', () => {
  const faultRules = new Set(allRules.filter((r) => r.meta.simulator.validates === 'fault').map((r) => r.meta.id));
  for (const r of faultValidatedRules()) expect(faultRules.has(r) || !allRules.some((x) => x.meta.id === r)).toBe(true);
  // Rules mapped to fault kinds whose module is not registered in rules/index.ts yet: their expectations
  // are skipped (neither validated nor an error) until the rule exists.
  const pending = [...faultValidatedRules()].filter((r) => !allRules.some((x) => x.meta.id === r));
  for (const r of pending) it.skip(`${r}: rule not registered in rules/index.ts yet`, () => {});
  const files = listSourceFiles(join(root, 'fixtures'));
  it('finds the fixtures', () => {
    expect(files.length).toBeGreaterThan(10);
  });
  const seenKnown = new Set<string>();
  // The files of one fixture directory are one program (as test/fixtures.test.ts lints them): a helper in one
  // file gets its entry IRQL from its callers in another.
  const dirs = new Map<string, string[]>();
  for (const file of files) {
    const d = dirname(file);
    if (!dirs.has(d)) dirs.set(d, []);
    dirs.get(d)!.push(file);
  }
  const reports = [...dirs.values()].flatMap((group) => validateFixtureProgram(group, root, faultRules));
  for (const report of reports) {
    it(report.file, () => {
      expect(report.capped, 'path cap hit: exploration incomplete').toEqual([]);
      const known = (f: { function: string; rule: string; line: number }, direction: 'missing' | 'unexpected') => {
        const k = KNOWN_FIXTURE_DISAGREEMENTS.find(
          (d) => d.file === report.file && d.function === f.function && d.rule === f.rule && d.line === f.line && d.direction === direction,
        );
        if (k) seenKnown.add(`${k.file}|${k.function}|${k.line}`);
        return !!k;
      };
      const missing = report.missing.filter((f) => !known(f, 'missing')).map((f) => `${f.function}:${f.line} ${f.rule} expected, no faulting path`);
      const unexpected = report.unexpected
        .filter((f) => !known(f, 'unexpected'))
        .map((f) => `${f.function}:${f.line} ${f.rule} not expected, but ${f.kind} on path ${f.decisions}`);
      expect([...missing, ...unexpected]).toEqual([]);
      // Expectations of rules the simulator cannot validate are allowed only for rules whose meta says so.
      for (const nv of report.notValidated) {
        if (pending.includes(nv.rule)) continue;
        const rule = allRules.find((r) => r.meta.id === nv.rule);
        expect(rule, `unknown rule ${nv.rule} in ${report.file}:${nv.line}`).toBeDefined();
        expect(rule!.meta.simulator.validates).toBe('none');
      }
    });
  }
  it('every documented fixture disagreement still occurs', () => {
    for (const d of KNOWN_FIXTURE_DISAGREEMENTS) {
      if (files.some((f) => f.endsWith(d.file))) expect(seenKnown.has(`${d.file}|${d.function}|${d.line}`), `${d.file}:${d.line} no longer disagrees: remove it`).toBe(true);
    }
  });
});
