/**
 * What irql-too-high and irql-too-low share: the violations of the function from the IRQL analysis,
 * as report data (the message says which IRQLs are possible and why).
 */
import { describeMask, irqlViolations, levelRange } from './irql-analysis.js';
import type { RuleContext } from '../lint/rule.js';
import type { PathStep } from '../lint/types.js';


function requiredText(min: number, max: number): string {
  if (min === max) return describeMask(levelRange(min, min));
  if (min === 0) return `${describeMask(levelRange(max, max))} or below`;
  if (max >= 31) return `${describeMask(levelRange(min, min))} or above`;
  return `${describeMask(levelRange(min, min))} to ${describeMask(levelRange(max, max))}`;
}

function consequence(direction: 'high' | 'low', actualMax: number): string {
  if (direction === 'low') return 'Driver Verifier stops the machine (bug check 0xC4); without it the lock or IRQL bookkeeping is corrupted';
  return actualMax >= 2
    ? 'At DISPATCH_LEVEL or above the thread cannot wait or take a page fault: bug check 0xA / 0xD1 IRQL_NOT_LESS_OR_EQUAL, or Driver Verifier 0xC4'
    : 'At APC_LEVEL the routine may deadlock or miss APCs it relies on (Driver Verifier 0xC4)';
}

export function irqlFindings(
  context: RuleContext,
  direction: 'high' | 'low',
): { loc: { line: number; column: number; endLine: number; endColumn: number }; data: Record<string, string>; path: PathStep[] }[] {
  const out: { loc: { line: number; column: number; endLine: number; endColumn: number }; data: Record<string, string>; path: PathStep[] }[] = [];
  for (const v of irqlViolations(context.project, context.file, context.fn)) {
    if (v.direction !== direction) continue;
    const levels: number[] = [];
    for (let l = 0; l < 32; l++) if (v.actual & ((1 << l) >>> 0)) levels.push(l);
    const path: PathStep[] = [];
    const m = /at line (\d+)/.exec(v.why);
    if (m) path.push({ line: Number(m[1]), column: 1, message: v.why });
    path.push({ line: v.obs.line, column: v.obs.column, message: `${v.obs.callee} at ${describeMask(v.actual)}` });
    out.push({
      loc: { line: v.obs.line, column: v.obs.column, endLine: v.obs.endLine, endColumn: v.obs.endColumn },
      data: {
        callee: v.obs.callee,
        required: requiredText(v.obs.min, v.obs.max),
        actual: describeMask(v.actual),
        why: v.why,
        context: v.why === v.context.because ? '' : ` (${v.context.because})`,
        consequence: consequence(direction, levels[levels.length - 1] ?? 0),
      },
      path,
    });
  }
  return out;
}
