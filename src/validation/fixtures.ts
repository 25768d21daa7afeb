/**
 * Fixture validation: every `// expect: rule-id` line must be a simulated fault of a kind mapped to
 * that rule, at that line; a function without expectations must have no such fault.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { languageForPath, parseSource } from '../parse/parser.js';
import { includedFiles } from '../parse/includes.js';
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
  return validateFixtureProgram([path], root, faultRules, opts)[0]!;
}

/**
 * The files of `paths` simulated as one program (a fixture directory, as the linter's fixture test lints it:
 * a helper in one file gets its entry IRQL from its callers in another, a role declared in one file applies to
 * the definition in another): one report per file, in the order given.
 */
export function validateFixtureProgram(paths: readonly string[], root: string, faultRules: Set<string>, opts: SimulateOptions = {}): FixtureReport[] {
  const texts = paths.map((p) => readFileSync(p, 'utf8'));
  // the headers they include from elsewhere are part of the program (macros, declarations, inline
  // helpers), as on the command line; their functions are not simulated as entries
  const context = includedFiles(paths.map((p, i) => ({ path: p, text: texts[i]! })), { maxBytes: 1 << 26 });
  const srcs = [...paths.map((p, i) => parseSource(p, texts[i]!)), ...context.map((f) => parseSource(f.path, f.text))];
  const prog = SimProgram.fromFiles(srcs);
  const listed = new Set(paths);
  const results = prog.defs.map((def) => (listed.has(prog.sourceOf(def).path) ? simulateFunction(prog, def, opts) : undefined));
  // Each function simulated as its own entry (the first definition of a name in its file, as calls resolve it).
  const own = new Map<string, FunctionSimResult>();
  prog.defs.forEach((def, i) => {
    const r = results[i];
    if (!r) return;
    const k = ownKey(def.name, prog.files.length > 1 ? prog.sourceOf(def).path : undefined);
    if (!own.has(k)) own.set(k, r);
    if (!own.has(def.name)) own.set(def.name, r);
  });
  const reports = new Map<string, FixtureReport & { details: Map<string, { kind: string; decisions: string }> }>();
  paths.forEach((path, i) => {
    reports.set(path, {
      file: relative(root, path),
      functions: prog.defsOf(srcs[i]!).length,
      expected: [],
      simulated: [],
      missing: [],
      unexpected: [],
      capped: [],
      notValidated: [],
      details: new Map(),
    });
  });
  const exps = new Map(paths.map((p, i) => [p, expectationsOf(texts[i]!)] as const));
  prog.defs.forEach((def, i) => {
    const path = prog.sourceOf(def).path;
    const rep = reports.get(path);
    if (!rep) return;
    for (const [line, rules] of exps.get(path)!) {
      if (line < def.line || line > def.endLine) continue;
      for (const rule of rules) {
        const f = { file: rep.file, function: def.name, rule, line };
        if (faultRules.has(rule)) rep.expected.push(f);
        else rep.notValidated.push(f);
      }
    }
    const r = results[i]!;
    if (r.capped) rep.capped.push(def.name);
    if (r.error) rep.capped.push(`${def.name} (${r.error})`);
    for (const fault of r.faults) {
      const at = locateFault(fault, def.name, own, prog.files.length > 1 ? path : undefined);
      // A fault placed in a function of another file belongs to that file's report.
      const target = (at.file !== undefined ? reports.get(at.file) : undefined) ?? rep;
      for (const rule of rulesForFault(fault.kind, fault)) {
        if (!faultRules.has(rule)) continue;
        const f = { file: target.file, function: at.function, rule, line: at.line };
        const key = `${at.function}|${rule}|${at.line}`;
        if (!target.details.has(key)) {
          target.simulated.push(f);
          target.details.set(key, { kind: fault.kind, decisions: (at.function !== def.name ? `(simulating ${def.name}) ` : '') + fault.path.decisions.map((d) => `${d.line}: ${d.label}`).join('; ') });
        }
      }
    }
  });
  const key = (f: Finding) => `${f.function}|${f.rule}|${f.line}`;
  return paths.map((p) => {
    const { details, ...rep } = reports.get(p)!;
    const simKeys = new Set(rep.simulated.map(key));
    const expKeys = new Set(rep.expected.map(key));
    rep.missing = rep.expected.filter((f) => !simKeys.has(key(f)));
    rep.unexpected = rep.simulated.filter((f) => !expKeys.has(key(f))).map((f) => ({ ...f, ...details.get(key(f))! }));
    return rep;
  });
}

/** Key of a function's own simulation in the `own` map: its name, qualified by its file in a program of several files. */
function ownKey(name: string, file: string | undefined): string {
  return file === undefined ? name : `${file}\0${name}`;
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
  const { function: fn, line } = locateFault(fault, entry, own);
  return { function: fn, line };
}

/**
 * `attributeFault` with the file: in a program of several files (stack entries carry their file), `own` is
 * keyed by file and name (`ownKey`), and the result names the file of the function the fault is placed in
 * (`entryFile` for the entry itself).
 */
export function locateFault(
  fault: FunctionSimResult['faults'][number],
  entry: string,
  own: Map<string, FunctionSimResult>,
  entryFile?: string,
): { function: string; line: number; file?: string } {
  const stack = fault.stack;
  const at = (function_: string, line: number, file: string | undefined) => (file === undefined ? { function: function_, line } : { function: function_, line, file });
  if (!stack || stack.length <= 1) return at(entry, fault.entryLine, entryFile);
  if (EXCEPTION_KINDS.has(fault.kind)) return at(stack[0]!.fn, stack[0]!.line, stack[0]!.file ?? entryFile);
  for (let k = 0; k < stack.length - 1; k++) {
    const { fn, line, file } = stack[k]!;
    if (fn === entry && (file === undefined || file === entryFile)) continue;
    const r = own.get(ownKey(fn, file)) ?? own.get(fn);
    if (!r) continue;
    if ([...r.faults, ...r.escapes].some((f) => f.kind === fault.kind && f.entryLine === line)) return at(fn, line, file ?? entryFile);
  }
  return at(entry, fault.entryLine, entryFile);
}

export function faultValidatedRules(): Set<string> {
  return new Set(Object.keys(RULE_FAULTS));
}
