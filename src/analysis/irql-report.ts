/**
 * What the IRQL rules share: the violations of the function from the IRQL analysis, as report data
 * (the message says which IRQLs are possible and why), with the explanation path: the chain of
 * callers that gives the function its IRQL (across files), the call that last changed it, the finding.
 */
import {
  describeMask,
  irqlViolations,
  levelRange,
  levelsOf,
  lockIssues,
  returnViolations,
  type IrqlContext,
  type IrqlViolation,
} from './irql-analysis.js';
import type { RuleContext } from '../lint/rule.js';
import type { PathStep } from '../lint/types.js';

export interface IrqlFinding {
  loc: { line: number; column: number; endLine: number; endColumn: number };
  messageId: string;
  data: Record<string, string>;
  path: PathStep[];
}

/** The rules the IRQL analysis feeds. */
export type IrqlRuleId = 'irql-too-high' | 'irql-too-low' | 'irql-wait-at-dispatch' | 'irql-pageable-at-dispatch' | 'irql-not-restored' | 'spinlock-unbalanced';

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

/** Which rule reports a violation of the contract analysis. */
function ruleOf(v: IrqlViolation): IrqlRuleId | undefined {
  switch (v.obs.kind) {
    case 'call':
      return v.direction === 'high' ? 'irql-too-high' : 'irql-too-low';
    case 'wait':
      // a wait at DISPATCH_LEVEL or above; one only too high below it (a PASSIVE_LEVEL wait at APC_LEVEL) is too-high's
      if (v.direction === 'low') return 'irql-too-low';
      return levelsOf(v.actual).every((l) => l >= 2) ? 'irql-wait-at-dispatch' : 'irql-too-high';
    case 'paged-pool':
    case 'paged-code':
    case 'page-section':
      return v.direction === 'high' ? 'irql-pageable-at-dispatch' : 'irql-too-low';
    case 'lower-above':
    case 'raise-below':
      return 'irql-not-restored';
  }
}

/** The explanation: the context's chain (annotation, role, callers across files), the last IRQL change, the finding. */
function pathOf(ctx: IrqlContext, why: string, at: { line: number; column: number }, what: string, fileOfFinding: string): PathStep[] {
  const path: PathStep[] = [];
  for (const step of ctx.chain ?? []) path.push(step.file === fileOfFinding ? { ...step, file: undefined } : step);
  const m = /at line (\d+)/.exec(why);
  if (m && why !== ctx.because) path.push({ line: Number(m[1]), column: 1, message: why });
  path.push({ line: at.line, column: at.column, message: what });
  return path.map((s) => {
    const out: PathStep = { line: s.line, column: s.column, message: s.message };
    if (s.file) out.file = s.file;
    if (s.function) out.function = s.function;
    return out;
  });
}

function lockConsequence(kind: 'doubleAcquire' | 'notHeld', lock: string): string {
  if (lock === 'fast-mutex') {
    return kind === 'doubleAcquire'
      ? 'A fast mutex is not recursive: the thread waits for itself forever (deadlock; Driver Verifier 0xC4)'
      : 'Releasing a fast mutex the thread does not own corrupts it and the saved IRQL (Driver Verifier 0xC4)';
  }
  return kind === 'doubleAcquire'
    ? 'Spin locks are not recursive: the processor spins on its own lock forever (bug check 0xF SPIN_LOCK_ALREADY_OWNED on checked kernels, Driver Verifier 0xC4/0x40009)'
    : 'Releasing a free spin lock corrupts it and the IRQL bookkeeping (bug check 0x10 SPIN_LOCK_NOT_OWNED, Driver Verifier 0xC4/0x4000B)';
}

const contextText = (why: string, ctx: IrqlContext) => (why === ctx.because ? '' : ` (${ctx.because})`);

const TIMEOUT_TEXT: Record<string, string> = {
  KeWaitForSingleObject: 'a NULL (infinite) or nonzero timeout',
  KeWaitForMutexObject: 'a NULL (infinite) or nonzero timeout',
  KeWaitForMultipleObjects: 'a NULL (infinite) or nonzero timeout',
  WdfWaitLockAcquire: 'a NULL (infinite) or nonzero timeout',
};

