/**
 * mdl-probe-outside-try: MmProbeAndLockPages (and the ProcessPages / SelectedPages variants) raise an
 * exception on a bad buffer, so they must be called inside a __try whose __except takes it.
 */
import type { Rule } from '../src/lint/rule.js';
import { docsUrl } from '../src/lint/rule.js';
import { calleeName, type TryCtx } from '../src/cfg/cfg.js';
import { ddiEffect } from '../src/ddi/table.js';

type Verdict =
  | { protected: true }
  | { protected: false; messageId: 'notInTry' | 'onlyFinally' | 'filterNeverCatches' | 'filterTooNarrow'; filterLine?: number; code?: string; why?: string };

/** Walk the enclosing frames outward: does some __except take every exception the probe raises? */
export function protection(ctx: TryCtx | null): Verdict {
  let sawFinally = false;
  let narrow: { line: number; code: string } | undefined;
  let never: { line: number; why: string } | undefined;
  for (let c = ctx; c; c = c.parent) {
    const f = c.frame;
    if (f.kind === 'finally') {
      sawFinally = true;
      continue;
    }
    const cls = f.filterClass ?? { kind: 'unknown' };
    const line = (f.filter ?? f.stmt).startPosition.row + 1;
    if (cls.kind === 'all' || cls.kind === 'unknown') return { protected: true };
    if (cls.kind === 'narrow') narrow ??= { line, code: cls.code };
    if (cls.kind === 'none') never ??= { line, why: cls.why === 'continue-search' ? 'EXCEPTION_CONTINUE_SEARCH' : 'EXCEPTION_CONTINUE_EXECUTION' };
  }
  if (narrow) return { protected: false, messageId: 'filterTooNarrow', filterLine: narrow.line, code: narrow.code };
  if (never) return { protected: false, messageId: 'filterNeverCatches', filterLine: never.line, why: never.why };
  if (sawFinally) return { protected: false, messageId: 'onlyFinally' };
  return { protected: false, messageId: 'notInTry' };
}

/** Statuses a probe raises on a bad buffer (kernel-semantics.md §3, §4a, §6.10). */
const PROBE_STATUSES = ['STATUS_ACCESS_VIOLATION', 'STATUS_DATATYPE_MISALIGNMENT', 'STATUS_IN_PAGE_ERROR', 'STATUS_WORKING_SET_QUOTA'];

/** The probe statuses a narrow filter does not take, for the message. */
export function missingStatuses(code: string): string {
  if (code.includes('FsRtlIsNtstatusExpected')) return 'STATUS_ACCESS_VIOLATION and STATUS_DATATYPE_MISALIGNMENT, for which it is FALSE';
  const missing = PROBE_STATUSES.filter((s) => !new RegExp(`\\b${s}\\b`).test(code));
  if (missing.length === 0) return 'other failure statuses';
  return missing.length === 1 ? missing[0]! : `${missing.slice(0, -1).join(', ')} and ${missing[missing.length - 1]}`;
}

function isProbe(name: string | undefined): boolean {
  if (!name) return false;
  const e = ddiEffect(name);
  return !!e?.requiresTry && !!e.mdl?.some((m) => m.op === 'lock');
}

export const mdlProbeOutsideTry: Rule = {
  meta: {
    id: 'mdl-probe-outside-try',
    type: 'problem',
    docs: {
      description: 'MmProbeAndLockPages and its variants must be called inside a __try whose __except handler takes the exception they raise',
      url: docsUrl('mdl-probe-outside-try'),
      recommended: true,
    },
    messages: {
      notInTry:
        '{{callee}} is not inside a __try/__except: on an invalid or inaccessible buffer it raises an exception (STATUS_ACCESS_VIOLATION and others) that nothing here handles (bug check 0x3B SYSTEM_SERVICE_EXCEPTION, 0x7E or 0x1E KMODE_EXCEPTION_NOT_HANDLED){{callers}}',
      onlyFinally:
        '{{callee}} is inside __try/__finally only: __finally runs during unwinding but does not handle the exception the probe raises (bug check 0x3B, 0x7E or 0x1E){{callers}}',
      filterNeverCatches:
        '{{callee}} is inside a __try whose __except filter at line {{filterLine}} is {{why}}, which never handles the exception the probe raises (bug check 0x3B, 0x7E or 0x1E){{callers}}',
      filterTooNarrow:
        '{{callee}} is inside a __try whose __except filter at line {{filterLine}} only takes {{code}}, but the probe can also raise {{missing}}, which nothing handles (bug check 0x3B, 0x7E or 0x1E){{callers}}',
    },
    defaultSeverity: 'error',
    schema: { type: 'object', properties: {}, additionalProperties: false },
    simulator: { validates: 'fault', bugChecks: ['0x3B', '0x7E', '0x1E'] },
    caWarnings: [28125],
    triggers: ['MmProbeAndLockPages', 'MmProbeAndLockProcessPages', 'MmProbeAndLockSelectedPages'],
  },
  check(context) {
    const { analysis, fn, project, file } = context;
    // A helper whose every caller (among the linted files) calls it inside a __try that takes the
    // exception is protected by them: the exception propagates to their handler.
    // (computed on the first unprotected probe only: it looks at the callers' code)
    let callerVerdict: { exempt: boolean; callers: string } | undefined;
    const byCallers = () => {
      if (callerVerdict) return callerVerdict;
      const self = project.functionOf(file, fn);
      callerVerdict = { exempt: false, callers: '' };
      if (!self) return callerVerdict;
      if (project.protectedByCallers(self)) return (callerVerdict = { exempt: true, callers: '' });
      const sites = project.callSites(self);
      const unprotected = project.unprotectedCallers(self);
      if (sites.length > unprotected.length && unprotected.length > 0) {
        const named = unprotected.slice(0, 3).map((c) => `${c.caller.name} (${project.displayName(c.caller.path)}:${c.line})`);
        callerVerdict.callers = `; ${fn.name} is called inside a __try that handles the exception elsewhere, but not by ${named.join(', ')}${unprotected.length > 3 ? ` and ${unprotected.length - 3} more` : ''}`;
      }
      return callerVerdict;
    };
    const cfg = analysis.cfg;
    if (cfg.hasErrors && /\b(__)?(try|except|finally)\b/.test(file.parsedText.slice(fn.bodyStart, fn.bodyEnd))) return; // a parse error may hide the __try
    for (const node of cfg.nodes) {
      if (!analysis.reachable.has(node.id)) continue;
      for (const call of node.calls) {
        const callee = calleeName(call);
        if (!isProbe(callee)) continue;
        const v = protection(node.ctx);
        if (v.protected) continue;
        const cv = byCallers();
        if (cv.exempt) continue;
        const data: Record<string, string | number> = { callee: callee!, callers: cv.callers };
        if (v.filterLine !== undefined) data.filterLine = v.filterLine;
        if (v.code) {
          data.code = v.code;
          data.missing = missingStatuses(v.code);
        }
        if (v.why) data.why = v.why;
        context.report({ node: call, messageId: v.messageId, data });
      }
    }
  },
};
