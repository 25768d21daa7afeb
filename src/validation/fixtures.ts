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
  const results = prog.defs.map((def) => simulateFunction(prog, def, opts));
  // Each function simulated as its own entry (the first definition of a name, as calls resolve it).
  const own = new Map<string, FunctionSimResult>();
  prog.defs.forEach((def, i) => {
    if (!own.has(def.name)) own.set(def.name, results[i]!);
  });
  prog.defs.forEach((def, i) => {
    for (const [line, rules] of exp) {
      if (line < def.line || line > def.endLine) continue;
      for (const rule of rules) {
        const f = { file, function: def.name, rule, line };
        if (faultRules.has(rule)) expected.push(f);
        else notValidated.push(f);
      }
    }
    const r = results[i]!;
    if (r.capped) capped.push(def.name);
    if (r.error) capped.push(`${def.name} (${r.error})`);
    for (const fault of r.faults) {
      const at = attributeFault(fault, def.name, own);
      for (const rule of rulesForFault(fault.kind, fault)) {
        if (!faultRules.has(rule)) continue;
        const f = { file, function: at.function, rule, line: at.line };
        const key = `${at.function}|${rule}|${at.line}`;
        if (!details.has(key)) {
          simulated.push(f);
          details.set(key, { kind: fault.kind, decisions: (at.function !== def.name ? `(simulating ${def.name}) ` : '') + fault.path.decisions.map((d) => `${d.line}: ${d.label}`).join('; ') });
        }
      }
    }
  });
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

/** Kinds that are exceptions no handler took: located where they were raised, whoever the entry. */
const EXCEPTION_KINDS = new Set(['probe-unhandled-exception', 'unhandled-exception']);

/**
 * Where a fault found while simulating `entry` is located, for the comparison with `// expect:` lines.
 *
 * A fault in the entry's own body is at its line. A fault inside a callee (`fault.stack`: innermost
 * first, each function with its line) belongs to the innermost function of the stack that, simulated as
 * its own entry, shows the same kind at that same line (its own defect, or an exception escaping it),
 * and to that line; an unhandled exception is always at the line that raised it. Otherwise the callee
 * faulted because of the state its caller passed (e.g. `UnlockAndFree(mdl)` called twice): the fault
 * is the entry's, at the entry's line of the call (`entryLine`).
 */
export function attributeFault(
  fault: FunctionSimResult['faults'][number],
  entry: string,
  own: Map<string, FunctionSimResult>,
): { function: string; line: number } {
  const stack = fault.stack;
  if (!stack || stack.length <= 1) return { function: entry, line: fault.entryLine };
  if (EXCEPTION_KINDS.has(fault.kind)) return { function: stack[0]!.fn, line: stack[0]!.line };
  for (let k = 0; k < stack.length - 1; k++) {
    const { fn, line } = stack[k]!;
    if (fn === entry) continue;
    const r = own.get(fn);
    if (!r) continue;
    if ([...r.faults, ...r.escapes].some((f) => f.kind === fault.kind && f.entryLine === line)) return { function: fn, line };
  }
  return { function: entry, line: fault.entryLine };
}

export function faultValidatedRules(): Set<string> {
  return new Set(Object.keys(RULE_FAULTS));
}
