/**
 * A program's linter findings and simulated faults, each as `line kind`, for tests that check the two tools
 * side by side (they share only the parser).
 */
import { lintText } from '../../src/lint/linter.js';
import { parseSource } from '../../src/parse/parser.js';
import { simulateSource } from '../../src/sim/simulate.js';

/** The linter's findings: `line rule-id`, in report order. */
export const findings = (text: string, path = 'f.c'): string[] => lintText(text, path).messages.map((m) => `${m.line} ${m.ruleId}`);

/** The simulator's faults: `line fault-kind`, each once, sorted. */
export const faults = (text: string, path = 'f.c'): string[] =>
  [...new Set(simulateSource(parseSource(path, text), {}).flatMap((r) => r.faults.map((f) => `${f.entryLine} ${f.kind}`)))].sort();
