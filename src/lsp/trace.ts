/**
 * "Show the simulated path" of a finding: the simulator (src/sim) runs the finding's function over the
 * program and the fault of a kind the rule corresponds to (src/validation/mapping.ts), nearest to the
 * finding's line, is shown with its bug check and its shortest path, as `ddi-lint simulate` prints it.
 * When no such fault exists on any explored path, the text says so: the simulator is an independent
 * model, and its disagreement is information too.
 */
import type { SourceFile } from '../parse/parser.js';
import { renderText } from '../sim/cli.js';
import { SimProgram, simulateFunction, tracePath } from '../sim/simulate.js';
import { RULE_FAULTS } from '../validation/mapping.js';

export interface FindingRef {
  ruleId: string;
  line: number;
  column: number;
  function: string;
}

export function simulatedPath(files: SourceFile[], file: SourceFile, finding: FindingRef, root?: string): { title: string; text: string } {
  const shown = root && file.path.startsWith(root) ? file.path.slice(root.length).replace(/^[/\\]+/, '') : file.path;
  const prog = SimProgram.fromFiles(files);
  const def = prog.defsOf(file).find((d) => d.name === finding.function) ?? prog.defsOf(file).find((d) => d.line <= finding.line && finding.line <= d.endLine);
  if (!def) return { title: `ddi-lint: no function at ${shown}:${finding.line} to simulate`, text: `No function named '${finding.function}' at ${shown}:${finding.line}.` };
  const res = simulateFunction(prog, def);
  const kinds = RULE_FAULTS[finding.ruleId] ?? [];
  const candidates = res.faults.filter((f) => (kinds as string[]).includes(f.kind));
  candidates.sort((a, b) => Math.abs(a.line - finding.line) - Math.abs(b.line - finding.line) || a.path.length - b.path.length);
  const fault = candidates[0];
  const linesOf = (p: string) => (prog.files.find((f) => f.path === p) ?? file).text.split(/\r?\n/);
  if (!fault) {
    const other = res.faults.length ? ` It found other faults: ${[...new Set(res.faults.map((f) => `${f.kind} at line ${f.line}`))].join(', ')}.` : '';
    const text =
      `${shown}:${def.line}: ${def.name}: the simulator explored ${res.paths} path(s) (entry IRQL ${res.entryIrql}, ${res.irqlSource}) ` +
      `and none shows a fault of the kinds ${finding.ruleId} corresponds to (${kinds.join(', ') || 'none'}).${other}` +
      (res.capped ? ' The path cap was hit: exploration is incomplete.' : '') +
      (res.error ? ` Exploration stopped: ${res.error}.` : '');
    return { title: `ddi-lint: no simulated fault for ${finding.ruleId} in ${def.name}`, text };
  }
  const trace = tracePath(prog, def, fault.path.choices).trace;
  const text = renderText(shown, [{ res: { ...res, faults: [fault] }, traces: [trace] }], false, false, (p) => (p === shown ? linesOf(file.path) : linesOf(p)));
  return { title: `ddi-lint: ${fault.kind} at line ${fault.line} of ${def.name}: ${fault.message}`, text };
}
