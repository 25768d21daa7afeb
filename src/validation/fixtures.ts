/**
 * Fixture validation: every `// expect: rule-id` line must be a simulated fault of a kind mapped to
 * that rule, at that line; a function without expectations must have no such fault.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { languageForPath, parseSource } from '../parse/parser.js';
import { SimProgram, simulateFunction, type FunctionSimResult, type SimulateOptions } from '../sim/simulate.js';
import { RULE_FAULTS, rulesForFault } from './mapping.js';

export interface Finding {
  file: string;
  function: string;
  rule: string;
  line: number;
}

export interface FixtureReport {
  file: string;
  functions: number;
  expected: Finding[];
  simulated: Finding[];
  /** Expected but not shown by any simulated path. */
  missing: Finding[];
  /** Simulated but not expected. */
  unexpected: (Finding & { kind: string; decisions: string })[];
  capped: string[];
  /** Expectations naming rules the simulator cannot validate (meta says so). */
  notValidated: Finding[];
}

const EXPECT = /\/\/\s*expect:\s*([\w\s,-]+?)\s*$/;

export function expectationsOf(text: string): Map<number, string[]> {
  const out = new Map<number, string[]>();
  text.split(/\r?\n/).forEach((l, i) => {
    const m = EXPECT.exec(l);
    if (m) out.set(i + 1, m[1]!.split(',').map((s) => s.trim()).filter(Boolean));
  });
  return out;
}

export function listSourceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (languageForPath(p)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** `faultRules`: rule ids validated by faults; other rule ids in expectations are reported as notValidated. */
export function validateFixtureFile(path: string, root: string, faultRules: Set<string>, opts: SimulateOptions = {}): FixtureReport {
  const text = readFileSync(path, 'utf8');
  const file = relative(root, path);
  const src = parseSource(path, text);
  const prog = new SimProgram(src);
  const exp = expectationsOf(text);
  const expected: Finding[] = [];
  const notValidated: Finding[] = [];
  const simulated: Finding[] = [];
  const details = new Map<string, { kind: string; decisions: string }>();
  const capped: string[] = [];
  for (const def of prog.defs) {
    for (const [line, rules] of exp) {
      if (line < def.line || line > def.endLine) continue;
      for (const rule of rules) {
        const f = { file, function: def.name, rule, line };
        if (faultRules.has(rule)) expected.push(f);
        else notValidated.push(f);
      }
    }
    const r: FunctionSimResult = simulateFunction(prog, def, opts);
    if (r.capped) capped.push(def.name);
    if (r.error) capped.push(`${def.name} (${r.error})`);
    for (const fault of r.faults) {
      // Only faults located in this entry's own body (callee faults are validated with the callee as entry).
      if (fault.function !== def.name) continue;
      for (const rule of rulesForFault(fault.kind)) {
        if (!faultRules.has(rule)) continue;
        const f = { file, function: def.name, rule, line: fault.entryLine };
        const key = `${def.name}|${rule}|${fault.entryLine}`;
        if (!details.has(key)) {
          simulated.push(f);
          details.set(key, { kind: fault.kind, decisions: fault.path.decisions.map((d) => `${d.line}: ${d.label}`).join('; ') });
        }
      }
    }
  }
  const key = (f: Finding) => `${f.function}|${f.rule}|${f.line}`;
  const simKeys = new Set(simulated.map(key));
  const expKeys = new Set(expected.map(key));
  return {
    file,
    functions: prog.defs.length,
    expected,
    simulated,
    missing: expected.filter((f) => !simKeys.has(key(f))),
    unexpected: simulated.filter((f) => !expKeys.has(key(f))).map((f) => ({ ...f, ...details.get(key(f))! })),
    capped,
    notValidated,
  };
}

export function faultValidatedRules(): Set<string> {
  return new Set(Object.keys(RULE_FAULTS));
}
