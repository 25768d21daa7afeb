/**
 * Turning an analysis trace into an explanation: structured steps for JSON/SARIF code flows, and a
 * compact "12 → 18 [status failed] → 30" rendering for the message.
 */
import type { PathStep } from '../lint/types.js';
import { traceSteps, type Site, type Trace } from './mdl-analysis.js';

/**
 * Steps a path keeps: the first `PATH_HEAD` and the last `PATH_TAIL`, with one step saying how many
 * were left out between. A finding deep in a long function (the thousandth unlock of a parameter's MDL)
 * carried every branch since the function's start: the output grew with the square of the function.
 */
const PATH_HEAD = 8;
const PATH_TAIL = 32;

export function explainPath(trace: Trace | null, objId: string | undefined, end?: Site & { message: string }): PathStep[] {
  const all = traceSteps(trace, objId);
  const kept = all.length > PATH_HEAD + PATH_TAIL + 1 ? [...all.slice(0, PATH_HEAD), undefined, ...all.slice(all.length - PATH_TAIL)] : all;
  const omitted = all.length - PATH_HEAD - PATH_TAIL;
  const steps: PathStep[] = kept.map((s) =>
    s
      ? { line: s.site.line, column: s.site.column, message: typeof s.message === 'function' ? s.message() : s.message }
      : { line: all[PATH_HEAD]!.site.line, column: all[PATH_HEAD]!.site.column, message: `… ${omitted} steps left out` },
  );
  if (end) {
    const last = steps[steps.length - 1];
    if (!last || last.line !== end.line || last.column !== end.column || last.message !== end.message) {
      steps.push({ line: end.line, column: end.column, message: end.message });
    }
  }
  return steps;
}

const DECISION = /^(goto |case |default case)|( is (TRUE|FALSE|true|false|NULL|not NULL)| succeeded| failed| raises an exception)$/;

/** Compact rendering: line numbers, with branch decisions in brackets; long paths keep both ends. */
export function renderPath(steps: PathStep[], maxItems = 8): string {
  const items: string[] = [];
  for (const s of steps) {
    const decision = DECISION.test(s.message);
    const item = decision ? `${s.line} [${s.message}]` : `${s.line}`;
    if (items[items.length - 1] === item) continue;
    // collapse "18" followed by "18 [x]" into the decision
    if (decision && items[items.length - 1] === `${s.line}`) items.pop();
    items.push(item);
  }
  if (items.length > maxItems) {
    const head = items.slice(0, 3);
    const tail = items.slice(items.length - (maxItems - 4));
    return [...head, '…', ...tail].join(' → ');
  }
  return items.join(' → ');
}

/** " (in LockUserBuffer, helpers.c:40)" when a helper did it, else "". */
export function viaText(via: { fn: string; file: string; line: number } | undefined): string {
  return via ? ` (in ${via.fn}, ${via.file}:${via.line})` : '';
}

/** Start of a call or expression node as a 1-based site. */
export function nodeSite(n: { startPosition: { row: number; column: number } }): { line: number; column: number } {
  return { line: n.startPosition.row + 1, column: n.startPosition.column + 1 };
}
