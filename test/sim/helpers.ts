import { parseSource } from '../../src/parse/parser.js';
import { simulateSource, type FunctionSimResult, type SimulateOptions } from '../../src/sim/simulate.js';

/** Simulate C text; returns per function the set of `kind@line` (line = line in the entry function). */
export function simulate(code: string, opts: SimulateOptions = {}, path = 'snippet.c'): FunctionSimResult[] {
  return simulateSource(parseSource(path, code), opts);
}

export function faultSet(r: FunctionSimResult): string[] {
  return [...new Set(r.faults.map((f) => `${f.kind}@${f.entryLine}`))].sort();
}

/** Expectations written in the snippet as `// @ kind, kind` on the faulting line. */
export function expectedSet(code: string, fn: FunctionSimResult): string[] {
  const out: string[] = [];
  code.split('\n').forEach((text, i) => {
    const line = i + 1;
    if (line < fn.line || line > fn.endLine) return;
    const m = /\/\/ @ ([\w\s,-]+)$/.exec(text);
    if (!m) return;
    for (const k of m[1]!.split(',').map((s) => s.trim()).filter(Boolean)) out.push(`${k}@${line}`);
  });
  return [...new Set(out)].sort();
}
