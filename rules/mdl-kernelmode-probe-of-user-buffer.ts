/**
 * mdl-kernelmode-probe-of-user-buffer (security): MmProbeAndLockPages(mdl, KernelMode, ...) on an MDL
 * describing an address the caller supplied. KernelMode skips the check that the range lies in user
 * space, so a caller can make the driver lock, and then write, kernel memory.
 */
import type { Rule } from '../src/lint/rule.js';
import { docsUrl } from '../src/lint/rule.js';
import { explainPath, nodeSite, renderPath, viaText } from '../src/analysis/explain.js';

/** Index of the AccessMode argument of each probe routine. */
const ACCESS_MODE_ARG: Record<string, number> = { MmProbeAndLockPages: 1, MmProbeAndLockProcessPages: 2, MmProbeAndLockSelectedPages: 2 };

export const mdlKernelmodeProbeOfUserBuffer: Rule = {
  meta: {
    id: 'mdl-kernelmode-probe-of-user-buffer',
    type: 'problem',
    docs: {
      description: 'A buffer whose address the caller supplied must be probed with UserMode (or Irp->RequestorMode), never KernelMode',
      url: docsUrl('mdl-kernelmode-probe-of-user-buffer'),
      recommended: true,
    },
    messages: {
      kernelModeUserBuffer:
        "{{callee}}{{via}} probes MDL '{{name}}' with KernelMode, but it describes {{source}}, an address the caller supplied (path: {{path}}): KernelMode skips the check that the range lies in user space, so a caller can pass a kernel address and make the driver lock and write kernel memory (a security hole; no bug check). Use UserMode or Irp->RequestorMode",
    },
    defaultSeverity: 'error',
    schema: { type: 'object', properties: {}, additionalProperties: false },
    simulator: {
      validates: 'fault',
      bugChecks: [],
      noBugCheck: 'a security hole, no bug check: the simulator shows a KernelMode probe succeeding on an address the caller chose (fault kernelmode-probe-user-address)',
    },
    triggers: ['MmProbeAndLockPages', 'MmProbeAndLockProcessPages', 'MmProbeAndLockSelectedPages'],
  },
  check(context) {
    const seen = new Set<string>();
    for (const obs of context.analysis.observations) {
      // (a lock a helper does is checked here only when the helper's summary says it probes the caller's buffer)
      if (obs.kind !== 'mdl-op' || obs.op !== 'lock' || obs.imprecise || (obs.via && !obs.helperProbe)) continue;
      const o = obs.before;
      if (!o.userVa || obs.kernelRequestor) continue;
      const k = ACCESS_MODE_ARG[obs.callee] ?? 1;
      if (obs.argVals?.[k] !== 0) continue;
      const site = nodeSite(obs.call);
      const key = `${site.line}:${site.column}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const path = explainPath(obs.trace, o.id, { ...site, message: obs.callee });
      context.report({
        node: obs.call,
        messageId: 'kernelModeUserBuffer',
        data: { callee: obs.callee, via: viaText(obs.via), name: o.name, source: o.userVa, path: renderPath(path) },
        path,
      });
    }
  },
};