function violationFinding(rule: IrqlRuleId, v: IrqlViolation, filePath: string, fnName: string): IrqlFinding {
  const o = v.obs;
  const loc = { line: o.line, column: o.column, endLine: o.endLine, endColumn: o.endColumn };
  const actual = describeMask(v.actual);
  const context = contextText(v.why, v.context);
  const path = pathOf(v.context, v.why, o, `${o.callee} at ${actual}`, filePath);
  const levels = levelsOf(v.actual);
  switch (rule) {
    case 'irql-wait-at-dispatch':
      return {
        loc,
        messageId: 'waitAtDispatch',
        data: { callee: o.callee, timeout: TIMEOUT_TEXT[o.callee] ? ` with ${TIMEOUT_TEXT[o.callee]}` : '', actual, why: v.why, context },
        path,
      };
    case 'irql-pageable-at-dispatch': {
      if (o.kind === 'paged-code') return { loc, messageId: 'pagedCode', data: { fn: fnName, actual, why: v.why, context }, path };
      if (o.kind === 'page-section') {
        const sec = /^(\S+) \(section (\w+), (.*)\)$/.exec(o.callee);
        return { loc, messageId: 'pageSection', data: { fn: sec?.[1] ?? fnName, section: sec?.[2] ?? 'PAGE', where: sec?.[3] ?? o.contractFrom, actual, why: v.why, context }, path };
      }
      const free = /Free/.test(o.callee);
      return { loc, messageId: 'pagedPool', data: { callee: o.callee, what: free ? 'frees a block of' : 'allocates from', actual, why: v.why, context }, path };
    }
    case 'irql-not-restored': {
      const target = describeMask(v.target);
      return { loc, messageId: o.kind === 'lower-above' ? 'lowerAbove' : 'raiseBelow', data: { callee: o.callee, target, actual, why: v.why, context }, path };
    }
    default:
      if (v.ifPageable) {
        return {
          loc,
          messageId: 'tooHighIfPageable',
          data: { callee: o.callee, required: requiredText(o.min, 1), actual, why: v.why, context },
          path,
        };
      }
      return {
        loc,
        messageId: v.direction === 'high' ? 'tooHigh' : 'tooLow',
        data: { callee: o.callee, required: requiredText(o.min, o.max), actual, why: v.why, context, consequence: consequence(v.direction, levels[levels.length - 1] ?? 0) },
        path,
      };
  }
}

/** The findings of one IRQL rule in the function of the context. */
export function irqlFindings(context: RuleContext, rule: IrqlRuleId): IrqlFinding[] {
  const { project, file, fn } = context;
  const out: IrqlFinding[] = [];
  // (a C++ method's name as written may span lines: `Queue::\n    Lock`)
  const fnName = fn.name.replace(/\s+/g, '');
  if (rule !== 'spinlock-unbalanced') {
    // irql-too-high's option: probes of buffers whose pageability is not known here
    const unknownBuffers = context.options.unknownBuffers !== false;
    for (const v of irqlViolations(project, file, fn)) {
      if (ruleOf(v) !== rule || (v.ifPageable && !unknownBuffers)) continue;
      out.push(violationFinding(rule, v, file.path, fnName));
    }
  }
  if (rule === 'irql-not-restored' || rule === 'spinlock-unbalanced') {
    for (const r of returnViolations(project, file, fn)) {
      const loc = { line: r.ret.line, column: r.ret.column, endLine: r.ret.line, endColumn: r.ret.column + 1 };
      if (r.kind === 'notRestored' && rule === 'irql-not-restored') {
        out.push({
          loc,
          messageId: 'notRestored',
          data: { fn: fnName, actual: describeMask(r.actual), entry: describeMask(r.entry), why: r.why, context: contextText(r.why, r.context) },
          path: pathOf(r.context, r.why, r.ret, `returns at ${describeMask(r.actual)}`, file.path),
        });
      } else if (r.kind === 'heldAtExit' && rule === 'spinlock-unbalanced') {
        for (const h of r.ret.held) {
          out.push({
            loc,
            messageId: r.acquireRoutine && h.outlives ? 'acquiredForCaller' : 'heldAtExit',
            data: { lock: h.lock, via: h.via, line: String(h.line), fn: fnName },
            path: [
              { line: h.line, column: 1, message: `${h.via} acquires '${h.lock}'` },
              { line: r.ret.line, column: r.ret.column, message: `returns with '${h.lock}' held` },
            ],
          });
        }
      }
    }
  }
  if (rule === 'spinlock-unbalanced') {
    for (const i of lockIssues(project, file, fn)) {
      out.push({
        loc: { line: i.line, column: i.column, endLine: i.endLine, endColumn: i.endColumn },
        messageId: i.kind,
        data: { callee: i.callee, lock: i.lock, via: i.prevVia, line: String(i.prevLine), consequence: lockConsequence(i.kind, i.lockKind) },
        path: [
          { line: i.prevLine, column: 1, message: `${i.prevVia} ${i.kind === 'doubleAcquire' ? 'acquires' : 'releases'} '${i.lock}'` },
          { line: i.line, column: i.column, message: `${i.callee} ${i.kind === 'doubleAcquire' ? 'acquires it again' : 'releases it again'}` },
        ],
      });
    }
  }
  return out;
}
